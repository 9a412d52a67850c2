//! Decoding diesel rows into ambidex rows, written once for every backend: a row is read
//! by position inside diesel's row-building hook (`FromSqlRow`), straight from the driver's
//! buffers, and NULLs and missing columns are handled here. Turning one non-NULL value into
//! a [`Cell`] is each backend's own ([`ReadCell`]).

use std::marker::PhantomData;

use ambidex_core::{Cell, Error, Result, RowReader, RowSink};
use diesel::backend::Backend;
use diesel::row::{Field, Row};

/// A row decoded inside diesel's row-building hook (`FromSqlRow`), so rows are read by
/// position straight from the driver's buffers.
pub(crate) struct Decoded<S: RowSink>(pub(crate) S::Item);

/// How a diesel backend turns one of its raw values into a [`Cell`].
pub(crate) trait ReadCell: Backend {
    /// The backend's name in messages (`PostgreSQL`).
    #[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
    const NAME: &'static str;

    /// The cell of the non-NULL `value` of `field`, the column at `index`.
    fn cell<'f, 'v>(
        field: &'v impl Field<'f, Self>,
        value: Self::RawValue<'v>,
        index: usize,
    ) -> Result<Cell<'static>>;

    /// The server's name for the type of a non-NULL `value`, for error messages; `None`
    /// where the driver says nothing more than the cell does (SQLite).
    fn type_name(_value: Self::RawValue<'_>) -> Option<std::borrow::Cow<'static, str>> {
        None
    }
}

/// The error for a value the driver could not read; names the backend.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn unreadable<DB: ReadCell>(e: Box<dyn std::error::Error + Send + Sync>) -> Error {
    Error::Database {
        code: None,
        message: format!("cannot read a {} value: {e}", DB::NAME),
    }
}

/// A diesel row as ambidex-core's [`RowReader`].
struct Reader<'x, 'a, R, DB> {
    row: &'x R,
    _a: PhantomData<(&'a (), DB)>,
}

impl<'a, DB: ReadCell, R: Row<'a, DB>> RowReader for Reader<'_, 'a, R, DB> {
    #[inline]
    fn width(&self) -> usize {
        self.row.field_count()
    }

    // Always inlined into the generated decoder, so that the `Cell` built here and the
    // field's `from_cell` match on it fold into one branch per column: measured with
    // callgrind (on SQLite), a plain `#[inline]` left it a call per column (~35
    // instructions each).
    #[inline(always)]
    fn cell(&self, index: usize) -> Result<Cell<'_>> {
        let field = self
            .row
            .get(index)
            .ok_or_else(|| Error::Internal(format!("row has no column {index}").into()))?;
        let Some(value) = field.value() else {
            return Ok(Cell::Null);
        };
        DB::cell(&field, value, index)
    }

    fn column_type(&self, index: usize) -> Option<std::borrow::Cow<'_, str>> {
        let field = self.row.get(index)?;
        DB::type_name(field.value()?)
    }
}

/// Decodes one diesel row of backend `DB` through its [`ReadCell`].
#[inline]
fn decode_row<'a, S: RowSink, DB: ReadCell>(
    row: &impl Row<'a, DB>,
) -> diesel::deserialize::Result<Decoded<S>> {
    S::decode(&Reader {
        row,
        _a: PhantomData,
    })
    .map(Decoded)
    .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
}

/// Implements diesel's `FromSqlRow` for [`Decoded`] on one backend with [`decode_row`].
///
/// A macro, not one generic impl: diesel's blanket `FromSqlRow` for every
/// `QueryableByName<DB>` type makes a generic impl over `DB` conflict (coherence), so each
/// backend's is written out, one line each.
#[allow(unused_macros)] // unused in a build with no backend feature
macro_rules! decoded_rows {
    ($backend:ty) => {
        impl<S: RowSink> diesel::deserialize::FromSqlRow<diesel::sql_types::Untyped, $backend>
            for Decoded<S>
        {
            #[inline]
            fn build_from_row<'a>(
                row: &impl Row<'a, $backend>,
            ) -> diesel::deserialize::Result<Self> {
                decode_row::<S, $backend>(row)
            }
        }
    };
}

#[cfg(feature = "sqlite")]
decoded_rows!(diesel::sqlite::Sqlite);
#[cfg(feature = "postgres")]
decoded_rows!(diesel::pg::Pg);
#[cfg(feature = "mysql")]
decoded_rows!(diesel::mysql::Mysql);
