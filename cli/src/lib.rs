//! # ambidex-cli
//!
//! The `ambidex` command line, and the same command line for an application's own
//! binary with its models:
//!
//! ```text
//! ambidex migrate new <name>        a new, empty migration folder
//! ambidex migrate up                apply pending migrations
//! ambidex migrate down [--steps N]  revert the last N
//! ambidex migrate status [--check]  what is applied, pending, changed
//! ambidex migrate redo              revert the last and apply it again
//! ambidex makemigrations --name N   the next migration from the models, for every backend
//! ambidex introspect [URL]          Rust models of an existing database
//! ```
//!
//! The database comes from `--database-url` or `DATABASE_URL`; migrations from
//! `--migrations` (default `migrations`). Exit codes are listed in [`exit`].
//!
//! **Models.** The `ambidex` binary cannot see an application's models, so an application
//! that wants `makemigrations` from its models adds a binary of its own (Django's
//! `manage.py`), e.g. `src/bin/manage.rs`:
//!
//! ```no_run
//! use ambidex::prelude::*;
//! # #[derive(Model)] pub struct Author { #[ambidex(primary_key, auto)] pub id: i64 }
//! # #[derive(Model)] pub struct Post { #[ambidex(primary_key, auto)] pub id: i64 }
//! // use my_app::models::{Author, Post};
//!
//! fn main() -> std::process::ExitCode {
//!     ambidex_cli::run(&[Author::META, Post::META])
//! }
//! ```
//!
//! and runs `cargo run --bin manage -- makemigrations --name add_views`. Without models,
//! `makemigrations --target-url URL` writes the migration that turns the database into
//! the one at URL (database against database).
#![warn(missing_docs)]

pub mod exit;
mod makemigrations;
mod paint;
pub mod rust_source;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ambidex::blocking::Db;
use ambidex::migrate::{self, MigrationState, Migrations};
use ambidex::{Error, ModelMeta, Result, redact_url};
use clap::{Parser, Subcommand};

pub use paint::ColorChoice;
use paint::Paint;

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "ambidex", version, about = "Migrations and models for ambidex")]
pub struct Cli {
    /// The database (sqlite://path, postgres://..., mysql://...).
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// The migrations folder.
    #[arg(long, default_value = "migrations", global = true)]
    migrations: PathBuf,
    /// How long to wait for the database to accept a connection, in seconds.
    #[arg(long, default_value_t = 10, global = true, value_name = "SECONDS")]
    connect_timeout: u64,
    /// Colours: auto (on a terminal), always, never.
    #[arg(long, value_enum, default_value = "auto", global = true)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create, apply, revert and list migrations.
    #[command(subcommand)]
    Migrate(MigrateCommand),
    /// Write the next migration: what turns the database into the models (or into the
    /// database at --target-url).
    Makemigrations(makemigrations::MakeArgs),
    /// Write Rust models of an existing database.
    Introspect {
        /// The database to read (default: --database-url / DATABASE_URL).
        url: Option<String>,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum MigrateCommand {
    /// Create an empty migration folder <version>_<name> with up.sql and down.sql.
    New {
        /// What the migration does, e.g. create_users.
        name: String,
    },
    /// Apply pending migrations.
    Up {
        /// Stop after this version.
        #[arg(long)]
        to: Option<i64>,
        /// Proceed although the database has migrations this folder does not.
        #[arg(long)]
        ignore_missing: bool,
    },
    /// Revert the last applied migrations.
    Down {
        /// How many.
        #[arg(long, default_value_t = 1)]
        steps: usize,
    },
    /// List migrations: applied, pending, changed, missing.
    Status {
        /// Exit with code 6 unless every migration is applied and unchanged.
        #[arg(long)]
        check: bool,
    },
    /// Revert the last applied migration and apply it again.
    Redo,
}

/// A failure with its exit code.
struct Failure {
    code: u8,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let code = exit::code_for(&e);
        let advice = match &e {
            Error::Connection { .. } => {
                "\ncheck --database-url / DATABASE_URL and that the server is running"
            }
            _ => "",
        };
        Failure {
            code,
            message: format!("{e}{advice}"),
        }
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: exit::USAGE,
        message: message.into(),
    }
}

/// Runs the command line with the arguments of this process; `models` are what
/// `makemigrations` writes migrations for (none for the plain `ambidex` binary).
pub fn run(models: &[&'static ModelMeta]) -> ExitCode {
    run_from(std::env::args_os(), models)
}

/// Runs the command line with `args` (the first is the program's name).
pub fn run_from<I, T>(args: I, models: &[&'static ModelMeta]) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return exit::exit(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let paint = Paint::new(cli.color);
    match dispatch(&cli, models, &paint) {
        Ok(code) => exit::exit(code),
        Err(f) => {
            eprintln!("{} {}", paint.red("error:"), f.message);
            exit::exit(f.code)
        }
    }
}

fn database_url(cli: &Cli) -> std::result::Result<&str, Failure> {
    cli.database_url.as_deref().ok_or_else(|| {
        usage("no database: pass --database-url <URL> or set DATABASE_URL (sqlite://app.db, postgres://..., mysql://...)")
    })
}

fn open(cli: &Cli, url: &str) -> Result<Db> {
    Db::builder(url)
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(cli.connect_timeout.max(1)))
        .open()
}

fn dispatch(
    cli: &Cli,
    models: &[&'static ModelMeta],
    paint: &Paint,
) -> std::result::Result<u8, Failure> {
    match &cli.command {
        Command::Migrate(MigrateCommand::New { name }) => {
            let folder = new_migration(&cli.migrations, name)?;
            println!("{} {}", paint.green("created"), folder.display());
            Ok(exit::OK)
        }
        Command::Migrate(cmd) => {
            let url = database_url(cli)?;
            let set = migrate::from_dir(&cli.migrations)?;
            let db = open(cli, url)?;
            migrate_command(cmd, &set, &db, url, paint)
        }
        Command::Makemigrations(args) => makemigrations::run(cli, args, models, paint),
        Command::Introspect { url, output } => {
            let url = match url {
                Some(u) => u.as_str(),
                None => database_url(cli)?,
            };
            let db = open(cli, url)?;
            let schema = migrate::read_schema(&db)?;
            let source = rust_source::models_source(&schema, &redact_url(url));
            match output {
                Some(path) => {
                    std::fs::write(path, &source).map_err(|e| Failure {
                        code: exit::FAILED,
                        message: format!("cannot write {}: {e}", path.display()),
                    })?;
                    eprintln!(
                        "{} {} models to {}",
                        paint.green("wrote"),
                        schema.tables.len(),
                        path.display()
                    );
                }
                None => print!("{source}"),
            }
            Ok(exit::OK)
        }
    }
}

fn new_migration(dir: &Path, name: &str) -> Result<PathBuf> {
    let existing = migrate::from_dir(dir)?;
    let version = migrate::version_now(existing.iter().last().map(|m| m.version()));
    let folder = dir.join(format!("{version}_{}", migrate::slug(name)));
    let io = |e: std::io::Error| {
        Error::Migration(format!("cannot create {}: {e}", folder.display()).into())
    };
    std::fs::create_dir_all(&folder).map_err(io)?;
    std::fs::write(
        folder.join("up.sql"),
        "-- The SQL that applies this migration.\n",
    )
    .map_err(io)?;
    std::fs::write(folder.join("down.sql"), "-- The SQL that reverts it.\n").map_err(io)?;
    Ok(folder)
}

fn migrate_command(
    cmd: &MigrateCommand,
    set: &Migrations,
    db: &Db,
    url: &str,
    paint: &Paint,
) -> std::result::Result<u8, Failure> {
    let target = redact_url(url);
    match cmd {
        MigrateCommand::New { .. } => unreachable!("handled before opening the database"),
        MigrateCommand::Up { to, ignore_missing } => {
            let set = set.clone().ignore_missing(*ignore_missing);
            let applied = match to {
                Some(v) => set.run_to(*v, db)?,
                None => set.run(db)?,
            };
            report(paint, "applied", &applied);
            if applied.is_empty() {
                println!("{target}: up to date ({} migrations)", set.len());
            }
            Ok(exit::OK)
        }
        MigrateCommand::Down { steps } => {
            let reverted = set.revert(*steps, db)?;
            report(paint, "reverted", &reverted);
            if reverted.is_empty() {
                println!("{target}: nothing to revert");
            }
            Ok(exit::OK)
        }
        MigrateCommand::Redo => {
            let redone = set.redo(db)?;
            report(paint, "redone", &redone);
            Ok(exit::OK)
        }
        MigrateCommand::Status { check } => {
            let status = set.status(db)?;
            let mut clean = true;
            for s in &status {
                let id = format!("{}_{}", s.version, s.name);
                let line = match &s.state {
                    MigrationState::Applied { applied_at } => {
                        format!("{}  {id}  {applied_at}", paint.green("applied"))
                    }
                    MigrationState::Pending => {
                        clean = false;
                        format!("{}  {id}", paint.yellow("pending"))
                    }
                    MigrationState::Changed { applied_at } => {
                        clean = false;
                        format!(
                            "{}  {id}  {applied_at}  (edited after it was applied)",
                            paint.red("changed")
                        )
                    }
                    MigrationState::Missing { applied_at } => {
                        clean = false;
                        format!(
                            "{}  {id}  {applied_at}  (applied, but not in {})",
                            paint.red("missing"),
                            "this folder"
                        )
                    }
                };
                println!("{line}");
            }
            if status.is_empty() {
                println!("no migrations");
            }
            Ok(if *check && !clean {
                exit::NOT_UP_TO_DATE
            } else {
                exit::OK
            })
        }
    }
}

fn report(paint: &Paint, verb: &str, done: &[migrate::Applied]) {
    for m in done {
        println!(
            "{} {}_{} ({} ms)",
            paint.green(verb),
            paint.bold(&m.version.to_string()),
            m.name,
            m.duration.as_millis()
        );
    }
}
