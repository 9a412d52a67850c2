//! Schemas as data: what the models declare and what a database holds, in one shape, so
//! they can be compared ([`diff`]), turned into DDL ([`crate::sql::ddl`]) and into models again.
//!
//! - [`Table::from_meta`]: a model's table, as `create_table` would make it on a backend.
//! - [`ReadSchema`](crate::migrate::ReadSchema) (in `crate::migrate`, since it runs): a
//!   [`crate::Plan`] that reads a live database's tables (SQLite's
//!   `sqlite_master` and pragmas, PostgreSQL's `pg_catalog`, MySQL's `information_schema`;
//!   the queries live in each dialect module).
//! - [`diff()`]: the [`Change`]s that turn one schema into another, ordered so they can
//!   run one after the other; [`crate::sql::ddl::changes`] renders them per backend.
//! - [`Schema::neutral_from_models`], [`Schema::neutral_from_read`] (`neutral.rs`): the
//!   same in no backend's spelling, so that one diff is rendered for every backend
//!   ([`crate::sql::ddl::port`]).
//!
//! Only what models can express is compared: single-column unique constraints, indexes
//! and foreign keys. Multi-column indexes in a database are reported by `ReadSchema` and
//! left alone by `diff`.

mod diff;
mod names;
mod neutral;

pub(crate) use diff::column_differs;
pub use diff::{Change, DiffOptions, diff};
pub use names::{foreign_key_name, index_name, unique_name};
pub use neutral::neutral_type;

use crate::engine::backend::Dialect;
use crate::error::Result;
use crate::model::ModelMeta;
use crate::model::OnDelete;
use crate::value::ValueKind;

/// A set of tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// The tables, in the order they can be created (parents before children where the
    /// source knew it; [`Schema::from_models`] keeps the models' order).
    pub tables: Vec<Table>,
}

impl Schema {
    /// The tables of `models` as they would be created on `dialect`'s backend.
    pub fn from_models(dialect: Dialect, models: &[&ModelMeta]) -> Result<Schema> {
        let tables = models
            .iter()
            .map(|m| Table::from_meta(dialect, m))
            .collect::<Result<_>>()?;
        Ok(Schema { tables })
    }

    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The tables ordered so that every table comes after the tables it references (a
    /// cycle keeps the remaining order).
    pub fn in_creation_order(&self) -> Vec<&Table> {
        let mut out: Vec<&Table> = Vec::new();
        let mut left: Vec<&Table> = self.tables.iter().collect();
        while !left.is_empty() {
            let ready = left.iter().position(|t| {
                t.foreign_keys.iter().all(|fk| {
                    fk.parent_table == t.name
                        || out.iter().any(|o| o.name == fk.parent_table)
                        || !left.iter().any(|l| l.name == fk.parent_table)
                })
            });
            out.push(left.remove(ready.unwrap_or(0)));
        }
        out
    }
}

/// One table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's name.
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<TableColumn>,
    /// Unique constraints and indexes (the primary key's own index excluded).
    pub indexes: Vec<TableIndex>,
    /// Foreign keys.
    pub foreign_keys: Vec<TableForeignKey>,
}

impl Table {
    /// The table `create_table` makes for `meta` on `dialect`'s backend, with ambidex's
    /// constraint names (`unique_name`, `index_name`, `foreign_key_name`).
    pub fn from_meta(dialect: Dialect, meta: &ModelMeta) -> Result<Table> {
        crate::model::check_foreign_key(meta)?;
        let rules = dialect.rules();
        let columns = meta
            .columns
            .iter()
            .map(|c| TableColumn {
                name: c.name.to_string(),
                kind: Some(c.kind),
                keyed: c.primary_key || c.unique || c.index,
                sql_type: rules
                    .column_type(c.kind, c.primary_key || c.unique || c.index)
                    .to_string(),
                nullable: c.nullable,
                default: c.default.map(|d| {
                    let mut lit = String::new();
                    rules.write_default(&mut lit, d);
                    lit
                }),
                primary_key: c.primary_key,
                auto: c.auto,
            })
            .collect();
        let mut indexes = Vec::new();
        for c in meta.columns.iter().filter(|c| !c.primary_key) {
            if c.unique {
                indexes.push(TableIndex {
                    name: unique_name(meta.table, c.name),
                    columns: vec![c.name.to_string()],
                    unique: true,
                });
            } else if c.index {
                indexes.push(TableIndex {
                    name: index_name(meta.table, c.name),
                    columns: vec![c.name.to_string()],
                    unique: false,
                });
            }
        }
        let foreign_keys = meta
            .columns
            .iter()
            .filter_map(|c| {
                let fk = c.references?;
                let parent = (fk.parent)();
                Some(TableForeignKey {
                    name: foreign_key_name(meta.table, c.name),
                    column: c.name.to_string(),
                    parent_table: parent.table.to_string(),
                    parent_column: parent
                        .columns
                        .iter()
                        .find(|p| p.primary_key)
                        .map_or("id", |p| p.name)
                        .to_string(),
                    on_delete: fk.on_delete,
                })
            })
            .collect();
        Ok(Table {
            name: meta.table.to_string(),
            columns,
            indexes,
            foreign_keys,
        })
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&TableColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The primary-key columns, in order.
    pub fn primary_key(&self) -> impl Iterator<Item = &TableColumn> {
        self.columns.iter().filter(|c| c.primary_key)
    }

    /// The foreign key on column `column`.
    pub fn foreign_key(&self, column: &str) -> Option<&TableForeignKey> {
        self.foreign_keys.iter().find(|f| f.column == column)
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    /// The column's name.
    pub name: String,
    /// The ambidex kind its type holds, if the type is one ambidex maps (`None`: another
    /// type, kept as `sql_type`).
    pub kind: Option<ValueKind>,
    /// Whether the type is the form the dialect uses for indexed columns (MySQL stores
    /// indexed text as `VARCHAR(255)`, other text as `LONGTEXT`).
    pub keyed: bool,
    /// The type as the backend spells it.
    pub sql_type: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The default, as SQL.
    pub default: Option<String>,
    /// Part of the primary key.
    pub primary_key: bool,
    /// Generated by the database (identity, AUTO_INCREMENT, SQLite's rowid).
    pub auto: bool,
}

/// A unique constraint or an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableIndex {
    /// Its name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// Whether it is unique.
    pub unique: bool,
}

/// A single-column foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableForeignKey {
    /// The constraint's name (SQLite keeps none: there it is ambidex's conventional name).
    pub name: String,
    /// The referencing column.
    pub column: String,
    /// The referenced table.
    pub parent_table: String,
    /// The referenced column.
    pub parent_column: String,
    /// What deleting the parent does.
    pub on_delete: OnDelete,
}
