//! The blocking CLI as a user runs it: the `blog-script` binary as a process on a temporary
//! database, checking exit codes and output.

use std::process::{Command, Output};

/// Runs `blog-script --database URL args...`.
fn script(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blog-script"))
        .arg("--database")
        .arg(url)
        .args(args)
        .output()
        .expect("run blog-script")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the run succeeded and returns its standard output.
fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}\n{}",
        stderr(&output),
        stdout(&output)
    );
    stdout(&output)
}

fn temp_url() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("blog.db").display());
    (dir, url)
}

#[test]
fn seed_stats_list_publish() {
    let (_dir, url) = temp_url();
    let out = ok(script(&url, &["seed"]));
    assert!(out.starts_with("seeded 3 authors, 20 posts, "), "{out}");

    let out = ok(script(&url, &["stats"]));
    assert!(out.contains("authors:   3"), "{out}");
    assert!(out.contains("posts:     20 (15 published)"), "{out}");

    let out = ok(script(&url, &["list"]));
    assert_eq!(out.lines().count(), 21, "{out}");
    assert!(out.ends_with("20 posts\n"), "{out}");
    assert!(
        out.lines().next().is_some_and(|l| l.starts_with("#1 ")),
        "{out}"
    );

    let out = ok(script(&url, &["list", "--author", "grace@example.com"]));
    assert!(out.ends_with("7 posts\n"), "{out}");
    assert!(
        out.lines().take(7).all(|l| l.contains("by Grace Hopper")),
        "{out}"
    );

    let out = ok(script(&url, &["publish", "4"]));
    assert_eq!(out, "published #4: Bernoulli numbers by machine\n");
    let out = ok(script(&url, &["stats"]));
    assert!(out.contains("posts:     20 (16 published)"), "{out}");
}

#[test]
fn failures_exit_non_zero_with_a_message() {
    let (_dir, url) = temp_url();
    ok(script(&url, &["seed"]));

    // Seeding twice changes nothing and says why.
    let again = script(&url, &["seed"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("unique constraint"),
        "{}",
        stderr(&again)
    );
    assert!(ok(script(&url, &["stats"])).contains("posts:     20 "));

    let missing = script(&url, &["publish", "999"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("no post with id 999"),
        "{}",
        stderr(&missing)
    );

    let nobody = script(&url, &["list", "--author", "nobody@example.com"]);
    assert!(!nobody.status.success());
    assert!(
        stderr(&nobody).contains("no author with email"),
        "{}",
        stderr(&nobody)
    );

    let bad_url = script("oracle://somewhere", &["stats"]);
    assert!(!bad_url.status.success());
    assert!(
        stderr(&bad_url).contains("unknown database URL"),
        "{}",
        stderr(&bad_url)
    );

    let usage = Command::new(env!("CARGO_BIN_EXE_blog-script"))
        .arg("stats")
        .output()
        .expect("run");
    assert_eq!(
        usage.status.code(),
        Some(2),
        "clap reports a missing --database"
    );
}
