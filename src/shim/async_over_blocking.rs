//! The async API over the blocking (diesel) engine: [`DieselDb`] and [`DieselTx`].
//!
//! # Why it looks like this
//!
//! The usual way to call blocking database code from async code is Python's
//! `run_in_executor` (or tokio's `spawn_blocking`): push each call onto some thread pool and
//! await the result. Done naively it has three well-known faults, and this module exists
//! to avoid each of them:
//!
//! 1. **Unbounded threads.** `spawn_blocking` starts a thread per waiting call (up to 512),
//!    each of which then queues on the connection pool anyway. Here the threads are a fixed
//!    set of workers, exactly as many as the pool holds connections, started when the
//!    handle opens; admission is a [`tokio::sync::Semaphore`] with one permit per worker,
//!    so a caller that cannot get a worker waits *asynchronously*, and past the acquire
//!    timeout gets [`Error::PoolTimeout`] instead of hanging.
//! 2. **Cancellation.** Dropping a future that handed a closure to a thread does not stop
//!    the closure; if that closure held a transaction, the transaction ends in an unknown
//!    state. Here a worker never runs user logic: it runs *statements*, one at a time, sent
//!    by the caller's task. The operation itself (an `ambidex_core::Plan`, the same code
//!    every engine runs) stays on the caller's task, over a *remote connection* whose
//!    `fetch`/`execute` ship the owned [`ambidex_core::Statement`] and its `'static`
//!    [`ambidex_core::RowSink`] to the worker and await the answer on a oneshot channel.
//!    If the caller's future is dropped at any point, the worker finishes the statement it
//!    was sent (at most one: a caller awaits each answer before sending more), sees that
//!    the caller is gone, and releases its connection: the connection goes back to r2d2,
//!    whose manager rolls back any transaction that may be open (the transaction depth is
//!    mirrored to the worker's connection, pessimistically: raised before the statement
//!    that opens a level is sent, lowered only after the one that closes it succeeded) or
//!    discards the connection if that fails. So a transaction commits only if its caller
//!    sent COMMIT, the worker never starts statements of its own, and no pooled connection
//!    is left inside a transaction.
//! 3. **Transactions spread over threads.** A diesel connection is not shareable, and a
//!    transaction lives on one connection. Here one worker and one checked-out connection
//!    serve one operation from start to finish, and a [`DieselTx`] for its whole life.
//!
//! Panics on a worker (a decoder that panics, say) are caught per statement and answered
//! with an error; the worker lives on. Workers exit when the last [`DieselDb`] clone and
//! the last [`DieselTx`] are gone.
//!
//! Because every operation is a shared plan, `query().all(&db).await`,
//! `row.insert(&mut tx).await` and the rest behave exactly as they do on `ambidex::Db`,
//! with the same errors; only the engine under them is diesel.
//!
//! The handle needs a Tokio runtime (with timers, for the acquire timeout) when an
//! operation runs; outside one, operations fail with [`Error::WrongWorld`].

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use ambidex_async::BoxFuture;
use ambidex_core::routing::PoolOptions;
use ambidex_core::sqlite_writers::WriteHold;
use ambidex_core::transaction::TxOptions;
use ambidex_core::{
    Connection, Dialect, Error, Executed, Executor, Plan, Result, RowSink, Server, Statement,
    Target, complete, transaction,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError, oneshot};

use crate::blocking::{Db as BlockingDb, HeldConnection};

/// Connections (and so workers) when the builder does not say: the blocking pool's default.
const DEFAULT_MAX_CONNECTIONS: u32 = 8;

// ---------------------------------------------------------------------------------------
// The handle
// ---------------------------------------------------------------------------------------

/// An async database whose engine is diesel: the async API (`.await` every terminal
/// method) over a blocking connection pool and a bounded set of worker threads.
///
/// Cheap to clone; clones share the pool and the workers. Pass `&db` to any terminal
/// method, or open a transaction with [`DieselDb::begin`] or [`DieselDb::transaction`].
/// Every future is `Send`, and dropping one at any point is safe (see the module docs).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> ambidex::Result<()> {
/// use ambidex::{DieselDb, raw};
/// let db = DieselDb::connect("sqlite::memory:").await?;
/// raw("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").execute(&db).await?;
/// let added = raw("INSERT INTO notes (body) VALUES (?)").bind("hello").execute(&db).await?;
/// assert_eq!(added, 1);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct DieselDb {
    shared: Arc<Shared>,
    /// The unit of work whose reads must see its writes (see [`DieselDb::session`]).
    scope: ambidex_core::routing::Scope,
}

#[path = "diesel_replicas.rs"]
mod replicas;

/// What every clone of a [`DieselDb`] shares. Dropping it drops the idle workers' job
/// channels, which stops them; a busy worker stops when its session ends.
struct Shared {
    db: BlockingDb,
    dialect: Dialect,
    /// Which server the blocking handle's connections reached.
    server: Server,
    /// Whether they read the rows of an `INSERT ... RETURNING` there.
    reads_insert_returning: bool,
    /// One permit per worker; a permit travels with its job and the worker drops it only
    /// after its connection went back to the pool.
    permits: Arc<Semaphore>,
    /// The job channels of the idle workers, most recently idle last (see [`Idle`]).
    idle: Arc<Idle>,
    max_connections: u32,
    acquire_timeout: Duration,
    stats: WorkerStats,
    /// The SQLite database file (`ambidex_core::sqlite_writers`); `None` on the
    /// servers.
    sqlite_file: Option<Arc<str>>,
    /// Read replicas, if configured (see `diesel_replicas.rs`).
    replicas: Option<replicas::Replicas>,
}

/// The longest the last handle waits for idle workers to stop.
const WORKER_STOP_WAIT: Duration = Duration::from_secs(10);

impl Drop for Shared {
    /// Stops the workers and waits for them, so that their clones of the pool are gone, and
    /// the last one (this handle's own `db`) waits for connections r2d2 is still opening,
    /// before the drop returns: a program may return from `main` right after. Only a worker
    /// whose caller still holds its session (a [`DieselTx`] or held connection still open)
    /// is left running; it stops when that session ends. A worker finishing a session
    /// whose caller is gone (returning its connection) is waited for.
    fn drop(&mut self) {
        let deadline = Instant::now() + WORKER_STOP_WAIT;
        loop {
            // A worker that just finished a session puts its channel back on the stack,
            // so each pass drops what came back since the last.
            drop(std::mem::take(
                &mut *self.idle.0.lock().unwrap_or_else(PoisonError::into_inner),
            ));
            if self.stats.alive() <= self.stats.sessions() || Instant::now() >= deadline {
                return;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

impl fmt::Debug for DieselDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.shared;
        f.debug_struct("DieselDb")
            .field("url", &s.db.url())
            .field("dialect", &s.dialect)
            .field("max_connections", &s.max_connections)
            .field("acquire_timeout", &s.acquire_timeout)
            .field("statement_timeout", &s.db.statement_timeout())
            .field("replicas", &s.replicas.as_ref().map(|r| &r.set))
            .finish()
    }
}

/// Options for opening a [`DieselDb`], from [`DieselDb::builder`].
#[derive(Clone)]
#[must_use = "a builder does nothing until `.connect().await` or `.open()`"]
pub struct DieselDbBuilder {
    url: String,
    pub(crate) pool: PoolOptions,
    replicas: ambidex_core::routing::ReplicaConfig,
}

impl fmt::Debug for DieselDbBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("DieselDbBuilder");
        out.field("url", &ambidex_core::redact_url(&self.url));
        self.pool.debug_fields(&mut out);
        out.field("replicas", &self.replicas).finish()
    }
}

impl DieselDbBuilder {
    ambidex_core::replica_builder_methods!(builder => &mut builder.replicas);

    ambidex_core::pool_builder_methods!(builder => &mut builder.pool;
        /// The most connections the pool holds, and so the number of worker threads (default
        /// 8; always 1 for `sqlite::memory:`, where each connection would be its own database).
        max_connections;
        /// How long an operation waits for a free worker before failing with
        /// [`Error::PoolTimeout`] (default 30 s).
        acquire_timeout;
    );

    /// Opens the pool (checking that one connection can be made) and starts the workers,
    /// without blocking the calling task: the blocking open runs on a short-lived thread of
    /// its own.
    pub async fn connect(self) -> Result<DieselDb> {
        let (reply, answer) = oneshot::channel();
        std::thread::Builder::new()
            .name("ambidex-diesel-open".into())
            .spawn(move || {
                let _ = reply.send(self.open());
            })
            .map_err(|e| {
                Error::Config(format!("cannot start a thread to open the pool: {e}").into())
            })?;
        answer.await.map_err(|_| {
            Error::Internal("the thread opening the pool stopped without an answer".into())
        })?
    }

    /// Opens the pool and starts the workers on the calling thread. This blocks while the
    /// first connection is made; in async code prefer [`DieselDbBuilder::connect`].
    pub fn open(self) -> Result<DieselDb> {
        if self.pool.max_connections == Some(0) {
            return Err(Error::Config("max_connections must be at least 1".into()));
        }
        let target = Target::parse(&self.url)?;
        self.replicas.check(target.dialect())?;
        let size = if target.is_memory() {
            1
        } else {
            self.pool.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS)
        };
        let mut builder = BlockingDb::builder(&self.url);
        *builder.pool_options() = PoolOptions {
            max_connections: Some(size),
            ..self.pool
        };
        let db = builder.open()?;
        let replicas = replicas::open(&self)?;
        DieselDb::start(db, size, self.pool.acquire_timeout, replicas)
    }
}

impl DieselDb {
    /// Opens `url` (`sqlite://app.db`, `sqlite::memory:`, `postgres://...`) with default
    /// options; see [`DieselDb::builder`] to tune them.
    pub fn connect(url: &str) -> impl Future<Output = Result<DieselDb>> + Send + 'static {
        DieselDb::builder(url).connect()
    }

    /// Opens `url` with default options, blocking the calling thread while the first
    /// connection is made (for `main` before a runtime starts).
    pub fn open(url: &str) -> Result<DieselDb> {
        DieselDb::builder(url).open()
    }

    /// Opens the database `DATABASE_URL` names, with the pool settings the environment
    /// gives (see [`ambidex_core::url::env`]); [`Error::Config`] when `DATABASE_URL` is
    /// unset or a setting does not parse.
    pub fn from_env() -> impl Future<Output = Result<DieselDb>> + Send + 'static {
        let builder = DieselDb::builder_from_env();
        async move { builder?.connect().await }
    }

    /// A builder for the database `DATABASE_URL` names, with the environment's pool
    /// settings applied.
    pub fn builder_from_env() -> Result<DieselDbBuilder> {
        let config = ambidex_core::EnvConfig::read()?;
        Ok(DieselDb::builder(&config.url).env_settings(&config))
    }

    /// Options for opening `url`.
    pub fn builder(url: &str) -> DieselDbBuilder {
        DieselDbBuilder {
            url: url.to_string(),
            pool: PoolOptions::default(),
            replicas: Default::default(),
        }
    }

    /// Serves an existing blocking pool to async code, with `max_connections` workers and
    /// `acquire_timeout` for admission.
    ///
    /// Pass the values `db` was opened with: more workers than the pool has connections
    /// would make the extra ones wait inside the pool (up to its own timeout) instead of
    /// queueing asynchronously. Blocking code still using a clone of `db` competes with the
    /// workers for connections in the same way.
    pub fn from_blocking(db: BlockingDb) -> Result<DieselDb> {
        let (size, timeout) = (db.max_connections(), db.acquire_timeout());
        DieselDb::start(db, size, timeout, None)
    }

    fn start(
        db: BlockingDb,
        size: u32,
        acquire_timeout: Duration,
        replicas: Option<replicas::Replicas>,
    ) -> Result<DieselDb> {
        let workers = usize::try_from(size)
            .map_err(|_| Error::Config("max_connections does not fit this platform".into()))?;
        let idle = Arc::new(Idle::default());
        let stats = WorkerStats::default();
        for i in 0..workers {
            let db = db.clone();
            let (home, jobs) = mpsc::channel::<Job>();
            let stack = Arc::downgrade(&idle);
            let mine = stats.clone();
            // Counted before the thread exists so that `alive` can never be seen below the
            // number of running workers.
            stats.0.spawned.fetch_add(1, Ordering::SeqCst);
            stats.0.alive.fetch_add(1, Ordering::SeqCst);
            let spawned = std::thread::Builder::new()
                .name(format!("ambidex-diesel-{i}"))
                .spawn(move || worker(db, jobs, stack, mine));
            if let Err(e) = spawned {
                stats.0.spawned.fetch_sub(1, Ordering::SeqCst);
                stats.0.alive.fetch_sub(1, Ordering::SeqCst);
                // Dropping `idle` on return stops the workers already started.
                return Err(Error::Config(
                    format!("cannot start diesel worker thread {i} of {workers}: {e}").into(),
                ));
            }
            idle.push(home);
        }
        Ok(DieselDb {
            shared: Arc::new(Shared {
                dialect: db.dialect(),
                server: db.server(),
                reads_insert_returning: db.reads_insert_returning(),
                sqlite_file: match ambidex_core::Target::parse(db.url()) {
                    Ok(ambidex_core::Target::Sqlite { path }) => Some(path.as_str().into()),
                    _ => None,
                },
                db,
                permits: Arc::new(Semaphore::new(workers)),
                idle,
                max_connections: size,
                acquire_timeout,
                stats,
                replicas,
            }),
            scope: ambidex_core::routing::Scope::new(),
        })
    }

    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.shared.dialect
    }

    /// The URL, with any password hidden.
    pub fn url(&self) -> &str {
        self.shared.db.url()
    }

    /// The most connections the pool holds, which is also the number of worker threads.
    pub fn max_connections(&self) -> u32 {
        self.shared.max_connections
    }

    /// How many worker threads this handle has started (always `max_connections`).
    #[doc(hidden)]
    pub fn worker_count(&self) -> usize {
        self.shared.stats.spawned()
    }

    /// How many workers are free: not serving an operation or a transaction, with their
    /// last connection back in the pool.
    #[doc(hidden)]
    pub fn idle_workers(&self) -> usize {
        self.shared.permits.available_permits()
    }

    /// Counters that outlive the handle, to watch the workers shut down.
    #[doc(hidden)]
    pub fn worker_stats(&self) -> WorkerStats {
        self.shared.stats.clone()
    }

    /// Closes the handle: new operations fail with [`Error::Connection`], and this waits
    /// until every running operation and open transaction has finished and its connection
    /// is back in the pool. Every clone of this `DieselDb` is affected; the workers stop
    /// when the last clone is dropped.
    pub async fn close(&self) {
        let shared = &self.shared;
        // Taking every permit waits for every session to end; closing the semaphore then
        // refuses new ones (and wakes any caller still queued, which then fails).
        let all = shared
            .permits
            .acquire_many(shared.max_connections)
            .await
            .ok();
        shared.permits.close();
        drop(all);
    }

    /// Opens a transaction on one worker and one connection, held until the returned
    /// [`DieselTx`] commits, rolls back or is dropped (which rolls back).
    pub async fn begin(&self) -> Result<DieselTx> {
        self.begin_with(TxOptions::default()).await
    }

    /// Opens a transaction with an isolation level or read-only ([`TxOptions`]).
    pub async fn begin_with(&self, options: TxOptions) -> Result<DieselTx> {
        let mut conn = self.remote().await?;
        self.note_transaction(&options);
        transaction::begin_with(&mut conn, options).await?;
        Ok(DieselTx { conn })
    }

    crate::handle_transactions::handle_transactions!(
        handle: "DieselDb",
        tx: DieselTx,
        closure_note: "The signature is `ambidex::Db::transaction`'s: the closure returns a boxed \
                       future borrowing the transaction; move owned data into it.",
    );

    /// Admits the caller (waiting for a free worker up to the acquire timeout) and hands a
    /// new session to the workers: the returned connection's statements run on one worker
    /// and one pooled connection until it is dropped.
    async fn remote(&self) -> Result<RemoteConn> {
        let shared = &self.shared;
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::outside_runtime("DieselDb"));
        }
        let permit = match Arc::clone(&shared.permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(TryAcquireError::NoPermits) => {
                let started = Instant::now();
                let waiting = Arc::clone(&shared.permits).acquire_owned();
                match tokio::time::timeout(shared.acquire_timeout, waiting).await {
                    Ok(Ok(permit)) => permit,
                    Ok(Err(_)) => return Err(self.closed()),
                    Err(_) => {
                        return Err(Error::PoolTimeout {
                            waited: started.elapsed(),
                            pool_size: shared.max_connections,
                        });
                    }
                }
            }
            Err(TryAcquireError::Closed) => return Err(self.closed()),
        };
        let (requests, inbox) = mpsc::channel();
        // A permit guarantees an idle worker: each worker is back on the stack before it
        // releases the permit it served.
        let home = shared.idle.pop().ok_or_else(stopped)?;
        home.send(Job {
            permit,
            inbox,
            home: home.clone(),
        })
        .map_err(|_| stopped())?;
        Ok(RemoteConn {
            requests,
            dialect: shared.dialect,
            server: shared.server,
            reads_insert_returning: shared.reads_insert_returning,
            depth: 0,
            session_lock: false,
            hold: WriteHold::new(shared.sqlite_file.clone()),
            _open: OpenSession::new(&shared.stats),
        })
    }
}

impl DieselDb {
    /// The error for an operation on a closed handle.
    fn closed(&self) -> Error {
        Error::Connection {
            url: self.url().to_string(),
            message: "the connection pool is closed (`close` was called)".into(),
        }
    }
}

/// The error for a worker set that stopped; unreachable while a handle exists.
fn stopped() -> Error {
    Error::Internal("the diesel worker threads have stopped".into())
}

// ---------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------

/// An open transaction of a [`DieselDb`], on one worker and one connection for its whole
/// life; pass `&mut tx` (or `&mut *tx`) to terminal methods to run them inside it.
///
/// End it with [`DieselTx::commit`] or [`DieselTx::rollback`]. Dropped without either (an
/// early `?`, a panic, a cancelled task), its worker rolls it back and returns the
/// connection to the pool.
pub struct DieselTx {
    conn: RemoteConn,
}

impl fmt::Debug for DieselTx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DieselTx")
            .field("dialect", &self.conn.dialect)
            .field("depth", &self.conn.depth)
            .finish()
    }
}

impl DieselTx {
    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.conn.dialect
    }

    /// The transaction's connection, for the engine-choosing [`crate::Tx`].
    pub(crate) fn connection(&mut self) -> &mut impl Connection {
        &mut self.conn
    }

    /// Commits the transaction and frees its worker.
    ///
    /// If an operation inside the transaction was cancelled while it held a savepoint (so
    /// it is unknown what that operation left behind), nothing is committed: the whole
    /// transaction is rolled back and [`Error::Cancelled`] returned. If COMMIT itself
    /// fails, the worker rolls the connection back before pooling it (or discards it).
    pub async fn commit(mut self) -> Result<()> {
        transaction::commit_outermost(&mut self.conn).await
    }

    /// Rolls the transaction back and frees its worker.
    pub async fn rollback(mut self) -> Result<()> {
        transaction::rollback_all(&mut self.conn).await
    }

    /// Runs `f` in a nested transaction (a savepoint): releases it if `f` returns `Ok`,
    /// rolls back to it if `f` returns `Err` (returning that error), and leaves the outer
    /// transaction usable either way. If this future is dropped before it finishes, the
    /// outer transaction can no longer commit (see [`DieselTx::commit`]).
    pub async fn transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: for<'t> FnOnce(&'t mut DieselTx) -> BoxFuture<'t, Result<T, E>> + Send,
        E: From<Error> + Send,
        T: Send,
    {
        let level = self.conn.depth;
        transaction::begin(&mut self.conn).await?;
        let outcome = f(self).await;
        transaction::finish_nested(&mut self.conn, level, outcome).await
    }
}

impl ambidex_async::EndTransaction for DieselTx {
    fn end_commit(self) -> impl Future<Output = Result<()>> + Send {
        self.commit()
    }

    fn end_rollback(self) -> impl Future<Output = Result<()>> + Send {
        self.rollback()
    }
}

// ---------------------------------------------------------------------------------------
// Held connections
// ---------------------------------------------------------------------------------------

/// A worker and its pooled connection, held by the caller until dropped: the
/// `ambidex::SqlxHeldConnection` of the diesel engine. Pass `&mut conn` to any terminal
/// method to run it there, with no admission or checkout per operation.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> ambidex::Result<()> {
/// use ambidex::{DieselDb, raw};
/// let db = DieselDb::connect("sqlite::memory:").await?;
/// let mut conn = db.acquire().await?;
/// raw("CREATE TEMP TABLE seen (n INTEGER)").execute(&mut conn).await?;
/// raw("INSERT INTO seen (n) VALUES (?)").bind(7).execute(&mut conn).await?;
/// let rows: Vec<(i64,)> = raw("SELECT n FROM seen").fetch_rows(&mut conn).await?;
/// assert_eq!(rows, [(7,)]);
/// drop(conn); // the worker and its connection are free again
/// # Ok(()) }
/// ```
///
/// It is one session of [`DieselDb`]'s workers, like a transaction's, kept open between
/// operations: one worker and one connection, both unavailable to everyone else until it
/// is dropped (then the worker returns the connection to the pool, which rolls back
/// anything left open, and takes new work). It is always the primary's; transactions are
/// opened on the [`DieselDb`]; `stream` needs `&db`. See `ambidex::SqlxHeldConnection`
/// for these rules, which are the same on both engines.
pub struct DieselHeldConnection {
    conn: RemoteConn,
}

impl fmt::Debug for DieselHeldConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DieselHeldConnection")
            .field("dialect", &self.conn.dialect)
            .finish_non_exhaustive()
    }
}

impl DieselDb {
    /// Admits the caller (waiting up to the acquire timeout, then
    /// [`Error::PoolTimeout`]) and holds one worker and its primary connection until the
    /// result is dropped (see [`DieselHeldConnection`]).
    pub async fn acquire(&self) -> Result<DieselHeldConnection> {
        let conn = self.remote().await?;
        self.note_transaction(&TxOptions::default());
        Ok(DieselHeldConnection { conn })
    }
}

impl DieselHeldConnection {
    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.conn.dialect
    }
}

// ---------------------------------------------------------------------------------------
// Executors
// ---------------------------------------------------------------------------------------

impl<'e> Executor<'e> for &'e DieselDb {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        Box::pin(async move {
            if let Some(replicas) = &self.shared.replicas {
                return replicas.run(self, plan).await;
            }
            let mut conn = self.remote().await?;
            plan.run(&mut conn).await
        })
    }
}

streams_async_pages!(DieselDb);

impl<'e> Executor<'e> for &'e mut DieselDb {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        <&'e DieselDb as Executor<'e>>::run(self, plan)
    }
}

impl<'e> Executor<'e> for &'e mut DieselTx {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        Box::pin(async move { plan.run(&mut self.conn).await })
    }
}

impl<'e> Executor<'e> for &'e mut DieselHeldConnection {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        Box::pin(async move {
            transaction::rollback_all(&mut self.conn).await?;
            plan.run(&mut self.conn).await
        })
    }
}

// ---------------------------------------------------------------------------------------
// The remote connection: the caller's side of a session
// ---------------------------------------------------------------------------------------

/// What a session sends its worker, in order.
enum Request {
    /// Run one statement on the held connection and answer (the closure owns the
    /// statement, the sink and the reply channel).
    Run(Task),
    /// The transaction depth the shared transaction code just recorded.
    Depth(u32),
    /// Whether a session lock may be held, as the migration plans just recorded.
    SessionLock(bool),
}

/// One statement for a worker: given the held connection (or why there is none), it runs
/// the statement, catches a panic, and answers on its own oneshot channel.
type Task = Box<dyn FnOnce(Result<&mut HeldConnection>) + Send>;

/// One session handed to a worker: the permit that admitted it, its request stream, and
/// the worker's own job channel, which the worker puts back on the idle stack when done.
struct Job {
    permit: OwnedSemaphorePermit,
    inbox: mpsc::Receiver<Request>,
    home: mpsc::Sender<Job>,
}

/// The idle workers, as the senders of their job channels.
///
/// Each worker has a channel of its own, so a job wakes exactly the worker it is for (a
/// shared queue behind a mutex would also wake the next waiter for the mutex, a second
/// thread wake-up per operation, which costs as much as the operation on SQLite). It is a
/// stack: the most recently idle worker, whose thread and connection are warm in the
/// caches, serves next.
#[derive(Default)]
struct Idle(Mutex<Vec<mpsc::Sender<Job>>>);

impl Idle {
    fn push(&self, home: mpsc::Sender<Job>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(home);
    }

    fn pop(&self) -> Option<mpsc::Sender<Job>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).pop()
    }
}

/// A [`Connection`] whose statements run on a worker's held diesel connection. Dropping it
/// ends the session: the worker finishes what it was sent, then releases.
struct RemoteConn {
    requests: mpsc::Sender<Request>,
    dialect: Dialect,
    server: Server,
    reads_insert_returning: bool,
    /// The caller's copy of the depth; every change is mirrored to the worker.
    depth: u32,
    /// The caller's copy of the session-lock mark, mirrored to the worker like the depth.
    session_lock: bool,
    /// On SQLite, this session's entry among the write lock's holders
    /// (`ambidex_core::sqlite_writers`): the caller's task holds it.
    hold: WriteHold,
    /// Counted until the caller drops its end (see `Drop for Shared`).
    _open: OpenSession,
}

impl RemoteConn {
    /// Sends `job` to the worker and awaits its answer.
    fn call<T: Send + 'static>(
        &mut self,
        job: impl FnOnce(&mut HeldConnection) -> Result<T> + Send + 'static,
    ) -> impl Future<Output = Result<T>> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let task: Task = Box::new(move |conn: Result<&mut HeldConnection>| {
            let out = match conn {
                Ok(held) => catch_unwind(AssertUnwindSafe(|| job(held)))
                    .unwrap_or_else(|payload| Err(panicked(payload.as_ref()))),
                Err(e) => Err(e),
            };
            // The caller may be gone (its future was dropped); the answer is then dropped.
            let _ = reply.send(out);
        });
        let sent = self.requests.send(Request::Run(task));
        async move {
            sent.map_err(|_| stopped())?;
            answer.await.map_err(|_| {
                Error::Internal("the diesel worker stopped before answering a statement".into())
            })?
        }
    }
}

/// The error a caught worker panic becomes.
fn panicked(payload: &(dyn Any + Send)) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    Error::Internal(
        format!(
            "a statement panicked on a diesel worker thread (the worker caught it and lives \
             on): {what}"
        )
        .into(),
    )
}

impl RemoteConn {
    /// After a statement: on SQLite, records whether the caller's task holds the write
    /// lock (a statement of its open transaction succeeded).
    fn after(&mut self, ok: bool) {
        if ok && self.depth > 0 {
            self.hold.held(ambidex_async::__polled_on_one_thread());
        } else if ok {
            self.hold.released();
        }
    }
}

impl Connection for RemoteConn {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    fn server(&self) -> Server {
        self.server
    }

    fn reads_insert_returning(&self) -> bool {
        self.reads_insert_returning
    }

    async fn fetch<S: RowSink>(&mut self, statement: Statement, sink: S) -> Result<S> {
        let result = self
            .call(move |held| complete(held.fetch(statement, sink)))
            .await;
        self.after(result.is_ok());
        result
    }

    async fn execute(&mut self, statement: Statement) -> Result<Executed> {
        let result = self
            .call(move |held| complete(held.execute(statement)))
            .await;
        self.after(result.is_ok());
        result
    }

    fn transaction_depth(&self) -> u32 {
        self.depth
    }

    fn set_transaction_depth(&mut self, depth: u32) {
        self.depth = depth;
        if depth == 0 {
            self.hold.released();
        }
        // Ordered with the statements: the worker knows the depth before it runs the next
        // one, and before it releases the connection. A send can only fail once the worker
        // is gone, and then the next statement reports it.
        let _ = self.requests.send(Request::Depth(depth));
    }

    fn session_lock_held(&self) -> bool {
        self.session_lock
    }

    fn set_session_lock_held(&mut self, held: bool) {
        self.session_lock = held;
        // Ordered with the statements, as the depth is: the worker's connection is marked
        // before it runs the lock statement, and still marked when it releases the
        // connection if the caller went away before the release.
        let _ = self.requests.send(Request::SessionLock(held));
    }
}

// ---------------------------------------------------------------------------------------
// Workers
// ---------------------------------------------------------------------------------------

/// Counters of a [`DieselDb`]'s workers, shared with them; they outlive the handle.
#[doc(hidden)]
#[derive(Clone, Default, Debug)]
pub struct WorkerStats(Arc<Counters>);

#[derive(Default, Debug)]
struct Counters {
    spawned: AtomicUsize,
    alive: AtomicUsize,
    /// Sessions whose caller still holds its end ([`RemoteConn`]s alive).
    sessions: AtomicUsize,
}

impl WorkerStats {
    /// Worker threads started in total.
    pub fn spawned(&self) -> usize {
        self.0.spawned.load(Ordering::SeqCst)
    }

    /// Worker threads still running.
    pub fn alive(&self) -> usize {
        self.0.alive.load(Ordering::SeqCst)
    }

    /// Sessions whose caller still holds them (an operation running, a transaction open).
    fn sessions(&self) -> usize {
        self.0.sessions.load(Ordering::SeqCst)
    }
}

/// Counts one session while its caller holds it; part of [`RemoteConn`].
struct OpenSession(WorkerStats);

impl OpenSession {
    fn new(stats: &WorkerStats) -> OpenSession {
        stats.0.sessions.fetch_add(1, Ordering::SeqCst);
        OpenSession(stats.clone())
    }
}

impl Drop for OpenSession {
    fn drop(&mut self) {
        self.0.0.sessions.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Marks a worker as gone when its thread ends, however it ends.
struct Alive(WorkerStats);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.0.alive.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A worker thread: takes sessions from its own channel until every handle is gone.
///
/// It holds the idle stack weakly: while it is idle, its sender lives only on the stack,
/// so dropping the last handle (and with it the stack) ends its `recv`; a busy worker that
/// finds the stack gone when its session ends stops there.
fn worker(db: BlockingDb, jobs: mpsc::Receiver<Job>, idle: Weak<Idle>, stats: WorkerStats) {
    let _alive = Alive(stats);
    // Moved below `_alive`, so the worker's clone of the pool is dropped before the worker
    // counts as stopped (the handle's drop waits for that).
    let db = db;
    while let Ok(Job {
        permit,
        inbox,
        home,
    }) = jobs.recv()
    {
        // Each statement already catches its own panic; this catches anything else
        // (dropping the connection, say) so the worker survives it. Unwinding drops the
        // held connection, which the pool rolls back or discards as usual.
        let _ = catch_unwind(AssertUnwindSafe(|| serve(&db, inbox)));
        let Some(idle) = idle.upgrade() else {
            return; // every handle is gone
        };
        idle.push(home);
        drop(idle);
        // Only now, with the connection back in the pool and the worker back on the
        // stack, may another caller be admitted.
        drop(permit);
    }
}

/// How long a worker that just answered waits actively for its caller's next request (or
/// the end of the session) before it sleeps; see [`next_request`].
const SPIN: Duration = Duration::from_micros(30);

/// The session's next request, or `None` when the caller ended it.
///
/// Most operations are one statement: the caller takes the answer and ends the session at
/// once. Sleeping in `recv` would make that end cost a thread wake-up (tens of
/// microseconds on a virtual machine, as much as a SQLite lookup) before the connection
/// goes back to the pool and the worker back on the idle stack, so the worker first polls
/// for a short while, yielding its core.
fn next_request(inbox: &mpsc::Receiver<Request>) -> Option<Request> {
    let started = Instant::now();
    loop {
        match inbox.try_recv() {
            Ok(request) => return Some(request),
            Err(mpsc::TryRecvError::Disconnected) => return None,
            Err(mpsc::TryRecvError::Empty) if started.elapsed() < SPIN => std::thread::yield_now(),
            Err(mpsc::TryRecvError::Empty) => return inbox.recv().ok(),
        }
    }
}

/// Serves one session: checks a connection out, runs its statements in order until the
/// caller drops its end, then returns the connection to the pool. A connection returned
/// with a depth above zero is rolled back by the pool's manager, or discarded if that
/// fails (`ambidex-sync`'s `manager.rs`), so no transaction survives its session.
fn serve(db: &BlockingDb, inbox: mpsc::Receiver<Request>) {
    // The first statement gets the checkout's own error; later ones (if the caller goes on)
    // get a copy of its message.
    let (mut held, mut failure) = match db.acquire() {
        Ok(conn) => (Some(conn), None),
        Err(e) => (None, Some(e)),
    };
    let reason = failure
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    while let Some(request) = next_request(&inbox) {
        match (request, &mut held) {
            (Request::Depth(depth), Some(conn)) => conn.set_transaction_depth(depth),
            (Request::Depth(_), None) => {}
            (Request::SessionLock(held), Some(conn)) => conn.set_session_lock_held(held),
            (Request::SessionLock(_), None) => {}
            (Request::Run(task), Some(conn)) => task(Ok(conn)),
            (Request::Run(task), None) => {
                task(Err(failure.take().unwrap_or_else(|| Error::Connection {
                    url: db.url().to_string(),
                    message: format!("no connection for this operation: {reason}"),
                })))
            }
        }
    }
    // Back to the pool, rolled back first if a transaction may be open.
    drop(held);
}
