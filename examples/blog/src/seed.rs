//! Demo data for the blog, written with the **blocking** API: what a script or a test
//! fixture does before anything async runs.
//!
//! Everything is inserted in one blocking transaction, so a seed that fails (for example
//! because the database was already seeded and an author's email is taken) leaves the
//! database as it was.

use std::fmt;

use ambidex::blocking::{Db, Tx};
use ambidex::{Model, Result};
use serde::Serialize;

use crate::models::{Author, Comment, Post};

/// What [`seed`] inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    /// Authors inserted.
    pub authors: u64,
    /// Posts inserted.
    pub posts: u64,
    /// Comments inserted.
    pub comments: u64,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} authors, {} posts, {} comments",
            self.authors, self.posts, self.comments
        )
    }
}

/// The seeded authors: name, email, bio.
const AUTHORS: [(&str, &str, Option<&str>); 3] = [
    (
        "Ada Lovelace",
        "ada@example.com",
        Some("Writes about engines, analytical and otherwise."),
    ),
    (
        "Grace Hopper",
        "grace@example.com",
        Some("Compilers, COBOL and nanoseconds."),
    ),
    ("Edsger Dijkstra", "edsger@example.com", None),
];

/// The seeded post titles; post `i` goes to author `i % 3`.
const TITLES: [&str; 20] = [
    "Notes on the Analytical Engine",
    "Why compilers matter",
    "Go To considered harmful",
    "Bernoulli numbers by machine",
    "A nanosecond, in wire",
    "On the cruelty of teaching",
    "Loops before loops existed",
    "The first bug, literally",
    "Shortest paths for everyone",
    "Poetical science",
    "COBOL at sixty",
    "Semaphores explained",
    "Weaving algebraic patterns",
    "Debugging the Mark II",
    "Structured programming, again",
    "Engines that compose music",
    "Teaching machines English",
    "The humble programmer",
    "Cards, looms and programs",
    "It's easier to ask forgiveness",
];

/// Creates the blog's tables, their unique constraints and indexes, if they do not exist:
/// the blocking twin of [`crate::repo::create_tables`], which the server awaits.
pub fn create_tables(db: &Db) -> Result<()> {
    crate::repo::create_tables_blocking(db)
}

/// Creates the tables if needed and inserts 3 authors, 20 posts (15 published) and a few
/// comments per published post, all in one transaction.
///
/// Seeding a database that already holds the seeded authors fails with
/// [`ambidex::Error::UniqueViolation`] and changes nothing.
pub fn seed(db: &Db) -> Result<SeedReport> {
    create_tables(db)?;
    db.transaction(|tx| {
        let author_ids = insert_authors(tx)?;
        let posts = seed_posts(&author_ids);
        let post_count = Post::insert_many(&posts, &mut *tx)?;
        // `insert_many` reports a count, not keys: read the new posts back for their ids.
        let new_posts = Post::query()
            .filter(Post::AUTHOR_ID.is_in(author_ids.iter().copied()))
            .order_by(Post::ID.asc())
            .all(&mut *tx)?;
        let comments = seed_comments(&new_posts);
        let comment_count = Comment::insert_many(&comments, &mut *tx)?;
        Ok(SeedReport {
            authors: author_ids.len() as u64,
            posts: post_count,
            comments: comment_count,
        })
    })
}

/// Inserts the authors one by one (each insert returns the generated id).
fn insert_authors(tx: &mut Tx) -> Result<Vec<i64>> {
    AUTHORS
        .iter()
        .map(|&(name, email, bio)| {
            let author = Author {
                id: 0,
                email: email.to_string(),
                name: name.to_string(),
                bio: bio.map(str::to_string),
            };
            Ok(author.insert(&mut *tx)?.id)
        })
        .collect()
}

/// Twenty posts spread over the authors; every fourth one is a draft without views.
fn seed_posts(author_ids: &[i64]) -> Vec<Post> {
    TITLES
        .iter()
        .zip(0_i32..)
        .map(|(title, i)| {
            let published = i % 4 != 3;
            Post {
                id: 0,
                author_id: author_ids[i as usize % author_ids.len()],
                title: (*title).to_string(),
                body: format!("{title}.\n\nA short post, number {}.", i + 1),
                published,
                views: published.then_some((i * 37 + 11) % 500),
            }
        })
        .collect()
}

/// Zero to two comments on each published post.
fn seed_comments(posts: &[Post]) -> Vec<Comment> {
    const READERS: [&str; 4] = ["Charles", "Margaret", "Alan", "Barbara"];
    posts
        .iter()
        .filter(|p| p.published)
        .flat_map(|p| {
            let n = (p.id % 3) as usize;
            (0..n).map(move |k| Comment {
                id: 0,
                post_id: p.id,
                author_name: READERS[(p.id as usize + k) % READERS.len()].to_string(),
                body: format!("Comment {} on \"{}\".", k + 1, p.title),
            })
        })
        .collect()
}
