//! Rich field types: dates and times, UUIDs, exact decimals and JSON, each behind a cargo
//! feature (`chrono`, `uuid`, `decimal`, `json`).
//!
//! Every rich value is bound as [`Value::Typed`](crate::Value::Typed): its kind and its canonical text, which
//! all three backends parse exactly (the dialect adds a cast where the backend types its
//! parameters, see [`crate::SqlDialect::typed_placeholder`]). Engines read the backends'
//! native forms back into [`Cell::Text`](crate::Cell::Text) through [`wire`], so each type decodes from text
//! in one place. The storage per backend and the precision contracts are in `docs/guide/types.md`.

use crate::value::ValueKind;

#[cfg(feature = "chrono")]
mod chrono;
#[cfg(feature = "decimal")]
mod decimal;
#[cfg(any(
    feature = "chrono",
    feature = "uuid",
    feature = "decimal",
    feature = "json"
))]
mod decode;
mod exact;
#[cfg(feature = "json")]
mod json;
mod numeric_order;
#[cfg(feature = "uuid")]
mod uuid;
pub mod wire;

pub use exact::Exact;
pub use numeric_order::{DECIMAL_COLLATION, decimal_text_order};

#[cfg(feature = "json")]
pub use json::Json;

/// The first byte of a [`Value::Typed`](crate::Value::Typed) JSON text that stands for a value serde could not
/// serialize (`to_value` cannot fail, so binding refuses it); no JSON text starts with it.
#[cfg_attr(not(feature = "json"), allow(dead_code))]
pub(crate) const UNSERIALIZABLE: char = '\0';

/// Checks the canonical text of a typed value against the contract every backend keeps
/// (`docs/guide/types.md`); `Err` says why the value cannot be stored exactly.
pub(crate) fn check_typed(kind: ValueKind, text: &str) -> Result<(), String> {
    match kind {
        ValueKind::Date => check_date(text, text),
        ValueKind::DateTime | ValueKind::Timestamp => check_datetime(text),
        ValueKind::Time => check_time(text, text),
        ValueKind::Json => match text.strip_prefix(UNSERIALIZABLE) {
            Some(why) => Err(format!("the JSON value could not be serialized: {why}")),
            None => check_json_depth(text),
        },
        _ => Ok(()),
    }
}

/// The deepest nesting of arrays and objects every backend stores and reads back: MariaDB's
/// `JSON` columns (a `JSON_VALID` check) refuse 32 levels, and serde_json reads at most 127,
/// so a deeper value would either be refused by one backend only, or be stored and then
/// fail every read of its row.
pub const JSON_MAX_DEPTH: usize = 31;

/// Refuses JSON text nested deeper than [`JSON_MAX_DEPTH`], before anything is sent.
fn check_json_depth(text: &str) -> Result<(), String> {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > JSON_MAX_DEPTH {
        return Err(format!(
            "the JSON value is nested {deepest} levels deep: ambidex stores JSON nested up \
             to {JSON_MAX_DEPTH} levels on every backend (MariaDB refuses deeper values), \
             so that every value written can be read back"
        ));
    }
    Ok(())
}

/// The year range every backend stores (MySQL's DATE and DATETIME end at 9999; year 0 is
/// 1 BC, which MySQL and PostgreSQL disagree about).
const YEARS: &str = "years 0001 to 9999";

fn check_date(date: &str, whole: &str) -> Result<(), String> {
    let b = date.as_bytes();
    let shaped = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
    if !shaped || !b[..4].iter().all(u8::is_ascii_digit) || &date[..4] == "0000" {
        return Err(format!(
            "{whole} cannot be stored: ambidex stores dates in {YEARS} on every backend"
        ));
    }
    Ok(())
}

fn check_datetime(text: &str) -> Result<(), String> {
    // Canonical: `YYYY-MM-DD HH:MM:SS.ffffff` (26 bytes); nanoseconds make 29.
    let (date, time) = text.split_once(' ').unwrap_or((text, ""));
    check_date(date, text)?;
    check_time(time, text)
}

/// The time of day `time` (`HH:MM:SS.ffffff`) of the value `whole`.
fn check_time(time: &str, whole: &str) -> Result<(), String> {
    let text = whole;
    if time.get(6..8) == Some("60") {
        return Err(format!(
            "{text} is a leap second, which no backend stores; add the second to the \
             following minute instead"
        ));
    }
    if time.len() > 15 {
        return Err(format!(
            "{text} has sub-microsecond precision, which would be lost: ambidex stores \
             times to the microsecond on every backend, and this field is declared \
             `Exact<T>`; truncate first, e.g. with \
             `chrono::SubsecRound::trunc_subsecs(value, 6)`, or declare the field without \
             `Exact` to have ambidex truncate it"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_refuses_what_a_backend_would_change() {
        assert!(check_typed(ValueKind::Date, "2024-02-29").is_ok());
        assert!(check_typed(ValueKind::Date, "0000-01-01").is_err());
        assert!(check_typed(ValueKind::Date, "+10000-01-01").is_err());
        assert!(check_typed(ValueKind::Date, "-0001-01-01").is_err());
        assert!(check_typed(ValueKind::DateTime, "9999-12-31 23:59:59.999999").is_ok());
        let nanos = check_typed(ValueKind::Timestamp, "2024-01-01 00:00:00.000000001");
        assert!(nanos.unwrap_err().contains("sub-microsecond"));
        let leap = check_typed(ValueKind::Timestamp, "2016-12-31 23:59:60.000000");
        assert!(leap.unwrap_err().contains("leap second"));
        assert!(check_typed(ValueKind::Json, "\0key must be a string").is_err());
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(check_typed(ValueKind::Json, &nested(JSON_MAX_DEPTH)).is_ok());
        let deep = check_typed(ValueKind::Json, &nested(JSON_MAX_DEPTH + 1)).unwrap_err();
        assert!(deep.contains("nested 32 levels"), "{deep}");
        // Brackets inside strings (with escaped quotes) are text, not nesting.
        let text = format!(r#"{{"a":"{}\"{}"}}"#, "[".repeat(40), "{".repeat(40));
        assert!(check_typed(ValueKind::Json, &text).is_ok(), "{text}");
        let mixed = format!("{}1{}", r#"{"k":["#.repeat(16), "]}".repeat(16));
        assert!(
            check_typed(ValueKind::Json, &mixed)
                .unwrap_err()
                .contains("32 levels")
        );
        assert!(check_typed(ValueKind::Json, "{}").is_ok());
    }
}
