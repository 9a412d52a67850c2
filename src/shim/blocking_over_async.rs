//! The blocking API over the async (sqlx) engine: a handle that owns a tokio runtime and
//! waits for each operation, as the `postgres` crate does over `tokio-postgres` and
//! reqwest's `blocking` module over its async client.
//!
//! It is thin on purpose: every method is one `wait(...)` around the async engine's own
//! method, so all logic stays in the shared plans. The runtime (one worker thread) drives
//! sqlx's I/O and pool tasks; the caller's thread polls the operation itself and sleeps
//! between wake-ups, so it never calls tokio's `block_on` and cannot hit tokio's "runtime
//! within a runtime" panic. Calling it from inside an async task is refused with
//! [`Error::WrongWorld`], which says to use `ambidex::Db` and `.await` instead.

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use ambidex_core::transaction::TxOptions;
use ambidex_core::{Dialect, Error, Executor, Plan, Result};

/// The runtime a [`SqlxDb`] owns; shut down without blocking when the last handle goes, so
/// dropping a handle inside async code cannot panic either.
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl OwnedRuntime {
    fn new() -> Result<Arc<OwnedRuntime>> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("ambidex-sqlx")
            .enable_all()
            .build()
            .map_err(|e| Error::Config(format!("cannot start the engine's runtime: {e}").into()))?;
        Ok(Arc::new(OwnedRuntime(Some(rt))))
    }

    /// Enters this runtime's context (for drops that need one), if it is still running.
    fn enter(&self) -> Option<tokio::runtime::EnterGuard<'_>> {
        self.0.as_ref().map(tokio::runtime::Runtime::enter)
    }

    /// Runs `future` to completion on the calling thread, with this runtime's context.
    fn wait<F: Future>(&self, future: F) -> Result<F::Output> {
        if tokio::task::try_id().is_some() {
            return Err(Error::WrongWorld(
                "a blocking ambidex handle was used inside an async task; use `ambidex::Db` \
                 and `.await` there, or move the blocking code to `tokio::task::spawn_blocking` \
                 or a thread of its own"
                    .into(),
            ));
        }
        let rt = self
            .0
            .as_ref()
            .ok_or(Error::Internal("runtime already shut down".into()))?;
        let _context = rt.enter();
        // The connection's busy failures are checked for a self-deadlock, as the blocking
        // engine's are (`ambidex_core::sqlite_writers`).
        let _blocking = ambidex_core::sqlite_writers::BlockingCall::enter();
        let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        loop {
            match future.as_mut().poll(&mut cx) {
                Poll::Ready(out) => return Ok(out),
                Poll::Pending => std::thread::park(),
            }
        }
    }
}

/// Wakes the waiting thread.
struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// A blocking database handle whose engine is sqlx: the blocking API (`Result`s, no
/// `.await`) over the async engine. Cheap to clone; share it between threads.
///
/// ```
/// use ambidex::blocking::SqlxDb;
/// let db = SqlxDb::open("sqlite::memory:")?;
/// assert_eq!(ambidex::raw("SELECT 1").execute(&db)?, 0);
/// # Ok::<(), ambidex::Error>(())
/// ```
#[derive(Clone)]
pub struct SqlxDb {
    db: crate::SqlxDb,
    rt: Arc<OwnedRuntime>,
}

impl fmt::Debug for SqlxDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::SqlxDb")
            .field("engine", &crate::Engine::Sqlx)
            .field("db", &self.db)
            .finish()
    }
}

/// Options for opening a [`SqlxDb`]; the same as [`crate::SqlxDbBuilder`]'s.
#[derive(Debug)]
pub struct SqlxDbBuilder {
    inner: crate::SqlxDbBuilder,
}

impl SqlxDbBuilder {
    ambidex_core::replica_builder_methods!(builder => builder.inner.replica_config());

    /// The most connections the pool holds.
    pub fn max_connections(self, n: u32) -> Self {
        SqlxDbBuilder {
            inner: self.inner.max_connections(n),
        }
    }

    /// How long a caller waits for a free connection.
    pub fn acquire_timeout(self, timeout: Duration) -> Self {
        SqlxDbBuilder {
            inner: self.inner.acquire_timeout(timeout),
        }
    }

    /// The longest any one statement may run; see [`crate::DbBuilder::statement_timeout`].
    pub fn statement_timeout(self, timeout: Duration) -> Self {
        SqlxDbBuilder {
            inner: self.inner.statement_timeout(timeout),
        }
    }

    /// The pool settings the environment gave; see [`crate::DbBuilder::env_settings`].
    pub fn env_settings(self, config: &ambidex_core::EnvConfig) -> Self {
        SqlxDbBuilder {
            inner: self.inner.env_settings(config),
        }
    }

    /// Starts the runtime and opens the pool.
    pub fn open(self) -> Result<SqlxDb> {
        let rt = OwnedRuntime::new()?;
        let db = rt.wait(self.inner.connect())??;
        Ok(SqlxDb { db, rt })
    }
}

impl SqlxDb {
    /// Opens `url` with default options.
    pub fn open(url: &str) -> Result<SqlxDb> {
        SqlxDb::builder(url).open()
    }

    /// Opens the database `DATABASE_URL` names, with the pool settings the environment
    /// gives (see [`ambidex_core::url::env`]).
    pub fn from_env() -> Result<SqlxDb> {
        SqlxDb::builder_from_env()?.open()
    }

    /// A builder for the database `DATABASE_URL` names, with the environment's pool
    /// settings applied.
    pub fn builder_from_env() -> Result<SqlxDbBuilder> {
        Ok(SqlxDbBuilder {
            inner: crate::SqlxDb::builder_from_env()?,
        })
    }

    /// Options for opening `url`.
    pub fn builder(url: &str) -> SqlxDbBuilder {
        SqlxDbBuilder {
            inner: crate::SqlxDb::builder(url),
        }
    }

    /// A handle on the same pools with a scope of its own: reads through it see the
    /// writes made through it (read-your-writes). Take one per unit of work; see
    /// [`crate::SqlxDb::session`].
    pub fn session(&self) -> SqlxDb {
        SqlxDb {
            db: self.db.session(),
            rt: Arc::clone(&self.rt),
        }
    }

    /// [`SqlxDb::session`] for a tenant, which a custom [`crate::routing::Router`] sees.
    pub fn session_for(&self, tenant: &str) -> SqlxDb {
        SqlxDb {
            db: self.db.session_for(tenant),
            rt: Arc::clone(&self.rt),
        }
    }

    /// Each replica's URL, rotation state, measured lag and load (empty without replicas).
    pub fn replica_status(&self) -> Vec<crate::routing::ReplicaStatus> {
        self.db.replica_status()
    }

    /// The backend's dialect.
    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// Holds one connection of the primary until the result is dropped; see
    /// [`crate::SqlxDb::acquire`].
    pub fn acquire(&self) -> Result<SqlxHeldConnection> {
        Ok(SqlxHeldConnection {
            conn: Some(self.rt.wait(self.db.acquire())??),
            dialect: self.dialect(),
            rt: self.rt.clone(),
        })
    }

    /// Opens a transaction; dropped without commit, it rolls back.
    pub fn begin(&self) -> Result<SqlxTx> {
        self.begin_with(TxOptions::default())
    }

    /// Opens a transaction with an isolation level or read-only ([`TxOptions`]).
    pub fn begin_with(&self, options: TxOptions) -> Result<SqlxTx> {
        Ok(SqlxTx {
            tx: self.rt.wait(self.db.begin_with(options))??,
            rt: self.rt.clone(),
        })
    }

    /// Runs `f` in a transaction: commits on `Ok`, rolls back on `Err` or panic.
    pub fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut SqlxTx) -> Result<T, E>,
        E: From<Error>,
    {
        self.transaction_with(TxOptions::default(), f)
    }

    /// [`SqlxDb::transaction`] with an isolation level or read-only ([`TxOptions`]).
    pub fn transaction_with<T, E, F>(&self, options: TxOptions, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut SqlxTx) -> Result<T, E>,
        E: From<Error>,
    {
        let mut tx = self.begin_with(options)?;
        match f(&mut tx) {
            Ok(value) => {
                tx.commit()?;
                Ok(value)
            }
            Err(e) => {
                let _ = tx.rollback();
                Err(e)
            }
        }
    }
}

/// A transaction of a [`SqlxDb`].
pub struct SqlxTx {
    tx: crate::SqlxTx,
    rt: Arc<OwnedRuntime>,
}

impl fmt::Debug for SqlxTx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::SqlxTx").finish_non_exhaustive()
    }
}

impl SqlxTx {
    /// Commits.
    pub fn commit(self) -> Result<()> {
        self.rt.wait(self.tx.commit())?
    }

    /// Rolls back.
    pub fn rollback(self) -> Result<()> {
        self.rt.wait(self.tx.rollback())?
    }

    /// Runs `f` in a savepoint: released on `Ok`, rolled back to on `Err`.
    pub fn transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut SqlxTx) -> Result<T, E>,
        E: From<Error>,
    {
        let rt = self.rt.clone();
        rt.wait(self.tx.savepoint())??;
        match f(self) {
            Ok(value) => {
                rt.wait(self.tx.release_savepoint())??;
                Ok(value)
            }
            Err(e) => {
                let _ = rt.wait(self.tx.rollback_to_savepoint());
                Err(e)
            }
        }
    }
}

/// A held connection of a [`SqlxDb`]: [`crate::SqlxHeldConnection`], blocking. Pass
/// `&mut conn` to terminal methods; dropped, it goes back to the pool.
///
/// ```
/// use ambidex::blocking::SqlxDb;
/// use ambidex::raw;
/// let db = SqlxDb::open("sqlite::memory:")?;
/// let mut conn = db.acquire()?;
/// raw("CREATE TEMP TABLE seen (n INTEGER)").execute(&mut conn)?;
/// raw("INSERT INTO seen (n) VALUES (?)").bind(7).execute(&mut conn)?;
/// let rows: Vec<(i64,)> = raw("SELECT n FROM seen").fetch_rows(&mut conn)?;
/// assert_eq!(rows, [(7,)]);
/// # Ok::<(), ambidex::Error>(())
/// ```
pub struct SqlxHeldConnection {
    /// Always `Some` until dropped, where it is taken so that it drops inside the runtime.
    conn: Option<crate::SqlxHeldConnection>,
    dialect: Dialect,
    rt: Arc<OwnedRuntime>,
}

impl SqlxHeldConnection {
    /// The backend's dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}

impl fmt::Debug for SqlxHeldConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::SqlxHeldConnection")
            .field("conn", &self.conn)
            .finish()
    }
}

impl Drop for SqlxHeldConnection {
    fn drop(&mut self) {
        // sqlx returns a connection to its pool on a runtime task, and closes it if there
        // is no runtime: drop it inside the handle's own.
        let _context = self.rt.enter();
        drop(self.conn.take());
    }
}

impl<'e> Executor<'e> for &'e SqlxDb {
    type Output<T: Send + 'static> = Result<T>;

    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        self.rt.wait((&self.db).run(plan))?
    }
}

/// `query.stream(&db)` is an `Iterator`, one page of rows per query.
impl<'e> ambidex_core::Streaming<'e> for &'e SqlxDb {
    type Rows<M: ambidex_core::Model> = ambidex_core::RowIter<'e, M, Self>;

    fn rows<M: ambidex_core::Model>(
        self,
        pages: Result<ambidex_core::stream::Pages<M>>,
    ) -> ambidex_core::RowIter<'e, M, Self> {
        ambidex_core::RowIter::new(self, pages)
    }
}

impl<'e> Executor<'e> for &'e mut SqlxDb {
    type Output<T: Send + 'static> = Result<T>;

    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        (&*self).run(plan)
    }
}

impl<'e> Executor<'e> for &'e mut SqlxTx {
    type Output<T: Send + 'static> = Result<T>;

    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        self.rt.wait((&mut self.tx).run(plan))?
    }
}

impl<'e> Executor<'e> for &'e mut SqlxHeldConnection {
    type Output<T: Send + 'static> = Result<T>;

    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        let conn = self.conn.as_mut().ok_or(Error::Internal(
            "a held connection was used while it was being dropped".into(),
        ))?;
        self.rt.wait(conn.run(plan))?
    }
}
