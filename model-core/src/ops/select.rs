//! The terminal methods of [`Select`], [`Locked`] and [`Update`]: each one hands a plan of
//! `crate::ops` to the executor it is given, so the same call runs blocking or async.

use std::marker::PhantomData;

use crate::engine::access::Routed;
use crate::engine::backend::Dialect;
use crate::engine::statement::Statement;
use crate::engine::{DbResult, Executor};
use crate::error::Result;
use crate::model::Model;
use crate::ops;
use crate::ops::stream::{Pages, Streaming};
use crate::query::ast::Projection;
use crate::query::select::{Locked, Select, Update};
use crate::sql::render;

impl<M: Model> Select<M> {
    /// The SQL this query sends to `dialect`, with its bind values (for logs and tests).
    pub fn to_sql(&self, dialect: Dialect) -> Result<Statement> {
        render::select(dialect, M::META, &self.parts, Projection::Model)
    }

    /// Every matching row.
    pub fn all<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Vec<M>> {
        db.run(Routed::pinned(
            ops::FetchAll::<M> {
                parts: self.parts,
                model: PhantomData,
            },
            self.primary,
        ))
    }

    /// The first matching row, or `None`.
    pub fn first<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Option<M>> {
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
    pub fn one<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, M> {
        let mut parts = self.parts;
        parts.limit = Some(parts.limit.map_or(2, |l| l.min(2)));
        let one = ops::One::<M, _>::new(ops::FetchAll::<M> {
            parts,
            model: PhantomData,
        });
        db.run(Routed::pinned(one, self.primary))
    }

    /// How many rows match (limit and offset apply).
    pub fn count<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, u64> {
        db.run(Routed::pinned(
            ops::Count::<M> {
                parts: self.parts,
                model: PhantomData,
            },
            self.primary,
        ))
    }

    /// Whether any row matches.
    pub fn exists<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, bool> {
        db.run(Routed::pinned(
            ops::Exists::<M> {
                parts: self.parts,
                model: PhantomData,
            },
            self.primary,
        ))
    }

    /// Deletes the matching rows; returns how many. Ordering and limits are refused.
    pub fn delete<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, u64> {
        db.run(ops::DeleteWhere::<M> {
            parts: self.parts,
            model: PhantomData,
        })
    }

    /// Deletes the matching rows and returns them as they were (in no particular order):
    /// `DELETE ... RETURNING` on PostgreSQL and SQLite; on MySQL/MariaDB the rows are
    /// read with a lock and deleted by key in one transaction. Ordering and limits are
    /// refused, as for `delete`.
    pub fn delete_returning<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Vec<M>> {
        db.run(ops::returning::DeleteReturning::<M> {
            parts: self.parts,
            model: PhantomData,
        })
    }

    /// The matching rows, one page of 1,000 at a time, with flat memory however many
    /// there are: an `Iterator` of `Result<M>` with a blocking handle, a `Stream` with an
    /// async one. Ordered by the primary key (see [`crate::ops::stream`] for how, and the limits).
    pub fn stream<'e, E: Streaming<'e>>(self, db: E) -> E::Rows<M> {
        db.rows(Pages::new(self.parts))
    }
}

impl<M: Model> Update<M> {
    /// Runs the update and returns the updated rows as stored (in no particular order):
    /// `UPDATE ... RETURNING` on PostgreSQL and SQLite; on MySQL/MariaDB the matching
    /// rows are locked, updated by key and read again in one transaction (see
    /// `ambidex_core::ops::returning`).
    pub fn update_returning<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Vec<M>> {
        db.run(ops::returning::UpdateReturning::<M> {
            parts: self.parts,
            assignments: self.assignments,
            model: PhantomData,
        })
    }

    /// Runs the update; returns how many rows matched.
    pub fn update<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, u64> {
        db.run(ops::UpdateWhere::<M> {
            parts: self.parts,
            assignments: self.assignments,
            model: PhantomData,
        })
    }
}

/// A locking read always runs on the primary (a replica's rows cannot be locked for a
/// write), and only inside a transaction: the plans refuse it otherwise
/// (`ops::check_lock`).
impl<M: Model> Locked<M> {
    /// The SQL this query sends to `dialect` (its lock clause included).
    pub fn to_sql(&self, dialect: Dialect) -> Result<Statement> {
        self.select.to_sql(dialect)
    }

    /// Every matching row, locked.
    pub fn all<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Vec<M>> {
        self.select.on_primary().all(db)
    }

    /// The first matching row, locked, or `None`.
    pub fn first<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Option<M>> {
        self.select.on_primary().first(db)
    }

    /// The only matching row, locked: [`crate::Error::NotFound`] if none,
    /// [`crate::Error::MultipleRows`] if several.
    pub fn one<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, M> {
        self.select.on_primary().one(db)
    }
}
