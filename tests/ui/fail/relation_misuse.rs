use ambidex::prelude::*;

#[derive(Model, Clone)]
pub struct Author {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub name: String,
}

#[derive(Model, Clone)]
pub struct Post {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(belongs_to = Author)]
    pub author_id: i64,
    pub title: String,
}

fn main() {
    // The condition must be on the parent model, Author, not on Post.
    let _ = Post::AUTHOR.has(Post::TITLE.eq("x"));
}
