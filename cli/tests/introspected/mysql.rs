//! Models read from the test database by `ambidex introspect`.
use ambidex::prelude::*;
/// A row of `authors`.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "authors")]
pub struct Author {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(unique)]
    pub email: String,
    pub name: String,
    pub bio: Option<String>,
}
/// A row of `posts`.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "posts")]
pub struct Post {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(index, belongs_to = Author)]
    pub author_id: i64,
    pub title: String,
    pub body: String,
    pub published: bool,
    pub views: Option<i32>,
}
/// A row of `comments`.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "comments")]
pub struct Comment {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(index, belongs_to = Post, on_delete = "cascade")]
    pub post_id: i64,
    pub author_name: String,
    pub body: String,
}
