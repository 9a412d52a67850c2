//! Migrations: a folder of ordered, named schema changes, applied from either world with
//! one history table (`ambidex_migrations`) whichever engine applied them.
//!
//! ```text
//! migrations/
//!   20260101120000_create_users/
//!     up.sql              -- CREATE TABLE ...; CREATE INDEX ...;
//!     down.sql            -- DROP TABLE ...;
//!     up.mysql.sql        -- optional: replaces up.sql on MySQL/MariaDB
//!   20260102090000_add_age/
//!     up.sql
//! ```
//!
//! Load the folder at run time with [`from_dir`] or embed it at compile time with
//! [`crate::embed_migrations!`], then apply it at start-up with the same call in both
//! worlds:
//!
//! ```
//! # fn main() -> ambidex::Result<()> {
//! use ambidex::migrate::{Migration, Migrations};
//! let migrations = Migrations::new(vec![
//!     Migration::new(1, "create_notes")
//!         .up("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);")
//!         .down("DROP TABLE notes;"),
//! ])?;
//! # #[cfg(feature = "blocking")] {
//! let db = ambidex::blocking::Db::open("sqlite::memory:")?;
//! let applied = migrations.run(&db)?;          // async: migrations.run(&db).await?
//! assert_eq!(applied.len(), 1);
//! assert!(migrations.run(&db)?.is_empty());    // already applied: nothing to do
//! # }
//! # Ok(()) }
//! ```
//!
//! Each migration runs in its own transaction under a database-wide lock, so several
//! instances starting at once apply each migration exactly once; on MySQL/MariaDB, whose
//! DDL cannot be rolled back, a failed migration leaves the statements before the failing
//! one applied (see [`ambidex_core::migrate`] for the details). An applied migration whose
//! SQL was edited afterwards is refused with [`crate::Error::MigrationChanged`]. On SQLite
//! each migration runs with foreign keys off around its transaction and checked before
//! COMMIT, so a table rebuild never runs a cascade; a file that starts with
//! `-- ambidex: no-transaction` runs outside a transaction (`CREATE INDEX CONCURRENTLY`).
//!
//! The `ambidex` command line (package `ambidex-cli`) creates, applies, reverts and lists
//! migrations, writes new ones from the models, and writes models from
//! an existing database; see `docs/guide/migrations.md`.

use std::path::{Path, PathBuf};

pub use ambidex_core::migrate::{
    Applied, HISTORY_TABLE, Migration, MigrationState, MigrationStatus, Migrations, now_utc,
    parse_folder_name, split_statements, version_now,
};

mod backends;

pub use backends::{autogenerate_for, write_folder};

use crate::schema::{self, Change, DiffOptions, Schema};
use crate::{DbResult, Dialect, Error, Result};

/// The migrations of the folder `dir`: one sub-folder `<version>_<name>` per migration,
/// holding `up.sql`, `down.sql` and per-backend versions (`up.postgres.sql`...). A folder
/// that does not exist is an empty set (nothing has been written yet).
pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrations> {
    let dir = dir.as_ref();
    let unreadable = |e: std::io::Error, what: &Path| {
        Error::Migration(format!("cannot read {}: {e}", what.display()).into())
    };
    if !dir.exists() {
        return Migrations::new(Vec::new());
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| unreadable(e, dir))? {
        let entry = entry.map_err(|e| unreadable(e, dir))?;
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let folder = entry.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(&path).map_err(|e| unreadable(e, &path))? {
            let file = file.map_err(|e| unreadable(e, &path))?;
            let name = file.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".sql") {
                continue;
            }
            let text =
                std::fs::read_to_string(file.path()).map_err(|e| unreadable(e, &file.path()))?;
            files.push((folder.clone(), name, text));
        }
    }
    Migrations::from_files(files)
}

/// What `embed_migrations!` expands to. Not a public API.
#[doc(hidden)]
pub fn embedded(files: &[(&'static str, &'static str, &'static str)]) -> Migrations {
    match Migrations::from_files(files.iter().copied()) {
        Ok(set) => set,
        Err(e) => panic!("embed_migrations!: {e}"),
    }
}

/// What [`autogenerate`] needs besides the two schemas.
#[derive(Debug, Clone, Default)]
pub struct AutogenerateOptions {
    /// Columns renamed (without this a rename is a drop and an add).
    pub renames: DiffOptions,
    /// Allow dropping tables and columns. Off: such a change is refused with
    /// [`Error::Migration`] naming what would be dropped.
    pub allow_destructive: bool,
}

/// A migration written by [`autogenerate`]: what changes, and its SQL both ways.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The backend it was written for.
    pub dialect: Dialect,
    /// The changes, in the order the up SQL makes them.
    pub changes: Vec<Change>,
    /// The statements that apply it.
    pub up: Vec<String>,
    /// The statements that revert it; `Err` says why they could not be written (the
    /// migration then has no down step).
    pub down: std::result::Result<Vec<String>, String>,
}

impl Generated {
    /// Whether there is nothing to change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The up step as the text of a `.sql` file, with a header listing the changes.
    pub fn up_sql(&self) -> String {
        up_text(self.dialect.name(), &self.changes, &self.up)
    }

    /// The down step as the text of a `.sql` file, if it could be written.
    pub fn down_sql(&self) -> Option<String> {
        Some(down_text(self.dialect.name(), self.down.as_ref().ok()?))
    }

    /// Writes the migration as `dir/<version>_<name>/up.sql` and `down.sql` (or
    /// `up.<backend>.sql` when `per_backend`), with a version after every migration in
    /// `dir`; returns the new folder.
    pub fn write(&self, dir: &Path, name: &str, per_backend: bool) -> Result<PathBuf> {
        write_folder(dir, name, std::slice::from_ref(self), per_backend)
    }
}

fn up_text(backends: &str, changes: &[Change], statements: &[String]) -> String {
    let mut out = format!(
        "-- Written by ambidex makemigrations for {backends} on {} UTC.\n",
        now_utc()
    );
    for change in changes {
        out.push_str(&format!("-- {}\n", change.describe()));
    }
    push_statements(&mut out, statements);
    out
}

fn down_text(backends: &str, statements: &[String]) -> String {
    let mut out = format!("-- Reverts the up step ({backends}).\n");
    push_statements(&mut out, statements);
    out
}

fn push_statements(out: &mut String, statements: &[String]) {
    for st in statements {
        out.push('\n');
        out.push_str(st);
        out.push_str(";\n");
    }
}

/// A migration name as a folder name: lower case, `_` for anything but letters and digits.
pub fn slug(name: &str) -> String {
    let s: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_matches('_').to_string();
    if s.is_empty() { "migration".into() } else { s }
}

/// The backend's name in per-backend file names (`up.postgres.sql`).
pub fn backend_suffix(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
        Dialect::Mysql => "mysql",
    }
}

/// Writes the migration that turns schema `current` into `target` on `dialect`'s
/// backend: the changes ([`schema::diff`]), the up statements and the down statements
/// (the diff the other way). Pure: nothing is read or written.
///
/// ```
/// use ambidex::migrate::{AutogenerateOptions, autogenerate};
/// use ambidex::prelude::*;
/// use ambidex::schema::Schema;
/// use ambidex::Dialect;
///
/// #[derive(Model)]
/// struct Note {
///     #[ambidex(primary_key, auto)]
///     id: i64,
///     #[ambidex(index)]
///     body: String,
/// }
/// let target = Schema::from_models(Dialect::Postgres, &[Note::META]).unwrap();
/// let m = autogenerate(Dialect::Postgres, &Schema::default(), &target, &AutogenerateOptions::default()).unwrap();
/// assert_eq!(m.up[0], r#"CREATE TABLE IF NOT EXISTS "note" ("id" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "body" TEXT COLLATE "C" NOT NULL)"#);
/// assert_eq!(m.up[1], r#"CREATE INDEX IF NOT EXISTS "ix_note_body" ON "note" ("body")"#);
/// assert_eq!(m.down.unwrap(), [r#"DROP TABLE IF EXISTS "note""#]);
/// ```
pub fn autogenerate(
    dialect: Dialect,
    current: &Schema,
    target: &Schema,
    options: &AutogenerateOptions,
) -> Result<Generated> {
    let changes = schema::diff(current, target, &options.renames)?;
    refuse_destructive(&changes, options)?;
    let up = sql(ambidex_core::ddl::changes(
        dialect, current, target, &changes,
    )?);
    let down = schema::diff(target, current, &options.renames.reversed())
        .and_then(|back| ambidex_core::ddl::changes(dialect, target, current, &back))
        .map(sql)
        .map_err(|e| e.to_string());
    Ok(Generated {
        dialect,
        changes,
        up,
        down,
    })
}

/// Refuses `changes` that drop tables or columns unless `options` allow it.
fn refuse_destructive(changes: &[Change], options: &AutogenerateOptions) -> Result<()> {
    let destructive: Vec<String> = changes
        .iter()
        .filter(|c| c.is_destructive())
        .map(Change::describe)
        .collect();
    if !destructive.is_empty() && !options.allow_destructive {
        return Err(Error::Migration(
            format!(
                "the models would {}, which loses data; if that is what you want, allow it \
                 (`--allow-destructive`); if a column was renamed, say so (`--rename \
                 table.old=new`)",
                destructive.join(", ")
            )
            .into(),
        ));
    }
    Ok(())
}

/// The text of each statement.
fn sql(statements: Vec<ambidex_core::Statement>) -> Vec<String> {
    statements
        .into_iter()
        .map(|s| s.sql().to_string())
        .collect()
}

/// Reads the schema of the database behind `db` (every table but the history table), in
/// either world: `read_schema(&db)?` or `read_schema(&db).await?`.
pub fn read_schema<'e, E: ambidex_core::Executor<'e>>(db: E) -> DbResult<'e, E, Schema> {
    db.run(schema::ReadSchema)
}
