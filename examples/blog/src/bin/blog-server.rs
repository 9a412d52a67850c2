//! `blog-server`: serves the blog's JSON API ([`ambidex_example_blog::server::app`]) with
//! the **async** API, creating the tables if they are missing.
//!
//! ```text
//! blog-server --database sqlite://blog.db --addr 127.0.0.1:3000
//! ```
//!
//! Ctrl-C stops accepting connections, lets requests in flight finish, then closes the
//! database pool.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;

use ambidex::Db;
use ambidex_example_blog::server::{app, create_tables};
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Serves the example blog's JSON API (async ambidex on tokio and axum).
#[derive(Debug, Parser)]
#[command(name = "blog-server", version)]
struct Cli {
    /// The database URL, e.g. `sqlite://blog.db` (the file is created if missing).
    #[arg(long, short = 'd', value_name = "URL")]
    database: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// The most pooled database connections.
    #[arg(long, default_value_t = 8)]
    max_connections: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    match serve(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("blog-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Connects, creates the tables, and serves until Ctrl-C.
async fn serve(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::builder(&cli.database)
        .max_connections(cli.max_connections)
        .connect()
        .await?;
    create_tables(&db).await?;
    let listener = tokio::net::TcpListener::bind(cli.addr).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(db.clone()))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("shutting down: closing the database pool");
    db.close().await;
    Ok(())
}

/// Resolves on Ctrl-C (or never, if the signal cannot be listened for).
async fn shutdown_signal() {
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::error!(error = %e, "cannot listen for Ctrl-C; stop the server another way");
        std::future::pending::<()>().await;
    }
}
