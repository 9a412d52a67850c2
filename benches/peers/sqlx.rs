//! Hand-written sqlx, as its documentation has a user write it: `query_as` with tuples,
//! `QueryBuilder::push_values` for the batch insert, `fetch` for the stream. Two ways to
//! hold connections: sqlx's pool (its defaults, which ping each connection before handing
//! it out, `test_before_acquire`), and one connection checked out once and held. On SQLite
//! the connect options set WAL and `synchronous = NORMAL`, which sqlx's docs name as the
//! pairing for WAL (its default is `FULL`) and which ambidex sets too.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::LazyLock;

use futures_util::TryStreamExt;

use ambidex_benches::harness::{Async, BoxFuture};
use ambidex_benches::workload::{Check, EAGER_PARENTS, Op};

/// The row of `bench_items` / `bench_stream`.
type Row = (i64, String, i32, f64);

/// A row as an application would hold it.
#[derive(Debug)]
#[allow(dead_code)] // read by `black_box` and `Debug` only
pub struct SItem {
    id: i64,
    name: String,
    qty: i32,
    price: f64,
}

fn to_item((id, name, qty, price): Row) -> SItem {
    SItem {
        id,
        name,
        qty,
        price,
    }
}

/// A child row.
#[derive(Debug)]
#[allow(dead_code)] // read by `black_box` and `Debug` only
pub struct SBook {
    id: i64,
    author_id: i64,
    title: String,
}

/// The children query with one `?` per parent (SQLite, MySQL), written once.
static CHILDREN_IN: LazyLock<String> = LazyLock::new(|| {
    let marks = vec!["?"; EAGER_PARENTS as usize].join(", ");
    format!("SELECT id, author_id, title FROM bench_books WHERE author_id IN ({marks})")
});

/// Groups children under their parents, in the parents' order.
fn group(parents: &[(i64, String)], children: Vec<(i64, i64, String)>) -> Vec<Vec<SBook>> {
    let at: HashMap<i64, usize> = parents.iter().enumerate().map(|(k, p)| (p.0, k)).collect();
    let mut grouped: Vec<Vec<SBook>> = parents.iter().map(|_| Vec::new()).collect();
    for (id, author_id, title) in children {
        grouped[at[&author_id]].push(SBook {
            id,
            author_id,
            title,
        });
    }
    grouped
}

/// One workload in sqlx on executor `$exec` (`&pool` or `&mut *conn`), with the backend's
/// placeholders `$p1`, `$p2`, its insert-and-return `$insert` and children query
/// `$children`.
macro_rules! sqlx_op {
    ($exec:expr, $db:ty, $op:expr, $i:expr, $p1:literal, $p2:literal, $insert:ident, $children:ident) => {
        async move {
            use ambidex_benches::workload::*;
            let (op, i): (Op, usize) = ($op, $i);
            let r: Result<Check, sqlx::Error> = async {
                Ok(match op {
                    Op::Lookup => {
                        to_item(
                            sqlx::query_as::<_, Row>(concat!(
                                "SELECT id, name, qty, price FROM bench_items WHERE id = ",
                                $p1
                            ))
                            .bind(key(i))
                            .fetch_one($exec)
                            .await?,
                        )
                        .id
                    }
                    Op::Load => sqlx::query_as::<_, Row>(concat!(
                        "SELECT id, name, qty, price FROM bench_items WHERE id <= ",
                        $p1
                    ))
                    .bind(LOAD_ROWS)
                    .fetch_all($exec)
                    .await?
                    .into_iter()
                    .map(to_item)
                    .count() as i64,
                    Op::FilterOrderLimit => sqlx::query_as::<_, Row>(concat!(
                        "SELECT id, name, qty, price FROM bench_items WHERE qty = ",
                        $p1,
                        " ORDER BY price DESC LIMIT 10"
                    ))
                    .bind(qty(i))
                    .fetch_all($exec)
                    .await?
                    .into_iter()
                    .map(to_item)
                    .count() as i64,
                    Op::Insert => {
                        let row: Row = $insert!($exec, format!("new {i}"), $p1);
                        i64::from(to_item(row).id > ROWS)
                    }
                    Op::BatchInsert => {
                        let rows = ambidex_benches::models::batch();
                        let mut insert = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO bench_items (name, qty, price) ",
                        );
                        insert.push_values(rows, |mut b, row| {
                            b.push_bind(row.name)
                                .push_bind(row.qty)
                                .push_bind(row.price);
                        });
                        insert.build().execute($exec).await?.rows_affected() as i64
                    }
                    Op::UpdateWhere => sqlx::query(concat!(
                        "UPDATE bench_items SET price = ",
                        $p1,
                        " WHERE qty = ",
                        $p2
                    ))
                    .bind(i as f64)
                    .bind(qty(i))
                    .execute($exec)
                    .await?
                    .rows_affected() as i64,
                    Op::DeleteWhere => {
                        sqlx::query(concat!("DELETE FROM bench_items WHERE qty = ", $p1))
                            .bind(delete_marker(i))
                            .execute($exec)
                            .await?
                            .rows_affected() as i64
                    }
                    Op::EagerLoad => {
                        let first = first_parent(i);
                        let parents: Vec<(i64, String)> = sqlx::query_as(concat!(
                            "SELECT id, name FROM bench_authors WHERE id BETWEEN ",
                            $p1,
                            " AND ",
                            $p2
                        ))
                        .bind(first)
                        .bind(first + EAGER_PARENTS - 1)
                        .fetch_all($exec)
                        .await?;
                        let ids: Vec<i64> = parents.iter().map(|p| p.0).collect();
                        let children = $children!($exec, ids);
                        group(&parents, children)
                            .iter()
                            .map(Vec::len)
                            .sum::<usize>() as i64
                    }
                    Op::Aggregate => sqlx::query_as::<_, (i32, i64, Option<f64>)>(concat!(
                        "SELECT qty, COUNT(*), AVG(price) FROM bench_items WHERE id <= ",
                        $p1,
                        " GROUP BY qty"
                    ))
                    .bind(ROWS)
                    .fetch_all($exec)
                    .await?
                    .len() as i64,
                    Op::Stream => {
                        sqlx::query_as::<_, Row>("SELECT id, name, qty, price FROM bench_stream")
                            .fetch($exec)
                            .try_fold(0, |n, row| {
                                std::hint::black_box(to_item(row));
                                std::future::ready(Ok(n + 1))
                            })
                            .await?
                    }
                })
            }
            .await;
            r.expect("sqlx")
        }
    };
}

/// `INSERT ... RETURNING` (PostgreSQL, SQLite).
macro_rules! insert_returning {
    ($exec:expr, $name:expr, $p1:literal) => {
        sqlx::query_as(concat!(
            "INSERT INTO bench_items (name, qty, price) VALUES (",
            $p1,
            ", 1, 1.0) RETURNING id, name, qty, price"
        ))
        .bind($name)
        .fetch_one($exec)
        .await?
    };
}

/// MySQL: insert, then read the row by `LAST_INSERT_ID()` on the same connection.
macro_rules! insert_then_read {
    ($exec:expr, $name:expr, $p1:literal) => {{
        // One connection for both statements, as LAST_INSERT_ID() is per connection.
        #[allow(unused_mut)] // a PoolConnection needs it, a held `&mut` connection not
        let mut conn = sqlx::Acquire::acquire($exec).await?;
        sqlx::query("INSERT INTO bench_items (name, qty, price) VALUES (?, 1, 1.0)")
            .bind($name)
            .execute(&mut *conn)
            .await?;
        sqlx::query_as("SELECT id, name, qty, price FROM bench_items WHERE id = LAST_INSERT_ID()")
            .fetch_one(&mut *conn)
            .await?
    }};
}

/// PostgreSQL: one array parameter.
macro_rules! children_any {
    ($exec:expr, $ids:expr) => {
        sqlx::query_as::<_, (i64, i64, String)>(
            "SELECT id, author_id, title FROM bench_books WHERE author_id = ANY($1)",
        )
        .bind($ids)
        .fetch_all($exec)
        .await?
    };
}

/// SQLite, MySQL: one placeholder per parent.
macro_rules! children_in {
    ($exec:expr, $ids:expr) => {{
        let mut q = sqlx::query_as::<_, (i64, i64, String)>(CHILDREN_IN.as_str());
        for id in $ids {
            q = q.bind(id);
        }
        q.fetch_all($exec).await?
    }};
}

/// sqlx through its pool, or on one connection held for the whole run.
pub enum Sqlx<DB: sqlx::Database> {
    /// Each operation acquires from the pool.
    Pool {
        /// The pool.
        pool: sqlx::Pool<DB>,
        /// The backend's operations.
        op: fn(&sqlx::Pool<DB>, Op, usize) -> BoxFuture<'_, Check>,
    },
    /// One connection, held.
    Held {
        /// The connection.
        conn: sqlx::pool::PoolConnection<DB>,
        /// The backend's operations.
        op: fn(&mut DB::Connection, Op, usize) -> BoxFuture<'_, Check>,
        /// The pool it came from, kept open.
        _pool: sqlx::Pool<DB>,
    },
}

impl<DB: sqlx::Database> Async for Sqlx<DB> {
    fn name(&self) -> String {
        match self {
            Sqlx::Pool { .. } => "sqlx (pool)".into(),
            Sqlx::Held { .. } => "sqlx (held)".into(),
        }
    }

    fn run(&mut self, op: Op, i: usize) -> BoxFuture<'_, Check> {
        match self {
            Sqlx::Pool { pool, op: run } => run(pool, op, i),
            Sqlx::Held { conn, op: run, .. } => run(&mut *conn, op, i),
        }
    }
}

/// Both sqlx contenders of one backend: the pool and a connection held from a second
/// pool of the same settings.
macro_rules! sqlx_contenders {
    ($name:ident, $db:ty, $p1:literal, $p2:literal, $insert:ident, $children:ident) => {
        /// sqlx through its pool and on a held connection, for this backend.
        pub async fn $name(
            options: <<$db as sqlx::Database>::Connection as sqlx::Connection>::Options,
            pool: u32,
        ) -> (Sqlx<$db>, Sqlx<$db>) {
            fn on_pool(pool: &sqlx::Pool<$db>, op: Op, i: usize) -> BoxFuture<'_, Check> {
                Box::pin(sqlx_op!(pool, $db, op, i, $p1, $p2, $insert, $children))
            }
            fn on_conn(
                conn: &mut <$db as sqlx::Database>::Connection,
                op: Op,
                i: usize,
            ) -> BoxFuture<'_, Check> {
                Box::pin(sqlx_op!(
                    &mut *conn, $db, op, i, $p1, $p2, $insert, $children
                ))
            }
            let open = || {
                sqlx::pool::PoolOptions::<$db>::new()
                    .max_connections(pool)
                    .connect_with(options.clone())
            };
            let shared = open().await.expect("sqlx pool");
            let held_pool = open().await.expect("sqlx pool");
            let conn = held_pool.acquire().await.expect("held connection");
            (
                Sqlx::Pool {
                    pool: shared,
                    op: on_pool,
                },
                Sqlx::Held {
                    conn,
                    op: on_conn,
                    _pool: held_pool,
                },
            )
        }
    };
}

sqlx_contenders!(
    sqlite,
    sqlx::Sqlite,
    "?",
    "?",
    insert_returning,
    children_in
);
sqlx_contenders!(
    postgres,
    sqlx::Postgres,
    "$1",
    "$2",
    insert_returning,
    children_any
);
sqlx_contenders!(mysql, sqlx::MySql, "?", "?", insert_then_read, children_in);

/// sqlx's SQLite options for `url`: WAL with `synchronous = NORMAL` and a busy timeout.
pub fn sqlite_options(url: &str) -> sqlx::sqlite::SqliteConnectOptions {
    sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .expect("sqlite url")
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
        .busy_timeout(std::time::Duration::from_secs(5))
}

/// Connect options parsed from a server URL.
pub fn options<O: FromStr>(url: &str) -> O
where
    O::Err: std::fmt::Debug,
{
    O::from_str(url).expect("server url")
}
