//! # ambidex-core
//!
//! The I/O-free heart of [ambidex](https://docs.rs/ambidex): everything about models and
//! queries that does not depend on which world (blocking or async) or which engine (diesel
//! or sqlx) runs them.
//!
//! The source is grouped by layer, bottom to top; each layer imports only the ones below
//! it (`tests/layering.rs` holds the order and fails on an upward import):
//!
//! | layer | owns |
//! | --- | --- |
//! | `value/`, `error.rs` | bind values, cells, rows, field types, keys; the one error type |
//! | `query/` | what a query means: AST, typed columns and conditions, aggregates, `Select` |
//! | `engine/` | the seam engines implement: statements, `Connection`, `Plan`, `Executor` |
//! | `model/` | the `Model` contract: metadata, statement cache, the requests it makes |
//! | `schema/` | tables as data, and the diff between two schemas |
//! | `sql/` | where a query becomes SQL text: dialects, writer, render, DDL |
//! | `ops/` | the plans every engine runs: fetches, writes, upserts, relations, streams, pages, transactions |
//! | `migrate/`, `url/`, `routing/`, `sqlite_handle.rs` | migrations, URLs, read replicas, SQLite handle settings |
//!
//! This file is the public map: it declares the layers and re-exports the public paths.
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
//! let id = ColumnRef { table: "users", name: "id", nullable: false, kind: ValueKind::I64 };
//! let parts = QueryParts {
//!     filter: Some(Node::Compare { column: id, op: CmpOp::Eq, value: Value::I64(7) }),
//!     ..Default::default()
//! };
//! let st = render::select(Dialect::Postgres, &META, &parts, Projection::Model).unwrap();
//! assert_eq!(st.sql(), r#"SELECT "id" FROM "users" WHERE "id" = $1"#);
//! ```
#![warn(missing_docs)]

// The layers, bottom to top (tests/layering.rs holds this order).
mod error;
mod value;

mod query;

mod engine;

mod model;

pub mod schema;

mod sql;

pub mod ops;

pub mod migrate;
pub mod routing;
#[cfg(feature = "sqlite")]
pub mod sqlite_handle;
pub mod url;

// Public module paths, kept where users and engines have always found them.
pub use engine::sqlite_writers;
pub use ops::{join, page, relation, select_as, stream, transaction, upsert};
pub use query::ast;
pub use sql::{ddl, dialect, lexer, render};
pub use value::types;

pub use engine::ready::complete;
pub use engine::statement::{SqlTemplate, Statement};
pub use engine::{Connection, DbResult, Executed, Executor, Plan, RowSink};
pub use error::{AsError, DbFailure, DecodeProblem, Error, FailureHint, Result, redact_url};
pub use model::{CachedSql, ColumnDef, ForeignKey, Model, ModelMeta, OnDelete, SqlCache};
pub use ops::exists::Correlated;
pub use ops::join::{AllOf, Joined, JoinedAs, LockedJoin, all_of};
pub use ops::page::{Cursor, IntoCursor, MAX_PAGE_SIZE, Page, Paged};
pub use ops::raw::{FromRow, Raw, raw};
pub use ops::relation::{BelongsTo, Through};
pub use ops::retry::Retry;
pub use ops::select_as::{Partial, PartialModel, SelectAs, Selectable};
pub use ops::stream::{RowIter, RowStream, Streaming};
pub use query::aggregate::{Agg, Having, Ordered, Summable, count};
pub use query::column::Column;
#[cfg(feature = "chrono")]
pub use query::computed::Temporal;
pub use query::computed::{
    Arith, ArithOperand, ArithOutput, Assignable, ByExpr, ByValue, Comparand, Computed, MaybeNull,
    NotNull, Nullness, Numeric, ScalarExpr, StoresIn, Text, When, WidensTo, when,
};
pub use query::expr::{Expr, Order};
pub use query::select::{Locked, Select, Update};
pub use sql::dialect::{Dialect, Server, SqlDialect};
pub use sql::writer::SqlWriter;
pub use url::Target;
pub use url::env::EnvConfig;
pub use value::field::{BindValue, IntoOperand, SqlField, TextField};
pub use value::key::{IntoKey, PrimaryKey};
pub use value::row::{Cell, RowReader, decode_field, row_too_narrow};
pub use value::{Array, DefaultValue, Value, ValueKind};
