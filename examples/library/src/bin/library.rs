//! `library`: the librarians' command line, on the **blocking** API (no async runtime).
//!
//! ```text
//! export DATABASE_URL=sqlite://library.db
//! library add-book --title Dune --author "Frank Herbert" --copies 2
//! library add-member --name Ada --email ada@example.com
//! library list
//! library lend --copy 1 --member 1
//! library return --copy 1
//! ```

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use library::catalog::{add_book_blocking, add_member_blocking, shelves_blocking};
use library::lending::{borrow_blocking, give_back_blocking};
use library::migrations;

/// Runs the lending library (the database comes from DATABASE_URL).
#[derive(Debug, Parser)]
#[command(name = "library")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
enum Command {
    /// Adds a book and its copies.
    AddBook {
        #[arg(long)]
        title: String,
        #[arg(long)]
        author: String,
        #[arg(long, default_value_t = 1)]
        copies: u32,
    },
    /// Adds a member.
    AddMember {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
    },
    /// Lists the books, their copies and which are free.
    List,
    /// Lends a copy to a member.
    Lend {
        #[arg(long)]
        copy: i64,
        #[arg(long)]
        member: i64,
    },
    /// Takes a copy back.
    Return {
        #[arg(long)]
        copy: i64,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("library: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), Box<dyn std::error::Error>> {
    let db = ambidex::blocking::Db::from_env()?;
    migrations().run(&db)?;
    match command {
        Command::AddBook {
            title,
            author,
            copies,
        } => {
            let (book, copies) = add_book_blocking(&db, title, author, copies)?;
            let ids: Vec<String> = copies.iter().map(|c| c.id.to_string()).collect();
            println!(
                "book {}: {} (copies {})",
                book.id,
                book.title,
                ids.join(", ")
            );
        }
        Command::AddMember { name, email } => {
            let member = add_member_blocking(&db, name, email)?;
            println!("member {}: {}", member.id, member.name);
        }
        Command::List => {
            for shelf in shelves_blocking(&db)? {
                println!(
                    "{} {} by {}: {} of {} free",
                    shelf.book_id,
                    shelf.title,
                    shelf.author,
                    shelf.available.len(),
                    shelf.copies.len()
                );
            }
        }
        Command::Lend { copy, member } => {
            let loan = borrow_blocking(&db, copy, member)?;
            println!("loan {}: copy {copy} to member {member}", loan.id);
        }
        Command::Return { copy } => {
            let loan = give_back_blocking(&db, copy)?;
            println!("returned copy {copy} (loan {})", loan.id);
        }
    }
    Ok(())
}
