use ambidex::prelude::*;
use ambidex::SqlField;

#[derive(SqlField, Debug, Clone, Copy, PartialEq)]
pub enum Status {
    Active,
    #[ambidex(rename = "on-hold")]
    OnHold,
}

#[derive(SqlField, Debug, Clone, Copy, PartialEq)]
#[ambidex(integer)]
pub enum Level {
    Low = -1,
    High = 7,
}

#[derive(SqlField, Debug, Clone, PartialEq)]
#[ambidex(text)]
pub enum Explicit {
    One,
}

#[derive(SqlField, Debug, Clone, PartialEq)]
pub struct Email(pub String);

#[derive(SqlField, Debug, Clone, PartialEq)]
pub struct Named {
    pub inner: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Account {
    #[ambidex(primary_key)]
    pub email: Email,
    pub status: Status,
    pub level: Option<Level>,
    pub explicit: Explicit,
    pub named: Named,
}

fn main() {
    let _ = Account::query()
        .filter(Account::STATUS.eq(Status::OnHold))
        .filter(Account::LEVEL.eq(Level::High))
        .filter(Account::LEVEL.is_null().or(Account::LEVEL.ge(&Level::Low)))
        .filter(Account::EMAIL.is_in([Email("a@b.c".into())]));
    let _ = Account::query().set(Account::LEVEL, None::<Level>);
    let _ = Account::find(Email("a@b.c".into()));
}
