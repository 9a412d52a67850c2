//! SQLite: `?` placeholders, RETURNING, GLOB for case-sensitive matching, 32,766 binds.

use super::{SqlDialect, classify_by_hint, count_value, standard_function};
use crate::engine::tx_options::TxOptions;
use crate::error::{DbFailure, Error, FailureHint, Result};
use crate::query::ast::{AggFunc, DatePart, Func, RowLock};
use crate::sql::writer::SqlWriter;
use crate::value::ValueKind;

/// The name of the Unicode `lower` both engines register on SQLite connections
/// (`crate::sqlite_handle::register_functions`): SQLite's own maps ASCII only.
pub const UNICODE_LOWER: &str = "ambidex_lower";

/// The name of the Unicode `upper` both engines register on SQLite connections.
pub const UNICODE_UPPER: &str = "ambidex_upper";

/// The name of the exact decimal `SUM` both engines register on SQLite connections
/// (decimals are stored as text, which SQLite's own `SUM` adds as doubles).
pub const DECIMAL_SUM: &str = "ambidex_decimal_sum";

/// The SQLite dialect (3.35 or later, for RETURNING; the bundled library is newer).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

/// Translates an ambidex LIKE pattern into a GLOB pattern, which SQLite matches
/// case-sensitively (its LIKE folds ASCII case).
fn like_to_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => out.push('*'),
            '_' => out.push('?'),
            '\\' => match chars.next() {
                Some(lit) => push_glob_literal(&mut out, lit),
                None => push_glob_literal(&mut out, '\\'),
            },
            lit => push_glob_literal(&mut out, lit),
        }
    }
    out
}

fn push_glob_literal(out: &mut String, c: char) {
    if matches!(c, '*' | '?' | '[') {
        out.push('[');
        out.push(c);
        out.push(']');
    } else {
        out.push(c);
    }
}

/// The `table.column` list SQLite puts after "constraint failed: ".
fn after_colon(message: &str) -> Option<String> {
    message
        .split_once("failed: ")
        .map(|(_, rest)| rest.trim().to_string())
}

impl SqlDialect for Sqlite {
    fn name(&self) -> &'static str {
        "SQLite"
    }

    fn write_placeholder(&self, out: &mut String, _n: usize) {
        out.push('?');
    }

    fn max_bind_params(&self) -> usize {
        32_766
    }

    /// A decimal's column type carries its collation, which `CAST` does not take.
    fn cast_type(&self, kind: ValueKind) -> &'static str {
        match kind {
            ValueKind::Decimal => "TEXT",
            other => self.column_type(other, false),
        }
    }

    fn column_type(&self, kind: ValueKind, _keyed: bool) -> &'static str {
        match kind {
            ValueKind::Bool => "BOOLEAN",
            ValueKind::I16 | ValueKind::I32 | ValueKind::I64 => "INTEGER",
            ValueKind::F32 | ValueKind::F64 => "REAL",
            ValueKind::Text => "TEXT",
            ValueKind::Blob => "BLOB",
            // ISO-8601 text, canonical UUID text, JSON text.
            ValueKind::Date
            | ValueKind::DateTime
            | ValueKind::Timestamp
            | ValueKind::Time
            | ValueKind::Uuid
            | ValueKind::Json => "TEXT",
            // Exact decimal text, ordered numerically by the collation both engines
            // register on every connection (`types::decimal_text_order`).
            ValueKind::Decimal => "TEXT COLLATE ambidex_decimal",
        }
    }

    fn write_auto_key(&self, w: &mut SqlWriter, name: &str, _kind: ValueKind) {
        // Exactly "INTEGER PRIMARY KEY" makes the column the rowid: generated, and the
        // fastest key SQLite has.
        w.ident(name).push(" INTEGER PRIMARY KEY");
    }

    fn alter_form(&self) -> crate::sql::ddl::AlterForm {
        crate::sql::ddl::AlterForm::Rebuild
    }

    fn introspection(&self) -> super::Introspection {
        super::Introspection {
            tables: "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' ORDER BY name",
            // An INTEGER PRIMARY KEY alone is the rowid: generated.
            columns: "SELECT name, type, CASE WHEN \"notnull\" = 0 THEN 1 ELSE 0 END, \
                      dflt_value, pk, CASE WHEN pk = 1 AND upper(type) = 'INTEGER' AND \
                      (SELECT COUNT(*) FROM pragma_table_info(?) WHERE pk > 0) = 1 \
                      THEN 1 ELSE 0 END FROM pragma_table_info(?) ORDER BY cid",
            columns_binds: 2,
            indexes: "SELECT il.name, ii.name, il.\"unique\", ii.seqno \
                      FROM pragma_index_list(?) AS il, pragma_index_info(il.name) AS ii \
                      WHERE il.origin <> 'pk' ORDER BY il.name, ii.seqno",
            foreign_keys: "SELECT NULL, \"from\", \"table\", \"to\", on_delete \
                           FROM pragma_foreign_key_list(?) ORDER BY id, seq",
            table_binds: 1,
        }
    }

    fn kind_of_type(&self, db_type: &str) -> Option<(ValueKind, bool)> {
        // SQLite's type affinity rules, in its own order.
        let t = db_type.to_ascii_uppercase();
        let kind = if t.contains("BOOL") {
            ValueKind::Bool
        } else if t.contains("INT") {
            ValueKind::I64
        } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
            ValueKind::Text
        } else if t.contains("BLOB") || t.is_empty() {
            ValueKind::Blob
        } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
            ValueKind::F64
        } else {
            return None;
        };
        Some((kind, false))
    }

    fn table_exists_query(&self) -> &'static str {
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
    }

    fn supports_returning(&self) -> bool {
        true
    }

    /// SQLite locks the whole database, not rows: see `crate::sql::render::write_lock`.
    fn lock_clause(&self, _lock: RowLock) -> Option<&'static str> {
        None
    }

    fn supports_on_conflict(&self) -> bool {
        true
    }

    /// SQLite's own `lower`/`upper` map ASCII only, so ambidex registers Unicode ones on
    /// each of its connections (`crate::sqlite_handle::register_functions`); its `LENGTH`
    /// counts characters of a text.
    fn function(&self, func: Func) -> Option<&'static str> {
        match func {
            Func::Lower => Some(UNICODE_LOWER),
            Func::Upper => Some(UNICODE_UPPER),
            Func::Length => Some("LENGTH"),
            other => standard_function(other),
        }
    }

    /// Dates and times are stored as canonical text (`2024-02-29 23:59:59.999999`, UTC for
    /// an instant), which `strftime` and `date` read.
    fn aggregate(&self, func: AggFunc, cast: Option<ValueKind>) -> &'static str {
        match (func, cast) {
            (AggFunc::Sum, Some(ValueKind::Decimal)) => DECIMAL_SUM,
            _ => func.sql(),
        }
    }

    fn date_part(&self, part: DatePart, _kind: ValueKind) -> (&'static str, &'static str) {
        match part {
            DatePart::Year => ("CAST(strftime('%Y', ", ") AS INTEGER)"),
            DatePart::Month => ("CAST(strftime('%m', ", ") AS INTEGER)"),
            DatePart::Day => ("CAST(strftime('%d', ", ") AS INTEGER)"),
            DatePart::Date => ("date(", ")"),
        }
    }

    fn write_like(&self, w: &mut SqlWriter, column: &str, pattern: &str, case_insensitive: bool) {
        w.push(column);
        if case_insensitive {
            w.push(" LIKE ")
                .bind(crate::value::Value::Text(pattern.to_string()))
                .push(" ESCAPE '\\'");
        } else {
            w.push(" GLOB ")
                .bind(crate::value::Value::Text(like_to_glob(pattern)));
        }
    }

    fn write_limit_offset(&self, w: &mut SqlWriter, limit: Option<u64>, offset: Option<u64>) {
        w.push(" LIMIT ");
        match limit {
            Some(n) => w.bind(count_value(n)),
            None => w.push("-1"),
        };
        if let Some(n) = offset {
            w.push(" OFFSET ").bind(count_value(n));
        }
    }

    fn begin_with(&self, options: &TxOptions) -> Result<(Option<String>, String)> {
        // Every SQLite transaction is serializable: any level is met (or exceeded).
        if options.is_read_only() {
            return Err(Error::InvalidQuery(
                "SQLite has no read-only transactions; drop `read_only()` for SQLite (its \
                 transactions are serializable whatever the level asked for)"
                    .into(),
            ));
        }
        Ok((None, self.begin().to_string()))
    }

    fn begin(&self) -> &'static str {
        // Take the write lock up front: a deferred transaction that later writes can fail
        // with SQLITE_BUSY at once, without waiting for the busy timeout.
        "BEGIN IMMEDIATE"
    }

    fn migration_foreign_keys(&self) -> Option<(&'static str, &'static str)> {
        // SQLite's procedure for changes ALTER TABLE cannot make
        // (https://sqlite.org/lang_altertable.html#otheralter): off outside the
        // transaction, checked before COMMIT, back on after. ON is what
        // `connection_setup` gives every connection.
        Some(("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"))
    }

    fn foreign_key_check(&self) -> Option<&'static str> {
        Some("SELECT \"table\", rowid, \"parent\" FROM pragma_foreign_key_check")
    }

    fn is_no_transaction(&self, error: &Error) -> bool {
        error.to_string().contains("no transaction is active")
    }

    fn check_float(&self, value: f64) -> Result<(), &'static str> {
        if value.is_nan() {
            Err("SQLite stores NaN as NULL")
        } else {
            Ok(())
        }
    }

    fn connection_setup(&self) -> &'static [&'static str] {
        // The busy timeout comes first: it makes a second writer wait instead of failing at
        // once, and switching a new file to WAL takes a lock that another connection
        // opening the same file at that moment may hold. WAL lets readers run beside a
        // writer; foreign keys are off in SQLite unless asked for.
        &[
            "PRAGMA busy_timeout = 5000",
            "PRAGMA journal_mode = WAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA synchronous = NORMAL",
        ]
    }

    fn statement_timeout_setup(&self, timeout: std::time::Duration) -> String {
        // SQLite has no statement time limit; what makes a statement wait is another
        // connection's lock, so the timeout replaces the setup's 5-second busy timeout.
        format!("PRAGMA busy_timeout = {}", super::timeout_millis(timeout))
    }

    fn classify(&self, f: DbFailure) -> Error {
        let m = f.message.as_str();
        let code = f.code.as_deref();
        if m.starts_with("UNIQUE constraint failed") || matches!(code, Some("2067" | "1555")) {
            let constraint = after_colon(m).unwrap_or_else(|| super::constraint_or_unknown(&f));
            return Error::UniqueViolation {
                constraint,
                message: f.message,
            };
        }
        if m.starts_with("FOREIGN KEY constraint failed") || code == Some("787") {
            return Error::ForeignKeyViolation {
                constraint: super::constraint_or_unknown(&f),
                message: f.message,
            };
        }
        if m.starts_with("NOT NULL constraint failed") || code == Some("1299") {
            let column = after_colon(m).unwrap_or_else(|| super::constraint_or_unknown(&f));
            return Error::NotNullViolation {
                column,
                message: f.message,
            };
        }
        if m.starts_with("CHECK constraint failed") || code == Some("275") {
            let constraint = after_colon(m).unwrap_or_else(|| super::constraint_or_unknown(&f));
            return Error::CheckViolation {
                constraint,
                message: f.message,
            };
        }
        // With double-quoted strings turned off (`sqlite_handle`), a name that is no
        // column is always this error, never a string.
        let missing = m
            .split_once("no such column: ")
            .or_else(|| m.split_once("has no column named "));
        if let Some((_, rest)) = missing {
            // `real`, `t.real`, or `"real" - should this be a string literal ...?`
            let column = match rest.strip_prefix('"') {
                Some(quoted) => quoted.split_once('"').map_or(quoted, |(c, _)| c),
                None => rest.split_whitespace().next().unwrap_or(rest),
            };
            let column = column.to_string();
            return Error::schema_drift(&column, f.message);
        }
        if m.contains("database is locked")
            || m.contains("database table is locked")
            || matches!(code, Some("5" | "6" | "261" | "262" | "517"))
        {
            return Error::Conflict { message: f.message };
        }
        if f.hint != FailureHint::Unknown {
            return classify_by_hint(f);
        }
        Error::Database {
            code: f.code,
            message: f.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_translation_keeps_literals_literal() {
        assert_eq!(like_to_glob("a%b_c"), "a*b?c");
        assert_eq!(like_to_glob("50\\%*?["), "50%[*][?][[]");
        assert_eq!(like_to_glob("x\\"), "x\\");
    }

    #[test]
    fn messages_become_variants() {
        let f = |m: &str| DbFailure {
            message: m.into(),
            ..Default::default()
        };
        assert!(matches!(
            Sqlite.classify(f("UNIQUE constraint failed: users.email")),
            Error::UniqueViolation { ref constraint, .. } if constraint == "users.email"
        ));
        assert!(matches!(
            Sqlite.classify(f("NOT NULL constraint failed: t.c")),
            Error::NotNullViolation { ref column, .. } if column == "t.c"
        ));
        assert!(matches!(
            Sqlite.classify(f("database is locked")),
            Error::Conflict { .. }
        ));
    }
}
