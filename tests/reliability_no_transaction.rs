//! A migration marked `-- ambidex: no-transaction` runs outside a transaction on
//! PostgreSQL and MariaDB (issue 19, item 14; SQLite's cells are in
//! `reliability_sqlite_rebuild.rs`): PostgreSQL's `CREATE INDEX CONCURRENTLY` can be
//! migrated, the history row is written only after the last statement succeeded, the
//! migration lock is held meanwhile (PostgreSQL: the session's advisory lock; MariaDB: the
//! run's `GET_LOCK`) and free afterwards, and a failure says nothing was rolled back.
//!
//! **Cells.** PostgreSQL and MariaDB, each with `blocking::Db` (diesel) and `SqlxDb`
//! (sqlx, async): the runner is shared, the engines differ in how they send statements.
#![cfg(all(
    feature = "blocking",
    feature = "async",
    feature = "postgres",
    feature = "mysql"
))]

use ambidex::migrate::{Migration, MigrationState, Migrations};

mod support;
use support::{ServerScratch, runtime, server_url};

/// A migration call on the handle: how many migrations it applied or reverted.
type Runs = Box<dyn Fn(&Migrations) -> ambidex::Result<usize>>;

/// One handle under test, as closures over it.
struct Cell {
    name: String,
    run: Runs,
    revert: Runs,
}

fn cells(backend: &str, url: &str) -> Vec<Cell> {
    let blocking = ambidex::blocking::Db::builder(url)
        .max_connections(1)
        .open()
        .expect("open");
    let rt = std::rc::Rc::new(runtime());
    let sqlx = rt
        .block_on(ambidex::SqlxDb::builder(url).max_connections(1).connect())
        .expect("open");
    let (a, b) = (blocking.clone(), blocking);
    let (c, d) = (sqlx.clone(), sqlx);
    let (rc, rd) = (rt.clone(), rt);
    vec![
        Cell {
            name: format!("{backend}/blocking::Db"),
            run: Box::new(move |set| set.run(&a).map(|v| v.len())),
            revert: Box::new(move |set| set.revert(1, &b).map(|v| v.len())),
        },
        Cell {
            name: format!("{backend}/SqlxDb"),
            run: Box::new(move |set| rc.block_on(set.run(&c)).map(|v| v.len())),
            revert: Box::new(move |set| rd.block_on(set.revert(1, &d)).map(|v| v.len())),
        },
    ]
}

/// Whether the migration lock of the scratch database is free: another session takes it
/// at once (and gives it back).
fn lock_is_free(backend: &str, admin: &ambidex::blocking::Db) -> bool {
    let sql = if backend == "postgres" {
        "SELECT CASE WHEN pg_try_advisory_lock(7031, hashtext(current_schema())) \
         THEN CAST(pg_advisory_unlock(7031, hashtext(current_schema())) AS INT) ELSE 0 END"
    } else {
        "SELECT IS_FREE_LOCK(CONCAT('ambidex_migrations.', LEFT(DATABASE(), 40)))"
    };
    ambidex::raw(sql).fetch_rows::<i64, _>(admin).expect("lock")[0] == 1
}

fn count(db: &ambidex::blocking::Db, sql: &str) -> i64 {
    ambidex::raw(sql).fetch_rows::<i64, _>(db).expect("count")[0]
}

fn no_transaction(backend: &str, var: &str) {
    let Some(base) = server_url(var) else { return };
    let scratch = ServerScratch::new(&base);
    let admin = ambidex::blocking::Db::builder(&scratch.url)
        .max_connections(1)
        .open()
        .expect("open");
    // The statement that needs to run outside a transaction: PostgreSQL's concurrent index.
    let index = if backend == "postgres" {
        "CREATE INDEX CONCURRENTLY ix_{t} ON {t} (x)"
    } else {
        "CREATE INDEX ix_{t} ON {t} (x)"
    };
    for (i, cell) in cells(backend, &scratch.url).into_iter().enumerate() {
        let name = &cell.name;
        let t = format!("nt_{i}");
        let failing = Migrations::new(vec![Migration::new(1, "index").up(format!(
            "-- ambidex: no-transaction\nCREATE TABLE {t} (x INTEGER);\n\
             INSERT INTO missing_table VALUES (1);"
        ))])
        .expect("migrations");
        let err = (cell.run)(&failing).unwrap_err();
        assert!(
            matches!(
                &err,
                ambidex::Error::MigrationFailed {
                    version: 1,
                    statement: 2,
                    rolled_back: false,
                    ..
                }
            ),
            "{name}: {err:?}"
        );
        assert!(
            err.to_string().contains("NOTHING was rolled back"),
            "{name}: {err}"
        );
        assert_eq!(
            count(&admin, &format!("SELECT COUNT(*) FROM {t}")),
            0,
            "{name}: the table the first statement created stays"
        );
        assert_eq!(
            failing.status(&admin).expect("status")[0].state,
            MigrationState::Pending,
            "{name}: no history row"
        );
        assert!(
            lock_is_free(backend, &admin),
            "{name}: the lock is released"
        );

        let fixed = Migrations::new(vec![
            Migration::new(1, "index")
                .up(format!(
                    "-- ambidex: no-transaction\nDROP TABLE {t};\nCREATE TABLE {t} (x INTEGER);\n{}",
                    index.replace("{t}", &t)
                ))
                .down(format!("-- ambidex: no-transaction\nDROP INDEX ix_{t}{}", if backend == "postgres" { String::new() } else { format!(" ON {t}") })),
        ])
        .expect("migrations");
        assert_eq!((cell.run)(&fixed).expect(name), 1, "{name}: applied");
        assert!(matches!(
            fixed.status(&admin).expect("status")[0].state,
            MigrationState::Applied { .. }
        ));
        assert!(
            lock_is_free(backend, &admin),
            "{name}: the lock is released"
        );
        assert_eq!((cell.revert)(&fixed).expect(name), 1, "{name}: reverted");
        assert_eq!(
            fixed.status(&admin).expect("status")[0].state,
            MigrationState::Pending
        );
        assert!(
            lock_is_free(backend, &admin),
            "{name}: the lock is released"
        );
        ambidex::raw(format!("DROP TABLE {t}"))
            .execute(&admin)
            .expect("drop");
        println!(
            "reliability_no_transaction {name}: failed run left no history row; index migrated outside a transaction, up and down"
        );
    }
    if backend == "postgres" {
        // Without the header, PostgreSQL refuses it inside the migration's transaction.
        let in_tx = Migrations::new(vec![Migration::new(1, "index").up(
            "CREATE TABLE nt_tx (x INTEGER);\nCREATE INDEX CONCURRENTLY ix_nt_tx ON nt_tx (x);",
        )])
        .expect("migrations");
        let err = in_tx.run(&admin).unwrap_err();
        assert!(
            matches!(
                err,
                ambidex::Error::MigrationFailed {
                    statement: 2,
                    rolled_back: true,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            count(
                &admin,
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'nt_tx' AND table_schema = current_schema()"
            ),
            0,
            "rolled back"
        );
    }
}

#[test]
fn no_transaction_migrations_on_postgres() {
    no_transaction("postgres", "AMBIDEX_POSTGRES_URL");
}

#[test]
fn no_transaction_migrations_on_mariadb() {
    no_transaction("mysql", "AMBIDEX_MYSQL_URL");
}

/// PostgreSQL: a second instance that starts waiting for the migration lock while the first
/// holds it for a `CREATE INDEX CONCURRENTLY` (after a one-second statement) is the victim
/// of a deadlock (the index waits for the waiter's older snapshot, the waiter for the lock);
/// it waits again instead of failing, and both runs end well, the migration applied once.
#[test]
fn a_concurrent_index_and_a_waiting_instance_both_succeed_on_postgres() {
    let Some(base) = server_url("AMBIDEX_POSTGRES_URL") else {
        return;
    };
    let scratch = ServerScratch::new(&base);
    let admin = ambidex::blocking::Db::builder(&scratch.url)
        .max_connections(1)
        .open()
        .expect("open");
    ambidex::raw("CREATE TABLE cic (x INTEGER)")
        .execute(&admin)
        .expect("table");
    let set = || {
        Migrations::new(vec![Migration::new(1, "cic").up(
            "-- ambidex: no-transaction\nSELECT pg_sleep(1);\nCREATE INDEX CONCURRENTLY ix_cic ON cic (x);",
        )])
        .expect("migrations")
    };
    let started = std::time::Instant::now();
    let runs: Vec<_> = (0..2)
        .map(|i| {
            let url = scratch.url.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(300 * i));
                let db = ambidex::blocking::Db::builder(&url)
                    .max_connections(1)
                    .open()
                    .expect("open");
                set().run(&db).map(|a| a.len())
            })
        })
        .collect();
    let applied: Vec<usize> = runs
        .into_iter()
        .map(|r| r.join().expect("join").expect("both runs succeed"))
        .collect();
    assert_eq!(
        applied.iter().sum::<usize>(),
        1,
        "applied once: {applied:?}"
    );
    assert_eq!(
        count(
            &admin,
            "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'ix_cic' AND schemaname = current_schema()"
        ),
        1
    );
    println!(
        "reliability_no_transaction postgres: CREATE INDEX CONCURRENTLY beside a waiting \
         instance, both runs done in {:?}",
        started.elapsed()
    );
}
