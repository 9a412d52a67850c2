//! Embedded migrations (`embed_migrations!`) applied at start-up, from both worlds and by
//! several processes at once: each migration is applied exactly once, and the history is
//! the same whichever world and engine wrote it.

mod common;

use std::process::{Command, Stdio};

use ambidex::migrate::{MigrationState, Migrations};
use ambidex::raw;

fn migrations() -> Migrations {
    ambidex::embed_migrations!("tests/fixtures/migrations")
}

const CHILD_URL: &str = "AMBIDEX_MIG_CHILD_URL";
const CHILD_WORLD: &str = "AMBIDEX_MIG_CHILD_WORLD";

/// What each child process runs: applies the embedded migrations in the world it is told
/// and prints how many it applied. Without the variables (an ordinary test run) it does
/// nothing.
#[test]
fn child_applies_embedded_migrations() {
    let (Ok(url), Ok(world)) = (std::env::var(CHILD_URL), std::env::var(CHILD_WORLD)) else {
        return;
    };
    let set = migrations();
    let applied = if world == "blocking" {
        let db = ambidex::blocking::Db::open(&url).expect("open");
        set.run(&db).expect("apply")
    } else {
        let rt = common::support::runtime();
        rt.block_on(async {
            let db = ambidex::Db::connect(&url).await.expect("connect");
            set.run(&db).await.expect("apply")
        })
    };
    println!("CHILD-APPLIED {}", applied.len());
}

fn concurrent_start_up(backend: &str) {
    let Some(scratch) = common::scratch(backend) else {
        return;
    };
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..4)
        .map(|i| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_applies_embedded_migrations",
                    "--nocapture",
                ])
                .args(["--test-threads", "1"])
                .env(CHILD_URL, &scratch.url)
                .env(CHILD_WORLD, if i % 2 == 0 { "blocking" } else { "async" })
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn a child")
        })
        .collect();
    let mut total = 0;
    for child in children {
        let out = child.wait_with_output().expect("child output");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "a child failed on {backend}:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let applied: usize = stdout
            .lines()
            .find_map(|l| l.split("CHILD-APPLIED ").nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the child reports")
            .parse()
            .expect("a count");
        total += applied;
    }
    assert_eq!(
        total, 3,
        "{backend}: each migration applied exactly once in all"
    );
    let db = ambidex::blocking::Db::open(&scratch.url).expect("open");
    let rows: Vec<i64> = raw("SELECT COUNT(*) FROM ambidex_migrations")
        .fetch_rows(&db)
        .expect("history");
    assert_eq!(rows, [3]);
    let log: Vec<(i64, String)> = raw("SELECT id, note FROM mig_log ORDER BY id")
        .fetch_rows(&db)
        .expect("log");
    assert_eq!(
        log,
        [(1, "seeded; once".to_string()), (2, "it's two".to_string())]
    );
}

#[test]
fn concurrent_start_up_sqlite() {
    concurrent_start_up("sqlite");
}

#[test]
fn concurrent_start_up_postgres() {
    concurrent_start_up("postgres");
}

#[test]
fn concurrent_start_up_mysql() {
    concurrent_start_up("mysql");
}

/// Applies in one world and engine, checks and reverts in the others: one history.
fn both_worlds(backend: &str) {
    let Some(scratch) = common::scratch(backend) else {
        return;
    };
    let url = &scratch.url;
    let set = migrations();
    let blocking = ambidex::blocking::Db::open(url).expect("open");
    let first = set.run_to(1, &blocking).expect("apply the first");
    assert_eq!(first.len(), 1);

    let rt = common::support::runtime();
    rt.block_on(async {
        // The sqlx engine directly, then the default async handle.
        let sqlx = ambidex::SqlxDb::connect(url).await.expect("sqlx");
        let status = set.status(&sqlx).await.expect("status");
        assert!(matches!(status[0].state, MigrationState::Applied { .. }));
        assert_eq!(status[1].state, MigrationState::Pending);
        let rest = set.run(&sqlx).await.expect("apply the rest");
        assert_eq!(rest.len(), 2);
        // diesel behind the async API sees the same history.
        let diesel = ambidex::DieselDb::connect(url)
            .await
            .expect("diesel, async");
        assert!(set.run(&diesel).await.expect("nothing left").is_empty());
        let db = ambidex::Db::connect(url).await.expect("async db");
        assert!(set.run(&db).await.expect("nothing left").is_empty());
        let reverted = set.revert(1, &db).await.expect("revert");
        assert_eq!(reverted[0].version, 3);
    });

    // The blocking API over sqlx sees the same history and applies the rest.
    let shim = ambidex::blocking::SqlxDb::open(url).expect("blocking over sqlx");
    let again = set.run(&shim).expect("apply again");
    assert_eq!(again.len(), 1);
    let status = set.status(&blocking).expect("status");
    assert!(
        status
            .iter()
            .all(|s| matches!(s.state, MigrationState::Applied { .. })),
        "{status:?}"
    );
    // The per-backend files ran where they exist: a function on PostgreSQL, a trigger on
    // SQLite.
    raw("INSERT INTO mig_extra (x) VALUES (21)")
        .execute(&blocking)
        .expect("insert");
    match backend {
        "postgres" => {
            let v: Vec<i32> = raw("SELECT mig_double(21)").fetch_rows(&blocking).unwrap();
            assert_eq!(v, [42]);
        }
        "sqlite" => {
            let v: Vec<i64> = raw("SELECT x FROM mig_extra")
                .fetch_rows(&blocking)
                .unwrap();
            assert_eq!(v, [42]);
        }
        _ => {}
    }
    // Redo reverts and re-applies the last one; reverting everything empties the history.
    let redone = set.redo(&blocking).expect("redo");
    assert_eq!(redone.len(), 1);
    let all = set.revert(10, &blocking).expect("revert all");
    assert_eq!(all.iter().map(|a| a.version).collect::<Vec<_>>(), [3, 2, 1]);
    let status = set.status(&blocking).expect("status");
    assert!(status.iter().all(|s| s.state == MigrationState::Pending));
}

#[test]
fn both_worlds_share_one_history_sqlite() {
    both_worlds("sqlite");
}

#[test]
fn both_worlds_share_one_history_postgres() {
    both_worlds("postgres");
}

#[test]
fn both_worlds_share_one_history_mysql() {
    both_worlds("mysql");
}

/// An applied migration edited afterwards is refused, naming it, before anything runs.
#[test]
fn an_edited_migration_is_refused() {
    let scratch = common::sqlite();
    let db = ambidex::blocking::Db::open(&scratch.url).expect("open");
    migrations().run(&db).expect("apply");
    let mut files: Vec<(String, String, String)> = Vec::new();
    for m in migrations().iter() {
        let up = m.up_sql(ambidex::Dialect::Sqlite).unwrap().to_string();
        let up = if m.version() == 2 {
            up.replace("once", "twice")
        } else {
            up
        };
        files.push((m.id(), "up.sql".into(), up));
    }
    let edited = Migrations::from_files(files).expect("set");
    let err = edited.run(&db).unwrap_err();
    assert!(
        matches!(&err, ambidex::Error::MigrationChanged { version: 2, name } if name == "seed"),
        "{err}"
    );
    assert!(err.to_string().contains("2_seed"), "{err}");
}

/// A migration whose second statement fails: rolled back whole on PostgreSQL and SQLite;
/// on MariaDB, whose DDL commits at once, the first statement stays applied. Either way
/// the migration is not recorded and the error names the statement.
fn failed_migration(backend: &str) {
    let Some(scratch) = common::scratch(backend) else {
        return;
    };
    let db = ambidex::blocking::Db::open(&scratch.url).expect("open");
    let set =
        Migrations::new(vec![ambidex::migrate::Migration::new(1, "half").up(
            "CREATE TABLE half_done (x INTEGER);\nCREATE TABLE half_done (x INTEGER);",
        )])
        .unwrap();
    let err = set.run(&db).unwrap_err();
    assert!(
        matches!(
            &err,
            ambidex::Error::MigrationFailed {
                version: 1,
                statement: 2,
                direction: "up",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("1_half failed at statement 2 (up)"),
        "{err}"
    );
    let status = set.status(&db).unwrap();
    assert_eq!(status[0].state, MigrationState::Pending);
    let left = raw("SELECT COUNT(*) FROM half_done").fetch_rows::<i64, _>(&db);
    if backend == "mysql" {
        assert_eq!(left.unwrap(), [0], "MariaDB keeps the first statement");
    } else {
        assert!(
            left.is_err(),
            "{backend}: the whole migration was rolled back"
        );
    }
}

#[test]
fn a_failed_migration_rolls_back_where_the_backend_can_sqlite() {
    failed_migration("sqlite");
}

#[test]
fn a_failed_migration_rolls_back_where_the_backend_can_postgres() {
    failed_migration("postgres");
}

#[test]
fn a_failed_migration_keeps_earlier_ddl_on_mysql() {
    failed_migration("mysql");
}
