//! The librarians' CLI, run as its binary on a database of the test's own: it migrates
//! at start, reads `DATABASE_URL`, prints what it did, and fails with a clear message.

use std::process::Command;

use ambidex::testing::TestDb;

/// Runs `library ARGS` on `url`: (succeeded, stdout, stderr).
fn library(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_library"))
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .expect("run the library binary");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a command that must succeed; its stdout.
fn ok(url: &str, args: &[&str]) -> String {
    let (success, stdout, stderr) = library(url, args);
    assert!(success, "library {args:?} failed: {stderr}");
    stdout
}

#[test]
fn a_librarian_adds_lends_and_takes_back() {
    // Not migrated: the CLI applies the embedded migrations itself.
    let test_db = TestDb::sqlite().expect("a database");
    let url = test_db.url();
    assert_eq!(
        ok(
            url,
            &[
                "add-book",
                "--title",
                "Dune",
                "--author",
                "Frank Herbert",
                "--copies",
                "2"
            ]
        ),
        "book 1: Dune (copies 1, 2)\n"
    );
    assert_eq!(
        ok(
            url,
            &["add-book", "--title", "Emma", "--author", "Jane Austen"]
        ),
        "book 2: Emma (copies 3)\n"
    );
    assert_eq!(
        ok(
            url,
            &["add-member", "--name", "Ada", "--email", "ada@example.com"]
        ),
        "member 1: Ada\n"
    );
    assert_eq!(
        ok(url, &["lend", "--copy", "1", "--member", "1"]),
        "loan 1: copy 1 to member 1\n"
    );
    assert_eq!(
        ok(url, &["list"]),
        "1 Dune by Frank Herbert: 1 of 2 free\n2 Emma by Jane Austen: 1 of 1 free\n"
    );

    let (success, stdout, stderr) = library(url, &["lend", "--copy", "1", "--member", "1"]);
    assert!(!success, "a lent copy cannot be lent again: {stdout}");
    assert_eq!(stderr, "library: copy 1 is already lent (loan 1)\n");

    assert_eq!(
        ok(url, &["return", "--copy", "1"]),
        "returned copy 1 (loan 1)\n"
    );
    let (success, _, stderr) = library(url, &["return", "--copy", "1"]);
    assert!(!success);
    assert_eq!(stderr, "library: copy 1 is not lent\n");
    assert_eq!(
        ok(url, &["list"]),
        "1 Dune by Frank Herbert: 2 of 2 free\n2 Emma by Jane Austen: 1 of 1 free\n"
    );
}

#[test]
fn without_database_url_the_cli_says_what_to_set() {
    let out = Command::new(env!("CARGO_BIN_EXE_library"))
        .arg("list")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the library binary");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DATABASE_URL is not set"), "{stderr}");
}
