//! Migrations: ordered, named schema changes with up and down steps, a history table, and
//! the plans that apply, revert and report them over any [`crate::Connection`].
//!
//! A migration is a folder `<version>_<name>/` holding `up.sql` and (optionally)
//! `down.sql`; `up.<dialect>.sql` (`up.sqlite.sql`, `up.postgres.sql`, `up.mysql.sql`)
//! replaces `up.sql` on that backend, and likewise for `down`. The facade reads such a
//! folder at run time (`ambidex::migrate::from_dir`) or embeds it at compile
//! time (`ambidex::embed_migrations!`); both end in [`Migrations::from_files`].
//!
//! Applying, reverting and reporting are [`crate::Plan`]s like every other operation, so
//! `migrations.run(&db)` returns a `Result` with a blocking handle and a future with an
//! async one, and both write the same history table, `ambidex_migrations`:
//!
//! | column | meaning |
//! | --- | --- |
//! | `version` | the migration's version (primary key) |
//! | `name` | its name |
//! | `checksum` | SHA-256 (hex) of the up SQL that ran, line endings normalized |
//! | `applied_at` | when, UTC, `YYYY-MM-DD HH:MM:SS` |
//! | `execution_ms` | how long its statements took |
//!
//! **Concurrency.** Each migration runs in its own transaction, holding a lock for the
//! database: PostgreSQL `pg_advisory_xact_lock` (per schema), SQLite the write lock of
//! `BEGIN IMMEDIATE`. Inside it the history is read again, so of several instances
//! starting at once exactly one applies each migration and the others see it applied.
//! MySQL/MariaDB commit DDL implicitly, so there a session lock (`GET_LOCK`) is held on
//! the plan's one connection from the first migration to the last (a run that panics or
//! is dropped before releasing it leaves the connection marked,
//! [`crate::Connection::session_lock_held`], and the engine closes it, which releases
//! the lock, instead of pooling it), and **a migration that
//! fails halfway is not rolled back**: the statements before the failing one stay applied
//! (the error says which statement failed). Keep MariaDB migrations to one DDL statement
//! each where you can.
//!
//! **SQLite and foreign keys.** SQLite changes a table by rebuilding it (create, copy,
//! `DROP TABLE`, rename), and with foreign keys on, the `DROP TABLE` of a parent runs its
//! children's `ON DELETE` actions; `PRAGMA foreign_keys` cannot be switched inside a
//! transaction. So every SQLite migration follows SQLite's own procedure: foreign keys off
//! on the connection before `BEGIN` (the connection is marked, as for MariaDB's lock, so
//! that one never goes back to a pool with them off), `PRAGMA foreign_key_check` before
//! `COMMIT` (any row without its parent rolls the migration back with [`Error::Migration`]
//! naming the tables, the count and the first rowids), on again after. A migration that
//! counted on a cascade to delete rows is thereby refused with nothing changed: with
//! enforcement off no cascade runs, and the rows it would have deleted are orphans.
//!
//! **Outside a transaction.** A script whose leading comments hold
//! `-- ambidex: no-transaction` ([`NO_TRANSACTION`], [`runs_in_transaction`]) runs
//! statement by statement without a transaction (PostgreSQL's `CREATE INDEX
//! CONCURRENTLY`, SQLite's `VACUUM`), still under the migration lock (PostgreSQL: the
//! session's advisory lock; MariaDB: the run's `GET_LOCK`; SQLite: a claim row in
//! [`CLAIMS_TABLE`]), recorded only after its last statement succeeded; a failure is
//! [`Error::MigrationFailed`] with `rolled_back: false`.

mod history;
mod introspect;
mod run;
mod split;

use std::borrow::Cow;
use std::fmt;

use crate::engine::{DbResult, Executor};
use crate::error::{Error, Result};
use crate::sql::dialect::Dialect;

pub use history::{CLAIMS_TABLE, HISTORY_TABLE};
pub use introspect::ReadSchema;
pub use run::{Apply, Redo, Revert, Status};
pub use split::{NO_TRANSACTION, runs_in_transaction, split_statements};

/// SQL for one direction of a migration: a file for every backend, and files that
/// replace it on one.
#[derive(Debug, Clone, Default)]
struct Scripts {
    any: Option<Cow<'static, str>>,
    by_dialect: [Option<Cow<'static, str>>; 3],
}

impl Scripts {
    fn for_dialect(&self, dialect: Dialect) -> Option<&str> {
        self.by_dialect[dialect.index()]
            .as_deref()
            .or(self.any.as_deref())
    }

    /// Every script, for every backend.
    fn all(&self) -> impl Iterator<Item = &str> {
        self.any
            .iter()
            .chain(self.by_dialect.iter().flatten())
            .map(|s| &**s)
    }

    fn is_empty(&self) -> bool {
        self.any.is_none() && self.by_dialect.iter().all(Option::is_none)
    }

    fn set(&mut self, dialect: Option<Dialect>, sql: Cow<'static, str>) {
        match dialect {
            Some(d) => self.by_dialect[d.index()] = Some(sql),
            None => self.any = Some(sql),
        }
    }
}

/// One migration: a version (its order), a name, and SQL to apply and to revert it.
///
/// ```
/// use ambidex_core::Dialect;
/// use ambidex_core::migrate::Migration;
/// let m = Migration::new(20260101000000, "create_notes")
///     .up("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
///     .up_for(Dialect::Mysql, "CREATE TABLE notes (id BIGINT PRIMARY KEY, body LONGTEXT NOT NULL)")
///     .down("DROP TABLE notes");
/// assert_eq!(m.id(), "20260101000000_create_notes");
/// assert!(m.up_sql(Dialect::Mysql).unwrap().contains("LONGTEXT"));
/// assert_eq!(m.down_sql(Dialect::Postgres), Some("DROP TABLE notes"));
/// assert_ne!(m.checksum(Dialect::Sqlite), m.checksum(Dialect::Mysql));
/// ```
#[derive(Debug, Clone)]
pub struct Migration {
    version: i64,
    name: String,
    up: Scripts,
    down: Scripts,
}

impl Migration {
    /// A migration with no SQL yet.
    pub fn new(version: i64, name: impl Into<String>) -> Self {
        Migration {
            version,
            name: name.into(),
            up: Scripts::default(),
            down: Scripts::default(),
        }
    }

    /// The SQL that applies it (on every backend without its own).
    pub fn up(mut self, sql: impl Into<Cow<'static, str>>) -> Self {
        self.up.set(None, sql.into());
        self
    }

    /// The SQL that applies it on `dialect`'s backend.
    pub fn up_for(mut self, dialect: Dialect, sql: impl Into<Cow<'static, str>>) -> Self {
        self.up.set(Some(dialect), sql.into());
        self
    }

    /// The SQL that reverts it (on every backend without its own).
    pub fn down(mut self, sql: impl Into<Cow<'static, str>>) -> Self {
        self.down.set(None, sql.into());
        self
    }

    /// The SQL that reverts it on `dialect`'s backend.
    pub fn down_for(mut self, dialect: Dialect, sql: impl Into<Cow<'static, str>>) -> Self {
        self.down.set(Some(dialect), sql.into());
        self
    }

    /// The version: migrations apply in increasing version order.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `{version}_{name}`, as the folder is named.
    pub fn id(&self) -> String {
        format!("{}_{}", self.version, self.name)
    }

    /// The SQL that applies it on `dialect`'s backend, if there is any.
    pub fn up_sql(&self, dialect: Dialect) -> Option<&str> {
        self.up.for_dialect(dialect)
    }

    /// The SQL that reverts it on `dialect`'s backend, if there is any.
    pub fn down_sql(&self, dialect: Dialect) -> Option<&str> {
        self.down.for_dialect(dialect)
    }

    /// The checksum recorded when it is applied on `dialect`'s backend: SHA-256 (hex) of
    /// its up SQL there, with `\r\n` read as `\n` (so a checkout on Windows does not count
    /// as an edit).
    pub fn checksum(&self, dialect: Dialect) -> String {
        use sha2::Digest;
        let sql = self
            .up_sql(dialect)
            .unwrap_or_default()
            .replace("\r\n", "\n");
        let digest = sha2::Sha256::digest(sql.as_bytes());
        let mut hex = String::with_capacity(64);
        for byte in digest {
            hex.push_str(&format!("{byte:02x}"));
        }
        hex
    }
}

/// A version for a migration written now: the UTC time as `YYYYMMDDHHMMSS`, or one more
/// than `after` if that is not greater (two migrations written in one second).
pub fn version_now(after: Option<i64>) -> i64 {
    let now: i64 = history::now_utc()
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    match after {
        Some(last) if last >= now => last + 1,
        _ => now,
    }
}

/// The current time in UTC as `YYYY-MM-DD HH:MM:SS`, as the history table records it.
pub fn now_utc() -> String {
    history::now_utc()
}

/// The parts of a migration folder's name: `20260101120000_create_users` is version
/// 20260101120000, name `create_users`.
///
/// ```
/// use ambidex_core::migrate::parse_folder_name;
/// assert_eq!(parse_folder_name("0001_init").unwrap(), (1, "init".to_string()));
/// assert!(parse_folder_name("init").is_err());
/// ```
pub fn parse_folder_name(folder: &str) -> Result<(i64, String)> {
    let bad = || {
        Error::Migration(
            format!(
                "`{folder}` is not a migration folder name: expected `<version>_<name>`, a \
                 number then a name, like `20260101120000_create_users` (`ambidex migrate new \
                 <name>` makes one)"
            )
            .into(),
        )
    };
    let (version, name) = folder.split_once('_').ok_or_else(bad)?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) || name.is_empty() {
        return Err(bad());
    }
    let version = version.parse::<i64>().map_err(|_| bad())?;
    Ok((version, name.to_string()))
}

/// What a file in a migration folder is: `up.sql`, `down.sql`, `up.postgres.sql`...
/// `Ok(None)` for files that are not SQL (a README); an error for a `.sql` file whose name
/// means nothing, so that a typo is not silently skipped.
fn file_role(folder: &str, file: &str) -> Result<Option<(bool, Option<Dialect>)>> {
    let Some(stem) = file.strip_suffix(".sql") else {
        return Ok(None);
    };
    let (direction, dialect) = match stem.split_once('.') {
        Some((d, backend)) => (d, Some(backend)),
        None => (stem, None),
    };
    let up = match direction {
        "up" => true,
        "down" => false,
        _ => return Err(unknown_file(folder, file)),
    };
    let dialect = match dialect {
        None => None,
        Some("sqlite") => Some(Dialect::Sqlite),
        Some("postgres" | "postgresql") => Some(Dialect::Postgres),
        Some("mysql" | "mariadb") => Some(Dialect::Mysql),
        Some(_) => return Err(unknown_file(folder, file)),
    };
    Ok(Some((up, dialect)))
}

fn unknown_file(folder: &str, file: &str) -> Error {
    Error::Migration(
        format!(
            "unexpected file `{folder}/{file}`: a migration folder holds `up.sql`, \
             `down.sql`, and per-backend versions `up.sqlite.sql`, `up.postgres.sql`, \
             `up.mysql.sql` (and `down.*.sql`)"
        )
        .into(),
    )
}

/// An ordered set of migrations: what an application applies at start-up.
///
/// Build it from a folder (`ambidex::migrate::from_dir`), at compile time
/// (`ambidex::embed_migrations!`), from files ([`Migrations::from_files`]) or from
/// [`Migration`] values ([`Migrations::new`]). Then, in either world:
///
/// ```
/// # #[cfg(any())] fn f(migrations: ambidex_core::migrate::Migrations) -> ambidex_core::Result<()> {
/// migrations.run(&blocking_db)?;        // a script
/// migrations.run(&async_db).await?;     // a server: the same name, awaited
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Migrations {
    list: Vec<Migration>,
    ignore_missing: bool,
}

impl Migrations {
    /// The migrations in `list`, sorted by version; two with one version are an error.
    pub fn new(mut list: Vec<Migration>) -> Result<Migrations> {
        list.sort_by_key(|m| m.version);
        for pair in list.windows(2) {
            if pair[0].version == pair[1].version {
                return Err(Error::Migration(
                    format!(
                        "two migrations have version {}: `{}` and `{}`; rename one folder",
                        pair[0].version,
                        pair[0].id(),
                        pair[1].id()
                    )
                    .into(),
                ));
            }
        }
        for m in &list {
            if m.up.is_empty() {
                return Err(Error::Migration(
                    format!("migration `{}` has no up.sql (or up.<backend>.sql)", m.id()).into(),
                ));
            }
            for sql in m.up.all().chain(m.down.all()) {
                runs_in_transaction(sql).map_err(|why| {
                    Error::Migration(format!("migration `{}`: {why}", m.id()).into())
                })?;
            }
        }
        Ok(Migrations {
            list,
            ignore_missing: false,
        })
    }

    /// The migrations of a folder's files, each given as (migration folder name, file
    /// name, contents): `("20260101120000_create_users", "up.sql", "CREATE TABLE ...")`.
    /// Files that do not end in `.sql` are ignored.
    ///
    /// ```
    /// use ambidex_core::migrate::Migrations;
    /// let set = Migrations::from_files([
    ///     ("2_add_age", "up.sql", "ALTER TABLE people ADD COLUMN age INTEGER"),
    ///     ("1_init", "up.sql", "CREATE TABLE people (name TEXT)"),
    ///     ("1_init", "down.sql", "DROP TABLE people"),
    ///     ("1_init", "README.md", "notes"),
    /// ]).unwrap();
    /// let ids: Vec<String> = set.iter().map(|m| m.id()).collect();
    /// assert_eq!(ids, ["1_init", "2_add_age"]);
    /// ```
    pub fn from_files<F, N, C>(files: impl IntoIterator<Item = (F, N, C)>) -> Result<Migrations>
    where
        F: AsRef<str>,
        N: AsRef<str>,
        C: Into<Cow<'static, str>>,
    {
        let mut list: Vec<Migration> = Vec::new();
        for (folder, file, contents) in files {
            let (folder, file) = (folder.as_ref(), file.as_ref());
            let Some((up, dialect)) = file_role(folder, file)? else {
                continue;
            };
            let (version, name) = parse_folder_name(folder)?;
            let index = match list
                .iter()
                .position(|m| m.version == version && m.name == name)
            {
                Some(i) => i,
                None => {
                    list.push(Migration::new(version, name));
                    list.len() - 1
                }
            };
            let m = &mut list[index];
            if up {
                m.up.set(dialect, contents.into());
            } else {
                m.down.set(dialect, contents.into());
            }
        }
        Migrations::new(list)
    }

    /// Lets `run` proceed when the database has migrations applied that this set does not
    /// hold (an older build starting against a newer database). Off by default: such a
    /// database is refused with [`Error::Migration`].
    pub fn ignore_missing(mut self, ignore: bool) -> Self {
        self.ignore_missing = ignore;
        self
    }

    /// The migrations, in version order.
    pub fn iter(&self) -> impl Iterator<Item = &Migration> {
        self.list.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The migration with `version`.
    pub fn get(&self, version: i64) -> Option<&Migration> {
        self.list.iter().find(|m| m.version == version)
    }

    pub(crate) fn ignores_missing(&self) -> bool {
        self.ignore_missing
    }

    /// Applies every pending migration, in version order, each in its own transaction
    /// under the migration lock; returns those this call applied (none when another
    /// instance got there first). An applied migration whose file changed is refused with
    /// [`Error::MigrationChanged`] before anything runs.
    pub fn run<'e, E: Executor<'e>>(&'e self, db: E) -> DbResult<'e, E, Vec<Applied>> {
        db.run(Apply::new(self, None))
    }

    /// Applies pending migrations up to and including version `target`.
    pub fn run_to<'e, E: Executor<'e>>(
        &'e self,
        target: i64,
        db: E,
    ) -> DbResult<'e, E, Vec<Applied>> {
        db.run(Apply::new(self, Some(target)))
    }

    /// Reverts the last `steps` applied migrations, newest first, with their down SQL;
    /// returns those reverted.
    pub fn revert<'e, E: Executor<'e>>(
        &'e self,
        steps: usize,
        db: E,
    ) -> DbResult<'e, E, Vec<Applied>> {
        db.run(Revert::new(self, steps))
    }

    /// Reverts the last applied migration and applies it again (to test its down step, or
    /// after editing it on a development database).
    pub fn redo<'e, E: Executor<'e>>(&'e self, db: E) -> DbResult<'e, E, Vec<Applied>> {
        db.run(Redo::new(self))
    }

    /// Every migration of this set and of the database's history, with its state.
    pub fn status<'e, E: Executor<'e>>(&'e self, db: E) -> DbResult<'e, E, Vec<MigrationStatus>> {
        db.run(Status::new(self))
    }
}

/// A migration a call applied or reverted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Its version.
    pub version: i64,
    /// Its name.
    pub name: String,
    /// How long its statements took.
    pub duration: std::time::Duration,
}

/// Where a migration stands in a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationState {
    /// Not applied yet.
    Pending,
    /// Applied at `applied_at` (UTC), as it is now.
    Applied {
        /// When (UTC, `YYYY-MM-DD HH:MM:SS`).
        applied_at: String,
    },
    /// Applied at `applied_at`, but its file changed since (`run` refuses to proceed).
    Changed {
        /// When (UTC).
        applied_at: String,
    },
    /// Applied at `applied_at`, but not in this set of migrations.
    Missing {
        /// When (UTC).
        applied_at: String,
    },
}

/// One line of [`Migrations::status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// The version.
    pub version: i64,
    /// The name.
    pub name: String,
    /// Where it stands.
    pub state: MigrationState,
}

impl fmt::Display for MigrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = format!("{}_{}", self.version, self.name);
        match &self.state {
            MigrationState::Pending => write!(f, "pending  {id}"),
            MigrationState::Applied { applied_at } => write!(f, "applied  {id} ({applied_at})"),
            MigrationState::Changed { applied_at } => {
                write!(f, "CHANGED  {id} (applied {applied_at}, edited since)")
            }
            MigrationState::Missing { applied_at } => {
                write!(
                    f,
                    "missing  {id} (applied {applied_at}, not in this program)"
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_backend_files_replace_the_common_one() {
        let set = Migrations::from_files([
            ("1_a", "up.sql", "A"),
            ("1_a", "up.postgres.sql", "P"),
            ("1_a", "down.mysql.sql", "M"),
        ])
        .unwrap();
        let m = set.get(1).unwrap();
        assert_eq!(m.up_sql(Dialect::Sqlite), Some("A"));
        assert_eq!(m.up_sql(Dialect::Postgres), Some("P"));
        assert_eq!(m.down_sql(Dialect::Mysql), Some("M"));
        assert_eq!(m.down_sql(Dialect::Sqlite), None);
    }

    #[test]
    fn malformed_sets_are_refused_with_advice() {
        let typo = Migrations::from_files([("1_a", "up.pgsql.sql", "x")]).unwrap_err();
        assert!(typo.to_string().contains("up.postgres.sql"), "{typo}");
        let dup =
            Migrations::from_files([("1_a", "up.sql", "x"), ("1_b", "up.sql", "y")]).unwrap_err();
        assert!(dup.to_string().contains("version 1"), "{dup}");
        let no_up = Migrations::from_files([("1_a", "down.sql", "x")]).unwrap_err();
        assert!(no_up.to_string().contains("no up.sql"), "{no_up}");
    }

    #[test]
    fn checksums_ignore_line_endings_only() {
        let a = Migration::new(1, "a").up("CREATE TABLE t (x INT);\nSELECT 1;");
        let b = Migration::new(1, "a").up("CREATE TABLE t (x INT);\r\nSELECT 1;");
        let c = Migration::new(1, "a").up("CREATE TABLE t (x BIGINT);\nSELECT 1;");
        assert_eq!(a.checksum(Dialect::Sqlite), b.checksum(Dialect::Sqlite));
        assert_ne!(a.checksum(Dialect::Sqlite), c.checksum(Dialect::Sqlite));
        assert_eq!(a.checksum(Dialect::Sqlite).len(), 64);
    }
}
