//! The compatibility shims: each world's API over the other world's engine, so the seam
//! between blocking and async code is one line in both directions.
//!
//! - [`blocking_over_async`]: `ambidex::blocking::SqlxDb`, the blocking API on sqlx through
//!   a runtime the handle owns.
//! - `async_over_blocking`: `ambidex::DieselDb`, the async API on diesel through a bounded
//!   worker pool.

#[cfg(all(feature = "blocking", feature = "async"))]
pub mod async_over_blocking;
#[cfg(all(feature = "blocking", feature = "async"))]
pub mod blocking_over_async;
