//! Dialects: everything that differs between SQLite, PostgreSQL and MySQL/MariaDB.
//!
//! The renderer ([`crate::sql::render`], [`crate::sql::ddl`]) writes SQL once and asks the dialect
//! for each difference through the hooks of [`SqlDialect`] (placeholders, quoting, column
//! types, LIKE, NULL ordering, LIMIT forms, RETURNING, error codes). Each backend's answers
//! live in its own module and nowhere else; engines never build SQL.

mod mysql;
mod postgres;
pub mod replication;
mod sqlite;

use crate::engine::tx_options::TxOptions;
use crate::error::{DbFailure, Error, Result};
use crate::query::ast::{AggFunc, DatePart, Func, RowLock};
use crate::sql::writer::SqlWriter;
use crate::value::{DefaultValue, ValueKind};

pub use mysql::Mysql;
pub use postgres::Postgres;
pub use sqlite::{DECIMAL_SUM, Sqlite, UNICODE_LOWER, UNICODE_UPPER};

pub use crate::engine::backend::{Dialect, Server};

/// A dialect's rules and classification live here, beside the rules; the enum itself is
/// the engine seam's (engines report which backend they speak).
impl Dialect {
    /// The rules of this dialect.
    #[inline]
    pub fn rules(self) -> &'static dyn SqlDialect {
        match self {
            Dialect::Sqlite => &Sqlite,
            Dialect::Postgres => &Postgres,
            Dialect::Mysql => &Mysql,
        }
    }

    /// The backend's name, for messages.
    pub fn name(self) -> &'static str {
        self.rules().name()
    }

    /// The typed error for a failure this backend reported.
    pub fn classify(self, failure: DbFailure) -> Error {
        self.rules().classify(failure)
    }
}

/// The dialect decides the variant of a database's failure (see `crate::error`).
impl Error {
    /// Builds the typed variant for a failure the database reported, using the dialect's
    /// knowledge of its backend's codes and messages.
    pub fn from_db_failure(dialect: Dialect, failure: DbFailure) -> Error {
        dialect.classify(failure)
    }
}

/// The queries that read a schema. Each `?` is bound to the table's name.
#[derive(Debug, Clone, Copy)]
pub struct Introspection {
    /// The tables: rows of `(name)`.
    pub tables: &'static str,
    /// A table's columns in order: rows of `(name, type, nullable 0/1, default or NULL,
    /// part of the primary key 0/1 (or its position), generated 0/1)`.
    pub columns: &'static str,
    /// How many `?` `columns` has.
    pub columns_binds: usize,
    /// A table's indexes and unique constraints but the primary key's: rows of
    /// `(index, column or NULL, unique 0/1, position)`, by index and position.
    pub indexes: &'static str,
    /// A table's foreign keys: rows of `(name or NULL, column, parent table, parent
    /// column or NULL, delete rule)`.
    pub foreign_keys: &'static str,
    /// How many `?` `indexes` and `foreign_keys` have.
    pub table_binds: usize,
}

/// The hooks through which a backend states how it differs. Defaults follow standard SQL.
pub trait SqlDialect: Send + Sync + 'static {
    /// The backend's name, for messages.
    fn name(&self) -> &'static str;

    /// Appends `ident` quoted (standard: double quotes, embedded quotes doubled).
    fn write_ident(&self, out: &mut String, ident: &str) {
        out.push('"');
        for c in ident.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    }

    /// Appends the `n`th (1-based) placeholder.
    fn write_placeholder(&self, out: &mut String, n: usize);

    /// The most bound values one statement may carry.
    fn max_bind_params(&self) -> usize;

    /// The column type for `kind`; `keyed` when the column is indexed, unique or a key.
    fn column_type(&self, kind: ValueKind, keyed: bool) -> &'static str;

    /// Appends the definition of a database-generated integer primary key, name included.
    fn write_auto_key(&self, w: &mut SqlWriter, name: &str, kind: ValueKind);

    /// Appends a literal for a column default in DDL.
    fn write_default(&self, out: &mut String, value: DefaultValue) {
        match value {
            DefaultValue::Bool(b) => out.push_str(if b { "TRUE" } else { "FALSE" }),
            DefaultValue::Int(i) => out.push_str(&i.to_string()),
            DefaultValue::Float(f) => out.push_str(&format!("{f:?}")),
            DefaultValue::Text(s) => {
                out.push('\'');
                out.push_str(&s.replace('\'', "''"));
                out.push('\'');
            }
        }
    }

    /// A column default written as a standard SQL literal (`'a''b'`, `42`, `TRUE`: what
    /// [`Self::write_default`]'s default writes) as this backend reads it.
    fn default_literal(&self, standard: &str) -> String {
        standard.to_string()
    }

    /// Whether `INSERT`, `UPDATE` and `DELETE ... RETURNING` give back the rows written, on
    /// every server of the dialect.
    fn supports_returning(&self) -> bool;

    /// Whether `INSERT ... RETURNING` gives back the inserted row on `server`: the one
    /// statement stores the row and returns it, generated key included, so no second
    /// lookup can miss it (a concurrent `DELETE` made that lookup fail). Default:
    /// [`Self::supports_returning`].
    fn insert_returning(&self, _server: Server) -> bool {
        self.supports_returning()
    }

    /// Whether `DELETE ... RETURNING` gives back the deleted rows on `server` (MariaDB
    /// 10.5+ has it, but no `UPDATE ... RETURNING`). Default:
    /// [`Self::supports_returning`].
    fn delete_returning(&self, _server: Server) -> bool {
        self.supports_returning()
    }

    /// The query whose one row holds the server's version text, for a dialect that speaks
    /// to more than one kind of server (see [`Server`]); the engines run it once when a
    /// connection or pool opens and pass its answer to [`Self::server_of`]. Default: none,
    /// the server is [`Server::Standard`].
    fn server_version_query(&self) -> Option<&'static str> {
        None
    }

    /// Which server the version text `version` (the answer of
    /// [`Self::server_version_query`]) names.
    fn server_of(&self, _version: &str) -> Server {
        Server::Standard
    }

    /// The clause after a `SELECT` that locks its rows (`" FOR UPDATE SKIP LOCKED"`), or
    /// `None` where the backend has no row locks: there a locking read first takes the
    /// database's write lock for the transaction (`crate::sql::render::write_lock`).
    fn lock_clause(&self, lock: RowLock) -> Option<&'static str>;

    /// Writes the lock clause of a join that locks the rows of `of` only (table names or
    /// aliases; empty: every table read). The default writes [`SqlDialect::lock_clause`],
    /// which locks the rows of every table the statement reads: MariaDB has no
    /// `FOR UPDATE OF`, so there the lock covers the joined rows too (more rows locked,
    /// never fewer). Nothing where rows are not locked (SQLite).
    fn write_lock_of(&self, w: &mut SqlWriter, lock: RowLock, of: &[&'static str]) {
        let _ = of;
        if let Some(clause) = self.lock_clause(lock) {
            w.push(clause);
        }
    }

    /// Whether `INSERT ... ON CONFLICT (target) DO UPDATE / DO NOTHING ... RETURNING` is
    /// available (PostgreSQL, SQLite). Where it is not (MySQL's `ON DUPLICATE KEY UPDATE`
    /// fires on *any* unique key, and `INSERT IGNORE` turns other errors into warnings),
    /// upserts are an INSERT that falls back to an UPDATE on a unique violation
    /// (`crate::ops::upsert`), which gives the same result.
    fn supports_on_conflict(&self) -> bool {
        false
    }

    /// Where RETURNING is missing: the query that reads the key the last insert generated,
    /// for drivers that do not report it themselves.
    fn last_insert_id_query(&self) -> Option<&'static str> {
        None
    }

    /// The insert of a row whose columns are all generated (`DEFAULT VALUES`).
    fn insert_defaults_clause(&self) -> &'static str {
        " DEFAULT VALUES"
    }

    /// Appends a LIKE test of `column` against `pattern` (ambidex syntax: `%`, `_`, `\`).
    fn write_like(&self, w: &mut SqlWriter, column: &str, pattern: &str, case_insensitive: bool);

    /// The type name for `CAST(x AS type)` that yields `kind` (aggregates are cast so that
    /// every backend returns the same type).
    fn cast_type(&self, kind: ValueKind) -> &'static str {
        self.column_type(kind, false)
    }

    /// The collation a `CAST(x AS type)` to `kind` is given after it (`COLLATE name`),
    /// where the cast would otherwise take one that is not byte order (MariaDB's `CHAR
    /// CHARACTER SET utf8mb4` takes `utf8mb4_general_ci`, whose `DISTINCT` merges `e` and
    /// `é`). Default: none.
    fn cast_collation(&self, _kind: ValueKind) -> Option<&'static str> {
        None
    }

    /// The operator that divides integers truncating toward zero (`/`; MySQL's `/` would
    /// answer a decimal, its `DIV` truncates).
    fn integer_division(&self) -> &'static str {
        "/"
    }

    /// The SQL function that computes `func` the way ambidex defines it (Unicode case
    /// mapping, length in characters), called as `NAME(args)`; `None` for
    /// [`Func::Concat`] where the dialect joins text with the `||` operator instead.
    fn function(&self, func: Func) -> Option<&'static str> {
        standard_function(func)
    }

    /// The name of the aggregate `func` whose result is cast to `cast` (the standard one,
    /// `SUM`, but SQLite sums decimals with ambidex's exact function).
    fn aggregate(&self, func: AggFunc, _cast: Option<ValueKind>) -> &'static str {
        func.sql()
    }

    /// What goes before and after a date or time of `kind` to take `part` of it: an `i32`
    /// year, month or day, or the date (in UTC for an instant, whatever the session's time
    /// zone).
    fn date_part(&self, part: DatePart, kind: ValueKind) -> (&'static str, &'static str);

    /// Whether a client may type a statement's result columns from its text alone, before
    /// any value is bound (MariaDB's `COM_STMT_PREPARE`, which diesel's client reads: `price
    /// + ?` is typed DOUBLE, `CASE WHEN .. THEN ? ..` NULL). Where it may, selected
    /// computed values are cast to the type they decode as
    /// ([`crate::ast::Scalar::ResultAs`]).
    fn types_results_at_prepare(&self) -> bool {
        false
    }

    /// Whether an `UPDATE`'s `SET a = .., b = ..` evaluates each right-hand side after the
    /// assignments before it (MySQL does, left to right); standard SQL reads the row as it
    /// was. Where it does, the renderer orders the assignments so that no right-hand side
    /// reads a column already assigned, and refuses the update when no order can.
    fn set_reads_updated_columns(&self) -> bool {
        false
    }

    /// What to append after an ORDER BY term so that NULLs sort first ascending and last
    /// descending, as in Rust (nothing where the backend already does so).
    fn nulls_order(&self, _nullable: bool, _ascending: bool) -> &'static str {
        ""
    }

    /// The collation that text is compared and sorted in wherever order matters (`<`, `<=`,
    /// `>`, `>=`, `BETWEEN`, `ORDER BY`, `MIN`/`MAX`), written after each text operand as
    /// `COLLATE name`; `None` (the default) where the backend's text already compares by
    /// bytes. ambidex's contract is byte order (code point order, for UTF-8) in every
    /// cell: SQLite's default collation is `BINARY`, ambidex's MariaDB columns are
    /// `utf8mb4_bin`, but a PostgreSQL column follows the database's default collation
    /// (an ICU `en-US` database sorts `a < B`) unless it says otherwise. Equality, `IN`
    /// and `LIKE` are left alone: under a deterministic collation they compare bytes
    /// already, and a bare column keeps every index on it usable for them.
    fn text_order_collation(&self) -> Option<&'static str> {
        None
    }

    /// The collation text is case-mapped in (`lower`, `upper`, `ilike`), written after the
    /// text as `COLLATE name`, where the collation of [`Self::text_order_collation`] would
    /// map ASCII letters only (PostgreSQL's `"C"`); `None` (the default): the text's own.
    fn case_mapping_collation(&self) -> Option<&'static str> {
        None
    }

    /// Appends LIMIT and OFFSET (at least one is set).
    fn write_limit_offset(&self, w: &mut SqlWriter, limit: Option<u64>, offset: Option<u64>);

    /// The statement that opens a transaction.
    fn begin(&self) -> &'static str {
        "BEGIN"
    }

    /// The statements that open a transaction with `options`: one to send before it (MySQL
    /// sets the next transaction's isolation level separately) and the one that opens it.
    /// The default appends PostgreSQL's (and the standard's) clauses to [`Self::begin`].
    fn begin_with(&self, options: &TxOptions) -> Result<(Option<String>, String)> {
        let mut sql = self.begin().to_string();
        if let Some(level) = options.isolation_level() {
            sql.push_str(" ISOLATION LEVEL ");
            sql.push_str(level.sql());
        }
        if options.is_read_only() {
            sql.push_str(" READ ONLY");
        }
        Ok((None, sql))
    }

    /// The statement that commits a transaction.
    fn commit(&self) -> &'static str {
        "COMMIT"
    }

    /// The statement that rolls a transaction back.
    fn rollback(&self) -> &'static str {
        "ROLLBACK"
    }

    /// Opens savepoint `name` (a nested transaction).
    fn savepoint(&self, name: &str) -> String {
        format!("SAVEPOINT {name}")
    }

    /// Releases (commits) savepoint `name`.
    fn release_savepoint(&self, name: &str) -> String {
        format!("RELEASE SAVEPOINT {name}")
    }

    /// Rolls back to savepoint `name`.
    fn rollback_to_savepoint(&self, name: &str) -> String {
        format!("ROLLBACK TO SAVEPOINT {name}")
    }

    /// Whether DDL (CREATE, ALTER, DROP) runs inside a transaction and rolls back with it
    /// (PostgreSQL, SQLite). Where it does not (MySQL/MariaDB commit implicitly before and
    /// after each DDL statement), a migration that fails halfway leaves its earlier
    /// statements applied.
    fn transactional_ddl(&self) -> bool {
        true
    }

    /// The statement that takes the migration lock of the current database (schema on
    /// PostgreSQL) for the rest of the current transaction, released by its COMMIT or
    /// ROLLBACK (PostgreSQL's `pg_advisory_xact_lock`); `None` where the transaction itself
    /// is the lock (SQLite's `BEGIN IMMEDIATE`) or the lock is a session's
    /// ([`Self::session_lock`]).
    fn transaction_lock(&self) -> Option<&'static str> {
        None
    }

    /// The statements that take and release the migration lock of the current database
    /// for the session, where transactions cannot hold it (MariaDB's `GET_LOCK`: its DDL
    /// commits implicitly). Taking it returns one row whose first column is 1 when the
    /// lock was granted within `timeout_secs`.
    fn session_lock(&self, _timeout_secs: u32) -> Option<(String, String)> {
        None
    }

    /// The migration lock for a migration that runs outside a transaction
    /// (`-- ambidex: no-transaction`), where [`Self::transaction_lock`] cannot hold it: the
    /// statements that take it for the session (waiting for it) and release it
    /// (PostgreSQL's `pg_advisory_lock`, the same lock as the transaction's). `None` where
    /// the session lock of [`Self::session_lock`] already covers the whole run (MySQL) or
    /// the backend has no such lock (SQLite, where the runner claims the migration in a
    /// table instead).
    fn no_transaction_lock(&self) -> Option<(&'static str, &'static str)> {
        None
    }

    /// The statements that switch foreign-key enforcement off before a migration's
    /// transaction opens and back on after it ends (SQLite's `PRAGMA foreign_keys`, which
    /// does nothing inside a transaction). With it off, dropping a parent table (a table
    /// rebuild) runs no `ON DELETE` action; [`Self::foreign_key_check`] then vouches for
    /// the result before COMMIT. `None` where DDL never runs a cascade.
    fn migration_foreign_keys(&self) -> Option<(&'static str, &'static str)> {
        None
    }

    /// A query listing the rows that violate a foreign key, one row each: the child
    /// table, its rowid (NULL for a table without one) and the parent table (SQLite's
    /// `PRAGMA foreign_key_check`). Run before a migration commits where
    /// [`Self::migration_foreign_keys`] switched enforcement off.
    fn foreign_key_check(&self) -> Option<&'static str> {
        None
    }

    /// A query returning one row with the number of tables named `?` in the current
    /// database (schema on PostgreSQL).
    fn table_exists_query(&self) -> &'static str;

    /// How an existing column is changed (see [`crate::sql::ddl::AlterForm`]).
    fn alter_form(&self) -> crate::sql::ddl::AlterForm {
        crate::sql::ddl::AlterForm::Separate
    }

    /// The statements that drop index (or unique constraint, when `unique`) `name` of
    /// `table`. Default: `DROP INDEX name`.
    fn drop_index(&self, _table: &str, name: &str, _unique: bool) -> Vec<String> {
        let mut sql = "DROP INDEX ".to_string();
        self.write_ident(&mut sql, name);
        vec![sql]
    }

    /// What follows `ALTER TABLE t ` to drop a foreign key, before its name.
    fn drop_foreign_key_clause(&self) -> &'static str {
        "DROP CONSTRAINT"
    }

    /// The queries that read a database's schema ([`crate::migrate::ReadSchema`]).
    fn introspection(&self) -> Introspection;

    /// The ambidex kind a column of database type `db_type` holds, and whether the type is
    /// the form [`Self::column_type`] gives indexed columns; `None` for types ambidex has
    /// no field type for.
    fn kind_of_type(&self, db_type: &str) -> Option<(ValueKind, bool)>;

    /// Whether secondary indexes are declared inside CREATE TABLE (MySQL has no
    /// `CREATE INDEX IF NOT EXISTS`).
    fn indexes_inline(&self) -> bool {
        false
    }

    /// Options appended after a CREATE TABLE's closing parenthesis.
    fn table_options(&self) -> &'static str {
        ""
    }

    /// Whether `error`, returned by a ROLLBACK, only says that no transaction was open (a
    /// COMMIT whose answer was lost to a cancellation did finish): the connection is clean.
    fn is_no_transaction(&self, _error: &Error) -> bool {
        false
    }

    /// Whether a connection failure's message says the server refused the login (for
    /// drivers that report no code at connect time).
    fn is_refused_login(&self, _message: &str) -> bool {
        false
    }

    /// Whether the backend stores `value` faithfully; `Err` says why not.
    fn check_float(&self, _value: f64) -> Result<(), &'static str> {
        Ok(())
    }

    /// Whether the backend stores the text `value`; `Err` says why not. Default: any.
    fn check_text(&self, _value: &str) -> Result<(), &'static str> {
        Ok(())
    }

    /// The text around the placeholder of a [`crate::Value::Typed`] value (or a NULL of such a
    /// kind): `(before, after)`. Typed values are bound as text, so a backend that types its
    /// parameters gets an explicit conversion here (`$1::uuid`). Default: none.
    fn typed_placeholder(&self, _kind: ValueKind) -> (&'static str, &'static str) {
        ("", "")
    }

    /// Whether `column IN (list)` of values of `kind` is written `column = ANY($1)` (and
    /// `NOT IN` as `<> ALL($1)`) with the whole list bound as one array parameter, and if
    /// so the text around that placeholder, `(before, after)` (the array type's cast for
    /// kinds bound as text: `$1::uuid[]`). One placeholder whatever the list's length keeps
    /// one SQL text for every length (drivers cache prepared statements by text) and takes
    /// the list out of the bind limit. `None` (the default): one placeholder per value.
    fn array_placeholder(&self, _kind: ValueKind) -> Option<(&'static str, &'static str)> {
        None
    }

    /// Statements every new connection runs before use.
    fn connection_setup(&self) -> &'static [&'static str] {
        &[]
    }

    /// The statement a new connection runs to bound how long each of its statements may
    /// run, for a handle built with a statement timeout; a statement stopped by it fails
    /// with [`Error::Timeout`] (SQLite, which has no such limit, bounds the wait for
    /// another connection's lock instead: [`Error::Conflict`]).
    fn statement_timeout_setup(&self, timeout: std::time::Duration) -> String;

    /// A query whose one row holds the session's TLS cipher (empty when the connection is
    /// not encrypted), for a client library that may ignore a required TLS mode and
    /// connect in the clear (MariaDB Connector/C ignores MySQL's `ssl_mode`). Default: none,
    /// the client library enforces the mode itself.
    fn tls_cipher_query(&self) -> Option<&'static str> {
        None
    }

    /// The typed error for a failure this backend reported.
    fn classify(&self, failure: DbFailure) -> Error;
}

/// A timeout in whole milliseconds for a session setting: at least 1, because 0 means
/// "no limit" to every backend.
pub(crate) fn timeout_millis(timeout: std::time::Duration) -> u128 {
    timeout.as_millis().max(1)
}

/// Clamps a row count to what a signed 64-bit parameter holds.
pub(crate) fn count_value(n: u64) -> crate::value::Value {
    crate::value::Value::I64(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The constraint named in a failure, or a stand-in that says none was reported.
pub(crate) fn constraint_or_unknown(f: &DbFailure) -> String {
    f.constraint
        .clone()
        .unwrap_or_else(|| "(not reported)".to_string())
}

/// The variant for a failure whose kind the driver's hint decides.
pub(crate) fn classify_by_hint(f: DbFailure) -> Error {
    use crate::error::FailureHint as H;
    let constraint = constraint_or_unknown(&f);
    match f.hint {
        H::Unique => Error::UniqueViolation {
            constraint,
            message: f.message,
        },
        H::ForeignKey => Error::ForeignKeyViolation {
            constraint,
            message: f.message,
        },
        H::NotNull => Error::NotNullViolation {
            column: constraint,
            message: f.message,
        },
        H::Check => Error::CheckViolation {
            constraint,
            message: f.message,
        },
        H::Conflict => Error::Conflict { message: f.message },
        H::Closed => Error::Connection {
            url: "(current connection)".into(),
            message: f.message,
        },
        _ => Error::Database {
            code: f.code,
            message: f.message,
        },
    }
}

/// The standard SQL name of `func` (`None` for [`Func::Concat`], written as `||`); each
/// dialect's [`SqlDialect::function`] starts from it.
pub(crate) fn standard_function(func: Func) -> Option<&'static str> {
    Some(match func {
        Func::Lower => "LOWER",
        Func::Upper => "UPPER",
        Func::Length => "CHAR_LENGTH",
        Func::Trim => "TRIM",
        Func::Concat => return None,
        Func::Coalesce => "COALESCE",
        Func::Abs => "ABS",
        Func::NullIf => "NULLIF",
    })
}
