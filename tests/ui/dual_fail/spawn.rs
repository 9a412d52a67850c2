//! `tokio::spawn` needs a runtime: the blocking twin has none.
use ambidex::{Db, Result};

#[ambidex::dual]
pub async fn warm_up(db: &Db) -> Result<()> {
    let db = db.clone();
    let handle = tokio::spawn(async move { ambidex::raw("SELECT 1").execute(&db).await });
    handle.await.expect("task")?;
    Ok(())
}

fn main() {}
