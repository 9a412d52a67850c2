//! Replication positions (PostgreSQL LSNs, MariaDB GTIDs) and lag, read from the servers
//! with the statements of `dialect/replication.rs`.

use std::time::Duration;

use crate::engine::statement::Statement;
use crate::engine::{Connection, RowSink};
use crate::error::{Error, Result};
use crate::sql::dialect::{Dialect, replication};
use crate::value::row::{Cell, RowReader};

/// A replication position: a PostgreSQL WAL LSN, or MariaDB GTIDs (domain, sequence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Position {
    Lsn(u64),
    Gtids(Vec<(u32, u64)>),
}

impl Position {
    pub(crate) fn parse(dialect: Dialect, text: &str) -> Option<Position> {
        match dialect {
            Dialect::Postgres => {
                let (hi, lo) = text.trim().split_once('/')?;
                let hi = u64::from_str_radix(hi, 16).ok()?;
                let lo = u64::from_str_radix(lo, 16).ok()?;
                Some(Position::Lsn((hi << 32) | lo))
            }
            Dialect::Mysql => {
                let mut gtids = Vec::new();
                for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let mut fields = part.split('-');
                    let domain = fields.next()?.parse().ok()?;
                    let _server: u64 = fields.next()?.parse().ok()?;
                    let seq = fields.next()?.parse().ok()?;
                    gtids.push((domain, seq));
                }
                Some(Position::Gtids(gtids))
            }
            Dialect::Sqlite => None,
        }
    }

    /// Whether a replica at `self` has applied everything up to `target`.
    pub(crate) fn reached(&self, target: &Position) -> bool {
        match (self, target) {
            (Position::Lsn(have), Position::Lsn(want)) => have >= want,
            (Position::Gtids(have), Position::Gtids(want)) => want
                .iter()
                .all(|(domain, seq)| have.iter().any(|(d, s)| d == domain && s >= seq)),
            _ => false,
        }
    }
}

/// The first column of the first row as text, if not NULL.
pub(crate) struct TextAt(Option<Option<String>>);

impl RowSink for TextAt {
    type Item = Option<String>;
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Option<String>> {
        Ok(match row.cell(0)? {
            Cell::Null => None,
            Cell::Text(t) => Some(t.into_owned()),
            Cell::Blob(b) => Some(String::from_utf8_lossy(&b).into_owned()),
            other => Some(other.describe()),
        })
    }
    fn push(&mut self, item: Option<String>) -> Result<()> {
        if self.0.is_none() {
            self.0 = Some(item);
        }
        Ok(())
    }
}

/// Column `I` of the first row as seconds, if not NULL.
pub(crate) struct SecondsAt<const I: usize>(Option<Option<f64>>);

impl<const I: usize> RowSink for SecondsAt<I> {
    type Item = Option<f64>;
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Option<f64>> {
        if row.width() <= I {
            return Err(Error::Internal(
                format!("a replication status row has {} columns", row.width()).into(),
            ));
        }
        Ok(match row.cell(I)? {
            Cell::Int(i) => Some(i as f64),
            Cell::Float(f) => Some(f),
            Cell::Text(t) => t.trim().parse().ok(),
            Cell::Blob(b) => std::str::from_utf8(&b)
                .ok()
                .and_then(|t| t.trim().parse().ok()),
            Cell::Null | Cell::Bool(_) => None,
        })
    }
    fn push(&mut self, item: Option<f64>) -> Result<()> {
        if self.0.is_none() {
            self.0 = Some(item);
        }
        Ok(())
    }
}

pub(crate) async fn read_position<C: Connection>(
    conn: &mut C,
    sql: Option<&'static str>,
) -> Option<Position> {
    let dialect = conn.dialect();
    let sql = sql?;
    match conn.fetch(Statement::plain(sql), TextAt(None)).await {
        Ok(TextAt(Some(Some(text)))) => Position::parse(dialect, &text),
        Ok(_) => None,
        Err(e) => {
            tracing::debug!(target: "ambidex::routing", error = %e, "replication position unavailable");
            None
        }
    }
}

/// Measures a replica's lag on `conn`: `Ok(None)` when it cannot be measured.
pub(crate) async fn measure_lag<C: Connection>(conn: &mut C) -> Result<Option<Duration>> {
    let Some((sql, column)) = replication::replica_lag(conn.dialect()) else {
        return Ok(Some(Duration::ZERO));
    };
    let seconds = match column {
        0 => {
            conn.fetch(Statement::plain(sql), SecondsAt::<0>(None))
                .await?
                .0
        }
        32 => {
            conn.fetch(Statement::plain(sql), SecondsAt::<32>(None))
                .await?
                .0
        }
        _ => {
            return Err(Error::Internal(
                "unexpected replication status column".into(),
            ));
        }
    };
    Ok(match seconds {
        // no status row: not replicating, so nothing to lag behind
        None => Some(Duration::ZERO),
        Some(None) => None,
        Some(Some(s)) => Some(Duration::from_secs_f64(s.max(0.0))),
    })
}
