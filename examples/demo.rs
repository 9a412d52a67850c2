//! The README's first command: `cargo run --example demo`.
//!
//! Runs [`ambidex_example_blog::demo::run`]: a blog seeded and queried through the blocking
//! API, then served and called over HTTP through the async API, on one SQLite file.

fn main() {
    if let Err(e) = ambidex_example_blog::demo::run() {
        eprintln!("demo failed: {e}");
        std::process::exit(1)
    }
}
