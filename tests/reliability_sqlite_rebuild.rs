//! SQLite migrations never lose rows through a foreign key (issue 19, item 14).
//!
//! A migration that rebuilds a parent table (create the new shape, copy, `DROP TABLE`,
//! rename: SQLite's procedure for what ALTER TABLE cannot do) used to run inside the
//! migration's transaction with foreign keys on, where `PRAGMA foreign_keys = OFF` does
//! nothing: the `DROP TABLE` ran the children's `ON DELETE CASCADE` and deleted all 60,000
//! of them, and the run succeeded. The runner now switches foreign keys off outside the
//! transaction, checks them (`PRAGMA foreign_key_check`) before COMMIT and switches them
//! on again; `makemigrations` writes the rebuild of a parent itself.
//!
//! **Cells.** The defect is SQLite's (PostgreSQL and MariaDB alter a table in place), in
//! every handle, since the runner is shared: `blocking::Db` (diesel), `blocking::SqlxDb`,
//! `SqlxDb`, `DieselDb` and `Db`, each on a pool of one connection, so that `PRAGMA
//! foreign_keys` afterwards reads the connection the migration ran on. The cases:
//! - a parent with 60,000 children (`ON DELETE CASCADE`) rebuilt by a hand-written
//!   migration and by the one `autogenerate` writes for a column change, up and down: every
//!   child survives, unchanged;
//! - a migration that would orphan children (`DELETE` of parents relying on the cascade,
//!   `DROP TABLE` of the parent) is refused and rolled back, and foreign keys are on again;
//! - a failing `-- ambidex: no-transaction` migration leaves no history row (and no
//!   claim), and a passing one is recorded;
//! - a run that panics while foreign keys are off never pools that connection (three
//!   handles, see the test).
//!
//! The no-transaction header on PostgreSQL and MariaDB is in `reliability_no_transaction.rs`.
#![cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]

use ambidex::Dialect;
use ambidex::migrate::{
    AutogenerateOptions, Migration, MigrationState, Migrations, autogenerate, read_schema,
};
use ambidex::prelude::*;
use ambidex::schema::Schema;

mod support;
use support::runtime;

/// How many children the parent has.
const CHILDREN: i64 = 60_000;
/// How many parents: 600 children each.
const PARENTS: i64 = 100;

/// A migration call on the handle: how many migrations it applied or reverted.
type Runs = Box<dyn Fn(&Migrations) -> ambidex::Result<usize>>;

/// One handle under test, as closures over it (blocking calls, or `block_on` of the
/// async ones).
struct Cell {
    name: &'static str,
    run: Runs,
    revert: Runs,
    /// `PRAGMA foreign_keys` on the handle's (one) connection.
    foreign_keys: Box<dyn Fn() -> i64>,
}

macro_rules! blocking_cell {
    ($name:literal, $handle:ty, $url:expr) => {{
        let db = <$handle>::builder($url)
            .max_connections(1)
            .open()
            .expect("open");
        let (a, b, c) = (db.clone(), db.clone(), db);
        Cell {
            name: $name,
            run: Box::new(move |set| set.run(&a).map(|v| v.len())),
            revert: Box::new(move |set| set.revert(1, &b).map(|v| v.len())),
            foreign_keys: Box::new(move || {
                ambidex::raw("PRAGMA foreign_keys")
                    .fetch_rows::<i64, _>(&c)
                    .expect("pragma")[0]
            }),
        }
    }};
}

macro_rules! async_cell {
    ($name:literal, $handle:ty, $url:expr) => {{
        let rt = std::rc::Rc::new(runtime());
        let db = rt
            .block_on(<$handle>::builder($url).max_connections(1).connect())
            .expect("open");
        let (a, b, c) = (db.clone(), db.clone(), db);
        let (ra, rb, rc) = (rt.clone(), rt.clone(), rt);
        Cell {
            name: $name,
            run: Box::new(move |set| ra.block_on(set.run(&a)).map(|v| v.len())),
            revert: Box::new(move |set| rb.block_on(set.revert(1, &b)).map(|v| v.len())),
            foreign_keys: Box::new(move || {
                rc.block_on(ambidex::raw("PRAGMA foreign_keys").fetch_rows::<i64, _>(&c))
                    .expect("pragma")[0]
            }),
        }
    }};
}

/// The five handles on the SQLite file at `url`.
fn cells(url: &str) -> Vec<Cell> {
    vec![
        blocking_cell!("sqlite/blocking::Db", ambidex::blocking::Db, url),
        blocking_cell!("sqlite/blocking::SqlxDb", ambidex::blocking::SqlxDb, url),
        async_cell!("sqlite/SqlxDb", ambidex::SqlxDb, url),
        async_cell!("sqlite/DieselDb", ambidex::DieselDb, url),
        async_cell!("sqlite/Db", ambidex::Db, url),
    ]
}

mod v1 {
    use ambidex::prelude::*;
    /// The parent.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "authors")]
    pub struct Author {
        #[ambidex(primary_key)]
        pub id: i64,
        pub name: String,
    }
}

mod v2 {
    use ambidex::prelude::*;
    /// The parent with `name` made nullable: SQLite rebuilds the table for that.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "authors")]
    pub struct Author {
        #[ambidex(primary_key)]
        pub id: i64,
        pub name: Option<String>,
    }
}

/// The children, deleted with their author.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "books")]
pub struct Book {
    #[ambidex(primary_key)]
    pub id: i64,
    #[ambidex(belongs_to = v1::Author, on_delete = "cascade")]
    pub author_id: i64,
    pub title: String,
}

/// A fresh SQLite file with `PARENTS` authors and `CHILDREN` books; the directory lives as
/// long as the returned guard.
fn seeded() -> (tempfile::TempDir, String, ambidex::blocking::Db) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("books.db").display());
    let db = ambidex::blocking::Db::open(&url).expect("open");
    v1::Author::create_table(&db).expect("authors");
    Book::create_table(&db).expect("books");
    ambidex::raw(format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {PARENTS}) \
         INSERT INTO authors (id, name) SELECT i, 'author ' || i FROM n"
    ))
    .execute(&db)
    .expect("authors");
    ambidex::raw(format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {CHILDREN}) \
         INSERT INTO books (id, author_id, title) SELECT i, 1 + i % {PARENTS}, 'book ' || i \
         FROM n"
    ))
    .execute(&db)
    .expect("books");
    (dir, url, db)
}

/// Every book, by id.
fn books(db: &ambidex::blocking::Db) -> Vec<Book> {
    Book::query()
        .order_by(Book::ID.asc())
        .all(db)
        .expect("books")
}

/// Every book is still there, unchanged (the count first, so that a failure is short).
fn same_books(db: &ambidex::blocking::Db, before: &[Book], what: &str) {
    let now = books(db);
    assert_eq!(
        now.len(),
        before.len(),
        "{what}: all {CHILDREN} children survive"
    );
    assert!(now == before, "{what}: the children's rows are unchanged");
}

fn count(db: &ambidex::blocking::Db, table: &str) -> i64 {
    ambidex::raw(format!("SELECT COUNT(*) FROM {table}"))
        .fetch_rows::<i64, _>(db)
        .expect("count")[0]
}

/// SQLite's documented procedure, written by hand: a new `authors` with a `born` column
/// (up), and without it again (down).
fn hand_written() -> Migrations {
    Migrations::new(vec![
        Migration::new(1, "rebuild_authors")
            .up("CREATE TABLE new_authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born INTEGER);\n\
                 INSERT INTO new_authors (id, name) SELECT id, name FROM authors;\n\
                 DROP TABLE authors;\n\
                 ALTER TABLE new_authors RENAME TO authors;")
            .down("CREATE TABLE old_authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\
                   INSERT INTO old_authors (id, name) SELECT id, name FROM authors;\n\
                   DROP TABLE authors;\n\
                   ALTER TABLE old_authors RENAME TO authors;"),
    ])
    .expect("migrations")
}

/// The migration `autogenerate` writes for `v1::Author` -> `v2::Author` (a rebuild of the
/// parent, both ways).
fn generated(db: &ambidex::blocking::Db) -> Migrations {
    let current = read_schema(db).expect("schema");
    let target =
        Schema::from_models(Dialect::Sqlite, &[v2::Author::META, Book::META]).expect("target");
    let m = autogenerate(
        Dialect::Sqlite,
        &current,
        &target,
        &AutogenerateOptions::default(),
    )
    .expect("makemigrations writes the rebuild of a parent table");
    assert!(
        m.up.iter().any(|s| s == r#"DROP TABLE "authors""#),
        "a rebuild: {:?}",
        m.up
    );
    let down = m.down.clone().expect("and its down step");
    assert!(
        down.iter().any(|s| s == r#"DROP TABLE "authors""#),
        "{down:?}"
    );
    Migrations::new(vec![
        Migration::new(1, "authors_name_nullable")
            .up(m.up.join(";\n"))
            .down(down.join(";\n")),
    ])
    .expect("migrations")
}

/// Up, then down: every child survives both, unchanged, and foreign keys are on again.
fn rebuild_keeps_every_child(which: &str, set: impl Fn(&ambidex::blocking::Db) -> Migrations) {
    let (_dir, url, db) = seeded();
    let before = books(&db);
    assert_eq!(before.len() as i64, CHILDREN);
    let set = set(&db);
    let started = std::time::Instant::now();
    assert_eq!(count(&db, "pragma_foreign_key_check"), 0);
    let check = started.elapsed();
    for cell in cells(&url) {
        let started = std::time::Instant::now();
        assert_eq!(
            (cell.run)(&set).expect(cell.name),
            1,
            "{}: applied",
            cell.name
        );
        let up = started.elapsed();
        same_books(&db, &before, &format!("{} {which} up", cell.name));
        assert_eq!(count(&db, "authors"), PARENTS);
        assert_eq!(
            (cell.foreign_keys)(),
            1,
            "{}: foreign keys on again",
            cell.name
        );
        assert_eq!(
            (cell.revert)(&set).expect(cell.name),
            1,
            "{}: reverted",
            cell.name
        );
        same_books(&db, &before, &format!("{} {which} down", cell.name));
        assert_eq!(
            (cell.foreign_keys)(),
            1,
            "{}: foreign keys on again",
            cell.name
        );
        println!(
            "reliability_sqlite_rebuild {}: {which} rebuild of a parent up ({up:?}, of \
             which the foreign key check of {CHILDREN} children ~{check:?}) and down, \
             {CHILDREN} of {CHILDREN} children kept",
            cell.name
        );
    }
    // The constraint is still there, pointing at the rebuilt parent.
    let orphan = ambidex::raw("INSERT INTO books (id, author_id, title) VALUES (-1, 999, 'x')")
        .execute(&db)
        .unwrap_err();
    assert!(
        matches!(orphan, ambidex::Error::ForeignKeyViolation { .. }),
        "{orphan:?}"
    );
    ambidex::raw("DELETE FROM authors WHERE id = 1")
        .execute(&db)
        .expect("delete");
    assert_eq!(
        count(&db, "books"),
        CHILDREN - CHILDREN / PARENTS,
        "and its cascade still works outside migrations"
    );
}

#[test]
fn a_hand_written_rebuild_of_a_parent_keeps_all_60000_children() {
    rebuild_keeps_every_child("hand-written", |_| hand_written());
}

#[test]
fn a_generated_rebuild_of_a_parent_keeps_all_60000_children() {
    rebuild_keeps_every_child("generated", generated);
}

/// Migrations that lean on `ON DELETE CASCADE` (or `DROP TABLE` of the parent) are
/// refused: rolled back, nothing changed, not recorded, foreign keys on again.
#[test]
fn a_migration_that_would_orphan_children_is_refused_with_nothing_changed() {
    let (_dir, url, db) = seeded();
    let before = books(&db);
    let cases = [
        (
            "DELETE FROM authors WHERE id <= 10",
            "6000 rows of `books` without their row in `authors` (rowid 1, 2, 3, 4, 5, ...)",
        ),
        (
            "DROP TABLE authors",
            "60000 rows of `books` without their row in `authors` (rowid 1, 2, 3, 4, 5, ...)",
        ),
    ];
    for cell in cells(&url) {
        for (sql, expected) in cases {
            let set = Migrations::new(vec![
                Migration::new(1, "create_other").up("CREATE TABLE other (x INTEGER)"),
                Migration::new(2, "drop_parents")
                    .up(format!("UPDATE authors SET name = 'x';\n{sql}")),
            ])
            .expect("migrations");
            let err = (cell.run)(&set).unwrap_err();
            let text = err.to_string();
            assert!(
                matches!(err, ambidex::Error::Migration(_)),
                "{}: {err:?}",
                cell.name
            );
            assert!(
                text.contains("migration `2_drop_parents` (up) was rolled back, nothing changed")
                    && text.contains(expected),
                "{}: {text}",
                cell.name
            );
            same_books(&db, &before, &format!("{}: {sql}", cell.name));
            let names = ambidex::raw("SELECT name FROM authors ORDER BY id LIMIT 1")
                .fetch_rows::<String, _>(&db)
                .expect("authors");
            assert_eq!(
                names,
                ["author 1"],
                "{}: the UPDATE rolled back too",
                cell.name
            );
            assert_eq!(count(&db, "authors"), PARENTS);
            let status = set.status(&db).expect("status");
            assert!(matches!(status[0].state, MigrationState::Applied { .. }));
            assert_eq!(status[1].state, MigrationState::Pending, "{}", cell.name);
            assert_eq!(
                (cell.foreign_keys)(),
                1,
                "{}: foreign keys on again",
                cell.name
            );
            // Start the next case from an empty history.
            (cell.revert)(
                &Migrations::new(vec![
                    Migration::new(1, "create_other")
                        .up("CREATE TABLE other (x INTEGER)")
                        .down("DROP TABLE other"),
                ])
                .expect("migrations"),
            )
            .expect("revert");
        }
        println!(
            "reliability_sqlite_rebuild {}: DELETE and DROP TABLE of parents refused, \
             {CHILDREN} of {CHILDREN} children kept",
            cell.name
        );
    }
    // Deleting the children explicitly is the way: accepted.
    let explicit =
        Migrations::new(vec![Migration::new(1, "drop_parents").up(
            "DELETE FROM books WHERE author_id <= 10;\nDELETE FROM authors WHERE id <= 10;",
        )])
        .expect("migrations");
    explicit.run(&db).expect("explicit deletes are accepted");
    assert_eq!(count(&db, "books"), CHILDREN - 10 * CHILDREN / PARENTS);
}

/// A no-transaction migration that fails halfway: its first statement stays (nothing
/// rolls it back), the error says so, no history row and no claim is left; fixed, it runs
/// and is recorded, and foreign keys are on on the connection throughout.
#[test]
fn a_failing_no_transaction_migration_leaves_no_history_row() {
    let (_dir, url, db) = seeded();
    for (i, cell) in cells(&url).into_iter().enumerate() {
        let table = format!("half_{i}");
        let failing = Migrations::new(vec![Migration::new(1, "vacuum").up(format!(
            "-- ambidex: no-transaction\nCREATE TABLE {table} (x INTEGER);\nVACUUM;\n\
             INSERT INTO missing_table VALUES (1);"
        ))])
        .expect("migrations");
        let err = (cell.run)(&failing).unwrap_err();
        assert!(
            matches!(
                &err,
                ambidex::Error::MigrationFailed {
                    version: 1,
                    statement: 3,
                    rolled_back: false,
                    ..
                }
            ),
            "{}: {err:?}",
            cell.name
        );
        assert!(err.to_string().contains("NOTHING was rolled back"), "{err}");
        assert_eq!(count(&db, &table), 0, "{}: not rolled back", cell.name);
        assert_eq!(
            failing.status(&db).expect("status")[0].state,
            MigrationState::Pending
        );
        assert_eq!(
            count(&db, "ambidex_migration_claims"),
            0,
            "{}: no claim left",
            cell.name
        );
        assert_eq!((cell.foreign_keys)(), 1, "{}", cell.name);

        // VACUUM cannot run in a transaction: it needs the header.
        let fixed = Migrations::new(vec![
            Migration::new(1, "vacuum")
                .up(format!(
                    "-- ambidex: no-transaction\nDROP TABLE {table};\nVACUUM;"
                ))
                .down("-- ambidex: no-transaction\nVACUUM;"),
        ])
        .expect("migrations");
        assert_eq!((cell.run)(&fixed).expect(cell.name), 1);
        assert!(matches!(
            fixed.status(&db).expect("status")[0].state,
            MigrationState::Applied { .. }
        ));
        assert_eq!((cell.revert)(&fixed).expect(cell.name), 1);
        assert_eq!(
            fixed.status(&db).expect("status")[0].state,
            MigrationState::Pending
        );
        assert_eq!((cell.foreign_keys)(), 1, "{}", cell.name);
        assert_eq!(count(&db, "books"), CHILDREN);
    }
    let in_tx = Migrations::new(vec![Migration::new(1, "vacuum").up("VACUUM")]).unwrap();
    let err = in_tx.run(&db).unwrap_err();
    assert!(
        matches!(
            err,
            ambidex::Error::MigrationFailed {
                rolled_back: true,
                ..
            }
        ),
        "without the header VACUUM fails in the transaction: {err:?}"
    );
}

/// Another process's claim on a pending no-transaction migration stops the run, saying
/// where the claim is.
#[test]
fn a_claimed_migration_is_not_run_twice() {
    let (_dir, _url, db) = seeded();
    let set = Migrations::new(vec![
        Migration::new(1, "vacuum").up("-- ambidex: no-transaction\nVACUUM;"),
    ])
    .expect("migrations");
    ambidex::raw(
        "CREATE TABLE ambidex_migration_claims (version INTEGER PRIMARY KEY, claimed_at TEXT NOT NULL)",
    )
    .execute(&db)
    .expect("claims");
    ambidex::raw("INSERT INTO ambidex_migration_claims VALUES (1, '2026-12-04 10:00:00')")
        .execute(&db)
        .expect("claim");
    let err = set.run(&db).unwrap_err();
    assert!(
        err.to_string().contains(
            "migration `1_vacuum` has been running outside a transaction in another process \
             since 2026-12-04 10:00:00 UTC"
        ),
        "{err}"
    );
    assert_eq!(
        set.status(&db).expect("status")[0].state,
        MigrationState::Pending
    );
    ambidex::raw("DELETE FROM ambidex_migration_claims")
        .execute(&db)
        .expect("unclaim");
    assert_eq!(set.run(&db).expect("run").len(), 1);
}

thread_local! {
    /// Set while the next `PRAGMA foreign_keys = ON` on this thread must panic.
    static ARMED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Panics on the statement event of a `PRAGMA foreign_keys = ON` on an [`ARMED`] thread:
/// a run that panics while foreign keys are off.
struct PanicAtForeignKeysOn;

struct SqlText(bool);

impl tracing::field::Visit for SqlText {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "sql" && value.contains("PRAGMA foreign_keys = ON") {
            self.0 = true;
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "sql" && format!("{value:?}").contains("PRAGMA foreign_keys = ON") {
            self.0 = true;
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for PanicAtForeignKeysOn {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut sql = SqlText(false);
        event.record(&mut sql);
        if sql.0 && ARMED.with(|a| a.replace(false)) {
            panic!("injected panic while foreign keys are off");
        }
    }
}

/// A run that panics with foreign keys off (at the statement that would switch them on
/// again) never gives that connection back to the pool: the handle's next connection has
/// them on, and its cascade works. Cells: the handles whose statements run on the caller's
/// thread (`blocking::Db`, `blocking::SqlxDb`, `SqlxDb` driven by `block_on`); `DieselDb`
/// and `Db` run them on a worker thread, where the same engine rule (`model-sync`'s
/// `manager.rs`) discards the marked connection.
#[test]
fn a_run_that_panics_with_foreign_keys_off_never_pools_that_connection() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        tracing_subscriber::registry()
            .with(tracing_subscriber::Layer::with_filter(
                PanicAtForeignKeysOn,
                tracing_subscriber::filter::Targets::new()
                    .with_target("ambidex::sql", tracing::Level::TRACE),
            ))
            .init();
    });
    let (_dir, url, db) = seeded();
    let set = Migrations::new(vec![
        Migration::new(1, "other").up("CREATE TABLE other (x INTEGER)"),
    ])
    .expect("migrations");
    let cells = cells(&url);
    for cell in cells.iter().take(3) {
        ARMED.with(|a| a.set(true));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (cell.run)(&set)));
        assert!(
            !ARMED.with(|a| a.replace(false)),
            "{}: the injected panic did not happen",
            cell.name
        );
        assert!(
            outcome.is_err() || outcome.as_ref().is_ok_and(|r| r.is_err()),
            "{}: the run did not fail",
            cell.name
        );
        assert_eq!(
            (cell.foreign_keys)(),
            1,
            "{}: the connection left with foreign keys off was pooled",
            cell.name
        );
        // The migration committed before the panic; start the next cell afresh.
        ambidex::raw("DROP TABLE other").execute(&db).expect("drop");
        ambidex::raw("DELETE FROM ambidex_migrations")
            .execute(&db)
            .expect("history");
        println!(
            "reliability_sqlite_rebuild {}: a panic with foreign keys off, the next \
             connection has them on",
            cell.name
        );
    }
}
