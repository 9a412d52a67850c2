use ambidex::prelude::*;

#[derive(Model)]
pub struct User {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub age: Option<i32>,
}

#[derive(Model)]
pub struct Post {
    #[ambidex(primary_key)]
    pub id: i64,
    pub title: String,
}

fn main() {
    let _ = User::query().filter(Post::TITLE.eq("x"));
}
