//! Which engine should the async API use on each backend? Runs the same operations through
//! the async API on sqlx (`ambidex::Db`) and on diesel behind the bounded worker pool
//! (`ambidex::DieselDb`), on SQLite and, when their URLs are set, PostgreSQL and MariaDB,
//! and prints a table of per-operation times and ratios.
//!
//! `cargo bench --bench default_engine` (add `--features postgres,mysql` and set
//! `AMBIDEX_POSTGRES_URL` / `AMBIDEX_MYSQL_URL` for the servers). `AMBIDEX_BENCH_QUICK=1`
//! shortens every run.

use std::time::{Duration, Instant};

use ambidex::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "bench_items")]
struct Item {
    #[ambidex(primary_key, auto)]
    id: i64,
    name: String,
    qty: i32,
    price: f64,
}

const ROWS: i64 = 10_000;

fn scale(n: usize) -> usize {
    if std::env::var("AMBIDEX_BENCH_QUICK").is_ok() {
        (n / 10).max(1)
    } else {
        n
    }
}

/// Median of `rounds` timings of `iters` calls, per call.
async fn per_op<F, Fut>(rounds: usize, iters: usize, mut f: F) -> Duration
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ambidex::Result<()>>,
{
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        for i in 0..iters {
            f(i).await.expect("operation");
        }
        samples.push(start.elapsed() / iters as u32);
    }
    samples.sort();
    samples[samples.len() / 2]
}

struct Row {
    workload: &'static str,
    sqlx: f64,
    diesel: f64,
    unit: &'static str,
}

macro_rules! measure_engine {
    ($db:expr) => {{
        let db = $db;
        let lookups = scale(2_000);
        let pk = per_op(5, lookups, |i| {
            let db = &db;
            async move {
                Item::get(1 + (i as i64 * 7919) % ROWS, db)
                    .await
                    .map(|_| ())
            }
        })
        .await;
        let load = per_op(5, scale(40), |_| {
            let db = &db;
            async move {
                Item::query()
                    .filter(Item::ID.le(1000))
                    .all(db)
                    .await
                    .map(|_| ())
            }
        })
        .await;
        let insert = per_op(5, scale(300), |i| {
            let db = &db;
            async move {
                Item {
                    id: 0,
                    name: format!("new {i}"),
                    qty: 1,
                    price: 1.0,
                }
                .insert(db)
                .await
                .map(|_| ())
            }
        })
        .await;
        // 100 concurrent tasks, each doing a share of the lookups.
        let tasks = 100;
        let each = scale(40);
        let start = Instant::now();
        let mut handles = Vec::new();
        for t in 0..tasks {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                for i in 0..each {
                    Item::get(1 + ((t * each + i) as i64 * 104_729) % ROWS, &db).await?;
                }
                Ok::<_, ambidex::Error>(())
            }));
        }
        for h in handles {
            h.await.expect("task").expect("lookup");
        }
        let concurrent = start.elapsed() / (tasks * each) as u32;
        [pk, load, insert, concurrent]
    }};
}

async fn backend(name: &str, url: &str, rows: &mut Vec<(String, Row)>) -> ambidex::Result<()> {
    {
        let setup = ambidex::DieselDb::connect(url).await?;
        Item::drop_table(&setup).await?;
        Item::create_table(&setup).await?;
        let items: Vec<Item> = (0..ROWS)
            .map(|i| Item {
                id: 0,
                name: format!("item {i}"),
                qty: (i % 100) as i32,
                price: i as f64 / 3.0,
            })
            .collect();
        Item::insert_many(&items, &setup).await?;
    }
    let sqlx = measure_engine!(ambidex::Db::connect(url).await?);
    let diesel = measure_engine!(ambidex::DieselDb::connect(url).await?);
    let names = [
        "primary-key lookup",
        "load 1,000 rows",
        "insert one row",
        "lookup, 100 concurrent tasks",
    ];
    for (i, workload) in names.into_iter().enumerate() {
        rows.push((
            name.to_string(),
            Row {
                workload,
                sqlx: sqlx[i].as_secs_f64() * 1e6,
                diesel: diesel[i].as_secs_f64() * 1e6,
                unit: "us/op",
            },
        ));
    }
    let cleanup = ambidex::DieselDb::connect(url).await?;
    Item::drop_table(&cleanup).await?;
    Ok(())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut targets = vec![(
        "SQLite (file)".to_string(),
        format!("sqlite://{}", dir.path().join("bench.db").display()),
    )];
    if cfg!(feature = "postgres")
        && let Ok(url) = std::env::var("AMBIDEX_POSTGRES_URL")
    {
        targets.push(("PostgreSQL".into(), url));
    }
    if cfg!(feature = "mysql")
        && let Ok(url) = std::env::var("AMBIDEX_MYSQL_URL")
    {
        targets.push(("MariaDB".into(), url));
    }
    let mut rows = Vec::new();
    for (name, url) in &targets {
        eprintln!("measuring {name}...");
        rt.block_on(backend(name, url, &mut rows))
            .expect("benchmark");
    }
    println!(
        "| backend | workload | async on sqlx | async on diesel (worker pool) | diesel / sqlx |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for (backend, r) in rows {
        println!(
            "| {backend} | {} | {:.1} {} | {:.1} {} | {:.2}x |",
            r.workload,
            r.sqlx,
            r.unit,
            r.diesel,
            r.unit,
            r.diesel / r.sqlx
        );
    }
}
