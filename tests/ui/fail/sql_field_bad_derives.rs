use ambidex::SqlField;

#[derive(SqlField)]
pub enum WithData {
    Unit,
    Tuple(i32),
}

#[derive(SqlField)]
#[ambidex(integer)]
pub enum RenamedInteger {
    #[ambidex(rename = "a")]
    A = 1,
}

#[derive(SqlField)]
#[ambidex(text, integer)]
pub enum Both {
    A,
}

#[derive(SqlField)]
pub enum SameName {
    A,
    #[ambidex(rename = "A")]
    B,
}

#[derive(SqlField)]
#[ambidex(txt)]
pub enum Typo {
    A,
}

#[derive(SqlField)]
pub enum Empty {}

#[derive(SqlField)]
pub struct TwoFields(i32, i32);

#[derive(SqlField)]
pub struct Generic<T>(T);

#[derive(SqlField)]
#[ambidex(integer)]
pub struct AttributeOnNewtype(i32);

fn main() {}
