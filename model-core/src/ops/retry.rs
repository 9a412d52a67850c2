//! When to try an operation again: [`Retry`], shared by the blocking and the async
//! `retry` helpers (`ambidex::blocking::retry`, `ambidex::retry`), which differ only in
//! how they wait.
//!
//! Both helpers take the application's own error type too, when it converts from and
//! exposes an ambidex error ([`AsError`]); its other failures are never retried.
//!
//! Only errors the database says are worth retrying are retried: serialization failures
//! and deadlocks, [`Error::Conflict`], and statements PostgreSQL found stale inside a
//! transaction, [`Error::StalePlan`] ([`Error::is_retryable`]). Anything else (a unique
//! violation, a decode error, a lost connection) is returned at once, so a retry can never
//! repeat a write that may have been committed.
//!
//! The loop itself (try, count the failure, wait or give up) is [`Retry::run`], written
//! once as an `async fn`: the async helper awaits a timer between tries, the blocking one
//! sleeps the thread in a future that is complete when made and runs the whole loop with
//! [`crate::engine::ready::complete`]. Each helper logs its retries itself, so the events
//! keep their engine's target.

use std::future::Future;
use std::time::Duration;

use crate::error::{AsError, Error};

/// How many times to try, and how long to wait between tries (doubling from the first
/// delay up to the maximum).
///
/// ```
/// use std::time::Duration;
/// use ambidex_core::Retry;
/// let policy = Retry::new(4).first_delay(Duration::from_millis(5));
/// let conflict = ambidex_core::Error::Conflict { message: "deadlock".into() };
/// assert_eq!(policy.delay_after(1, &conflict), Some(Duration::from_millis(5)));
/// assert_eq!(policy.delay_after(2, &conflict), Some(Duration::from_millis(10)));
/// assert_eq!(policy.delay_after(4, &conflict), None); // four tries made
/// let other = ambidex_core::Error::InvalidQuery("bad".into());
/// assert_eq!(policy.delay_after(1, &other), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    attempts: u32,
    first_delay: Duration,
    max_delay: Duration,
}

impl Default for Retry {
    /// Five tries, waiting 10 ms, 20 ms, 40 ms, 80 ms between them.
    fn default() -> Self {
        Retry {
            attempts: 5,
            first_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(500),
        }
    }
}

impl Retry {
    /// At most `attempts` tries in all (at least one), with the default delays.
    pub fn new(attempts: u32) -> Self {
        Retry {
            attempts: attempts.max(1),
            ..Retry::default()
        }
    }

    /// The wait after the first failure (default 10 ms); it doubles after each failure.
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// The longest wait between tries (default 500 ms).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// After `failures` failed tries, the last with `error`: how long to wait before the
    /// next, or `None` to give up and return `error`.
    pub fn delay_after(&self, failures: u32, error: &Error) -> Option<Duration> {
        if !error.is_retryable() || failures >= self.attempts {
            return None;
        }
        let factor = 1u32
            .checked_shl(failures.saturating_sub(1))
            .unwrap_or(u32::MAX);
        Some(
            self.first_delay
                .checked_mul(factor)
                .unwrap_or(self.max_delay)
                .min(self.max_delay),
        )
    }

    /// The loop of both `retry` helpers: awaits `attempt()` until it succeeds or
    /// [`Retry::delay_after`] gives up (returning the last error), awaiting
    /// `wait(delay, error, failures)` between tries. An error that holds no ambidex
    /// [`Error`] ([`AsError::as_error`] is `None`: the application's own failure) is
    /// returned at once.
    #[doc(hidden)]
    pub async fn run<T, E, Try, Wait>(
        self,
        mut attempt: impl FnMut() -> Try,
        mut wait: impl FnMut(Duration, &Error, u32) -> Wait,
    ) -> Result<T, E>
    where
        E: AsError,
        Try: Future<Output = Result<T, E>>,
        Wait: Future<Output = ()>,
    {
        let mut failures = 0;
        loop {
            let error = match attempt().await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            failures += 1;
            let Some(inner) = error.as_error() else {
                return Err(error);
            };
            match self.delay_after(failures, inner) {
                Some(delay) => wait(delay, inner, failures).await,
                None => return Err(error),
            }
        }
    }
}
