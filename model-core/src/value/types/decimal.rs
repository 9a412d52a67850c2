//! `rust_decimal::Decimal` (feature `decimal`).
//!
//! Precision contract: any `Decimal` (96-bit mantissa, scale 0 to 28) is stored exactly:
//! unconstrained `NUMERIC` on PostgreSQL, `DECIMAL(65,28)` on MySQL/MariaDB (37 integer
//! and 28 fractional digits), its text on SQLite. Values are bound and returned normalized
//! (trailing fractional zeros dropped), so every backend returns the same value. A stored
//! number that a `Decimal` cannot hold exactly (more than 28 fractional digits, or beyond
//! about 7.9e28, or NaN) is a decode error, never a rounded value.

use rust_decimal::Decimal;

use super::decode::{not_a, text_of, typed_field};
use crate::error::DecodeProblem;
use crate::value::row::Cell;

fn decimal_text(d: &Decimal) -> String {
    d.normalize().to_string()
}

/// Drops trailing zeros after the point (MySQL returns every digit of the column's scale),
/// which changes the scale but not the value.
fn trim_fraction(text: &str) -> &str {
    match text.find('.') {
        Some(_) => text.trim_end_matches('0').trim_end_matches('.'),
        None => text,
    }
}

fn parse_decimal(cell: &Cell<'_>) -> Result<Decimal, DecodeProblem> {
    match cell {
        Cell::Int(i) => Ok(Decimal::from(*i)),
        Cell::Float(_) => Err(not_a(
            cell,
            "a floating-point value is not exact; store decimals in a decimal column",
        )),
        _ => {
            let text = text_of(cell).ok_or_else(|| not_a(cell, "expected a decimal number"))?;
            Decimal::from_str_exact(trim_fraction(text))
                .map(|d| d.normalize())
                .map_err(|e| not_a(cell, format!("not exactly representable as a Decimal: {e}")))
        }
    }
}

typed_field!(Decimal, Decimal, "Decimal", decimal_text, parse_decimal);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::field::SqlField;
    use crate::value::{Value, ValueKind};
    use std::borrow::Cow;
    use std::str::FromStr;

    fn text(s: &str) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(s))
    }

    #[test]
    fn exact_or_refused() {
        assert_eq!(
            Decimal::from_str("1.500").unwrap().to_value(),
            Value::Typed(ValueKind::Decimal, "1.5".into())
        );
        assert_eq!(
            Decimal::from_cell(text("1.5000000000000000000000000000")),
            Ok(Decimal::from_str("1.5").unwrap())
        );
        assert_eq!(
            Decimal::from_cell(text(
                "79228162514264337593543950335.0000000000000000000000000000"
            )),
            Ok(Decimal::MAX)
        );
        assert_eq!(Decimal::from_cell(text("100")), Ok(Decimal::from(100)));
        assert_eq!(
            Decimal::from_cell(text("-0.0000000000000000000000000001")),
            Ok(Decimal::from_str("-0.0000000000000000000000000001").unwrap())
        );
        for bad in [
            "0.00000000000000000000000000001",
            "79228162514264337593543950336",
            "NaN",
        ] {
            assert!(Decimal::from_cell(text(bad)).is_err(), "{bad}");
        }
        assert!(Decimal::from_cell(Cell::Float(0.1)).is_err());
    }
}
