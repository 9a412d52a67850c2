//! Opening databases: URL forms, in-memory databases, configuration errors, pool limits,
//! and that passwords never show.
// These tests run on SQLite files.
#![cfg(feature = "sqlite")]

mod common;

use std::time::Duration;

use ambidex_async::Db;
use ambidex_core::{Dialect, Error, Model, raw};
use common::{User, temp_db_with};

#[tokio::test(flavor = "multi_thread")]
async fn every_sqlite_url_form_opens_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forms.db");
    for url in [
        format!("sqlite://{}", path.display()),
        format!("sqlite:{}", path.display()),
    ] {
        let db = Db::connect(&url).await.unwrap();
        assert_eq!(db.dialect(), Dialect::Sqlite);
        User::create_table(&db).await.unwrap();
        db.close().await;
    }
    assert!(path.exists(), "the database file should have been created");
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_are_set_up_by_the_dialect() {
    let (_dir, db) = temp_db_with(Some(2)).await;
    // Read the settings back through a raw query shaped like the model: id, email, ...
    let rows: Vec<User> = raw(
        "SELECT (SELECT * FROM pragma_foreign_keys), (SELECT * FROM pragma_journal_mode), \
         (SELECT * FROM pragma_busy_timeout), NULL, NULL, (SELECT * FROM pragma_synchronous), 1",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(rows[0].id, 1, "foreign keys");
    assert_eq!(rows[0].email, "wal");
    assert_eq!(rows[0].age, 5000, "busy timeout");
    assert_eq!(rows[0].score, 1.0, "synchronous = NORMAL");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_in_memory_database_uses_one_connection_and_survives_a_dropped_tx() {
    let db = Db::builder("sqlite::memory:")
        .max_connections(8)
        .connect()
        .await
        .unwrap();
    assert_eq!(db.max_connections(), 1);
    User::create_table(&db).await.unwrap();
    User::new("kept@example.com", 1).insert(&db).await.unwrap();
    {
        let mut tx = db.begin().await.unwrap();
        User::new("dropped@example.com", 2)
            .insert(&mut tx)
            .await
            .unwrap();
    }
    // The only pooled connection was closed; the database (and its table) live on.
    let rows = User::query().all(&db).await.unwrap();
    assert_eq!(
        rows.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(),
        ["kept@example.com"]
    );

    // Two in-memory pools are two databases.
    let other = Db::connect("sqlite::memory:").await.unwrap();
    assert!(raw("SELECT * FROM users").execute(&other).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_urls_are_configuration_errors() {
    for url in ["oracle://x/y", "app.db", "sqlite://"] {
        assert!(
            matches!(Db::connect(url).await, Err(Error::Config(_))),
            "{url}"
        );
    }
    // A server backend that is not compiled in is refused, naming its feature.
    let disabled = [
        (
            "postgres://app:s3cret@db/x",
            "postgres",
            cfg!(feature = "postgres"),
        ),
        ("mysql://app:s3cret@db/x", "mysql", cfg!(feature = "mysql")),
    ];
    for (url, feature, _) in disabled.into_iter().filter(|(_, _, compiled)| !compiled) {
        match Db::connect(url).await {
            Err(Error::Config(message)) => {
                assert!(message.contains(feature), "{message}");
                assert!(!message.contains("s3cret"), "{message}");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    assert!(matches!(
        Db::builder("sqlite::memory:")
            .max_connections(0)
            .connect()
            .await,
        Err(Error::Config(_))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unopenable_file_is_a_connection_error() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("missing-dir").join("x.db").display()
    );
    match Db::connect(&url).await {
        Err(Error::Connection { url: shown, .. }) => assert!(shown.contains("missing-dir")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exhausted_pool_times_out_with_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("busy.db").display());
    let db = Db::builder(&url)
        .max_connections(1)
        .acquire_timeout(Duration::from_millis(100))
        .connect()
        .await
        .unwrap();
    User::create_table(&db).await.unwrap();
    let held = db.begin().await.unwrap();
    match User::query().count(&db).await {
        Err(Error::PoolTimeout { waited, pool_size }) => {
            assert_eq!(pool_size, 1);
            assert!(waited >= Duration::from_millis(90), "{waited:?}");
        }
        other => panic!("{other:?}"),
    }
    held.rollback().await.unwrap();
    assert_eq!(User::query().count(&db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_output_never_shows_passwords() {
    let builder = Db::builder("postgres://app:hunter2@db:5432/x").max_connections(3);
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains("hunter2") && shown.contains("app:***@db"),
        "{shown}"
    );

    let db = Db::connect("sqlite::memory:").await.unwrap();
    let shown = format!("{db:?}");
    assert!(
        shown.contains("sqlite::memory:") && shown.contains("Sqlite"),
        "{shown}"
    );
    let tx = db.begin().await.unwrap();
    assert!(format!("{tx:?}").contains("depth: 1"));
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pool_refuses_work() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    db.close().await;
    assert!(matches!(
        raw("SELECT 1").execute(&db).await,
        Err(Error::Connection { .. })
    ));
}
