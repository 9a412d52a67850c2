//! What the ambidex-cli test binaries share: a database of the test's own on each backend
//! (a SQLite file, a PostgreSQL schema, a MariaDB database), through the facade's test
//! support module.

#![allow(dead_code)]

#[path = "../../../tests/support/mod.rs"]
pub mod support;

/// A database of a test's own; dropped (server) or deleted (SQLite file) at the end.
pub struct Scratch {
    /// The URL to open.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    _server: Option<support::ServerScratch>,
}

/// A SQLite file in a temporary directory.
pub fn sqlite() -> Scratch {
    let dir = tempfile::tempdir().expect("temporary directory");
    Scratch {
        url: format!("sqlite://{}", dir.path().join("app.db").display()),
        _dir: Some(dir),
        _server: None,
    }
}

/// A PostgreSQL schema of its own, or `None` (skip) without `AMBIDEX_POSTGRES_URL`.
pub fn postgres() -> Option<Scratch> {
    server("AMBIDEX_POSTGRES_URL")
}

/// A MariaDB database of its own, or `None` (skip) without `AMBIDEX_MYSQL_URL`.
pub fn mysql() -> Option<Scratch> {
    server("AMBIDEX_MYSQL_URL")
}

fn server(var: &str) -> Option<Scratch> {
    let base = support::server_url(var)?;
    let scratch = support::ServerScratch::new(&base);
    Some(Scratch {
        url: scratch.url.clone(),
        _dir: None,
        _server: Some(scratch),
    })
}

/// The scratch database for a backend named `sqlite`, `postgres` or `mysql`.
pub fn scratch(backend: &str) -> Option<Scratch> {
    match backend {
        "sqlite" => Some(sqlite()),
        "postgres" => postgres(),
        "mysql" => mysql(),
        other => panic!("unknown backend {other}"),
    }
}
