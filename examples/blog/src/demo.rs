//! The end-to-end demo behind `cargo run --example demo`: one SQLite file, used first by
//! the **blocking** world (seed, queries, transactions) and then by the **async** world
//! (the axum server, called over HTTP), ending with one query expression run in both
//! worlds to show they return the same rows.
//!
//! The database lives in a fresh temporary directory that is removed when the demo ends.

use std::error::Error as StdError;
use std::net::SocketAddr;

use ambidex::{Model, Select, blocking};
use reqwest::Method;
use serde_json::{Value, json};

use crate::models::{Author, Comment, Post};
use crate::seed::seed;
use crate::server::app;

/// What the demo fails with: anything, boxed (ambidex, I/O, HTTP).
pub type DemoError = Box<dyn StdError + Send + Sync>;

/// Runs the demo, printing what it does; see the [module docs](self).
pub fn run() -> Result<(), DemoError> {
    let dir = tempfile::Builder::new().prefix("ambidex-demo-").tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("blog.db").display());
    println!("ambidex demo: one model, two worlds, one database ({url})");

    let db = blocking::Db::open(&url)?;
    blocking_world(&db)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let async_db = runtime.block_on(ambidex::Db::connect(&url))?;
    runtime.block_on(async_world(async_db.clone()))?;

    // The same query value, run by each world's handle.
    let query = top_posts();
    let from_blocking = query.clone().all(&db)?;
    let from_async = runtime.block_on(query.all(&async_db))?;
    println!("[both] top published posts by views, one expression, both handles:");
    println!("[blocking]   {}", ids(&from_blocking));
    println!("[async]      {}", ids(&from_async));
    if from_blocking != from_async {
        return Err("the two worlds returned different rows".into());
    }
    println!("[both] identical rows in both worlds");

    // Eager loading, written once (repo.rs), run by each world: two queries each.
    let blocking_tree = crate::repo::authors_with_posts_blocking(&db)?;
    let async_tree = runtime.block_on(crate::repo::authors_with_posts(&async_db))?;
    println!("[both] authors with their posts, eager-loaded in two queries:");
    for (author, posts) in &blocking_tree {
        println!("[blocking]   {}: {} posts", author.name, posts.len());
    }
    if blocking_tree != async_tree {
        return Err("the two worlds loaded different relations".into());
    }
    println!("[both] identical relations in both worlds");
    runtime.block_on(async_db.close());
    Ok(())
}

/// The query both worlds run at the end.
fn top_posts() -> Select<Post> {
    Post::query()
        .filter(Post::PUBLISHED.eq(true))
        .order_by(Post::VIEWS.desc())
        .order_by(Post::ID.asc())
        .limit(5)
}

/// `#14 (492 views), ...` for a list of posts.
fn ids(posts: &[Post]) -> String {
    let items: Vec<String> = posts
        .iter()
        .map(|p| format!("#{} ({} views)", p.id, p.views.unwrap_or(0)))
        .collect();
    items.join(", ")
}

/// Seeds, queries and runs two transactions with the blocking handle.
fn blocking_world(db: &blocking::Db) -> ambidex::Result<()> {
    let report = seed(db)?;
    println!("[blocking] seeded {report} in one transaction");

    println!("[blocking] published posts per author, by title:");
    for author in Author::query().order_by(Author::NAME.asc()).all(db)? {
        let posts = Post::query()
            .filter(Post::AUTHOR_ID.eq(author.id))
            .filter(Post::PUBLISHED.eq(true))
            .order_by(Post::TITLE.asc())
            .all(db)?;
        let titles: Vec<&str> = posts.iter().take(2).map(|p| p.title.as_str()).collect();
        println!(
            "[blocking]   {:<16} {} posts: {}, ...",
            author.name,
            posts.len(),
            titles.join("; ")
        );
    }

    let total = Post::query().count(db)?;
    let published = Post::query().filter(Post::PUBLISHED.eq(true)).count(db)?;
    let never_read = Post::query().filter(Post::VIEWS.is_null()).count(db)?;
    println!("[blocking] {published} of {total} posts published; {never_read} never read");

    // Explicit transaction, rolled back: nothing it did remains.
    let mut tx = db.begin()?;
    let drafts = Post::query()
        .filter(Post::PUBLISHED.eq(false))
        .set(Post::PUBLISHED, true)
        .update(&mut tx)?;
    let inside = Post::query()
        .filter(Post::PUBLISHED.eq(true))
        .count(&mut tx)?;
    tx.rollback()?;
    let after = Post::query().filter(Post::PUBLISHED.eq(true)).count(db)?;
    println!(
        "[blocking] tx: published {drafts} drafts ({inside} published inside), rolled back: {after} again"
    );

    // Closure transaction, committed: a comment and a view count change together.
    let post = db.transaction(|tx| {
        let mut post = Post::get(1, &mut *tx)?;
        post.views = Some(post.views.unwrap_or(0) + 1);
        post.update(&mut *tx)?;
        Comment {
            id: 0,
            post_id: post.id,
            author_name: "Demo".into(),
            body: "Read it twice.".into(),
        }
        .insert(&mut *tx)?;
        Ok::<_, ambidex::Error>(post)
    })?;
    let comments = Comment::query()
        .filter(Comment::POST_ID.eq(post.id))
        .count(db)?;
    println!(
        "[blocking] tx committed: post #{} now has {} views and {comments} comments",
        post.id,
        post.views.unwrap_or(0)
    );
    Ok(())
}

/// Serves [`app`] on a free loopback port and calls it over HTTP.
async fn async_world(db: ambidex::Db) -> Result<(), DemoError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let engine = db.engine();
    let server = tokio::spawn(async move {
        axum::serve(listener, app(db))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    println!("[async] axum serving ambidex::Db (engine for SQLite: {engine}) on http://{addr}");

    let client = Client {
        http: reqwest::Client::new(),
        addr,
    };
    client.call(Method::GET, "/stats", None).await?;
    client
        .call(Method::GET, "/authors/1/posts?published=true&limit=3", None)
        .await?;
    let new_post = json!({
        "author_id": 2,
        "title": "Written from the async world",
        "body": "Posted over HTTP, stored through ambidex::Db.",
    });
    let created = client.call(Method::POST, "/posts", Some(new_post)).await?;
    let id = created["id"].as_i64().ok_or("POST /posts returned no id")?;
    client
        .call(Method::GET, &format!("/posts/{id}"), None)
        .await?;
    client
        .call(Method::PATCH, &format!("/posts/{id}/publish"), None)
        .await?;
    client
        .call(Method::DELETE, &format!("/posts/{id}"), None)
        .await?;
    client
        .call(Method::GET, &format!("/posts/{id}"), None)
        .await?;
    client.call(Method::GET, "/authors/99", None).await?;

    // Stopping the server drops its `Db` clone; `run` closes the pool afterwards.
    let _ = stop.send(());
    server.await??;
    Ok(())
}

/// A tiny HTTP client that prints each exchange on one line.
struct Client {
    http: reqwest::Client,
    addr: SocketAddr,
}

impl Client {
    /// Sends a request and prints `METHOD path -> status body`; returns the JSON body
    /// (`null` when empty).
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, DemoError> {
        let mut request = self
            .http
            .request(method.clone(), format!("http://{}{path}", self.addr));
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)?
        };
        let sent = body.as_ref().map(summary).unwrap_or_default();
        let line = format!(
            "[async] {method} {path}{sent} -> {status}{}",
            summary(&json)
        );
        println!("{line}");
        Ok(json)
    }
}

/// A one-line summary of a JSON body, starting with a space (empty for no body): a post's
/// key fields, a list's titles, anything else cut short.
fn summary(body: &Value) -> String {
    match body {
        Value::Null => String::new(),
        Value::Array(items) => {
            let titles: Vec<String> = items.iter().map(|p| p["title"].to_string()).collect();
            format!(" [{} posts: {}]", items.len(), titles.join(", "))
        }
        Value::Object(post) if post.contains_key("title") => {
            let id = post
                .get("id")
                .map_or_else(|| "new".into(), |id| format!("#{id}"));
            let state = match post.get("published").and_then(Value::as_bool) {
                Some(true) => "published",
                _ => "draft",
            };
            format!(
                " {{post {id} {} by author {}, {state}}}",
                post["title"], post["author_id"]
            )
        }
        other => format!(" {}", brief(&other.to_string())),
    }
}

/// `text` cut to a readable length.
fn brief(text: &str) -> String {
    const MAX: usize = 90;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}
