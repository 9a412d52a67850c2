//! [`retry`]: runs an async operation again after a serialization failure or deadlock.

use std::future::Future;

use ambidex_core::{AsError, Retry};

/// Runs the future `f` makes until it succeeds, fails with an error that is not
/// retryable, or has been tried as often as `policy` allows, waiting (without blocking the
/// thread) between tries (see [`Retry`]). Put a whole transaction inside, so each try
/// starts afresh:
///
/// ```
/// # async fn demo(db: &ambidex_async::Db) -> ambidex_core::Result<()> {
/// use ambidex_core::{Retry, raw};
/// let added = ambidex_async::retry(Retry::default(), || async {
///     db.transaction(|tx| Box::pin(async move {
///         raw("UPDATE hits SET n = n + 1").execute(&mut *tx).await
///     }))
///     .await
/// })
/// .await?;
/// # let _ = added; Ok(()) }
/// ```
///
/// The future may fail with the application's own error type instead of
/// [`ambidex_core::Error`], when it converts from and exposes one ([`AsError`]); its own
/// failures are returned at once, never retried.
pub async fn retry<T, E, F, Fut>(policy: Retry, mut f: F) -> Result<T, E>
where
    E: AsError,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let wait = |delay, e: &ambidex_core::Error, failures: u32| {
        tracing::debug!(error = %e, ?delay, failures, "retrying");
        tokio::time::sleep(delay)
    };
    policy.run(&mut f, wait).await
}
