//! Writes that return the rows they changed: `update_returning` and `delete_returning`.
//!
//! Where the dialect has `RETURNING` (PostgreSQL, SQLite 3.35+) it is one statement; so
//! is `delete_returning` on MariaDB 10.5+ through sqlx (`DELETE ... RETURNING`; the diesel
//! engine cannot read those rows there, see `Connection::reads_insert_returning`).
//! Where it has not (MySQL; MariaDB's `UPDATE`; diesel on MariaDB), the plan runs in a
//! transaction (a savepoint inside an
//! open one): it reads the matching rows with `FOR UPDATE`, so no other transaction can
//! change or delete them until it ends, writes them by key, and (for an update) reads them
//! again by key. The rows returned are exactly the rows written, as with `RETURNING`; a
//! row inserted by another transaction after the locking read is not among them, as it
//! would not be for a statement that ran at that moment.
//!
//! The order of the rows returned is unspecified, as `RETURNING`'s is.

use std::marker::PhantomData;

use crate::engine::access::Access;
use crate::engine::statement::Statement;
use crate::engine::{Connection, Plan};
use crate::error::Result;
use crate::model::{Model, key_filter};
use crate::ops::transaction;
use crate::ops::{collect_rows, drift};
use crate::query::ast::{
    ColumnRef, LockStrength, LockWait, Node, Projection, QueryParts, RowLock, Scalar,
};
use crate::sql::render;

/// `query().filter(..).set(..).update_returning(db)`: the updated rows, as stored.
pub struct UpdateReturning<M> {
    /// The filter.
    pub parts: QueryParts,
    /// The assignments.
    pub assignments: Vec<(ColumnRef, Scalar)>,
    /// The model.
    pub model: PhantomData<fn() -> M>,
}

impl<M: Model> Plan for UpdateReturning<M> {
    type Output = Vec<M>;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<M>> {
        let d = conn.dialect();
        if d.rules().supports_returning() {
            let st = render::update_where_returning(d, M::META, &self.parts, &self.assignments)?;
            return collect_rows::<M, C>(conn, st).await;
        }
        // Refuses what the statement would (ordering, no assignment) before anything runs.
        render::update_where(d, M::META, &self.parts, &self.assignments)?;
        let assignments = self.assignments;
        by_locked_keys::<M, C>(conn, self.parts, true, |by_key| {
            render::update_where(d, M::META, by_key, &assignments)
        })
        .await
    }
}

/// `query().filter(..).delete_returning(db)`: the deleted rows, as they were.
pub struct DeleteReturning<M> {
    /// The filter.
    pub parts: QueryParts,
    /// The model.
    pub model: PhantomData<fn() -> M>,
}

impl<M: Model> Plan for DeleteReturning<M> {
    type Output = Vec<M>;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<M>> {
        let d = conn.dialect();
        if d.rules().delete_returning(conn.server()) && conn.reads_insert_returning() {
            let st = render::delete_where_returning(d, M::META, &self.parts)?;
            return collect_rows::<M, C>(conn, st).await;
        }
        render::delete_where(d, M::META, &self.parts)?;
        by_locked_keys::<M, C>(conn, self.parts, false, |by_key| {
            render::delete_where(d, M::META, by_key)
        })
        .await
    }
}

/// The path without `RETURNING`: lock the matching rows, write them by key with the
/// statement `write` renders, and return them (read again by key when `reread`), all in
/// one transaction or savepoint.
async fn by_locked_keys<M: Model, C: Connection>(
    conn: &mut C,
    parts: QueryParts,
    reread: bool,
    write: impl Fn(&QueryParts) -> Result<Statement>,
) -> Result<Vec<M>> {
    transaction::begin(conn).await?;
    let outcome = locked_write::<M, C>(conn, parts, reread, write).await;
    transaction::settle(conn, outcome).await
}

async fn locked_write<M: Model, C: Connection>(
    conn: &mut C,
    parts: QueryParts,
    reread: bool,
    write: impl Fn(&QueryParts) -> Result<Statement>,
) -> Result<Vec<M>> {
    let d = conn.dialect();
    let locking = QueryParts {
        lock: Some(RowLock {
            strength: LockStrength::Update,
            wait: LockWait::Wait,
        }),
        ..parts
    };
    let rows: Vec<M> = collect_rows::<M, C>(
        conn,
        render::select(d, M::META, &locking, Projection::Model)?,
    )
    .await?;
    if rows.is_empty() {
        return Ok(rows);
    }
    let mut written = Vec::with_capacity(if reread { rows.len() } else { 0 });
    for chunk in rows.chunks(KEYS_PER_STATEMENT) {
        let by_key = keys_of(chunk);
        conn.execute(write(&by_key)?).await.map_err(drift::<M>)?;
        if reread {
            let st = render::select(d, M::META, &by_key, Projection::Model)?;
            written.extend(collect_rows::<M, C>(conn, st).await?);
        }
    }
    Ok(if reread { written } else { rows })
}

/// Keys one write by key names at most: far under every bind limit, and a flat `IN` list
/// (or a short `OR` of composite keys), never a tree deep enough to matter.
const KEYS_PER_STATEMENT: usize = 500;

/// The filter that names exactly `rows` by their keys: `key IN (...)` for a one-column
/// key, `(k1 = ? AND k2 = ?) OR ...` for a composite one.
fn keys_of<M: Model>(rows: &[M]) -> QueryParts {
    let keys = rows.iter().map(|row| {
        let mut key = Vec::with_capacity(M::META.keys.len());
        row.push_key_values(&mut key);
        key
    });
    let filter = if M::META.has_composite_key() {
        Node::any(keys.map(|key| key_filter(M::META, key)))
    } else {
        Node::In {
            column: M::META.key_ref(),
            values: keys.flatten().collect(),
            negated: false,
        }
    };
    QueryParts {
        filter: Some(filter),
        ..QueryParts::default()
    }
}
