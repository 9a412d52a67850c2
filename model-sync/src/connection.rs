//! A pooled diesel connection as an [`ambidex_core::Connection`].
//!
//! Its futures are complete when returned: the statement has already run. The connection
//! tracks the transaction depth the shared transaction code maintains, and whether an error
//! broke it, so the pool ([`crate::manager`]) can roll it back or discard it on return.

use std::future::{Future, ready};

use ambidex_core::{Connection, Dialect, Executed, Result, RowSink, Statement};

use crate::backend::DieselBackend;
use crate::error::breaks_connection;

/// One diesel connection with ambidex's bookkeeping; `C` is [`crate::AnyConnection`] or one
/// backend's diesel connection.
pub struct DieselConn<C> {
    pub(crate) inner: C,
    depth: u32,
    pub(crate) broken: bool,
}

impl<C: DieselBackend> DieselConn<C> {
    pub(crate) fn new(inner: C) -> Self {
        DieselConn {
            inner,
            depth: 0,
            broken: false,
        }
    }

    fn note<T>(&mut self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result
            && breaks_connection(e)
        {
            self.broken = true;
        }
        result
    }
}

impl<C: DieselBackend> Connection for DieselConn<C> {
    #[inline]
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }

    #[inline]
    fn fetch<S: RowSink>(
        &mut self,
        statement: Statement,
        sink: S,
    ) -> impl Future<Output = Result<S>> + Send {
        tracing::trace!(target: "ambidex::sql", sql = statement.sql(), "fetch");
        let result = self.inner.fetch(&statement, sink);
        ready(self.note(result))
    }

    #[inline]
    fn execute(&mut self, statement: Statement) -> impl Future<Output = Result<Executed>> + Send {
        tracing::trace!(target: "ambidex::sql", sql = statement.sql(), "execute");
        let result = self.inner.execute(&statement);
        ready(self.note(result))
    }

    fn transaction_depth(&self) -> u32 {
        self.depth
    }

    fn set_transaction_depth(&mut self, depth: u32) {
        self.depth = depth;
    }
}
