//! SQLite through sqlx: opening the pool, binding values, running statements, reading cells.
//!
//! The file is created if missing, and every connection first runs the SQLite dialect's
//! `connection_setup` (from ambidex-core, shared with the blocking engine): WAL journaling
//! (readers never block the writer), `synchronous = NORMAL`, a 5-second busy timeout
//! (writers queue instead of failing at once) and enforced foreign keys.
//!
//! An in-memory database (`sqlite::memory:`) exists only as long as a connection to it is
//! open, and its pool is limited to one connection (see [`crate::DbBuilder::max_connections`]).
//! Because a connection that may hold an open transaction is closed rather than pooled, the
//! pool alone could drop the last connection and with it the whole database; the pool
//! therefore also keeps one idle "keeper" connection that lives as long as the
//! [`crate::Db`].

use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use ambidex_core::{Cell, Dialect, Error, Executed, Result};
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteConnection, SqliteQueryResult, SqliteRow, SqliteTypeInfo,
    SqliteValueRef,
};
use sqlx::{Connection as _, Decode, Type, ValueRef};

use super::{Backend, Opened, PoolSettings, default_pool_size};
use crate::error::from_connect;

/// How long a connection waits for another one's write lock before reporting
/// [`Error::Conflict`] (the dialect's setup says the same; this covers the time before it
/// runs).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The SQLite backend.
pub struct SqliteBackend;

/// A SQLite pool, with the connection that keeps an in-memory database alive.
pub struct SqlitePool {
    pool: sqlx::SqlitePool,
    /// Open for the pool's whole life when the database is in memory; never used. A mutex
    /// only to make the pool `Sync`; it is never locked.
    _keeper: Option<Mutex<SqliteConnection>>,
}

impl SqlitePool {
    /// The sqlx pool.
    pub(crate) fn pool(&self) -> &sqlx::SqlitePool {
        &self.pool
    }
}

/// Opens a SQLite pool for the database at `path` (a file, or `:memory:`); `url` is the
/// redacted URL, for messages.
pub(crate) async fn connect(
    path: &str,
    url: String,
    settings: &PoolSettings,
) -> Result<Opened<SqlitePool>> {
    let in_memory = path == ":memory:";
    let pool_size = if in_memory {
        if settings.max_connections.is_some_and(|n| n > 1) {
            tracing::warn!(%url, "an in-memory SQLite database is limited to one pooled connection");
        }
        1
    } else {
        settings.max_connections.unwrap_or_else(default_pool_size)
    };
    let mut ctx = super::error_context(settings, Dialect::Sqlite, url, false, pool_size);
    ctx.sqlite_file = Some(path.into());
    let options = if in_memory {
        // sqlx names each in-memory database uniquely and opens it in shared-cache mode, so
        // the keeper and the pooled connection see the same, private, database.
        SqliteConnectOptions::from_str("sqlite::memory:").map_err(|e| from_connect(e, &ctx))?
    } else {
        SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
    };
    let options = options.busy_timeout(BUSY_TIMEOUT).collation(
        ambidex_core::types::DECIMAL_COLLATION,
        ambidex_core::types::decimal_text_order,
    );
    let first = super::open::first_connection::<sqlx::Sqlite>(&options, &ctx).await?;
    let keeper = if in_memory {
        Some(Mutex::new(first))
    } else {
        // Closing is best-effort: the connection is idle and its setup persisted (WAL).
        let _ = first.close().await;
        None
    };
    let pool = super::open::pool::<sqlx::Sqlite>(options, &ctx).await?;
    tracing::debug!(url = %ctx.url, pool_size, in_memory, "SQLite pool opened");
    Ok(Opened {
        pool: SqlitePool {
            pool,
            _keeper: keeper,
        },
        ctx,
    })
}

/// Applies [`ambidex_core::sqlite_handle`]'s settings to a new connection's raw handle.
#[allow(unsafe_code)]
pub(crate) async fn harden(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut locked = conn.lock_handle().await?;
    // SAFETY: the handle is open, and while it is locked sqlx's worker thread makes no call
    // on it.
    unsafe { ambidex_core::sqlite_handle::prepare(locked.as_raw_handle()) }
        .map_err(|e| sqlx::Error::Configuration(Box::new(e)))
}

impl Backend for SqliteBackend {
    type Db = Sqlite;

    const DIALECT: Dialect = Dialect::Sqlite;

    const NAME: &'static str = "SQLite";

    fn executed(done: SqliteQueryResult) -> Executed {
        Executed {
            rows_affected: done.rows_affected(),
            last_insert_id: Some(done.last_insert_rowid()),
        }
    }

    fn cell(row: &SqliteRow, index: usize) -> Result<Cell<'_>> {
        let Some(value) = super::cell::non_null::<Sqlite>(row, index, Self::NAME)? else {
            return Ok(Cell::Null);
        };
        // The storage class of this value, not the column's declared type: SQLite stores
        // any class in any column.
        let class: SqliteTypeInfo = value.type_info().into_owned();
        if class == <i64 as Type<Sqlite>>::type_info() {
            decode::<i64>(value, index).map(Cell::Int)
        } else if class == <f64 as Type<Sqlite>>::type_info() {
            decode::<f64>(value, index).map(Cell::Float)
        } else if class == <str as Type<Sqlite>>::type_info() {
            match <&str as Decode<Sqlite>>::decode(value) {
                Ok(text) => Ok(Cell::Text(text.into())),
                // Not valid UTF-8: hand over the bytes, so the field decoder can say so.
                Err(_) => decode::<&[u8]>(raw(row, index)?, index).map(|b| Cell::Blob(b.into())),
            }
        } else if class == <[u8] as Type<Sqlite>>::type_info() {
            decode::<&[u8]>(value, index).map(|b| Cell::Blob(b.into()))
        } else {
            Err(Error::Internal(
                format!(
                    "SQLite reported an unknown storage class {class} in column {}",
                    index + 1
                )
                .into(),
            ))
        }
    }
}

fn raw(row: &SqliteRow, index: usize) -> Result<SqliteValueRef<'_>> {
    super::cell::raw::<Sqlite>(row, index, SqliteBackend::NAME)
}

fn decode<'r, T: Decode<'r, Sqlite>>(value: SqliteValueRef<'r>, index: usize) -> Result<T> {
    T::decode(value).map_err(|e| {
        Error::Internal(format!("SQLite could not read column {}: {e}", index + 1).into())
    })
}
