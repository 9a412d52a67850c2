//! Routing configuration: the [`Policy`], a user's [`Router`], the [`Replication`]
//! settings, what builders collect ([`ReplicaConfig`], and [`PoolOptions`] from the engine
//! layer), and the builder and handle methods every engine shares (as macros, so each
//! handle keeps inherent methods and its users import nothing to call them).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::sql::dialect::Dialect;

use crate::error::{Error, Result, redact_url};

use super::Access;

pub use crate::engine::pool::PoolOptions;

/// How reads are spread over the usable replicas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Policy {
    /// Each read goes to the next replica in turn.
    #[default]
    RoundRobin,
    /// Each read goes to the replica with the fewest operations of this handle in flight
    /// (ties in turn).
    LeastBusy,
}

/// Where a custom [`Router`] sends an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// What the handle would do without a router (primary for writes, a replica by the
    /// [`Policy`] for reads).
    Default,
    /// The primary.
    Primary,
    /// Any usable replica, by the [`Policy`] (the primary if none is usable).
    AnyReplica,
    /// Replica number `n` (in the order the builder was given them), or the primary when
    /// that replica is out of rotation. Routing a write here is
    /// [`Error::WriteOnReplica`].
    Replica(usize),
}

/// What a custom [`Router`] is asked about.
#[derive(Debug, Clone, Copy)]
pub struct RouteRequest<'a> {
    /// What the operation does and which table it names.
    pub access: Access,
    /// The tenant of the handle's scope (`db.session_for(tenant)`), if any.
    pub tenant: Option<&'a str>,
    /// How many replicas the handle has.
    pub replicas: usize,
}

/// Custom routing rules: by table, by tenant, anything computed from a [`RouteRequest`].
/// Called for every operation outside a transaction; keep it cheap.
///
/// Writes must stay on the primary: a router that sends one to a replica makes the
/// operation fail with [`Error::WriteOnReplica`] before anything is sent. Reads a router
/// sends to a replica still obey health and read-your-writes (they go to the primary while
/// that replica is out of rotation or behind the scope's writes).
///
/// ```
/// use ambidex_core::routing::{Route, RouteRequest, Router};
/// /// Reports read fresh data; tenant "big" has a replica of its own.
/// struct Rules;
/// impl Router for Rules {
///     fn route(&self, request: &RouteRequest<'_>) -> Route {
///         match (request.access.table(), request.tenant) {
///             (Some("reports"), _) => Route::Primary,
///             (_, Some("big")) if !request.access.writes() => Route::Replica(1),
///             _ => Route::Default,
///         }
///     }
/// }
/// ```
pub trait Router: Send + Sync + 'static {
    /// Where the operation described by `request` runs.
    fn route(&self, request: &RouteRequest<'_>) -> Route;
}

/// Replica settings beyond the URLs and the policy: lag limit, health checks,
/// read-your-writes. Pass to a builder's `.replication(..)`.
///
/// ```
/// use std::time::Duration;
/// use ambidex_core::routing::Replication;
/// let settings = Replication::new()
///     .max_lag(Duration::from_secs(5))
///     .health_interval(Duration::from_millis(500))
///     .read_your_writes_window(Duration::from_secs(2));
/// assert_eq!(settings.lag_limit(), Some(Duration::from_secs(5)));
/// ```
#[derive(Clone)]
pub struct Replication {
    pub(crate) policy: Policy,
    pub(crate) router: Option<Arc<dyn Router>>,
    pub(crate) max_lag: Option<Duration>,
    pub(crate) health_interval: Duration,
    pub(crate) read_your_writes: bool,
    pub(crate) window: Duration,
    pub(crate) connect_timeout: Duration,
}

impl Default for Replication {
    fn default() -> Self {
        Replication {
            policy: Policy::RoundRobin,
            router: None,
            max_lag: Some(Duration::from_secs(10)),
            health_interval: Duration::from_secs(1),
            read_your_writes: true,
            window: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(2),
        }
    }
}

impl fmt::Debug for Replication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replication")
            .field("policy", &self.policy)
            .field("router", &self.router.as_ref().map(|_| "custom"))
            .field("max_lag", &self.max_lag)
            .field("health_interval", &self.health_interval)
            .field("read_your_writes", &self.read_your_writes)
            .field("window", &self.window)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

impl Replication {
    /// The defaults: round robin, no router, 10 s lag limit, health checked at most once a
    /// second per replica, read-your-writes on with a 2 s window, 2 s to reach a replica.
    pub fn new() -> Replication {
        Replication::default()
    }

    /// How reads are spread (default [`Policy::RoundRobin`]).
    pub fn policy(mut self, policy: Policy) -> Replication {
        self.policy = policy;
        self
    }

    /// Custom routing rules.
    pub fn router(mut self, router: impl Router) -> Replication {
        self.router = Some(Arc::new(router));
        self
    }

    /// A replica whose measured lag is over `limit` leaves rotation until it is back under
    /// it (default 10 s). A replica whose lag cannot be measured (MariaDB's replication SQL
    /// thread stopped) counts as over the limit.
    pub fn max_lag(mut self, limit: Duration) -> Replication {
        self.max_lag = Some(limit);
        self
    }

    /// Replicas stay in rotation however far behind they are (health still counts).
    pub fn ignore_lag(mut self) -> Replication {
        self.max_lag = None;
        self
    }

    /// How often each replica's health and lag are measured, at most (default 1 s). The
    /// measurement is one query, run by the operation that finds the last one stale.
    pub fn health_interval(mut self, interval: Duration) -> Replication {
        self.health_interval = interval;
        self
    }

    /// Turns read-your-writes off: reads go to replicas even right after a write through
    /// the same scope (no position checks; a read may not see the scope's own writes).
    pub fn eventual_reads(mut self) -> Replication {
        self.read_your_writes = false;
        self
    }

    /// Where a replication position cannot be read, how long after a write the scope's
    /// reads stay on the primary (default 2 s).
    pub fn read_your_writes_window(mut self, window: Duration) -> Replication {
        self.window = window;
        self
    }

    /// How long an operation waits for a replica's connection before trying elsewhere
    /// (default 2 s): the replicas' pool acquire timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Replication {
        self.connect_timeout = timeout;
        self
    }

    /// The lag limit, if any.
    pub fn lag_limit(&self) -> Option<Duration> {
        self.max_lag
    }

    /// How long an operation waits for a replica's connection.
    pub fn replica_connect_timeout(&self) -> Duration {
        self.connect_timeout
    }
}

/// What a handle builder collects about replicas: their URLs and the [`Replication`]
/// settings. Engines keep it until they open.
#[derive(Clone, Default)]
pub struct ReplicaConfig {
    /// The replicas' URLs, in order.
    pub urls: Vec<String>,
    /// The settings.
    pub settings: Replication,
}

impl fmt::Debug for ReplicaConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let urls: Vec<String> = self.urls.iter().map(|u| redact_url(u)).collect();
        f.debug_struct("ReplicaConfig")
            .field("urls", &urls)
            .field("settings", &self.settings)
            .finish()
    }
}

impl ReplicaConfig {
    /// Adds a replica.
    pub fn add(&mut self, url: &str) {
        self.urls.push(url.to_string());
    }

    /// Checks the replicas against the primary's dialect before anything opens: SQLite
    /// has no replicas, and every replica must speak the primary's dialect.
    pub fn check(&self, primary: Dialect) -> Result<()> {
        if self.urls.is_empty() {
            return Ok(());
        }
        if primary == Dialect::Sqlite {
            return Err(Error::Config(
                "SQLite has no replication, so a SQLite database cannot have replicas; remove \
                 the `.replica(..)` calls, or use PostgreSQL or MariaDB for replicas"
                    .into(),
            ));
        }
        for url in &self.urls {
            let target = crate::url::Target::parse(url)?;
            if target.dialect() != primary {
                return Err(Error::Config(
                    format!(
                        "replica {} is a {} server but the primary is {}; replicas must be \
                         copies of the primary",
                        redact_url(url),
                        target.dialect().name(),
                        primary.name()
                    )
                    .into(),
                ));
            }
        }
        Ok(())
    }
}

/// The replica methods of every handle builder (`replica`, `routing`, `router`,
/// `replication`), written once: `$this => $config` names the builder and an expression
/// giving its `&mut ReplicaConfig`.
#[doc(hidden)]
#[macro_export]
macro_rules! replica_builder_methods {
    ($this:ident => $config:expr) => {
        /// Adds a read replica: a PostgreSQL streaming standby or a MariaDB/MySQL replica
        /// of the primary this builder opens. Plain reads go to replicas, writes, DDL and
        /// transactions to the primary (see [`ambidex_core::routing`]). Each replica gets
        /// a pool like the primary's and must answer when the handle opens. SQLite has no
        /// replicas: opening a SQLite handle with one is an [`ambidex_core::Error::Config`].
        pub fn replica(mut self, url: &str) -> Self {
            let $this = &mut self;
            $config.add(url);
            self
        }

        /// How reads are spread over the replicas (default
        /// [`ambidex_core::routing::Policy::RoundRobin`]).
        pub fn routing(mut self, policy: $crate::routing::Policy) -> Self {
            let $this = &mut self;
            let config: &mut $crate::routing::ReplicaConfig = $config;
            config.settings = config.settings.clone().policy(policy);
            self
        }

        /// Custom routing rules (by table, by tenant); see
        /// [`ambidex_core::routing::Router`].
        pub fn router(mut self, router: impl $crate::routing::Router) -> Self {
            let $this = &mut self;
            let config: &mut $crate::routing::ReplicaConfig = $config;
            config.settings = config.settings.clone().router(router);
            self
        }

        /// Every replica setting at once (lag limit, health checks, read-your-writes;
        /// [`ambidex_core::routing::Replication`]), replacing earlier `routing` and
        /// `router` calls.
        pub fn replication(mut self, settings: $crate::routing::Replication) -> Self {
            let $this = &mut self;
            $config.settings = settings;
            self
        }

        /// The replica configuration collected so far (for handles that wrap this one).
        #[doc(hidden)]
        pub fn replica_config(&mut self) -> &mut $crate::routing::ReplicaConfig {
            let $this = self;
            $config
        }
    };
}

/// The pool methods of every handle builder (`max_connections`, `acquire_timeout`,
/// `statement_timeout`), written once: `$this => $pool` names the builder and an
/// expression giving its `&mut PoolOptions<_>`. The first two take the builder's own doc
/// comment (pool sizes and what waits differ per engine); `statement_timeout` means the
/// same everywhere.
#[doc(hidden)]
#[macro_export]
macro_rules! pool_builder_methods {
    (
        $this:ident => $pool:expr;
        $(#[$max_doc:meta])* max_connections;
        $(#[$acquire_doc:meta])* acquire_timeout;
    ) => {
        $(#[$max_doc])*
        pub fn max_connections(mut self, max: u32) -> Self {
            let $this = &mut self;
            $pool.max_connections = Some(max);
            self
        }

        $(#[$acquire_doc])*
        pub fn acquire_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            let $this = &mut self;
            $pool.acquire_timeout = timeout.into();
            self
        }

        /// The pool settings `config` carries (read from the environment by
        /// [`EnvConfig::read`](ambidex_core::EnvConfig::read): `DATABASE_MAX_CONNECTIONS`,
        /// `DATABASE_ACQUIRE_TIMEOUT`, `DATABASE_STATEMENT_TIMEOUT`), replacing this
        /// builder's; the ones the environment leaves unset keep it. `builder_from_env()`
        /// on every handle calls it.
        pub fn env_settings(mut self, config: &$crate::url::env::EnvConfig) -> Self {
            if let Some(max) = config.max_connections {
                self = self.max_connections(max);
            }
            if let Some(timeout) = config.acquire_timeout {
                self = self.acquire_timeout(timeout);
            }
            if let Some(timeout) = config.statement_timeout {
                self = self.statement_timeout(timeout);
            }
            self
        }

        /// The longest any one statement may run (default: no limit). Every connection sets
        /// it when it opens: PostgreSQL's `statement_timeout`, MariaDB's `max_statement_time`
        /// (MySQL has no such setting and refuses it); a statement stopped by it fails with
        /// [`Error::Timeout`](ambidex_core::Error::Timeout). SQLite has no statement time
        /// limit: there it bounds how long a statement waits for another connection's lock
        /// (default 5 s), after which it fails with the retryable
        /// [`Error::Conflict`](ambidex_core::Error::Conflict).
        pub fn statement_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            let $this = &mut self;
            $pool.statement_timeout = Some(timeout);
            self
        }
    };
}

/// The scope methods of every handle with replicas (`session`, `session_for`,
/// `replica_status`, and `note_transaction` for its `begin`), written once. The handle
/// must be `Clone` with a field `scope: Scope`; `$this => $set` gives its
/// `Option<&ReplicaSet>`.
#[doc(hidden)]
#[macro_export]
macro_rules! replica_handle_methods {
    ($this:ident => $set:expr) => {
        /// A handle on the same pools with a scope of its own: reads through it see the
        /// writes made through it (read-your-writes), and no one else's writes hold them
        /// on the primary. Take one per request or unit of work; clones share their scope.
        /// Without replicas it is a plain clone.
        pub fn session(&self) -> Self {
            self.with_scope($crate::routing::Scope::new())
        }

        /// `session` for a tenant, which a custom [`ambidex_core::routing::Router`] sees
        /// in [`ambidex_core::routing::RouteRequest::tenant`].
        pub fn session_for(&self, tenant: &str) -> Self {
            self.with_scope($crate::routing::Scope::for_tenant(tenant))
        }

        fn with_scope(&self, scope: $crate::routing::Scope) -> Self {
            let mut handle = self.clone();
            handle.scope = scope;
            handle
        }

        /// Each replica's URL (password hidden), rotation state, measured lag and load, in
        /// the order the builder named them; empty without replicas.
        pub fn replica_status(&self) -> Vec<$crate::routing::ReplicaStatus> {
            let $this = self;
            let set: Option<&$crate::routing::ReplicaSet> = $set;
            set.map_or_else(Vec::new, |set| set.status())
        }

        /// Transactions run on the primary; one that may write holds the scope's reads
        /// there until the replicas catch up.
        pub(crate) fn note_transaction(&self, options: &$crate::ops::transaction::TxOptions) {
            let $this = self;
            let set: Option<&$crate::routing::ReplicaSet> = $set;
            if set.is_some() && !options.is_read_only() {
                self.scope.wrote();
            }
        }
    };
}
