//! What a query means, independent of any model's metadata, dialect or engine.
//!
//! - `ast.rs`: the untyped tree (`Node`, `QueryParts`, `SelectList`...) every query
//!   becomes, and the renderer reads;
//! - `column.rs`, `expr.rs`: typed columns (`User::AGE`) and conditions (`Expr<M>`), so
//!   that `User::AGE.ge("x")` does not compile;
//! - `computed.rs`: values computed per row (`Computed<M, T>`): arithmetic, comparisons
//!   between columns, portable functions and `CASE`, typed like columns;
//! - `aggregate.rs`: `count()`, `sum`, `avg`..., and conditions on them (`having`);
//! - `select.rs`: the `Select<M>` and `Update<M>` builders.
//!
//! This layer imports only `value` and `error`. Whatever needs a model's metadata (the
//! table name, the key) or runs the query is above it: the `Model` contract in
//! `crate::model`, terminal methods and plans in `crate::ops`.

pub mod aggregate;
pub mod ast;
pub mod column;
pub mod computed;
pub mod expr;
pub mod select;
