//! # ambidex-async
//!
//! The async engine of [ambidex](https://docs.rs/ambidex): the same models and queries as
//! the blocking world, run through [sqlx](https://docs.rs/sqlx) pools on Tokio.
//!
//! - [`Db`]: a connection pool; pass `&db` to any terminal method and `.await` it.
//! - [`Tx`]: a transaction; pass `&mut tx` instead. [`Db::transaction`] runs a closure in
//!   one and commits or rolls back for you.
//! - [`HeldConnection`]: one pooled connection kept for a sequence of operations
//!   ([`Db::acquire`]); pass `&mut conn`, and skip the pool's checkout on each of them.
//!
//! Every future is `Send`. Cancelling one is safe: a connection that may be inside a
//! transaction is closed (which rolls it back), never returned to the pool.
//!
//! Users depend on the `ambidex` facade, not on this crate.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> ambidex_core::Result<()> {
//! # if !cfg!(feature = "sqlite") { return Ok(()); }
//! use ambidex_async::Db;
//! use ambidex_core::raw;
//!
//! let db = Db::connect("sqlite::memory:").await?;
//! raw("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").execute(&db).await?;
//! let added = raw("INSERT INTO notes (body) VALUES (?)").bind("hello").execute(&db).await?;
//! assert_eq!(added, 1);
//! # Ok(()) }
//! ```
//!
//! Backends are cargo features: `sqlite` (default), `postgres` and `mysql` (MySQL and
//! MariaDB). A URL whose backend is not compiled in is refused with
//! [`ambidex_core::Error::Config`] naming the feature to enable.
#![warn(missing_docs)]
// Without a backend feature the generic engine is compiled but never instantiated.
#![cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(dead_code, unused_imports, unused_variables)
)]

mod backend;
mod connection;
#[doc(hidden)]
pub use connection::pinned as __polled_on_one_thread;
mod db;
mod error;
mod executor;
mod held;
mod replicas;
mod retry;
mod transaction;

pub use backend::{AnyBackend, SqlxBackend};
#[cfg(feature = "mysql")]
pub use db::MysqlDb;
#[cfg(feature = "postgres")]
pub use db::PgDb;
#[cfg(feature = "sqlite")]
pub use db::SqliteDb;
pub use db::{Database, Db, DbBuilder};
pub use executor::BoxFuture;
pub use held::HeldConnection;
#[cfg(feature = "mysql")]
pub use held::MysqlHeldConnection;
#[cfg(feature = "postgres")]
pub use held::PgHeldConnection;
#[cfg(feature = "sqlite")]
pub use held::SqliteHeldConnection;
pub use retry::retry;
#[cfg(feature = "mysql")]
pub use transaction::MysqlTx;
#[cfg(feature = "postgres")]
pub use transaction::PgTx;
#[cfg(feature = "sqlite")]
pub use transaction::SqliteTx;
pub use transaction::Tx;
#[doc(hidden)]
pub use transaction::{EndTransaction, run_transaction};
