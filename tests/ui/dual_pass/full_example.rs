//! The example of `ambidex::dual`'s documentation, on the real API (the doctest runs it on
//! a stand-in): free functions, an inherent impl, a trait and its impl, in both worlds.
use ambidex::prelude::*;
use ambidex::{Db, Result};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "users")]
pub struct User {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub name: String,
}

/// Renames a user, in one transaction.
#[ambidex::dual]
pub async fn rename(db: &Db, id: i64, name: String) -> Result<User> {
    db.transaction(move |tx| {
        Box::pin(async move {
            let mut user = User::get(id, &mut *tx).await?;
            user.name = name;
            user.update(&mut *tx).await?;
            Ok(user)
        })
    })
    .await
}

/// Capitalizes a user's name: calls another dual fn, named in `calls(..)`.
#[ambidex::dual(calls(rename))]
pub async fn capitalize(db: &Db, id: i64) -> Result<User> {
    let user = User::get(id, db).await?;
    let mut chars = user.name.chars();
    let name = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect());
    rename(db, id, name.unwrap_or_default()).await // `rename_blocking(..)` in the twin
}

pub struct Users;

#[ambidex::dual]
impl Users {
    pub async fn name_of(&self, db: &Db, id: i64) -> Result<String> {
        Ok(User::get(id, db).await?.name)
    }

    pub async fn greeting(&self, db: &Db, id: i64) -> Result<String> {
        Ok(format!("hello, {}", self.name_of(db, id).await?)) // `self.name_of_blocking(..)`
    }
}

// `async fn` in a public trait: rustc's `async_fn_in_trait` lint (the twin has none).
#[allow(async_fn_in_trait)]
#[ambidex::dual]
pub trait Greeter {
    async fn greet(&self, db: &Db, id: i64) -> Result<String>;
}

#[ambidex::dual(calls(greeting))]
impl Greeter for Users {
    async fn greet(&self, db: &Db, id: i64) -> Result<String> {
        self.greeting(db, id).await // an inherent dual method: listed in `calls(..)`
    }
}

fn ada() -> User {
    User {
        id: 0,
        name: "ada".into(),
    }
}

fn main() -> Result<()> {
    // A script, blocking:
    let db = ambidex::blocking::Db::open("sqlite::memory:")?;
    User::create_table(&db)?;
    let id = ada().insert(&db)?.id;
    assert_eq!(capitalize_blocking(&db, id)?.name, "Ada");
    assert_eq!(Users.greeting_blocking(&db, id)?, "hello, Ada");
    assert_eq!(GreeterBlocking::greet(&Users, &db, id)?, "hello, Ada");

    // A server, async: the functions as written.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let greeted = runtime.block_on(async {
        let db = ambidex::Db::connect("sqlite::memory:").await?;
        User::create_table(&db).await?;
        let id = ada().insert(&db).await?.id;
        capitalize(&db, id).await?;
        Greeter::greet(&Users, &db, id).await
    });
    assert_eq!(greeted?, "hello, Ada");
    Ok(())
}
