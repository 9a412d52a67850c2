//! The blog's data-access layer, **written once** with [`#[ambidex::dual]`](ambidex::dual).
//!
//! Before this module the blocking CLI (`blog-script`) and the async server
//! ([`crate::server`]) each carried their own copy of the same operations (publishing a
//! post, counting rows, creating the tables), and the copies had already drifted apart:
//! the CLI published with an update by filter, the server with a read and an update in a
//! transaction. Here every operation is one `async fn`, and the attribute generates its
//! blocking twin beside it (`publish` and `publish_blocking`, ...):
//!
//! - **one definition**: a fix or a new rule (say, what a valid post is) is made once and
//!   both programs get it;
//! - **both worlds**: the server awaits `publish(&db, id)` on an [`ambidex::Db`] (async, on
//!   tokio); the CLI calls `publish_blocking(&db, id)` on an [`ambidex::blocking::Db`]
//!   (diesel, no runtime), with the same queries, transactions, errors and results;
//! - **same build**: the twins are ordinary items of this module, compiled and type-checked
//!   with the async functions in every build, so neither version can rot unnoticed.
//!
//! What stays outside is what belongs to one program only: HTTP statuses and query-string
//! limits in [`crate::server`], printing in the CLI. The one thing the async world did
//! that a dual function cannot say is run the four counts of [`stats`] concurrently
//! (`tokio::try_join!` is refused, as it has no blocking meaning), so they run one after
//! another on both sides.

use std::fmt;

use ambidex::{Db, Model, Result};
use serde::{Deserialize, Serialize};

use crate::models::{Author, Comment, Post};

/// A post to create with [`create_post`] (also the body of `POST /posts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Row counts, from [`stats`] (also the answer of `GET /stats`).
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

/// Why [`create_post`] refused or failed.
#[derive(Debug)]
pub enum CreatePostError {
    /// The title is empty or only whitespace.
    BlankTitle,
    /// No author has this id.
    UnknownAuthor(i64),
    /// The database failed.
    Db(ambidex::Error),
}

impl fmt::Display for CreatePostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreatePostError::BlankTitle => f.write_str("title must not be blank"),
            CreatePostError::UnknownAuthor(id) => write!(f, "author {id} does not exist"),
            CreatePostError::Db(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CreatePostError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CreatePostError::Db(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ambidex::Error> for CreatePostError {
    fn from(e: ambidex::Error) -> Self {
        CreatePostError::Db(e)
    }
}

/// Creates the blog's tables, their unique constraints and indexes, if they do not exist.
#[ambidex::dual]
pub async fn create_tables(db: &Db) -> Result<()> {
    Author::create_table(db).await?;
    Post::create_table(db).await?;
    Comment::create_table(db).await
}

/// The posts of author `author_id`, newest first, at most `limit`; only published
/// (`Some(true)`) or only draft (`Some(false)`) posts, or both (`None`).
///
/// An unknown author is [`ambidex::Error::NotFound`], not an empty list.
#[ambidex::dual]
pub async fn posts_by(
    db: &Db,
    author_id: i64,
    published: Option<bool>,
    limit: u64,
) -> Result<Vec<Post>> {
    Author::get(author_id, db).await?;
    let mut query = Post::query().filter(Post::AUTHOR_ID.eq(author_id));
    if let Some(published) = published {
        query = query.filter(Post::PUBLISHED.eq(published));
    }
    query.order_by(Post::ID.desc()).limit(limit).all(db).await
}

/// Every author with their posts (oldest first), eager-loaded: two queries however many
/// authors and posts there are.
#[ambidex::dual]
pub async fn authors_with_posts(db: &Db) -> Result<Vec<(Author, Vec<Post>)>> {
    let authors = Author::query().order_by(Author::ID.asc()).all(db).await?;
    let posts = Post::AUTHOR.children_of(&authors, db).await?;
    Ok(authors.into_iter().zip(posts).collect())
}

/// The published posts of author `author_id`, newest first, at most `limit`.
#[ambidex::dual(calls(posts_by))]
pub async fn published_posts_by(db: &Db, author_id: i64, limit: u64) -> Result<Vec<Post>> {
    posts_by(db, author_id, Some(true), limit).await
}

/// Marks post `post_id` published (a no-op if it already is) and returns it, reading and
/// writing in one transaction. A missing post is [`ambidex::Error::NotFound`].
#[ambidex::dual]
pub async fn publish(db: &Db, post_id: i64) -> Result<Post> {
    db.transaction(move |tx| {
        Box::pin(async move {
            let mut post = Post::get(post_id, &mut *tx).await?;
            if !post.published {
                post.published = true;
                post.update(&mut *tx).await?;
            }
            Ok::<_, ambidex::Error>(post)
        })
    })
    .await
}

/// Checks `new` and stores it as a post, returning the stored row with its id. The author
/// check and the insert run in one transaction, so the author cannot vanish between them.
#[ambidex::dual]
pub async fn create_post(db: &Db, new: NewPost) -> Result<Post, CreatePostError> {
    if new.title.trim().is_empty() {
        return Err(CreatePostError::BlankTitle);
    }
    db.transaction(move |tx| {
        Box::pin(async move {
            if !Author::find(new.author_id).exists(&mut *tx).await? {
                return Err(CreatePostError::UnknownAuthor(new.author_id));
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
    .await
}

/// Counts authors, posts, published posts and comments (one query each, in turn).
#[ambidex::dual]
pub async fn stats(db: &Db) -> Result<Stats> {
    Ok(Stats {
        authors: Author::query().count(db).await?,
        posts: Post::query().count(db).await?,
        published: Post::query()
            .filter(Post::PUBLISHED.eq(true))
            .count(db)
            .await?,
        comments: Comment::query().count(db).await?,
    })
}
