//! `chrono::NaiveDate`, `NaiveDateTime`, `DateTime<Utc>` and `NaiveTime` (feature `chrono`).
//!
//! Canonical text: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS.ffffff` and `HH:MM:SS.ffffff`
//! (always six digits, so the text sorts chronologically where it is stored as text, on
//! SQLite). A `DateTime<Utc>` is
//! stored as its UTC date and time. Binding refuses years outside 0001-9999 and leap
//! seconds (see [`super::check_typed`]).
//!
//! Sub-microsecond precision: every backend stores times to the microsecond, so a value's
//! nanoseconds are **truncated** (toward the past, as `chrono::SubsecRound::trunc_subsecs(v,
//! 6)` does) when it is bound, in a write and in a filter alike: `Utc::now()` can be stored
//! and compared in one call, and a filter on a value finds the row that value was stored
//! as. A field that must never lose a digit is declared [`Exact<T>`](super::Exact): binding
//! it refuses a sub-microsecond part instead.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SubsecRound, Timelike, Utc};

use super::Exact;

use super::decode::{not_a, text_of, typed_field};
use crate::error::DecodeProblem;
use crate::value::row::Cell;

const DATE: &str = "%Y-%m-%d";

fn date_text(d: &NaiveDate) -> String {
    d.format(DATE).to_string()
}

/// The fractional seconds' format: six digits, or nine when the value has nanoseconds (only
/// an [`Exact`] value keeps them, and binding refuses it).
fn fraction(t: &impl Timelike) -> &'static str {
    if t.nanosecond().is_multiple_of(1_000) {
        "%.6f"
    } else {
        "%.9f"
    }
}

/// `YYYY-MM-DD HH:MM:SS.fffffffff` with every digit the value has.
fn exact_datetime_text(dt: &NaiveDateTime) -> String {
    format!(
        "{}{}",
        dt.format("%Y-%m-%d %H:%M:%S"),
        dt.format(fraction(dt))
    )
}

/// `YYYY-MM-DD HH:MM:SS.ffffff`, truncated to the microsecond.
fn datetime_text(dt: &NaiveDateTime) -> String {
    exact_datetime_text(&dt.trunc_subsecs(6))
}

/// `HH:MM:SS.fffffffff` with every digit the value has.
fn exact_time_text(t: &NaiveTime) -> String {
    format!("{}{}", t.format("%H:%M:%S"), t.format(fraction(t)))
}

/// `HH:MM:SS.ffffff`, truncated to the microsecond.
fn time_text(t: &NaiveTime) -> String {
    exact_time_text(&t.trunc_subsecs(6))
}

fn parse_time(cell: &Cell<'_>) -> Result<NaiveTime, DecodeProblem> {
    let text = text_of(cell).ok_or_else(|| not_a(cell, "expected a time of day"))?;
    NaiveTime::parse_from_str(text, "%H:%M:%S%.f").map_err(|e| not_a(cell, e))
}

fn parse_date(cell: &Cell<'_>) -> Result<NaiveDate, DecodeProblem> {
    let text = text_of(cell).ok_or_else(|| not_a(cell, "expected a date"))?;
    NaiveDate::parse_from_str(text, DATE).map_err(|e| not_a(cell, e))
}

/// A date and time in the canonical form, with `T` or a space between the parts; the
/// offset, if any, is returned separately.
fn parse_naive(text: &str) -> Result<NaiveDateTime, chrono::ParseError> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
}

fn parse_datetime(cell: &Cell<'_>) -> Result<NaiveDateTime, DecodeProblem> {
    let text = text_of(cell).ok_or_else(|| not_a(cell, "expected a date and time"))?;
    parse_naive(text).map_err(|e| not_a(cell, e))
}

fn parse_utc(cell: &Cell<'_>) -> Result<DateTime<Utc>, DecodeProblem> {
    let text = text_of(cell).ok_or_else(|| not_a(cell, "expected a date and time in UTC"))?;
    if let Ok(naive) = parse_naive(text) {
        return Ok(naive.and_utc());
    }
    // With an offset: PostgreSQL's text format (`+00`), RFC 3339 (`Z`, `+02:00`).
    DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .map(|dt| dt.with_timezone(&Utc))
        .map_err(|e| not_a(cell, e))
}

typed_field!(NaiveDate, Date, "NaiveDate", date_text, parse_date);
typed_field!(NaiveTime, Time, "NaiveTime", time_text, parse_time);
typed_field!(
    NaiveDateTime,
    DateTime,
    "NaiveDateTime",
    datetime_text,
    parse_datetime
);
typed_field!(
    DateTime<Utc>,
    Timestamp,
    "DateTime<Utc>",
    |v: &DateTime<Utc>| datetime_text(&v.naive_utc()),
    parse_utc
);

typed_field!(
    Exact<NaiveTime>,
    Time,
    "Exact<NaiveTime>",
    |v: &Exact<NaiveTime>| exact_time_text(&v.0),
    |cell: &Cell<'_>| parse_time(cell).map(Exact)
);
typed_field!(
    Exact<NaiveDateTime>,
    DateTime,
    "Exact<NaiveDateTime>",
    |v: &Exact<NaiveDateTime>| exact_datetime_text(&v.0),
    |cell: &Cell<'_>| parse_datetime(cell).map(Exact)
);
typed_field!(
    Exact<DateTime<Utc>>,
    Timestamp,
    "Exact<DateTime<Utc>>",
    |v: &Exact<DateTime<Utc>>| exact_datetime_text(&v.0.naive_utc()),
    |cell: &Cell<'_>| parse_utc(cell).map(Exact)
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::field::SqlField;
    use crate::value::{Value, ValueKind};
    use std::borrow::Cow;

    fn text(s: &str) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(s))
    }

    #[test]
    fn canonical_text_is_fixed_width() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(
            d.to_value(),
            Value::Typed(ValueKind::Date, "2024-02-29".into())
        );
        let dt = d.and_hms_micro_opt(1, 2, 3, 4).unwrap();
        assert_eq!(
            dt.to_value(),
            Value::Typed(ValueKind::DateTime, "2024-02-29 01:02:03.000004".into())
        );
        // Nanoseconds: truncated in a plain field, kept (and refused on binding) in an exact one.
        let nanos = d.and_hms_nano_opt(1, 2, 3, 4_999).unwrap();
        assert_eq!(
            nanos.to_value(),
            Value::Typed(ValueKind::DateTime, "2024-02-29 01:02:03.000004".into())
        );
        assert_eq!(
            Exact(nanos).to_value(),
            Value::Typed(ValueKind::DateTime, "2024-02-29 01:02:03.000004999".into())
        );
        assert_eq!(
            Exact(nanos.and_utc()).to_value(),
            Value::Typed(ValueKind::Timestamp, "2024-02-29 01:02:03.000004999".into())
        );
        let last = d.and_hms_nano_opt(23, 59, 59, 999_999_999).unwrap();
        assert_eq!(
            last.and_utc().to_value(),
            Value::Typed(ValueKind::Timestamp, "2024-02-29 23:59:59.999999".into())
        );
        assert_eq!(
            dt.and_utc().to_value(),
            Value::Typed(ValueKind::Timestamp, "2024-02-29 01:02:03.000004".into())
        );
    }

    #[test]
    fn decodes_every_backends_text() {
        let want = NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_micro_opt(23, 59, 59, 999_999)
            .unwrap();
        for s in ["2024-02-29 23:59:59.999999", "2024-02-29T23:59:59.999999"] {
            assert_eq!(NaiveDateTime::from_cell(text(s)), Ok(want));
            assert_eq!(DateTime::<Utc>::from_cell(text(s)), Ok(want.and_utc()));
        }
        for s in [
            "2024-02-29 23:59:59.999999+00",
            "2024-03-01 01:59:59.999999+02:00",
            "2024-02-29T23:59:59.999999Z",
        ] {
            assert_eq!(
                DateTime::<Utc>::from_cell(text(s)),
                Ok(want.and_utc()),
                "{s}"
            );
        }
        let t = NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap();
        assert_eq!(NaiveTime::from_cell(text("23:59:59.999999")), Ok(t));
        assert_eq!(NaiveTime::from_cell(text("23:59:59.999999")), Ok(t));
        assert_eq!(
            t.to_value(),
            Value::Typed(ValueKind::Time, "23:59:59.999999".into())
        );
        assert_eq!(
            NaiveTime::MIN.to_value(),
            Value::Typed(ValueKind::Time, "00:00:00.000000".into())
        );
        assert!(NaiveTime::from_cell(text("24:00:00")).is_err());
        let err = NaiveDate::from_cell(text("2023-02-29")).unwrap_err();
        assert!(err.found.contains("2023-02-29"), "{err:?}");
        assert!(NaiveDate::from_cell(Cell::Int(3)).is_err());
    }
}
