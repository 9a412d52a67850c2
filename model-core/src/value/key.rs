//! Primary keys of one column or several (composite keys).
//!
//! A model's key is the field marked `#[ambidex(primary_key)]`, or the fields so marked,
//! in declaration order. [`PrimaryKey`] is what `Model::Key` can be: one [`SqlField`] or a
//! tuple of them; [`IntoKey`] is what `get` and `find` accept for it: anything each column
//! accepts in a comparison, so `User::get(7, db)` and `Membership::get((team, user), db)`
//! both read as the key is written.

use crate::value::Value;
use crate::value::field::{IntoOperand, SqlField};

/// The Rust type of a model's primary key: one column's type, or a tuple of the columns'
/// types for a composite key (up to four columns).
pub trait PrimaryKey: Send + Sync + 'static {
    /// How many columns the key has.
    const WIDTH: usize;
}

/// A value that names a row by its primary key `K`: what `Model::get` and `Model::find`
/// take. Implemented for everything a key column accepts in a comparison (`7` for an
/// `i64` key, `"x"` for a `String` key) and for tuples of those for composite keys.
pub trait IntoKey<K: PrimaryKey> {
    /// The key's values, one per key column, in declaration order.
    fn into_key_values(self) -> Vec<Value>;
}

impl<T: SqlField> PrimaryKey for T {
    const WIDTH: usize = 1;
}

impl<T: SqlField, A: IntoOperand<T>> IntoKey<T> for A {
    #[inline]
    fn into_key_values(self) -> Vec<Value> {
        vec![self.into_value()]
    }
}

macro_rules! composite_key {
    ($width:expr; $($t:ident $a:ident $v:ident),+) => {
        impl<$($t: SqlField),+> PrimaryKey for ($($t,)+) {
            const WIDTH: usize = $width;
        }

        impl<$($t: SqlField,)+ $($a: IntoOperand<$t>),+> IntoKey<($($t,)+)> for ($($a,)+) {
            #[inline]
            fn into_key_values(self) -> Vec<Value> {
                let ($($v,)+) = self;
                vec![$($v.into_value()),+]
            }
        }
    };
}

composite_key!(2; T1 A1 v1, T2 A2 v2);
composite_key!(3; T1 A1 v1, T2 A2 v2, T3 A3 v3);
composite_key!(4; T1 A1 v1, T2 A2 v2, T3 A3 v3, T4 A4 v4);
