//! diesel's errors as ambidex's, one function for every backend.
//!
//! The driver's classification and message go to the dialect
//! ([`ambidex_core::Error::from_db_failure`]), which alone knows the backend's codes, so a
//! failure gives the same variant here as in the sqlx engine.

use ambidex_core::{DbFailure, Dialect, Error, FailureHint};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Converts a diesel error; `dialect` is the connection's.
pub(crate) fn from_diesel(dialect: Dialect, error: DieselError) -> Error {
    match error {
        DieselError::DatabaseError(kind, info) => {
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
                code: None,
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
