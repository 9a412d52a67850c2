use ambidex::prelude::*;

#[derive(Model)]
pub struct Tag {
    pub name: String,
}

fn main() {}
