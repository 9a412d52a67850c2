//! The blog's JSON API, served by axum with the **async** API only.
//!
//! Every handler awaits ambidex futures while holding extractor state across `.await`
//! points; axum only accepts handlers whose futures are `Send`, so this module compiling
//! at all is the proof that ambidex's async terminal methods and transactions are `Send`.
//!
//! | route | answer |
//! | --- | --- |
//! | `GET /authors` | every author, by id |
//! | `POST /authors` | 201 and the new author; 409 if the email is taken, 422 if invalid |
//! | `GET /authors/{id}` | the author, or 404 |
//! | `GET /authors/{id}/posts?published=true&limit=10` | the author's posts, newest first (404 if no such author) |
//! | `POST /posts` | 201 and the stored post with its id; 422 if invalid or the author is unknown |
//! | `GET /posts/{id}` | the post, or 404 |
//! | `PATCH /posts/{id}/publish` | the published post, or 404 |
//! | `DELETE /posts/{id}` | 204 (the post and its comments are gone), or 404 |
//! | `GET /stats` | row counts |
//!
//! Failures are answered by [`ApiError`] as `{"error": message}`.
//!
//! Data access shared with the blocking CLI (creating the tables, publishing, counting)
//! and the post operations (creating, listing an author's posts) are not written here but
//! in [`crate::repo`], once, with `#[ambidex::dual]`: these handlers await the async
//! functions, the CLI calls their blocking twins.

use ambidex::{Db, Model};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::http_error::ApiError;
use crate::models::{Author, Comment, Post};
use crate::repo;
pub use crate::repo::{NewPost, Stats, create_tables};

/// How many posts `GET /authors/{id}/posts` returns without a `limit`.
pub const DEFAULT_POST_LIMIT: u64 = 20;
/// The most posts `GET /authors/{id}/posts` returns, whatever `limit` asks for.
pub const MAX_POST_LIMIT: u64 = 100;

/// What a handler returns.
type ApiResult<T> = std::result::Result<T, ApiError>;

/// The router serving the blog's JSON API over `db`.
pub fn app(db: Db) -> Router {
    Router::new()
        .route("/authors", get(list_authors).post(create_author))
        .route("/authors/{id}", get(get_author))
        .route("/authors/{id}/posts", get(author_posts))
        .route("/posts", axum::routing::post(create_post))
        .route("/posts/{id}", get(get_post).delete(delete_post))
        .route("/posts/{id}/publish", patch(publish_post))
        .route("/stats", get(stats))
        .with_state(db)
}

/// The body of `POST /authors`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewAuthor {
    /// The email address; must contain `@` and not be taken.
    pub email: String,
    /// The display name; must not be blank.
    pub name: String,
    /// An optional biography.
    #[serde(default)]
    pub bio: Option<String>,
}

/// The query string of `GET /authors/{id}/posts`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PostFilter {
    /// Only published (`true`) or only draft (`false`) posts; both when absent.
    pub published: Option<bool>,
    /// At most this many posts (default [`DEFAULT_POST_LIMIT`], capped at [`MAX_POST_LIMIT`]).
    pub limit: Option<u64>,
}

/// `GET /authors`
async fn list_authors(State(db): State<Db>) -> ApiResult<Json<Vec<Author>>> {
    let authors = Author::query().order_by(Author::ID.asc()).all(&db).await?;
    Ok(Json(authors))
}

/// `POST /authors`
async fn create_author(
    State(db): State<Db>,
    body: std::result::Result<Json<NewAuthor>, JsonRejection>,
) -> ApiResult<impl IntoResponse> {
    let Json(new) = body?;
    if !new.email.contains('@') {
        return Err(ApiError::invalid("email must be an address (name@host)"));
    }
    if new.name.trim().is_empty() {
        return Err(ApiError::invalid("name must not be blank"));
    }
    let author = Author {
        id: 0,
        email: new.email,
        name: new.name,
        bio: new.bio,
    };
    // A taken email fails here with `UniqueViolation`, which `ApiError` answers with 409.
    let stored = author.insert(&db).await?;
    let location = format!("/authors/{}", stored.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(stored),
    ))
}

/// `GET /authors/{id}`
async fn get_author(
    State(db): State<Db>,
    id: std::result::Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<Author>> {
    let Path(id) = id?;
    Ok(Json(Author::get(id, &db).await?))
}

/// `GET /authors/{id}/posts?published=true&limit=10`
async fn author_posts(
    State(db): State<Db>,
    id: std::result::Result<Path<i64>, PathRejection>,
    filter: std::result::Result<Query<PostFilter>, QueryRejection>,
) -> ApiResult<Json<Vec<Post>>> {
    let Path(id) = id?;
    let Query(filter) = filter?;
    let limit = filter
        .limit
        .unwrap_or(DEFAULT_POST_LIMIT)
        .min(MAX_POST_LIMIT);
    // An unknown author is `NotFound` (404) rather than an empty list.
    let posts = repo::posts_by(&db, id, filter.published, limit).await?;
    Ok(Json(posts))
}

/// `POST /posts`
async fn create_post(
    State(db): State<Db>,
    body: std::result::Result<Json<NewPost>, JsonRejection>,
) -> ApiResult<impl IntoResponse> {
    let Json(new) = body?;
    // A blank title or an unknown author is 422 (see `ApiError`'s `From<CreatePostError>`).
    let stored = repo::create_post(&db, new).await?;
    let location = format!("/posts/{}", stored.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(stored),
    ))
}

/// `GET /posts/{id}`
async fn get_post(
    State(db): State<Db>,
    id: std::result::Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<Post>> {
    let Path(id) = id?;
    Ok(Json(Post::get(id, &db).await?))
}

/// `PATCH /posts/{id}/publish`
async fn publish_post(
    State(db): State<Db>,
    id: std::result::Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<Post>> {
    let Path(id) = id?;
    Ok(Json(repo::publish(&db, id).await?))
}

/// `DELETE /posts/{id}`: the post and its comments, in one explicit transaction.
async fn delete_post(
    State(db): State<Db>,
    id: std::result::Result<Path<i64>, PathRejection>,
) -> ApiResult<StatusCode> {
    let Path(id) = id?;
    let mut tx = db.begin().await?;
    let Some(post) = Post::find(id).first(&mut tx).await? else {
        tx.rollback().await?;
        return Err(Post::META.not_found().into());
    };
    Comment::query()
        .filter(Comment::POST_ID.eq(post.id))
        .delete(&mut tx)
        .await?;
    post.delete(&mut tx).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /stats`: four counts, one after another (see [`repo::stats`]).
async fn stats(State(db): State<Db>) -> ApiResult<Json<Stats>> {
    Ok(Json(repo::stats(&db).await?))
}
