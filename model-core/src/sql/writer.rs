//! Writing statements for one dialect: [`SqlWriter`] numbers placeholders, quotes
//! identifiers and collects binds; finishing a statement (or binding a cached
//! [`SqlTemplate`]) refuses values the backend would store as something else and wraps
//! typed placeholders in the cast the dialect asks for.

use std::sync::Arc;

use crate::engine::statement::{SqlTemplate, Statement};
use crate::error::{Error, Result};
use crate::sql::dialect::{Dialect, SqlDialect};
use crate::value::{Array, Value, ValueKind};

/// Refuses values the backend would store as something else (NaN as NULL on SQLite,
/// infinities on MySQL) or not at all (a NUL character in PostgreSQL text): an error now,
/// before anything is sent, rather than silently different data or the server's untyped
/// refusal later. An array's elements are checked as the same values bound one by one
/// would be.
pub(crate) fn check_binds(dialect: Dialect, binds: &[Value]) -> Result<()> {
    let rules = dialect.rules();
    let float = |f: f64| {
        rules.check_float(f).map_err(|why| Error::ValueOutOfRange {
            message: format!("{f} cannot be stored: {why}"),
        })
    };
    let text = |text: &str| {
        rules
            .check_text(text)
            .map_err(|why| Error::ValueOutOfRange {
                message: why.to_string(),
            })
    };
    let typed = |kind: ValueKind, text: &str| {
        crate::value::types::check_typed(kind, text)
            .map_err(|message| Error::ValueOutOfRange { message })
    };
    for value in binds {
        match value {
            Value::F64(f) => float(*f)?,
            Value::F32(f) => float(f64::from(*f))?,
            Value::Text(t) => text(t)?,
            Value::Typed(kind, t) => typed(*kind, t)?,
            Value::Array(Array::Text(v)) => v.iter().flatten().try_for_each(|t| text(t))?,
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
}

/// Writes SQL for one dialect, numbering placeholders and collecting binds.
#[derive(Debug)]
pub struct SqlWriter {
    dialect: Dialect,
    sql: String,
    placeholders: Vec<(u32, u32)>,
    binds: Vec<Value>,
    qualify: bool,
}

impl SqlWriter {
    /// An empty writer for `dialect`.
    pub fn new(dialect: Dialect) -> Self {
        SqlWriter {
            dialect,
            sql: String::with_capacity(128),
            placeholders: Vec::new(),
            binds: Vec::new(),
            qualify: false,
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

    /// Appends a column: `"name"`, or `"table"."name"` while columns are qualified (in a
    /// query that joins tables, where a bare name could mean either table's column).
    #[inline]
    pub fn column(&mut self, column: &crate::query::ast::ColumnRef) -> &mut Self {
        if self.qualify {
            self.ident(column.table).push(".");
        }
        self.ident(column.name)
    }

    /// Whether [`SqlWriter::column`] qualifies columns from now on (a query with joins:
    /// yes; a subquery, which is its own scope: no); returns the previous setting, to
    /// restore when the scope ends.
    pub fn set_qualify(&mut self, qualify: bool) -> bool {
        std::mem::replace(&mut self.qualify, qualify)
    }

    /// Whether columns are written qualified by their table now.
    pub fn qualifies(&self) -> bool {
        self.qualify
    }

    /// The SQL written so far, for a fragment that binds nothing.
    pub(crate) fn into_sql(self) -> String {
        debug_assert!(self.binds.is_empty());
        self.sql
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
