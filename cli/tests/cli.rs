//! The `ambidex` binary run as a user runs it: as a process, with its output and exit
//! codes checked (`ambidex_cli::exit` lists the codes).

mod common;

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_ambidex");

/// Runs `ambidex args...` in `dir` with `DATABASE_URL=url` (when given), output piped.
fn ambidex(dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir).args(args).env_remove("DATABASE_URL");
    cmd.env_remove("NO_COLOR");
    if let Some(url) = url {
        cmd.env("DATABASE_URL", url);
    }
    cmd.output().expect("run ambidex")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("an exit code")
}

/// `migrate new`, then fills the migration with `up` and `down`.
fn new_migration(dir: &Path, name: &str, up: &str, down: &str) {
    let out = ambidex(dir, None, &["migrate", "new", name]);
    let (stdout, stderr) = text(&out);
    assert_eq!(code(&out), 0, "{stderr}");
    assert!(stdout.starts_with("created migrations/"), "{stdout}");
    let folder = dir.join(stdout.trim().trim_start_matches("created ").trim());
    assert!(folder.ends_with(format!("_{name}")) || folder.to_string_lossy().contains(name));
    std::fs::write(folder.join("up.sql"), up).unwrap();
    std::fs::write(folder.join("down.sql"), down).unwrap();
}

fn workflow(backend: &str) {
    let Some(scratch) = common::scratch(backend) else {
        return;
    };
    let url = Some(scratch.url.as_str());
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    new_migration(
        dir,
        "create_notes",
        "CREATE TABLE notes (id BIGINT NOT NULL PRIMARY KEY, body VARCHAR(200) NOT NULL);\n\
         CREATE INDEX ix_notes_body ON notes (body);",
        "DROP TABLE notes;",
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    new_migration(
        dir,
        "add_done",
        "ALTER TABLE notes ADD COLUMN done BOOLEAN;",
        "ALTER TABLE notes DROP COLUMN done;",
    );

    // status: two pending; --check says "not up to date" with its code.
    let out = ambidex(dir, url, &["migrate", "status"]);
    let (stdout, _) = text(&out);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout.matches("pending").count(), 2, "{stdout}");
    assert!(!stdout.contains('\x1b'), "no colours in a pipe: {stdout:?}");
    assert_eq!(
        code(&ambidex(dir, url, &["migrate", "status", "--check"])),
        6
    );

    // up applies both, in order; a second up has nothing to do.
    let out = ambidex(dir, url, &["migrate", "up"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(code(&out), 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("applied ") && lines[0].contains("_create_notes"),
        "{stdout}"
    );
    assert!(lines[1].contains("_add_done"), "{stdout}");
    let out = ambidex(dir, url, &["migrate", "up"]);
    assert!(
        text(&out).0.contains("up to date (2 migrations)"),
        "{:?}",
        text(&out)
    );
    assert_eq!(
        code(&ambidex(dir, url, &["migrate", "status", "--check"])),
        0
    );

    // down and redo.
    let out = ambidex(dir, url, &["migrate", "down"]);
    assert_eq!(code(&out), 0, "{:?}", text(&out));
    assert!(text(&out).0.starts_with("reverted ") && text(&out).0.contains("_add_done"));
    let out = ambidex(dir, url, &["migrate", "status"]);
    let (stdout, _) = text(&out);
    assert_eq!(stdout.matches("applied").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("pending").count(), 1, "{stdout}");
    assert_eq!(code(&ambidex(dir, url, &["migrate", "up"])), 0);
    let out = ambidex(dir, url, &["migrate", "redo", "--color", "always"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(code(&out), 0, "{stderr}");
    assert!(
        stdout.contains("\x1b[32mredone\x1b[0m"),
        "colours when asked: {stdout:?}"
    );

    // introspect writes a model of the table.
    let out = ambidex(dir, url, &["introspect"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(code(&out), 0, "{stderr}");
    assert!(stdout.contains("pub struct Note {"), "{stdout}");
    assert!(
        stdout.contains("#[ambidex(index)]\n    pub body: String,"),
        "{stdout}"
    );
    assert!(stdout.contains("pub done: Option<bool>,"), "{stdout}");
    assert!(!stdout.contains("ambidex_migrations"), "{stdout}");

    // Editing an applied migration: refused with its own exit code, naming it.
    let first = std::fs::read_dir(dir.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_create_notes"))
        .unwrap();
    std::fs::write(
        first.join("up.sql"),
        "CREATE TABLE notes (id BIGINT NOT NULL PRIMARY KEY);",
    )
    .unwrap();
    let out = ambidex(dir, url, &["migrate", "up"]);
    let (_, stderr) = text(&out);
    assert_eq!(code(&out), 3, "{stderr}");
    assert!(
        stderr.starts_with("error: migration ") && stderr.contains("_create_notes was changed"),
        "{stderr}"
    );
    let out = ambidex(dir, url, &["migrate", "status"]);
    assert!(text(&out).0.contains("changed"), "{:?}", text(&out));
}

#[test]
fn migrate_workflow_sqlite() {
    workflow("sqlite");
}

#[test]
fn migrate_workflow_postgres() {
    workflow("postgres");
}

#[test]
fn migrate_workflow_mysql() {
    workflow("mysql");
}

#[test]
fn makemigrations_database_against_database() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let current = common::sqlite();
    let target = common::sqlite();
    {
        let db = ambidex::blocking::Db::open(&target.url).unwrap();
        ambidex::raw(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)",
        )
        .execute(&db)
        .unwrap();
        ambidex::raw("CREATE UNIQUE INDEX people_name_key ON people (name)")
            .execute(&db)
            .unwrap();
    }
    let current_url = Some(current.url.as_str());
    // Without models or a target: a usage error that says what to do.
    let out = ambidex(dir, current_url, &["makemigrations"]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out).1.contains("cannot see your models"),
        "{:?}",
        text(&out)
    );

    let out = ambidex(
        dir,
        current_url,
        &["makemigrations", "--dry-run", "--target-url", &target.url],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(code(&out), 0, "{stderr}");
    assert!(stdout.contains("-- create table people"), "{stdout}");
    assert!(
        stdout.contains(r#"CREATE TABLE IF NOT EXISTS "people""#),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"DROP TABLE IF EXISTS "people";"#),
        "{stdout}"
    );
    assert!(!dir.join("migrations").exists(), "a dry run writes nothing");

    let out = ambidex(
        dir,
        current_url,
        &[
            "makemigrations",
            "--name",
            "people",
            "--target-url",
            &target.url,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(code(&out), 0, "{stderr}");
    assert!(
        stdout.starts_with("created migrations/") && stdout.contains("_people"),
        "{stdout}"
    );
    // It must be applied before the next one is written.
    let out = ambidex(
        dir,
        current_url,
        &["makemigrations", "--target-url", &target.url],
    );
    assert_eq!(code(&out), 4, "{:?}", text(&out));
    assert!(
        text(&out).1.contains("apply them first"),
        "{:?}",
        text(&out)
    );
    assert_eq!(code(&ambidex(dir, current_url, &["migrate", "up"])), 0);
    let out = ambidex(
        dir,
        current_url,
        &["makemigrations", "--target-url", &target.url],
    );
    assert!(text(&out).0.starts_with("no changes"), "{:?}", text(&out));
    // Going back would drop the table: refused without the flag.
    let empty = common::sqlite();
    let out = ambidex(
        dir,
        current_url,
        &["makemigrations", "--dry-run", "--target-url", &empty.url],
    );
    assert_eq!(code(&out), 4, "{:?}", text(&out));
    assert!(
        text(&out).1.contains("--allow-destructive"),
        "{:?}",
        text(&out)
    );
    let out = ambidex(
        dir,
        current_url,
        &[
            "makemigrations",
            "--dry-run",
            "--allow-destructive",
            "--target-url",
            &empty.url,
        ],
    );
    assert_eq!(code(&out), 0, "{:?}", text(&out));
}

#[test]
fn errors_say_what_to_do_and_never_print_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let out = ambidex(dir, None, &["migrate", "up"]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out).1.contains("pass --database-url"),
        "{:?}",
        text(&out)
    );

    let out = ambidex(
        dir,
        Some("mysql://app:hunter2@127.0.0.1:1/app"),
        &["migrate", "status", "--connect-timeout", "1"],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(code(&out), 5, "{stderr}");
    assert!(
        stderr.contains("mysql://app:***@127.0.0.1:1/app"),
        "{stderr}"
    );
    assert!(!stdout.contains("hunter2") && !stderr.contains("hunter2"));

    let out = ambidex(dir, None, &["migrate", "sideways"]);
    assert_eq!(code(&out), 2);
    let out = ambidex(dir, None, &["--help"]);
    assert_eq!(code(&out), 0);
    assert!(text(&out).0.contains("makemigrations"));
}
