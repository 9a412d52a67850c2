//! PostgreSQL: another session's compatible `ALTER COLUMN ... TYPE` no longer breaks every
//! later query of a connection that had prepared it (issue 19, item 6: "cached plan must
//! not change result type", SQLSTATE 0A000, until a restart).
//!
//! **Cells.** Only PostgreSQL prepares and caches statements whose result type a
//! concurrent `ALTER` can change under them (SQLite re-prepares a statement whose schema
//! changed by itself; MariaDB's server re-prepares too), and both engines cache them
//! (diesel by SQL text, sqlx per connection): so every PostgreSQL cell, all five handles
//! (`blocking::Db` and `DieselDb` on diesel, `blocking::SqlxDb`, `SqlxDb` and `Db` on sqlx).
//!
//! Each cell, on a pool of one connection (so every statement meets the cached one):
//! 1. warms the cache with a query, another connection changes `n` from `INTEGER` to
//!    `BIGINT`, and the same query succeeds (the engine drops its statement cache and
//!    sends the statement again, once, since no transaction is open);
//! 2. warms it again, another connection changes `s` from `VARCHAR(10)` to `TEXT`, and the
//!    query inside a transaction fails with the retryable `Error::StalePlan` (PostgreSQL
//!    has aborted the transaction: it cannot be sent again there); the transaction run
//!    again succeeds.
#![cfg(all(feature = "blocking", feature = "async", feature = "postgres"))]

use ambidex::Error;

mod support;
use support::{ServerScratch, runtime, server_url};

const QUERY: &str = "SELECT n, s FROM stale WHERE id = ?";
/// The table's one row.
fn expected() -> Vec<(i64, String)> {
    vec![(7, "abc".into())]
}

/// A schema of the cell's own with the table, and a second connection for the ALTERs.
fn setup() -> Option<(ServerScratch, ambidex::blocking::Db)> {
    let scratch = ServerScratch::new(&server_url("AMBIDEX_POSTGRES_URL")?);
    let other = ambidex::blocking::Db::builder(&scratch.url)
        .max_connections(1)
        .open()
        .expect("open the other session");
    ambidex::raw("CREATE TABLE stale (id BIGINT PRIMARY KEY, n INTEGER, s VARCHAR(10))")
        .execute(&other)
        .expect("create");
    ambidex::raw("INSERT INTO stale VALUES (1, 7, 'abc')")
        .execute(&other)
        .expect("insert");
    Some((scratch, other))
}

fn alter(other: &ambidex::blocking::Db, change: &str) {
    ambidex::raw(format!("ALTER TABLE stale ALTER COLUMN {change}"))
        .execute(other)
        .expect("alter from the other session");
}

fn assert_stale(cell: &str, outcome: ambidex::Result<Vec<(i64, String)>>) {
    match outcome {
        Err(e @ Error::StalePlan { .. }) => {
            assert!(e.is_retryable(), "{cell}: a stale plan must be retryable");
            println!("reliability_stale_plan {cell}: in a transaction: {e}");
        }
        other => panic!("{cell}: expected Error::StalePlan in the transaction, got {other:?}"),
    }
}

macro_rules! blocking_cell {
    ($test:ident, $handle:ty, $label:literal) => {
        #[test]
        fn $test() {
            let Some((scratch, other)) = setup() else {
                return;
            };
            let db = <$handle>::builder(&scratch.url)
                .max_connections(1)
                .open()
                .expect("open");
            let query = || {
                ambidex::raw(QUERY)
                    .bind(1i64)
                    .fetch_rows::<(i64, String), _>(&db)
            };
            assert_eq!(query().expect("warm"), expected());
            alter(&other, "n TYPE BIGINT");
            assert_eq!(
                query().expect(concat!($label, ": the query after the ALTER")),
                expected()
            );

            assert_eq!(query().expect("warm again"), expected());
            alter(&other, "s TYPE TEXT");
            let mut tx = db.begin().expect("begin");
            let outcome = ambidex::raw(QUERY)
                .bind(1i64)
                .fetch_rows::<(i64, String), _>(&mut tx);
            assert_stale($label, outcome);
            tx.rollback().expect("rollback");
            let mut tx = db.begin().expect("begin again");
            let rows = ambidex::raw(QUERY)
                .bind(1i64)
                .fetch_rows::<(i64, String), _>(&mut tx)
                .expect("the transaction run again");
            assert_eq!(rows, expected());
            tx.commit().expect("commit");
        }
    };
}

blocking_cell!(blocking_db, ambidex::blocking::Db, "postgres/blocking::Db");
blocking_cell!(
    blocking_sqlx,
    ambidex::blocking::SqlxDb,
    "postgres/blocking::SqlxDb"
);

macro_rules! async_cell {
    ($test:ident, $handle:ty, $label:literal) => {
        #[test]
        fn $test() {
            let Some((scratch, other)) = setup() else {
                return;
            };
            let rt = runtime();
            rt.block_on(async {
                let db = <$handle>::builder(&scratch.url)
                    .max_connections(1)
                    .connect()
                    .await
                    .expect("open");
                let query = || {
                    ambidex::raw(QUERY)
                        .bind(1i64)
                        .fetch_rows::<(i64, String), _>(&db)
                };
                assert_eq!(query().await.expect("warm"), expected());
                alter(&other, "n TYPE BIGINT");
                assert_eq!(
                    query()
                        .await
                        .expect(concat!($label, ": the query after the ALTER")),
                    expected()
                );

                assert_eq!(query().await.expect("warm again"), expected());
                alter(&other, "s TYPE TEXT");
                let mut tx = db.begin().await.expect("begin");
                let outcome = ambidex::raw(QUERY)
                    .bind(1i64)
                    .fetch_rows::<(i64, String), _>(&mut tx)
                    .await;
                assert_stale($label, outcome);
                tx.rollback().await.expect("rollback");
                let mut tx = db.begin().await.expect("begin again");
                let rows = ambidex::raw(QUERY)
                    .bind(1i64)
                    .fetch_rows::<(i64, String), _>(&mut tx)
                    .await
                    .expect("the transaction run again");
                assert_eq!(rows, expected());
                tx.commit().await.expect("commit");
            });
        }
    };
}

async_cell!(sqlx, ambidex::SqlxDb, "postgres/SqlxDb");
async_cell!(diesel, ambidex::DieselDb, "postgres/DieselDb");
async_cell!(default, ambidex::Db, "postgres/Db");
