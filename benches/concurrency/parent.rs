//! The parent: seeds each backend once, starts one child process per configuration (this
//! same binary with `--child ...`), waits for it with a timeout, and collects its JSON line
//! or its failure.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::child::ChildResult;
use crate::config::{Backend, Config, URL_VAR};

/// One configuration's outcome, as the JSON and the charts see it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// `SQLite (file)`, `PostgreSQL`, `MariaDB`.
    pub backend: String,
    /// `async`, `shim`, `threads`, `sqlx`, `diesel-spawn_blocking`.
    pub mode: String,
    /// Concurrent clients.
    pub clients: usize,
    /// The child's results, if it succeeded.
    pub result: Option<ChildResult>,
    /// Why it failed (exit status or timeout, and the tail of its stderr), if it did.
    pub error: Option<String>,
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Reads a child's pipe to the end on a thread of its own (so a chatty child never blocks
/// on a full pipe while the parent waits for it).
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Runs `config` in a child process against `url`, killing it after `timeout`.
pub fn run_child(config: &Config, url: &str, timeout: Duration) -> Result<ChildResult, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut child = Command::new(exe)
        .args(config.child_args())
        .env(URL_VAR, url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start the child: {e}"))?;
    let out = drain(child.stdout.take().expect("piped stdout"));
    let err = drain(child.stderr.take().expect("piped stderr"));
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("timed out after {} s (killed)", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => break Err(format!("waiting for the child: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let fail = |why: String| {
        let tail = tail(&stderr, 8);
        if tail.is_empty() {
            why
        } else {
            format!("{why}; stderr: {tail}")
        }
    };
    let status = status.map_err(fail)?;
    if !status.success() {
        return Err(fail(format!("exited with {status}")));
    }
    let line = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    serde_json::from_str(line).map_err(|e| fail(format!("unreadable result `{line}`: {e}")))
}

/// Creates and seeds the tables at `url` through [`ambidex_benches::models::Fixture`], or
/// with `no_seed` checks that `bench_items` already holds the seeded rows.
pub fn seed(url: &str, no_seed: bool) -> Result<(), String> {
    use ambidex::prelude::*;
    use ambidex_benches::models::{Fixture, Item};
    use ambidex_benches::workload::ROWS;
    if !no_seed {
        let fixture = Fixture::open(url).map_err(|e| format!("seeding: {e}"))?;
        drop(fixture);
        return Ok(());
    }
    let db = ambidex::blocking::Db::builder(url)
        .max_connections(1)
        .open()
        .map_err(|e| format!("open: {e}"))?;
    let seeded = Item::query()
        .filter(Item::ID.le(ROWS))
        .count(&db)
        .map_err(|e| format!("--no-seed: reading bench_items: {e}"))?;
    if seeded != ROWS as u64 {
        return Err(format!(
            "--no-seed: bench_items holds {seeded} of the {ROWS} seeded rows; run without it"
        ));
    }
    Ok(())
}

/// A backend's URL: the server's from the environment, or a SQLite file in `dir`.
pub fn url(backend: Backend, dir: &std::path::Path) -> Option<String> {
    match backend {
        Backend::Sqlite => Some(format!("sqlite://{}", dir.join("bench.db").display())),
        Backend::Postgres => ambidex_benches::server_url("AMBIDEX_POSTGRES_URL"),
        Backend::Mysql => ambidex_benches::server_url("AMBIDEX_MYSQL_URL"),
    }
}
