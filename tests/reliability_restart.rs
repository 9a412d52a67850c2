//! Full server restarts during a write load, in both worlds and on both engines (issue 7,
//! "Server faults"): a PostgreSQL and a MariaDB server are shut down and started again, and
//! crashed (PostgreSQL: an immediate shutdown, which skips the checkpoint and replays the
//! WAL on start; MariaDB: `kill -9`) and started again, while all five handles
//! (`blocking::Db`, `blocking::SqlxDb`, `SqlxDb`, `DieselDb`, `Db`) commit transactions.
//!
//! Checked for each handle, as in `reliability_faults` (the ledger is shared with it,
//! `tests/support/write_load.rs`):
//!
//! - every failed operation is a typed `Error::Connection`, or `Error::PoolTimeout` for a
//!   caller that waited for a connection while the server was down;
//! - **no acknowledged commit is lost**, across clean restarts and crashes;
//! - **nothing unacknowledged is reported done**: a write that failed before `COMMIT` is
//!   not stored;
//! - the pools replace their dead connections: after the last restart every writer commits
//!   again without the application being restarted. The time from each server start to
//!   each handle's first commit after it is printed (`--nocapture`), never asserted.
//!
//! The servers are the test's own, never the shared ones on 5432 and 3306 (which other tests
//! use at the same time): `.ci/throwaway-server.sh` creates them in a temporary directory on
//! a free port, and removes them at the end. That needs root (CI runs as root) and the
//! server binaries, so the test runs only when `AMBIDEX_RESTART_SERVERS=1` is set: CI runs
//! it alone in a step of its own, where failing to set the servers up fails the test.
//!
//! `AMBIDEX_RESTART_SERVERS=1 cargo test --features postgres,mysql --test reliability_restart -- --nocapture`
#![cfg(all(feature = "blocking", feature = "async"))]
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use ambidex::prelude::*;

mod support;
use support::write_load::{Load, async_writers, blocking_writers, join_tasks};
use support::{runtime, unique_name};

/// Writers (threads or tasks) per handle; each pool has as many connections.
const WRITERS: usize = 3;
/// How long writers wait for a connection: short, so that callers waiting while the server
/// is down give up (with `PoolTimeout`) and retry.
const ACQUIRE: Duration = Duration::from_secs(2);
/// The load before the first restart and between two restarts.
const BETWEEN: Duration = Duration::from_millis(1500);
/// How long the server stays down.
const DOWN: Duration = Duration::from_millis(300);
/// The restarts, in order: a clean shutdown, a crash, a clean shutdown.
const PLAN: [&str; 3] = ["stop", "crash", "stop"];

/// One row's id, as the check reads it.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "ids")]
struct Id {
    #[ambidex(primary_key)]
    id: i64,
}

/// A server of the test's own: `kind` is `postgres` or `mariadb`.
struct Server {
    kind: &'static str,
    dir: PathBuf,
    port: u16,
    /// The URL every handle opens.
    url: String,
}

/// Whether this run should restart servers (see the module docs).
fn enabled() -> bool {
    std::env::var("AMBIDEX_RESTART_SERVERS").is_ok_and(|v| v == "1")
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Server {
    /// Creates and starts the server; `None` (skip) when the test is not enabled, or when
    /// it cannot be set up outside CI. Under `CI=true` a failed set-up fails the test.
    fn start(kind: &'static str) -> Option<Server> {
        if !enabled() {
            return None;
        }
        let port = free_port();
        let dir = std::env::temp_dir().join(unique_name(&format!("ax_restart_{kind}")));
        let url = match kind {
            "postgres" => format!("postgres://root@127.0.0.1:{port}/postgres"),
            _ => format!("mysql://ambidex:ambidex@127.0.0.1:{port}/test"),
        };
        let server = Server {
            kind,
            dir,
            port,
            url,
        };
        let set_up = server.run("init").and_then(|_| server.run("start"));
        match set_up {
            Ok(_) => Some(server),
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("cannot set up a {kind} server of the test's own under CI=true: {e}")
            }
            Err(e) => {
                eprintln!("skipping: cannot set up a {kind} server of the test's own: {e}");
                None
            }
        }
    }

    /// Runs one action of `.ci/throwaway-server.sh`; returns how long it took.
    fn run(&self, action: &str) -> Result<Duration, String> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/throwaway-server.sh");
        let started = Instant::now();
        let out = Command::new("bash")
            .arg(script)
            .arg(self.kind)
            .arg(action)
            .arg(&self.dir)
            .arg(self.port.to_string())
            .output()
            .map_err(|e| format!("cannot run {script}: {e}"))?;
        if out.status.success() {
            Ok(started.elapsed())
        } else {
            Err(format!(
                "{script} {} {action} failed ({}): {}",
                self.kind,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    fn admin(&self) -> ambidex::blocking::Db {
        ambidex::blocking::Db::builder(&self.url)
            .max_connections(1)
            .open()
            .expect("open the test's server")
    }

    /// The ids stored in `table`.
    fn stored(&self, table: &str) -> BTreeSet<i64> {
        ambidex::raw(format!("SELECT id FROM {table}"))
            .fetch_all::<Id, _>(&self.admin())
            .expect("read the table")
            .into_iter()
            .map(|r| r.id)
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Err(e) = self.run("destroy") {
            eprintln!("could not remove the test's {} server: {e}", self.kind);
        }
    }
}

/// The handles under test, in the order the loads are made.
const CELLS: [&str; 5] = [
    "blocking::Db",
    "blocking::SqlxDb",
    "SqlxDb",
    "DieselDb",
    "Db",
];

/// Runs the load on all five handles at once while the server restarts as [`PLAN`] says,
/// then checks every ledger against its table.
fn restart_under_load(server: &Server) {
    let admin = server.admin();
    let loads: Vec<Load> = CELLS
        .iter()
        .map(|_| {
            let load = Load::new(unique_name("ax_restart"));
            ambidex::raw(load.create_sql())
                .execute(&admin)
                .expect("create the table");
            load
        })
        .collect();
    drop(admin);

    let rt = runtime();
    let url = server.url.as_str();
    let blocking_diesel = ambidex::blocking::Db::builder(url)
        .max_connections(WRITERS as u32)
        .acquire_timeout(ACQUIRE)
        .open()
        .expect("open blocking::Db");
    let blocking_sqlx = ambidex::blocking::SqlxDb::builder(url)
        .max_connections(WRITERS as u32)
        .acquire_timeout(ACQUIRE)
        .open()
        .expect("open blocking::SqlxDb");
    let (sqlx, diesel, default) = rt.block_on(async {
        let sqlx = ambidex::SqlxDb::builder(url)
            .max_connections(WRITERS as u32)
            .acquire_timeout(ACQUIRE)
            .connect()
            .await
            .expect("open SqlxDb");
        let diesel = ambidex::DieselDb::builder(url)
            .max_connections(WRITERS as u32)
            .acquire_timeout(ACQUIRE)
            .connect()
            .await
            .expect("open DieselDb");
        let default = ambidex::Db::builder(url)
            .max_connections(WRITERS as u32)
            .acquire_timeout(ACQUIRE)
            .connect()
            .await
            .expect("open Db");
        (sqlx, diesel, default)
    });

    let threads = [
        blocking_writers!(blocking_diesel, loads[0], WRITERS),
        blocking_writers!(blocking_sqlx, loads[1], WRITERS),
    ];
    let tasks = [
        async_writers!(rt, sqlx, loads[2], WRITERS),
        async_writers!(rt, diesel, loads[3], WRITERS),
        async_writers!(rt, default, loads[4], WRITERS),
    ];

    // The restarts: (action, how long the shutdown took, how long the start took, when
    // the server answered again).
    let mut restarts = Vec::new();
    for action in PLAN {
        std::thread::sleep(BETWEEN);
        let down = server.run(action).unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(DOWN);
        let up = server.run("start").unwrap_or_else(|e| panic!("{e}"));
        restarts.push((action, down, up, Instant::now()));
    }
    std::thread::sleep(BETWEEN);
    for load in &loads {
        load.calm();
    }

    let label = |i: usize| format!("{}/{}", server.kind, CELLS[i]);
    for (i, writers) in threads.into_iter().enumerate() {
        loads[i].join_threads(&label(i), writers);
    }
    for (i, writers) in tasks.into_iter().enumerate() {
        join_tasks!(rt, label(i + 2), writers);
    }

    for (action, down, up, _) in &restarts {
        println!(
            "reliability_restart {}: {action} took {down:?}, start took {up:?}",
            server.kind
        );
    }
    for (i, load) in loads.iter().enumerate() {
        let cell = label(i);
        let c = load.check(
            &cell,
            &server.stored(&load.table),
            &["Connection", "PoolTimeout"],
        );
        let recoveries: Vec<Option<Duration>> = restarts
            .iter()
            .map(|(_, _, _, answered)| load.first_commit_after(*answered))
            .collect();
        assert!(
            recoveries.iter().all(Option::is_some),
            "{cell}: no commit after some restart: {recoveries:?}"
        );
        println!(
            "reliability_restart {cell}: {} restarts survived, {} commits acknowledged (all \
             stored), {} failed before COMMIT (none stored), {} failed COMMITs ({} stored), \
             errors {:?}; first commit after each start: {recoveries:?}",
            restarts.len(),
            c.acked,
            c.failed_before_commit,
            c.failed_commit,
            c.landed,
            c.errors,
        );
    }
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_restarts_under_load() {
    if let Some(server) = Server::start("postgres") {
        restart_under_load(&server);
    }
}

#[cfg(feature = "mysql")]
#[test]
fn mariadb_restarts_under_load() {
    if let Some(server) = Server::start("mariadb") {
        restart_under_load(&server);
    }
}
