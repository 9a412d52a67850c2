//! # ambidex example: a small blog in both worlds
//!
//! This crate exists to show ambidex the way an application uses it: the models are
//! written once ([`models`]) and then run
//!
//! - **blocking**, through diesel, by the `blog-script` CLI and by [`seed`], with plain
//!   `Result`s and no async runtime;
//! - **async**, on tokio, by the axum JSON server in [`server`], whose handlers only
//!   compile because ambidex's futures are `Send`. Its `ambidex::Db` runs on sqlx for
//!   PostgreSQL and MariaDB and on diesel's bounded worker pool for SQLite (the engine
//!   measured fastest for each backend; `ambidex::Engine`).
//!
//! The operations both programs perform are written once, in [`repo`], with
//! `#[ambidex::dual]`: the server awaits them, the CLI calls their blocking twins.
//!
//! [`demo::run`] drives both worlds against one SQLite file; `cargo run --example demo`
//! from the repository root runs it.

#![warn(missing_docs)]

pub mod demo;
pub mod http_error;
pub mod models;
pub mod repo;
pub mod seed;
pub mod server;
