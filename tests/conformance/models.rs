//! The models the scenarios use. `Order` and its `group` column are SQL keywords on
//! purpose; `Wide`/`Narrow` share a table so a row written by one can fail to decode as the
//! other.

use ambidex::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Person {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub name: String,
    #[ambidex(unique)]
    pub email: String,
    #[ambidex(index)]
    pub age: Option<i32>,
    pub score: f64,
    pub active: bool,
    pub nickname: Option<String>,
    #[ambidex(skip)]
    pub cached: Option<String>,
}

/// Some of a person's columns, read without the others; `years` reads `age`.
#[derive(PartialModel, Debug, Clone, PartialEq)]
#[ambidex(model = Person)]
pub struct PersonSummary {
    pub id: i64,
    pub name: String,
    #[ambidex(field = "age")]
    pub years: Option<i32>,
}

/// A person with the given name (email derived from it).
pub fn person(name: &str, age: Option<i32>) -> Person {
    Person {
        id: 0,
        name: name.to_string(),
        email: format!("{}@example.com", name.to_lowercase()),
        age,
        score: 0.0,
        active: true,
        nickname: None,
        cached: None,
    }
}

/// The people most query scenarios run against: one with no age.
pub fn people() -> Vec<Person> {
    vec![
        person("Ada", Some(36)),
        person("Bob", Some(17)),
        person("Cy", None),
        person("Dee", Some(52)),
        person("eve", Some(17)),
    ]
}

/// An invoice line: numbers of several types and texts, for computed values
/// (`scenarios/expressions.rs`).
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "expr_lines")]
pub struct Line {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub product: String,
    pub country: String,
    /// In cents.
    pub price: i64,
    pub quantity: i32,
    pub discount: Option<i64>,
    pub weight: f64,
    pub starts: i16,
    pub ends: i16,
    pub note: Option<String>,
}

/// The lines the expression scenarios run against (ids 1 to 5 in this order).
pub fn lines() -> Vec<Line> {
    let line =
        |product: &str, country: &str, price, quantity, discount, weight, starts, ends| Line {
            id: 0,
            product: product.to_string(),
            country: country.to_string(),
            price,
            quantity,
            discount,
            weight,
            starts,
            ends,
            note: None,
        };
    vec![
        line("Élan", "France", 250, 4, Some(50), 1.5, 9, 17),
        line("  padded  ", "france", 1000, 1, None, 0.0, 12, 12),
        line("日本語", "Japan", -7, 2, Some(-7), -2.25, 20, 8),
        line("Ωmega", "Japan", 333, 0, Some(0), 3.0, -5, 5),
        line("plain", "Chile", 10, 3, None, 7.0, 0, 1),
    ]
}

/// A model named after a keyword, with keyword columns and a caller-chosen key.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Order {
    #[ambidex(primary_key)]
    pub id: i64,
    pub group: String,
    #[ambidex(column = "select")]
    pub selected: i32,
}

/// A composite primary key: one row per team and member.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "memberships")]
pub struct Membership {
    #[ambidex(primary_key)]
    pub team: i32,
    #[ambidex(primary_key)]
    pub member: String,
    pub role: String,
    #[ambidex(index)]
    pub joined: i64,
}

/// A membership of `member` in `team`.
pub fn membership(team: i32, member: &str, role: &str) -> Membership {
    Membership {
        team,
        member: member.to_string(),
        role: role.to_string(),
        joined: i64::from(team) * 1_000,
    }
}

/// Every supported field type, for round trips.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "all_types")]
pub struct AllTypes {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub b: bool,
    pub i16_: i16,
    pub i32_: i32,
    pub i64_: i64,
    pub f32_: f32,
    pub f64_: f64,
    pub text: String,
    pub blob: Vec<u8>,
    pub ob: Option<bool>,
    pub oi16: Option<i16>,
    pub oi32: Option<i32>,
    pub oi64: Option<i64>,
    pub of32: Option<f32>,
    pub of64: Option<f64>,
    pub otext: Option<String>,
    pub oblob: Option<Vec<u8>>,
}

impl Default for AllTypes {
    fn default() -> Self {
        AllTypes {
            id: 0,
            b: false,
            i16_: 0,
            i32_: 0,
            i64_: 0,
            f32_: 0.0,
            f64_: 0.0,
            text: String::new(),
            blob: Vec::new(),
            ob: None,
            oi16: None,
            oi32: None,
            oi64: None,
            of32: None,
            of64: None,
            otext: None,
            oblob: None,
        }
    }
}

/// Writes anything into `shared_values`.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "shared_values")]
pub struct Wide {
    #[ambidex(primary_key)]
    pub id: i64,
    pub value: Option<i64>,
    pub real: Option<f64>,
}

/// Reads `shared_values` with narrower, non-optional types.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "shared_values")]
pub struct Narrow {
    #[ambidex(primary_key)]
    pub id: i64,
    pub value: i32,
    pub real: Option<f64>,
}

/// Strings that break SQL built by splicing text: quotes, comment markers, escapes,
/// placeholders, wildcards and control characters. Each must be stored byte for byte.
pub fn hostile_strings() -> Vec<&'static str> {
    vec![
        "'; DROP TABLE all_types; --",
        "Robert'); DROP TABLE person;--",
        "\"quoted\"",
        "`backticked`",
        "a\\b\\\\c",
        "\\'",
        "it's",
        "''",
        "line one\nline two\r\nline three",
        "\ttabbed\t",
        "? ?? $1 :name @p1",
        "%_*[]^!",
        "NULL",
        "/* not a comment */ -- nor this",
        " padded ",
    ]
}

/// `SELECT` of every `person` column in [`Person`]'s order, then `rest` (for raw SQL).
pub fn select_people(rest: &str) -> String {
    format!("SELECT id, name, email, age, score, active, nickname FROM person {rest}")
}

/// A key and a text: what raw queries of computed values decode into.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "labels")]
pub struct Label {
    #[ambidex(primary_key)]
    pub id: i64,
    pub text: String,
}

// ---------------------------------------------------------------------------------------
// Relations: authors have posts (deleted with them), posts have comments (which keep a
// post from being deleted), posts and tags are related through `PostTag`, an employee's
// manager is an employee (set to NULL when the manager goes), an author has one profile.
// ---------------------------------------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "rel_author")]
pub struct Author {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "rel_post")]
pub struct Post {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(belongs_to = Author, on_delete = "cascade", index)]
    pub author_id: i64,
    pub title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "rel_comment")]
pub struct Comment {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(belongs_to = Post)]
    pub post_id: i64,
    pub body: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "rel_tag")]
pub struct Tag {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(unique)]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "rel_post_tag")]
pub struct PostTag {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(belongs_to = Post, on_delete = "cascade")]
    pub post_id: i64,
    #[ambidex(belongs_to = Tag, on_delete = "cascade")]
    pub tag_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "rel_employee")]
pub struct Employee {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    pub name: String,
    #[ambidex(belongs_to = Employee, on_delete = "set_null")]
    pub manager_id: Option<i64>,
}

ambidex::alias!(
    /// An employee's manager, in a self-join (scenarios/joins.rs).
    pub Boss = Employee
);

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "rel_profile")]
pub struct Profile {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(belongs_to = Author, relation = "owner", unique, on_delete = "cascade")]
    pub author_id: i64,
    pub bio: String,
}

// ---------------------------------------------------------------------------------------
// Rich field types (docs/guide/types.md; scenarios/rich_types.rs). Compiled when the facade's
// `chrono`, `uuid`, `json` and `decimal` features are all on (the default).
// ---------------------------------------------------------------------------------------

#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "json",
    feature = "decimal"
))]
pub use rich::*;

#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "json",
    feature = "decimal"
))]
mod rich {
    use ambidex::prelude::*;
    use ambidex::types::{Exact, Json};
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    use rust_decimal::Decimal;
    use uuid::Uuid;

    /// Preferences stored as JSON through serde.
    #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Prefs {
        pub theme: String,
        pub tags: Vec<String>,
        pub limits: std::collections::BTreeMap<String, i64>,
        pub nested: Option<Box<Prefs>>,
    }

    /// Every rich field type, required and optional.
    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[ambidex(table = "rich_types")]
    pub struct Rich {
        #[ambidex(primary_key, auto)]
        pub id: i64,
        pub day: NaiveDate,
        pub local: NaiveDateTime,
        #[ambidex(index)]
        pub at: DateTime<Utc>,
        pub uid: Uuid,
        pub amount: Decimal,
        pub doc: serde_json::Value,
        pub prefs: Json<Prefs>,
        pub oday: Option<NaiveDate>,
        pub olocal: Option<NaiveDateTime>,
        pub oat: Option<DateTime<Utc>>,
        pub ouid: Option<Uuid>,
        pub oamount: Option<Decimal>,
        pub odoc: Option<serde_json::Value>,
        pub oprefs: Option<Json<Prefs>>,
    }

    /// Times of day (`chrono::NaiveTime`), required and optional.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "rich_times")]
    pub struct Shift {
        #[ambidex(primary_key, auto)]
        pub id: i64,
        #[ambidex(index)]
        pub starts: chrono::NaiveTime,
        pub ends: Option<chrono::NaiveTime>,
    }

    /// Times in strict mode: a sub-microsecond part is refused, not truncated.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "rich_exact")]
    pub struct Stamp {
        #[ambidex(primary_key, auto)]
        pub id: i64,
        pub at: Exact<DateTime<Utc>>,
        pub local: Option<Exact<NaiveDateTime>>,
        pub time: Exact<chrono::NaiveTime>,
    }

    /// A row keyed by a UUID the caller chooses.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "tokens")]
    pub struct Token {
        #[ambidex(primary_key)]
        pub id: Uuid,
        #[ambidex(unique)]
        pub issued: DateTime<Utc>,
        pub owner: Option<Uuid>,
    }

    /// Writes any text into `rich_text`.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "rich_text")]
    pub struct RichText {
        #[ambidex(primary_key)]
        pub id: i64,
        pub value: String,
    }

    /// Reads `rich_text` as a date: text that is no date must fail to decode.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "rich_text")]
    pub struct TextAsDate {
        #[ambidex(primary_key)]
        pub id: i64,
        pub value: NaiveDate,
    }

    /// Reads `rich_text` as a decimal.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "rich_text")]
    pub struct TextAsDecimal {
        #[ambidex(primary_key)]
        pub id: i64,
        pub value: Decimal,
    }

    /// A text enum: variant names, one renamed.
    #[derive(ambidex::SqlField, Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum Status {
        #[default]
        Active,
        #[ambidex(rename = "on hold ⏸")]
        OnHold,
        Closed,
    }

    /// An integer enum: its discriminants, negative and sparse.
    #[derive(ambidex::SqlField, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
    #[ambidex(integer)]
    pub enum Priority {
        Negative = -5,
        #[default]
        Low = 1,
        High = 10,
        Max = i32::MAX as isize,
    }

    /// A newtype over text.
    #[derive(ambidex::SqlField, Debug, Clone, PartialEq, Default)]
    pub struct Email(pub String);

    /// A newtype with a named field, over an integer.
    #[derive(ambidex::SqlField, Debug, Clone, Copy, PartialEq, Default)]
    pub struct Cents {
        pub value: i64,
    }

    /// A newtype over a rich type.
    #[derive(ambidex::SqlField, Debug, Clone, Copy, PartialEq, Default)]
    pub struct OrderRef(pub Uuid);

    /// Derived field types (enums and newtypes) as columns, keys and indexes.
    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[ambidex(table = "tickets")]
    pub struct Ticket {
        #[ambidex(primary_key, auto)]
        pub id: i64,
        #[ambidex(index)]
        pub status: Status,
        pub ostatus: Option<Status>,
        pub priority: Priority,
        pub opriority: Option<Priority>,
        #[ambidex(unique)]
        pub email: Email,
        pub cents: Cents,
        pub ocents: Option<Cents>,
        pub order: OrderRef,
    }

    /// Reads `rich_text` as a text enum.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "rich_text")]
    pub struct TextAsStatus {
        #[ambidex(primary_key)]
        pub id: i64,
        pub value: Status,
    }

    /// A key and an integer enum: what a raw query of a computed integer decodes into.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[ambidex(table = "int_as_priority")]
    pub struct IntAsPriority {
        #[ambidex(primary_key)]
        pub id: i64,
        pub value: Priority,
    }

    /// `y-m-d h:m:s.micro` as a naive date and time.
    pub fn ymd_hms_micro(
        y: i32,
        m: u32,
        d: u32,
        h: u32,
        mi: u32,
        s: u32,
        us: u32,
    ) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|day| day.and_hms_micro_opt(h, mi, s, us))
            .expect("a valid date and time")
    }
}

/// Hostile identifiers: a table name with quotes of every dialect and spaces, a keyword
/// key column, and columns with quotes, spaces and keywords in their names.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "we\"ird 'tab`le")]
pub struct Weird {
    #[ambidex(primary_key, column = "select")]
    pub id: i64,
    #[ambidex(column = "col \"with\" quotes")]
    pub quoted: String,
    #[ambidex(column = "it's a `col`")]
    pub apostrophe: Option<String>,
    #[ambidex(column = "order by")]
    pub spaced: i32,
}

/// Strings beyond ASCII that must survive byte for byte: 4-byte UTF-8, right-to-left and
/// bidi-override marks, zero-width joiners, combining marks, a BOM.
pub fn hostile_unicode() -> Vec<&'static str> {
    vec![
        "𝄞 𐍈 🦀 \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
        "\u{200F}مرحبا\u{200E} abc",
        "\u{202E}txt.exe\u{202C}",
        "\u{2066}isolate\u{2069}\u{061C}",
        "e\u{301}\u{301}\u{20DD}",
        "\u{FEFF}bom",
        "\u{10FFFF}\u{E000}",
    ]
}

/// A word, for the order of text (`scenarios/collation.rs`): `text` is indexed, `pair` is
/// a second text column for comparisons between columns.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "words")]
pub struct Word {
    #[ambidex(primary_key)]
    pub id: i64,
    #[ambidex(index)]
    pub text: String,
    pub pair: Option<String>,
}

/// Words whose byte order and English (ICU `en-US`) order disagree: case (`B` < `a`
/// bytewise, `a` < `B` in English), punctuation (`_x`), accents (`é` after `f`), a space
/// (`a b` < `ab`). Ids 1 to 12; `pair` is `"a"` but for `f`, where it is NULL.
pub fn words() -> Vec<Word> {
    [
        "b", "B", "a", "_x", "Z", "é", "e", "ab", "a b", "É", "A", "f",
    ]
    .into_iter()
    .zip(1..)
    .map(|(text, id)| Word {
        id,
        text: text.to_string(),
        pair: (text != "f").then(|| "a".to_string()),
    })
    .collect()
}
