//! Selecting chosen columns and aggregates into tuples: `Select::select`, [`SelectAs`],
//! `group_by`, `having`, `distinct`, and subqueries (`is_in_query`).
//!
//! What a query selects is a [`Selectable`]: a column (`Person::NAME` yields `String`), an
//! aggregate (`count()` yields `i64`), or a tuple of them (up to eight) yielding a tuple.
//! The row type is therefore known at compile time, and every item belongs to the query's
//! model: `Person::query().select(Post::TITLE)` does not compile.
//!
//! The facade's crate documentation (`ambidex`, section "Selecting columns and
//! aggregates") has a complete example.

use std::fmt;
use std::marker::PhantomData;

use crate::engine::statement::Statement;
use crate::engine::{DbResult, Executor};
use crate::error::Result;
use crate::model::Model;
use crate::ops;
use crate::query::aggregate::{Agg, Having};
use crate::query::ast::{Node, Operand, Scalar, SelectList};
use crate::query::column::Column;
use crate::query::computed::{Computed, ScalarExpr};
use crate::query::expr::{Expr, Order};
use crate::query::select::Select;
use crate::query::select::and_filter;
use crate::sql::dialect::Dialect;
use crate::sql::render;
use crate::value::field::SqlField;
use crate::value::row::{RowReader, decode_field, row_too_narrow};

/// What a query of model `M` can select: a column, an aggregate, or a tuple of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be selected from a query of `{M}`",
    note = "select columns of the query's model, aggregates such as `count()`, or a tuple of them"
)]
pub trait Selectable<M>: Send + 'static {
    /// What one result row decodes into.
    type Output: Send + 'static;

    /// How many result columns this selects.
    const WIDTH: usize;

    /// Appends the SQL items this selects.
    fn items(&self, out: &mut Vec<Operand>);

    /// Decodes the items starting at column `*index`, advancing it.
    fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<Self::Output>;
}

impl<M: Model, T: SqlField> Selectable<M> for Column<M, T> {
    type Output = T;
    const WIDTH: usize = 1;
    fn items(&self, out: &mut Vec<Operand>) {
        out.push(Operand::Column(self.column_ref()));
    }
    fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<T> {
        let i = *index;
        *index += 1;
        // The column's name is not known statically here; the field is named by position.
        decode_field(
            row,
            i,
            M::META.name,
            "(selected column)",
            "(selected column)",
        )
    }
}

impl<M: Model, T: SqlField> Selectable<M> for Computed<M, T> {
    type Output = T;
    const WIDTH: usize = 1;
    fn items(&self, out: &mut Vec<Operand>) {
        out.push(Operand::Scalar(Scalar::ResultAs {
            kind: T::KIND,
            arg: Box::new(self.scalar().clone()),
        }));
    }
    fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<T> {
        let i = *index;
        *index += 1;
        decode_field(row, i, M::META.name, "(computed value)", "(computed value)")
    }
}

impl<M: Model, T: SqlField> Selectable<M> for Agg<M, T> {
    type Output = T;
    const WIDTH: usize = 1;
    fn items(&self, out: &mut Vec<Operand>) {
        out.push(Operand::Aggregate(self.aggregate()));
    }
    fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<T> {
        let i = *index;
        *index += 1;
        decode_field(row, i, M::META.name, "(aggregate)", "(aggregate)")
    }
}

macro_rules! tuple_selectable {
    ($($t:ident $v:ident),+) => {
        impl<M, $($t: Selectable<M>),+> Selectable<M> for ($($t,)+) {
            type Output = ($($t::Output,)+);
            const WIDTH: usize = 0 $(+ $t::WIDTH)+;
            fn items(&self, out: &mut Vec<Operand>) {
                let ($($v,)+) = self;
                $($v.items(out);)+
            }
            fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<Self::Output> {
                Ok(($($t::decode(row, index)?,)+))
            }
        }
    };
}
tuple_selectable!(A a);
tuple_selectable!(A a, B b);
tuple_selectable!(A a, B b, C c);
tuple_selectable!(A a, B b, C c, D d);
tuple_selectable!(A a, B b, C c, D d, E e);
tuple_selectable!(A a, B b, C c, D d, E e, F f);
tuple_selectable!(A a, B b, C c, D d, E e, F f, G g);
tuple_selectable!(A a, B b, C c, D d, E e, F f, G g, H h);

/// A struct holding some of a model's columns, implemented by `#[derive(PartialModel)]`:
/// `Person::query().select_partial::<PersonName>()` reads only those columns. Each field
/// is the model's field of the same name (or `#[ambidex(field = "...")]`) with the same
/// type, checked at compile time.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a partial model",
    note = "derive it: `#[derive(PartialModel)] #[ambidex(model = YourModel)]`"
)]
pub trait PartialModel: Send + Sized + 'static {
    /// The model whose columns it holds.
    type Model: Model;

    /// How many columns it reads.
    const WIDTH: usize;

    /// Appends the columns it reads, in field order.
    fn items(out: &mut Vec<Operand>);

    /// Decodes the columns starting at `*index`, advancing it.
    fn decode_at<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<Self>;
}

/// Selects a [`PartialModel`]: what [`Select::select_partial`] selects, and what a tuple
/// can hold beside aggregates (`(Partial::<PersonName>::new(), count())`).
pub struct Partial<P>(PhantomData<fn() -> P>);

impl<P> Partial<P> {
    /// The selection of `P`'s columns.
    pub fn new() -> Self {
        Partial(PhantomData)
    }
}

impl<P> Default for Partial<P> {
    fn default() -> Self {
        Partial::new()
    }
}

impl<M: Model, P: PartialModel<Model = M>> Selectable<M> for Partial<P> {
    type Output = P;
    const WIDTH: usize = P::WIDTH;
    fn items(&self, out: &mut Vec<Operand>) {
        P::items(out);
    }
    fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<P> {
        P::decode_at(row, index)
    }
}

/// Decodes one selected row, checking its width first.
pub(crate) fn decode_selected<M: Model, S: Selectable<M>, R: RowReader + ?Sized>(
    row: &R,
) -> Result<S::Output> {
    if row.width() < S::WIDTH {
        return Err(row_too_narrow(M::META.name, S::WIDTH, row.width()));
    }
    let mut index = 0;
    S::decode(row, &mut index)
}

impl<M: Model> Select<M> {
    /// Selects `items` (a column, an aggregate, or a tuple of them) instead of whole rows:
    /// `Person::query().select((Person::NAME, Person::AGE)).all(&db)` yields
    /// `Vec<(String, Option<i32>)>`. Filters, order, limit and offset carry over.
    pub fn select<S: Selectable<M>>(self, items: S) -> SelectAs<M, S> {
        let mut list = Vec::new();
        items.items(&mut list);
        SelectAs {
            list: SelectList::new(M::META.table, list, self.parts().clone()),
            _types: PhantomData,
        }
    }
}

impl<M: Model> Select<M> {
    /// Selects the columns of the partial model `P` (a struct with some of `M`'s fields,
    /// `#[derive(PartialModel)]`) instead of whole rows: only those columns are read.
    /// `Person::query().select_partial::<PersonName>().all(&db)` yields `Vec<PersonName>`.
    pub fn select_partial<P: PartialModel<Model = M>>(self) -> SelectAs<M, Partial<P>> {
        self.select(Partial::new())
    }
}

/// A query of model `M` that selects `S` (columns and aggregates), from
/// [`Select::select`]. Terminal methods return `S::Output` values.
pub struct SelectAs<M, S> {
    list: SelectList,
    _types: PhantomData<fn() -> (M, S)>,
}

impl<M, S> Clone for SelectAs<M, S> {
    fn clone(&self) -> Self {
        SelectAs {
            list: self.list.clone(),
            _types: PhantomData,
        }
    }
}

impl<M, S> fmt::Debug for SelectAs<M, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.list.fmt(f)
    }
}

impl<M: Model, S: Selectable<M>> SelectAs<M, S> {
    /// Keeps rows that meet `condition` (ANDed with earlier filters).
    pub fn filter(mut self, condition: Expr<M>) -> Self {
        self.list.parts = and_filter(self.list.parts, condition.into_node());
        self
    }

    /// Groups rows by `key` (after earlier groupings): a column, or a value computed
    /// from columns only (`Person::NAME.lower()`; one with a bound value such as
    /// `AGE + 1` is refused when the query runs, since PostgreSQL would see the grouped
    /// and the selected `$n` as different values). Aggregates are then per group.
    pub fn group_by(mut self, key: impl ScalarExpr<M>) -> Self {
        self.list.group_by.push(key.into_scalar());
        self
    }

    /// Keeps groups whose aggregates meet `condition` (ANDed with earlier ones).
    pub fn having(mut self, condition: Having<M>) -> Self {
        self.list.and_having(condition.into_node());
        self
    }

    /// Returns each distinct result row once (`SELECT DISTINCT`).
    pub fn distinct(mut self) -> Self {
        self.list.distinct = true;
        self
    }

    /// Orders by a column or an aggregate (`count().desc()`), after earlier orderings.
    pub fn order_by(mut self, order: Order<M>) -> Self {
        self.list.parts.order.push(order.term());
        self
    }

    /// Returns at most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.list.parts.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.list.parts.offset = Some(n);
        self
    }

    /// The SQL this query sends to `dialect`, with its bind values.
    pub fn to_sql(&self, dialect: Dialect) -> Result<Statement> {
        render::select_list(dialect, &self.list)
    }

    fn plan(self, limit: Option<u64>) -> ops::FetchSelected<M, S> {
        let mut list = self.list;
        list.cap_limit(limit);
        ops::FetchSelected {
            list,
            types: PhantomData,
        }
    }

    /// Every result row.
    pub fn all<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Vec<S::Output>> {
        db.run(self.plan(None))
    }

    /// The first result row, or `None`.
    pub fn first<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Option<S::Output>> {
        db.run(ops::First(self.plan(Some(1))))
    }

    /// The only result row: [`crate::Error::NotFound`] if none,
    /// [`crate::Error::MultipleRows`] if several. An aggregate without `group_by` always
    /// has exactly one (`Person::query().select(count()).one(&db)`).
    pub fn one<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, S::Output> {
        db.run(ops::One::<M, _>::new(self.plan(Some(2))))
    }
}

impl<M: Model, T: SqlField> Column<M, T> {
    fn in_query<N: Model>(self, subquery: SelectAs<N, Column<N, T>>) -> Node {
        Node::InSubquery {
            column: self.column_ref(),
            subquery: Box::new(subquery.list),
        }
    }

    /// `column IN (SELECT ...)`: rows whose value the subquery (one column of the same
    /// type, of any model) returns: `Person::ID.is_in_query(Post::query().select(Post::AUTHOR))`.
    pub fn is_in_query<N: Model>(self, subquery: SelectAs<N, Column<N, T>>) -> Expr<M> {
        Expr::from_node(self.in_query(subquery))
    }

    /// The exact complement of [`Column::is_in_query`]: also rows whose value is NULL, and
    /// unaffected by NULLs in the subquery (SQL's `NOT IN` would match nothing then).
    pub fn not_in_query<N: Model>(self, subquery: SelectAs<N, Column<N, T>>) -> Expr<M> {
        Expr::from_node(Node::Not(Box::new(self.in_query(subquery))))
    }
}
