//! Hand-written diesel, as diesel's guide has a user write it: the DSL on an r2d2 pool
//! (`Pool::builder().build(ConnectionManager::new(url))`, r2d2's defaults, which test each
//! connection on checkout). On SQLite the pool's customizer sets what diesel's SQLite docs
//! recommend for concurrent use (WAL, `synchronous = NORMAL`, a busy timeout, foreign keys)
//! — the same settings ambidex makes, so a write measures the library and not fsync.

use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, R2D2Connection};

use ambidex_benches::harness::Blocking;
use ambidex_benches::workload::{Check, Op};

use crate::diesel_schema::*;

/// `INSERT ... RETURNING` (PostgreSQL, SQLite 3.35+).
macro_rules! insert_returning {
    ($conn:expr, $new:expr $(, $aw:ident)?) => {
        diesel::insert_into(bench_items::table)
            .values(&$new)
            .returning(DItem::as_returning())
            .get_result($conn)$(.$aw)??
    };
}

/// MySQL has no `RETURNING`: insert, then read the row by `LAST_INSERT_ID()` on the same
/// connection.
macro_rules! insert_then_read {
    ($conn:expr, $new:expr $(, $aw:ident)?) => {{
        diesel::insert_into(bench_items::table)
            .values(&$new)
            .execute($conn)$(.$aw)??;
        bench_items::table
            .filter(bench_items::id.eq(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "LAST_INSERT_ID()",
            )))
            .select(DItem::as_select())
            .first($conn)$(.$aw)??
    }};
}
pub(crate) use {insert_returning, insert_then_read};

/// The pragmas diesel's SQLite documentation sets on every pooled connection.
#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// diesel's DSL on an r2d2 pool of connections of type `C`.
pub struct Diesel<C: R2D2Connection + 'static> {
    pool: Pool<ConnectionManager<C>>,
    op: fn(&mut C, Op, usize) -> Check,
    stream: fn(&mut C) -> Check,
}

impl<C: R2D2Connection + 'static> Diesel<C> {
    /// A pool of `pool` connections to a server, with r2d2's defaults.
    fn server(
        url: &str,
        pool: u32,
        op: fn(&mut C, Op, usize) -> Check,
        stream: fn(&mut C) -> Check,
    ) -> Self {
        let pool = Pool::builder()
            .max_size(pool)
            .build(ConnectionManager::new(url))
            .expect("diesel pool");
        Diesel { pool, op, stream }
    }
}

impl<C: R2D2Connection + 'static> Blocking for Diesel<C> {
    fn name(&self) -> String {
        "diesel (r2d2)".into()
    }

    fn run(&mut self, op: Op, i: usize) -> Check {
        let mut conn = self.pool.get().expect("diesel connection");
        if op == Op::Stream {
            (self.stream)(&mut conn)
        } else {
            (self.op)(&mut conn, op, i)
        }
    }
}

fn sqlite_op(conn: &mut SqliteConnection, op: Op, i: usize) -> Check {
    diesel_op!(conn, op, i, insert_returning).expect("diesel")
}

fn sqlite_stream(conn: &mut SqliteConnection) -> Check {
    let rows = bench_stream::table
        .select(DStreamRow::as_select())
        .load_iter::<DStreamRow, DefaultLoadingMode>(conn)
        .expect("diesel stream");
    count(rows)
}

/// Counts a stream of rows, touching each.
pub fn count<R>(rows: impl Iterator<Item = QueryResult<R>>) -> Check {
    let mut n = 0;
    for row in rows {
        std::hint::black_box(row.expect("diesel row"));
        n += 1;
    }
    n
}

impl Diesel<SqliteConnection> {
    /// A pool of `pool` SQLite connections to the file of `url` (`sqlite://path`).
    pub fn sqlite(url: &str, pool: u32) -> Self {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        let pool = Pool::builder()
            .max_size(pool)
            .connection_customizer(Box::new(SqlitePragmas))
            .build(ConnectionManager::new(path))
            .expect("diesel pool");
        Diesel {
            pool,
            op: sqlite_op,
            stream: sqlite_stream,
        }
    }
}

fn pg_op(conn: &mut PgConnection, op: Op, i: usize) -> Check {
    diesel_op!(conn, op, i, insert_returning).expect("diesel")
}

/// PostgreSQL: diesel's row-by-row loading mode, which its docs recommend for large
/// results (the default mode holds the whole result in libpq's memory).
fn pg_stream(conn: &mut PgConnection) -> Check {
    let rows = bench_stream::table
        .select(DStreamRow::as_select())
        .load_iter::<DStreamRow, diesel::pg::PgRowByRowLoadingMode>(conn)
        .expect("diesel stream");
    count(rows)
}

impl Diesel<PgConnection> {
    /// A pool of `pool` PostgreSQL connections.
    pub fn postgres(url: &str, pool: u32) -> Self {
        Diesel::server(url, pool, pg_op, pg_stream)
    }
}

fn mysql_op(conn: &mut MysqlConnection, op: Op, i: usize) -> Check {
    diesel_op!(conn, op, i, insert_then_read).expect("diesel")
}

fn mysql_stream(conn: &mut MysqlConnection) -> Check {
    let rows = bench_stream::table
        .select(DStreamRow::as_select())
        .load_iter::<DStreamRow, DefaultLoadingMode>(conn)
        .expect("diesel stream");
    count(rows)
}

impl Diesel<MysqlConnection> {
    /// A pool of `pool` MySQL / MariaDB connections.
    pub fn mysql(url: &str, pool: u32) -> Self {
        Diesel::server(url, pool, mysql_op, mysql_stream)
    }
}
