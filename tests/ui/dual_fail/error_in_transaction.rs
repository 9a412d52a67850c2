//! A mistake inside a transaction closure is reported at the user's line, once: the async
//! fn and its blocking twin both have it, and rustc merges the identical diagnostics.
use ambidex::{Db, Result};

#[ambidex::dual]
pub async fn purge(db: &Db) -> Result<String> {
    db.transaction(|tx| {
        Box::pin(async move {
            let n: String = ambidex::raw("DELETE FROM t").execute(&mut *tx).await?;
            Ok(n)
        })
    })
    .await
}

fn main() {}
