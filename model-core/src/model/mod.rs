//! The model contract between `#[derive(Model)]` and the rest of ambidex.
//!
//! The derive implements [`Model`]: static metadata ([`ModelMeta`], in `meta.rs`), a
//! positional row decoder, the values to bind for writes, and a statement cache
//! (`cache.rs`). Everything a user calls on a model (`query`, `get`, `insert`...) is a
//! provided method here, written once and run by whichever [`Executor`] the user passes:
//! a blocking handle or an async one. Those methods build a query (`crate::query`) or a
//! request (`requests.rs`: data only); how a request runs is `crate::ops`' business, so
//! this layer imports only `value`, `query` and the `engine` seam.

mod cache;
mod meta;
pub mod requests;

pub use cache::{CachedSql, SqlCache};
pub use meta::{ColumnDef, ForeignKey, ModelMeta, OnDelete};
pub(crate) use meta::{check_foreign_key, column_values, key_filter};

use crate::engine::{DbResult, Executor};
use crate::error::Result;
use crate::query::column::Column;
use crate::query::expr::Expr;
use crate::query::select::Select;
use crate::value::Value;
use crate::value::field::SqlField;
use crate::value::key::{IntoKey, PrimaryKey};
use crate::value::row::RowReader;
use requests::{
    CreateTable, DeleteRow, DropTable, Fail, GetByKey, InsertMany, InsertManyReturning,
    InsertOrIgnore, InsertOrIgnoreMany, InsertRow, UpdateRow, Upsert, UpsertMany,
};

/// A database model; implemented by `#[derive(Model)]`.
///
/// The provided methods are the model's API in both worlds: pass a blocking handle and
/// they return `Result`s, pass an async handle and they return futures.
pub trait Model: Sized + Send + Sync + Unpin + 'static {
    /// The model's metadata.
    const META: &'static ModelMeta;

    /// The primary key's Rust type: the key field's type, or a tuple of the key fields'
    /// types for a composite key.
    type Key: PrimaryKey;

    /// Decodes a row whose columns are the model's, in declaration order.
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Self>;

    /// Appends the values of the columns an insert writes, in declaration order.
    fn push_insert_values(&self, out: &mut Vec<Value>);

    /// Appends the values of the non-key columns, in declaration order.
    fn push_update_values(&self, out: &mut Vec<Value>);

    /// Appends the primary key's values, one per key column, in declaration order.
    fn push_key_values(&self, out: &mut Vec<Value>);

    /// The model's statement cache.
    fn sql_cache() -> &'static SqlCache;

    /// A query over all rows, to refine with `filter`, `order_by`, `limit`...
    fn query() -> Select<Self> {
        Select::new()
    }

    /// A query for the row with primary key `key` (`.first(db)` gives an `Option`); a
    /// composite key is a tuple, `Membership::find((team_id, user_id))`.
    fn find(key: impl IntoKey<Self::Key>) -> Select<Self> {
        let node = key_filter(Self::META, key.into_key_values());
        Select::new().filter(Expr::from_node(node))
    }

    /// The row with primary key `key`, or [`Error::NotFound`](crate::Error::NotFound); a composite key is a
    /// tuple, `Membership::get((team_id, user_id), db)`.
    fn get<'e, E: Executor<'e>>(key: impl IntoKey<Self::Key>, db: E) -> DbResult<'e, E, Self> {
        db.run(GetByKey::<Self>::new(key.into_key_values()))
    }

    /// Inserts this row and returns it as stored (generated key and defaults filled in).
    fn insert<'e, E: Executor<'e>>(&'e self, db: E) -> DbResult<'e, E, Self> {
        db.run(InsertRow { row: self })
    }

    /// Inserts this row, or, if a row with the same primary key exists, updates that row's
    /// other columns to this row's values; returns the row as stored. The key is always
    /// written, even a generated (`auto`) one: use it for rows whose key you know (syncing
    /// from elsewhere, say). On PostgreSQL, writing keys of a serial column yourself does
    /// not advance its sequence.
    ///
    /// PostgreSQL and SQLite send `INSERT ... ON CONFLICT (key) DO UPDATE`; MySQL/MariaDB an
    /// INSERT that falls back to an UPDATE, with the same result (see `ambidex_core::upsert`).
    fn upsert<'e, E: Executor<'e>>(&'e self, db: E) -> DbResult<'e, E, Self> {
        db.run(Upsert {
            row: self,
            target: Self::META.keys.to_vec(),
        })
    }

    /// Inserts this row, or, if a row with the same value in the unique column `target`
    /// exists, updates that row's non-key columns to this row's values (its key stays);
    /// returns the row as stored. `target` must be the key or a `#[ambidex(unique)]`
    /// column ([`Error::InvalidQuery`](crate::Error::InvalidQuery) otherwise). A conflict on another unique column is
    /// [`Error::UniqueViolation`](crate::Error::UniqueViolation), as with `ON CONFLICT (target)`.
    fn upsert_on<'e, T: SqlField, E: Executor<'e>>(
        &'e self,
        target: Column<Self, T>,
        db: E,
    ) -> DbResult<'e, E, Self> {
        match Upsert::<Self>::check_target(target.column_ref()) {
            Ok(target) => db.run(Upsert {
                row: self,
                target: vec![target],
            }),
            Err(e) => db.run(Fail::new(e)),
        }
    }

    /// Inserts this row unless that would violate a unique constraint (its key or a unique
    /// column): `Some(row as stored)` if inserted, `None` if a conflicting row exists (that
    /// row is left as it is). Other errors (NOT NULL, range...) are errors, never ignored.
    fn insert_or_ignore<'e, E: Executor<'e>>(&'e self, db: E) -> DbResult<'e, E, Option<Self>> {
        db.run(InsertOrIgnore { row: self })
    }

    /// Upserts many rows by key, as [`Model::upsert`] on each row in turn, in one
    /// transaction (a savepoint inside an open one: all or nothing); returns them as stored,
    /// in the order given. PostgreSQL and SQLite send one `INSERT ... ON CONFLICT (key) DO
    /// UPDATE ... RETURNING` per batch under the backend's parameter limit (a key given
    /// twice starts a new batch, so its later row updates the earlier one, as one-row
    /// calls would); MySQL/MariaDB runs the one-row upsert for each row.
    fn upsert_many<'e, E: Executor<'e>>(rows: &'e [Self], db: E) -> DbResult<'e, E, Vec<Self>> {
        db.run(UpsertMany { rows })
    }

    /// Inserts each row unless that would violate a unique constraint, as
    /// [`Model::insert_or_ignore`] on each row in turn, in one transaction (all or
    /// nothing); returns the rows inserted, as stored, in the order given (`len()` is how
    /// many). A row that conflicts with a row already stored, or with an earlier row of
    /// the same call, is left out; other errors (NOT NULL, range...) fail the whole call.
    /// PostgreSQL and SQLite send one `INSERT ... ON CONFLICT DO NOTHING RETURNING` per
    /// batch; MySQL/MariaDB runs the one-row call for each row.
    fn insert_or_ignore_many<'e, E: Executor<'e>>(
        rows: &'e [Self],
        db: E,
    ) -> DbResult<'e, E, Vec<Self>> {
        db.run(InsertOrIgnoreMany { rows })
    }

    /// Inserts many rows in one transaction, batched under the backend's parameter limit;
    /// returns how many were inserted.
    fn insert_many<'e, E: Executor<'e>>(rows: &'e [Self], db: E) -> DbResult<'e, E, u64> {
        db.run(InsertMany { rows })
    }

    /// Inserts many rows in one transaction, as [`Model::insert_many`], and returns them as
    /// stored (generated keys and defaults included), in the order given: one
    /// `INSERT ... RETURNING` per batch where the backend reads it back (PostgreSQL,
    /// SQLite, MariaDB through sqlx), else one INSERT and read-back per row in that
    /// transaction (MySQL, diesel on MariaDB).
    fn insert_many_returning<'e, E: Executor<'e>>(
        rows: &'e [Self],
        db: E,
    ) -> DbResult<'e, E, Vec<Self>> {
        db.run(InsertManyReturning { rows })
    }

    /// Writes every non-key column of this row; [`Error::NotFound`](crate::Error::NotFound) if its key is absent.
    fn update<'e, E: Executor<'e>>(&'e self, db: E) -> DbResult<'e, E, ()> {
        db.run(UpdateRow { row: self })
    }

    /// Deletes this row by its key; [`Error::NotFound`](crate::Error::NotFound) if it is absent.
    fn delete<'e, E: Executor<'e>>(&'e self, db: E) -> DbResult<'e, E, ()> {
        db.run(DeleteRow { row: self })
    }

    /// Creates the table, its unique constraints and indexes, if they do not exist.
    fn create_table<'e, E: Executor<'e>>(db: E) -> DbResult<'e, E, ()> {
        db.run(CreateTable::<Self>::new())
    }

    /// Drops the table if it exists.
    fn drop_table<'e, E: Executor<'e>>(db: E) -> DbResult<'e, E, ()> {
        db.run(DropTable::<Self>::new())
    }
}
