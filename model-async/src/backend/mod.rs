//! The seam between the backend-neutral engine and each sqlx driver.
//!
//! Everything that differs between SQLite, PostgreSQL and MySQL on the sqlx side (opening a
//! pool, what the driver reports of a statement, reading a cell) sits behind [`Backend`],
//! one module per backend. What does not differ is written once, generic over sqlx's
//! `Database`: binding values (`bind`), running a statement (`run`), the shared steps of
//! reading a cell (`cell`) and of opening a pool (`open`). The rest of the crate is written
//! once too: [`crate::connection`] is
//! generic over `Backend`, and the handles ([`crate::Database`], [`crate::Tx`]) are generic
//! over [`SqlxBackend`], which says which pool and connection a handle holds:
//!
//! - sqlx's own database types (`sqlx::Sqlite`, `sqlx::Postgres`, `sqlx::MySql`) hold that
//!   backend's pool and [`SqlxConn`] directly: no dispatch at all;
//! - [`AnyBackend`] holds [`Pool`] / [`Conn`], enums with one variant per compiled backend,
//!   dispatched by `with_conn!` once per operation (the URL picks the variant).
//!
//! Adding a backend means adding its module, one variant to each enum, one arm to the
//! dispatch and the URL routing in [`AnyBackend`], and one `direct_backend!` line; nothing
//! else changes.

mod bind;
mod cell;
#[cfg(feature = "mysql")]
pub(crate) mod mysql;
mod open;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
mod run;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;

use std::future::Future;
use std::sync::Arc;

use ambidex_core::{
    Cell, Connection, Dialect, Executed, Plan, Result, RowSink, Statement, Target, Value,
};
use futures_util::{Stream, TryFutureExt};
use sqlx::Database;

use self::bind::Bind;
use self::run::Driver;
use crate::connection::SqlxConn;
use crate::error::ErrorContext;

/// One sqlx driver, as the generic engine needs it: what differs per backend (what the
/// driver reports of a statement, how a cell is read); binding and running a statement are
/// written once ([`bind::Bind`], [`run::Driver`]) and provided here.
pub trait Backend: Send + Sync + Sized + 'static {
    /// The sqlx database type.
    type Db: Database + Bind + Driver + sqlx::database::HasStatementCache;

    /// The SQL dialect ambidex-core renders for this backend.
    const DIALECT: Dialect;

    /// The backend's name in messages (`PostgreSQL`).
    const NAME: &'static str;

    /// What a statement that returns no rows did, from the driver's report.
    fn executed(done: <Self::Db as Database>::QueryResult) -> Executed;

    /// The cell at `index` of `row`, borrowed from the row where the driver allows it.
    fn cell(row: &<Self::Db as Database>::Row, index: usize) -> Result<Cell<'_>>;

    /// The driver's arguments for `binds`, in placeholder order.
    #[inline]
    fn arguments(binds: &[Value]) -> Result<<Self::Db as Database>::Arguments> {
        <Self::Db as Bind>::arguments(binds)
    }

    /// Runs a query and streams its rows. The statement is prepared once per connection
    /// and cached by its text.
    #[inline]
    fn fetch<'c>(
        conn: &'c mut <Self::Db as Database>::Connection,
        sql: Arc<String>,
        args: <Self::Db as Database>::Arguments,
    ) -> impl Stream<Item = Result<<Self::Db as Database>::Row, sqlx::Error>> + Send + Unpin + 'c
    {
        <Self::Db as Driver>::fetch(conn, sql, args)
    }

    /// Runs a statement that returns no rows.
    #[inline]
    fn execute<'c>(
        conn: &'c mut <Self::Db as Database>::Connection,
        sql: Arc<String>,
        args: <Self::Db as Database>::Arguments,
    ) -> impl Future<Output = Result<Executed, sqlx::Error>> + Send + 'c {
        <Self::Db as Driver>::execute(conn, sql, args).map_ok(Self::executed)
    }
}

/// The pool and connection types a handle holds: [`AnyBackend`] (the backend is chosen by
/// the URL) or one of sqlx's database types (`sqlx::Sqlite`, `sqlx::Postgres`,
/// `sqlx::MySql`, each behind its feature), with no dispatch at all.
///
/// Sealed: the engine needs exactly what it implements for these types.
pub trait SqlxBackend: sealed::Sealed {}

pub(crate) mod sealed {
    use std::future::Future;
    use std::sync::Arc;

    use ambidex_core::{Connection, Plan, Result, Target};

    use super::{Opened, PoolSettings};
    use crate::error::ErrorContext;

    /// What the handles need of a backend; unnameable outside this crate.
    pub trait Sealed: Send + Sync + Sized + 'static {
        /// The handle's name, for `Debug` and messages (`SqliteDb`).
        const HANDLE: &'static str;
        /// The pool a handle holds.
        type Pool: Send + Sync + 'static;
        /// A pooled connection.
        type Conn: Connection + Send + 'static;

        /// Refuses a target this backend cannot open, before anything is opened.
        fn accepts(target: &Target) -> Result<()>;

        /// Opens a pool for an accepted `target`; `redacted` is its URL for messages.
        fn connect(
            target: &Target,
            redacted: String,
            settings: &PoolSettings,
        ) -> impl Future<Output = Result<Opened<Self::Pool>>> + Send;

        /// Takes a connection from the pool.
        fn acquire(
            pool: &Self::Pool,
            ctx: &Arc<ErrorContext>,
        ) -> impl Future<Output = Result<Self::Conn>> + Send;

        /// Closes the pool (see [`crate::Database::close`]).
        fn close(pool: &Self::Pool) -> impl Future<Output = ()> + Send;

        /// Runs `plan` on `conn`, monomorphised for the backend connection.
        fn run<P: Plan>(
            conn: &mut Self::Conn,
            plan: P,
        ) -> impl Future<Output = Result<P::Output>> + Send;
    }
}

/// The error for a target of another backend than `dialect`.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
fn wrong_target(target: &Target, dialect: Dialect, handle: &str) -> ambidex_core::Error {
    match target.require(dialect, handle) {
        Err(e) => e,
        Ok(()) => ambidex_core::Error::Internal("a target was refused for its own backend".into()),
    }
}

/// Implements [`SqlxBackend`] for one of sqlx's database types: its pool and connection,
/// held directly.
#[allow(unused_macros)] // unused in a build with no backend feature
macro_rules! direct_backend {
    ($db:ty, $backend:ty, $pool:ty, $variant:ident { $field:ident }, $module:ident, $handle:literal, |$p:ident| $sqlx_pool:expr) => {
        impl SqlxBackend for $db {}

        impl sealed::Sealed for $db {
            const HANDLE: &'static str = $handle;
            type Pool = $pool;
            type Conn = SqlxConn<$backend>;

            fn accepts(target: &Target) -> Result<()> {
                target.require(<$backend as Backend>::DIALECT, $handle)
            }

            async fn connect(
                target: &Target,
                redacted: String,
                settings: &PoolSettings,
            ) -> Result<Opened<$pool>> {
                match target {
                    Target::$variant { $field } => {
                        $module::connect($field, redacted, settings).await
                    }
                    other => Err(wrong_target(other, <$backend as Backend>::DIALECT, $handle)),
                }
            }

            async fn acquire(pool: &$pool, ctx: &Arc<ErrorContext>) -> Result<Self::Conn> {
                let $p = pool;
                SqlxConn::acquire($sqlx_pool, ctx).await
            }

            async fn close(pool: &$pool) {
                let $p = pool;
                $sqlx_pool.close().await
            }

            #[inline]
            fn run<P: Plan>(
                conn: &mut Self::Conn,
                plan: P,
            ) -> impl Future<Output = Result<P::Output>> + Send {
                plan.run(conn)
            }
        }
    };
}

#[cfg(feature = "sqlite")]
direct_backend!(
    sqlx::Sqlite,
    sqlite::SqliteBackend,
    sqlite::SqlitePool,
    Sqlite { path },
    sqlite,
    "SqliteDb",
    |p| p.pool()
);
#[cfg(feature = "postgres")]
direct_backend!(
    sqlx::Postgres,
    postgres::PostgresBackend,
    sqlx::PgPool,
    Postgres { url },
    postgres,
    "PgDb",
    |p| p
);
#[cfg(feature = "mysql")]
direct_backend!(
    sqlx::MySql,
    mysql::MysqlBackend,
    sqlx::MySqlPool,
    Mysql { url },
    mysql,
    "MysqlDb",
    |p| p
);

/// The backend of [`crate::Db`]: whichever compiled-in backend the URL names. Its pool and
/// connections are enums over the compiled backends, dispatched once per operation.
#[derive(Debug, Clone, Copy)]
pub struct AnyBackend(());

impl SqlxBackend for AnyBackend {}

impl sealed::Sealed for AnyBackend {
    const HANDLE: &'static str = "Db";
    type Pool = Pool;
    type Conn = Conn;

    fn accepts(target: &Target) -> Result<()> {
        match target {
            #[cfg(feature = "sqlite")]
            Target::Sqlite { .. } => Ok(()),
            #[cfg(feature = "postgres")]
            Target::Postgres { .. } => Ok(()),
            #[cfg(feature = "mysql")]
            Target::Mysql { .. } => Ok(()),
            #[allow(unreachable_patterns)]
            other => Err(other.feature_disabled("async")),
        }
    }

    async fn connect(
        target: &Target,
        redacted: String,
        settings: &PoolSettings,
    ) -> Result<Opened<Pool>> {
        match target {
            #[cfg(feature = "sqlite")]
            Target::Sqlite { path } => sqlite::connect(path, redacted, settings)
                .await
                .map(|o| o.map(Pool::Sqlite)),
            #[cfg(feature = "postgres")]
            Target::Postgres { url } => postgres::connect(url, redacted, settings)
                .await
                .map(|o| o.map(Pool::Postgres)),
            #[cfg(feature = "mysql")]
            Target::Mysql { url } => mysql::connect(url, redacted, settings)
                .await
                .map(|o| o.map(Pool::Mysql)),
            #[allow(unreachable_patterns)]
            other => {
                let _ = (redacted, settings);
                Err(other.feature_disabled("async"))
            }
        }
    }

    fn acquire(pool: &Pool, ctx: &Arc<ErrorContext>) -> impl Future<Output = Result<Conn>> + Send {
        pool.acquire(ctx)
    }

    fn close(pool: &Pool) -> impl Future<Output = ()> + Send {
        pool.close()
    }

    async fn run<P: Plan>(conn: &mut Conn, plan: P) -> Result<P::Output> {
        with_conn!(conn, c => plan.run(c).await)
    }
}

/// Pool settings chosen on [`crate::DbBuilder`] (the same for every engine's builder).
pub type PoolSettings = ambidex_core::routing::PoolOptions;

/// How failures of a pool opened with `settings` are described: `url` redacted, with
/// `pool_size` connections.
pub(crate) fn error_context(
    settings: &PoolSettings,
    dialect: Dialect,
    url: String,
    password_given: bool,
    pool_size: u32,
) -> ErrorContext {
    ErrorContext {
        dialect,
        // Learned once the pool is open (`mysql::connect`); standard until then.
        server: ambidex_core::Server::Standard,
        url,
        password_given,
        pool_size,
        sqlite_file: None,
        acquire_timeout: settings.acquire_timeout,
        statement_timeout: settings.statement_timeout,
    }
}

/// The default pool size for a backend that runs queries in parallel: one connection per
/// CPU, at least four.
pub(crate) fn default_pool_size() -> u32 {
    let cpus = std::thread::available_parallelism().map_or(4, |n| n.get());
    u32::try_from(cpus).unwrap_or(u32::MAX).max(4)
}

/// A pool of one of the compiled backends.
pub enum Pool {
    /// A SQLite pool.
    #[cfg(feature = "sqlite")]
    Sqlite(sqlite::SqlitePool),
    /// A PostgreSQL pool.
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
    /// A MySQL / MariaDB pool.
    #[cfg(feature = "mysql")]
    Mysql(sqlx::MySqlPool),
    /// Stands in when no backend is compiled; never constructed.
    #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
    Unavailable(std::convert::Infallible),
}

/// A pooled connection of one of the compiled backends.
pub enum Conn {
    /// A SQLite connection.
    #[cfg(feature = "sqlite")]
    Sqlite(SqlxConn<sqlite::SqliteBackend>),
    /// A PostgreSQL connection.
    #[cfg(feature = "postgres")]
    Postgres(SqlxConn<postgres::PostgresBackend>),
    /// A MySQL / MariaDB connection.
    #[cfg(feature = "mysql")]
    Mysql(SqlxConn<mysql::MysqlBackend>),
    /// Stands in when no backend is compiled; never constructed.
    #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
    Unavailable(NoBackend),
}

/// The connection of a build without any backend: it cannot be constructed (its pool
/// cannot), and exists so that code dispatching over [`Conn`] compiles unchanged.
#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
pub struct NoBackend(std::convert::Infallible);

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
impl ambidex_core::Connection for NoBackend {
    fn dialect(&self) -> Dialect {
        match self.0 {}
    }

    fn server(&self) -> ambidex_core::Server {
        match self.0 {}
    }

    async fn fetch<S: ambidex_core::RowSink>(
        &mut self,
        _statement: ambidex_core::Statement,
        _sink: S,
    ) -> Result<S> {
        match self.0 {}
    }

    async fn execute(&mut self, _statement: ambidex_core::Statement) -> Result<Executed> {
        match self.0 {}
    }

    fn transaction_depth(&self) -> u32 {
        match self.0 {}
    }

    fn set_transaction_depth(&mut self, _depth: u32) {
        match self.0 {}
    }

    fn session_lock_held(&self) -> bool {
        match self.0 {}
    }

    fn set_session_lock_held(&mut self, _held: bool) {
        match self.0 {}
    }
}

/// Runs `$body` with `$c` bound to the backend connection inside `$conn` (a `&Conn` or
/// `&mut Conn`); `$body` is monomorphised once per backend.
macro_rules! with_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            #[cfg(feature = "sqlite")]
            $crate::backend::Conn::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            $crate::backend::Conn::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            $crate::backend::Conn::Mysql($c) => $body,
            #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
            $crate::backend::Conn::Unavailable($c) => $body,
        }
    };
}
pub(crate) use with_conn;

/// Each call dispatched to the backend connection: how a [`crate::Tx`] of a [`crate::Db`]
/// runs its BEGIN, COMMIT and ROLLBACK statements (operations dispatch once, in
/// [`AnyBackend`]'s `run`).
impl Connection for Conn {
    #[inline]
    fn dialect(&self) -> Dialect {
        with_conn!(self, c => c.dialect())
    }

    #[inline]
    fn server(&self) -> ambidex_core::Server {
        with_conn!(self, c => c.server())
    }

    #[inline]
    fn reads_insert_returning(&self) -> bool {
        with_conn!(self, c => c.reads_insert_returning())
    }

    async fn fetch<S: RowSink>(&mut self, statement: Statement, sink: S) -> Result<S> {
        with_conn!(self, c => c.fetch(statement, sink).await)
    }

    async fn execute(&mut self, statement: Statement) -> Result<Executed> {
        with_conn!(self, c => c.execute(statement).await)
    }

    #[inline]
    fn transaction_depth(&self) -> u32 {
        with_conn!(self, c => c.transaction_depth())
    }

    #[inline]
    fn set_transaction_depth(&mut self, depth: u32) {
        with_conn!(self, c => c.set_transaction_depth(depth))
    }

    #[inline]
    fn session_lock_held(&self) -> bool {
        with_conn!(self, c => c.session_lock_held())
    }

    #[inline]
    fn set_session_lock_held(&mut self, held: bool) {
        with_conn!(self, c => c.set_session_lock_held(held))
    }
}

impl Pool {
    /// Takes a connection from the pool.
    pub(crate) async fn acquire(&self, ctx: &Arc<ErrorContext>) -> Result<Conn> {
        match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(pool) => Ok(Conn::Sqlite(SqlxConn::acquire(pool.pool(), ctx).await?)),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => Ok(Conn::Postgres(SqlxConn::acquire(pool, ctx).await?)),
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool) => Ok(Conn::Mysql(SqlxConn::acquire(pool, ctx).await?)),
            #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
            Pool::Unavailable(never) => match *never {},
        }
    }

    /// Closes the pool: waits for every checked-out connection to come back, then closes
    /// them all.
    pub(crate) async fn close(&self) {
        match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(pool) => pool.pool().close().await,
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => pool.close().await,
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool) => pool.close().await,
            #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
            Pool::Unavailable(never) => match *never {},
        }
    }
}

/// What a backend's `connect` opened: the pool, and how its failures are described (its
/// dialect, redacted URL and the size it was given).
pub struct Opened<P> {
    /// The pool.
    pub(crate) pool: P,
    /// Its error context, shared by every connection of the pool.
    pub(crate) ctx: ErrorContext,
}

impl<P> Opened<P> {
    /// The same opened pool, wrapped (in a [`Pool`] variant).
    #[allow(dead_code)] // unused in a build with no backend feature
    fn map<Q>(self, wrap: impl FnOnce(P) -> Q) -> Opened<Q> {
        Opened {
            pool: wrap(self.pool),
            ctx: self.ctx,
        }
    }
}

/// Opens a pool of backend `B` for `url` (parsed by ambidex-core, so both worlds accept the
/// same URLs and refuse the same ones with the same errors).
pub(crate) async fn connect<B: SqlxBackend>(
    url: &str,
    settings: &PoolSettings,
) -> Result<Opened<B::Pool>> {
    let target = Target::parse(url)?;
    B::accepts(&target)?;
    B::connect(&target, ambidex_core::redact_url(url), settings).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_pool_has_at_least_four_connections() {
        assert!(default_pool_size() >= 4);
    }
}
