//! `ambidex::testing::TestDb` (issue 23: "test helpers"): each test gets a database of its
//! own with the migrations applied, in both worlds, and it is gone afterwards, also when
//! the test panicked.
//!
//! **Cells.** SQLite always; PostgreSQL and MariaDB when `AMBIDEX_POSTGRES_URL` /
//! `AMBIDEX_MYSQL_URL` are set (under `CI=true` they must be).
#![cfg(all(feature = "testing", feature = "async", feature = "sqlite"))]

use ambidex::migrate::{Migration, Migrations};
use ambidex::testing::TestDb;

mod support;
use support::runtime;
#[cfg(any(feature = "postgres", feature = "mysql"))]
use support::server_url;

fn migrations() -> Migrations {
    Migrations::new(vec![
        Migration::new(1, "create_notes")
            .up("CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(100) NOT NULL);")
            .down("DROP TABLE notes;"),
    ])
    .expect("migrations")
}

/// Writes through a blocking handle, reads through an async one: the same database, with
/// the migrated table, and nobody else's rows.
fn use_it(test_db: &TestDb) {
    let db = test_db.blocking().expect("blocking handle");
    ambidex::raw("INSERT INTO notes (id, body) VALUES (?, ?)")
        .bind(1)
        .bind("mine")
        .execute(&db)
        .expect("insert");
    let rows = runtime().block_on(async {
        let db = test_db.connect().await.expect("async handle");
        ambidex::raw("SELECT id, body FROM notes")
            .fetch_rows::<(i64, String), _>(&db)
            .await
            .expect("read")
    });
    assert_eq!(rows, [(1, "mine".to_string())]);
}

#[test]
fn sqlite_databases_are_separate_and_removed() {
    let a = TestDb::sqlite().unwrap().migrated(&migrations()).unwrap();
    let b = TestDb::sqlite().unwrap().migrated(&migrations()).unwrap();
    assert_ne!(a.url(), b.url());
    use_it(&a);
    use_it(&b); // the same key again: b does not see a's row
    let file = a.url().trim_start_matches("sqlite://").to_string();
    assert!(std::path::Path::new(&file).exists());
    drop(a);
    assert!(
        !std::path::Path::new(&file).exists(),
        "the folder is removed"
    );
}

/// Whether the schema (PostgreSQL) or database (MariaDB) of `url` still exists on `base`.
#[cfg(any(feature = "postgres", feature = "mysql"))]
fn exists(base: &str, url: &str) -> bool {
    let name = if base.starts_with("postgres") {
        url.rsplit("%3D").next()
    } else {
        url.rsplit('/').next()
    }
    .expect("a name")
    .to_string();
    assert!(name.starts_with("ambidex_test_"), "{name}");
    let db = ambidex::blocking::Db::open(base).expect("open the server");
    let sql = if base.starts_with("postgres") {
        "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?"
    } else {
        "SELECT COUNT(*) FROM information_schema.schemata WHERE SCHEMA_NAME = ?"
    };
    let n: Vec<(i64,)> = ambidex::raw(sql).bind(name).fetch_rows(&db).expect("look");
    n[0].0 == 1
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
fn server_cell(var: &str) {
    let Some(base) = server_url(var) else {
        return;
    };
    let a = TestDb::on(&base).unwrap().migrated(&migrations()).unwrap();
    let b = TestDb::on(&base).unwrap().migrated(&migrations()).unwrap();
    use_it(&a);
    use_it(&b);
    let url = a.url().to_string();
    assert!(exists(&base, &url));
    drop(a);
    assert!(!exists(&base, &url), "{var}: dropped with its TestDb");

    // A test that panics still drops its database.
    let seen = std::thread::spawn({
        let base = base.clone();
        move || {
            let test_db = TestDb::on(&base).unwrap();
            let url = test_db.url().to_string();
            std::panic::panic_any(url);
        }
    })
    .join()
    .expect_err("the test panicked");
    let url = seen.downcast::<String>().expect("the URL");
    assert!(!exists(&base, &url), "{var}: dropped while panicking");
}

// The server cells need their backend compiled in: `cargo test` at the root enables
// `testing` (the tutorial's example asks for it) but no server backend.
#[cfg(feature = "postgres")]
#[test]
fn postgres_schemas_are_separate_and_dropped() {
    server_cell("AMBIDEX_POSTGRES_URL");
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_databases_are_separate_and_dropped() {
    server_cell("AMBIDEX_MYSQL_URL");
}
