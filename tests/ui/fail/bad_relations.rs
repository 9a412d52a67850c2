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
    // SET NULL needs an Option.
    #[ambidex(belongs_to = Author, on_delete = "set_null", relation = "editor")]
    pub editor: i64,
    // No `_id` suffix and no `relation` name.
    #[ambidex(belongs_to = Author)]
    pub reviewer: i64,
    // on_delete without belongs_to, and an unknown rule.
    #[ambidex(on_delete = "cascade")]
    pub other: i64,
    #[ambidex(belongs_to = Author, on_delete = "explode", relation = "x")]
    pub x_ref: i64,
}

fn main() {}
