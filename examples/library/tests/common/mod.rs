//! What the test binaries share: the backends to run on, each as a fresh database of the
//! test's own with the app's migrations applied (`ambidex::testing::TestDb`).

#![allow(dead_code)]

use ambidex::testing::TestDb;
use library::migrations;

/// A backend to run a test on: its name, for messages, and a migrated database of its own.
pub struct Cell {
    /// `sqlite`, `postgres` or `mysql`.
    pub name: &'static str,
    /// The database, dropped with the cell.
    pub db: TestDb,
}

/// The server URL in `var`, or `None` to skip it; under `CI=true` a missing URL fails.
fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{var} is not set, and under CI=true server tests must not be skipped")
        }
        _ => None,
    }
}

/// SQLite always; PostgreSQL and MariaDB when the crate is built with their features
/// (`--features postgres,mysql`) and `AMBIDEX_POSTGRES_URL` / `AMBIDEX_MYSQL_URL` are set.
pub fn cells() -> Vec<Cell> {
    let servers: Vec<(&'static str, Option<String>)> = vec![
        #[cfg(feature = "postgres")]
        ("postgres", server_url("AMBIDEX_POSTGRES_URL")),
        #[cfg(feature = "mysql")]
        ("mysql", server_url("AMBIDEX_MYSQL_URL")),
    ];
    let mut cells = vec![Cell {
        name: "sqlite",
        db: TestDb::sqlite()
            .and_then(|db| db.migrated(&migrations()))
            .expect("a migrated SQLite database"),
    }];
    for (name, url) in servers {
        let Some(url) = url else {
            println!("{name}: no server URL, skipped");
            continue;
        };
        let db = TestDb::on(&url)
            .and_then(|db| db.migrated(&migrations()))
            .unwrap_or_else(|e| panic!("a migrated {name} database: {e}"));
        cells.push(Cell { name, db });
    }
    cells
}

/// A multi-threaded tokio runtime for the async world's tests.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
