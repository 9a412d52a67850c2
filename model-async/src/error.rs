//! The one place where driver errors become ambidex errors.
//!
//! sqlx reports failures as [`sqlx::Error`]; users see only [`ambidex_core::Error`]. Failures
//! the database reported are handed to the dialect ([`Error::from_db_failure`]) so that the
//! same failure becomes the same variant whether sqlx or diesel saw it; everything else is
//! classified here. The code handed over is the one the dialect classifies by: the SQLSTATE
//! on PostgreSQL and SQLite, the error number on MySQL. Where the dialect can only say "the
//! current connection", the pool's URL is put in. Connection URLs only ever appear
//! redacted.

use std::time::Duration;

use ambidex_core::{DbFailure, Dialect, Error, FailureHint, Server};
use sqlx::error::{DatabaseError, ErrorKind};

/// What a connection needs to know to describe its failures: the backend, the redacted URL
/// and the pool's limits; and which server the pool reached. Built once per [`crate::Db`]
/// and shared by its connections.
#[derive(Debug, Clone)]
pub struct ErrorContext {
    /// The backend's dialect, which classifies database-reported failures.
    pub(crate) dialect: Dialect,
    /// Which server the pool's connections reach (MySQL or MariaDB), learned when the pool
    /// opened; every connection reports it as its [`ambidex_core::Connection::server`].
    pub(crate) server: Server,
    /// The connection URL with any password replaced by `***`.
    pub(crate) url: String,
    /// Whether the URL carries a non-empty password: a refused MySQL login without one is
    /// most likely sqlx's inability to log in with an empty password (sqlx issue 3484),
    /// and the error says so only then.
    pub(crate) password_given: bool,
    /// The pool's maximum number of connections.
    pub(crate) pool_size: u32,
    /// The SQLite database file, the key of its write lock in
    /// [`ambidex_core::sqlite_writers`]; `None` on the servers.
    pub(crate) sqlite_file: Option<std::sync::Arc<str>>,
    /// How long an acquire waits for a free connection.
    pub(crate) acquire_timeout: Duration,
    /// The longest one statement may run, set on every connection when it opens.
    pub(crate) statement_timeout: Option<Duration>,
}

impl ErrorContext {
    fn connection(&self, message: impl Into<String>) -> Error {
        Error::Connection {
            url: self.url.clone(),
            message: message.into(),
        }
    }
}

/// Whether `url` carries a non-empty password (`scheme://user:password@host/...`).
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn url_has_password(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _host)) = authority.rsplit_once('@') else {
        return false;
    };
    userinfo
        .split_once(':')
        .is_some_and(|(_, password)| !password.is_empty())
}

/// Maps any sqlx error into an ambidex error.
pub(crate) fn from_sqlx(err: sqlx::Error, ctx: &ErrorContext) -> Error {
    use sqlx::Error as E;
    match err {
        E::Database(db) => from_database(db.as_ref(), ctx),
        E::PoolTimedOut => Error::PoolTimeout {
            waited: ctx.acquire_timeout,
            pool_size: ctx.pool_size,
        },
        E::PoolClosed => ctx.connection("the connection pool is closed (`Db::close` was called)"),
        E::Io(e) => ctx.connection(format!("I/O error: {e}")),
        E::Tls(e) => ctx.connection(format!("TLS error: {e}")),
        E::WorkerCrashed => ctx.connection("the driver's connection worker crashed"),
        E::Protocol(message) => ctx.connection(format!("protocol error: {message}")),
        E::Configuration(e) => Error::Config(format!("invalid connection settings: {e}").into()),
        E::Encode(e) => Error::InvalidQuery(format!("a value could not be bound: {e}").into()),
        E::InvalidArgument(message) => Error::InvalidQuery(message.into()),
        E::ColumnIndexOutOfBounds { index, len } => Error::InvalidQuery(
            format!(
                "the query returned {len} columns but column {index} was read; a raw query \
                 must select the model's columns in declaration order"
            )
            .into(),
        ),
        // ambidex reads every value by the type the database stored it as, so a decode
        // failure inside the driver is a bug, not bad data.
        E::Decode(e) => Error::Internal(format!("the driver could not decode a value: {e}").into()),
        E::ColumnDecode { index, source } => {
            Error::Internal(format!("the driver could not decode column {index}: {source}").into())
        }
        other => Error::Database {
            code: None,
            message: other.to_string(),
        },
    }
}

/// Maps an error met while opening the pool: refused credentials are an
/// [`Error::Authentication`], any other failure to reach the database an
/// [`Error::Connection`]; both name the (redacted) URL.
pub(crate) fn from_connect(err: sqlx::Error, ctx: &ErrorContext) -> Error {
    match err {
        sqlx::Error::Configuration(e) => {
            Error::Config(format!("invalid connection URL {}: {e}", ctx.url).into())
        }
        sqlx::Error::Database(db) => match from_database(db.as_ref(), ctx) {
            e @ Error::Authentication { .. } => e,
            _ => {
                let message = match backend_code(db.as_ref()) {
                    Some(code) => format!("{} (code {code})", db.message()),
                    None => db.message().to_string(),
                };
                ctx.connection(message)
            }
        },
        sqlx::Error::PoolTimedOut => ctx.connection(format!(
            "no connection could be opened within {:?}",
            ctx.acquire_timeout
        )),
        other => match from_sqlx(other, ctx) {
            e @ (Error::Connection { .. } | Error::Config(_)) => e,
            e => ctx.connection(e.to_string()),
        },
    }
}

/// The URL the dialect puts into errors it cannot attribute to a connection.
const CURRENT_CONNECTION: &str = "(current connection)";

/// A failure the database reported, classified by the dialect, with the pool's redacted
/// URL where the dialect could only say "the current connection".
fn from_database(db: &dyn DatabaseError, ctx: &ErrorContext) -> Error {
    match Error::from_db_failure(ctx.dialect, db_failure(db)) {
        Error::Authentication { message, .. } => Error::Authentication {
            url: ctx.url.clone(),
            // sqlx cannot log in to MySQL/MariaDB with an empty password (sqlx issue 3484):
            // say so when the URL has none, since that is then the likely cause.
            message: if ctx.dialect == Dialect::Mysql && !ctx.password_given {
                format!(
                    "{message}; note that sqlx cannot log in to MySQL/MariaDB with an empty \
                     password (sqlx issue 3484): create a user with a password"
                )
            } else {
                message
            },
        },
        Error::Connection { url, message } if url == CURRENT_CONNECTION => Error::Connection {
            url: ctx.url.clone(),
            message,
        },
        other => other,
    }
}

/// The backend's own code for a failure: the SQLSTATE, except on MySQL, whose dialect
/// classifies by error number (SQLSTATEs there are too coarse: `23000` is every
/// integrity violation).
fn backend_code(db: &dyn DatabaseError) -> Option<String> {
    #[cfg(feature = "mysql")]
    if let Some(mysql) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return Some(mysql.number().to_string());
    }
    db.code().map(|c| c.into_owned())
}

/// What the driver reported, before the dialect classifies it.
fn db_failure(db: &dyn DatabaseError) -> DbFailure {
    let hint = match db.kind() {
        ErrorKind::UniqueViolation => FailureHint::Unique,
        ErrorKind::ForeignKeyViolation => FailureHint::ForeignKey,
        ErrorKind::NotNullViolation => FailureHint::NotNull,
        ErrorKind::CheckViolation => FailureHint::Check,
        _ => FailureHint::Unknown,
    };
    DbFailure {
        hint,
        code: backend_code(db),
        message: db.message().to_string(),
        constraint: db.constraint().map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ErrorContext {
        ErrorContext {
            dialect: Dialect::Sqlite,
            server: Server::Standard,
            url: ambidex_core::redact_url("postgres://u:hunter2@h/d"),
            password_given: true,
            pool_size: 7,
            sqlite_file: None,
            acquire_timeout: Duration::from_secs(3),
            statement_timeout: None,
        }
    }

    #[test]
    fn pool_timeout_reports_pool_limits() {
        match from_sqlx(sqlx::Error::PoolTimedOut, &ctx()) {
            Error::PoolTimeout { waited, pool_size } => {
                assert_eq!(waited, Duration::from_secs(3));
                assert_eq!(pool_size, 7);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn connection_errors_never_show_passwords() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        for e in [
            sqlx::Error::Io(io),
            sqlx::Error::PoolClosed,
            sqlx::Error::WorkerCrashed,
        ] {
            let mapped = from_sqlx(e, &ctx());
            assert!(matches!(mapped, Error::Connection { .. }), "{mapped:?}");
            assert!(!mapped.to_string().contains("hunter2"));
            assert!(!format!("{mapped:?}").contains("hunter2"));
        }
    }

    #[cfg(any(feature = "postgres", feature = "mysql"))]
    #[test]
    fn passwords_are_found_in_the_authority_only() {
        assert!(url_has_password("mysql://u:p@h/d"));
        assert!(url_has_password("mysql://u:p%40x@h:3306/d?x=@"));
        assert!(!url_has_password("mysql://u@h/d"));
        assert!(!url_has_password("mysql://u:@h/d"));
        assert!(!url_has_password("mysql://h/d?user=a:b@c"));
        assert!(!url_has_password("sqlite::memory:"));
    }

    #[test]
    fn other_errors_keep_their_message() {
        let mapped = from_sqlx(sqlx::Error::RowNotFound, &ctx());
        assert!(
            matches!(mapped, Error::Database { code: None, .. }),
            "{mapped:?}"
        );
        let mapped = from_sqlx(
            sqlx::Error::ColumnIndexOutOfBounds { index: 3, len: 2 },
            &ctx(),
        );
        assert!(matches!(mapped, Error::InvalidQuery(_)), "{mapped:?}");
    }
}
