//! Applying, reverting and reporting migrations, as plans over one connection.
//!
//! A plan runs on one connection from start to end (that is how every engine runs a
//! plan), so a session lock taken at its start is released on the same connection at its
//! end. Each migration is one transaction: lock, read the history again, check checksums,
//! run the next migration's statements, record it, commit. Reading the history under the
//! lock is what makes concurrent start-up apply each migration exactly once.

use std::collections::HashSet;
use std::time::Instant;

use super::{Applied, Migration, MigrationState, MigrationStatus, Migrations, history};
use crate::engine::statement::Statement;
use crate::engine::{Connection, Plan};
use crate::error::{Error, Result};
use crate::ops::Scalar;
use crate::ops::transaction;

/// How long a session lock (MariaDB) is waited for before giving up.
const SESSION_LOCK_SECS: u32 = 600;

/// How many times a SQLite `BEGIN IMMEDIATE` that found the database locked (after its
/// busy timeout) is tried again.
const BEGIN_ATTEMPTS: usize = 12;

/// What a locked run does.
#[derive(Clone, Copy)]
enum Op {
    Apply(Option<i64>),
    Revert(usize),
    Redo,
}

/// The plan behind [`Migrations::run`] and [`Migrations::run_to`].
pub struct Apply<'a> {
    set: &'a Migrations,
    target: Option<i64>,
}

impl<'a> Apply<'a> {
    /// Applies the pending migrations of `set` (up to `target`).
    pub fn new(set: &'a Migrations, target: Option<i64>) -> Self {
        Apply { set, target }
    }
}

impl Plan for Apply<'_> {
    type Output = Vec<Applied>;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<Applied>> {
        locked(conn, self.set, Op::Apply(self.target)).await
    }
}

/// The plan behind [`Migrations::revert`].
pub struct Revert<'a> {
    set: &'a Migrations,
    steps: usize,
}

impl<'a> Revert<'a> {
    /// Reverts the last `steps` applied migrations of `set`.
    pub fn new(set: &'a Migrations, steps: usize) -> Self {
        Revert { set, steps }
    }
}

impl Plan for Revert<'_> {
    type Output = Vec<Applied>;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<Applied>> {
        locked(conn, self.set, Op::Revert(self.steps)).await
    }
}

/// The plan behind [`Migrations::redo`].
pub struct Redo<'a> {
    set: &'a Migrations,
}

impl<'a> Redo<'a> {
    /// Reverts and re-applies the last applied migration of `set`.
    pub fn new(set: &'a Migrations) -> Self {
        Redo { set }
    }
}

impl Plan for Redo<'_> {
    type Output = Vec<Applied>;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<Applied>> {
        locked(conn, self.set, Op::Redo).await
    }
}

/// The plan behind [`Migrations::status`].
pub struct Status<'a> {
    set: &'a Migrations,
}

impl<'a> Status<'a> {
    /// The state of every migration of `set` and of the database's history.
    pub fn new(set: &'a Migrations) -> Self {
        Status { set }
    }
}

impl Plan for Status<'_> {
    type Output = Vec<MigrationStatus>;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<MigrationStatus>> {
        let rows = if history::exists(conn).await? {
            history::read(conn).await?
        } else {
            Vec::new()
        };
        let dialect = conn.dialect();
        let mut out: Vec<MigrationStatus> = self
            .set
            .iter()
            .map(|m| {
                let state = match rows.iter().find(|r| r.version == m.version) {
                    None => MigrationState::Pending,
                    Some(r) if r.checksum == m.checksum(dialect) => MigrationState::Applied {
                        applied_at: r.applied_at.clone(),
                    },
                    Some(r) => MigrationState::Changed {
                        applied_at: r.applied_at.clone(),
                    },
                };
                MigrationStatus {
                    version: m.version,
                    name: m.name.clone(),
                    state,
                }
            })
            .collect();
        for r in rows.iter().filter(|r| self.set.get(r.version).is_none()) {
            out.push(MigrationStatus {
                version: r.version,
                name: r.name.clone(),
                state: MigrationState::Missing {
                    applied_at: r.applied_at.clone(),
                },
            });
        }
        out.sort_by_key(|s| s.version);
        Ok(out)
    }
}

/// Runs `op` holding the session lock where the backend needs one, releasing it on the
/// same connection whatever the outcome; if the run never gets there (a panic, a dropped
/// future) the connection stays marked ([`Connection::session_lock_held`]) and is closed
/// rather than pooled.
async fn locked<C: Connection>(conn: &mut C, set: &Migrations, op: Op) -> Result<Vec<Applied>> {
    let session = conn.dialect().rules().session_lock(SESSION_LOCK_SECS);
    if let Some((take, _)) = &session {
        // Raised before the lock is asked for and lowered only once its release succeeded:
        // a run that panics or is dropped in between leaves it raised, and the engine then
        // closes the connection (releasing the lock) instead of pooling it.
        conn.set_session_lock_held(true);
        let granted = conn
            .fetch(Statement::plain(take.clone()), Scalar::<Option<i64>>(None))
            .await?
            .0
            .flatten();
        if granted != Some(1) {
            // Not granted (timed out): nothing to release.
            conn.set_session_lock_held(false);
            return Err(Error::Migration(
                format!(
                    "another process has held the migration lock for {SESSION_LOCK_SECS} s; \
                     wait for its migrations to finish, or find the session that holds it \
                     (`SELECT IS_USED_LOCK(...)`) and end it"
                )
                .into(),
            ));
        }
    }
    let outcome = match op {
        Op::Apply(target) => apply(conn, set, target).await,
        Op::Revert(steps) => revert(conn, set, steps).await,
        Op::Redo => match revert(conn, set, 1).await {
            Ok(reverted) => match reverted.first() {
                Some(r) => apply(conn, set, Some(r.version)).await,
                None => Err(Error::Migration(
                    "nothing to redo: no migration is applied".into(),
                )),
            },
            Err(e) => Err(e),
        },
    };
    if let Some((_, release)) = session {
        let released = conn
            .fetch(Statement::plain(release), Scalar::<Option<i64>>(None))
            .await;
        if released.is_ok() {
            conn.set_session_lock_held(false);
        }
        if outcome.is_ok() {
            released?;
        }
    }
    outcome
}

/// Applies pending migrations one transaction each.
async fn apply<C: Connection>(
    conn: &mut C,
    set: &Migrations,
    target: Option<i64>,
) -> Result<Vec<Applied>> {
    let mut done = Vec::new();
    loop {
        begin(conn).await?;
        match apply_next(conn, set, target).await {
            Ok(Some(applied)) => {
                transaction::commit(conn).await?;
                done.push(applied);
            }
            Ok(None) => {
                transaction::commit(conn).await?;
                return Ok(done);
            }
            Err(e) => {
                let _ = transaction::rollback(conn).await;
                return Err(e);
            }
        }
    }
}

/// Reverts up to `steps` migrations, newest first, one transaction each.
async fn revert<C: Connection>(
    conn: &mut C,
    set: &Migrations,
    steps: usize,
) -> Result<Vec<Applied>> {
    let mut done = Vec::new();
    for _ in 0..steps {
        begin(conn).await?;
        match revert_last(conn, set).await {
            Ok(Some(reverted)) => {
                transaction::commit(conn).await?;
                done.push(reverted);
            }
            Ok(None) => {
                transaction::commit(conn).await?;
                break;
            }
            Err(e) => {
                let _ = transaction::rollback(conn).await;
                return Err(e);
            }
        }
    }
    Ok(done)
}

/// Opens a transaction, trying again while SQLite reports the database locked (each try
/// waits its busy timeout first).
async fn begin<C: Connection>(conn: &mut C) -> Result<()> {
    let mut attempt = 1;
    loop {
        match transaction::begin(conn).await {
            Err(Error::Conflict { .. }) if attempt < BEGIN_ATTEMPTS => attempt += 1,
            other => return other,
        }
    }
}

/// Inside an open transaction: takes the lock, makes sure the history table exists, reads
/// it, and checks it against `set`.
async fn lock_and_read<C: Connection>(conn: &mut C, set: &Migrations) -> Result<Vec<history::Row>> {
    let dialect = conn.dialect();
    if let Some(lock) = dialect.rules().transaction_lock() {
        conn.execute(Statement::plain(lock)).await?;
    }
    history::ensure(conn).await?;
    let rows = history::read(conn).await?;
    for row in &rows {
        match set.get(row.version) {
            Some(m) if m.checksum(dialect) != row.checksum => {
                return Err(Error::MigrationChanged {
                    version: m.version,
                    name: m.name.clone(),
                });
            }
            Some(_) => {}
            None if set.ignores_missing() => {}
            None => {
                return Err(Error::Migration(
                    format!(
                        "the database has migration {}_{} applied (at {} UTC), which this \
                         program does not have: is it older than the database? Run a build \
                         that has it, or allow this with `ignore_missing(true)` \
                         (`--ignore-missing`)",
                        row.version, row.name, row.applied_at
                    )
                    .into(),
                ));
            }
        }
    }
    Ok(rows)
}

async fn apply_next<C: Connection>(
    conn: &mut C,
    set: &Migrations,
    target: Option<i64>,
) -> Result<Option<Applied>> {
    let dialect = conn.dialect();
    let rows = lock_and_read(conn, set).await?;
    let applied: HashSet<i64> = rows.iter().map(|r| r.version).collect();
    let Some(m) = set
        .iter()
        .find(|m| !applied.contains(&m.version) && target.is_none_or(|t| m.version <= t))
    else {
        return Ok(None);
    };
    let sql = m.up_sql(dialect).ok_or_else(|| {
        Error::Migration(
            format!(
                "migration `{}` has no up SQL for {}: add up.sql or up.{}.sql",
                m.id(),
                dialect.name(),
                file_suffix(dialect)
            )
            .into(),
        )
    })?;
    let started = Instant::now();
    run_script(conn, m, "up", sql).await?;
    let duration = started.elapsed();
    history::record(conn, m.version, &m.name, m.checksum(dialect), duration).await?;
    Ok(Some(Applied {
        version: m.version,
        name: m.name.clone(),
        duration,
    }))
}

async fn revert_last<C: Connection>(conn: &mut C, set: &Migrations) -> Result<Option<Applied>> {
    let dialect = conn.dialect();
    let rows = lock_and_read(conn, set).await?;
    let Some(last) = rows.last() else {
        return Ok(None);
    };
    let m = set.get(last.version).ok_or_else(|| {
        Error::Migration(
            format!(
                "cannot revert {}_{}: this program does not have that migration",
                last.version, last.name
            )
            .into(),
        )
    })?;
    let sql = m.down_sql(dialect).ok_or_else(|| {
        Error::Migration(
            format!(
                "migration `{}` has no down step for {}: add down.sql (or down.{}.sql), or \
                 revert it by hand and delete its row from `{}`",
                m.id(),
                dialect.name(),
                file_suffix(dialect),
                history::HISTORY_TABLE
            )
            .into(),
        )
    })?;
    let started = Instant::now();
    run_script(conn, m, "down", sql).await?;
    let duration = started.elapsed();
    history::remove(conn, m.version).await?;
    Ok(Some(Applied {
        version: m.version,
        name: m.name.clone(),
        duration,
    }))
}

/// Runs each statement of `sql`; a failure names the migration and the statement.
async fn run_script<C: Connection>(
    conn: &mut C,
    m: &Migration,
    direction: &'static str,
    sql: &str,
) -> Result<()> {
    let statements = super::split_statements(conn.dialect(), sql);
    for (i, statement) in statements.into_iter().enumerate() {
        if let Err(e) = conn.execute(Statement::plain(statement)).await {
            return Err(Error::MigrationFailed {
                version: m.version,
                name: m.name.clone(),
                direction,
                statement: i + 1,
                source: Box::new(e),
            });
        }
    }
    Ok(())
}

/// The backend's name in per-backend file names (`up.postgres.sql`).
pub(crate) fn file_suffix(dialect: crate::engine::backend::Dialect) -> &'static str {
    match dialect {
        crate::engine::backend::Dialect::Sqlite => "sqlite",
        crate::engine::backend::Dialect::Postgres => "postgres",
        crate::engine::backend::Dialect::Mysql => "mysql",
    }
}
