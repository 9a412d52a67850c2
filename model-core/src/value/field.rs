//! The Rust types a model field may have, and the values a query may compare them with.
//!
//! [`SqlField`] maps a field type to its storage kind, its bind value and its decoding from
//! a [`Cell`]. [`IntoOperand`] says which Rust values may stand where a field of some type
//! is expected: `User::AGE.ge(18)` compiles because `i32: IntoOperand<i32>`, and
//! `User::AGE.ge("x")` does not because `&str` is no operand for an `i32` column.

use crate::error::DecodeProblem;
use crate::value::row::Cell;
use crate::value::{Value, ValueKind};

/// A Rust type that can be a model field: `bool`, `i16`, `i32`, `i64`, `f32`, `f64`,
/// `String`, `Vec<u8>`, the rich types of the `chrono`, `uuid`, `json` and `decimal`
/// features ([`crate::value::types`]), and `Option` of each.
///
/// Your own types implement it too: `#[derive(ambidex::SqlField)]` makes a newtype or a
/// fieldless enum a field type, and a hand-written impl can map any type onto a
/// [`ValueKind`] (delegate `to_value` and `from_cell` to a supported type, refuse what your
/// type does not allow with a [`DecodeProblem`]); `docs/guide/types.md` shows both. `to_value`
/// must not panic, and `from_cell` must never return a value other than the one stored.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a supported ambidex field type",
    label = "unsupported field type",
    note = "supported: bool, i16, i32, i64, f32, f64, String, Vec<u8>, the rich types \
            (chrono, uuid, serde_json, rust_decimal; see docs/guide/types.md) and Option of each; \
            #[derive(ambidex::SqlField)] makes a newtype or an enum a field type; mark the \
            field #[ambidex(skip)] if it is not a column"
)]
pub trait SqlField: Sized + Send + Sync + 'static {
    /// The non-NULL type: what comparisons take (`i32` for `Option<i32>`).
    type Inner: SqlField;
    /// The storage kind.
    const KIND: ValueKind;
    /// Whether the column accepts NULL (`Option` fields).
    const NULLABLE: bool;
    /// The Rust type's name, for messages.
    const RUST_NAME: &'static str;
    /// The value to bind for this field.
    fn to_value(&self) -> Value;
    /// Decodes a cell, or says what was found instead.
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeProblem>;
}

/// A value [`crate::ops::raw::Raw::bind`] accepts: every model field type (any
/// [`SqlField`]: the rich types, `#[derive(SqlField)]` enums and newtypes, `Option` of
/// each), `&str`, `&[u8]`, and a [`Value`] built by hand. A field type binds exactly as the
/// model's own statements bind it ([`SqlField::to_value`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to a raw SQL parameter",
    label = "not a field type",
    note = "bind a field type (bool, integers, f32, f64, String, Vec<u8>, the rich types, a \
            #[derive(ambidex::SqlField)] type, Option of each), &str, &[u8] or an ambidex::Value"
)]
pub trait BindValue {
    /// The value to bind.
    fn into_bind_value(self) -> Value;
}

impl<T: SqlField> BindValue for T {
    fn into_bind_value(self) -> Value {
        self.to_value()
    }
}

impl BindValue for Value {
    fn into_bind_value(self) -> Value {
        self
    }
}

impl BindValue for &str {
    fn into_bind_value(self) -> Value {
        Value::from(self)
    }
}

impl BindValue for &[u8] {
    fn into_bind_value(self) -> Value {
        Value::from(self)
    }
}

/// A column type that holds text, so `like`, `contains`... apply.
pub trait TextField: SqlField {}
impl TextField for String {}
impl TextField for Option<String> {}

/// A Rust value that may stand where a field of type `T` is expected.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be compared with or assigned to a column of type `{T}`",
    label = "expected a value of the column's type `{T}`"
)]
pub trait IntoOperand<T> {
    /// The bind value.
    fn into_value(self) -> Value;
}

fn problem(cell: &Cell<'_>, why: &str) -> DecodeProblem {
    if why.is_empty() {
        DecodeProblem::new(cell.describe())
    } else {
        DecodeProblem::new(format!("{} ({why})", cell.describe()))
    }
}

macro_rules! integer_field {
    ($t:ty, $kind:ident, $variant:ident) => {
        impl SqlField for $t {
            type Inner = $t;
            const KIND: ValueKind = ValueKind::$kind;
            const NULLABLE: bool = false;
            const RUST_NAME: &'static str = stringify!($t);
            #[inline]
            fn to_value(&self) -> Value {
                Value::$variant(*self)
            }
            #[inline]
            fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeProblem> {
                match cell {
                    Cell::Int(i) => <$t>::try_from(i)
                        .map_err(|_| problem(&cell, concat!("out of range for ", stringify!($t)))),
                    other => Err(problem(&other, "")),
                }
            }
        }
    };
}
integer_field!(i16, I16, I16);
integer_field!(i32, I32, I32);
integer_field!(i64, I64, I64);

impl SqlField for bool {
    type Inner = bool;
    const KIND: ValueKind = ValueKind::Bool;
    const NULLABLE: bool = false;
    const RUST_NAME: &'static str = "bool";
    #[inline]
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    #[inline]
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeProblem> {
        match cell {
            Cell::Bool(b) => Ok(b),
            Cell::Int(0) => Ok(false),
            Cell::Int(1) => Ok(true),
            Cell::Int(_) => Err(problem(&cell, "a boolean is stored as 0 or 1")),
            other => Err(problem(&other, "")),
        }
    }
}

/// Largest integer magnitude an f64 holds exactly (2^53).
const F64_EXACT: i64 = 1 << 53;
/// Largest integer magnitude an f32 holds exactly (2^24).
const F32_EXACT: i64 = 1 << 24;

impl SqlField for f64 {
    type Inner = f64;
    const KIND: ValueKind = ValueKind::F64;
    const NULLABLE: bool = false;
    const RUST_NAME: &'static str = "f64";
    #[inline]
    fn to_value(&self) -> Value {
        Value::F64(*self)
    }
    #[inline]
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeProblem> {
        match cell {
            Cell::Float(f) => Ok(f),
            Cell::Int(i) if (-F64_EXACT..=F64_EXACT).contains(&i) => Ok(i as f64),
            Cell::Int(_) => Err(problem(&cell, "not exactly representable as f64")),
            other => Err(problem(&other, "")),
        }
    }
}

impl SqlField for f32 {
    type Inner = f32;
    const KIND: ValueKind = ValueKind::F32;
    const NULLABLE: bool = false;
    const RUST_NAME: &'static str = "f32";
    #[inline]
    fn to_value(&self) -> Value {
        Value::F32(*self)
    }
    #[inline]
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeProblem> {
        match cell {
            Cell::Float(f) => {
                let narrowed = f as f32;
                if f.is_finite() && narrowed.is_infinite() {
                    Err(problem(&cell, "out of range for f32"))
                } else {
                    Ok(narrowed)
                }
            }
            Cell::Int(i) if (-F32_EXACT..=F32_EXACT).contains(&i) => Ok(i as f32),
            Cell::Int(_) => Err(problem(&cell, "not exactly representable as f32")),
            other => Err(problem(&other, "")),
        }
    }
}

impl SqlField for String {
    type Inner = String;
    const KIND: ValueKind = ValueKind::Text;
    const NULLABLE: bool = false;
    const RUST_NAME: &'static str = "String";
    #[inline]
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
    #[inline]
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeProblem> {
        match cell {
            Cell::Text(s) => Ok(s.into_owned()),
            // Some drivers report text in a binary collation as bytes (MySQL's BINARY flag);
            // valid UTF-8 is taken as the text it is, anything else is refused, never
            // replaced.
            Cell::Blob(b) => match b {
                std::borrow::Cow::Owned(v) => String::from_utf8(v).map_err(|e| {
                    problem(
                        &Cell::Blob(std::borrow::Cow::Owned(e.into_bytes())),
                        "not valid UTF-8",
                    )
                }),
                std::borrow::Cow::Borrowed(v) => match std::str::from_utf8(v) {
                    Ok(s) => Ok(s.to_owned()),
                    Err(_) => Err(problem(
                        &Cell::Blob(std::borrow::Cow::Borrowed(v)),
                        "not valid UTF-8",
                    )),
                },
            },
            other => Err(problem(&other, "")),
        }
    }
}

impl SqlField for Vec<u8> {
    type Inner = Vec<u8>;
    const KIND: ValueKind = ValueKind::Blob;
    const NULLABLE: bool = false;
    const RUST_NAME: &'static str = "Vec<u8>";
    #[inline]
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
    #[inline]
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeProblem> {
        match cell {
            Cell::Blob(b) => Ok(b.into_owned()),
            // Bytes stored through a text-typed path are still exactly these bytes.
            Cell::Text(s) => Ok(s.into_owned().into_bytes()),
            other => Err(problem(&other, "")),
        }
    }
}

impl<T: SqlField<Inner = T>> SqlField for Option<T> {
    type Inner = T;
    const KIND: ValueKind = T::KIND;
    const NULLABLE: bool = true;
    const RUST_NAME: &'static str = T::RUST_NAME;
    #[inline]
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null(T::KIND),
        }
    }
    #[inline]
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeProblem> {
        match cell {
            Cell::Null => Ok(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

macro_rules! copy_operands {
    ($($t:ty),*) => {$(
        impl IntoOperand<$t> for $t {
            #[inline]
            fn into_value(self) -> Value { self.to_value() }
        }
        impl IntoOperand<Option<$t>> for $t {
            #[inline]
            fn into_value(self) -> Value { self.to_value() }
        }
    )*};
}
copy_operands!(bool, i16, i32, i64, f32, f64);

macro_rules! owned_operands {
    ($target:ty, $variant:ident: $($source:ty => $conv:expr),*) => {$(
        impl IntoOperand<$target> for $source {
            #[inline]
            fn into_value(self) -> Value { Value::$variant(($conv)(self)) }
        }
        impl IntoOperand<Option<$target>> for $source {
            #[inline]
            fn into_value(self) -> Value { Value::$variant(($conv)(self)) }
        }
    )*};
}
owned_operands!(String, Text:
    String => |s| s,
    &str => |s: &str| s.to_owned(),
    &String => |s: &String| s.clone());
owned_operands!(Vec<u8>, Blob:
    Vec<u8> => |b| b,
    &[u8] => |b: &[u8]| b.to_vec(),
    &Vec<u8> => |b: &Vec<u8>| b.clone());

/// An `Option` of any field type may be assigned to its nullable column (`None` is NULL);
/// one impl for every field type, so that derived and hand-written field types (which may
/// not implement a foreign trait for `Option<Local>`) get it too.
impl<T: SqlField<Inner = T>> IntoOperand<Option<T>> for Option<T> {
    #[inline]
    fn into_value(self) -> Value {
        self.to_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn integers_are_range_checked() {
        assert_eq!(i32::from_cell(Cell::Int(7)), Ok(7));
        let err = i32::from_cell(Cell::Int(1 << 40)).unwrap_err();
        assert!(err.found.contains("out of range for i32"), "{err:?}");
        assert!(i16::from_cell(Cell::Int(40_000)).is_err());
        assert!(i64::from_cell(Cell::Float(1.5)).is_err());
    }

    #[test]
    fn null_only_decodes_into_option() {
        assert_eq!(i64::from_cell(Cell::Null).unwrap_err().found, "NULL");
        assert_eq!(Option::<i64>::from_cell(Cell::Null), Ok(None));
        assert_eq!(
            Option::<String>::from_cell(Cell::Text(Cow::Borrowed("x"))),
            Ok(Some("x".into()))
        );
    }

    #[test]
    fn floats_accept_exact_integers_only() {
        assert_eq!(f64::from_cell(Cell::Int(3)), Ok(3.0));
        assert!(f64::from_cell(Cell::Int(i64::MAX)).is_err());
        assert!(f32::from_cell(Cell::Float(1e300)).is_err());
        assert!(
            f32::from_cell(Cell::Float(f64::INFINITY))
                .unwrap()
                .is_infinite()
        );
    }

    #[test]
    fn booleans_are_zero_or_one() {
        assert_eq!(bool::from_cell(Cell::Int(1)), Ok(true));
        assert!(bool::from_cell(Cell::Int(2)).is_err());
    }
}
