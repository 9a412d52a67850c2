//! # ambidex-core
//!
//! The I/O-free heart of [ambidex](https://docs.rs/ambidex): everything about models and
//! queries that does not depend on which world (blocking or async) or which engine (diesel
//! or sqlx) runs them.
//!
//! - [`Model`], [`ModelMeta`]: the contract `#[derive(Model)]` implements.
//! - [`Column`], [`Expr`], [`Select`]: typed columns, conditions and queries.
//! - [`ast`], [`render`], [`ddl`], [`dialect`]: the query AST and its SQL, with every
//!   backend difference in one dialect module.
//! - [`Value`], [`Cell`], [`RowReader`], [`SqlField`]: binding and decoding, written once.
//! - [`Connection`], [`Plan`], [`Executor`], [`ops`]: the seam to the engines; every
//!   operation is a plan over a connection, so both worlds share all logic but the I/O.
//! - [`routing`]: read replicas, read/write routing and read-your-writes, decided once
//!   for every engine.
//! - [`Error`]: the one error type.
//!
//! Users depend on the `ambidex` facade, not on this crate.
//!
//! ```
//! use ambidex_core::{Dialect, render, ast::{Node, CmpOp, ColumnRef, QueryParts, Projection}};
//! # use ambidex_core::{ModelMeta, ColumnDef, ValueKind, Value};
//! # static META: ModelMeta = ModelMeta { name: "User", table: "users", keys: &[0], columns: &[
//! #   ColumnDef { name: "id", field: "id", kind: ValueKind::I64, nullable: false, primary_key: true,
//! #               auto: true, unique: false, index: false, default: None, references: None }] };
//! let id = ColumnRef { table: "users", name: "id", nullable: false };
//! let parts = QueryParts {
//!     filter: Some(Node::Compare { column: id, op: CmpOp::Eq, value: Value::I64(7) }),
//!     ..Default::default()
//! };
//! let st = render::select(Dialect::Postgres, &META, &parts, Projection::Model).unwrap();
//! assert_eq!(st.sql(), r#"SELECT "id" FROM "users" WHERE "id" = $1"#);
//! ```
#![warn(missing_docs)]

mod aggregate;
pub mod ast;
mod column;
pub mod ddl;
pub mod dialect;
mod engine;
mod error;
mod exists;
mod expr;
mod field;
mod key;
pub mod migrate;
mod model;
pub mod ops;
mod query;
mod raw;
mod ready;
pub mod relation;
pub mod render;
mod retry;
pub mod routing;
mod row;
pub mod schema;
pub mod select_as;
#[cfg(feature = "sqlite")]
pub mod sqlite_handle;
mod statement;
pub mod stream;
pub mod transaction;
pub mod types;
pub mod upsert;
mod url;
mod value;

pub use aggregate::{Agg, Having, Ordered, Summable, count};
pub use column::Column;
pub use dialect::{Dialect, SqlDialect};
pub use engine::{Connection, Executed, Executor, Plan, RowSink};
pub use error::{DbFailure, DecodeProblem, Error, FailureHint, Result, redact_url};
pub use exists::Correlated;
pub use expr::{Expr, Order};
pub use field::{IntoOperand, SqlField, TextField};
pub use key::{IntoKey, PrimaryKey};
pub use model::{CachedSql, ColumnDef, Model, ModelMeta, SqlCache};
pub use query::{Select, Update};
pub use raw::{FromRow, Raw, raw};
pub use ready::complete;
pub use relation::{BelongsTo, ForeignKey, OnDelete, Through};
pub use retry::Retry;
pub use row::{Cell, RowReader, decode_field, row_too_narrow};
pub use select_as::{Partial, PartialModel, SelectAs, Selectable};
pub use statement::{SqlTemplate, SqlWriter, Statement};
pub use stream::{RowIter, RowStream, Streaming};
pub use url::Target;
pub use value::{Array, DefaultValue, Value, ValueKind};
