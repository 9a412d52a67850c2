//! Running a statement on a diesel connection, written once for every backend: the rows
//! decoded inside diesel's row-building hook and fed to the sink, or the count of affected
//! rows. Failures are classified by the backend's dialect.

use ambidex_core::{Dialect, Executed, Result, RowSink, Statement};
use diesel::RunQueryDsl;
use diesel::connection::DefaultLoadingMode;
use diesel::query_dsl::methods::{ExecuteDsl, LoadQuery};

use super::Decoded;
use crate::error::from_diesel;
use crate::statement::DieselStatement;

/// Runs a query on `conn`, feeding its rows to `sink`.
#[inline]
pub(crate) fn fetch<'s, C, S>(
    conn: &mut C,
    dialect: Dialect,
    statement: &'s Statement,
    mut sink: S,
) -> Result<S>
where
    C: diesel::Connection,
    S: RowSink,
    DieselStatement<'s>: LoadQuery<'s, C, Decoded<S>, DefaultLoadingMode>,
{
    let rows = DieselStatement(statement)
        .load_iter::<Decoded<S>, DefaultLoadingMode>(conn)
        .map_err(|e| from_diesel(dialect, e))?;
    for row in rows {
        let Decoded(item) = row.map_err(|e| from_diesel(dialect, e))?;
        sink.push(item)?;
    }
    Ok(sink)
}

/// Runs a statement that returns no rows on `conn`.
#[inline]
pub(crate) fn execute<'s, C>(
    conn: &mut C,
    dialect: Dialect,
    statement: &'s Statement,
) -> Result<Executed>
where
    C: diesel::Connection,
    DieselStatement<'s>: ExecuteDsl<C>,
{
    let n = DieselStatement(statement)
        .execute(conn)
        .map_err(|e| from_diesel(dialect, e))?;
    Ok(Executed {
        rows_affected: n as u64,
        last_insert_id: None,
    })
}
