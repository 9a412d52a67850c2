//! Cancellation in every async cell (issue 7, "Cancellation"): 10,000 operations per cell
//! (transfers in four transaction styles, reads, single writes), each dropped at a random
//! point (a random timeout or a random number of polls, including mid-transaction, inside
//! a savepoint and while waiting for a pool slot) or left to finish, on `SqlxDb`,
//! `DieselDb` and `Db` over SQLite, PostgreSQL and MariaDB.
//!
//! Afterwards, in the database: the sum of the balances never changed (no partial
//! transfer), every completed read during the run saw the right sum, no connection of the
//! handle is left inside a transaction (PostgreSQL `pg_stat_activity`, MariaDB
//! `information_schema.innodb_trx`, SQLite: a separate writer gets the lock at once), and
//! every pooled connection, all checked out at once, runs a transaction. The figures are
//! printed (`--nocapture`); times are not asserted.
#![cfg(all(feature = "blocking", feature = "async"))]
#![allow(dead_code)]

use std::time::{Duration, Instant};

use ambidex::prelude::*;
use ambidex::raw;

mod support;
use support::{DropAtPoll, Rng, runtime, server_url, unique_name};

/// Tasks per cell; with [`POOL`] connections, some always wait for a slot.
const TASKS: u64 = 4;
/// Operations per task: [`TASKS`] x this = 10,000 per cell.
const ITERATIONS: u64 = 2_500;
/// Connections (and diesel workers) per handle.
const POOL: u32 = 2;
const ACCOUNTS: i64 = 8;
const START_BALANCE: i64 = 1_000;

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "accounts")]
struct Account {
    #[ambidex(primary_key)]
    id: i64,
    balance: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "events")]
struct Event {
    #[ambidex(primary_key, auto)]
    id: i64,
    note: String,
}

/// The count of something, read by raw SQL.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "counts")]
struct Count {
    #[ambidex(primary_key)]
    n: i64,
}

/// The sum of the balances.
fn sum(accounts: &[Account]) -> i64 {
    accounts.iter().map(|a| a.balance).sum()
}

/// Where a cell runs, and how to ask the server whether one of its connections is still
/// inside a transaction.
struct Place {
    url: String,
    admin: Option<String>,
    /// Counts the handle's connections inside a transaction (one `n` column).
    open_transactions_sql: Option<String>,
    cleanup: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Place {
    fn drop(&mut self) {
        if let (Some(admin), Some(sql)) = (&self.admin, &self.cleanup)
            && let Ok(db) = ambidex::blocking::Db::builder(admin)
                .max_connections(1)
                .open()
        {
            let _ = raw(sql.clone()).execute(&db);
        }
    }
}

fn sqlite_place() -> Option<Place> {
    let dir = tempfile::tempdir().expect("temporary directory");
    Some(Place {
        url: format!("sqlite://{}", dir.path().join("cancel.db").display()),
        admin: None,
        open_transactions_sql: None,
        cleanup: None,
        _dir: Some(dir),
    })
}

fn admin_execute(admin: &str, sql: &str) {
    let db = ambidex::blocking::Db::builder(admin)
        .max_connections(1)
        .open()
        .expect("open admin");
    raw(sql).execute(&db).expect("admin statement");
}

fn postgres_place() -> Option<Place> {
    let base = server_url("AMBIDEX_POSTGRES_URL")?;
    let name = unique_name("ax_cancel");
    admin_execute(&base, &format!("CREATE SCHEMA \"{name}\""));
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(Place {
        // Durability is not under test here: commits need not wait for the disk.
        url: format!(
            "{base}{sep}options=-c%20search_path%3D{name}%20-c%20synchronous_commit%3Doff\
             &application_name={name}"
        ),
        open_transactions_sql: Some(format!(
            "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = '{name}' \
             AND state LIKE 'idle in transaction%'"
        )),
        cleanup: Some(format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE")),
        admin: Some(base),
        _dir: None,
    })
}

fn mysql_place() -> Option<Place> {
    let base = server_url("AMBIDEX_MYSQL_URL")?;
    let name = unique_name("ax_cancel");
    admin_execute(&base, &format!("CREATE DATABASE `{name}`"));
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("a MySQL URL ends in /database");
    Some(Place {
        url: format!("{prefix}/{name}"),
        open_transactions_sql: Some(format!(
            "SELECT COUNT(*) AS n FROM information_schema.innodb_trx t \
             JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id \
             WHERE p.db = '{name}'"
        )),
        cleanup: Some(format!("DROP DATABASE IF EXISTS `{name}`")),
        admin: Some(base),
        _dir: None,
    })
}

impl Place {
    /// Waits until no connection of the handle is inside a transaction (a dropped
    /// operation's connection may still be closing), failing after 10 s; returns the wait.
    fn wait_no_open_transaction(&self, cell: &str) -> Duration {
        let started = Instant::now();
        let (Some(admin), Some(sql)) = (&self.admin, &self.open_transactions_sql) else {
            return self.sqlite_separate_write(cell);
        };
        let db = ambidex::blocking::Db::builder(admin)
            .max_connections(1)
            .open()
            .expect("open admin");
        loop {
            let open = raw(sql.clone())
                .fetch_all::<Count, _>(&db)
                .expect("count open transactions")[0]
                .n;
            if open == 0 {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{cell}: {open} connections still inside a transaction after 10 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SQLite: a separate writer gets the write lock at once unless a connection of the
    /// handle still holds a transaction (it would wait for the busy timeout, then fail).
    fn sqlite_separate_write(&self, cell: &str) -> Duration {
        let started = Instant::now();
        let other = ambidex::blocking::Db::builder(&self.url)
            .statement_timeout(Duration::from_secs(10))
            .open()
            .expect("open a separate pool");
        let mut tx = other.begin().expect("a separate writer takes the lock");
        raw("UPDATE accounts SET balance = balance WHERE id = 1")
            .execute(&mut tx)
            .expect("a separate write");
        tx.commit().expect("a separate commit");
        let took = started.elapsed();
        println!("reliability_cancel {cell}: a separate writer got the lock in {took:?}");
        took
    }
}

/// What the operations of one task came to.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    done: u64,
    dropped: u64,
    /// Commits refused after a cancelled savepoint (`Error::Cancelled`).
    refused: u64,
    /// Deadlock victims and serialization failures (`Error::Conflict`), retryable.
    conflicts: u64,
    /// Reads that completed, each of which saw the right sum.
    reads: u64,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.done += o.done;
        self.dropped += o.dropped;
        self.refused += o.refused;
        self.conflicts += o.conflicts;
        self.reads += o.reads;
    }
}

/// The load and the checks for an async handle type and its transaction type.
macro_rules! cancel_cell {
    ($module:ident, $handle:ty, $tx:ty) => {
        mod $module {
            use super::*;

            /// Adds `delta` to one account inside a transaction: a read, then a relative
            /// update (atomic under any isolation level, unlike read-modify-write).
            async fn step(tx: &mut $tx, id: i64, delta: i64) -> Result<()> {
                Account::get(id, &mut *tx).await?;
                raw("UPDATE accounts SET balance = balance + ? WHERE id = ?")
                    .bind(delta)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            }

            /// One random operation.
            async fn operation(db: &$handle, kind: u64, rng: &mut Rng) -> Result<bool> {
                let from = 1 + rng.below(ACCOUNTS as u64) as i64;
                let shift = 1 + rng.below(ACCOUNTS as u64 - 1) as i64;
                let to = 1 + (from - 1 + shift) % ACCOUNTS;
                let amount = 1 + rng.below(50) as i64;
                let inner_polls = 1 + rng.below(8) as u32;
                match kind {
                    0 => {
                        db.transaction(|tx| {
                            Box::pin(async move {
                                step(&mut *tx, from, -amount).await?;
                                step(&mut *tx, to, amount).await
                            })
                        })
                        .await?
                    }
                    1 => {
                        let mut tx = db.begin().await?;
                        step(&mut tx, from, -amount).await?;
                        step(&mut tx, to, amount).await?;
                        tx.commit().await?
                    }
                    2 => {
                        db.transaction(|tx| {
                            Box::pin(async move {
                                step(&mut *tx, from, -amount).await?;
                                tx.transaction(|inner| Box::pin(step(inner, to, amount)))
                                    .await
                            })
                        })
                        .await?
                    }
                    3 => {
                        db.transaction(|tx| {
                            Box::pin(async move {
                                step(&mut *tx, from, -amount).await?;
                                let savepoint =
                                    tx.transaction(|inner| Box::pin(step(inner, to, amount)));
                                let cut = DropAtPoll {
                                    inner: Some(Box::pin(savepoint)),
                                    polls_left: inner_polls,
                                };
                                // Cancelled or not, say "commit": a cancelled savepoint
                                // must stop it.
                                cut.await.unwrap_or(Ok(()))
                            })
                        })
                        .await?
                    }
                    4 => {
                        let accounts = Account::query().all(db).await?;
                        let total = sum(&accounts);
                        assert_eq!(total, ACCOUNTS * START_BALANCE, "a read saw a partial transfer");
                        return Ok(true);
                    }
                    _ => {
                        Event {
                            id: 0,
                            note: format!("{from}->{to}"),
                        }
                        .insert(db)
                        .await?;
                    }
                }
                Ok(false)
            }

            async fn load(db: $handle, seed: u64) -> Tally {
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
                let mut tally = Tally::default();
                for _ in 0..ITERATIONS {
                    let kind = rng.below(6);
                    let mut op_rng = Rng(rng.next() | 1);
                    let how = rng.below(3);
                    let limit = Duration::from_micros(rng.below(3_000));
                    let polls = rng.below(12) as u32;
                    let work = operation(&db, kind, &mut op_rng);
                    let outcome = match how {
                        0 => tokio::time::timeout(limit, work).await.ok(),
                        1 => {
                            DropAtPoll {
                                inner: Some(Box::pin(work)),
                                polls_left: polls,
                            }
                            .await
                        }
                        _ => Some(work.await),
                    };
                    match outcome {
                        Some(Ok(read)) => {
                            tally.done += 1;
                            tally.reads += u64::from(read);
                        }
                        None => tally.dropped += 1,
                        Some(Err(Error::Cancelled { .. })) => tally.refused += 1,
                        Some(Err(Error::Conflict { .. })) => tally.conflicts += 1,
                        Some(Err(e)) => panic!("operation {kind} failed: {e:?}"),
                    }
                }
                tally
            }

            pub fn run(place: &Place, cell: &str) {
                let rt = runtime();
                let started = Instant::now();
                let db = rt
                    .block_on(
                        <$handle>::builder(&place.url)
                            .max_connections(POOL)
                            .acquire_timeout(Duration::from_secs(30))
                            .connect(),
                    )
                    .expect("open");
                let expected = ACCOUNTS * START_BALANCE;
                rt.block_on(async {
                    Account::create_table(&db).await.expect("create accounts");
                    Event::create_table(&db).await.expect("create events");
                    let rows: Vec<Account> = (1..=ACCOUNTS)
                        .map(|id| Account {
                            id,
                            balance: START_BALANCE,
                        })
                        .collect();
                    Account::insert_many(&rows, &db).await.expect("seed");
                });
                let tasks: Vec<_> = (0..TASKS)
                    .map(|t| rt.spawn(load(db.clone(), t + 1)))
                    .collect();
                let mut tally = Tally::default();
                rt.block_on(async {
                    for task in tasks {
                        tally.add(task.await.expect("task"));
                    }
                });
                let loaded = started.elapsed();
                assert_eq!(
                    tally.done + tally.dropped + tally.refused + tally.conflicts,
                    TASKS * ITERATIONS
                );
                assert!(tally.dropped > 1_000, "{cell}: too few cancellations: {tally:?}");
                assert!(tally.done > 1_000, "{cell}: too few completions: {tally:?}");

                // No connection is left inside a transaction.
                let settle = place.wait_no_open_transaction(cell);
                rt.block_on(async {
                    // Every pooled connection, all checked out at once, runs a transaction
                    // and sees the unchanged sum. (SQLite admits one writing transaction at
                    // a time: there they run one after the other.)
                    let at_once = !place.url.starts_with("sqlite");
                    let mut held = Vec::new();
                    for _ in 0..POOL {
                        let tx = db.begin().await.expect("begin on every connection");
                        if at_once {
                            held.push(tx);
                        } else {
                            tx.commit().await.expect("commit");
                        }
                    }
                    for tx in &mut held {
                        let accounts = Account::query().all(&mut *tx).await.expect("read");
                        assert_eq!(sum(&accounts), expected, "{cell}: the sum changed");
                    }
                    for tx in held {
                        tx.commit().await.expect("commit on every connection");
                    }
                    let accounts = Account::query().all(&db).await.expect("read");
                    assert_eq!(sum(&accounts), expected, "{cell}: the sum changed");
                });
                println!(
                    "reliability_cancel {cell}: {} operations: {} completed ({} reads, each \
                     with the right sum), {} dropped, {} commits refused after a cancelled \
                     savepoint, {} conflicts; sum unchanged; no open transaction {settle:?} \
                     after the load; load {loaded:?}",
                    TASKS * ITERATIONS,
                    tally.done,
                    tally.reads,
                    tally.dropped,
                    tally.refused,
                    tally.conflicts,
                );
            }
        }
    };
}

cancel_cell!(sqlx_cell, ambidex::SqlxDb, ambidex::SqlxTx);
cancel_cell!(diesel_cell, ambidex::DieselDb, ambidex::DieselTx);
cancel_cell!(default_cell, ambidex::Db, ambidex::Tx);

/// One `#[test]` per async cell: `postgres::diesel`.
macro_rules! cancel_tests {
    ($backend:ident, $feature:literal, $place:ident) => {
        #[cfg(feature = $feature)]
        mod $backend {
            use super::*;

            macro_rules! cell_test {
                ($test:ident, $module:ident, $label:literal) => {
                    #[test]
                    fn $test() {
                        if let Some(p) = $place() {
                            $module::run(&p, &format!("{}/{}", stringify!($backend), $label));
                        }
                    }
                };
            }

            cell_test!(sqlx, sqlx_cell, "SqlxDb");
            cell_test!(diesel, diesel_cell, "DieselDb");
            cell_test!(default, default_cell, "Db");
        }
    };
}

cancel_tests!(sqlite, "sqlite", sqlite_place);
cancel_tests!(postgres, "postgres", postgres_place);
cancel_tests!(mysql, "mysql", mysql_place);
