//! What the `reliability_*` test binaries share: finding the servers, a runtime, and names
//! of a test's own.

#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub mod write_load;

/// The server URL in `var`, or `None` to skip; under `CI=true` a missing URL is a failure.
pub fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{var} is not set, and under CI=true server tests must not be skipped")
        }
        _ => None,
    }
}

/// A database of a test's own on a server: a PostgreSQL schema (set as the search path) or
/// a MariaDB database, dropped with this value.
pub struct ServerScratch {
    /// The URL to open.
    pub url: String,
    admin: String,
    cleanup: String,
}

impl ServerScratch {
    /// A fresh schema or database on the server `base` (`postgres://...`, `mysql://...`).
    pub fn new(base: &str) -> ServerScratch {
        let name = unique_name("ax_scratch");
        let admin = ambidex::blocking::Db::builder(base)
            .max_connections(1)
            .open()
            .expect("open the server");
        if base.starts_with("postgres") {
            ambidex::raw(format!("CREATE SCHEMA \"{name}\""))
                .execute(&admin)
                .expect("create a schema");
            let sep = if base.contains('?') { '&' } else { '?' };
            ServerScratch {
                url: format!("{base}{sep}options=-c%20search_path%3D{name}"),
                admin: base.to_string(),
                cleanup: format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"),
            }
        } else {
            ambidex::raw(format!("CREATE DATABASE `{name}`"))
                .execute(&admin)
                .expect("create a database");
            let (prefix, _) = base.rsplit_once('/').expect("a URL ending in /database");
            ServerScratch {
                url: format!("{prefix}/{name}"),
                admin: base.to_string(),
                cleanup: format!("DROP DATABASE IF EXISTS `{name}`"),
            }
        }
    }
}

impl Drop for ServerScratch {
    fn drop(&mut self) {
        if let Ok(db) = ambidex::blocking::Db::builder(&self.admin)
            .max_connections(1)
            .open()
        {
            let _ = ambidex::raw(self.cleanup.clone()).execute(&db);
        }
    }
}

/// Where a check runs: a fresh database of its own (a SQLite file, a PostgreSQL schema, a
/// MariaDB database), so the cells of a test never see each other's rows.
pub enum Place {
    /// A SQLite file in a temporary folder.
    Sqlite(tempfile::TempDir),
    /// A schema or database on a server.
    Server(ServerScratch),
}

impl Place {
    /// The URL to open.
    pub fn url(&self) -> String {
        match self {
            Place::Sqlite(dir) => format!("sqlite://{}", dir.path().join("test.db").display()),
            Place::Server(scratch) => scratch.url.clone(),
        }
    }
}

/// A fresh place on `backend` (`sqlite`, `postgres`, `mysql`), or `None` when its server
/// is not configured (a failure under `CI=true`, see [`server_url`]).
pub fn place(backend: &str) -> Option<Place> {
    match backend {
        "sqlite" => Some(Place::Sqlite(
            tempfile::tempdir().expect("temporary directory"),
        )),
        "postgres" => {
            server_url("AMBIDEX_POSTGRES_URL").map(|u| Place::Server(ServerScratch::new(&u)))
        }
        _ => server_url("AMBIDEX_MYSQL_URL").map(|u| Place::Server(ServerScratch::new(&u))),
    }
}

/// A two-worker multi-threaded runtime with timers and I/O.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// A name no other test (in this process or another) uses: `prefix_pid_n`.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000
    )
}

/// A small deterministic PRNG (xorshift64*), so a failing seed can be replayed.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Drops the inner future at its `n`th poll if it has not finished by then.
pub struct DropAtPoll<F> {
    /// The future, until it finishes or is dropped.
    pub inner: Option<Pin<Box<F>>>,
    /// Polls left before the drop.
    pub polls_left: u32,
}

impl<F: Future> Future for DropAtPoll<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.polls_left == 0 {
            self.inner = None;
            return Poll::Ready(None);
        }
        self.polls_left -= 1;
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        inner.as_mut().poll(cx).map(Some)
    }
}
