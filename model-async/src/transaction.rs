//! Transactions: [`Tx`], an explicit handle, and [`Db::transaction`], the closure form.
//!
//! A `Tx` owns one pooled connection for its whole life. Opening, committing and rolling
//! back go through [`ambidex_core::transaction`], whose pessimistic depth accounting is what
//! lets the connection decide at drop time whether it may be pooled: a `Tx` dropped without
//! commit, or a transaction future dropped halfway, closes its connection and the database
//! rolls back. Nothing is ever pooled with a transaction open.

use std::fmt;
use std::future::Future;

use ambidex_core::transaction::TxOptions;
use ambidex_core::{Connection, Dialect, Error, Result, transaction};

use crate::backend::{AnyBackend, SqlxBackend};
use crate::db::Database;
use crate::executor::BoxFuture;

/// An open transaction on one connection; pass `&mut *tx` (or `&mut tx`) to terminal
/// methods to run them inside it.
///
/// End it with [`Tx::commit`] or [`Tx::rollback`]. Dropped without either (an early `?`,
/// a panic, a cancelled task), its connection is closed instead of pooled, which rolls the
/// transaction back.
///
/// `B` is the backend of the handle that opened it: [`AnyBackend`] for [`crate::Db`] (so
/// `Tx` alone is its transaction), one sqlx database type for `SqliteDb`,
/// `PgDb` or `MysqlDb` (see `SqliteTx`...).
pub struct Tx<B: SqlxBackend = AnyBackend> {
    conn: B::Conn,
}

/// A transaction of a `SqliteDb`.
#[cfg(feature = "sqlite")]
pub type SqliteTx = Tx<sqlx::Sqlite>;

/// A transaction of a `PgDb`.
#[cfg(feature = "postgres")]
pub type PgTx = Tx<sqlx::Postgres>;

/// A transaction of a `MysqlDb`.
#[cfg(feature = "mysql")]
pub type MysqlTx = Tx<sqlx::MySql>;

impl<B: SqlxBackend> Database<B> {
    /// Opens a transaction on a connection of the pool (`BEGIN IMMEDIATE` on SQLite, so
    /// the write lock is taken up front and conflicts surface here, not mid-transaction).
    pub async fn begin(&self) -> Result<Tx<B>> {
        self.begin_with(TxOptions::default()).await
    }

    /// Opens a transaction with an isolation level or read-only ([`TxOptions`]).
    pub async fn begin_with(&self, options: TxOptions) -> Result<Tx<B>> {
        let mut conn = self.checkout().await?;
        self.note_transaction(&options);
        transaction::begin_with(&mut conn, options).await?;
        Ok(Tx { conn })
    }

    /// [`Database::transaction`] with an isolation level or read-only ([`TxOptions`]).
    pub async fn transaction_with<T, E, F>(&self, options: TxOptions, f: F) -> Result<T, E>
    where
        F: for<'t> FnOnce(&'t mut Tx<B>) -> BoxFuture<'t, Result<T, E>> + Send,
        E: From<Error> + Send,
        T: Send,
    {
        run_transaction(self.begin_with(options).await?, f).await
    }

    /// Runs `f` in a transaction: commits if it returns `Ok`, rolls back if it returns
    /// `Err` (returning that error even if the rollback fails too), and rolls back if it
    /// panics (the panic then continues) or if this future is dropped before it finishes.
    ///
    /// The closure returns a boxed future borrowing the transaction; move owned data into
    /// it:
    ///
    /// ```
    /// # async fn demo(db: &ambidex_async::Db) -> ambidex_core::Result<()> {
    /// use ambidex_core::raw;
    /// let moved = db
    ///     .transaction(|tx| {
    ///         Box::pin(async move {
    ///             raw("UPDATE accounts SET balance = balance - 10 WHERE id = 1").execute(&mut *tx).await?;
    ///             raw("UPDATE accounts SET balance = balance + 10 WHERE id = 2").execute(&mut *tx).await?;
    ///             Ok::<_, ambidex_core::Error>(10)
    ///         })
    ///     })
    ///     .await?;
    /// # let _ = moved; Ok(()) }
    /// ```
    pub async fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: for<'t> FnOnce(&'t mut Tx<B>) -> BoxFuture<'t, Result<T, E>> + Send,
        E: From<Error> + Send,
        T: Send,
    {
        run_transaction(self.begin().await?, f).await
    }
}

/// An open async transaction that the closure form can end; implemented by [`Tx`] and by
/// the facade's transaction types, which share [`run_transaction`].
#[doc(hidden)]
pub trait EndTransaction: Send + Sized {
    /// Commits (the type's own `commit`).
    fn end_commit(self) -> impl Future<Output = Result<()>> + Send;
    /// Rolls back (the type's own `rollback`).
    fn end_rollback(self) -> impl Future<Output = Result<()>> + Send;
}

impl<B: SqlxBackend> EndTransaction for Tx<B> {
    fn end_commit(self) -> impl Future<Output = Result<()>> + Send {
        self.commit()
    }

    fn end_rollback(self) -> impl Future<Output = Result<()>> + Send {
        self.rollback()
    }
}

/// The closure form of a transaction, for every async handle: runs `f` on the open
/// transaction `tx`, commits if it returns `Ok`, rolls back if it returns `Err` (returning
/// that error even if the rollback fails too). A panic in `f`, or this future being dropped,
/// drops `tx`, whose connection then rolls back.
#[doc(hidden)]
pub async fn run_transaction<X, T, E, F>(mut tx: X, f: F) -> Result<T, E>
where
    X: EndTransaction,
    F: for<'t> FnOnce(&'t mut X) -> BoxFuture<'t, Result<T, E>> + Send,
    E: From<Error> + Send,
    T: Send,
{
    match f(&mut tx).await {
        Ok(value) => {
            tx.end_commit().await?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = tx.end_rollback().await {
                // The depth stays raised, so the connection is closed or rolled back
                // before anyone reuses it; the closure's error is the one to return.
                tracing::warn!(error = %rollback, "rolling back a failed transaction failed");
            }
            Err(e)
        }
    }
}

impl<B: SqlxBackend> Tx<B> {
    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }

    fn depth(&self) -> u32 {
        self.conn.transaction_depth()
    }

    /// The connection, for the executor.
    pub(crate) fn conn_mut(&mut self) -> &mut B::Conn {
        &mut self.conn
    }

    /// The transaction's connection, for handles built on this one (the facade's
    /// engine-choosing `ambidex::Tx`), which run the same shared transaction code on it.
    #[doc(hidden)]
    pub fn connection(&mut self) -> &mut impl Connection {
        &mut self.conn
    }

    /// Commits the transaction and returns its connection to the pool.
    ///
    /// If an operation inside the transaction was cancelled while it held a savepoint (so
    /// it is unknown what that operation left behind), nothing is committed: the whole
    /// transaction is rolled back and [`Error::Cancelled`] returned. If COMMIT itself fails,
    /// the connection is closed, which rolls back.
    pub async fn commit(mut self) -> Result<()> {
        crate::db::require_runtime::<B>()?;
        transaction::commit_outermost(&mut self.conn).await
    }

    /// Rolls the transaction back and returns its connection to the pool (or closes it if
    /// the rollback fails, which rolls back as well).
    pub async fn rollback(mut self) -> Result<()> {
        self.rollback_all().await
    }

    async fn rollback_all(&mut self) -> Result<()> {
        crate::db::require_runtime::<B>()?;
        transaction::rollback_all(&mut self.conn).await
    }

    /// Runs `f` in a nested transaction (a savepoint): releases it if `f` returns `Ok`,
    /// rolls back to it if `f` returns `Err` (returning that error), and leaves the outer
    /// transaction usable either way. If this future is dropped before it finishes, the
    /// outer transaction can no longer commit (see [`Tx::commit`]).
    pub async fn transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: for<'t> FnOnce(&'t mut Tx<B>) -> BoxFuture<'t, Result<T, E>> + Send,
        E: From<Error> + Send,
        T: Send,
    {
        let level = self.depth();
        transaction::begin(&mut self.conn).await?;
        let outcome = f(self).await;
        transaction::finish_nested(&mut self.conn, level, outcome).await
    }

    /// Opens a savepoint (a nested level) explicitly; close it with
    /// [`Tx::release_savepoint`] or [`Tx::rollback_to_savepoint`]. The closure form
    /// [`Tx::transaction`] does this for you.
    pub async fn savepoint(&mut self) -> Result<()> {
        transaction::begin(&mut self.conn).await
    }

    /// Releases (keeps the work of) the innermost savepoint.
    pub async fn release_savepoint(&mut self) -> Result<()> {
        if self.depth() < 2 {
            return Err(Error::InvalidQuery("no savepoint is open".into()));
        }
        transaction::commit(&mut self.conn).await
    }

    /// Rolls back to, and closes, the innermost savepoint.
    pub async fn rollback_to_savepoint(&mut self) -> Result<()> {
        if self.depth() < 2 {
            return Err(Error::InvalidQuery("no savepoint is open".into()));
        }
        transaction::rollback(&mut self.conn).await
    }
}

impl<B: SqlxBackend> fmt::Debug for Tx<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tx")
            .field("dialect", &self.dialect())
            .field("depth", &self.depth())
            .finish()
    }
}
