//! Read replicas for the blocking handle: one pool per replica beside the primary's, and
//! the engine's side of [`ambidex_core::routing`] (lend a connection of a given server).
//! Every decision (which server, health, lag, read-your-writes) is the shared
//! `routing::run`, which completes in one poll over this engine.

use std::sync::Arc;

use ambidex_core::routing::{self, Lender, ReplicaSet};
use ambidex_core::{Dialect, Plan, Result, complete};

use crate::backend::DieselBackend;
use crate::db::{Database, DbBuilder};
use crate::held::HeldConnection;

/// The replicas of a handle: their pools, in the order the builder named them, and the
/// routing state shared by every clone.
pub(crate) struct Replicas<C: DieselBackend> {
    pub(crate) set: ReplicaSet,
    pools: Vec<Database<C>>,
}

/// Opens a pool per replica the builder names (each must answer now), with the primary's
/// settings except the acquire timeout, which is the replicas' connect timeout.
pub(crate) fn open<C: DieselBackend>(
    builder: &DbBuilder<C>,
    dialect: Dialect,
) -> Result<Option<Arc<Replicas<C>>>> {
    let config = &builder.replicas;
    if config.urls.is_empty() {
        return Ok(None);
    }
    let mut pools = Vec::with_capacity(config.urls.len());
    for url in &config.urls {
        let mut replica = builder.clone();
        replica.replicas = Default::default();
        replica.url = url.clone();
        pools.push(
            replica
                .acquire_timeout(config.settings.replica_connect_timeout())
                .open()?,
        );
    }
    Ok(Some(Arc::new(Replicas {
        set: ReplicaSet::new(dialect, &config.urls, config.settings.clone()),
        pools,
    })))
}

impl<C: DieselBackend> Replicas<C> {
    /// Runs `plan` where the shared routing says.
    pub(crate) fn run<P: Plan>(&self, db: &Database<C>, plan: P) -> Result<P::Output> {
        let lender = Pools { db, replicas: self };
        complete(routing::run(&lender, &self.set, &db.scope, plan))
    }
}

struct Pools<'a, C: DieselBackend> {
    db: &'a Database<C>,
    replicas: &'a Replicas<C>,
}

impl<C: DieselBackend> Lender for Pools<'_, C> {
    type Conn = HeldConnection<C>;

    async fn primary(&self) -> Result<HeldConnection<C>> {
        self.db.acquire()
    }

    async fn replica(&self, index: usize) -> Result<HeldConnection<C>> {
        self.replicas.pools[index].acquire()
    }
}

impl<C: DieselBackend> DbBuilder<C> {
    ambidex_core::replica_builder_methods!(builder => &mut builder.replicas);
}

impl<C: DieselBackend> Database<C> {
    ambidex_core::replica_handle_methods!(db => db.replicas.as_deref().map(|r| &r.set));
}
