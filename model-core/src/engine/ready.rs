//! Running a plan to completion without a runtime, for blocking engines.
//!
//! A blocking engine's `Connection` returns futures that are complete when created, so a
//! plan over it finishes in a single poll. This is what lets the blocking world share every
//! line of logic with the async world while pulling in no async runtime at all.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crate::error::{Error, Result};

/// Polls `future` once and returns its output; a future over a blocking engine is always
/// ready. A pending future (an async engine passed where a blocking one belongs) is an
/// [`Error::Internal`], never a hang.
#[inline]
pub fn complete<T, E: From<Error>>(future: impl Future<Output = Result<T, E>>) -> Result<T, E> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => Err(Error::Internal(
            "a blocking engine returned a pending future; blocking plans must complete in one poll"
                .into(),
        )
        .into()),
    }
}
