//! A model using every attribute and field type compiles, and its columns type-check.
use ambidex::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "items")]
pub struct Item {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(unique, column = "item_code")]
    pub code: String,
    #[ambidex(index, default = 0)]
    pub stock: i32,
    #[ambidex(default = -1.5)]
    pub weight: f64,
    #[ambidex(default = true)]
    pub visible: bool,
    #[ambidex(default = "none")]
    pub note: String,
    pub r#type: Option<i16>,
    pub ratio: Option<f32>,
    pub data: Vec<u8>,
    pub thumb: Option<Vec<u8>>,
    pub label: Option<String>,
    #[ambidex(skip)]
    pub scratch: Vec<String>,
}

fn main() {
    let _ = Item::query()
        .filter(Item::STOCK.between(1, 10).and(Item::LABEL.is_null()))
        .filter(Item::CODE.starts_with("A").or(Item::TYPE.is_in([1, 2])))
        .filter(Item::DATA.eq(vec![1u8, 2]).not())
        .order_by(Item::WEIGHT.desc());
    let _ = Item::query().set(Item::LABEL, None).set(Item::STOCK, 3);
    assert_eq!(<Item as Model>::META.table, "items");
    assert_eq!(<Item as Model>::META.columns[1].name, "item_code");
}
