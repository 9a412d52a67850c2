//! The one-backend handles, in both worlds: `ambidex::blocking::{SqliteDb, PgDb, MysqlDb}`
//! (diesel, no backend dispatch) and `ambidex::{SqliteDb, PgDb, MysqlDb}` (sqlx, no
//! backend dispatch). They open, run queries and transactions like the dispatching `Db`,
//! and refuse another backend's URL with `Error::Config` naming the scheme they expect.
//!
//! The server round trips run when `AMBIDEX_POSTGRES_URL` / `AMBIDEX_MYSQL_URL` are set;
//! under `CI=true` a missing URL fails the test.

#![cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]
#![allow(dead_code)]

use ambidex::prelude::*;
use ambidex::raw;

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "handle_notes")]
pub struct Note {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub body: String,
    pub stars: Option<i32>,
}

fn note(body: &str, stars: Option<i32>) -> Note {
    Note {
        id: 0,
        body: body.into(),
        stars,
    }
}

fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{var} is not set, and under CI=true server tests must not be skipped")
        }
        _ => {
            eprintln!("{var} is not set: skipping");
            None
        }
    }
}

fn unique_table(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{}", std::process::id(), nanos % 1_000_000_000)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The `Config` message of `result`, or a panic.
fn config_message<T: std::fmt::Debug>(result: ambidex::Result<T>) -> String {
    match result {
        Err(Error::Config(message)) => message.into_owned(),
        other => panic!("expected Error::Config, got {other:?}"),
    }
}

#[derive(Debug)]
struct Rollback;

impl From<Error> for Rollback {
    fn from(e: Error) -> Self {
        panic!("unexpected error: {e}")
    }
}

// ---------------------------------------------------------------------------------------
// SQLite, blocking
// ---------------------------------------------------------------------------------------

#[test]
fn blocking_sqlite_db_opens_and_runs_queries_and_transactions() -> ambidex::Result<()> {
    use ambidex::blocking::{SqliteDb, SqliteTx};

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("handles.db").display());
    let db = SqliteDb::builder(&url).max_connections(2).open()?;
    assert_eq!(db.dialect(), ambidex::Dialect::Sqlite);
    assert_eq!(db.max_connections(), 2);
    assert!(format!("{db:?}").contains("SqliteDb"), "{db:?}");

    Note::create_table(&db)?;
    let a = note("a", Some(3)).insert(&db)?;
    assert_eq!(a.id, 1);
    note("b", None).insert(&db)?;
    assert_eq!(Note::query().filter(Note::STARS.ne(3)).count(&db)?, 1);
    assert_eq!(Note::get(1, &db)?, a);

    // The closure form commits on Ok...
    db.transaction(|tx: &mut SqliteTx| note("c", Some(1)).insert(&mut *tx))?;
    // ...and rolls back on Err.
    let failed: Result<(), Rollback> = db.transaction(|tx| {
        note("d", None).insert(&mut *tx)?;
        Err(Rollback)
    });
    assert!(failed.is_err());
    assert_eq!(Note::query().count(&db)?, 3);

    // Explicit transactions, a savepoint, rollback on drop.
    let mut tx = db.begin()?;
    note("e", None).insert(&mut tx)?;
    let inner: Result<(), Rollback> = tx.transaction(|tx| {
        note("f", None).insert(&mut *tx)?;
        Err(Rollback)
    });
    assert!(inner.is_err());
    tx.commit()?;
    {
        let mut dropped = db.begin()?;
        note("g", None).insert(&mut dropped)?;
    }
    let bodies: Vec<String> = Note::query()
        .order_by(Note::ID.asc())
        .all(&db)?
        .into_iter()
        .map(|n| n.body)
        .collect();
    assert_eq!(bodies, ["a", "b", "c", "e"]);

    // A held connection is an executor too.
    let mut held = db.acquire()?;
    assert_eq!(
        raw("SELECT id, body, stars FROM handle_notes WHERE body = ?")
            .bind("e")
            .fetch_all::<Note, _>(&mut held)?
            .len(),
        1
    );
    Ok(())
}

#[test]
fn blocking_sqlite_db_in_memory() -> ambidex::Result<()> {
    let db = ambidex::blocking::SqliteDb::open("sqlite::memory:")?;
    Note::create_table(&db)?;
    note("x", Some(1)).insert(&db)?;
    assert_eq!(Note::query().count(&db)?, 1);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// SQLite, async
// ---------------------------------------------------------------------------------------

#[test]
fn async_sqlite_db_connects_and_runs_queries_and_transactions() -> ambidex::Result<()> {
    use ambidex::{SqliteDb, SqliteTx};

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("handles.db").display());
    runtime().block_on(async {
        let db = SqliteDb::builder(&url).max_connections(2).connect().await?;
        assert_eq!(db.dialect(), ambidex::Dialect::Sqlite);
        assert!(format!("{db:?}").contains("SqliteDb"), "{db:?}");

        Note::create_table(&db).await?;
        let a = note("a", Some(3)).insert(&db).await?;
        assert_eq!(a.id, 1);
        note("b", None).insert(&db).await?;
        assert_eq!(Note::query().filter(Note::STARS.ne(3)).count(&db).await?, 1);
        assert_eq!(Note::get(1, &db).await?, a);

        db.transaction(|tx: &mut SqliteTx| {
            Box::pin(async move { note("c", Some(1)).insert(&mut *tx).await })
        })
        .await?;
        let failed: Result<(), Rollback> = db
            .transaction(|tx| {
                Box::pin(async move {
                    note("d", None).insert(&mut *tx).await?;
                    Err(Rollback)
                })
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(Note::query().count(&db).await?, 3);

        let mut tx = db.begin().await?;
        note("e", None).insert(&mut tx).await?;
        tx.savepoint().await?;
        note("f", None).insert(&mut tx).await?;
        tx.rollback_to_savepoint().await?;
        tx.commit().await?;
        let tx = db.begin().await?;
        tx.rollback().await?;
        {
            let mut dropped = db.begin().await?;
            note("g", None).insert(&mut dropped).await?;
        }
        let bodies: Vec<String> = Note::query()
            .order_by(Note::ID.asc())
            .all(&db)
            .await?
            .into_iter()
            .map(|n| n.body)
            .collect();
        assert_eq!(bodies, ["a", "b", "c", "e"]);
        db.close().await;
        Ok(())
    })
}

#[test]
fn async_sqlite_db_in_memory_and_spawned() -> ambidex::Result<()> {
    runtime().block_on(async {
        let db = ambidex::SqliteDb::connect("sqlite::memory:").await?;
        Note::create_table(&db).await?;
        // Futures on a one-backend handle are `Send`: spawn one.
        let spawned = db.clone();
        tokio::spawn(async move { note("x", None).insert(&spawned).await })
            .await
            .unwrap()?;
        assert_eq!(Note::query().count(&db).await?, 1);
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Another backend's URL
// ---------------------------------------------------------------------------------------

/// Never contacted: the handle refuses the URL before opening anything.
const PG_URL: &str = "postgres://someone:secret@127.0.0.1:1/nowhere";
const MYSQL_URL: &str = "mysql://someone:secret@127.0.0.1:1/nowhere";

#[test]
fn blocking_sqlite_db_refuses_server_urls() {
    use ambidex::blocking::SqliteDb;
    for url in [PG_URL, MYSQL_URL] {
        let message = config_message(SqliteDb::open(url));
        assert!(message.contains("sqlite://"), "{message}");
        assert!(message.contains("SqliteDb"), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }
}

#[test]
fn async_sqlite_db_refuses_server_urls() {
    runtime().block_on(async {
        for url in [PG_URL, MYSQL_URL] {
            let message = config_message(ambidex::SqliteDb::connect(url).await);
            assert!(message.contains("sqlite://"), "{message}");
            assert!(!message.contains("secret"), "{message}");
        }
    });
}

#[cfg(feature = "postgres")]
#[test]
fn pg_db_refuses_other_urls_in_both_worlds() {
    for url in ["sqlite::memory:", MYSQL_URL] {
        let message = config_message(ambidex::blocking::PgDb::open(url));
        assert!(message.contains("postgres://"), "{message}");
        assert!(message.contains("PgDb"), "{message}");
        let message = config_message(runtime().block_on(ambidex::PgDb::connect(url)));
        assert!(message.contains("postgres://"), "{message}");
        assert!(message.contains("PgDb"), "{message}");
    }
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_db_refuses_other_urls_in_both_worlds() {
    for url in ["sqlite::memory:", PG_URL] {
        let message = config_message(ambidex::blocking::MysqlDb::open(url));
        assert!(message.contains("mysql://"), "{message}");
        assert!(message.contains("MysqlDb"), "{message}");
        let message = config_message(runtime().block_on(ambidex::MysqlDb::connect(url)));
        assert!(message.contains("mysql://"), "{message}");
        assert!(message.contains("MysqlDb"), "{message}");
    }
}

#[test]
fn the_dispatching_db_still_opens_without_annotations() -> ambidex::Result<()> {
    let db = ambidex::blocking::Db::open("sqlite::memory:")?;
    let tx: ambidex::blocking::Tx = db.begin()?;
    tx.rollback()?;
    runtime().block_on(async {
        let db = ambidex::Db::connect("sqlite::memory:").await?;
        let tx: ambidex::Tx = db.begin().await?;
        tx.rollback().await
    })
}

// ---------------------------------------------------------------------------------------
// Server round trips
// ---------------------------------------------------------------------------------------

/// The same round trip through any blocking executor and any async one: create a uniquely
/// named table, write, read back in a committed and a rolled-back transaction, drop it.
#[cfg(any(feature = "postgres", feature = "mysql"))]
macro_rules! round_trip {
    (blocking $db:expr, $table:expr) => {{
        let db = $db;
        let table: &str = $table;
        raw(format!(
            "CREATE TABLE {table} (id BIGINT PRIMARY KEY, body VARCHAR(50) NOT NULL, stars INTEGER)"
        ))
        .execute(&db)?;
        let result = (|| -> ambidex::Result<()> {
            let insert = format!("INSERT INTO {table} (id, body, stars) VALUES (?, ?, ?)");
            raw(insert.clone())
                .bind(1i64)
                .bind("one")
                .bind(5)
                .execute(&db)?;
            db.transaction(|tx| {
                raw(insert.clone())
                    .bind(2i64)
                    .bind("two")
                    .bind(Option::<i32>::None)
                    .execute(&mut *tx)
            })?;
            let mut tx = db.begin()?;
            raw(insert.clone())
                .bind(3i64)
                .bind("three")
                .bind(1)
                .execute(&mut tx)?;
            tx.rollback()?;
            let rows = raw(format!("SELECT id, body, stars FROM {table} ORDER BY id"))
                .fetch_all::<Note, _>(&db)?;
            assert_eq!(
                rows,
                vec![
                    Note {
                        id: 1,
                        body: "one".into(),
                        stars: Some(5)
                    },
                    Note {
                        id: 2,
                        body: "two".into(),
                        stars: None
                    },
                ]
            );
            Ok(())
        })();
        raw(format!("DROP TABLE {table}")).execute(&db)?;
        result
    }};
    (async $db:expr, $table:expr) => {{
        let db = $db;
        let table: &str = $table;
        raw(format!(
            "CREATE TABLE {table} (id BIGINT PRIMARY KEY, body VARCHAR(50) NOT NULL, stars INTEGER)"
        ))
        .execute(&db)
        .await?;
        let result = async {
            let insert = format!("INSERT INTO {table} (id, body, stars) VALUES (?, ?, ?)");
            raw(insert.clone())
                .bind(1i64)
                .bind("one")
                .bind(5)
                .execute(&db)
                .await?;
            let again = insert.clone();
            db.transaction(|tx| {
                Box::pin(async move {
                    raw(again)
                        .bind(2i64)
                        .bind("two")
                        .bind(Option::<i32>::None)
                        .execute(&mut *tx)
                        .await
                })
            })
            .await?;
            let mut tx = db.begin().await?;
            raw(insert.clone())
                .bind(3i64)
                .bind("three")
                .bind(1)
                .execute(&mut tx)
                .await?;
            tx.rollback().await?;
            let rows = raw(format!("SELECT id, body, stars FROM {table} ORDER BY id"))
                .fetch_all::<Note, _>(&db)
                .await?;
            assert_eq!(
                rows,
                vec![
                    Note {
                        id: 1,
                        body: "one".into(),
                        stars: Some(5)
                    },
                    Note {
                        id: 2,
                        body: "two".into(),
                        stars: None
                    },
                ]
            );
            Ok::<(), Error>(())
        }
        .await;
        raw(format!("DROP TABLE {table}")).execute(&db).await?;
        result
    }};
}

#[cfg(feature = "postgres")]
#[test]
fn pg_db_round_trips_in_both_worlds() -> ambidex::Result<()> {
    let Some(url) = server_url("AMBIDEX_POSTGRES_URL") else {
        return Ok(());
    };
    let db = ambidex::blocking::PgDb::open(&url)?;
    assert_eq!(db.dialect(), ambidex::Dialect::Postgres);
    round_trip!(blocking db, &unique_table("handles_pg_blocking"))?;
    runtime().block_on(async {
        let db = ambidex::PgDb::connect(&url).await?;
        assert_eq!(db.dialect(), ambidex::Dialect::Postgres);
        round_trip!(async db, &unique_table("handles_pg_async"))
    })
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_db_round_trips_in_both_worlds() -> ambidex::Result<()> {
    let Some(url) = server_url("AMBIDEX_MYSQL_URL") else {
        return Ok(());
    };
    let db = ambidex::blocking::MysqlDb::open(&url)?;
    assert_eq!(db.dialect(), ambidex::Dialect::Mysql);
    round_trip!(blocking db, &unique_table("handles_my_blocking"))?;
    runtime().block_on(async {
        let db = ambidex::MysqlDb::connect(&url).await?;
        assert_eq!(db.dialect(), ambidex::Dialect::Mysql);
        round_trip!(async db, &unique_table("handles_my_async"))
    })
}
