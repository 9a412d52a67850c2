//! A write load whose every outcome is written in a ledger, for the server-fault tests
//! (`reliability_faults`: killed connections; `reliability_restart`: restarted servers).
//!
//! Writers (threads for blocking handles, tasks for async ones) each commit one
//! transaction after another, each inserting one row with an id of its own, and record what
//! happened: acknowledged (`commit` returned `Ok`), failed before `COMMIT` was sent, or a
//! failed `COMMIT` (whose answer was lost, so the row may or may not be there). While the
//! fault goes on (`disturbing`), writers keep going; once it is over, each must make
//! [`AFTER`] commits without the application being restarted. [`Load::check`] then compares
//! the ledger with the table.

// Only the server-fault binaries use the macros.
#![allow(unused_macros)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Commits each writer must make after the fault is over.
pub const AFTER: usize = 5;

/// How long a writer pauses after a failed write before the next (as an application
/// would; without it a writer spins while the server is down).
pub const BACKOFF: Duration = Duration::from_millis(10);

/// What happened to every attempted write.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Committed: `commit` returned `Ok`.
    pub acked: BTreeSet<i64>,
    /// Failed before `COMMIT` was sent (begin or insert): must not be stored.
    pub failed_before_commit: BTreeSet<i64>,
    /// `COMMIT` itself failed: may or may not be stored.
    pub failed_commit: BTreeSet<i64>,
    /// Every error as `Variant { .. } (at stage)`, for the typed-error check and the report.
    pub errors: Vec<String>,
    /// When each commit was acknowledged.
    pub ack_times: Vec<Instant>,
}

/// One handle's load: its table, its ledger, and the flags its writers watch.
#[derive(Clone)]
pub struct Load {
    /// The table the writers insert into (`id BIGINT PRIMARY KEY, v BIGINT`).
    pub table: String,
    /// The outcome of every write.
    pub ledger: Arc<Mutex<Ledger>>,
    /// Set while the fault goes on; commits made while it is set do not count towards
    /// [`AFTER`].
    pub disturbing: Arc<AtomicBool>,
    /// Set to make blocking writers give up (they did not recover in time).
    pub stop: Arc<AtomicBool>,
}

/// What [`Load::check`] found, for the report.
#[derive(Debug)]
pub struct Checked {
    /// Commits acknowledged (all of them stored).
    pub acked: usize,
    /// Writes that failed before `COMMIT` (none of them stored).
    pub failed_before_commit: usize,
    /// `COMMIT`s that failed, and how many of those rows are stored anyway.
    pub failed_commit: usize,
    /// Of the failed `COMMIT`s, how many landed.
    pub landed: usize,
    /// Errors, by variant name.
    pub errors: Vec<(String, usize)>,
}

impl Load {
    /// A load on `table`, disturbed from the start.
    pub fn new(table: impl Into<String>) -> Load {
        Load {
            table: table.into(),
            ledger: Arc::default(),
            disturbing: Arc::new(AtomicBool::new(true)),
            stop: Arc::default(),
        }
    }

    /// The SQL that creates the table.
    pub fn create_sql(&self) -> String {
        format!(
            "CREATE TABLE {} (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)",
            self.table
        )
    }

    /// The insert each write makes (bind the id).
    pub fn insert_sql(&self) -> String {
        format!("INSERT INTO {} (id, v) VALUES (?, 1)", self.table)
    }

    /// Whether the fault goes on.
    pub fn is_disturbed(&self) -> bool {
        self.disturbing.load(Ordering::SeqCst)
    }

    /// Ends the fault: from now on commits count towards [`AFTER`].
    pub fn calm(&self) {
        self.disturbing.store(false, Ordering::SeqCst);
    }

    /// Records the outcome of one write of id `id` at `stage` (`begin`, `insert`,
    /// `commit`).
    pub fn record(&self, id: i64, stage: &str, result: ambidex::Result<()>) {
        let mut l = self.ledger.lock().expect("ledger");
        match result {
            Ok(()) => {
                l.acked.insert(id);
                l.ack_times.push(Instant::now());
            }
            Err(e) => {
                l.errors.push(format!("{e:?} (at {stage})"));
                if stage == "commit" {
                    l.failed_commit.insert(id);
                } else {
                    l.failed_before_commit.insert(id);
                }
            }
        }
    }

    /// Waits for blocking writers, at most 60 s; asks them to stop past it and fails.
    pub fn join_threads(&self, cell: &str, writers: Vec<std::thread::JoinHandle<()>>) {
        let deadline = Instant::now() + Duration::from_secs(60);
        for w in writers {
            while !w.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if !w.is_finished() {
                self.stop.store(true, Ordering::SeqCst);
            }
            w.join().expect("writer");
        }
        let ledger = self.ledger.lock().expect("ledger");
        assert!(
            !self.stop.load(Ordering::SeqCst),
            "{cell}: writers did not recover within 60 s after the fault; last errors: {:?}",
            &ledger.errors[ledger.errors.len().saturating_sub(3)..]
        );
    }

    /// Checks the rows `stored` against the ledger: no acknowledged commit lost, nothing
    /// that failed before `COMMIT` stored, no row nobody wrote, and every error one of the
    /// `allowed` variants (`"Connection"`...).
    pub fn check(&self, cell: &str, stored: &BTreeSet<i64>, allowed: &[&str]) -> Checked {
        let ledger = self.ledger.lock().expect("ledger");
        let lost: Vec<_> = ledger.acked.difference(stored).collect();
        assert!(
            lost.is_empty(),
            "{cell}: acknowledged commits lost: {lost:?}"
        );
        let phantom: Vec<_> = ledger.failed_before_commit.intersection(stored).collect();
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
        let mut errors: Vec<(String, usize)> = Vec::new();
        for e in &ledger.errors {
            let variant = e
                .split([' ', '{', '('])
                .next()
                .unwrap_or_default()
                .to_string();
            assert!(
                allowed.contains(&variant.as_str()),
                "{cell}: expected only {allowed:?} errors, got {e}"
            );
            match errors.iter_mut().find(|(v, _)| *v == variant) {
                Some((_, n)) => *n += 1,
                None => errors.push((variant, 1)),
            }
        }
        Checked {
            acked: ledger.acked.len(),
            failed_before_commit: ledger.failed_before_commit.len(),
            failed_commit: ledger.failed_commit.len(),
            landed: ledger.failed_commit.intersection(stored).count(),
            errors,
        }
    }

    /// The time from `since` to the first commit acknowledged after it.
    pub fn first_commit_after(&self, since: Instant) -> Option<Duration> {
        let ledger = self.ledger.lock().expect("ledger");
        ledger
            .ack_times
            .iter()
            .filter(|t| **t > since)
            .min()
            .map(|t| t.duration_since(since))
    }
}

/// Starts `$writers` threads writing through the blocking handle `$db` (cloned per
/// thread) under `$load`; evaluates to their join handles.
macro_rules! blocking_writers {
    ($db:expr, $load:expr, $writers:expr) => {
        (0..$writers)
            .map(|w| {
                let (db, load) = ($db.clone(), $load.clone());
                std::thread::spawn(move || {
                    let insert = load.insert_sql();
                    let (mut seq, mut after) = (0i64, 0usize);
                    while after < $crate::support::write_load::AFTER {
                        if load.stop.load(std::sync::atomic::Ordering::SeqCst) {
                            break;
                        }
                        seq += 1;
                        let id = w as i64 * 1_000_000 + seq;
                        let calm = !load.is_disturbed();
                        let mut tx = match db.begin() {
                            Ok(tx) => tx,
                            Err(e) => {
                                load.record(id, "begin", Err(e));
                                std::thread::sleep($crate::support::write_load::BACKOFF);
                                continue;
                            }
                        };
                        let inserted = ambidex::raw(insert.clone()).bind(id).execute(&mut tx);
                        if let Err(e) = inserted {
                            load.record(id, "insert", Err(e));
                            std::thread::sleep($crate::support::write_load::BACKOFF);
                            continue;
                        }
                        let committed = tx.commit();
                        if committed.is_ok() && calm {
                            after += 1;
                        }
                        load.record(id, "commit", committed);
                    }
                })
            })
            .collect::<Vec<_>>()
    };
}

/// Spawns `$writers` tasks on the runtime `$rt` writing through the async handle `$db`
/// under `$load`; evaluates to their join handles.
macro_rules! async_writers {
    ($rt:expr, $db:expr, $load:expr, $writers:expr) => {
        (0..$writers)
            .map(|w| {
                let (db, load) = ($db.clone(), $load.clone());
                $rt.spawn(async move {
                    let insert = load.insert_sql();
                    let (mut seq, mut after) = (0i64, 0usize);
                    while after < $crate::support::write_load::AFTER {
                        seq += 1;
                        let id = w as i64 * 1_000_000 + seq;
                        let calm = !load.is_disturbed();
                        let mut tx = match db.begin().await {
                            Ok(tx) => tx,
                            Err(e) => {
                                load.record(id, "begin", Err(e));
                                tokio::time::sleep($crate::support::write_load::BACKOFF).await;
                                continue;
                            }
                        };
                        let inserted = ambidex::raw(insert.clone()).bind(id).execute(&mut tx).await;
                        if let Err(e) = inserted {
                            load.record(id, "insert", Err(e));
                            tokio::time::sleep($crate::support::write_load::BACKOFF).await;
                            continue;
                        }
                        let committed = tx.commit().await;
                        if committed.is_ok() && calm {
                            after += 1;
                        }
                        load.record(id, "commit", committed);
                    }
                })
            })
            .collect::<Vec<_>>()
    };
}

/// Waits for async writers on `$rt`, at most 60 s; fails past it.
macro_rules! join_tasks {
    ($rt:expr, $cell:expr, $writers:expr) => {
        $rt.block_on(async {
            for w in $writers {
                tokio::time::timeout(std::time::Duration::from_secs(60), w)
                    .await
                    .unwrap_or_else(|_| {
                        panic!(
                            "{}: writers did not recover within 60 s after the fault",
                            $cell
                        )
                    })
                    .expect("writer task");
            }
        })
    };
}

#[allow(unused_imports)]
pub(crate) use {async_writers, blocking_writers, join_tasks};
