//! ambidex beside the code a user would otherwise write, on the same data in one process:
//! the blocking API against hand-written diesel (its DSL, on an r2d2 pool, as diesel's
//! guide has it), and the async API against hand-written sqlx, both through its pool and
//! on one held connection (sqlx pools ping nothing here, but acquiring costs a round of the
//! pool's bookkeeping). Reports each contender's median time per operation and its ratio
//! to ambidex, per workload and backend (SQLite file; PostgreSQL and MariaDB when their
//! URLs are set).
//!
//! `cargo bench --bench peers` (add `--features postgres,mysql` and set
//! `AMBIDEX_POSTGRES_URL` / `AMBIDEX_MYSQL_URL` for the servers); `-- --quick` (or
//! `AMBIDEX_BENCH_QUICK=1`) runs fewer rounds. Progress goes to stderr, the table to stdout.
//!
//! Rounds are paired as in `default_engine.rs`: every round runs each contender of a world
//! back to back, in rotating order, and a ratio is taken within the round, so drift of the
//! shared machine cancels out. The verdict on a ratio uses its quartiles over the rounds.
//!
//! Not here yet (issue 6): the raw drivers, diesel-async, SeaORM and sea-orm-sync,
//! batch insert of 10,000 rows, deletes, eager loading, streaming, and the concurrency
//! experiment.

use std::time::{Duration, Instant};

use ambidex::prelude::*;
use diesel::prelude::*;

diesel::table! {
    bench_items (id) {
        id -> BigInt,
        name -> Text,
        qty -> Integer,
        price -> Double,
    }
}

/// The benchmark's row: an ambidex model and a diesel `Queryable` at once.
#[derive(Model, Queryable, Selectable, Debug, Clone, PartialEq)]
#[diesel(table_name = bench_items)]
#[ambidex(table = "bench_items")]
struct Item {
    #[ambidex(primary_key, auto)]
    id: i64,
    name: String,
    qty: i32,
    price: f64,
}

/// What diesel inserts (the key is generated).
#[derive(Insertable)]
#[diesel(table_name = bench_items)]
struct NewItem<'a> {
    name: &'a str,
    qty: i32,
    price: f64,
}

/// Rows in the seeded table.
const ROWS: i64 = 10_000;
/// Connections in every pool.
const POOL: u32 = 4;

fn quick() -> bool {
    std::env::var("AMBIDEX_BENCH_QUICK").is_ok() || std::env::args().any(|a| a == "--quick")
}

/// The workloads.
#[derive(Clone, Copy, Debug)]
enum Op {
    Lookup,
    Load,
    FilterOrderLimit,
    Insert,
    UpdateWhere,
    Aggregate,
}

const OPS: [Op; 6] = [
    Op::Lookup,
    Op::Load,
    Op::FilterOrderLimit,
    Op::Insert,
    Op::UpdateWhere,
    Op::Aggregate,
];

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Lookup => "primary-key lookup",
            Op::Load => "load 1,000 rows",
            Op::FilterOrderLimit => "filter + order + limit 10",
            Op::Insert => "insert one row (returned)",
            Op::UpdateWhere => "update by filter (100 rows)",
            Op::Aggregate => "grouped aggregate (100 groups)",
        }
    }

    /// Operations per timed run, so that a run takes some milliseconds.
    fn per_run(self) -> usize {
        match self {
            Op::Lookup => 500,
            Op::Load => 10,
            Op::FilterOrderLimit => 100,
            Op::Insert => 200,
            Op::UpdateWhere => 50,
            Op::Aggregate => 20,
        }
    }
}

/// The key operation number `i` looks up.
fn key(i: usize) -> i64 {
    1 + (i as i64 * 7_919) % ROWS
}

/// What every contender's operation yields, checked against ambidex's: a row count or a
/// key, so a contender that skips work cannot win.
type Check = i64;

/// diesel's DSL for one connection type; `$insert` inserts `new` and returns the row.
macro_rules! diesel_op {
    ($conn:expr, $op:expr, $i:expr, $insert:ident) => {{
        use bench_items::dsl as t;
        let (conn, op, i) = ($conn, $op, $i);
        let r: QueryResult<Check> = (|| {
            Ok(match op {
                Op::Lookup => {
                    t::bench_items
                        .find(key(i))
                        .select(Item::as_select())
                        .first(conn)?
                        .id
                }
                Op::Load => t::bench_items
                    .filter(t::id.le(1000))
                    .select(Item::as_select())
                    .load(conn)?
                    .len() as i64,
                Op::FilterOrderLimit => t::bench_items
                    .filter(t::qty.eq((i % 100) as i32))
                    .order(t::price.desc())
                    .limit(10)
                    .select(Item::as_select())
                    .load(conn)?
                    .len() as i64,
                Op::Insert => {
                    let name = format!("new {i}");
                    let new = NewItem {
                        name: &name,
                        qty: 1,
                        price: 1.0,
                    };
                    i64::from($insert!(conn, new).id > ROWS)
                }
                Op::UpdateWhere => {
                    diesel::update(t::bench_items.filter(t::qty.eq((i % 100) as i32)))
                        .set(t::price.eq(i as f64))
                        .execute(conn)? as i64
                }
                Op::Aggregate => t::bench_items
                    .filter(t::id.le(ROWS))
                    .group_by(t::qty)
                    .select((
                        t::qty,
                        diesel::dsl::count_star(),
                        diesel::dsl::avg(t::price),
                    ))
                    .load::<(i32, i64, Option<f64>)>(conn)?
                    .len() as i64,
            })
        })();
        r.expect("diesel")
    }};
}

/// `INSERT ... RETURNING` (PostgreSQL, SQLite 3.35+).
macro_rules! diesel_insert_returning {
    ($conn:expr, $new:expr) => {
        diesel::insert_into(bench_items::table)
            .values(&$new)
            .returning(Item::as_returning())
            .get_result($conn)?
    };
}

/// MySQL has no RETURNING: insert, then read the row by `LAST_INSERT_ID()`.
#[cfg(feature = "mysql")]
macro_rules! diesel_insert_then_read {
    ($conn:expr, $new:expr) => {{
        diesel::insert_into(bench_items::table)
            .values(&$new)
            .execute($conn)?;
        bench_items::table
            .filter(
                bench_items::id.eq(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                    "LAST_INSERT_ID()",
                )),
            )
            .select(Item::as_select())
            .first($conn)?
    }};
}

/// The hand-written sqlx of one backend: `$p1`, `$p2` are its first two placeholders,
/// `$exec` the executor expression (`&pool` or `&mut *conn`), `$insert` inserts and
/// returns the row.
macro_rules! sqlx_op {
    ($exec:expr, $op:expr, $i:expr, $p1:literal, $p2:literal, $insert:ident) => {
        async {
            type Row = (i64, String, i32, f64);
            let to_item = |(id, name, qty, price): Row| Item {
                id,
                name,
                qty,
                price,
            };
            let (op, i) = ($op, $i);
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
                    .bind(1000i64)
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
                    .bind((i % 100) as i32)
                    .fetch_all($exec)
                    .await?
                    .into_iter()
                    .map(to_item)
                    .count() as i64,
                    Op::Insert => {
                        let row: Row = $insert!($exec, format!("new {i}"), $p1, $p2);
                        i64::from(to_item(row).id > ROWS)
                    }
                    Op::UpdateWhere => sqlx::query(concat!(
                        "UPDATE bench_items SET price = ",
                        $p1,
                        " WHERE qty = ",
                        $p2
                    ))
                    .bind(i as f64)
                    .bind((i % 100) as i32)
                    .execute($exec)
                    .await?
                    .rows_affected() as i64,
                    Op::Aggregate => sqlx::query_as::<_, (i32, i64, Option<f64>)>(concat!(
                        "SELECT qty, COUNT(*), AVG(price) FROM bench_items WHERE id <= ",
                        $p1,
                        " GROUP BY qty"
                    ))
                    .bind(ROWS)
                    .fetch_all($exec)
                    .await?
                    .len() as i64,
                })
            }
            .await;
            r.expect("sqlx")
        }
    };
}

/// `INSERT ... RETURNING` with sqlx.
macro_rules! sqlx_insert_returning {
    ($exec:expr, $name:expr, $p1:literal, $p2:literal) => {
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

/// Paired rounds of one workload over several contenders; returns each one's median time
/// per operation and the sorted per-round ratios to the first (ambidex).
struct Measured {
    workload: &'static str,
    medians: Vec<Duration>,
    ratios: Vec<Vec<f64>>,
}

impl Measured {
    fn from_rounds(workload: &'static str, times: Vec<Vec<Duration>>) -> Measured {
        let n = times[0].len();
        let medians = (0..n)
            .map(|c| {
                let mut v: Vec<Duration> = times.iter().map(|r| r[c]).collect();
                v.sort();
                v[v.len() / 2]
            })
            .collect();
        let ratios = (1..n)
            .map(|c| {
                let mut v: Vec<f64> = times
                    .iter()
                    .map(|r| r[c].as_secs_f64() / r[0].as_secs_f64())
                    .collect();
                v.sort_by(f64::total_cmp);
                v
            })
            .collect();
        Measured {
            workload,
            medians,
            ratios,
        }
    }
}

/// `peer / ambidex` as median (quartiles); below 1 the peer is faster.
fn ratio_cell(sorted: &[f64]) -> String {
    let q = |k: usize| sorted[(sorted.len() - 1) * k / 4];
    format!("{:.2}x ({:.2}-{:.2})", q(2), q(1), q(3))
}

fn us(d: Duration) -> String {
    format!("{:.1} us", d.as_secs_f64() * 1e6)
}

/// Seeds the table through ambidex (the same rows for every contender).
fn seed(db: &ambidex::blocking::Db) -> ambidex::Result<()> {
    Item::drop_table(db)?;
    Item::create_table(db)?;
    let rows: Vec<Item> = (0..ROWS)
        .map(|i| Item {
            id: 0,
            name: format!("item {i}"),
            qty: (i % 100) as i32,
            price: i as f64 / 3.0,
        })
        .collect();
    Item::insert_many(&rows, db)?;
    Ok(())
}

/// Times `n` calls of `f`, per call.
fn time_blocking(n: usize, mut f: impl FnMut(usize) -> Check) -> Duration {
    let start = Instant::now();
    let mut sum = 0;
    for i in 0..n {
        sum += f(i);
    }
    std::hint::black_box(sum);
    start.elapsed() / n as u32
}

/// Runs the blocking world on one backend: ambidex, then diesel's DSL on an r2d2 pool.
macro_rules! blocking_world {
    ($url:expr, $rounds:expr, $Conn:ty, $insert:ident) => {{
        let url: &str = $url;
        let ax = ambidex::blocking::Db::builder(url)
            .max_connections(POOL)
            .open()
            .expect("open ambidex");
        seed(&ax).expect("seed");
        let diesel_url = url.strip_prefix("sqlite://").unwrap_or(url);
        let pool = diesel::r2d2::Pool::builder()
            .max_size(POOL)
            .build(diesel::r2d2::ConnectionManager::<$Conn>::new(diesel_url))
            .expect("diesel pool");
        let mut out = Vec::new();
        for op in OPS {
            let n = op.per_run();
            let run_ax = |n| {
                time_blocking(n, |i| {
                    ambidex_op_blocking(&ax, op, i).expect("ambidex blocking")
                })
            };
            let run_diesel = |n| {
                time_blocking(n, |i| {
                    let mut conn = pool.get().expect("diesel connection");
                    diesel_op!(&mut *conn, op, i, $insert)
                })
            };
            run_ax(n / 4 + 1);
            run_diesel(n / 4 + 1);
            let mut rounds = Vec::new();
            for round in 0..$rounds {
                let (a, d) = if round % 2 == 0 {
                    let a = run_ax(n);
                    (a, run_diesel(n))
                } else {
                    let d = run_diesel(n);
                    (run_ax(n), d)
                };
                rounds.push(vec![a, d]);
                eprint!(".");
            }
            out.push(Measured::from_rounds(op.name(), rounds));
        }
        out
    }};
}

/// Runs the async world on one backend: ambidex's `SqlxDb`, sqlx through its pool, and
/// sqlx on one held connection.
macro_rules! async_world {
    ($url:expr, $rounds:expr, $Db:ty, $p1:literal, $p2:literal, $insert:ident) => {{
        let url: &str = $url;
        async move {
            let ax = ambidex::SqlxDb::builder(url)
                .max_connections(POOL)
                .connect()
                .await
                .expect("open ambidex");
            let pool = sqlx::pool::PoolOptions::<$Db>::new()
                .max_connections(POOL)
                .connect(url)
                .await
                .expect("sqlx pool");
            let mut held = pool.acquire().await.expect("held connection");
            let mut out = Vec::new();
            for op in OPS {
                let n = op.per_run();
                let mut rounds = Vec::new();
                for round in 0..$rounds + 1 {
                    let mut times = [Duration::ZERO; 3];
                    let count = if round == 0 { n / 4 + 1 } else { n };
                    for k in 0..3 {
                        let which = (k + round) % 3;
                        let start = Instant::now();
                        let mut sum = 0;
                        for i in 0..count {
                            sum += match which {
                                0 => ambidex_op(&ax, op, i).await.expect("ambidex async"),
                                1 => sqlx_op!(&pool, op, i, $p1, $p2, $insert).await,
                                _ => sqlx_op!(&mut *held, op, i, $p1, $p2, $insert).await,
                            };
                        }
                        std::hint::black_box(sum);
                        times[which] = start.elapsed() / count as u32;
                    }
                    // Round 0 warms caches and pools.
                    if round > 0 {
                        rounds.push(times.to_vec());
                        eprint!(".");
                    }
                }
                out.push(Measured::from_rounds(op.name(), rounds));
            }
            out
        }
    }};
}

/// One operation through ambidex, written once: `#[ambidex::dual]` makes the blocking twin
/// `ambidex_op_blocking` over `ambidex::blocking::Db` from this async function over
/// `ambidex::SqlxDb`, as an application's own data layer would be.
#[ambidex::dual(db = ambidex::SqlxDb => ambidex::blocking::Db)]
async fn ambidex_op(db: &ambidex::SqlxDb, op: Op, i: usize) -> ambidex::Result<Check> {
    Ok(match op {
        Op::Lookup => Item::get(key(i), db).await?.id,
        Op::Load => Item::query().filter(Item::ID.le(1000)).all(db).await?.len() as i64,
        Op::FilterOrderLimit => Item::query()
            .filter(Item::QTY.eq((i % 100) as i32))
            .order_by(Item::PRICE.desc())
            .limit(10)
            .all(db)
            .await?
            .len() as i64,
        Op::Insert => {
            let row = Item {
                id: 0,
                name: format!("new {i}"),
                qty: 1,
                price: 1.0,
            };
            i64::from(row.insert(db).await?.id > ROWS)
        }
        Op::UpdateWhere => {
            Item::query()
                .filter(Item::QTY.eq((i % 100) as i32))
                .set(Item::PRICE, i as f64)
                .update(db)
                .await? as i64
        }
        Op::Aggregate => Item::query()
            .filter(Item::ID.le(ROWS))
            .select((Item::QTY, ambidex::count(), Item::PRICE.avg()))
            .group_by(Item::QTY)
            .all(db)
            .await?
            .len() as i64,
    })
}

/// MySQL: insert, then read the row by `LAST_INSERT_ID()` on the same connection.
#[cfg(feature = "mysql")]
macro_rules! sqlx_insert_then_read_mysql {
    ($exec:expr, $name:expr, $p1:literal, $p2:literal) => {{
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

fn print(world: &str, peers: &[&str], results: &[(String, Vec<Measured>)]) {
    println!("\n### {world}\n");
    let mut header = String::from("| backend | workload | ambidex |");
    let mut rule = String::from("| --- | --- | --- |");
    for p in peers {
        header.push_str(&format!(" {p} | {p} / ambidex |"));
        rule.push_str(" --- | --- |");
    }
    println!("{header}\n{rule}");
    for (backend, rows) in results {
        for m in rows {
            let mut line = format!("| {backend} | {} | {} |", m.workload, us(m.medians[0]));
            for (k, ratios) in m.ratios.iter().enumerate() {
                line.push_str(&format!(
                    " {} | {} |",
                    us(m.medians[k + 1]),
                    ratio_cell(ratios)
                ));
            }
            println!("{line}");
        }
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let rounds = if quick() { 5 } else { 15 };
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite_url = format!("sqlite://{}", dir.path().join("peers.db").display());
    let mut blocking = Vec::new();
    let mut asynchronous = Vec::new();

    eprint!("SQLite (file): ");
    blocking.push((
        "SQLite (file)".to_string(),
        blocking_world!(
            &sqlite_url,
            rounds,
            diesel::SqliteConnection,
            diesel_insert_returning
        ),
    ));
    asynchronous.push((
        "SQLite (file)".to_string(),
        runtime.block_on(async_world!(
            &sqlite_url,
            rounds,
            sqlx::Sqlite,
            "?",
            "?",
            sqlx_insert_returning
        )),
    ));
    eprintln!(" done");

    #[cfg(feature = "postgres")]
    match std::env::var("AMBIDEX_POSTGRES_URL") {
        Ok(url) => {
            eprint!("PostgreSQL: ");
            blocking.push((
                "PostgreSQL".to_string(),
                blocking_world!(&url, rounds, diesel::PgConnection, diesel_insert_returning),
            ));
            asynchronous.push((
                "PostgreSQL".to_string(),
                runtime.block_on(async_world!(
                    &url,
                    rounds,
                    sqlx::Postgres,
                    "$1",
                    "$2",
                    sqlx_insert_returning
                )),
            ));
            eprintln!(" done");
        }
        Err(_) => eprintln!("AMBIDEX_POSTGRES_URL is not set; skipping PostgreSQL"),
    }

    #[cfg(feature = "mysql")]
    match std::env::var("AMBIDEX_MYSQL_URL") {
        Ok(url) => {
            eprint!("MariaDB: ");
            blocking.push((
                "MariaDB".to_string(),
                blocking_world!(
                    &url,
                    rounds,
                    diesel::MysqlConnection,
                    diesel_insert_then_read
                ),
            ));
            asynchronous.push((
                "MariaDB".to_string(),
                runtime.block_on(async_world!(
                    &url,
                    rounds,
                    sqlx::MySql,
                    "?",
                    "?",
                    sqlx_insert_then_read_mysql
                )),
            ));
            eprintln!(" done");
        }
        Err(_) => eprintln!("AMBIDEX_MYSQL_URL is not set; skipping MariaDB"),
    }

    println!(
        "{rounds} paired rounds per workload, pools of {POOL} connections, {:.0} s in all",
        started.elapsed().as_secs_f64()
    );
    print(
        "Blocking: ambidex::blocking::Db against diesel's DSL (r2d2 pool)",
        &["diesel"],
        &blocking,
    );
    print(
        "Async: ambidex::SqlxDb against sqlx (its pool; one held connection)",
        &["sqlx pool", "sqlx held"],
        &asynchronous,
    );
}
