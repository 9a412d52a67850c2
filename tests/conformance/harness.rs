//! How a scenario runs in a cell: opening an isolated database, the per-world macros
//! (`aw!`, `in_tx!`, `panics!`), and `cell!`, which instantiates every scenario group.

use std::path::PathBuf;

/// An isolated database for one test: a SQLite file in a temporary directory, or a
/// PostgreSQL schema / MariaDB database of its own, dropped when the test ends.
pub struct Scratch {
    _dir: Option<tempfile::TempDir>,
    /// The URL the test connects to.
    pub url: String,
    cleanup: Option<(String, String)>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some((admin_url, sql)) = self.cleanup.take() {
            // Runs on its own thread so it works inside or outside a runtime.
            let _ = std::thread::spawn(move || admin_execute(&admin_url, &sql)).join();
        }
    }
}

/// Runs one statement on a server through whichever engine this build has.
#[allow(unreachable_code)]
#[allow(dead_code)]
fn admin_execute(url: &str, sql: &str) -> ambidex::Result<()> {
    #[cfg(feature = "blocking")]
    {
        let db = ambidex::blocking::Db::builder(url)
            .max_connections(1)
            .open()?;
        ambidex::raw(sql).execute(&db)?;
        return Ok(());
    }
    #[cfg(feature = "async")]
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        return rt.block_on(async {
            let db = ambidex::SqlxDb::builder(url)
                .max_connections(1)
                .connect()
                .await?;
            ambidex::raw(sql).execute(&db).await?;
            Ok(())
        });
    }
    Ok(())
}

fn scratch_sqlite() -> Scratch {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path: PathBuf = dir.path().join("test.db");
    Scratch {
        url: format!("sqlite://{}", path.display()),
        _dir: Some(dir),
        cleanup: None,
    }
}

/// A unique name for a test's schema or database.
#[allow(dead_code)]
fn unique_name() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "ax_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// The server URL from `var`, or `None` to skip (a failure under `CI=true`).
#[allow(dead_code)]
fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{var} is not set, and under CI=true a server cell must not be skipped")
        }
        _ => {
            static NOTE: std::sync::Once = std::sync::Once::new();
            NOTE.call_once(|| {
                eprintln!(
                    "note: {var} is not set; its server cells pass without running. \
                     See docs/guide/production.md (\"Running the server cells\")."
                )
            });
            None
        }
    }
}

/// A PostgreSQL schema of the test's own; the URL sets it as the search path.
#[allow(dead_code)]
fn scratch_postgres() -> Option<Scratch> {
    let base = server_url("AMBIDEX_POSTGRES_URL")?;
    let name = unique_name();
    admin_execute(&base, &format!("CREATE SCHEMA \"{name}\"")).expect("create a test schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(Scratch {
        url: format!("{base}{sep}options=-c%20search_path%3D{name}"),
        _dir: None,
        cleanup: Some((base, format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))),
    })
}

/// A MariaDB database of the test's own.
#[allow(dead_code)]
fn scratch_mysql() -> Option<Scratch> {
    let base = server_url("AMBIDEX_MYSQL_URL")?;
    let name = unique_name();
    admin_execute(&base, &format!("CREATE DATABASE `{name}`")).expect("create a test database");
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("a MySQL URL ends in /database");
    Some(Scratch {
        url: format!("{prefix}/{name}"),
        _dir: None,
        cleanup: Some((base, format!("DROP DATABASE IF EXISTS `{name}`"))),
    })
}

/// A blocking handle on a fresh SQLite file.
#[cfg(feature = "blocking")]
pub async fn sqlite_blocking() -> Option<(Scratch, ambidex::blocking::Db)> {
    let scratch = scratch_sqlite();
    let db = ambidex::blocking::Db::open(&scratch.url).expect("open blocking sqlite");
    Some((scratch, db))
}

/// A blocking handle on a fresh PostgreSQL schema.
#[cfg(all(feature = "blocking", feature = "postgres"))]
pub async fn postgres_blocking() -> Option<(Scratch, ambidex::blocking::Db)> {
    let scratch = scratch_postgres()?;
    let db = ambidex::blocking::Db::open(&scratch.url).expect("open blocking postgres");
    Some((scratch, db))
}

/// A blocking handle on a fresh MariaDB database.
#[cfg(all(feature = "blocking", feature = "mysql"))]
pub async fn mysql_blocking() -> Option<(Scratch, ambidex::blocking::Db)> {
    let scratch = scratch_mysql()?;
    let db = ambidex::blocking::Db::open(&scratch.url).expect("open blocking mysql");
    Some((scratch, db))
}

/// A blocking handle over the sqlx engine (the shim) on a fresh database of `backend`.
#[cfg(all(feature = "blocking", feature = "async"))]
fn sqlx_blocking(scratch: Option<Scratch>) -> Option<(Scratch, ambidex::blocking::SqlxDb)> {
    let scratch = scratch?;
    let db =
        ambidex::blocking::SqlxDb::open(&scratch.url).expect("open the blocking-over-sqlx shim");
    Some((scratch, db))
}

/// The blocking-over-sqlx shim on SQLite.
#[cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]
pub async fn sqlite_sqlx_blocking() -> Option<(Scratch, ambidex::blocking::SqlxDb)> {
    sqlx_blocking(Some(scratch_sqlite()))
}

/// The blocking-over-sqlx shim on PostgreSQL.
#[cfg(all(feature = "blocking", feature = "async", feature = "postgres"))]
pub async fn postgres_sqlx_blocking() -> Option<(Scratch, ambidex::blocking::SqlxDb)> {
    sqlx_blocking(scratch_postgres())
}

/// The blocking-over-sqlx shim on MariaDB.
#[cfg(all(feature = "blocking", feature = "async", feature = "mysql"))]
pub async fn mysql_sqlx_blocking() -> Option<(Scratch, ambidex::blocking::SqlxDb)> {
    sqlx_blocking(scratch_mysql())
}

/// An async handle over the diesel engine (the worker-pool shim) on a fresh database.
#[cfg(all(feature = "blocking", feature = "async"))]
async fn diesel_async(scratch: Option<Scratch>) -> Option<(Scratch, ambidex::DieselDb)> {
    let scratch = scratch?;
    let db = ambidex::DieselDb::connect(&scratch.url)
        .await
        .expect("open the async-over-diesel shim");
    Some((scratch, db))
}

/// The async-over-diesel shim on SQLite.
#[cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]
pub async fn sqlite_diesel_async() -> Option<(Scratch, ambidex::DieselDb)> {
    diesel_async(Some(scratch_sqlite())).await
}

/// The async-over-diesel shim on PostgreSQL.
#[cfg(all(feature = "blocking", feature = "async", feature = "postgres"))]
pub async fn postgres_diesel_async() -> Option<(Scratch, ambidex::DieselDb)> {
    diesel_async(scratch_postgres()).await
}

/// The async-over-diesel shim on MariaDB.
#[cfg(all(feature = "blocking", feature = "async", feature = "mysql"))]
pub async fn mysql_diesel_async() -> Option<(Scratch, ambidex::DieselDb)> {
    diesel_async(scratch_mysql()).await
}

/// Opens `scratch` with an async handle of type `$db` (`ambidex::SqlxDb` for the sqlx
/// cells, `ambidex::Db` for the default-engine cells).
#[allow(unused_macros)] // unused in a build without `async`
macro_rules! async_open {
    ($db:ty, $scratch:expr, $what:literal) => {{
        let scratch = $scratch?;
        let db = <$db>::connect(&scratch.url).await.expect($what);
        Some((scratch, db))
    }};
}

/// The async API on sqlx, on a fresh SQLite file.
#[cfg(feature = "async")]
pub async fn sqlite_async() -> Option<(Scratch, ambidex::SqlxDb)> {
    async_open!(ambidex::SqlxDb, Some(scratch_sqlite()), "open sqlx sqlite")
}

/// The async API on sqlx, on a fresh PostgreSQL schema.
#[cfg(all(feature = "async", feature = "postgres"))]
pub async fn postgres_async() -> Option<(Scratch, ambidex::SqlxDb)> {
    async_open!(ambidex::SqlxDb, scratch_postgres(), "open sqlx postgres")
}

/// The async API on sqlx, on a fresh MariaDB database.
#[cfg(all(feature = "async", feature = "mysql"))]
pub async fn mysql_async() -> Option<(Scratch, ambidex::SqlxDb)> {
    async_open!(ambidex::SqlxDb, scratch_mysql(), "open sqlx mysql")
}

/// `ambidex::Db` (the engine chosen for the backend), on a fresh SQLite file.
#[cfg(feature = "async")]
pub async fn sqlite_default_async() -> Option<(Scratch, ambidex::Db)> {
    async_open!(ambidex::Db, Some(scratch_sqlite()), "open default sqlite")
}

/// `ambidex::Db` (the engine chosen for the backend), on a fresh PostgreSQL schema.
#[cfg(all(feature = "async", feature = "postgres"))]
pub async fn postgres_default_async() -> Option<(Scratch, ambidex::Db)> {
    async_open!(ambidex::Db, scratch_postgres(), "open default postgres")
}

/// `ambidex::Db` (the engine chosen for the backend), on a fresh MariaDB database.
#[cfg(all(feature = "async", feature = "mysql"))]
pub async fn mysql_default_async() -> Option<(Scratch, ambidex::Db)> {
    async_open!(ambidex::Db, scratch_mysql(), "open default mysql")
}

/// Runs a scenario body that never suspends (a blocking cell) to completion.
#[allow(dead_code)]
pub fn run_blocking<F: std::future::Future<Output = ambidex::Result<()>>>(body: F) {
    if let Err(e) = ambidex_core_complete(body) {
        panic!("scenario failed: {e}\n{e:?}");
    }
}

fn ambidex_core_complete<F: std::future::Future<Output = ambidex::Result<()>>>(
    body: F,
) -> ambidex::Result<()> {
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};
    let mut body = pin!(body);
    match body.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a blocking scenario suspended: an aw!() is missing or misused"),
    }
}

/// Runs an async scenario body on a multi-threaded runtime.
#[allow(dead_code)]
pub fn run_async<F: std::future::Future<Output = ambidex::Result<()>> + Send>(body: F) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = rt.block_on(body) {
        panic!("scenario failed: {e}\n{e:?}");
    }
}

/// The transaction type of each engine, for `cell!`.
#[cfg(feature = "blocking")]
pub type DieselTx = ambidex::blocking::Tx;
/// The async engine's transaction.
#[cfg(feature = "async")]
pub type SqlxAsyncTx = ambidex::SqlxTx;
/// The transaction of `ambidex::Db`, whichever engine it runs on.
#[cfg(feature = "async")]
pub type DefaultAsyncTx = ambidex::Tx;
/// The blocking-over-sqlx shim's transaction.
#[cfg(all(feature = "blocking", feature = "async"))]
pub type SqlxTx = ambidex::blocking::SqlxTx;

/// The async-over-diesel shim's transaction.
#[cfg(all(feature = "blocking", feature = "async"))]
pub type DieselAsyncTx = ambidex::DieselTx;

/// Boxes a transaction body's future (what the async closure form takes).
#[allow(dead_code)]
pub fn boxed<'a, T>(
    body: impl std::future::Future<Output = ambidex::Result<T>> + Send + 'a,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ambidex::Result<T>> + Send + 'a>> {
    Box::pin(body)
}

/// Instantiates every scenario group in a module named after the cell.
macro_rules! cell {
    ($cell:ident, blocking_shim, $backend:literal, $open:path, $txty:ty) => {
        #[cfg(all(feature = "blocking", feature = "async"))]
        cell!($cell, blocking, $backend, $open, $txty);
    };
    ($cell:ident, async_shim, $backend:literal, $open:path, $txty:ty) => {
        #[cfg(all(feature = "blocking", feature = "async"))]
        cell!($cell, async, $backend, $open, $txty);
    };
    ($cell:ident, blocking, $backend:literal, $open:path, $txty:ty) => {
        #[cfg(all(feature = "blocking", feature = $backend))]
        mod $cell {
            #[allow(unused_imports)]
            use super::models::*;
            #[allow(unused_imports)]
            use ambidex::prelude::*;

            macro_rules! aw {
                ($e:expr) => {
                    $e
                };
            }

            /// `stream_all!(query.stream(&db))`: every row of a stream (an `Iterator`
            /// here), or its first error.
            #[allow(unused_macros)]
            macro_rules! stream_all {
                ($s:expr) => {
                    $s.collect::<ambidex::Result<Vec<_>>>()
                };
            }

            /// `stream_take!(query.stream(&db), n)`: the first `n` rows, then the stream is
            /// dropped.
            #[allow(unused_macros)]
            macro_rules! stream_take {
                ($s:expr, $n:expr) => {
                    $s.take($n).collect::<ambidex::Result<Vec<_>>>()
                };
            }

            /// `in_tx!(db, |tx| { ... Ok(v) })`: the closure form of a transaction; its
            /// value is the transaction's `Result`.
            #[allow(unused_macros)]
            macro_rules! in_tx {
                ($db:expr, |$tx:ident| $body:block) => {
                    $db.transaction(|$tx: &mut $txty| -> ambidex::Result<_> { $body })
                };
            }

            /// `nested_tx!(tx, |inner| { ... })`: a savepoint inside an open transaction.
            #[allow(unused_macros)]
            macro_rules! nested_tx {
                ($outer:expr, |$tx:ident| $body:block) => {
                    $outer.transaction(|$tx: &mut $txty| -> ambidex::Result<_> { $body })
                };
            }

            /// `panics!({ ... })`: whether the block panicked.
            #[allow(unused_macros)]
            macro_rules! panics {
                ($body:block) => {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| $body)).is_err()
                };
            }

            macro_rules! scenario {
                ($name:ident, |$db:ident| $body:block) => {
                    #[test]
                    fn $name() {
                        let Some((_scratch, $db)) = $crate::harness::complete_open($open()) else {
                            return;
                        };
                        #[allow(unused_mut)]
                        let mut $db = $db;
                        $crate::harness::run_blocking(async move { $body });
                    }
                };
            }

            all_scenarios!();
        }
    };
    ($cell:ident, async, $backend:literal, $open:path, $txty:ty) => {
        #[cfg(all(feature = "async", feature = $backend))]
        mod $cell {
            #[allow(unused_imports)]
            use super::models::*;
            #[allow(unused_imports)]
            use ambidex::prelude::*;

            macro_rules! aw {
                ($e:expr) => {
                    $e.await
                };
            }

            #[allow(unused_macros)]
            macro_rules! stream_all {
                ($s:expr) => {
                    futures_util::TryStreamExt::try_collect::<Vec<_>>($s).await
                };
            }

            #[allow(unused_macros)]
            macro_rules! stream_take {
                ($s:expr, $n:expr) => {
                    futures_util::TryStreamExt::try_collect::<Vec<_>>(
                        futures_util::StreamExt::take($s, $n),
                    )
                    .await
                };
            }

            #[allow(unused_macros)]
            macro_rules! in_tx {
                ($db:expr, |$tx:ident| $body:block) => {
                    $db.transaction(|$tx: &mut $txty| $crate::harness::boxed(async move { $body }))
                        .await
                };
            }

            #[allow(unused_macros)]
            macro_rules! nested_tx {
                ($outer:expr, |$tx:ident| $body:block) => {
                    $outer
                        .transaction(|$tx: &mut $txty| $crate::harness::boxed(async move { $body }))
                        .await
                };
            }

            #[allow(unused_macros)]
            macro_rules! panics {
                ($body:block) => {
                    futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(
                        async move { $body },
                    ))
                    .await
                    .is_err()
                };
            }

            macro_rules! scenario {
                ($name:ident, |$db:ident| $body:block) => {
                    #[test]
                    fn $name() {
                        $crate::harness::run_async(async move {
                            let Some((_scratch, $db)) = $open().await else {
                                return Ok(());
                            };
                            #[allow(unused_mut)]
                            let mut $db = $db;
                            $body
                        });
                    }
                };
            }

            all_scenarios!();
        }
    };
}

/// Completes an opener that never suspends (blocking cells open synchronously).
#[allow(dead_code)]
pub fn complete_open<T>(open: impl std::future::Future<Output = T>) -> T {
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};
    let mut open = pin!(open);
    match open.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a blocking opener suspended"),
    }
}
