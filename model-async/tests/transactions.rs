//! Transactions: explicit `Tx`, the closure form, nesting, and what happens to a `Tx` that
//! is dropped, fails or panics.
// These tests run on SQLite files.
#![cfg(feature = "sqlite")]

mod common;

use std::time::Duration;

use ambidex_core::{Error, Model};
use common::{User, other_pool, temp_db, temp_db_with};

#[tokio::test(flavor = "multi_thread")]
async fn commit_makes_writes_visible_to_other_connections() {
    let (dir, db) = temp_db().await;
    let mut tx = db.begin().await.unwrap();
    let row = User::new("tx@example.com", 1)
        .insert(&mut tx)
        .await
        .unwrap();
    assert_eq!(User::get(row.id, &mut tx).await.unwrap(), row);

    let other = other_pool(&dir).await;
    assert_eq!(
        User::query().count(&other).await.unwrap(),
        0,
        "uncommitted data leaked"
    );
    tx.commit().await.unwrap();
    assert_eq!(User::get(row.id, &other).await.unwrap(), row);
}

#[tokio::test(flavor = "multi_thread")]
async fn rollback_discards_writes() {
    let (_dir, db) = temp_db().await;
    let mut tx = db.begin().await.unwrap();
    User::new("rb@example.com", 1)
        .insert(&mut tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(User::query().count(&db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_tx_rolls_back_and_the_pool_keeps_working() {
    // One connection: whatever comes next must not be handed the dropped transaction's.
    let (dir, db) = temp_db_with(Some(1)).await;
    {
        let mut tx = db.begin().await.unwrap();
        User::new("dropped@example.com", 1)
            .insert(&mut tx)
            .await
            .unwrap();
    }
    assert_eq!(User::query().count(&db).await.unwrap(), 0);
    let row = User::new("after@example.com", 2).insert(&db).await.unwrap();
    // Autocommitted: another pool sees it, so no transaction was left open around it.
    let other = other_pool(&dir).await;
    assert_eq!(User::get(row.id, &other).await.unwrap(), row);
    assert_eq!(User::query().count(&other).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_closure_form_commits_on_ok_and_rolls_back_on_err() {
    let (_dir, db) = temp_db().await;
    let id = db
        .transaction(|tx| {
            Box::pin(async move {
                let a = User::new("a@example.com", 1).insert(&mut *tx).await?;
                User::new("b@example.com", 2).insert(&mut *tx).await?;
                Ok::<_, Error>(a.id)
            })
        })
        .await
        .unwrap();
    assert_eq!(User::get(id, &db).await.unwrap().email, "a@example.com");

    #[derive(Debug)]
    enum AppError {
        Db(Error),
        Refused,
    }
    impl From<Error> for AppError {
        fn from(e: Error) -> Self {
            AppError::Db(e)
        }
    }
    let failed: Result<(), AppError> = db
        .transaction(|tx| {
            Box::pin(async move {
                User::new("c@example.com", 3).insert(&mut *tx).await?;
                Err(AppError::Refused)
            })
        })
        .await;
    assert!(matches!(failed, Err(AppError::Refused)));
    // A database error inside the closure also rolls back and comes back as the error.
    let clash: Result<(), AppError> = db
        .transaction(|tx| {
            Box::pin(async move {
                User::new("d@example.com", 4).insert(&mut *tx).await?;
                User::new("a@example.com", 5).insert(&mut *tx).await?;
                Ok(())
            })
        })
        .await;
    assert!(
        matches!(clash, Err(AppError::Db(Error::UniqueViolation { .. }))),
        "{clash:?}"
    );
    assert_eq!(User::query().count(&db).await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panicking_closure_rolls_back_and_the_panic_propagates() {
    let (_dir, db) = temp_db_with(Some(1)).await;
    let task_db = db.clone();
    let joined = tokio::spawn(async move {
        task_db
            .transaction(|tx| {
                Box::pin(async move {
                    User::new("panic@example.com", 1).insert(&mut *tx).await?;
                    if tx.dialect() == ambidex_core::Dialect::Sqlite {
                        panic!("boom");
                    }
                    Ok::<_, Error>(())
                })
            })
            .await
    })
    .await;
    assert!(joined.is_err_and(|e| e.is_panic()));
    assert_eq!(User::query().count(&db).await.unwrap(), 0);
    User::new("later@example.com", 2).insert(&db).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn nested_transactions_use_savepoints() {
    let (_dir, db) = temp_db().await;
    let mut tx = db.begin().await.unwrap();
    User::new("outer@example.com", 1)
        .insert(&mut tx)
        .await
        .unwrap();
    let inner: Result<(), Error> = tx
        .transaction(|tx| {
            Box::pin(async move {
                User::new("inner-kept@example.com", 2)
                    .insert(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await;
    inner.unwrap();
    let failed: Result<(), Error> = tx
        .transaction(|tx| {
            Box::pin(async move {
                User::new("inner-dropped@example.com", 3)
                    .insert(&mut *tx)
                    .await?;
                Err(Error::InvalidQuery("refused".into()))
            })
        })
        .await;
    assert!(matches!(failed, Err(Error::InvalidQuery(_))));
    // insert_many inside a transaction nests a savepoint of its own.
    User::insert_many(&[User::new("many@example.com", 4)], &mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut emails: Vec<String> = User::query()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email)
        .collect();
    emails.sort();
    assert_eq!(
        emails,
        [
            "inner-kept@example.com",
            "many@example.com",
            "outer@example.com"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_nested_transaction_stops_the_outer_commit() {
    let (_dir, db) = temp_db().await;
    let mut tx = db.begin().await.unwrap();
    User::new("outer@example.com", 1)
        .insert(&mut tx)
        .await
        .unwrap();
    let cancelled = tokio::time::timeout(
        Duration::from_millis(50),
        tx.transaction(|tx| {
            Box::pin(async move {
                User::new("inner@example.com", 2).insert(&mut *tx).await?;
                tokio::time::sleep(Duration::from_secs(10)).await;
                Ok::<_, Error>(())
            })
        }),
    )
    .await;
    assert!(
        cancelled.is_err(),
        "the nested transaction should have timed out"
    );
    assert!(matches!(tx.commit().await, Err(Error::Cancelled { .. })));
    assert_eq!(User::query().count(&db).await.unwrap(), 0);
}

#[test]
// Dropping the `Tx` is the point: its connection's `Drop` runs without a runtime.
#[allow(clippy::drop_non_drop)]
fn a_tx_dropped_outside_the_runtime_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (db, tx) = rt.block_on(async {
        let db = ambidex_async::Db::connect(&url).await.unwrap();
        User::create_table(&db).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        User::new("orphan@example.com", 1)
            .insert(&mut tx)
            .await
            .unwrap();
        (db, tx)
    });
    drop(rt);
    drop(tx);
    drop(db);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = ambidex_async::Db::connect(&url).await.unwrap();
        assert_eq!(User::query().count(&db).await.unwrap(), 0);
    });
}
