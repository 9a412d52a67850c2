//! Blocking transactions: an explicit `Tx` and the closure form.
//!
//! A `Tx` holds one pooled connection for its whole life. Commit and rollback are the
//! shared procedures of `ambidex_core::transaction`; a `Tx` dropped without either (an
//! early return, a `?`, a panic) returns its connection to the pool, which rolls it back
//! before pooling it again (see `manager.rs`).

use std::fmt;

use ambidex_core::transaction::TxOptions;
use ambidex_core::{Error, Result, complete, transaction};

use crate::backend::{AnyConnection, DieselBackend};
use crate::db::{Database, Pooled};

/// An open blocking transaction. Pass `&mut tx` to terminal methods.
///
/// `C` is the connection type of the handle that opened it: [`AnyConnection`] for
/// [`crate::Db`] (so `Tx` alone is its transaction), one backend's diesel connection for
/// `SqliteDb`, `PgDb` or `MysqlDb` (see `SqliteTx`...).
pub struct Tx<C: DieselBackend = AnyConnection> {
    pub(crate) conn: Pooled<C>,
}

/// A transaction of a `SqliteDb`.
#[cfg(feature = "sqlite")]
pub type SqliteTx = Tx<diesel::sqlite::SqliteConnection>;

/// A transaction of a `PgDb`.
#[cfg(feature = "postgres")]
pub type PgTx = Tx<diesel::pg::PgConnection>;

/// A transaction of a `MysqlDb`.
#[cfg(feature = "mysql")]
pub type MysqlTx = Tx<diesel::mysql::MysqlConnection>;

impl<C: DieselBackend> fmt::Debug for Tx<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Tx").finish_non_exhaustive()
    }
}

impl<C: DieselBackend> Database<C> {
    /// Opens a transaction on one pooled connection. Dropped without [`Tx::commit`], it
    /// rolls back.
    pub fn begin(&self) -> Result<Tx<C>> {
        self.begin_with(TxOptions::default())
    }

    /// Opens a transaction with an isolation level or read-only ([`TxOptions`]).
    pub fn begin_with(&self, options: TxOptions) -> Result<Tx<C>> {
        let mut conn = self.checkout()?;
        self.note_transaction(&options);
        complete(transaction::begin_with(&mut *conn, options))?;
        Ok(Tx { conn })
    }

    /// Runs `f` in a transaction: commits when it returns `Ok`, rolls back when it returns
    /// `Err` or panics.
    ///
    /// ```
    /// # use ambidex_sync::Db;
    /// let db = Db::open("sqlite::memory:")?;
    /// let n = db.transaction(|tx| -> ambidex_core::Result<u64> {
    ///     ambidex_core::raw("CREATE TABLE t (x INTEGER)").execute(&mut *tx)?;
    ///     ambidex_core::raw("INSERT INTO t VALUES (?)").bind(1).execute(&mut *tx)
    /// })?;
    /// assert_eq!(n, 1);
    /// # Ok::<(), ambidex_core::Error>(())
    /// ```
    pub fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Tx<C>) -> Result<T, E>,
        E: From<Error>,
    {
        self.transaction_with(TxOptions::default(), f)
    }

    /// [`Database::transaction`] with an isolation level or read-only ([`TxOptions`]).
    pub fn transaction_with<T, E, F>(&self, options: TxOptions, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Tx<C>) -> Result<T, E>,
        E: From<Error>,
    {
        let mut tx = self.begin_with(options)?;
        finish(f(&mut tx), tx)
    }
}

fn finish<C: DieselBackend, T, E: From<Error>>(outcome: Result<T, E>, tx: Tx<C>) -> Result<T, E> {
    match outcome {
        Ok(value) => {
            tx.commit()?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = tx.rollback() {
                tracing::warn!(error = %rollback, "rollback after a failed transaction closure failed");
            }
            Err(e)
        }
    }
}

impl<C: DieselBackend> Tx<C> {
    /// Commits the transaction.
    pub fn commit(mut self) -> Result<()> {
        complete(transaction::commit_outermost(&mut *self.conn))
    }

    /// Rolls the transaction back.
    pub fn rollback(mut self) -> Result<()> {
        complete(transaction::rollback(&mut *self.conn))
    }

    /// Runs `f` in a nested transaction (a savepoint): commits it on `Ok`, rolls back to
    /// the savepoint on `Err`, leaving the outer transaction open either way.
    pub fn transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Tx<C>) -> Result<T, E>,
        E: From<Error>,
    {
        let level = ambidex_core::Connection::transaction_depth(&*self.conn);
        complete(transaction::begin(&mut *self.conn))?;
        let outcome = f(self);
        let conn = &mut *self.conn;
        complete(async move { Ok(transaction::finish_nested(conn, level, outcome).await) })?
    }
}
