use ambidex::prelude::*;

#[derive(Model)]
pub struct Person {
    #[ambidex(primary_key)]
    pub id: i64,
    pub name: String,
}

#[derive(Model)]
pub struct Post {
    #[ambidex(primary_key)]
    pub id: i64,
    pub title: String,
}

fn main() {
    // A query of Person cannot select a Post column.
    let _ = Person::query().select((Person::NAME, Post::TITLE));
}
