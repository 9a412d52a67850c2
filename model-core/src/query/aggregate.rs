//! Typed aggregates: `count()`, `Person::AGE.count()`, `Person::SCORE.sum()`, `.avg()`,
//! `.min()`, `.max()`, and conditions on them for `HAVING`.
//!
//! An [`Agg<M, T>`] knows its model and the Rust type it yields, chosen to be the same on
//! every backend: counts are `i64`; a sum of integers is `Option<i64>` and of floats
//! `Option<f64>` (cast in SQL, since PostgreSQL and MySQL would answer `numeric` /
//! `decimal`); an average is `Option<f64>`; `min`/`max` are `Option` of the column's type.
//! The `Option` is `None` for a group with no non-NULL value, as SQL says.

use std::fmt;
use std::marker::PhantomData;

use crate::query::ast::{AggFunc, Aggregate, CmpOp, Node, Operand, OrderTerm, Scalar};
use crate::query::column::Column;
use crate::query::computed::{Computed, ScalarExpr};
use crate::query::expr::Order;
use crate::value::ValueKind;
use crate::value::field::{IntoOperand, SqlField};

/// An aggregate over model `M`'s rows that yields a `T`: select it
/// (`.select((Person::AGE, count()))`), order by it, or compare it in `having`.
pub struct Agg<M, T> {
    aggregate: Aggregate,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Agg<M, T> {
    fn clone(&self) -> Self {
        Agg {
            aggregate: self.aggregate.clone(),
            _types: PhantomData,
        }
    }
}

impl<M, T> fmt::Debug for Agg<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.aggregate.fmt(f)
    }
}

/// `COUNT(*)`: the number of rows (in each group).
///
/// ```
/// # use ambidex_core::count;
/// # #[derive(Debug)] struct P;
/// let rows = count::<P>();
/// # let _ = rows;
/// ```
pub fn count<M>() -> Agg<M, i64> {
    Agg::new(AggFunc::Count, None, false, None)
}

impl<M, T> Agg<M, T> {
    fn new(func: AggFunc, arg: Option<Scalar>, distinct: bool, cast: Option<ValueKind>) -> Self {
        Agg {
            aggregate: Aggregate {
                func,
                arg: arg.map(Box::new),
                distinct,
                cast,
            },
            _types: PhantomData,
        }
    }

    /// The untyped aggregate, for the renderer.
    pub fn aggregate(&self) -> Aggregate {
        self.aggregate.clone()
    }

    fn order(self, ascending: bool) -> Order<M> {
        Order::from_term(OrderTerm {
            operand: Operand::Aggregate(self.aggregate),
            ascending,
        })
    }

    /// Ascending order by the aggregate (NULLs first, as everywhere in ambidex).
    pub fn asc(self) -> Order<M> {
        self.order(true)
    }

    /// Descending order by the aggregate (NULLs last).
    pub fn desc(self) -> Order<M> {
        self.order(false)
    }
}

/// The type an aggregate compares with: `i64` for `Agg<M, i64>`, `f64` for
/// `Agg<M, Option<f64>>`.
impl<M, T: SqlField> Agg<M, T> {
    fn compare(self, op: CmpOp, value: impl IntoOperand<T::Inner>) -> Having<M> {
        Having::from_node(Node::AggregateCompare {
            aggregate: self.aggregate,
            op,
            value: value.into_value(),
        })
    }

    /// `aggregate = value` (false for a NULL aggregate).
    pub fn eq(self, value: impl IntoOperand<T::Inner>) -> Having<M> {
        self.compare(CmpOp::Eq, value)
    }

    /// `aggregate < value`.
    pub fn lt(self, value: impl IntoOperand<T::Inner>) -> Having<M> {
        self.compare(CmpOp::Lt, value)
    }

    /// `aggregate <= value`.
    pub fn le(self, value: impl IntoOperand<T::Inner>) -> Having<M> {
        self.compare(CmpOp::Le, value)
    }

    /// `aggregate > value`.
    pub fn gt(self, value: impl IntoOperand<T::Inner>) -> Having<M> {
        self.compare(CmpOp::Gt, value)
    }

    /// `aggregate >= value`.
    pub fn ge(self, value: impl IntoOperand<T::Inner>) -> Having<M> {
        self.compare(CmpOp::Ge, value)
    }
}

/// A condition on the aggregates of a group of `M`'s rows, for
/// [`crate::SelectAs::having`]; combine with `and` / `or`.
pub struct Having<M> {
    node: Node,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Having<M> {
    fn clone(&self) -> Self {
        Having::from_node(self.node.clone())
    }
}

impl<M> fmt::Debug for Having<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

impl<M> Having<M> {
    fn from_node(node: Node) -> Self {
        Having {
            node,
            _model: PhantomData,
        }
    }

    /// The untyped node.
    pub fn into_node(self) -> Node {
        self.node
    }

    /// Both conditions hold.
    pub fn and(self, other: Having<M>) -> Having<M> {
        Having::from_node(Node::And(Box::new(self.node), Box::new(other.node)))
    }

    /// Either condition holds.
    pub fn or(self, other: Having<M>) -> Having<M> {
        Having::from_node(Node::Or(Box::new(self.node), Box::new(other.node)))
    }
}

/// A numeric column type that `sum` and `avg` accept, and what its sum is.
#[diagnostic::on_unimplemented(
    message = "`sum` and `avg` need a numeric column, not `{Self}`",
    note = "integers sum to i64, floats to f64, decimals to Decimal"
)]
pub trait Summable: SqlField {
    /// The sum's type: `i64` for integers, `f64` for floats.
    type Sum: SqlField;
}

macro_rules! summable {
    ($sum:ty: $($t:ty),*) => {$(
        impl Summable for $t {
            type Sum = $sum;
        }
    )*};
}
summable!(i64: i16, i32, i64);
summable!(f64: f32, f64);
// An exact sum of decimals on every backend: PostgreSQL's and MariaDB's own `SUM`, and on
// SQLite (which would sum the stored text as doubles) the exact `ambidex_decimal_sum` that
// both engines register. A sum past `Decimal`'s range is an error, never a rounded value.
#[cfg(feature = "decimal")]
summable!(rust_decimal::Decimal: rust_decimal::Decimal);

/// A column type with an order, that `min` and `max` accept.
#[diagnostic::on_unimplemented(message = "`min` and `max` need an ordered column, not `{Self}`")]
pub trait Ordered: SqlField {}
impl Ordered for i16 {}
impl Ordered for i32 {}
impl Ordered for i64 {}
impl Ordered for f32 {}
impl Ordered for f64 {}
impl Ordered for String {}
#[cfg(feature = "chrono")]
impl Ordered for chrono::NaiveDate {}
#[cfg(feature = "chrono")]
impl Ordered for chrono::NaiveDateTime {}
#[cfg(feature = "chrono")]
impl Ordered for chrono::DateTime<chrono::Utc> {}
#[cfg(feature = "decimal")]
impl Ordered for rust_decimal::Decimal {}

fn agg<M, R>(arg: Scalar, func: AggFunc, distinct: bool, cast: Option<ValueKind>) -> Agg<M, R> {
    Agg::new(func, Some(arg), distinct, cast)
}

/// The argument of `MIN`/`MAX`, which yield its type: a computed one is marked with the
/// kind it decodes as, for the dialects that type results at prepare time.
fn typed_arg<M, T: SqlField>(x: impl ScalarExpr<M>) -> Scalar {
    match x.into_scalar() {
        Scalar::Column(c) => Scalar::Column(c),
        computed => Scalar::ResultAs {
            kind: T::KIND,
            arg: Box::new(computed),
        },
    }
}

/// The aggregates of a column or computed value; expanded for [`Column`] and [`Computed`].
macro_rules! aggregate_methods {
    ($lhs:ident) => {
        impl<M, T: SqlField> $lhs<M, T> {
            /// `COUNT(x)`: how many rows have a non-NULL value.
            pub fn count(self) -> Agg<M, i64> {
                agg(
                    ScalarExpr::<M>::into_scalar(self),
                    AggFunc::Count,
                    false,
                    None,
                )
            }

            /// `COUNT(DISTINCT x)`: how many different non-NULL values.
            pub fn count_distinct(self) -> Agg<M, i64> {
                agg(
                    ScalarExpr::<M>::into_scalar(self),
                    AggFunc::Count,
                    true,
                    None,
                )
            }
        }

        impl<M, T: SqlField> $lhs<M, T>
        where
            T::Inner: Summable,
        {
            /// `SUM(x)`: `i64` for integers, `f64` for floats; `None` when no row has a
            /// value.
            pub fn sum(self) -> Agg<M, Option<<T::Inner as Summable>::Sum>> {
                let kind = <<T::Inner as Summable>::Sum as SqlField>::KIND;
                agg(
                    ScalarExpr::<M>::into_scalar(self),
                    AggFunc::Sum,
                    false,
                    Some(kind),
                )
            }

            /// `AVG(x)` as `f64`; `None` when no row has a value.
            pub fn avg(self) -> Agg<M, Option<f64>> {
                agg(
                    ScalarExpr::<M>::into_scalar(self),
                    AggFunc::Avg,
                    false,
                    Some(ValueKind::F64),
                )
            }
        }

        impl<M, T: SqlField> $lhs<M, T>
        where
            T::Inner: Ordered,
        {
            /// `MIN(x)`; `None` when no row has a value.
            pub fn min(self) -> Agg<M, Option<T::Inner>> {
                agg(typed_arg::<M, T>(self), AggFunc::Min, false, None)
            }

            /// `MAX(x)`; `None` when no row has a value.
            pub fn max(self) -> Agg<M, Option<T::Inner>> {
                agg(typed_arg::<M, T>(self), AggFunc::Max, false, None)
            }
        }
    };
}
aggregate_methods!(Column);
aggregate_methods!(Computed);
