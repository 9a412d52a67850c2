//! Writes racing deletes of the same row, in every cell (5 handles x SQLite, PostgreSQL,
//! MariaDB): issue 19 items 1 and 2, and issue 18 item 4's single-row insert.
//!
//! [`WRITERS`] writers (threads in the blocking world, tasks in the async world) each make
//! [`ROUNDS`] calls of one operation on the same row while [`DELETERS`] deleters delete that
//! row in a loop until the writers are done. The operations:
//!
//! - `upsert` of key [`KEY`], against deletes of that key;
//! - `upsert_on(Tag::CODE)` of code [`CODE`], against deletes of that code;
//! - `insert_or_ignore` of code [`CODE`], against deletes of that code;
//! - `insert` of rows with a generated key and a code of their own, against deletes of
//!   every row.
//!
//! Checked in every cell:
//!
//! - **no call fails**: no `Error::Internal` ("the inserted row could not be read back"),
//!   no false `Error::UniqueViolation` (the only unique constraints are the target's),
//!   nothing else; a `Conflict` (SQLite's busy database, a deadlock) is retried, as
//!   `retry` would, and counted;
//! - **every row returned is a row written**: an insert (and an insert-or-ignore that
//!   inserted) returns its own values and a fresh generated key; an upsert returns the
//!   target's row with a value some writer sent;
//! - **the final state follows from the acknowledged calls**: if the row is there, its value
//!   was written by a call that returned `Ok`, and no call that returned `Ok` began after
//!   that call ended; if it is gone, a delete that removed a row ended after the last
//!   acknowledged write began (else an `Ok` lied: its row was never written). For inserts:
//!   every row left is one an insert returned.
//!
//! Where the defects occurred: MariaDB, every handle (both engines share the plans in
//! `ambidex-core`'s `ops/upsert.rs` and `ops/mod.rs`). PostgreSQL and SQLite run the same
//! checks (one `ON CONFLICT` / `RETURNING` statement there), which passed before the fix.
//! Each cell runs on a thread of its own and fails after [`CELL_TIMEOUT`] rather than hang
//! (the diesel engine on MariaDB has hung once in a `delete_returning` race: see
//! `tests/row_locks.rs`).

#![cfg(all(feature = "blocking", feature = "async"))]

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ambidex::Error;
use ambidex::prelude::*;

mod support;
use support::{Place, place, runtime};

/// Writers per cell.
const WRITERS: usize = 4;
/// Deleters per cell.
const DELETERS: usize = 2;
/// Calls each writer makes.
const ROUNDS: usize = 200;
/// Connections per handle: one per writer and deleter.
const POOL: u32 = (WRITERS + DELETERS) as u32;
/// Attempts a call makes when it meets a retryable `Conflict`.
const ATTEMPTS: usize = 50;
/// How long one cell may take before it counts as hung.
const CELL_TIMEOUT: Duration = Duration::from_secs(240);
/// The key every upsert names.
const KEY: i64 = 7;
/// The code every `upsert_on` and `insert_or_ignore` names.
const CODE: &str = "k";

/// A row upserted by its key.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "race_counters")]
pub struct Counter {
    #[ambidex(primary_key)]
    pub id: i64,
    pub value: i64,
}

/// A row with a generated key and a unique code.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "race_tags")]
pub struct Tag {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(unique)]
    pub code: String,
    pub value: i64,
}

/// The operation the writers race against deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Upsert,
    UpsertOn,
    InsertOrIgnore,
    Insert,
}

/// A row as a call returned it or as it is left: `(id, code, value)`.
pub type Stored = (i64, String, i64);

impl From<Counter> for Stored {
    fn from(c: Counter) -> Stored {
        (c.id, String::new(), c.value)
    }
}

impl From<Tag> for Stored {
    fn from(t: Tag) -> Stored {
        (t.id, t.code, t.value)
    }
}

/// One writer's call: what it sent and what it was told, and when.
#[derive(Debug)]
pub struct Write {
    pub start: Instant,
    pub end: Instant,
    /// The value sent (unique per call).
    pub value: i64,
    /// The code sent.
    pub code: String,
    /// `Ok(Some(row))`: written and returned; `Ok(None)`: ignored (insert_or_ignore).
    pub outcome: Result<Option<Stored>, Error>,
    /// How many times a `Conflict` made it try again.
    pub retries: usize,
}

/// One deleter's call: how many rows it removed, and when.
#[derive(Debug)]
pub struct Delete {
    pub start: Instant,
    pub end: Instant,
    pub outcome: Result<u64, Error>,
}

/// The value writer `w` sends in round `round`: unique per call.
pub fn value_of(w: usize, round: usize) -> i64 {
    (w as i64 + 1) * 1_000_000 + round as i64
}

/// The code writer `w` sends in round `round`.
pub fn code_of(op: Op, w: usize, round: usize) -> String {
    match op {
        Op::Upsert => String::new(),
        Op::UpsertOn | Op::InsertOrIgnore => CODE.to_string(),
        Op::Insert => format!("w{w}-r{round}"),
    }
}

/// A short name of an error's variant, for the tallies.
fn variant(e: &Error) -> String {
    let text = format!("{e:?}");
    text.split([' ', '(', '{'])
        .next()
        .unwrap_or("?")
        .to_string()
}

/// The checks after one cell's race (see the module docs).
fn check(cell: &str, op: Op, writes: &[Write], deletes: &[Delete], left: &[Stored]) {
    let mut failed: BTreeMap<String, usize> = BTreeMap::new();
    for w in writes {
        if let Err(e) = &w.outcome {
            *failed.entry(variant(e)).or_default() += 1;
        }
    }
    let mut delete_failed: BTreeMap<String, usize> = BTreeMap::new();
    for d in deletes {
        if let Err(e) = &d.outcome {
            *delete_failed.entry(variant(e)).or_default() += 1;
        }
    }
    let written = writes
        .iter()
        .filter(|w| matches!(w.outcome, Ok(Some(_))))
        .count();
    let ignored = writes
        .iter()
        .filter(|w| matches!(w.outcome, Ok(None)))
        .count();
    let removed: u64 = deletes.iter().filter_map(|d| d.outcome.as_ref().ok()).sum();
    let retries: usize = writes.iter().map(|w| w.retries).sum();
    println!(
        "races {cell} {op:?}: {} calls, {written} written, {ignored} ignored, failed {failed:?}; \
         {} deletes removed {removed} rows, failed {delete_failed:?}; {retries} retries on Conflict",
        writes.len(),
        deletes.len()
    );
    let first_failure = writes.iter().find_map(|w| w.outcome.as_ref().err());
    assert!(
        failed.is_empty(),
        "{cell} {op:?}: calls failed: {failed:?}; the first: {first_failure:?}"
    );
    assert!(
        delete_failed.is_empty(),
        "{cell} {op:?}: deletes failed: {delete_failed:?}"
    );
    let sent: HashSet<i64> = writes.iter().map(|w| w.value).collect();
    for w in writes {
        let Ok(Some((id, code, value))) = &w.outcome else {
            continue;
        };
        match op {
            Op::Upsert => {
                assert_eq!(*id, KEY, "{cell}: an upsert returns the target's row");
                assert!(sent.contains(value), "{cell}: value {value} was never sent");
            }
            Op::UpsertOn => {
                assert_eq!(code, CODE, "{cell}: an upsert_on returns the target's row");
                assert!(*id > 0, "{cell}: a stored key");
                assert!(sent.contains(value), "{cell}: value {value} was never sent");
            }
            Op::InsertOrIgnore | Op::Insert => {
                assert!(*id > 0, "{cell}: an insert returns the generated key");
                assert_eq!(
                    (code, *value),
                    (&w.code, w.value),
                    "{cell}: an insert returns its own row"
                );
            }
        }
    }
    let acked: Vec<&Write> = writes
        .iter()
        .filter(|w| matches!(w.outcome, Ok(Some(_))))
        .collect();
    if op == Op::Insert {
        // SQLite hands out a deleted row's key again, so keys are unique among the rows
        // left, not among all the inserts.
        for (id, code, value) in left {
            let returned = acked.iter().any(|w| {
                matches!(&w.outcome, Ok(Some(r)) if r.0 == *id && r.1 == *code && r.2 == *value)
            });
            assert!(
                returned,
                "{cell}: row ({id}, {code}, {value}) is left, but no insert returned it"
            );
        }
        return;
    }
    assert!(left.len() <= 1, "{cell}: one target row at most: {left:?}");
    match left.first() {
        Some((_, _, value)) => {
            let by = writes
                .iter()
                .find(|w| w.value == *value)
                .unwrap_or_else(|| panic!("{cell}: the row holds {value}, which no call sent"));
            assert!(
                matches!(by.outcome, Ok(Some(_))),
                "{cell}: the row holds the value of a call that did not return Ok: {by:?}"
            );
            let later = acked.iter().find(|w| w.start > by.end);
            assert!(
                later.is_none(),
                "{cell}: the row holds {value}, but a later call returned Ok: {later:?}"
            );
        }
        None => {
            if let Some(last_start) = acked.iter().map(|w| w.start).max() {
                let removed_after = deletes
                    .iter()
                    .any(|d| d.end > last_start && matches!(d.outcome, Ok(n) if n > 0));
                assert!(
                    removed_after,
                    "{cell}: the row is gone, yet no delete removed a row after the last \
                     acknowledged write began: an Ok was not stored"
                );
            }
        }
    }
}

/// The checks for a blocking handle type (the handles share method names, not a trait).
macro_rules! blocking_races {
    ($module:ident, $handle:ty) => {
        mod $module {
            use super::*;
            use std::sync::Arc;

            fn call(
                db: &$handle,
                op: Op,
                value: i64,
                code: &str,
            ) -> ambidex::Result<Option<Stored>> {
                let tag = Tag {
                    id: 0,
                    code: code.to_string(),
                    value,
                };
                match op {
                    Op::Upsert => Counter { id: KEY, value }
                        .upsert(db)
                        .map(|r| Some(r.into())),
                    Op::UpsertOn => tag.upsert_on(Tag::CODE, db).map(|r| Some(r.into())),
                    Op::InsertOrIgnore => tag.insert_or_ignore(db).map(|r| r.map(Into::into)),
                    Op::Insert => tag.insert(db).map(|r| Some(r.into())),
                }
            }

            fn delete(db: &$handle, op: Op) -> ambidex::Result<u64> {
                match op {
                    Op::Upsert => Counter::query().filter(Counter::ID.eq(KEY)).delete(db),
                    Op::UpsertOn | Op::InsertOrIgnore => {
                        Tag::query().filter(Tag::CODE.eq(CODE)).delete(db)
                    }
                    Op::Insert => Tag::query().filter(Tag::ID.gt(0)).delete(db),
                }
            }

            /// `f` again while it meets a retryable error; the result and the retries.
            fn retried<T>(
                mut f: impl FnMut() -> ambidex::Result<T>,
            ) -> (ambidex::Result<T>, usize) {
                for retries in 0..ATTEMPTS {
                    match f() {
                        Err(e) if e.is_retryable() => std::thread::sleep(Duration::from_millis(1)),
                        other => return (other, retries),
                    }
                }
                (f(), ATTEMPTS)
            }

            pub fn race(url: &str, cell: &str, op: Op) {
                let db = Arc::new(
                    <$handle>::builder(url)
                        .max_connections(POOL)
                        .acquire_timeout(Duration::from_secs(60))
                        .open()
                        .expect("open"),
                );
                Counter::create_table(&*db).expect("create");
                Tag::create_table(&*db).expect("create");
                let stop = Arc::new(AtomicBool::new(false));
                let deleters: Vec<_> = (0..DELETERS)
                    .map(|_| {
                        let (db, stop) = (Arc::clone(&db), Arc::clone(&stop));
                        std::thread::spawn(move || {
                            let mut done = Vec::new();
                            while !stop.load(Ordering::Relaxed) {
                                let start = Instant::now();
                                let (outcome, _) = retried(|| delete(&db, op));
                                done.push(Delete {
                                    start,
                                    end: Instant::now(),
                                    outcome,
                                });
                            }
                            done
                        })
                    })
                    .collect();
                let writers: Vec<_> = (0..WRITERS)
                    .map(|w| {
                        let db = Arc::clone(&db);
                        std::thread::spawn(move || {
                            (0..ROUNDS)
                                .map(|round| {
                                    let (value, code) = (value_of(w, round), code_of(op, w, round));
                                    let start = Instant::now();
                                    let (outcome, retries) =
                                        retried(|| call(&db, op, value, &code));
                                    Write {
                                        start,
                                        end: Instant::now(),
                                        value,
                                        code,
                                        outcome,
                                        retries,
                                    }
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                let writes: Vec<Write> = writers
                    .into_iter()
                    .flat_map(|w| w.join().expect("writer"))
                    .collect();
                stop.store(true, Ordering::Relaxed);
                let deletes: Vec<Delete> = deleters
                    .into_iter()
                    .flat_map(|d| d.join().expect("deleter"))
                    .collect();
                let left: Vec<Stored> = match op {
                    Op::Upsert => Counter::query()
                        .all(&*db)
                        .expect("rows")
                        .into_iter()
                        .map(Into::into)
                        .collect(),
                    _ => Tag::query()
                        .all(&*db)
                        .expect("rows")
                        .into_iter()
                        .map(Into::into)
                        .collect(),
                };
                check(cell, op, &writes, &deletes, &left);
            }
        }
    };
}

/// The checks for an async handle type.
macro_rules! async_races {
    ($module:ident, $handle:ty) => {
        mod $module {
            use super::*;
            use std::sync::Arc;

            async fn call(
                db: &$handle,
                op: Op,
                value: i64,
                code: &str,
            ) -> ambidex::Result<Option<Stored>> {
                let tag = Tag {
                    id: 0,
                    code: code.to_string(),
                    value,
                };
                match op {
                    Op::Upsert => Counter { id: KEY, value }
                        .upsert(db)
                        .await
                        .map(|r| Some(r.into())),
                    Op::UpsertOn => tag.upsert_on(Tag::CODE, db).await.map(|r| Some(r.into())),
                    Op::InsertOrIgnore => tag.insert_or_ignore(db).await.map(|r| r.map(Into::into)),
                    Op::Insert => tag.insert(db).await.map(|r| Some(r.into())),
                }
            }

            async fn delete(db: &$handle, op: Op) -> ambidex::Result<u64> {
                match op {
                    Op::Upsert => {
                        Counter::query()
                            .filter(Counter::ID.eq(KEY))
                            .delete(db)
                            .await
                    }
                    Op::UpsertOn | Op::InsertOrIgnore => {
                        Tag::query().filter(Tag::CODE.eq(CODE)).delete(db).await
                    }
                    Op::Insert => Tag::query().filter(Tag::ID.gt(0)).delete(db).await,
                }
            }

            async fn call_retried(
                db: &$handle,
                op: Op,
                value: i64,
                code: &str,
            ) -> (ambidex::Result<Option<Stored>>, usize) {
                for retries in 0..ATTEMPTS {
                    match call(db, op, value, code).await {
                        Err(e) if e.is_retryable() => {
                            tokio::time::sleep(Duration::from_millis(1)).await
                        }
                        other => return (other, retries),
                    }
                }
                (call(db, op, value, code).await, ATTEMPTS)
            }

            async fn delete_retried(db: &$handle, op: Op) -> ambidex::Result<u64> {
                for _ in 1..ATTEMPTS {
                    match delete(db, op).await {
                        Err(e) if e.is_retryable() => {
                            tokio::time::sleep(Duration::from_millis(1)).await
                        }
                        other => return other,
                    }
                }
                delete(db, op).await
            }

            pub async fn race(url: String, cell: String, op: Op) {
                let db = <$handle>::builder(&url)
                    .max_connections(POOL)
                    .acquire_timeout(Duration::from_secs(60))
                    .connect()
                    .await
                    .expect("connect");
                Counter::create_table(&db).await.expect("create");
                Tag::create_table(&db).await.expect("create");
                let stop = Arc::new(AtomicBool::new(false));
                let deleters: Vec<_> = (0..DELETERS)
                    .map(|_| {
                        let (db, stop) = (db.clone(), Arc::clone(&stop));
                        tokio::spawn(async move {
                            let mut done = Vec::new();
                            while !stop.load(Ordering::Relaxed) {
                                let start = Instant::now();
                                let outcome = delete_retried(&db, op).await;
                                done.push(Delete {
                                    start,
                                    end: Instant::now(),
                                    outcome,
                                });
                            }
                            done
                        })
                    })
                    .collect();
                let writers: Vec<_> = (0..WRITERS)
                    .map(|w| {
                        let db = db.clone();
                        tokio::spawn(async move {
                            let mut done = Vec::new();
                            for round in 0..ROUNDS {
                                let (value, code) = (value_of(w, round), code_of(op, w, round));
                                let start = Instant::now();
                                let (outcome, retries) = call_retried(&db, op, value, &code).await;
                                done.push(Write {
                                    start,
                                    end: Instant::now(),
                                    value,
                                    code,
                                    outcome,
                                    retries,
                                });
                            }
                            done
                        })
                    })
                    .collect();
                let mut writes = Vec::new();
                for w in writers {
                    writes.extend(w.await.expect("writer"));
                }
                stop.store(true, Ordering::Relaxed);
                let mut deletes = Vec::new();
                for d in deleters {
                    deletes.extend(d.await.expect("deleter"));
                }
                let left: Vec<Stored> = match op {
                    Op::Upsert => Counter::query()
                        .all(&db)
                        .await
                        .expect("rows")
                        .into_iter()
                        .map(Into::into)
                        .collect(),
                    _ => Tag::query()
                        .all(&db)
                        .await
                        .expect("rows")
                        .into_iter()
                        .map(Into::into)
                        .collect(),
                };
                check(&cell, op, &writes, &deletes, &left);
            }
        }
    };
}

blocking_races!(blocking_diesel, ambidex::blocking::Db);
blocking_races!(blocking_sqlx, ambidex::blocking::SqlxDb);
async_races!(async_sqlx, ambidex::SqlxDb);
async_races!(async_diesel, ambidex::DieselDb);
async_races!(async_default, ambidex::Db);

/// Runs `run` on a thread of its own: its panic message, or a failure when it runs longer
/// than [`CELL_TIMEOUT`] (a hang fails the test instead of hanging it). The place is
/// dropped after the run, or leaked when it hung (dropping a MariaDB database would wait
/// for the hung connection's locks).
fn within(cell: &str, place: Place, run: impl FnOnce(String) + Send + 'static) -> Option<String> {
    let (done, finished) = std::sync::mpsc::channel();
    let url = place.url();
    let thread = std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(url)));
        let _ = done.send(outcome);
    });
    match finished.recv_timeout(CELL_TIMEOUT) {
        Ok(outcome) => {
            let _ = thread.join();
            drop(place);
            let panic = outcome.err()?;
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "(a panic without a message)".into());
            Some(message)
        }
        Err(_) => {
            std::mem::forget(place);
            Some(format!(
                "{cell}: the race did not finish within {CELL_TIMEOUT:?} (a hang)"
            ))
        }
    }
}

/// Races `op` on every handle type, each on a fresh database of `backend`; every cell
/// runs, then the test fails with the failures of all of them.
fn on_every_handle(backend: &'static str, op: Op) {
    let cell = move |handle: &str| format!("{backend}/{handle}");
    if place(backend).is_none() {
        return;
    }
    let fresh = || place(backend).expect("place");
    let mut failures = Vec::new();
    let c = cell("blocking::Db");
    failures.extend(within(&c.clone(), fresh(), move |url| {
        blocking_diesel::race(&url, &c, op)
    }));
    let c = cell("blocking::SqlxDb");
    failures.extend(within(&c.clone(), fresh(), move |url| {
        blocking_sqlx::race(&url, &c, op)
    }));
    let c = cell("SqlxDb");
    failures.extend(within(&c.clone(), fresh(), move |url| {
        runtime().block_on(async_sqlx::race(url, c, op))
    }));
    let c = cell("DieselDb");
    failures.extend(within(&c.clone(), fresh(), move |url| {
        runtime().block_on(async_diesel::race(url, c, op))
    }));
    let c = cell("Db");
    failures.extend(within(&c.clone(), fresh(), move |url| {
        runtime().block_on(async_default::race(url, c, op))
    }));
    assert!(
        failures.is_empty(),
        "{} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One `#[test]` per backend and operation, each over every handle.
macro_rules! backend_tests {
    ($backend:ident, $feature:literal) => {
        #[cfg(feature = $feature)]
        mod $backend {
            use super::*;

            #[test]
            fn upsert_racing_delete() {
                on_every_handle(stringify!($backend), Op::Upsert);
            }

            #[test]
            fn upsert_on_racing_delete() {
                on_every_handle(stringify!($backend), Op::UpsertOn);
            }

            #[test]
            fn insert_or_ignore_racing_delete() {
                on_every_handle(stringify!($backend), Op::InsertOrIgnore);
            }

            #[test]
            fn insert_racing_delete() {
                on_every_handle(stringify!($backend), Op::Insert);
            }
        }
    };
}

backend_tests!(sqlite, "sqlite");
backend_tests!(postgres, "postgres");
backend_tests!(mysql, "mysql");

/// The statements that name [`Probe`]'s table, as the engines' `ambidex::sql` events show
/// them (the race tests never touch that table).
static PROBED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// A row the path check inserts.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "race_probes")]
pub struct Probe {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub label: String,
}

/// Keeps the SQL of every engine event that names `race_probes`.
struct CaptureProbes;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CaptureProbes {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        struct Sql(Option<String>);
        impl tracing::field::Visit for Sql {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "sql" {
                    self.0 = Some(value.to_string());
                }
            }
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "sql" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        let mut sql = Sql(None);
        event.record(&mut sql);
        if let Some(sql) = sql.0.filter(|s| s.contains("race_probes")) {
            PROBED.lock().unwrap_or_else(|p| p.into_inner()).push(sql);
        }
    }
}

/// What the handle just sent to `race_probes`, cleared for the next.
fn probed() -> Vec<String> {
    std::mem::take(&mut *PROBED.lock().unwrap_or_else(|p| p.into_inner()))
}

/// Which path an insert takes on MariaDB, per engine: the sqlx engine sends one
/// `INSERT ... RETURNING` and reads nothing back; the diesel engine, which cannot read
/// those rows (MDEV-27013), sends the INSERT without RETURNING and reads the row back by
/// key (in the INSERT's transaction). Either way the row comes back as stored.
#[cfg(feature = "mysql")]
#[test]
fn mysql_insert_path_per_engine() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::Layer::with_filter(
            CaptureProbes,
            tracing_subscriber::filter::filter_fn(|m| m.target() == "ambidex::sql"),
        ))
        .try_init();
    let Some(_) = place("mysql") else { return };
    let returning = "INSERT INTO `race_probes` (`label`) VALUES (?) RETURNING `id`, `label`";
    let plain = "INSERT INTO `race_probes` (`label`) VALUES (?)";
    let read_back = "SELECT `id`, `label` FROM `race_probes` WHERE `id` = ?";
    let row = |label: &str| Probe {
        id: 0,
        label: label.into(),
    };
    let check = |cell: &str, stored: Probe, label: &str, expected: &[&str]| {
        assert_eq!(stored.label, label, "{cell}: the row as stored");
        assert!(stored.id > 0, "{cell}: with its generated key");
        let sent: Vec<String> = probed()
            .into_iter()
            .filter(|s| !s.starts_with("CREATE"))
            .collect();
        println!("races mysql/{cell}: an insert sends {sent:?}");
        assert_eq!(sent, expected, "{cell}: the statements on race_probes");
    };
    let p = place("mysql").expect("place");
    let db = ambidex::blocking::Db::open(&p.url()).expect("open");
    assert_eq!(db.server(), ambidex::Server::Mariadb);
    Probe::create_table(&db).expect("create");
    probed();
    check(
        "blocking::Db",
        row("a").insert(&db).expect("insert"),
        "a",
        &[plain, read_back],
    );
    let db = ambidex::blocking::SqlxDb::open(&p.url()).expect("open");
    check(
        "blocking::SqlxDb",
        row("b").insert(&db).expect("insert"),
        "b",
        &[returning],
    );
    runtime().block_on(async {
        let db = ambidex::SqlxDb::connect(&p.url()).await.expect("connect");
        check(
            "SqlxDb",
            row("c").insert(&db).await.expect("insert"),
            "c",
            &[returning],
        );
        let db = ambidex::DieselDb::connect(&p.url()).await.expect("connect");
        check(
            "DieselDb",
            row("d").insert(&db).await.expect("insert"),
            "d",
            &[plain, read_back],
        );
        let db = ambidex::Db::connect(&p.url()).await.expect("connect");
        check(
            "Db",
            row("e").insert(&db).await.expect("insert"),
            "e",
            &[returning],
        );
        // `delete_returning` through sqlx is MariaDB's one `DELETE ... RETURNING` too.
        probed();
        let gone = Probe::query()
            .filter(Probe::LABEL.eq("e"))
            .delete_returning(&db)
            .await
            .expect("delete_returning");
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].label, "e");
        let sent: Vec<String> = probed();
        assert_eq!(
            sent,
            ["DELETE FROM `race_probes` WHERE `label` = ? RETURNING `id`, `label`"],
            "Db: one DELETE ... RETURNING"
        );
    });
}
