//! Every future the crate returns is `Send`: it compiles against `assert_send` and runs
//! when spawned on Tokio's multi-thread runtime.
// These tests run on SQLite files.
#![cfg(feature = "sqlite")]

mod common;

use ambidex_async::{Db, Tx};
use ambidex_core::{Error, Model, raw};
use common::{User, temp_db};

fn assert_send<T: Send>(_: &T) {}
fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn handles_are_send() {
    assert_send_sync::<Db>();
    fn tx_is_send<T: Send>() {}
    tx_is_send::<Tx>();
}

#[tokio::test(flavor = "multi_thread")]
async fn futures_are_send_and_spawnable() {
    let (_dir, db) = temp_db().await;

    let row = User::new("s@example.com", 1);
    let connect = Db::connect("sqlite::memory:");
    assert_send(&connect);
    let insert = row.insert(&db);
    assert_send(&insert);
    let stored = insert.await.unwrap();
    assert_send(&User::get(stored.id, &db));
    assert_send(&User::query().filter(User::AGE.eq(1)).all(&db));
    assert_send(&User::query().count(&db));
    assert_send(&raw("SELECT 1").execute(&db));
    assert_send(&db.begin());
    assert_send(&db.close());

    let mut tx = db.begin().await.unwrap();
    assert_send(&User::get(stored.id, &mut tx));
    assert_send(&tx.transaction(|tx| Box::pin(async move { User::query().count(&mut *tx).await })));
    assert_send(&tx.commit());

    let closure = db.transaction(|tx| Box::pin(async move { User::query().count(&mut *tx).await }));
    assert_send(&closure);
    drop(closure);

    // The same futures, spawned: they run on whichever worker picks them up.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let row = User::new(&format!("task{i}@example.com"), i)
                .insert(&db)
                .await?;
            let mut tx = db.begin().await?;
            let again = User::get(row.id, &mut tx).await?;
            tx.commit().await?;
            let n = db
                .transaction(|tx| Box::pin(async move { User::query().count(&mut *tx).await }))
                .await?;
            Ok::<_, Error>((again, n))
        }));
    }
    for task in tasks {
        let (row, n) = task.await.unwrap().unwrap();
        assert!(row.email.starts_with("task"));
        assert!(n >= 2);
    }
}
