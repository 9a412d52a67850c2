//! Opening a sqlx pool, written once for every backend: one connection first (so a bad
//! URL, refused credentials or a failing setup statement is reported as it is, not as a
//! pool timeout), the dialect's setup statements on every connection, and the pool options
//! ambidex chooses for speed. A server backend (PostgreSQL, MySQL) opens its pool here
//! entirely (`server_pool`); only the adjustment of its driver's options is its own.

#[cfg(any(feature = "postgres", feature = "mysql"))]
use std::str::FromStr;
use std::sync::Arc;

use ambidex_core::{Dialect, Result};
use sqlx::pool::{Pool, PoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Database};

#[cfg(any(feature = "postgres", feature = "mysql"))]
use super::{Opened, PoolSettings, default_pool_size};
#[cfg(any(feature = "postgres", feature = "mysql"))]
use crate::error::url_has_password;
use crate::error::{ErrorContext, from_connect};

/// Applies the raw-handle settings of a SQLite connection
/// ([`ambidex_core::sqlite_handle`]), runs the dialect's per-connection setup statements
/// (shared with the blocking engine), then the statement-timeout setting, if the builder
/// asked for one.
pub(crate) async fn setup<DB: Database>(
    conn: &mut DB::Connection,
    dialect: Dialect,
    timeout_setup: Option<&str>,
) -> Result<(), sqlx::Error>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    #[cfg(feature = "sqlite")]
    if let Some(sqlite) = (conn as &mut dyn std::any::Any).downcast_mut::<sqlx::SqliteConnection>()
    {
        super::sqlite::harden(sqlite).await?;
    }
    for &sql in dialect.rules().connection_setup() {
        sqlx::raw_sql(sql).execute(&mut *conn).await?;
    }
    if let Some(sql) = timeout_setup {
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The statement that sets `ctx`'s statement timeout on a new connection, if it has one.
fn timeout_setup(ctx: &ErrorContext) -> Option<Arc<str>> {
    ctx.statement_timeout
        .map(|t| Arc::from(ctx.dialect.rules().statement_timeout_setup(t)))
}

/// Opens and sets up one connection, within the acquire timeout.
pub(crate) async fn first_connection<DB: Database>(
    options: &<DB::Connection as Connection>::Options,
    ctx: &ErrorContext,
) -> Result<DB::Connection>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let mut conn = within_timeout(options.connect(), ctx).await?;
    setup::<DB>(&mut conn, ctx.dialect, timeout_setup(ctx).as_deref())
        .await
        .map_err(|e| from_connect(e, ctx))?;
    Ok(conn)
}

/// The pool, each of whose connections runs the dialect's setup.
pub(crate) async fn pool<DB: Database>(
    options: <DB::Connection as Connection>::Options,
    ctx: &ErrorContext,
) -> Result<Pool<DB>>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let dialect = ctx.dialect;
    let timeout = timeout_setup(ctx);
    PoolOptions::<DB>::new()
        .max_connections(ctx.pool_size)
        .acquire_timeout(ctx.acquire_timeout)
        // Pinging every connection on acquire would add a round trip to each statement,
        // doubling the latency of a primary-key lookup; a broken connection fails its
        // statement with `Error::Connection` instead, and the pool replaces it.
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            let timeout = timeout.clone();
            Box::pin(async move { setup::<DB>(conn, dialect, timeout.as_deref()).await })
        })
        .connect_with(options)
        .await
        .map_err(|e| from_connect(e, ctx))
}

/// Opens a pool of a server backend for `url` (`redacted` is it without its password, for
/// messages): the driver's options parsed from the URL, adjusted by `tune`, checked with
/// one connection, then the pool.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) async fn server_pool<DB: Database>(
    url: &str,
    redacted: String,
    settings: &PoolSettings,
    dialect: Dialect,
    tune: impl FnOnce(
        <DB::Connection as Connection>::Options,
    ) -> <DB::Connection as Connection>::Options,
) -> Result<Opened<Pool<DB>>>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let pool_size = settings.max_connections.unwrap_or_else(default_pool_size);
    let ctx = super::error_context(
        settings,
        dialect,
        redacted,
        url_has_password(url),
        pool_size,
    );
    let options = <DB::Connection as Connection>::Options::from_str(url)
        .map_err(|e| from_connect(e, &ctx))?;
    let options = tune(options);
    let first = first_connection::<DB>(&options, &ctx).await?;
    // Closing is best-effort: the connection is idle and nothing depends on it.
    let _ = first.close().await;
    let pool = pool::<DB>(options, &ctx).await?;
    tracing::debug!(url = %ctx.url, pool_size = ctx.pool_size, dialect = ctx.dialect.name(), "pool opened");
    Ok(Opened { pool, ctx })
}

/// Opens a connection outside the pool, giving up after the acquire timeout (an unreachable
/// host could otherwise hang for minutes in TCP retries).
async fn within_timeout<C>(
    connect: impl std::future::Future<Output = Result<C, sqlx::Error>>,
    ctx: &ErrorContext,
) -> Result<C> {
    match tokio::time::timeout(ctx.acquire_timeout, connect).await {
        Ok(opened) => opened.map_err(|e| from_connect(e, ctx)),
        // Reported as "no connection could be opened within ...".
        Err(_elapsed) => Err(from_connect(sqlx::Error::PoolTimedOut, ctx)),
    }
}
