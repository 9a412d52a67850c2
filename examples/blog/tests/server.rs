//! The JSON API over real HTTP: `app` served on a free loopback port over a fresh SQLite
//! file, called with reqwest, checking statuses, bodies and the `{"error": ...}` shape.

use ambidex_example_blog::models::{Author, Post};
use ambidex_example_blog::seed::seed;
use ambidex_example_blog::server::{Stats, app, create_tables};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A running server; its database directory is removed and the server stopped on drop.
struct Server {
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// Serves `app` over a new database; `seeded` fills it with the blocking seeder first.
    async fn start(seeded: bool) -> Server {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("blog.db").display());
        if seeded {
            let url = url.clone();
            tokio::task::spawn_blocking(move || {
                let db = ambidex::blocking::Db::open(&url).expect("open blocking db");
                seed(&db).expect("seed")
            })
            .await
            .expect("seeding task");
        }
        let db = ambidex::Db::connect(&url).await.expect("connect async db");
        create_tables(&db).await.expect("create tables");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app(db)).await.expect("serve");
        });
        Server {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            _dir: dir,
            task,
        }
    }

    /// Sends a request; returns the status and the JSON body (`null` when empty).
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("non-JSON body {text:?}: {e}"))
        };
        (status, json)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn stats(&self) -> Stats {
        let (status, body) = self.get("/stats").await;
        assert_eq!(status, StatusCode::OK);
        serde_json::from_value(body).expect("stats body")
    }
}

/// The body of an error response, checking its shape.
fn error_message(body: &Value) -> &str {
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error body: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn author_and_post_lifecycle() {
    let server = Server::start(false).await;
    assert_eq!(
        server.stats().await,
        Stats {
            authors: 0,
            posts: 0,
            published: 0,
            comments: 0
        }
    );

    // Authors: create, duplicate email is 409, invalid is 422, missing is 404.
    let (status, body) = server
        .post(
            "/authors",
            json!({"email": "ada@example.com", "name": "Ada"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ada: Author = serde_json::from_value(body).expect("author body");
    assert!(ada.id > 0);
    assert_eq!(ada.bio, None);
    let (status, body) = server
        .post(
            "/authors",
            json!({"email": "ada@example.com", "name": "Other"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error_message(&body).contains("unique"), "{body}");
    let (status, body) = server
        .post("/authors", json!({"email": "nobody", "name": "X"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    error_message(&body);
    let (status, body) = server.get(&format!("/authors/{}", ada.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_value::<Author>(body).expect("author"), ada);
    let (status, body) = server.get("/authors/999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error_message(&body).contains("Author"), "{body}");
    let (status, body) = server.get("/authors/999/posts").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    error_message(&body);

    // Posts: create returns 201 and the stored row with its id; read it back.
    let (status, body) = server
        .post(
            "/posts",
            json!({"author_id": ada.id, "title": "First", "body": "Hello."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let post: Post = serde_json::from_value(body).expect("post body");
    assert!(post.id > 0);
    assert_eq!(
        (
            post.author_id,
            post.title.as_str(),
            post.published,
            post.views
        ),
        (ada.id, "First", false, None)
    );
    let (status, body) = server.get(&format!("/posts/{}", post.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_value::<Post>(body).expect("post"), post);

    // Validation: unknown author and blank title are 422; nothing is stored.
    let (status, body) = server
        .post(
            "/posts",
            json!({"author_id": 999, "title": "T", "body": "B"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_message(&body).contains("999"), "{body}");
    let (status, _) = server
        .post(
            "/posts",
            json!({"author_id": ada.id, "title": "  ", "body": "B"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(server.stats().await.posts, 1);

    // Filtering: drafts and published posts of the author.
    let (_, drafts) = server
        .get(&format!("/authors/{}/posts?published=false", ada.id))
        .await;
    assert_eq!(drafts.as_array().map(Vec::len), Some(1));
    let (_, published) = server
        .get(&format!("/authors/{}/posts?published=true", ada.id))
        .await;
    assert_eq!(published.as_array().map(Vec::len), Some(0));

    // Publish, then the published filter finds it.
    let (status, body) = server
        .call(
            reqwest::Method::PATCH,
            &format!("/posts/{}/publish", post.id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["published"], json!(true));
    let (_, published) = server
        .get(&format!(
            "/authors/{}/posts?published=true&limit=10",
            ada.id
        ))
        .await;
    assert_eq!(published[0]["id"], json!(post.id));
    let (status, _) = server
        .call(reqwest::Method::PATCH, "/posts/999/publish", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        server.stats().await,
        Stats {
            authors: 1,
            posts: 1,
            published: 1,
            comments: 0
        }
    );

    // Delete: 204, then 404 for the post and for a second delete.
    let path = format!("/posts/{}", post.id);
    let (status, body) = server.call(reqwest::Method::DELETE, &path, None).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(server.get(&path).await.0, StatusCode::NOT_FOUND);
    let (status, body) = server.call(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    error_message(&body);
    assert_eq!(server.stats().await.posts, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_json_errors() {
    let server = Server::start(false).await;
    let (status, body) = server.get("/authors/not-a-number").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    error_message(&body);
    let (status, body) = server.get("/authors/1/posts?limit=lots").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    error_message(&body);
    let (status, body) = server.post("/posts", json!({"title": "no author"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    error_message(&body);
    let response = server
        .http
        .post(format!("{}/posts", server.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("JSON error body");
    error_message(&body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_what_the_blocking_seeder_wrote() {
    let server = Server::start(true).await;
    let stats = server.stats().await;
    assert_eq!((stats.authors, stats.posts, stats.published), (3, 20, 15));
    assert!(stats.comments > 0);

    let (status, authors) = server.get("/authors").await;
    assert_eq!(status, StatusCode::OK);
    let authors: Vec<Author> = serde_json::from_value(authors).expect("authors");
    assert_eq!(authors.len(), 3);
    assert!(authors.windows(2).all(|w| w[0].id < w[1].id));

    // Filter + order (newest first) + limit.
    let (_, posts) = server.get("/authors/1/posts?published=true&limit=3").await;
    let posts: Vec<Post> = serde_json::from_value(posts).expect("posts");
    assert_eq!(posts.len(), 3);
    assert!(posts.iter().all(|p| p.published && p.author_id == 1));
    assert!(posts.windows(2).all(|w| w[0].id > w[1].id));
    let (_, all) = server.get("/authors/1/posts").await;
    assert_eq!(all.as_array().map(Vec::len), Some(7));

    // Deleting a post takes its comments with it.
    let (_, post) = server.get("/posts/2").await;
    assert_eq!(post["id"], json!(2));
    let before = server.stats().await;
    let (status, _) = server.call(reqwest::Method::DELETE, "/posts/2", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let after = server.stats().await;
    assert_eq!(after.posts, before.posts - 1);
    assert!(
        after.comments < before.comments,
        "post 2 had comments: {before:?} -> {after:?}"
    );
}
