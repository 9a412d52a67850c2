//! The library's JSON API, on axum with the **async** API.
//!
//! | route | answer |
//! | --- | --- |
//! | `GET /books` | every book with its copies and the free ones ([`Shelf`]) |
//! | `POST /loans` `{"copy_id": 1, "member_id": 2}` | 201 and the loan; 409 if the copy is lent, 404 if there is no such copy, 422 if no such member |
//! | `POST /copies/{id}/return` | the closed loan; 409 if the copy is not lent |
//!
//! Errors are `{"error": "message"}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use ambidex::Db;

use crate::catalog::{self, Shelf};
use crate::lending::{self, LendError};
use crate::models::Loan;

/// The router serving the API over `db`.
pub fn app(db: Db) -> Router {
    Router::new()
        .route("/books", get(books))
        .route("/loans", post(borrow))
        .route("/copies/{id}/return", post(give_back))
        .with_state(db)
}

/// The body of `POST /loans`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BorrowRequest {
    /// The copy to borrow.
    pub copy_id: i64,
    /// Who borrows it.
    pub member_id: i64,
}

/// A loan as JSON, with its times in RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanJson {
    /// The loan's id.
    pub id: i64,
    /// The copy lent.
    pub copy_id: i64,
    /// The member who has it.
    pub member_id: i64,
    /// When it was lent.
    pub lent_at: String,
    /// When it came back, if it did.
    pub returned_at: Option<String>,
}

impl From<Loan> for LoanJson {
    fn from(loan: Loan) -> Self {
        LoanJson {
            id: loan.id,
            copy_id: loan.copy_id,
            member_id: loan.member_id,
            lent_at: loan.lent_at.to_rfc3339(),
            returned_at: loan.returned_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// A failed request: its status and message.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl From<LendError> for ApiError {
    fn from(e: LendError) -> Self {
        let status = match &e {
            LendError::AlreadyLent { .. } | LendError::NotLent(_) => StatusCode::CONFLICT,
            LendError::NoSuchCopy(_) => StatusCode::NOT_FOUND,
            LendError::NoSuchMember(_) => StatusCode::UNPROCESSABLE_ENTITY,
            LendError::Db(e) => return ApiError::from_db(e),
        };
        ApiError(status, e.to_string())
    }
}

impl From<ambidex::Error> for ApiError {
    fn from(e: ambidex::Error) -> Self {
        ApiError::from_db(&e)
    }
}

impl ApiError {
    /// A database failure: 503 when trying later may help, else 500; the details go to
    /// the server's log, not to the client.
    fn from_db(e: &ambidex::Error) -> Self {
        eprintln!("library-server: {e}");
        if e.is_retryable() {
            ApiError(StatusCode::SERVICE_UNAVAILABLE, "busy; retry later".into())
        } else {
            ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}

/// `GET /books`
async fn books(State(db): State<Db>) -> Result<Json<Vec<Shelf>>, ApiError> {
    Ok(Json(catalog::shelves(&db).await?))
}

/// `POST /loans`
async fn borrow(
    State(db): State<Db>,
    Json(request): Json<BorrowRequest>,
) -> Result<(StatusCode, Json<LoanJson>), ApiError> {
    let loan = lending::borrow(&db, request.copy_id, request.member_id).await?;
    Ok((StatusCode::CREATED, Json(loan.into())))
}

/// `POST /copies/{id}/return`
async fn give_back(
    State(db): State<Db>,
    Path(copy_id): Path<i64>,
) -> Result<Json<LoanJson>, ApiError> {
    Ok(Json(lending::give_back(&db, copy_id).await?.into()))
}
