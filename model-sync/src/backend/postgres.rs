//! diesel's PostgreSQL connection: opening it and reading values by their type OID.

use std::borrow::Cow;

use ambidex_core::types::wire;
use ambidex_core::{Cell, Dialect, Error, Result};
use diesel::deserialize::FromSql;
use diesel::pg::{Pg, PgConnection, PgValue};
use diesel::row::Field;
use diesel::sql_types;

use super::rows::ReadCell;

/// libpq has the SQLSTATE, but diesel 2.3 drops it with the result and PostgreSQL keeps no
/// "last error" to ask for: the code comes from diesel's error kind
/// (`crate::error`), else the failure is classified by its message.
impl crate::error::ServerCode for PgConnection {}

pub(crate) fn establish(url: &str) -> Result<PgConnection> {
    super::establish_server(url, Dialect::Postgres)
}

/// Reads cells by type OID (binary protocol).
impl ReadCell for Pg {
    const NAME: &'static str = "PostgreSQL";

    fn type_name(value: PgValue<'_>) -> Option<Cow<'static, str>> {
        Some(type_name_of(value.get_oid().get()))
    }

    #[inline]
    fn cell<'f, 'v>(
        _field: &'v impl Field<'f, Pg>,
        value: PgValue<'v>,
        index: usize,
    ) -> Result<Cell<'static>> {
        let oid = value.get_oid().get();
        Ok(match oid {
            16 => Cell::Bool(<bool as FromSql<sql_types::Bool, Pg>>::from_sql(value).map_err(bad)?),
            21 => Cell::Int(
                <i16 as FromSql<sql_types::SmallInt, Pg>>::from_sql(value)
                    .map_err(bad)?
                    .into(),
            ),
            23 => Cell::Int(
                <i32 as FromSql<sql_types::Integer, Pg>>::from_sql(value)
                    .map_err(bad)?
                    .into(),
            ),
            20 => Cell::Int(<i64 as FromSql<sql_types::BigInt, Pg>>::from_sql(value).map_err(bad)?),
            700 => Cell::Float(
                <f32 as FromSql<sql_types::Float, Pg>>::from_sql(value)
                    .map_err(bad)?
                    .into(),
            ),
            701 => {
                Cell::Float(<f64 as FromSql<sql_types::Double, Pg>>::from_sql(value).map_err(bad)?)
            }
            17 => Cell::Blob(Cow::Owned(value.as_bytes().to_vec())),
            // text, varchar, bpchar, name, json, xml: UTF-8 text in the binary protocol too
            25 | 1043 | 1042 | 19 | 114 | 142 => text_cell(value.as_bytes()),
            // jsonb: a version byte, then the JSON text
            3802 => text_cell(value.as_bytes().get(1..).unwrap_or_default()),
            1700 => Cell::Text(Cow::Owned(
                ambidex_core::types::wire::pg_numeric_text(value.as_bytes()).ok_or_else(|| {
                    Error::Database {
                        code: None,
                        message: "malformed NUMERIC value".into(),
                    }
                })?,
            )),
            // date, timestamp, timestamptz, time, uuid: their canonical text, made by ambidex-core.
            1082 => wire_text(wire::pg_date_text(value.as_bytes()), index)?,
            1114 | 1184 => wire_text(wire::pg_timestamp_text(value.as_bytes()), index)?,
            1083 => wire_text(wire::pg_time_text(value.as_bytes()), index)?,
            2950 => wire_text(wire::uuid_text(value.as_bytes()), index)?,
            other => {
                return Err(Error::Database {
                    code: None,
                    message: format!(
                        "column {} has PostgreSQL type OID {other}, which ambidex does not read; \
                         cast it to text in the query",
                        index + 1
                    ),
                });
            }
        })
    }
}

/// The name sqlx gives PostgreSQL's type `oid` (the type's SQL name, upper case), so a
/// decode error names the column's type the same way in both engines.
fn type_name_of(oid: u32) -> Cow<'static, str> {
    Cow::Borrowed(match oid {
        16 => "BOOL",
        17 => "BYTEA",
        19 => "NAME",
        20 => "INT8",
        21 => "INT2",
        23 => "INT4",
        25 => "TEXT",
        114 => "JSON",
        142 => "XML",
        700 => "FLOAT4",
        701 => "FLOAT8",
        1042 => "CHAR",
        1043 => "VARCHAR",
        1082 => "DATE",
        1083 => "TIME",
        1114 => "TIMESTAMP",
        1184 => "TIMESTAMPTZ",
        1700 => "NUMERIC",
        2950 => "UUID",
        3802 => "JSONB",
        other => return Cow::Owned(format!("OID {other}")),
    })
}

/// The error for a value diesel could not read.
fn bad(e: Box<dyn std::error::Error + Send + Sync>) -> Error {
    super::rows::unreadable::<Pg>(e)
}

/// A value ambidex-core turned into text, or the error that names its column.
fn wire_text(text: Result<String, &'static str>, index: usize) -> Result<Cell<'static>> {
    text.map(|t| Cell::Text(Cow::Owned(t)))
        .map_err(|why| Error::Database {
            code: None,
            message: format!(
                "cannot read a PostgreSQL value in column {}: {why}",
                index + 1
            ),
        })
}

fn text_cell(bytes: &[u8]) -> Cell<'static> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cell::Text(Cow::Owned(s.to_owned())),
        Err(_) => Cell::Blob(Cow::Owned(bytes.to_vec())),
    }
}
