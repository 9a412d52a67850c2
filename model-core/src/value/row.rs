//! Reading rows: the one abstraction both engines feed.
//!
//! An engine turns each column of a result row into a [`Cell`] (what the backend stored:
//! integer, float, text, bytes, boolean or NULL) and the derive-generated decoder turns
//! cells into fields through [`crate::SqlField::from_cell`]. Range checks, NULL checks and
//! the error messages therefore exist once, so both engines fail the same way on the same
//! data.

use std::borrow::Cow;

use crate::error::{DecodeProblem, Error, Result};
use crate::value::field::SqlField;

/// One column of one row, as the backend stored it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'r> {
    /// SQL NULL.
    Null,
    /// A boolean (backends with a real boolean type).
    Bool(bool),
    /// Any integer, widened.
    Int(i64),
    /// Any float, widened.
    Float(f64),
    /// Text, borrowed from the row where the driver allows it.
    Text(Cow<'r, str>),
    /// Bytes, borrowed from the row where the driver allows it.
    Blob(Cow<'r, [u8]>),
}

impl Cell<'_> {
    /// Describes the cell for an error message, without dumping large values.
    pub fn describe(&self) -> String {
        match self {
            Cell::Null => "NULL".to_string(),
            Cell::Bool(b) => format!("BOOLEAN {b}"),
            Cell::Int(i) => format!("INTEGER {i}"),
            Cell::Float(f) => format!("REAL {f}"),
            Cell::Text(s) => {
                let mut shown: String = s.chars().take(32).collect();
                if shown.len() < s.len() {
                    shown.push('…');
                }
                format!("TEXT {shown:?}")
            }
            Cell::Blob(b) => format!("BLOB ({} bytes)", b.len()),
        }
    }
}

/// A result row an engine exposes to the generated decoder, read by column position.
pub trait RowReader {
    /// The number of columns in the row.
    fn width(&self) -> usize;

    /// The cell at `index` (0-based, in the order the query selected the columns).
    fn cell(&self, index: usize) -> Result<Cell<'_>>;

    /// The server's name for the type of column `index` (`NUMERIC`, `VARCHAR`), for
    /// error messages only: a [`Cell`] says how the value arrived (a PostgreSQL `numeric`
    /// arrives as text), this says what the column is. `None` where the driver does not
    /// tell (SQLite, whose storage classes the cell already shows).
    fn column_type(&self, _index: usize) -> Option<std::borrow::Cow<'_, str>> {
        None
    }
}

/// Decodes column `index` of `row` into a field; used by the generated `Model::decode`.
///
/// Errors name the model, the field and the column, and say what was found.
///
/// Always inlined into the generated decoder, with the engine's `cell` (which the SQLite
/// reader inlines always too), so that the [`Cell`] built for each column and the match on
/// it in `from_cell` fold into one branch: measured with callgrind on SQLite, LLVM
/// otherwise kept this a call per column in some builds (~50 instructions each).
#[inline(always)]
pub fn decode_field<T: SqlField, R: RowReader + ?Sized>(
    row: &R,
    index: usize,
    model: &'static str,
    field: &'static str,
    column: &'static str,
) -> Result<T> {
    let cell = row.cell(index)?;
    T::from_cell(cell).map_err(|DecodeProblem { found }| Error::Decode {
        model,
        field,
        column,
        expected: T::RUST_NAME,
        found: with_server_type(found, row.column_type(index)),
    })
}

/// A decode problem's description (`TEXT "523.06"`, from [`Cell::describe`]) with the
/// server's type of the column in place of `TEXT` (`NUMERIC "523.06"`) when the value
/// arrived as text but the column is not text (PostgreSQL's and MariaDB's decimals, and
/// dates, times, UUIDs and JSON the drivers send as text). Integers, floats, booleans,
/// bytes and text columns keep the cell's kind, which is the same in every cell.
#[cold]
pub fn with_server_type(found: String, server_type: Option<std::borrow::Cow<'_, str>>) -> String {
    let Some(server_type) = server_type else {
        return found;
    };
    let upper = server_type.to_ascii_uppercase();
    let is_text = upper.contains("CHAR") || upper.contains("TEXT") || upper == "NAME";
    match found.strip_prefix("TEXT ") {
        Some(rest) if !is_text => format!("{upper} {rest}"),
        _ => found,
    }
}

/// The error for a row with fewer columns than the model declares (schema drift, or a raw
/// query that selects too little).
pub fn row_too_narrow(model: &'static str, expected: usize, found: usize) -> Error {
    Error::Decode {
        model,
        field: "(row)",
        column: "(all)",
        expected: "one column per field",
        found: format!("{found} columns where the model declares {expected}"),
    }
}
