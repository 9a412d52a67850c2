//! The async database handle: a connection pool plus what its errors need to say.
//!
//! [`Db`] is what users pass to terminal methods (`User::query().all(&db).await`); it is
//! cheap to clone and shared across tasks. [`DbBuilder`] tunes the pool before it opens.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ambidex_core::{Dialect, Error, Result};

use crate::backend::{self, Conn, Pool, PoolSettings};
use crate::error::ErrorContext;

/// How long an acquire waits for a free connection unless configured otherwise.
const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

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
#[derive(Clone)]
pub struct Db {
    shared: Arc<Shared>,
}

struct Shared {
    pool: Pool,
    ctx: Arc<ErrorContext>,
}

impl Db {
    /// Opens a pool with default settings; see [`Db::builder`] to tune it.
    ///
    /// At least one connection is opened before this returns, so a wrong path or an
    /// unreachable server fails here with [`Error::Connection`] and refused credentials
    /// with [`Error::Authentication`]; an unknown scheme or a backend this build does not
    /// include fails with [`Error::Config`].
    pub fn connect(url: &str) -> impl Future<Output = Result<Db>> + Send + 'static {
        Db::builder(url).connect()
    }

    /// Starts configuring a pool for `url`.
    pub fn builder(url: &str) -> DbBuilder {
        DbBuilder {
            url: url.to_string(),
            max_connections: None,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
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
        self.shared.pool.close().await;
    }

    /// Takes a connection from the pool.
    pub(crate) async fn acquire(&self) -> Result<Conn> {
        self.shared.pool.acquire(&self.shared.ctx).await
    }
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ctx = &self.shared.ctx;
        f.debug_struct("Db")
            .field("url", &ctx.url)
            .field("dialect", &ctx.dialect)
            .field("max_connections", &ctx.pool_size)
            .field("acquire_timeout", &ctx.acquire_timeout)
            .finish()
    }
}

/// Pool settings for a [`Db`], from [`Db::builder`].
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
#[derive(Clone)]
#[must_use = "a builder does nothing until `.connect().await`"]
pub struct DbBuilder {
    url: String,
    max_connections: Option<u32>,
    acquire_timeout: Duration,
}

impl DbBuilder {
    /// The most connections the pool opens at once (at least 1).
    ///
    /// Defaults to the number of CPUs, at least 4. An in-memory SQLite database always
    /// uses exactly one: each new connection to `:memory:` would otherwise risk seeing a
    /// database of its own (and shared-cache connections lock whole tables), so one
    /// connection serialises the work instead.
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = Some(max);
        self
    }

    /// How long a query waits for a free connection before failing with
    /// [`Error::PoolTimeout`] (default 30 s).
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// Opens the pool.
    ///
    /// The pool does not ping a connection before handing it out: the ping would double the
    /// cost of a primary-key lookup, and a broken connection fails its statement anyway.
    pub async fn connect(self) -> Result<Db> {
        if self.max_connections == Some(0) {
            return Err(Error::Config("max_connections must be at least 1".into()));
        }
        let settings = PoolSettings {
            max_connections: self.max_connections,
            acquire_timeout: self.acquire_timeout,
        };
        let opened = backend::connect(&self.url, &settings).await?;
        Ok(Db {
            shared: Arc::new(Shared {
                pool: opened.pool,
                ctx: Arc::new(opened.ctx),
            }),
        })
    }
}

impl fmt::Debug for DbBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbBuilder")
            .field("url", &ambidex_core::redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish()
    }
}
