//! The seam between the shared logic and the engines: what crosses it, and nothing else.
//!
//! This layer sits right above `value`: an engine needs only values, cells, rendered
//! [`Statement`]s (`statement.rs`: text and binds, no SQL knowledge), the [`Dialect`] it
//! speaks (`backend.rs`), transaction options (`tx_options.rs`), the [`Access`] a plan
//! declares for routing (`access.rs`) and the pool settings a handle opens with
//! (`pool.rs`). Nothing here imports the model, query, SQL or operation layers, so
//! `ambidex-sync` and `ambidex-async` implement a small, stable contract.
//!
//! An engine (diesel in `ambidex-sync`, sqlx in `ambidex-async`, and the shims) implements
//! [`Connection`]: run a [`Statement`], feed its rows to a [`RowSink`], report affected rows.
//! Nothing else. Every operation a user calls is a [`Plan`]: an `async` procedure over a
//! `Connection`, written once in [`crate::ops`]. A blocking engine answers with futures that
//! are already complete, so the same plan runs to completion in one poll without any
//! runtime ([`crate::engine::ready::complete`]); an async engine awaits real I/O.
//!
//! Handles implement [`Executor`], whose associated `Output` is what the user's call
//! returns: `Result<T>` for blocking handles, a `Send` future for async ones. That is how
//! `query.all(&db)` has one name in both worlds.

pub mod access;
pub mod backend;
pub mod pool;
pub mod ready;
pub mod sqlite_writers;
pub mod statement;
pub mod tx_options;

use std::future::Future;

use crate::error::Result;
use crate::value::row::RowReader;
use access::Access;
use backend::{Dialect, Server};
use statement::Statement;

/// What an `execute` reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Executed {
    /// Rows inserted, updated or deleted.
    pub rows_affected: u64,
    /// The generated key of the last inserted row, where the driver reports it.
    pub last_insert_id: Option<i64>,
}

/// Receives decoded rows. Decoding is a static function so that engines whose driver
/// decodes inside its own row-building hook (diesel's `FromSqlRow`) can call it there.
pub trait RowSink: Send + 'static {
    /// What one row decodes into.
    type Item: Send + 'static;

    /// Decodes one row.
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Self::Item>;

    /// Takes one decoded row.
    fn push(&mut self, item: Self::Item) -> Result<()>;
}

/// One database connection as the shared logic sees it: statements in, rows out.
pub trait Connection: Send {
    /// The connection's dialect.
    fn dialect(&self) -> Dialect;

    /// Which server the connection reached, where the dialect covers more than one
    /// ([`Server`]: MySQL or MariaDB), as the engine learned it when the connection (or
    /// its pool) opened.
    fn server(&self) -> Server;

    /// Whether the engine reads the rows an `INSERT ... RETURNING` (or `DELETE ...
    /// RETURNING`) returns on this connection's server, where the dialect allows one
    /// ([`Server`]). Default: it does. The diesel engine on MariaDB does not: the C client
    /// reads a prepared statement's result columns when it prepares it, and MariaDB
    /// announces none for `INSERT ... RETURNING` (MDEV-27013), so diesel refuses the rows
    /// ("No metadata exists"). Such a connection inserts without RETURNING, in a
    /// transaction, and deletes returning rows by locking them first.
    fn reads_insert_returning(&self) -> bool {
        true
    }

    /// Runs a query and feeds every row to `sink`, returning it.
    fn fetch<S: RowSink>(
        &mut self,
        statement: Statement,
        sink: S,
    ) -> impl Future<Output = Result<S>> + Send;

    /// Runs a statement that returns no rows.
    fn execute(&mut self, statement: Statement) -> impl Future<Output = Result<Executed>> + Send;

    /// How many transactions (the outer one and savepoints) are open, or may be open
    /// because a statement that opens or closes one did not finish. An engine must never
    /// hand a connection whose depth is not zero back to its pool without rolling it back
    /// or closing it.
    fn transaction_depth(&self) -> u32;

    /// Records the transaction depth; only [`crate::ops::transaction`] calls this.
    fn set_transaction_depth(&mut self, depth: u32);

    /// Whether the connection may hold a session lock (MariaDB's `GET_LOCK` and
    /// PostgreSQL's `pg_advisory_lock`, which the migration plans take) or other session
    /// state a migration set and must undo (SQLite's `foreign_keys` switched off around a
    /// migration's transaction), which outlives transactions and is undone only by its
    /// own statement or by closing the connection. Like the depth it is pessimistic: set
    /// before the lock is asked for, cleared only after its release succeeded, so a plan
    /// that panicked or was dropped in between leaves it set. An engine must never hand a
    /// connection for which it is set back to its pool: it closes it, which makes the
    /// server release the lock.
    fn session_lock_held(&self) -> bool;

    /// Records whether a session lock may be held; only the migration plans call this.
    fn set_session_lock_held(&mut self, held: bool);
}

/// One operation, written once as an `async` procedure over any [`Connection`].
pub trait Plan: Send {
    /// What the operation returns.
    type Output: Send + 'static;

    /// What the operation does, for a handle with read replicas
    /// ([`crate::routing`]): unless a plan says it only reads, it may write and runs on
    /// the primary.
    fn access(&self) -> Access {
        Access::write()
    }

    /// Runs the operation on `conn`.
    fn run<C: Connection>(self, conn: &mut C) -> impl Future<Output = Result<Self::Output>> + Send;
}

/// What a terminal method returns with the handle `E`: `Result<T>` for a blocking handle
/// (`ambidex::blocking::Db`, its `Tx`), a future of `Result<T>` for an async one (`.await`
/// it). Signatures read `fn get(key, db: E) -> DbResult<'e, E, Self>`: "a `Self`, or the
/// error, the way `E`'s world returns it".
///
/// ```
/// use ambidex_core::{DbResult, Executor};
/// // The same as writing `E::Output<u64>`:
/// fn counted<'e, E: Executor<'e>>(output: DbResult<'e, E, u64>) -> E::Output<u64> {
///     output
/// }
/// # let _ = counted::<&ambidex_sync_stand_in::Db>;
/// # mod ambidex_sync_stand_in {
/// #     pub struct Db;
/// #     impl<'e> ambidex_core::Executor<'e> for &'e Db {
/// #         type Output<T: Send + 'static> = ambidex_core::Result<T>;
/// #         fn run<P: ambidex_core::Plan + 'e>(self, _: P) -> Self::Output<P::Output> {
/// #             Err(ambidex_core::Error::InvalidQuery("a stand-in".into()))
/// #         }
/// #     }
/// # }
/// ```
pub type DbResult<'e, E, T> = <E as Executor<'e>>::Output<T>;

/// A handle a user passes to a terminal method: a blocking or an async database or
/// transaction. `Output<T>` is `Result<T>` for blocking handles and a future of it for
/// async ones.
pub trait Executor<'e>: Sized {
    /// What a terminal method returns with this handle.
    type Output<T: Send + 'static>;

    /// Runs `plan` on a connection of this handle.
    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output>;
}
