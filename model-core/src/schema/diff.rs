//! Comparing two schemas: the changes that turn one into the other.

use super::{Schema, Table, TableColumn, TableForeignKey, TableIndex};
use crate::error::{Error, Result};
use crate::value::ValueKind;

/// One step of a schema change. [`crate::sql::ddl::changes`] renders it for a backend.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Create a table (with its constraints and indexes).
    CreateTable(Table),
    /// Drop a table (destructive).
    DropTable(Table),
    /// Add a column.
    AddColumn {
        /// The table.
        table: String,
        /// The new column.
        column: TableColumn,
    },
    /// Drop a column (destructive).
    DropColumn {
        /// The table.
        table: String,
        /// The column as it was.
        column: TableColumn,
    },
    /// Rename a column (only when told: see [`DiffOptions::rename`]).
    RenameColumn {
        /// The table.
        table: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Change a column's type, nullability or default.
    AlterColumn {
        /// The table.
        table: String,
        /// The column as it is.
        from: TableColumn,
        /// The column as it will be.
        to: TableColumn,
    },
    /// Create a unique constraint or an index.
    CreateIndex {
        /// The table.
        table: String,
        /// The index.
        index: TableIndex,
    },
    /// Drop a unique constraint or an index.
    DropIndex {
        /// The table.
        table: String,
        /// The index.
        index: TableIndex,
    },
    /// Add a foreign key.
    AddForeignKey {
        /// The table.
        table: String,
        /// The foreign key.
        foreign_key: TableForeignKey,
    },
    /// Drop a foreign key.
    DropForeignKey {
        /// The table.
        table: String,
        /// The foreign key.
        foreign_key: TableForeignKey,
    },
}

impl Change {
    /// The table it changes.
    pub fn table(&self) -> &str {
        match self {
            Change::CreateTable(t) | Change::DropTable(t) => &t.name,
            Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::CreateIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. } => table,
        }
    }

    /// Whether it loses data: dropping a table or a column.
    pub fn is_destructive(&self) -> bool {
        matches!(self, Change::DropTable(_) | Change::DropColumn { .. })
    }

    /// A one-line description, for a migration's header and the command line.
    pub fn describe(&self) -> String {
        match self {
            Change::CreateTable(t) => format!("create table {}", t.name),
            Change::DropTable(t) => format!("drop table {}", t.name),
            Change::AddColumn { table, column } => format!("add column {table}.{}", column.name),
            Change::DropColumn { table, column } => {
                format!("drop column {table}.{}", column.name)
            }
            Change::RenameColumn { table, from, to } => {
                format!("rename column {table}.{from} to {to}")
            }
            Change::AlterColumn { table, from, to } => {
                let mut what = Vec::new();
                if from.sql_type != to.sql_type || from.kind != to.kind {
                    what.push(format!("type {} -> {}", from.sql_type, to.sql_type));
                }
                if from.nullable != to.nullable {
                    what.push(if to.nullable { "nullable" } else { "NOT NULL" }.to_string());
                }
                if from.default != to.default {
                    what.push(format!(
                        "default {}",
                        to.default.as_deref().unwrap_or("(none)")
                    ));
                }
                format!("alter column {table}.{} ({})", to.name, what.join(", "))
            }
            Change::CreateIndex { table, index } => format!(
                "create {} {} on {table} ({})",
                if index.unique { "unique" } else { "index" },
                index.name,
                index.columns.join(", ")
            ),
            Change::DropIndex { table, index } => format!(
                "drop {} {} on {table}",
                if index.unique { "unique" } else { "index" },
                index.name
            ),
            Change::AddForeignKey {
                table,
                foreign_key: f,
            } => format!(
                "add foreign key {table}.{} -> {}.{}",
                f.column, f.parent_table, f.parent_column
            ),
            Change::DropForeignKey {
                table,
                foreign_key: f,
            } => {
                format!("drop foreign key {table}.{}", f.column)
            }
        }
    }
}

/// What [`diff()`] cannot guess.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    renames: Vec<(String, String, String)>,
}

impl DiffOptions {
    /// No renames.
    pub fn new() -> Self {
        DiffOptions::default()
    }

    /// TableColumn `from` of `table` is now named `to` (without this, the change is a drop and
    /// an add).
    pub fn rename(mut self, table: &str, from: &str, to: &str) -> Self {
        self.renames
            .push((table.to_string(), from.to_string(), to.to_string()));
        self
    }

    /// The name column `column` of `table` has after the renames.
    pub fn new_name(&self, table: &str, column: &str) -> String {
        self.renames
            .iter()
            .find(|(t, a, _)| t == table && a == column)
            .map_or_else(|| column.to_string(), |(_, _, b)| b.clone())
    }

    /// The same renames, the other way round (for the down step).
    pub fn reversed(&self) -> DiffOptions {
        DiffOptions {
            renames: self
                .renames
                .iter()
                .map(|(t, a, b)| (t.clone(), b.clone(), a.clone()))
                .collect(),
        }
    }
}

/// The changes that turn `from` into `to`, in an order that can run: foreign keys and
/// indexes dropped first, then renames, new tables (parents first), added and altered
/// columns, new indexes and foreign keys, and last the destructive drops of columns and
/// tables (children first). A changed primary key is refused with [`Error::Migration`]:
/// write that migration by hand.
pub fn diff(from: &Schema, to: &Schema, options: &DiffOptions) -> Result<Vec<Change>> {
    let mut drop_fks = Vec::new();
    let mut drop_indexes = Vec::new();
    let mut renames = Vec::new();
    let mut creates = Vec::new();
    let mut adds = Vec::new();
    let mut alters = Vec::new();
    let mut create_indexes = Vec::new();
    let mut add_fks = Vec::new();
    let mut drop_columns = Vec::new();
    let mut drop_tables = Vec::new();

    for table in to.in_creation_order() {
        let Some(old) = from.table(&table.name) else {
            creates.push(Change::CreateTable(table.clone()));
            continue;
        };
        let name = table.name.clone();
        // The old name of each new column, after renames.
        let old_name = |new: &str| -> String {
            options
                .renames
                .iter()
                .find(|(t, _, b)| *t == name && b == new)
                .map_or_else(|| new.to_string(), |(_, a, _)| a.clone())
        };
        for (t, a, b) in &options.renames {
            if *t == name {
                if old.column(a).is_none() {
                    return Err(Error::Migration(
                        format!("cannot rename {t}.{a}: the database has no such column").into(),
                    ));
                }
                renames.push(Change::RenameColumn {
                    table: name.clone(),
                    from: a.clone(),
                    to: b.clone(),
                });
            }
        }
        for column in &table.columns {
            match old.column(&old_name(&column.name)) {
                None => adds.push(Change::AddColumn {
                    table: name.clone(),
                    column: column.clone(),
                }),
                Some(before) => {
                    if before.primary_key != column.primary_key {
                        return Err(Error::Migration(
                            format!(
                                "the primary key of `{name}` changed ({}); ambidex does not \
                                 write that migration: write it by hand (`ambidex migrate \
                                 new`)",
                                column.name
                            )
                            .into(),
                        ));
                    }
                    let mut before = before.clone();
                    before.name = column.name.clone();
                    if column_differs(&before, column) {
                        alters.push(Change::AlterColumn {
                            table: name.clone(),
                            from: before,
                            to: column.clone(),
                        });
                    }
                }
            }
        }
        for column in &old.columns {
            let renamed = options
                .renames
                .iter()
                .any(|(t, a, _)| *t == name && *a == column.name);
            if !renamed && table.column(&column.name).is_none() {
                drop_columns.push(Change::DropColumn {
                    table: name.clone(),
                    column: column.clone(),
                });
            }
        }
        // Indexes and foreign keys of the old table, with renamed columns' new names.
        let new_name = |old_column: &str| options.new_name(&name, old_column);
        let old_indexes: Vec<TableIndex> = old
            .indexes
            .iter()
            .map(|i| TableIndex {
                columns: i.columns.iter().map(|c| new_name(c)).collect(),
                ..i.clone()
            })
            .collect();
        for index in &table.indexes {
            let same = |i: &TableIndex| i.columns == index.columns && i.unique == index.unique;
            if !old_indexes.iter().any(same) {
                create_indexes.push(Change::CreateIndex {
                    table: name.clone(),
                    index: index.clone(),
                });
            }
        }
        for (index, original) in old_indexes.iter().zip(&old.indexes) {
            let kept = table
                .indexes
                .iter()
                .any(|i| i.columns == index.columns && i.unique == index.unique);
            let dropped_with_column = index.columns.iter().any(|c| table.column(c).is_none());
            if !kept && index.columns.len() == 1 && !dropped_with_column {
                drop_indexes.push(Change::DropIndex {
                    table: name.clone(),
                    index: original.clone(),
                });
            }
        }
        for fk in &table.foreign_keys {
            let same = |f: &TableForeignKey| {
                new_name(&f.column) == fk.column
                    && f.parent_table == fk.parent_table
                    && f.parent_column == fk.parent_column
                    && f.on_delete == fk.on_delete
            };
            if !old.foreign_keys.iter().any(same) {
                add_fks.push(Change::AddForeignKey {
                    table: name.clone(),
                    foreign_key: fk.clone(),
                });
            }
        }
        for f in &old.foreign_keys {
            let kept = table.foreign_keys.iter().any(|fk| {
                new_name(&f.column) == fk.column
                    && f.parent_table == fk.parent_table
                    && f.parent_column == fk.parent_column
                    && f.on_delete == fk.on_delete
            });
            if !kept {
                drop_fks.push(Change::DropForeignKey {
                    table: name.clone(),
                    foreign_key: f.clone(),
                });
            }
        }
    }
    for table in from.in_creation_order().into_iter().rev() {
        if to.table(&table.name).is_none() {
            drop_tables.push(Change::DropTable(table.clone()));
        }
    }
    let mut out = drop_fks;
    for group in [
        drop_indexes,
        renames,
        creates,
        adds,
        alters,
        create_indexes,
        add_fks,
        drop_columns,
        drop_tables,
    ] {
        out.extend(group);
    }
    Ok(out)
}

/// Whether the column's type, nullability or default differ.
pub(crate) fn column_differs(a: &TableColumn, b: &TableColumn) -> bool {
    // Both sides spell known kinds as the dialect creates them (`ReadSchema` does so for
    // what it reads), so equal text is an equal type.
    let same_type = normalize_type(&a.sql_type) == normalize_type(&b.sql_type);
    let kind = b.kind.or(a.kind);
    !same_type
        || a.nullable != b.nullable
        || canonical_default(kind, a.default.as_deref())
            != canonical_default(kind, b.default.as_deref())
}

/// The type without a collation: SQLite reports a column's declared type without its
/// `COLLATE` clause (decimal columns are `TEXT COLLATE ambidex_decimal`), so the clause
/// is no part of the comparison on any backend.
pub(super) fn normalize_type(t: &str) -> String {
    let t = t.trim().to_ascii_lowercase();
    match t.find(" collate ") {
        Some(at) => t[..at].trim_end().to_string(),
        None => t,
    }
}

/// A default expression in a form that compares equal across how backends report it:
/// `'a'::text` and `'a'` are the same, as are `TRUE`, `true` and `1` for a boolean.
pub(crate) fn canonical_default(kind: Option<ValueKind>, text: Option<&str>) -> Option<String> {
    let mut t = text?.trim();
    while t.starts_with('(') && t.ends_with(')') {
        t = t[1..t.len() - 1].trim();
    }
    if t.eq_ignore_ascii_case("null") {
        return None;
    }
    // PostgreSQL reports `'x'::text`, `0::bigint`: drop the cast.
    if let Some((value, _cast)) = split_cast(t) {
        t = value.trim();
    }
    let unquoted = match t.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => t.to_ascii_lowercase(),
    };
    Some(match kind {
        Some(ValueKind::Bool) => match unquoted.as_str() {
            "true" | "1" | "t" => "1".to_string(),
            "false" | "0" | "f" => "0".to_string(),
            other => other.to_string(),
        },
        Some(
            ValueKind::I16 | ValueKind::I32 | ValueKind::I64 | ValueKind::F32 | ValueKind::F64,
        ) => match unquoted.parse::<f64>() {
            Ok(n) => format!("{n}"),
            Err(_) => unquoted,
        },
        _ => unquoted,
    })
}

/// `value::type` outside quotes, split at the last `::`.
pub(super) fn split_cast(t: &str) -> Option<(&str, &str)> {
    let mut in_quote = false;
    let mut last = None;
    let bytes = t.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_quote = !in_quote,
            b':' if !in_quote && bytes.get(i + 1) == Some(&b':') => {
                last = Some(i);
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    last.map(|i| (&t[..i], &t[i + 2..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_compare_as_backends_report_them() {
        let b = Some(ValueKind::Bool);
        assert_eq!(canonical_default(b, Some("TRUE")), Some("1".into()));
        assert_eq!(canonical_default(b, Some("1")), Some("1".into()));
        let t = Some(ValueKind::Text);
        assert_eq!(
            canonical_default(t, Some("'it''s'::text")),
            canonical_default(t, Some("'it''s'"))
        );
        let i = Some(ValueKind::I64);
        assert_eq!(canonical_default(i, Some("(0)")), Some("0".into()));
        assert_eq!(canonical_default(i, Some("NULL")), None);
    }
}
