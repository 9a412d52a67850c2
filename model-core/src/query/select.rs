//! The query builder: filter, order, limit, offset. A `Select<M>` is what a query means,
//! independent of any dialect or engine; its SQL is rendered by `crate::sql::render` and
//! its terminal methods (`all`, `first`, `count`, `delete`, `stream`...) are in
//! `crate::ops::select`, where the plans they run live.

use std::fmt;
use std::marker::PhantomData;

use crate::query::ast::{ColumnRef, LockStrength, LockWait, Node, QueryParts, RowLock, Scalar};
use crate::query::column::Column;
use crate::query::computed::Assignable;
use crate::query::expr::{Expr, Order};
use crate::value::field::SqlField;

/// A query over model `M`'s rows, from `M::query()`.
///
/// Terminal methods (`all`, `first`, `one`, `count`, `exists`, `delete`) take the handle
/// to run on: `&blocking::Db` returns a `Result`, `&Db` (async) returns a future.
pub struct Select<M> {
    pub(crate) parts: QueryParts,
    pub(crate) primary: bool,
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

impl<M> Default for Select<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M> Select<M> {
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

    /// Locks the matching rows for this transaction (`SELECT ... FOR UPDATE`): until it
    /// ends, no other transaction can lock, update or delete them. Only inside a
    /// transaction (outside one it is [`Error::InvalidQuery`](crate::Error::InvalidQuery),
    /// since the lock would end with the statement). On SQLite, which has no row locks,
    /// the transaction takes the database's write lock instead: one writer at a time, so
    /// the result is the same (see [`Locked`]).
    ///
    /// ```
    /// # use ambidex_core::{Locked, Model};
    /// # fn demo<M: Model>() -> Locked<M> {
    /// M::query().limit(1).for_update().skip_locked()
    /// # }
    /// ```
    pub fn for_update(self) -> Locked<M> {
        self.lock(LockStrength::Update)
    }

    /// Locks the matching rows against updates and deletes by other transactions, which
    /// may still read and share-lock them (`FOR SHARE`; `LOCK IN SHARE MODE` on MariaDB).
    /// Only inside a transaction, as [`Select::for_update`].
    pub fn for_share(self) -> Locked<M> {
        self.lock(LockStrength::Share)
    }

    fn lock(mut self, strength: LockStrength) -> Locked<M> {
        self.parts.lock = Some(RowLock {
            strength,
            wait: LockWait::Wait,
        });
        Locked { select: self }
    }

    /// The query's parts.
    pub fn parts(&self) -> &QueryParts {
        &self.parts
    }

    /// Starts an update of the matching rows, setting `column` to `value`: a Rust value,
    /// or a column or computed value of the same model (`.set(Post::VIEWS, Post::VIEWS +
    /// 1)` increments in the statement itself, with no read-modify-write race).
    pub fn set<T: SqlField, Via>(
        self,
        column: Column<M, T>,
        value: impl Assignable<M, T, Via>,
    ) -> Update<M> {
        Update {
            parts: self.parts,
            assignments: Vec::new(),
            _model: PhantomData,
        }
        .set(column, value)
    }
}

/// A query whose rows are locked for the transaction it runs in, from
/// [`Select::for_update`] or [`Select::for_share`]: `all`, `first` and `one` (in
/// `crate::ops::select`) read and lock; counting or deleting locked rows is not offered.
///
/// | backend | `for_update` | `skip_locked` / `nowait` |
/// | --- | --- | --- |
/// | PostgreSQL | `FOR UPDATE` (`FOR SHARE`) | `SKIP LOCKED` / `NOWAIT` |
/// | MariaDB 10.6+ | `FOR UPDATE` (`LOCK IN SHARE MODE`) | `SKIP LOCKED` / `NOWAIT` |
/// | SQLite | the transaction takes the write lock first | no row is ever locked by another transaction, so none is skipped; a second writer waits (busy timeout) |
///
/// A lock that cannot be had (`nowait`, a lock wait timeout, a deadlock) is
/// [`Error::Conflict`](crate::Error::Conflict), which `retry` retries.
pub struct Locked<M> {
    pub(crate) select: Select<M>,
}

impl<M> Clone for Locked<M> {
    fn clone(&self) -> Self {
        Locked {
            select: self.select.clone(),
        }
    }
}

impl<M> fmt::Debug for Locked<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locked")
            .field("parts", &self.select.parts)
            .finish()
    }
}

impl<M> Locked<M> {
    /// Leaves out rows another transaction has locked instead of waiting for them
    /// (`SKIP LOCKED`): each of several workers claims different rows.
    pub fn skip_locked(self) -> Self {
        self.wait(LockWait::SkipLocked)
    }

    /// Fails at once with [`Error::Conflict`](crate::Error::Conflict) if another
    /// transaction holds a lock on a matching row (`NOWAIT`), instead of waiting.
    pub fn nowait(self) -> Self {
        self.wait(LockWait::NoWait)
    }

    fn wait(mut self, wait: LockWait) -> Self {
        if let Some(lock) = &mut self.select.parts.lock {
            lock.wait = wait;
        }
        self
    }

    /// The query's parts, its lock included.
    pub fn parts(&self) -> &QueryParts {
        &self.select.parts
    }
}

/// An update of the rows a query matches, from [`Select::set`].
pub struct Update<M> {
    pub(crate) parts: QueryParts,
    pub(crate) assignments: Vec<(ColumnRef, Scalar)>,
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

impl<M> Update<M> {
    /// Also sets `column` to `value` (a Rust value, or a column or computed value of the
    /// same model). Every right-hand side reads the row as it was before the update.
    pub fn set<T: SqlField, Via>(
        mut self,
        column: Column<M, T>,
        value: impl Assignable<M, T, Via>,
    ) -> Self {
        self.assignments
            .push((column.column_ref(), value.into_assigned()));
        self
    }
}

/// A query's parts with `extra` ANDed into its filter.
pub(crate) fn and_filter(mut parts: QueryParts, extra: Node) -> QueryParts {
    parts.filter = Some(match parts.filter.take() {
        Some(f) => Node::And(Box::new(f), Box::new(extra)),
        None => extra,
    });
    parts
}
