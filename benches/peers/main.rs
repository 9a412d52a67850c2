//! ambidex beside the code a user would otherwise write, on the same data in one process
//! (issue 6). Blocking: ambidex's pool and a held connection against diesel's DSL on r2d2
//! and the raw driver (`rusqlite`, the `postgres` crate, the `mysql` crate). Async:
//! `ambidex::SqlxDb`, and `ambidex::Db` where its default engine differs (SQLite: diesel
//! on the worker pool), against sqlx through its pool and on a held connection,
//! diesel-async (PostgreSQL, MySQL) and SeaORM 2. sea-orm-sync, whose entities are tied to
//! its own crate, has its own binary (`benches/sea-orm-sync`).
//!
//! ```text
//! AMBIDEX_POSTGRES_URL=postgres://root@127.0.0.1:5432/test \
//! AMBIDEX_MYSQL_URL=mysql://ambidex:ambidex@127.0.0.1:3306/test \
//!   cargo bench --manifest-path benches/Cargo.toml --bench peers [-- --quick]
//! ```
//!
//! Options after `--`: `--quick` (5 rounds, half the operations per run, 100,000 streamed
//! rows), `--backends sqlite,postgres,mysql`, `--ops lookup,load_1000,...` (the slugs of
//! `Op`), `--out DIR`. Progress goes to stderr; the tables, and the targets of issue 6 with
//! their verdicts, to stdout; every round's raw times to `peers.json` (in `docs/guide/perf/`, or
//! `benches/target/perf-quick/` for quick runs), which `--bin charts` draws.
//!
//! How a round works, and why: `ambidex_benches::harness`. What each contender does, and
//! which settings it runs with: the module docs of `diesel`, `sqlx`, `raw`, `diesel_async`.

#[macro_use]
mod diesel_schema;
mod diesel;
mod diesel_async;
mod raw;
mod sea_orm;
mod sqlx;
mod targets;

use std::time::Instant;

use ambidex_benches::ambidex_contenders::{
    AmbidexBlocking, AmbidexBlockingHeld, AmbidexBlockingSqlx, AmbidexDefault, AmbidexSqlx,
    AmbidexSqlxHeld,
};
use ambidex_benches::harness::{self, Async, Blocking, Measurement, Plan};
use ambidex_benches::models::Fixture;
use ambidex_benches::report::{self, Machine};
use ambidex_benches::workload::{OPS, Op};

/// Connections in every pool (sqlx's, r2d2's, ambidex's, SeaORM's).
const POOL: u32 = 4;

/// The value of `--name a,b,c`, if given.
fn list_arg(name: &str) -> Option<Vec<String>> {
    let args: Vec<String> = std::env::args().collect();
    let k = args.iter().position(|a| a == name)?;
    Some(args.get(k + 1)?.split(',').map(str::to_string).collect())
}

fn wanted_ops() -> Vec<Op> {
    match list_arg("--ops") {
        Some(slugs) => {
            let ops: Vec<Op> = OPS
                .into_iter()
                .filter(|op| slugs.iter().any(|s| s == op.slug()))
                .collect();
            assert!(
                !ops.is_empty(),
                "--ops names none of {:?}",
                OPS.map(Op::slug)
            );
            ops
        }
        None => OPS.to_vec(),
    }
}

fn wants(backend: &str) -> bool {
    list_arg("--backends").is_none_or(|b| b.iter().any(|x| x == backend))
}

/// Seeds `url`, then runs the blocking contenders `blocking` builds and the async ones
/// `asynchronous` opens, one world after the other (only one world's connections are open
/// at a time).
fn run_backend(
    backend: &str,
    url: &str,
    plan: Plan,
    ops: &[Op],
    runtime: &tokio::runtime::Runtime,
    blocking: impl FnOnce() -> Vec<Box<dyn Blocking>>,
    asynchronous: impl std::future::Future<Output = Vec<Box<dyn Async>>>,
) -> Vec<Measurement> {
    eprintln!("{backend}: seeding");
    let fixture = Fixture::open(url).unwrap_or_else(|e| panic!("seed {backend}: {e}"));
    let mut contenders = blocking();
    let mut out = harness::run_blocking(backend, plan, &fixture, ops, &mut contenders);
    drop(contenders);
    let mut contenders = runtime.block_on(asynchronous);
    out.extend(harness::run_async(
        backend,
        plan,
        runtime,
        &fixture,
        ops,
        &mut contenders,
    ));
    // sqlx returns connections to their pools from tasks: drop inside the runtime.
    runtime.block_on(async move { drop(contenders) });
    out
}

fn main() {
    let plan = Plan::from_args();
    let ops = wanted_ops();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let started = Instant::now();
    let mut results: Vec<Measurement> = Vec::new();

    if wants("sqlite") {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("peers.db").display());
        results.extend(run_backend(
            "SQLite (file)",
            &url,
            plan,
            &ops,
            &runtime,
            || {
                vec![
                    Box::new(AmbidexBlocking::open(&url, POOL)),
                    Box::new(AmbidexBlockingHeld::open(&url, POOL)),
                    Box::new(AmbidexBlockingSqlx::open(&url, POOL)),
                    Box::new(diesel::Diesel::sqlite(&url, POOL)),
                    Box::new(raw::Rusqlite::open(&url)),
                ]
            },
            async {
                let (pool, held) = sqlx::sqlite(sqlx::sqlite_options(&url), POOL).await;
                let v: Vec<Box<dyn Async>> = vec![
                    Box::new(AmbidexSqlx::open(&url, POOL).await),
                    Box::new(AmbidexSqlxHeld::open(&url, POOL).await),
                    Box::new(AmbidexDefault::open(&url, POOL).await),
                    Box::new(pool),
                    Box::new(held),
                    Box::new(sea_orm::SeaOrmAsync::open(&url, POOL).await),
                ];
                v
            },
        ));
    }

    if wants("postgres") {
        match ambidex_benches::server_url("AMBIDEX_POSTGRES_URL") {
            Some(url) => results.extend(run_backend(
                "PostgreSQL",
                &url,
                plan,
                &ops,
                &runtime,
                || {
                    vec![
                        Box::new(AmbidexBlocking::open(&url, POOL)),
                        Box::new(AmbidexBlockingHeld::open(&url, POOL)),
                        Box::new(AmbidexBlockingSqlx::open(&url, POOL)),
                        Box::new(diesel::Diesel::postgres(&url, POOL)),
                        Box::new(raw::Postgres::connect(&url)),
                    ]
                },
                async {
                    let (pool, held) = sqlx::postgres(sqlx::options(&url), POOL).await;
                    let v: Vec<Box<dyn Async>> = vec![
                        Box::new(AmbidexSqlx::open(&url, POOL).await),
                        Box::new(AmbidexSqlxHeld::open(&url, POOL).await),
                        Box::new(pool),
                        Box::new(held),
                        Box::new(diesel_async::DieselAsync::postgres(&url).await),
                        Box::new(sea_orm::SeaOrmAsync::open(&url, POOL).await),
                    ];
                    v
                },
            )),
            None => eprintln!("AMBIDEX_POSTGRES_URL is not set; skipping PostgreSQL"),
        }
    }

    if wants("mysql") {
        match ambidex_benches::server_url("AMBIDEX_MYSQL_URL") {
            Some(url) => results.extend(run_backend(
                "MariaDB",
                &url,
                plan,
                &ops,
                &runtime,
                || {
                    vec![
                        Box::new(AmbidexBlocking::open(&url, POOL)),
                        Box::new(AmbidexBlockingHeld::open(&url, POOL)),
                        Box::new(AmbidexBlockingSqlx::open(&url, POOL)),
                        Box::new(diesel::Diesel::mysql(&url, POOL)),
                        Box::new(raw::Mysql::connect(&url)),
                    ]
                },
                async {
                    let (pool, held) = sqlx::mysql(sqlx::options(&url), POOL).await;
                    let v: Vec<Box<dyn Async>> = vec![
                        Box::new(AmbidexSqlx::open(&url, POOL).await),
                        Box::new(AmbidexSqlxHeld::open(&url, POOL).await),
                        Box::new(pool),
                        Box::new(held),
                        Box::new(diesel_async::DieselAsync::mysql(&url).await),
                        Box::new(sea_orm::SeaOrmAsync::open(&url, POOL).await),
                    ];
                    v
                },
            )),
            None => eprintln!("AMBIDEX_MYSQL_URL is not set; skipping MariaDB"),
        }
    }

    let seconds = started.elapsed().as_secs_f64();
    let machine = Machine::describe();
    let (blocking, asynchronous): (Vec<Measurement>, Vec<Measurement>) =
        results.iter().cloned().partition(|m| m.world == "blocking");
    let verdicts = targets::judge(&results);
    let text = format!(
        "{} paired rounds per workload, pools of {POOL} connections, {seconds:.0} s in all; \
         {} cores ({}), {:.0} GiB, {}\n\
         Each cell: median time per operation (median ratio to the first column, quartiles).\n\
         {}{}{}\n## Single-operation latency\n\n\
         Each cell: min / median / p99 of one operation's time, over every operation of \
         every timed round.\n{}{}",
        plan.rounds,
        machine.cores,
        machine.cpu,
        machine.memory_gib,
        machine.date,
        report::markdown("Blocking", &blocking),
        report::markdown("Async", &asynchronous),
        targets::markdown(&verdicts),
        report::latency_markdown("Blocking", &blocking),
        report::latency_markdown("Async", &asynchronous),
    );
    println!("{text}");
    report::write_text(&report::out_dir(), "peers.md", &text).expect("write peers.md");
    report::write_json(
        &report::out_dir(),
        "peers.json",
        &serde_json::json!({
            "machine": machine,
            "rounds": plan.rounds,
            "pool": POOL,
            "seconds": seconds,
            "measurements": results,
            "targets": verdicts,
        }),
    )
    .expect("write peers.json");
}
