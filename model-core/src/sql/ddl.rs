//! Tables from models: CREATE TABLE with keys, unique constraints and indexes, DROP TABLE;
//! and the statements that carry out a schema [`Change`] (migrations).
//!
//! Constraint names follow one convention on every backend (`{table}_{column}_key` for
//! unique constraints, `ix_{table}_{column}` for indexes), so an error names the same
//! constraint whichever backend reports it.
//!
//! How a backend alters a table is its dialect's [`AlterForm`]: PostgreSQL alters each
//! property of a column separately, MySQL restates the column (`MODIFY COLUMN`), and
//! SQLite, whose ALTER TABLE can only add and rename columns, rebuilds the table (create
//! the new shape, copy the rows, drop the old, rename), the recipe of SQLite's own
//! documentation.
//!
//! [`port`] writes neutral changes (one diff for every backend, `crate::schema`'s neutral
//! form) for one backend.

use crate::engine::statement::Statement;
use crate::error::{Error, Result};
use crate::model::ModelMeta;
use crate::schema::{Change, Schema, Table, TableColumn, TableIndex};
use crate::sql::dialect::Dialect;
use crate::sql::writer::SqlWriter;

pub use crate::schema::{foreign_key_name, index_name, unique_name};

pub mod port;

/// A column's type is the dialect's name for its kind (or the type read from the
/// database, for an introspected column).
impl TableColumn {
    /// The type this column is created with on `dialect`'s backend.
    pub fn type_sql(&self, dialect: Dialect) -> String {
        match self.kind {
            Some(kind) => dialect.rules().column_type(kind, self.keyed).to_string(),
            None => self.sql_type.clone(),
        }
    }
}

/// How a backend changes an existing column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlterForm {
    /// `ALTER COLUMN c TYPE ..`, `SET NOT NULL`, `SET DEFAULT ..` (PostgreSQL).
    Separate,
    /// `MODIFY COLUMN <the whole definition>` (MySQL/MariaDB).
    Modify,
    /// Rebuild the table (SQLite).
    Rebuild,
}

/// The statements that create `meta`'s table and indexes if they do not exist. A table
/// with foreign keys needs its parents' tables to exist first.
pub fn create_table(dialect: Dialect, meta: &ModelMeta) -> Result<Vec<Statement>> {
    create_table_def(dialect, &Table::from_meta(dialect, meta)?)
}

/// The statements that create `table` and its indexes if they do not exist.
pub fn create_table_def(dialect: Dialect, table: &Table) -> Result<Vec<Statement>> {
    let mut out = vec![create_table_only(dialect, table, &table.name)?];
    if !dialect.rules().indexes_inline() {
        for index in table.indexes.iter().filter(|i| !i.unique) {
            out.push(create_index(dialect, &table.name, index, true)?);
        }
    }
    Ok(out)
}

/// Appends a column's definition (name, type, NOT NULL, DEFAULT), as in CREATE TABLE.
fn write_column(w: &mut SqlWriter, dialect: Dialect, c: &TableColumn) {
    let rules = dialect.rules();
    if c.auto
        && let Some(kind) = c.kind
    {
        rules.write_auto_key(w, &c.name, kind);
        return;
    }
    w.ident(&c.name).push(" ").push(&c.type_sql(dialect));
    if !c.nullable {
        w.push(" NOT NULL");
    }
    if let Some(d) = &c.default {
        w.push(" DEFAULT ").push(d);
    }
}

/// `CREATE TABLE IF NOT EXISTS name (...)`, with the constraints (and MySQL's indexes).
fn create_table_only(dialect: Dialect, table: &Table, name: &str) -> Result<Statement> {
    let rules = dialect.rules();
    let mut w = SqlWriter::new(dialect);
    w.push("CREATE TABLE IF NOT EXISTS ").ident(name).push(" (");
    for (i, c) in table.columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        write_column(&mut w, dialect, c);
    }
    if !table.columns.iter().any(|c| c.auto && c.kind.is_some()) {
        let keys: Vec<&TableColumn> = table.primary_key().collect();
        if !keys.is_empty() {
            w.push(", PRIMARY KEY (");
            for (i, c) in keys.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                w.ident(&c.name);
            }
            w.push(")");
        }
    }
    for fk in &table.foreign_keys {
        w.push(", CONSTRAINT ").ident(&fk.name);
        w.push(" FOREIGN KEY (")
            .ident(&fk.column)
            .push(") REFERENCES ");
        w.ident(&fk.parent_table)
            .push(" (")
            .ident(&fk.parent_column)
            .push(") ON DELETE ")
            .push(fk.on_delete.sql());
    }
    for index in table.indexes.iter().filter(|i| i.unique) {
        w.push(", CONSTRAINT ").ident(&index.name).push(" UNIQUE (");
        write_columns(&mut w, &index.columns);
        w.push(")");
    }
    if rules.indexes_inline() {
        for index in table.indexes.iter().filter(|i| !i.unique) {
            w.push(", INDEX ").ident(&index.name).push(" (");
            write_columns(&mut w, &index.columns);
            w.push(")");
        }
    }
    w.push(")").push(rules.table_options());
    w.finish()
}

fn write_columns(w: &mut SqlWriter, columns: &[String]) {
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(c);
    }
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (columns)`.
fn create_index(
    dialect: Dialect,
    table: &str,
    index: &TableIndex,
    if_not_exists: bool,
) -> Result<Statement> {
    let mut w = SqlWriter::new(dialect);
    w.push(if index.unique {
        "CREATE UNIQUE INDEX "
    } else {
        "CREATE INDEX "
    });
    if if_not_exists {
        w.push("IF NOT EXISTS ");
    }
    w.ident(&index.name).push(" ON ").ident(table).push(" (");
    write_columns(&mut w, &index.columns);
    w.push(")");
    w.finish()
}

/// The statement that drops `meta`'s table if it exists.
pub fn drop_table(dialect: Dialect, meta: &ModelMeta) -> Result<Statement> {
    drop_table_named(dialect, meta.table)
}

fn drop_table_named(dialect: Dialect, table: &str) -> Result<Statement> {
    let mut w = SqlWriter::new(dialect);
    w.push("DROP TABLE IF EXISTS ").ident(table);
    w.finish()
}

fn alter(dialect: Dialect, table: &str, rest: impl FnOnce(&mut SqlWriter)) -> Result<Statement> {
    let mut w = SqlWriter::new(dialect);
    w.push("ALTER TABLE ").ident(table).push(" ");
    rest(&mut w);
    w.finish()
}

/// The statements that carry out `changes` (from [`crate::schema::diff()`]), which turn
/// `from` into `to`, on `dialect`'s backend. On SQLite, a table whose change ALTER TABLE
/// cannot make is rebuilt to its shape in `to`, following SQLite's procedure
/// (<https://sqlite.org/lang_altertable.html#otheralter>): create the new table, copy the
/// rows, drop the old one, rename the new one, create its indexes. A table that other
/// tables reference is rebuilt too: the statements are meant for the migration runner,
/// which runs a SQLite migration with foreign keys off (set outside its transaction) and
/// checks them before COMMIT (`crate::migrate`), so dropping the old table runs no `ON
/// DELETE` action. Run by hand with foreign keys on, the DROP TABLE of a parent would
/// delete (or orphan) its children.
pub fn changes(
    dialect: Dialect,
    from: &Schema,
    to: &Schema,
    changes: &[Change],
) -> Result<Vec<Statement>> {
    let form = dialect.rules().alter_form();
    let rebuilt: Vec<&str> = if form == AlterForm::Rebuild {
        changes
            .iter()
            .filter(|c| needs_rebuild(from, c))
            .map(Change::table)
            .fold(Vec::new(), |mut acc, t| {
                if !acc.contains(&t) {
                    acc.push(t);
                }
                acc
            })
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    let mut rebuilt_done: Vec<&str> = Vec::new();
    for change in changes {
        let table = change.table();
        if rebuilt.contains(&table) && !matches!(change, Change::RenameColumn { .. }) {
            if !rebuilt_done.contains(&table) {
                rebuilt_done.push(table);
                out.extend(rebuild(dialect, from, to, table, changes)?);
            }
            continue;
        }
        if let (AlterForm::Rebuild, Change::DropColumn { table, column }) = (form, change) {
            out.extend(indexes_left_on(from, changes, table, &column.name, dialect));
        }
        out.extend(change_statements(dialect, change, form)?);
    }
    Ok(out)
}

/// SQLite's DROP COLUMN refuses a column an index still covers, and the diff drops no
/// index of a dropped column (the other backends drop it with the column): the DROP INDEX
/// of each index of `table` on `column` that `changes` do not drop already.
fn indexes_left_on(
    from: &Schema,
    changes: &[Change],
    table: &str,
    column: &str,
    dialect: Dialect,
) -> Vec<Statement> {
    let dropped = |name: &str| {
        changes.iter().any(|c| {
            matches!(c, Change::DropIndex { table: t, index } if t == table && index.name == name)
        })
    };
    from.table(table)
        .into_iter()
        .flat_map(|t| &t.indexes)
        .filter(|i| !i.unique && i.columns.iter().any(|c| c == column) && !dropped(&i.name))
        .flat_map(|i| dialect.rules().drop_index(table, &i.name, false))
        .map(Statement::plain)
        .collect()
}

/// Whether SQLite needs to rebuild the table for `change`, made to schema `from`.
fn needs_rebuild(from: &Schema, change: &Change) -> bool {
    match change {
        // ADD COLUMN refuses keys, and NOT NULL without a default even on an empty table.
        Change::AddColumn { column, .. } => {
            column.primary_key || column.auto || (!column.nullable && column.default.is_none())
        }
        Change::DropColumn { table, column } => !drops_in_place(from, table, &column.name),
        Change::AlterColumn { .. }
        | Change::AddForeignKey { .. }
        | Change::DropForeignKey { .. } => true,
        Change::DropIndex { index, .. } => index.name.starts_with("sqlite_autoindex_"),
        _ => false,
    }
}

/// Whether SQLite (3.35 and later) can drop `column` of `table` with `ALTER TABLE ... DROP
/// COLUMN`: it refuses a column of the primary key, of a UNIQUE constraint, of a foreign
/// key, or one that another table's foreign key references. (Plain indexes on the column
/// are dropped before it, see `indexes_left_on`.)
fn drops_in_place(from: &Schema, table: &str, column: &str) -> bool {
    let Some(old) = from.table(table) else {
        return false;
    };
    let referenced = from.tables.iter().any(|t| {
        t.foreign_keys
            .iter()
            .any(|f| f.parent_table == table && f.parent_column == column)
    });
    old.column(column).is_some_and(|c| !c.primary_key)
        && !referenced
        && !old.foreign_keys.iter().any(|f| f.column == column)
        && !old
            .indexes
            .iter()
            .any(|i| i.unique && i.columns.iter().any(|c| c == column))
}

fn rebuild(
    dialect: Dialect,
    from: &Schema,
    to: &Schema,
    table: &str,
    changes: &[Change],
) -> Result<Vec<Statement>> {
    let target = to.table(table).ok_or_else(|| {
        Error::Internal(format!("rebuilding `{table}`, which the target lacks").into())
    })?;
    // Columns carried over: those of the target that existed before (after renames).
    let renamed = |name: &str| {
        changes.iter().find_map(|c| match c {
            Change::RenameColumn { table: t, from, to } if t == table && to == name => {
                Some(from.clone())
            }
            _ => None,
        })
    };
    let old = from.table(table);
    let kept: Vec<&TableColumn> = target
        .columns
        .iter()
        .filter(|c| old.is_some_and(|o| o.column(&c.name).is_some() || renamed(&c.name).is_some()))
        .collect();
    let temp = format!("_ambidex_new_{table}");
    let mut out = vec![create_table_only(dialect, target, &temp)?];
    let mut w = SqlWriter::new(dialect);
    w.push("INSERT INTO ").ident(&temp).push(" (");
    write_columns(
        &mut w,
        &kept.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
    );
    w.push(") SELECT ");
    write_columns(
        &mut w,
        &kept.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
    );
    w.push(" FROM ").ident(table);
    out.push(w.finish()?);
    let mut w = SqlWriter::new(dialect);
    w.push("DROP TABLE ").ident(table);
    out.push(w.finish()?);
    out.push(alter(dialect, &temp, |w| {
        w.push("RENAME TO ").ident(table);
    })?);
    for index in target.indexes.iter().filter(|i| !i.unique) {
        out.push(create_index(dialect, table, index, false)?);
    }
    Ok(out)
}

/// The statements of one change, where ALTER TABLE can make it.
fn change_statements(dialect: Dialect, change: &Change, form: AlterForm) -> Result<Vec<Statement>> {
    let rules = dialect.rules();
    Ok(match change {
        Change::CreateTable(table) => create_table_def(dialect, table)?,
        Change::DropTable(table) => vec![drop_table_named(dialect, &table.name)?],
        Change::AddColumn { table, column } => vec![alter(dialect, table, |w| {
            w.push("ADD COLUMN ");
            write_column(w, dialect, column);
        })?],
        Change::DropColumn { table, column } => vec![alter(dialect, table, |w| {
            w.push("DROP COLUMN ").ident(&column.name);
        })?],
        Change::RenameColumn { table, from, to } => vec![alter(dialect, table, |w| {
            w.push("RENAME COLUMN ").ident(from).push(" TO ").ident(to);
        })?],
        Change::AlterColumn { table, from, to } => match form {
            AlterForm::Modify => vec![alter(dialect, table, |w| {
                w.push("MODIFY COLUMN ");
                write_column(w, dialect, to);
            })?],
            _ => {
                let mut out = Vec::new();
                if from.type_sql(dialect) != to.type_sql(dialect) {
                    let ty = to.type_sql(dialect);
                    out.push(alter(dialect, table, |w| {
                        w.push("ALTER COLUMN ")
                            .ident(&to.name)
                            .push(" TYPE ")
                            .push(&ty);
                        w.push(" USING ").ident(&to.name).push("::").push(&ty);
                    })?);
                }
                if from.nullable != to.nullable {
                    out.push(alter(dialect, table, |w| {
                        w.push("ALTER COLUMN ")
                            .ident(&to.name)
                            .push(if to.nullable {
                                " DROP NOT NULL"
                            } else {
                                " SET NOT NULL"
                            });
                    })?);
                }
                if from.default != to.default {
                    out.push(alter(dialect, table, |w| {
                        w.push("ALTER COLUMN ").ident(&to.name);
                        match &to.default {
                            Some(d) => w.push(" SET DEFAULT ").push(d),
                            None => w.push(" DROP DEFAULT"),
                        };
                    })?);
                }
                out
            }
        },
        Change::CreateIndex { table, index } => {
            if index.unique && form != AlterForm::Rebuild {
                vec![alter(dialect, table, |w| {
                    w.push("ADD CONSTRAINT ")
                        .ident(&index.name)
                        .push(" UNIQUE (");
                    write_columns(w, &index.columns);
                    w.push(")");
                })?]
            } else {
                vec![create_index(dialect, table, index, false)?]
            }
        }
        Change::DropIndex { table, index } => rules
            .drop_index(table, &index.name, index.unique)
            .into_iter()
            .map(Statement::plain)
            .collect(),
        Change::AddForeignKey { table, foreign_key } => vec![alter(dialect, table, |w| {
            w.push("ADD CONSTRAINT ").ident(&foreign_key.name);
            w.push(" FOREIGN KEY (").ident(&foreign_key.column);
            w.push(") REFERENCES ").ident(&foreign_key.parent_table);
            w.push(" (")
                .ident(&foreign_key.parent_column)
                .push(") ON DELETE ");
            w.push(foreign_key.on_delete.sql());
        })?],
        Change::DropForeignKey { table, foreign_key } => vec![alter(dialect, table, |w| {
            w.push(rules.drop_foreign_key_clause())
                .push(" ")
                .ident(&foreign_key.name);
        })?],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{DiffOptions, diff};
    use crate::value::ValueKind;

    fn column(dialect: Dialect, name: &str, kind: ValueKind, nullable: bool) -> TableColumn {
        TableColumn {
            name: name.into(),
            kind: Some(kind),
            keyed: false,
            sql_type: dialect.rules().column_type(kind, false).into(),
            nullable,
            default: None,
            primary_key: false,
            auto: false,
        }
    }

    /// `t (id, name NOT NULL)` and `t (id, name NULL DEFAULT 'x', age)`.
    fn before_after(dialect: Dialect) -> (Schema, Schema) {
        let mut id = column(dialect, "id", ValueKind::I64, false);
        id.primary_key = true;
        id.auto = true;
        let table = |columns| Table {
            name: "t".into(),
            columns,
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
        };
        let before = table(vec![
            id.clone(),
            column(dialect, "name", ValueKind::Text, false),
        ]);
        let mut name = column(dialect, "name", ValueKind::Text, true);
        name.default = Some("'x'".into());
        let after = table(vec![id, name, column(dialect, "age", ValueKind::I32, true)]);
        (
            Schema {
                tables: vec![before],
            },
            Schema {
                tables: vec![after],
            },
        )
    }

    fn sql(dialect: Dialect) -> Vec<String> {
        let (from, to) = before_after(dialect);
        let steps = diff(&from, &to, &DiffOptions::new()).unwrap();
        changes(dialect, &from, &to, &steps)
            .unwrap()
            .iter()
            .map(|s| s.sql().to_string())
            .collect()
    }

    #[test]
    fn each_backend_alters_in_its_own_form() {
        assert_eq!(
            sql(Dialect::Postgres),
            [
                r#"ALTER TABLE "t" ADD COLUMN "age" INTEGER"#,
                r#"ALTER TABLE "t" ALTER COLUMN "name" DROP NOT NULL"#,
                r#"ALTER TABLE "t" ALTER COLUMN "name" SET DEFAULT 'x'"#,
            ]
        );
        assert_eq!(
            sql(Dialect::Mysql),
            [
                "ALTER TABLE `t` ADD COLUMN `age` INT",
                "ALTER TABLE `t` MODIFY COLUMN `name` LONGTEXT CHARACTER SET utf8mb4 COLLATE \
                 utf8mb4_bin DEFAULT 'x'",
            ]
        );
        // SQLite rebuilds the table: new shape, copy, drop, rename.
        assert_eq!(
            sql(Dialect::Sqlite),
            [
                r#"CREATE TABLE IF NOT EXISTS "_ambidex_new_t" ("id" INTEGER PRIMARY KEY, "name" TEXT DEFAULT 'x', "age" INTEGER)"#,
                r#"INSERT INTO "_ambidex_new_t" ("id", "name") SELECT "id", "name" FROM "t""#,
                r#"DROP TABLE "t""#,
                r#"ALTER TABLE "_ambidex_new_t" RENAME TO "t""#,
            ]
        );
    }

    /// A table others reference is rebuilt too (it used to be refused, with advice to
    /// switch foreign keys off that does nothing inside the migration's transaction): the
    /// migration runner switches them off around the transaction.
    #[test]
    fn sqlite_rebuilds_a_referenced_table() {
        let (from, to) = before_after(Dialect::Sqlite);
        let mut child = Table {
            name: "c".into(),
            columns: vec![column(Dialect::Sqlite, "t_id", ValueKind::I64, false)],
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
        };
        child.foreign_keys.push(crate::schema::TableForeignKey {
            name: "c_t_id_fkey".into(),
            column: "t_id".into(),
            parent_table: "t".into(),
            parent_column: "id".into(),
            on_delete: crate::model::OnDelete::Cascade,
        });
        let (mut from, mut to) = (from, to);
        from.tables.push(child.clone());
        to.tables.push(child);
        let steps = diff(&from, &to, &DiffOptions::new()).unwrap();
        let sql: Vec<String> = changes(Dialect::Sqlite, &from, &to, &steps)
            .unwrap()
            .iter()
            .map(|s| s.sql().to_string())
            .collect();
        assert_eq!(sql[2], r#"DROP TABLE "t""#, "{sql:?}");
        assert_eq!(sql[3], r#"ALTER TABLE "_ambidex_new_t" RENAME TO "t""#);
    }
}
