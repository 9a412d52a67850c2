//! Running a statement on a diesel connection, written once for every backend: the rows
//! decoded inside diesel's row-building hook and fed to the sink, or the count of affected
//! rows. Failures are classified by the backend's dialect.

use ambidex_core::{Dialect, Error, Executed, Result, RowSink, Statement};
use diesel::RunQueryDsl;
use diesel::connection::{CacheSize, DefaultLoadingMode};
use diesel::query_dsl::methods::{ExecuteDsl, LoadQuery};

use super::Decoded;
use crate::error::{ServerCode, from_diesel_on};
use crate::statement::DieselStatement;

/// Runs a query on `conn`, feeding its rows to `sink`.
///
/// A statement whose prepared plan the server finds stale ([`Error::StalePlan`]: another
/// session changed a column's type) fails before any row is read. Diesel's statement cache
/// is then dropped (so the next statement is prepared afresh) and, when `retry_stale` says
/// it is safe (no transaction open), the statement is sent once more.
#[inline]
pub(crate) fn fetch<'s, C, S>(
    conn: &mut C,
    dialect: Dialect,
    statement: &'s Statement,
    sink: S,
    retry_stale: bool,
) -> Result<S>
where
    C: diesel::Connection + ServerCode,
    S: RowSink,
    DieselStatement<'s>: LoadQuery<'s, C, Decoded<S>, DefaultLoadingMode>,
{
    match fetch_once(conn, statement, sink) {
        Ok(sink) => Ok(sink),
        Err(Failed::Before(e, sink)) => {
            stale_or(conn, dialect, e, retry_stale)?;
            fetch_once(conn, statement, sink).map_err(|failed| match failed {
                Failed::Before(e, _) | Failed::Read(e) => from_diesel_on(conn, dialect, e),
                Failed::After(e) => e,
            })
        }
        Err(Failed::Read(e)) => Err(from_diesel_on(conn, dialect, e)),
        Err(Failed::After(e)) => Err(e),
    }
}

/// How [`fetch_once`] failed: before the first row (with the untouched sink), reading a
/// later row (diesel's error, classified once the rows no longer borrow the connection),
/// or in ambidex's own hands.
enum Failed<S> {
    Before(diesel::result::Error, S),
    Read(diesel::result::Error),
    After(Error),
}

/// Runs a query once, feeding its rows to `sink`.
fn fetch_once<'s, C, S>(
    conn: &mut C,
    statement: &'s Statement,
    mut sink: S,
) -> std::result::Result<S, Failed<S>>
where
    C: diesel::Connection + ServerCode,
    S: RowSink,
    DieselStatement<'s>: LoadQuery<'s, C, Decoded<S>, DefaultLoadingMode>,
{
    let rows = match DieselStatement(statement).load_iter::<Decoded<S>, DefaultLoadingMode>(conn) {
        Ok(rows) => rows,
        Err(e) => return Err(Failed::Before(e, sink)),
    };
    for row in rows {
        let Decoded(item) = row.map_err(Failed::Read)?;
        sink.push(item).map_err(Failed::After)?;
    }
    Ok(sink)
}

/// Runs a statement that returns no rows on `conn`; a stale plan is handled as in
/// [`fetch`].
#[inline]
pub(crate) fn execute<'s, C>(
    conn: &mut C,
    dialect: Dialect,
    statement: &'s Statement,
    retry_stale: bool,
) -> Result<Executed>
where
    C: diesel::Connection + ServerCode,
    DieselStatement<'s>: ExecuteDsl<C>,
{
    let first = DieselStatement(statement).execute(conn);
    let n = match first {
        Ok(n) => n,
        Err(e) => {
            stale_or(conn, dialect, e, retry_stale)?;
            DieselStatement(statement)
                .execute(conn)
                .map_err(|again| from_diesel_on(conn, dialect, again))?
        }
    };
    Ok(Executed {
        rows_affected: n as u64,
        last_insert_id: None,
    })
}

/// Classifies a failure `e`; a stale plan empties diesel's statement cache and, when
/// `retry` allows it, is `Ok` (send the statement again). Anything else is the error.
fn stale_or<C: diesel::Connection + ServerCode>(
    conn: &mut C,
    dialect: Dialect,
    e: diesel::result::Error,
    retry: bool,
) -> Result<()> {
    match from_diesel_on(conn, dialect, e) {
        Error::StalePlan { .. } if retry => {
            forget_prepared(conn);
            Ok(())
        }
        e @ Error::StalePlan { .. } => {
            forget_prepared(conn);
            Err(e)
        }
        e => Err(e),
    }
}

/// Drops every statement diesel has prepared on `conn` (turning its cache off and on
/// again replaces it with an empty one; the next statements get new names), so none is
/// used again after the server found one stale. The server keeps the old ones until the
/// connection closes: they are never executed again.
fn forget_prepared<C: diesel::Connection>(conn: &mut C) {
    conn.set_prepared_statement_cache_size(CacheSize::Disabled);
    conn.set_prepared_statement_cache_size(CacheSize::Unbounded);
}
