//! A dual fn that calls another dual fn without naming it in `calls(..)`: the twin would
//! call the async original with a blocking handle.
use ambidex::prelude::*;
use ambidex::{Db, Result};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "users")]
pub struct User {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub name: String,
}

#[ambidex::dual]
pub async fn rename(db: &Db, id: i64, name: String) -> Result<User> {
    let mut user = User::get(id, db).await?;
    user.name = name;
    user.update(db).await?;
    Ok(user)
}

#[ambidex::dual]
pub async fn shout(db: &Db, id: i64) -> Result<User> {
    let user = User::get(id, db).await?;
    rename(db, id, user.name.to_uppercase()).await
}

fn main() {}
