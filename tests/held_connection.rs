//! Held connections (`acquire`) on every handle, with chosen pool settings: a held
//! connection takes its pool slot (with `max_connections(1)` everything else waits, then
//! gets `Error::PoolTimeout`) and dropping it frees the slot; an operation cancelled on a
//! held connection inside its own transaction never leaves that transaction open, neither
//! for the held connection's next operation nor in the pool.
//!
//! The async handles: `SqlxDb`, `DieselDb`, and `Db` on each engine; the blocking ones:
//! `blocking::Db` and `blocking::SqlxDb`. Each runs on SQLite, and on PostgreSQL and
//! MariaDB when `AMBIDEX_POSTGRES_URL` / `AMBIDEX_MYSQL_URL` are set (under `CI=true` a
//! missing URL fails). What a held connection returns, and that it is one session, is the
//! conformance group `held`, in every cell.
#![cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]
#![allow(dead_code)]

use std::time::Duration;

use ambidex::prelude::*;
use ambidex::{Engine, raw};

mod support;
use support::{ServerScratch, runtime, server_url, unique_name};

/// How long a caller waits for the pool's one connection.
const WAIT: Duration = Duration::from_millis(300);

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "held_notes")]
struct Note {
    #[ambidex(primary_key, auto)]
    id: i64,
    #[ambidex(unique)]
    body: String,
}

fn note(body: &str) -> Note {
    Note {
        id: 0,
        body: body.into(),
    }
}

/// A database of the test's own: a SQLite file, a PostgreSQL schema, a MariaDB database.
struct Place {
    name: &'static str,
    url: String,
    _dir: Option<tempfile::TempDir>,
    _server: Option<ServerScratch>,
}

/// Every backend this run can reach.
fn places() -> Vec<Place> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}",
        dir.path().join(unique_name("held")).display()
    );
    let mut out = vec![Place {
        name: "sqlite",
        url,
        _dir: Some(dir),
        _server: None,
    }];
    // A server is a place only when this build has its backend (`cargo test` alone is
    // SQLite only, even with the server URLs set, as CI sets them).
    for (name, var, compiled) in [
        (
            "postgres",
            "AMBIDEX_POSTGRES_URL",
            cfg!(feature = "postgres"),
        ),
        ("mysql", "AMBIDEX_MYSQL_URL", cfg!(feature = "mysql")),
    ] {
        if !compiled {
            continue;
        }
        if let Some(base) = server_url(var) {
            let scratch = ServerScratch::new(&base);
            out.push(Place {
                name,
                url: scratch.url.clone(),
                _dir: None,
                _server: Some(scratch),
            });
        }
    }
    out
}

/// Fails unless `result` is `Error::PoolTimeout` for a pool of one.
fn expect_pool_timeout<T: std::fmt::Debug>(what: &str, result: ambidex::Result<T>) {
    match result {
        Err(Error::PoolTimeout { pool_size, .. }) => assert_eq!(pool_size, 1, "{what}"),
        other => panic!("{what}: expected Error::PoolTimeout, got {other:?}"),
    }
}

/// Runs `$body` once per async handle on `$url`, with `$db` a handle of one connection
/// that waits [`WAIT`] for it, and `$cell` naming the handle for messages.
macro_rules! each_async_handle {
    ($url:expr, |$cell:ident, $db:ident| $body:block) => {{
        let url: &str = $url;
        {
            let $cell = "SqlxDb";
            let $db = ambidex::SqlxDb::builder(url)
                .max_connections(1)
                .acquire_timeout(WAIT)
                .connect()
                .await?;
            $body
        }
        {
            let $cell = "DieselDb";
            let $db = ambidex::DieselDb::builder(url)
                .max_connections(1)
                .acquire_timeout(WAIT)
                .connect()
                .await?;
            $body
        }
        for engine in [Engine::Sqlx, Engine::Diesel] {
            let $cell = format!("Db on {engine}");
            let $db = ambidex::Db::builder(url)
                .engine(engine)
                .max_connections(1)
                .acquire_timeout(WAIT)
                .connect()
                .await?;
            assert_eq!($db.engine(), engine);
            $body
        }
    }};
}

#[test]
fn a_held_connection_takes_the_async_pools_only_connection_until_dropped() {
    runtime()
        .block_on(async {
            for place in places() {
                each_async_handle!(&place.url, |cell, db| {
                    let cell = format!("{cell} on {}", place.name);
                    let mut conn = db.acquire().await?;
                    raw("SELECT 1").execute(&mut conn).await?;
                    let shown = format!("{conn:?}");
                    assert!(shown.contains("HeldConnection"), "{cell}: {shown}");
                    assert!(
                        !shown.contains(":ambidex@"),
                        "{cell} shows a password: {shown}"
                    );
                    expect_pool_timeout(&cell, raw("SELECT 1").execute(&db).await);
                    expect_pool_timeout(&cell, db.acquire().await);
                    // Still usable after the others gave up.
                    raw("SELECT 1").execute(&mut conn).await?;
                    drop(conn);
                    raw("SELECT 1").execute(&db).await?;
                    let again = db.acquire().await?;
                    drop(again);
                    raw("SELECT 1").execute(&db).await?;
                });
            }
            Ok::<(), Error>(())
        })
        .unwrap();
}

#[test]
fn a_held_connection_takes_the_blocking_pools_only_connection_until_dropped() -> ambidex::Result<()>
{
    for place in places() {
        let db = ambidex::blocking::Db::builder(&place.url)
            .max_connections(1)
            .acquire_timeout(WAIT)
            .open()?;
        let mut conn = db.acquire()?;
        raw("SELECT 1").execute(&mut conn)?;
        expect_pool_timeout(place.name, raw("SELECT 1").execute(&db));
        drop(conn);
        raw("SELECT 1").execute(&db)?;

        let db = ambidex::blocking::SqlxDb::builder(&place.url)
            .max_connections(1)
            .acquire_timeout(WAIT)
            .open()?;
        let mut conn = db.acquire()?;
        raw("SELECT 1").execute(&mut conn)?;
        let shown = format!("{conn:?}");
        assert!(!shown.contains(":ambidex@"), "shows a password: {shown}");
        expect_pool_timeout(place.name, raw("SELECT 1").execute(&db));
        expect_pool_timeout(place.name, db.acquire());
        // Dropped on a thread without a runtime, it still goes back to the pool (inside
        // the handle's own runtime) rather than being closed.
        drop(conn);
        raw("SELECT 1").execute(&db)?;
        drop(db.acquire()?);
    }
    Ok(())
}

#[test]
fn a_cancelled_operation_on_a_held_connection_leaves_no_transaction_open() {
    runtime()
        .block_on(async {
            for place in places() {
                // Another handle's open transaction, holding the write lock (SQLite) or the
                // unique key "x" (PostgreSQL, MariaDB), makes the held connection's insert_many
                // wait inside its own transaction, where it is then cancelled.
                let other = ambidex::SqlxDb::connect(&place.url).await?;
                Note::create_table(&other).await?;
                let batch = [note("x"), note("y"), note("z")];
                let mut written = 0;
                each_async_handle!(&place.url, |cell, db| {
                    for use_it_again in [true, false] {
                        let cell = format!("{cell} on {}, used again: {use_it_again}", place.name);
                        let mut conn = db.acquire().await?;
                        let mut lock = other.begin().await?;
                        note("x").insert(&mut lock).await?;
                        let waiting = Note::insert_many(&batch, &mut conn);
                        let cancelled =
                            tokio::time::timeout(Duration::from_millis(100), waiting).await;
                        assert!(
                            cancelled.is_err(),
                            "{cell}: insert_many did not wait: {cancelled:?}"
                        );
                        lock.rollback().await?;
                        if use_it_again {
                            // Either the leftover transaction is rolled back first and this
                            // write commits, or (sqlx: its driver stopped mid-statement) the
                            // connection refuses work.
                            match note(&format!("held {written}")).insert(&mut conn).await {
                                Ok(_) => written += 1,
                                Err(Error::Cancelled { .. }) => {}
                                other => panic!("{cell}: expected Ok or Cancelled, got {other:?}"),
                            }
                        }
                        drop(conn);
                        // The pool's connection (the same one rolled back, or a new one) is not
                        // inside that transaction: what it writes, another handle sees.
                        note(&format!("pooled {written}")).insert(&db).await?;
                        written += 1;
                        assert_eq!(Note::query().count(&other).await?, written, "{cell}");
                    }
                });
                assert!(
                    Note::query()
                        .filter(Note::BODY.eq("x"))
                        .first(&other)
                        .await?
                        .is_none()
                );
            }
            Ok::<(), Error>(())
        })
        .unwrap();
}

#[test]
fn held_connections_are_send() {
    fn send<T: Send>(_: &T) {}
    fn send_type<T: Send>() {}
    send_type::<ambidex::HeldConnection>();
    send_type::<ambidex::SqlxHeldConnection>();
    send_type::<ambidex::DieselHeldConnection>();
    send_type::<ambidex::blocking::SqlxHeldConnection>();
    runtime()
        .block_on(async {
            let db = ambidex::Db::connect("sqlite::memory:").await?;
            let acquiring = db.acquire();
            send(&acquiring);
            let mut conn = acquiring.await?;
            // Moved into a spawned task and used there.
            tokio::spawn(async move { raw("SELECT 1").execute(&mut conn).await })
                .await
                .expect("the task")?;
            Ok::<(), Error>(())
        })
        .unwrap();
}
