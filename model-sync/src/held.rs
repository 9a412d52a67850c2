//! A connection held outside any transaction, for callers that run several operations on
//! one connection or drive the engine from elsewhere (the async-over-diesel shim keeps one
//! per worker job). It is an [`ambidex_core::Connection`] and an [`Executor`]; dropped, it
//! goes back to the pool, rolled back first if a transaction is still open.

use std::fmt;
use std::future::Future;

use ambidex_core::{
    Connection, Dialect, Executed, Executor, Plan, Result, RowSink, Server, Statement, complete,
};

use crate::backend::{AnyConnection, DieselBackend};
use crate::db::{Database, Pooled};

/// A pooled diesel connection held by the caller; `C` is the handle's connection type
/// ([`AnyConnection`] for [`crate::Db`]).
pub struct HeldConnection<C: DieselBackend = AnyConnection> {
    conn: Pooled<C>,
}

impl<C: DieselBackend> fmt::Debug for HeldConnection<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeldConnection")
            .field("dialect", &self.conn.dialect())
            .finish_non_exhaustive()
    }
}

impl<C: DieselBackend> Database<C> {
    /// Checks a connection out of the pool and holds it until the result is dropped.
    pub fn acquire(&self) -> Result<HeldConnection<C>> {
        Ok(HeldConnection {
            conn: self.checkout()?,
        })
    }
}

impl<C: DieselBackend> HeldConnection<C> {
    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }
}

impl<C: DieselBackend> Connection for HeldConnection<C> {
    fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }

    fn server(&self) -> Server {
        self.conn.server()
    }

    fn reads_insert_returning(&self) -> bool {
        self.conn.reads_insert_returning()
    }

    fn fetch<S: RowSink>(
        &mut self,
        statement: Statement,
        sink: S,
    ) -> impl Future<Output = Result<S>> + Send {
        self.conn.fetch(statement, sink)
    }

    fn execute(&mut self, statement: Statement) -> impl Future<Output = Result<Executed>> + Send {
        self.conn.execute(statement)
    }

    fn transaction_depth(&self) -> u32 {
        self.conn.transaction_depth()
    }

    fn set_transaction_depth(&mut self, depth: u32) {
        self.conn.set_transaction_depth(depth)
    }

    fn session_lock_held(&self) -> bool {
        self.conn.session_lock_held()
    }

    fn set_session_lock_held(&mut self, held: bool) {
        self.conn.set_session_lock_held(held)
    }
}

impl<'e, C: DieselBackend> Executor<'e> for &'e mut HeldConnection<C> {
    type Output<T: Send + 'static> = Result<T>;

    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        complete(plan.run(&mut *self.conn))
    }
}
