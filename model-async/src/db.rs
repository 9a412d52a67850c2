//! The async database handle: a connection pool plus what its errors need to say.
//!
//! [`Db`] is what users pass to terminal methods (`User::query().all(&db).await`); it is
//! cheap to clone and shared across tasks. [`DbBuilder`] tunes the pool before it opens.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use ambidex_core::{Dialect, Error, Result};

use crate::backend::{self, AnyBackend, PoolSettings, SqlxBackend};
use crate::error::ErrorContext;

/// An async database: a pool of connections, shared by every task that clones it.
///
/// `Db` is `Clone + Send + Sync`; clones share one pool. Pass `&db` to any terminal method
/// to run it on a pooled connection, or open a transaction with [`Db::begin`] or
/// [`Db::transaction`].
///
/// Supported URLs (the scheme picks the backend):
///
/// | URL | Database |
/// | --- | --- |
/// | `sqlite://path/app.db`, `sqlite:path/app.db` | a SQLite file, created if missing |
/// | `sqlite:///abs/path/app.db` | a SQLite file by absolute path |
/// | `sqlite::memory:` | a private in-memory SQLite database |
/// | `postgres://user:password@host:5432/db` (or `postgresql://`) | a PostgreSQL database (feature `postgres`) |
/// | `mysql://user:password@host:3306/db` (or `mariadb://`) | a MySQL or MariaDB database (feature `mysql`) |
///
/// Server URLs take sqlx's parameters, e.g. `?sslmode=require`, or
/// `?options=-c%20search_path%3Dapp` to set a PostgreSQL schema search path. sqlx cannot
/// log in to MySQL/MariaDB with an empty password (sqlx issue 3484). A URL whose backend
/// is not compiled in is refused with [`Error::Config`]. Printing a `Db` (or any error it
/// returns) never shows a password.
///
/// # Which handle
///
/// - [`Db`] (`Database<AnyBackend>`): the backend is chosen by the URL at run time, so one
///   binary serves SQLite in tests and PostgreSQL in production. Each operation goes
///   through one `match` over the compiled backends. Pick it unless you know better.
/// - `SqliteDb`, `PgDb`, `MysqlDb` (`Database<sqlx::Sqlite>`...): one backend, fixed
///   at compile time, holding that backend's sqlx pool and connections directly, with no
///   dispatch. Connecting one to another backend's URL is an [`Error::Config`] naming the
///   scheme it expects. Pick one when an application only ever talks to one backend and
///   wants that said in its types.
///
/// Both run the same operations with the same results and errors; transactions, savepoints
/// and every terminal method are the same code for every backend `B`.
pub struct Database<B: SqlxBackend = AnyBackend> {
    pub(crate) shared: Arc<Shared<B>>,
    /// The unit of work whose reads must see its writes (see `Database::session`).
    pub(crate) scope: ambidex_core::routing::Scope,
}

/// The async handle for whichever backend the URL names (`sqlite://`, `postgres://`,
/// `mysql://`...): the one most programs want. See [`Database`] for the one-backend
/// handles.
pub type Db = Database<AnyBackend>;

/// An async handle for SQLite only, with no backend dispatch (see [`Database`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> ambidex_core::Result<()> {
/// let db = ambidex_async::SqliteDb::connect("sqlite::memory:").await?;
/// assert_eq!(ambidex_core::raw("CREATE TABLE t (x INTEGER)").execute(&db).await?, 0);
/// let err = ambidex_async::SqliteDb::connect("postgres://localhost/app").await.unwrap_err();
/// assert!(matches!(err, ambidex_core::Error::Config(_)), "{err}");
/// # Ok(()) }
/// ```
#[cfg(feature = "sqlite")]
pub type SqliteDb = Database<sqlx::Sqlite>;

/// An async handle for PostgreSQL only, with no backend dispatch (see [`Database`]).
#[cfg(feature = "postgres")]
pub type PgDb = Database<sqlx::Postgres>;

/// An async handle for MySQL / MariaDB only, with no backend dispatch (see [`Database`]).
#[cfg(feature = "mysql")]
pub type MysqlDb = Database<sqlx::MySql>;

pub(crate) struct Shared<B: SqlxBackend> {
    pool: B::Pool,
    ctx: Arc<ErrorContext>,
    /// Read replicas, if configured (see `replicas.rs`).
    pub(crate) replicas: Option<crate::replicas::Replicas<B>>,
}

impl<B: SqlxBackend> Clone for Database<B> {
    fn clone(&self) -> Self {
        Database {
            shared: Arc::clone(&self.shared),
            scope: self.scope.clone(),
        }
    }
}

impl<B: SqlxBackend> Database<B> {
    /// Opens a pool with default settings; see [`Db::builder`] to tune it.
    ///
    /// At least one connection is opened before this returns, so a wrong path or an
    /// unreachable server fails here with [`Error::Connection`] and refused credentials
    /// with [`Error::Authentication`]; an unknown scheme, a backend this build does not
    /// include, or (for a one-backend handle) another backend's URL fails with
    /// [`Error::Config`]. Call it through an alias ([`Db::connect`],
    /// `SqliteDb::connect`...), which fixes the backend.
    pub fn connect(url: &str) -> impl Future<Output = Result<Self>> + Send + 'static {
        Self::builder(url).connect()
    }

    /// Opens the database `DATABASE_URL` names, with the pool settings the environment
    /// gives (see [`ambidex_core::url::env`]); [`Error::Config`] when `DATABASE_URL` is
    /// unset or a setting does not parse.
    pub fn from_env() -> impl Future<Output = Result<Self>> + Send + 'static {
        let builder = Self::builder_from_env();
        async move { builder?.connect().await }
    }

    /// A builder for the database `DATABASE_URL` names, with the environment's pool
    /// settings applied, to add more before connecting.
    pub fn builder_from_env() -> Result<DbBuilder<B>> {
        let config = ambidex_core::EnvConfig::read()?;
        Ok(Self::builder(&config.url).env_settings(&config))
    }

    /// Starts configuring a pool for `url`.
    pub fn builder(url: &str) -> DbBuilder<B> {
        DbBuilder {
            url: url.to_string(),
            pool: PoolSettings::default(),
            replicas: Default::default(),
            backend: PhantomData,
        }
    }

    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.shared.ctx.dialect
    }

    /// The most connections the pool opens at once.
    pub fn max_connections(&self) -> u32 {
        self.shared.ctx.pool_size
    }

    /// Closes the pool: new acquires fail with [`Error::Connection`], and this waits until
    /// every checked-out connection came back, then closes them all. Every clone of this
    /// `Db` is affected.
    pub async fn close(&self) {
        B::close(&self.shared.pool).await;
    }

    /// Takes a connection from the primary's pool, for one operation or a transaction
    /// (see [`Database::acquire`] for one the caller holds).
    pub(crate) async fn checkout(&self) -> Result<B::Conn> {
        require_runtime::<B>()?;
        B::acquire(&self.shared.pool, &self.shared.ctx).await
    }
}

/// Refuses to go on outside a Tokio runtime, where sqlx would panic: every I/O and timer of
/// an sqlx handle needs one.
pub(crate) fn require_runtime<B: SqlxBackend>() -> Result<()> {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => Ok(()),
        Err(_) => Err(Error::outside_runtime(B::HANDLE)),
    }
}

impl<B: SqlxBackend> fmt::Debug for Database<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ctx = &self.shared.ctx;
        f.debug_struct(B::HANDLE)
            .field("url", &ctx.url)
            .field("dialect", &ctx.dialect)
            .field("max_connections", &ctx.pool_size)
            .field("acquire_timeout", &ctx.acquire_timeout)
            .field("statement_timeout", &ctx.statement_timeout)
            .field("replicas", &self.shared.replicas.as_ref().map(|r| &r.set))
            .finish()
    }
}

/// Pool settings for a [`Database`], from [`Database::builder`] ([`Db::builder`],
/// `SqliteDb::builder`...).
///
/// ```
/// # async fn demo() -> ambidex_core::Result<()> {
/// use std::time::Duration;
/// let db = ambidex_async::Db::builder("sqlite://app.db")
///     .max_connections(8)
///     .acquire_timeout(Duration::from_secs(5))
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a builder does nothing until `.connect().await`"]
pub struct DbBuilder<B: SqlxBackend = AnyBackend> {
    url: String,
    pool: PoolSettings,
    pub(crate) replicas: ambidex_core::routing::ReplicaConfig,
    backend: PhantomData<fn() -> B>,
}

impl<B: SqlxBackend> Clone for DbBuilder<B> {
    fn clone(&self) -> Self {
        DbBuilder {
            url: self.url.clone(),
            pool: self.pool,
            replicas: self.replicas.clone(),
            backend: PhantomData,
        }
    }
}

impl<B: SqlxBackend> DbBuilder<B> {
    ambidex_core::pool_builder_methods!(builder => &mut builder.pool;
        /// The most connections the pool opens at once (at least 1).
        ///
        /// Defaults to the number of CPUs, at least 4. An in-memory SQLite database always
        /// uses exactly one: each new connection to `:memory:` would otherwise risk seeing a
        /// database of its own (and shared-cache connections lock whole tables), so one
        /// connection serialises the work instead.
        max_connections;
        /// How long a query waits for a free connection before failing with
        /// [`Error::PoolTimeout`] (default 30 s).
        acquire_timeout;
    );

    /// The pool settings collected so far (for handles that wrap this one).
    #[doc(hidden)]
    pub fn pool_options(&mut self) -> &mut PoolSettings {
        &mut self.pool
    }

    /// Opens the pool.
    ///
    /// The pool does not ping a connection before handing it out: the ping would double the
    /// cost of a primary-key lookup, and a broken connection fails its statement anyway.
    pub async fn connect(self) -> Result<Database<B>> {
        require_runtime::<B>()?;
        if self.pool.max_connections == Some(0) {
            return Err(Error::Config("max_connections must be at least 1".into()));
        }
        let settings = self.pool;
        self.replicas
            .check(ambidex_core::Target::parse(&self.url)?.dialect())?;
        let opened = backend::connect::<B>(&self.url, &settings).await?;
        let dialect = opened.ctx.dialect;
        let replicas = crate::replicas::open::<B>(&self.replicas, settings, dialect).await?;
        Ok(Database {
            shared: Arc::new(Shared {
                pool: opened.pool,
                ctx: Arc::new(opened.ctx),
                replicas,
            }),
            scope: ambidex_core::routing::Scope::new(),
        })
    }

    /// Opens a pool with no replicas (one of a handle's replicas).
    pub(crate) async fn connect_one(url: &str, settings: &PoolSettings) -> Result<Database<B>> {
        let opened = backend::connect::<B>(url, settings).await?;
        Ok(Database {
            shared: Arc::new(Shared {
                pool: opened.pool,
                ctx: Arc::new(opened.ctx),
                replicas: None,
            }),
            scope: ambidex_core::routing::Scope::new(),
        })
    }
}

impl<B: SqlxBackend> fmt::Debug for DbBuilder<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("DbBuilder");
        out.field("url", &ambidex_core::redact_url(&self.url));
        self.pool.debug_fields(&mut out);
        out.field("replicas", &self.replicas).finish()
    }
}
