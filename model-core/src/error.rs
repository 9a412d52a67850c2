//! The one error type of ambidex, shared by both worlds and every engine.
//!
//! Engines never build these variants from driver-specific knowledge of their own: they
//! hand a [`DbFailure`] (what the driver reported) to [`Error::from_db_failure`], and the
//! dialect that owns the backend's codes decides the variant. That is how the same failure
//! becomes the same variant whether diesel or sqlx saw it.

mod as_error;

pub use as_error::AsError;

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

    /// PostgreSQL refused to run a statement the connection had prepared earlier because
    /// a table it reads changed underneath it (another session's `ALTER COLUMN ... TYPE`;
    /// SQLSTATE 0A000, "cached plan must not change result type"). The engine has dropped
    /// the connection's prepared statements, and outside a transaction it already sent
    /// the statement again once; this error means the statement ran inside a transaction,
    /// which PostgreSQL has aborted: retry the whole transaction ([`Error::is_retryable`],
    /// `Retry`).
    #[error(
        "a prepared statement went stale because a table it reads changed (another \
         session's ALTER ... TYPE); the connection's statement cache was cleared, retry the \
         transaction: {message}"
    )]
    StalePlan {
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
        /// `None` where the engine cannot learn it: SQLite failures in the diesel engine,
        /// and PostgreSQL failures of the diesel engine whose SQLSTATE diesel's error kind
        /// does not imply (diesel 2.3 reports no code; see the guide's Reliability
        /// page, `docs/guide/reliability.md`).
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
    /// allows DDL in transactions and the migration ran in one (on MySQL/MariaDB, and for
    /// a migration marked `-- ambidex: no-transaction`, the statements before it stay
    /// applied: `rolled_back` is false and the message says so).
    #[error(
        "migration {version}_{name} failed at statement {statement} ({direction}){}: {source}",
        if *rolled_back {
            ""
        } else {
            "; NOTHING was rolled back (it ran without a transaction that undoes DDL: \
             `-- ambidex: no-transaction`, or MySQL/MariaDB): the statements before it stay \
             applied (undo them by hand, or make the file safe to run again) and the \
             migration is not recorded"
        }
    )]
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
        /// Whether a transaction undid the statements before the failing one.
        rolled_back: bool,
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
    /// busy database, a prepared statement gone stale).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Conflict { .. } | Error::StalePlan { .. })
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

    /// The [`Error::WrongWorld`] of an async handle (`handle`, e.g. `SqlxDb`) polled
    /// outside a Tokio runtime, the same for every async handle and engine.
    pub fn outside_runtime(handle: &str) -> Error {
        Error::WrongWorld(
            format!(
                "`{handle}` is an async handle and needs a Tokio runtime: run it inside one \
                 (`#[tokio::main]`, `Runtime::block_on`), or use `ambidex::blocking::Db` in \
                 blocking code"
            )
            .into(),
        )
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

/// What stands in for a hidden secret.
const HIDDEN: &str = "***";

/// Replaces every secret of a connection URL with `***`, so the URL can be printed: the
/// password of the user, and the values of query parameters that hold one (`password=`,
/// `sslpassword=`, any key naming a password, secret or token).
///
/// The URL is parsed as the drivers parse it. When it does not parse, or when parsers could
/// read it differently (a password holding an unencoded `#`, `/`, `?` or `@`, which ends the
/// authority for one parser and not for another), every part after the scheme could be the
/// password, and all of it is hidden. SQLite URLs hold a path and no credentials: only their
/// query parameters are looked at.
///
/// ```
/// assert_eq!(
///     ambidex_core::redact_url("postgres://app:s3cret@db:5432/x"),
///     "postgres://app:***@db:5432/x"
/// );
/// assert_eq!(
///     ambidex_core::redact_url("postgres://app@db/x?password=s3cret"),
///     "postgres://app@db/x?password=***"
/// );
/// // An unencoded `/` in the password: nothing after the scheme is shown.
/// assert_eq!(ambidex_core::redact_url("postgres://app:s3/cret@db/x"), "postgres://***");
/// assert_eq!(ambidex_core::redact_url("sqlite://app.db"), "sqlite://app.db");
/// ```
pub fn redact_url(url: &str) -> String {
    let text = url.trim();
    let Some((scheme, rest)) = text.split_once(':') else {
        return HIDDEN.to_string();
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return HIDDEN.to_string();
    }
    if scheme.eq_ignore_ascii_case("sqlite") {
        return match rest.split_once('?') {
            Some((path, query)) => format!("{scheme}:{path}?{}", redact_query(query)),
            None => text.to_string(),
        };
    }
    let hidden = || match rest.strip_prefix("//") {
        Some(_) => format!("{scheme}://{HIDDEN}"),
        None => format!("{scheme}:{HIDDEN}"),
    };
    if !authority_is_unambiguous(text) {
        return hidden();
    }
    let Ok(mut parsed) = url::Url::parse(text) else {
        return hidden();
    };
    if !parsed.has_host() {
        return hidden();
    }
    if parsed.password().is_some() && parsed.set_password(Some(HIDDEN)).is_err() {
        return hidden();
    }
    if let Some(query) = parsed.query().map(redact_query) {
        parsed.set_query(Some(&query));
    }
    if parsed.fragment().is_some_and(|f| !f.is_empty()) {
        parsed.set_fragment(Some(HIDDEN));
    }
    parsed.to_string()
}

/// Whether every parser reads the user and password of the server URL `url` alike: it has
/// an authority (`scheme://`), no control character or space (which some parsers drop), and
/// its last `@` is in the authority, before the first `/`, `?` or `#` (libpq ends the user
/// at the first `@`, the `url` crate at the last one; a `#`, `/` or `?` in a password ends
/// the authority there, and what follows would be shown as port, path or query).
pub(crate) fn authority_is_unambiguous(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    if rest
        .chars()
        .any(|c| c.is_control() || c == ' ' || c == '\\')
    {
        return false;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let ats = rest.matches('@').count();
    ats == 0 || (ats == 1 && rest[..authority_end].contains('@'))
}

/// A URL query (`a=1&password=x`) with the values of secret parameters hidden.
fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret_key(key) => format!("{key}={HIDDEN}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether a query parameter named `key` holds a secret (`password`, `sslpassword`,
/// `pass`, `pwd`, `secret`, `token`, in any case and spelling).
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["pass", "pwd", "secret", "token"]
        .iter()
        .any(|word| key.contains(word))
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
            redact_url("mysql://u:p%40x@h/d?x=1"),
            "mysql://u:***@h/d?x=1"
        );
        assert_eq!(redact_url("sqlite://app.db"), "sqlite://app.db");
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(redact_url("postgres://h:5432/d"), "postgres://h:5432/d");
    }

    #[test]
    fn redacts_password_query_parameters() {
        assert_eq!(
            redact_url("postgres://u@h/d?sslmode=require&password=hunter2&sslpassword=x%26y"),
            "postgres://u@h/d?sslmode=require&password=***&sslpassword=***"
        );
        assert_eq!(
            redact_url("mysql://u@h/d?PASSWORD=hunter2#frag"),
            "mysql://u@h/d?PASSWORD=***#***"
        );
    }

    #[test]
    fn redacts_everything_when_the_password_holds_unencoded_delimiters() {
        // Each password holds a character that ends the authority or the password in some
        // parser (`#`, `/`, `?`, `@`): no part of it may survive.
        for password in [
            "ab#cd",
            "12/hunter",
            "12?hunter",
            "hun@ter",
            "a@b/c",
            "12#x@y",
        ] {
            let url = format!("postgres://app:{password}@dbhost:5432/d");
            let shown = redact_url(&url);
            for piece in password.split(['#', '/', '?', '@']).filter(|p| p.len() > 1) {
                assert!(!shown.contains(piece), "{url} shows {piece:?}: {shown}");
            }
            assert!(shown.starts_with("postgres://"), "{shown}");
        }
        // Text that is no URL at all may be anything, a password included.
        assert_eq!(redact_url("not a url"), "***");
        assert_eq!(redact_url("postgres:app:hunter2@dbhost"), "postgres:***");
    }

    /// Percent-encodes every byte of `s` that is not unreserved.
    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    /// Fails if `shown` holds `password`, or any piece of it of three characters or more
    /// between the characters a URL parser splits on. A piece that the URL without its
    /// password, or the `***` mask, holds anyway (`***`, `543` of the port `5432`) proves
    /// nothing and is not looked for.
    fn assert_no_piece(url: &str, shown: &str, password: &str) {
        assert!(!shown.contains(password), "{url} -> {shown}");
        assert!(!shown.contains(&encode(password)), "{url} -> {shown}");
        let skeleton = format!(
            "{} ***",
            url.replace(&encode(password), "").replace(password, "")
        );
        for piece in password
            .split(['#', '/', '?', '@', ':', '&', '=', '%', ' '])
            .filter(|p| p.len() >= 3 && !skeleton.contains(p))
        {
            assert!(!shown.contains(piece), "{url} shows {piece:?}: {shown}");
        }
    }

    proptest::proptest! {
        #[test]
        fn no_password_survives_redaction(
            password in "[A-Za-z0-9#/?@:&=%!$*+ ]{6,24}",
            scheme in proptest::sample::select(vec!["postgres", "postgresql", "mysql", "mariadb"]),
        ) {
            // The characters of `dbhost`, `app` and `dbname` are lower case: a password
            // piece of three characters or more is unlikely to be one of them by chance.
            let urls = [
                format!("{scheme}://APP:{password}@dbhost:5432/dbname"),
                format!("{scheme}://APP:{}@dbhost:5432/dbname", encode(&password)),
                format!("{scheme}://APP:{password}@dbhost/dbname?sslmode=require"),
                format!("{scheme}://APP@dbhost/dbname?password={}", encode(&password)),
                format!("{scheme}://APP@dbhost/dbname?x=1&sslpassword={}", encode(&password)),
            ];
            for url in &urls {
                let shown = redact_url(url);
                assert_no_piece(url, &shown, &password);
            }
            // In a query, a raw password runs to the next `&`: without one, no piece of it
            // may show (a `#` starts the fragment, which is hidden too).
            let raw = password.replace('&', "");
            if raw.len() >= 6 {
                let url = format!("{scheme}://APP@dbhost/dbname?password={raw}");
                assert_no_piece(&url, &redact_url(&url), &raw);
            }
        }

        #[test]
        fn an_encoded_password_keeps_user_and_host(password in "[A-Za-z0-9#/?@:&=%!$*+ ]{1,24}") {
            let url = format!("postgres://app:{}@dbhost:5432/dbname", encode(&password));
            proptest::prop_assert_eq!(redact_url(&url), "postgres://app:***@dbhost:5432/dbname");
        }
    }

    #[test]
    fn a_password_piece_like_the_mask_is_not_a_leak() {
        // Seen in CI: the random password `+l/***=+F/y E= 9` holds `***`, which the mask
        // of an unparsable URL shows: `mysql://***`.
        let password = "+l/***=+F/y E= 9";
        let url = format!("mysql://APP:{password}@dbhost:5432/dbname");
        let shown = redact_url(&url);
        assert_eq!(shown, "mysql://***");
        assert_no_piece(&url, &shown, password);
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
            // libmariadb and MariaDB's server spell these with other capitals.
            (Dialect::Mysql, None, "Server has gone away"),
            (
                Dialect::Mysql,
                None,
                "LOST CONNECTION TO SERVER AT 'reading initial packet'",
            ),
            (Dialect::Mysql, Some("2006"), "whatever the text says"),
            (
                Dialect::Mysql,
                Some("4031"),
                "The client was disconnected by the server because of inactivity.",
            ),
            (
                Dialect::Mysql,
                None,
                "The client was disconnected by the server because of inactivity.",
            ),
            (
                Dialect::Mysql,
                Some("1158"),
                "Got an error reading communication packets",
            ),
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
    fn a_mariadb_not_null_failure_names_its_column() {
        // With the code (sqlx) and without it (diesel reports only the message).
        let cases = [
            (Some("1048"), "Column 'title' cannot be null"),
            (None, "Column 'title' cannot be null"),
            (Some("1364"), "Field 'title' doesn't have a default value"),
            (None, "Field 'title' doesn't have a default value"),
        ];
        for (code, message) in cases {
            match Error::from_db_failure(Dialect::Mysql, failure(code, message)) {
                Error::NotNullViolation { column, .. } => {
                    assert_eq!(column, "title", "{code:?} {message}")
                }
                other => panic!("{code:?} {message}: {other:?}"),
            }
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

    #[test]
    fn a_stale_prepared_plan_is_retryable_with_and_without_its_code() {
        for code in [Some("0A000"), None] {
            let e = Error::from_db_failure(
                Dialect::Postgres,
                failure(code, "cached plan must not change result type"),
            );
            assert!(matches!(e, Error::StalePlan { .. }), "{code:?}: {e:?}");
            assert!(e.is_retryable());
        }
        // Another 0A000 (feature_not_supported) stays what it was.
        let other = Error::from_db_failure(
            Dialect::Postgres,
            failure(Some("0A000"), "cannot use a subquery here"),
        );
        assert!(!matches!(other, Error::StalePlan { .. }), "{other:?}");
    }
}
