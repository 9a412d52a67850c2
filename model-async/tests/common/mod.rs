//! A hand-written model (the derive is written elsewhere) and temp-file databases.
#![allow(dead_code)]

use ambidex_async::Db;
use ambidex_core::{
    Column, ColumnDef, Model, ModelMeta, Result, RowReader, SqlCache, SqlField, Value, ValueKind,
    decode_field, row_too_narrow,
};
use tempfile::TempDir;

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub age: i32,
    pub nick: Option<String>,
    pub avatar: Option<Vec<u8>>,
    pub score: f64,
    pub active: bool,
}

const fn col(name: &'static str, kind: ValueKind, nullable: bool) -> ColumnDef {
    ColumnDef {
        name,
        field: name,
        kind,
        nullable,
        primary_key: false,
        auto: false,
        unique: false,
        index: false,
        default: None,
        references: None,
    }
}

static USER_META: ModelMeta = ModelMeta {
    name: "User",
    table: "users",
    keys: &[0],
    columns: &[
        ColumnDef {
            primary_key: true,
            auto: true,
            ..col("id", ValueKind::I64, false)
        },
        ColumnDef {
            unique: true,
            ..col("email", ValueKind::Text, false)
        },
        ColumnDef {
            index: true,
            ..col("age", ValueKind::I32, false)
        },
        col("nick", ValueKind::Text, true),
        col("avatar", ValueKind::Blob, true),
        col("score", ValueKind::F64, false),
        col("active", ValueKind::Bool, false),
    ],
};

static USER_CACHE: SqlCache = SqlCache::new();

impl User {
    pub const ID: Column<User, i64> = Column::new("users", "id");
    pub const EMAIL: Column<User, String> = Column::new("users", "email");
    pub const AGE: Column<User, i32> = Column::new("users", "age");
    pub const NICK: Column<User, Option<String>> = Column::new("users", "nick");

    pub fn new(email: &str, age: i32) -> User {
        User {
            id: 0,
            email: email.to_string(),
            age,
            nick: None,
            avatar: None,
            score: 0.5,
            active: true,
        }
    }
}

impl Model for User {
    const META: &'static ModelMeta = &USER_META;
    type Key = i64;

    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Self> {
        if row.width() < 7 {
            return Err(row_too_narrow("User", 7, row.width()));
        }
        Ok(User {
            id: decode_field(row, 0, "User", "id", "id")?,
            email: decode_field(row, 1, "User", "email", "email")?,
            age: decode_field(row, 2, "User", "age", "age")?,
            nick: decode_field(row, 3, "User", "nick", "nick")?,
            avatar: decode_field(row, 4, "User", "avatar", "avatar")?,
            score: decode_field(row, 5, "User", "score", "score")?,
            active: decode_field(row, 6, "User", "active", "active")?,
        })
    }

    fn push_insert_values(&self, out: &mut Vec<Value>) {
        out.push(self.email.to_value());
        out.push(self.age.to_value());
        out.push(self.nick.to_value());
        out.push(self.avatar.to_value());
        out.push(self.score.to_value());
        out.push(self.active.to_value());
    }

    fn push_update_values(&self, out: &mut Vec<Value>) {
        self.push_insert_values(out);
    }

    fn push_key_values(&self, out: &mut Vec<Value>) {
        out.push(self.id.to_value());
    }

    fn sql_cache() -> &'static SqlCache {
        &USER_CACHE
    }
}

/// A fresh database file in a temp dir (kept alive by the returned guard).
pub async fn temp_db() -> (TempDir, Db) {
    temp_db_with(None).await
}

/// A fresh database file with a given pool size.
pub async fn temp_db_with(max_connections: Option<u32>) -> (TempDir, Db) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let mut builder = Db::builder(&url);
    if let Some(n) = max_connections {
        builder = builder.max_connections(n);
    }
    let db = builder.connect().await.expect("connect");
    User::create_table(&db).await.expect("create table");
    (dir, db)
}

/// A second, independent pool on the same file: sees only committed data.
pub async fn other_pool(dir: &TempDir) -> Db {
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    Db::connect(&url).await.expect("connect other")
}
