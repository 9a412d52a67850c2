//! Server faults during a write load, in both worlds and on both engines (issue 7, "Server
//! faults"): PostgreSQL `pg_terminate_backend` and MariaDB `KILL CONNECTION` on every
//! connection of the pool, repeatedly, while writers commit transactions.
//!
//! Checked for each handle (`blocking::Db`, `blocking::SqlxDb`, `SqlxDb`, `DieselDb`,
//! `Db`):
//!
//! - every failed operation is a typed `Error::Connection` (what a killed connection is);
//! - **no acknowledged commit is lost**: every write whose `commit` returned `Ok` is in
//!   the table afterwards (the ledger);
//! - **nothing unacknowledged is reported done**: a write that failed before its `COMMIT`
//!   was sent is not in the table; only a failed `COMMIT` may have landed either way
//!   (its answer was lost with the connection), and such writes are counted;
//! - the pool replaces the dead connections: after the last kill every writer commits
//!   again without a restart; the time from the last kill to the first commit after it is
//!   printed.
//!
//! Each handle writes to a table (PostgreSQL) or database (MariaDB) of its own and only its
//! own connections are killed (PostgreSQL: by `application_name`; MariaDB: by database),
//! so the test runs beside every other. A full server restart is not done here: it would
//! break the tests running in parallel.
#![cfg(all(feature = "blocking", feature = "async"))]
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ambidex::prelude::*;

mod support;
use support::{runtime, server_url, unique_name};

/// Writers (threads or tasks) per handle; the pool has as many connections.
const WRITERS: usize = 4;
/// How long connections are killed for.
const KILLING: Duration = Duration::from_millis(1500);
/// The pause between two rounds of kills.
const KILL_EVERY: Duration = Duration::from_millis(100);
/// Commits each writer must make after the last kill.
const AFTER: usize = 5;

/// A server connection's id, as the kill statements need it.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "victims")]
struct Victim {
    #[ambidex(primary_key)]
    id: i64,
}

/// What happened to one attempted write.
#[derive(Debug, Default)]
struct Ledger {
    /// Committed: `commit` returned `Ok`.
    acked: BTreeSet<i64>,
    /// Failed before `COMMIT` was sent (begin or insert): must not be stored.
    failed_before_commit: BTreeSet<i64>,
    /// `COMMIT` itself failed: may or may not be stored.
    failed_commit: BTreeSet<i64>,
    /// Every error, for the report and the typed-error check.
    errors: Vec<String>,
    /// When each commit was acknowledged.
    ack_times: Vec<Instant>,
}

/// Where the load runs, and how to kill its connections.
struct Fault {
    /// The URL the handle under test opens.
    url: String,
    /// The admin URL the killer and the checks use.
    admin: String,
    /// The table written.
    table: String,
    /// Lists the ids of the handle's connections (one `id` column).
    victims_sql: String,
    /// Kills one connection: `{}` is its id.
    kill_sql: &'static str,
    /// Dropped at the end (MariaDB: the database of the test's own).
    cleanup: Option<String>,
}

fn postgres_fault() -> Option<Fault> {
    let base = server_url("AMBIDEX_POSTGRES_URL")?;
    let app = unique_name("ax_fault");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(Fault {
        url: format!("{base}{sep}application_name={app}"),
        table: app.clone(),
        victims_sql: format!(
            "SELECT pid::bigint AS id FROM pg_stat_activity WHERE application_name = '{app}'"
        ),
        kill_sql: "SELECT pg_terminate_backend({})",
        cleanup: None,
        admin: base,
    })
}

fn mysql_fault() -> Option<Fault> {
    let base = server_url("AMBIDEX_MYSQL_URL")?;
    let name = unique_name("ax_fault");
    let admin = ambidex::blocking::Db::builder(&base)
        .max_connections(1)
        .open()
        .expect("open admin");
    ambidex::raw(format!("CREATE DATABASE `{name}`"))
        .execute(&admin)
        .expect("create the test's database");
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("a MySQL URL ends in /database");
    Some(Fault {
        url: format!("{prefix}/{name}"),
        table: "ledger".into(),
        victims_sql: format!(
            "SELECT CAST(id AS SIGNED) AS id FROM information_schema.processlist \
             WHERE db = '{name}'"
        ),
        kill_sql: "KILL CONNECTION {}",
        cleanup: Some(format!("DROP DATABASE IF EXISTS `{name}`")),
        admin: base,
    })
}

impl Fault {
    fn admin_db(&self) -> ambidex::blocking::Db {
        ambidex::blocking::Db::builder(&self.admin)
            .max_connections(1)
            .open()
            .expect("open admin")
    }

    /// Kills every connection of the handle under test while `killing` is set; returns how
    /// many were killed and when the last one was.
    fn kill_while(&self, killing: &AtomicBool) -> (usize, Option<Instant>) {
        let admin = self.admin_db();
        let (mut killed, mut last) = (0, None);
        while killing.load(Ordering::SeqCst) {
            let victims = ambidex::raw(self.victims_sql.clone())
                .fetch_all::<Victim, _>(&admin)
                .expect("list the pool's connections");
            for v in victims {
                // A connection may end between the listing and the kill: ignore that.
                if ambidex::raw(self.kill_sql.replace("{}", &v.id.to_string()))
                    .execute(&admin)
                    .is_ok()
                {
                    killed += 1;
                    last = Some(Instant::now());
                }
            }
            std::thread::sleep(KILL_EVERY);
        }
        (killed, last)
    }

    /// Checks the table against the ledger and prints the figures.
    fn check(&self, cell: &str, ledger: &Ledger, killed: usize, last_kill: Option<Instant>) {
        let admin = ambidex::blocking::Db::builder(&self.url_for_checks())
            .max_connections(1)
            .open()
            .expect("open admin");
        let stored: BTreeSet<i64> = ambidex::raw(format!("SELECT id FROM {}", self.table))
            .fetch_all::<Victim, _>(&admin)
            .expect("read the table")
            .into_iter()
            .map(|v| v.id)
            .collect();
        let lost: Vec<_> = ledger.acked.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "{cell}: acknowledged commits lost: {lost:?}"
        );
        let phantom: Vec<_> = ledger.failed_before_commit.intersection(&stored).collect();
        assert!(
            phantom.is_empty(),
            "{cell}: writes that failed before COMMIT are stored: {phantom:?}"
        );
        let attempted: BTreeSet<i64> = ledger
            .acked
            .iter()
            .chain(&ledger.failed_before_commit)
            .chain(&ledger.failed_commit)
            .copied()
            .collect();
        let unknown: Vec<_> = stored.difference(&attempted).collect();
        assert!(unknown.is_empty(), "{cell}: rows nobody wrote: {unknown:?}");
        for e in &ledger.errors {
            assert!(
                e.starts_with("Connection"),
                "{cell}: a killed connection must fail with Error::Connection, got {e}"
            );
        }
        assert!(killed > 0, "{cell}: the killer found no connection to kill");
        let landed = ledger.failed_commit.intersection(&stored).count();
        let recovery = last_kill.and_then(|last| {
            ledger
                .ack_times
                .iter()
                .filter(|t| **t > last)
                .min()
                .map(|t| t.duration_since(last))
        });
        println!(
            "reliability_faults {cell}: {killed} connections killed, {} commits acknowledged \
             (all stored), {} failed before COMMIT (none stored), {} failed COMMITs ({landed} \
             stored), {} errors (all Connection); first commit {recovery:?} after the last kill",
            ledger.acked.len(),
            ledger.failed_before_commit.len(),
            ledger.failed_commit.len(),
            ledger.errors.len(),
        );
    }

    fn url_for_checks(&self) -> String {
        // PostgreSQL: a different application name, so the killer never sees it.
        if self.url.starts_with("postgres") {
            self.admin.clone()
        } else {
            self.url.clone()
        }
    }

    fn create_table(&self) {
        let db = ambidex::blocking::Db::builder(&self.url_for_checks())
            .max_connections(1)
            .open()
            .expect("open");
        ambidex::raw(format!(
            "CREATE TABLE {} (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)",
            self.table
        ))
        .execute(&db)
        .expect("create the ledger table");
    }
}

impl Drop for Fault {
    fn drop(&mut self) {
        let admin = self.admin_db();
        let drop_table = format!("DROP TABLE IF EXISTS {}", self.table);
        let sql = self.cleanup.clone().unwrap_or(drop_table);
        let _ = ambidex::raw(sql).execute(&admin);
    }
}

/// Records the outcome of one write.
fn record(ledger: &Mutex<Ledger>, id: i64, stage: &str, result: ambidex::Result<()>) {
    let mut l = ledger.lock().expect("ledger");
    match result {
        Ok(()) => {
            l.acked.insert(id);
            l.ack_times.push(Instant::now());
        }
        Err(e) => {
            let kind = format!("{e:?}");
            l.errors.push(format!("{kind} (at {stage})"));
            if stage == "commit" {
                l.failed_commit.insert(id);
            } else {
                l.failed_before_commit.insert(id);
            }
        }
    }
}

/// The load for a blocking handle type.
macro_rules! blocking_load {
    ($name:ident, $handle:ty) => {
        fn $name(fault: &Fault, cell: &str) {
            fault.create_table();
            let db = <$handle>::builder(&fault.url)
                .max_connections(WRITERS as u32)
                .acquire_timeout(Duration::from_secs(10))
                .open()
                .expect("open");
            let ledger = Arc::new(Mutex::new(Ledger::default()));
            let stop = Arc::new(AtomicBool::new(false));
            let killing = Arc::new(AtomicBool::new(true));
            let writers: Vec<_> = (0..WRITERS)
                .map(|w| {
                    let (db, ledger, stop, killing) =
                        (db.clone(), ledger.clone(), stop.clone(), killing.clone());
                    let table = fault.table.clone();
                    std::thread::spawn(move || {
                        let (mut seq, mut after) = (0i64, 0usize);
                        while after < AFTER {
                            if stop.load(Ordering::SeqCst) {
                                break;
                            }
                            seq += 1;
                            let id = w as i64 * 1_000_000 + seq;
                            let calm = !killing.load(Ordering::SeqCst);
                            let mut tx = match db.begin() {
                                Ok(tx) => tx,
                                Err(e) => {
                                    record(&ledger, id, "begin", Err(e));
                                    continue;
                                }
                            };
                            let inserted =
                                ambidex::raw(format!("INSERT INTO {table} (id, v) VALUES (?, 1)"))
                                    .bind(id)
                                    .execute(&mut tx);
                            if let Err(e) = inserted {
                                record(&ledger, id, "insert", Err(e));
                                continue;
                            }
                            let committed = tx.commit();
                            if committed.is_ok() && calm {
                                after += 1;
                            }
                            record(&ledger, id, "commit", committed);
                        }
                    })
                })
                .collect();
            let (killed, last) = std::thread::scope(|s| {
                let killer = s.spawn(|| fault.kill_while(&killing));
                std::thread::sleep(KILLING);
                killing.store(false, Ordering::SeqCst);
                killer.join().expect("killer")
            });
            let deadline = Instant::now() + Duration::from_secs(60);
            for w in writers {
                while !w.is_finished() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(20));
                }
                if !w.is_finished() {
                    stop.store(true, Ordering::SeqCst);
                }
                w.join().expect("writer");
            }
            let ledger = ledger.lock().expect("ledger");
            assert!(
                !stop.load(Ordering::SeqCst),
                "{cell}: writers did not recover within 60 s after the last kill; last errors: {:?}",
                &ledger.errors[ledger.errors.len().saturating_sub(3)..]
            );
            fault.check(cell, &ledger, killed, last);
        }
    };
}

blocking_load!(blocking_diesel_load, ambidex::blocking::Db);
blocking_load!(blocking_sqlx_load, ambidex::blocking::SqlxDb);

/// The load for an async handle type.
macro_rules! async_load {
    ($name:ident, $handle:ty) => {
        fn $name(fault: &Fault, cell: &str) {
            fault.create_table();
            let rt = runtime();
            let db = rt
                .block_on(
                    <$handle>::builder(&fault.url)
                        .max_connections(WRITERS as u32)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect(),
                )
                .expect("open");
            let ledger = Arc::new(Mutex::new(Ledger::default()));
            let killing = Arc::new(AtomicBool::new(true));
            let writers: Vec<_> = (0..WRITERS)
                .map(|w| {
                    let (db, ledger, killing) = (db.clone(), ledger.clone(), killing.clone());
                    let table = fault.table.clone();
                    rt.spawn(async move {
                        let (mut seq, mut after) = (0i64, 0usize);
                        while after < AFTER {
                            seq += 1;
                            let id = w as i64 * 1_000_000 + seq;
                            let calm = !killing.load(Ordering::SeqCst);
                            let mut tx = match db.begin().await {
                                Ok(tx) => tx,
                                Err(e) => {
                                    record(&ledger, id, "begin", Err(e));
                                    continue;
                                }
                            };
                            let inserted =
                                ambidex::raw(format!("INSERT INTO {table} (id, v) VALUES (?, 1)"))
                                    .bind(id)
                                    .execute(&mut tx)
                                    .await;
                            if let Err(e) = inserted {
                                record(&ledger, id, "insert", Err(e));
                                continue;
                            }
                            let committed = tx.commit().await;
                            if committed.is_ok() && calm {
                                after += 1;
                            }
                            record(&ledger, id, "commit", committed);
                        }
                    })
                })
                .collect();
            let (killed, last) = std::thread::scope(|s| {
                let killer = s.spawn(|| fault.kill_while(&killing));
                std::thread::sleep(KILLING);
                killing.store(false, Ordering::SeqCst);
                killer.join().expect("killer")
            });
            rt.block_on(async {
                for w in writers {
                    tokio::time::timeout(Duration::from_secs(60), w)
                        .await
                        .unwrap_or_else(|_| {
                            panic!(
                                "{cell}: writers did not recover within 60 s after the last kill"
                            )
                        })
                        .expect("writer task");
                }
            });
            let ledger = ledger.lock().expect("ledger");
            fault.check(cell, &ledger, killed, last);
        }
    };
}

async_load!(async_sqlx_load, ambidex::SqlxDb);
async_load!(async_diesel_load, ambidex::DieselDb);
async_load!(async_default_load, ambidex::Db);

/// One `#[test]` per backend and handle: `postgres::async_diesel`.
macro_rules! fault_tests {
    ($backend:ident, $feature:literal, $fault:ident) => {
        #[cfg(feature = $feature)]
        mod $backend {
            use super::*;

            macro_rules! load_test {
                ($test:ident, $load:ident, $label:literal) => {
                    #[test]
                    fn $test() {
                        if let Some(f) = $fault() {
                            $load(&f, &format!("{}/{}", stringify!($backend), $label));
                        }
                    }
                };
            }

            load_test!(blocking_diesel, blocking_diesel_load, "blocking::Db");
            load_test!(blocking_sqlx, blocking_sqlx_load, "blocking::SqlxDb");
            load_test!(async_sqlx, async_sqlx_load, "SqlxDb");
            load_test!(async_diesel, async_diesel_load, "DieselDb");
            load_test!(async_default, async_default_load, "Db");
        }
    };
}

fault_tests!(postgres, "postgres", postgres_fault);
fault_tests!(mysql, "mysql", mysql_fault);
