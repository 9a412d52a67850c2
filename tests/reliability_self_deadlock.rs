//! A blocking write that waits for a SQLite write lock held by async code on its own
//! thread says so (issue 19, item 11), instead of returning, after the busy timeout, the
//! retryable `Error::Conflict` that retrying cannot cure.
//!
//! **Cells.** SQLite only: there a write waits for the database file's write lock, which
//! every ambidex transaction takes at `BEGIN IMMEDIATE`. (On PostgreSQL and MariaDB the
//! same mistake waits for a row lock until the server's lock timeout; the issue and this
//! fix are about SQLite.) Every pair of an async handle holding the lock (`SqlxDb`,
//! `DieselDb`, `Db`) and a blocking handle writing (`blocking::Db` on diesel,
//! `blocking::SqlxDb` on sqlx), each in three situations:
//! - the lock is held by the future `block_on` runs, which then makes the blocking write:
//!   `Error::WrongWorld` naming the self-deadlock;
//! - the lock is held by a task of a current-thread runtime, and the future `block_on`
//!   runs makes the blocking write: the same;
//! - no false positive: the lock is held by a task of a multi-threaded runtime for 300
//!   ms, and a thread of its own makes the blocking write: it waits and succeeds (ordinary
//!   contention).
//!
//! A blocking handle's own transaction is no async holder: a thread that waits for a lock
//! its own blocking transaction holds keeps the blocking engine's `Conflict`, on both
//! blocking handles (`tests/reliability_pool.rs`, `sqlite_lock_wait`).
//!
//! The blocking handles wait 1 s for the lock (`statement_timeout`), not 5 s.
#![cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]

use std::time::{Duration, Instant};

use ambidex::Error;

/// How long the blocking handles wait for the write lock.
const LOCK_WAIT: Duration = Duration::from_secs(1);

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Asserts the blocking write's outcome is the self-deadlock error.
fn assert_self_deadlock(cell: &str, outcome: ambidex::Result<u64>, started: Instant) {
    match outcome {
        Err(Error::WrongWorld(message)) if message.contains("self-deadlock") => {
            assert!(!Error::WrongWorld(message.clone()).is_retryable());
            println!(
                "reliability_self_deadlock {cell}: after {:?}: {message}",
                started.elapsed()
            );
        }
        other => panic!("{cell}: expected the self-deadlock error, got {other:?}"),
    }
}

macro_rules! cell {
    ($test:ident, $holder:ty, $blocker:ty, $label:literal) => {
        #[test]
        fn $test() {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            let blocking = <$blocker>::builder(&url)
                .statement_timeout(LOCK_WAIT)
                .open()
                .expect("open the blocking handle");
            ambidex::raw("CREATE TABLE w (id INTEGER PRIMARY KEY)")
                .execute(&blocking)
                .expect("create");
            let write = |id: i64| {
                ambidex::raw("INSERT INTO w VALUES (?)")
                    .bind(id)
                    .execute(&blocking)
            };

            // 1. Held by the future block_on runs.
            let rt = current_thread();
            rt.block_on(async {
                let db = <$holder>::connect(&url)
                    .await
                    .expect("open the async handle");
                let mut tx = db.begin().await.expect("begin");
                ambidex::raw("INSERT INTO w VALUES (1)")
                    .execute(&mut tx)
                    .await
                    .expect("write in the transaction");
                let started = Instant::now();
                assert_self_deadlock(concat!($label, " block_on future"), write(2), started);
                tx.rollback().await.expect("rollback");
            });
            drop(rt);
            assert_eq!(write(3).expect("the lock is free again"), 1);

            // 2. Held by a task of a current-thread runtime.
            let rt = current_thread();
            rt.block_on(async {
                let db = <$holder>::connect(&url)
                    .await
                    .expect("open the async handle");
                let (held, is_held) = tokio::sync::oneshot::channel();
                let (release, released) = tokio::sync::oneshot::channel::<()>();
                let task = tokio::spawn(async move {
                    let mut tx = db.begin().await.expect("begin");
                    ambidex::raw("INSERT INTO w VALUES (4)")
                        .execute(&mut tx)
                        .await
                        .expect("write in the transaction");
                    let _ = held.send(());
                    let _ = released.await;
                    tx.rollback().await.expect("rollback");
                });
                is_held.await.expect("the task holds the lock");
                let started = Instant::now();
                assert_self_deadlock(concat!($label, " current-thread task"), write(5), started);
                let _ = release.send(());
                task.await.expect("the task");
            });
            drop(rt);
            assert_eq!(write(6).expect("the lock is free again"), 1);

            // 3. Ordinary contention: a multi-threaded runtime's task holds the lock for a
            //    while, a thread of its own waits for it.
            let rt = multi_thread();
            let db = rt
                .block_on(<$holder>::connect(&url))
                .expect("open the async handle");
            let (held, is_held) = std::sync::mpsc::channel();
            let task = rt.spawn(async move {
                let mut tx = db.begin().await.expect("begin");
                ambidex::raw("INSERT INTO w VALUES (7)")
                    .execute(&mut tx)
                    .await
                    .expect("write in the transaction");
                let _ = held.send(());
                tokio::time::sleep(Duration::from_millis(300)).await;
                tx.commit().await.expect("commit");
            });
            is_held.recv().expect("the task holds the lock");
            let started = Instant::now();
            let outcome = std::thread::scope(|s| s.spawn(|| write(8)).join().expect("writer"));
            assert_eq!(
                outcome.unwrap_or_else(|e| panic!("{}: contention is no deadlock: {e:?}", $label)),
                1
            );
            println!(
                "reliability_self_deadlock {}: contention: waited {:?}, then wrote",
                $label,
                started.elapsed()
            );
            rt.block_on(task).expect("the task");
        }
    };
}

cell!(
    sqlx_blocking_db,
    ambidex::SqlxDb,
    ambidex::blocking::Db,
    "sqlite/SqlxDb + blocking::Db"
);
cell!(
    sqlx_blocking_sqlx,
    ambidex::SqlxDb,
    ambidex::blocking::SqlxDb,
    "sqlite/SqlxDb + blocking::SqlxDb"
);
cell!(
    diesel_blocking_db,
    ambidex::DieselDb,
    ambidex::blocking::Db,
    "sqlite/DieselDb + blocking::Db"
);
cell!(
    diesel_blocking_sqlx,
    ambidex::DieselDb,
    ambidex::blocking::SqlxDb,
    "sqlite/DieselDb + blocking::SqlxDb"
);
cell!(
    default_blocking_db,
    ambidex::Db,
    ambidex::blocking::Db,
    "sqlite/Db + blocking::Db"
);
cell!(
    default_blocking_sqlx,
    ambidex::Db,
    ambidex::blocking::SqlxDb,
    "sqlite/Db + blocking::SqlxDb"
);
