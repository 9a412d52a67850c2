//! MySQL and MariaDB through sqlx: opening the pool, binding values, running statements,
//! reading cells.
//!
//! Cells are read by the column type and flags the server reports, exactly as the blocking
//! engine reads them, so both worlds see the same [`Cell`] for the same stored value: every
//! integer type (BOOLEAN is TINYINT(1)) is [`Cell::Int`], an unsigned BIGINT above
//! `i64::MAX` a [`Cell::Float`]; FLOAT and DOUBLE are [`Cell::Float`]; DECIMAL is the
//! [`Cell::Text`] of its decimal form; character types are [`Cell::Text`] and binary ones
//! [`Cell::Blob`], both borrowed from the row. A character column with a binary collation
//! (`utf8mb4_bin`, which ambidex's DDL uses so that text compares exactly) carries the
//! server's BINARY flag and is read as [`Cell::Blob`], as diesel reads it; ambidex-core
//! decodes valid UTF-8 bytes into a `String`.
//!
//! Two connection details matter for ambidex's semantics:
//!
//! - *Affected rows count matched rows.* sqlx always asks for the `CLIENT_FOUND_ROWS`
//!   capability (as diesel does), so an `UPDATE` that sets a row to the values it already
//!   holds reports 1, not 0, and an instance `update` of an unchanged row succeeds instead
//!   of reporting `NotFound`.
//! - *The session's SQL mode is the dialect's.* sqlx would append `PIPES_AS_CONCAT` and
//!   `NO_ENGINE_SUBSTITUTION` to the server's `sql_mode`; that is turned off so that `||`
//!   and engine substitution mean on this engine what they mean on diesel's, and the
//!   dialect's `connection_setup` (shared with the blocking engine) is the only place that
//!   changes session settings. Like diesel, sqlx sets the connection to `utf8mb4` and the
//!   time zone to UTC.
//!
//! sqlx cannot log in with an empty password (sqlx issue 3484); such a refused login is an
//! [`Error::Authentication`] that says so.

use std::borrow::Cow;

use ambidex_core::{Cell, Dialect, Error, Executed, Plan, Result};
use sqlx::mysql::{MySql, MySqlQueryResult, MySqlRow, MySqlTypeInfo, MySqlValueRef};
use sqlx::{Decode, Type, TypeInfo, ValueRef};

use super::{Backend, Opened, PoolSettings};

/// The MySQL / MariaDB backend.
pub struct MysqlBackend;

/// Opens a MySQL / MariaDB pool for `url` (scheme already normalized to `mysql://`);
/// `redacted` is the URL without its password, for messages.
pub(crate) async fn connect(
    url: &str,
    redacted: String,
    settings: &PoolSettings,
) -> Result<Opened<sqlx::MySqlPool>> {
    let mut opened =
        super::open::server_pool::<MySql>(url, redacted, settings, Dialect::Mysql, |options| {
            // The SQL mode is the dialect's business (see the module docs).
            options.pipes_as_concat(false).no_engine_substitution(false)
        })
        .await?;
    // MySQL or MariaDB: learned once, on a connection of the pool, by the plan the
    // blocking engine runs on each of its connections. Every connection of the pool
    // reaches the same server.
    let ctx = std::sync::Arc::new(opened.ctx.clone());
    let mut conn = crate::connection::SqlxConn::<MysqlBackend>::acquire(&opened.pool, &ctx).await?;
    opened.ctx.server = ambidex_core::ops::IdentifyServer.run(&mut conn).await?;
    Ok(opened)
}

impl Backend for MysqlBackend {
    type Db = MySql;

    const DIALECT: Dialect = Dialect::Mysql;

    const NAME: &'static str = "MySQL";

    fn executed(done: MySqlQueryResult) -> Executed {
        // 0 means the statement generated no key. A key past i64::MAX (an unsigned
        // BIGINT column) is not reported: the core then reads it with the dialect's
        // `SELECT LAST_INSERT_ID()` and fails to decode it into an i64 key.
        let id = done.last_insert_id();
        Executed {
            // Matched rows, not changed rows: see the module docs (CLIENT_FOUND_ROWS).
            rows_affected: done.rows_affected(),
            last_insert_id: (id != 0).then(|| i64::try_from(id).ok()).flatten(),
        }
    }

    fn cell(row: &MySqlRow, index: usize) -> Result<Cell<'_>> {
        let Some(value) = super::cell::non_null::<MySql>(row, index, Self::NAME)? else {
            return Ok(Cell::Null);
        };
        let info: MySqlTypeInfo = value.type_info().into_owned();
        let bad = |e: &dyn std::fmt::Display| unreadable(&info, index, e);
        if <i64 as Type<MySql>>::compatible(&info) {
            // Signed TINYINT (BOOLEAN too), SMALLINT, MEDIUMINT, INT, BIGINT.
            <i64 as Decode<MySql>>::decode(value)
                .map(Cell::Int)
                .map_err(|e| bad(&e))
        } else if <u64 as Type<MySql>>::compatible(&info) {
            // Unsigned integers, YEAR and BIT; past i64::MAX a float, as on diesel.
            <u64 as Decode<MySql>>::decode(value)
                .map(|n| i64::try_from(n).map_or(Cell::Float(n as f64), Cell::Int))
                .map_err(|e| bad(&e))
        } else if <f64 as Type<MySql>>::compatible(&info) {
            <f64 as Decode<MySql>>::decode(value)
                .map(Cell::Float)
                .map_err(|e| bad(&e))
        } else {
            let kind = match ColumnClass::of(&info) {
                Some(kind) => kind,
                None => {
                    return Err(bad(
                        &"ambidex has no mapping for this type; cast it to CHAR in SQL",
                    ));
                }
            };
            let bytes = bytes(value).map_err(|e| bad(&e))?;
            Ok(match kind {
                ColumnClass::Text => match std::str::from_utf8(bytes) {
                    Ok(s) => Cell::Text(Cow::Borrowed(s)),
                    // Not valid UTF-8: hand over the bytes, so the field decoder can say so.
                    Err(_) => Cell::Blob(Cow::Borrowed(bytes)),
                },
                ColumnClass::Binary => Cell::Blob(Cow::Borrowed(bytes)),
                ColumnClass::Temporal { date_only } => Cell::Text(Cow::Owned(
                    ambidex_core::types::wire::mysql_temporal_text(bytes, date_only)
                        .map_err(|e| bad(&e))?,
                )),
                ColumnClass::Time => Cell::Text(Cow::Owned(
                    ambidex_core::types::wire::mysql_time_text(bytes).map_err(|e| bad(&e))?,
                )),
            })
        }
    }
}

/// How a non-numeric column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnClass {
    /// Characters (and DECIMAL, which the server sends as its decimal text).
    Text,
    /// Bytes: a binary type, or a character type with the BINARY flag (binary collation).
    Binary,
    /// DATE (`date_only`), DATETIME or TIMESTAMP, read into canonical text by ambidex-core.
    Temporal {
        /// Whether the column is a DATE.
        date_only: bool,
    },
    /// TIME, read into canonical text by ambidex-core.
    Time,
}

impl ColumnClass {
    /// The class of a column by the type name sqlx derives from the column's type and its
    /// BINARY flag (the only public view of the flag); `None` for types ambidex does not
    /// read (geometry).
    fn of(info: &MySqlTypeInfo) -> Option<ColumnClass> {
        match info.name() {
            "DECIMAL" | "CHAR" | "VARCHAR" | "TINYTEXT" | "TEXT" | "MEDIUMTEXT" | "LONGTEXT"
            | "ENUM" | "SET" | "JSON" => Some(ColumnClass::Text),
            "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" => {
                Some(ColumnClass::Binary)
            }
            "DATE" => Some(ColumnClass::Temporal { date_only: true }),
            "DATETIME" | "TIMESTAMP" => Some(ColumnClass::Temporal { date_only: false }),
            "TIME" => Some(ColumnClass::Time),
            _ => None,
        }
    }
}

/// The raw bytes of a value: for character, binary and DECIMAL columns, what the server
/// sent (the binary protocol sends them as length-prefixed strings).
fn bytes(value: MySqlValueRef<'_>) -> Result<&[u8], sqlx::error::BoxDynError> {
    <&[u8] as Decode<MySql>>::decode(value)
}

/// The error for a value that cannot become a cell; names the type.
fn unreadable(info: &MySqlTypeInfo, index: usize, why: &dyn std::fmt::Display) -> Error {
    super::cell::unreadable(MysqlBackend::NAME, info, index, why)
}
