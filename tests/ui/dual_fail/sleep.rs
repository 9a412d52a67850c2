//! An async timer is not silently replaced by `std::thread::sleep`.
use std::time::Duration;

use ambidex::{Db, Result};

#[ambidex::dual]
pub async fn retry_later(db: &Db) -> Result<u64> {
    tokio::time::sleep(Duration::from_millis(10)).await;
    ambidex::raw("DELETE FROM jobs").execute(db).await
}

fn main() {}
