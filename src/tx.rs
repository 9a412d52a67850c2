//! [`Tx`], the transaction of a [`crate::Db`]: whichever engine's transaction the handle
//! opened, driven by the same shared transaction code (`ambidex_core::transaction`) that
//! the engines' own transaction types run.

use std::fmt;

use ambidex_async::BoxFuture;
use ambidex_core::{Connection, Dialect, Error, Executor, Plan, Result, transaction};

#[cfg(feature = "blocking")]
use crate::DieselTx;
use crate::SqlxTx;
use crate::engine::Engine;

/// An open transaction of a [`crate::Db`], on one connection for its whole life; pass
/// `&mut tx` (or `&mut *tx`) to terminal methods to run them inside it.
///
/// End it with [`Tx::commit`] or [`Tx::rollback`]. Dropped without either (an early `?`,
/// a panic, a cancelled task), it rolls back, and its connection never goes back to the
/// pool inside a transaction.
pub struct Tx {
    engine: EngineTx,
}

enum EngineTx {
    Sqlx(SqlxTx),
    #[cfg(feature = "blocking")]
    Diesel(DieselTx),
}

/// Runs `$body` with `$c` bound to the connection of the engine transaction inside `$tx`
/// (a `&mut EngineTx`); `$body` is compiled once per engine.
macro_rules! with_connection {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            EngineTx::Sqlx(tx) => {
                let $c = tx.connection();
                $body
            }
            #[cfg(feature = "blocking")]
            EngineTx::Diesel(tx) => {
                let $c = tx.connection();
                $body
            }
        }
    };
}

impl From<SqlxTx> for Tx {
    fn from(tx: SqlxTx) -> Tx {
        Tx {
            engine: EngineTx::Sqlx(tx),
        }
    }
}

#[cfg(feature = "blocking")]
impl From<DieselTx> for Tx {
    fn from(tx: DieselTx) -> Tx {
        Tx {
            engine: EngineTx::Diesel(tx),
        }
    }
}

impl Tx {
    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        match &self.engine {
            EngineTx::Sqlx(tx) => tx.dialect(),
            #[cfg(feature = "blocking")]
            EngineTx::Diesel(tx) => tx.dialect(),
        }
    }

    /// The engine running this transaction.
    pub fn engine(&self) -> Engine {
        match &self.engine {
            EngineTx::Sqlx(_) => Engine::Sqlx,
            #[cfg(feature = "blocking")]
            EngineTx::Diesel(_) => Engine::Diesel,
        }
    }

    /// Commits the transaction and returns its connection to the pool.
    ///
    /// If an operation inside the transaction was cancelled while it held a savepoint (so
    /// it is unknown what that operation left behind), nothing is committed: the whole
    /// transaction is rolled back and [`Error::Cancelled`] returned.
    pub async fn commit(mut self) -> Result<()> {
        with_connection!(&mut self.engine, c => transaction::commit_outermost(c).await)
    }

    /// Rolls the transaction back and returns its connection to the pool.
    pub async fn rollback(mut self) -> Result<()> {
        with_connection!(&mut self.engine, c => transaction::rollback_all(c).await)
    }

    /// Runs `f` in a nested transaction (a savepoint): releases it if `f` returns `Ok`,
    /// rolls back to it if `f` returns `Err` (returning that error), and leaves the outer
    /// transaction usable either way. If this future is dropped before it finishes, the
    /// outer transaction can no longer commit (see [`Tx::commit`]).
    pub async fn transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, E>> + Send,
        E: From<Error> + Send,
        T: Send,
    {
        let level = with_connection!(&mut self.engine, c => c.transaction_depth());
        self.savepoint().await?;
        let outcome = f(self).await;
        with_connection!(&mut self.engine, c => transaction::finish_nested(c, level, outcome).await)
    }

    /// Opens a savepoint (a nested level) explicitly; close it with
    /// [`Tx::release_savepoint`] or [`Tx::rollback_to_savepoint`]. The closure form
    /// [`Tx::transaction`] does this for you.
    pub async fn savepoint(&mut self) -> Result<()> {
        with_connection!(&mut self.engine, c => transaction::begin(c).await)
    }

    /// Releases (keeps the work of) the innermost savepoint.
    pub async fn release_savepoint(&mut self) -> Result<()> {
        with_connection!(&mut self.engine, c => {
            no_savepoint(c)?;
            transaction::commit(c).await
        })
    }

    /// Rolls back to, and closes, the innermost savepoint.
    pub async fn rollback_to_savepoint(&mut self) -> Result<()> {
        with_connection!(&mut self.engine, c => {
            no_savepoint(c)?;
            transaction::rollback(c).await
        })
    }
}

/// Refuses to close a savepoint when only the outer transaction is open.
fn no_savepoint(conn: &impl Connection) -> Result<()> {
    if conn.transaction_depth() < 2 {
        return Err(Error::InvalidQuery("no savepoint is open".into()));
    }
    Ok(())
}

impl fmt::Debug for Tx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Tx");
        out.field("engine", &self.engine());
        match &self.engine {
            EngineTx::Sqlx(tx) => out.field("tx", tx),
            #[cfg(feature = "blocking")]
            EngineTx::Diesel(tx) => out.field("tx", tx),
        };
        out.finish()
    }
}

impl ambidex_async::EndTransaction for Tx {
    fn end_commit(self) -> impl std::future::Future<Output = Result<()>> + Send {
        self.commit()
    }

    fn end_rollback(self) -> impl std::future::Future<Output = Result<()>> + Send {
        self.rollback()
    }
}

impl<'e> Executor<'e> for &'e mut Tx {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        match &mut self.engine {
            EngineTx::Sqlx(tx) => <&'e mut SqlxTx as Executor<'e>>::run(tx, plan),
            #[cfg(feature = "blocking")]
            EngineTx::Diesel(tx) => <&'e mut DieselTx as Executor<'e>>::run(tx, plan),
        }
    }
}
