//! One configuration, run in a child process of its own: open the pool (and runtime), warm
//! it up, reset the peak-RSS mark, start the clients, let them go at once, and print one
//! JSON line with the results on stdout.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use ambidex::prelude::*;
use ambidex_benches::alloc;
use ambidex_benches::models::Item;
use ambidex_benches::workload::key;

use crate::config::{ACQUIRE_TIMEOUT, Config, Mode, POOL, STACK};
use crate::refs::{DieselPool, SqlxPool};

/// Lookups each of [`POOL`] warm-up clients does before the measurement (so every pool
/// connection exists and has prepared the statement).
const WARM_PER: usize = 8;

/// What a child reports.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ChildResult {
    /// Lookups done (`clients * per_client`).
    pub ops: usize,
    /// Lookups per client.
    pub per_client: usize,
    /// Seconds to start every client (threads or tasks), before they were let go.
    pub spawn_s: f64,
    /// Seconds from letting the clients go until the last one finished.
    pub run_s: f64,
    /// `ops / run_s`.
    pub ops_per_s: f64,
    /// Median latency of one lookup, including the wait for a connection (microseconds).
    pub p50_us: f64,
    /// 99th percentile latency of one lookup (microseconds).
    pub p99_us: f64,
    /// The slowest lookup (microseconds).
    pub max_us: f64,
    /// Resident memory after setup (pool open, runtime built, warmed up), before any
    /// client started (bytes).
    pub rss_setup: Option<u64>,
    /// Peak resident memory from setup to the end of the run (bytes).
    pub rss_peak: Option<u64>,
}

/// Every lookup's latency in nanoseconds, one slot per lookup, allocated and touched
/// before the RSS mark is reset (clients record without allocating).
struct Latencies(Vec<AtomicU64>);

impl Latencies {
    fn new(n: usize) -> Latencies {
        Latencies((0..n).map(|_| AtomicU64::new(u64::MAX)).collect())
    }

    fn set(&self, n: usize, d: Duration) {
        self.0[n].store(d.as_nanos() as u64, Relaxed);
    }
}

/// How long starting the clients and running them took.
struct Timing {
    spawn: Duration,
    run: Duration,
}

/// A lookup must answer the row it asked for. (Client `c` of a run with `per` lookups
/// each does operations `c * per .. (c + 1) * per`, so keys spread over clients and
/// indexes.)
fn check(got: i64, want: i64) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("lookup of {want} answered row {got}"))
    }
}

/// N OS threads sharing `lookup`.
fn threads<F>(clients: usize, per: usize, lat: &Arc<Latencies>, lookup: F) -> Result<Timing, String>
where
    F: Fn(i64) -> Result<i64, String> + Send + Sync + 'static,
{
    /// The start line: `None` while clients gather, then go (`true`) or give up.
    struct Gate {
        go: Mutex<Option<bool>>,
        cv: Condvar,
    }
    impl Gate {
        fn wait(&self) -> bool {
            let mut go = self.go.lock().unwrap();
            loop {
                if let Some(go) = *go {
                    return go;
                }
                go = self.cv.wait(go).unwrap();
            }
        }
        fn open(&self, go: bool) {
            *self.go.lock().unwrap() = Some(go);
            self.cv.notify_all();
        }
    }

    let lookup = Arc::new(lookup);
    let gate = Arc::new(Gate {
        go: Mutex::new(None),
        cv: Condvar::new(),
    });
    let t0 = Instant::now();
    let mut handles = Vec::with_capacity(clients);
    for c in 0..clients {
        let (start_line, lat, lookup) = (gate.clone(), lat.clone(), lookup.clone());
        let spawned =
            std::thread::Builder::new()
                .stack_size(STACK)
                .spawn(move || -> Result<(), String> {
                    if !start_line.wait() {
                        return Ok(());
                    }
                    for i in 0..per {
                        let n = c * per + i;
                        let k = key(n);
                        let t = Instant::now();
                        let got = lookup(k)?;
                        lat.set(n, t.elapsed());
                        check(got, k)?;
                    }
                    Ok(())
                });
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                gate.open(false);
                for h in handles {
                    let _ = h.join();
                }
                return Err(format!(
                    "could not start client thread {} of {clients}: {e}",
                    c + 1
                ));
            }
        }
    }
    let spawn = t0.elapsed();
    let start = Instant::now();
    gate.open(true);
    let mut first = None;
    for h in handles {
        let r = h
            .join()
            .unwrap_or_else(|_| Err("a client thread panicked".into()));
        if let Err(e) = r {
            first.get_or_insert(e);
        }
    }
    let run = start.elapsed();
    match first {
        Some(e) => Err(e),
        None => Ok(Timing { spawn, run }),
    }
}

/// N tokio tasks on `rt`, each awaiting `lookup` in turn.
fn tasks<F, Fut>(
    rt: &tokio::runtime::Runtime,
    clients: usize,
    per: usize,
    lat: &Arc<Latencies>,
    lookup: F,
) -> Result<Timing, String>
where
    F: Fn(i64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<i64, String>> + Send + 'static,
{
    rt.block_on(async {
        let gate = Arc::new(tokio::sync::Barrier::new(clients + 1));
        let t0 = Instant::now();
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let (gate, lat, lookup) = (gate.clone(), lat.clone(), lookup.clone());
                tokio::spawn(async move {
                    gate.wait().await;
                    for i in 0..per {
                        let n = c * per + i;
                        let k = key(n);
                        let t = Instant::now();
                        let got = lookup(k).await?;
                        lat.set(n, t.elapsed());
                        check(got, k)?;
                    }
                    Ok::<(), String>(())
                })
            })
            .collect();
        let spawn = t0.elapsed();
        gate.wait().await;
        let start = Instant::now();
        let mut first = None;
        for h in handles {
            let r = h
                .await
                .unwrap_or_else(|e| Err(format!("a client task failed: {e}")));
            if let Err(e) = r {
                first.get_or_insert(e);
            }
        }
        let run = start.elapsed();
        match first {
            Some(e) => Err(e),
            None => Ok(Timing { spawn, run }),
        }
    })
}

/// Warms up with [`POOL`] clients, resets the RSS mark, runs the configuration's clients
/// through `run(clients, per, latencies)`, and summarizes.
fn measure(
    config: &Config,
    mut run: impl FnMut(usize, usize, &Arc<Latencies>) -> Result<Timing, String>,
) -> Result<ChildResult, String> {
    let warm = POOL as usize;
    run(warm, WARM_PER, &Arc::new(Latencies::new(warm * WARM_PER)))
        .map_err(|e| format!("warm-up: {e}"))?;
    let per = config.per_client();
    let ops = config.clients * per;
    let lat = Arc::new(Latencies::new(ops));
    alloc::rss_reset();
    let rss_setup = alloc::rss_now();
    let timing = run(config.clients, per, &lat)?;
    let rss_peak = alloc::rss_peak();
    let mut nanos: Vec<u64> = lat.0.iter().map(|a| a.load(Relaxed)).collect();
    nanos.sort_unstable();
    let at = |q: usize| nanos[(nanos.len() - 1) * q / 100] as f64 / 1e3;
    Ok(ChildResult {
        ops,
        per_client: per,
        spawn_s: timing.spawn.as_secs_f64(),
        run_s: timing.run.as_secs_f64(),
        ops_per_s: ops as f64 / timing.run.as_secs_f64(),
        p50_us: at(50),
        p99_us: at(99),
        max_us: at(100),
        rss_setup,
        rss_peak,
    })
}

/// The runtime of the async modes: multi-threaded, one worker per core.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))
}

/// Runs `config` on the database at `url`.
pub fn run(config: &Config, url: &str) -> Result<ChildResult, String> {
    let err = |what: &str| {
        let what = what.to_string();
        move |e: ambidex::Error| format!("{what}: {e}")
    };
    match config.mode {
        Mode::Threads => {
            let db = ambidex::blocking::Db::builder(url)
                .max_connections(POOL)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .open()
                .map_err(err("open ambidex::blocking::Db"))?;
            let lookup = move |k: i64| {
                Item::get(k, &db)
                    .map(|row| std::hint::black_box(row).id)
                    .map_err(|e| format!("ambidex blocking lookup: {e}"))
            };
            let lookup = Arc::new(lookup);
            measure(config, |clients, per, lat| {
                let lookup = lookup.clone();
                threads(clients, per, lat, move |k| lookup(k))
            })
        }
        Mode::Async => {
            let rt = runtime()?;
            let db = rt
                .block_on(
                    ambidex::SqlxDb::builder(url)
                        .max_connections(POOL)
                        .acquire_timeout(ACQUIRE_TIMEOUT)
                        .connect(),
                )
                .map_err(err("open ambidex::SqlxDb"))?;
            measure(config, |clients, per, lat| {
                let db = db.clone();
                tasks(&rt, clients, per, lat, move |k| {
                    let db = db.clone();
                    async move {
                        Item::get(k, &db)
                            .await
                            .map(|row| std::hint::black_box(row).id)
                            .map_err(|e| format!("ambidex SqlxDb lookup: {e}"))
                    }
                })
            })
        }
        Mode::Shim => {
            let rt = runtime()?;
            let db = rt
                .block_on(
                    ambidex::DieselDb::builder(url)
                        .max_connections(POOL)
                        .acquire_timeout(ACQUIRE_TIMEOUT)
                        .connect(),
                )
                .map_err(err("open ambidex::DieselDb"))?;
            measure(config, |clients, per, lat| {
                let db = db.clone();
                tasks(&rt, clients, per, lat, move |k| {
                    let db = db.clone();
                    async move {
                        Item::get(k, &db)
                            .await
                            .map(|row| std::hint::black_box(row).id)
                            .map_err(|e| format!("ambidex DieselDb lookup: {e}"))
                    }
                })
            })
        }
        Mode::Sqlx => {
            let rt = runtime()?;
            let pool = rt.block_on(SqlxPool::open(config.backend, url))?;
            measure(config, |clients, per, lat| {
                let pool = pool.clone();
                tasks(&rt, clients, per, lat, move |k| {
                    let pool = pool.clone();
                    async move { pool.lookup(k).await }
                })
            })
        }
        Mode::DieselSpawnBlocking => {
            let rt = runtime()?;
            let pool = DieselPool::open(config.backend, url)?;
            measure(config, |clients, per, lat| {
                let pool = pool.clone();
                tasks(&rt, clients, per, lat, move |k| {
                    let pool = pool.clone();
                    async move {
                        tokio::task::spawn_blocking(move || pool.lookup(k))
                            .await
                            .map_err(|e| format!("spawn_blocking: {e}"))?
                    }
                })
            })
        }
    }
}

/// The child's `main`: runs `config` on the URL in [`crate::config::URL_VAR`] and prints
/// one JSON line; on failure, the error on stderr and exit status 1.
pub fn main(config: Config) -> ! {
    let url = match std::env::var(crate::config::URL_VAR) {
        Ok(url) => url,
        Err(_) => {
            eprintln!("{} is not set (the parent sets it)", crate::config::URL_VAR);
            std::process::exit(2);
        }
    };
    match run(&config, &url) {
        Ok(result) => {
            println!(
                "{}",
                serde_json::to_string(&result).expect("serialize the result")
            );
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
