//! Rendered statements: SQL text, where its placeholders stand, and the values to bind.
//!
//! The text is shared (`Arc`) so that a statement rendered once per model and dialect (a
//! primary-key lookup, an insert) is reused on every call without copying, and so that
//! drivers that cache prepared statements by text (diesel, sqlx) find it again. The
//! placeholder spans let an engine whose driver writes its own placeholders (diesel) cut
//! the text at the right places without knowing any SQL.

use std::sync::Arc;

use crate::engine::backend::Dialect;
use crate::value::Value;

/// SQL text with its placeholder spans, rendered once and bound many times.
#[derive(Debug, Clone)]
pub struct SqlTemplate {
    pub(crate) dialect: Dialect,
    pub(crate) sql: Arc<String>,
    pub(crate) placeholders: Arc<[(u32, u32)]>,
}

impl SqlTemplate {
    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }
}

/// A statement ready for an engine: text, placeholder spans and bind values.
#[derive(Debug, Clone)]
pub struct Statement {
    pub(crate) sql: Arc<String>,
    pub(crate) placeholders: Arc<[(u32, u32)]>,
    pub(crate) binds: Vec<Value>,
}

impl Statement {
    /// A statement without parameters (transaction control, raw DDL).
    pub fn plain(sql: impl Into<String>) -> Statement {
        Statement {
            sql: Arc::new(sql.into()),
            placeholders: Arc::from([]),
            binds: Vec::new(),
        }
    }

    /// The SQL text, with the dialect's placeholders.
    #[inline]
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The shared SQL text (cheap to clone; drivers can cache by it).
    #[inline]
    pub fn shared_sql(&self) -> &Arc<String> {
        &self.sql
    }

    /// Byte ranges of the placeholders in [`Statement::sql`], one per bind, in order.
    #[inline]
    pub fn placeholders(&self) -> &[(u32, u32)] {
        &self.placeholders
    }

    /// The values to bind, in placeholder order.
    #[inline]
    pub fn binds(&self) -> &[Value] {
        &self.binds
    }

    /// The shared SQL text and the values, for an engine that hands values to its driver
    /// by ownership (no copy of text or bytes).
    #[inline]
    pub fn into_sql_and_binds(self) -> (Arc<String>, Vec<Value>) {
        (self.sql, self.binds)
    }

    /// The text between placeholders, each followed by the bind that comes after it; the
    /// last piece has no bind. This is what an engine whose driver writes its own
    /// placeholders needs.
    pub fn pieces(&self) -> impl Iterator<Item = (&str, Option<&Value>)> {
        let mut start = 0usize;
        let sql = self.sql.as_str();
        let n = self.placeholders.len();
        (0..=n).map(move |i| {
            if i < n {
                let (s, e) = self.placeholders[i];
                let piece = &sql[start..s as usize];
                start = e as usize;
                (piece, Some(&self.binds[i]))
            } else {
                (&sql[start..], None)
            }
        })
    }
}
