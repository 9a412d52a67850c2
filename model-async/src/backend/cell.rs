//! What reading a cell shares between the sqlx backends: the check that a raw query
//! selected enough columns, the raw value (NULL handled once), and the error that names a
//! value's type. Turning a non-NULL value into a [`Cell`](ambidex_core::Cell) is each
//! backend's own (SQLite's storage classes, PostgreSQL's OIDs, MySQL's column types).

use ambidex_core::{Error, Result};
use sqlx::{ColumnIndex, Database, Row, ValueRef};

/// The raw value at `index` of `row`, NULL or not; `backend` names the backend in errors.
pub(crate) fn raw<'r, DB: Database>(
    row: &'r DB::Row,
    index: usize,
    backend: &str,
) -> Result<DB::ValueRef<'r>>
where
    usize: ColumnIndex<DB::Row>,
{
    row.try_get_raw(index).map_err(|e| {
        Error::Internal(format!("{backend} could not read column {}: {e}", index + 1).into())
    })
}

/// The value at `index` of `row`, or `None` for NULL; refuses a column past the row's end
/// (a raw query that selected too few).
pub(crate) fn non_null<'r, DB: Database>(
    row: &'r DB::Row,
    index: usize,
    backend: &str,
) -> Result<Option<DB::ValueRef<'r>>>
where
    usize: ColumnIndex<DB::Row>,
{
    let width = row.len();
    if index >= width {
        return Err(Error::InvalidQuery(
            format!(
                "the query returned {width} columns but column {} was read; a raw query \
                 must select the model's columns in declaration order",
                index + 1
            )
            .into(),
        ));
    }
    let value = raw::<DB>(row, index, backend)?;
    Ok((!value.is_null()).then_some(value))
}

/// The error for a value that cannot become a cell; names the backend and the type.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn unreadable(
    backend: &str,
    info: &impl sqlx::TypeInfo,
    index: usize,
    why: impl std::fmt::Display,
) -> Error {
    Error::Database {
        code: None,
        message: format!(
            "cannot read a {backend} value of type {} in column {}: {why}",
            info.name(),
            index + 1
        ),
    }
}
