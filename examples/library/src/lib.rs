//! # The tutorial's lending library
//!
//! The app `docs/guide/tutorial.md` builds step by step: four models ([`models`]), one
//! migrations folder applied at start ([`migrations`]), the operations both programs
//! need written once with `#[ambidex::dual]` ([`catalog`], [`lending`]), a blocking CLI
//! for librarians (`src/bin/library.rs`) and an async JSON server ([`server`], run by
//! `src/bin/library-server.rs`). Both read the database URL from `DATABASE_URL`.

#![warn(missing_docs)]

pub mod catalog;
pub mod lending;
pub mod models;
pub mod server;

/// The `migrations/` folder, compiled into the program: `migrations().run(&db)` applies
/// what the database lacks, in either world.
pub fn migrations() -> ambidex::migrate::Migrations {
    ambidex::embed_migrations!("migrations")
}
