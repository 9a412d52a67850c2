//! Test helpers (feature `testing`): a fresh database of a test's own, with the app's
//! migrations applied, dropped afterwards, even when the test panics.
//!
//! Tests that share one database see each other's rows and cannot run in parallel;
//! [`TestDb`] gives each test its own: a SQLite file in a temporary folder, a schema on
//! PostgreSQL (the URL sets it as the `search_path`), or a database on MariaDB. The server
//! comes from `AMBIDEX_TEST_DATABASE_URL`, never from `DATABASE_URL`, so a test run can
//! never touch the app's own database; unset, tests run on SQLite.
//!
//! ```
//! # #[cfg(all(feature = "blocking", feature = "sqlite"))] {
//! use ambidex::migrate::{Migration, Migrations};
//! use ambidex::testing::TestDb;
//!
//! let migrations = Migrations::new(vec![
//!     Migration::new(1, "create_notes")
//!         .up("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);")
//!         .down("DROP TABLE notes;"),
//! ])?;
//! let test_db = TestDb::from_env()?.migrated(&migrations)?;
//! let db = test_db.blocking()?;           // async: test_db.connect().await?
//! ambidex::raw("INSERT INTO notes (body) VALUES (?)").bind("hi").execute(&db)?;
//! # }
//! # Ok::<(), ambidex::Error>(())
//! ```
//!
//! Dropping the `TestDb` drops its schema or database (the SQLite folder is deleted);
//! handles opened on it should be dropped first. A test process killed outright leaves
//! its database behind: the names start with `ambidex_test_`, to be found and dropped.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::migrate::Migrations;
use crate::{Error, Result};

/// The variable naming the server tests run on (`postgres://...`, `mysql://...`,
/// `sqlite:`); unset or empty: SQLite.
pub const TEST_DATABASE_URL: &str = "AMBIDEX_TEST_DATABASE_URL";

/// A database of one test's own; see the module docs.
pub struct TestDb {
    url: String,
    /// The server's URL and the statement that drops this database, for a server.
    cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb")
            .field("url", &crate::redact_url(&self.url))
            .finish_non_exhaustive()
    }
}

/// A name no other test of any process uses at the same time.
fn unique_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "ambidex_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDb {
    /// On the server `AMBIDEX_TEST_DATABASE_URL` names, or on SQLite when it is unset.
    pub fn from_env() -> Result<TestDb> {
        match std::env::var(TEST_DATABASE_URL) {
            Ok(url) if !url.trim().is_empty() => TestDb::on(url.trim()),
            _ => TestDb::sqlite(),
        }
    }

    /// A fresh SQLite database file in a temporary folder of its own.
    pub fn sqlite() -> Result<TestDb> {
        let dir = tempfile::Builder::new()
            .prefix("ambidex_test_")
            .tempdir()
            .map_err(|e| Error::Config(format!("cannot create a temporary folder: {e}").into()))?;
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Ok(TestDb {
            url,
            cleanup: None,
            _dir: Some(dir),
        })
    }

    /// A fresh database of its own on the server `base` reaches: a new schema on
    /// PostgreSQL, a new database on MySQL/MariaDB (the user needs the right to create
    /// them); a `sqlite:` URL gives a fresh file, as [`TestDb::sqlite`].
    pub fn on(base: &str) -> Result<TestDb> {
        let name = unique_name();
        let (url, create, drop) = match crate::Target::parse(base)?.dialect() {
            crate::Dialect::Sqlite => return TestDb::sqlite(),
            crate::Dialect::Postgres => {
                let sep = if base.contains('?') { '&' } else { '?' };
                (
                    format!("{base}{sep}options=-c%20search_path%3D{name}"),
                    format!("CREATE SCHEMA \"{name}\""),
                    format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"),
                )
            }
            crate::Dialect::Mysql => {
                let (server, query) = match base.split_once('?') {
                    Some((server, query)) => (server, format!("?{query}")),
                    None => (base, String::new()),
                };
                let (prefix, _) = server
                    .rsplit_once('/')
                    .ok_or_else(|| Error::Config("a MySQL URL ends with /database".into()))?;
                (
                    format!("{prefix}/{name}{query}"),
                    format!("CREATE DATABASE `{name}`"),
                    format!("DROP DATABASE IF EXISTS `{name}`"),
                )
            }
        };
        let admin = crate::blocking::Db::builder(base)
            .max_connections(1)
            .open()?;
        crate::raw(create).execute(&admin)?;
        Ok(TestDb {
            url,
            cleanup: Some((base.to_string(), drop)),
            _dir: None,
        })
    }

    /// Applies `migrations` (the app's, say `ambidex::embed_migrations!`) and returns the
    /// database.
    pub fn migrated(self, migrations: &Migrations) -> Result<TestDb> {
        let db = crate::blocking::Db::builder(&self.url)
            .max_connections(1)
            .open()?;
        migrations.run(&db)?;
        Ok(self)
    }

    /// The database's URL, to open any handle on it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A blocking handle on the database.
    pub fn blocking(&self) -> Result<crate::blocking::Db> {
        crate::blocking::Db::open(&self.url)
    }

    /// An async handle on the database.
    #[cfg(feature = "async")]
    pub async fn connect(&self) -> Result<crate::Db> {
        crate::Db::connect(&self.url).await
    }
}

impl Drop for TestDb {
    /// Drops the schema or database, on a thread of its own (the blocking handle that
    /// does it must not run on an async runtime's thread), even while a test panics.
    fn drop(&mut self) {
        let Some((base, drop)) = self.cleanup.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let admin = crate::blocking::Db::builder(&base)
                .max_connections(1)
                .open()?;
            crate::raw(drop).execute(&admin).map(|_| ())
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!(
                "ambidex::testing: could not drop the test database of {}: {e}",
                crate::redact_url(&self.url)
            );
        }
    }
}
