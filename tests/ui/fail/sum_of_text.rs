use ambidex::prelude::*;

#[derive(Model)]
pub struct Person {
    #[ambidex(primary_key)]
    pub id: i64,
    pub name: String,
    pub active: bool,
}

fn main() {
    // Sums need numbers; min/max need an order.
    let _ = Person::NAME.sum();
    let _ = Person::ACTIVE.max();
    // A HAVING condition compares with the aggregate's type.
    let _ = Person::query()
        .select(ambidex::count())
        .having(ambidex::count().gt("many"));
}
