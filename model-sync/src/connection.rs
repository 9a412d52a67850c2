//! A pooled diesel connection as an [`ambidex_core::Connection`].
//!
//! Its futures are complete when returned: the statement has already run. The connection
//! tracks the transaction depth the shared transaction code maintains, and whether an error
//! broke it, so the pool ([`crate::manager`]) can roll it back or discard it on return.

use std::future::{Future, ready};

use ambidex_core::{Connection, Dialect, Executed, Plan, Result, RowSink, Server, Statement};

use crate::backend::DieselBackend;
use crate::error::breaks_connection;

/// One diesel connection with ambidex's bookkeeping; `C` is [`crate::AnyConnection`] or one
/// backend's diesel connection.
pub struct DieselConn<C> {
    pub(crate) inner: C,
    depth: u32,
    pub(crate) broken: bool,
    /// A session lock may be held ([`Connection::session_lock_held`]): the pool discards
    /// the connection instead of reusing it.
    pub(crate) session_lock: bool,
    /// The SQLite database file, whose busy failures are checked for a self-deadlock
    /// ([`ambidex_core::sqlite_writers`]); `None` on the servers.
    pub(crate) sqlite_file: Option<std::sync::Arc<str>>,
    /// Which server it reached ([`DieselConn::identify`]).
    server: Server,
}

impl<C: DieselBackend> DieselConn<C> {
    pub(crate) fn new(inner: C) -> Self {
        DieselConn {
            inner,
            depth: 0,
            broken: false,
            session_lock: false,
            sqlite_file: None,
            server: Server::Standard,
        }
    }

    /// Learns which server the connection reached, where its dialect covers more than one
    /// (MySQL or MariaDB): one query when the connection opens.
    pub(crate) fn identify(&mut self) -> Result<()> {
        self.server = ambidex_core::complete(ambidex_core::ops::IdentifyServer.run(self))?;
        Ok(())
    }

    fn note<T>(&mut self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result {
            if breaks_connection(e) {
                self.broken = true;
            }
            // A busy database whose write lock async code on this very thread holds: say
            // so instead of the retryable conflict.
            if let Some(file) = &self.sqlite_file
                && let Some(deadlock) = ambidex_core::sqlite_writers::self_deadlock(file, e)
            {
                return Err(deadlock);
            }
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
    fn server(&self) -> Server {
        self.server
    }

    #[inline]
    fn reads_insert_returning(&self) -> bool {
        reads_insert_returning(self.server)
    }

    #[inline]
    fn fetch<S: RowSink>(
        &mut self,
        statement: Statement,
        sink: S,
    ) -> impl Future<Output = Result<S>> + Send {
        tracing::trace!(target: "ambidex::sql", sql = statement.sql(), "fetch");
        let result = self.inner.fetch(&statement, sink, self.depth == 0);
        ready(self.note(result))
    }

    #[inline]
    fn execute(&mut self, statement: Statement) -> impl Future<Output = Result<Executed>> + Send {
        tracing::trace!(target: "ambidex::sql", sql = statement.sql(), "execute");
        let result = self.inner.execute(&statement, self.depth == 0);
        ready(self.note(result))
    }

    fn transaction_depth(&self) -> u32 {
        self.depth
    }

    fn set_transaction_depth(&mut self, depth: u32) {
        self.depth = depth;
    }

    fn session_lock_held(&self) -> bool {
        self.session_lock
    }

    fn set_session_lock_held(&mut self, held: bool) {
        self.session_lock = held;
    }
}

/// Whether diesel reads the rows of an `INSERT ... RETURNING` on `server`: not on MariaDB,
/// whose answer to preparing one announces no result columns (MDEV-27013), which diesel's
/// MySQL backend reads before it executes the statement (and then fails with "No metadata
/// exists"). See [`Connection::reads_insert_returning`].
pub(crate) fn reads_insert_returning(server: Server) -> bool {
    server != Server::Mariadb
}
