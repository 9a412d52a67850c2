//! diesel's errors as ambidex's, one function for every backend.
//!
//! The driver's classification, the server's error code and the message go to the dialect
//! ([`ambidex_core::Error::from_db_failure`]), which alone knows the backend's codes, so a
//! failure gives the same variant here as in the sqlx engine.
//!
//! diesel 2.3 reports no error code (its `DatabaseErrorInformation` has none), so the code
//! is recovered where it can be: on MySQL/MariaDB the connection asks the server for the
//! failed statement's error number ([`ServerCode`]); on PostgreSQL the SQLSTATE follows
//! from diesel's error kind for the kinds it names, and is `None` otherwise (the dialect
//! then classifies by the server's message, as it must for any SQLite failure too).

use ambidex_core::{DbFailure, Dialect, Error, FailureHint};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What a connection can still tell about the statement that just failed on it.
pub(crate) trait ServerCode {
    /// The server's error code for the failure whose message is `message`, if the
    /// connection can learn it (by default it cannot).
    fn last_error_code(&mut self, _message: &str) -> Option<String> {
        None
    }
}

/// Converts a diesel error raised on `conn`, with the server's error code where `conn` can
/// recover it ([`ServerCode`]).
pub(crate) fn from_diesel_on<C: ServerCode>(
    conn: &mut C,
    dialect: Dialect,
    error: DieselError,
) -> Error {
    convert(dialect, error, |message| conn.last_error_code(message))
}

/// Converts a diesel error raised where no connection can be asked (opening one);
/// `dialect` is the connection's.
pub(crate) fn from_diesel(dialect: Dialect, error: DieselError) -> Error {
    convert(dialect, error, |_| None)
}

/// The SQLSTATE a PostgreSQL failure of diesel's `kind` has: diesel maps exactly these
/// codes to these kinds, so the mapping back is exact.
fn postgres_code(kind: &DatabaseErrorKind) -> Option<&'static str> {
    Some(match kind {
        DatabaseErrorKind::UniqueViolation => "23505",
        DatabaseErrorKind::ForeignKeyViolation => "23503",
        DatabaseErrorKind::NotNullViolation => "23502",
        DatabaseErrorKind::CheckViolation => "23514",
        DatabaseErrorKind::SerializationFailure => "40001",
        DatabaseErrorKind::ReadOnlyTransaction => "25006",
        _ => return None,
    })
}

fn convert(
    dialect: Dialect,
    error: DieselError,
    server_code: impl FnOnce(&str) -> Option<String>,
) -> Error {
    match error {
        DieselError::DatabaseError(kind, info) => {
            let code = match (dialect, &kind) {
                // The server is gone: there is nobody left to ask.
                (
                    _,
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                ) => None,
                (Dialect::Postgres, kind) => postgres_code(kind).map(str::to_string),
                _ => server_code(info.message()),
            };
            let hint = match kind {
                DatabaseErrorKind::UniqueViolation => FailureHint::Unique,
                DatabaseErrorKind::ForeignKeyViolation => FailureHint::ForeignKey,
                DatabaseErrorKind::NotNullViolation => FailureHint::NotNull,
                DatabaseErrorKind::CheckViolation => FailureHint::Check,
                DatabaseErrorKind::SerializationFailure => FailureHint::Conflict,
                DatabaseErrorKind::ClosedConnection => FailureHint::Closed,
                _ => FailureHint::Unknown,
            };
            let failure = DbFailure {
                hint,
                code,
                message: info.message().to_string(),
                constraint: info.constraint_name().map(str::to_string),
            };
            Error::from_db_failure(dialect, failure)
        }
        DieselError::DeserializationError(e) => match e.downcast::<Error>() {
            Ok(ours) => *ours,
            Err(other) => Error::Database {
                code: None,
                message: other.to_string(),
            },
        },
        DieselError::SerializationError(e) => {
            Error::InvalidQuery(format!("cannot bind a value: {e}").into())
        }
        DieselError::QueryBuilderError(e) => Error::InvalidQuery(e.to_string().into()),
        DieselError::InvalidCString(e) => {
            Error::InvalidQuery(format!("the SQL or a value contains a NUL byte: {e}").into())
        }
        other => Error::Database {
            code: None,
            message: other.to_string(),
        },
    }
}

/// Whether the error means the connection can no longer be used.
pub(crate) fn breaks_connection(error: &Error) -> bool {
    matches!(error, Error::Connection { .. })
}
