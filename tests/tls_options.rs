//! TLS options in connection URLs, on both engines and every handle (issue 7, "Secrets and
//! injection"): `sslmode` (or `ssl-mode`) reaches diesel (libpq, libmysqlclient) and sqlx
//! in the spelling each reads.
//!
//! - `sslmode=disable` and `sslmode=prefer` open and query on every server;
//! - `sslmode=require` against a server without TLS (the loopback MariaDB) fails with a
//!   typed `Error::Connection` that says TLS was required, never printing the password;
//!   against a server with TLS (the loopback PostgreSQL when `ssl = on`) it opens. diesel
//!   on MariaDB Connector/C, which ignores `ssl_mode`, checks the session's cipher and
//!   refuses a connection in the clear;
//! - `sslmode=verify-full` without a certificate authority the server's certificate chains
//!   to fails with a typed error rather than connecting unverified.
//!
//! Server cells run when `AMBIDEX_POSTGRES_URL` / `AMBIDEX_MYSQL_URL` are set; under
//! `CI=true` a missing URL fails the test.
#![cfg(all(feature = "blocking", feature = "async"))]
#![allow(dead_code)]

use ambidex::Error;

mod support;
use support::runtime;
#[cfg(any(feature = "postgres", feature = "mysql"))]
use support::server_url;

/// How long opening waits: a refused connection is reported after it (the blocking pool
/// waits this long for its first connection before it reports why it got none).
const ACQUIRE: std::time::Duration = std::time::Duration::from_secs(3);

/// `url` with the TLS mode `mode` added (as `key=mode`).
fn with_mode(url: &str, key: &str, mode: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={mode}")
}

/// Whether the server answers TLS (`SHOW ssl` on PostgreSQL, `have_ssl` on MariaDB).
fn server_has_tls(url: &str) -> bool {
    let db = ambidex::blocking::Db::open(url).expect("open the server");
    let sql = if url.starts_with("postgres") {
        "SELECT CASE WHEN current_setting('ssl') = 'on' THEN 1 ELSE 0 END::bigint"
    } else {
        "SELECT CAST(@@have_ssl = 'YES' AS SIGNED)"
    };
    ambidex::raw(sql)
        .fetch_rows::<i64, _>(&db)
        .expect("ask the server about TLS")
        == [1]
}

/// Opens `url` with every handle; each result is `Ok(())` after one query, or the error.
fn open_everywhere(url: &str) -> Vec<(&'static str, ambidex::Result<()>)> {
    let query = "SELECT 1";
    let mut out = Vec::new();
    let blocking = ambidex::blocking::Db::builder(url)
        .acquire_timeout(ACQUIRE)
        .open()
        .and_then(|db| ambidex::raw(query).execute(&db).map(drop));
    out.push(("blocking::Db", blocking));
    let blocking_sqlx = ambidex::blocking::SqlxDb::builder(url)
        .acquire_timeout(ACQUIRE)
        .open()
        .and_then(|db| ambidex::raw(query).execute(&db).map(drop));
    out.push(("blocking::SqlxDb", blocking_sqlx));
    let rt = runtime();
    rt.block_on(async {
        let sqlx = match ambidex::SqlxDb::builder(url)
            .acquire_timeout(ACQUIRE)
            .connect()
            .await
        {
            Ok(db) => ambidex::raw(query).execute(&db).await.map(drop),
            Err(e) => Err(e),
        };
        out.push(("SqlxDb", sqlx));
        let diesel = match ambidex::DieselDb::builder(url)
            .acquire_timeout(ACQUIRE)
            .connect()
            .await
        {
            Ok(db) => ambidex::raw(query).execute(&db).await.map(drop),
            Err(e) => Err(e),
        };
        out.push(("DieselDb", diesel));
    });
    out
}

/// The checks for one server URL.
fn check_server(base: &str, label: &str) {
    // The password, if any, must never appear in an error.
    let password = base
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, p)| p.to_string())
        .filter(|p| !p.is_empty());
    for (key, mode) in [("sslmode", "disable"), ("ssl-mode", "prefer")] {
        for (handle, result) in open_everywhere(&with_mode(base, key, mode)) {
            assert!(
                result.is_ok(),
                "{label}/{handle}: {key}={mode} must connect: {result:?}"
            );
        }
    }
    let tls = server_has_tls(base);
    for (handle, result) in open_everywhere(&with_mode(base, "sslmode", "require")) {
        match (&result, tls) {
            (Ok(()), true) => {}
            (Err(Error::Connection { message, .. }), false) => {
                let lower = message.to_lowercase();
                assert!(
                    lower.contains("ssl") || lower.contains("tls"),
                    "{label}/{handle}: the error must say TLS was required: {message}"
                );
            }
            _ => panic!(
                "{label}/{handle}: sslmode=require against a server {} TLS gave {result:?}",
                if tls { "with" } else { "without" }
            ),
        }
        if let (Err(e), Some(p)) = (&result, &password) {
            // (As `user:password@`: the test user's name may equal its password.)
            let shown = format!(":{p}@");
            assert!(
                !format!("{e} {e:?}").contains(&shown),
                "{label}/{handle}: {e}"
            );
        }
        println!("tls_options {label}/{handle}: sslmode=require (server TLS: {tls}): {result:?}");
    }
    // verify-full with a certificate authority that signed nothing the server has.
    let no_ca = with_mode(
        &with_mode(base, "sslmode", "verify-full"),
        "sslrootcert",
        "/nonexistent/ambidex-ca.pem",
    );
    for (handle, result) in open_everywhere(&no_ca) {
        assert!(
            matches!(result, Err(Error::Connection { .. } | Error::Config(_))),
            "{label}/{handle}: verify-full without a usable CA must fail typed, got {result:?}"
        );
        println!("tls_options {label}/{handle}: sslmode=verify-full, no CA: {result:?}");
    }
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_tls_modes() {
    if let Some(url) = server_url("AMBIDEX_POSTGRES_URL") {
        check_server(&url, "postgres");
    }
}

#[cfg(feature = "mysql")]
#[test]
fn mariadb_tls_modes() {
    if let Some(url) = server_url("AMBIDEX_MYSQL_URL") {
        check_server(&url, "mysql");
    }
}
