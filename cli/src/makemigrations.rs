//! `makemigrations`: the next migration, written from one diff between the models and the
//! state the migrations folder leaves, for every backend the application runs on, so that
//! one folder serves SQLite in development and PostgreSQL or MariaDB in production.
//!
//! The state comes from one database: `--shadow-url` (the folder applied to an empty
//! database), `--database-url`, or without either an in-memory SQLite shadow. Each backend
//! named by `--backends` gets that diff written in its SQL (`ambidex::migrate::
//! autogenerate_for`), unless a database of its own is given (`--postgres-url`...): that
//! backend is then diffed against it.

use ambidex::blocking::Db;
use ambidex::migrate::{self, AutogenerateOptions, Generated, MigrationState, Migrations};
use ambidex::schema::{DiffOptions, Schema};
use ambidex::{Dialect, Error, ModelMeta, redact_url};

use super::{Cli, Failure, database_url, exit, open, usage};
use crate::paint::Paint;

/// The shadow database used when no database is given: SQLite needs no server.
const MEMORY_SHADOW: &str = "sqlite::memory:";

/// A backend a migration is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
}

impl Backend {
    fn dialect(self) -> Dialect {
        match self {
            Backend::Sqlite => Dialect::Sqlite,
            Backend::Postgres => Dialect::Postgres,
            Backend::Mysql => Dialect::Mysql,
        }
    }
}

#[derive(Debug, clap::Args)]
pub(crate) struct MakeArgs {
    /// The migration's name, e.g. add_views.
    #[arg(long, default_value = "auto")]
    name: String,
    /// Print the SQL instead of writing files.
    #[arg(long)]
    dry_run: bool,
    /// Allow dropping tables and columns.
    #[arg(long)]
    allow_destructive: bool,
    /// A renamed column, as table.old=new (repeatable).
    #[arg(long, value_name = "TABLE.OLD=NEW")]
    rename: Vec<String>,
    /// The backends to write the migration for (every backend this command line is built
    /// with: sqlite, postgres, mysql). `up.sql` when their SQL is the same, else
    /// `up.<backend>.sql` for each.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "sqlite,postgres,mysql"
    )]
    backends: Vec<Backend>,
    /// Write up.<backend>.sql even when every backend's SQL is the same.
    #[arg(long)]
    per_backend: bool,
    /// Compare with this database instead of the models (database against database; the
    /// migration is written for the backend of the database compared).
    #[arg(long)]
    target_url: Option<String>,
    /// Start from the state the migrations folder produces, by applying it to this empty
    /// database (e.g. sqlite::memory:), instead of from the database itself. Without it
    /// and without a database URL, an in-memory SQLite database is the shadow.
    #[arg(long)]
    shadow_url: Option<String>,
    /// Diff the SQLite migration against this database (the folder applied) instead of
    /// writing it from the shared diff.
    #[arg(long)]
    sqlite_url: Option<String>,
    /// Diff the PostgreSQL migration against this database (the folder applied) instead of
    /// writing it from the shared diff.
    #[arg(long)]
    postgres_url: Option<String>,
    /// Diff the MySQL/MariaDB migration against this database (the folder applied) instead
    /// of writing it from the shared diff.
    #[arg(long)]
    mysql_url: Option<String>,
}

impl MakeArgs {
    /// The database given for `backend`'s own diff.
    fn own_url(&self, backend: Backend) -> Option<&str> {
        match backend {
            Backend::Sqlite => self.sqlite_url.as_deref(),
            Backend::Postgres => self.postgres_url.as_deref(),
            Backend::Mysql => self.mysql_url.as_deref(),
        }
    }

    fn options(&self) -> Result<AutogenerateOptions, Failure> {
        let mut renames = DiffOptions::new();
        for r in &self.rename {
            let parsed = r
                .split_once('=')
                .and_then(|(left, new)| left.split_once('.').map(|(t, old)| (t, old, new)));
            match parsed {
                Some((t, old, new)) if !t.is_empty() && !old.is_empty() && !new.is_empty() => {
                    renames = renames.rename(t, old, new);
                }
                _ => return Err(usage(format!("--rename {r}: expected TABLE.OLD=NEW"))),
            }
        }
        Ok(AutogenerateOptions {
            renames,
            allow_destructive: self.allow_destructive,
        })
    }
}

/// A refusal of the diff (destructive, a changed key, a type it cannot write): code 4.
fn refused(e: Error) -> Failure {
    let mut f = Failure::from(e);
    f.code = exit::REFUSED;
    f
}

/// Opens the database the state is read from, with the folder applied if it is a shadow.
fn source(cli: &Cli, args: &MakeArgs, set: &Migrations) -> Result<(String, Db), Failure> {
    let shadow = match (&args.shadow_url, cli.database_url.as_deref()) {
        (Some(shadow), _) => shadow.as_str(),
        (None, Some(url)) => return Ok((url.to_string(), open(cli, database_url(cli)?)?)),
        (None, None) => MEMORY_SHADOW,
    };
    Ok((shadow.to_string(), shadow_database(cli, shadow, set)?))
}

/// An empty database with the folder applied.
fn shadow_database(cli: &Cli, shadow: &str, set: &Migrations) -> Result<Db, Failure> {
    let db = open(cli, shadow)?;
    if !migrate::read_schema(&db)?.tables.is_empty() {
        return Err(usage(format!(
            "the shadow database {} is not empty; give an empty one (sqlite::memory: works \
             for SQLite)",
            redact_url(shadow)
        )));
    }
    set.run(&db)?;
    Ok(db)
}

/// Refuses a database that has migrations of the folder still to apply.
fn check_applied(set: &Migrations, db: &Db, url: &str) -> Result<(), Failure> {
    let pending: Vec<String> = set
        .status(db)?
        .into_iter()
        .filter(|s| s.state == MigrationState::Pending)
        .map(|s| format!("{}_{}", s.version, s.name))
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    Err(Failure {
        code: exit::REFUSED,
        message: format!(
            "{} has migrations that are not applied yet ({}); apply them first (`ambidex \
             migrate up`) so the new migration starts from where they end",
            redact_url(url),
            pending.join(", ")
        ),
    })
}

/// Runs `makemigrations`.
pub(crate) fn run(
    cli: &Cli,
    args: &MakeArgs,
    models: &[&'static ModelMeta],
    paint: &Paint,
) -> Result<u8, Failure> {
    let set = migrate::from_dir(&cli.migrations)?;
    let (url, db) = source(cli, args, &set)?;
    check_applied(&set, &db, &url)?;
    let options = args.options()?;
    let dialect = db.dialect();
    let current = migrate::read_schema(&db)?;
    let generated = match (&args.target_url, models.is_empty()) {
        (Some(other), _) => {
            let target = migrate::read_schema(&open(cli, other)?)?;
            vec![migrate::autogenerate(dialect, &current, &target, &options).map_err(refused)?]
        }
        (None, false) => for_backends(cli, args, &set, dialect, &current, models, &options)?,
        (None, true) => {
            return Err(usage(
                "the `ambidex` binary cannot see your models: run makemigrations from a binary \
                 of your application that calls `ambidex_cli::run(&[User::META, ...])` (see \
                 docs/guide/migrations.md), or compare with another database (--target-url URL)",
            ));
        }
    };
    if generated.iter().all(Generated::is_empty) {
        println!("no changes: {} matches the models", redact_url(&url));
        return Ok(exit::OK);
    }
    if args.dry_run {
        print_sql(&generated);
        return Ok(exit::OK);
    }
    let folder = migrate::write_folder(&cli.migrations, &args.name, &generated, args.per_backend)?;
    println!("{} {}", paint.green("created"), folder.display());
    report_changes(&generated, paint);
    Ok(exit::OK)
}

/// The migration for each of `--backends`: from the one diff of `current` (read from a
/// `dialect` database), or against the backend's own database when one is given.
fn for_backends(
    cli: &Cli,
    args: &MakeArgs,
    set: &Migrations,
    dialect: Dialect,
    current: &Schema,
    models: &[&'static ModelMeta],
    options: &AutogenerateOptions,
) -> Result<Vec<Generated>, Failure> {
    let mut backends: Vec<Backend> = Vec::new();
    for b in &args.backends {
        if !backends.contains(b) {
            backends.push(*b);
        }
    }
    let shared: Vec<Dialect> = backends
        .iter()
        .filter(|b| args.own_url(**b).is_none())
        .map(|b| b.dialect())
        .collect();
    let mut generated =
        migrate::autogenerate_for(&shared, dialect, current, models, options).map_err(refused)?;
    for backend in backends.iter().filter(|b| args.own_url(**b).is_some()) {
        let own = args.own_url(*backend).unwrap_or_default();
        let db = open(cli, own)?;
        if db.dialect() != backend.dialect() {
            return Err(usage(format!(
                "{} is a {} database, not a {} one",
                redact_url(own),
                db.dialect().name(),
                backend.dialect().name()
            )));
        }
        check_applied(set, &db, own)?;
        let read = migrate::read_schema(&db)?;
        let target = Schema::from_models(db.dialect(), models)?;
        generated
            .push(migrate::autogenerate(db.dialect(), &read, &target, options).map_err(refused)?);
    }
    let order = |g: &Generated| backends.iter().position(|b| b.dialect() == g.dialect);
    generated.sort_by_key(order);
    Ok(generated)
}

/// `--dry-run`: each backend's up and down SQL.
fn print_sql(generated: &[Generated]) {
    for (i, g) in generated.iter().enumerate() {
        if generated.len() > 1 {
            println!(
                "{}-- ===== {} =====",
                if i > 0 { "\n" } else { "" },
                g.dialect.name()
            );
        }
        print!("{}", g.up_sql());
        match g.down_sql() {
            Some(down) => print!("\n{down}"),
            None => println!(
                "\n-- no down step: {}",
                g.down.as_ref().err().map_or("", String::as_str)
            ),
        }
    }
}

/// The changes made (those of the first backend, and any other backend's that differ),
/// and each backend whose down step could not be written.
fn report_changes(generated: &[Generated], paint: &Paint) {
    let Some(first) = generated.first() else {
        return;
    };
    let listed: Vec<String> = first.changes.iter().map(|c| c.describe()).collect();
    for line in &listed {
        println!("  {line}");
    }
    for g in &generated[1..] {
        for change in &g.changes {
            let line = change.describe();
            if !listed.contains(&line) {
                println!("  {line} ({})", g.dialect.name());
            }
        }
    }
    for g in generated {
        if let Err(why) = &g.down {
            println!(
                "{} no down step was written for {}: {why}",
                paint.yellow("note:"),
                g.dialect.name()
            );
        }
    }
}
