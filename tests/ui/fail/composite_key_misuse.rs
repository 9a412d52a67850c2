use ambidex::prelude::*;

#[derive(Model)]
pub struct Membership {
    #[ambidex(primary_key)]
    pub team: i32,
    #[ambidex(primary_key)]
    pub member: String,
}

#[derive(Model)]
pub struct Ticket {
    // The database generates one column; a composite key names a row by all of them.
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(primary_key)]
    pub shard: i32,
}

#[derive(Model)]
pub struct Badge {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    // A foreign key is one column: it cannot point to a composite key.
    #[ambidex(belongs_to = Membership)]
    pub membership_id: i32,
}

fn main() {
    // A composite key is named by a tuple of all its columns.
    let _ = Membership::find(1);
    let _ = Membership::find((1, 2));
}
