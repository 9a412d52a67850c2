//! Eager loading sends one query per relation however many rows it loads (no N+1), on
//! every handle and backend: a `tracing` layer counts the statements the engines send
//! (each sends a `trace` event with target `ambidex::sql` per statement), while the
//! loaders run on 100 authors with 10 posts each and 2 comments per post, and on 2,500
//! parents (past one `IN` list of 1,000 keys).
//!
//! The count is process-wide, so the tests of this binary take turns (`SERIAL`).
#![cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, Once};

use ambidex::prelude::*;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, filter};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "author")]
struct Author {
    #[ambidex(primary_key, auto)]
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "post")]
struct Post {
    #[ambidex(primary_key, auto)]
    id: i64,
    #[ambidex(belongs_to = Author, index)]
    author_id: i64,
    title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "comment")]
struct Comment {
    #[ambidex(primary_key, auto)]
    id: i64,
    #[ambidex(belongs_to = Post, index)]
    post_id: i64,
    body: String,
}

/// Statements sent since the last [`take`].
static SENT: AtomicUsize = AtomicUsize::new(0);

/// Counts the engines' per-statement events.
struct CountStatements;

impl<S: tracing::Subscriber> Layer<S> for CountStatements {
    fn on_event(
        &self,
        _event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        SENT.fetch_add(1, Ordering::SeqCst);
    }
}

/// Installs the counting layer (once) and takes this binary's turn.
fn serial() -> MutexGuard<'static, ()> {
    static INSTALL: Once = Once::new();
    static SERIAL: Mutex<()> = Mutex::new(());
    INSTALL.call_once(|| {
        tracing_subscriber::registry()
            .with(CountStatements.with_filter(filter::filter_fn(|m| m.target() == "ambidex::sql")))
            .init();
    });
    let turn = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    take();
    turn
}

/// The statements sent since the last call.
fn take() -> usize {
    SENT.swap(0, Ordering::SeqCst)
}

/// Seeds 100 authors x 10 posts x 2 comments, then checks each loader is one statement.
macro_rules! check_eager_loading {
    ($db:ident) => {{
        aw!(Author::create_table(&$db))?;
        aw!(Post::create_table(&$db))?;
        aw!(Comment::create_table(&$db))?;
        let authors: Vec<Author> = (0..100)
            .map(|i| Author {
                id: 0,
                name: format!("author {i}"),
            })
            .collect();
        aw!(Author::insert_many(&authors, &$db))?;
        let authors = aw!(Author::query().all(&$db))?;
        let posts: Vec<Post> = authors
            .iter()
            .flat_map(|a| {
                (0..10).map(|j| Post {
                    id: 0,
                    author_id: a.id,
                    title: format!("{} post {j}", a.name),
                })
            })
            .collect();
        aw!(Post::insert_many(&posts, &$db))?;
        let posts = aw!(Post::query().all(&$db))?;
        let comments: Vec<Comment> = posts
            .iter()
            .flat_map(|p| {
                (0..2).map(|k| Comment {
                    id: 0,
                    post_id: p.id,
                    body: format!("comment {k}"),
                })
            })
            .collect();
        aw!(Comment::insert_many(&comments, &$db))?;

        take();
        let authors = aw!(Author::query().all(&$db))?;
        assert_eq!(take(), 1, "the statement counter sees statements");
        let posts = aw!(Post::AUTHOR.children_of(&authors, &$db))?;
        assert_eq!(take(), 1, "100 authors' posts in one query");
        assert!(posts.iter().all(|p| p.len() == 10));
        let flat: Vec<Post> = posts.into_iter().flatten().collect();
        let comments = aw!(Comment::POST.children_of(&flat, &$db))?;
        assert_eq!(take(), 1, "1,000 posts' comments in one query");
        assert!(comments.iter().all(|c| c.len() == 2));
        let all_comments: Vec<Comment> = comments.into_iter().flatten().collect();
        let parents = aw!(Comment::POST.parents_of(&all_comments, &$db))?;
        assert_eq!(take(), 1, "2,000 comments' 1,000 posts in one query");
        assert!(
            parents
                .iter()
                .zip(&all_comments)
                .all(|(p, c)| p.as_ref().map(|p| p.id) == Some(c.post_id))
        );
        let grandparents = aw!(Post::AUTHOR.parents_of(&flat, &$db))?;
        assert_eq!(take(), 1);
        assert_eq!(grandparents.len(), 1000);

        let more: Vec<Author> = (0..2_400)
            .map(|i| Author {
                id: 0,
                name: format!("a{i}"),
            })
            .collect();
        aw!(Author::insert_many(&more, &$db))?;
        let everyone = aw!(Author::query().all(&$db))?;
        assert_eq!(everyone.len(), 2_500);
        take();
        let posts = aw!(Post::AUTHOR.children_of(&everyone, &$db))?;
        // PostgreSQL binds the keys as one array (`= ANY($1)`): one query for any number.
        let lists = if $db.dialect() == ambidex::Dialect::Postgres {
            1
        } else {
            3
        };
        assert_eq!(
            take(),
            lists,
            "2,500 keys: three IN lists of at most 1,000, or one array"
        );
        assert_eq!(posts.len(), 2_500);
        ambidex::Result::Ok(())
    }};
}

/// A SQLite file of the test's own.
fn sqlite_url() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("n1.db").display());
    (dir, url)
}

macro_rules! blocking_cell {
    ($name:ident, $handle:ty, $url:expr) => {
        #[test]
        fn $name() -> ambidex::Result<()> {
            macro_rules! aw {
                ($e:expr) => {
                    $e
                };
            }
            let _turn = serial();
            let Some((_scratch, url)) = $url else {
                return Ok(());
            };
            let db = <$handle>::open(&url)?;
            check_eager_loading!(db)
        }
    };
}

macro_rules! async_cell {
    ($name:ident, $handle:ty, $url:expr) => {
        #[test]
        fn $name() -> ambidex::Result<()> {
            macro_rules! aw {
                ($e:expr) => {
                    $e.await
                };
            }
            let _turn = serial();
            let Some((_scratch, url)) = $url else {
                return Ok(());
            };
            support::runtime().block_on(async {
                let db = <$handle>::connect(&url).await?;
                check_eager_loading!(db)
            })
        }
    };
}

/// The SQLite URL, with what keeps its file alive.
fn sqlite() -> Option<(Box<dyn std::any::Any>, String)> {
    let (dir, url) = sqlite_url();
    Some((Box::new(dir), url))
}

/// A scratch schema or database on the server whose URL is in `var`, or `None` to skip
/// (a failure under `CI=true`).
#[allow(dead_code)]
fn server(var: &str) -> Option<(Box<dyn std::any::Any>, String)> {
    let scratch = support::ServerScratch::new(&support::server_url(var)?);
    let url = scratch.url.clone();
    Some((Box::new(scratch), url))
}

blocking_cell!(blocking_diesel_sqlite, ambidex::blocking::Db, sqlite());
blocking_cell!(blocking_sqlx_sqlite, ambidex::blocking::SqlxDb, sqlite());
async_cell!(async_sqlx_sqlite, ambidex::SqlxDb, sqlite());
async_cell!(async_diesel_sqlite, ambidex::DieselDb, sqlite());
async_cell!(async_default_sqlite, ambidex::Db, sqlite());

#[cfg(feature = "postgres")]
mod postgres_cells {
    use super::*;
    blocking_cell!(
        blocking_diesel,
        ambidex::blocking::Db,
        server("AMBIDEX_POSTGRES_URL")
    );
    blocking_cell!(
        blocking_sqlx,
        ambidex::blocking::SqlxDb,
        server("AMBIDEX_POSTGRES_URL")
    );
    async_cell!(async_sqlx, ambidex::SqlxDb, server("AMBIDEX_POSTGRES_URL"));
    async_cell!(
        async_diesel,
        ambidex::DieselDb,
        server("AMBIDEX_POSTGRES_URL")
    );
    async_cell!(async_default, ambidex::Db, server("AMBIDEX_POSTGRES_URL"));
}

#[cfg(feature = "mysql")]
mod mysql_cells {
    use super::*;
    blocking_cell!(
        blocking_diesel,
        ambidex::blocking::Db,
        server("AMBIDEX_MYSQL_URL")
    );
    blocking_cell!(
        blocking_sqlx,
        ambidex::blocking::SqlxDb,
        server("AMBIDEX_MYSQL_URL")
    );
    async_cell!(async_sqlx, ambidex::SqlxDb, server("AMBIDEX_MYSQL_URL"));
    async_cell!(async_diesel, ambidex::DieselDb, server("AMBIDEX_MYSQL_URL"));
    async_cell!(async_default, ambidex::Db, server("AMBIDEX_MYSQL_URL"));
}
