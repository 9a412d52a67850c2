//! Tables from models: CREATE TABLE with keys, unique constraints and indexes, DROP TABLE.
//!
//! Constraint names follow one convention on every backend (`{table}_{column}_key` for
//! unique constraints, `ix_{table}_{column}` for indexes), so an error names the same
//! constraint whichever backend reports it.

use crate::dialect::Dialect;
use crate::error::Result;
use crate::model::ModelMeta;
use crate::statement::{SqlWriter, Statement};

/// The name of the unique constraint on `table.column`.
pub fn unique_name(table: &str, column: &str) -> String {
    format!("{table}_{column}_key")
}

/// The name of the index on `table.column`.
pub fn index_name(table: &str, column: &str) -> String {
    format!("ix_{table}_{column}")
}

/// The name of the foreign key on `table.column`.
pub fn foreign_key_name(table: &str, column: &str) -> String {
    format!("fk_{table}_{column}")
}

/// The statements that create `meta`'s table and indexes if they do not exist. A table
/// with foreign keys needs its parents' tables to exist first.
pub fn create_table(dialect: Dialect, meta: &ModelMeta) -> Result<Vec<Statement>> {
    crate::relation::check_foreign_key(meta)?;
    let rules = dialect.rules();
    let mut w = SqlWriter::new(dialect);
    w.push("CREATE TABLE IF NOT EXISTS ")
        .ident(meta.table)
        .push(" (");
    for (i, c) in meta.columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        if c.auto {
            rules.write_auto_key(&mut w, c.name, c.kind);
            continue;
        }
        let keyed = c.primary_key || c.unique || c.index;
        w.ident(c.name)
            .push(" ")
            .push(rules.column_type(c.kind, keyed));
        if !c.nullable {
            w.push(" NOT NULL");
        }
        if let Some(d) = c.default {
            let mut lit = String::new();
            rules.write_default(&mut lit, d);
            w.push(" DEFAULT ").push(&lit);
        }
    }
    if meta.auto_key().is_none() {
        w.push(", PRIMARY KEY (");
        for (i, k) in meta.key_columns().enumerate() {
            w.push(if i == 0 { "" } else { ", " }).ident(k.name);
        }
        w.push(")");
    }
    for c in meta.columns {
        if let Some(fk) = c.references {
            let parent = (fk.parent)();
            w.push(", CONSTRAINT ")
                .ident(&foreign_key_name(meta.table, c.name));
            w.push(" FOREIGN KEY (").ident(c.name).push(") REFERENCES ");
            w.ident(parent.table)
                .push(" (")
                .ident(parent.single_key()?.name)
                .push(") ON DELETE ")
                .push(fk.on_delete.sql());
        }
    }
    for c in meta.columns.iter().filter(|c| c.unique && !c.primary_key) {
        w.push(", CONSTRAINT ")
            .ident(&unique_name(meta.table, c.name));
        w.push(" UNIQUE (").ident(c.name).push(")");
    }
    let indexed = meta
        .columns
        .iter()
        .filter(|c| c.index && !c.unique && !c.primary_key);
    if rules.indexes_inline() {
        for c in indexed.clone() {
            w.push(", INDEX ").ident(&index_name(meta.table, c.name));
            w.push(" (").ident(c.name).push(")");
        }
    }
    w.push(")").push(rules.table_options());
    let mut out = vec![w.finish()?];
    if !rules.indexes_inline() {
        for c in indexed {
            let mut w = SqlWriter::new(dialect);
            w.push("CREATE INDEX IF NOT EXISTS ")
                .ident(&index_name(meta.table, c.name));
            w.push(" ON ")
                .ident(meta.table)
                .push(" (")
                .ident(c.name)
                .push(")");
            out.push(w.finish()?);
        }
    }
    Ok(out)
}

/// The statement that drops `meta`'s table if it exists.
pub fn drop_table(dialect: Dialect, meta: &ModelMeta) -> Result<Statement> {
    let mut w = SqlWriter::new(dialect);
    w.push("DROP TABLE IF EXISTS ").ident(meta.table);
    w.finish()
}
