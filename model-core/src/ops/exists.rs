//! Correlated `EXISTS` subqueries: rows of one model for which some row of another (or the
//! same) model is linked to them and meets a condition.
//!
//! ```text
//! Author::query().filter(
//!     Post::query()
//!         .filter(Post::PUBLISHED.eq(true))
//!         .correlate(Post::AUTHOR_ID, Author::ID)
//!         .exists(),
//! )
//! ```
//! renders `... WHERE EXISTS (SELECT 1 FROM "post" AS "ambidex_exists" WHERE
//! "ambidex_exists"."author_id" = "author"."id" AND ("published" = ?))`. The link is typed:
//! both columns hold the same type (an `Option` column links to its plain type), and the
//! outer column's model is the model of the query whose filter takes the result, so a
//! subquery linked to a model the query is not about does not compile.

use std::marker::PhantomData;

use crate::model::Model;
use crate::query::ast::{ExistsQuery, Node};
use crate::query::column::Column;
use crate::query::expr::Expr;
use crate::query::select::Select;
use crate::value::field::SqlField;

/// A query of `N` linked to the rows of an enclosing query of `M`, from
/// [`Select::correlate`]; [`Correlated::exists`] turns it into a condition on `M`.
#[derive(Debug, Clone)]
pub struct Correlated<N, M> {
    query: ExistsQuery,
    _models: PhantomData<fn() -> (N, M)>,
}

impl<N: Model> Select<N> {
    /// Links this query to the enclosing query's rows: `inner` (a column of `N`) must equal
    /// `outer` (a column of the enclosing query's model `M`). Finish with
    /// [`Correlated::exists`] or [`Correlated::not_exists`].
    pub fn correlate<M: Model, T: SqlField, U: SqlField<Inner = T::Inner>>(
        self,
        inner: Column<N, T>,
        outer: Column<M, U>,
    ) -> Correlated<N, M> {
        Correlated {
            query: ExistsQuery {
                table: N::META.table,
                parts: self.parts().clone(),
                links: vec![(inner.column_ref(), outer.column_ref())],
            },
            _models: PhantomData,
        }
    }
}

impl<N: Model, M: Model> Correlated<N, M> {
    /// Adds another link (for a composite key): `inner` must also equal `outer`.
    pub fn and<T: SqlField, U: SqlField<Inner = T::Inner>>(
        mut self,
        inner: Column<N, T>,
        outer: Column<M, U>,
    ) -> Self {
        self.query
            .links
            .push((inner.column_ref(), outer.column_ref()));
        self
    }

    /// Rows of `M` for which at least one linked row of `N` meets the query's filter. A
    /// NULL on either side of a link links nothing.
    pub fn exists(self) -> Expr<M> {
        Expr::from_node(Node::Exists(Box::new(self.query)))
    }

    /// The exact complement of [`Correlated::exists`]: rows of `M` with no such row of
    /// `N`.
    pub fn not_exists(self) -> Expr<M> {
        Expr::from_node(Node::Not(Box::new(Node::Exists(Box::new(self.query)))))
    }
}
