use ambidex::prelude::*;
use std::collections::HashMap;

#[derive(Model)]
pub struct Doc {
    #[ambidex(primary_key)]
    pub id: i64,
    pub meta: HashMap<String, String>,
}

fn main() {}
