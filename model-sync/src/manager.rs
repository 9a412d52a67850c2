//! The r2d2 connection manager: opens diesel connections from a parsed URL and decides,
//! when one comes back, whether it can be pooled again.
//!
//! A connection that comes back with a transaction possibly open (a `Tx` dropped without
//! commit, a panic inside a transaction closure, an `insert_many` that failed) is rolled
//! back here, in one place; if that fails, or an error broke the connection, r2d2 discards
//! it. No connection is ever pooled inside a transaction.
//!
//! r2d2 opens connections on threads of its own, which nothing joins. A process that
//! returns from `main` while one of them is inside the client library (libpq's TLS or
//! Kerberos set-up, say) runs that library's exit-time destructors under it and can crash
//! on the way out. So the manager counts the opens in progress ([`Openings`]), and the last
//! clone of a handle waits for them when it is dropped.

use std::marker::PhantomData;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use ambidex_core::{Connection, Error, Plan, Result, Statement, Target, complete, transaction};

use crate::backend::DieselBackend;
use crate::connection::DieselConn;

/// Opens and recycles diesel connections of type `C` for one target.
pub(crate) struct Manager<C> {
    pub(crate) target: Target,
    /// The statement each new connection runs to set its statement timeout, if one was set.
    pub(crate) timeout_setup: Option<Statement>,
    /// `fn() -> C`: the manager makes connections, it holds none (so it is `Sync`).
    pub(crate) connection: PhantomData<fn() -> C>,
    /// Connections being opened right now, on r2d2's threads.
    pub(crate) openings: Arc<Openings>,
}

/// The number of connection opens in progress, and a way to wait until there are none.
#[derive(Default, Debug)]
pub(crate) struct Openings {
    running: Mutex<usize>,
    finished: Condvar,
}

impl Openings {
    /// Counts one open until the returned guard is dropped (however the open ends).
    pub(crate) fn enter(&self) -> OpeningGuard<'_> {
        *self.running.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        OpeningGuard(self)
    }

    /// Waits until no open is in progress, or `bound` has passed; true if none is.
    pub(crate) fn wait_idle(&self, bound: Duration) -> bool {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        let (running, _) = self
            .finished
            .wait_timeout_while(running, bound, |n| *n > 0)
            .unwrap_or_else(PoisonError::into_inner);
        *running == 0
    }
}

/// One open in progress; see [`Openings::enter`].
pub(crate) struct OpeningGuard<'a>(&'a Openings);

impl Drop for OpeningGuard<'_> {
    fn drop(&mut self) {
        let mut running = self
            .0
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *running -= 1;
        if *running == 0 {
            self.0.finished.notify_all();
        }
    }
}

impl<C: DieselBackend> Manager<C> {
    pub(crate) fn new(target: Target, statement_timeout: Option<Duration>) -> Self {
        let timeout_setup = statement_timeout
            .map(|t| Statement::plain(target.dialect().rules().statement_timeout_setup(t)));
        Manager {
            target,
            timeout_setup,
            connection: PhantomData,
            openings: Arc::default(),
        }
    }
}

impl<C: DieselBackend> Manager<C> {
    /// Refuses a connection that is not encrypted although the URL requires TLS, where the
    /// client library may have ignored the mode (see
    /// [`ambidex_core::SqlDialect::tls_cipher_query`]).
    fn ensure_encrypted(&self, conn: &mut DieselConn<C>) -> Result<()> {
        let Some(sql) = self.target.dialect().rules().tls_cipher_query() else {
            return Ok(());
        };
        if !self.target.requires_tls() {
            return Ok(());
        }
        let cipher: Vec<String> = complete(
            ambidex_core::ops::RawRows {
                sql: sql.to_string(),
                binds: Vec::new(),
                row: PhantomData,
            }
            .run(conn),
        )?;
        if cipher.first().is_some_and(|c| !c.is_empty()) {
            return Ok(());
        }
        let url = match &self.target {
            Target::Postgres { url } | Target::Mysql { url } => url.as_str(),
            Target::Sqlite { path } => path.as_str(),
        };
        Err(Error::connection(
            url,
            "the URL requires TLS (ssl-mode), but the connection is not encrypted: the server \
             offers no TLS, or the client library connected in the clear (MariaDB Connector/C \
             ignores ssl_mode); the connection was closed. Enable TLS on the server, or lower \
             the mode to `prefer`",
        ))
    }
}

impl<C: DieselBackend> r2d2::ManageConnection for Manager<C> {
    type Connection = DieselConn<C>;
    type Error = Error;

    fn connect(&self) -> Result<DieselConn<C>> {
        let _counted = self.openings.enter();
        let mut conn = C::establish(&self.target)?;
        if let Some(setup) = &self.timeout_setup {
            conn.execute(setup, false)?;
        }
        let mut conn = DieselConn::new(conn);
        if let Target::Sqlite { path } = &self.target {
            conn.sqlite_file = Some(path.as_str().into());
        }
        self.ensure_encrypted(&mut conn)?;
        conn.identify()?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DieselConn<C>) -> Result<()> {
        if conn.broken {
            return Err(Error::Connection {
                url: "(pooled connection)".into(),
                message: "broken".into(),
            });
        }
        Ok(())
    }

    fn has_broken(&self, conn: &mut DieselConn<C>) -> bool {
        if conn.session_lock {
            // A migration run that panicked (or whose caller went away) before releasing
            // its session lock: closing the connection is what releases it for sure.
            tracing::debug!("discarding a pooled connection that may hold a session lock");
            return true;
        }
        if conn.transaction_depth() > 0 && complete(transaction::rollback_all(conn)).is_err() {
            tracing::warn!(
                "discarding a pooled connection whose open transaction could not be rolled back"
            );
            return true;
        }
        conn.broken
    }
}
