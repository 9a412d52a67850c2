//! What read replicas buy and what their guarantees cost, measured on the loopback
//! clusters of `.ci/replicas.sh` (`docs/guide/performance.md`, "Read replicas: what routing costs").
//!
//! ```text
//! AMBIDEX_SECOND_PG_REPLICA=1 bash .ci/replicas.sh     # prints the URLs to export
//! cargo bench --manifest-path benches/Cargo.toml --bench replicas
//! ```
//!
//! Needs `AMBIDEX_PG_PRIMARY_URL` and `AMBIDEX_PG_REPLICA_URL` (and `AMBIDEX_PG_REPLICA2_URL`
//! for the two-replica rows); with `AMBIDEX_MYSQL_PRIMARY_URL`/`AMBIDEX_MYSQL_REPLICA_URL`
//! it measures MariaDB too. `-- --quick` runs shorter rounds.
//!
//! 1. **Read throughput** with 0, 1 and 2 replicas: concurrent primary-key lookups for a
//!    fixed time, async (`SqlxDb`, 32 tasks) and blocking (`blocking::Db`, 8 threads).
//! 2. **One read, alone**: the latency of a lookup with and without replicas, and on a
//!    plain handle opened on the replica's URL (so the replica server's own speed and
//!    routing's cost can be told apart).
//! 3. **Write, then read in the same scope**: what read-your-writes costs per write (reading
//!    the primary's position, then the replica's), against eventual reads and against no
//!    replicas at all.
//!
//! Configurations run in interleaved rounds so that all see the same machine state; each
//! figure is the median over rounds. Everything (servers and client) shares one machine.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ambidex::prelude::*;
use ambidex::routing::Replication;
use ambidex::{SqlxDb, raw};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "bench_replica_items")]
struct Item {
    #[ambidex(primary_key, auto)]
    id: i64,
    name: String,
    qty: i32,
}

const ROWS: i64 = 1_000;
const TASKS: usize = 32;
const THREADS: usize = 8;
const POOL: u32 = 8;

fn quick() -> bool {
    std::env::var("AMBIDEX_BENCH_QUICK").is_ok() || std::env::args().any(|a| a == "--quick")
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

struct Cluster {
    name: &'static str,
    primary: String,
    replicas: Vec<String>,
    create: &'static str,
}

fn seed(c: &Cluster) {
    let db = ambidex::blocking::Db::open(&c.primary).expect("open the primary");
    raw(c.create).execute(&db).expect("create the table");
    if Item::query().count(&db).expect("count") < ROWS as u64 {
        raw("DELETE FROM bench_replica_items")
            .execute(&db)
            .expect("clear");
        for i in 0..ROWS {
            Item {
                id: i + 1,
                name: format!("item {i}"),
                qty: i as i32,
            }
            .insert(&db)
            .expect("seed");
        }
    }
    // wait until every replica has the rows
    for url in &c.replicas {
        let replica = ambidex::blocking::Db::open(url).expect("open a replica");
        let started = Instant::now();
        while Item::query().count(&replica).unwrap_or(0) < ROWS as u64 {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "replica {url} behind"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn async_db(rt: &tokio::runtime::Runtime, c: &Cluster, n: usize, settings: Replication) -> SqlxDb {
    let mut b = SqlxDb::builder(&c.primary)
        .max_connections(POOL)
        .replication(settings);
    for url in &c.replicas[..n] {
        b = b.replica(url);
    }
    rt.block_on(b.connect()).expect("connect")
}

fn blocking_db(c: &Cluster, n: usize) -> ambidex::blocking::Db {
    let mut b = ambidex::blocking::Db::builder(&c.primary).max_connections(POOL);
    for url in &c.replicas[..n] {
        b = b.replica(url);
    }
    b.open().expect("open")
}

/// Lookups per second: `TASKS` tasks for `time`.
fn async_reads(rt: &tokio::runtime::Runtime, db: &SqlxDb, time: Duration) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + time;
    rt.block_on(async {
        let mut tasks = Vec::new();
        for t in 0..TASKS {
            let (db, done) = (db.clone(), Arc::clone(&done));
            tasks.push(tokio::spawn(async move {
                let mut k = t as i64;
                while Instant::now() < end {
                    Item::get(k % ROWS + 1, &db).await.expect("lookup");
                    k += 7;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
    });
    done.load(Ordering::Relaxed) as f64 / time.as_secs_f64()
}

/// Lookups per second: `THREADS` threads for `time`.
fn blocking_reads(db: &ambidex::blocking::Db, time: Duration) -> f64 {
    let done = AtomicU64::new(0);
    let end = Instant::now() + time;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let done = &done;
            s.spawn(move || {
                let mut k = t as i64;
                while Instant::now() < end {
                    Item::get(k % ROWS + 1, db).expect("lookup");
                    k += 7;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    done.load(Ordering::Relaxed) as f64 / time.as_secs_f64()
}

/// Microseconds per lookup, one caller.
fn one_read(rt: &tokio::runtime::Runtime, db: &SqlxDb, n: u32) -> f64 {
    rt.block_on(async {
        let started = Instant::now();
        for k in 0..n {
            Item::get(i64::from(k) % ROWS + 1, db)
                .await
                .expect("lookup");
        }
        started.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    })
}

/// Microseconds per (update one row, then read it back) in one scope.
fn write_then_read(rt: &tokio::runtime::Runtime, db: &SqlxDb, n: u32) -> f64 {
    let scope = db.session();
    rt.block_on(async {
        let started = Instant::now();
        for k in 0..n {
            let id = i64::from(k) % ROWS + 1;
            Item::query()
                .filter(Item::ID.eq(id))
                .set(Item::QTY, k as i32)
                .update(&scope)
                .await
                .expect("update");
            Item::get(id, &scope).await.expect("read back");
        }
        started.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    })
}

fn run(c: &Cluster) {
    seed(c);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let rounds = if quick() { 2 } else { 5 };
    let time = Duration::from_millis(if quick() { 500 } else { 1500 });
    let counts: Vec<usize> = (0..=c.replicas.len()).collect();
    let asyncs: Vec<SqlxDb> = counts
        .iter()
        .map(|&n| async_db(&rt, c, n, Replication::new()))
        .collect();
    let blockings: Vec<_> = counts.iter().map(|&n| blocking_db(c, n)).collect();
    let mut a_tput = vec![Vec::new(); counts.len()];
    let mut b_tput = vec![Vec::new(); counts.len()];
    for round in 0..rounds {
        for k in 0..counts.len() {
            let i = (k + round) % counts.len();
            a_tput[i].push(async_reads(&rt, &asyncs[i], time));
            b_tput[i].push(blocking_reads(&blockings[i], time));
        }
    }
    println!(
        "\n{}: read throughput (primary-key lookups per second)",
        c.name
    );
    println!("| replicas | async SqlxDb, {TASKS} tasks | blocking::Db, {THREADS} threads |");
    println!("| ---: | ---: | ---: |");
    for &n in &counts {
        println!(
            "| {n} | {:.0} | {:.0} |",
            median(a_tput[n].clone()),
            median(b_tput[n].clone())
        );
    }

    let lookups = if quick() { 500 } else { 2_000 };
    let writes = if quick() { 200 } else { 1_000 };
    let eventual = async_db(&rt, c, 1, Replication::new().eventual_reads());
    let direct = rt
        .block_on(
            SqlxDb::builder(&c.replicas[0])
                .max_connections(POOL)
                .connect(),
        )
        .expect("connect to the replica");
    let (mut alone0, mut alone1, mut direct1) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ryw0, mut ryw1, mut ev1) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        alone0.push(one_read(&rt, &asyncs[0], lookups));
        alone1.push(one_read(&rt, &asyncs[1], lookups));
        direct1.push(one_read(&rt, &direct, lookups));
        ryw0.push(write_then_read(&rt, &asyncs[0], writes));
        ryw1.push(write_then_read(&rt, &asyncs[1], writes));
        ev1.push(write_then_read(&rt, &eventual, writes));
    }
    println!(
        "\n{}: latency, one caller (async SqlxDb), microseconds",
        c.name
    );
    println!("| operation | no replicas | 1 replica |");
    println!("| --- | ---: | ---: |");
    println!(
        "| primary-key lookup | {:.0} | {:.0} |",
        median(alone0),
        median(alone1)
    );
    println!(
        "| primary-key lookup, handle opened on the replica's URL (no routing) | - | {:.0} |",
        median(direct1)
    );
    println!(
        "| update, then read it back (read-your-writes) | {:.0} | {:.0} |",
        median(ryw0),
        median(ryw1)
    );
    println!(
        "| update, then read it back (eventual reads) | - | {:.0} |",
        median(ev1)
    );
}

fn main() {
    let mut clusters = Vec::new();
    if let (Some(primary), Some(replica)) =
        (var("AMBIDEX_PG_PRIMARY_URL"), var("AMBIDEX_PG_REPLICA_URL"))
    {
        let mut replicas = vec![replica];
        replicas.extend(var("AMBIDEX_PG_REPLICA2_URL"));
        clusters.push(Cluster {
            name: "PostgreSQL",
            primary,
            replicas,
            create: "CREATE TABLE IF NOT EXISTS bench_replica_items \
                     (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL)",
        });
    }
    if let (Some(primary), Some(replica)) = (
        var("AMBIDEX_MYSQL_PRIMARY_URL"),
        var("AMBIDEX_MYSQL_REPLICA_URL"),
    ) {
        clusters.push(Cluster {
            name: "MariaDB",
            primary,
            replicas: vec![replica],
            create: "CREATE TABLE IF NOT EXISTS bench_replica_items \
                     (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, \
                     qty INT NOT NULL)",
        });
    }
    if clusters.is_empty() {
        eprintln!("no replica URLs set; see the module docs");
        return;
    }
    for c in &clusters {
        run(c);
    }
}
