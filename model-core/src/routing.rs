//! Read replicas: which server each operation runs on, decided once for every engine.
//!
//! A handle opened with replicas (`Db::builder(primary).replica(url)`) keeps one pool per
//! server. Every operation is a [`Plan`] that says what it does ([`Plan::access`]): reads
//! (`all`, `first`, `one`, `count`, `exists`, `get`, `select(..)`, raw SQL marked
//! [`crate::Raw::read_only`]) may go to a replica; everything else (writes, DDL, raw SQL
//! by default) and everything inside a transaction goes to the primary. [`run`] is the
//! whole procedure, written once as an `async fn` over a [`Lender`] (what each engine
//! implements: lend a connection of the primary or of replica *i*), so the blocking
//! engine (whose futures are complete when made) and the async engines share it:
//!
//! 1. **Choose** ([`ReplicaSet`]): a write goes to the primary; a read pinned with
//!    `.on_primary()` too; otherwise the custom [`Router`] (if any) may name the primary,
//!    one replica or any replica; "any" is ordered by the [`Policy`] (round robin, or the
//!    replica with the fewest operations in flight first). A router that sends a write to
//!    a replica gets [`Error::WriteOnReplica`], and nothing is sent.
//! 2. **Health**: a replica that failed (could not lend a connection, or lost one) or
//!    whose measured lag is over [`Replication::max_lag`] is out of rotation. Each replica
//!    is measured at most once per [`Replication::health_interval`], by the operation that
//!    finds the measurement stale (one extra query, on the replica), so a stopped replica
//!    leaves rotation on its next check and comes back on the first check that answers.
//!    With no usable replica, reads go to the primary.
//! 3. **Read your writes** ([`Scope`]): after a write (or a transaction that may write)
//!    through a scope, the scope's reads go to a replica only once it has applied the
//!    primary's position at the time of the first such read (PostgreSQL WAL LSN, MariaDB
//!    GTIDs); until then they go to the primary. Where a position cannot be read, reads go
//!    to the primary for [`Replication::read_your_writes_window`] after the write.
//!
//! Every decision is a `tracing` event (target `ambidex::routing`, level DEBUG) with the
//! operation's table, the server chosen, the reason and the measured lag.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::dialect::{Dialect, replication};
use crate::engine::{Connection, Plan, RowSink};
use crate::error::{Error, Result, redact_url};
use crate::row::{Cell, RowReader};
use crate::statement::Statement;

// ---------------------------------------------------------------------------------------
// What an operation does
// ---------------------------------------------------------------------------------------

/// What an operation does, as routing sees it: whether it writes, whether it must see the
/// primary, and the table it is about (for a custom [`Router`]).
///
/// ```
/// use ambidex_core::routing::Access;
/// assert!(Access::write().writes());
/// let read = Access::read(Some("users"));
/// assert!(!read.writes() && !read.needs_primary());
/// assert!(read.on_primary().needs_primary());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    writes: bool,
    primary: bool,
    table: Option<&'static str>,
}

impl Access {
    /// An operation that may write: always the primary. What a plan reports unless it
    /// says otherwise.
    pub const fn write() -> Access {
        Access {
            writes: true,
            primary: true,
            table: None,
        }
    }

    /// A read of `table` (if the operation names one), which a replica may serve.
    pub const fn read(table: Option<&'static str>) -> Access {
        Access {
            writes: false,
            primary: false,
            table,
        }
    }

    /// The same operation, pinned to the primary.
    pub const fn on_primary(mut self) -> Access {
        self.primary = true;
        self
    }

    /// The same operation, naming `table`.
    pub const fn on_table(mut self, table: &'static str) -> Access {
        self.table = Some(table);
        self
    }

    /// Whether the operation may write.
    pub const fn writes(&self) -> bool {
        self.writes
    }

    /// Whether the operation must run on the primary (a write, or a read pinned there).
    pub const fn needs_primary(&self) -> bool {
        self.primary
    }

    /// The table the operation is about, when it names one.
    pub const fn table(&self) -> Option<&'static str> {
        self.table
    }
}

/// A plan with its routing overridden: `.on_primary()` on a query, `read_only()` on raw
/// SQL. Runs `plan` unchanged.
pub struct Routed<P> {
    plan: P,
    access: Access,
}

impl<P: Plan> Routed<P> {
    /// Runs `plan` as `access` says.
    pub fn new(plan: P, access: Access) -> Routed<P> {
        Routed { plan, access }
    }

    /// Runs `plan` as it says, pinned to the primary if `primary`.
    pub fn pinned(plan: P, primary: bool) -> Routed<P> {
        let access = plan.access();
        Routed {
            plan,
            access: if primary { access.on_primary() } else { access },
        }
    }
}

impl<P: Plan> Plan for Routed<P> {
    type Output = P::Output;

    fn access(&self) -> Access {
        self.access
    }

    fn run<C: Connection>(self, conn: &mut C) -> impl Future<Output = Result<P::Output>> + Send {
        self.plan.run(conn)
    }
}

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

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
    policy: Policy,
    router: Option<Arc<dyn Router>>,
    max_lag: Option<Duration>,
    health_interval: Duration,
    read_your_writes: bool,
    window: Duration,
    connect_timeout: Duration,
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
        pub(crate) fn note_transaction(&self, options: &$crate::transaction::TxOptions) {
            let $this = self;
            let set: Option<&$crate::routing::ReplicaSet> = $set;
            if set.is_some() && !options.is_read_only() {
                self.scope.wrote();
            }
        }
    };
}

// ---------------------------------------------------------------------------------------
// State: replicas' health, and a scope's writes
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Health {
    /// Answered its last check (or has not been checked yet).
    up: bool,
    /// The last measured lag, if measured.
    lag: Option<Duration>,
    /// When the last check ran.
    checked: Option<Instant>,
    /// A check is running.
    checking: bool,
}

struct Node {
    url: Arc<str>,
    health: Mutex<Health>,
    busy: AtomicUsize,
    /// The furthest replay position seen on this replica (positions only grow), so that a
    /// scope whose writes it already shows needs no query of its own.
    applied: Mutex<Option<Position>>,
}

/// The replicas of one handle as routing sees them: their URLs (for messages), health,
/// lag and load, and the settings. Shared by every clone and scope of the handle; the
/// engine keeps the pools beside it, in the same order.
pub struct ReplicaSet {
    dialect: Dialect,
    nodes: Vec<Node>,
    settings: Replication,
    turn: AtomicUsize,
}

impl fmt::Debug for ReplicaSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplicaSet")
            .field("replicas", &self.status())
            .field("settings", &self.settings)
            .finish()
    }
}

/// One replica's state, from [`ReplicaSet::status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// The URL, with any password hidden.
    pub url: String,
    /// Whether reads may go there now (answered its last check, lag within the limit).
    pub in_rotation: bool,
    /// The last measured lag.
    pub lag: Option<Duration>,
    /// Operations of this handle running there now.
    pub in_flight: usize,
}

enum Choice {
    Primary(&'static str),
    Replicas(Vec<usize>),
}

impl ReplicaSet {
    /// The state for replicas at `urls` (already opened by the engine, in this order).
    pub fn new(dialect: Dialect, urls: &[String], settings: Replication) -> ReplicaSet {
        ReplicaSet {
            dialect,
            nodes: urls
                .iter()
                .map(|u| Node {
                    url: redact_url(u).into(),
                    health: Mutex::new(Health {
                        up: true,
                        lag: None,
                        checked: None,
                        checking: false,
                    }),
                    busy: AtomicUsize::new(0),
                    applied: Mutex::new(None),
                })
                .collect(),
            settings,
            turn: AtomicUsize::new(0),
        }
    }

    /// How many replicas there are.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Each replica's URL, rotation state, lag and load, in order.
    pub fn status(&self) -> Vec<ReplicaStatus> {
        self.nodes
            .iter()
            .map(|n| {
                let h = *lock(&n.health);
                ReplicaStatus {
                    url: n.url.to_string(),
                    in_rotation: self.usable(&h),
                    lag: h.lag,
                    in_flight: n.busy.load(Ordering::Relaxed),
                }
            })
            .collect()
    }

    fn usable(&self, h: &Health) -> bool {
        h.up && match self.settings.max_lag {
            None => true,
            // not yet measured: in rotation until the first check says otherwise
            Some(limit) => h.checked.is_none() || h.lag.is_some_and(|lag| lag <= limit),
        }
    }

    fn choose(&self, access: Access, tenant: Option<&str>) -> Result<Choice> {
        let route = match &self.settings.router {
            Some(router) => router.route(&RouteRequest {
                access,
                tenant,
                replicas: self.nodes.len(),
            }),
            None => Route::Default,
        };
        if access.writes() {
            return match route {
                Route::Default | Route::Primary => Ok(Choice::Primary("write")),
                Route::AnyReplica | Route::Replica(_) => {
                    let i = match route {
                        Route::Replica(i) => i,
                        _ => 0,
                    };
                    Err(Error::WriteOnReplica {
                        table: access.table(),
                        replica: self
                            .nodes
                            .get(i)
                            .map_or_else(|| format!("#{i}"), |n| n.url.to_string()),
                    })
                }
            };
        }
        if access.needs_primary() {
            return Ok(Choice::Primary("pinned to the primary"));
        }
        match route {
            Route::Primary => Ok(Choice::Primary("router")),
            Route::Replica(i) if i >= self.nodes.len() => Err(Error::Config(
                format!(
                    "the custom router chose replica {i}, but the handle has {} replicas \
                     (numbered from 0)",
                    self.nodes.len()
                )
                .into(),
            )),
            Route::Replica(i) => Ok(Choice::Replicas(vec![i])),
            Route::Default | Route::AnyReplica => Ok(Choice::Replicas(self.order())),
        }
    }

    /// Every replica, in the order the policy prefers them for the next read.
    fn order(&self) -> Vec<usize> {
        let n = self.nodes.len();
        let start = self.turn.fetch_add(1, Ordering::Relaxed) % n.max(1);
        let mut order: Vec<usize> = (0..n).map(|k| (start + k) % n).collect();
        if self.settings.policy == Policy::LeastBusy {
            // stable: ties keep their round-robin order
            order.sort_by_key(|&i| self.nodes[i].busy.load(Ordering::Relaxed));
        }
        order
    }

    /// Whether replica `i` needs a check now; if so, the caller runs it.
    fn claim_check(&self, i: usize) -> bool {
        let mut h = lock(&self.nodes[i].health);
        let stale = h
            .checked
            .is_none_or(|at| at.elapsed() >= self.settings.health_interval);
        if stale && !h.checking {
            h.checking = true;
            true
        } else {
            false
        }
    }

    fn record_check(&self, i: usize, outcome: std::result::Result<Option<Duration>, &Error>) {
        let node = &self.nodes[i];
        let mut h = lock(&node.health);
        let was = self.usable(&h);
        h.checking = false;
        h.checked = Some(Instant::now());
        match outcome {
            Ok(lag) => {
                h.up = true;
                h.lag = lag;
            }
            Err(_) => h.up = false,
        }
        let now = self.usable(&h);
        let lag_ms = h.lag.map(|l| l.as_millis() as u64);
        drop(h);
        match outcome {
            Err(e) => tracing::warn!(
                target: "ambidex::routing", replica = %node.url, error = %e,
                "replica failed its health check; out of rotation"
            ),
            Ok(_) if was && !now => tracing::warn!(
                target: "ambidex::routing", replica = %node.url, lag_ms,
                limit_ms = self.settings.max_lag.map(|l| l.as_millis() as u64),
                "replica lags beyond the limit (or its lag is unknown); out of rotation"
            ),
            Ok(_) if !was && now => tracing::info!(
                target: "ambidex::routing", replica = %node.url, lag_ms,
                "replica healthy again; back in rotation"
            ),
            Ok(_) => tracing::trace!(
                target: "ambidex::routing", replica = %node.url, lag_ms, "replica checked"
            ),
        }
    }

    /// Takes replica `i` out of rotation after it failed an operation; the next check
    /// (one health interval later) may bring it back.
    fn mark_down(&self, i: usize, error: &Error) {
        self.record_check(i, Err(error));
    }

    fn is_usable(&self, i: usize) -> bool {
        self.usable(&lock(&self.nodes[i].health))
    }

    fn lag(&self, i: usize) -> Option<Duration> {
        lock(&self.nodes[i].health).lag
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A unit of work whose reads must see its own writes: a request, a job, a script. Every
/// handle has one; clones of the handle share it, and `db.session()` gives a handle with
/// a fresh one (what a server does per request). Without replicas it costs nothing.
#[derive(Clone, Default)]
pub struct Scope(Arc<ScopeState>);

#[derive(Default)]
struct ScopeState {
    tenant: Option<Arc<str>>,
    pending: Mutex<Pending>,
    generation: AtomicU64,
}

#[derive(Default, Clone)]
struct Pending {
    /// Bumped by every write; a catch-up clears only the generation it checked.
    generation: u64,
    /// When the scope last wrote, if it may have writes replicas have not shown yet.
    wrote_at: Option<Instant>,
    /// The primary's position those writes must reach, once read.
    target: Option<Position>,
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("tenant", &self.0.tenant)
            .field("waiting_for_replicas", &self.has_pending_writes())
            .finish()
    }
}

impl Scope {
    /// A fresh scope with no writes.
    pub fn new() -> Scope {
        Scope::default()
    }

    /// A fresh scope for `tenant`, which a custom [`Router`] sees in
    /// [`RouteRequest::tenant`].
    pub fn for_tenant(tenant: impl Into<Arc<str>>) -> Scope {
        Scope(Arc::new(ScopeState {
            tenant: Some(tenant.into()),
            ..ScopeState::default()
        }))
    }

    /// The tenant, if any.
    pub fn tenant(&self) -> Option<&str> {
        self.0.tenant.as_deref()
    }

    /// Records that the scope wrote (or opened a transaction that may write): its reads go
    /// to the primary until a replica has caught up.
    pub fn wrote(&self) {
        let generation = self.0.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let mut p = lock(&self.0.pending);
        p.generation = generation;
        p.wrote_at = Some(Instant::now());
        p.target = None;
    }

    /// Whether the scope has writes that replicas may not show yet.
    pub fn has_pending_writes(&self) -> bool {
        lock(&self.0.pending).wrote_at.is_some()
    }

    fn pending(&self) -> Pending {
        lock(&self.0.pending).clone()
    }

    fn set_target(&self, generation: u64, target: Position) {
        let mut p = lock(&self.0.pending);
        if p.generation == generation {
            p.target = Some(target);
        }
    }

    fn caught_up(&self, generation: u64) {
        let mut p = lock(&self.0.pending);
        if p.generation == generation {
            p.wrote_at = None;
            p.target = None;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Replication positions
// ---------------------------------------------------------------------------------------

/// A replication position: a PostgreSQL WAL LSN, or MariaDB GTIDs (domain, sequence).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Position {
    Lsn(u64),
    Gtids(Vec<(u32, u64)>),
}

impl Position {
    fn parse(dialect: Dialect, text: &str) -> Option<Position> {
        match dialect {
            Dialect::Postgres => {
                let (hi, lo) = text.trim().split_once('/')?;
                let hi = u64::from_str_radix(hi, 16).ok()?;
                let lo = u64::from_str_radix(lo, 16).ok()?;
                Some(Position::Lsn((hi << 32) | lo))
            }
            Dialect::Mysql => {
                let mut gtids = Vec::new();
                for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let mut fields = part.split('-');
                    let domain = fields.next()?.parse().ok()?;
                    let _server: u64 = fields.next()?.parse().ok()?;
                    let seq = fields.next()?.parse().ok()?;
                    gtids.push((domain, seq));
                }
                Some(Position::Gtids(gtids))
            }
            Dialect::Sqlite => None,
        }
    }

    /// Whether a replica at `self` has applied everything up to `target`.
    fn reached(&self, target: &Position) -> bool {
        match (self, target) {
            (Position::Lsn(have), Position::Lsn(want)) => have >= want,
            (Position::Gtids(have), Position::Gtids(want)) => want
                .iter()
                .all(|(domain, seq)| have.iter().any(|(d, s)| d == domain && s >= seq)),
            _ => false,
        }
    }
}

/// The first column of the first row as text, if not NULL.
struct TextAt(Option<Option<String>>);

impl RowSink for TextAt {
    type Item = Option<String>;
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Option<String>> {
        Ok(match row.cell(0)? {
            Cell::Null => None,
            Cell::Text(t) => Some(t.into_owned()),
            Cell::Blob(b) => Some(String::from_utf8_lossy(&b).into_owned()),
            other => Some(other.describe()),
        })
    }
    fn push(&mut self, item: Option<String>) -> Result<()> {
        if self.0.is_none() {
            self.0 = Some(item);
        }
        Ok(())
    }
}

/// Column `I` of the first row as seconds, if not NULL.
struct SecondsAt<const I: usize>(Option<Option<f64>>);

impl<const I: usize> RowSink for SecondsAt<I> {
    type Item = Option<f64>;
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Option<f64>> {
        if row.width() <= I {
            return Err(Error::Internal(
                format!("a replication status row has {} columns", row.width()).into(),
            ));
        }
        Ok(match row.cell(I)? {
            Cell::Int(i) => Some(i as f64),
            Cell::Float(f) => Some(f),
            Cell::Text(t) => t.trim().parse().ok(),
            Cell::Blob(b) => std::str::from_utf8(&b)
                .ok()
                .and_then(|t| t.trim().parse().ok()),
            Cell::Null | Cell::Bool(_) => None,
        })
    }
    fn push(&mut self, item: Option<f64>) -> Result<()> {
        if self.0.is_none() {
            self.0 = Some(item);
        }
        Ok(())
    }
}

async fn read_position<C: Connection>(conn: &mut C, sql: Option<&'static str>) -> Option<Position> {
    let dialect = conn.dialect();
    let sql = sql?;
    match conn.fetch(Statement::plain(sql), TextAt(None)).await {
        Ok(TextAt(Some(Some(text)))) => Position::parse(dialect, &text),
        Ok(_) => None,
        Err(e) => {
            tracing::debug!(target: "ambidex::routing", error = %e, "replication position unavailable");
            None
        }
    }
}

/// Measures a replica's lag on `conn`: `Ok(None)` when it cannot be measured.
async fn measure_lag<C: Connection>(conn: &mut C) -> Result<Option<Duration>> {
    let Some((sql, column)) = replication::replica_lag(conn.dialect()) else {
        return Ok(Some(Duration::ZERO));
    };
    let seconds = match column {
        0 => {
            conn.fetch(Statement::plain(sql), SecondsAt::<0>(None))
                .await?
                .0
        }
        32 => {
            conn.fetch(Statement::plain(sql), SecondsAt::<32>(None))
                .await?
                .0
        }
        _ => {
            return Err(Error::Internal(
                "unexpected replication status column".into(),
            ));
        }
    };
    Ok(match seconds {
        // no status row: not replicating, so nothing to lag behind
        None => Some(Duration::ZERO),
        Some(None) => None,
        Some(Some(s)) => Some(Duration::from_secs_f64(s.max(0.0))),
    })
}

// ---------------------------------------------------------------------------------------
// The procedure
// ---------------------------------------------------------------------------------------

/// What an engine implements so that [`run`] can route: lend a connection of the primary
/// or of a replica (by its index in the [`ReplicaSet`]), and run a plan on one.
pub trait Lender: Sync {
    /// A lent connection; returned to its pool when dropped.
    type Conn: Connection;

    /// A connection of the primary.
    fn primary(&self) -> impl Future<Output = Result<Self::Conn>> + Send;

    /// A connection of replica `index`.
    fn replica(&self, index: usize) -> impl Future<Output = Result<Self::Conn>> + Send;

    /// Runs `plan` on `conn` (an engine may dispatch once here instead of per statement).
    fn run<P: Plan>(
        conn: &mut Self::Conn,
        plan: P,
    ) -> impl Future<Output = Result<P::Output>> + Send {
        plan.run(conn)
    }
}

/// A health check in progress; dropped unfinished (the operation was cancelled), it lets
/// the next read check instead.
struct Claim<'a> {
    set: &'a ReplicaSet,
    index: usize,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        lock(&self.set.nodes[self.index].health).checking = false;
    }
}

/// Counts an operation in flight on a replica, for [`Policy::LeastBusy`].
struct Busy<'a>(&'a AtomicUsize);

impl<'a> Busy<'a> {
    fn new(counter: &'a AtomicUsize) -> Busy<'a> {
        counter.fetch_add(1, Ordering::Relaxed);
        Busy(counter)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Runs `plan` where routing says: the primary, or a healthy replica that has caught up
/// with `scope`'s writes. The whole of routing; see the module docs.
pub fn run<'a, L: Lender, P: Plan + 'a>(
    lender: &'a L,
    set: &'a ReplicaSet,
    scope: &'a Scope,
    plan: P,
) -> impl Future<Output = Result<P::Output>> + Send + 'a {
    use tracing::Instrument;
    let access = plan.access();
    let span = tracing::debug_span!(
        target: "ambidex::routing",
        "ambidex.route",
        table = access.table().unwrap_or(""),
        writes = access.writes(),
    );
    route(lender, set, scope, access, plan).instrument(span)
}

async fn route<L: Lender, P: Plan>(
    lender: &L,
    set: &ReplicaSet,
    scope: &Scope,
    access: Access,
    plan: P,
) -> Result<P::Output> {
    let table = access.table().unwrap_or("");
    let choice = set.choose(access, scope.tenant())?;
    let candidates = match choice {
        Choice::Primary(reason) => {
            tracing::debug!(target: "ambidex::routing", table, server = "primary", reason, "route");
            return on_primary(lender, scope, access, plan).await;
        }
        Choice::Replicas(candidates) => candidates,
    };
    let pending = if set.settings.read_your_writes {
        scope.pending()
    } else {
        Pending::default()
    };
    let mut target = pending.target.clone();
    if pending.wrote_at.is_some() && target.is_none() {
        // the position the scope's writes must reach: read once, then compared per replica
        if let Some(sql) = replication::primary_position(set.dialect)
            && let Ok(mut conn) = lender.primary().await
        {
            target = read_position(&mut conn, Some(sql)).await;
            if let Some(t) = &target {
                scope.set_target(pending.generation, t.clone());
            }
        }
    }
    let mut reason = "no replica in rotation";
    for i in candidates {
        if set.claim_check(i) {
            // if this future is dropped mid-check, the claim is released for the next read
            let claim = Claim { set, index: i };
            let outcome = match lender.replica(i).await {
                Ok(mut conn) => measure_lag(&mut conn).await,
                Err(e) => Err(e),
            };
            std::mem::forget(claim);
            set.record_check(i, outcome.as_ref().map(|lag| *lag));
        }
        if !set.is_usable(i) {
            continue;
        }
        let node = &set.nodes[i];
        let mut conn = match lender.replica(i).await {
            Ok(conn) => conn,
            Err(Error::PoolTimeout { .. }) => {
                reason = "replicas busy";
                continue;
            }
            Err(e) => {
                set.mark_down(i, &e);
                continue;
            }
        };
        if let Some(wrote_at) = pending.wrote_at {
            let caught_up = match &target {
                Some(t) if lock(&node.applied).as_ref().is_some_and(|at| at.reached(t)) => {
                    Some(true)
                }
                Some(t) => {
                    let replica = replication::replica_position(set.dialect);
                    let at = read_position(&mut conn, replica).await;
                    let reached = at.as_ref().map(|at| at.reached(t));
                    if let Some(at) = at {
                        let mut applied = lock(&node.applied);
                        if applied.as_ref().is_none_or(|seen| at.reached(seen)) {
                            *applied = Some(at);
                        }
                    }
                    reached
                }
                None => None,
            };
            let caught_up = caught_up.unwrap_or_else(|| wrote_at.elapsed() >= set.settings.window);
            if !caught_up {
                reason = "read your writes: replicas behind";
                continue;
            }
            scope.caught_up(pending.generation);
        }
        let lag_ms = set.lag(i).map(|l| l.as_millis() as u64);
        tracing::debug!(
            target: "ambidex::routing", table, server = "replica", replica = %node.url, lag_ms,
            "route"
        );
        let _busy = Busy::new(&node.busy);
        let result = L::run(&mut conn, plan).await;
        if let Err(e @ Error::Connection { .. }) = &result {
            set.mark_down(i, e);
        }
        return result;
    }
    tracing::debug!(target: "ambidex::routing", table, server = "primary", reason, "route");
    on_primary(lender, scope, access, plan).await
}

async fn on_primary<L: Lender, P: Plan>(
    lender: &L,
    scope: &Scope,
    access: Access,
    plan: P,
) -> Result<P::Output> {
    let mut conn = lender.primary().await?;
    if access.writes() {
        // before the plan runs: a write that fails halfway may still have written
        scope.wrote();
    }
    L::run(&mut conn, plan).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsn_positions_compare_numerically() {
        let a = Position::parse(Dialect::Postgres, "0/3000148").unwrap();
        let b = Position::parse(Dialect::Postgres, "1/0").unwrap();
        assert!(b.reached(&a));
        assert!(!a.reached(&b));
        assert!(a.reached(&a));
        assert_eq!(Position::parse(Dialect::Postgres, "garbage"), None);
    }

    #[test]
    fn gtid_positions_compare_per_domain() {
        let want = Position::parse(Dialect::Mysql, "0-10-7,1-11-3").unwrap();
        let ahead = Position::parse(Dialect::Mysql, "0-10-9, 1-11-3").unwrap();
        let behind = Position::parse(Dialect::Mysql, "0-10-9").unwrap();
        assert!(ahead.reached(&want));
        assert!(!behind.reached(&want));
        let empty = Position::parse(Dialect::Mysql, "").unwrap();
        assert!(empty.reached(&Position::Gtids(vec![])));
        assert!(!empty.reached(&want));
    }

    struct SendWritesToReplica;
    impl Router for SendWritesToReplica {
        fn route(&self, _: &RouteRequest<'_>) -> Route {
            Route::Replica(0)
        }
    }

    fn set(settings: Replication) -> ReplicaSet {
        let urls = [
            "postgres://u:secret@a/x".to_string(),
            "postgres://b/x".to_string(),
        ];
        ReplicaSet::new(Dialect::Postgres, &urls, settings)
    }

    #[test]
    fn a_router_cannot_send_writes_to_a_replica() {
        let s = set(Replication::new().router(SendWritesToReplica));
        let err = s.choose(Access::write(), None).err().unwrap();
        assert!(matches!(err, Error::WriteOnReplica { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("Route::Primary") && !text.contains("secret"),
            "{text}"
        );
        assert!(matches!(s.choose(Access::read(None), None), Ok(Choice::Replicas(v)) if v == [0]));
    }

    #[test]
    fn round_robin_takes_turns_and_least_busy_prefers_idle() {
        let s = set(Replication::new());
        let firsts: Vec<usize> = (0..4).map(|_| s.order()[0]).collect();
        assert_eq!(firsts, [0, 1, 0, 1]);
        let s = set(Replication::new().policy(Policy::LeastBusy));
        let _busy = Busy::new(&s.nodes[0].busy);
        assert_eq!(s.order()[0], 1);
        assert_eq!(s.order()[0], 1);
    }

    #[test]
    fn lagging_or_failed_replicas_leave_rotation() {
        let s = set(Replication::new().max_lag(Duration::from_secs(1)));
        assert!(s.is_usable(0));
        s.record_check(0, Ok(Some(Duration::from_secs(5))));
        assert!(!s.is_usable(0));
        s.record_check(0, Ok(None));
        assert!(!s.is_usable(0), "unknown lag counts as over the limit");
        s.record_check(0, Ok(Some(Duration::ZERO)));
        assert!(s.is_usable(0));
        s.mark_down(1, &Error::Internal("x".into()));
        assert!(!s.is_usable(1));
        let lenient = set(Replication::new().ignore_lag());
        lenient.record_check(0, Ok(None));
        assert!(lenient.is_usable(0));
    }

    #[test]
    fn a_check_dropped_halfway_is_claimed_again() {
        let s = set(Replication::new());
        assert!(s.claim_check(0));
        assert!(!s.claim_check(0), "one check at a time");
        drop(Claim { set: &s, index: 0 });
        assert!(
            s.claim_check(0),
            "a cancelled check does not block the next"
        );
    }

    #[test]
    fn writes_and_pinned_reads_go_to_the_primary() {
        let s = set(Replication::new());
        assert!(matches!(
            s.choose(Access::write(), None),
            Ok(Choice::Primary(_))
        ));
        let pinned = Access::read(Some("t")).on_primary();
        assert!(matches!(s.choose(pinned, None), Ok(Choice::Primary(_))));
    }

    #[test]
    fn configuration_never_shows_a_password() {
        let mut config = ReplicaConfig::default();
        config.add("postgres://app:hunter2@replica/db");
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("app:***"),
            "{shown}"
        );
        let set = ReplicaSet::new(Dialect::Postgres, &config.urls, Replication::new());
        assert!(!format!("{set:?}").contains("hunter2"));
    }

    #[test]
    fn sqlite_refuses_replicas() {
        let mut config = ReplicaConfig::default();
        config.add("sqlite://other.db");
        let err = config.check(Dialect::Sqlite).unwrap_err();
        assert!(
            err.to_string().contains("SQLite has no replication"),
            "{err}"
        );
        let mut config = ReplicaConfig::default();
        config.add("mysql://h/db");
        assert!(config.check(Dialect::Postgres).is_err());
    }

    #[test]
    fn a_scope_forgets_only_the_writes_it_checked() {
        let scope = Scope::new();
        scope.wrote();
        let first = scope.pending().generation;
        scope.wrote();
        scope.caught_up(first);
        assert!(scope.has_pending_writes());
        scope.caught_up(scope.pending().generation);
        assert!(!scope.has_pending_writes());
    }
}
