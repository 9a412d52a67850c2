//! [`retry`]: runs a blocking operation again after a serialization failure or deadlock.

use ambidex_core::{AsError, Retry};

/// Runs `f` until it succeeds, fails with an error that is not retryable, or has been
/// tried as often as `policy` allows, sleeping the calling thread between tries (see
/// [`Retry`]). Put a whole transaction inside, so each try starts afresh:
///
/// ```
/// # use ambidex_sync::{Db, retry};
/// # use ambidex_core::{Retry, raw};
/// let db = Db::open("sqlite::memory:")?;
/// raw("CREATE TABLE hits (n INTEGER)").execute(&db)?;
/// let added = retry(Retry::default(), || {
///     db.transaction(|tx| raw("INSERT INTO hits VALUES (1)").execute(&mut *tx))
/// })?;
/// assert_eq!(added, 1);
/// # Ok::<(), ambidex_core::Error>(())
/// ```
///
/// `f` may return the application's own error type instead of [`ambidex_core::Error`],
/// when it converts from and exposes one ([`AsError`]); its own failures are returned at
/// once, never retried.
pub fn retry<T, E: AsError>(policy: Retry, mut f: impl FnMut() -> Result<T, E>) -> Result<T, E> {
    let wait = |delay, e: &ambidex_core::Error, failures: u32| {
        tracing::debug!(error = %e, ?delay, failures, "retrying");
        std::thread::sleep(delay);
        std::future::ready(())
    };
    // Every future here is complete when made, so the loop finishes in one poll.
    ambidex_core::complete(policy.run(|| std::future::ready(f()), wait))
}
