//! Joins: one query over several models, typed by the set of models it reads.
//!
//! `Post::query().join(Post::AUTHOR)` is a [`Joined`] over `Post` and `Author`: its rows
//! are `(Post, Author)`, and it accepts conditions, orderings and selections on either
//! model, never on a model it does not read (that does not compile). A left join
//! (`Author::query().left_join(Post::AUTHOR)`) yields `(Author, Option<Post>)`: `None`
//! where the author has no post (every column of the joined row NULL), and a column of the
//! left-joined model selects as an `Option`.
//!
//! How the types work: the set `S` is a tuple of `(source, side)` pairs, the root first:
//! `((Post, Inner), (Author, Left))`. A [`Source`] is a model or an alias of one
//! ([`alias!`](crate::alias)); a [`Side`] says whether its row is always there
//! ([`Inner`]) or may be missing ([`Left`]). `X: Member<S, I>` holds when `X` is one of
//! the set's sources, at position `I` (inferred; [`P0`]..[`P3`]); that one bound is what
//! every method checks. Up to four models per query.
//!
//! Joining along a declared relation works in both directions: from the child to its
//! parent (`Post::query().join(Post::AUTHOR)`) and from the parent to its children
//! (`Author::query().left_join(Post::AUTHOR)`); [`Joined::join_through`] follows a
//! many-to-many relation through its link model. [`Joined::join_on`] joins on any two
//! columns of one type; [`Joined::join_as`] joins a model a second time under an alias
//! (an employee and their manager).
//!
//! The SQL qualifies every column by its table or alias (`"posts"."title"`), so that two
//! models' columns of the same name never clash. The facade's crate documentation and
//! `docs/guide/joins.md` have complete examples.

// The join set is a type-level tuple by design; naming each shape would hide it.
#![allow(clippy::type_complexity)]

use std::fmt;
use std::marker::PhantomData;

mod lock;

pub use lock::LockedJoin;

use crate::engine::access::Access;
use crate::engine::statement::Statement;
use crate::engine::{Connection, DbResult, Executor, Plan, RowSink};
use crate::error::Result;
use crate::model::Model;
use crate::ops;
use crate::ops::relation::{BelongsTo, Through};
use crate::query::aggregate::{Agg, Having};
use crate::query::ast::{
    CmpOp, ColumnRef, JoinClause, JoinKind, MarkNullable, Node, Operand, Scalar, SelectList,
};
use crate::query::column::Column;
use crate::query::computed::{Computed, ScalarExpr};
use crate::query::expr::{Expr, Order};
use crate::query::select::{Select, and_filter};
use crate::sql::dialect::Dialect;
use crate::sql::render;
use crate::value::field::SqlField;
use crate::value::row::{Cell, RowReader, decode_field, row_too_narrow};

/// A table a query reads: a model (every model is one), or an alias of a model declared
/// with [`alias!`](crate::alias), for a model that appears twice in one query.
pub trait Source: Send + Sync + 'static {
    /// The model whose rows it holds.
    type Row: Model;
    /// The name the query calls it by: the model's table, or the alias.
    const NAME: &'static str;
    /// Whether `NAME` is an alias (`JOIN table AS alias`).
    const ALIASED: bool;
}

impl<M: Model> Source for M {
    type Row = M;
    const NAME: &'static str = M::META.table;
    const ALIASED: bool = false;
}

/// Declares an alias of a model, for a query that reads the model twice (a self-join):
/// `ambidex::alias!(pub Manager = Employee);` makes a type `Manager` that joins
/// ([`Joined::join_as`]) and names columns (`Employee::NAME.of::<Manager>()`) as a
/// second `Employee`, written `AS "Manager"` in the SQL.
/// Attributes (doc comments) before the name go onto the type; the facade's
/// `docs/guide/joins.md` has a complete self-join.
#[macro_export]
macro_rules! alias {
    ($(#[$meta:meta])* $vis:vis $name:ident = $model:ty) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        $vis enum $name {}
        impl $crate::ops::join::Source for $name {
            type Row = $model;
            const NAME: &'static str = ::core::stringify!($name);
            const ALIASED: bool = true;
        }
    };
}

/// The side of a joined model whose row is always there: the query's own model, and an
/// inner join's.
pub enum Inner {}

/// The side of a left-joined model: its row may be missing (all its columns NULL), so it
/// decodes as an `Option`, and so does each of its columns.
pub enum Left {}

/// Whether a joined model's row is always there ([`Inner`]) or may be missing ([`Left`]).
pub trait Side: Send + Sync + 'static {
    /// The join kind this side is joined with.
    const KIND: JoinKind;
    /// What a whole row of model `M` decodes into: `M`, or `Option<M>`.
    type Row<M: Model>: Send + 'static;
    /// Decodes model `M`'s columns starting at column `offset`.
    fn decode_row<M: Model, R: RowReader + ?Sized>(row: &R, offset: usize) -> Result<Self::Row<M>>;
}

/// What a selected value of type `T` decodes into on this side: `T`, or for a
/// left-joined model `Option` of `T`'s non-NULL type.
pub trait SideField<T: SqlField>: Side {
    /// The decoded type.
    type Out: Send + 'static;
    /// Decodes column `index`.
    fn decode_field<R: RowReader + ?Sized>(
        row: &R,
        index: usize,
        model: &'static str,
    ) -> Result<Self::Out>;
}

impl Side for Inner {
    const KIND: JoinKind = JoinKind::Inner;
    type Row<M: Model> = M;
    fn decode_row<M: Model, R: RowReader + ?Sized>(row: &R, offset: usize) -> Result<M> {
        M::decode(&Shifted { row, offset })
    }
}

impl Side for Left {
    const KIND: JoinKind = JoinKind::Left;
    type Row<M: Model> = Option<M>;
    fn decode_row<M: Model, R: RowReader + ?Sized>(row: &R, offset: usize) -> Result<Option<M>> {
        for i in offset..offset + M::META.columns.len() {
            if !matches!(row.cell(i)?, Cell::Null) {
                return M::decode(&Shifted { row, offset }).map(Some);
            }
        }
        Ok(None)
    }
}

impl<T: SqlField> SideField<T> for Inner {
    type Out = T;
    fn decode_field<R: RowReader + ?Sized>(
        row: &R,
        index: usize,
        model: &'static str,
    ) -> Result<T> {
        decode_field(row, index, model, "(selected column)", "(selected column)")
    }
}

impl<T: SqlField> SideField<T> for Left
where
    Option<T::Inner>: SqlField,
{
    type Out = Option<T::Inner>;
    fn decode_field<R: RowReader + ?Sized>(
        row: &R,
        index: usize,
        model: &'static str,
    ) -> Result<Option<T::Inner>> {
        decode_field(row, index, model, "(selected column)", "(selected column)")
    }
}

/// A row read from column `offset` on: how a joined model's decoder, which reads its
/// columns from 0, reads them in the middle of a joined row.
struct Shifted<'a, R: ?Sized> {
    row: &'a R,
    offset: usize,
}

impl<R: RowReader + ?Sized> RowReader for Shifted<'_, R> {
    #[inline]
    fn width(&self) -> usize {
        self.row.width().saturating_sub(self.offset)
    }
    #[inline]
    fn cell(&self, index: usize) -> Result<Cell<'_>> {
        self.row.cell(index + self.offset)
    }
    fn column_type(&self, index: usize) -> Option<std::borrow::Cow<'_, str>> {
        self.row.column_type(index + self.offset)
    }
}

/// Position 0 of a join set (the query's own model); see [`Member`].
pub enum P0 {}
/// Position 1 of a join set.
pub enum P1 {}
/// Position 2 of a join set.
pub enum P2 {}
/// Position 3 of a join set.
pub enum P3 {}

/// `Self` is one of the models (or aliases) the join set `S` reads, at position `I`;
/// `I` is always inferred. A model joined twice without an alias is ambiguous (the
/// compiler asks for type annotations): join it through an [`alias!`](crate::alias).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not one of the models this query reads",
    label = "not joined in this query",
    note = "join it first (`.join(..)`, `.left_join(..)`, `.join_on(..)`), or use a column of a model the query reads"
)]
pub trait Member<S, I>: Source {
    /// Whether its row is always there.
    type Side: Side;
}

macro_rules! member {
    ($pos:ident: $x:ident $fx:ident in ($($s:ident $f:ident),+)) => {
        impl<$($s: Source, $f: Side),+> Member<($(($s, $f),)+), $pos> for $x {
            type Side = $fx;
        }
    };
}
member!(P0: A FA in (A FA));
member!(P0: A FA in (A FA, B FB));
member!(P1: B FB in (A FA, B FB));
member!(P0: A FA in (A FA, B FB, C FC));
member!(P1: B FB in (A FA, B FB, C FC));
member!(P2: C FC in (A FA, B FB, C FC));
member!(P0: A FA in (A FA, B FB, C FC, D FD));
member!(P1: B FB in (A FA, B FB, C FC, D FD));
member!(P2: C FC in (A FA, B FB, C FC, D FD));
member!(P3: D FD in (A FA, B FB, C FC, D FD));

/// The join set `Self` with source `X` joined on side `F`.
pub trait Extend<X, F> {
    /// The larger set.
    type Out;
}

macro_rules! extend {
    ($($s:ident $f:ident),+) => {
        impl<$($s, $f,)+ X, F> Extend<X, F> for ($(($s, $f),)+) {
            type Out = ($(($s, $f),)+ (X, F));
        }
    };
}
extend!(A FA);
extend!(A FA, B FB);
extend!(A FA, B FB, C FC);

/// A join set whose whole rows can be read: the tuple of its models, the left-joined
/// ones as `Option`s.
pub trait JoinSet: Send + 'static {
    /// The query's own model.
    type Root: Model;
    /// What one row decodes into.
    type Rows: Send + 'static;
    /// How many columns a row has.
    const WIDTH: usize;
    /// Appends every column of every model, qualified.
    fn items(out: &mut Vec<Operand>);
    /// Decodes one row.
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Self::Rows>;
}

fn push_columns<X: Source, F: Side>(out: &mut Vec<Operand>) {
    let left = F::KIND == JoinKind::Left;
    out.extend(X::Row::META.columns.iter().map(|c| {
        Operand::Column(ColumnRef {
            nullable: c.nullable || left,
            ..c.column_ref(X::NAME)
        })
    }));
}

macro_rules! join_set {
    ($($s:ident $f:ident),+) => {
        impl<A: Model, $($s: Source, $f: Side),+> JoinSet for ((A, Inner), $(($s, $f),)+) {
            type Root = A;
            type Rows = (A, $(<$f as Side>::Row<<$s as Source>::Row>,)+);
            const WIDTH: usize = A::META.columns.len() $(+ <$s as Source>::Row::META.columns.len())+;
            fn items(out: &mut Vec<Operand>) {
                push_columns::<A, Inner>(out);
                $(push_columns::<$s, $f>(out);)+
            }
            #[allow(non_snake_case)]
            fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Self::Rows> {
                if row.width() < Self::WIDTH {
                    return Err(row_too_narrow(A::META.name, Self::WIDTH, row.width()));
                }
                let root = A::decode(row)?;
                let mut offset = A::META.columns.len();
                $(
                    let $s = <$f as Side>::decode_row::<<$s as Source>::Row, R>(row, offset)?;
                    offset += <$s as Source>::Row::META.columns.len();
                )+
                let _ = offset;
                Ok((root, $($s,)+))
            }
        }
    };
}
join_set!(B FB);
join_set!(B FB, C FC);
join_set!(B FB, C FC, D FD);

impl<M: Model, T: SqlField> Column<M, T> {
    /// This column of the alias `A` of its model, in a query that reads the model twice:
    /// `Employee::NAME.of::<Manager>()` is the manager's name.
    pub fn of<A: Source<Row = M>>(self) -> Column<A, T> {
        self.retable(A::NAME)
    }
}

/// A way from the models a query reads to one more: a `belongs_to` relation, from the
/// child to its parent ([`ToParent`]) or from the parent to its children ([`ToChild`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not lead from the models this query reads to another one",
    note = "join along a relation whose child or parent the query already reads, or join on two columns with `join_on`"
)]
pub trait JoinPath<S, I> {
    /// The model it leads to.
    type New: Source;
    /// The join condition.
    fn on(&self) -> Node;
}

/// Marks a join from a child to its parent; `I` is the child's position.
pub struct ToParent<I>(PhantomData<I>);
/// Marks a join from a parent to its children; `I` is the parent's position.
pub struct ToChild<I>(PhantomData<I>);

fn columns_equal(left: ColumnRef, right: ColumnRef) -> Node {
    Node::CompareScalar {
        left: Scalar::Column(left),
        op: CmpOp::Eq,
        right: Scalar::Column(right),
    }
}

/// The parent's key column under the name the query calls the parent by.
fn key_of<X: Source>() -> ColumnRef {
    ColumnRef {
        table: X::NAME,
        ..X::Row::META.key_ref()
    }
}

impl<S, I, C: Model + Member<S, I>, P: Model> JoinPath<S, ToParent<I>> for BelongsTo<C, P> {
    type New = P;
    fn on(&self) -> Node {
        columns_equal(key_of::<P>(), self.column())
    }
}

impl<S, I, C: Model, P: Model + Member<S, I>> JoinPath<S, ToChild<I>> for BelongsTo<C, P> {
    type New = C;
    fn on(&self) -> Node {
        columns_equal(self.column(), key_of::<P>())
    }
}

/// A query over several models (a join set `S`), from [`Select::join`] and its
/// siblings. `all` returns tuples of the models; [`Joined::select`] chooses columns and
/// aggregates of any of them.
pub struct Joined<S> {
    list: SelectList,
    _set: PhantomData<fn() -> S>,
}

impl<S> Clone for Joined<S> {
    fn clone(&self) -> Self {
        Joined {
            list: self.list.clone(),
            _set: PhantomData,
        }
    }
}

impl<S> fmt::Debug for Joined<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.list.fmt(f)
    }
}

/// Marks what model `X` (at position `I` of `S`) contributes, for a left-joined `X`.
fn lifted<S, I, X: Member<S, I>, T: MarkNullable>(mut item: T) -> T {
    if <X::Side as Side>::KIND == JoinKind::Left {
        item.mark_nullable(X::NAME);
    }
    item
}

impl<M: Model> Select<M> {
    fn joined(self) -> Joined<((M, Inner),)> {
        Joined {
            list: SelectList::new(M::META.table, Vec::new(), self.parts),
            _set: PhantomData,
        }
    }

    /// Joins the model `path` leads to (an inner join: only rows with a match):
    /// `Post::query().join(Post::AUTHOR)` reads `(Post, Author)`, and
    /// `Author::query().join(Post::AUTHOR)` each author with each of their posts.
    pub fn join<R, I>(self, path: R) -> Joined<((M, Inner), (R::New, Inner))>
    where
        R: JoinPath<((M, Inner),), I>,
    {
        self.joined().join(path)
    }

    /// Left-joins the model `path` leads to: every row of this query, with `None` where
    /// there is no match. `Author::query().left_join(Post::AUTHOR)` reads
    /// `(Author, Option<Post>)`.
    pub fn left_join<R, I>(self, path: R) -> Joined<((M, Inner), (R::New, Left))>
    where
        R: JoinPath<((M, Inner),), I>,
    {
        self.joined().left_join(path)
    }

    /// Joins `N` on `column = to`, two columns of one type (a nullable one matches its
    /// non-NULL values): for models without a declared relation.
    pub fn join_on<N: Source, T: SqlField, U: SqlField<Inner = T::Inner>>(
        self,
        column: Column<N, T>,
        to: Column<M, U>,
    ) -> Joined<((M, Inner), (N, Inner))> {
        self.joined().join_on(column, to)
    }

    /// Left-joins `N` on `column = to`, as [`Select::join_on`].
    pub fn left_join_on<N: Source, T: SqlField, U: SqlField<Inner = T::Inner>>(
        self,
        column: Column<N, T>,
        to: Column<M, U>,
    ) -> Joined<((M, Inner), (N, Left))> {
        self.joined().left_join_on(column, to)
    }

    /// Joins the parent that `relation` leads to under the alias `A` (a second copy of
    /// a model the query reads, such as an employee's manager): see
    /// [`alias!`](crate::alias).
    pub fn join_as<A: Source>(
        self,
        relation: BelongsTo<M, A::Row>,
    ) -> Joined<((M, Inner), (A, Inner))> {
        self.joined().join_as::<A, M, P0>(relation)
    }

    /// Left-joins the parent that `relation` leads to under the alias `A`, as
    /// [`Select::join_as`]: `None` where the foreign key is NULL.
    pub fn left_join_as<A: Source>(
        self,
        relation: BelongsTo<M, A::Row>,
    ) -> Joined<((M, Inner), (A, Left))> {
        self.joined().left_join_as::<A, M, P0>(relation)
    }

    /// Joins the models a many-to-many relation leads to through its link model `J`:
    /// `Post::query().join_through(PostTag::TAG.through(PostTag::POST))` reads
    /// `(Post, PostTag, Tag)`.
    pub fn join_through<J: Model, T: Model>(
        self,
        through: Through<J, M, T>,
    ) -> Joined<((M, Inner), (J, Inner), (T, Inner))> {
        self.joined().join_through::<J, M, T, P0>(through)
    }
}

impl<S> Joined<S> {
    fn add<X: Source, F: Side>(mut self, on: Node) -> Joined<<S as Extend<X, F>>::Out>
    where
        S: Extend<X, F>,
    {
        self.list.joins.push(JoinClause {
            kind: F::KIND,
            table: X::Row::META.table,
            alias: X::ALIASED.then_some(X::NAME),
            on,
        });
        Joined {
            list: self.list,
            _set: PhantomData,
        }
    }

    /// Also joins the model `path` leads to (inner join), from any model the query reads.
    pub fn join<R, I>(self, path: R) -> Joined<<S as Extend<R::New, Inner>>::Out>
    where
        R: JoinPath<S, I>,
        S: Extend<R::New, Inner>,
    {
        let on = path.on();
        self.add::<R::New, Inner>(on)
    }

    /// Also left-joins the model `path` leads to, from any model the query reads.
    pub fn left_join<R, I>(self, path: R) -> Joined<<S as Extend<R::New, Left>>::Out>
    where
        R: JoinPath<S, I>,
        S: Extend<R::New, Left>,
    {
        let on = path.on();
        self.add::<R::New, Left>(on)
    }

    /// Also joins `N` on `column = to`, `to` being a column of a model the query reads.
    pub fn join_on<N: Source, T: SqlField, X: Member<S, I>, I, U: SqlField<Inner = T::Inner>>(
        self,
        column: Column<N, T>,
        to: Column<X, U>,
    ) -> Joined<<S as Extend<N, Inner>>::Out>
    where
        S: Extend<N, Inner>,
    {
        self.add::<N, Inner>(columns_equal(column.column_ref(), to.column_ref()))
    }

    /// Also left-joins `N` on `column = to`.
    pub fn left_join_on<N: Source, T: SqlField, X: Member<S, I>, I, U: SqlField<Inner = T::Inner>>(
        self,
        column: Column<N, T>,
        to: Column<X, U>,
    ) -> Joined<<S as Extend<N, Left>>::Out>
    where
        S: Extend<N, Left>,
    {
        self.add::<N, Left>(columns_equal(column.column_ref(), to.column_ref()))
    }

    /// Also joins, under the alias `A`, the parent `relation` leads to from the model `C`
    /// the query reads.
    pub fn join_as<A: Source, C: Model + Member<S, I>, I>(
        self,
        relation: BelongsTo<C, A::Row>,
    ) -> Joined<<S as Extend<A, Inner>>::Out>
    where
        S: Extend<A, Inner>,
    {
        self.add::<A, Inner>(columns_equal(key_of::<A>(), relation.column()))
    }

    /// Also left-joins, under the alias `A`, the parent `relation` leads to.
    pub fn left_join_as<A: Source, C: Model + Member<S, I>, I>(
        self,
        relation: BelongsTo<C, A::Row>,
    ) -> Joined<<S as Extend<A, Left>>::Out>
    where
        S: Extend<A, Left>,
    {
        self.add::<A, Left>(columns_equal(key_of::<A>(), relation.column()))
    }

    /// Also joins the link model `J` and the model `T` a many-to-many relation leads to
    /// from the model `F` the query reads.
    pub fn join_through<J: Model, F: Model + Member<S, I>, T: Model, I>(
        self,
        through: Through<J, F, T>,
    ) -> Joined<<<S as Extend<J, Inner>>::Out as Extend<T, Inner>>::Out>
    where
        S: Extend<J, Inner>,
        <S as Extend<J, Inner>>::Out: Extend<T, Inner>,
    {
        let (from, to) = through.relations();
        self.add::<J, Inner>(columns_equal(from.column(), key_of::<F>()))
            .add::<T, Inner>(columns_equal(key_of::<T>(), to.column()))
    }

    /// Keeps rows that meet `condition`, on any model the query reads (ANDed with
    /// earlier filters). A condition on a left-joined model is false where its row is
    /// missing, except the complements (`ne`, `not`, `is_null`), which hold there.
    pub fn filter<X: Member<S, I>, I>(mut self, condition: Expr<X>) -> Self {
        let node = lifted::<S, I, X, _>(condition.into_node());
        self.list.parts = and_filter(self.list.parts, node);
        self
    }

    /// Keeps the rows where the left-joined model `X` has no match (an anti-join:
    /// `Author::query().left_join(Post::AUTHOR).filter_missing::<Post, _>()` is the
    /// authors without a post). Only for a left-joined model: an inner join's rows always
    /// have one.
    pub fn filter_missing<X: Member<S, I, Side = Left>, I>(mut self) -> Self {
        let node = Node::IsNull {
            column: ColumnRef {
                nullable: true,
                ..key_of::<X>()
            },
            negated: false,
        };
        self.list.parts = and_filter(self.list.parts, node);
        self
    }

    /// Orders by a column or computed value of any model the query reads, after earlier
    /// orderings (a left-joined model's missing rows are NULLs: first when ascending).
    pub fn order_by<X: Member<S, I>, I>(mut self, order: Order<X>) -> Self {
        let term = lifted::<S, I, X, _>(order.term());
        self.list.parts.order.push(term);
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

    /// Selects `items` (columns, computed values and aggregates of any model the query
    /// reads, [`all_of`] a whole model, or a tuple of them) instead of whole rows.
    pub fn select<Sel: JoinSelectable<S, I>, I>(self, items: Sel) -> JoinedAs<S, Sel, I> {
        let mut list = self.list;
        items.items(&mut list.items);
        JoinedAs {
            list,
            _types: PhantomData,
        }
    }
}

impl<S: JoinSet> Joined<S> {
    /// The SQL this query sends to `dialect`, with its bind values.
    pub fn to_sql(&self, dialect: Dialect) -> Result<Statement> {
        render::select_list(dialect, &self.with_items())
    }

    fn with_items(&self) -> SelectList {
        let mut list = self.list.clone();
        S::items(&mut list.items);
        list
    }

    fn plan(self, limit: Option<u64>) -> FetchJoined<WholeRows<S>> {
        let mut list = self.with_items();
        list.cap_limit(limit);
        FetchJoined::new(list)
    }

    /// Every row: a tuple of the models, the left-joined ones as `Option`s.
    pub fn all<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Vec<S::Rows>> {
        db.run(self.plan(None))
    }

    /// The first row, or `None`.
    pub fn first<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Option<S::Rows>> {
        db.run(ops::First(self.plan(Some(1))))
    }

    /// The only row: [`crate::Error::NotFound`] if none, [`crate::Error::MultipleRows`] if
    /// several.
    pub fn one<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, S::Rows> {
        db.run(ops::One::<S::Root, _>::new(self.plan(Some(2))))
    }
}

/// What a join query can select: a column, a computed value or an aggregate of a model
/// it reads, a whole model ([`all_of`]), or a tuple of them (up to eight).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be selected from this join",
    note = "select columns, computed values or aggregates of models the query reads (an aggregate over all rows: `count::<Model>()` naming one of them), `all_of::<Model>()`, or a tuple of them"
)]
pub trait JoinSelectable<S, I>: Send + 'static {
    /// What one result row decodes into.
    type Output: Send + 'static;
    /// How many result columns this selects.
    const WIDTH: usize;
    /// Appends the SQL items this selects.
    fn items(&self, out: &mut Vec<Operand>);
    /// Decodes the items starting at column `*index`, advancing it.
    fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<Self::Output>;
}

impl<S: 'static, I: 'static, X: Member<S, I>, T: SqlField> JoinSelectable<S, I> for Column<X, T>
where
    X::Side: SideField<T>,
{
    type Output = <X::Side as SideField<T>>::Out;
    const WIDTH: usize = 1;
    fn items(&self, out: &mut Vec<Operand>) {
        out.push(lifted::<S, I, X, _>(Operand::Column(self.column_ref())));
    }
    fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<Self::Output> {
        *index += 1;
        <X::Side as SideField<T>>::decode_field(row, *index - 1, X::Row::META.name)
    }
}

impl<S: 'static, I: 'static, X: Member<S, I>, T: SqlField> JoinSelectable<S, I> for Computed<X, T>
where
    X::Side: SideField<T>,
{
    type Output = <X::Side as SideField<T>>::Out;
    const WIDTH: usize = 1;
    fn items(&self, out: &mut Vec<Operand>) {
        out.push(lifted::<S, I, X, _>(Operand::Scalar(Scalar::ResultAs {
            kind: T::KIND,
            arg: Box::new(self.scalar().clone()),
        })));
    }
    fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<Self::Output> {
        *index += 1;
        <X::Side as SideField<T>>::decode_field(row, *index - 1, X::Row::META.name)
    }
}

impl<S: 'static, I: 'static, X: Member<S, I>, T: SqlField> JoinSelectable<S, I> for Agg<X, T> {
    // An aggregate has the same type whatever the side: counts skip NULLs, the others
    // are already `Option`s (NULL over a group with no value).
    type Output = T;
    const WIDTH: usize = 1;
    fn items(&self, out: &mut Vec<Operand>) {
        out.push(lifted::<S, I, X, _>(Operand::Aggregate(self.aggregate())));
    }
    fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<T> {
        *index += 1;
        decode_field(
            row,
            *index - 1,
            X::Row::META.name,
            "(aggregate)",
            "(aggregate)",
        )
    }
}

/// Selects every column of model (or alias) `X` of a join, decoded as the model (an
/// `Option` for a left-joined one): `(all_of::<Author>(), Post::ID.count())`.
pub struct AllOf<X>(PhantomData<fn() -> X>);

/// The whole row of `X`, for [`Joined::select`].
pub fn all_of<X: Source>() -> AllOf<X> {
    AllOf(PhantomData)
}

impl<S: 'static, I: 'static, X: Member<S, I>> JoinSelectable<S, I> for AllOf<X> {
    type Output = <X::Side as Side>::Row<X::Row>;
    const WIDTH: usize = X::Row::META.columns.len();
    fn items(&self, out: &mut Vec<Operand>) {
        push_columns::<X, X::Side>(out);
    }
    fn decode<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<Self::Output> {
        let offset = *index;
        *index += X::Row::META.columns.len();
        <X::Side as Side>::decode_row::<X::Row, R>(row, offset)
    }
}

macro_rules! tuple_join_selectable {
    ($($t:ident $i:ident $v:ident),+) => {
        impl<S, $($i, $t: JoinSelectable<S, $i>),+> JoinSelectable<S, ($($i,)+)> for ($($t,)+) {
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
tuple_join_selectable!(A IA a);
tuple_join_selectable!(A IA a, B IB b);
tuple_join_selectable!(A IA a, B IB b, C IC c);
tuple_join_selectable!(A IA a, B IB b, C IC c, D ID d);
tuple_join_selectable!(A IA a, B IB b, C IC c, D ID d, E IE e);
tuple_join_selectable!(A IA a, B IB b, C IC c, D ID d, E IE e, F IF f);
tuple_join_selectable!(A IA a, B IB b, C IC c, D ID d, E IE e, F IF f, G IG g);
tuple_join_selectable!(A IA a, B IB b, C IC c, D ID d, E IE e, F IF f, G IG g, H IH h);

/// A join query that selects `Sel` (columns, computed values, aggregates, whole models),
/// from [`Joined::select`]; `group_by`, `having` and `order_by` take any model the query
/// reads.
pub struct JoinedAs<S, Sel, I> {
    list: SelectList,
    _types: PhantomData<fn() -> (S, Sel, I)>,
}

impl<S, Sel, I> Clone for JoinedAs<S, Sel, I> {
    fn clone(&self) -> Self {
        JoinedAs {
            list: self.list.clone(),
            _types: PhantomData,
        }
    }
}

impl<S, Sel, I> fmt::Debug for JoinedAs<S, Sel, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.list.fmt(f)
    }
}

impl<S: JoinSet, Sel: JoinSelectable<S, I>, I: 'static> JoinedAs<S, Sel, I> {
    /// Keeps rows that meet `condition` (ANDed with earlier filters).
    pub fn filter<X: Member<S, J>, J>(mut self, condition: Expr<X>) -> Self {
        let node = lifted::<S, J, X, _>(condition.into_node());
        self.list.parts = and_filter(self.list.parts, node);
        self
    }

    /// Groups rows by `key`, a column or a function of columns of any model the query
    /// reads (after earlier groupings); aggregates are then per group.
    pub fn group_by<X: Member<S, J>, J>(mut self, key: impl ScalarExpr<X>) -> Self {
        let key = lifted::<S, J, X, _>(key.into_scalar());
        self.list.group_by.push(key);
        self
    }

    /// Keeps groups whose aggregates meet `condition` (ANDed with earlier ones).
    pub fn having<X: Member<S, J>, J>(mut self, condition: Having<X>) -> Self {
        self.list
            .and_having(lifted::<S, J, X, _>(condition.into_node()));
        self
    }

    /// Orders by a column, computed value or aggregate of any model the query reads.
    pub fn order_by<X: Member<S, J>, J>(mut self, order: Order<X>) -> Self {
        let term = lifted::<S, J, X, _>(order.term());
        self.list.parts.order.push(term);
        self
    }

    /// Returns each distinct result row once (`SELECT DISTINCT`).
    pub fn distinct(mut self) -> Self {
        self.list.distinct = true;
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

    fn plan(self, limit: Option<u64>) -> FetchJoined<Chosen<S, Sel, I>> {
        let mut list = self.list;
        list.cap_limit(limit);
        FetchJoined::new(list)
    }

    /// Every result row.
    pub fn all<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Vec<Sel::Output>> {
        db.run(self.plan(None))
    }

    /// The first result row, or `None`.
    pub fn first<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Option<Sel::Output>> {
        db.run(ops::First(self.plan(Some(1))))
    }

    /// The only result row: [`crate::Error::NotFound`] if none,
    /// [`crate::Error::MultipleRows`] if several.
    pub fn one<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Sel::Output> {
        db.run(ops::One::<S::Root, _>::new(self.plan(Some(2))))
    }
}

/// How a join plan decodes its rows.
pub trait JoinedRows: Send + 'static {
    /// The query's own model (for routing and errors).
    type Root: Model;
    /// One row.
    type Item: Send + 'static;
    /// Decodes one row.
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Self::Item>;
}

/// Whole rows of a join set.
pub struct WholeRows<S>(PhantomData<fn() -> S>);

impl<S: JoinSet> JoinedRows for WholeRows<S> {
    type Root = S::Root;
    type Item = S::Rows;
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<S::Rows> {
        S::decode(row)
    }
}

/// Chosen items of a join set.
pub struct Chosen<S, Sel, I>(PhantomData<fn() -> (S, Sel, I)>);

impl<S: JoinSet, Sel: JoinSelectable<S, I>, I: 'static> JoinedRows for Chosen<S, Sel, I> {
    type Root = S::Root;
    type Item = Sel::Output;
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Sel::Output> {
        if row.width() < Sel::WIDTH {
            return Err(row_too_narrow(S::Root::META.name, Sel::WIDTH, row.width()));
        }
        let mut index = 0;
        Sel::decode(row, &mut index)
    }
}

/// Runs a join query and decodes its rows with `D`.
pub struct FetchJoined<D> {
    list: SelectList,
    _rows: PhantomData<fn() -> D>,
}

impl<D> FetchJoined<D> {
    fn new(list: SelectList) -> Self {
        FetchJoined {
            list,
            _rows: PhantomData,
        }
    }
}

struct CollectJoined<D: JoinedRows>(Vec<D::Item>);

impl<D: JoinedRows> RowSink for CollectJoined<D> {
    type Item = D::Item;
    #[inline]
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<D::Item> {
        D::decode(row)
    }
    #[inline]
    fn push(&mut self, item: D::Item) -> Result<()> {
        self.0.push(item);
        Ok(())
    }
}

impl<D: JoinedRows> Plan for FetchJoined<D> {
    type Output = Vec<D::Item>;
    fn access(&self) -> Access {
        Access::read(Some(D::Root::META.table))
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<D::Item>> {
        let st = render::select_list(conn.dialect(), &self.list)?;
        ops::prepare_lock::<D::Root, C>(conn, &self.list.parts).await?;
        Ok(conn.fetch(st, CollectJoined::<D>(Vec::new())).await?.0)
    }
}
