use ambidex::prelude::*;

#[derive(Model)]
pub struct Line {
    #[ambidex(primary_key)]
    pub id: i64,
    pub price: i64,
    pub quantity: i32,
    pub starts: Option<i64>,
}

#[derive(Model)]
pub struct Post {
    #[ambidex(primary_key)]
    pub id: i64,
    pub views: i64,
}

fn main() {
    // Another model's column is not a comparand of Line's.
    let _ = Line::query().filter(Line::PRICE.gt(Post::VIEWS));
    // Both sides of an arithmetic operator have one number type, as in Rust.
    let _ = Line::PRICE * Line::QUANTITY;
    // A computed value of Post does not filter Line's rows.
    let _ = Line::query().filter((Post::VIEWS + 1).gt(10));
    // A quotient may be NULL (division by zero), so it does not go into a NOT NULL column.
    let _ = Line::query().set(Line::PRICE, Line::PRICE / 2);
    // Nor does a nullable column.
    let _ = Line::query().set(Line::PRICE, Line::STARTS);
}
