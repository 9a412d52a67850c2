//! An async closure cannot be made blocking.
use ambidex::{Db, Result};

#[ambidex::dual]
pub async fn purge_all(db: &Db, tables: &[&str]) -> Result<()> {
    let purge = async |table: &str| {
        ambidex::raw(format!("DELETE FROM {table}"))
            .execute(db)
            .await
    };
    for table in tables {
        purge(table).await?;
    }
    Ok(())
}

fn main() {}
