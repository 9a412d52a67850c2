//! `blog-script`: the blog's maintenance CLI, written with the **blocking** API only.
//!
//! It shows the other half of "one model, two worlds": the same models the async server
//! uses, run through diesel with plain `Result`s and no async runtime in its code path.
//! `publish` and `stats` call the blocking twins of the functions the server awaits
//! ([`ambidex_example_blog::repo`], written once with `#[ambidex::dual]`).
//!
//! ```text
//! blog-script --database sqlite://blog.db seed
//! blog-script --database sqlite://blog.db list [--author ada@example.com]
//! blog-script --database sqlite://blog.db publish 4
//! blog-script --database sqlite://blog.db stats
//! ```

use std::collections::HashMap;
use std::process::ExitCode;

use ambidex::Model;
use ambidex::blocking::Db;
use ambidex_example_blog::models::{Author, Post};
use ambidex_example_blog::repo;
use ambidex_example_blog::seed::{create_tables, seed};
use clap::{Parser, Subcommand};

/// Maintains the example blog's database (blocking ambidex, no async runtime).
#[derive(Debug, Parser)]
#[command(name = "blog-script", version)]
struct Cli {
    /// The database URL, e.g. `sqlite://blog.db` (the file is created if missing).
    #[arg(long, short = 'd', value_name = "URL")]
    database: String,
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The CLI's commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Creates the tables and inserts demo authors, posts and comments.
    Seed,
    /// Lists posts, oldest first.
    List {
        /// Only the posts of the author with this email.
        #[arg(long, value_name = "EMAIL")]
        author: Option<String>,
    },
    /// Marks a post as published.
    Publish {
        /// The post's id.
        id: i64,
    },
    /// Prints row counts.
    Stats,
}

/// A failure to report: a database error, or a message of our own.
enum Failure {
    /// ambidex reported it.
    Db(ambidex::Error),
    /// The command cannot be done as asked.
    Usage(String),
}

impl From<ambidex::Error> for Failure {
    fn from(e: ambidex::Error) -> Self {
        Failure::Db(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("blog-script: {message}");
            ExitCode::FAILURE
        }
        Err(Failure::Db(e)) => {
            eprintln!("blog-script: {e}");
            if matches!(cli.command, Command::Seed)
                && matches!(e, ambidex::Error::UniqueViolation { .. })
            {
                eprintln!("hint: the database looks seeded already; nothing was changed");
            }
            ExitCode::FAILURE
        }
    }
}

/// Opens the database and runs the command.
fn run(cli: &Cli) -> Result<(), Failure> {
    let db = Db::open(&cli.database)?;
    match &cli.command {
        Command::Seed => {
            let report = seed(&db)?;
            println!("seeded {report}");
        }
        Command::List { author } => {
            create_tables(&db)?;
            list(&db, author.as_deref())?;
        }
        Command::Publish { id } => {
            create_tables(&db)?;
            publish(&db, *id)?;
        }
        Command::Stats => {
            create_tables(&db)?;
            stats(&db)?;
        }
    }
    Ok(())
}

/// `list [--author EMAIL]`
fn list(db: &Db, author_email: Option<&str>) -> Result<(), Failure> {
    let mut query = Post::query().order_by(Post::ID.asc());
    if let Some(email) = author_email {
        let author = Author::query()
            .filter(Author::EMAIL.eq(email))
            .first(db)?
            .ok_or_else(|| Failure::Usage(format!("no author with email {email}")))?;
        query = query.filter(Post::AUTHOR_ID.eq(author.id));
    }
    let posts = query.all(db)?;
    let authors: HashMap<i64, Author> = Author::query()
        .all(db)?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    for post in &posts {
        let by = authors
            .get(&post.author_id)
            .map_or("?", |a| a.name.as_str());
        let state = if post.published { "published" } else { "draft" };
        let views = post
            .views
            .map_or_else(|| "-".to_string(), |v| v.to_string());
        println!(
            "#{:<3} {state:<9} {:<32} by {by} (views: {views})",
            post.id, post.title
        );
    }
    println!("{} posts", posts.len());
    Ok(())
}

/// `publish ID`
fn publish(db: &Db, id: i64) -> Result<(), Failure> {
    let post = match repo::publish_blocking(db, id) {
        Err(ambidex::Error::NotFound { .. }) => {
            return Err(Failure::Usage(format!("no post with id {id}")));
        }
        other => other?,
    };
    println!("published #{}: {}", post.id, post.title);
    Ok(())
}

/// `stats`
fn stats(db: &Db) -> Result<(), Failure> {
    let repo::Stats {
        authors,
        posts,
        published,
        comments,
    } = repo::stats_blocking(db)?;
    println!("authors:   {authors}");
    println!("posts:     {posts} ({published} published)");
    println!("comments:  {comments}");
    Ok(())
}
