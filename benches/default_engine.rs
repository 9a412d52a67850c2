//! Which engine should the async API use on each backend? Runs the same operations through
//! the async API on sqlx (`ambidex::SqlxDb`) and on diesel behind the bounded worker pool
//! (`ambidex::DieselDb`), on SQLite (a file) and, when their URLs are set, PostgreSQL and
//! MariaDB, and prints a table of per-operation times and ratios.
//!
//! `cargo bench --manifest-path benches/Cargo.toml --bench default_engine` (set
//! `AMBIDEX_POSTGRES_URL` / `AMBIDEX_MYSQL_URL` for the servers). `-- --quick` (or
//! `AMBIDEX_BENCH_QUICK=1`) runs fewer rounds.
//!
//! # Why paired, interleaved rounds
//!
//! On a small shared machine (2 cores, the database servers on the same cores) the speed of
//! everything drifts by more than the difference between the engines over a few seconds:
//! a first harness that measured one engine and then the other flipped its verdicts from
//! run to run. Here every workload runs in rounds, and each round runs both engines back to
//! back (alternating which goes first), so both see the same machine state. The verdict
//! uses the ratio *within* each round: its median, and its quartiles, which must both lie on
//! the same side of 1.0 (beyond a 5% margin) for one engine to be called faster.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ambidex::prelude::*;
use ambidex::{DieselDb, SqlxDb};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "bench_items")]
struct Item {
    #[ambidex(primary_key, auto)]
    id: i64,
    name: String,
    qty: i32,
    price: f64,
}

/// Rows in the seeded table.
const ROWS: i64 = 10_000;
/// Connections in each engine's pool (the same for both).
const POOL: u32 = 8;
/// Concurrent tasks in the concurrent workloads.
const TASKS: usize = 100;

fn quick() -> bool {
    std::env::var("AMBIDEX_BENCH_QUICK").is_ok() || std::env::args().any(|a| a == "--quick")
}

/// One operation, on either engine's handle.
#[derive(Clone, Copy)]
enum Op {
    Lookup,
    Load,
    Insert,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Lookup => "primary-key lookup",
            Op::Load => "load 1,000 rows",
            Op::Insert => "insert one row",
        }
    }

    /// Operations per timed run, so that a run takes tens of milliseconds.
    fn per_run(self) -> usize {
        match self {
            Op::Lookup => 1_000,
            Op::Load => 30,
            Op::Insert => 300,
        }
    }
}

/// Runs operation number `$i` of kind `$op` on the handle `$db` (either engine's), as an
/// expression of type `ambidex::Result<()>`.
macro_rules! run_op {
    ($op:expr, $i:expr, $db:expr) => {
        async {
            match $op {
                Op::Lookup => {
                    let id = 1 + ($i as i64 * 7_919) % ROWS;
                    let found = Item::get(id, $db).await?;
                    assert_eq!(found.id, id);
                }
                Op::Load => {
                    let rows = Item::query().filter(Item::ID.le(1000)).all($db).await?;
                    assert_eq!(rows.len(), 1000);
                }
                Op::Insert => {
                    let item = Item {
                        id: 0,
                        name: format!("new {}", $i),
                        qty: 1,
                        price: 1.0,
                    };
                    item.insert($db).await?;
                }
            }
            Ok::<(), ambidex::Error>(())
        }
    };
}

/// Times one run of `n` operations, sequential or spread over [`TASKS`] tasks; per op.
macro_rules! timed_run {
    ($db:expr, $op:expr, $n:expr, $concurrent:expr) => {{
        let (db, op, n) = ($db, $op, $n);
        let start = Instant::now();
        if $concurrent {
            let each = n.div_ceil(TASKS);
            let mut tasks = Vec::with_capacity(TASKS);
            for t in 0..TASKS {
                let db = db.clone();
                tasks.push(tokio::spawn(async move {
                    for i in 0..each {
                        run_op!(op, t * each + i, &db).await?;
                    }
                    Ok::<_, ambidex::Error>(())
                }));
            }
            for task in tasks {
                task.await.expect("task").expect("operation");
            }
            start.elapsed() / (each * TASKS) as u32
        } else {
            for i in 0..n {
                run_op!(op, i, &db).await.expect("operation");
            }
            start.elapsed() / n as u32
        }
    }};
}

/// The result of one workload on one backend.
struct Measured {
    workload: String,
    sqlx: Duration,
    diesel: Duration,
    /// Per-round ratios diesel / sqlx, sorted.
    ratios: Vec<f64>,
}

impl Measured {
    fn quartile(&self, q: usize) -> f64 {
        self.ratios[(self.ratios.len() - 1) * q / 4]
    }

    fn verdict(&self) -> &'static str {
        let (q1, q3) = (self.quartile(1), self.quartile(3));
        if q3 < 0.95 {
            "diesel faster"
        } else if q1 > 1.05 {
            "sqlx faster"
        } else {
            "tie"
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn workload(
    sqlx: &SqlxDb,
    diesel: &DieselDb,
    op: Op,
    concurrent: bool,
    rounds: usize,
) -> Measured {
    let n = op.per_run();
    // Warm both: prepared-statement caches, pool connections, worker threads.
    timed_run!(sqlx.clone(), op, n / 4 + 1, concurrent);
    timed_run!(diesel.clone(), op, n / 4 + 1, concurrent);
    let (mut on_sqlx, mut on_diesel, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (s, d) = if round % 2 == 0 {
            let s = timed_run!(sqlx.clone(), op, n, concurrent);
            (s, timed_run!(diesel.clone(), op, n, concurrent))
        } else {
            let d = timed_run!(diesel.clone(), op, n, concurrent);
            (timed_run!(sqlx.clone(), op, n, concurrent), d)
        };
        ratios.push(d.as_secs_f64() / s.as_secs_f64());
        on_sqlx.push(s);
        on_diesel.push(d);
        eprint!(".");
    }
    ratios.sort_by(f64::total_cmp);
    let workload = if concurrent {
        format!("{}, {TASKS} tasks", op.name())
    } else {
        op.name().to_string()
    };
    Measured {
        workload,
        sqlx: median(on_sqlx),
        diesel: median(on_diesel),
        ratios,
    }
}

async fn backend(url: &str, rounds: usize) -> ambidex::Result<Vec<Measured>> {
    let sqlx = SqlxDb::builder(url).max_connections(POOL).connect().await?;
    let diesel = DieselDb::builder(url)
        .max_connections(POOL)
        .connect()
        .await?;
    Item::drop_table(&diesel).await?;
    Item::create_table(&diesel).await?;
    let items: Vec<Item> = (0..ROWS)
        .map(|i| Item {
            id: 0,
            name: format!("item {i}"),
            qty: (i % 100) as i32,
            price: i as f64 / 3.0,
        })
        .collect();
    Item::insert_many(&items, &diesel).await?;
    let mut out = Vec::new();
    for concurrent in [false, true] {
        for op in [Op::Lookup, Op::Load, Op::Insert] {
            out.push(workload(&sqlx, &diesel, op, concurrent, rounds).await);
        }
    }
    Item::drop_table(&diesel).await?;
    Ok(out)
}

fn us(d: Duration) -> String {
    format!("{:.1} us", d.as_secs_f64() * 1e6)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut targets = vec![(
        "SQLite (file)".to_string(),
        format!("sqlite://{}", dir.path().join("bench.db").display()),
    )];
    for (name, var) in [
        ("PostgreSQL", "AMBIDEX_POSTGRES_URL"),
        ("MariaDB", "AMBIDEX_MYSQL_URL"),
    ] {
        match std::env::var(var) {
            Ok(url) => targets.push((name.to_string(), url)),
            Err(_) => eprintln!("{var} is not set; skipping {name}"),
        }
    }
    let rounds = if quick() { 5 } else { 15 };
    let started = Instant::now();
    let results = Arc::new(std::sync::Mutex::new(Vec::new()));
    for (name, url) in &targets {
        eprint!("{name}: ");
        let measured = runtime.block_on(backend(url, rounds)).expect("benchmark");
        eprintln!(" done");
        results.lock().unwrap().push((name.clone(), measured));
    }
    println!(
        "{rounds} paired rounds per workload, pools of {POOL} connections, {:.0} s in all\n",
        started.elapsed().as_secs_f64()
    );
    println!(
        "| backend | workload | async on sqlx | async on diesel (worker pool) | diesel / sqlx (median, quartiles) | verdict |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (backend, rows) in results.lock().unwrap().iter() {
        for m in rows {
            println!(
                "| {backend} | {} | {} | {} | {:.2}x ({:.2}-{:.2}) | {} |",
                m.workload,
                us(m.sqlx),
                us(m.diesel),
                m.quartile(2),
                m.quartile(1),
                m.quartile(3),
                m.verdict()
            );
        }
    }
}
