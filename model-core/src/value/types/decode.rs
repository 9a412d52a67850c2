//! What every rich type's field impl shares: reading text out of a cell, describing a
//! cell that is not the type, and the `SqlField`/`IntoOperand` impls themselves.

use crate::error::DecodeProblem;
use crate::value::row::Cell;

/// The text of a cell for a type decoded from text: `Text`, or `Blob` that is valid UTF-8
/// (MySQL reports binary-collated text as bytes).
pub(crate) fn text_of<'c>(cell: &'c Cell<'_>) -> Option<&'c str> {
    match cell {
        Cell::Text(s) => Some(s),
        Cell::Blob(b) => std::str::from_utf8(b).ok(),
        _ => None,
    }
}

/// The problem for a cell that is not a `what`: the cell, and why.
pub(crate) fn not_a(cell: &Cell<'_>, why: impl std::fmt::Display) -> DecodeProblem {
    // Text a driver reported as bytes (a binary collation) is shown as the text it is.
    let shown = match (cell, text_of(cell)) {
        (Cell::Blob(_), Some(text)) => Cell::Text(std::borrow::Cow::Borrowed(text)).describe(),
        _ => cell.describe(),
    };
    DecodeProblem::new(format!("{shown} ({why})"))
}

/// `SqlField` and `IntoOperand` for a rich type stored as [`Value::Typed`](crate::Value::Typed) text: `$kind`
/// the kind, `$name` the Rust name for messages, `$to_text` its canonical text, `$from`
/// its decoder from a cell.
macro_rules! typed_field {
    ($t:ty, $kind:ident, $name:expr, $to_text:expr, $from:expr) => {
        impl $crate::value::field::SqlField for $t {
            type Inner = $t;
            const KIND: $crate::value::ValueKind = $crate::value::ValueKind::$kind;
            const NULLABLE: bool = false;
            const RUST_NAME: &'static str = $name;
            #[inline]
            fn to_value(&self) -> $crate::value::Value {
                $crate::value::Value::Typed($crate::value::ValueKind::$kind, ($to_text)(self))
            }
            #[inline]
            fn from_cell(
                cell: $crate::value::row::Cell<'_>,
            ) -> Result<Self, $crate::error::DecodeProblem> {
                ($from)(&cell)
            }
        }
        impl $crate::value::field::IntoOperand<$t> for $t {
            #[inline]
            fn into_value(self) -> $crate::value::Value {
                $crate::value::field::SqlField::to_value(&self)
            }
        }
        impl $crate::value::field::IntoOperand<$t> for &$t {
            #[inline]
            fn into_value(self) -> $crate::value::Value {
                $crate::value::field::SqlField::to_value(self)
            }
        }
        impl $crate::value::field::IntoOperand<Option<$t>> for $t {
            #[inline]
            fn into_value(self) -> $crate::value::Value {
                $crate::value::field::SqlField::to_value(&self)
            }
        }
        impl $crate::value::field::IntoOperand<Option<$t>> for &$t {
            #[inline]
            fn into_value(self) -> $crate::value::Value {
                $crate::value::field::SqlField::to_value(self)
            }
        }
    };
}
pub(crate) use typed_field;
