//! diesel's SQLite connection: opening it and reading SQLite's dynamically typed values.

use std::borrow::Cow;
use std::marker::PhantomData;

use ambidex_core::types::{DECIMAL_COLLATION, decimal_text_order};
use ambidex_core::{Cell, Dialect, Error, Result, RowReader};
use diesel::Connection as _;
use diesel::row::{Field, Row};
use diesel::sqlite::{Sqlite, SqliteConnection, SqliteType};

use super::{decoded_rows, diesel_io, run_setup};

pub(crate) fn establish(path: &str) -> Result<SqliteConnection> {
    let mut conn = SqliteConnection::establish(path)
        .map_err(|e| Error::connection(&format!("sqlite://{path}"), e))?;
    // diesel 2.3 calls a collation with its arguments swapped (`callback(rhs, lhs)` in
    // `run_collation_function`), so they are swapped back here; the conformance scenario
    // `decimals_compare_and_sort_by_value` fails if that ever changes.
    conn.register_collation(DECIMAL_COLLATION, |rhs, lhs| decimal_text_order(lhs, rhs))
        .map_err(|e| Error::connection(&format!("sqlite://{path}"), e))?;
    run_setup(&mut conn, Dialect::Sqlite)?;
    Ok(conn)
}

diesel_io!(SqliteConnection, Dialect::Sqlite);
decoded_rows!(Sqlite, Reader);

/// Reads cells by the storage class of each value.
struct Reader<'x, 'a, R> {
    row: &'x R,
    _a: PhantomData<&'a ()>,
}

impl<'a, R: Row<'a, Sqlite>> RowReader for Reader<'_, 'a, R> {
    #[inline]
    fn width(&self) -> usize {
        self.row.field_count()
    }

    #[inline]
    fn cell(&self, index: usize) -> Result<Cell<'_>> {
        let field = self
            .row
            .get(index)
            .ok_or_else(|| Error::Internal(format!("row has no column {index}").into()))?;
        let Some(mut value) = field.value() else {
            return Ok(Cell::Null);
        };
        Ok(match value.value_type() {
            None => Cell::Null,
            Some(SqliteType::Double) => Cell::Float(value.read_double()),
            Some(SqliteType::Text) => {
                // Read the bytes, not diesel's text, which replaces invalid UTF-8.
                let bytes = value.read_blob();
                match std::str::from_utf8(bytes) {
                    Ok(s) => Cell::Text(Cow::Owned(s.to_owned())),
                    Err(_) => Cell::Blob(Cow::Owned(bytes.to_vec())),
                }
            }
            Some(SqliteType::Binary) => Cell::Blob(Cow::Owned(value.read_blob().to_vec())),
            Some(_) => Cell::Int(value.read_long()),
        })
    }
}
