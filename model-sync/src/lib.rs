//! # ambidex-sync
//!
//! ambidex's blocking engine: diesel connections behind an r2d2 pool, with no async
//! runtime anywhere (a build with only the `blocking` feature pulls in neither tokio nor
//! sqlx).
//!
//! The engine implements [`ambidex_core::Connection`] for diesel connections and answers
//! with futures that are already complete, so every operation, written once in
//! `ambidex_core::ops`, runs here in a single poll ([`ambidex_core::complete`]). This crate
//! carries statements and rows; it contains no SQL and no per-model code.
//!
//! Users reach it as `ambidex::blocking`.
#![warn(missing_docs)]

mod backend;
mod connection;
mod db;
mod error;
mod executor;
mod held;
mod manager;
mod replicas;
mod retry;
mod statement;
mod transaction;

pub use backend::{AnyConnection, DieselBackend};
#[cfg(feature = "mysql")]
pub use db::MysqlDb;
#[cfg(feature = "postgres")]
pub use db::PgDb;
#[cfg(feature = "sqlite")]
pub use db::SqliteDb;
pub use db::{Database, Db, DbBuilder};
pub use held::HeldConnection;
pub use retry::retry;
#[cfg(feature = "mysql")]
pub use transaction::MysqlTx;
#[cfg(feature = "postgres")]
pub use transaction::PgTx;
#[cfg(feature = "sqlite")]
pub use transaction::SqliteTx;
pub use transaction::Tx;
