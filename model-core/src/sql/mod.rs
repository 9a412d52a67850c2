//! Where a query becomes SQL text: the only place in ambidex that writes SQL.
//!
//! - `dialect/`: everything that differs between SQLite, PostgreSQL and MySQL/MariaDB,
//!   one module per backend behind the [`SqlDialect`](dialect::SqlDialect) hooks;
//! - `writer.rs`: [`SqlWriter`](writer::SqlWriter) (placeholders, quoting, binds) and the
//!   checks a statement gets when it is finished or a cached template is bound;
//! - `render.rs`: queries (the `crate::query` AST) and per-model statements into SQL;
//! - `ddl.rs`: tables, indexes and schema changes (`crate::schema`) into SQL;
//! - `lexer.rs`: SQL text as each dialect reads it (literals, quoted identifiers,
//!   comments), for raw SQL's placeholders and for splitting migration files.
//!
//! It imports `value`, `query`, `engine` (the statement type it produces), `model` (the
//! metadata it reads) and `schema` (the tables DDL is written from); never `ops` or
//! anything that runs.

pub mod ddl;
pub mod dialect;
pub mod lexer;
pub mod render;
pub mod writer;
