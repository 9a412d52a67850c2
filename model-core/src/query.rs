//! The query builder: filter, order, limit, offset, then a terminal method that runs in
//! whichever world the handle passed belongs to.

use std::fmt;
use std::marker::PhantomData;

use crate::ast::{ColumnRef, Projection, QueryParts};
use crate::column::Column;
use crate::dialect::Dialect;
use crate::engine::Executor;
use crate::error::Result;
use crate::expr::{Expr, Order};
use crate::field::{IntoOperand, SqlField};
use crate::model::{Model, and_filter};
use crate::ops;
use crate::render;
use crate::routing::Routed;
use crate::statement::Statement;
use crate::stream::{Pages, Streaming};
use crate::value::Value;

/// A query over model `M`'s rows, from `M::query()`.
///
/// Terminal methods (`all`, `first`, `one`, `count`, `exists`, `delete`) take the handle
/// to run on: `&blocking::Db` returns a `Result`, `&Db` (async) returns a future.
pub struct Select<M> {
    parts: QueryParts,
    primary: bool,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Select<M> {
    fn clone(&self) -> Self {
        Select {
            parts: self.parts.clone(),
            primary: self.primary,
            _model: PhantomData,
        }
    }
}

impl<M> fmt::Debug for Select<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("parts", &self.parts)
            .finish()
    }
}

impl<M: Model> Default for Select<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model> Select<M> {
    /// Every row of `M`.
    pub fn new() -> Self {
        Select {
            parts: QueryParts::default(),
            primary: false,
            _model: PhantomData,
        }
    }

    /// Keeps rows that meet `condition` (ANDed with earlier filters).
    pub fn filter(mut self, condition: Expr<M>) -> Self {
        self.parts = and_filter(self.parts, condition.into_node());
        self
    }

    /// Orders by `order` after any earlier orderings.
    pub fn order_by(mut self, order: Order<M>) -> Self {
        self.parts.order.push(order.term());
        self
    }

    /// Returns at most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.parts.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.parts.offset = Some(n);
        self
    }

    /// Runs the query on the primary even on a handle with read replicas (for a read that
    /// must see every committed write, not only the scope's own; see
    /// [`crate::routing`]). Applies to `all`, `first`, `one`, `count` and `exists`.
    ///
    /// ```
    /// # use ambidex_core::Select;
    /// # fn demo<M: ambidex_core::Model>() -> Select<M> {
    /// M::query().on_primary()
    /// # }
    /// ```
    pub fn on_primary(mut self) -> Self {
        self.primary = true;
        self
    }

    /// The query's parts.
    pub fn parts(&self) -> &QueryParts {
        &self.parts
    }

    /// The SQL this query sends to `dialect`, with its bind values (for logs and tests).
    pub fn to_sql(&self, dialect: Dialect) -> Result<Statement> {
        render::select(dialect, M::META, &self.parts, Projection::Model)
    }

    /// Every matching row.
    pub fn all<'e, E: Executor<'e>>(self, db: E) -> E::Output<Vec<M>> {
        db.run(Routed::pinned(
            ops::FetchAll::<M> {
                parts: self.parts,
                model: PhantomData,
            },
            self.primary,
        ))
    }

    /// The first matching row, or `None`.
    pub fn first<'e, E: Executor<'e>>(self, db: E) -> E::Output<Option<M>> {
        db.run(Routed::pinned(
            ops::FetchFirst::<M> {
                parts: self.parts,
                model: PhantomData,
            },
            self.primary,
        ))
    }

    /// The only matching row: [`crate::Error::NotFound`] if none,
    /// [`crate::Error::MultipleRows`] if several.
    pub fn one<'e, E: Executor<'e>>(self, db: E) -> E::Output<M> {
        let mut parts = self.parts;
        parts.limit = Some(parts.limit.map_or(2, |l| l.min(2)));
        let one = ops::One::<M, _>::new(ops::FetchAll::<M> {
            parts,
            model: PhantomData,
        });
        db.run(Routed::pinned(one, self.primary))
    }

    /// How many rows match (limit and offset apply).
    pub fn count<'e, E: Executor<'e>>(self, db: E) -> E::Output<u64> {
        db.run(Routed::pinned(
            ops::Count::<M> {
                parts: self.parts,
                model: PhantomData,
            },
            self.primary,
        ))
    }

    /// Whether any row matches.
    pub fn exists<'e, E: Executor<'e>>(self, db: E) -> E::Output<bool> {
        db.run(Routed::pinned(
            ops::Exists::<M> {
                parts: self.parts,
                model: PhantomData,
            },
            self.primary,
        ))
    }

    /// Deletes the matching rows; returns how many. Ordering and limits are refused.
    pub fn delete<'e, E: Executor<'e>>(self, db: E) -> E::Output<u64> {
        db.run(ops::DeleteWhere::<M> {
            parts: self.parts,
            model: PhantomData,
        })
    }

    /// The matching rows, one page of 1,000 at a time, with flat memory however many
    /// there are: an `Iterator` of `Result<M>` with a blocking handle, a `Stream` with an
    /// async one. Ordered by the primary key (see [`crate::stream`] for how, and the limits).
    pub fn stream<'e, E: Streaming<'e>>(self, db: E) -> E::Rows<M> {
        db.rows(Pages::new(self.parts))
    }

    /// Starts an update of the matching rows, setting `column` to `value`.
    pub fn set<T: SqlField>(self, column: Column<M, T>, value: impl IntoOperand<T>) -> Update<M> {
        Update {
            parts: self.parts,
            assignments: Vec::new(),
            _model: PhantomData,
        }
        .set(column, value)
    }
}

/// An update of the rows a query matches, from [`Select::set`].
pub struct Update<M> {
    parts: QueryParts,
    assignments: Vec<(ColumnRef, Value)>,
    _model: PhantomData<fn() -> M>,
}

impl<M> fmt::Debug for Update<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Update")
            .field("parts", &self.parts)
            .field("assignments", &self.assignments)
            .finish()
    }
}

impl<M: Model> Update<M> {
    /// Also sets `column` to `value`.
    pub fn set<T: SqlField>(mut self, column: Column<M, T>, value: impl IntoOperand<T>) -> Self {
        self.assignments
            .push((column.column_ref(), value.into_value()));
        self
    }

    /// Runs the update; returns how many rows matched.
    pub fn update<'e, E: Executor<'e>>(self, db: E) -> E::Output<u64> {
        db.run(ops::UpdateWhere::<M> {
            parts: self.parts,
            assignments: self.assignments,
            model: PhantomData,
        })
    }
}
