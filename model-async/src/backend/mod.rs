//! The seam between the backend-neutral engine and each sqlx driver.
//!
//! Everything that differs between SQLite, PostgreSQL and MySQL on the sqlx side (opening a
//! pool, binding values, running a statement, reading a cell) sits behind [`Backend`], one
//! module per backend. The rest of the crate is written once: [`crate::connection`] is
//! generic over `Backend`, and [`Pool`] / [`Conn`] are enums with one variant per compiled
//! backend, dispatched by `with_conn!`. Adding a backend means adding its module, one
//! variant to each enum and one arm to the dispatch and the URL routing in [`connect`];
//! nothing else changes.

#[cfg(feature = "mysql")]
pub(crate) mod mysql;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ambidex_core::{Cell, Dialect, Executed, Result, Target, Value};
use futures_util::Stream;
use sqlx::Database;

use crate::connection::SqlxConn;
use crate::error::ErrorContext;

/// One sqlx driver, as the generic engine needs it.
pub(crate) trait Backend: Send + Sync + Sized + 'static {
    /// The sqlx database type.
    type Db: Database;

    /// The SQL dialect ambidex-core renders for this backend.
    const DIALECT: Dialect;

    /// The driver's arguments for `binds`, in placeholder order.
    fn arguments(binds: &[Value]) -> Result<<Self::Db as Database>::Arguments>;

    /// Runs a query and streams its rows. The statement is prepared once per connection
    /// and cached by its text.
    fn fetch<'c>(
        conn: &'c mut <Self::Db as Database>::Connection,
        sql: Arc<String>,
        args: <Self::Db as Database>::Arguments,
    ) -> impl Stream<Item = Result<<Self::Db as Database>::Row, sqlx::Error>> + Send + Unpin + 'c;

    /// Runs a statement that returns no rows.
    fn execute<'c>(
        conn: &'c mut <Self::Db as Database>::Connection,
        sql: Arc<String>,
        args: <Self::Db as Database>::Arguments,
    ) -> impl Future<Output = Result<Executed, sqlx::Error>> + Send + 'c;

    /// The cell at `index` of `row`, borrowed from the row where the driver allows it.
    fn cell(row: &<Self::Db as Database>::Row, index: usize) -> Result<Cell<'_>>;
}

/// Pool settings chosen on [`crate::DbBuilder`].
#[derive(Debug, Clone)]
pub(crate) struct PoolSettings {
    /// The requested maximum pool size, or `None` for the backend's default.
    pub(crate) max_connections: Option<u32>,
    /// How long an acquire waits for a free connection.
    pub(crate) acquire_timeout: Duration,
}

/// The default pool size for a backend that runs queries in parallel: one connection per
/// CPU, at least four.
pub(crate) fn default_pool_size() -> u32 {
    let cpus = std::thread::available_parallelism().map_or(4, |n| n.get());
    u32::try_from(cpus).unwrap_or(u32::MAX).max(4)
}

/// A pool of one of the compiled backends.
pub(crate) enum Pool {
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
pub(crate) enum Conn {
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
pub(crate) struct NoBackend(std::convert::Infallible);

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
impl ambidex_core::Connection for NoBackend {
    fn dialect(&self) -> Dialect {
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

/// Opens a server connection outside the pool, giving up after the acquire timeout (an
/// unreachable host could otherwise hang for minutes in TCP retries).
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) async fn within_timeout<C>(
    connect: impl Future<Output = Result<C, sqlx::Error>>,
    ctx: &ErrorContext,
) -> Result<C> {
    match tokio::time::timeout(ctx.acquire_timeout, connect).await {
        Ok(opened) => opened.map_err(|e| crate::error::from_connect(e, ctx)),
        // Reported as "no connection could be opened within ...".
        Err(_elapsed) => Err(crate::error::from_connect(sqlx::Error::PoolTimedOut, ctx)),
    }
}

/// What [`connect`] opened: the pool, and how its failures are described (its dialect,
/// redacted URL and the size it was given).
pub(crate) struct Opened {
    /// The pool.
    pub(crate) pool: Pool,
    /// Its error context, shared by every connection of the pool.
    pub(crate) ctx: ErrorContext,
}

/// Opens a pool for `url`, routing on its scheme (parsed by ambidex-core, so both worlds
/// accept the same URLs and refuse the same ones with the same errors).
pub(crate) async fn connect(url: &str, settings: &PoolSettings) -> Result<Opened> {
    let target = Target::parse(url)?;
    let redacted = ambidex_core::redact_url(url);
    match &target {
        #[cfg(feature = "sqlite")]
        Target::Sqlite { path } => sqlite::connect(path, redacted, settings).await,
        #[cfg(feature = "postgres")]
        Target::Postgres { url } => postgres::connect(url, redacted, settings).await,
        #[cfg(feature = "mysql")]
        Target::Mysql { url } => mysql::connect(url, redacted, settings).await,
        #[allow(unreachable_patterns)]
        other => {
            let _ = (redacted, settings);
            Err(other.feature_disabled("async"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_pool_has_at_least_four_connections() {
        assert!(default_pool_size() >= 4);
    }
}
