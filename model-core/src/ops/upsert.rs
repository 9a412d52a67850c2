//! Insert-or-update and insert-or-ignore, with the same result on every backend.
//!
//! PostgreSQL and SQLite have `INSERT ... ON CONFLICT (target) DO UPDATE / DO NOTHING ...
//! RETURNING`: one statement, the row as stored comes back. MySQL/MariaDB has nothing
//! equivalent: `ON DUPLICATE KEY UPDATE` fires on a conflict with *any* unique key (so it
//! would update a different row than the one named), and `INSERT IGNORE` also turns NOT
//! NULL and range errors into warnings (silent data loss). There the plan sends a plain
//! INSERT (with `RETURNING` on MariaDB, so the row comes back from the statement that
//! stored it) and, on a unique violation, falls back to an UPDATE of the row the target
//! names, then reads that row with a locking read (which sees the latest committed row,
//! also inside a REPEATABLE READ transaction), or, for insert-or-ignore, reads the
//! conflicting row. MySQL rolls back only the failed statement, so no savepoint is needed,
//! and inside a transaction the outcome is the same as with `ON CONFLICT`: the target's
//! row updated, or the unique violation of another constraint returned as
//! [`Error::UniqueViolation`].
//!
//! **Racing a `DELETE`.** Between the failed INSERT and the UPDATE, another connection may
//! delete the row the INSERT collided with: the UPDATE then changes nothing and the read
//! finds no row. That is not a conflict on another constraint (which would make a false
//! `UniqueViolation` of it, and lose the write): the plan checks whether any row still
//! conflicts with the new one (its key, its unique columns) and, if none does, sends the
//! INSERT again, up to [`RACE_ROUNDS`] times. Inserts of one key racing its deletes also
//! make InnoDB deadlocks (the waiting inserts share a lock on the deleted row, then each
//! needs it exclusively); outside a caller's transaction the deadlock rolled back nothing
//! but the plan's own statement, so that round is lost too and the INSERT sent again (inside
//! one, it rolled back the caller's work: the caller gets the retryable
//! [`Error::Conflict`]). An upsert that loses every round returns a retryable
//! [`Error::Conflict`]; an insert-or-ignore returns `None` (its last INSERT did meet a
//! conflicting row).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::engine::access::Access;
use crate::engine::statement::SqlTemplate;
use crate::engine::{Connection, Plan};
use crate::error::{Error, Result};
pub use crate::model::requests::{InsertOrIgnore, InsertOrIgnoreMany, Upsert, UpsertMany};
use crate::model::{ColumnDef, Model, ModelMeta, column_values};
use crate::ops::{
    Single, by_generated_key, collect_rows, insert_one, insert_returning, key_of, matched_by_key,
    name_refused_field, rows_per_batch_of, transaction,
};
use crate::query::ast::{
    ColumnRef, LockStrength, LockWait, Node, Projection, QueryParts, RowLock, Scalar,
};
use crate::sql::render::{self, OnConflict};
use crate::value::Value;

/// How many times an upsert or insert-or-ignore without `ON CONFLICT` sends its INSERT
/// again after the row it collided with was deleted before it could be updated or read.
/// Losing a round takes a DELETE of the same row landing between two statements, so a
/// caller that loses them all is racing a delete loop: it gets a retryable error.
pub const RACE_ROUNDS: usize = 16;

/// The values an insert sends: every column's, or all but a generated key's.
fn insert_values(columns: &[ColumnDef], all: &[Value], with_key: bool) -> Vec<Value> {
    columns
        .iter()
        .zip(all)
        .filter(|(c, _)| with_key || !c.auto)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The column `i` of `meta`, as a query names it.
fn column_ref(meta: &ModelMeta, i: usize) -> ColumnRef {
    meta.columns[i].column_ref(meta.table)
}

/// A locking read (`FOR UPDATE`, `LOCK IN SHARE MODE`) of the rows `filter` matches: it
/// reads the latest committed rows even inside a REPEATABLE READ transaction, whose plain
/// reads would show a snapshot (a row deleted since, or none where one was inserted since).
fn locked(filter: Node, strength: LockStrength) -> QueryParts {
    QueryParts {
        filter: Some(filter),
        limit: Some(1),
        lock: Some(RowLock {
            strength,
            wait: LockWait::Wait,
        }),
        ..QueryParts::default()
    }
}

/// The condition for the row whose `target` columns hold the values `all` gives them.
fn where_equal(meta: &ModelMeta, target: &[usize], all: &[Value]) -> Node {
    Node::all(
        target
            .iter()
            .map(|&i| Node::equals(column_ref(meta, i), all[i].clone())),
    )
}

/// The condition for any row an insert of `all` conflicts with: the same key (when the
/// insert writes it: `with_key`, or a key that is not generated) or the same non-NULL value
/// in a unique column. `None` when no unique constraint can conflict.
fn where_conflicting(meta: &ModelMeta, all: &[Value], with_key: bool) -> Option<Node> {
    let mut terms = Vec::new();
    if meta.key_columns().all(|c| with_key || !c.auto) && !meta.keys.is_empty() {
        terms.push(where_equal(meta, meta.keys, all));
    }
    for (i, c) in meta.columns.iter().enumerate() {
        if c.unique && !c.primary_key && !matches!(all[i], Value::Null(_)) {
            terms.push(Node::equals(column_ref(meta, i), all[i].clone()));
        }
    }
    (!terms.is_empty()).then(|| Node::any(terms))
}

/// Whether a row an insert of `all` conflicts with is there now (a locking read: the
/// latest committed row), other than one `except` matches.
async fn conflicting_row<M: Model, C: Connection>(
    conn: &mut C,
    all: &[Value],
    with_key: bool,
    except: Option<&Node>,
) -> Result<bool> {
    let Some(mut filter) = where_conflicting(M::META, all, with_key) else {
        return Ok(false);
    };
    if let Some(except) = except {
        filter = Node::And(
            Box::new(filter),
            Box::new(Node::Not(Box::new(except.clone()))),
        );
    }
    let d = conn.dialect();
    let select = render::select(
        d,
        M::META,
        &locked(filter, LockStrength::Share),
        Projection::Model,
    )?;
    Ok(conn.fetch(select, Single::<M>(None)).await?.0.is_some())
}

/// What one INSERT of an upsert or insert-or-ignore without `ON CONFLICT` came to.
enum Attempt<M> {
    /// The row was inserted; here it is as stored.
    Stored(M),
    /// A unique violation: a row with the same key or unique value was there.
    Collided(Error),
    /// A deadlock (InnoDB's, between inserts and deletes of one key) rolled the INSERT
    /// back, and nothing else: the plan was not inside a caller's transaction (`own`).
    Lost,
}

/// Sends the INSERT once (see [`Attempt`]); other errors are the plan's.
async fn attempt<M: Model, C: Connection>(
    conn: &mut C,
    row: &M,
    insert: &SqlTemplate,
    binds: &[Value],
    returning: bool,
    sent_key: bool,
    own: bool,
) -> Result<Attempt<M>> {
    match insert_one(conn, row, insert.bind(binds.to_vec())?, returning, sent_key).await {
        Ok(stored) => Ok(Attempt::Stored(stored)),
        Err(conflict @ Error::UniqueViolation { .. }) => Ok(Attempt::Collided(conflict)),
        Err(e) if own && e.is_retryable() => Ok(Attempt::Lost),
        Err(e) => Err(e),
    }
}

/// The INSERT of an upsert or insert-or-ignore without `ON CONFLICT`, with `RETURNING`
/// where the server has it; and whether it has.
fn fallback_insert<C: Connection>(
    conn: &C,
    meta: &ModelMeta,
    with_key: bool,
) -> Result<(SqlTemplate, bool)> {
    let d = conn.dialect();
    if insert_returning(conn) {
        Ok((render::insert_explicit_returning(d, meta, with_key)?, true))
    } else {
        Ok((render::insert_explicit(d, meta, with_key)?, false))
    }
}

impl<M: Model> Plan for Upsert<'_, M> {
    type Output = M;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<M> {
        let (row, d) = (self.row, conn.dialect());
        self.write(conn)
            .await
            .map_err(|e| name_refused_field(e, d, std::slice::from_ref(row)))
    }
}

impl<M: Model> Upsert<'_, M> {
    async fn write<C: Connection>(self, conn: &mut C) -> Result<M> {
        let meta = M::META;
        let d = conn.dialect();
        // An upsert by key must send the key, even a generated one: it names the row.
        let with_key = self.target.iter().any(|&i| meta.columns[i].primary_key);
        let all = column_values(self.row);
        let binds = insert_values(meta.columns, &all, with_key);
        if d.rules().supports_on_conflict() {
            let names: Vec<&str> = self.target.iter().map(|&i| meta.columns[i].name).collect();
            let t = render::insert_on_conflict(
                d,
                meta,
                1,
                with_key,
                OnConflict::Update { target: &names },
            )?;
            return conn
                .fetch(t.bind(binds)?, Single(None))
                .await?
                .0
                .ok_or(Error::Internal(
                    "INSERT ... ON CONFLICT DO UPDATE returned no row".into(),
                ));
        }
        let (insert, returning) = fallback_insert(conn, meta, with_key)?;
        let located = where_equal(meta, &self.target, &all);
        let mut non_key = Vec::new();
        self.row.push_update_values(&mut non_key);
        let update = if non_key.is_empty() {
            None
        } else {
            let assignments: Vec<(ColumnRef, Scalar)> = meta
                .update_columns()
                .map(|c| c.column_ref(meta.table))
                .zip(non_key.into_iter().map(Scalar::Value))
                .collect();
            let parts = QueryParts {
                filter: Some(located.clone()),
                ..QueryParts::default()
            };
            Some(render::update_where(d, meta, &parts, &assignments)?)
        };
        let select = render::select(
            d,
            meta,
            &locked(located.clone(), LockStrength::Update),
            Projection::Model,
        )?;
        let own = conn.transaction_depth() == 0;
        for _ in 0..RACE_ROUNDS {
            let conflict =
                match attempt(conn, self.row, &insert, &binds, returning, with_key, own).await? {
                    Attempt::Stored(row) => return Ok(row),
                    Attempt::Collided(conflict) => conflict,
                    Attempt::Lost => continue,
                };
            let updated = match &update {
                Some(update) => conn.execute(update.clone()).await.map(|_| ()),
                None => Ok(()),
            };
            let found = match updated {
                Ok(()) => conn.fetch(select.clone(), Single(None)).await,
                Err(e) => Err(e),
            };
            match found {
                Ok(Single(Some(row))) => return Ok(row),
                Ok(Single(None)) => {}
                // A deadlock of this autocommit UPDATE or read rolled back only it.
                Err(e) if own && e.is_retryable() => continue,
                Err(e) => return Err(e),
            }
            // No row with the target's value. If another row conflicts, the conflict was
            // on another unique constraint, which `ON CONFLICT (target)` reports as well;
            // if none does, the row was deleted since the INSERT: insert again.
            if conflicting_row::<M, C>(conn, &all, with_key, Some(&located)).await? {
                return Err(conflict);
            }
        }
        Err(Error::Conflict {
            message: format!(
                "upsert of {}: the row it collided with was deleted before it could be \
                 updated, {RACE_ROUNDS} times in a row (a concurrent DELETE of the same \
                 row); try again",
                meta.name
            ),
        })
    }
}

impl<M: Model> Plan for InsertOrIgnore<'_, M> {
    type Output = Option<M>;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Option<M>> {
        let (row, d) = (self.row, conn.dialect());
        self.write(conn)
            .await
            .map_err(|e| name_refused_field(e, d, std::slice::from_ref(row)))
    }
}

impl<M: Model> InsertOrIgnore<'_, M> {
    async fn write<C: Connection>(self, conn: &mut C) -> Result<Option<M>> {
        let meta = M::META;
        let d = conn.dialect();
        let mut binds = Vec::with_capacity(meta.columns.len());
        self.row.push_insert_values(&mut binds);
        if d.rules().supports_on_conflict() {
            let t = render::insert_on_conflict(d, meta, 1, false, OnConflict::Nothing)?;
            return Ok(conn.fetch(t.bind(binds)?, Single(None)).await?.0);
        }
        let all = column_values(self.row);
        let (insert, returning) = fallback_insert(conn, meta, false)?;
        let own = conn.transaction_depth() == 0;
        for _ in 0..RACE_ROUNDS {
            match attempt(conn, self.row, &insert, &binds, returning, false, own).await? {
                Attempt::Stored(row) => return Ok(Some(row)),
                Attempt::Collided(_) => {}
                Attempt::Lost => continue,
            }
            // Ignored only while a conflicting row is there; if it was deleted since the
            // INSERT, insert again.
            if conflicting_row::<M, C>(conn, &all, false, None).await? {
                return Ok(None);
            }
        }
        // Every INSERT met a conflicting row, deleted each time before it could be read:
        // the last one did conflict, so the row is ignored.
        Ok(None)
    }
}

/// The batches of a many-row upsert or insert-or-ignore with `ON CONFLICT`: at most
/// `per_batch` rows each (the bind limit), and a new batch where a row's key was already
/// in the current one. One statement acts on its rows as if inserted one by one, except
/// that PostgreSQL refuses to update a row twice in one `ON CONFLICT DO UPDATE` ("cannot
/// affect row a second time"), and a later row of the same key must see the earlier one
/// stored, as the one-row calls in a row would.
///
/// The current batch's keys are found by hash ([`hash_of`]: `Value` holds floats, so it
/// has no `Hash`), equal hashes compared as values: linear in the rows.
fn batches<M: Model>(rows: &[M], per_batch: usize) -> Vec<&[M]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut keys: HashMap<u64, Vec<Vec<Value>>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let key = key_of(row);
        let hash = hash_of(&key);
        let seen = keys.get(&hash).is_some_and(|same| same.contains(&key));
        if i - start == per_batch || seen {
            out.push(&rows[start..i]);
            start = i;
            keys.clear();
        }
        keys.entry(hash).or_default().push(key);
    }
    out.push(&rows[start..]);
    out
}

/// A hash of `key` under which values equal as `Value`s hash alike (`0.0` and `-0.0`
/// included; NaN equals nothing, so its hash does not matter).
fn hash_of(key: &[Value]) -> u64 {
    let mut h = DefaultHasher::new();
    for value in key {
        std::mem::discriminant(value).hash(&mut h);
        match value {
            Value::Null(kind) => kind.hash(&mut h),
            Value::Bool(b) => b.hash(&mut h),
            Value::I16(n) => n.hash(&mut h),
            Value::I32(n) => n.hash(&mut h),
            Value::I64(n) => n.hash(&mut h),
            Value::F32(x) => (if *x == 0.0 { 0.0 } else { *x }).to_bits().hash(&mut h),
            Value::F64(x) => (if *x == 0.0 { 0.0 } else { *x }).to_bits().hash(&mut h),
            Value::Text(text) => text.hash(&mut h),
            Value::Blob(bytes) => bytes.hash(&mut h),
            Value::Typed(kind, text) => (kind, text).hash(&mut h),
            // Never a key; equal arrays still hash alike (by the variant alone).
            Value::Array(_) => {}
        }
    }
    h.finish()
}

/// The values of every row of `batch` an insert sends, row after row.
fn batch_values<M: Model>(batch: &[M], with_key: bool) -> Vec<Value> {
    let width = M::META
        .columns
        .iter()
        .filter(|c| with_key || !c.auto)
        .count();
    let mut binds = Vec::with_capacity(batch.len() * width);
    for row in batch {
        if with_key {
            // With the key, every column's value goes: the row's values as they are.
            binds.extend(column_values(row));
        } else {
            row.push_insert_values(&mut binds);
        }
    }
    binds
}

/// Runs a many-row plan's `write` in one transaction (a savepoint inside an open one), so
/// the call is all or nothing, naming the field of a value the backend refuses. No rows:
/// nothing is sent.
async fn all_or_nothing<M: Model, C: Connection>(
    conn: &mut C,
    rows: &[M],
    write: impl AsyncFnOnce(&mut C) -> Result<Vec<M>>,
) -> Result<Vec<M>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let d = conn.dialect();
    transaction::begin(conn).await?;
    let outcome = write(conn)
        .await
        .map_err(|e| name_refused_field(e, d, rows));
    transaction::settle(conn, outcome).await
}

impl<M: Model> Plan for UpsertMany<'_, M> {
    type Output = Vec<M>;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<M>> {
        let rows = self.rows;
        all_or_nothing(conn, rows, async |conn: &mut C| {
            let meta = M::META;
            let d = conn.dialect();
            let target = meta.keys.to_vec();
            if !d.rules().supports_on_conflict() {
                // MySQL/MariaDB: the one-row upsert's INSERT-then-UPDATE, row after row.
                let mut stored = Vec::with_capacity(rows.len());
                for row in rows {
                    let upsert = Upsert {
                        row,
                        target: target.clone(),
                    };
                    stored.push(upsert.write(conn).await?);
                }
                return Ok(stored);
            }
            let names: Vec<&str> = target.iter().map(|&i| meta.columns[i].name).collect();
            let per_batch = rows_per_batch_of(d, meta.columns.len(), rows.len());
            let mut stored = Vec::with_capacity(rows.len());
            for batch in batches(rows, per_batch) {
                let t = render::insert_on_conflict(
                    d,
                    meta,
                    batch.len(),
                    true,
                    OnConflict::Update { target: &names },
                )?;
                let back = collect_rows::<M, C>(conn, t.bind(batch_values(batch, true))?).await?;
                stored.extend(matched_by_key(batch, back, true)?);
            }
            Ok(stored)
        })
        .await
    }
}

impl<M: Model> Plan for InsertOrIgnoreMany<'_, M> {
    type Output = Vec<M>;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<M>> {
        let rows = self.rows;
        all_or_nothing(conn, rows, async |conn: &mut C| {
            let meta = M::META;
            let d = conn.dialect();
            if !d.rules().supports_on_conflict() {
                // MySQL/MariaDB: the one-row insert-or-ignore, row after row.
                let mut stored = Vec::new();
                for row in rows {
                    if let Some(row) = (InsertOrIgnore { row }).write(conn).await? {
                        stored.push(row);
                    }
                }
                return Ok(stored);
            }
            let width = meta.insert_columns().count();
            let per_batch = rows_per_batch_of(d, width, rows.len());
            let mut stored = Vec::with_capacity(rows.len());
            for batch in rows.chunks(per_batch) {
                let t =
                    render::insert_on_conflict(d, meta, batch.len(), false, OnConflict::Nothing)?;
                let back = collect_rows::<M, C>(conn, t.bind(batch_values(batch, false))?).await?;
                // The rows inserted: a generated key grows in VALUES order; keys of the
                // rows' own name their row (a key sent twice was inserted at its first).
                stored.extend(if meta.auto_key().is_some() {
                    by_generated_key(back)
                } else {
                    matched_by_key(batch, back, false)?
                });
            }
            Ok(stored)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::ValueKind;

    #[test]
    fn keys_equal_as_values_hash_alike() {
        let pairs = [
            (vec![Value::F64(0.0)], vec![Value::F64(-0.0)]),
            (vec![Value::F32(-0.0)], vec![Value::F32(0.0)]),
            (
                vec![Value::I64(7), Value::Text("a".into())],
                vec![Value::I64(7), Value::Text("a".into())],
            ),
            (
                vec![Value::Typed(
                    ValueKind::Uuid,
                    "00000000-0000-0000-0000-000000000001".into(),
                )],
                vec![Value::Typed(
                    ValueKind::Uuid,
                    "00000000-0000-0000-0000-000000000001".into(),
                )],
            ),
        ];
        for (a, b) in pairs {
            assert_eq!(a, b);
            assert_eq!(hash_of(&a), hash_of(&b), "{a:?} ~ {b:?}");
        }
        // Different keys (the same number as another kind too) hash apart here.
        let distinct = [
            vec![Value::I64(1)],
            vec![Value::I32(1)],
            vec![Value::I64(2)],
            vec![Value::Text("1".into())],
            vec![Value::I64(1), Value::I64(2)],
            vec![Value::I64(2), Value::I64(1)],
        ];
        let hashes: std::collections::HashSet<u64> = distinct.iter().map(|k| hash_of(k)).collect();
        assert_eq!(hashes.len(), distinct.len());
    }
}
