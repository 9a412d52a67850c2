//! The requests behind [`Model`]'s provided methods (`get`, `insert`, `upsert`...), as
//! data: what the caller asked for, not how it runs. Each one's `Plan` impl (the SQL it
//! renders, the statements it sends) lives in `crate::ops`, so the model contract depends
//! on the engine seam ([`crate::engine`]) and nothing above it.

use std::marker::PhantomData;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::ast::ColumnRef;
use crate::value::Value;

/// An operation refused before anything was sent (a bad argument): its error arrives the
/// way the operation's result would, as a `Result` or a future.
pub struct Fail<T> {
    pub(crate) error: Error,
    pub(crate) output: PhantomData<fn() -> T>,
}

impl<T> Fail<T> {
    /// Fails with `error`.
    pub fn new(error: Error) -> Self {
        Fail {
            error,
            output: PhantomData,
        }
    }
}

/// `get`: the row with a key, or not found.
pub struct GetByKey<M> {
    pub(crate) key: Vec<Value>,
    pub(crate) model: PhantomData<fn() -> M>,
}

impl<M> GetByKey<M> {
    /// Looks up the row whose key columns hold `key`, one value per key column.
    pub fn new(key: Vec<Value>) -> Self {
        GetByKey {
            key,
            model: PhantomData,
        }
    }
}

/// Instance `insert`: one row, returned as stored.
pub struct InsertRow<'a, M> {
    /// The row.
    pub row: &'a M,
}

/// `insert_many`: rows in batches under the parameter limit, in one transaction (a
/// savepoint inside an open one), so the batch is all or nothing.
pub struct InsertMany<'a, M> {
    /// The rows.
    pub rows: &'a [M],
}

/// `insert_many_returning`: as [`InsertMany`], and the rows as stored (generated keys
/// included), in the order given.
pub struct InsertManyReturning<'a, M> {
    /// The rows.
    pub rows: &'a [M],
}

/// Instance `update`: every non-key column, by key.
pub struct UpdateRow<'a, M> {
    /// The row.
    pub row: &'a M,
}

/// Instance `delete`: by key.
pub struct DeleteRow<'a, M> {
    /// The row.
    pub row: &'a M,
}

/// Create the model's table if missing.
pub struct CreateTable<M>(pub(crate) PhantomData<fn() -> M>);

impl<M> CreateTable<M> {
    /// For model `M`.
    pub fn new() -> Self {
        CreateTable(PhantomData)
    }
}

impl<M> Default for CreateTable<M> {
    fn default() -> Self {
        Self::new()
    }
}

/// Drop the model's table if present.
pub struct DropTable<M>(pub(crate) PhantomData<fn() -> M>);

impl<M> DropTable<M> {
    /// For model `M`.
    pub fn new() -> Self {
        DropTable(PhantomData)
    }
}

impl<M> Default for DropTable<M> {
    fn default() -> Self {
        Self::new()
    }
}

/// `upsert` / `upsert_on`: insert the row, or update the row with the same values in the
/// target columns (the key's, or a unique column); returns the row as stored.
pub struct Upsert<'a, M> {
    /// The row.
    pub row: &'a M,
    /// Indexes in `M::META.columns` of the target columns: every key column, or one
    /// unique column.
    pub target: Vec<usize>,
}

impl<M: Model> Upsert<'_, M> {
    /// Checks that `target` names the key or a unique column of `M`.
    pub fn check_target(target: ColumnRef) -> Result<usize> {
        let meta = M::META;
        meta.columns
            .iter()
            .position(|c| c.name == target.name && (c.primary_key || c.unique))
            .ok_or_else(|| {
                Error::InvalidQuery(
                    format!(
                        "upsert_on({}.{}): the target must be the primary key or a column \
                         declared `#[ambidex(unique)]`, since only a unique constraint \
                         decides which row is the same",
                        meta.name, target.name
                    )
                    .into(),
                )
            })
    }
}

/// `insert_or_ignore`: insert the row unless it would violate a unique constraint; the row
/// as stored if it was inserted, `None` if a conflicting row exists.
pub struct InsertOrIgnore<'a, M> {
    /// The row.
    pub row: &'a M,
}

/// `upsert_many`: every row upserted by key, as [`Upsert`] one after the other, in one
/// transaction; the rows as stored, in the order given.
pub struct UpsertMany<'a, M> {
    /// The rows.
    pub rows: &'a [M],
}

/// `insert_or_ignore_many`: every row inserted unless it would violate a unique
/// constraint, as [`InsertOrIgnore`] one after the other, in one transaction; the rows
/// inserted, in the order given.
pub struct InsertOrIgnoreMany<'a, M> {
    /// The rows.
    pub rows: &'a [M],
}
