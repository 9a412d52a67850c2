use ambidex::prelude::*;

#[derive(Model)]
pub struct Author {
    #[ambidex(primary_key)]
    pub id: i64,
    pub name: String,
}

#[derive(Model)]
pub struct Post {
    #[ambidex(primary_key)]
    pub id: i64,
    #[ambidex(belongs_to = Author)]
    pub author_id: i64,
    pub title: String,
}

#[derive(Model)]
pub struct Tag {
    #[ambidex(primary_key)]
    pub id: i64,
    pub name: String,
}

fn main() {
    // A condition on a model the join does not read.
    let _ = Post::query().join(Post::AUTHOR).filter(Tag::NAME.eq("rust"));
    // An ordering on one.
    let _ = Post::query().join(Post::AUTHOR).order_by(Tag::NAME.asc());
    // A selection of one.
    let _ = Post::query().join(Post::AUTHOR).select((Post::TITLE, Tag::NAME));
    // A relation that does not lead from the models the query reads.
    let _ = Tag::query().join(Post::AUTHOR);
    // An anti-join on an inner-joined model: its rows are always there.
    let _ = Post::query().join(Post::AUTHOR).filter_missing::<Author, _>();
}
