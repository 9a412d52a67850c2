//! `ambidex::Db` picks its engine per backend and lets the user override it; whatever the
//! engine, the handle, its transactions and savepoints, `close` and `Debug` behave alike.
//! (Every conformance scenario also runs on `ambidex::Db`: the `async_default_*` cells.)
#![cfg(all(feature = "async", feature = "blocking", feature = "sqlite"))]

use ambidex::prelude::*;
use ambidex::{Db, DieselDb, Engine, SqlxDb, raw};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "notes")]
struct Note {
    #[ambidex(primary_key, auto)]
    id: i64,
    body: String,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("notes.db").display())
}

const ENGINES: [Engine; 2] = [Engine::Sqlx, Engine::Diesel];

#[test]
fn sqlite_defaults_to_diesel_and_either_engine_can_be_chosen() {
    runtime()
        .block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let url = sqlite_url(&dir);
            let db = Db::connect(&url).await?;
            assert_eq!(db.engine(), Engine::Diesel);
            assert!(db.as_diesel().is_some() && db.as_sqlx().is_none());
            Note::create_table(&db).await?;
            for engine in ENGINES {
                let db = Db::builder(&url).engine(engine).connect().await?;
                assert_eq!(db.engine(), engine);
                let note = Note {
                    id: 0,
                    body: format!("from {engine}"),
                }
                .insert(&db)
                .await?;
                assert_eq!(Note::get(note.id, &db).await?, note);
            }
            // Both engines wrote to the same file.
            assert_eq!(Note::query().count(&db).await?, 2);
            Ok::<_, ambidex::Error>(())
        })
        .unwrap();
}

#[test]
fn pool_settings_reach_either_engine() {
    runtime()
        .block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let url = sqlite_url(&dir);
            for engine in ENGINES {
                let db = Db::builder(&url)
                    .engine(engine)
                    .max_connections(3)
                    .connect()
                    .await?;
                assert_eq!(db.max_connections(), 3, "{engine}");
                let err = Db::builder(&url)
                    .engine(engine)
                    .max_connections(0)
                    .connect()
                    .await
                    .unwrap_err();
                assert!(matches!(err, ambidex::Error::Config(_)), "{engine}: {err}");
            }
            let err = Db::connect("nosuch://x").await.unwrap_err();
            assert!(matches!(err, ambidex::Error::Config(_)), "{err}");
            Ok::<_, ambidex::Error>(())
        })
        .unwrap();
}

#[test]
fn transactions_and_savepoints_behave_alike_on_both_engines() {
    runtime()
        .block_on(async {
            for engine in ENGINES {
                let dir = tempfile::tempdir().unwrap();
                let db = Db::builder(&sqlite_url(&dir))
                    .engine(engine)
                    .connect()
                    .await?;
                Note::create_table(&db).await?;
                let mut tx = db.begin().await?;
                assert_eq!(tx.engine(), engine);
                let note = |body: &str| Note {
                    id: 0,
                    body: body.into(),
                };
                note("kept").insert(&mut tx).await?;
                tx.savepoint().await?;
                note("undone").insert(&mut tx).await?;
                tx.rollback_to_savepoint().await?;
                tx.savepoint().await?;
                note("released").insert(&mut tx).await?;
                tx.release_savepoint().await?;
                let err = tx.release_savepoint().await.unwrap_err();
                assert!(err.to_string().contains("no savepoint is open"), "{err}");
                let nested: Result<(), ambidex::Error> = tx
                    .transaction(|inner| {
                        Box::pin(async move {
                            note("nested, failed").insert(&mut *inner).await?;
                            Err(ambidex::Error::InvalidQuery("on purpose".into()))
                        })
                    })
                    .await;
                assert!(nested.is_err());
                tx.commit().await?;
                let mut bodies: Vec<String> = Note::query()
                    .all(&db)
                    .await?
                    .into_iter()
                    .map(|n| n.body)
                    .collect();
                bodies.sort();
                assert_eq!(bodies, ["kept", "released"], "{engine}");

                // Dropped without commit: rolled back, and the pool is healthy afterwards.
                let tx = {
                    let mut tx = db.begin().await?;
                    note("dropped").insert(&mut tx).await?;
                    tx
                };
                drop(tx);
                let moved = db
                    .transaction(|tx| {
                        Box::pin(async move {
                            note("closure").insert(&mut *tx).await?;
                            Note::query().count(&mut *tx).await
                        })
                    })
                    .await?;
                assert_eq!(moved, 3, "{engine}");
                assert_eq!(Note::query().count(&db).await?, 3, "{engine}");
            }
            Ok::<_, ambidex::Error>(())
        })
        .unwrap();
}

#[test]
fn close_refuses_new_work_on_both_engines() {
    runtime()
        .block_on(async {
            for engine in ENGINES {
                let dir = tempfile::tempdir().unwrap();
                let db = Db::builder(&sqlite_url(&dir))
                    .engine(engine)
                    .connect()
                    .await?;
                Note::create_table(&db).await?;
                let clone = db.clone();
                db.close().await;
                let err = Note::query().count(&clone).await.unwrap_err();
                assert!(
                    matches!(err, ambidex::Error::Connection { .. }),
                    "{engine}: {err:?}"
                );
                assert!(err.to_string().contains("closed"), "{engine}: {err}");
            }
            Ok::<_, ambidex::Error>(())
        })
        .unwrap();
}

#[test]
fn close_waits_for_a_running_transaction() {
    runtime()
        .block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let db = DieselDb::connect(&sqlite_url(&dir)).await?;
            Note::create_table(&db).await?;
            let tx = db.begin().await?;
            let closing = tokio::spawn({
                let db = db.clone();
                async move { db.close().await }
            });
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            assert!(
                !closing.is_finished(),
                "close returned with a transaction open"
            );
            tx.rollback().await?;
            tokio::time::timeout(std::time::Duration::from_secs(10), closing)
                .await
                .expect("close finished once the transaction ended")
                .unwrap();
            Ok::<_, ambidex::Error>(())
        })
        .unwrap();
}

#[test]
fn debug_names_the_engine_and_hides_passwords() {
    runtime()
        .block_on(async {
            let db = Db::connect("sqlite::memory:").await?;
            let shown = format!("{db:?}");
            assert!(shown.contains("engine: Diesel"), "{shown}");
            let builder = Db::builder("postgres://app:s3cret@db.example/app").engine(Engine::Sqlx);
            let shown = format!("{builder:?}");
            assert!(!shown.contains("s3cret"), "{shown}");
            Ok::<_, ambidex::Error>(())
        })
        .unwrap();
}

#[test]
fn engine_handles_convert_into_db() {
    runtime()
        .block_on(async {
            let sqlx: Db = SqlxDb::connect("sqlite::memory:").await?.into();
            assert_eq!(sqlx.engine(), Engine::Sqlx);
            let diesel: Db = DieselDb::connect("sqlite::memory:").await?.into();
            assert_eq!(diesel.engine(), Engine::Diesel);
            for db in [sqlx, diesel] {
                assert_eq!(raw("SELECT 1").execute(&db).await?, 0);
            }
            Ok::<_, ambidex::Error>(())
        })
        .unwrap();
}

/// The servers default to sqlx; run when their URLs are set (always under CI).
#[test]
fn servers_default_to_sqlx() {
    let mut urls = Vec::new();
    if cfg!(feature = "postgres") {
        urls.extend(server_url("AMBIDEX_POSTGRES_URL"));
    }
    if cfg!(feature = "mysql") {
        urls.extend(server_url("AMBIDEX_MYSQL_URL"));
    }
    runtime()
        .block_on(async {
            for url in urls {
                let db = Db::connect(&url).await?;
                assert_eq!(db.engine(), Engine::Sqlx, "{url}");
                let db = Db::builder(&url).engine(Engine::Diesel).connect().await?;
                assert_eq!(db.engine(), Engine::Diesel, "{url}");
                raw("SELECT 1").execute(&db).await?;
            }
            Ok::<_, ambidex::Error>(())
        })
        .unwrap();
}

fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) => Some(url),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{var} must be set under CI=true")
        }
        Err(_) => None,
    }
}
