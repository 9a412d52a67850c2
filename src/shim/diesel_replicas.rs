//! Read replicas for [`DieselDb`]: each replica is a `DieselDb` of its own (a blocking
//! pool and its workers), and routing is the shared `ambidex_core::routing::run` over
//! remote connections, as for the primary.

use ambidex_core::routing::{self, Lender, PoolOptions, ReplicaSet};
use ambidex_core::{Plan, Result, Target};

use super::{DieselDb, DieselDbBuilder, RemoteConn};

/// The replicas of a handle, in the order the builder named them, and the routing state
/// shared by every clone.
pub(super) struct Replicas {
    pub(super) set: ReplicaSet,
    handles: Vec<DieselDb>,
}

/// Opens a handle per replica the builder names (each must answer now), with the
/// primary's settings except the acquire timeout, which is the replicas' connect timeout.
pub(super) fn open(builder: &DieselDbBuilder) -> Result<Option<Replicas>> {
    let config = &builder.replicas;
    if config.urls.is_empty() {
        return Ok(None);
    }
    let mut handles = Vec::with_capacity(config.urls.len());
    for url in &config.urls {
        let replica = DieselDbBuilder {
            url: url.clone(),
            pool: PoolOptions {
                acquire_timeout: config.settings.replica_connect_timeout(),
                ..builder.pool
            },
            replicas: Default::default(),
        };
        handles.push(replica.open()?);
    }
    let dialect = Target::parse(&builder.url)?.dialect();
    Ok(Some(Replicas {
        set: ReplicaSet::new(dialect, &config.urls, config.settings.clone()),
        handles,
    }))
}

impl Replicas {
    /// Runs `plan` where the shared routing says.
    pub(super) async fn run<P: Plan>(&self, db: &DieselDb, plan: P) -> Result<P::Output> {
        let lender = Workers { db, replicas: self };
        routing::run(&lender, &self.set, &db.scope, plan).await
    }
}

struct Workers<'a> {
    db: &'a DieselDb,
    replicas: &'a Replicas,
}

impl Lender for Workers<'_> {
    type Conn = RemoteConn;

    async fn primary(&self) -> Result<RemoteConn> {
        self.db.remote().await
    }

    async fn replica(&self, index: usize) -> Result<RemoteConn> {
        self.replicas.handles[index].remote().await
    }
}

impl DieselDb {
    ambidex_core::replica_handle_methods!(db => db.shared.replicas.as_ref().map(|r| &r.set));
}
