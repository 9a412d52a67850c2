//! Insert-or-update and insert-or-ignore, with the same result on every backend.
//!
//! PostgreSQL and SQLite have `INSERT ... ON CONFLICT (target) DO UPDATE / DO NOTHING ...
//! RETURNING`: one statement, the row as stored comes back. MySQL/MariaDB has nothing
//! equivalent: `ON DUPLICATE KEY UPDATE` fires on a conflict with *any* unique key (so it
//! would update a different row than the one named), and `INSERT IGNORE` also turns NOT
//! NULL and range errors into warnings (silent data loss). There the plan sends a plain
//! INSERT and, on a unique violation, falls back to an UPDATE of the row the target names
//! (or to nothing, for insert-or-ignore). MySQL rolls back only the failed statement, so
//! no savepoint is needed, and inside a transaction the outcome is the same as with
//! `ON CONFLICT`: the target's row updated, or the unique violation of another constraint
//! returned as [`Error::UniqueViolation`].

use crate::engine::{Connection, Plan};
use crate::error::{Error, Result};
pub use crate::model::requests::{InsertOrIgnore, Upsert};
use crate::model::{ColumnDef, Model, ModelMeta, column_values};
use crate::ops::{Single, read_back_inserted};
use crate::query::ast::{ColumnRef, Node, Projection, QueryParts, Scalar};
use crate::sql::render::{self, OnConflict};
use crate::value::Value;

/// The values an insert sends: every column's, or all but a generated key's.
fn insert_values(columns: &[ColumnDef], all: &[Value], with_key: bool) -> Vec<Value> {
    columns
        .iter()
        .zip(all)
        .filter(|(c, _)| with_key || !c.auto)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The query for the row whose `target` columns hold the values `all` gives them.
fn where_equal(meta: &ModelMeta, target: &[usize], all: &[Value]) -> QueryParts {
    let terms = target.iter().map(|&i| {
        let column = &meta.columns[i];
        let column = ColumnRef {
            table: meta.table,
            name: column.name,
            nullable: column.nullable,
        };
        Node::equals(column, all[i].clone())
    });
    QueryParts {
        filter: Some(Node::all(terms)),
        ..QueryParts::default()
    }
}

impl<M: Model> Plan for Upsert<'_, M> {
    type Output = M;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<M> {
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
        let insert = render::insert_explicit(d, meta, with_key)?;
        match conn.execute(insert.bind(binds)?).await {
            Ok(done) => read_back_inserted(conn, self.row, done, with_key).await,
            Err(conflict @ Error::UniqueViolation { .. }) => {
                let mut non_key = Vec::new();
                self.row.push_update_values(&mut non_key);
                let located = where_equal(meta, &self.target, &all);
                if !non_key.is_empty() {
                    let assignments: Vec<(ColumnRef, Scalar)> = meta
                        .update_columns()
                        .map(|c| ColumnRef {
                            table: meta.table,
                            name: c.name,
                            nullable: c.nullable,
                        })
                        .zip(non_key.into_iter().map(Scalar::Value))
                        .collect();
                    let update = render::update_where(d, meta, &located, &assignments)?;
                    conn.execute(update).await?;
                }
                let select = render::select(d, meta, &located, Projection::Model)?;
                // No row with the target's value: the conflict was on another unique
                // constraint, which `ON CONFLICT (target)` reports as well.
                conn.fetch(select, Single(None)).await?.0.ok_or(conflict)
            }
            Err(e) => Err(e),
        }
    }
}

impl<M: Model> Plan for InsertOrIgnore<'_, M> {
    type Output = Option<M>;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Option<M>> {
        let meta = M::META;
        let d = conn.dialect();
        let mut binds = Vec::with_capacity(meta.columns.len());
        self.row.push_insert_values(&mut binds);
        if d.rules().supports_on_conflict() {
            let t = render::insert_on_conflict(d, meta, false, OnConflict::Nothing)?;
            return Ok(conn.fetch(t.bind(binds)?, Single(None)).await?.0);
        }
        let insert = render::insert_explicit(d, meta, false)?;
        match conn.execute(insert.bind(binds)?).await {
            Ok(done) => Ok(Some(read_back_inserted(conn, self.row, done, false).await?)),
            Err(Error::UniqueViolation { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
