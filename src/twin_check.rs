//! What the blocking twin of a `#[ambidex::dual]` fn checks about each call it un-awaits.
//!
//! The twin turns `f(..).await` into `f(..)`. That is right for ambidex's own calls, whose
//! blocking versions return a `Result`, and for dual fns listed in `calls(..)`, which the
//! twin renames to `f_blocking(..)`. A dual fn that is *not* listed stays the async
//! original: without a check, the twin's error would be a bare type mismatch ("expected
//! `Result`, found future") far from the fix. The twin wraps each such call in
//! [`awaited_in_twin`], whose bound carries the message that names the fix.

/// What a call un-awaited in a blocking twin must return: a `Result`, as every blocking
/// ambidex call does. A future here means an async fn the twin could not rename.
#[diagnostic::on_unimplemented(
    message = "this call returns a future in the blocking twin of a `#[ambidex::dual]` fn",
    label = "an async fn called without `calls(..)`: the blocking twin would call it unawaited",
    note = "if it is another `#[ambidex::dual]` fn, name it in the attribute so the twin calls its blocking version: `#[ambidex::dual(calls(name_of_that_fn))]`",
    note = "an async fn that is not dual has no blocking version: make it `#[ambidex::dual]` too, or call it outside the dual fn"
)]
pub trait BlockingResult {
    /// The type itself: returned through the trait so that the call's expected type
    /// cannot decide `T` first (which would report a bare mismatch instead of the bound).
    type Output;
    /// Returns `self`.
    fn into_output(self) -> Self::Output;
}

impl<T, E> BlockingResult for Result<T, E> {
    type Output = Self;
    #[inline(always)]
    fn into_output(self) -> Self {
        self
    }
}

/// Returns `value`; only its bound matters (see the module docs).
#[inline(always)]
pub fn awaited_in_twin<T: BlockingResult>(value: T) -> T::Output {
    value.into_output()
}
