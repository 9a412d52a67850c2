//! Reading a live database's schema (introspection), with the queries of its dialect.

use crate::engine::{Connection, Plan};
use crate::error::Result;
use crate::migrate::{CLAIMS_TABLE, HISTORY_TABLE};
use crate::ops::CollectRows;
use crate::ops::raw::FromRow;
use crate::ops::relation::OnDelete;
use crate::schema::{Schema, Table, TableColumn, TableForeignKey, TableIndex};
use crate::sql::ddl;
use crate::sql::dialect::Dialect;
use crate::sql::render;
use crate::value::Value;

/// A row of the dialect's column query: name, type, nullable, default, key, generated.
type ColumnRow = (String, String, i64, Option<String>, i64, i64);

/// A row of the dialect's foreign-key query: name, column, parent table and column, rule.
type ForeignKeyRow = (Option<String>, String, String, Option<String>, String);

/// The plan that reads every table of the current database (PostgreSQL: of the current
/// schema), except ambidex's history table.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadSchema;

async fn rows<T: FromRow, C: Connection>(
    conn: &mut C,
    sql: &str,
    table: Option<&str>,
    binds: usize,
) -> Result<Vec<T>> {
    let values = (0..binds)
        .map(|_| Value::Text(table.unwrap_or_default().to_string()))
        .collect();
    let st = render::raw(conn.dialect(), sql, values)?;
    Ok(conn.fetch(st, CollectRows::<T>(Vec::new())).await?.0)
}

fn on_delete(rule: &str) -> OnDelete {
    match rule.to_ascii_uppercase().as_str() {
        "CASCADE" => OnDelete::Cascade,
        "SET NULL" => OnDelete::SetNull,
        _ => OnDelete::Restrict,
    }
}

impl Plan for ReadSchema {
    type Output = Schema;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Schema> {
        let dialect: Dialect = conn.dialect();
        let rules = dialect.rules();
        let q = rules.introspection();
        let names: Vec<String> = rows(conn, q.tables, None, 0).await?;
        let mut tables = Vec::new();
        for name in names
            .into_iter()
            .filter(|n| n != HISTORY_TABLE && n != CLAIMS_TABLE)
        {
            let t = Some(name.as_str());
            let cols: Vec<ColumnRow> = rows(conn, q.columns, t, q.columns_binds).await?;
            let columns = cols
                .into_iter()
                .map(|(cname, db_type, nullable, default, pk, auto)| {
                    let known = rules.kind_of_type(&db_type);
                    let (kind, keyed) = match known {
                        Some((k, keyed)) => (Some(k), keyed),
                        None => (None, false),
                    };
                    TableColumn {
                        name: cname,
                        kind,
                        keyed,
                        sql_type: match kind {
                            Some(k) => rules.column_type(k, keyed).to_string(),
                            None => db_type,
                        },
                        nullable: nullable != 0 && pk == 0,
                        default: if auto != 0 { None } else { default },
                        primary_key: pk != 0,
                        auto: auto != 0,
                    }
                })
                .collect();
            let fk_rows: Vec<ForeignKeyRow> = rows(conn, q.foreign_keys, t, q.table_binds).await?;
            let foreign_keys: Vec<TableForeignKey> = fk_rows
                .into_iter()
                .map(
                    |(fk_name, column, parent_table, parent_column, rule)| TableForeignKey {
                        name: fk_name.unwrap_or_else(|| ddl::foreign_key_name(&name, &column)),
                        column,
                        parent_table,
                        parent_column: parent_column.unwrap_or_else(|| "id".to_string()),
                        on_delete: on_delete(&rule),
                    },
                )
                .collect();
            let index_rows: Vec<(String, Option<String>, i64, i64)> =
                rows(conn, q.indexes, t, q.table_binds).await?;
            let mut indexes: Vec<TableIndex> = Vec::new();
            let mut skipped: Vec<String> = Vec::new();
            for (iname, column, unique, _seq) in index_rows {
                // Expression indexes have no column: not something models express.
                let Some(column) = column else {
                    skipped.push(iname);
                    continue;
                };
                // MySQL makes an index for a foreign key that has none; it goes with the key.
                if foreign_keys.iter().any(|f| f.name == iname) {
                    continue;
                }
                match indexes.iter_mut().find(|i| i.name == iname) {
                    Some(i) => i.columns.push(column),
                    None => indexes.push(TableIndex {
                        name: iname,
                        columns: vec![column],
                        unique: unique != 0,
                    }),
                }
            }
            indexes.retain(|i| !skipped.contains(&i.name));
            tables.push(Table {
                name,
                columns,
                indexes,
                foreign_keys,
            });
        }
        let schema = Schema { tables };
        let ordered = schema.in_creation_order().into_iter().cloned().collect();
        Ok(Schema { tables: ordered })
    }
}
