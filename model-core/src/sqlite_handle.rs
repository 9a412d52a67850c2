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

#![allow(unsafe_code)]

use std::ffi::c_int;
use std::ptr::NonNull;

pub use libsqlite3_sys::sqlite3;
use libsqlite3_sys::{
    SQLITE_DBCONFIG_DQS_DDL, SQLITE_DBCONFIG_DQS_DML, SQLITE_OK, sqlite3_db_config,
};

use crate::error::{Error, Result};

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
