//! The blocking database handle: a pool of diesel connections opened from a URL.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use std::marker::PhantomData;

use ambidex_core::routing::PoolOptions;
use ambidex_core::{Connection, Dialect, Error, Result, Server, Target, redact_url};

use crate::backend::{AnyConnection, DieselBackend};
use crate::manager::{Manager, Openings};

/// The default number of pooled connections (a blocking program rarely runs more threads
/// against one database than this; raise it with [`DbBuilder::max_connections`]).
const DEFAULT_MAX_CONNECTIONS: u32 = 8;

pub(crate) type Pool<C> = r2d2::Pool<Manager<C>>;
pub(crate) type Pooled<C> = r2d2::PooledConnection<Manager<C>>;

/// A blocking database: a pool of diesel connections of type `C`. Cheap to clone; share it
/// between threads.
///
/// Pass `&db` (or `&mut db`) to any terminal method: `User::query().all(&db)?`.
///
/// # Which handle
///
/// - [`Db`] (`Database<AnyConnection>`): the backend is chosen by the URL at run time, so
///   one binary serves SQLite in tests and PostgreSQL in production. Each statement goes
///   through one `match` over the compiled backends. Pick it unless you know better.
/// - `SqliteDb`, `PgDb`, `MysqlDb` (`Database<diesel::SqliteConnection>`...): one
///   backend, fixed at compile time, with no dispatch on the path of a statement. Opening
///   one with another backend's URL is an [`Error::Config`] naming the scheme it expects.
///   Pick one when an application only ever talks to one backend and wants that said in
///   its types.
///
/// Both run the same operations with the same results and errors; transactions,
/// [`Database::acquire`] and every terminal method are the same code for every `C`.
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// let any = ambidex_sync::Db::open("sqlite::memory:")?;
/// let sqlite = ambidex_sync::SqliteDb::open("sqlite::memory:")?;
/// assert_eq!(any.dialect(), sqlite.dialect());
/// # }
/// # Ok::<(), ambidex_core::Error>(())
/// ```
pub struct Database<C: DieselBackend = AnyConnection> {
    pool: Pool<C>,
    dialect: Dialect,
    /// Which server the first connection reached (see [`Database::server`]).
    server: Server,
    url: Arc<str>,
    max_connections: u32,
    acquire_timeout: Duration,
    statement_timeout: Option<Duration>,
    /// Read replicas, if configured (see `replicas.rs`).
    pub(crate) replicas: Option<Arc<crate::replicas::Replicas<C>>>,
    /// The unit of work whose reads must see its writes (see `Database::session`).
    pub(crate) scope: ambidex_core::routing::Scope,
    /// Shared by every clone; the last one to go waits for r2d2's opens in progress.
    /// Declared last, so the clone's pool is released before the wait.
    last_clone: Arc<LastClone>,
}

/// Dropped with the last clone of a [`Database`]: waits (boundedly) until no connection is
/// being opened on r2d2's threads, so a program that drops its handle and returns from
/// `main` never exits under a client library in mid-connect (see `manager.rs`).
#[derive(Debug)]
struct LastClone {
    openings: Arc<Openings>,
    bound: Duration,
}

/// The longest the last clone waits for opens in progress.
const MAX_WAIT_ON_DROP: Duration = Duration::from_secs(10);

impl Drop for LastClone {
    fn drop(&mut self) {
        if !self.openings.wait_idle(self.bound) {
            tracing::warn!(
                waited = ?self.bound,
                "a connection was still being opened when the last handle was dropped"
            );
        }
    }
}

/// The blocking handle for whichever backend the URL names (`sqlite://`, `postgres://`,
/// `mysql://`...): the one most programs want. See [`Database`] for the one-backend
/// handles.
pub type Db = Database<AnyConnection>;

/// A blocking handle for SQLite only, with no backend dispatch (see [`Database`]).
#[cfg(feature = "sqlite")]
pub type SqliteDb = Database<diesel::sqlite::SqliteConnection>;

/// A blocking handle for PostgreSQL only, with no backend dispatch (see [`Database`]).
#[cfg(feature = "postgres")]
pub type PgDb = Database<diesel::pg::PgConnection>;

/// A blocking handle for MySQL / MariaDB only, with no backend dispatch (see [`Database`]).
#[cfg(feature = "mysql")]
pub type MysqlDb = Database<diesel::mysql::MysqlConnection>;

impl<C: DieselBackend> Clone for Database<C> {
    fn clone(&self) -> Self {
        Database {
            pool: self.pool.clone(),
            dialect: self.dialect,
            server: self.server,
            url: Arc::clone(&self.url),
            max_connections: self.max_connections,
            acquire_timeout: self.acquire_timeout,
            statement_timeout: self.statement_timeout,
            replicas: self.replicas.clone(),
            scope: self.scope.clone(),
            last_clone: Arc::clone(&self.last_clone),
        }
    }
}

impl<C: DieselBackend> fmt::Debug for Database<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(C::HANDLE)
            .field("url", &self.url)
            .field("max_connections", &self.max_connections)
            .field("statement_timeout", &self.statement_timeout)
            .field("replicas", &self.replicas.as_ref().map(|r| &r.set))
            .finish_non_exhaustive()
    }
}

/// Options for opening a blocking [`Database`] (from [`Database::builder`]).
pub struct DbBuilder<C: DieselBackend = AnyConnection> {
    pub(crate) url: String,
    pool: PoolOptions,
    pub(crate) replicas: ambidex_core::routing::ReplicaConfig,
    connection: PhantomData<fn() -> C>,
}

impl<C: DieselBackend> Clone for DbBuilder<C> {
    fn clone(&self) -> Self {
        DbBuilder {
            url: self.url.clone(),
            pool: self.pool,
            replicas: self.replicas.clone(),
            connection: PhantomData,
        }
    }
}

impl<C: DieselBackend> fmt::Debug for DbBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("DbBuilder");
        out.field("url", &redact_url(&self.url));
        self.pool.debug_fields(&mut out);
        out.field("replicas", &self.replicas).finish()
    }
}

impl<C: DieselBackend> DbBuilder<C> {
    ambidex_core::pool_builder_methods!(builder => &mut builder.pool;
        /// The most connections the pool holds (default 8; always 1 for `sqlite::memory:`,
        /// where every connection would be a separate database).
        max_connections;
        /// How long a caller waits for a free connection (default 30 s).
        acquire_timeout;
    );

    /// The pool settings collected so far (for handles that wrap this one).
    #[doc(hidden)]
    pub fn pool_options(&mut self) -> &mut PoolOptions {
        &mut self.pool
    }

    /// Opens the database, checking that one connection can be made.
    pub fn open(self) -> Result<Database<C>> {
        let target = Target::parse(&self.url)?;
        C::accepts(&target)?;
        let dialect = target.dialect();
        self.replicas.check(dialect)?;
        let options = self.pool;
        if options.max_connections == Some(0) {
            return Err(Error::Config("a pool needs at least one connection".into()));
        }
        let memory = target.is_memory();
        let max = if memory {
            1
        } else {
            options.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS)
        };
        let url: Arc<str> = redact_url(&self.url).into();
        let mut builder = r2d2::Pool::builder()
            .max_size(max)
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(options.acquire_timeout)
            .error_handler(Box::new(r2d2::NopErrorHandler));
        if memory {
            // An in-memory database lives exactly as long as its one connection: never let
            // the pool retire it.
            builder = builder.max_lifetime(None).idle_timeout(None);
        }
        let manager = Manager::new(target.clone(), options.statement_timeout);
        let openings = Arc::clone(&manager.openings);
        let pool = builder.build(manager);
        let pool = match pool {
            Ok(p) => p,
            // Surface the real reason (feature disabled, bad path, a refused setting) rather
            // than r2d2's timeout.
            Err(e) => {
                let manager = Manager::<C>::new(target, options.statement_timeout);
                return Err(match r2d2::ManageConnection::connect(&manager) {
                    Err(real) => real,
                    Ok(_) => Error::connection(&url, e),
                });
            }
        };
        let last_clone = Arc::new(LastClone {
            openings,
            bound: options.acquire_timeout.min(MAX_WAIT_ON_DROP),
        });
        // Every connection learns its server when it opens; the handle keeps the first
        // one's, for what runs on it without a connection of its own (`DieselDb`'s workers).
        let server = if dialect.rules().server_version_query().is_none() {
            Server::Standard
        } else {
            match pool.get() {
                Ok(conn) => conn.server(),
                Err(e) => return Err(Error::connection(&url, e)),
            }
        };
        let replicas = crate::replicas::open(&self, dialect)?;
        Ok(Database {
            pool,
            dialect,
            server,
            url,
            max_connections: max,
            acquire_timeout: options.acquire_timeout,
            statement_timeout: options.statement_timeout,
            replicas,
            scope: ambidex_core::routing::Scope::new(),
            last_clone,
        })
    }
}

impl<C: DieselBackend> Database<C> {
    /// Opens `url` (`sqlite://app.db`, `sqlite::memory:`, `postgres://...`) with default
    /// options. Call it through an alias ([`Db::open`], `SqliteDb::open`...), which fixes
    /// the connection type.
    ///
    /// ```
    /// let db = ambidex_sync::Db::open("sqlite::memory:")?;
    /// assert_eq!(db.dialect(), ambidex_core::Dialect::Sqlite);
    /// # Ok::<(), ambidex_core::Error>(())
    /// ```
    ///
    /// A one-backend handle refuses another backend's URL:
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// let err = ambidex_sync::SqliteDb::open("postgres://localhost/app").unwrap_err();
    /// assert!(matches!(err, ambidex_core::Error::Config(_)), "{err}");
    /// # }
    /// ```
    pub fn open(url: &str) -> Result<Self> {
        Self::builder(url).open()
    }

    /// Opens the database `DATABASE_URL` names, with the pool settings the environment
    /// gives (see [`ambidex_core::url::env`]); [`Error::Config`] when `DATABASE_URL` is
    /// unset or a setting does not parse.
    pub fn from_env() -> Result<Self> {
        Self::builder_from_env()?.open()
    }

    /// A builder for the database `DATABASE_URL` names, with the environment's pool
    /// settings applied, to add more before opening.
    pub fn builder_from_env() -> Result<DbBuilder<C>> {
        let config = ambidex_core::EnvConfig::read()?;
        Ok(Self::builder(&config.url).env_settings(&config))
    }

    /// Options for opening `url`.
    pub fn builder(url: &str) -> DbBuilder<C> {
        DbBuilder {
            url: url.to_string(),
            pool: PoolOptions::default(),
            replicas: Default::default(),
            connection: PhantomData,
        }
    }

    /// The backend's dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Which server the database is, where the dialect covers more than one: MariaDB or
    /// MySQL behind [`Dialect::Mysql`] ([`Server`]), learned when it opened.
    pub fn server(&self) -> Server {
        self.server
    }

    /// Whether this engine reads the rows of an `INSERT ... RETURNING` on the database's
    /// server (see [`ambidex_core::Connection::reads_insert_returning`]), for the
    /// async-over-diesel shim, whose connections run elsewhere.
    #[doc(hidden)]
    pub fn reads_insert_returning(&self) -> bool {
        crate::connection::reads_insert_returning(self.server)
    }

    /// The URL, with any password hidden.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The most connections the pool holds.
    pub fn max_connections(&self) -> u32 {
        self.max_connections
    }

    /// How long a caller waits for a free connection.
    pub fn acquire_timeout(&self) -> Duration {
        self.acquire_timeout
    }

    /// The longest any one statement may run, if limited (see
    /// [`DbBuilder::statement_timeout`]).
    pub fn statement_timeout(&self) -> Option<Duration> {
        self.statement_timeout
    }

    /// A pooled connection, waiting up to the acquire timeout.
    pub(crate) fn checkout(&self) -> Result<Pooled<C>> {
        let started = std::time::Instant::now();
        self.pool.get().map_err(|e| {
            if self.pool.state().connections == 0 {
                Error::connection(&self.url, e)
            } else {
                Error::PoolTimeout {
                    waited: started.elapsed(),
                    pool_size: self.max_connections,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Barrier};
    use std::time::Duration;

    use super::LastClone;
    use crate::manager::Openings;

    #[test]
    fn the_last_clone_waits_for_an_open_in_progress() {
        let openings = Arc::new(Openings::default());
        let finished = Arc::new(AtomicBool::new(false));
        let entered = Arc::new(Barrier::new(2));
        let opener = {
            let (openings, finished, entered) = (
                Arc::clone(&openings),
                Arc::clone(&finished),
                Arc::clone(&entered),
            );
            std::thread::spawn(move || {
                let _open = openings.enter();
                entered.wait();
                // The client library at work.
                std::thread::sleep(Duration::from_millis(50));
                finished.store(true, Ordering::SeqCst);
            })
        };
        entered.wait();
        drop(LastClone {
            openings: Arc::clone(&openings),
            bound: Duration::from_secs(30),
        });
        assert!(
            finished.load(Ordering::SeqCst),
            "the drop returned while a connection was still being opened"
        );
        opener.join().expect("opener");
        assert!(openings.wait_idle(Duration::ZERO));
    }

    #[test]
    fn the_wait_is_bounded() {
        let openings = Openings::default();
        let _stuck = openings.enter();
        assert!(!openings.wait_idle(Duration::from_millis(5)));
    }
}
