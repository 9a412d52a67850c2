//! Numeric order for decimals stored as text on SQLite.
//!
//! SQLite has no exact numeric type, so ambidex stores a `Decimal` as its canonical text
//! (`docs/guide/types.md`). Text sorts by bytes (`"10" < "9"`), so the column is declared
//! `TEXT COLLATE ambidex_decimal` and both engines register this comparison under that
//! name on every SQLite connection: `ORDER BY`, `<`, `BETWEEN`, `MIN` and `MAX` on the
//! column are then numeric and exact, as on PostgreSQL and MySQL. A value that is not a
//! decimal number (written by hand) sorts after every number, by its bytes.

use std::cmp::Ordering;

/// The collation's name, as DDL writes it.
pub const DECIMAL_COLLATION: &str = "ambidex_decimal";

/// A decimal number's text taken apart: sign, integer digits without leading zeros,
/// fraction digits without trailing zeros.
struct Parts<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
}

fn parts(text: &str) -> Option<Parts<'_>> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    // -0 is 0.
    let negative = negative && !(int.is_empty() && frac.is_empty());
    Some(Parts {
        negative,
        int,
        frac,
    })
}

fn magnitude(a: &Parts<'_>, b: &Parts<'_>) -> Ordering {
    a.int
        .len()
        .cmp(&b.int.len())
        .then_with(|| a.int.cmp(b.int))
        .then_with(|| a.frac.cmp(b.frac))
}

/// Compares two decimal texts by their numeric value, exactly, whatever their digits;
/// texts that are not decimal numbers come after all numbers, in byte order.
pub fn decimal_text_order(a: &str, b: &str) -> Ordering {
    match (parts(a), parts(b)) {
        (Some(x), Some(y)) => match (x.negative, y.negative) {
            (false, false) => magnitude(&x, &y),
            (true, true) => magnitude(&y, &x),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        },
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_value_not_by_text() {
        let sorted = [
            "-100",
            "-9.5",
            "-9.25",
            "-1",
            "-0.001",
            "0",
            "0.000001",
            "0.5",
            "1",
            "1.05",
            "9",
            "10",
            "10.5",
            "100",
            "79228162514264337593543950335",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(decimal_text_order(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn equal_values_in_other_spellings_are_equal() {
        for (a, b) in [
            ("1.50", "1.5"),
            ("007", "7"),
            ("-0", "0"),
            ("+2", "2"),
            (".5", "0.5"),
        ] {
            assert_eq!(decimal_text_order(a, b), Ordering::Equal, "{a} vs {b}");
        }
    }

    #[test]
    fn other_text_comes_last_in_a_total_order() {
        assert_eq!(decimal_text_order("abc", "5"), Ordering::Greater);
        assert_eq!(decimal_text_order("5", "abc"), Ordering::Less);
        assert_eq!(decimal_text_order("abc", "abd"), Ordering::Less);
        assert_eq!(decimal_text_order("", "1"), Ordering::Greater);
        assert_eq!(decimal_text_order("-", "1"), Ordering::Greater);
        assert_eq!(decimal_text_order("1.2.3", "1"), Ordering::Greater);
    }
}
