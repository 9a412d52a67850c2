//! The JSON server, over real HTTP: the router on every backend's database (async world),
//! and the `library-server` binary, which reads `DATABASE_URL` and migrates at start.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use ambidex::testing::TestDb;
use library::catalog::{add_book, add_member};
use library::server::{LoanJson, app};
use reqwest::StatusCode;
use serde_json::{Value, json};

use common::{cells, runtime};

/// `POST /loans` of `copy_id` to `member_id`.
async fn post_loan(
    http: &reqwest::Client,
    base: &str,
    copy_id: i64,
    member_id: i64,
) -> reqwest::Response {
    http.post(format!("{base}/loans"))
        .json(&json!({"copy_id": copy_id, "member_id": member_id}))
        .send()
        .await
        .expect("POST /loans")
}

/// `GET /books`, as JSON.
async fn get_books(http: &reqwest::Client, base: &str) -> Value {
    let answer = http.get(format!("{base}/books")).send().await;
    answer.expect("GET /books").json().await.expect("JSON")
}

/// `POST /copies/{copy_id}/return`.
async fn post_return(http: &reqwest::Client, base: &str, copy_id: i64) -> reqwest::Response {
    let url = format!("{base}/copies/{copy_id}/return");
    http.post(url).send().await.expect("POST return")
}

/// Serves `db` on a free port and borrows and returns through it.
async fn borrow_and_return(db: ambidex::Db, name: &str) {
    let (book, copies) = add_book(&db, "Dune".into(), "Frank Herbert".into(), 2)
        .await
        .expect("book");
    let ada = add_member(&db, "Ada".into(), "ada@example.com".into())
        .await
        .expect("ada");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(axum::serve(listener, app(db)).into_future());
    let http = reqwest::Client::new();
    let (c1, c2) = (copies[0].id, copies[1].id);

    let shelf = json!({
        "book_id": book.id, "title": "Dune", "author": "Frank Herbert",
        "copies": [c1, c2], "available": [c1, c2],
    });
    assert_eq!(get_books(&http, &base).await, json!([shelf]), "{name}");

    let lent = post_loan(&http, &base, c1, ada.id).await;
    assert_eq!(lent.status(), StatusCode::CREATED, "{name}");
    let loan: LoanJson = lent.json().await.expect("a loan");
    assert_eq!(
        (loan.copy_id, loan.member_id, loan.returned_at.clone()),
        (c1, ada.id, None),
        "{name}"
    );

    let again = post_loan(&http, &base, c1, ada.id).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "{name}");
    let body: Value = again.json().await.expect("JSON");
    let refusal = format!("copy {c1} is already lent (loan {})", loan.id);
    assert_eq!(body, json!({ "error": refusal }), "{name}");

    let unknown = post_loan(&http, &base, 999_999, ada.id).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND, "{name}");
    let stranger = post_loan(&http, &base, c2, 999_999).await;
    assert_eq!(
        stranger.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{name}"
    );
    let books = get_books(&http, &base).await;
    assert_eq!(books[0]["available"], json!([c2]), "{name}");

    let back = post_return(&http, &base, c1).await;
    assert_eq!(back.status(), StatusCode::OK, "{name}");
    let closed: LoanJson = back.json().await.expect("a loan");
    assert_eq!(closed.id, loan.id, "{name}");
    assert!(closed.returned_at.is_some(), "{name}");
    let twice = post_return(&http, &base, c1).await;
    assert_eq!(twice.status(), StatusCode::CONFLICT, "{name}");
    server.abort();
}

#[test]
fn borrow_and_return_over_http() {
    let rt = runtime();
    for cell in cells() {
        rt.block_on(async {
            let db = cell.db.connect().await.expect("connect");
            borrow_and_return(db, cell.name).await;
        });
    }
}

/// Kills the server child it holds when dropped, even when an assertion failed.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_server_binary_migrates_and_serves() {
    let test_db = TestDb::sqlite().expect("a database");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_library-server"))
            .args(["--addr", "127.0.0.1:0"])
            .env("DATABASE_URL", test_db.url())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start library-server"),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the first line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("not the listening line: {line:?}"))
        .to_string();
    runtime().block_on(async {
        let books = reqwest::get(format!("{base}/books"))
            .await
            .expect("GET /books");
        assert_eq!(books.status(), StatusCode::OK);
        assert_eq!(books.json::<Value>().await.expect("json"), json!([]));
    });
}
