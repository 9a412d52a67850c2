//! `join!` runs futures concurrently, which a blocking twin cannot do.
use ambidex::{Db, Result};

#[ambidex::dual]
pub async fn both(db: &Db) -> Result<(u64, u64)> {
    let (a, b) = tokio::join!(
        ambidex::raw("DELETE FROM a").execute(db),
        ambidex::raw("DELETE FROM b").execute(db),
    );
    Ok((a?, b?))
}

fn main() {}
