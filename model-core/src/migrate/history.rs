//! The history table, `ambidex_migrations`: one row per applied migration, the same
//! whichever world and engine applied it. Its DDL and statements come from the ordinary
//! renderer ([`crate::sql::ddl`], [`crate::sql::render`]) through a model description of the table.

use crate::engine::Connection;
use crate::engine::statement::Statement;
use crate::error::Result;
use crate::model::{ColumnDef, ModelMeta};
use crate::ops::{CollectRows, Scalar};
use crate::query::ast::{Projection, QueryParts};
use crate::sql::{ddl, render};
use crate::value::{Value, ValueKind};

/// The name of the history table.
pub const HISTORY_TABLE: &str = "ambidex_migrations";

const fn column(name: &'static str, kind: ValueKind, primary_key: bool) -> ColumnDef {
    ColumnDef {
        name,
        field: name,
        kind,
        nullable: false,
        primary_key,
        auto: false,
        unique: false,
        index: false,
        default: None,
        references: None,
    }
}

static HISTORY: ModelMeta = ModelMeta {
    name: "AppliedMigration",
    table: HISTORY_TABLE,
    columns: &[
        column("version", ValueKind::I64, true),
        column("name", ValueKind::Text, false),
        column("checksum", ValueKind::Text, false),
        column("applied_at", ValueKind::Text, false),
        column("execution_ms", ValueKind::I64, false),
    ],
    keys: &[0],
};

/// The table where, on SQLite, a migration that runs outside a transaction is claimed
/// while its statements run (SQLite has no lock that outlives a transaction): one row per
/// migration being applied or reverted, deleted when it is recorded or fails.
pub const CLAIMS_TABLE: &str = "ambidex_migration_claims";

static CLAIMS: ModelMeta = ModelMeta {
    name: "MigrationClaim",
    table: CLAIMS_TABLE,
    columns: &[
        column("version", ValueKind::I64, true),
        column("claimed_at", ValueKind::Text, false),
    ],
    keys: &[0],
};

/// Claims migration `version` (creating the claims table first if needed), inside the
/// transaction that read the history.
pub(crate) async fn claim<C: Connection>(conn: &mut C, version: i64) -> Result<()> {
    for st in ddl::create_table(conn.dialect(), &CLAIMS)? {
        conn.execute(st).await?;
    }
    let st = render::insert(conn.dialect(), &CLAIMS, 1, false)?
        .bind(vec![Value::I64(version), Value::Text(now_utc())])?;
    conn.execute(st).await?;
    Ok(())
}

/// Drops the claim on migration `version`.
pub(crate) async fn unclaim<C: Connection>(conn: &mut C, version: i64) -> Result<()> {
    let st = render::delete_by_key(conn.dialect(), &CLAIMS)?.bind(vec![Value::I64(version)])?;
    conn.execute(st).await?;
    Ok(())
}

/// Every claim, as (version, claimed at): none when the claims table does not exist.
pub(crate) async fn claims<C: Connection>(conn: &mut C) -> Result<Vec<(i64, String)>> {
    if !table_exists(conn, CLAIMS_TABLE).await? {
        return Ok(Vec::new());
    }
    let st = render::select(
        conn.dialect(),
        &CLAIMS,
        &QueryParts::default(),
        Projection::Model,
    )?;
    Ok(conn
        .fetch(st, CollectRows::<(i64, String)>(Vec::new()))
        .await?
        .0)
}

/// One row of the history table.
pub(crate) struct Row {
    pub version: i64,
    pub name: String,
    pub checksum: String,
    pub applied_at: String,
}

/// Creates the table if it does not exist.
pub(crate) async fn ensure<C: Connection>(conn: &mut C) -> Result<()> {
    for st in ddl::create_table(conn.dialect(), &HISTORY)? {
        conn.execute(st).await?;
    }
    Ok(())
}

/// Whether the table exists (without creating it).
pub(crate) async fn exists<C: Connection>(conn: &mut C) -> Result<bool> {
    table_exists(conn, HISTORY_TABLE).await
}

async fn table_exists<C: Connection>(conn: &mut C, table: &str) -> Result<bool> {
    let dialect = conn.dialect();
    let sql = dialect.rules().table_exists_query();
    let st = render::raw(dialect, sql, vec![Value::Text(table.into())])?;
    let n = conn.fetch(st, Scalar::<i64>(None)).await?.0.unwrap_or(0);
    Ok(n > 0)
}

/// Every row, by version.
pub(crate) async fn read<C: Connection>(conn: &mut C) -> Result<Vec<Row>> {
    let st = render::select(
        conn.dialect(),
        &HISTORY,
        &QueryParts::default(),
        Projection::Model,
    )?;
    let rows = conn
        .fetch(
            st,
            CollectRows::<(i64, String, String, String, i64)>(Vec::new()),
        )
        .await?
        .0;
    let mut rows: Vec<Row> = rows
        .into_iter()
        .map(|(version, name, checksum, applied_at, _)| Row {
            version,
            name,
            checksum,
            applied_at,
        })
        .collect();
    rows.sort_by_key(|r| r.version);
    Ok(rows)
}

/// Records an applied migration.
pub(crate) async fn record<C: Connection>(
    conn: &mut C,
    version: i64,
    name: &str,
    checksum: String,
    execution: std::time::Duration,
) -> Result<()> {
    let template = render::insert(conn.dialect(), &HISTORY, 1, false)?;
    let millis = i64::try_from(execution.as_millis()).unwrap_or(i64::MAX);
    let st = template.bind(vec![
        Value::I64(version),
        Value::Text(name.to_string()),
        Value::Text(checksum),
        Value::Text(now_utc()),
        Value::I64(millis),
    ])?;
    conn.execute(st).await?;
    Ok(())
}

/// Forgets a reverted migration.
pub(crate) async fn remove<C: Connection>(conn: &mut C, version: i64) -> Result<()> {
    let st: Statement =
        render::delete_by_key(conn.dialect(), &HISTORY)?.bind(vec![Value::I64(version)])?;
    conn.execute(st).await?;
    Ok(())
}

/// The current time in UTC as `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

/// `secs` after the Unix epoch as `YYYY-MM-DD HH:MM:SS` (UTC).
pub(crate) fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::format_utc(0), "1970-01-01 00:00:00");
        assert_eq!(super::format_utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(super::format_utc(1_795_000_000), "2026-11-18 11:06:40");
    }
}
