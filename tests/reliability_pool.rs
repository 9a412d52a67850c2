//! Pool exhaustion and statement timeouts, in both worlds, on every engine and backend
//! (issue 7, "Pool exhaustion and timeouts").
//!
//! For each handle (`blocking::Db`, `blocking::SqlxDb`, `SqlxDb`, `DieselDb`, `Db`) on
//! SQLite, PostgreSQL and MariaDB:
//!
//! - **exhaustion**: with every connection held by an open transaction, another caller
//!   waits, then gets `Error::PoolTimeout` naming the pool size; more concurrent callers
//!   than connections (and than the diesel shim's workers) all finish, none deadlocks;
//! - **a transaction asking for a second connection** (a query through the handle while
//!   the handle's only connection is inside the transaction) gets `Error::PoolTimeout`
//!   instead of waiting forever, and the transaction then commits;
//! - **nested use inside `#[ambidex::dual]` code**: the same mistake made inside a dual
//!   function fails the same way in its async original and its blocking twin;
//! - **statement timeouts**: a handle built with `statement_timeout` stops a long statement
//!   with `Error::Timeout` (PostgreSQL `statement_timeout`, MariaDB `max_statement_time`)
//!   and its connection keeps working; on SQLite it bounds the wait for another
//!   connection's write lock, which fails with the retryable `Error::Conflict`.
//!
//! Times are printed (`--nocapture`), never asserted beyond "waited at least as long as
//! configured". Server cells run when `AMBIDEX_POSTGRES_URL` / `AMBIDEX_MYSQL_URL` are set;
//! under `CI=true` a missing URL fails the test.
#![cfg(all(feature = "blocking", feature = "async"))]
// Without the `postgres` and `mysql` features the server-only checks are unused.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use ambidex::Error;

mod support;
use support::{runtime, server_url, unique_name as unique_table};

/// How long a caller waits for a connection in these tests.
const ACQUIRE: Duration = Duration::from_millis(300);
/// The statement timeout under test.
const STATEMENT: Duration = Duration::from_millis(300);
/// How long the statement that must be stopped would otherwise run.
const LONG_SECONDS: u32 = 5;
/// Concurrent callers in the over-subscription check, against a pool of [`POOL`].
const CALLERS: usize = 12;
/// Connections (and diesel shim workers) in the over-subscription check.
const POOL: u32 = 2;
/// Statements each caller runs in the over-subscription check.
const ROUNDS: usize = 10;

/// Where a test runs: a URL, plus the temporary directory of a SQLite file.
struct Target {
    url: String,
    _dir: Option<tempfile::TempDir>,
}

fn sqlite() -> Option<Target> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("pool.db").display());
    Some(Target {
        url,
        _dir: Some(dir),
    })
}

fn postgres() -> Option<Target> {
    server_url("AMBIDEX_POSTGRES_URL").map(|url| Target { url, _dir: None })
}

fn mysql() -> Option<Target> {
    server_url("AMBIDEX_MYSQL_URL").map(|url| Target { url, _dir: None })
}

/// A statement that runs for [`LONG_SECONDS`] unless stopped, on a server backend.
fn long_statement(url: &str) -> String {
    if url.starts_with("postgres") {
        format!("SELECT pg_sleep({LONG_SECONDS})")
    } else {
        format!("SELECT SLEEP({LONG_SECONDS})")
    }
}

/// How many connections the exhaustion check fills with open transactions: SQLite admits
/// one writing transaction at a time (a second `begin` waits for the lock, not for a
/// connection), so there the pool has one connection.
fn holders(url: &str) -> u32 {
    if url.starts_with("sqlite") { 1 } else { POOL }
}

fn report(cell: &str, what: &str, took: Duration) {
    println!("reliability_pool {cell}: {what} in {took:?}");
}

fn assert_pool_timeout(cell: &str, result: ambidex::Result<u64>, pool: u32, started: Instant) {
    let waited = started.elapsed();
    match result {
        Err(Error::PoolTimeout {
            pool_size,
            waited: reported,
        }) => {
            assert_eq!(pool_size, pool, "{cell}: the error names the pool size");
            // The error reports the wait it measured: at least (about) the timeout, and no
            // more than the caller saw.
            assert!(
                reported >= ACQUIRE.mul_f32(0.9) && reported <= waited,
                "{cell}: the error reports a wait of {reported:?}; the caller waited {waited:?}"
            );
            assert!(
                waited >= ACQUIRE.mul_f32(0.9),
                "{cell}: gave up after {waited:?}, before the acquire timeout {ACQUIRE:?}"
            );
            report(cell, "PoolTimeout", waited);
        }
        other => panic!("{cell}: expected Error::PoolTimeout, got {other:?}"),
    }
}

/// The checks for a blocking handle type, which share method names but no trait.
macro_rules! blocking_checks {
    ($module:ident, $handle:ty) => {
        mod $module {
            use super::*;
            use std::sync::Arc;

            fn open(url: &str, pool: u32) -> $handle {
                <$handle>::builder(url)
                    .max_connections(pool)
                    .acquire_timeout(ACQUIRE)
                    .open()
                    .expect("open")
            }

            pub fn exhaustion(url: &str, cell: &str) {
                let size = holders(url);
                let db = open(url, size);
                let held: Vec<_> = (0..size).map(|_| db.begin().expect("begin")).collect();
                let started = Instant::now();
                let result = ambidex::raw("SELECT 1").execute(&db);
                assert_pool_timeout(cell, result, size, started);
                drop(held);
                ambidex::raw("SELECT 1")
                    .execute(&db)
                    .expect("connections come back when the transactions end");

                // More callers than connections: all wait their turn and finish.
                let db = Arc::new(
                    <$handle>::builder(url)
                        .max_connections(POOL)
                        .acquire_timeout(Duration::from_secs(30))
                        .open()
                        .expect("open"),
                );
                let started = Instant::now();
                let threads: Vec<_> = (0..CALLERS)
                    .map(|_| {
                        let db = Arc::clone(&db);
                        std::thread::spawn(move || {
                            for _ in 0..ROUNDS {
                                let mut tx = db.begin()?;
                                ambidex::raw("SELECT 1").execute(&mut tx)?;
                                tx.commit()?;
                            }
                            ambidex::Result::<()>::Ok(())
                        })
                    })
                    .collect();
                for t in threads {
                    t.join()
                        .expect("caller thread")
                        .expect("every caller finishes");
                }
                report(
                    cell,
                    &format!("{CALLERS} callers x {ROUNDS} transactions on {POOL} connections"),
                    started.elapsed(),
                );
            }

            pub fn second_connection_in_transaction(url: &str, cell: &str) {
                let db = open(url, 1);
                let mut tx = db.begin().expect("begin");
                let started = Instant::now();
                let result = ambidex::raw("SELECT 1").execute(&db);
                assert_pool_timeout(cell, result, 1, started);
                ambidex::raw("SELECT 1")
                    .execute(&mut tx)
                    .expect("the transaction's own connection still works");
                tx.commit().expect("commit");
                ambidex::raw("SELECT 1")
                    .execute(&db)
                    .expect("the connection is back in the pool");
            }

            pub fn statement_timeout(url: &str, cell: &str) {
                let db = <$handle>::builder(url)
                    .max_connections(1)
                    .statement_timeout(STATEMENT)
                    .open()
                    .expect("open");
                let started = Instant::now();
                let result = ambidex::raw(long_statement(url)).execute(&db);
                let took = started.elapsed();
                assert!(
                    matches!(result, Err(Error::Timeout { .. })),
                    "{cell}: expected Error::Timeout, got {result:?}"
                );
                report(cell, "statement stopped (Timeout)", took);
                ambidex::raw("SELECT 1")
                    .execute(&db)
                    .expect("the connection works after a timeout");
            }

            pub fn sqlite_lock_wait(url: &str, cell: &str) {
                let table = unique_table("ax_lock");
                let holder = <$handle>::open(url).expect("open");
                ambidex::raw(format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY)"))
                    .execute(&holder)
                    .expect("create");
                let mut tx = holder.begin().expect("begin");
                ambidex::raw(format!("INSERT INTO {table} (id) VALUES (1)"))
                    .execute(&mut tx)
                    .expect("take the write lock");
                let waiter = <$handle>::builder(url)
                    .max_connections(1)
                    .statement_timeout(STATEMENT)
                    .open()
                    .expect("open");
                let started = Instant::now();
                let result =
                    ambidex::raw(format!("INSERT INTO {table} (id) VALUES (2)")).execute(&waiter);
                let took = started.elapsed();
                match &result {
                    Err(e @ Error::Conflict { .. }) => assert!(e.is_retryable()),
                    other => panic!("{cell}: expected Error::Conflict, got {other:?}"),
                }
                assert!(
                    took >= STATEMENT.mul_f32(0.9),
                    "{cell}: gave up after {took:?}, before the lock timeout {STATEMENT:?}"
                );
                report(cell, "lock wait stopped (Conflict)", took);
                tx.commit().expect("commit");
                ambidex::raw(format!("INSERT INTO {table} (id) VALUES (2)"))
                    .execute(&waiter)
                    .expect("the write goes through once the lock is free");
            }
        }
    };
}

blocking_checks!(blocking_diesel, ambidex::blocking::Db);
blocking_checks!(blocking_sqlx, ambidex::blocking::SqlxDb);

/// The checks for an async handle type.
macro_rules! async_checks {
    ($module:ident, $handle:ty) => {
        mod $module {
            use super::*;

            async fn open(url: &str, pool: u32) -> $handle {
                <$handle>::builder(url)
                    .max_connections(pool)
                    .acquire_timeout(ACQUIRE)
                    .connect()
                    .await
                    .expect("open")
            }

            pub async fn exhaustion(url: String, cell: String) {
                let size = holders(&url);
                let db = open(&url, size).await;
                let mut held = Vec::new();
                for _ in 0..size {
                    held.push(db.begin().await.expect("begin"));
                }
                let started = Instant::now();
                let result = ambidex::raw("SELECT 1").execute(&db).await;
                assert_pool_timeout(&cell, result, size, started);
                drop(held);
                ambidex::raw("SELECT 1")
                    .execute(&db)
                    .await
                    .expect("connections come back when the transactions end");

                // More tasks than connections (and than the diesel shim's workers).
                let db = <$handle>::builder(&url)
                    .max_connections(POOL)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect()
                    .await
                    .expect("open");
                let started = Instant::now();
                let tasks: Vec<_> = (0..CALLERS)
                    .map(|_| {
                        let db = db.clone();
                        tokio::spawn(async move {
                            for _ in 0..ROUNDS {
                                let mut tx = db.begin().await?;
                                ambidex::raw("SELECT 1").execute(&mut tx).await?;
                                tx.commit().await?;
                            }
                            ambidex::Result::<()>::Ok(())
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("task").expect("every caller finishes");
                }
                report(
                    &cell,
                    &format!("{CALLERS} tasks x {ROUNDS} transactions on {POOL} connections"),
                    started.elapsed(),
                );
            }

            pub async fn second_connection_in_transaction(url: String, cell: String) {
                let db = open(&url, 1).await;
                let mut tx = db.begin().await.expect("begin");
                let started = Instant::now();
                let result = ambidex::raw("SELECT 1").execute(&db).await;
                assert_pool_timeout(&cell, result, 1, started);
                ambidex::raw("SELECT 1")
                    .execute(&mut tx)
                    .await
                    .expect("the transaction's own connection still works");
                tx.commit().await.expect("commit");
                ambidex::raw("SELECT 1")
                    .execute(&db)
                    .await
                    .expect("the connection is back in the pool");
            }

            pub async fn statement_timeout(url: String, cell: String) {
                let db = <$handle>::builder(&url)
                    .max_connections(1)
                    .statement_timeout(STATEMENT)
                    .connect()
                    .await
                    .expect("open");
                let started = Instant::now();
                let result = ambidex::raw(long_statement(&url)).execute(&db).await;
                let took = started.elapsed();
                assert!(
                    matches!(result, Err(Error::Timeout { .. })),
                    "{cell}: expected Error::Timeout, got {result:?}"
                );
                report(&cell, "statement stopped (Timeout)", took);
                ambidex::raw("SELECT 1")
                    .execute(&db)
                    .await
                    .expect("the connection works after a timeout");
            }

            pub async fn sqlite_lock_wait(url: String, cell: String) {
                let table = unique_table("ax_lock_async");
                let holder = <$handle>::connect(&url).await.expect("open");
                ambidex::raw(format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY)"))
                    .execute(&holder)
                    .await
                    .expect("create");
                let mut tx = holder.begin().await.expect("begin");
                ambidex::raw(format!("INSERT INTO {table} (id) VALUES (1)"))
                    .execute(&mut tx)
                    .await
                    .expect("take the write lock");
                let waiter = <$handle>::builder(&url)
                    .max_connections(1)
                    .statement_timeout(STATEMENT)
                    .connect()
                    .await
                    .expect("open");
                let started = Instant::now();
                let result = ambidex::raw(format!("INSERT INTO {table} (id) VALUES (2)"))
                    .execute(&waiter)
                    .await;
                let took = started.elapsed();
                match &result {
                    Err(e @ Error::Conflict { .. }) => assert!(e.is_retryable()),
                    other => panic!("{cell}: expected Error::Conflict, got {other:?}"),
                }
                assert!(
                    took >= STATEMENT.mul_f32(0.9),
                    "{cell}: gave up after {took:?}, before the lock timeout {STATEMENT:?}"
                );
                report(&cell, "lock wait stopped (Conflict)", took);
                tx.commit().await.expect("commit");
                ambidex::raw(format!("INSERT INTO {table} (id) VALUES (2)"))
                    .execute(&waiter)
                    .await
                    .expect("the write goes through once the lock is free");
            }
        }
    };
}

async_checks!(async_sqlx, ambidex::SqlxDb);
async_checks!(async_diesel, ambidex::DieselDb);
async_checks!(async_default, ambidex::Db);

/// Runs `$check` on every handle type: the two blocking ones, then the three async ones.
macro_rules! on_every_handle {
    ($check:ident, $url:expr, $cell:expr) => {{
        let (url, cell): (&str, fn(&str) -> String) = ($url, $cell);
        blocking_diesel::$check(url, &cell("blocking::Db"));
        blocking_sqlx::$check(url, &cell("blocking::SqlxDb"));
        let rt = runtime();
        rt.block_on(async_sqlx::$check(url.to_owned(), cell("SqlxDb")));
        rt.block_on(async_diesel::$check(url.to_owned(), cell("DieselDb")));
        rt.block_on(async_default::$check(url.to_owned(), cell("Db")));
    }};
}

/// One `#[test]` per backend and check (`sqlite::exhaustion`), each over every handle.
macro_rules! backend_tests {
    ($backend:ident, $feature:literal) => {
        #[cfg(feature = $feature)]
        mod $backend {
            use super::*;

            fn cell(handle: &str) -> String {
                format!("{}/{handle}", stringify!($backend))
            }

            #[test]
            fn exhaustion() {
                if let Some(t) = super::$backend() {
                    on_every_handle!(exhaustion, &t.url, cell);
                }
            }

            #[test]
            fn second_connection_in_transaction() {
                if let Some(t) = super::$backend() {
                    on_every_handle!(second_connection_in_transaction, &t.url, cell);
                }
            }

            #[test]
            fn statement_timeout() {
                let Some(t) = super::$backend() else { return };
                if stringify!($backend) == "sqlite" {
                    on_every_handle!(sqlite_lock_wait, &t.url, cell);
                } else {
                    on_every_handle!(statement_timeout, &t.url, cell);
                }
            }
        }
    };
}

backend_tests!(sqlite, "sqlite");
backend_tests!(postgres, "postgres");
backend_tests!(mysql, "mysql");

// ---- nested use inside `#[ambidex::dual]` code --------------------------------------------

/// Runs a query through the handle while holding a transaction on it: with one connection,
/// the inner query cannot get one, and must say so instead of waiting forever.
#[ambidex::dual]
async fn query_beside_transaction(db: &ambidex::Db) -> ambidex::Result<u64> {
    let mut tx = db.begin().await?;
    let inner = ambidex::raw("SELECT 1").execute(db).await;
    ambidex::raw("SELECT 1").execute(&mut tx).await?;
    tx.commit().await?;
    inner
}

#[test]
fn dual_code_that_takes_a_second_connection_times_out_in_both_worlds() {
    let Some(t) = sqlite() else { return };
    let blocking = ambidex::blocking::Db::builder(&t.url)
        .max_connections(1)
        .acquire_timeout(ACQUIRE)
        .open()
        .expect("open");
    let started = Instant::now();
    let result = query_beside_transaction_blocking(&blocking);
    assert_pool_timeout("dual/blocking", result, 1, started);

    let rt = runtime();
    rt.block_on(async {
        let db = ambidex::Db::builder(&t.url)
            .max_connections(1)
            .acquire_timeout(ACQUIRE)
            .connect()
            .await
            .expect("open");
        let started = Instant::now();
        let result = query_beside_transaction(&db).await;
        assert_pool_timeout("dual/async", result, 1, started);
        ambidex::raw("SELECT 1")
            .execute(&db)
            .await
            .expect("the pool works afterwards");
    });
    ambidex::raw("SELECT 1")
        .execute(&blocking)
        .expect("the pool works afterwards");
}
