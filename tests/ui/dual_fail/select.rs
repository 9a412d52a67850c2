//! `select!` races futures: the blocking twin has no futures to race.
use ambidex::{Db, Result};

#[ambidex::dual]
pub async fn first_of(a: &Db, b: &Db) -> Result<u64> {
    tokio::select! {
        n = ambidex::raw("DELETE FROM t").execute(a) => n,
        n = ambidex::raw("DELETE FROM t").execute(b) => n,
    }
}

fn main() {}
