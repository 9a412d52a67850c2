//! Secrets: a password in a connection URL never appears in the `Debug` of any builder,
//! handle or transaction, nor in the `Display` or `Debug` of the errors opening one
//! returns (issue 7, "Secrets and injection").
//!
//! Builders and errors need no server: the refused URL points at port 1. The opened
//! handles and their transactions are checked on PostgreSQL (its `trust` login ignores the
//! password, so a made-up one is accepted) and MariaDB (the password is the real one).
#![cfg(all(feature = "blocking", feature = "async"))]
// Without the `postgres` and `mysql` features the server-only items are unused.
#![allow(dead_code, unused_imports)]

mod support;
use support::{runtime, server_url};

/// A password that must never be printed.
const SECRET: &str = "hunter2secret";

/// Fails if `text` shows `password`.
fn assert_hidden(what: &str, text: &str, password: &str) {
    assert!(
        !text.contains(&format!(":{password}@")) && !text.contains(SECRET),
        "{what} shows the password: {text}"
    );
    println!("reliability_secrets: {what}: {text}");
}

/// Fails if the error's `Display` or `Debug` shows `password`, naming it as `what`.
fn assert_error_hidden(what: &str, e: &ambidex::Error, password: &str) {
    assert_hidden(&format!("{what} (Display)"), &e.to_string(), password);
    assert_hidden(&format!("{what} (Debug)"), &format!("{e:?}"), password);
}

/// `url` with its password replaced by `password` (or given one).
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (userinfo, host) = rest.split_once('@').expect("a URL with a user");
    let user = userinfo.split(':').next().unwrap_or(userinfo);
    format!("{scheme}://{user}:{password}@{host}")
}

#[test]
fn builders_never_print_passwords() {
    let url = format!("postgres://app:{SECRET}@127.0.0.1:1/app");
    let timeout = std::time::Duration::from_millis(200);
    let builders = [
        format!(
            "{:?}",
            ambidex::blocking::Db::builder(&url).statement_timeout(timeout)
        ),
        format!("{:?}", ambidex::blocking::SqlxDb::builder(&url)),
        format!("{:?}", ambidex::SqlxDb::builder(&url)),
        format!("{:?}", ambidex::DieselDb::builder(&url)),
        format!(
            "{:?}",
            ambidex::Db::builder(&url).engine(ambidex::Engine::Diesel)
        ),
    ];
    for text in &builders {
        assert!(
            text.contains("app:***@"),
            "the user stays, redacted: {text}"
        );
        assert_hidden("builder Debug", text, SECRET);
    }
}

/// Fails if connecting `ambidex::Db` to the unreachable `url` with either engine returns an
/// error that shows [`SECRET`].
async fn db_connect_errors_hide(url: &str, timeout: std::time::Duration) {
    for engine in [ambidex::Engine::Sqlx, ambidex::Engine::Diesel] {
        let e = ambidex::Db::builder(url)
            .engine(engine)
            .acquire_timeout(timeout)
            .connect()
            .await
            .expect_err("nothing listens on port 1");
        assert_error_hidden(&format!("Db ({engine}) connect"), &e, SECRET);
    }
}

#[test]
fn errors_opening_any_handle_never_print_passwords() {
    let short = std::time::Duration::from_secs(1);
    for scheme in ["postgres", "mysql"] {
        let url = format!("{scheme}://app:{SECRET}@127.0.0.1:1/app");
        let e = ambidex::blocking::Db::builder(&url)
            .acquire_timeout(short)
            .open()
            .expect_err("nothing listens on port 1");
        assert_error_hidden("blocking::Db open", &e, SECRET);
        let e = ambidex::blocking::SqlxDb::builder(&url)
            .acquire_timeout(short)
            .open()
            .expect_err("nothing listens on port 1");
        assert_error_hidden("blocking::SqlxDb open", &e, SECRET);
        let e = ambidex::DieselDb::builder(&url)
            .acquire_timeout(short)
            .open()
            .expect_err("nothing listens on port 1");
        assert_error_hidden("DieselDb open", &e, SECRET);
        runtime().block_on(async {
            let e = ambidex::SqlxDb::builder(&url)
                .acquire_timeout(short)
                .connect()
                .await
                .expect_err("nothing listens on port 1");
            assert_error_hidden("SqlxDb connect", &e, SECRET);
            db_connect_errors_hide(&url, short).await;
        });
    }
    // An unknown scheme and a bad SQLite option echo the URL: redacted.
    let e = ambidex::blocking::Db::open(&format!("oracle://app:{SECRET}@h/d")).unwrap_err();
    assert_error_hidden("unknown scheme", &e, SECRET);
}

/// Opens every handle on `url` (whose password is `password`) and checks the `Debug` of
/// each handle and of a transaction on it.
fn opened_handles_hide(url: &str, password: &str) {
    let db = ambidex::blocking::Db::open(url).expect("open");
    assert_hidden("blocking::Db", &format!("{db:?}"), password);
    assert_hidden("blocking::Db url()", db.url(), password);
    let tx = db.begin().expect("begin");
    assert_hidden("blocking::Tx", &format!("{tx:?}"), password);
    tx.rollback().expect("rollback");

    let db = ambidex::blocking::SqlxDb::open(url).expect("open");
    assert_hidden("blocking::SqlxDb", &format!("{db:?}"), password);
    let tx = db.begin().expect("begin");
    assert_hidden("blocking::SqlxTx", &format!("{tx:?}"), password);
    tx.rollback().expect("rollback");

    runtime().block_on(async {
        let db = ambidex::SqlxDb::connect(url).await.expect("open");
        assert_hidden("SqlxDb", &format!("{db:?}"), password);
        let tx = db.begin().await.expect("begin");
        assert_hidden("SqlxTx", &format!("{tx:?}"), password);
        tx.rollback().await.expect("rollback");

        let db = ambidex::DieselDb::connect(url).await.expect("open");
        assert_hidden("DieselDb", &format!("{db:?}"), password);
        assert_hidden("DieselDb url()", db.url(), password);
        let tx = db.begin().await.expect("begin");
        assert_hidden("DieselTx", &format!("{tx:?}"), password);
        tx.rollback().await.expect("rollback");

        for engine in [ambidex::Engine::Sqlx, ambidex::Engine::Diesel] {
            let db = ambidex::Db::builder(url)
                .engine(engine)
                .connect()
                .await
                .expect("open");
            assert_hidden(&format!("Db ({engine})"), &format!("{db:?}"), password);
            let tx = db.begin().await.expect("begin");
            assert_hidden(&format!("Tx ({engine})"), &format!("{tx:?}"), password);
            tx.rollback().await.expect("rollback");
        }
    });
}

#[cfg(feature = "postgres")]
#[test]
fn opened_postgres_handles_never_print_passwords() {
    if let Some(base) = server_url("AMBIDEX_POSTGRES_URL") {
        opened_handles_hide(&with_password(&base, SECRET), SECRET);
    }
}

#[cfg(feature = "mysql")]
#[test]
fn opened_mysql_handles_never_print_passwords() {
    if let Some(base) = server_url("AMBIDEX_MYSQL_URL") {
        let password = base
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .and_then(|(userinfo, _)| userinfo.split_once(':'))
            .map(|(_, p)| p.to_string())
            .expect("AMBIDEX_MYSQL_URL carries a password (sqlx cannot log in without one)");
        opened_handles_hide(&base, &password);
    }
}

/// The URLs of issue 19, item 8: a password as a query parameter, or holding a character
/// that ends the authority or the password for some parser (`#`, `/`, `?`, `@`).
fn odd_urls(scheme: &str, host: &str) -> Vec<String> {
    vec![
        format!("{scheme}://app@{host}/app?password={SECRET}"),
        format!("{scheme}://app@{host}/app?sslmode=disable&sslpassword={SECRET}"),
        format!("{scheme}://app:12/{SECRET}@{host}/app"),
        format!("{scheme}://app:12?{SECRET}@{host}/app"),
        format!("{scheme}://app:x#{SECRET}@{host}/app"),
        format!("{scheme}://app:a@{SECRET}@{host}/app"),
    ]
}

#[test]
fn query_and_unencoded_passwords_never_print() {
    let short = std::time::Duration::from_secs(1);
    for scheme in ["postgres", "mysql"] {
        for url in odd_urls(scheme, "127.0.0.1:1") {
            let builders = [
                format!("{:?}", ambidex::blocking::Db::builder(&url)),
                format!("{:?}", ambidex::blocking::SqlxDb::builder(&url)),
                format!("{:?}", ambidex::SqlxDb::builder(&url)),
                format!("{:?}", ambidex::DieselDb::builder(&url)),
                format!("{:?}", ambidex::Db::builder(&url)),
            ];
            for text in &builders {
                assert_hidden(&format!("builder Debug of {scheme}"), text, SECRET);
            }
            let e = ambidex::blocking::Db::builder(&url)
                .acquire_timeout(short)
                .open()
                .expect_err("nothing listens on port 1");
            assert_error_hidden("blocking::Db open", &e, SECRET);
            runtime().block_on(db_connect_errors_hide(&url, short));
        }
    }
}

/// Every field of every `tracing` event of this process, as text.
static EVENTS: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Records every event's fields into [`EVENTS`].
struct RecordEvents;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for RecordEvents {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={value:?} ", field.name()));
            }
        }
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let mut events = EVENTS.lock().unwrap_or_else(|p| p.into_inner());
        events.push_str(&fields.0);
        events.push('\n');
    }
}

#[cfg(feature = "postgres")]
#[test]
fn a_query_parameter_password_never_prints_on_postgres() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let Some(base) = server_url("AMBIDEX_POSTGRES_URL") else {
        return;
    };
    tracing_subscriber::registry().with(RecordEvents).init();
    // PostgreSQL's `trust` login ignores the password, so a made-up one is accepted.
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}password={SECRET}");
    opened_handles_hide(&url, SECRET);
    let events = EVENTS.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(
        events.contains("pool opened"),
        "the pools were opened: {events}"
    );
    assert_hidden("tracing events", &events, SECRET);
}
