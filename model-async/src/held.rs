//! [`HeldConnection`]: one pooled connection the caller keeps for a sequence of operations.
//!
//! `&db` checks a connection out of the pool for every operation and back in afterwards;
//! on a primary-key lookup that round trip through the pool costs about as much as the
//! lookup itself (issue 6: PostgreSQL 168 us through the pool against 84 us for
//! hand-written sqlx on a held connection). A server that runs several operations for one
//! request can take the connection once with [`Database::acquire`] and pass `&mut conn`
//! to every terminal method instead. It is also one database session: temporary tables,
//! session variables (`SET`) and prepared statements stay with it from one call to the
//! next.
//!
//! It is the async counterpart of `ambidex_sync::HeldConnection`, and keeps the engine's
//! one guarantee: a connection that may hold an open transaction is never pooled
//! (`connection.rs` closes it instead; see [`ambidex_core::transaction`] for the depth
//! accounting that decides it).

use std::fmt;

use ambidex_core::transaction::{self, TxOptions};
use ambidex_core::{Connection, Dialect, Executor, Plan, Result};

use crate::backend::{AnyBackend, SqlxBackend};
use crate::db::Database;
use crate::executor::BoxFuture;

/// A connection of a [`Database`]'s pool, held by the caller until dropped; pass
/// `&mut conn` to any terminal method to run it there, with no pool checkout.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> ambidex_core::Result<()> {
/// # if !cfg!(feature = "sqlite") { return Ok(()); }
/// use ambidex_core::raw;
///
/// let db = ambidex_async::Db::connect("sqlite::memory:").await?;
/// let mut conn = db.acquire().await?;
/// // One session: a temporary table lives as long as the connection.
/// raw("CREATE TEMP TABLE seen (n INTEGER)").execute(&mut conn).await?;
/// raw("INSERT INTO seen (n) VALUES (?)").bind(7).execute(&mut conn).await?;
/// let rows: Vec<(i64,)> = raw("SELECT n FROM seen").fetch_rows(&mut conn).await?;
/// assert_eq!(rows, [(7,)]);
/// drop(conn); // back to the pool
/// raw("SELECT 1").execute(&db).await?;
/// # Ok(()) }
/// ```
///
/// - **Its pool slot is taken** while it lives: a pool of `max_connections(n)` has `n - 1`
///   connections left for everyone else, and operations on `&db` wait for one (up to the
///   acquire timeout, then [`ambidex_core::Error::PoolTimeout`]). An in-memory SQLite
///   database has exactly one connection, so there nothing else runs until it is dropped.
/// - **Always the primary's**: with read replicas configured, `acquire` still gives a
///   connection of the primary, and every operation on it (reads included) runs there.
///   The handle's session ([`Database::session`]) is marked as having written, as by a
///   transaction, so its later reads through `&db` see what was written here.
/// - **No transactions of its own**: open them on the [`Database`] ([`Database::begin`],
///   [`Database::transaction`]), which holds a connection for the transaction's life.
///   Operations that need one internally (`insert_many` in batches) open and close it
///   here. If such an operation's future is dropped halfway, the connection is not reused
///   inside that transaction: the next operation rolls it back first, or (if the driver
///   was interrupted mid-statement) fails with [`ambidex_core::Error::Cancelled`], and
///   dropping the connection then closes it instead of pooling it.
/// - **No `stream`**: a stream runs one query per page on a handle it can copy (`&db`);
///   a held connection is borrowed mutably for each operation. Use `all` with `limit`,
///   or stream on `&db`.
/// - Dropped outside a Tokio runtime, the connection is closed rather than pooled (sqlx
///   returns connections on a runtime task).
///
/// `B` is the backend of the handle that acquired it, as for [`crate::Tx`]. It is `Send`,
/// so it can be held across `.await`s in a spawned task; printing it shows its dialect
/// only, never a URL or password.
pub struct HeldConnection<B: SqlxBackend = AnyBackend> {
    conn: B::Conn,
}

/// A held connection of a `SqliteDb`.
#[cfg(feature = "sqlite")]
pub type SqliteHeldConnection = HeldConnection<sqlx::Sqlite>;

/// A held connection of a `PgDb`.
#[cfg(feature = "postgres")]
pub type PgHeldConnection = HeldConnection<sqlx::Postgres>;

/// A held connection of a `MysqlDb`.
#[cfg(feature = "mysql")]
pub type MysqlHeldConnection = HeldConnection<sqlx::MySql>;

impl<B: SqlxBackend> Database<B> {
    /// Checks a connection out of the primary's pool and holds it until the result is
    /// dropped (see [`HeldConnection`]). Waits for a free one up to the acquire timeout,
    /// then fails with [`ambidex_core::Error::PoolTimeout`].
    pub async fn acquire(&self) -> Result<HeldConnection<B>> {
        let conn = self.checkout().await?;
        // What runs on it is not seen operation by operation, so count it as a write.
        self.note_transaction(&TxOptions::default());
        Ok(HeldConnection { conn })
    }
}

impl<B: SqlxBackend> HeldConnection<B> {
    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }
}

impl<B: SqlxBackend> fmt::Debug for HeldConnection<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeldConnection")
            .field("handle", &B::HANDLE)
            .field("dialect", &self.dialect())
            .finish_non_exhaustive()
    }
}

impl<'e, B: SqlxBackend> Executor<'e> for &'e mut HeldConnection<B> {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        Box::pin(async move {
            crate::db::require_runtime::<B>()?;
            transaction::rollback_all(&mut self.conn).await?;
            B::run(&mut self.conn, plan).await
        })
    }
}
