//! The data-access layer ([`ambidex_example_blog::repo`]) in both worlds: the same
//! scenario, itself written once with `#[ambidex::dual]`, runs its async version on tokio
//! and its blocking twin directly, each on its own temporary SQLite file, and the two must
//! give equal results (and the expected ones).

use ambidex::{Db, Model};
use ambidex_example_blog::models::{Author, Post};
use ambidex_example_blog::repo::{self, CreatePostError, NewPost, Stats};
use ambidex_example_blog::seed::seed;

/// What the scenario fails with.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the scenario saw; compared across the worlds.
#[derive(Debug, PartialEq)]
struct Outcome {
    created: Vec<Post>,
    blank_title: String,
    unknown_author: String,
    ada_all: Vec<String>,
    ada_drafts: Vec<String>,
    ada_newest_two: Vec<String>,
    unknown_author_posts: String,
    published: Post,
    published_again: Post,
    publish_missing: String,
    ada_published: Vec<String>,
    stats: Stats,
}

fn new_post(author_id: i64, title: &str, published: bool) -> NewPost {
    NewPost {
        author_id,
        title: title.to_owned(),
        body: format!("{title}."),
        published,
    }
}

fn titles(posts: &[Post]) -> Vec<String> {
    posts.iter().map(|p| p.title.clone()).collect()
}

/// An error's message, after checking it is an error.
fn message<T: std::fmt::Debug, E: std::fmt::Display>(result: Result<T, E>) -> String {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(e) => e.to_string(),
    }
}

/// Every repo function on an empty database, success and failure paths.
#[ambidex::dual(calls(
    create_tables,
    create_post,
    posts_by,
    published_posts_by,
    publish,
    stats
))]
async fn scenario(db: &Db) -> Result<Outcome, BoxError> {
    repo::create_tables(db).await?;
    let ada = Author {
        id: 0,
        email: "ada@example.com".into(),
        name: "Ada".into(),
        bio: None,
    }
    .insert(db)
    .await?;
    let grace = Author {
        id: 0,
        email: "grace@example.com".into(),
        name: "Grace".into(),
        bio: None,
    }
    .insert(db)
    .await?;

    let mut created = Vec::new();
    for new in [
        new_post(ada.id, "First", false),
        new_post(ada.id, "Second", true),
        new_post(grace.id, "Third", true),
        new_post(ada.id, "Fourth", false),
    ] {
        created.push(repo::create_post(db, new).await?);
    }
    let blank = repo::create_post(db, new_post(ada.id, "  ", true)).await;
    assert!(matches!(blank, Err(CreatePostError::BlankTitle)));
    let unknown = repo::create_post(db, new_post(999, "Lost", true)).await;
    assert!(matches!(unknown, Err(CreatePostError::UnknownAuthor(999))));

    let ada_all = titles(&repo::posts_by(db, ada.id, None, 10).await?);
    let ada_drafts = titles(&repo::posts_by(db, ada.id, Some(false), 10).await?);
    let ada_newest_two = titles(&repo::posts_by(db, ada.id, None, 2).await?);
    let unknown_author_posts = repo::posts_by(db, 999, None, 10).await;
    assert!(matches!(
        unknown_author_posts,
        Err(ambidex::Error::NotFound { .. })
    ));

    let published = repo::publish(db, created[0].id).await?;
    let published_again = repo::publish(db, created[0].id).await?;
    let publish_missing = repo::publish(db, 999).await;
    assert!(matches!(
        publish_missing,
        Err(ambidex::Error::NotFound { .. })
    ));
    let ada_published = titles(&repo::published_posts_by(db, ada.id, 10).await?);

    Ok(Outcome {
        created,
        blank_title: message(blank),
        unknown_author: message(unknown),
        ada_all,
        ada_drafts,
        ada_newest_two,
        unknown_author_posts: message(unknown_author_posts),
        published,
        published_again,
        publish_missing: message(publish_missing),
        ada_published,
        stats: repo::stats(db).await?,
    })
}

/// The reads on a database the blocking seeder filled.
#[ambidex::dual(calls(posts_by, published_posts_by, stats))]
async fn seeded_reads(db: &Db) -> ambidex::Result<(Vec<Post>, Vec<Post>, Stats)> {
    Ok((
        repo::published_posts_by(db, 1, 3).await?,
        repo::posts_by(db, 2, None, 100).await?,
        repo::stats(db).await?,
    ))
}

fn temp_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("blog.db").display())
}

#[test]
fn repo_gives_the_same_results_in_both_worlds() {
    let (async_dir, blocking_dir) = (tempdir(), tempdir());
    let (async_url, blocking_url) = (temp_url(&async_dir), temp_url(&blocking_dir));

    let from_async = runtime()
        .block_on(async move {
            let db = Db::connect(&async_url).await.expect("connect");
            tokio::spawn(async move { scenario(&db).await })
                .await
                .expect("task")
        })
        .expect("async scenario");
    let db = ambidex::blocking::Db::open(&blocking_url).expect("open");
    let from_blocking = scenario_blocking(&db).expect("blocking scenario");

    assert_eq!(from_blocking, from_async);

    let by = |title: &str| {
        from_async
            .created
            .iter()
            .find(|p| p.title == title)
            .cloned()
    };
    let first = by("First").expect("First was created");
    assert!(first.id > 0 && !first.published && first.views.is_none());
    assert_eq!(from_async.blank_title, "title must not be blank");
    assert_eq!(from_async.unknown_author, "author 999 does not exist");
    assert_eq!(from_async.ada_all, ["Fourth", "Second", "First"]);
    assert_eq!(from_async.ada_drafts, ["Fourth", "First"]);
    assert_eq!(from_async.ada_newest_two, ["Fourth", "Second"]);
    assert!(from_async.unknown_author_posts.contains("Author"));
    assert_eq!(
        from_async.published,
        Post {
            published: true,
            ..first
        }
    );
    assert_eq!(from_async.published_again, from_async.published);
    assert!(from_async.publish_missing.contains("Post"));
    assert_eq!(from_async.ada_published, ["Second", "First"]);
    assert_eq!(
        from_async.stats,
        Stats {
            authors: 2,
            posts: 4,
            published: 3,
            comments: 0
        }
    );
}

#[test]
fn seeded_reads_agree() {
    let (async_dir, blocking_dir) = (tempdir(), tempdir());
    let (async_url, blocking_url) = (temp_url(&async_dir), temp_url(&blocking_dir));
    for url in [&async_url, &blocking_url] {
        seed(&ambidex::blocking::Db::open(url).expect("open")).expect("seed");
    }

    let from_async = runtime()
        .block_on(async move {
            let db = Db::connect(&async_url).await.expect("connect");
            seeded_reads(&db).await
        })
        .expect("async reads");
    let db = ambidex::blocking::Db::open(&blocking_url).expect("open");
    let from_blocking = seeded_reads_blocking(&db).expect("blocking reads");

    assert_eq!(from_blocking, from_async);
    let (newest, grace, stats) = from_async;
    assert_eq!(newest.len(), 3);
    assert!(newest.iter().all(|p| p.published && p.author_id == 1));
    assert!(newest.windows(2).all(|w| w[0].id > w[1].id));
    assert_eq!(grace.len(), 7);
    assert_eq!((stats.authors, stats.posts, stats.published), (3, 20, 15));
    assert!(stats.comments > 0);
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
