//! A pooled sqlx connection as ambidex-core's [`Connection`], and the guarantee that a
//! connection which may hold an open transaction never goes back to the pool.
//!
//! [`ambidex_core::transaction`] raises the depth *before* it sends BEGIN and lowers it only
//! *after* COMMIT or ROLLBACK succeeded, so a non-zero depth at drop means "a transaction
//! may be open": a transaction future dropped halfway (a timeout, a `select!`, an aborted
//! task), a panic in a transaction closure, a [`crate::Tx`] dropped without commit, or a
//! failed rollback. The same holds for a session lock a migration run may still hold
//! ([`Connection::session_lock_held`]). Such a connection is closed instead of pooled, and closing it makes the
//! database roll the transaction back. (Returning it would hand the next user a connection
//! inside someone else's transaction, a bug sqlx itself has shipped several times:
//! launchbadge/sqlx#2054, #3932, #4385.)

use std::sync::Arc;
use std::time::Instant;

use ambidex_core::{
    Cell, Connection, Dialect, Error, Executed, Result, RowReader, RowSink, Server, Statement,
};
use futures_util::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::{Database, Row};

use ambidex_core::sqlite_writers::{self, WriteHold};

use crate::backend::Backend;
use crate::error::{ErrorContext, from_sqlx};

/// One pooled connection of backend `B`, with its transaction depth.
pub struct SqlxConn<B: Backend> {
    /// Always `Some` until dropped; an `Option` so that `Drop` can detach it.
    conn: Option<PoolConnection<B::Db>>,
    /// Open transaction levels, or levels that may be open (see the module docs).
    depth: u32,
    /// A statement was sent (or was being sent) and its answer is not all read yet. Still
    /// set when the statement's future is dropped: the driver's stream may then be out of
    /// step with the server (sqlx's MySQL driver, cancelled while preparing or sending,
    /// reads the stale answer as the next statement's, or waits for one that never comes),
    /// so the connection is never used again: its next statement is refused and it is
    /// closed instead of pooled.
    in_flight: bool,
    /// A session lock may be held ([`Connection::session_lock_held`]): closed, not pooled.
    session_lock: bool,
    /// On SQLite, this connection's entry among the write lock's holders.
    hold: WriteHold,
    /// How to describe failures.
    ctx: Arc<ErrorContext>,
}

impl<B: Backend> SqlxConn<B> {
    /// Takes a connection from `pool`.
    pub(crate) async fn acquire(pool: &sqlx::Pool<B::Db>, ctx: &Arc<ErrorContext>) -> Result<Self> {
        let started = Instant::now();
        match pool.acquire().await {
            Ok(conn) => Ok(SqlxConn {
                conn: Some(conn),
                depth: 0,
                in_flight: false,
                session_lock: false,
                hold: WriteHold::new(ctx.sqlite_file.clone()),
                ctx: Arc::clone(ctx),
            }),
            Err(sqlx::Error::PoolTimedOut) => Err(Error::PoolTimeout {
                waited: started.elapsed(),
                pool_size: ctx.pool_size,
            }),
            Err(e) => Err(from_sqlx(e, ctx)),
        }
    }
}

impl<B: Backend> SqlxConn<B> {
    /// Refuses a statement on a connection whose previous statement was cancelled before
    /// its answer was read (see the `in_flight` field).
    fn ensure_in_step(&self) -> Result<()> {
        if self.in_flight {
            return Err(Error::Cancelled {
                message: "a statement on this connection was cancelled before its answer was \
                          read, so the connection cannot be trusted: it is closed (rolling \
                          back its transaction) instead of running more statements"
                    .into(),
            });
        }
        Ok(())
    }

    /// What a statement sends, once the connection is known to be in step: its shared
    /// SQL text and the driver's arguments.
    fn prepare(
        &self,
        statement: &Statement,
    ) -> Result<(Arc<String>, <B::Db as Database>::Arguments)> {
        self.ensure_in_step()?;
        let args = B::arguments(statement.binds())?;
        let sql = Arc::clone(statement.shared_sql());
        Ok((sql, args))
    }

    /// Runs a query, sending it again once where PostgreSQL found its prepared plan stale
    /// and that is safe ([`Connection::fetch`]).
    async fn fetch_retrying<S: RowSink>(&mut self, statement: Statement, sink: S) -> Result<S> {
        tracing::trace!(target: "ambidex::sql", sql = statement.sql(), "fetch");
        let (sql, args) = self.prepare(&statement)?;
        let again = self.keep_for_retry(statement);
        match self.fetch_once(sql, args, sink).await {
            Ok(sink) => Ok(sink),
            Err((e @ Error::StalePlan { .. }, Some(sink))) => {
                self.forget_prepared().await?;
                let Some(statement) = again else {
                    return Err(e);
                };
                let (sql, args) = self.prepare(&statement)?;
                drop(statement);
                self.fetch_once(sql, args, sink).await.map_err(|(e, _)| e)
            }
            Err((e, _)) => Err(e),
        }
    }

    /// Runs a statement that returns no rows, as [`SqlxConn::fetch_retrying`] does.
    async fn execute_retrying(&mut self, statement: Statement) -> Result<Executed> {
        tracing::trace!(target: "ambidex::sql", sql = statement.sql(), "execute");
        let (sql, args) = self.prepare(&statement)?;
        let again = self.keep_for_retry(statement);
        match self.execute_once(sql, args).await {
            Err(e @ Error::StalePlan { .. }) => {
                self.forget_prepared().await?;
                let Some(statement) = again else {
                    return Err(e);
                };
                let (sql, args) = self.prepare(&statement)?;
                drop(statement);
                self.execute_once(sql, args).await
            }
            other => other,
        }
    }

    /// After a statement on SQLite: records whether this connection holds the write lock
    /// (a statement of its open transaction succeeded), or, for a busy database in a
    /// blocking call, names a wait for a holder only this thread can run.
    fn after<T>(&mut self, result: Result<T>) -> Result<T> {
        if B::DIALECT != Dialect::Sqlite {
            return result;
        }
        match &result {
            // A blocking handle's own transaction (`blocking::SqlxDb`) is no async holder:
            // a thread that waits for it gets the `Conflict` the blocking engine gives.
            Ok(_) if self.depth > 0 => self
                .hold
                .held(pinned() && !sqlite_writers::in_blocking_call()),
            Ok(_) => self.hold.released(),
            Err(e) if sqlite_writers::in_blocking_call() => {
                if let Some(file) = &self.ctx.sqlite_file
                    && let Some(deadlock) = sqlite_writers::self_deadlock(file, e)
                {
                    return Err(deadlock);
                }
            }
            Err(_) => {}
        }
        result
    }

    /// The statement to send again if PostgreSQL finds its prepared plan stale
    /// ([`Error::StalePlan`]): kept only where that can happen and a retry is safe, outside
    /// a transaction; otherwise the statement (its bound values) is dropped here, before
    /// anything is sent.
    fn keep_for_retry(&self, statement: Statement) -> Option<Statement> {
        (B::DIALECT == Dialect::Postgres && self.depth == 0).then_some(statement)
    }

    /// After a stale plan: drops every statement sqlx prepared on this connection, so the
    /// next ones are prepared afresh.
    async fn forget_prepared(&mut self) -> Result<()> {
        use sqlx::Connection as _;
        let conn = self.conn.as_deref_mut().ok_or_else(released)?;
        self.in_flight = true;
        let cleared = conn.clear_cached_statements().await;
        self.in_flight = false;
        cleared.map_err(|e| from_sqlx(e, &self.ctx))
    }

    /// Runs a statement that returns no rows, once.
    async fn execute_once(
        &mut self,
        sql: Arc<String>,
        args: <B::Db as Database>::Arguments,
    ) -> Result<Executed> {
        let conn = self.conn.as_deref_mut().ok_or_else(released)?;
        self.in_flight = true;
        let result = B::execute(conn, sql, args).await;
        self.in_flight = false;
        result.map_err(|e| from_sqlx(e, &self.ctx))
    }

    /// Runs a query once; a failure before the first row gives the sink back.
    async fn fetch_once<S: RowSink>(
        &mut self,
        sql: Arc<String>,
        args: <B::Db as Database>::Arguments,
        mut sink: S,
    ) -> std::result::Result<S, (Error, Option<S>)> {
        let Some(conn) = self.conn.as_deref_mut() else {
            return Err((released(), None));
        };
        self.in_flight = true;
        let mut rows = B::fetch(conn, sql, args);
        let mut first = true;
        let outcome = loop {
            match rows.try_next().await {
                Ok(Some(row)) => {
                    first = false;
                    // A row that does not decode ends the read; the driver skips the rest
                    // of the result before the connection's next statement.
                    if let Err(e) = S::decode(&SqlxRow::<B>(&row)).and_then(|i| sink.push(i)) {
                        break Err(e);
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(from_sqlx(e, &self.ctx)),
            }
        };
        drop(rows);
        self.in_flight = false;
        match outcome {
            Ok(()) => Ok(sink),
            Err(e) if first => Err((e, Some(sink))),
            Err(e) => Err((e, None)),
        }
    }
}

/// Whether the code polling this connection can run only on this thread: the future a
/// `block_on` drives (no task), or a task of a current-thread runtime
/// ([`sqlite_writers`]). Also what `ambidex::DieselDb` records for its holders.
#[doc(hidden)]
pub fn pinned() -> bool {
    tokio::task::try_id().is_none()
        || tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread)
}

/// The error for a connection used after `Drop` took it; unreachable by construction.
fn released() -> Error {
    Error::Internal("a connection was used after it was released".into())
}

impl<B: Backend> Connection for SqlxConn<B> {
    #[inline]
    fn dialect(&self) -> Dialect {
        B::DIALECT
    }

    #[inline]
    fn server(&self) -> Server {
        self.ctx.server
    }

    async fn fetch<S: RowSink>(&mut self, statement: Statement, sink: S) -> Result<S> {
        let result = self.fetch_retrying(statement, sink).await;
        self.after(result)
    }

    async fn execute(&mut self, statement: Statement) -> Result<Executed> {
        let result = self.execute_retrying(statement).await;
        self.after(result)
    }

    #[inline]
    fn transaction_depth(&self) -> u32 {
        self.depth
    }

    #[inline]
    fn set_transaction_depth(&mut self, depth: u32) {
        self.depth = depth;
        if depth == 0 {
            self.hold.released();
        }
    }

    #[inline]
    fn session_lock_held(&self) -> bool {
        self.session_lock
    }

    #[inline]
    fn set_session_lock_held(&mut self, held: bool) {
        self.session_lock = held;
    }
}

impl<B: Backend> Drop for SqlxConn<B> {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_err() {
            // sqlx returns or closes a pooled connection on a runtime task and panics
            // without one. Detached, the connection closes right here instead (rolling back
            // anything open) and the pool opens a replacement when it needs one.
            tracing::debug!(
                depth = self.depth,
                "connection dropped outside a Tokio runtime; closing it"
            );
            drop(conn.detach());
            return;
        }
        if self.depth != 0 || self.in_flight || self.session_lock {
            tracing::debug!(
                depth = self.depth,
                in_flight = self.in_flight,
                session_lock = self.session_lock,
                "closing a connection that may hold an open transaction or a session lock, \
                 or whose statement was cancelled before its answer was read, instead of \
                 pooling it"
            );
            conn.close_on_drop();
        }
    }
}

/// A driver row as ambidex-core's [`RowReader`]: cells by position, borrowed from the row.
struct SqlxRow<'r, B: Backend>(&'r <B::Db as Database>::Row);

impl<B: Backend> RowReader for SqlxRow<'_, B> {
    #[inline]
    fn width(&self) -> usize {
        self.0.len()
    }

    #[inline]
    fn cell(&self, index: usize) -> Result<Cell<'_>> {
        B::cell(self.0, index)
    }

    fn column_type(&self, index: usize) -> Option<std::borrow::Cow<'_, str>> {
        use sqlx::{Column, Row, TypeInfo};
        // SQLite types values, not columns: sqlx names a computed column's type `NULL`,
        // and the cell already shows the value's storage class (as in the diesel engine).
        if B::DIALECT == Dialect::Sqlite {
            return None;
        }
        let column = self.0.columns().get(index)?;
        Some(std::borrow::Cow::Borrowed(column.type_info().name()))
    }
}
