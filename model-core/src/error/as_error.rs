//! [`AsError`]: an application's own error type, seen by the helpers that need to know
//! whether an ambidex [`Error`] is inside (today `retry`, which retries only what the
//! database says is worth retrying).
//!
//! Applications wrap ambidex's error in theirs (`thiserror`'s `#[from]`, or a boxed
//! `dyn Error`), as transactions already allow (`E: From<Error>`). A helper that must
//! decide from the error itself needs the way back too: this trait is that way, one method
//! long, so a user's enum implements it in three lines.

use super::Error;

/// An error type that converts from and exposes an ambidex [`Error`]: what
/// `ambidex::retry` and `ambidex::blocking::retry` accept besides [`Error`] itself.
///
/// `as_error` returns the ambidex error inside, or `None` for the application's own
/// failures, which are never retried.
///
/// ```
/// use ambidex_core::{AsError, Error};
///
/// #[derive(Debug)]
/// enum AppError {
///     Db(Error),
///     OutOfStock,
/// }
/// impl From<Error> for AppError {
///     fn from(e: Error) -> Self {
///         AppError::Db(e)
///     }
/// }
/// impl AsError for AppError {
///     fn as_error(&self) -> Option<&Error> {
///         match self {
///             AppError::Db(e) => Some(e),
///             AppError::OutOfStock => None,
///         }
///     }
/// }
///
/// let conflict = AppError::from(Error::Conflict { message: "deadlock".into() });
/// assert!(conflict.as_error().is_some_and(Error::is_retryable));
/// assert!(AppError::OutOfStock.as_error().is_none());
/// ```
pub trait AsError: From<Error> {
    /// The ambidex error this error holds, if it holds one.
    fn as_error(&self) -> Option<&Error>;
}

impl AsError for Error {
    fn as_error(&self) -> Option<&Error> {
        Some(self)
    }
}

/// A boxed error holds an ambidex error when it downcasts to one (what `?` puts in a
/// `Box<dyn Error + Send + Sync>`).
impl AsError for Box<dyn std::error::Error + Send + Sync + 'static> {
    fn as_error(&self) -> Option<&Error> {
        self.downcast_ref::<Error>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boxed_ambidex_error_is_found_and_another_is_not() {
        let boxed: Box<dyn std::error::Error + Send + Sync> = Error::NotFound {
            model: "Book",
            table: "books",
        }
        .into();
        assert!(matches!(
            boxed.as_error(),
            Some(Error::NotFound { model: "Book", .. })
        ));
        let other: Box<dyn std::error::Error + Send + Sync> = "out of stock".into();
        assert!(other.as_error().is_none());
    }
}
