//! Per-connection SQLite settings that no SQL statement can make, applied by both engines
//! to the raw handle of every connection they open (diesel and sqlx share libsqlite3-sys,
//! so they share this code too).
//!
//! SQLite reads a double-quoted identifier that names no column as a string literal (its
//! "DQS" misfeature, kept for compatibility): `SELECT "nme" FROM users` returns the text
//! `nme` for every row instead of failing. ambidex quotes every identifier with double
//! quotes, so with DQS on, a column missing from the table (schema drift) or a misspelled
//! name in raw SQL would silently read a string. ambidex turns DQS off, for DML and DDL, on
//! each of its connections (and only on its own): such a name is then the error
//! "no such column".
//!
//! SQLite's `lower` and `upper` map ASCII letters only (`lower('É')` is `'É'`), where
//! PostgreSQL and MariaDB map every letter. So that `Person::NAME.lower()` means the same
//! everywhere, ambidex registers Unicode versions on each of its connections, under the
//! names the SQLite dialect writes ([`crate::sql::dialect::UNICODE_LOWER`],
//! [`crate::sql::dialect::UNICODE_UPPER`]). They map one character to one character, as the
//! servers do (a letter whose full mapping is several characters, `ß` to `SS`, stays as
//! it is).

#![allow(unsafe_code)]

use std::ffi::{CString, c_char, c_int};
use std::ptr::NonNull;

pub use libsqlite3_sys::sqlite3;
use libsqlite3_sys::{
    SQLITE_DBCONFIG_DQS_DDL, SQLITE_DBCONFIG_DQS_DML, SQLITE_DETERMINISTIC, SQLITE_INNOCUOUS,
    SQLITE_NULL, SQLITE_OK, SQLITE_TRANSIENT, SQLITE_UTF8, sqlite3_context,
    sqlite3_create_function_v2, sqlite3_db_config, sqlite3_result_error_nomem, sqlite3_result_null,
    sqlite3_result_text64, sqlite3_value, sqlite3_value_bytes, sqlite3_value_text,
    sqlite3_value_type,
};

use crate::error::{Error, Result};
use crate::sql::dialect::{UNICODE_LOWER, UNICODE_UPPER};

/// Everything ambidex sets on a new SQLite connection's handle: double-quoted strings
/// off ([`refuse_double_quoted_strings`]) and its functions ([`register_functions`]).
///
/// # Safety
///
/// `db` must be an open connection that no other thread uses during the call.
pub unsafe fn prepare(db: NonNull<sqlite3>) -> Result<()> {
    // SAFETY: the caller's promise, passed on.
    unsafe {
        refuse_double_quoted_strings(db)?;
        register_functions(db)
    }
}

/// Registers ambidex's SQL functions on the connection `db`: Unicode `lower`/`upper`, and
/// the exact decimal sum (feature `decimal`).
///
/// # Safety
///
/// `db` must be an open connection that no other thread uses during the call.
pub unsafe fn register_functions(db: NonNull<sqlite3>) -> Result<()> {
    for (name, call) in [
        (UNICODE_LOWER, map_lower as Callback),
        (UNICODE_UPPER, map_upper),
    ] {
        // SAFETY: the caller's promise, passed on; `call` is a scalar function.
        unsafe { create_function(db, name, Some(call), None, None)? };
    }
    #[cfg(feature = "decimal")]
    // SAFETY: the caller's promise, passed on; step and finish make an aggregate.
    unsafe {
        create_function(
            db,
            crate::sql::dialect::DECIMAL_SUM,
            None,
            Some(decimal_sum::step),
            Some(decimal_sum::finish),
        )?;
    }
    Ok(())
}

/// A function's or an aggregate step's callback, as SQLite calls it.
type Callback = unsafe extern "C" fn(*mut sqlite3_context, c_int, *mut *mut sqlite3_value);

/// Registers the one-argument function `name` on `db`: a scalar function (`call`) or an
/// aggregate (`step` and `finish`), deterministic and harmless (`SQLITE_INNOCUOUS`).
///
/// # Safety
///
/// `db` must be an open connection that no other thread uses during the call.
unsafe fn create_function(
    db: NonNull<sqlite3>,
    name: &str,
    call: Option<Callback>,
    step: Option<Callback>,
    finish: Option<unsafe extern "C" fn(*mut sqlite3_context)>,
) -> Result<()> {
    let c_name = CString::new(name).expect("function names have no NUL");
    // SAFETY: `db` is open and ours for the call (the caller's promise); SQLite copies the
    // name; the callbacks are plain functions with no user data to free.
    let rc = unsafe {
        sqlite3_create_function_v2(
            db.as_ptr(),
            c_name.as_ptr(),
            1,
            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
            std::ptr::null_mut(),
            call,
            step,
            finish,
            None,
        )
    };
    if rc != SQLITE_OK {
        return Err(Error::Config(
            format!("SQLite refused to register the function {name} (code {rc})").into(),
        ));
    }
    Ok(())
}

unsafe extern "C" fn map_lower(ctx: *mut sqlite3_context, n: c_int, args: *mut *mut sqlite3_value) {
    // SAFETY: SQLite passes `n` valid argument values.
    unsafe { map_case(ctx, n, args, |c| simple(c, c.to_lowercase())) }
}

unsafe extern "C" fn map_upper(ctx: *mut sqlite3_context, n: c_int, args: *mut *mut sqlite3_value) {
    // SAFETY: SQLite passes `n` valid argument values.
    unsafe { map_case(ctx, n, args, |c| simple(c, c.to_uppercase())) }
}

/// The simple (one-to-one) case mapping of `c`: its full mapping when that is one
/// character, else `c` itself.
fn simple(c: char, mut mapped: impl Iterator<Item = char>) -> char {
    match (mapped.next(), mapped.next()) {
        (Some(one), None) => one,
        _ => c,
    }
}

/// The body of both case mappings: NULL stays NULL, any other value is read as text (as
/// SQLite's own `lower` does), mapped, and returned as text.
unsafe fn map_case(
    ctx: *mut sqlite3_context,
    n: c_int,
    args: *mut *mut sqlite3_value,
    map: fn(char) -> char,
) {
    // SAFETY (the whole body): SQLite calls with `n` (1, as registered) valid values
    // and a live context; the text pointer it gives is valid for `bytes` bytes until the
    // value is next converted, which nothing here does.
    unsafe {
        if n != 1 || sqlite3_value_type(*args) == SQLITE_NULL {
            sqlite3_result_null(ctx);
            return;
        }
        let Some(raw) = text_of(*args) else {
            sqlite3_result_error_nomem(ctx);
            return;
        };
        let mapped: String = String::from_utf8_lossy(raw).chars().map(map).collect();
        result_text(ctx, &mapped);
    }
}

/// A non-NULL argument read as UTF-8 text (SQLite converts other types), or `None` when
/// SQLite could not allocate the text.
///
/// # Safety
///
/// `value` is an argument SQLite passed to the running callback; the slice lives until the
/// value is next converted, which the callers do not do.
unsafe fn text_of<'a>(value: *mut sqlite3_value) -> Option<&'a [u8]> {
    // SAFETY: the caller's promise; the pointer is valid for `bytes` bytes.
    unsafe {
        let text = sqlite3_value_text(value);
        if text.is_null() {
            return None;
        }
        let bytes = sqlite3_value_bytes(value) as usize;
        Some(std::slice::from_raw_parts(text, bytes))
    }
}

/// Sets the callback's result to a copy of `text`.
///
/// # Safety
///
/// `ctx` is the context SQLite passed to the running callback.
unsafe fn result_text(ctx: *mut sqlite3_context, text: &str) {
    // SAFETY: the caller's promise; SQLite copies the text (`SQLITE_TRANSIENT`).
    unsafe {
        sqlite3_result_text64(
            ctx,
            text.as_ptr() as *const c_char,
            text.len() as u64,
            SQLITE_TRANSIENT(),
            SQLITE_UTF8 as u8,
        );
    }
}

/// Turns SQLite's double-quoted string literals off on the connection `db`, for DML and
/// DDL.
///
/// # Safety
///
/// `db` must be an open connection that no other thread uses during the call.
pub unsafe fn refuse_double_quoted_strings(db: NonNull<sqlite3>) -> Result<()> {
    for op in [SQLITE_DBCONFIG_DQS_DML, SQLITE_DBCONFIG_DQS_DDL] {
        // SAFETY: `db` is open and ours for the call (the caller's promise); these two
        // options take an int (0: off) and an optional `int*` for the new value.
        let rc = unsafe {
            sqlite3_db_config(db.as_ptr(), op, 0 as c_int, std::ptr::null_mut::<c_int>())
        };
        if rc != SQLITE_OK {
            return Err(Error::Config(
                format!(
                    "SQLite refused to turn off double-quoted string literals (code {rc}); \
                     the bundled libsqlite3 must be 3.29 or newer"
                )
                .into(),
            ));
        }
    }
    Ok(())
}

/// `ambidex_decimal_sum(text)`: the exact sum of decimals stored as text, an aggregate.
/// NULLs are skipped, no value gives NULL (as `SUM`); a text that is not a decimal, or a
/// sum past `Decimal`'s range, fails the statement with a message saying which.
#[cfg(feature = "decimal")]
mod decimal_sum {
    use std::ffi::{c_char, c_int};

    use libsqlite3_sys::{
        SQLITE_NULL, sqlite3_aggregate_context, sqlite3_context, sqlite3_result_error,
        sqlite3_result_null, sqlite3_value, sqlite3_value_type,
    };
    use rust_decimal::Decimal;

    /// The running sum, in the zeroed memory SQLite gives each group
    /// (`sqlite3_aggregate_context`): all-zero bytes are "nothing seen yet", sum zero.
    #[repr(C)]
    struct State {
        /// `Decimal::serialize` of the sum so far.
        sum: [u8; 16],
        /// Whether a non-NULL value was added.
        seen: u8,
        /// 0, or why the sum failed: 1 a value that is not a decimal, 2 an overflow.
        failed: u8,
    }

    pub(super) unsafe extern "C" fn step(
        ctx: *mut sqlite3_context,
        n: c_int,
        args: *mut *mut sqlite3_value,
    ) {
        // SAFETY (the whole body): SQLite calls with `n` (1) valid values and a live
        // context; the aggregate context is zeroed memory of the size asked, aligned for
        // any type, valid for the group; the text pointer is valid for `bytes` bytes.
        unsafe {
            let state = sqlite3_aggregate_context(ctx, size_of::<State>() as c_int) as *mut State;
            let Some(state) = state.as_mut() else {
                return; // out of memory: `finish` reports it
            };
            if n != 1 || state.failed != 0 || sqlite3_value_type(*args) == SQLITE_NULL {
                return;
            }
            let Some(raw) = super::text_of(*args) else {
                return;
            };
            let value = std::str::from_utf8(raw)
                .ok()
                .and_then(|t| t.parse::<Decimal>().ok());
            let Some(value) = value else {
                state.failed = 1;
                return;
            };
            match Decimal::deserialize(state.sum).checked_add(value) {
                Some(sum) => {
                    state.sum = sum.serialize();
                    state.seen = 1;
                }
                None => state.failed = 2,
            }
        }
    }

    pub(super) unsafe extern "C" fn finish(ctx: *mut sqlite3_context) {
        // SAFETY: as in `step`; asking for 0 bytes returns the group's state if `step`
        // made one, else NULL (no row, or no memory).
        unsafe {
            let state = sqlite3_aggregate_context(ctx, 0) as *mut State;
            let Some(state) = state.as_ref() else {
                sqlite3_result_null(ctx);
                return;
            };
            let message: &[u8] = match state.failed {
                1 => b"ambidex_decimal_sum: a value is not a decimal number\0",
                2 => b"ambidex_decimal_sum: the sum is beyond the range of a Decimal\0",
                _ if state.seen == 0 => {
                    sqlite3_result_null(ctx);
                    return;
                }
                _ => {
                    let text = Decimal::deserialize(state.sum).normalize().to_string();
                    super::result_text(ctx, &text);
                    return;
                }
            };
            sqlite3_result_error(ctx, message.as_ptr() as *const c_char, -1);
        }
    }
}
