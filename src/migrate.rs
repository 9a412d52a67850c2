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
//! SQL was edited afterwards is refused with [`crate::Error::MigrationChanged`].
//!
//! The `ambidex` command line (package `ambidex-cli`) creates, applies, reverts and lists
//! migrations, writes new ones from the models, and writes models from
//! an existing database; see `docs/migrations.md`.

use std::path::Path;

pub use ambidex_core::migrate::{
    Applied, HISTORY_TABLE, Migration, MigrationState, MigrationStatus, Migrations,
    parse_folder_name, split_statements,
};

use crate::{Error, Result};

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
