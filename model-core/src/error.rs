//! The one error type of ambidex, shared by both worlds and every engine.
//!
//! Engines never build these variants from driver-specific knowledge of their own: they
//! hand a [`DbFailure`] (what the driver reported) to [`Error::from_db_failure`], and the
//! dialect that owns the backend's codes decides the variant. That is how the same failure
//! becomes the same variant whether diesel or sqlx saw it.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// `Result` with ambidex's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in ambidex, in either world.
///
/// Match on the variant to react (retry a [`Error::Conflict`], show a [`Error::NotFound`] as
/// a 404...); print it to tell a person what happened and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A query that must return a row returned none (`get`, `one`, instance `update`/`delete`).
    #[error("no {model} matched the query (table {table})")]
    NotFound {
        /// The Rust name of the model.
        model: &'static str,
        /// The table that was searched.
        table: &'static str,
    },

    /// `one` found more than one row.
    #[error(
        "expected exactly one {model}, but the query matched several; add a filter or use `first`"
    )]
    MultipleRows {
        /// The Rust name of the model.
        model: &'static str,
    },

    /// A unique constraint or primary key rejected a write.
    #[error("unique constraint violated on {constraint} (backend said: {message})")]
    UniqueViolation {
        /// The constraint's name as the backend reports it (on SQLite, which names none,
        /// the `table.column` list it reports instead).
        constraint: String,
        /// The backend's own message.
        message: String,
    },

    /// A foreign-key constraint rejected a write or a delete.
    #[error("foreign key constraint {constraint} violated: {message}")]
    ForeignKeyViolation {
        /// The constraint's name, or what the backend reports in its place.
        constraint: String,
        /// The backend's own message.
        message: String,
    },

    /// A NULL was written to a NOT NULL column.
    #[error("NOT NULL constraint on {column} violated: {message}")]
    NotNullViolation {
        /// The column (`table.column` where the backend says so).
        column: String,
        /// The backend's own message.
        message: String,
    },

    /// A CHECK constraint rejected a write.
    #[error("check constraint {constraint} violated: {message}")]
    CheckViolation {
        /// The constraint's name, or what the backend reports in its place.
        constraint: String,
        /// The backend's own message.
        message: String,
    },

    /// A value the backend cannot store faithfully (NaN on SQLite, infinity on MySQL, a
    /// number outside the column's range).
    #[error("value out of range: {message}")]
    ValueOutOfRange {
        /// What was refused, and why.
        message: String,
    },

    /// A serialization failure, deadlock or busy database: the transaction can be retried.
    #[error("transaction conflict (retry the transaction): {message}")]
    Conflict {
        /// The backend's own message.
        message: String,
    },

    /// A row could not be turned into the model's field.
    #[error("cannot decode {model}.{field} (column {column:?}) as {expected}: found {found}")]
    Decode {
        /// The Rust name of the model.
        model: &'static str,
        /// The Rust name of the field.
        field: &'static str,
        /// The column the value came from.
        column: &'static str,
        /// The Rust type the field has.
        expected: &'static str,
        /// What the row held instead.
        found: String,
    },

    /// A statement names a column the table does not have: the table has drifted from the
    /// model (a migration is missing, or was undone), or raw SQL misspells a column. Every
    /// backend's "no such column" (PostgreSQL 42703, MySQL 1054, SQLite "no such column")
    /// becomes this variant; a model's own statements name the model and field.
    #[error(
        "schema drift: {} column {column:?}, which {} does not have (backend said: {found}); \
         migrate the table to match the model, or fix the column name",
        match (model, field) {
            (Some(m), Some(f)) => format!("{m}.{f} is stored in"),
            _ => "the statement names".to_string(),
        },
        table.map_or_else(|| "the table".to_string(), |t| format!("table {t}"))
    )]
    SchemaDrift {
        /// The Rust name of the model, when the statement was one of its own.
        model: Option<&'static str>,
        /// The model's field stored in the missing column, when the statement was one of
        /// the model's own.
        field: Option<&'static str>,
        /// The model's table, when the statement was one of the model's own.
        table: Option<&'static str>,
        /// The missing column, as the backend named it.
        column: String,
        /// What the backend reported.
        found: String,
    },

    /// The database could not be reached or the connection was lost.
    #[error("connection to {url} failed: {message}")]
    Connection {
        /// The URL with any password replaced by `***`.
        url: String,
        /// What went wrong, from the driver.
        message: String,
    },

    /// The server refused the credentials.
    #[error("authentication to {url} failed: {message}")]
    Authentication {
        /// The URL with any password replaced by `***`.
        url: String,
        /// What went wrong, and what to do about it.
        message: String,
    },

    /// No pooled connection became free in time.
    #[error(
        "no database connection became free within {waited:?} (pool of {pool_size}); \
         raise the pool size or the acquire timeout, or hold connections for less time"
    )]
    PoolTimeout {
        /// How long the caller waited.
        waited: Duration,
        /// The pool's maximum size.
        pool_size: u32,
    },

    /// A statement ran longer than its allowed time.
    #[error("statement timed out: {message}")]
    Timeout {
        /// The backend's own message.
        message: String,
    },

    /// The operation was cancelled before it completed.
    #[error("operation cancelled: {message}")]
    Cancelled {
        /// What was cancelled.
        message: String,
    },

    /// The query cannot be run as built (e.g. too many values in one `is_in`).
    #[error("invalid query: {0}")]
    InvalidQuery(Cow<'static, str>),

    /// An API of one world was called from the other in a way that cannot work (a blocking
    /// handle inside an async task); the message says what to use instead.
    #[error("wrong world: {0}")]
    WrongWorld(Cow<'static, str>),

    /// Configuration is wrong: an unknown URL scheme, a backend whose feature is off.
    #[error("configuration error: {0}")]
    Config(Cow<'static, str>),

    /// Any other error the database reported.
    #[error("database error{}: {message}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
    Database {
        /// The backend's code (SQLSTATE, SQLite extended code, MySQL error number).
        code: Option<String>,
        /// The backend's own message.
        message: String,
    },

    /// A migration applied to this database was edited afterwards: its checksum differs
    /// from the one recorded in the history table. Nothing was applied.
    #[error(
        "migration {version}_{name} was changed after it was applied to this database (its \
         checksum differs from the one recorded in `ambidex_migrations`); restore the file as \
         it was applied and put the change in a new migration (`ambidex migrate new`), or, on a \
         development database, revert it with the original file first (`ambidex migrate down`)"
    )]
    MigrationChanged {
        /// The migration's version.
        version: i64,
        /// The migration's name.
        name: String,
    },

    /// A statement of a migration failed; the migration was rolled back where the backend
    /// allows DDL in transactions (on MySQL/MariaDB the statements before it stay applied).
    #[error("migration {version}_{name} failed at statement {statement} ({direction}): {source}")]
    MigrationFailed {
        /// The migration's version.
        version: i64,
        /// The migration's name.
        name: String,
        /// `up` or `down`.
        direction: &'static str,
        /// The failing statement's number in its file, from 1.
        statement: usize,
        /// What the database said.
        source: Box<Error>,
    },

    /// Migrations cannot be run as asked: a malformed migrations folder, a missing down
    /// step, an applied migration this program does not know, a lock that was not granted.
    /// The message says what to do.
    #[error("migrations: {0}")]
    Migration(Cow<'static, str>),

    /// A custom [`crate::routing::Router`] sent a write (an insert, update, delete, DDL or
    /// raw statement not marked read-only) to a replica. Nothing was sent.
    #[error(
        "a write{} was routed to replica {replica} by the custom router; writes, DDL and \
         transactions must run on the primary: return `Route::Primary` or `Route::Default` \
         from `Router::route` when `request.access.writes()` is true",
        table.map(|t| format!(" to table {t}")).unwrap_or_default()
    )]
    WriteOnReplica {
        /// The table written, when the operation names one.
        table: Option<&'static str>,
        /// The replica's URL, with any password hidden.
        replica: String,
    },

    /// A bug in ambidex itself; please report it.
    #[error("internal error in ambidex (please report this): {0}")]
    Internal(Cow<'static, str>),
}

impl Error {
    /// Whether retrying the whole transaction may succeed (serialization failure, deadlock,
    /// busy database).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Conflict { .. })
    }

    /// The error for a statement naming `column`, which the table does not have; the
    /// dialects build it from their backend's "no such column" failure. A qualified name
    /// (`table.column`) is reduced to the column.
    pub fn schema_drift(column: &str, found: String) -> Error {
        let column = column.rsplit('.').next().unwrap_or(column);
        Error::SchemaDrift {
            model: None,
            field: None,
            table: None,
            column: column.to_string(),
            found,
        }
    }

    /// A connection error for `url`, with its password hidden.
    pub fn connection(url: &str, message: impl fmt::Display) -> Error {
        Error::Connection {
            url: redact_url(url),
            message: message.to_string(),
        }
    }
}

/// What a driver reported about a failed statement, before ambidex classifies it.
#[derive(Debug, Clone, Default)]
pub struct DbFailure {
    /// The driver's own classification, where it has one.
    pub hint: FailureHint,
    /// The backend's code: SQLSTATE, SQLite extended result code, MySQL error number.
    pub code: Option<String>,
    /// The backend's message.
    pub message: String,
    /// The constraint name, where the driver reports it.
    pub constraint: Option<String>,
}

/// A driver's own classification of a failure, passed through to the dialect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureHint {
    /// The driver did not classify it.
    #[default]
    Unknown,
    /// Unique or primary-key violation.
    Unique,
    /// Foreign-key violation.
    ForeignKey,
    /// NOT NULL violation.
    NotNull,
    /// CHECK violation.
    Check,
    /// Serialization failure or deadlock.
    Conflict,
    /// The connection is closed or broken.
    Closed,
}

/// Replaces the password of a connection URL with `***`, so a URL can be printed.
///
/// ```
/// assert_eq!(
///     ambidex_core::redact_url("postgres://app:s3cret@db:5432/x"),
///     "postgres://app:***@db:5432/x"
/// );
/// assert_eq!(ambidex_core::redact_url("sqlite://app.db"), "sqlite://app.db");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    let redacted = match userinfo.find(':') {
        Some(colon) => format!("{}:***", &userinfo[..colon]),
        None => userinfo.to_string(),
    };
    format!("{}://{}{}", &url[..scheme_end], redacted, &rest[at..])
}

/// Why a cell could not become a field's value; the row decoder adds model and field.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeProblem {
    /// What was found, for the message.
    pub found: String,
}

impl DecodeProblem {
    /// A problem described by `found`.
    pub fn new(found: impl Into<String>) -> Self {
        DecodeProblem {
            found: found.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelMeta;
    use crate::sql::dialect::Dialect;

    #[test]
    fn redacts_only_the_password() {
        assert_eq!(redact_url("mysql://u:p@h/d"), "mysql://u:***@h/d");
        assert_eq!(redact_url("mysql://u@h/d"), "mysql://u@h/d");
        assert_eq!(
            redact_url("mysql://u:p%40x@h/d?x=@"),
            "mysql://u:***@h/d?x=@"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn errors_never_print_passwords() {
        let e = Error::connection("postgres://a:hunter2@h/d", "refused");
        assert!(!e.to_string().contains("hunter2"));
        assert!(!format!("{e:?}").contains("hunter2"));
    }

    fn failure(code: Option<&str>, message: &str) -> DbFailure {
        DbFailure {
            code: code.map(str::to_string),
            message: message.to_string(),
            ..DbFailure::default()
        }
    }

    #[test]
    fn a_killed_connection_is_a_connection_error() {
        // With the code (sqlx) and without it (diesel reports only the message).
        let cases = [
            (Dialect::Postgres, Some("57P01"), "terminating connection"),
            (
                Dialect::Postgres,
                None,
                "terminating connection due to administrator command",
            ),
            (Dialect::Mysql, Some("1927"), "Connection was killed"),
            (Dialect::Mysql, Some("2013"), "Lost connection"),
            (
                Dialect::Mysql,
                None,
                "Lost connection to server during query",
            ),
            (Dialect::Mysql, None, "MySQL server has gone away"),
        ];
        for (dialect, code, message) in cases {
            let e = Error::from_db_failure(dialect, failure(code, message));
            assert!(
                matches!(e, Error::Connection { .. }),
                "{dialect:?} {code:?}: {e:?}"
            );
        }
    }

    #[test]
    fn a_missing_column_is_schema_drift_on_every_backend() {
        // With the code (sqlx) and without it (diesel reports only the message).
        let cases = [
            (
                Dialect::Postgres,
                Some("42703"),
                "column \"real\" does not exist",
            ),
            (Dialect::Postgres, None, "column t.real does not exist"),
            (
                Dialect::Postgres,
                None,
                "column \"real\" of relation \"t\" does not exist",
            ),
            (
                Dialect::Mysql,
                Some("1054"),
                "Unknown column 'real' in 'field list'",
            ),
            (
                Dialect::Mysql,
                None,
                "Unknown column 't.real' in 'where clause'",
            ),
            (Dialect::Sqlite, None, "no such column: real"),
            (Dialect::Sqlite, Some("1"), "no such column: t.real"),
            (
                Dialect::Sqlite,
                None,
                "no such column: \"real\" - should this be a string literal in single-quotes?",
            ),
            (Dialect::Sqlite, None, "table t has no column named real"),
        ];
        for (dialect, code, message) in cases {
            match Error::from_db_failure(dialect, failure(code, message)) {
                Error::SchemaDrift {
                    column,
                    model: None,
                    ..
                } => assert_eq!(column, "real", "{dialect:?} {message}"),
                other => panic!("{dialect:?} {message}: {other:?}"),
            }
        }
    }

    #[test]
    fn schema_drift_names_the_models_field() {
        static COLUMNS: [crate::model::ColumnDef; 1] = [crate::model::ColumnDef {
            name: "real_col",
            field: "real",
            kind: crate::value::ValueKind::I64,
            nullable: true,
            primary_key: false,
            auto: false,
            unique: false,
            index: false,
            default: None,
            references: None,
        }];
        static META: ModelMeta = ModelMeta {
            name: "Wide",
            table: "wides",
            columns: &COLUMNS,
            keys: &[0],
        };
        let e = Error::schema_drift("wides.real_col", "no such column: wides.real_col".into())
            .in_model(&META);
        let text = e.to_string();
        assert!(
            matches!(
                e,
                Error::SchemaDrift {
                    model: Some("Wide"),
                    field: Some("real"),
                    table: Some("wides"),
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            text.contains("Wide.real") && text.contains("wides"),
            "{text}"
        );
        // Other errors pass through.
        assert!(matches!(
            Error::Config("x".into()).in_model(&META),
            Error::Config(_)
        ));
    }

    #[test]
    fn statement_timeouts_are_set_in_each_backends_unit() {
        let t = Duration::from_millis(1500);
        let setup = |d: Dialect| d.rules().statement_timeout_setup(t);
        assert_eq!(setup(Dialect::Postgres), "SET statement_timeout = 1500");
        assert_eq!(
            setup(Dialect::Mysql),
            "SET SESSION max_statement_time = 1.500"
        );
        assert_eq!(setup(Dialect::Sqlite), "PRAGMA busy_timeout = 1500");
        // Zero means "no limit" to every backend: the shortest limit is 1 ms.
        assert_eq!(
            Dialect::Postgres
                .rules()
                .statement_timeout_setup(Duration::ZERO),
            "SET statement_timeout = 1"
        );
    }

    #[test]
    fn a_lock_that_cannot_be_had_is_a_retryable_conflict() {
        for (dialect, code, message) in [
            // NOWAIT and lock_timeout, with the code (sqlx) and without it (diesel).
            (
                Dialect::Postgres,
                Some("55P03"),
                "could not obtain lock on row in relation \"t\"",
            ),
            (
                Dialect::Postgres,
                None,
                "could not obtain lock on row in relation \"t\"",
            ),
            // MariaDB's NOWAIT and lock wait timeout, MySQL 8's NOWAIT.
            (
                Dialect::Mysql,
                Some("1205"),
                "Lock wait timeout exceeded; try restarting transaction",
            ),
            (
                Dialect::Mysql,
                None,
                "Lock wait timeout exceeded; try restarting transaction",
            ),
            (
                Dialect::Mysql,
                Some("3572"),
                "Statement aborted because lock(s) could not be acquired immediately and NOWAIT is set.",
            ),
        ] {
            let e = Error::from_db_failure(dialect, failure(code, message));
            assert!(
                matches!(e, Error::Conflict { .. }),
                "{dialect:?} {code:?}: {e:?}"
            );
            assert!(e.is_retryable());
        }
    }
}
