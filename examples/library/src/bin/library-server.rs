//! `library-server`: the JSON API on the database `DATABASE_URL` names, migrated at
//! start.
//!
//! ```text
//! DATABASE_URL=sqlite://library.db library-server --addr 127.0.0.1:3000
//! ```

use std::net::SocketAddr;

use clap::Parser;
use library::{migrations, server};

/// Serves the library's JSON API.
#[derive(Debug, Parser)]
#[command(name = "library-server")]
struct Args {
    /// The address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let db = ambidex::Db::from_env().await?;
    migrations().run(&db).await?;
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, server::app(db)).await?;
    Ok(())
}
