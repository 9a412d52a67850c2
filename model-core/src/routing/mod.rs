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
//! Every decision runs in a `tracing` span `ambidex.route` (target `ambidex::routing`,
//! level DEBUG) with an event naming the server chosen, the reason and the measured lag;
//! a replica leaving rotation is a warning, its return an info event.
//!
//! Files: `access.rs` (what a plan does), `config.rs` (policy, router, settings, the
//! builders' methods), `state.rs` (replica health and scopes), `position.rs` (positions
//! and lag), and here the procedure itself.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::engine::{Connection, Plan};
use crate::error::{Error, Result};
use crate::sql::dialect::replication;

mod config;
mod position;
mod state;

pub use crate::engine::access::{Access, Routed};
/// What every handle builder collects about its pool (for the builders' shared
/// `pool_builder_methods!`; not for users).
#[doc(hidden)]
pub use config::PoolOptions;
pub use config::{Policy, ReplicaConfig, Replication, Route, RouteRequest, Router};
use position::*;
use state::*;
pub use state::{ReplicaSet, ReplicaStatus, Scope};

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
    use std::time::Duration;

    use super::*;
    use crate::sql::dialect::Dialect;

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
