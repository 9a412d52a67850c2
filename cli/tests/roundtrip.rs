//! The round trip on every backend: from an empty database, autogenerate the blog
//! example's models, apply, introspect, and get back models equal in schema to the
//! originals (the introspected source is compiled here, from `introspected/*.rs`); then
//! change the models (a new column, new indexes, a field made optional), autogenerate
//! again, apply, and find the database matching the changed models, rows kept.

mod common;

use ambidex::migrate::{self, AutogenerateOptions};
use ambidex::schema::{DiffOptions, Schema, diff};
use ambidex::{Dialect, Model, ModelMeta};
use ambidex_example_blog::models::{Author, Comment, Post};

#[allow(dead_code)]
#[path = "introspected/sqlite.rs"]
mod introspected_sqlite;

#[allow(dead_code)]
#[path = "introspected/postgres.rs"]
mod introspected_postgres;

#[allow(dead_code)]
#[path = "introspected/mysql.rs"]
mod introspected_mysql;

/// The blog's models after a change: `Author.name` indexed, `Post.slug` added (indexed),
/// `Comment.author_name` optional.
mod v2 {
    use ambidex::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "authors")]
    pub struct Author {
        #[ambidex(primary_key, auto)]
        pub id: i64,
        #[ambidex(unique)]
        pub email: String,
        #[ambidex(index)]
        pub name: String,
        pub bio: Option<String>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "posts")]
    pub struct Post {
        #[ambidex(primary_key, auto)]
        pub id: i64,
        #[ambidex(belongs_to = Author, index)]
        pub author_id: i64,
        pub title: String,
        pub body: String,
        pub published: bool,
        pub views: Option<i32>,
        #[ambidex(index)]
        pub slug: Option<String>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "comments")]
    pub struct Comment {
        #[ambidex(primary_key, auto)]
        pub id: i64,
        #[ambidex(belongs_to = Post, on_delete = "cascade", index)]
        pub post_id: i64,
        pub author_name: Option<String>,
        pub body: String,
    }
}

const BLOG: [&ModelMeta; 3] = [Author::META, Post::META, Comment::META];
const BLOG_V2: [&ModelMeta; 3] = [v2::Author::META, v2::Post::META, v2::Comment::META];

fn introspected_models(backend: &str) -> [&'static ModelMeta; 3] {
    match backend {
        "sqlite" => {
            use introspected_sqlite as m;
            [m::Author::META, m::Post::META, m::Comment::META]
        }
        "postgres" => {
            use introspected_postgres as m;
            [m::Author::META, m::Post::META, m::Comment::META]
        }
        _ => {
            use introspected_mysql as m;
            [m::Author::META, m::Post::META, m::Comment::META]
        }
    }
}

/// Asserts that `db` holds exactly the tables of `models`: no change left to make.
fn assert_matches(dialect: Dialect, db: &Schema, models: &[&'static ModelMeta], when: &str) {
    let target = Schema::from_models(dialect, models).expect("schema of the models");
    let left = diff(db, &target, &DiffOptions::new()).expect("diff");
    assert!(
        left.is_empty(),
        "{when}: the database differs from the models: {:#?}",
        left.iter().map(|c| c.describe()).collect::<Vec<_>>()
    );
}

fn round_trip(backend: &str) {
    let Some(scratch) = common::scratch(backend) else {
        return;
    };
    let url = &scratch.url;
    let dir = tempfile::tempdir().expect("migrations folder");
    let db = ambidex::blocking::Db::open(url).expect("open");
    let dialect = db.dialect();

    // 1. From nothing to the blog's models.
    let empty = migrate::read_schema(&db).expect("read");
    assert!(empty.tables.is_empty(), "{:?}", empty.tables);
    let target = Schema::from_models(dialect, &BLOG).unwrap();
    let first = migrate::autogenerate(dialect, &empty, &target, &AutogenerateOptions::default())
        .expect("autogenerate");
    let described: Vec<String> = first.changes.iter().map(|c| c.describe()).collect();
    assert_eq!(
        described,
        [
            "create table authors",
            "create table posts",
            "create table comments"
        ]
    );
    first
        .write(dir.path(), "create blog", false)
        .expect("write");

    // 2. Apply it from the async world.
    let set = migrate::from_dir(dir.path()).expect("load");
    let rt = common::support::runtime();
    let applied = rt.block_on(async {
        let adb = ambidex::Db::connect(url).await.expect("connect");
        set.run(&adb).await.expect("apply")
    });
    assert_eq!(applied.len(), 1);

    // 3. Introspect: the database is the models, and so is the Rust written from it.
    let read = migrate::read_schema(&db).expect("read");
    assert_matches(dialect, &read, &BLOG, "after the first migration");
    let source = ambidex_cli::rust_source::models_source(&read, "the test database");
    let snapshot = format!(
        "{}/tests/introspected/{backend}.rs",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var_os("AMBIDEX_BLESS").is_some() {
        std::fs::write(&snapshot, &source).expect("bless");
    }
    let expected = std::fs::read_to_string(&snapshot).expect("snapshot");
    assert_eq!(
        source, expected,
        "introspected models changed; rerun with AMBIDEX_BLESS=1 to accept"
    );
    // The snapshot is compiled into this test: its models are the originals, in schema.
    assert_matches(
        dialect,
        &Schema::from_models(dialect, &introspected_models(backend)).unwrap(),
        &BLOG,
        "the introspected models",
    );

    // Rows that must survive the next migration.
    let author = Author {
        id: 0,
        email: "ada@example.com".into(),
        name: "Ada".into(),
        bio: None,
    }
    .insert(&db)
    .unwrap();
    let post = Post {
        id: 0,
        author_id: author.id,
        title: "T".into(),
        body: "B".into(),
        published: true,
        views: Some(3),
    }
    .insert(&db)
    .unwrap();
    Comment {
        id: 0,
        post_id: post.id,
        author_name: "Bo".into(),
        body: "hi".into(),
    }
    .insert(&db)
    .unwrap();

    // 4. Change the models; autogenerate against the live database; apply (blocking).
    let target2 = Schema::from_models(dialect, &BLOG_V2).unwrap();
    let second = migrate::autogenerate(dialect, &read, &target2, &AutogenerateOptions::default())
        .expect("autogenerate the change");
    let mut described: Vec<String> = second.changes.iter().map(|c| c.describe()).collect();
    described.sort();
    let mut expected = vec![
        "add column posts.slug".to_string(),
        "alter column comments.author_name (nullable)".to_string(),
        "create index ix_authors_name on authors (name)".to_string(),
        "create index ix_posts_slug on posts (slug)".to_string(),
    ];
    if dialect == Dialect::Mysql {
        // Indexed text is VARCHAR(255) on MySQL, other text LONGTEXT.
        expected.push(
            "alter column authors.name (type LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin \
             -> VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin)"
                .to_string(),
        );
        expected.sort();
    }
    assert_eq!(described, expected);
    second.write(dir.path(), "slugs", false).expect("write");
    let set = migrate::from_dir(dir.path()).expect("load");
    let applied = set.run(&db).expect("apply the change");
    assert_eq!(applied.len(), 1);
    let read2 = migrate::read_schema(&db).expect("read");
    assert_matches(dialect, &read2, &BLOG_V2, "after the second migration");
    let comments = v2::Comment::query().all(&db).expect("comments");
    assert_eq!(
        comments.len(),
        1,
        "the rebuilt or altered table kept its rows"
    );
    assert_eq!(comments[0].author_name.as_deref(), Some("Bo"));
    assert_eq!(v2::Post::query().count(&db).unwrap(), 1);

    // 5. Down: back to the first shape. On SQLite too: `posts` (which `comments`
    // references, so it cannot be rebuilt) loses its added column with DROP COLUMN.
    let reverted = set.revert(1, &db).expect("revert");
    assert_eq!(reverted.len(), 1);
    assert_matches(
        dialect,
        &migrate::read_schema(&db).unwrap(),
        &BLOG,
        "after reverting the change",
    );
    assert_eq!(set.run(&db).expect("re-apply").len(), 1);

    // 6. Nothing left to do: the models and the database agree.
    let third = migrate::autogenerate(
        dialect,
        &migrate::read_schema(&db).unwrap(),
        &target2,
        &AutogenerateOptions::default(),
    )
    .unwrap();
    assert!(third.is_empty(), "{:?}", third.changes);
}

#[test]
fn round_trip_sqlite() {
    round_trip("sqlite");
}

#[test]
fn round_trip_postgres() {
    round_trip("postgres");
}

#[test]
fn round_trip_mysql() {
    round_trip("mysql");
}

/// Dropping is refused without being allowed; renames are renames when told.
#[test]
fn destructive_changes_need_a_flag_and_renames_are_told() {
    let scratch = common::sqlite();
    let db = ambidex::blocking::Db::open(&scratch.url).unwrap();
    let dialect = db.dialect();
    let blog = Schema::from_models(dialect, &BLOG).unwrap();
    let mut smaller = blog.clone();
    smaller.tables.retain(|t| t.name != "comments");
    let err = migrate::autogenerate(dialect, &blog, &smaller, &AutogenerateOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("drop table comments"), "{err}");
    assert!(err.to_string().contains("--allow-destructive"), "{err}");
    let allowed = migrate::autogenerate(
        dialect,
        &blog,
        &smaller,
        &AutogenerateOptions {
            allow_destructive: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(allowed.up, [r#"DROP TABLE IF EXISTS "comments""#]);

    let mut renamed = blog.clone();
    let authors = renamed
        .tables
        .iter_mut()
        .find(|t| t.name == "authors")
        .unwrap();
    authors
        .columns
        .iter_mut()
        .find(|c| c.name == "bio")
        .unwrap()
        .name = "about".into();
    let told = AutogenerateOptions {
        renames: DiffOptions::new().rename("authors", "bio", "about"),
        allow_destructive: false,
    };
    let m = migrate::autogenerate(dialect, &blog, &renamed, &told).unwrap();
    assert_eq!(
        m.up,
        [r#"ALTER TABLE "authors" RENAME COLUMN "bio" TO "about""#]
    );
    assert_eq!(
        m.down.unwrap(),
        [r#"ALTER TABLE "authors" RENAME COLUMN "about" TO "bio""#]
    );
}

/// An application's own binary (`ambidex_cli::run` with its models), run in-process: the
/// migration is written from the state the folder produces on a shadow database, and a
/// second run finds nothing to do.
#[test]
fn makemigrations_from_the_models_against_the_folder() {
    use std::process::ExitCode;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("migrations");
    let folder = folder.to_str().unwrap();
    let run = |extra: &[&str], models: &[&'static ModelMeta]| -> ExitCode {
        let mut args = vec!["manage", "--migrations", folder, "makemigrations"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--shadow-url", "sqlite::memory:"]);
        ambidex_cli::run_from(args, models)
    };
    assert_eq!(run(&["--name", "blog"], &BLOG), ExitCode::from(0));
    assert_eq!(migrate::from_dir(folder).unwrap().len(), 1);
    assert_eq!(run(&["--name", "again"], &BLOG), ExitCode::from(0));
    assert_eq!(
        migrate::from_dir(folder).unwrap().len(),
        1,
        "no changes, no migration"
    );
    assert_eq!(run(&["--name", "slugs"], &BLOG_V2), ExitCode::from(0));
    let set = migrate::from_dir(folder).unwrap();
    assert_eq!(set.len(), 2);
    let second = set.iter().nth(1).unwrap();
    assert!(second.name() == "slugs", "{}", second.id());
    let up = second.up_sql(Dialect::Sqlite).unwrap();
    assert!(up.contains("-- add column posts.slug"), "{up}");
    // Both apply on a real database, and it then matches the changed models.
    let scratch = common::sqlite();
    let db = ambidex::blocking::Db::open(&scratch.url).unwrap();
    assert_eq!(set.run(&db).unwrap().len(), 2);
    assert_matches(
        Dialect::Sqlite,
        &migrate::read_schema(&db).unwrap(),
        &BLOG_V2,
        "after both",
    );
}
