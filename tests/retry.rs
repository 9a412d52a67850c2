//! The retry helpers, in both worlds: retryable errors (serialization failures,
//! deadlocks) are tried again up to the policy's limit; anything else is returned at once.
#![cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use ambidex::{Error, Retry, raw};

fn conflict() -> Error {
    Error::Conflict {
        message: "could not serialize access due to concurrent update".into(),
    }
}

fn quick(attempts: u32) -> Retry {
    Retry::new(attempts).first_delay(Duration::from_millis(1))
}

#[test]
fn blocking_retry_tries_again_after_conflicts_only() {
    let db = ambidex::blocking::Db::open("sqlite::memory:").unwrap();
    raw("CREATE TABLE hits (n INTEGER)").execute(&db).unwrap();
    let calls = Cell::new(0);
    let added = ambidex::blocking::retry(quick(5), || {
        calls.set(calls.get() + 1);
        db.transaction(|tx| {
            raw("INSERT INTO hits VALUES (1)").execute(&mut *tx)?;
            if calls.get() < 3 {
                return Err(conflict()); // rolled back; the next try starts afresh
            }
            Ok(1)
        })
    })
    .unwrap();
    assert_eq!((added, calls.get()), (1, 3));
    let rows: Vec<i64> = raw("SELECT COUNT(*) FROM hits").fetch_rows(&db).unwrap();
    assert_eq!(rows, [1], "the failed tries were rolled back");

    calls.set(0);
    let err = ambidex::blocking::retry(quick(5), || -> ambidex::Result<()> {
        calls.set(calls.get() + 1);
        Err(Error::InvalidQuery("not retryable".into()))
    })
    .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery(_)));
    assert_eq!(calls.get(), 1);

    calls.set(0);
    let err = ambidex::blocking::retry(quick(3), || -> ambidex::Result<()> {
        calls.set(calls.get() + 1);
        Err(conflict())
    })
    .unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(calls.get(), 3, "gives up after the policy's attempts");
}

#[test]
fn async_retry_tries_again_after_conflicts_only() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = ambidex::Db::connect("sqlite::memory:").await.unwrap();
        raw("CREATE TABLE hits (n INTEGER)")
            .execute(&db)
            .await
            .unwrap();
        let calls = AtomicU32::new(0);
        let added = ambidex::retry(quick(5), || async {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            db.transaction(|tx| {
                Box::pin(async move {
                    raw("INSERT INTO hits VALUES (1)").execute(&mut *tx).await?;
                    if n < 3 {
                        return Err(conflict());
                    }
                    Ok(1)
                })
            })
            .await
        })
        .await
        .unwrap();
        assert_eq!((added, calls.load(Ordering::SeqCst)), (1, 3));
        let rows: Vec<i64> = raw("SELECT COUNT(*) FROM hits")
            .fetch_rows(&db)
            .await
            .unwrap();
        assert_eq!(rows, [1]);

        calls.store(0, Ordering::SeqCst);
        let err = ambidex::retry(quick(4), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(conflict())
        })
        .await
        .unwrap_err();
        assert!(err.is_retryable());
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    });
}

/// An application's own error: ambidex's inside, plus a failure of its own.
#[derive(Debug)]
enum AppError {
    Db(Error),
    OutOfStock,
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError::Db(e)
    }
}

impl ambidex::AsError for AppError {
    fn as_error(&self) -> Option<&Error> {
        match self {
            AppError::Db(e) => Some(e),
            AppError::OutOfStock => None,
        }
    }
}

#[test]
fn blocking_retry_takes_the_applications_error_type() {
    let db = ambidex::blocking::Db::open("sqlite::memory:").unwrap();
    raw("CREATE TABLE stock (n INTEGER)").execute(&db).unwrap();
    let calls = Cell::new(0);
    let taken = ambidex::blocking::retry(quick(5), || {
        calls.set(calls.get() + 1);
        db.transaction(|tx| -> Result<u64, AppError> {
            let n = raw("INSERT INTO stock VALUES (1)").execute(&mut *tx)?;
            if calls.get() < 2 {
                Err(conflict())?; // through `?`: AppError::Db(Conflict), retried
            }
            Ok(n)
        })
    })
    .unwrap();
    assert_eq!((taken, calls.get()), (1, 2));

    calls.set(0);
    let err = ambidex::blocking::retry(quick(5), || -> Result<(), AppError> {
        calls.set(calls.get() + 1);
        Err(AppError::OutOfStock)
    })
    .unwrap_err();
    assert!(matches!(err, AppError::OutOfStock));
    assert_eq!(
        calls.get(),
        1,
        "the application's own failure is never retried"
    );

    calls.set(0);
    let err = ambidex::blocking::retry(quick(5), || -> Result<(), AppError> {
        calls.set(calls.get() + 1);
        Err(Error::InvalidQuery("not retryable".into()).into())
    })
    .unwrap_err();
    assert!(matches!(err, AppError::Db(Error::InvalidQuery(_))));
    assert_eq!(calls.get(), 1);

    // A boxed error works too: `?` boxes ambidex's error, `retry` finds it again.
    calls.set(0);
    let err = ambidex::blocking::retry(
        quick(3),
        || -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            calls.set(calls.get() + 1);
            Err(conflict())?;
            Ok(())
        },
    )
    .unwrap_err();
    assert!(err.downcast_ref::<Error>().is_some_and(Error::is_retryable));
    assert_eq!(
        calls.get(),
        3,
        "a boxed conflict is retried up to the policy's limit"
    );
}

#[test]
fn async_retry_takes_the_applications_error_type() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let calls = AtomicU32::new(0);
        let taken = ambidex::retry(quick(5), || async {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            if n < 3 {
                return Err(AppError::from(conflict()));
            }
            Ok::<_, AppError>(n)
        })
        .await
        .unwrap();
        assert_eq!(taken, 3);

        calls.store(0, Ordering::SeqCst);
        let err = ambidex::retry(quick(5), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(AppError::OutOfStock)
        })
        .await
        .unwrap_err();
        assert!(matches!(err, AppError::OutOfStock));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    });
}
