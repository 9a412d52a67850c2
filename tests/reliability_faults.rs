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
use std::time::{Duration, Instant};

use ambidex::prelude::*;

mod support;
use support::write_load::{Load, async_writers, blocking_writers, join_tasks};
use support::{runtime, server_url, unique_name};

/// Writers (threads or tasks) per handle; the pool has as many connections.
const WRITERS: usize = 4;
/// How long connections are killed for.
const KILLING: Duration = Duration::from_millis(1500);
/// The pause between two rounds of kills.
const KILL_EVERY: Duration = Duration::from_millis(100);

/// A server connection's id, as the kill statements need it.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "victims")]
struct Victim {
    #[ambidex(primary_key)]
    id: i64,
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

    /// Kills every connection of the handle under test for [`KILLING`], then calms `load`;
    /// returns how many were killed and when the last one was.
    fn kill_for(&self, load: &Load) -> (usize, Option<Instant>) {
        let killing = AtomicBool::new(true);
        let result = std::thread::scope(|s| {
            let killer = s.spawn(|| self.kill_while(&killing));
            std::thread::sleep(KILLING);
            killing.store(false, Ordering::SeqCst);
            killer.join().expect("killer")
        });
        load.calm();
        result
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

    /// Checks the table against the load's ledger and prints the figures.
    fn check(&self, cell: &str, load: &Load, killed: usize, last_kill: Option<Instant>) {
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
        let c = load.check(cell, &stored, &["Connection"]);
        assert!(killed > 0, "{cell}: the killer found no connection to kill");
        let recovery = last_kill.and_then(|last| load.first_commit_after(last));
        println!(
            "reliability_faults {cell}: {killed} connections killed, {} commits acknowledged \
             (all stored), {} failed before COMMIT (none stored), {} failed COMMITs ({} \
             stored), errors {:?}; first commit {recovery:?} after the last kill",
            c.acked, c.failed_before_commit, c.failed_commit, c.landed, c.errors,
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
        ambidex::raw(Load::new(self.table.clone()).create_sql())
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
            let load = Load::new(fault.table.clone());
            let writers = blocking_writers!(db, load, WRITERS);
            let (killed, last) = fault.kill_for(&load);
            load.join_threads(cell, writers);
            fault.check(cell, &load, killed, last);
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
            let load = Load::new(fault.table.clone());
            let writers = async_writers!(rt, db, load, WRITERS);
            let (killed, last) = fault.kill_for(&load);
            join_tasks!(rt, cell, writers);
            fault.check(cell, &load, killed, last);
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
