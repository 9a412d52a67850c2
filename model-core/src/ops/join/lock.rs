//! Locking reads of joins: `Copy::query().join(Copy::BOOK).for_update().of::<Copy, _>()`.
//!
//! A join locks what a single-model read locks (see [`crate::Locked`]), with one more
//! choice: which models' rows. `of::<X, _>()` names them (PostgreSQL's `FOR UPDATE OF`);
//! without it the rows of every model read are locked. MariaDB has no `OF`, so there the
//! lock always covers every joined row: more rows locked than asked for, never fewer.
//! SQLite has no row locks: the transaction takes the database's write lock, as for one
//! model. Only inner-joined models can be named, so a lock is never asked of a row that
//! may be missing; a left join must name what it locks (PostgreSQL refuses to lock the
//! nullable side of an outer join, so the query is refused everywhere).

use std::fmt;

use super::{Inner, JoinSet, Joined, Member};
use crate::engine::statement::Statement;
use crate::engine::{DbResult, Executor};
use crate::error::Result;
use crate::query::ast::{LockStrength, LockWait, RowLock};
use crate::sql::dialect::Dialect;

/// A join whose rows are locked for the transaction it runs in, from
/// [`Joined::for_update`] and [`Joined::for_share`]. Outside a transaction it is refused
/// with [`crate::Error::InvalidQuery`]; a lock that cannot be had is a retryable
/// [`crate::Error::Conflict`].
///
/// ```
/// # use ambidex_core::{Joined, join::{Inner, LockedJoin, P0}, Model};
/// # fn demo<C: Model, P: Model>(q: Joined<((C, Inner), (P, Inner))>)
/// #     -> LockedJoin<((C, Inner), (P, Inner))> {
/// // Lock the first model's rows only, skipping those another transaction holds:
/// q.for_update().of::<C, P0>().skip_locked()
/// # }
/// ```
pub struct LockedJoin<S> {
    joined: Joined<S>,
}

impl<S> Clone for LockedJoin<S> {
    fn clone(&self) -> Self {
        LockedJoin {
            joined: self.joined.clone(),
        }
    }
}

impl<S> fmt::Debug for LockedJoin<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockedJoin")
            .field("joined", &self.joined)
            .finish()
    }
}

impl<S: JoinSet> Joined<S> {
    /// Locks the rows read (of every model, or of those named with
    /// [`LockedJoin::of`]) until the transaction ends: no other transaction can lock,
    /// update or delete them meanwhile.
    pub fn for_update(self) -> LockedJoin<S> {
        self.lock(LockStrength::Update)
    }

    /// Locks the rows read against updates and deletes until the transaction ends; other
    /// transactions may still read and share-lock them.
    pub fn for_share(self) -> LockedJoin<S> {
        self.lock(LockStrength::Share)
    }

    fn lock(mut self, strength: LockStrength) -> LockedJoin<S> {
        self.list.parts.lock = Some(RowLock {
            strength,
            wait: LockWait::Wait,
        });
        LockedJoin { joined: self }
    }
}

impl<S: JoinSet> LockedJoin<S> {
    /// Locks the rows of the inner-joined model `X` (call it again to add another);
    /// the other models' rows are read without a lock where the backend can tell them
    /// apart (PostgreSQL; MariaDB locks every row the statement reads).
    pub fn of<X: Member<S, I, Side = Inner>, I>(mut self) -> Self {
        let names = &mut self.joined.list.lock_of;
        if !names.contains(&X::NAME) {
            names.push(X::NAME);
        }
        self
    }

    /// Leaves out rows another transaction has locked instead of waiting for them
    /// (`SKIP LOCKED`): a job queue's workers each take rows no other worker holds.
    pub fn skip_locked(self) -> Self {
        self.wait(LockWait::SkipLocked)
    }

    /// Fails at once with a retryable [`crate::Error::Conflict`] if another transaction
    /// holds a lock on a matching row (`NOWAIT`), instead of waiting.
    pub fn nowait(self) -> Self {
        self.wait(LockWait::NoWait)
    }

    fn wait(mut self, wait: LockWait) -> Self {
        if let Some(lock) = &mut self.joined.list.parts.lock {
            lock.wait = wait;
        }
        self
    }

    /// The SQL this query sends to `dialect`, with its bind values.
    pub fn to_sql(&self, dialect: Dialect) -> Result<Statement> {
        self.joined.to_sql(dialect)
    }

    /// Every row, locked: a tuple of the models. (The lock is part of the query, so
    /// the join's own terminal methods run it.)
    pub fn all<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Vec<S::Rows>> {
        self.joined.all(db)
    }

    /// The first row, locked, or `None`.
    pub fn first<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Option<S::Rows>> {
        self.joined.first(db)
    }

    /// The only row, locked: [`crate::Error::NotFound`] if none,
    /// [`crate::Error::MultipleRows`] if several.
    pub fn one<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, S::Rows> {
        self.joined.one(db)
    }
}
