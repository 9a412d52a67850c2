use ambidex::SqlField;

#[derive(SqlField)]
pub struct MaybeEmail(Option<String>);

fn main() {}
