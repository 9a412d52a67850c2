//! Values computed per row, typed by their model and Rust type: arithmetic on numeric
//! columns (`Post::VIEWS + 1`, `Line::PRICE * Line::QUANTITY`), comparisons between
//! columns (`Event::ENDS.gt(Event::STARTS)`), and portable functions (`lower`, `length`,
//! `coalesce`...).
//!
//! A [`Computed<M, T>`] is to an expression what [`Column<M, T>`] is to a column: it only
//! fits `M`'s queries, and `T` is what it decodes into, so `Post::VIEWS + 1` on an `i64`
//! column is a `Computed<Post, i64>` and selecting it yields `i64`. Wherever a column is
//! accepted for filtering, ordering, selecting, aggregating or assigning, a `Computed` is
//! too.
//!
//! **Results are the same on every backend**, because each difference is settled here
//! and in the dialect rather than left to the server:
//! - both sides of `+ - * /` have the same number type (`i16`, `i32`, `i64` or `f64`),
//!   as in Rust; the result has that type, and is an `Option` if either side is;
//! - integer division truncates toward zero (`-7 / 2 = -3`, Rust's `/`): MariaDB's `/`
//!   would answer a decimal, so ambidex writes `DIV` there;
//! - division by zero is NULL on every backend (PostgreSQL would fail the statement,
//!   MariaDB and SQLite answer NULL), so a quotient is always an `Option`;
//! - an integer result outside its type's range is an error, never a wrapped or rounded
//!   number (PostgreSQL and MariaDB refuse it in the statement; elsewhere decoding refuses
//!   it, naming the selected item).

use std::fmt;
use std::marker::PhantomData;
use std::ops;

use crate::query::ast::{ArithOp, CmpOp, Func, Node, NumClass, Operand, OrderTerm, Scalar};
use crate::query::column::Column;
use crate::query::expr::{Expr, Order};
use crate::value::field::{IntoOperand, SqlField, TextField};

/// A value computed from the columns of each row of model `M`, that decodes into `T`:
/// from arithmetic on columns, or a function of them. Filter, order, select, aggregate or
/// assign it as a column.
///
/// ```
/// # use ambidex_core::{Column, Computed};
/// # struct Line;
/// # const PRICE: Column<Line, i64> = Column::new("lines", "price");
/// # const QUANTITY: Column<Line, i32> = Column::new("lines", "quantity");
/// let total: Computed<Line, i64> = PRICE * 2 + 1;
/// let big = (PRICE * 3).gt(100);
/// # let _ = (total, big, QUANTITY);
/// ```
pub struct Computed<M, T> {
    scalar: Scalar,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Computed<M, T> {
    fn clone(&self) -> Self {
        Computed::from_scalar(self.scalar.clone())
    }
}

impl<M, T> fmt::Debug for Computed<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.scalar.fmt(f)
    }
}

impl<M, T> Computed<M, T> {
    /// Wraps an untyped expression; the caller vouches that it only names `M`'s columns
    /// and yields a `T`.
    pub fn from_scalar(scalar: Scalar) -> Self {
        Computed {
            scalar,
            _types: PhantomData,
        }
    }

    /// The untyped expression, for the renderer.
    pub fn scalar(&self) -> &Scalar {
        &self.scalar
    }
}

/// A column or a computed value of model `M`, whose values are `Self::Type`: what
/// arithmetic, comparisons and functions take.
pub trait ScalarExpr<M> {
    /// The Rust type a row's value decodes into.
    type Type: SqlField;

    /// The untyped expression.
    fn into_scalar(self) -> Scalar;
}

impl<M, T: SqlField> ScalarExpr<M> for Column<M, T> {
    type Type = T;
    fn into_scalar(self) -> Scalar {
        Scalar::Column(self.column_ref())
    }
}

impl<M, T: SqlField> ScalarExpr<M> for Computed<M, T> {
    type Type = T;
    fn into_scalar(self) -> Scalar {
        self.scalar
    }
}

/// Marks the [`Comparand`] and [`Assignable`] impls for plain Rust values (`5`, `"Ada"`).
pub enum ByValue {}

/// Marks the [`Comparand`] and [`Assignable`] impls for columns and computed values.
pub enum ByExpr {}

/// What may stand on the other side of a comparison with a value of type `T` (the
/// non-NULL type): a Rust value (`Person::AGE.gt(17)`), or a column or computed value of
/// the same model with the same non-NULL type (`Event::ENDS.gt(Event::STARTS)`). `Via` is
/// inferred ([`ByValue`] or [`ByExpr`]); it keeps the two kinds of impl apart.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be compared with a value of type `{T}` in a query of `{M}`",
    note = "compare with a `{T}` value, or with a column or computed value of the same model and type"
)]
pub trait Comparand<M, T, Via> {
    /// The untyped expression.
    fn into_comparand(self) -> Scalar;
}

impl<M, T, V: IntoOperand<T>> Comparand<M, T, ByValue> for V {
    fn into_comparand(self) -> Scalar {
        Scalar::Value(self.into_value())
    }
}

impl<M, T, E> Comparand<M, T, ByExpr> for E
where
    E: ScalarExpr<M>,
    E::Type: SqlField<Inner = T>,
{
    fn into_comparand(self) -> Scalar {
        self.into_scalar()
    }
}

/// What may be stored in (or stand for) a value of type `T`: a Rust value, or a column or
/// computed value of the same model whose type is `T`, or `T`'s non-NULL type when `T` is
/// an `Option` (a possibly-NULL expression is not accepted where NULL is not).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in a field of type `{T}` of `{M}`",
    note = "use a `{T}` value, or a column or computed value of the same model whose type is `{T}` (a nullable one needs `.coalesce(..)` first)"
)]
pub trait Assignable<M, T, Via> {
    /// The untyped expression.
    fn into_assigned(self) -> Scalar;
}

impl<M, T, V: IntoOperand<T>> Assignable<M, T, ByValue> for V {
    fn into_assigned(self) -> Scalar {
        Scalar::Value(self.into_value())
    }
}

impl<M, T, E> Assignable<M, T, ByExpr> for E
where
    E: ScalarExpr<M>,
    E::Type: StoresIn<T>,
{
    fn into_assigned(self) -> Scalar {
        self.into_scalar()
    }
}

/// A value type whose values fit a field of type `T`: `T` itself, and `X` for
/// `Option<X>`.
pub trait StoresIn<T> {}
impl<X: SqlField> StoresIn<X> for X {}
impl<X: SqlField<Inner = X>> StoresIn<Option<X>> for X {}

/// Builds `left op right`, keeping the plain node for a column compared with a value (so
/// that the dialect may bind it its own way).
pub(crate) fn compare<M>(left: Scalar, op: CmpOp, right: Scalar) -> Expr<M> {
    Expr::from_node(match (left, right) {
        (Scalar::Column(column), Scalar::Value(value)) => Node::Compare { column, op, value },
        (left, right) => Node::CompareScalar { left, op, right },
    })
}

/// Builds `left <> right`, true when either side is NULL (the complement of `eq`).
pub(crate) fn not_equal<M>(left: Scalar, right: Scalar) -> Expr<M> {
    Expr::from_node(match (left, right) {
        (Scalar::Column(column), Scalar::Value(value)) => Node::NotEqual { column, value },
        (left, right) => Node::Not(Box::new(Node::CompareScalar {
            left,
            op: CmpOp::Eq,
            right,
        })),
    })
}

pub(crate) fn order<M>(scalar: Scalar, ascending: bool) -> Order<M> {
    let operand = match scalar {
        Scalar::Column(c) => Operand::Column(c),
        other => Operand::Scalar(other),
    };
    Order::from_term(OrderTerm { operand, ascending })
}

/// One comparison method: `$name(other)` is `self $op other`.
macro_rules! compare_method {
    ($(#[$doc:meta])* $name:ident, $op:ident) => {
        $(#[$doc])*
        pub fn $name<Via>(
            self,
            other: impl $crate::query::computed::Comparand<M, T::Inner, Via>,
        ) -> $crate::query::expr::Expr<M> {
            $crate::query::computed::compare(
                $crate::query::computed::ScalarExpr::<M>::into_scalar(self),
                $crate::query::ast::CmpOp::$op,
                other.into_comparand(),
            )
        }
    };
}
pub(crate) use compare_method;

/// The comparisons and orderings every typed expression has; expanded in the `impl`
/// blocks of [`Column`] and [`Computed`].
macro_rules! comparison_methods {
    () => {
        $crate::query::computed::compare_method!(
            /// `self = other` (a value, or a column or computed value of the same model);
            /// false when either side is NULL.
            eq, Eq
        );

        /// `self <> other`; true when either side is NULL (the exact complement of `eq`).
        pub fn ne<Via>(
            self,
            other: impl $crate::query::computed::Comparand<M, T::Inner, Via>,
        ) -> $crate::query::expr::Expr<M> {
            $crate::query::computed::not_equal(
                $crate::query::computed::ScalarExpr::<M>::into_scalar(self),
                other.into_comparand(),
            )
        }

        $crate::query::computed::compare_method!(
            /// `self < other`; false when either side is NULL.
            lt, Lt
        );
        $crate::query::computed::compare_method!(
            /// `self <= other`; false when either side is NULL.
            le, Le
        );
        $crate::query::computed::compare_method!(
            /// `self > other`; false when either side is NULL.
            gt, Gt
        );
        $crate::query::computed::compare_method!(
            /// `self >= other`; false when either side is NULL.
            ge, Ge
        );

        /// Ascending order (NULLs first, as `None < Some(_)` in Rust, on every backend).
        pub fn asc(self) -> $crate::query::expr::Order<M> {
            $crate::query::computed::order(
                $crate::query::computed::ScalarExpr::<M>::into_scalar(self),
                true,
            )
        }

        /// Descending order (NULLs last, on every backend).
        pub fn desc(self) -> $crate::query::expr::Order<M> {
            $crate::query::computed::order(
                $crate::query::computed::ScalarExpr::<M>::into_scalar(self),
                false,
            )
        }
    };
}
pub(crate) use comparison_methods;

impl<M, T: SqlField> Computed<M, T> {
    comparison_methods!();

    /// `low <= self <= high` (both inclusive; values, columns or computed values); false
    /// when any of them is NULL.
    pub fn between<V1, V2>(
        self,
        low: impl Comparand<M, T::Inner, V1>,
        high: impl Comparand<M, T::Inner, V2>,
    ) -> Expr<M> {
        let value = self.scalar;
        compare::<M>(value.clone(), CmpOp::Ge, low.into_comparand()).and(compare(
            value,
            CmpOp::Le,
            high.into_comparand(),
        ))
    }

    /// The value is NULL (a nullable operand was, or a division was by zero).
    pub fn is_null(self) -> Expr<M> {
        Expr::from_node(Node::ScalarIsNull {
            scalar: self.scalar,
            negated: false,
        })
    }

    /// The value is not NULL.
    pub fn is_not_null(self) -> Expr<M> {
        Expr::from_node(Node::ScalarIsNull {
            scalar: self.scalar,
            negated: true,
        })
    }
}

// ---- arithmetic ----

/// A number type that arithmetic works on: `i16`, `i32`, `i64`, `f64` (`f32` is left
/// out: backends compute it in different precisions).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a number type ambidex computes with",
    note = "arithmetic works on i16, i32, i64 and f64 columns and values, both sides of one type"
)]
pub trait Numeric: SqlField<Inner = Self> + Arith<Num = Self, Null = NotNull> {
    /// Whether it is an integer or a float type.
    const CLASS: NumClass;
}

/// A field type arithmetic accepts: a [`Numeric`] type or an `Option` of one.
#[diagnostic::on_unimplemented(
    message = "arithmetic needs a numeric column, not `{Self}`",
    note = "arithmetic works on i16, i32, i64 and f64 columns (or Options of them)"
)]
pub trait Arith: SqlField {
    /// The number type.
    type Num: Numeric;
    /// Whether the field may be NULL.
    type Null: Nullness;
}

/// Whether an expression may be NULL, as a type: [`NotNull`] or [`MaybeNull`].
pub trait Nullness {
    /// Nullable when `Self` or `N` is.
    type Or<N: Nullness>: Nullness;
    /// `X`, or `Option<X>` when nullable.
    type Wrap<X: Numeric>: Arith<Num = X>;
}

/// The expression is never NULL.
pub enum NotNull {}
impl Nullness for NotNull {
    type Or<N: Nullness> = N;
    type Wrap<X: Numeric> = X;
}

/// The expression may be NULL.
pub enum MaybeNull {}
impl Nullness for MaybeNull {
    type Or<N: Nullness> = MaybeNull;
    type Wrap<X: Numeric> = Option<X>;
}

impl<X: Numeric> Arith for Option<X>
where
    Option<X>: SqlField,
{
    type Num = X;
    type Null = MaybeNull;
}

/// What may stand on the right of `+ - * /` with numbers of type `X`: an `X` value, or a
/// column or computed value of the same model with numbers of type `X`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be combined with numbers of type `{X}` in a query of `{M}`",
    note = "both sides of an arithmetic operator have the same number type, as in Rust"
)]
pub trait ArithOperand<M, X> {
    /// Whether it may be NULL.
    type Null: Nullness;
    /// The untyped expression.
    fn into_operand(self) -> Scalar;
}

impl<M, X: Numeric, U: Arith<Num = X>> ArithOperand<M, X> for Column<M, U> {
    type Null = U::Null;
    fn into_operand(self) -> Scalar {
        Scalar::Column(self.column_ref())
    }
}

impl<M, X: Numeric, U: Arith<Num = X>> ArithOperand<M, X> for Computed<M, U> {
    type Null = U::Null;
    fn into_operand(self) -> Scalar {
        self.scalar
    }
}

macro_rules! numeric {
    ($($t:ty => $class:ident),*) => {$(
        impl Numeric for $t {
            const CLASS: NumClass = NumClass::$class;
        }
        impl Arith for $t {
            type Num = $t;
            type Null = NotNull;
        }
        impl<M> ArithOperand<M, $t> for $t {
            type Null = NotNull;
            fn into_operand(self) -> Scalar {
                Scalar::Value(self.to_value())
            }
        }
    )*};
}
numeric!(i16 => Integer, i32 => Integer, i64 => Integer, f64 => Float);

/// The type of `left op right` for `+ - *`: the number type, nullable if either side is.
pub type ArithOutput<T, R> =
    <<<T as Arith>::Null as Nullness>::Or<R> as Nullness>::Wrap<<T as Arith>::Num>;

fn arith(op: ArithOp, class: NumClass, left: Scalar, right: Scalar) -> Scalar {
    Scalar::Arith {
        op,
        class,
        left: Box::new(left),
        right: Box::new(right),
    }
}

/// `impl $trait<R> for $lhs<M, T>`: `self $op rhs`, of the operands' number type.
macro_rules! arith_op {
    ($lhs:ident, $trait:ident, $method:ident, $op:ident) => {
        impl<M, T: Arith, R: ArithOperand<M, T::Num>> ops::$trait<R> for $lhs<M, T> {
            type Output = Computed<M, ArithOutput<T, R::Null>>;
            fn $method(self, rhs: R) -> Self::Output {
                let left = ScalarExpr::<M>::into_scalar(self);
                Computed::from_scalar(arith(ArithOp::$op, T::Num::CLASS, left, rhs.into_operand()))
            }
        }
    };
}

macro_rules! arith_ops {
    ($lhs:ident) => {
        arith_op!($lhs, Add, add, Add);
        arith_op!($lhs, Sub, sub, Sub);
        arith_op!($lhs, Mul, mul, Mul);
        /// Division: integers truncate toward zero; a division by zero is NULL, so the
        /// quotient is always an `Option`.
        impl<M, T: Arith, R: ArithOperand<M, T::Num>> ops::Div<R> for $lhs<M, T> {
            type Output = Computed<M, Option<T::Num>>;
            fn div(self, rhs: R) -> Self::Output {
                let left = ScalarExpr::<M>::into_scalar(self);
                Computed::from_scalar(arith(ArithOp::Div, T::Num::CLASS, left, rhs.into_operand()))
            }
        }
        impl<M, T: Arith> ops::Neg for $lhs<M, T> {
            type Output = Computed<M, T>;
            fn neg(self) -> Self::Output {
                Computed::from_scalar(Scalar::Neg(Box::new(ScalarExpr::<M>::into_scalar(self))))
            }
        }
    };
}
arith_ops!(Column);
arith_ops!(Computed);

/// `value op expr` with a Rust number on the left (`100 - Line::PRICE`): the same as with
/// the value on the right, for each number type and each of `Column` and `Computed`.
macro_rules! value_first {
    ($($t:ty),*) => {$(
        value_first!(@op $t, Add, add, Add);
        value_first!(@op $t, Sub, sub, Sub);
        value_first!(@op $t, Mul, mul, Mul);
        impl<M, U: Arith<Num = $t>> ops::Div<Column<M, U>> for $t {
            type Output = Computed<M, Option<$t>>;
            fn div(self, rhs: Column<M, U>) -> Self::Output {
                let right = ScalarExpr::<M>::into_scalar(rhs);
                Computed::from_scalar(arith(ArithOp::Div, <$t>::CLASS, Scalar::Value(self.to_value()), right))
            }
        }
        impl<M, U: Arith<Num = $t>> ops::Div<Computed<M, U>> for $t {
            type Output = Computed<M, Option<$t>>;
            fn div(self, rhs: Computed<M, U>) -> Self::Output {
                let right = ScalarExpr::<M>::into_scalar(rhs);
                Computed::from_scalar(arith(ArithOp::Div, <$t>::CLASS, Scalar::Value(self.to_value()), right))
            }
        }
    )*};
    (@op $t:ty, $trait:ident, $method:ident, $op:ident) => {
        impl<M, U: Arith<Num = $t>> ops::$trait<Column<M, U>> for $t {
            type Output = Computed<M, U>;
            fn $method(self, rhs: Column<M, U>) -> Self::Output {
                let right = ScalarExpr::<M>::into_scalar(rhs);
                Computed::from_scalar(arith(ArithOp::$op, <$t>::CLASS, Scalar::Value(self.to_value()), right))
            }
        }
        impl<M, U: Arith<Num = $t>> ops::$trait<Computed<M, U>> for $t {
            type Output = Computed<M, U>;
            fn $method(self, rhs: Computed<M, U>) -> Self::Output {
                let right = ScalarExpr::<M>::into_scalar(rhs);
                Computed::from_scalar(arith(ArithOp::$op, <$t>::CLASS, Scalar::Value(self.to_value()), right))
            }
        }
    };
}
value_first!(i16, i32, i64, f64);

/// A number type whose every value `U` holds exactly: `i16` widens to `i32`, `i64` and
/// `f64`; `i32` to `i64` and `f64` (an `i64` does not fit an `f64` exactly, so it does
/// not widen to it).
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not widen losslessly to `{U}`",
    note = "i16 widens to i32, i64, f64; i32 to i64, f64"
)]
pub trait WidensTo<U: Numeric>: Numeric {}
impl WidensTo<i32> for i16 {}
impl WidensTo<i64> for i16 {}
impl WidensTo<f64> for i16 {}
impl WidensTo<i64> for i32 {}
impl WidensTo<f64> for i32 {}

macro_rules! cast_method {
    ($lhs:ident) => {
        impl<M, T: Arith> $lhs<M, T> {
            /// The value as the wider number type `U` (`CAST`), so that it combines with
            /// `U` values: `Line::PRICE * Line::QUANTITY.cast::<i64>()`.
            pub fn cast<U: Numeric>(self) -> Computed<M, <T::Null as Nullness>::Wrap<U>>
            where
                T::Num: WidensTo<U>,
            {
                Computed::from_scalar(Scalar::Cast {
                    kind: U::KIND,
                    arg: Box::new(ScalarExpr::<M>::into_scalar(self)),
                })
            }
        }
    };
}
cast_method!(Column);
cast_method!(Computed);

// ---- functions ----

fn func<M, T>(func: Func, args: Vec<Scalar>) -> Computed<M, T> {
    Computed::from_scalar(Scalar::Func { func, args })
}

/// A text field type (`String`, `Option<String>`) and the type of its length.
pub trait Text: TextField {
    /// `i64`, or `Option<i64>` for a nullable text.
    type Length: SqlField;
}
impl Text for String {
    type Length = i64;
}
impl Text for Option<String> {
    type Length = Option<i64>;
}

/// The functions of text expressions; expanded for [`Column`] and [`Computed`].
macro_rules! text_methods {
    ($lhs:ident) => {
        impl<M, T: Text> $lhs<M, T> {
            /// Lower case, with Unicode case mapping on every backend (`"ÀB"` becomes
            /// `"àb"`; SQLite's own `lower` would only map ASCII).
            pub fn lower(self) -> Computed<M, T> {
                func(Func::Lower, vec![ScalarExpr::<M>::into_scalar(self)])
            }

            /// Upper case, with Unicode case mapping on every backend.
            pub fn upper(self) -> Computed<M, T> {
                func(Func::Upper, vec![ScalarExpr::<M>::into_scalar(self)])
            }

            /// The length in characters (Unicode scalar values, as `str::chars().count()`),
            /// not bytes.
            pub fn length(self) -> Computed<M, T::Length> {
                func(Func::Length, vec![ScalarExpr::<M>::into_scalar(self)])
            }

            /// The text without leading and trailing spaces (`' '` only, as SQL's `TRIM`).
            pub fn trim(self) -> Computed<M, T> {
                func(Func::Trim, vec![ScalarExpr::<M>::into_scalar(self)])
            }

            /// The text followed by `other` (a value, or a text column or computed value
            /// of the same model); NULL when either is NULL.
            pub fn concat<Via>(self, other: impl Comparand<M, String, Via>) -> Computed<M, T> {
                func(
                    Func::Concat,
                    vec![ScalarExpr::<M>::into_scalar(self), other.into_comparand()],
                )
            }
        }
    };
}
text_methods!(Column);
text_methods!(Computed);

/// The functions of every expression; expanded for [`Column`] and [`Computed`].
macro_rules! general_methods {
    ($lhs:ident) => {
        impl<M, T: SqlField> $lhs<M, T> {
            /// The value, or `fallback` where it is NULL (`COALESCE`): not an `Option`
            /// any more when `fallback` is not.
            pub fn coalesce<Via>(
                self,
                fallback: impl Assignable<M, T::Inner, Via>,
            ) -> Computed<M, T::Inner> {
                func(
                    Func::Coalesce,
                    vec![ScalarExpr::<M>::into_scalar(self), fallback.into_assigned()],
                )
            }

            /// NULL where the value equals `other`, else the value (`NULLIF`): the usual
            /// guard before a division (`A / B.nullif(0)`).
            pub fn nullif<Via>(
                self,
                other: impl Comparand<M, T::Inner, Via>,
            ) -> Computed<M, Option<T::Inner>> {
                func(
                    Func::NullIf,
                    vec![ScalarExpr::<M>::into_scalar(self), other.into_comparand()],
                )
            }
        }

        impl<M, T: Arith> $lhs<M, T> {
            /// The absolute value.
            pub fn abs(self) -> Computed<M, T> {
                func(Func::Abs, vec![ScalarExpr::<M>::into_scalar(self)])
            }
        }
    };
}
general_methods!(Column);
general_methods!(Computed);

// ---- dates ----

/// A date or time field type (`chrono::NaiveDate`, `NaiveDateTime`, `DateTime<Utc>`, or an
/// `Option` of one), and the types of its parts.
#[cfg(feature = "chrono")]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a date or time type",
    note = "year, month, day and date work on NaiveDate, NaiveDateTime and DateTime<Utc> columns"
)]
pub trait Temporal: SqlField {
    /// `i32`, or `Option<i32>` when nullable.
    type Part: SqlField;
    /// `NaiveDate`, or `Option<NaiveDate>` when nullable.
    type Day: SqlField;
}

#[cfg(feature = "chrono")]
macro_rules! temporal {
    ($($t:ty),*) => {$(
        impl Temporal for $t {
            type Part = i32;
            type Day = chrono::NaiveDate;
        }
        impl Temporal for Option<$t> {
            type Part = Option<i32>;
            type Day = Option<chrono::NaiveDate>;
        }
    )*};
}
#[cfg(feature = "chrono")]
temporal!(
    chrono::NaiveDate,
    chrono::NaiveDateTime,
    chrono::DateTime<chrono::Utc>
);

#[cfg(feature = "chrono")]
macro_rules! temporal_methods {
    ($lhs:ident) => {
        impl<M, T: Temporal> $lhs<M, T> {
            fn part<R>(self, part: crate::query::ast::DatePart) -> Computed<M, R> {
                Computed::from_scalar(Scalar::DatePart {
                    part,
                    kind: T::KIND,
                    arg: Box::new(ScalarExpr::<M>::into_scalar(self)),
                })
            }

            /// The year (of the UTC time, for a `DateTime<Utc>`).
            pub fn year(self) -> Computed<M, T::Part> {
                self.part(crate::query::ast::DatePart::Year)
            }

            /// The month, 1 to 12 (in UTC, for a `DateTime<Utc>`).
            pub fn month(self) -> Computed<M, T::Part> {
                self.part(crate::query::ast::DatePart::Month)
            }

            /// The day of the month, 1 to 31 (in UTC, for a `DateTime<Utc>`).
            pub fn day(self) -> Computed<M, T::Part> {
                self.part(crate::query::ast::DatePart::Day)
            }

            /// The date: a date and time truncated to its day (the UTC day, for a
            /// `DateTime<Utc>`, whatever the session's time zone).
            pub fn date(self) -> Computed<M, T::Day> {
                self.part(crate::query::ast::DatePart::Date)
            }
        }
    };
}
#[cfg(feature = "chrono")]
temporal_methods!(Column);
#[cfg(feature = "chrono")]
temporal_methods!(Computed);

// ---- CASE ----

/// `CASE WHEN condition THEN value ...`: start with [`when`], add branches with
/// [`When::when`], finish with [`When::otherwise`].
pub struct When<M, T> {
    whens: Vec<(Node, Scalar)>,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> fmt::Debug for When<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("When").field("whens", &self.whens).finish()
    }
}

/// `CASE WHEN condition THEN then ...`: the value of the first condition that holds (a
/// condition that is NULL does not hold). `T` is the result's type: name it where the
/// values leave it open (`when::<_, String>(..., "minor")`).
///
/// ```
/// # use ambidex_core::{Column, Computed, when};
/// # struct Person;
/// # const AGE: Column<Person, Option<i32>> = Column::new("people", "age");
/// let group: Computed<Person, i32> = when(AGE.lt(18), 0).when(AGE.lt(65), 1).otherwise(2);
/// # let _ = group;
/// ```
pub fn when<M, T: SqlField, Via>(
    condition: Expr<M>,
    then: impl Assignable<M, T, Via>,
) -> When<M, T> {
    When {
        whens: vec![(condition.into_node(), then.into_assigned())],
        _types: PhantomData,
    }
}

impl<M, T: SqlField> When<M, T> {
    /// Another branch, tried after the earlier ones.
    pub fn when<Via>(mut self, condition: Expr<M>, then: impl Assignable<M, T, Via>) -> Self {
        self.whens
            .push((condition.into_node(), then.into_assigned()));
        self
    }

    /// The value where no condition holds; ends the `CASE`.
    pub fn otherwise<Via>(self, value: impl Assignable<M, T, Via>) -> Computed<M, T> {
        Computed::from_scalar(Scalar::Case {
            whens: self.whens,
            otherwise: Box::new(value.into_assigned()),
        })
    }
}
