use ambidex::prelude::*;

#[derive(Model)]
pub struct Pair(i64, String);

#[derive(Model)]
pub enum Kind {
    A,
}

fn main() {}
