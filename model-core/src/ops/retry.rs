//! When to try an operation again: [`Retry`], shared by the blocking and the async
//! `retry` helpers (`ambidex::blocking::retry`, `ambidex::retry`), which differ only in
//! how they wait.
//!
//! Only errors the database says are worth retrying are retried: serialization failures
//! and deadlocks, [`Error::Conflict`] ([`Error::is_retryable`]). Anything else (a unique
//! violation, a decode error, a lost connection) is returned at once, so a retry can never
//! repeat a write that may have been committed.

use std::time::Duration;

use crate::error::Error;

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
}
