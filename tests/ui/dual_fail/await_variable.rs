//! A future stored in a variable has no call left to make blocking.
use ambidex::{Db, Result};

#[ambidex::dual]
pub async fn purge(db: &Db) -> Result<u64> {
    let fut = ambidex::raw("DELETE FROM sessions").execute(db);
    let n = fut.await?;
    Ok(n)
}

fn main() {}
