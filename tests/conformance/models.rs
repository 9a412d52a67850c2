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

/// A model named after a keyword, with keyword columns and a caller-chosen key.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Order {
    #[ambidex(primary_key)]
    pub id: i64,
    pub group: String,
    #[ambidex(column = "select")]
    pub selected: i32,
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
