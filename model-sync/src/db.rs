//! The blocking database handle: a pool of diesel connections opened from a URL.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ambidex_core::{Dialect, Error, Result, Target, redact_url};

use crate::manager::Manager;

/// The default number of pooled connections (a blocking program rarely runs more threads
/// against one database than this; raise it with [`DbBuilder::max_connections`]).
const DEFAULT_MAX_CONNECTIONS: u32 = 8;

/// How long a caller waits for a free connection before [`Error::PoolTimeout`].
const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) type Pool = r2d2::Pool<Manager>;
pub(crate) type Pooled = r2d2::PooledConnection<Manager>;

/// A blocking database: a pool of diesel connections. Cheap to clone; share it between
/// threads.
///
/// Pass `&db` (or `&mut db`) to any terminal method: `User::query().all(&db)?`.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    dialect: Dialect,
    url: Arc<str>,
    max_connections: u32,
    acquire_timeout: Duration,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Db")
            .field("url", &self.url)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

/// Options for opening a blocking [`Db`].
#[derive(Clone)]
pub struct DbBuilder {
    url: String,
    max_connections: Option<u32>,
    acquire_timeout: Duration,
}

impl fmt::Debug for DbBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbBuilder")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish()
    }
}

impl DbBuilder {
    /// The most connections the pool holds (default 8; always 1 for `sqlite::memory:`,
    /// where every connection would be a separate database).
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = Some(n);
        self
    }

    /// How long a caller waits for a free connection (default 30 s).
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// Opens the database, checking that one connection can be made.
    pub fn open(self) -> Result<Db> {
        let target = Target::parse(&self.url)?;
        let dialect = target.dialect();
        if self.max_connections == Some(0) {
            return Err(Error::Config("a pool needs at least one connection".into()));
        }
        let memory = target.is_memory();
        let max = if memory {
            1
        } else {
            self.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS)
        };
        let url: Arc<str> = redact_url(&self.url).into();
        let mut builder = r2d2::Pool::builder()
            .max_size(max)
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(self.acquire_timeout)
            .error_handler(Box::new(r2d2::NopErrorHandler));
        if memory {
            // An in-memory database lives exactly as long as its one connection: never let
            // the pool retire it.
            builder = builder.max_lifetime(None).idle_timeout(None);
        }
        let pool = builder.build(Manager {
            target: target.clone(),
        });
        let pool = match pool {
            Ok(p) => p,
            // Surface the real reason (feature disabled, bad path) rather than r2d2's timeout.
            Err(e) => {
                return Err(match crate::backend::AnyConnection::establish(&target) {
                    Err(real) => real,
                    Ok(_) => Error::connection(&url, e),
                });
            }
        };
        Ok(Db {
            pool,
            dialect,
            url,
            max_connections: max,
            acquire_timeout: self.acquire_timeout,
        })
    }
}

impl Db {
    /// Opens `url` (`sqlite://app.db`, `sqlite::memory:`) with default options.
    ///
    /// ```
    /// let db = ambidex_sync::Db::open("sqlite::memory:")?;
    /// assert_eq!(db.dialect(), ambidex_core::Dialect::Sqlite);
    /// # Ok::<(), ambidex_core::Error>(())
    /// ```
    pub fn open(url: &str) -> Result<Db> {
        Db::builder(url).open()
    }

    /// Options for opening `url`.
    pub fn builder(url: &str) -> DbBuilder {
        DbBuilder {
            url: url.to_string(),
            max_connections: None,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
        }
    }

    /// The backend's dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
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

    /// A pooled connection, waiting up to the acquire timeout.
    pub(crate) fn checkout(&self) -> Result<Pooled> {
        self.pool.get().map_err(|e| {
            if self.pool.state().connections == 0 {
                Error::connection(&self.url, e)
            } else {
                Error::PoolTimeout {
                    waited: self.acquire_timeout,
                    pool_size: self.max_connections,
                }
            }
        })
    }
}
