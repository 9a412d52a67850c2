//! Rendered statements: SQL text, where its placeholders stand, and the values to bind.
//!
//! The text is shared (`Arc`) so that a statement rendered once per model and dialect (a
//! primary-key lookup, an insert) is reused on every call without copying, and so that
//! drivers that cache prepared statements by text (diesel, sqlx) find it again. The
//! placeholder spans let an engine whose driver writes its own placeholders (diesel) cut
//! the text at the right places without knowing any SQL.

use std::sync::Arc;

use crate::dialect::{Dialect, SqlDialect};
use crate::error::{Error, Result};
use crate::value::{Array, Value, ValueKind};

/// SQL text with its placeholder spans, rendered once and bound many times.
#[derive(Debug, Clone)]
pub struct SqlTemplate {
    dialect: Dialect,
    sql: Arc<String>,
    placeholders: Arc<[(u32, u32)]>,
}

/// Refuses values the backend would store as something else (NaN as NULL on SQLite,
/// infinities on MySQL): an error now rather than silently different data later. An
/// array's elements are checked as the same values bound one by one would be.
fn check_binds(dialect: Dialect, binds: &[Value]) -> Result<()> {
    let rules = dialect.rules();
    let float = |f: f64| {
        rules.check_float(f).map_err(|why| Error::ValueOutOfRange {
            message: format!("{f} cannot be stored: {why}"),
        })
    };
    let typed = |kind: ValueKind, text: &str| {
        crate::types::check_typed(kind, text).map_err(|message| Error::ValueOutOfRange { message })
    };
    for value in binds {
        match value {
            Value::F64(f) => float(*f)?,
            Value::F32(f) => float(f64::from(*f))?,
            Value::Typed(kind, text) => typed(*kind, text)?,
            Value::Array(Array::F64(v)) => v.iter().flatten().try_for_each(|f| float(*f))?,
            Value::Array(Array::F32(v)) => {
                v.iter().flatten().try_for_each(|f| float(f64::from(*f)))?
            }
            Value::Array(Array::Typed(kind, v)) => {
                v.iter().flatten().try_for_each(|t| typed(*kind, t))?
            }
            _ => {}
        }
    }
    Ok(())
}

/// The text the dialect wants around `value`'s placeholder: the cast of a
/// [`Value::Typed`] (or a NULL of such a kind), or of an array's type.
fn placeholder_wrap(rules: &dyn SqlDialect, value: &Value) -> (&'static str, &'static str) {
    match value {
        Value::Array(array) => rules.array_placeholder(array.kind()).unwrap_or(("", "")),
        v if v.kind().is_typed_text() => rules.typed_placeholder(v.kind()),
        _ => ("", ""),
    }
}

/// Shared SQL text and its placeholder spans.
type SharedText = (Arc<String>, Arc<[(u32, u32)]>);

/// The text and spans with the dialect's conversion around each placeholder whose value
/// is [`Value::Typed`] (or a NULL of such a kind) or an array that needs a cast; `None`
/// when no placeholder needs one, so statements without such values keep their shared
/// text. The result is the same text for the same kinds, so drivers still find their
/// prepared statement by it.
fn typed_placeholders(
    dialect: Dialect,
    sql: &str,
    placeholders: &[(u32, u32)],
    binds: &[Value],
) -> Option<SharedText> {
    let rules = dialect.rules();
    if !binds.iter().any(|v| placeholder_wrap(rules, v) != ("", "")) {
        return None;
    }
    let mut out = String::with_capacity(sql.len() + 16 * binds.len());
    let mut spans = Vec::with_capacity(placeholders.len());
    let mut at = 0usize;
    for (&(start, end), value) in placeholders.iter().zip(binds) {
        let (before, after) = placeholder_wrap(rules, value);
        out.push_str(&sql[at..start as usize]);
        out.push_str(before);
        let new_start = out.len() as u32;
        out.push_str(&sql[start as usize..end as usize]);
        spans.push((new_start, out.len() as u32));
        out.push_str(after);
        at = end as usize;
    }
    out.push_str(&sql[at..]);
    Some((Arc::new(out), Arc::from(spans)))
}

impl SqlTemplate {
    /// The statement with `binds` for its placeholders; refuses values the backend cannot
    /// store faithfully.
    #[inline]
    pub fn bind(&self, binds: Vec<Value>) -> Result<Statement> {
        if binds.len() != self.placeholders.len() {
            return Err(Error::Internal(
                format!(
                    "{} values for {} placeholders",
                    binds.len(),
                    self.placeholders.len()
                )
                .into(),
            ));
        }
        check_binds(self.dialect, &binds)?;
        if let Some((sql, placeholders)) =
            typed_placeholders(self.dialect, &self.sql, &self.placeholders, &binds)
        {
            return Ok(Statement {
                sql,
                placeholders,
                binds,
            });
        }
        Ok(Statement {
            sql: self.sql.clone(),
            placeholders: self.placeholders.clone(),
            binds,
        })
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }
}

/// A statement ready for an engine: text, placeholder spans and bind values.
#[derive(Debug, Clone)]
pub struct Statement {
    sql: Arc<String>,
    placeholders: Arc<[(u32, u32)]>,
    binds: Vec<Value>,
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

/// Writes SQL for one dialect, numbering placeholders and collecting binds.
#[derive(Debug)]
pub struct SqlWriter {
    dialect: Dialect,
    sql: String,
    placeholders: Vec<(u32, u32)>,
    binds: Vec<Value>,
}

impl SqlWriter {
    /// An empty writer for `dialect`.
    pub fn new(dialect: Dialect) -> Self {
        SqlWriter {
            dialect,
            sql: String::with_capacity(128),
            placeholders: Vec::new(),
            binds: Vec::new(),
        }
    }

    /// The dialect being written.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Appends SQL text.
    #[inline]
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a quoted identifier.
    #[inline]
    pub fn ident(&mut self, name: &str) -> &mut Self {
        self.dialect.rules().write_ident(&mut self.sql, name);
        self
    }

    /// Appends a placeholder without a value (for templates).
    pub fn placeholder(&mut self) -> &mut Self {
        let start = self.sql.len() as u32;
        self.dialect
            .rules()
            .write_placeholder(&mut self.sql, self.placeholders.len() + 1);
        self.placeholders.push((start, self.sql.len() as u32));
        self
    }

    /// Appends a placeholder bound to `value`.
    #[inline]
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.placeholder();
        self.binds.push(value);
        self
    }

    /// The number of placeholders written so far.
    pub fn placeholder_count(&self) -> usize {
        self.placeholders.len()
    }

    fn check_limit(&self) -> Result<()> {
        let max = self.dialect.rules().max_bind_params();
        if self.placeholders.len() > max {
            return Err(Error::InvalidQuery(
                format!(
                    "the statement needs {} bound values but {} accepts at most {max}; \
                     split the list or the batch",
                    self.placeholders.len(),
                    self.dialect.name()
                )
                .into(),
            ));
        }
        Ok(())
    }

    /// The finished statement, checked against the dialect's bind limit and values.
    pub fn finish(self) -> Result<Statement> {
        self.check_limit()?;
        check_binds(self.dialect, &self.binds)?;
        if let Some((sql, placeholders)) =
            typed_placeholders(self.dialect, &self.sql, &self.placeholders, &self.binds)
        {
            return Ok(Statement {
                sql,
                placeholders,
                binds: self.binds,
            });
        }
        Ok(Statement {
            sql: Arc::new(self.sql),
            placeholders: Arc::from(self.placeholders),
            binds: self.binds,
        })
    }

    /// The finished text as a reusable template (binds written so far are dropped).
    pub fn finish_template(self) -> Result<SqlTemplate> {
        self.check_limit()?;
        Ok(SqlTemplate {
            dialect: self.dialect,
            sql: Arc::new(self.sql),
            placeholders: Arc::from(self.placeholders),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_get_the_dialects_conversion() {
        let uuid = || {
            Value::Typed(
                ValueKind::Uuid,
                "67e55044-10b1-426f-9247-bb680e5fe0c8".into(),
            )
        };
        let mut w = SqlWriter::new(Dialect::Postgres);
        w.push("SELECT 1 WHERE ")
            .bind(uuid())
            .push(" = ")
            .bind(Value::Null(ValueKind::Timestamp))
            .push(" AND ")
            .bind(Value::I32(1));
        let st = w.finish().unwrap();
        assert_eq!(
            st.sql(),
            "SELECT 1 WHERE $1::uuid = ($2::timestamp AT TIME ZONE 'UTC') AND $3"
        );
        let pieces: Vec<_> = st.pieces().map(|(s, _)| s.to_string()).collect();
        assert_eq!(
            pieces,
            [
                "SELECT 1 WHERE ",
                "::uuid = (",
                "::timestamp AT TIME ZONE 'UTC') AND ",
                ""
            ]
        );
        // SQLite needs no conversion: the shared text is kept.
        let mut w = SqlWriter::new(Dialect::Sqlite);
        w.push("SELECT ").placeholder();
        let t = w.finish_template().unwrap();
        let st = t.bind(vec![uuid()]).unwrap();
        assert!(Arc::ptr_eq(st.shared_sql(), &t.sql));
        // MySQL converts decimals before comparing them.
        let mut w = SqlWriter::new(Dialect::Mysql);
        w.push("SELECT ").placeholder();
        let st = w
            .finish_template()
            .unwrap()
            .bind(vec![Value::Typed(ValueKind::Decimal, "1.5".into())])
            .unwrap();
        assert_eq!(st.sql(), "SELECT CAST(? AS DECIMAL(65,28))");
        assert_eq!(st.placeholders(), &[(12, 13)]);
    }

    #[test]
    fn pieces_split_at_placeholders() {
        let mut w = SqlWriter::new(Dialect::Postgres);
        w.push("SELECT ")
            .bind(Value::I32(1))
            .push(" + ")
            .bind(Value::I32(2));
        let st = w.finish().unwrap();
        assert_eq!(st.sql(), "SELECT $1 + $2");
        let pieces: Vec<_> = st
            .pieces()
            .map(|(s, v)| (s.to_string(), v.cloned()))
            .collect();
        assert_eq!(
            pieces,
            vec![
                ("SELECT ".into(), Some(Value::I32(1))),
                (" + ".into(), Some(Value::I32(2))),
                (String::new(), None)
            ]
        );
    }
}
