//! One migrations folder for every backend (issue 23): `makemigrations` run three times on
//! SQLite alone (an in-memory shadow, no server), for models that create tables (decimal,
//! UUID, date-time, JSON, bool, optional fields, a foreign key, indexes), then add
//! columns, then change a column's type and another's nullability (a table rebuild on
//! SQLite). The one folder it writes is applied on SQLite, PostgreSQL and MariaDB (each
//! in a database of the test's own); afterwards the models match each database
//! (`makemigrations` against it finds no change) and a row round-trips.

mod common;

use std::path::Path;
use std::process::ExitCode;

use ambidex::Dialect;
use ambidex::ModelMeta;
use ambidex::migrate::{self, AutogenerateOptions};
use ambidex::prelude::*;
use ambidex::schema::Schema;

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "of_authors")]
pub struct Author {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(unique)]
    pub name: String,
    #[ambidex(default = true)]
    pub active: bool,
}

// Three shapes of one table, written out in full: `derive(Model)` cannot take fields from
// a `macro_rules!` (the fields' hygiene hides the derive's own variables from them).

/// The first shape: what `create` makes.
mod v1 {
    use ambidex::prelude::*;
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "of_books")]
    pub struct Book {
        #[ambidex(primary_key, auto)]
        pub id: i64,
        #[ambidex(belongs_to = super::Author, on_delete = "cascade", index)]
        pub author_id: i64,
        #[ambidex(index)]
        pub title: String,
        pub price: rust_decimal::Decimal,
        #[ambidex(unique)]
        pub code: uuid::Uuid,
        pub published_at: chrono::NaiveDateTime,
        pub details: serde_json::Value,
        pub pages: Option<i32>,
        pub subtitle: Option<String>,
    }
}

/// Two columns added: a nullable one and a NOT NULL one with a default.
mod v2 {
    use ambidex::prelude::*;
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "of_books")]
    pub struct Book {
        #[ambidex(primary_key, auto)]
        pub id: i64,
        #[ambidex(belongs_to = super::Author, on_delete = "cascade", index)]
        pub author_id: i64,
        #[ambidex(index)]
        pub title: String,
        pub price: rust_decimal::Decimal,
        #[ambidex(unique)]
        pub code: uuid::Uuid,
        pub published_at: chrono::NaiveDateTime,
        pub details: serde_json::Value,
        pub pages: Option<i32>,
        pub subtitle: Option<String>,
        pub rating: Option<f64>,
        #[ambidex(default = 0)]
        pub stock: i32,
    }
}

/// `rating` becomes a decimal, `subtitle` NOT NULL with a default: SQLite rebuilds.
mod v3 {
    use ambidex::prelude::*;
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "of_books")]
    pub struct Book {
        #[ambidex(primary_key, auto)]
        pub id: i64,
        #[ambidex(belongs_to = super::Author, on_delete = "cascade", index)]
        pub author_id: i64,
        #[ambidex(index)]
        pub title: String,
        pub price: rust_decimal::Decimal,
        #[ambidex(unique)]
        pub code: uuid::Uuid,
        pub published_at: chrono::NaiveDateTime,
        pub details: serde_json::Value,
        pub pages: Option<i32>,
        #[ambidex(default = "")]
        pub subtitle: String,
        pub rating: Option<rust_decimal::Decimal>,
        #[ambidex(default = 0)]
        pub stock: i32,
    }
}

const V1: [&ModelMeta; 2] = [Author::META, v1::Book::META];
const V2: [&ModelMeta; 2] = [Author::META, v2::Book::META];
const V3: [&ModelMeta; 2] = [Author::META, v3::Book::META];

/// The application's `manage makemigrations ...`, in-process.
fn makemigrations(folder: &Path, models: &[&'static ModelMeta], extra: &[&str]) -> ExitCode {
    let folder = folder.to_str().unwrap();
    let mut args = vec!["manage", "--migrations", folder, "makemigrations"];
    args.extend_from_slice(extra);
    ambidex_cli::run_from(args, models)
}

fn read(folder: &Path, file: &str) -> String {
    std::fs::read_to_string(folder.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The folder, written once from SQLite alone.
fn write_folder(dir: &Path) -> Vec<std::path::PathBuf> {
    for (name, models) in [("create", &V1), ("add_columns", &V2), ("retype", &V3)] {
        assert_eq!(
            makemigrations(dir, models, &["--name", name]),
            ExitCode::from(0),
            "makemigrations --name {name}"
        );
    }
    let mut folders: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 3, "{folders:?}");
    folders
}

#[test]
fn one_folder_written_on_sqlite_applies_on_every_backend() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().join("migrations");
    let folders = write_folder(&dir);

    // The SQL differs, so each backend has its own files; none says what another cannot
    // read (SQLite's decimal collation, its rebuilds).
    let create = &folders[0];
    for backend in ["sqlite", "postgres", "mysql"] {
        assert!(create.join(format!("up.{backend}.sql")).exists());
        assert!(create.join(format!("down.{backend}.sql")).exists());
    }
    assert!(!create.join("up.sql").exists());
    assert!(read(create, "up.sqlite.sql").contains("TEXT COLLATE ambidex_decimal"));
    let pg = read(create, "up.postgres.sql");
    assert!(!pg.contains("ambidex_decimal"), "{pg}");
    assert!(pg.contains(r#""price" NUMERIC NOT NULL"#), "{pg}");
    assert!(pg.contains(r#""code" UUID NOT NULL"#), "{pg}");
    assert!(pg.contains(r#""details" JSONB NOT NULL"#), "{pg}");
    assert!(
        pg.contains(r#""active" BOOLEAN NOT NULL DEFAULT TRUE"#),
        "{pg}"
    );
    let my = read(create, "up.mysql.sql");
    assert!(
        my.contains("`title` VARCHAR(255)"),
        "indexed text is keyed: {my}"
    );
    assert!(my.contains("`details` JSON NOT NULL"), "{my}");

    let retype = &folders[2];
    assert!(read(retype, "up.sqlite.sql").contains(r#"DROP TABLE "of_books""#));
    let pg = read(retype, "up.postgres.sql");
    assert!(
        pg.contains(
            r#"ALTER TABLE "of_books" ALTER COLUMN "rating" TYPE NUMERIC USING "rating"::NUMERIC"#
        ),
        "{pg}"
    );
    assert!(
        pg.contains(r#"ALTER COLUMN "subtitle" SET NOT NULL"#),
        "{pg}"
    );
    assert!(!pg.contains("_ambidex_new_"), "{pg}");
    let my = read(retype, "up.mysql.sql");
    assert!(my.contains("MODIFY COLUMN `rating` DECIMAL(65,28)"), "{my}");
    // Going back, `rating` becomes SQLite's REAL again, which may have been f32 or f64:
    // the servers' down step is not guessed (diff against a server to have one).
    assert!(retype.join("down.sqlite.sql").exists());
    assert!(!retype.join("down.postgres.sql").exists());
    assert!(!retype.join("down.mysql.sql").exists());

    // Nothing left to write: the folder's state is the models'.
    assert_eq!(makemigrations(&dir, &V3, &[]), ExitCode::from(0));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);

    let mut ran = Vec::new();
    for backend in ["sqlite", "postgres", "mysql"] {
        let Some(scratch) = common::scratch(backend) else {
            eprintln!("{backend}: no server (AMBIDEX_POSTGRES_URL / AMBIDEX_MYSQL_URL), skipped");
            continue;
        };
        apply_and_check(&dir, &scratch.url);
        ran.push(backend);
    }
    eprintln!("applied on {ran:?}");
}

/// Applies the folder on the database at `url`, then checks that the models match it and
/// that a row round-trips.
fn apply_and_check(dir: &Path, url: &str) {
    let set = migrate::from_dir(dir).unwrap();
    let db = ambidex::blocking::Db::open(url).unwrap();
    let dialect = db.dialect();
    let applied = set
        .run(&db)
        .unwrap_or_else(|e| panic!("{}: {e}", dialect.name()));
    assert_eq!(applied.len(), 3, "{}", dialect.name());

    // The models match: the backend's own diff is empty, and so is makemigrations
    // against this database (which would write a fourth migration otherwise).
    let target = Schema::from_models(dialect, &V3).unwrap();
    let read = migrate::read_schema(&db).unwrap();
    let own =
        migrate::autogenerate(dialect, &read, &target, &AutogenerateOptions::default()).unwrap();
    let left: Vec<String> = own.changes.iter().map(|c| c.describe()).collect();
    assert!(left.is_empty(), "{}: {left:?}", dialect.name());
    let backend = migrate::backend_suffix(dialect);
    assert_eq!(
        makemigrations(dir, &V3, &["--database-url", url, "--backends", backend]),
        ExitCode::from(0)
    );
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        3,
        "{}: makemigrations found a difference",
        dialect.name()
    );

    let author = Author {
        id: 0,
        name: format!("Ann {}", dialect.name()),
        active: true,
    }
    .insert(&db)
    .unwrap();
    let book = v3::Book {
        id: 0,
        author_id: author.id,
        title: "Dune".into(),
        price: "12.50".parse().unwrap(),
        code: uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0),
        published_at: chrono::NaiveDate::from_ymd_opt(1965, 8, 1)
            .unwrap()
            .and_hms_micro_opt(9, 30, 0, 250)
            .unwrap(),
        details: serde_json::json!({"tags": ["sf", "classic"], "n": 1}),
        subtitle: String::new(),
        pages: None,
        rating: Some("4.75".parse().unwrap()),
        stock: 3,
    }
    .insert(&db)
    .unwrap();
    assert_eq!(
        v3::Book::get(book.id, &db).unwrap(),
        book,
        "{}",
        dialect.name()
    );
    assert_eq!(Author::get(author.id, &db).unwrap(), author);
}

/// `--backends` names the backends: one alone writes `up.sql` in its SQL.
#[test]
fn the_backends_flag_chooses_what_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().join("migrations");
    let only = ["--name", "create", "--backends", "postgres"];
    assert_eq!(makemigrations(&dir, &V1, &only), ExitCode::from(0));
    let set = migrate::from_dir(&dir).unwrap();
    let create = set.iter().next().unwrap();
    let up = create.up_sql(Dialect::Postgres).unwrap();
    assert_eq!(up, create.up_sql(Dialect::Sqlite).unwrap(), "one up.sql");
    assert!(up.contains("for PostgreSQL on"), "{up}");
    assert!(up.contains(r#""price" NUMERIC NOT NULL"#), "{up}");
    let bad = ["--backends", "oracle"];
    assert_eq!(makemigrations(&dir, &V2, &bad), ExitCode::from(2));
}

/// With a database of the backend's own (`--postgres-url`), that backend's migration is
/// diffed against it, so its down step is exact where SQLite's state is not.
#[test]
fn a_server_given_its_own_url_is_diffed_against_it() {
    let Some(pg) = common::postgres() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().join("migrations");
    assert_eq!(
        makemigrations(&dir, &V2, &["--name", "create"]),
        ExitCode::from(0)
    );
    let set = migrate::from_dir(&dir).unwrap();
    let db = ambidex::blocking::Db::open(&pg.url).unwrap();
    set.run(&db).unwrap();
    assert_eq!(
        makemigrations(&dir, &V3, &["--name", "retype", "--postgres-url", &pg.url]),
        ExitCode::from(0)
    );
    let set = migrate::from_dir(&dir).unwrap();
    let retype = set.iter().nth(1).unwrap();
    let down = retype
        .down_sql(Dialect::Postgres)
        .expect("a PostgreSQL down step");
    assert!(down.contains(r#"TYPE DOUBLE PRECISION"#), "{down}");
    assert!(
        retype.down_sql(Dialect::Mysql).is_none(),
        "MariaDB's is not guessed"
    );
    // It applies and reverts there.
    assert_eq!(set.run(&db).unwrap().len(), 1);
    assert_eq!(set.revert(1, &db).unwrap().len(), 1);
}
