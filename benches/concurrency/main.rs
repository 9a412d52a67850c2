//! The concurrency experiment (issue 6): what the thread-pool compromise costs, and where
//! thread-per-client stops scaling.
//!
//! A fixed number of primary-key lookups (`Item::get(workload::key(i), db)` on the seeded
//! 10,000-row `bench_items`) is spread over 1, 10, 100, 1,000 and 10,000 concurrent
//! clients, every pool holding 16 connections, on SQLite (a file in a temporary directory;
//! reads only), PostgreSQL and MariaDB. The modes:
//!
//! - `async`: `ambidex::SqlxDb`, N tokio tasks on a multi-threaded runtime with one worker
//!   per core;
//! - `shim`: `ambidex::DieselDb`, the async API over the blocking engine on its bounded
//!   pool of 16 worker threads (one per connection), N tokio tasks;
//! - `threads`: N OS threads with 256 KiB stacks ([`config::STACK`]) sharing one
//!   `ambidex::blocking::Db`;
//! - references, written as their documentation would have a user write them: `sqlx` (a
//!   hand-written sqlx pool and `sqlx::query_as`, N tasks) and `diesel-spawn_blocking`
//!   (diesel's DSL on an r2d2 pool, each lookup in `tokio::task::spawn_blocking`, N
//!   tasks). Their ratio is the one the issue quotes (diesel on `spawn_blocking` at
//!   0.62-0.73x of pure sqlx); ambidex's `shim / async` should beat it.
//!
//! Each client does `total / N` lookups (at least one), on keys spread by client and index,
//! and records every lookup's latency (including the wait for a connection). Per backend,
//! mode and client count the tables give throughput, p50 and p99 latency, and peak RSS,
//! with the ratios `shim / async` and `threads / async` of throughput and of RSS.
//!
//! # Why a child process per configuration
//!
//! Peak RSS is a property of a process: 10,000 thread stacks, tokio's 512 blocking threads,
//! a pool's buffers, the allocator's retained arenas all stay with it. So the parent seeds
//! each backend once (`models::Fixture`) and then runs every (backend, mode, clients) in a
//! fresh child: this binary re-executed with `--child BACKEND MODE CLIENTS TOTAL` (the URL
//! in `AMBIDEX_CONCURRENCY_URL`). The child opens its pool (and runtime), warms it up with
//! 16 clients, resets the kernel's high-water mark (`alloc::rss_reset`), notes the RSS
//! then ("setup"), starts all clients behind a start line, lets them go at once, and
//! prints one JSON line. A child that runs past the timeout is killed; one that fails (no
//! more threads, the server refusing connections) is reported as failed with the tail of
//! its stderr, never skipped.
//!
//! # Running it
//!
//! ```text
//! AMBIDEX_POSTGRES_URL=postgres://root@127.0.0.1:5432/test \
//! AMBIDEX_MYSQL_URL=mysql://ambidex:ambidex@127.0.0.1:3306/test \
//!   cargo bench --manifest-path benches/Cargo.toml --bench concurrency -- [flags]
//! ```
//!
//! - `--quick`: 20,000 lookups per configuration instead of 100,000 (results go to
//!   `benches/target/perf-quick/`, not `docs/guide/perf/`);
//! - `--backends sqlite,postgres,mysql`, `--modes async,shim,threads,sqlx,diesel-spawn_blocking`,
//!   `--clients 1,100`: run parts (servers run only when their URL is set);
//! - `--total N`, `--timeout SECS` (per child, default 120), `--out DIR`;
//! - `--no-seed`: use the `bench_items` already on the servers (checked) instead of
//!   dropping and seeding it, when other benchmarks use the same servers.
//!
//! Output: a Markdown table per backend on stdout, progress on stderr, and
//! `concurrency.json` (every outcome and the machine) for `charts`.
//!
//! 10,000 threads need `ulimit -u` and `/proc/sys/kernel/threads-max` above 10,000 plus
//! whatever else runs, and `vm.max_map_count` above 20,000 (a stack and its guard page
//! each); PostgreSQL's `max_connections` (100 by default) must leave room for 16 more.

mod child;
mod config;
mod parent;
mod refs;
mod table;

use config::{Args, Backend, Config};
use parent::Outcome;

/// What `concurrency.json` holds.
#[derive(serde::Serialize)]
struct Report {
    machine: ambidex_benches::report::Machine,
    /// Lookups per configuration (each client does `total / clients`, at least one).
    total: usize,
    /// Connections per pool.
    pool: u32,
    /// Stack size of each client thread in the `threads` mode (KiB).
    thread_stack_kib: usize,
    /// The child timeout (seconds).
    timeout_s: u64,
    /// Every configuration run, in order.
    outcomes: Vec<Outcome>,
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if let Some(config) = Config::from_child_args(&argv) {
        match config {
            Ok(config) => child::main(config),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    }
    let args = match Args::parse(&argv) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("concurrency: {e}");
            std::process::exit(2);
        }
    };
    let dir = tempfile::tempdir().expect("a temporary directory for SQLite");
    let mut outcomes = Vec::new();
    let mut ran: Vec<&str> = Vec::new();
    for &backend in &args.backends {
        let Some(url) = parent::url(backend, dir.path()) else {
            eprintln!(
                "{}: skipped (set {} to run it)",
                backend.name(),
                match backend {
                    Backend::Postgres => "AMBIDEX_POSTGRES_URL",
                    _ => "AMBIDEX_MYSQL_URL",
                }
            );
            continue;
        };
        eprintln!("{}: seeding", backend.name());
        // SQLite's file is new on every run, so it is always seeded.
        if let Err(e) = parent::seed(&url, args.no_seed && backend != Backend::Sqlite) {
            eprintln!("{}: {e}; skipped", backend.name());
            continue;
        }
        ran.push(backend.name());
        for &mode in &args.modes {
            for &clients in &args.clients {
                let config = Config {
                    backend,
                    mode,
                    clients,
                    total: args.total,
                };
                let outcome = match parent::run_child(&config, &url, args.timeout) {
                    Ok(r) => {
                        eprintln!(
                            "{} {} {} clients: {} ops/s (p50 {:.0} us, p99 {:.0} us, peak RSS {:.1} MB)",
                            backend.name(),
                            mode.key(),
                            table::thousands(clients as f64),
                            table::thousands(r.ops_per_s),
                            r.p50_us,
                            r.p99_us,
                            r.rss_peak.unwrap_or(0) as f64 / 1e6
                        );
                        Outcome {
                            backend: backend.name().into(),
                            mode: mode.key().into(),
                            clients,
                            result: Some(r),
                            error: None,
                        }
                    }
                    Err(e) => {
                        eprintln!(
                            "{} {} {} clients: FAILED: {e}",
                            backend.name(),
                            mode.key(),
                            table::thousands(clients as f64)
                        );
                        Outcome {
                            backend: backend.name().into(),
                            mode: mode.key().into(),
                            clients,
                            result: None,
                            error: Some(e),
                        }
                    }
                };
                outcomes.push(outcome);
            }
        }
    }
    println!(
        "\n### Concurrency: {} lookups per configuration, pools of {}{}",
        table::thousands(args.total as f64),
        config::POOL,
        if args.quick { " (--quick)" } else { "" }
    );
    println!(
        "{}",
        table::markdown(&outcomes, &ran, &args.modes, &args.clients)
    );
    let report = Report {
        machine: ambidex_benches::report::Machine::describe(),
        total: args.total,
        pool: config::POOL,
        thread_stack_kib: config::STACK / 1024,
        timeout_s: args.timeout.as_secs(),
        outcomes,
    };
    if let Err(e) = ambidex_benches::report::write_json(
        &ambidex_benches::report::out_dir(),
        "concurrency.json",
        &report,
    ) {
        eprintln!("could not write concurrency.json: {e}");
        std::process::exit(1);
    }
}
