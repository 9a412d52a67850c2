//! [`Exact<T>`]: the strict mode of a time field, which refuses to lose a digit.
//!
//! ambidex stores times to the microsecond on every backend and truncates a finer value
//! when it binds it (so that `Utc::now()` is stored and compared in one call). Where a
//! value that cannot be stored as it is must be an error instead (an audit trail, a value
//! that came from another system and must round-trip unchanged), the field is declared
//! `Exact<T>`: binding it, in a write or in a filter, refuses a sub-microsecond part with
//! [`Error::ValueOutOfRange`](crate::Error::ValueOutOfRange), before anything is sent.
//!
//! `Exact` is implemented for `chrono::NaiveTime`, `NaiveDateTime` and `DateTime<Utc>`
//! (feature `chrono`); it is stored exactly as the plain type is.

use std::ops::{Deref, DerefMut};

/// A time field value that is stored exactly or refused: the strict mode of a time field.
///
/// A plain `NaiveTime`, `NaiveDateTime` or `DateTime<Utc>` field has its sub-microsecond
/// part truncated when it is bound (every backend stores microseconds). An `Exact` field
/// refuses such a value instead, in a write or a filter, with
/// [`Error::ValueOutOfRange`](crate::Error::ValueOutOfRange) before anything is sent. It
/// is stored exactly as the plain type is.
///
/// ```
/// # #[cfg(feature = "chrono")] {
/// use ambidex_core::types::Exact;
/// use ambidex_core::{SqlField, Value, ValueKind};
/// use chrono::NaiveTime;
///
/// let micros = NaiveTime::from_hms_micro_opt(1, 2, 3, 4).unwrap();
/// assert_eq!(
///     Exact(micros).to_value(),
///     Value::Typed(ValueKind::Time, "01:02:03.000004".into())
/// );
/// // A plain field truncates a nanosecond part; an exact one keeps it, and binding refuses it.
/// let nanos = NaiveTime::from_hms_nano_opt(1, 2, 3, 4).unwrap();
/// assert_eq!(nanos.to_value(), Value::Typed(ValueKind::Time, "01:02:03.000000".into()));
/// assert_eq!(
///     Exact(nanos).to_value(),
///     Value::Typed(ValueKind::Time, "01:02:03.000000004".into())
/// );
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Exact<T>(pub T);

impl<T> Exact<T> {
    /// The value inside.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Exact<T> {
    fn from(value: T) -> Self {
        Exact(value)
    }
}

impl<T> Deref for Exact<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Exact<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}
