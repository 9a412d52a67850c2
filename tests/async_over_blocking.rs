//! `ambidex::DieselDb`: the async API over the diesel engine on a bounded worker pool.
//!
//! CRUD through a derived model, the bound on worker threads, back-pressure with an
//! acquire timeout, thousands of random cancellations of transfer transactions (after which
//! the sum is intact, every worker is idle and no transaction is open), panics in
//! transaction closures and in decoders, `Send` futures, and shutdown.
#![cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ambidex::prelude::*;
use ambidex::{DieselDb, raw};

mod support;
use support::{DropAtPoll, Rng};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "people")]
pub struct Person {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(unique)]
    pub email: String,
    pub name: String,
    #[ambidex(index)]
    pub age: Option<i32>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "accounts")]
pub struct Account {
    #[ambidex(primary_key)]
    pub id: i64,
    pub balance: i64,
}

const ACCOUNTS: i64 = 8;
const START_BALANCE: i64 = 1_000;

fn person(name: &str, age: Option<i32>) -> Person {
    Person {
        id: 0,
        email: format!("{}@example.com", name.to_lowercase()),
        name: name.to_string(),
        age,
    }
}

/// A temp-file SQLite database: the directory lives as long as the returned guard.
fn temp_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("shim.db").display());
    (dir, url)
}

async fn open(url: &str, max: u32, acquire: Duration) -> DieselDb {
    DieselDb::builder(url)
        .max_connections(max)
        .acquire_timeout(acquire)
        .connect()
        .await
        .expect("open DieselDb")
}

async fn seed_accounts(db: &DieselDb) {
    Account::create_table(db).await.expect("create accounts");
    let rows: Vec<Account> = (1..=ACCOUNTS)
        .map(|id| Account {
            id,
            balance: START_BALANCE,
        })
        .collect();
    assert_eq!(
        Account::insert_many(&rows, db).await.expect("seed"),
        ACCOUNTS as u64
    );
}

async fn total(db: &DieselDb) -> i64 {
    Account::query()
        .all(db)
        .await
        .expect("read accounts")
        .iter()
        .map(|a| a.balance)
        .sum()
}

/// Waits until every worker is free (a cancelled operation's worker may still be finishing
/// its statement), failing after `limit`.
async fn wait_idle(db: &DieselDb, limit: Duration) -> Duration {
    let started = Instant::now();
    while db.idle_workers() != db.max_connections() as usize {
        assert!(
            started.elapsed() < limit,
            "workers still busy after {limit:?}: {} of {} idle",
            db.idle_workers(),
            db.max_connections()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    started.elapsed()
}

/// A write through a separate blocking pool on the same file: succeeds at once unless some
/// pooled connection of the shim still holds a transaction (it would then wait for the
/// 5 s busy timeout and fail).
fn separate_write_is_immediate(url: &str) -> Duration {
    let started = Instant::now();
    let other = ambidex::blocking::Db::open(url).expect("open blocking db");
    let mut tx = other
        .begin()
        .expect("BEGIN IMMEDIATE through a separate pool");
    raw("UPDATE accounts SET balance = balance WHERE id = 1")
        .execute(&mut tx)
        .expect("write through a separate pool");
    tx.commit().expect("commit through a separate pool");
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "a separate write waited {took:?}: a transaction was left open"
    );
    took
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crud_through_a_derived_model() -> ambidex::Result<()> {
    let (_dir, url) = temp_db();
    let db = DieselDb::connect(&url).await?;
    assert_eq!(db.dialect(), ambidex::Dialect::Sqlite);
    Person::create_table(&db).await?;

    let ada = person("Ada", Some(36)).insert(&db).await?;
    assert_eq!(ada.id, 1);
    let bob = person("Bob", Some(17)).insert(&db).await?;
    let cy = person("Cy", None).insert(&db).await?;
    assert_eq!(Person::get(bob.id, &db).await?, bob);
    assert_eq!(
        Person::query()
            .filter(Person::AGE.ge(18))
            .order_by(Person::NAME.asc())
            .all(&db)
            .await?,
        vec![ada.clone()]
    );
    assert_eq!(Person::query().count(&db).await?, 3);
    assert!(
        Person::query()
            .filter(Person::AGE.is_null())
            .exists(&db)
            .await?
    );
    assert_eq!(
        Person::query()
            .filter(Person::AGE.ne(17))
            .first(&db)
            .await?,
        Some(ada.clone())
    );

    // The same errors as every engine.
    let dup = person("Ada", None).insert(&db).await.unwrap_err();
    assert!(matches!(dup, Error::UniqueViolation { .. }), "{dup:?}");
    let missing = Person::get(99, &db).await.unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing:?}");

    // Updates and deletes, by row and by filter; `&mut db` works too.
    let mut older = bob.clone();
    older.age = Some(18);
    older.update(&db).await?;
    assert_eq!(Person::get(bob.id, &db).await?.age, Some(18));
    let mut db2 = db.clone();
    let n = Person::query()
        .filter(Person::AGE.is_null())
        .set(Person::AGE, Some(1))
        .update(&mut db2)
        .await?;
    assert_eq!(n, 1);
    cy.delete(&db).await?;
    assert_eq!(Person::query().count(&db).await?, 2);

    // insert_many batches in one transaction.
    let many: Vec<Person> = (0..300)
        .map(|i| person(&format!("m{i}"), Some(i)))
        .collect();
    assert_eq!(Person::insert_many(&many, &db).await?, 300);
    assert_eq!(
        Person::query()
            .filter(Person::NAME.starts_with("m"))
            .delete(&db)
            .await?,
        300
    );

    // Transactions: closure commit, closure rollback, explicit, dropped, nested.
    let id = db
        .transaction(|tx| {
            Box::pin(async move {
                let p = person("Dee", Some(52)).insert(&mut *tx).await?;
                Ok::<_, Error>(p.id)
            })
        })
        .await?;
    assert!(Person::get(id, &db).await.is_ok());
    let failed: Result<()> = db
        .transaction(|tx| {
            Box::pin(async move {
                person("Eve", Some(17)).insert(&mut *tx).await?;
                Err(Error::InvalidQuery("changed my mind".into()))
            })
        })
        .await;
    assert!(failed.is_err());
    assert!(
        !Person::query()
            .filter(Person::NAME.eq("Eve"))
            .exists(&db)
            .await?
    );

    let mut tx = db.begin().await?;
    assert_eq!(tx.dialect(), ambidex::Dialect::Sqlite);
    person("Fay", None).insert(&mut tx).await?;
    tx.rollback().await?;
    let mut tx = db.begin().await?;
    person("Gus", None).insert(&mut tx).await?;
    drop(tx);
    let mut tx = db.begin().await?;
    person("Hal", None).insert(&mut tx).await?;
    let inner: Result<()> = tx
        .transaction(|tx| {
            Box::pin(async move {
                person("Ivy", None).insert(&mut *tx).await?;
                Err(Error::InvalidQuery("inner fails".into()))
            })
        })
        .await;
    assert!(inner.is_err());
    tx.transaction(|tx| {
        Box::pin(async move {
            person("Jo", None).insert(&mut *tx).await?;
            Ok::<_, Error>(())
        })
    })
    .await?;
    tx.commit().await?;
    let names: Vec<String> = Person::query()
        .order_by(Person::NAME.asc())
        .all(&db)
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Ada", "Bob", "Dee", "Hal", "Jo"]);
    wait_idle(&db, Duration::from_secs(5)).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_operations_on_two_workers() -> ambidex::Result<()> {
    let (_dir, url) = temp_db();
    let db = open(&url, 2, Duration::from_secs(30)).await;
    assert_eq!(db.worker_count(), 2);
    Person::create_table(&db).await?;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    person(&format!("p{i}"), Some(i))
                        .insert(&db)
                        .await
                        .map(|_| ())
                } else {
                    Person::query().count(&db).await.map(|_| ())
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task")?;
    }
    assert_eq!(Person::query().count(&db).await?, 25);
    // Never more threads than connections, however many callers.
    assert_eq!(db.worker_count(), 2);
    assert_eq!(db.worker_stats().alive(), 2);
    wait_idle(&db, Duration::from_secs(5)).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pool_times_out_instead_of_hanging() -> ambidex::Result<()> {
    let (_dir, url) = temp_db();
    let db = open(&url, 1, Duration::from_millis(200)).await;
    seed_accounts(&db).await;
    let mut tx = db.begin().await?;
    Account::get(1, &mut tx).await?;
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(5), Account::query().count(&db))
        .await
        .expect("the acquire timeout must fire long before 5 s");
    let waited = started.elapsed();
    match outcome {
        Err(Error::PoolTimeout { pool_size, waited }) => {
            assert_eq!(pool_size, 1);
            assert!(waited >= Duration::from_millis(200), "{waited:?}");
        }
        other => panic!("expected PoolTimeout, got {other:?}"),
    }
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    tx.commit().await?;
    assert_eq!(Account::query().count(&db).await?, ACCOUNTS as u64);
    Ok(())
}

/// Moves `amount` from `from` to `to` in one transaction, in one of four styles. The last
/// one cancels its savepoint after `inner_polls` polls and then asks the outer transaction
/// to commit anyway, which must be refused (the sum would break otherwise).
async fn transfer(
    db: &DieselDb,
    style: u64,
    from: i64,
    to: i64,
    amount: i64,
    inner_polls: u32,
) -> Result<()> {
    async fn step(tx: &mut ambidex::DieselTx, id: i64, delta: i64) -> Result<()> {
        let mut account = Account::get(id, &mut *tx).await?;
        account.balance += delta;
        account.update(&mut *tx).await
    }
    match style {
        0 => {
            db.transaction(|tx| {
                Box::pin(async move {
                    step(&mut *tx, from, -amount).await?;
                    step(&mut *tx, to, amount).await
                })
            })
            .await
        }
        1 => {
            let mut tx = db.begin().await?;
            step(&mut tx, from, -amount).await?;
            raw("UPDATE accounts SET balance = balance + ? WHERE id = ?")
                .bind(amount)
                .bind(to)
                .execute(&mut tx)
                .await?;
            tx.commit().await
        }
        2 => {
            db.transaction(|tx| {
                Box::pin(async move {
                    step(&mut *tx, from, -amount).await?;
                    tx.transaction(|inner| Box::pin(step(inner, to, amount)))
                        .await
                })
            })
            .await
        }
        _ => {
            db.transaction(|tx| {
                Box::pin(async move {
                    step(&mut *tx, from, -amount).await?;
                    let savepoint = tx.transaction(|inner| Box::pin(step(inner, to, amount)));
                    let cut = DropAtPoll {
                        inner: Some(Box::pin(savepoint)),
                        polls_left: inner_polls,
                    };
                    // Cancelled or not, say "commit": a cancelled savepoint must stop it.
                    cut.await.unwrap_or(Ok(()))
                })
            })
            .await
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_random_cancellations_leave_no_trace() -> ambidex::Result<()> {
    const TASKS: u64 = 4;
    const ITERATIONS: u64 = 500;
    let started = Instant::now();
    let (_dir, url) = temp_db();
    let db = open(&url, 2, Duration::from_secs(10)).await;
    seed_accounts(&db).await;
    let expected = ACCOUNTS * START_BALANCE;

    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut rng =
                    Rng(0x9E37_79B9_7F4A_7C15 ^ (t + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
                let (mut done, mut dropped, mut refused) = (0u32, 0u32, 0u32);
                for _ in 0..ITERATIONS {
                    let from = 1 + rng.below(ACCOUNTS as u64) as i64;
                    let shift = 1 + rng.below(ACCOUNTS as u64 - 1) as i64;
                    let to = 1 + (from - 1 + shift) % ACCOUNTS;
                    let amount = 1 + rng.below(50) as i64;
                    let style = rng.below(4);
                    let inner_polls = 1 + rng.below(8) as u32;
                    let work = transfer(&db, style, from, to, amount, inner_polls);
                    let outcome = if rng.below(2) == 0 {
                        let limit = Duration::from_micros(rng.below(3_000));
                        tokio::time::timeout(limit, work).await.ok()
                    } else {
                        DropAtPoll {
                            inner: Some(Box::pin(work)),
                            polls_left: rng.below(12) as u32,
                        }
                        .await
                    };
                    match outcome {
                        Some(Ok(())) => done += 1,
                        None => dropped += 1,
                        // A transaction that cannot commit after its savepoint was
                        // cancelled is a clean failure; nothing else may fail.
                        Some(Err(Error::Cancelled { .. })) => refused += 1,
                        Some(Err(e)) => panic!("transfer failed: {e:?}"),
                    }
                }
                (done, dropped, refused)
            })
        })
        .collect();
    let (mut done, mut dropped, mut refused) = (0, 0, 0);
    for task in tasks {
        let (d, x, r) = task.await.expect("task");
        done += d;
        dropped += x;
        refused += r;
    }
    assert_eq!(u64::from(done + dropped + refused), TASKS * ITERATIONS);
    assert!(
        refused > 10,
        "too few refused commits to mean anything: {refused}"
    );
    assert!(
        dropped > 100,
        "too few cancellations to mean anything: {dropped}"
    );
    assert!(
        done > 100,
        "too few completed transfers to mean anything: {done}"
    );

    // Every worker finishes what it was running and frees itself; no thread was added.
    let settle = wait_idle(&db, Duration::from_secs(5)).await;
    assert_eq!(db.worker_count(), 2);
    assert_eq!(db.worker_stats().alive(), 2);

    // No half transaction was committed.
    assert_eq!(total(&db).await, expected);

    // No pooled connection was left inside a transaction: a separate pool writes at once...
    let separate = separate_write_is_immediate(&url);
    // ...and both pooled connections, checked out at the same time by both workers, can
    // open a transaction, which fails on a connection left inside one.
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let probes: Vec<_> = (0..2)
        .map(|_| {
            let db = db.clone();
            let barrier = Arc::clone(&barrier);
            tokio::spawn(
                async move { ambidex::Executor::run(&db, OutsideTransaction(barrier)).await },
            )
        })
        .collect();
    for probe in probes {
        tokio::time::timeout(Duration::from_secs(5), probe)
            .await
            .expect("both sessions reach the barrier")
            .expect("task")?;
    }
    assert_eq!(total(&db).await, expected);
    wait_idle(&db, Duration::from_secs(5)).await;

    let took = started.elapsed();
    eprintln!(
        "random cancellations: {done} committed, {dropped} dropped, {refused} commits refused \
         after a cancelled savepoint; \
         workers idle {settle:?} after the last one; separate write {separate:?}; total {took:?}"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_a_transaction_closure_rolls_back() -> ambidex::Result<()> {
    let (_dir, url) = temp_db();
    let db = open(&url, 2, Duration::from_secs(5)).await;
    seed_accounts(&db).await;
    let handle = {
        let db = db.clone();
        tokio::spawn(async move {
            db.transaction(|tx| {
                Box::pin(async move {
                    raw("UPDATE accounts SET balance = 0 WHERE id = 1")
                        .execute(&mut *tx)
                        .await?;
                    if tx.dialect() == ambidex::Dialect::Sqlite {
                        panic!("boom inside the transaction");
                    }
                    Ok::<_, Error>(())
                })
            })
            .await
        })
    };
    let joined = handle.await;
    assert!(joined.is_err_and(|e| e.is_panic()));
    wait_idle(&db, Duration::from_secs(5)).await;
    assert_eq!(Account::get(1, &db).await?.balance, START_BALANCE);
    separate_write_is_immediate(&url);
    // Both workers still serve.
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { Account::query().count(&db).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task")?, ACCOUNTS as u64);
    }
    assert_eq!(db.worker_stats().alive(), 2);
    Ok(())
}

/// A plan that opens a deferred transaction (which fails on a connection already inside
/// one), waits at a barrier so that another session holds another connection at the same
/// time, and rolls back.
struct OutsideTransaction(Arc<tokio::sync::Barrier>);

impl ambidex_core::Plan for OutsideTransaction {
    type Output = ();
    async fn run<C: ambidex_core::Connection>(self, conn: &mut C) -> Result<()> {
        conn.set_transaction_depth(1);
        conn.execute(ambidex::Statement::plain("BEGIN")).await?;
        self.0.wait().await;
        conn.execute(ambidex::Statement::plain("ROLLBACK")).await?;
        conn.set_transaction_depth(0);
        Ok(())
    }
}

/// A plan whose rows decode with a panic, to show a worker survives one.
struct PanickingFetch;

struct PanickingSink;

impl ambidex_core::RowSink for PanickingSink {
    type Item = ();
    fn decode<R: ambidex_core::RowReader + ?Sized>(_: &R) -> Result<()> {
        panic!("decoder exploded");
    }
    fn push(&mut self, _: ()) -> Result<()> {
        Ok(())
    }
}

impl ambidex_core::Plan for PanickingFetch {
    type Output = ();
    async fn run<C: ambidex_core::Connection>(self, conn: &mut C) -> Result<()> {
        conn.fetch(ambidex::Statement::plain("SELECT 1"), PanickingSink)
            .await
            .map(|_| ())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_decoder_does_not_kill_a_worker() -> ambidex::Result<()> {
    let (_dir, url) = temp_db();
    let db = open(&url, 1, Duration::from_secs(5)).await;
    seed_accounts(&db).await;
    for _ in 0..3 {
        let err = ambidex::Executor::run(&db, PanickingFetch)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("decoder exploded"), "{err}");
    }
    // Inside a transaction too: the transaction stays usable and commits.
    let mut tx = db.begin().await?;
    assert!(
        ambidex::Executor::run(&mut tx, PanickingFetch)
            .await
            .is_err()
    );
    raw("UPDATE accounts SET balance = 7 WHERE id = 1")
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    assert_eq!(Account::get(1, &db).await?.balance, 7);
    assert_eq!(db.worker_count(), 1);
    assert_eq!(db.worker_stats().alive(), 1);
    Ok(())
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn futures_are_send_and_spawnable() -> ambidex::Result<()> {
    fn assert_handles<T: Send + Sync + Clone + 'static>() {}
    assert_handles::<DieselDb>();
    fn assert_tx<T: Send + 'static>() {}
    assert_tx::<ambidex::DieselTx>();

    let (_dir, url) = temp_db();
    let db = assert_send(DieselDb::connect(&url)).await?;
    assert_send(Person::create_table(&db)).await?;
    let spawned = tokio::spawn({
        let db = db.clone();
        async move {
            let p = assert_send(person("Sam", Some(3)).insert(&db)).await?;
            let mut tx = assert_send(db.begin()).await?;
            assert_send(Person::query().all(&mut tx)).await?;
            assert_send(
                tx.transaction(|tx| Box::pin(async move { Person::query().count(&mut *tx).await })),
            )
            .await?;
            assert_send(tx.commit()).await?;
            assert_send(
                db.transaction(|tx| Box::pin(async move { Person::get(1, &mut *tx).await })),
            )
            .await?;
            Ok::<_, Error>(p)
        }
    });
    let sam = spawned.await.expect("task")?;
    assert_eq!(Person::get(sam.id, &db).await?, sam);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_stop_with_the_last_handle() -> ambidex::Result<()> {
    let (_dir, url) = temp_db();
    let db = open(&url, 3, Duration::from_secs(5)).await;
    seed_accounts(&db).await;
    let stats = db.worker_stats();
    assert_eq!((stats.spawned(), stats.alive()), (3, 3));

    // A transaction outlives the handle; its worker stays until it ends.
    let clone = db.clone();
    let mut tx = db.begin().await?;
    drop(db);
    assert_eq!(stats.alive(), 3, "a clone remains");
    // The last handle's drop stops the idle workers and waits for them (so that a program
    // returning from `main` next never exits under a worker).
    drop(clone);
    assert_eq!(
        stats.alive(),
        1,
        "the idle workers were still running after the drop"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    raw("UPDATE accounts SET balance = 1 WHERE id = 1")
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    while stats.alive() > 0 {
        assert!(Instant::now() < deadline, "the last worker did not stop");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(stats.spawned(), 3);
    // The commit landed.
    let other = ambidex::blocking::Db::open(&url)?;
    assert_eq!(Account::get(1, &other)?.balance, 1);
    Ok(())
}

#[test]
fn from_a_blocking_pool_and_outside_a_runtime() -> ambidex::Result<()> {
    let (_dir, url) = temp_db();
    let blocking = ambidex::blocking::Db::builder(&url)
        .max_connections(2)
        .open()?;
    Account::create_table(&blocking)?;
    let db = DieselDb::from_blocking(blocking.clone())?;
    assert_eq!(db.worker_count(), 2);

    // Without a runtime an operation is refused at once, never a hang or a panic.
    let refused = ambidex_core::complete(Account::query().count(&db)).unwrap_err();
    assert!(matches!(refused, Error::WrongWorld(_)), "{refused:?}");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        Account { id: 1, balance: 5 }.insert(&db).await?;
        assert_eq!(Account::get(1, &db).await?.balance, 5);
        Ok::<_, Error>(())
    })?;
    assert_eq!(Account::get(1, &blocking)?.balance, 5);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_urls_fail_at_connect() {
    let err = DieselDb::connect("nosuch://x").await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let err = DieselDb::builder("sqlite::memory:")
        .max_connections(0)
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    // An in-memory database is one connection, so one worker.
    let mem = DieselDb::builder("sqlite::memory:")
        .max_connections(4)
        .connect()
        .await
        .expect("memory");
    assert_eq!((mem.max_connections(), mem.worker_count()), (1, 1));
}
