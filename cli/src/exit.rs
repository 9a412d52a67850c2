//! Exit codes scripts can rely on (also in `docs/guide/migrations.md`).

use std::process::ExitCode;

use ambidex::Error;

/// Success, including "nothing to do".
pub const OK: u8 = 0;
/// A database or migration failure (a statement failed, a lock was not granted...).
pub const FAILED: u8 = 1;
/// Bad arguments, or no database URL (clap also exits with 2 on usage errors).
pub const USAGE: u8 = 2;
/// An applied migration was edited afterwards (checksum mismatch): nothing was applied.
pub const CHANGED: u8 = 3;
/// `makemigrations` refused: a destructive change without `--allow-destructive`, or a
/// change it cannot write.
pub const REFUSED: u8 = 4;
/// The database could not be reached, or refused the credentials.
pub const CONNECTION: u8 = 5;
/// `migrate status --check`: some migration is pending, changed or missing.
pub const NOT_UP_TO_DATE: u8 = 6;

/// The exit code for `error`.
pub fn code_for(error: &Error) -> u8 {
    match error {
        Error::MigrationChanged { .. } => CHANGED,
        Error::Connection { .. } | Error::Authentication { .. } => CONNECTION,
        Error::Config(_) => USAGE,
        _ => FAILED,
    }
}

/// `code` as an [`ExitCode`].
pub fn exit(code: u8) -> ExitCode {
    ExitCode::from(code)
}
