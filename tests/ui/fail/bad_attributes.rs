use ambidex::prelude::*;

#[derive(Model)]
#[ambidex(tabel = "tags")]
pub struct Tag {
    #[ambidex(primary_key, auto)]
    pub id: String,
    #[ambidex(uniqe)]
    pub name: String,
    #[ambidex(auto)]
    pub rank: i32,
    #[ambidex(skip, unique)]
    pub cache: i32,
    #[ambidex(default = some_function())]
    pub weight: f64,
}

fn main() {}
