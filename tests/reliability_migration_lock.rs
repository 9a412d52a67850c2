//! A migration run that panics or is dropped halfway never leaves MariaDB's migration lock
//! (`GET_LOCK`, a session lock) held on a pooled connection (issue 19, item 5).
//!
//! **Cells.** The lock exists only on MariaDB (PostgreSQL and SQLite lock inside each
//! migration's transaction, which ends with the connection's transaction), so every cell
//! is a MariaDB one, on all five handles:
//! - *a panic mid-way* (`blocking::Db`, `blocking::SqlxDb`, `SqlxDb`, `DieselDb`, `Db`): a
//!   tracing layer panics on the run's `RELEASE_LOCK` statement, after the migrations
//!   committed, at transaction depth 0, the one point where every engine used to pool the
//!   connection again with the lock still held (the blocking engine also did so at a panic
//!   inside a migration: it rolled the transaction back and pooled the connection);
//! - *a future dropped mid-way* (`SqlxDb`, `DieselDb`, `Db`): the run is timed out while a
//!   migration sleeps. `DieselDb`'s worker then finished the statement and pooled the
//!   connection, lock and all; the sqlx engine already closed it (a statement in flight),
//!   which the test pins.
//!
//! Each time, another instance (a second handle, as another process would be) must then
//! take the lock and apply the next migration promptly, instead of waiting 600 s.
#![cfg(all(feature = "blocking", feature = "async", feature = "mysql"))]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use ambidex::migrate::{Migration, Migrations};

mod support;
use support::{ServerScratch, runtime, server_url};

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, filter};

/// How long the other instance may take to get the lock and apply its migration.
const PROMPTLY: Duration = Duration::from_secs(15);

/// Set while the next `RELEASE_LOCK` statement must panic; the first one that sees it
/// clears it.
static ARMED: AtomicBool = AtomicBool::new(false);
/// One cell at a time: the layer is process-wide.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Panics on the statement event of a `RELEASE_LOCK` while [`ARMED`].
struct PanicAtRelease;

struct SqlField(bool);

impl tracing::field::Visit for SqlField {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "sql" && value.contains("RELEASE_LOCK") {
            self.0 = true;
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "sql" && format!("{value:?}").contains("RELEASE_LOCK") {
            self.0 = true;
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for PanicAtRelease {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut sql = SqlField(false);
        event.record(&mut sql);
        if sql.0
            && ARMED
                .compare_exchange(true, false, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            panic!("injected panic before RELEASE_LOCK");
        }
    }
}

fn install_layer() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        tracing_subscriber::registry()
            .with(PanicAtRelease.with_filter(
                filter::Targets::new().with_target("ambidex::sql", tracing::Level::TRACE),
            ))
            .init();
    });
}

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Migrations 1..=n: each creates a table; with `sleep`, migration 1 sleeps first.
fn migrations(n: i64, sleep: bool) -> Migrations {
    let list = (1..=n)
        .map(|v| {
            let create = format!("CREATE TABLE t{v} (id BIGINT PRIMARY KEY)");
            let up = if sleep && v == 1 {
                format!("DO SLEEP(2);\n{create}")
            } else {
                create
            };
            Migration::new(v, format!("m{v}")).up(up)
        })
        .collect();
    Migrations::new(list).expect("migrations")
}

/// A database of the cell's own, or `None` to skip.
fn scratch() -> Option<ServerScratch> {
    server_url("AMBIDEX_MYSQL_URL").map(|u| ServerScratch::new(&u))
}

/// Another instance applies migration 2 within [`PROMPTLY`]; returns how long it took.
fn other_instance_migrates(url: &str, cell: &str) -> Duration {
    let url = url.to_string();
    let (done, wait) = std::sync::mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let db = ambidex::blocking::Db::builder(&url)
            .max_connections(1)
            .open()
            .expect("open the other instance");
        let _ = done.send(migrations(2, false).run(&db).map(|a| a.len()));
    });
    match wait.recv_timeout(PROMPTLY) {
        Ok(Ok(_)) => started.elapsed(),
        Ok(Err(e)) => panic!("{cell}: the other instance's run failed: {e:?}"),
        Err(_) => panic!(
            "{cell}: the other instance waited more than {PROMPTLY:?} for the migration \
             lock: the interrupted run left it held on a pooled connection"
        ),
    }
}

/// Runs `interrupted` (a run that panics or is dropped), then checks the lock is free
/// for another instance, and that the handle itself still works.
fn check(cell: &str, url: &str, interrupted: impl FnOnce(), after: impl FnOnce()) {
    interrupted();
    let took = other_instance_migrates(url, cell);
    after();
    println!("reliability_migration_lock {cell}: the other instance migrated in {took:?}");
}

macro_rules! blocking_panic_cell {
    ($test:ident, $handle:ty, $label:literal) => {
        #[test]
        fn $test() {
            let Some(place) = scratch() else { return };
            let _one = serial();
            install_layer();
            let db = <$handle>::builder(&place.url)
                .max_connections(1)
                .open()
                .expect("open");
            check(
                $label,
                &place.url,
                || {
                    ARMED.store(true, Ordering::SeqCst);
                    let outcome = catch_unwind(AssertUnwindSafe(|| migrations(1, false).run(&db)));
                    ARMED.store(false, Ordering::SeqCst);
                    assert!(
                        outcome.is_err(),
                        "{}: the injected panic did not happen",
                        $label
                    );
                },
                || {
                    // The handle's pool replaced the closed connection.
                    migrations(2, false)
                        .run(&db)
                        .expect("the handle works again");
                },
            );
        }
    };
}

blocking_panic_cell!(
    panic_blocking_db,
    ambidex::blocking::Db,
    "mysql/blocking::Db panic"
);
blocking_panic_cell!(
    panic_blocking_sqlx,
    ambidex::blocking::SqlxDb,
    "mysql/blocking::SqlxDb panic"
);

macro_rules! async_cells {
    ($panic:ident, $dropped:ident, $handle:ty, $label:literal) => {
        #[test]
        fn $panic() {
            let Some(place) = scratch() else { return };
            let _one = serial();
            install_layer();
            let rt = runtime();
            let db = rt
                .block_on(<$handle>::builder(&place.url).max_connections(1).connect())
                .expect("open");
            check(
                concat!($label, " panic"),
                &place.url,
                || {
                    ARMED.store(true, Ordering::SeqCst);
                    let task = {
                        let db = db.clone();
                        rt.spawn(async move { migrations(1, false).run(&db).await })
                    };
                    let joined = rt.block_on(task);
                    ARMED.store(false, Ordering::SeqCst);
                    // The task panics; `DieselDb`'s worker, where the statement runs,
                    // catches the panic and the run returns it as an error instead.
                    match joined {
                        Err(e) => assert!(e.is_panic(), "{}: {e:?}", $label),
                        Ok(Err(e)) => assert!(
                            e.to_string().contains("injected panic"),
                            "{}: not the injected panic: {e:?}",
                            $label
                        ),
                        Ok(Ok(_)) => panic!("{}: the injected panic did not happen", $label),
                    }
                },
                || {
                    rt.block_on(migrations(2, false).run(&db))
                        .expect("the handle works again");
                },
            );
        }

        #[test]
        fn $dropped() {
            let Some(place) = scratch() else { return };
            let _one = serial();
            let rt = runtime();
            let db = rt
                .block_on(<$handle>::builder(&place.url).max_connections(1).connect())
                .expect("open");
            check(
                concat!($label, " dropped"),
                &place.url,
                || {
                    let set = migrations(1, true);
                    let outcome = rt.block_on(async {
                        tokio::time::timeout(Duration::from_millis(500), set.run(&db)).await
                    });
                    assert!(outcome.is_err(), "{}: the run was not timed out", $label);
                    // The worker (DieselDb) finishes the sleeping statement before it
                    // gives the connection back.
                    std::thread::sleep(Duration::from_secs(2));
                },
                || {
                    rt.block_on(migrations(2, false).run(&db))
                        .expect("the handle works again");
                },
            );
        }
    };
}

async_cells!(panic_sqlx, dropped_sqlx, ambidex::SqlxDb, "mysql/SqlxDb");
async_cells!(
    panic_diesel,
    dropped_diesel,
    ambidex::DieselDb,
    "mysql/DieselDb"
);
async_cells!(panic_default, dropped_default, ambidex::Db, "mysql/Db");
