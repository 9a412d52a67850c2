//! diesel's SQLite connection: establishing it, running statements, reading cells.

use std::borrow::Cow;
use std::marker::PhantomData;

use ambidex_core::{Cell, Dialect, Error, Executed, Result, RowReader, RowSink, Statement};
use diesel::connection::{DefaultLoadingMode, SimpleConnection};
use diesel::deserialize::FromSqlRow;
use diesel::row::{Field, Row};
use diesel::sql_types::Untyped;
use diesel::sqlite::{Sqlite, SqliteConnection, SqliteType};
use diesel::{Connection as _, RunQueryDsl};

use crate::error::from_diesel;
use crate::statement::DieselStatement;

pub(crate) fn establish(path: &str) -> Result<SqliteConnection> {
    let mut conn = SqliteConnection::establish(path)
        .map_err(|e| Error::connection(&format!("sqlite://{path}"), e))?;
    for sql in Dialect::Sqlite.rules().connection_setup() {
        conn.batch_execute(sql).map_err(|e| from_diesel(Dialect::Sqlite, e))?;
    }
    Ok(conn)
}

/// A row decoded inside diesel's row-building hook.
struct Decoded<S: RowSink>(S::Item);

impl<S: RowSink> FromSqlRow<Untyped, Sqlite> for Decoded<S> {
    #[inline]
    fn build_from_row<'a>(row: &impl Row<'a, Sqlite>) -> diesel::deserialize::Result<Self> {
        S::decode(&Reader { row, _a: PhantomData })
            .map(Decoded)
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
    }
}

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
        let Some(mut value) = field.value() else { return Ok(Cell::Null) };
        Ok(match value.value_type() {
            None => Cell::Null,
            Some(SqliteType::Double) => Cell::Float(value.read_double()),
            Some(SqliteType::Text) => {
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

#[inline]
pub(crate) fn fetch<S: RowSink>(conn: &mut SqliteConnection, statement: &Statement, mut sink: S) -> Result<S> {
    let rows = DieselStatement(statement)
        .load_iter::<Decoded<S>, DefaultLoadingMode>(conn)
        .map_err(|e| from_diesel(Dialect::Sqlite, e))?;
    for row in rows {
        let Decoded(item) = row.map_err(|e| from_diesel(Dialect::Sqlite, e))?;
        sink.push(item)?;
    }
    Ok(sink)
}

#[inline]
pub(crate) fn execute(conn: &mut SqliteConnection, statement: &Statement) -> Result<Executed> {
    let n = DieselStatement(statement).execute(conn).map_err(|e| from_diesel(Dialect::Sqlite, e))?;
    Ok(Executed { rows_affected: n as u64, last_insert_id: None })
}
