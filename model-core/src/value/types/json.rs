//! JSON (feature `json`): `serde_json::Value`, and [`Json<T>`] for any serde type.
//!
//! Stored as `jsonb` on PostgreSQL, `JSON` on MySQL/MariaDB (MariaDB: LONGTEXT checked by
//! `JSON_VALID`), text on SQLite; bound as compact JSON text. PostgreSQL normalizes
//! `jsonb` (key order, whitespace, duplicate keys), so the stored text is not kept byte for
//! byte; the JSON value is.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::UNSERIALIZABLE;
use super::decode::{not_a, text_of, typed_field};
use crate::error::DecodeProblem;
use crate::value::field::{IntoOperand, SqlField};
use crate::value::row::Cell;
use crate::value::{Value, ValueKind};

/// A field stored as JSON and read back into `T` with serde.
///
/// ```
/// use ambidex_core::{SqlField, Value, ValueKind, types::Json};
/// let tags = Json(vec!["a".to_string(), "b".to_string()]);
/// assert_eq!(tags.to_value(), Value::Typed(ValueKind::Json, r#"["a","b"]"#.into()));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Json<T>(pub T);

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Json<T> {
    fn from(value: T) -> Self {
        Json(value)
    }
}

/// The bound text of `value`, or (serde refused it) a text binding refuses with serde's
/// reason.
fn json_text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("{UNSERIALIZABLE}{e}"))
}

fn parse_json<T: DeserializeOwned>(cell: &Cell<'_>) -> Result<T, DecodeProblem> {
    let text = text_of(cell).ok_or_else(|| not_a(cell, "expected JSON text"))?;
    serde_json::from_str(text).map_err(|e| not_a(cell, format!("JSON: {e}")))
}

typed_field!(
    serde_json::Value,
    Json,
    "serde_json::Value",
    json_text::<serde_json::Value>,
    parse_json::<serde_json::Value>
);

impl<T> SqlField for Json<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Inner = Json<T>;
    const KIND: ValueKind = ValueKind::Json;
    const NULLABLE: bool = false;
    const RUST_NAME: &'static str = "Json<T>";
    fn to_value(&self) -> Value {
        Value::Typed(ValueKind::Json, json_text(&self.0))
    }
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeProblem> {
        parse_json(&cell).map(Json)
    }
}

impl<T> IntoOperand<Json<T>> for Json<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    fn into_value(self) -> Value {
        self.to_value()
    }
}

impl<T> IntoOperand<Json<T>> for &Json<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    fn into_value(self) -> Value {
        self.to_value()
    }
}

impl<T> IntoOperand<Option<Json<T>>> for Json<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    fn into_value(self) -> Value {
        self.to_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    #[test]
    fn values_round_trip_through_text() {
        let v = serde_json::json!({"naïve": ["😀", {"deep": [null, 1.5, true]}], "\u{1}": "\n"});
        let Value::Typed(ValueKind::Json, text) = v.to_value() else {
            panic!("not typed JSON")
        };
        assert_eq!(
            serde_json::Value::from_cell(Cell::Text(Cow::Owned(text))),
            Ok(v)
        );
        let err = serde_json::Value::from_cell(Cell::Text(Cow::Borrowed("{"))).unwrap_err();
        assert!(err.found.contains("JSON"), "{err:?}");
    }

    #[test]
    fn unserializable_values_are_refused_at_bind() {
        let mut m = BTreeMap::new();
        m.insert(vec![1u8], 1);
        let Value::Typed(kind, text) = Json(m).to_value() else {
            panic!("not typed")
        };
        let err = super::super::check_typed(kind, &text).unwrap_err();
        assert!(err.contains("could not be serialized"), "{err}");
    }
}
