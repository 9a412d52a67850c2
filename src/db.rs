//! [`Db`], the async handle most programs want: the engine is picked per backend (see
//! [`Engine`]), and every operation is handed, unchanged, to that engine's own handle.
//!
//! Both engines run the same shared plans with the same errors, so the choice changes
//! speed, never results: the conformance suite runs every scenario on `Db` as well as on
//! [`SqlxDb`] and [`DieselDb`] directly. The dispatch is one `match` per operation.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use ambidex_async::BoxFuture;
use ambidex_core::routing::PoolOptions;
use ambidex_core::transaction::TxOptions;
use ambidex_core::{Dialect, Error, Executor, Plan, Result, Target};

#[cfg(feature = "blocking")]
use crate::DieselDb;
use crate::engine::Engine;
use crate::held::HeldConnection;
use crate::tx::Tx;
use crate::{SqlxDb, SqlxDbBuilder};

/// An async database handle whose engine fits its backend: diesel on the bounded worker
/// pool for SQLite, sqlx for PostgreSQL and MySQL/MariaDB (see [`Engine::default_for`]);
/// choose with [`DbBuilder::engine`].
///
/// `Db` is `Clone + Send + Sync`; clones share one pool. Pass `&db` to any terminal
/// method (`User::query().all(&db).await`), or open a transaction with [`Db::begin`] or
/// [`Db::transaction`]. It accepts the URLs of [`SqlxDb`] (`sqlite://app.db`,
/// `sqlite::memory:`, `postgres://...`, `mysql://...`); printing it, or any error it
/// returns, never shows a password.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> ambidex::Result<()> {
/// use ambidex::{Db, Engine, raw};
/// let db = Db::connect("sqlite::memory:").await?;
/// # #[cfg(feature = "blocking")]
/// assert_eq!(db.engine(), Engine::Diesel);
/// raw("CREATE TABLE notes (body TEXT NOT NULL)").execute(&db).await?;
/// raw("INSERT INTO notes (body) VALUES (?)").bind("hi").execute(&db).await?;
///
/// let on_sqlx = Db::builder("sqlite::memory:").engine(Engine::Sqlx).connect().await?;
/// assert_eq!(on_sqlx.engine(), Engine::Sqlx);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Db {
    engine: EngineDb,
}

/// The engine handle a [`Db`] wraps.
#[derive(Clone)]
enum EngineDb {
    Sqlx(SqlxDb),
    #[cfg(feature = "blocking")]
    Diesel(DieselDb),
}

/// Runs `$body` with `$db` bound to the engine handle inside `$self` (a [`Db`]).
macro_rules! with_engine {
    ($self:expr, $db:ident => $body:expr) => {
        match $self {
            EngineDb::Sqlx($db) => $body,
            #[cfg(feature = "blocking")]
            EngineDb::Diesel($db) => $body,
        }
    };
}

impl Db {
    /// Opens `url` with the default engine for its backend and default pool settings; see
    /// [`Db::builder`] to choose them.
    ///
    /// At least one connection is opened before this returns, so a wrong path or an
    /// unreachable server fails here with [`Error::Connection`] and refused credentials
    /// with [`Error::Authentication`]; an unknown scheme or a backend this build does not
    /// include fails with [`Error::Config`].
    pub fn connect(url: &str) -> impl Future<Output = Result<Db>> + Send + 'static {
        Db::builder(url).connect()
    }

    /// Opens the database `DATABASE_URL` names, with the pool settings the environment
    /// gives (`DATABASE_MAX_CONNECTIONS`, `DATABASE_ACQUIRE_TIMEOUT`,
    /// `DATABASE_STATEMENT_TIMEOUT`; see [`ambidex_core::url::env`]): one binary on SQLite
    /// in development and PostgreSQL in production. [`Error::Config`] when `DATABASE_URL`
    /// is unset or a setting does not parse.
    pub fn from_env() -> impl Future<Output = Result<Db>> + Send + 'static {
        let builder = Db::builder_from_env();
        async move { builder?.connect().await }
    }

    /// A builder for the database `DATABASE_URL` names, with the environment's pool
    /// settings applied, to add more (an engine, replicas) before connecting.
    pub fn builder_from_env() -> Result<DbBuilder> {
        let config = ambidex_core::EnvConfig::read()?;
        Ok(Db::builder(&config.url).env_settings(&config))
    }

    /// Starts configuring a handle for `url`.
    pub fn builder(url: &str) -> DbBuilder {
        DbBuilder {
            url: url.to_string(),
            engine: None,
            pool: PoolOptions::default(),
            replicas: Default::default(),
        }
    }

    /// The engine running this handle's operations.
    pub fn engine(&self) -> Engine {
        match &self.engine {
            EngineDb::Sqlx(_) => Engine::Sqlx,
            #[cfg(feature = "blocking")]
            EngineDb::Diesel(_) => Engine::Diesel,
        }
    }

    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        with_engine!(&self.engine, db => db.dialect())
    }

    /// The most connections the pool opens at once.
    pub fn max_connections(&self) -> u32 {
        with_engine!(&self.engine, db => db.max_connections())
    }

    /// The sqlx handle underneath, if sqlx is the engine.
    pub fn as_sqlx(&self) -> Option<&SqlxDb> {
        match &self.engine {
            EngineDb::Sqlx(db) => Some(db),
            #[cfg(feature = "blocking")]
            EngineDb::Diesel(_) => None,
        }
    }

    /// The diesel handle underneath, if diesel is the engine.
    #[cfg(feature = "blocking")]
    pub fn as_diesel(&self) -> Option<&DieselDb> {
        match &self.engine {
            EngineDb::Diesel(db) => Some(db),
            EngineDb::Sqlx(_) => None,
        }
    }

    /// A handle on the same pools with a scope of its own: reads through it see the
    /// writes made through it (read-your-writes), and no one else's writes hold them on
    /// the primary. Take one per request or unit of work; see [`crate::routing`].
    pub fn session(&self) -> Db {
        Db {
            engine: match &self.engine {
                EngineDb::Sqlx(db) => EngineDb::Sqlx(db.session()),
                #[cfg(feature = "blocking")]
                EngineDb::Diesel(db) => EngineDb::Diesel(db.session()),
            },
        }
    }

    /// [`Db::session`] for a tenant, which a custom [`crate::routing::Router`] sees.
    pub fn session_for(&self, tenant: &str) -> Db {
        Db {
            engine: match &self.engine {
                EngineDb::Sqlx(db) => EngineDb::Sqlx(db.session_for(tenant)),
                #[cfg(feature = "blocking")]
                EngineDb::Diesel(db) => EngineDb::Diesel(db.session_for(tenant)),
            },
        }
    }

    /// Each replica's URL, rotation state, measured lag and load (empty without replicas).
    pub fn replica_status(&self) -> Vec<crate::routing::ReplicaStatus> {
        with_engine!(&self.engine, db => db.replica_status())
    }

    /// Closes the pool: new operations fail with [`Error::Connection`], and this waits
    /// until every checked-out connection came back. Every clone is affected.
    pub async fn close(&self) {
        with_engine!(&self.engine, db => db.close().await)
    }

    /// Holds one connection of the primary until the result is dropped, for a sequence of
    /// operations that skip the pool's checkout (see [`HeldConnection`]). On the diesel
    /// engine it holds a worker and its connection. Waits for a free one up to the acquire
    /// timeout, then fails with [`Error::PoolTimeout`].
    pub async fn acquire(&self) -> Result<HeldConnection> {
        Ok(match &self.engine {
            EngineDb::Sqlx(db) => HeldConnection::from(db.acquire().await?),
            #[cfg(feature = "blocking")]
            EngineDb::Diesel(db) => HeldConnection::from(db.acquire().await?),
        })
    }

    /// Opens a transaction on one connection of the pool (`BEGIN IMMEDIATE` on SQLite, so
    /// write conflicts surface here). Dropped without [`Tx::commit`], it rolls back.
    pub async fn begin(&self) -> Result<Tx> {
        self.begin_with(TxOptions::default()).await
    }

    /// Opens a transaction with an isolation level or read-only ([`TxOptions`]).
    pub async fn begin_with(&self, options: TxOptions) -> Result<Tx> {
        Ok(match &self.engine {
            EngineDb::Sqlx(db) => Tx::from(db.begin_with(options).await?),
            #[cfg(feature = "blocking")]
            EngineDb::Diesel(db) => Tx::from(db.begin_with(options).await?),
        })
    }

    crate::handle_transactions::handle_transactions!(
        handle: "Db",
        tx: Tx,
        closure_note: "The closure returns a boxed future borrowing the transaction; move owned \
                       data into it:",
    );
}

impl From<SqlxDb> for Db {
    /// Uses an open sqlx handle as a [`Db`].
    fn from(db: SqlxDb) -> Db {
        Db {
            engine: EngineDb::Sqlx(db),
        }
    }
}

#[cfg(feature = "blocking")]
impl From<DieselDb> for Db {
    /// Uses an open diesel handle as a [`Db`].
    fn from(db: DieselDb) -> Db {
        Db {
            engine: EngineDb::Diesel(db),
        }
    }
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("engine", &self.engine())
            .field(
                "handle",
                with_engine!(&self.engine, db => db as &dyn fmt::Debug),
            )
            .finish()
    }
}

impl<'e> Executor<'e> for &'e Db {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        match &self.engine {
            EngineDb::Sqlx(db) => <&'e SqlxDb as Executor<'e>>::run(db, plan),
            #[cfg(feature = "blocking")]
            EngineDb::Diesel(db) => <&'e DieselDb as Executor<'e>>::run(db, plan),
        }
    }
}

streams_async_pages!(Db);

impl<'e> Executor<'e> for &'e mut Db {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        <&'e Db as Executor<'e>>::run(self, plan)
    }
}

/// Options for opening a [`Db`], from [`Db::builder`].
///
/// ```
/// # async fn demo() -> ambidex::Result<()> {
/// use std::time::Duration;
/// let db = ambidex::Db::builder("postgres://app@localhost/app")
///     .engine(ambidex::Engine::Sqlx)
///     .max_connections(16)
///     .acquire_timeout(Duration::from_secs(5))
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `.connect().await`"]
pub struct DbBuilder {
    url: String,
    engine: Option<Engine>,
    /// Only what was set: the chosen engine's builder decides the rest.
    pool: PoolOptions<Option<Duration>>,
    replicas: ambidex_core::routing::ReplicaConfig,
}

impl DbBuilder {
    ambidex_core::replica_builder_methods!(builder => &mut builder.replicas);

    /// The engine to run on, instead of the backend's default ([`Engine::default_for`]).
    /// [`Engine::Diesel`] needs the `blocking` feature; without it, `connect` fails with
    /// [`Error::Config`].
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = Some(engine);
        self
    }

    ambidex_core::pool_builder_methods!(builder => &mut builder.pool;
        /// The most connections the pool opens at once (at least 1; with diesel, also the
        /// number of worker threads). Defaults to the engine's default; an in-memory SQLite
        /// database always uses exactly one.
        max_connections;
        /// How long an operation waits for a free connection before failing with
        /// [`Error::PoolTimeout`] (default 30 s).
        acquire_timeout;
    );

    /// Opens the pool on the chosen engine.
    pub async fn connect(self) -> Result<Db> {
        let engine = match self.engine {
            Some(engine) => engine,
            None => Engine::default_for(Target::parse(&self.url)?.dialect()),
        };
        match engine {
            Engine::Sqlx => {
                let mut builder: SqlxDbBuilder = SqlxDb::builder(&self.url);
                *builder.pool_options() = builder.pool_options().given(&self.pool);
                *builder.replica_config() = self.replicas;
                Ok(Db::from(builder.connect().await?))
            }
            #[cfg(feature = "blocking")]
            Engine::Diesel => {
                let mut builder = DieselDb::builder(&self.url);
                builder.pool = builder.pool.given(&self.pool);
                *builder.replica_config() = self.replicas;
                Ok(Db::from(builder.connect().await?))
            }
            #[allow(unreachable_patterns)]
            other => Err(Error::Config(
                format!(
                    "the {other} engine is not in this build: enable ambidex's `blocking` \
                     feature, or choose `Engine::Sqlx`"
                )
                .into(),
            )),
        }
    }
}

impl fmt::Debug for DbBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("DbBuilder");
        out.field("url", &ambidex_core::redact_url(&self.url))
            .field("engine", &self.engine);
        self.pool.debug_fields(&mut out);
        out.field("replicas", &self.replicas).finish()
    }
}
