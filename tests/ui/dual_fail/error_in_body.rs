//! A mistake in a dual body is reported at the user's line (once per twin: the async fn
//! and its blocking twin are both compiled).
use ambidex::{Db, Result};

#[ambidex::dual]
pub async fn count(db: &Db) -> Result<u64> {
    let n: u64 = ambidex::raw("DELETE FROM t").execute(db).await?;
    let label: u64 = "not a number";
    Ok(n + label)
}

fn main() {}
