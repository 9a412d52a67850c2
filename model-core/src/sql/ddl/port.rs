//! Neutral schema changes (`crate::schema`'s neutral form) written for one backend: the
//! columns take the backend's types and default literals, a change that is no change
//! there is left out (a column becoming indexed alters it on MySQL only), and the rest is
//! [`super::changes`], unchanged. So a migration written once from one diff applies on
//! every backend, and every SQL difference stays in the dialect.

use crate::engine::statement::Statement;
use crate::error::{Error, Result};
use crate::schema::{Change, Schema, Table, TableColumn, column_differs};
use crate::sql::dialect::Dialect;

/// Neutral changes written for one backend.
#[derive(Debug, Clone)]
pub struct Ported {
    /// The changes in the backend's spelling, without those that change nothing there.
    pub changes: Vec<Change>,
    /// The statements that make them.
    pub statements: Vec<Statement>,
}

/// The statements that carry out the neutral `changes`, which turn neutral `from` into
/// `to`, on `dialect`'s backend. `source` is the backend the schemas were read from: a
/// column whose kind is unknown (`kind: None`, its type as `source` spells it) can be
/// created there only; creating it elsewhere (a column added, restated or rebuilt) is
/// refused with [`Error::Migration`] naming it.
pub fn port(
    dialect: Dialect,
    source: Dialect,
    from: &Schema,
    to: &Schema,
    changes: &[Change],
) -> Result<Ported> {
    let port = Port { dialect, source };
    let touched: Vec<&str> = changes.iter().map(Change::table).collect();
    let from = port.schema(from, &[])?;
    let to = port.schema(to, &touched)?;
    let mut ported = Vec::new();
    for change in changes {
        if let Some(c) = port.change(change)? {
            ported.push(c);
        }
    }
    let statements = super::changes(dialect, &from, &to, &ported)?;
    Ok(Ported {
        changes: ported,
        statements,
    })
}

struct Port {
    dialect: Dialect,
    source: Dialect,
}

impl Port {
    /// `column` of `table` in the backend's spelling; `created` when its definition is
    /// written (then its type must be known, or the backend the one it was read from).
    fn column(&self, table: &str, column: &TableColumn, created: bool) -> Result<TableColumn> {
        let rules = self.dialect.rules();
        let mut c = column.clone();
        match c.kind {
            Some(kind) => c.sql_type = rules.column_type(kind, c.keyed).to_string(),
            None if created && self.dialect != self.source => {
                return Err(Error::Migration(
                    format!(
                        "`{table}.{}` has the type `{}` as {} spells it, which names no \
                         ambidex kind that {} could be given; diff against a {} database \
                         as well (`--{}-url`), or write this migration for it by hand",
                        c.name,
                        c.sql_type,
                        self.source.name(),
                        self.dialect.name(),
                        self.dialect.name(),
                        url_flag(self.dialect),
                    )
                    .into(),
                ));
            }
            None => {}
        }
        c.default = c.default.map(|d| rules.default_literal(&d));
        Ok(c)
    }

    fn table(&self, table: &Table, created: bool) -> Result<Table> {
        let columns = table
            .columns
            .iter()
            .map(|c| self.column(&table.name, c, created))
            .collect::<Result<_>>()?;
        Ok(Table {
            columns,
            ..table.clone()
        })
    }

    /// The schema in the backend's spelling; the tables named in `created` are written
    /// whole (SQLite's rebuild).
    fn schema(&self, schema: &Schema, created: &[&str]) -> Result<Schema> {
        let rebuilds = self.dialect.rules().alter_form() == super::AlterForm::Rebuild;
        let tables = schema
            .tables
            .iter()
            .map(|t| self.table(t, rebuilds && created.contains(&t.name.as_str())))
            .collect::<Result<_>>()?;
        Ok(Schema { tables })
    }

    /// The change in the backend's spelling, or `None` when it changes nothing there.
    fn change(&self, change: &Change) -> Result<Option<Change>> {
        Ok(Some(match change {
            Change::CreateTable(t) => Change::CreateTable(self.table(t, true)?),
            Change::DropTable(t) => Change::DropTable(self.table(t, false)?),
            Change::AddColumn { table, column } => Change::AddColumn {
                table: table.clone(),
                column: self.column(table, column, true)?,
            },
            Change::DropColumn { table, column } => Change::DropColumn {
                table: table.clone(),
                column: self.column(table, column, false)?,
            },
            Change::AlterColumn { table, from, to } => {
                let from = self.column(table, from, false)?;
                let to = self.column(table, to, true)?;
                if !column_differs(&from, &to) {
                    return Ok(None);
                }
                Change::AlterColumn {
                    table: table.clone(),
                    from,
                    to,
                }
            }
            other => other.clone(),
        }))
    }
}

/// The command line's flag for a database of `dialect`'s backend.
fn url_flag(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
        Dialect::Mysql => "mysql",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{DiffOptions, TableIndex, diff, neutral_type};
    use crate::value::ValueKind;

    fn column(name: &str, kind: Option<ValueKind>, sql_type: &str) -> TableColumn {
        TableColumn {
            name: name.into(),
            kind,
            keyed: false,
            sql_type: sql_type.into(),
            nullable: true,
            default: None,
            primary_key: false,
            auto: false,
        }
    }

    fn schema(columns: Vec<TableColumn>, indexes: Vec<TableIndex>) -> Schema {
        Schema {
            tables: vec![Table {
                name: "t".into(),
                columns,
                indexes,
                foreign_keys: Vec::new(),
            }],
        }
    }

    fn sql(dialect: Dialect, from: &Schema, to: &Schema) -> Result<Vec<String>> {
        let changes = diff(from, to, &DiffOptions::new())?;
        let ported = port(dialect, Dialect::Sqlite, from, to, &changes)?;
        Ok(ported
            .statements
            .iter()
            .map(|s| s.sql().to_string())
            .collect())
    }

    /// An index on a text column restates the column on MySQL only (`VARCHAR(255)`); the
    /// other backends just create the index.
    #[test]
    fn a_change_that_is_none_on_a_backend_is_left_out_there() {
        let text = Some(ValueKind::Text);
        let from = schema(
            vec![column("a", text, &neutral_type(ValueKind::Text, false))],
            Vec::new(),
        );
        let mut keyed = column("a", text, &neutral_type(ValueKind::Text, true));
        keyed.keyed = true;
        let index = TableIndex {
            name: "ix_t_a".into(),
            columns: vec!["a".into()],
            unique: false,
        };
        let to = schema(vec![keyed], vec![index]);
        assert_eq!(
            sql(Dialect::Postgres, &from, &to).unwrap(),
            [r#"CREATE INDEX "ix_t_a" ON "t" ("a")"#]
        );
        assert_eq!(
            sql(Dialect::Mysql, &from, &to).unwrap(),
            [
                "ALTER TABLE `t` MODIFY COLUMN `a` VARCHAR(255) CHARACTER SET utf8mb4 COLLATE \
                 utf8mb4_bin",
                "CREATE INDEX `ix_t_a` ON `t` (`a`)",
            ]
        );
        assert_eq!(
            sql(Dialect::Sqlite, &from, &to).unwrap(),
            [r#"CREATE INDEX "ix_t_a" ON "t" ("a")"#],
            "no rebuild"
        );
    }

    /// A column whose kind the source could not tell is created on the source only.
    #[test]
    fn a_column_of_unknown_kind_is_created_on_its_own_backend_only() {
        let from = schema(Vec::new(), Vec::new());
        let to = schema(vec![column("a", None, "REAL")], Vec::new());
        assert_eq!(
            sql(Dialect::Sqlite, &from, &to).unwrap(),
            [r#"ALTER TABLE "t" ADD COLUMN "a" REAL"#]
        );
        let refused = sql(Dialect::Postgres, &from, &to).unwrap_err().to_string();
        assert!(refused.contains("`t.a` has the type `REAL`"), "{refused}");
        assert!(refused.contains("--postgres-url"), "{refused}");
    }

    #[test]
    fn defaults_take_the_backend_literal() {
        let mut c = column("a", Some(ValueKind::Text), "x");
        c.default = Some(r"'a\b'".into());
        let port = |d| {
            Port {
                dialect: d,
                source: Dialect::Sqlite,
            }
            .column("t", &c, true)
        };
        assert_eq!(port(Dialect::Postgres).unwrap().default.unwrap(), r"'a\b'");
        assert_eq!(port(Dialect::Mysql).unwrap().default.unwrap(), r"'a\\b'");
    }
}
