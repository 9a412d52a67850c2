//! Transaction futures dropped at any point never leave a transaction open on a pooled
//! connection, and never leave partial data behind.
// These tests run on SQLite files.
#![cfg(feature = "sqlite")]

mod common;

use std::time::Duration;

use ambidex_core::{Error, Model};
use common::{User, other_pool, temp_db_with};
use tokio::time::timeout;

/// A transaction that writes, then sleeps long enough to be cancelled, then writes again.
async fn slow_transaction(db: &ambidex_async::Db, tag: usize) -> Result<(), Error> {
    db.transaction(move |tx| {
        Box::pin(async move {
            User::new(&format!("first-{tag}@example.com"), 1)
                .insert(&mut *tx)
                .await?;
            tokio::time::sleep(Duration::from_secs(30)).await;
            User::new(&format!("second-{tag}@example.com"), 2)
                .insert(&mut *tx)
                .await?;
            Ok(())
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transaction_cancelled_mid_way_leaves_nothing_behind() {
    let (dir, db) = temp_db_with(Some(1)).await;
    let cancelled = timeout(Duration::from_millis(100), slow_transaction(&db, 0)).await;
    assert!(
        cancelled.is_err(),
        "the transaction should have been cancelled"
    );

    // Another pool writes at once: the write lock the transaction held is gone.
    let other = other_pool(&dir).await;
    let written = timeout(
        Duration::from_secs(4),
        User::new("other@example.com", 3).insert(&other),
    )
    .await
    .expect("the other pool's write waited too long: a transaction is still open")
    .unwrap();
    assert_eq!(
        User::query().count(&other).await.unwrap(),
        1,
        "partial data is visible"
    );

    // The pool's next connection is not inside the cancelled transaction: what it writes is
    // committed and visible elsewhere.
    let mine = User::new("mine@example.com", 4).insert(&db).await.unwrap();
    assert_eq!(User::get(mine.id, &other).await.unwrap(), mine);
    assert_eq!(User::get(written.id, &db).await.unwrap(), written);
}

#[tokio::test(flavor = "multi_thread")]
async fn cancellation_at_any_point_is_safe() {
    let (dir, db) = temp_db_with(Some(2)).await;
    // Zero and growing timeouts cancel the transaction before, during and after BEGIN, the
    // inserts and the sleep.
    for (tag, micros) in [0u64, 1, 10, 50, 100, 250, 500, 1_000, 2_000, 5_000]
        .into_iter()
        .enumerate()
    {
        let outcome = timeout(Duration::from_micros(micros), slow_transaction(&db, tag)).await;
        assert!(
            outcome.is_err(),
            "transaction {tag} finished despite its 30 s sleep"
        );
        // After every cancellation the pool still serves autocommitted writes.
        User::new(&format!("ok-{tag}@example.com"), 5)
            .insert(&db)
            .await
            .unwrap();
    }
    let other = other_pool(&dir).await;
    let rows = User::query().all(&other).await.unwrap();
    assert_eq!(rows.len(), 10, "{rows:?}");
    assert!(
        rows.iter().all(|u| u.email.starts_with("ok-")),
        "partial data: {rows:?}"
    );
    let write = timeout(
        Duration::from_secs(4),
        User::new("final@example.com", 6).insert(&other),
    )
    .await;
    assert!(
        write.is_ok_and(|r| r.is_ok()),
        "a cancelled transaction still holds the write lock"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_aborted_task_rolls_its_transaction_back() {
    let (dir, db) = temp_db_with(Some(1)).await;
    let task_db = db.clone();
    let task = tokio::spawn(async move { slow_transaction(&task_db, 0).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    task.abort();
    assert!(task.await.is_err_and(|e| e.is_cancelled()));
    let other = other_pool(&dir).await;
    User::new("after-abort@example.com", 1)
        .insert(&other)
        .await
        .unwrap();
    assert_eq!(User::query().count(&db).await.unwrap(), 1);
}
