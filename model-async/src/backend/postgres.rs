//! PostgreSQL through sqlx: opening the pool, binding values, running statements, reading
//! cells.
//!
//! PostgreSQL types its parameters, so every bind carries a type, NULLs included: a
//! `Value::Null(ValueKind::I32)` goes out as a NULL `int4`, never as an untyped NULL the
//! server would have to guess (and could refuse). Results arrive in the binary format
//! (sqlx prepares every statement) and are read by the type OID the server reports for the
//! column, into the same [`Cell`] the blocking engine makes of the same stored value:
//! `bool` is [`Cell::Bool`], the integers [`Cell::Int`], the floats [`Cell::Float`],
//! `bytea` [`Cell::Blob`] and the text types [`Cell::Text`], the last two borrowed from the
//! row. A type ambidex does not map is read through its text form where its binary form is
//! text (json, xml, enums...) or NUMERIC (rendered as PostgreSQL prints it); anything else
//! is an [`Error::Database`] that names the type, so a raw query can cast it (`::text`).
//!
//! Settings in the URL are sqlx's: `?options=-c%20search_path%3Dapp` is sent as the
//! connection's startup `options`, so every pooled connection uses that search path.

use std::borrow::Cow;

use ambidex_core::{Cell, Dialect, Error, Executed, Result};
use sqlx::ValueRef;
use sqlx::postgres::{
    PgQueryResult, PgRow, PgTypeInfo, PgTypeKind, PgValueFormat, PgValueRef, Postgres,
};

use super::{Backend, Opened, PoolSettings};

/// The PostgreSQL backend.
pub struct PostgresBackend;

/// Opens a PostgreSQL pool for `url`; `redacted` is the URL without its password, for
/// messages.
pub(crate) async fn connect(
    url: &str,
    redacted: String,
    settings: &PoolSettings,
) -> Result<Opened<sqlx::PgPool>> {
    super::open::server_pool::<Postgres>(url, redacted, settings, Dialect::Postgres, |o| o).await
}

impl Backend for PostgresBackend {
    type Db = Postgres;

    const DIALECT: Dialect = Dialect::Postgres;

    const NAME: &'static str = "PostgreSQL";

    fn executed(done: PgQueryResult) -> Executed {
        // Generated keys come back through RETURNING; PostgreSQL reports no insert id.
        Executed {
            rows_affected: done.rows_affected(),
            last_insert_id: None,
        }
    }

    fn cell(row: &PgRow, index: usize) -> Result<Cell<'_>> {
        match super::cell::non_null::<Postgres>(row, index, Self::NAME)? {
            Some(value) => read(&value, index),
            None => Ok(Cell::Null),
        }
    }
}

/// Type OIDs of the built-in types read natively (`pg_type.dat`; stable across versions).
mod oid {
    pub(super) const BOOL: u32 = 16;
    pub(super) const BYTEA: u32 = 17;
    pub(super) const NAME: u32 = 19;
    pub(super) const INT8: u32 = 20;
    pub(super) const INT2: u32 = 21;
    pub(super) const INT4: u32 = 23;
    pub(super) const TEXT: u32 = 25;
    pub(super) const JSON: u32 = 114;
    pub(super) const XML: u32 = 142;
    pub(super) const FLOAT4: u32 = 700;
    pub(super) const FLOAT8: u32 = 701;
    pub(super) const UNKNOWN: u32 = 705;
    pub(super) const BPCHAR: u32 = 1042;
    pub(super) const VARCHAR: u32 = 1043;
    pub(super) const NUMERIC: u32 = 1700;
    pub(super) const JSONB: u32 = 3802;
    pub(super) const DATE: u32 = 1082;
    pub(super) const TIMESTAMP: u32 = 1114;
    pub(super) const TIMESTAMPTZ: u32 = 1184;
    pub(super) const TIME: u32 = 1083;
    pub(super) const UUID: u32 = 2950;
}

/// Reads a non-NULL value by the type the server reported for it.
fn read<'r>(value: &PgValueRef<'r>, index: usize) -> Result<Cell<'r>> {
    let info = value.type_info();
    let bytes = value
        .as_bytes()
        .map_err(|e| unreadable(&info, index, &e.to_string()))?;
    let bad = |why: &str| unreadable(&info, index, why);
    let wrong_length = || bad("unexpected length");
    // A domain is read as the type it is based on.
    let mut base: &PgTypeInfo = &info;
    while let PgTypeKind::Domain(inner) = base.kind() {
        base = inner;
    }
    let Some(type_oid) = base.oid().map(|o| o.0) else {
        return Err(bad("the server reported no type OID"));
    };
    if value.format() == PgValueFormat::Text {
        // Only statements run without parameters through the simple protocol come back as
        // text; sqlx prepares every statement ambidex sends, but read it right anyway.
        return read_text(bytes, type_oid, &info, index);
    }
    Ok(match type_oid {
        oid::BOOL => match bytes {
            [b] => Cell::Bool(*b != 0),
            _ => return Err(bad("a boolean is one byte")),
        },
        oid::INT2 => Cell::Int(i16::from_be_bytes(fixed(bytes).ok_or_else(wrong_length)?).into()),
        oid::INT4 => Cell::Int(i32::from_be_bytes(fixed(bytes).ok_or_else(wrong_length)?).into()),
        oid::INT8 => Cell::Int(i64::from_be_bytes(fixed(bytes).ok_or_else(wrong_length)?)),
        oid::FLOAT4 => {
            Cell::Float(f32::from_be_bytes(fixed(bytes).ok_or_else(wrong_length)?).into())
        }
        oid::FLOAT8 => Cell::Float(f64::from_be_bytes(fixed(bytes).ok_or_else(wrong_length)?)),
        oid::BYTEA => Cell::Blob(Cow::Borrowed(bytes)),
        oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME => text(bytes),
        // Types whose binary form is their text form.
        oid::JSON | oid::XML | oid::UNKNOWN => text(bytes),
        // jsonb: a version byte (1), then the text.
        oid::JSONB => match bytes.split_first() {
            Some((1, json)) => text(json),
            _ => return Err(bad("unknown jsonb format version")),
        },
        oid::NUMERIC => Cell::Text(Cow::Owned(
            ambidex_core::types::wire::pg_numeric_text(bytes)
                .ok_or_else(|| bad("malformed NUMERIC"))?,
        )),
        // Dates, times and UUIDs: their canonical text, made by ambidex-core.
        oid::DATE => Cell::Text(Cow::Owned(
            ambidex_core::types::wire::pg_date_text(bytes).map_err(bad)?,
        )),
        oid::TIMESTAMP | oid::TIMESTAMPTZ => Cell::Text(Cow::Owned(
            ambidex_core::types::wire::pg_timestamp_text(bytes).map_err(bad)?,
        )),
        oid::TIME => Cell::Text(Cow::Owned(
            ambidex_core::types::wire::pg_time_text(bytes).map_err(bad)?,
        )),
        oid::UUID => Cell::Text(Cow::Owned(
            ambidex_core::types::wire::uuid_text(bytes).map_err(bad)?,
        )),
        // An enum's binary form is its label.
        _ if matches!(base.kind(), PgTypeKind::Enum(_)) => text(bytes),
        _ => {
            return Err(bad(
                "ambidex has no mapping for this type; cast it to text in SQL",
            ));
        }
    })
}

/// Reads a value sent in the text format.
fn read_text<'r>(
    bytes: &'r [u8],
    type_oid: u32,
    info: &PgTypeInfo,
    index: usize,
) -> Result<Cell<'r>> {
    let bad = |why: &str| unreadable(info, index, why);
    let s = std::str::from_utf8(bytes).map_err(|_| bad("not valid UTF-8"))?;
    let number = || bad("not a number");
    Ok(match type_oid {
        oid::BOOL => match s {
            "t" => Cell::Bool(true),
            "f" => Cell::Bool(false),
            _ => return Err(bad("not t or f")),
        },
        oid::INT2 | oid::INT4 | oid::INT8 => Cell::Int(s.parse().map_err(|_| number())?),
        oid::FLOAT4 => Cell::Float(s.parse::<f32>().map_err(|_| number())?.into()),
        oid::FLOAT8 => Cell::Float(s.parse().map_err(|_| number())?),
        oid::BYTEA => Cell::Blob(Cow::Owned(
            bytea_hex(s).ok_or_else(|| bad("not hex bytea"))?,
        )),
        _ => Cell::Text(Cow::Borrowed(s)),
    })
}

/// Text bytes as a cell: the text, or (not valid UTF-8) the bytes, for the field decoder
/// to refuse.
fn text(bytes: &[u8]) -> Cell<'_> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cell::Text(Cow::Borrowed(s)),
        Err(_) => Cell::Blob(Cow::Borrowed(bytes)),
    }
}

/// The bytes as an array of exactly `N`.
fn fixed<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    bytes.try_into().ok()
}

/// The error for a value that cannot become a cell; names the type.
fn unreadable(info: &PgTypeInfo, index: usize, why: &str) -> Error {
    super::cell::unreadable(PostgresBackend::NAME, info, index, why)
}

/// A bytea in the text format's hex form (`\x0a0b`).
fn bytea_hex(s: &str) -> Option<Vec<u8>> {
    let hex = s.strip_prefix("\\x")?.as_bytes();
    if hex.len() % 2 != 0 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16);
    hex.chunks_exact(2)
        .map(|pair| u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(ndigits: u16, weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> Vec<u8> {
        let mut out = Vec::new();
        for w in [ndigits, weight as u16, sign, dscale] {
            out.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            out.extend_from_slice(&d.to_be_bytes());
        }
        out
    }

    #[test]
    fn numerics_print_as_postgresql_prints_them() {
        let cases: [(Vec<u8>, &str); 9] = [
            (numeric(0, 0, 0, 0, &[]), "0"),
            (numeric(0, 0, 0, 2, &[]), "0.00"),
            (numeric(1, 0, 0, 0, &[42]), "42"),
            (numeric(2, 1, 0x4000, 0, &[12, 3456]), "-123456"),
            (numeric(2, 0, 0, 3, &[12, 3400]), "12.340"),
            (numeric(1, -1, 0, 4, &[5]), "0.0005"),
            (numeric(1, -2, 0, 6, &[7]), "0.000000"),
            (numeric(1, 1, 0, 0, &[1]), "10000"),
            (numeric(0, 0, 0xC000, 0, &[]), "NaN"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                ambidex_core::types::wire::pg_numeric_text(&bytes).as_deref(),
                Some(expected)
            );
        }
        // Truncated or corrupt input is refused, never a panic.
        assert_eq!(ambidex_core::types::wire::pg_numeric_text(&[0, 1]), None);
        assert_eq!(
            ambidex_core::types::wire::pg_numeric_text(&numeric(2, 0, 0, 0, &[1])),
            None
        );
        assert_eq!(
            ambidex_core::types::wire::pg_numeric_text(&numeric(1, 0, 0, 0, &[10_000])),
            None
        );
        assert_eq!(
            ambidex_core::types::wire::pg_numeric_text(&numeric(0, 0, 0x1234, 0, &[])),
            None
        );
    }

    #[test]
    fn text_bytea_is_hex() {
        assert_eq!(bytea_hex("\\x00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(bytea_hex("\\x0"), None);
        assert_eq!(bytea_hex("00"), None);
        assert_eq!(bytea_hex("\\xzz"), None);
    }
}
