//! The raw SQL escape hatch: hand-written SQL, values still bound, rows still decoded.
//!
//! Parameters are written `?` in every dialect (the renderer turns them into `$1`... on
//! PostgreSQL); `??` is a literal question mark; `?` inside quotes is left alone.

use std::marker::PhantomData;

use crate::engine::Executor;
use crate::model::Model;
use crate::ops;
use crate::value::Value;

/// Hand-written SQL with bound values.
///
/// ```
/// let q = ambidex_core::raw("UPDATE users SET age = ? WHERE id = ?").bind(40).bind(1_i64);
/// assert_eq!(q.sql(), "UPDATE users SET age = ? WHERE id = ?");
/// ```
#[derive(Debug, Clone)]
pub struct Raw {
    sql: String,
    binds: Vec<Value>,
}

/// Starts a raw statement.
pub fn raw(sql: impl Into<String>) -> Raw {
    Raw {
        sql: sql.into(),
        binds: Vec::new(),
    }
}

impl Raw {
    /// Binds the next `?`.
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.binds.push(value.into());
        self
    }

    /// The SQL as written.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Runs a statement that returns no rows; returns the affected-row count.
    pub fn execute<'e, E: Executor<'e>>(self, db: E) -> E::Output<u64> {
        db.run(ops::RawExecute {
            sql: self.sql,
            binds: self.binds,
        })
    }

    /// Runs a query whose columns are `M`'s, in declaration order, and decodes the rows.
    pub fn fetch_all<'e, M: Model, E: Executor<'e>>(self, db: E) -> E::Output<Vec<M>> {
        db.run(ops::RawFetch {
            sql: self.sql,
            binds: self.binds,
            model: PhantomData::<fn() -> M>,
        })
    }
}
