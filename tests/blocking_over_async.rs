//! The blocking-over-sqlx shim at the seam: refused with a typed error inside async tasks
//! (on both runtime flavours, never a tokio panic, never a hang), usable from plain
//! threads, from `spawn_blocking`, and from a runtime's `block_on` thread; droppable
//! anywhere.
#![cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]

use std::time::Duration;

use ambidex::blocking::SqlxDb;
use ambidex::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
struct Note {
    #[ambidex(primary_key, auto)]
    id: i64,
    text: String,
}

fn open() -> (tempfile::TempDir, SqlxDb) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db =
        SqlxDb::open(&format!("sqlite://{}", dir.path().join("n.db").display())).expect("open");
    Note::create_table(&db).expect("table");
    (dir, db)
}

fn assert_wrong_world(result: ambidex::Result<Vec<Note>>) {
    match result {
        Err(e @ ambidex::Error::WrongWorld(_)) => assert!(e.to_string().contains(".await"), "{e}"),
        other => panic!("expected WrongWorld, got {other:?}"),
    }
}

#[test]
fn works_from_plain_threads_concurrently() {
    let (_dir, db) = open();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let db = db.clone();
            std::thread::spawn(move || {
                Note {
                    id: 0,
                    text: format!("n{i}"),
                }
                .insert(&db)
                .map(|n| n.id)
            })
        })
        .collect();
    let mut ids: Vec<i64> = threads
        .into_iter()
        .map(|t| t.join().expect("thread").expect("insert"))
        .collect();
    ids.sort();
    assert_eq!(ids, (1..=8).collect::<Vec<_>>());
    assert_eq!(Note::query().count(&db).expect("count"), 8);
}

#[test]
fn inside_a_multi_thread_task_is_a_typed_error() {
    let (_dir, db) = open();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("rt");
    let result = rt
        .block_on(rt.spawn(async move { Note::query().all(&db) }))
        .expect("no panic");
    assert_wrong_world(result);
}

#[test]
fn inside_a_current_thread_task_is_a_typed_error_not_a_hang() {
    let (_dir, db) = open();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let result = rt.block_on(async move {
        tokio::time::timeout(
            Duration::from_secs(10),
            tokio::spawn(async move { Note::query().all(&db) }),
        )
        .await
        .expect("no hang")
        .expect("no panic")
    });
    assert_wrong_world(result);
}

#[test]
fn works_from_spawn_blocking_and_block_on() {
    let (_dir, db) = open();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let db2 = db.clone();
    let from_spawn_blocking = rt.block_on(async move {
        tokio::task::spawn_blocking(move || {
            Note {
                id: 0,
                text: "a".into(),
            }
            .insert(&db2)
        })
        .await
    });
    match from_spawn_blocking.expect("no panic") {
        Ok(note) => assert_eq!(note.text, "a"),
        // tokio gives spawn_blocking closures a task id, so the shim cannot tell them from
        // async tasks: the refusal is typed, never a panic.
        Err(e) => assert!(matches!(e, ambidex::Error::WrongWorld(_)), "{e:?}"),
    }
    // A runtime's own block_on thread is not a task: the shim works there.
    let n = rt
        .block_on(async { Note::query().count(&db) })
        .expect("count");
    assert!(n <= 1);
}

#[test]
fn dropping_the_handle_inside_async_code_does_not_panic() {
    let (_dir, db) = open();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(rt.spawn(async move { drop(db) }))
        .expect("no panic on drop");
}

#[test]
fn transactions_roll_back_when_dropped() {
    let (_dir, db) = open();
    let mut tx = db.begin().expect("begin");
    Note {
        id: 0,
        text: "gone".into(),
    }
    .insert(&mut tx)
    .expect("insert");
    drop(tx);
    assert_eq!(Note::query().count(&db).expect("count"), 0);
    db.transaction(|tx| -> ambidex::Result<()> {
        Note {
            id: 0,
            text: "kept".into(),
        }
        .insert(&mut *tx)?;
        let inner: ambidex::Result<()> = tx.transaction(|tx| {
            Note {
                id: 0,
                text: "inner".into(),
            }
            .insert(&mut *tx)?;
            Err(ambidex::Error::InvalidQuery("undo the inner work".into()))
        });
        assert!(inner.is_err());
        Ok(())
    })
    .expect("outer commits");
    let texts: Vec<String> = Note::query()
        .all(&db)
        .expect("all")
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(texts, ["kept"]);
}

#[test]
fn runs_on_sqlx_even_where_the_default_engine_is_diesel() {
    // `ambidex::Db` picks diesel on SQLite; the shim is the blocking API over sqlx.
    let (_dir, db) = open();
    let shown = format!("{db:?}");
    assert!(shown.contains("engine: Sqlx"), "{shown}");
}
