//! A fn returning `impl Future` hides what it does; only `async fn` can be twinned.
use std::future::Future;

use ambidex::{Db, Result};

#[ambidex::dual]
pub fn purge(db: &Db) -> impl Future<Output = Result<u64>> + '_ {
    ambidex::raw("DELETE FROM t").execute(db)
}

fn main() {}
