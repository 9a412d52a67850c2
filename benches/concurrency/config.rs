//! What a run measures: the backends, the modes, the client counts, and the command line
//! that selects them (the parent's flags, and the `--child` arguments a child is started
//! with).

use std::time::Duration;

/// Connections in every pool, and so worker threads of `ambidex::DieselDb`.
pub const POOL: u32 = 16;
/// Stack size of each client thread in the `threads` mode: 256 KiB, a quarter of what a
/// server written thread-per-client would typically set and far below std's 2 MiB default,
/// so that 10,000 threads reserve 2.5 GiB of address space, not 20 GiB. Only touched pages
/// count towards RSS either way; a lookup through ambidex and diesel uses a few tens of KiB.
pub const STACK: usize = 256 * 1024;
/// How long any pool waits for a free connection before the lookup fails (more than any
/// sane wait at 10,000 clients, less than the child timeout, so a starved pool fails with
/// its own error).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(60);
/// The client counts of a full run.
pub const CLIENTS: [usize; 5] = [1, 10, 100, 1_000, 10_000];
/// Lookups per configuration in a full run.
pub const TOTAL: usize = 100_000;
/// Lookups per configuration under `--quick`.
pub const TOTAL_QUICK: usize = 20_000;
/// The environment variable through which the parent hands a child its database URL (not
/// a command-line argument: a server URL may carry a password, and `ps` shows arguments).
pub const URL_VAR: &str = "AMBIDEX_CONCURRENCY_URL";

/// A database the experiment runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// PostgreSQL at `AMBIDEX_POSTGRES_URL`.
    Postgres,
    /// MariaDB (or MySQL) at `AMBIDEX_MYSQL_URL`.
    Mysql,
}

impl Backend {
    /// Every backend, in the order they run.
    pub const ALL: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::Mysql];

    /// The name on the command line (`--backends sqlite,postgres,mysql`).
    pub fn key(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// The name in tables and JSON, as the other benches spell it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite (file)",
            Backend::Postgres => "PostgreSQL",
            Backend::Mysql => "MariaDB",
        }
    }

    /// Parses a command-line name (`mariadb` is accepted for `mysql`).
    pub fn parse(s: &str) -> Option<Backend> {
        match s {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" | "pg" => Some(Backend::Postgres),
            "mysql" | "mariadb" => Some(Backend::Mysql),
            _ => None,
        }
    }
}

/// How the clients reach the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `ambidex::SqlxDb`: pure async, N tokio tasks.
    Async,
    /// `ambidex::DieselDb`: async front, the blocking engine on a bounded pool of worker
    /// threads (one per connection), N tokio tasks.
    Shim,
    /// `ambidex::blocking::Db` shared by N OS threads, one per client.
    Threads,
    /// Reference: a hand-written sqlx pool and `sqlx::query_as`, N tokio tasks.
    Sqlx,
    /// Reference: diesel's DSL on an r2d2 pool, each lookup in `spawn_blocking`, N tasks.
    DieselSpawnBlocking,
}

impl Mode {
    /// Every mode, in the order they run and appear in tables.
    pub const ALL: [Mode; 5] = [
        Mode::Async,
        Mode::Shim,
        Mode::Threads,
        Mode::Sqlx,
        Mode::DieselSpawnBlocking,
    ];

    /// The name on the command line, in tables and in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Mode::Async => "async",
            Mode::Shim => "shim",
            Mode::Threads => "threads",
            Mode::Sqlx => "sqlx",
            Mode::DieselSpawnBlocking => "diesel-spawn_blocking",
        }
    }

    /// Parses a command-line name.
    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.key() == s)
    }
}

/// The parent's command line.
#[derive(Debug, Clone)]
pub struct Args {
    /// `--backends a,b` (default: all; servers only when their URL is set).
    pub backends: Vec<Backend>,
    /// `--modes a,b` (default: all).
    pub modes: Vec<Mode>,
    /// `--clients 1,10` (default: [`CLIENTS`]).
    pub clients: Vec<usize>,
    /// `--total N` (default: [`TOTAL`], or [`TOTAL_QUICK`] under `--quick`).
    pub total: usize,
    /// `--timeout SECS` per child (default 120).
    pub timeout: Duration,
    /// `--no-seed`: use the `bench_items` already on the servers (checked) instead of
    /// dropping and seeding it, for a run beside other benchmarks that read it.
    pub no_seed: bool,
    /// `--quick`.
    pub quick: bool,
}

/// The value after `flag`, if present.
fn value(args: &[String], flag: &str) -> Option<String> {
    let k = args.iter().position(|a| a == flag)?;
    args.get(k + 1).cloned()
}

fn list<T>(text: &str, parse: impl Fn(&str) -> Option<T>, what: &str) -> Result<Vec<T>, String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| parse(s.trim()).ok_or_else(|| format!("unknown {what} `{s}`")))
        .collect()
}

impl Args {
    /// Parses the parent's command line; arguments it does not know (cargo's `--bench`)
    /// are ignored.
    pub fn parse(args: &[String]) -> Result<Args, String> {
        let quick = ambidex_benches::quick();
        let backends = match value(args, "--backends") {
            Some(v) => list(&v, Backend::parse, "backend")?,
            None => Backend::ALL.to_vec(),
        };
        let modes = match value(args, "--modes") {
            Some(v) => list(&v, Mode::parse, "mode")?,
            None => Mode::ALL.to_vec(),
        };
        let clients_text = value(args, "--clients");
        let clients = match &clients_text {
            Some(v) => list(
                v,
                |s| s.replace('_', "").parse().ok().filter(|&n| n > 0),
                "client count",
            )?,
            None => CLIENTS.to_vec(),
        };
        let total = match value(args, "--total") {
            Some(v) => v
                .replace('_', "")
                .parse()
                .map_err(|_| format!("bad --total `{v}`"))?,
            None if quick => TOTAL_QUICK,
            None => TOTAL,
        };
        let timeout = match value(args, "--timeout") {
            Some(v) => Duration::from_secs(v.parse().map_err(|_| format!("bad --timeout `{v}`"))?),
            None => Duration::from_secs(120),
        };
        Ok(Args {
            backends,
            modes,
            clients,
            total,
            timeout,
            no_seed: args.iter().any(|a| a == "--no-seed"),
            quick,
        })
    }
}

/// One configuration, what a child runs: `--child BACKEND MODE CLIENTS TOTAL`.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// The database.
    pub backend: Backend,
    /// How clients reach it.
    pub mode: Mode,
    /// Concurrent clients.
    pub clients: usize,
    /// Lookups over all clients (each does `total / clients`, at least one).
    pub total: usize,
}

impl Config {
    /// Lookups per client.
    pub fn per_client(&self) -> usize {
        (self.total / self.clients).max(1)
    }

    /// The arguments that start a child on this configuration.
    pub fn child_args(&self) -> Vec<String> {
        vec![
            "--child".into(),
            self.backend.key().into(),
            self.mode.key().into(),
            self.clients.to_string(),
            self.total.to_string(),
        ]
    }

    /// Parses `--child BACKEND MODE CLIENTS TOTAL` out of the command line, if present.
    pub fn from_child_args(args: &[String]) -> Option<Result<Config, String>> {
        let k = args.iter().position(|a| a == "--child")?;
        let get = |n: usize| args.get(k + n).map(String::as_str).unwrap_or("");
        let parsed = (|| {
            let backend = Backend::parse(get(1)).ok_or("bad backend")?;
            let mode = Mode::parse(get(2)).ok_or("bad mode")?;
            let clients: usize = get(3).parse().map_err(|_| "bad client count")?;
            let total: usize = get(4).parse().map_err(|_| "bad total")?;
            if clients == 0 {
                return Err("at least one client");
            }
            Ok(Config {
                backend,
                mode,
                clients,
                total,
            })
        })();
        Some(parsed.map_err(|e: &str| format!("--child BACKEND MODE CLIENTS TOTAL: {e}")))
    }
}
