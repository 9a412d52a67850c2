use ambidex::prelude::*;

#[derive(Model)]
pub struct User {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub age: Option<i32>,
}

fn main() {
    let _ = User::query().filter(User::AGE.ge("x"));
}
