//! diesel's SQLite connection: opening it and reading SQLite's dynamically typed values.

use std::borrow::Cow;

use ambidex_core::types::{DECIMAL_COLLATION, decimal_text_order};
use ambidex_core::{Cell, Dialect, Error, Result};
use diesel::Connection as _;
use diesel::deserialize::FromSql;
use diesel::row::Field;
use diesel::sql_types::Text;
use diesel::sqlite::{Sqlite, SqliteConnection, SqliteType, SqliteValue};

use super::rows::ReadCell;
use super::run_setup;

/// SQLite reports its result codes to diesel, which keeps none: failures are classified by
/// their message.
impl crate::error::ServerCode for SqliteConnection {}

pub(crate) fn establish(path: &str) -> Result<SqliteConnection> {
    let mut conn = hardened::open(|| SqliteConnection::establish(path))
        .map_err(|e| Error::connection(&format!("sqlite://{path}"), e))?;
    // diesel 2.3 calls a collation with its arguments swapped (`callback(rhs, lhs)` in
    // `run_collation_function`), so they are swapped back here; the conformance scenario
    // `decimals_compare_and_sort_by_value` fails if that ever changes.
    conn.register_collation(DECIMAL_COLLATION, |rhs, lhs| decimal_text_order(lhs, rhs))
        .map_err(|e| Error::connection(&format!("sqlite://{path}"), e))?;
    run_setup(&mut conn, Dialect::Sqlite)?;
    Ok(conn)
}

/// diesel gives no access to a connection's raw handle, so the settings of
/// [`ambidex_core::sqlite_handle`] are applied from an SQLite auto-extension: a callback
/// SQLite runs on every connection it opens in the process. The callback acts only while
/// this thread is inside [`hardened::open`] (diesel opens on the calling thread), so other
/// SQLite connections of the program are left as they are.
#[allow(unsafe_code)]
mod hardened {
    use std::cell::Cell;
    use std::ffi::{c_char, c_int};
    use std::ptr::NonNull;
    use std::sync::Once;

    use ambidex_core::sqlite_handle::{prepare, sqlite3};
    use libsqlite3_sys::{SQLITE_ERROR, SQLITE_OK, sqlite3_api_routines, sqlite3_auto_extension};

    thread_local! {
        /// Set while this thread opens a connection of ambidex's.
        static OPENING: Cell<bool> = const { Cell::new(false) };
    }

    /// Registered once per process; see the module docs.
    unsafe extern "C" fn on_open(
        db: *mut sqlite3,
        _error: *mut *mut c_char,
        _api: *const sqlite3_api_routines,
    ) -> c_int {
        if !OPENING.get() {
            return SQLITE_OK;
        }
        let Some(db) = NonNull::new(db) else {
            return SQLITE_ERROR;
        };
        // SAFETY: SQLite calls this while opening `db`, on the opening thread.
        match unsafe { prepare(db) } {
            Ok(()) => SQLITE_OK,
            // The open fails, rather than giving a connection with DQS on.
            Err(_) => SQLITE_ERROR,
        }
    }

    /// Runs `establish` with the callback active on this thread.
    pub(super) fn open<T>(establish: impl FnOnce() -> T) -> T {
        static REGISTER: Once = Once::new();
        REGISTER.call_once(|| {
            // SAFETY: `on_open` has the signature SQLite expects and lives forever.
            unsafe { sqlite3_auto_extension(Some(on_open)) };
        });
        OPENING.set(true);
        let opened = establish();
        OPENING.set(false);
        opened
    }
}

/// Reads cells by the storage class of each value.
impl ReadCell for Sqlite {
    const NAME: &'static str = "SQLite";

    // Always inlined into the generated decoder (see the row reader in `rows`).
    #[inline(always)]
    fn cell<'f, 'v>(
        field: &'v impl Field<'f, Sqlite>,
        mut value: SqliteValue<'v, 'v, 'v>,
        index: usize,
    ) -> Result<Cell<'static>> {
        Ok(match value.value_type() {
            None => Cell::Null,
            Some(SqliteType::Double) => Cell::Float(value.read_double()),
            // diesel's `String` reads the text where SQLite holds it, validates it once and
            // refuses invalid UTF-8; its `read_text` would replace that, and its
            // `read_blob` copies a TEXT value (`sqlite3_value_dup`) before reading it.
            Some(SqliteType::Text) => match <String as FromSql<Text, Sqlite>>::from_sql(value) {
                Ok(s) => Cell::Text(Cow::Owned(s)),
                Err(_) => return not_utf8(field, index),
            },
            Some(SqliteType::Binary) => Cell::Blob(Cow::Owned(value.read_blob().to_vec())),
            Some(_) => Cell::Int(value.read_long()),
        })
    }
}

/// The cell for a TEXT value that is not UTF-8: its bytes, so that decoding it as text
/// fails naming the field, as the async engine's does, instead of replacing them.
#[cold]
#[inline(never)]
fn not_utf8<'f>(field: &impl Field<'f, Sqlite>, index: usize) -> Result<Cell<'static>> {
    let mut value = field
        .value()
        .ok_or_else(|| Error::Internal(format!("column {index} became NULL on reading").into()))?;
    Ok(Cell::Blob(Cow::Owned(value.read_blob().to_vec())))
}
