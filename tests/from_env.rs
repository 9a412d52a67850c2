//! Every handle opens the database `DATABASE_URL` names, with the pool settings of
//! `DATABASE_MAX_CONNECTIONS`, `DATABASE_ACQUIRE_TIMEOUT` and `DATABASE_STATEMENT_TIMEOUT`
//! (issue 23: "configuration from the environment"), and refuses a missing URL or a bad
//! setting with `Error::Config` before opening anything.
//!
//! One test function, in a binary of its own: it changes the process environment, which
//! no other test may read at the same time.
#![cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]

use std::time::Duration;

use ambidex::Error;

fn set(name: &str, value: Option<&str>) {
    // SAFETY: this binary's only test runs on its own and starts no thread before the
    // environment is set; nothing else in the process reads the environment meanwhile.
    unsafe {
        match value {
            Some(v) => std::env::set_var(name, v),
            None => std::env::remove_var(name),
        }
    }
}

/// The pool size and statement timeout a handle's `Debug` shows.
fn shows(debug: String, max: u32) {
    assert!(
        debug.contains(&format!("max_connections: {max}"))
            || debug.contains(&format!("max_connections: Some({max})")),
        "{debug}"
    );
}

#[test]
fn every_handle_opens_from_the_environment() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("env.db").display());

    set("DATABASE_URL", None);
    let missing = ambidex::blocking::Db::from_env().unwrap_err();
    assert!(matches!(missing, Error::Config(_)), "{missing:?}");
    assert!(
        missing.to_string().contains("DATABASE_URL is not set"),
        "{missing}"
    );

    set("DATABASE_URL", Some(&url));
    set("DATABASE_MAX_CONNECTIONS", Some("3"));
    set("DATABASE_ACQUIRE_TIMEOUT", Some("250ms"));
    set("DATABASE_STATEMENT_TIMEOUT", Some("2s"));

    let db = ambidex::blocking::Db::from_env().expect("blocking::Db");
    assert_eq!(db.max_connections(), 3);
    assert_eq!(db.acquire_timeout(), Duration::from_millis(250));
    assert_eq!(db.statement_timeout(), Some(Duration::from_secs(2)));
    ambidex::raw("CREATE TABLE seen (id INTEGER PRIMARY KEY)")
        .execute(&db)
        .expect("create");
    ambidex::raw("INSERT INTO seen VALUES (1)")
        .execute(&db)
        .expect("insert");
    let count = || "SELECT COUNT(*) FROM seen";

    let sqlx = ambidex::blocking::SqlxDb::from_env().expect("blocking::SqlxDb");
    assert_eq!(
        ambidex::raw(count())
            .fetch_rows::<(i64,), _>(&sqlx)
            .expect("read"),
        [(1,)],
        "the same file"
    );
    shows(format!("{sqlx:?}"), 3);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let async_db = ambidex::Db::from_env().await.expect("Db");
        assert_eq!(async_db.max_connections(), 3);
        let sqlx_db = ambidex::SqlxDb::from_env().await.expect("SqlxDb");
        assert_eq!(sqlx_db.max_connections(), 3);
        let diesel_db = ambidex::DieselDb::from_env().await.expect("DieselDb");
        assert_eq!(diesel_db.max_connections(), 3);
        for rows in [
            ambidex::raw(count())
                .fetch_rows::<(i64,), _>(&async_db)
                .await,
            ambidex::raw(count())
                .fetch_rows::<(i64,), _>(&sqlx_db)
                .await,
            ambidex::raw(count())
                .fetch_rows::<(i64,), _>(&diesel_db)
                .await,
        ] {
            assert_eq!(rows.expect("read"), [(1,)]);
        }
        // A builder from the environment takes more settings on top.
        let tuned = ambidex::Db::builder_from_env()
            .expect("builder")
            .max_connections(5)
            .connect()
            .await
            .expect("tuned");
        assert_eq!(tuned.max_connections(), 5);
    });

    // A setting that does not parse is an error naming it, before anything is opened.
    set("DATABASE_ACQUIRE_TIMEOUT", Some("30"));
    let bad = ambidex::blocking::SqlxDb::from_env().unwrap_err();
    assert!(matches!(bad, Error::Config(_)), "{bad:?}");
    assert!(
        bad.to_string().contains("DATABASE_ACQUIRE_TIMEOUT=\"30\""),
        "{bad}"
    );
    let bad = rt.block_on(ambidex::DieselDb::from_env()).unwrap_err();
    assert!(bad.to_string().contains("with a unit"), "{bad}");
}
