//! Async handles polled outside a Tokio runtime (issue 19, item 7): every one of them,
//! `ambidex::Db` (either engine), `ambidex::SqlxDb` and `ambidex::DieselDb`, fails with
//! [`ambidex::Error::WrongWorld`], never a panic, whether it is connecting or running an
//! operation, a transaction or a held connection.
#![cfg(all(feature = "async", feature = "blocking", feature = "sqlite"))]

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use ambidex::prelude::*;
use ambidex::{Db, DieselDb, Engine, Error, SqlxDb};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "worlds")]
struct World {
    #[ambidex(primary_key)]
    id: i64,
}

/// Wakes the thread that polls.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` on this thread until it is ready, with no runtime of any kind (what
/// `futures::executor::block_on` does); a panic while polling is returned as its message.
fn poll_without_runtime<F: Future>(future: F) -> Result<F::Output, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            match future.as_mut().poll(&mut cx) {
                Poll::Ready(out) => return out,
                Poll::Pending => std::thread::park_timeout(std::time::Duration::from_millis(50)),
            }
        }
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// Fails unless `outcome` is an [`Error::WrongWorld`] that names a Tokio runtime.
fn assert_wrong_world<T: std::fmt::Debug>(what: &str, outcome: Result<ambidex::Result<T>, String>) {
    match outcome {
        Ok(Err(e @ Error::WrongWorld(_))) => {
            assert!(e.to_string().contains("Tokio runtime"), "{what}: {e}");
        }
        Ok(other) => panic!("{what}: expected Error::WrongWorld, got {other:?}"),
        Err(panic) => panic!("{what} panicked outside a runtime: {panic}"),
    }
}

fn temp_url() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("worlds.db").display());
    (dir, url)
}

#[test]
fn connecting_outside_a_runtime_is_the_wrong_world() {
    let (_dir, url) = temp_url();
    assert_wrong_world(
        "SqlxDb::connect",
        poll_without_runtime(SqlxDb::connect(&url)),
    );
    assert_wrong_world(
        "Db::connect (sqlx)",
        poll_without_runtime(Db::builder(&url).engine(Engine::Sqlx).connect()),
    );
}

#[test]
fn operations_outside_a_runtime_are_the_wrong_world() {
    let (_dir, url) = temp_url();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (sqlx, diesel, db_sqlx, db_diesel) = rt.block_on(async {
        let sqlx = SqlxDb::connect(&url).await.expect("open");
        World::create_table(&sqlx).await.expect("create");
        let diesel = DieselDb::connect(&url).await.expect("open");
        let db_sqlx = Db::builder(&url)
            .engine(Engine::Sqlx)
            .connect()
            .await
            .expect("open");
        let db_diesel = Db::builder(&url)
            .engine(Engine::Diesel)
            .connect()
            .await
            .expect("open");
        (sqlx, diesel, db_sqlx, db_diesel)
    });

    assert_wrong_world(
        "SqlxDb count",
        poll_without_runtime(World::query().count(&sqlx)),
    );
    assert_wrong_world("SqlxDb begin", poll_without_runtime(sqlx.begin()));
    assert_wrong_world("SqlxDb acquire", poll_without_runtime(sqlx.acquire()));
    assert_wrong_world(
        "DieselDb count",
        poll_without_runtime(World::query().count(&diesel)),
    );
    assert_wrong_world("DieselDb begin", poll_without_runtime(diesel.begin()));
    for (engine, db) in [("sqlx", &db_sqlx), ("diesel", &db_diesel)] {
        assert_wrong_world(
            &format!("Db ({engine}) count"),
            poll_without_runtime(World::query().count(db)),
        );
        assert_wrong_world(
            &format!("Db ({engine}) insert"),
            poll_without_runtime(World { id: 1 }.insert(db)),
        );
        assert_wrong_world(
            &format!("Db ({engine}) begin"),
            poll_without_runtime(db.begin()),
        );
    }

    // A transaction begun inside the runtime, then used outside it.
    let mut tx = rt.block_on(sqlx.begin()).expect("begin");
    assert_wrong_world(
        "SqlxTx count",
        poll_without_runtime(World::query().count(&mut tx)),
    );
    rt.block_on(tx.rollback()).expect("rollback");
    // Inside the runtime, the handles still work.
    rt.block_on(async {
        World { id: 2 }.insert(&db_sqlx).await.expect("insert");
        assert_eq!(World::query().count(&db_diesel).await.expect("count"), 1);
    });
}
