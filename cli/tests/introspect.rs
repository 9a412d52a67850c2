//! Introspection of a schema the models did not make: a composite primary key, foreign
//! keys (one cascading), nullable columns, defaults and a multi-column index, on every
//! backend. (`roundtrip.rs` compiles what introspection writes for the blog's schema.)

mod common;

use ambidex::migrate;
use ambidex::raw;

const SCHEMA: [&str; 4] = [
    "CREATE TABLE tags (id BIGINT NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, \
     score INTEGER DEFAULT 5, active BOOLEAN NOT NULL DEFAULT TRUE)",
    "CREATE TABLE articles (id BIGINT NOT NULL PRIMARY KEY, title VARCHAR(100) NOT NULL, \
     subtitle VARCHAR(100))",
    "CREATE TABLE article_tags (article_id BIGINT NOT NULL, tag_id BIGINT NOT NULL, \
     note VARCHAR(20), PRIMARY KEY (article_id, tag_id), \
     FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE, \
     FOREIGN KEY (tag_id) REFERENCES tags (id))",
    "CREATE INDEX ix_article_tags_note ON article_tags (note, tag_id)",
];

fn introspect(backend: &str) {
    let Some(scratch) = common::scratch(backend) else {
        return;
    };
    let db = ambidex::blocking::Db::open(&scratch.url).unwrap();
    for sql in SCHEMA {
        raw(sql).execute(&db).unwrap();
    }
    let schema = migrate::read_schema(&db).unwrap();
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names.last(),
        Some(&"article_tags"),
        "children after parents"
    );
    let source = ambidex_cli::rust_source::models_source(&schema, "a test database");
    let int = if backend == "sqlite" { "i64" } else { "i32" };
    for expected in [
        "pub struct ArticleTag {",
        "#[ambidex(primary_key, belongs_to = Article, on_delete = \"cascade\")]\n    pub article_id: i64,",
        "#[ambidex(primary_key, belongs_to = Tag)]\n    pub tag_id: i64,",
        "pub note: Option<String>,",
        "pub subtitle: Option<String>,",
        "#[ambidex(primary_key)]\n    pub id: i64,",
        &format!("#[ambidex(default = 5)]\n    pub score: Option<{int}>,"),
        "#[ambidex(default = true)]\n    pub active: bool,",
        "index `ix_article_tags_note` on (note, tag_id), which models do not declare",
    ] {
        assert!(
            source.contains(expected),
            "{backend}: expected {expected:?} in\n{source}"
        );
    }
    // The source parses as Rust (formatting went through syn and prettyplease).
    syn::parse_file(&source).expect("valid Rust");
}

#[test]
fn introspect_sqlite() {
    introspect("sqlite");
}

#[test]
fn introspect_postgres() {
    introspect("postgres");
}

#[test]
fn introspect_mysql() {
    introspect("mysql");
}
