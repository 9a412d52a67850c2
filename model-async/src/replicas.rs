//! Read replicas for the async handle: one sqlx pool per replica beside the primary's, and
//! the engine's side of [`ambidex_core::routing`] (lend a connection of a given server).
//! Every decision (which server, health, lag, read-your-writes) is the shared
//! `routing::run`.

use ambidex_core::routing::{self, Lender, ReplicaConfig, ReplicaSet};
use ambidex_core::{Dialect, Plan, Result};

use crate::backend::sealed::Sealed;
use crate::backend::{PoolSettings, SqlxBackend};
use crate::db::{Database, DbBuilder};

/// The replicas of a handle: their pools, in the order the builder named them, and the
/// routing state shared by every clone.
pub(crate) struct Replicas<B: SqlxBackend> {
    pub(crate) set: ReplicaSet,
    pools: Vec<Database<B>>,
}

/// Opens a pool per replica in `config` (each must answer now), with the primary's
/// settings except the acquire timeout, which is the replicas' connect timeout.
pub(crate) async fn open<B: SqlxBackend>(
    config: &ReplicaConfig,
    mut settings: PoolSettings,
    dialect: Dialect,
) -> Result<Option<Replicas<B>>> {
    if config.urls.is_empty() {
        return Ok(None);
    }
    settings.acquire_timeout = config.settings.replica_connect_timeout();
    let mut pools = Vec::with_capacity(config.urls.len());
    for url in &config.urls {
        pools.push(DbBuilder::<B>::connect_one(url, &settings).await?);
    }
    Ok(Some(Replicas {
        set: ReplicaSet::new(dialect, &config.urls, config.settings.clone()),
        pools,
    }))
}

impl<B: SqlxBackend> Replicas<B> {
    /// Runs `plan` where the shared routing says.
    pub(crate) async fn run<P: Plan>(&self, db: &Database<B>, plan: P) -> Result<P::Output> {
        let lender = Pools { db, replicas: self };
        routing::run(&lender, &self.set, &db.scope, plan).await
    }
}

struct Pools<'a, B: SqlxBackend> {
    db: &'a Database<B>,
    replicas: &'a Replicas<B>,
}

impl<B: SqlxBackend> Lender for Pools<'_, B> {
    type Conn = B::Conn;

    async fn primary(&self) -> Result<B::Conn> {
        self.db.checkout().await
    }

    async fn replica(&self, index: usize) -> Result<B::Conn> {
        self.replicas.pools[index].checkout().await
    }

    fn run<P: Plan>(
        conn: &mut B::Conn,
        plan: P,
    ) -> impl std::future::Future<Output = Result<P::Output>> + Send {
        <B as Sealed>::run(conn, plan)
    }
}

impl<B: SqlxBackend> DbBuilder<B> {
    ambidex_core::replica_builder_methods!(builder => &mut builder.replicas);
}

impl<B: SqlxBackend> Database<B> {
    ambidex_core::replica_handle_methods!(db => db.shared.replicas.as_ref().map(|r| &r.set));
}
