//! diesel's MySQL/MariaDB connection: opening it and reading values by their wire type.

use std::borrow::Cow;

use ambidex_core::types::wire;
use ambidex_core::{Cell, Dialect, Error, Result};
use diesel::deserialize::FromSql;
use diesel::mysql::data_types::MysqlTime;
use diesel::mysql::{Mysql, MysqlConnection, MysqlType, MysqlValue};
use diesel::row::Field;
use diesel::sql_types;

use super::rows::ReadCell;

pub(crate) fn establish(url: &str) -> Result<MysqlConnection> {
    super::establish_server(url, Dialect::Mysql)
}

/// The failed statement's condition, copied into session variables by
/// [`MysqlConnection::last_error_code`].
#[derive(diesel::QueryableByName)]
struct Condition {
    #[diesel(sql_type = sql_types::Nullable<sql_types::BigInt>)]
    errno: Option<i64>,
    #[diesel(sql_type = sql_types::Nullable<sql_types::Text>)]
    message: Option<String>,
}

/// diesel keeps only the message of a failed statement (it reads `mysql_stmt_errno` to pick
/// an error kind, then drops the number), so the number is read back from the server's
/// diagnostics area: `GET DIAGNOSTICS` (sent as text: a diagnostic statement, it leaves the
/// area as it is, and a prepared `SHOW ERRORS` has no result metadata for diesel) copies
/// it into session variables, which a `SELECT` reads. Only a failure the server raised is
/// there: the number is trusted when its message is the one diesel reported, so an entry
/// left by an earlier statement, or an error the client raised itself (a lost connection,
/// whose statement never reached the server), gives `None`, and the dialect classifies by
/// the message. Two more round trips, on failures only.
impl crate::error::ServerCode for MysqlConnection {
    fn last_error_code(&mut self, message: &str) -> Option<String> {
        use diesel::RunQueryDsl;
        use diesel::connection::SimpleConnection;
        self.batch_execute(
            "GET DIAGNOSTICS CONDITION 1 \
             @ambidex_errno = MYSQL_ERRNO, @ambidex_message = MESSAGE_TEXT",
        )
        .ok()?;
        let condition: Condition = diesel::sql_query(
            "SELECT CAST(@ambidex_errno AS SIGNED) AS errno, \
             CAST(@ambidex_message AS CHAR) AS message",
        )
        .get_result(self)
        .ok()?;
        match condition {
            Condition {
                errno: Some(errno),
                message: Some(said),
            } if said == message => Some(errno.to_string()),
            _ => None,
        }
    }
}

/// Reads cells by the wire type the server reported.
impl ReadCell for Mysql {
    const NAME: &'static str = "MySQL";

    fn type_name(value: MysqlValue<'_>) -> Option<Cow<'static, str>> {
        type_name_of(value.value_type())
    }

    #[inline]
    fn cell<'f, 'v>(
        _field: &'v impl Field<'f, Mysql>,
        value: MysqlValue<'v>,
        index: usize,
    ) -> Result<Cell<'static>> {
        Ok(match value.value_type() {
            MysqlType::Tiny
            | MysqlType::UnsignedTiny
            | MysqlType::Short
            | MysqlType::UnsignedShort
            | MysqlType::Long
            | MysqlType::UnsignedLong
            | MysqlType::LongLong => {
                Cell::Int(<i64 as FromSql<sql_types::BigInt, Mysql>>::from_sql(value).map_err(bad)?)
            }
            MysqlType::UnsignedLongLong => {
                let v = <u64 as FromSql<sql_types::Unsigned<sql_types::BigInt>, Mysql>>::from_sql(
                    value,
                )
                .map_err(bad)?;
                match i64::try_from(v) {
                    Ok(i) => Cell::Int(i),
                    Err(_) => Cell::Float(v as f64),
                }
            }
            MysqlType::Float | MysqlType::Double => Cell::Float(
                <f64 as FromSql<sql_types::Double, Mysql>>::from_sql(value).map_err(bad)?,
            ),
            MysqlType::Blob => Cell::Blob(Cow::Owned(value.as_bytes().to_vec())),
            // Text, DECIMAL (sent as its decimal text), ENUM and SET arrive as text.
            MysqlType::String | MysqlType::Numeric | MysqlType::Enum | MysqlType::Set => {
                match std::str::from_utf8(value.as_bytes()) {
                    Ok(s) => Cell::Text(Cow::Owned(s.to_owned())),
                    Err(_) => Cell::Blob(Cow::Owned(value.as_bytes().to_vec())),
                }
            }
            // DATE, DATETIME, TIMESTAMP: the canonical text, made by ambidex-core.
            kind @ (MysqlType::Date | MysqlType::DateTime | MysqlType::Timestamp) => {
                let t = <MysqlTime as FromSql<sql_types::Timestamp, Mysql>>::from_sql(value)
                    .map_err(bad)?;
                let year = i64::from(t.year);
                // By the column's type: the client marks a DATETIME at midnight as a date.
                Cell::Text(Cow::Owned(if kind == MysqlType::Date {
                    wire::date_text(year, t.month, t.day)
                } else {
                    wire::datetime_text(
                        year,
                        t.month,
                        t.day,
                        t.hour,
                        t.minute,
                        t.second,
                        u32::try_from(t.second_part).unwrap_or(u32::MAX),
                    )
                }))
            }
            // TIME: a duration on MySQL; only one within a day is a time of day.
            MysqlType::Time => {
                let t =
                    <MysqlTime as FromSql<sql_types::Time, Mysql>>::from_sql(value).map_err(bad)?;
                if t.neg || t.day != 0 || t.hour >= 24 {
                    return Err(bad(
                        "a negative TIME or one of a day or more is a duration, not a time of day"
                            .into(),
                    ));
                }
                Cell::Text(Cow::Owned(wire::time_text(
                    t.hour,
                    t.minute,
                    t.second,
                    u32::try_from(t.second_part).unwrap_or(u32::MAX),
                )))
            }
            other => {
                return Err(Error::Database {
                    code: None,
                    message: format!(
                        "column {} has MySQL type {other:?}, which ambidex does not read; cast it \
                         to CHAR in the query",
                        index + 1
                    ),
                });
            }
        })
    }
}

/// The server's type for the wire types whose cell hides it (a DECIMAL, a date or a time
/// arrives as text), named as sqlx names them; the others show what they are in the cell.
fn type_name_of(kind: MysqlType) -> Option<Cow<'static, str>> {
    Some(Cow::Borrowed(match kind {
        MysqlType::Numeric => "DECIMAL",
        MysqlType::Date => "DATE",
        MysqlType::DateTime => "DATETIME",
        MysqlType::Timestamp => "TIMESTAMP",
        MysqlType::Time => "TIME",
        MysqlType::Enum => "ENUM",
        MysqlType::Set => "SET",
        MysqlType::Bit => "BIT",
        _ => return None,
    }))
}

/// The error for a value diesel could not read.
fn bad(e: Box<dyn std::error::Error + Send + Sync>) -> Error {
    super::rows::unreadable::<Mysql>(e)
}
