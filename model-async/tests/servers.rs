//! PostgreSQL and MySQL/MariaDB servers: connecting, the model round trip, matched-row
//! counts, constraint errors, refused logins, and that a dropped transaction leaves none
//! open.
//!
//! The tests of a backend are compiled with its feature (`postgres`, `mysql`) and run
//! against the servers named by `AMBIDEX_POSTGRES_URL` and
//! `AMBIDEX_MYSQL_URL` (e.g. `postgres://root@127.0.0.1:5432/test` and
//! `mysql://ambidex:ambidex@127.0.0.1:3306/test`) and pass without running when a variable
//! is unset, unless `CI=true`, where an unset variable fails them. Each test works in a
//! PostgreSQL schema or a MariaDB database of its own, dropped when the test ends, so
//! tests run in parallel and leave nothing behind.
#![cfg(any(feature = "postgres", feature = "mysql"))]

mod common;

use std::time::Duration;

use ambidex_async::Db;
use ambidex_core::{Dialect, Error, Model, raw};
use common::User;

/// Which server a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(all(feature = "postgres", feature = "mysql")), allow(dead_code))]
enum Server {
    Postgres,
    Mysql,
}

impl Server {
    fn var(self) -> &'static str {
        match self {
            Server::Postgres => "AMBIDEX_POSTGRES_URL",
            Server::Mysql => "AMBIDEX_MYSQL_URL",
        }
    }

    fn dialect(self) -> Dialect {
        match self {
            Server::Postgres => Dialect::Postgres,
            Server::Mysql => Dialect::Mysql,
        }
    }

    /// The server's URL, or `None` to skip (a failure under `CI=true`).
    fn base_url(self) -> Option<String> {
        match std::env::var(self.var()) {
            Ok(url) if !url.is_empty() => Some(url),
            _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!(
                    "{} is not set, and under CI=true server tests must run",
                    self.var()
                )
            }
            _ => {
                eprintln!("note: {} is not set; skipping", self.var());
                None
            }
        }
    }
}

/// A unique schema / database name.
fn unique_name() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "axa_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// A schema (PostgreSQL) or database (MariaDB) of the test's own, dropped on drop.
struct Scratch {
    /// The URL that works inside it.
    url: String,
    admin_url: String,
    drop_sql: String,
}

impl Scratch {
    async fn new(server: Server) -> Option<Scratch> {
        let base = server.base_url()?;
        let name = unique_name();
        // A plain connection (no search path) creates it.
        let admin = Db::builder(&base)
            .max_connections(1)
            .connect()
            .await
            .expect("connect to the server");
        let (create, drop_sql, url) = match server {
            Server::Postgres => {
                let sep = if base.contains('?') { '&' } else { '?' };
                (
                    format!("CREATE SCHEMA \"{name}\""),
                    format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"),
                    format!("{base}{sep}options=-c%20search_path%3D{name}"),
                )
            }
            Server::Mysql => {
                let (prefix, _) = base
                    .rsplit_once('/')
                    .expect("a MySQL URL ends in /database");
                (
                    format!("CREATE DATABASE `{name}`"),
                    format!("DROP DATABASE IF EXISTS `{name}`"),
                    format!("{prefix}/{name}"),
                )
            }
        };
        raw(create)
            .execute(&admin)
            .await
            .expect("create the scratch");
        admin.close().await;
        Some(Scratch {
            url,
            admin_url: base,
            drop_sql,
        })
    }

    /// A pool inside the scratch with the `users` table created.
    async fn db(&self, max_connections: u32) -> Db {
        let db = Db::builder(&self.url)
            .max_connections(max_connections)
            .connect()
            .await
            .expect("connect inside the scratch");
        User::create_table(&db).await.expect("create table");
        db
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let (url, sql) = (self.admin_url.clone(), self.drop_sql.clone());
        // Its own thread and runtime, so that it works inside a runtime and during a panic.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(db) = Db::builder(&url).max_connections(1).connect().await {
                    let _ = raw(sql).execute(&db).await;
                    db.close().await;
                }
            });
        })
        .join();
    }
}

/// `base` with its user information replaced by `userinfo` (`user` or `user:password`).
fn with_userinfo(base: &str, userinfo: &str) -> String {
    let (scheme, rest) = base.split_once("://").expect("a server URL");
    let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = match rest[..host_end].rsplit_once('@') {
        Some((_, host)) => host,
        None => &rest[..host_end],
    };
    format!("{scheme}://{userinfo}@{host}{}", &rest[host_end..])
}

/// A transaction that writes, then sleeps long enough to be cancelled, then writes again.
async fn slow_transaction(db: &Db, tag: usize) -> Result<(), Error> {
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

/// Runs a test body for `server`, skipping when its URL is unset.
macro_rules! server_test {
    ($name:ident, $server:expr, |$scratch:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread")]
        async fn $name() {
            let Some($scratch) = Scratch::new($server).await else {
                return;
            };
            $body
        }
    };
}

/// The tests every server runs, in a module per server.
macro_rules! server_tests {
    ($module:ident, $server:expr) => {
        mod $module {
            use super::*;

            server_test!(connects_with_the_dialect_and_pool_size, $server, |scratch| {
                let db = Db::builder(&scratch.url)
                    .max_connections(3)
                    .connect()
                    .await
                    .unwrap();
                assert_eq!(db.dialect(), $server.dialect());
                assert_eq!(db.max_connections(), 3);
                raw("SELECT 1").execute(&db).await.unwrap();
                db.close().await;
            });

            server_test!(round_trips_a_model, $server, |scratch| {
                let db = scratch.db(4).await;
                let mut ada = User::new("ada@example.com", 36);
                ada.nick = Some("countess".into());
                ada.avatar = Some(vec![0, 1, 2, 255]);
                ada.score = -2.25;
                let ada = ada.insert(&db).await.unwrap();
                // NULLs of every kind bind (typed on PostgreSQL).
                let bob = User::new("bob@example.com", 17).insert(&db).await.unwrap();
                assert!(ada.id > 0 && bob.id > ada.id, "{} {}", ada.id, bob.id);
                assert_eq!(ada.nick.as_deref(), Some("countess"));
                assert_eq!(ada.avatar.as_deref(), Some(&[0, 1, 2, 255][..]));
                assert_eq!(User::get(ada.id, &db).await.unwrap(), ada);
                assert_eq!(User::get(bob.id, &db).await.unwrap(), bob);
                assert_eq!(bob.nick, None);
                assert_eq!(bob.avatar, None);
                let adults = User::query()
                    .filter(User::AGE.ge(18))
                    .all(&db)
                    .await
                    .unwrap();
                assert_eq!(adults, std::slice::from_ref(&ada));
                assert_eq!(
                    User::query()
                        .filter(User::NICK.is_null())
                        .count(&db)
                        .await
                        .unwrap(),
                    1
                );
                assert!(matches!(
                    User::get(bob.id + 100, &db).await,
                    Err(Error::NotFound { .. })
                ));
            });

            server_test!(updating_to_identical_values_counts_the_row, $server, |scratch| {
                let db = scratch.db(2).await;
                let ada = User::new("ada@example.com", 36).insert(&db).await.unwrap();
                // Nothing changes, yet the row matched: not NotFound.
                ada.update(&db).await.unwrap();
                let n = raw("UPDATE users SET age = ? WHERE id = ?")
                    .bind(36)
                    .bind(ada.id)
                    .execute(&db)
                    .await
                    .unwrap();
                assert_eq!(n, 1, "affected rows count matched rows");
                let mut gone = ada.clone();
                gone.id += 1;
                assert!(matches!(gone.update(&db).await, Err(Error::NotFound { .. })));
            });

            server_test!(a_unique_violation_names_its_constraint, $server, |scratch| {
                let db = scratch.db(2).await;
                User::new("ada@example.com", 36).insert(&db).await.unwrap();
                match User::new("ada@example.com", 1).insert(&db).await {
                    Err(Error::UniqueViolation {
                        constraint,
                        message,
                    }) => {
                        assert!(constraint.contains("email"), "{constraint:?}");
                        assert!(!message.is_empty());
                    }
                    other => panic!("expected UniqueViolation, got {other:?}"),
                }
                assert_eq!(User::query().count(&db).await.unwrap(), 1);
            });

            server_test!(a_dropped_tx_leaves_no_transaction_open, $server, |scratch| {
                // One connection: whatever comes next must not be handed the dropped one.
                let db = scratch.db(1).await;
                {
                    let mut tx = db.begin().await.unwrap();
                    User::new("dropped@example.com", 1)
                        .insert(&mut tx)
                        .await
                        .unwrap();
                }
                assert_eq!(User::query().count(&db).await.unwrap(), 0);
                // The dropped transaction's row lock on the unique email is gone: the same
                // email goes in without waiting for it.
                let row = tokio::time::timeout(
                    Duration::from_secs(20),
                    User::new("dropped@example.com", 2).insert(&db),
                )
                .await
                .expect("the dropped transaction still holds its locks")
                .unwrap();
                // Autocommitted: another pool sees it, so no transaction was left open
                // around it.
                let other = Db::connect(&scratch.url).await.unwrap();
                assert_eq!(User::get(row.id, &other).await.unwrap(), row);
                assert_eq!(User::query().count(&other).await.unwrap(), 1);
                other.close().await;
            });

            server_test!(cancellation_at_any_point_is_safe, $server, |scratch| {
                let db = scratch.db(2).await;
                // Zero and growing timeouts cancel the transaction before, during and after
                // BEGIN, the inserts and the sleep, on a server that answers over a socket.
                for (tag, micros) in [0u64, 10, 100, 300, 1_000, 3_000, 10_000, 30_000]
                    .into_iter()
                    .enumerate()
                {
                    let outcome =
                        tokio::time::timeout(Duration::from_micros(micros), slow_transaction(&db, tag))
                            .await;
                    assert!(outcome.is_err(), "transaction {tag} finished despite its sleep");
                    // The pool still serves autocommitted writes, without waiting for locks
                    // a cancelled transaction would hold.
                    tokio::time::timeout(
                        Duration::from_secs(20),
                        User::new(&format!("ok-{tag}@example.com"), 5).insert(&db),
                    )
                    .await
                    .expect("a cancelled transaction still holds its locks")
                    .unwrap();
                }
                let other = Db::connect(&scratch.url).await.unwrap();
                let rows = User::query().all(&other).await.unwrap();
                assert_eq!(rows.len(), 8, "{rows:?}");
                assert!(
                    rows.iter().all(|u| u.email.starts_with("ok-")),
                    "partial data: {rows:?}"
                );
                other.close().await;
            });

            server_test!(a_cancelled_query_does_not_leak_its_result, $server, |scratch| {
                // One connection, so the next query runs where the cancelled one was in flight.
                let db = scratch.db(1).await;
                let ada = User::new("ada@example.com", 36).insert(&db).await.unwrap();
                let sleep = match $server {
                    Server::Postgres => {
                        "SELECT 99, 'slow', 1, NULL, NULL, 0.5::float8, TRUE FROM pg_sleep(0.3)"
                    }
                    Server::Mysql => "SELECT 99, 'slow', 1, NULL, NULL, 0.5e0, TRUE FROM (SELECT SLEEP(0.3)) AS s",
                };
                for micros in [0u64, 100, 1_000, 10_000, 100_000] {
                    let cancelled = tokio::time::timeout(
                        Duration::from_micros(micros),
                        raw(sleep).fetch_all::<User, _>(&db),
                    )
                    .await;
                    assert!(cancelled.is_err(), "the slow query finished in {micros} µs");
                    // The next statement gets its own answer, not the slow query's.
                    assert_eq!(User::get(ada.id, &db).await.unwrap(), ada);
                    assert_eq!(User::query().count(&db).await.unwrap(), 1);
                }
            });

            server_test!(commit_and_rollback, $server, |scratch| {
                let db = scratch.db(2).await;
                let mut tx = db.begin().await.unwrap();
                User::new("kept@example.com", 1)
                    .insert(&mut tx)
                    .await
                    .unwrap();
                tx.transaction(|inner| {
                    Box::pin(async move {
                        User::new("inner@example.com", 2).insert(&mut *inner).await?;
                        Err::<(), _>(Error::Cancelled {
                            message: "undo the savepoint".into(),
                        })
                    })
                })
                .await
                .unwrap_err();
                tx.commit().await.unwrap();
                let mut tx = db.begin().await.unwrap();
                User::new("rolled@example.com", 3)
                    .insert(&mut tx)
                    .await
                    .unwrap();
                tx.rollback().await.unwrap();
                let emails: Vec<String> = User::query()
                    .all(&db)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|u| u.email)
                    .collect();
                assert_eq!(emails, ["kept@example.com"]);
            });

            server_test!(a_wrong_password_is_an_authentication_error, $server, |scratch| {
                let base = &scratch.admin_url;
                // PostgreSQL with trust authentication accepts any password of a known
                // role, so the role is unknown too; MySQL checks the password.
                let userinfo = match $server {
                    Server::Postgres => "ambidex_no_such_role:hunter2-secret",
                    Server::Mysql => "ambidex:hunter2-secret",
                };
                let url = with_userinfo(base, userinfo);
                match Db::connect(&url).await {
                    Err(e @ Error::Authentication { .. }) => {
                        let (shown, debug) = (e.to_string(), format!("{e:?}"));
                        assert!(!shown.contains("hunter2"), "{shown}");
                        assert!(!debug.contains("hunter2"), "{debug}");
                        assert!(shown.contains("***"), "the URL is named, redacted: {shown}");
                        if $server == Server::Mysql {
                            assert!(!shown.contains("3484"), "a password was given: {shown}");
                        }
                    }
                    other => panic!("expected Authentication, got {other:?}"),
                }
            });

            server_test!(an_unreachable_server_is_a_connection_error, $server, |scratch| {
                let _ = &scratch;
                let url = match $server {
                    Server::Postgres => "postgres://u:hunter2@127.0.0.1:1/x",
                    Server::Mysql => "mysql://u:hunter2@127.0.0.1:1/x",
                };
                let started = std::time::Instant::now();
                match Db::builder(url)
                    .acquire_timeout(Duration::from_secs(20))
                    .connect()
                    .await
                {
                    Err(e @ Error::Connection { .. }) => {
                        assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
                    }
                    other => panic!("expected Connection, got {other:?}"),
                }
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "reported at once, not after the acquire timeout"
                );
            });

            server_test!(decimals_read_as_text_and_unknown_types_fail, $server, |scratch| {
                let db = scratch.db(1).await;
                // Shaped like the model: id, email, age, nick, avatar, score, active.
                let sql = match $server {
                    Server::Postgres => {
                        "SELECT 1, 'x', 0, CAST(-12.50 AS NUMERIC(6,2)), NULL::bytea, 0.5::float8, TRUE"
                    }
                    Server::Mysql => "SELECT 1, 'x', 0, CAST(-12.5 AS DECIMAL(6,2)), NULL, 0.5e0, TRUE",
                };
                let rows: Vec<User> = raw(sql).fetch_all(&db).await.unwrap();
                assert_eq!(rows[0].nick.as_deref(), Some("-12.50"));
                assert!(rows[0].active);
                // Dates, timestamps and times of day are read (docs/guide/types.md); an interval
                // or a geometry is not.
                let (sql, type_name) = match $server {
                    Server::Postgres => (
                        "SELECT 1, 'x', 0, NULL, NULL, 0.5::float8, INTERVAL '1 day'",
                        "INTERVAL",
                    ),
                    Server::Mysql => (
                        "SELECT 1, 'x', 0, NULL, NULL, 0.5e0, POINT(1, 2)",
                        "GEOMETRY",
                    ),
                };
                match raw(sql).fetch_all::<User, _>(&db).await {
                    Err(Error::Database { message, .. }) => {
                        assert!(message.to_uppercase().contains(type_name), "{message}");
                    }
                    other => panic!("expected Database, got {other:?}"),
                }
            });
        }
    };
}

#[cfg(feature = "postgres")]
server_tests!(postgres, Server::Postgres);
#[cfg(feature = "mysql")]
server_tests!(mysql, Server::Mysql);

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread")]
async fn postgres_honours_the_search_path_in_the_url() {
    let Some(scratch) = Scratch::new(Server::Postgres).await else {
        return;
    };
    let db = scratch.db(2).await;
    let schema = scratch
        .url
        .rsplit_once("%3D")
        .map(|(_, name)| name.to_string())
        .unwrap();
    // The table went into the scratch schema, on every pooled connection.
    for _ in 0..4 {
        let n = raw(
            "SELECT COUNT(*), 'x', 0, NULL, NULL, 0.5::float8, TRUE FROM information_schema.tables \
             WHERE table_schema = ? AND table_name = 'users' AND table_schema = current_schema()",
        )
        .bind(schema.as_str())
        .fetch_all::<User, _>(&db)
        .await
        .unwrap();
        assert_eq!(n[0].id, 1);
    }
}

#[cfg(feature = "mysql")]
#[tokio::test(flavor = "multi_thread")]
async fn mysql_without_a_password_explains_sqlx_3484() {
    let Some(base) = Server::Mysql.base_url() else {
        return;
    };
    let url = with_userinfo(&base, "ambidex_no_such_user");
    match Db::connect(&url).await {
        Err(Error::Authentication { url, message }) => {
            assert!(message.contains("3484"), "{message}");
            assert!(message.contains("empty password"), "{message}");
            assert!(url.contains("ambidex_no_such_user@"), "{url}");
        }
        other => panic!("expected Authentication, got {other:?}"),
    }
}
