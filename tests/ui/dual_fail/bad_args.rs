//! Unknown arguments are refused at their span.
use ambidex::{Db, Result};

#[ambidex::dual(call(other))]
pub async fn purge(db: &Db) -> Result<u64> {
    ambidex::raw("DELETE FROM t").execute(db).await
}

fn main() {}
