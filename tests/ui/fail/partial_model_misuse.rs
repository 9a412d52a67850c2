use ambidex::prelude::*;

#[derive(Model)]
pub struct Person {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub age: Option<i32>,
}

#[derive(Model)]
pub struct Post {
    #[ambidex(primary_key, auto)]
    pub id: i64,
}

// The field's type differs from the model's.
#[derive(PartialModel)]
#[ambidex(model = Person)]
pub struct WrongType {
    pub age: i32,
}

// The model has no such field.
#[derive(PartialModel)]
#[ambidex(model = Person)]
pub struct Missing {
    #[ambidex(field = "nickname")]
    pub nick: String,
}

// Which model?
#[derive(PartialModel)]
pub struct NoModel {
    pub name: String,
}

#[derive(PartialModel)]
#[ambidex(model = Person)]
pub struct Name {
    pub name: String,
}

fn main() {
    // A partial model of Person cannot be selected from a query of Post.
    let _ = Post::query().select_partial::<Name>();
}
