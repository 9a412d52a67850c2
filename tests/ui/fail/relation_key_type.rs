use ambidex::prelude::*;

#[derive(Model)]
pub struct Author {
    #[ambidex(primary_key, auto)]
    pub id: i64,
}

#[derive(Model)]
pub struct Post {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    // Author's key is an i64: a String cannot refer to it.
    #[ambidex(belongs_to = Author)]
    pub author_id: String,
}

fn main() {}
