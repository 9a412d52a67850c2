use ambidex::prelude::*;

#[derive(Model)]
pub struct Doc {
    #[ambidex(primary_key)]
    pub id: i64,
    pub title: String,
    #[ambidex(column = "title")]
    pub heading: String,
}

fn main() {}
