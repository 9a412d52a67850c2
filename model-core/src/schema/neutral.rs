//! Schemas in no backend's spelling, so that one diff serves every backend: one
//! migrations folder for SQLite in development and PostgreSQL or MariaDB in production.
//!
//! A backend-spelled [`Schema`] (what `ReadSchema` reads, what [`Schema::from_models`]
//! declares for a dialect) names each column's type as that backend does, and a type
//! change on one backend may be no change on another (`INTEGER` is `i32` and `i64` on
//! SQLite). A *neutral* schema names a column by its ambidex kind instead
//! ([`neutral_type`]: `ambidex:i64`, `ambidex:String (keyed)`), and writes defaults as
//! standard SQL literals (`'text'`, `42`, `TRUE`). [`crate::schema::diff()`] of two
//! neutral schemas gives neutral [`Change`](crate::schema::Change)s, which
//! `crate::sql::ddl::port` renders for each backend.
//!
//! The models give the exact kinds ([`Schema::neutral_from_models`]). A database read
//! gives them only where its type names one kind: [`Schema::neutral_from_read`] takes a
//! read column's kind from the model's column when the backend spells both alike (so an
//! unchanged `i32` column read from SQLite's `INTEGER` is `i32`), from the type itself
//! when that type names one kind on its backend (PostgreSQL's `INTEGER`, SQLite's
//! `BOOLEAN`), and otherwise leaves it unknown (`kind: None`, the type as read), which a
//! backend other than the one read refuses to create (see `crate::sql::ddl::port`).

use super::diff::{normalize_type, split_cast};
use super::{DiffOptions, Schema, TableColumn};
use crate::engine::backend::Dialect;
use crate::error::Result;
use crate::model::ModelMeta;
use crate::value::ValueKind;

/// The neutral name of a column of `kind`: `ambidex:` and the Rust type, with ` (keyed)`
/// when the column is indexed and some backend types indexed columns of this kind
/// otherwise (MySQL's `VARCHAR(255)` against `LONGTEXT`).
pub fn neutral_type(kind: ValueKind, keyed: bool) -> String {
    let keyed_differs = Dialect::ALL
        .iter()
        .any(|d| d.rules().column_type(kind, true) != d.rules().column_type(kind, false));
    let suffix = if keyed && keyed_differs {
        " (keyed)"
    } else {
        ""
    };
    format!("ambidex:{}{suffix}", kind.rust_name())
}

/// Whether `kind` is the only kind `dialect` stores in its column type, so a type read
/// back names it (SQLite's `INTEGER` holds `i16`, `i32` and `i64`; PostgreSQL's does not).
fn names_one_kind(dialect: Dialect, kind: ValueKind, keyed: bool) -> bool {
    let rules = dialect.rules();
    let spelled = normalize_type(rules.column_type(kind, keyed));
    ValueKind::ALL
        .iter()
        .filter(|k| normalize_type(rules.column_type(**k, keyed)) == spelled)
        .count()
        == 1
}

/// A default as a standard SQL literal: without PostgreSQL's cast (`'a'::text`), booleans
/// as `TRUE`/`FALSE` (MySQL reports `1`).
fn standard_default(kind: Option<ValueKind>, text: &str) -> String {
    let mut t = text.trim();
    while t.starts_with('(') && t.ends_with(')') {
        t = t[1..t.len() - 1].trim();
    }
    if let Some((value, _cast)) = split_cast(t) {
        t = value.trim();
    }
    if kind == Some(ValueKind::Bool) {
        match t.trim_matches('\'').to_ascii_lowercase().as_str() {
            "1" | "true" | "t" => return "TRUE".into(),
            "0" | "false" | "f" => return "FALSE".into(),
            _ => {}
        }
    }
    t.to_string()
}

impl Schema {
    /// The tables of `models` in neutral form: every column named by its kind
    /// ([`neutral_type`]), defaults as standard SQL literals.
    pub fn neutral_from_models(models: &[&ModelMeta]) -> Result<Schema> {
        // SQLite writes defaults as the standard literals (MySQL alone escapes `\`).
        let mut schema = Schema::from_models(Dialect::Sqlite, models)?;
        for column in schema.tables.iter_mut().flat_map(|t| &mut t.columns) {
            if let Some(kind) = column.kind {
                column.sql_type = neutral_type(kind, column.keyed);
            }
        }
        Ok(schema)
    }

    /// A schema `read` from a `dialect` database in neutral form, with the exact kinds
    /// the `models` give where the database cannot tell them (see the module docs);
    /// `renames` says which model column a read column became. A column whose kind stays
    /// unknown keeps its type as read and `kind: None`.
    pub fn neutral_from_read(
        read: &Schema,
        dialect: Dialect,
        models: &[&ModelMeta],
        renames: &DiffOptions,
    ) -> Result<Schema> {
        let declared = Schema::from_models(dialect, models)?;
        let mut out = read.clone();
        for table in &mut out.tables {
            let model = declared.table(&table.name);
            let indexed: Vec<String> = table
                .indexes
                .iter()
                .filter(|i| i.columns.len() == 1)
                .map(|i| i.columns[0].clone())
                .collect();
            for column in &mut table.columns {
                let new_name = renames.new_name(&table.name, &column.name);
                let declared_column = model.and_then(|m| m.column(&new_name));
                let kind = match declared_column {
                    Some(m) if normalize_type(&m.sql_type) == normalize_type(&column.sql_type) => {
                        m.kind
                    }
                    _ => column
                        .kind
                        .filter(|k| names_one_kind(dialect, *k, column.keyed)),
                };
                neutralize(column, kind, indexed.contains(&column.name));
            }
        }
        Ok(out)
    }
}

/// Rewrites one read column in neutral form, with `kind` the kind it is known to hold.
fn neutralize(column: &mut TableColumn, kind: Option<ValueKind>, indexed: bool) {
    column.kind = kind;
    column.keyed = column.keyed || column.primary_key || indexed;
    if let Some(kind) = kind {
        column.sql_type = neutral_type(kind, column.keyed);
    }
    column.default = column.default.as_deref().map(|d| standard_default(kind, d));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_names_one_kind_only_where_the_backend_tells_them_apart() {
        assert!(!names_one_kind(Dialect::Sqlite, ValueKind::I32, false));
        assert!(!names_one_kind(Dialect::Sqlite, ValueKind::Decimal, false));
        assert!(names_one_kind(Dialect::Sqlite, ValueKind::Bool, false));
        assert!(names_one_kind(Dialect::Postgres, ValueKind::I32, false));
        assert!(names_one_kind(Dialect::Postgres, ValueKind::Uuid, false));
        assert!(!names_one_kind(Dialect::Mysql, ValueKind::Timestamp, false));
    }

    #[test]
    fn neutral_names_keep_what_some_backend_spells_differently() {
        assert_eq!(
            neutral_type(ValueKind::Text, true),
            "ambidex:String (keyed)"
        );
        assert_eq!(neutral_type(ValueKind::I64, true), "ambidex:i64");
        assert_eq!(neutral_type(ValueKind::Decimal, false), "ambidex:Decimal");
    }

    #[test]
    fn defaults_become_standard_literals() {
        let b = Some(ValueKind::Bool);
        assert_eq!(standard_default(b, "1"), "TRUE");
        assert_eq!(standard_default(b, "false"), "FALSE");
        let t = Some(ValueKind::Text);
        assert_eq!(standard_default(t, "'it''s'::text"), "'it''s'");
        assert_eq!(standard_default(Some(ValueKind::I64), "(0)"), "0");
    }
}
