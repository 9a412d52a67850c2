//! Server-side failures that need more than one connection or a bad URL, in both worlds
//! and on every server backend: deadlocks surface as the retryable `Error::Conflict`,
//! a refused connection as `Error::Connection`, bad credentials as
//! `Error::Authentication`, and no message ever shows the password.
//!
//! Runs when `AMBIDEX_POSTGRES_URL` / `AMBIDEX_MYSQL_URL` are set; under `CI=true` a
//! missing URL fails the test.

#![allow(dead_code)]

use std::time::Duration;

fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{var} is not set, and under CI=true server tests must not be skipped")
        }
        _ => None,
    }
}

fn unique_table(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{}", std::process::id(), nanos % 1_000_000_000)
}

/// A URL whose host refuses connections, with a password that must never be printed.
fn refused_url(base: &str) -> String {
    let scheme = base.split("://").next().unwrap_or("postgres");
    format!("{scheme}://someone:hunter2secret@127.0.0.1:1/test")
}

/// The base URL with credentials the server rejects.
fn bad_credentials_url(base: &str) -> String {
    let (scheme, rest) = base.split_once("://").expect("a URL");
    let host_and_db = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    format!("{scheme}://ambidex_nobody:hunter2secret@{host_and_db}")
}

fn assert_hidden(e: &ambidex::Error) {
    assert!(
        !e.to_string().contains("hunter2secret"),
        "password in Display: {e}"
    );
    assert!(
        !format!("{e:?}").contains("hunter2secret"),
        "password in Debug: {e:?}"
    );
}

#[cfg(feature = "blocking")]
mod blocking {
    use super::*;
    use ambidex::blocking::Db;
    use std::sync::{Arc, Barrier};

    fn deadlock_is_conflict(base: &str) {
        let db = Db::builder(base).max_connections(4).open().expect("open");
        let table = unique_table("ax_deadlock");
        ambidex::raw(format!(
            "CREATE TABLE {table} (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"
        ))
        .execute(&db)
        .expect("create");
        ambidex::raw(format!("INSERT INTO {table} (id, v) VALUES (1, 0), (2, 0)"))
            .execute(&db)
            .expect("seed");
        let barrier = Arc::new(Barrier::new(2));
        let worker = |first: i64, second: i64, pause: u64| {
            let db = db.clone();
            let barrier = barrier.clone();
            let table = table.clone();
            std::thread::spawn(move || -> ambidex::Result<()> {
                let mut tx = db.begin()?;
                ambidex::raw(format!("UPDATE {table} SET v = v + 1 WHERE id = ?"))
                    .bind(first)
                    .execute(&mut tx)?;
                barrier.wait();
                std::thread::sleep(Duration::from_millis(pause));
                ambidex::raw(format!("UPDATE {table} SET v = v + 1 WHERE id = ?"))
                    .bind(second)
                    .execute(&mut tx)?;
                tx.commit()
            })
        };
        let a = worker(1, 2, 0);
        let b = worker(2, 1, 200);
        let results = [a.join().expect("thread a"), b.join().expect("thread b")];
        let conflicts = results
            .iter()
            .filter(|r| matches!(r, Err(e) if e.is_retryable()))
            .count();
        assert_eq!(
            conflicts, 1,
            "exactly one transaction is the deadlock victim: {results:?}"
        );
        assert!(
            results.iter().any(|r| r.is_ok()),
            "the other commits: {results:?}"
        );
        ambidex::raw(format!("DROP TABLE {table}"))
            .execute(&db)
            .expect("drop");
    }

    fn refused_is_connection_error(base: &str) {
        let e = Db::builder(&refused_url(base))
            .acquire_timeout(Duration::from_secs(5))
            .open()
            .expect_err("nothing listens on port 1");
        assert!(matches!(e, ambidex::Error::Connection { .. }), "{e:?}");
        assert_hidden(&e);
    }

    fn bad_credentials_are_authentication_error(base: &str) {
        let e = Db::builder(&bad_credentials_url(base))
            .acquire_timeout(Duration::from_secs(5))
            .open()
            .expect_err("unknown user");
        assert!(matches!(e, ambidex::Error::Authentication { .. }), "{e:?}");
        assert_hidden(&e);
    }

    macro_rules! server_tests {
        ($module:ident, $feature:literal, $var:literal) => {
            #[cfg(feature = $feature)]
            mod $module {
                #[test]
                fn deadlock_is_retryable_conflict() {
                    if let Some(url) = super::server_url($var) {
                        super::deadlock_is_conflict(&url);
                    }
                }
                #[test]
                fn refused_connection_is_connection_error() {
                    if let Some(url) = super::server_url($var) {
                        super::refused_is_connection_error(&url);
                    }
                }
                #[test]
                fn bad_credentials_are_authentication_error() {
                    if let Some(url) = super::server_url($var) {
                        super::bad_credentials_are_authentication_error(&url);
                    }
                }
            }
        };
    }
    server_tests!(postgres, "postgres", "AMBIDEX_POSTGRES_URL");
    server_tests!(mysql, "mysql", "AMBIDEX_MYSQL_URL");
}

#[cfg(feature = "async")]
mod asynchronous {
    use super::*;
    use ambidex::Db;
    use std::sync::Arc;
    use tokio::sync::Barrier;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    }

    async fn deadlock_is_conflict(base: String) {
        let db = Db::builder(&base)
            .max_connections(4)
            .connect()
            .await
            .expect("open");
        let table = unique_table("ax_deadlock_async");
        ambidex::raw(format!(
            "CREATE TABLE {table} (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"
        ))
        .execute(&db)
        .await
        .expect("create");
        ambidex::raw(format!("INSERT INTO {table} (id, v) VALUES (1, 0), (2, 0)"))
            .execute(&db)
            .await
            .expect("seed");
        let barrier = Arc::new(Barrier::new(2));
        let worker = |first: i64, second: i64, pause: u64| {
            let db = db.clone();
            let barrier = barrier.clone();
            let table = table.clone();
            tokio::spawn(async move {
                let mut tx = db.begin().await?;
                ambidex::raw(format!("UPDATE {table} SET v = v + 1 WHERE id = ?"))
                    .bind(first)
                    .execute(&mut tx)
                    .await?;
                barrier.wait().await;
                tokio::time::sleep(Duration::from_millis(pause)).await;
                ambidex::raw(format!("UPDATE {table} SET v = v + 1 WHERE id = ?"))
                    .bind(second)
                    .execute(&mut tx)
                    .await?;
                tx.commit().await
            })
        };
        let a = worker(1, 2, 0);
        let b = worker(2, 1, 200);
        let results = [a.await.expect("task a"), b.await.expect("task b")];
        let conflicts = results
            .iter()
            .filter(|r| matches!(r, Err(e) if e.is_retryable()))
            .count();
        assert_eq!(
            conflicts, 1,
            "exactly one transaction is the deadlock victim: {results:?}"
        );
        assert!(
            results.iter().any(|r| r.is_ok()),
            "the other commits: {results:?}"
        );
        ambidex::raw(format!("DROP TABLE {table}"))
            .execute(&db)
            .await
            .expect("drop");
    }

    async fn refused_is_connection_error(base: String) {
        let e = Db::builder(&refused_url(&base))
            .acquire_timeout(Duration::from_secs(5))
            .connect()
            .await
            .expect_err("nothing listens on port 1");
        assert!(matches!(e, ambidex::Error::Connection { .. }), "{e:?}");
        assert_hidden(&e);
    }

    async fn bad_credentials_are_authentication_error(base: String) {
        let e = Db::builder(&bad_credentials_url(&base))
            .acquire_timeout(Duration::from_secs(5))
            .connect()
            .await
            .expect_err("unknown user");
        assert!(matches!(e, ambidex::Error::Authentication { .. }), "{e:?}");
        assert_hidden(&e);
    }

    macro_rules! server_tests {
        ($module:ident, $feature:literal, $var:literal) => {
            #[cfg(feature = $feature)]
            mod $module {
                #[test]
                fn deadlock_is_retryable_conflict() {
                    if let Some(url) = super::server_url($var) {
                        super::runtime().block_on(super::deadlock_is_conflict(url));
                    }
                }
                #[test]
                fn refused_connection_is_connection_error() {
                    if let Some(url) = super::server_url($var) {
                        super::runtime().block_on(super::refused_is_connection_error(url));
                    }
                }
                #[test]
                fn bad_credentials_are_authentication_error() {
                    if let Some(url) = super::server_url($var) {
                        super::runtime()
                            .block_on(super::bad_credentials_are_authentication_error(url));
                    }
                }
            }
        };
    }
    server_tests!(postgres, "postgres", "AMBIDEX_POSTGRES_URL");
    server_tests!(mysql, "mysql", "AMBIDEX_MYSQL_URL");
}
