//! The backends' native binary forms of dates, times and UUIDs, turned into the canonical
//! text the rich field types decode (`docs/guide/types.md`). Engines call these when a driver
//! hands them such a value, so the engines carry bytes and the formats live here, once.
//!
//! Compiled whatever the features: a raw query may select a date column from a model that
//! reads it as a `String`.

use std::fmt::Write as _;

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const PG_EPOCH_DAYS: i64 = 10_957;
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD`.
pub fn date_text(year: i64, month: u32, day: u32) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

/// `YYYY-MM-DD HH:MM:SS.ffffff`, the canonical form of a date and time.
pub fn datetime_text(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    micros: u32,
) -> String {
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{micros:06}")
}

/// A PostgreSQL `date` in the binary format (days since 2000-01-01, big-endian `i32`).
pub fn pg_date_text(bytes: &[u8]) -> Result<String, &'static str> {
    let days = i32::from_be_bytes(bytes.try_into().map_err(|_| "a date is 4 bytes")?);
    if days == i32::MAX || days == i32::MIN {
        return Err("an infinite date has no Rust value");
    }
    let (y, m, d) = civil_from_days(i64::from(days) + PG_EPOCH_DAYS);
    Ok(date_text(y, m, d))
}

/// A PostgreSQL `timestamp` or `timestamptz` in the binary format (microseconds since
/// 2000-01-01 00:00, UTC for `timestamptz`, big-endian `i64`).
pub fn pg_timestamp_text(bytes: &[u8]) -> Result<String, &'static str> {
    let micros = i64::from_be_bytes(bytes.try_into().map_err(|_| "a timestamp is 8 bytes")?);
    if micros == i64::MAX || micros == i64::MIN {
        return Err("an infinite timestamp has no Rust value");
    }
    let days = micros.div_euclid(MICROS_PER_DAY);
    let in_day = micros.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days + PG_EPOCH_DAYS);
    let secs = in_day / 1_000_000;
    Ok(datetime_text(
        y,
        m,
        d,
        (secs / 3600) as u32,
        (secs / 60 % 60) as u32,
        (secs % 60) as u32,
        (in_day % 1_000_000) as u32,
    ))
}

/// `HH:MM:SS.ffffff`, the canonical form of a time of day.
pub fn time_text(hour: u32, minute: u32, second: u32, micros: u32) -> String {
    format!("{hour:02}:{minute:02}:{second:02}.{micros:06}")
}

/// A PostgreSQL `time` in the binary format (microseconds since midnight, big-endian
/// `i64`; `24:00:00` is allowed there and has no `NaiveTime`).
pub fn pg_time_text(bytes: &[u8]) -> Result<String, &'static str> {
    let micros = i64::from_be_bytes(bytes.try_into().map_err(|_| "a time is 8 bytes")?);
    if !(0..MICROS_PER_DAY).contains(&micros) {
        return Err("a time of 24:00:00 or beyond has no NaiveTime value");
    }
    let secs = micros / 1_000_000;
    Ok(time_text(
        (secs / 3600) as u32,
        (secs / 60 % 60) as u32,
        (secs % 60) as u32,
        (micros % 1_000_000) as u32,
    ))
}

/// A MySQL TIME in the binary protocol (a length byte of 0, 8 or 12, then the sign, days
/// (`u32` LE), hours, minutes, seconds and microseconds (`u32` LE)). MySQL's TIME is a
/// duration (-838:59:59 to 838:59:59); only values within one day are a time of day.
/// Values in the text protocol are returned as they are.
pub fn mysql_time_text(bytes: &[u8]) -> Result<String, &'static str> {
    let Some((&len, rest)) = bytes.split_first() else {
        return Err("an empty time value");
    };
    if len > 12 {
        return std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| "a time in the text protocol that is not text");
    }
    if usize::from(len) != rest.len() || !matches!(len, 0 | 8 | 12) {
        return Err("a malformed TIME value");
    }
    if len == 0 {
        return Ok(time_text(0, 0, 0, 0));
    }
    let negative = rest[0] != 0;
    let days = u32::from_le_bytes([rest[1], rest[2], rest[3], rest[4]]);
    if negative || days != 0 || rest[5] >= 24 {
        return Err("a negative TIME or one of a day or more is a duration, not a time of day");
    }
    let micros = rest
        .get(8..12)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    Ok(time_text(
        u32::from(rest[5]),
        u32::from(rest[6]),
        u32::from(rest[7]),
        micros,
    ))
}

/// A 16-byte UUID as lowercase hyphenated text.
pub fn uuid_text(bytes: &[u8]) -> Result<String, &'static str> {
    if bytes.len() != 16 {
        return Err("a UUID is 16 bytes");
    }
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{b:02x}"));
    }
    Ok(out)
}

/// A MySQL DATE, DATETIME or TIMESTAMP in the binary protocol (a length byte of 0, 4, 7
/// or 11, then year (`u16` LE), month, day, hour, minute, second, microseconds (`u32` LE)).
/// `date_only` for DATE columns. Values in the text protocol are returned as they are.
pub fn mysql_temporal_text(bytes: &[u8], date_only: bool) -> Result<String, &'static str> {
    let Some((&len, rest)) = bytes.split_first() else {
        return Err("an empty date value");
    };
    if len > 11 {
        // The text protocol: the server's own `YYYY-MM-DD[ HH:MM:SS[.ffffff]]`.
        return std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| "a date in the text protocol that is not text");
    }
    if usize::from(len) != rest.len() || !matches!(len, 4 | 7 | 11) {
        return Err("a zero or malformed date; the server's NO_ZERO_DATE mode prevents these");
    }
    let year = i64::from(u16::from_le_bytes([rest[0], rest[1]]));
    let (month, day) = (u32::from(rest[2]), u32::from(rest[3]));
    if date_only {
        return Ok(date_text(year, month, day));
    }
    let at = |i: usize| rest.get(i).copied().map_or(0, u32::from);
    let micros = rest
        .get(7..11)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    Ok(datetime_text(year, month, day, at(4), at(5), at(6), micros))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_dates_count_from_2000() {
        assert_eq!(pg_date_text(&0i32.to_be_bytes()).unwrap(), "2000-01-01");
        assert_eq!(pg_date_text(&59i32.to_be_bytes()).unwrap(), "2000-02-29");
        assert_eq!(pg_date_text(&(-1i32).to_be_bytes()).unwrap(), "1999-12-31");
        assert_eq!(
            pg_date_text(&(-730_119i32).to_be_bytes()).unwrap(),
            "0001-01-01"
        );
        assert!(pg_date_text(&i32::MAX.to_be_bytes()).is_err());
        assert_eq!(
            pg_timestamp_text(&(-1i64).to_be_bytes()).unwrap(),
            "1999-12-31 23:59:59.999999"
        );
        let leap_day = (59 * 86_400 + 3_723) * 1_000_000 + 42;
        assert_eq!(
            pg_timestamp_text(&i64::to_be_bytes(leap_day)).unwrap(),
            "2000-02-29 01:02:03.000042"
        );
    }

    #[test]
    fn times_of_day() {
        let t: i64 = (23 * 3600 + 59 * 60 + 58) * 1_000_000 + 7;
        assert_eq!(pg_time_text(&t.to_be_bytes()).unwrap(), "23:59:58.000007");
        assert_eq!(
            pg_time_text(&0i64.to_be_bytes()).unwrap(),
            "00:00:00.000000"
        );
        assert!(pg_time_text(&MICROS_PER_DAY.to_be_bytes()).is_err());
        let mut v = vec![12, 0, 0, 0, 0, 0, 23, 59, 58];
        v.extend_from_slice(&7u32.to_le_bytes());
        assert_eq!(mysql_time_text(&v).unwrap(), "23:59:58.000007");
        assert_eq!(
            mysql_time_text(&[8, 0, 0, 0, 0, 0, 1, 2, 3]).unwrap(),
            "01:02:03.000000"
        );
        assert_eq!(mysql_time_text(&[0]).unwrap(), "00:00:00.000000");
        assert!(
            mysql_time_text(&[8, 1, 0, 0, 0, 0, 1, 2, 3]).is_err(),
            "negative"
        );
        assert!(
            mysql_time_text(&[8, 0, 1, 0, 0, 0, 1, 2, 3]).is_err(),
            "a day"
        );
        assert_eq!(mysql_time_text(b"12:34:56").unwrap(), "12:34:56");
    }

    #[test]
    fn civil_dates_round_the_400_year_cycle() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
        assert_eq!(civil_from_days(2_932_896), (9999, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-25_508), (1900, 3, 1));
    }

    #[test]
    fn mysql_binary_temporals() {
        let mut v = vec![11, 0xE8, 0x07, 2, 29, 23, 59, 58];
        v.extend_from_slice(&123_456u32.to_le_bytes());
        assert_eq!(
            mysql_temporal_text(&v, false).unwrap(),
            "2024-02-29 23:59:58.123456"
        );
        assert_eq!(
            mysql_temporal_text(&[4, 0xE8, 0x07, 2, 29], true).unwrap(),
            "2024-02-29"
        );
        assert_eq!(
            mysql_temporal_text(&[4, 0xE8, 0x07, 2, 29], false).unwrap(),
            "2024-02-29 00:00:00.000000"
        );
        assert!(mysql_temporal_text(&[0], false).is_err());
        assert_eq!(
            mysql_temporal_text(b"2024-02-29", true).unwrap(),
            "2024-02-29"
        );
        assert_eq!(
            uuid_text(&[0xab; 16]).unwrap(),
            "abababab-abab-abab-abab-abababababab"
        );
    }
}

/// A PostgreSQL NUMERIC in the binary format, printed as PostgreSQL prints it
/// (`numeric_out`), including `NaN` and (PostgreSQL 14+) `Infinity` / `-Infinity`; `None`
/// for a malformed value (wrong length, unknown sign, a digit of 10000 or more).
///
/// The format: digit count, weight (power of 10000 of the first digit), sign, display
/// scale, then the base-10000 digits, each an `i16`, all big-endian.
pub fn pg_numeric_text(bytes: &[u8]) -> Option<String> {
    let word = |at: usize| -> Option<u16> {
        Some(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]))
    };
    let ndigits = usize::from(word(0)?);
    let weight = i64::from(word(2)? as i16);
    let sign = word(4)?;
    let dscale = usize::from(word(6)?);
    if bytes.len() != 8 + 2 * ndigits {
        return None;
    }
    match sign {
        0xC000 => return Some("NaN".into()),
        0xD000 => return Some("Infinity".into()),
        0xF000 => return Some("-Infinity".into()),
        0x0000 | 0x4000 => {}
        _ => return None,
    }
    // Digit `k` holds the group worth 10000^(weight - k); absent digits are zero.
    let digit = |k: i64| -> Option<u16> {
        match usize::try_from(k) {
            Ok(k) if k < ndigits => word(8 + 2 * k).filter(|d| *d < 10_000),
            _ => Some(0),
        }
    };
    let mut out = String::with_capacity(8 + 4 * (weight.max(0) as usize + 1) + dscale);
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for k in 0..=weight {
            let d = digit(k)?;
            if k == 0 {
                let _ = write!(out, "{d}");
            } else {
                let _ = write!(out, "{d:04}");
            }
        }
    }
    if dscale > 0 {
        out.push('.');
        let mut written = 0;
        let mut k = weight + 1;
        while written < dscale {
            let group = digit(k)?;
            for place in [1000, 100, 10, 1] {
                if written == dscale {
                    break;
                }
                out.push(char::from(b'0' + (group / place % 10) as u8));
                written += 1;
            }
            k += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod numeric_tests {
    use super::pg_numeric_text;

    fn encode(ndigits: u16, weight: i16, sign: u16, scale: u16, digits: &[u16]) -> Vec<u8> {
        let mut out = Vec::new();
        for w in [ndigits, weight as u16, sign, scale]
            .into_iter()
            .chain(digits.iter().copied())
        {
            out.extend_from_slice(&w.to_be_bytes());
        }
        out
    }

    #[test]
    fn numerics_print_as_postgresql_prints_them() {
        let text = |b: Vec<u8>| pg_numeric_text(&b);
        assert_eq!(
            text(encode(2, 0, 0x4000, 2, &[12, 5000])).as_deref(),
            Some("-12.50")
        );
        assert_eq!(text(encode(2, 1, 0, 0, &[1, 2])).as_deref(), Some("10002"));
        assert_eq!(text(encode(1, -1, 0, 4, &[5])).as_deref(), Some("0.0005"));
        assert_eq!(text(encode(0, 0, 0, 0, &[])).as_deref(), Some("0"));
        assert_eq!(
            text(encode(0, 0, 0xD000, 0, &[])).as_deref(),
            Some("Infinity")
        );
        assert_eq!(
            text(encode(0, 0, 0xF000, 0, &[])).as_deref(),
            Some("-Infinity")
        );
        assert_eq!(text(encode(0, 0, 0xC000, 0, &[])).as_deref(), Some("NaN"));
        // Malformed: truncated, a digit of 10000, an unknown sign.
        assert_eq!(pg_numeric_text(&[0, 1]), None);
        assert_eq!(text(encode(1, 0, 0, 0, &[10_000])), None);
        assert_eq!(text(encode(0, 0, 0x1234, 0, &[])), None);
    }
}
