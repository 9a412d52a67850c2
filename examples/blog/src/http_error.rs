//! The one place where failures become HTTP responses.
//!
//! Every handler returns `Result<_, ApiError>`. An [`ambidex::Error`] converts with `?`
//! and is mapped to a status here by its variant, the same whichever world produced it;
//! request problems the server detects itself (a bad JSON body, a failed validation) use
//! the other variants. The body is always `{"error": "message"}`. Server-side failures
//! (5xx) are logged in full and answered with a generic message, so a client never sees
//! database internals.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why a request failed.
#[derive(Debug)]
pub enum ApiError {
    /// The database, or ambidex, reported an error.
    Db(ambidex::Error),
    /// The request was well-formed but its content is not acceptable (422).
    Invalid(String),
    /// The request could not be parsed: path, query string or JSON body (400, or the
    /// status the extractor chose).
    BadRequest(StatusCode, String),
}

impl ApiError {
    /// A 422 with `message`.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::Invalid(message.into())
    }

    /// The status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Db(e) => status_of(e),
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(status, _) => *status,
        }
    }
}

/// The status for an ambidex error.
fn status_of(error: &ambidex::Error) -> StatusCode {
    use ambidex::Error as E;
    match error {
        E::NotFound { .. } => StatusCode::NOT_FOUND,
        E::UniqueViolation { .. } => StatusCode::CONFLICT,
        E::ForeignKeyViolation { .. } | E::NotNullViolation { .. } | E::CheckViolation { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        // Busy database, exhausted pool, slow statement: the client may retry later.
        E::Conflict { .. } | E::PoolTimeout { .. } | E::Timeout { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<ambidex::Error> for ApiError {
    fn from(e: ambidex::Error) -> Self {
        ApiError::Db(e)
    }
}

impl From<crate::repo::CreatePostError> for ApiError {
    fn from(e: crate::repo::CreatePostError) -> Self {
        use crate::repo::CreatePostError as E;
        match e {
            E::Db(e) => ApiError::Db(e),
            refused @ (E::BlankTitle | E::UnknownAuthor(_)) => {
                ApiError::invalid(refused.to_string())
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        ApiError::BadRequest(r.status(), r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::BadRequest(r.status(), r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(r.status(), r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match self {
            ApiError::Db(e) if status.is_server_error() => {
                tracing::error!(error = %e, "request failed");
                match status {
                    StatusCode::SERVICE_UNAVAILABLE => "the database is busy; retry later".into(),
                    _ => "internal server error".into(),
                }
            }
            ApiError::Db(e) => e.to_string(),
            ApiError::Invalid(message) | ApiError::BadRequest(_, message) => message,
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}
