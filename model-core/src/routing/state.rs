//! Routing state: each replica's health, lag and load ([`ReplicaSet`], and the choice of
//! server for an operation), and a unit of work's pending writes ([`Scope`]).

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{Error, Result, redact_url};
use crate::sql::dialect::Dialect;

use super::position::*;
use super::{Access, Policy, Replication, Route, RouteRequest};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Health {
    /// Answered its last check (or has not been checked yet).
    pub(crate) up: bool,
    /// The last measured lag, if measured.
    pub(crate) lag: Option<Duration>,
    /// When the last check ran.
    pub(crate) checked: Option<Instant>,
    /// A check is running.
    pub(crate) checking: bool,
}

pub(crate) struct Node {
    pub(crate) url: Arc<str>,
    pub(crate) health: Mutex<Health>,
    pub(crate) busy: AtomicUsize,
    /// The furthest replay position seen on this replica (positions only grow), so that a
    /// scope whose writes it already shows needs no query of its own.
    pub(crate) applied: Mutex<Option<Position>>,
}

/// The replicas of one handle as routing sees them: their URLs (for messages), health,
/// lag and load, and the settings. Shared by every clone and scope of the handle; the
/// engine keeps the pools beside it, in the same order.
pub struct ReplicaSet {
    pub(crate) dialect: Dialect,
    pub(crate) nodes: Vec<Node>,
    pub(crate) settings: Replication,
    pub(crate) turn: AtomicUsize,
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

pub(crate) enum Choice {
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

    pub(crate) fn usable(&self, h: &Health) -> bool {
        h.up && match self.settings.max_lag {
            None => true,
            // not yet measured: in rotation until the first check says otherwise
            Some(limit) => h.checked.is_none() || h.lag.is_some_and(|lag| lag <= limit),
        }
    }

    pub(crate) fn choose(&self, access: Access, tenant: Option<&str>) -> Result<Choice> {
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
    pub(crate) fn order(&self) -> Vec<usize> {
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
    pub(crate) fn claim_check(&self, i: usize) -> bool {
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

    pub(crate) fn record_check(
        &self,
        i: usize,
        outcome: std::result::Result<Option<Duration>, &Error>,
    ) {
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
    pub(crate) fn mark_down(&self, i: usize, error: &Error) {
        self.record_check(i, Err(error));
    }

    pub(crate) fn is_usable(&self, i: usize) -> bool {
        self.usable(&lock(&self.nodes[i].health))
    }

    pub(crate) fn lag(&self, i: usize) -> Option<Duration> {
        lock(&self.nodes[i].health).lag
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A unit of work whose reads must see its own writes: a request, a job, a script. Every
/// handle has one; clones of the handle share it, and `db.session()` gives a handle with
/// a fresh one (what a server does per request). Without replicas it costs nothing.
#[derive(Clone, Default)]
pub struct Scope(Arc<ScopeState>);

#[derive(Default)]
pub(crate) struct ScopeState {
    pub(crate) tenant: Option<Arc<str>>,
    pub(crate) pending: Mutex<Pending>,
    pub(crate) generation: AtomicU64,
}

#[derive(Default, Clone)]
pub(crate) struct Pending {
    /// Bumped by every write; a catch-up clears only the generation it checked.
    pub(crate) generation: u64,
    /// When the scope last wrote, if it may have writes replicas have not shown yet.
    pub(crate) wrote_at: Option<Instant>,
    /// The primary's position those writes must reach, once read.
    pub(crate) target: Option<Position>,
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

    /// A fresh scope for `tenant`, which a custom [`Router`](super::Router) sees in
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

    pub(crate) fn pending(&self) -> Pending {
        lock(&self.0.pending).clone()
    }

    pub(crate) fn set_target(&self, generation: u64, target: Position) {
        let mut p = lock(&self.0.pending);
        if p.generation == generation {
            p.target = Some(target);
        }
    }

    pub(crate) fn caught_up(&self, generation: u64) {
        let mut p = lock(&self.0.pending);
        if p.generation == generation {
            p.wrote_at = None;
            p.target = None;
        }
    }
}
