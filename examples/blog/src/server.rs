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

use ambidex::{Db, Model, Result};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::http_error::ApiError;
use crate::models::{Author, Comment, Post};

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

/// Creates the blog's tables, their unique constraints and indexes, if they do not exist.
pub async fn create_tables(db: &Db) -> Result<()> {
    Author::create_table(db).await?;
    Post::create_table(db).await?;
    Comment::create_table(db).await
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

/// The body of `POST /posts`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewPost {
    /// An existing author's id.
    pub author_id: i64,
    /// The title; must not be blank.
    pub title: String,
    /// The text.
    pub body: String,
    /// Publish at once (default: a draft).
    #[serde(default)]
    pub published: bool,
}

/// The query string of `GET /authors/{id}/posts`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PostFilter {
    /// Only published (`true`) or only draft (`false`) posts; both when absent.
    pub published: Option<bool>,
    /// At most this many posts (default [`DEFAULT_POST_LIMIT`], capped at [`MAX_POST_LIMIT`]).
    pub limit: Option<u64>,
}

/// The answer of `GET /stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Number of authors.
    pub authors: u64,
    /// Number of posts, drafts included.
    pub posts: u64,
    /// Number of published posts.
    pub published: u64,
    /// Number of comments.
    pub comments: u64,
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
    // 404 for an unknown author rather than an empty list.
    Author::get(id, &db).await?;
    let mut query = Post::query().filter(Post::AUTHOR_ID.eq(id));
    if let Some(published) = filter.published {
        query = query.filter(Post::PUBLISHED.eq(published));
    }
    let limit = filter
        .limit
        .unwrap_or(DEFAULT_POST_LIMIT)
        .min(MAX_POST_LIMIT);
    let posts = query
        .order_by(Post::ID.desc())
        .limit(limit)
        .all(&db)
        .await?;
    Ok(Json(posts))
}

/// `POST /posts`
async fn create_post(
    State(db): State<Db>,
    body: std::result::Result<Json<NewPost>, JsonRejection>,
) -> ApiResult<impl IntoResponse> {
    let Json(new) = body?;
    if new.title.trim().is_empty() {
        return Err(ApiError::invalid("title must not be blank"));
    }
    // Check the author and insert in one transaction, so the author cannot vanish between.
    let stored = db
        .transaction(move |tx| {
            Box::pin(async move {
                if !Author::find(new.author_id).exists(&mut *tx).await? {
                    return Err(ApiError::invalid(format!(
                        "author {} does not exist",
                        new.author_id
                    )));
                }
                let post = Post {
                    id: 0,
                    author_id: new.author_id,
                    title: new.title,
                    body: new.body,
                    published: new.published,
                    views: None,
                };
                Ok(post.insert(&mut *tx).await?)
            })
        })
        .await?;
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
    let post = db
        .transaction(move |tx| {
            Box::pin(async move {
                let mut post = Post::get(id, &mut *tx).await?;
                if !post.published {
                    post.published = true;
                    post.update(&mut *tx).await?;
                }
                Ok::<_, ambidex::Error>(post)
            })
        })
        .await?;
    Ok(Json(post))
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

/// `GET /stats`: four counts, run concurrently on pooled connections.
async fn stats(State(db): State<Db>) -> ApiResult<Json<Stats>> {
    let (authors, posts, published, comments) = tokio::try_join!(
        Author::query().count(&db),
        Post::query().count(&db),
        Post::query().filter(Post::PUBLISHED.eq(true)).count(&db),
        Comment::query().count(&db),
    )?;
    Ok(Json(Stats {
        authors,
        posts,
        published,
        comments,
    }))
}
