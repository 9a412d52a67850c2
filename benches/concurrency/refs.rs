//! The two references, written as their own documentation would have a user write them,
//! with each library's defaults but the pool size (16) and the acquire timeout: a sqlx pool
//! and `sqlx::query_as` (sqlx pings a connection before handing it out, by default), and
//! diesel's DSL on an r2d2 pool (r2d2 tests a connection on checkout, by default) with each
//! lookup in `tokio::task::spawn_blocking` (tokio's default of at most 512 blocking
//! threads).

use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};

use crate::config::{ACQUIRE_TIMEOUT, Backend, POOL};

diesel::table! {
    /// `bench_items`, as diesel sees it.
    bench_items (id) {
        /// The key.
        id -> BigInt,
        /// `item N`.
        name -> Text,
        /// `N % 100`.
        qty -> Integer,
        /// `N / 3`.
        price -> Double,
    }
}

/// A row of `bench_items`, decoded by diesel.
#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = bench_items)]
#[allow(
    dead_code,
    reason = "decoded as an application would; only the key is checked"
)]
pub struct Row {
    /// The key.
    pub id: i64,
    /// `item N`.
    pub name: String,
    /// `N % 100`.
    pub qty: i32,
    /// `N / 3`.
    pub price: f64,
}

/// A row of `bench_items`, decoded by sqlx.
type SqlxRow = (i64, String, i32, f64);

/// A diesel r2d2 pool of [`POOL`] connections on one backend.
#[derive(Clone)]
pub enum DieselPool {
    /// SQLite (the path, without `sqlite://`).
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    /// PostgreSQL.
    Postgres(Pool<ConnectionManager<PgConnection>>),
    /// MariaDB / MySQL.
    Mysql(Pool<ConnectionManager<MysqlConnection>>),
}

fn r2d2<C: diesel::r2d2::R2D2Connection + 'static>(
    url: &str,
) -> Result<Pool<ConnectionManager<C>>, String> {
    Pool::builder()
        .max_size(POOL)
        .connection_timeout(ACQUIRE_TIMEOUT)
        .build(ConnectionManager::new(url))
        .map_err(|e| format!("r2d2 pool: {e}"))
}

/// The lookup, one text for every backend (diesel's connection types differ, the DSL
/// does not).
macro_rules! diesel_lookup {
    ($pool:expr, $key:expr) => {{
        let mut conn = $pool.get().map_err(|e| format!("r2d2 checkout: {e}"))?;
        let row: Row = bench_items::table
            .find($key)
            .select(Row::as_select())
            .first(&mut conn)
            .map_err(|e| format!("diesel lookup: {e}"))?;
        Ok(std::hint::black_box(row).id)
    }};
}

impl DieselPool {
    /// Opens the pool (r2d2 makes every connection before it returns).
    pub fn open(backend: Backend, url: &str) -> Result<DieselPool, String> {
        Ok(match backend {
            Backend::Sqlite => {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                DieselPool::Sqlite(r2d2(path)?)
            }
            Backend::Postgres => DieselPool::Postgres(r2d2(url)?),
            Backend::Mysql => DieselPool::Mysql(r2d2(url)?),
        })
    }

    /// Reads row `key` on a pooled connection (blocking); yields its key.
    pub fn lookup(&self, key: i64) -> Result<i64, String> {
        match self {
            DieselPool::Sqlite(pool) => diesel_lookup!(pool, key),
            DieselPool::Postgres(pool) => diesel_lookup!(pool, key),
            DieselPool::Mysql(pool) => diesel_lookup!(pool, key),
        }
    }
}

/// A sqlx pool of [`POOL`] connections on one backend.
#[derive(Clone)]
pub enum SqlxPool {
    /// SQLite.
    Sqlite(sqlx::SqlitePool),
    /// PostgreSQL.
    Postgres(sqlx::PgPool),
    /// MariaDB / MySQL.
    Mysql(sqlx::MySqlPool),
}

const SELECT_PG: &str = "SELECT id, name, qty, price FROM bench_items WHERE id = $1";
const SELECT_QM: &str = "SELECT id, name, qty, price FROM bench_items WHERE id = ?";

impl SqlxPool {
    /// Opens the pool (sqlx makes one connection now, the rest on demand).
    pub async fn open(backend: Backend, url: &str) -> Result<SqlxPool, String> {
        let err = |e: sqlx::Error| format!("sqlx pool: {e}");
        Ok(match backend {
            Backend::Sqlite => SqlxPool::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(POOL)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect(url)
                    .await
                    .map_err(err)?,
            ),
            Backend::Postgres => SqlxPool::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(POOL)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect(url)
                    .await
                    .map_err(err)?,
            ),
            Backend::Mysql => SqlxPool::Mysql(
                sqlx::mysql::MySqlPoolOptions::new()
                    .max_connections(POOL)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect(url)
                    .await
                    .map_err(err)?,
            ),
        })
    }

    /// Reads row `key` through the pool; yields its key.
    pub async fn lookup(&self, key: i64) -> Result<i64, String> {
        let row: SqlxRow = match self {
            SqlxPool::Sqlite(pool) => sqlx::query_as(SELECT_QM).bind(key).fetch_one(pool).await,
            SqlxPool::Postgres(pool) => sqlx::query_as(SELECT_PG).bind(key).fetch_one(pool).await,
            SqlxPool::Mysql(pool) => sqlx::query_as(SELECT_QM).bind(key).fetch_one(pool).await,
        }
        .map_err(|e| format!("sqlx lookup: {e}"))?;
        Ok(std::hint::black_box(row).0)
    }
}
