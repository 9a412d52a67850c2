//! Applying, reverting and reporting migrations, as plans over one connection.
//!
//! A plan runs on one connection from start to end (that is how every engine runs a
//! plan), so a session lock taken at its start is released on the same connection at its
//! end. Each migration is one transaction: lock, read the history again, check checksums,
//! run the next migration's statements, record it, commit. Reading the history under the
//! lock is what makes concurrent start-up apply each migration exactly once.
//!
//! On SQLite the transaction is wrapped in SQLite's procedure for table rebuilds: foreign
//! keys off before BEGIN, `PRAGMA foreign_key_check` before COMMIT, on again after, so that
//! a `DROP TABLE` of a parent runs no cascade and a migration that would orphan rows is
//! rolled back. A script headed `-- ambidex: no-transaction` is found inside that
//! transaction, then run outside one under a lock that outlives it (see [`outside`]).

use std::collections::HashSet;
use std::time::Instant;

use super::split::runs_in_transaction;
use super::{Applied, Migration, MigrationState, MigrationStatus, Migrations, history};
use crate::engine::backend::Dialect;
use crate::engine::statement::Statement;
use crate::engine::{Connection, Plan, RowSink};
use crate::error::{Error, Result};
use crate::ops::Scalar;
use crate::ops::transaction;
use crate::value::row::{RowReader, decode_field};

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

/// Which way a step goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Way {
    Up,
    Down,
}

impl Way {
    fn name(self) -> &'static str {
        match self {
            Way::Up => "up",
            Way::Down => "down",
        }
    }
}

/// What one step found to do.
enum Step {
    /// A migration was applied or reverted.
    Done(Applied),
    /// Nothing is left to do.
    Nothing,
    /// Another process got there while the locks changed hands: look again.
    Again,
}

/// Applies pending migrations, one step each.
async fn apply<C: Connection>(
    conn: &mut C,
    set: &Migrations,
    target: Option<i64>,
) -> Result<Vec<Applied>> {
    let mut done = Vec::new();
    let mut again = 0;
    loop {
        match step(conn, set, Pick::Next(target)).await? {
            Step::Done(applied) => done.push(applied),
            Step::Again => again_or_give_up(&mut again)?,
            Step::Nothing => return Ok(done),
        }
    }
}

/// Reverts up to `steps` migrations, newest first, one step each.
async fn revert<C: Connection>(
    conn: &mut C,
    set: &Migrations,
    steps: usize,
) -> Result<Vec<Applied>> {
    let mut done = Vec::new();
    let mut again = 0;
    while done.len() < steps {
        match step(conn, set, Pick::Last).await? {
            Step::Done(reverted) => done.push(reverted),
            Step::Again => again_or_give_up(&mut again)?,
            Step::Nothing => break,
        }
    }
    Ok(done)
}

/// How many times a run looks again after losing the lock to another instance (each time
/// after a wait: PostgreSQL's one-second deadlock timeout, or another instance's step).
const AGAIN_ATTEMPTS: u32 = 600;

fn again_or_give_up(again: &mut u32) -> Result<()> {
    *again += 1;
    if *again > AGAIN_ATTEMPTS {
        return Err(Error::Migration(
            format!(
                "gave up after losing the migration lock {AGAIN_ATTEMPTS} times to another \
                 instance (a migration outside a transaction, such as CREATE INDEX \
                 CONCURRENTLY, running for that long); run again when it is done"
            )
            .into(),
        ));
    }
    Ok(())
}

/// Which migration a step takes.
#[derive(Clone, Copy)]
enum Pick {
    /// The first pending one (up to a version): applied.
    Next(Option<i64>),
    /// The last applied one: reverted.
    Last,
}

/// One migration one way. Inside a transaction (the default): foreign keys off where the
/// dialect says (SQLite), BEGIN, lock and read the history, run the script, check the
/// foreign keys, record, COMMIT, foreign keys on again. A script marked
/// `-- ambidex: no-transaction` is found the same way, then run by [`outside`].
async fn step<C: Connection>(conn: &mut C, set: &Migrations, pick: Pick) -> Result<Step> {
    open(conn).await?;
    let found = match lock_and_read(conn, set).await {
        Ok(rows) => choose(conn.dialect(), set, &rows, pick),
        // PostgreSQL chose this transaction, waiting for the lock, as the victim of a
        // deadlock with another instance's `CREATE INDEX CONCURRENTLY` (which waits for
        // every older transaction): nothing was done, wait again.
        Err(Error::Conflict { .. }) if conn.dialect().rules().no_transaction_lock().is_some() => {
            let _ = transaction::rollback(conn).await;
            foreign_keys_on(conn).await?;
            return Ok(Step::Again);
        }
        Err(e) => Err(e),
    };
    let (m, way, sql) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return close(conn, Ok(Step::Nothing)).await,
        Err(e) => return close(conn, Err(e)).await,
    };
    let inside = runs_in_transaction(sql)
        .map_err(|why| Error::Migration(format!("migration `{}`: {why}", m.id()).into()));
    match inside {
        Ok(true) => {
            let done = run_step(conn, m, way, sql, true).await;
            close(conn, done.map(Step::Done)).await
        }
        Ok(false) => outside(conn, set, pick, m, way, sql).await,
        Err(e) => close(conn, Err(e)).await,
    }
}

/// The migration `pick` names in the history `rows`, which way, and its script.
fn choose<'a>(
    dialect: Dialect,
    set: &'a Migrations,
    rows: &[history::Row],
    pick: Pick,
) -> Result<Option<(&'a Migration, Way, &'a str)>> {
    match pick {
        Pick::Next(target) => {
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
            Ok(Some((m, Way::Up, sql)))
        }
        Pick::Last => {
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
                        "migration `{}` has no down step for {}: add down.sql (or \
                         down.{}.sql), or revert it by hand and delete its row from `{}`",
                        m.id(),
                        dialect.name(),
                        file_suffix(dialect),
                        history::HISTORY_TABLE
                    )
                    .into(),
                )
            })?;
            Ok(Some((m, Way::Down, sql)))
        }
    }
}

/// Runs the script, then (inside a transaction) checks the foreign keys, then records
/// the step in the history.
async fn run_step<C: Connection>(
    conn: &mut C,
    m: &Migration,
    way: Way,
    sql: &str,
    in_transaction: bool,
) -> Result<Applied> {
    let started = Instant::now();
    run_script(conn, m, way, sql, in_transaction).await?;
    let duration = started.elapsed();
    if in_transaction {
        check_foreign_keys(conn, m, way).await?;
    }
    write_history(conn, m, way, duration).await
}

/// Records an applied step in the history, or forgets a reverted one.
async fn write_history<C: Connection>(
    conn: &mut C,
    m: &Migration,
    way: Way,
    duration: std::time::Duration,
) -> Result<Applied> {
    match way {
        Way::Up => {
            let checksum = m.checksum(conn.dialect());
            history::record(conn, m.version, &m.name, checksum, duration).await?;
        }
        Way::Down => history::remove(conn, m.version).await?,
    }
    Ok(Applied {
        version: m.version,
        name: m.name.clone(),
        duration,
    })
}

/// Before a migration's transaction: switches foreign-key enforcement off where the
/// dialect does that for migrations (the connection is marked until it is on again, so a
/// run that never gets there closes the connection instead of pooling it), then BEGIN.
async fn open<C: Connection>(conn: &mut C) -> Result<()> {
    if let Some((off, _)) = conn.dialect().rules().migration_foreign_keys() {
        conn.set_session_lock_held(true);
        conn.execute(Statement::plain(off)).await?;
    }
    if let Err(e) = begin(conn).await {
        let _ = foreign_keys_on(conn).await;
        return Err(e);
    }
    Ok(())
}

/// Ends a migration's transaction: COMMIT after a success, ROLLBACK after a failure;
/// then foreign-key enforcement on again (the connection stays marked, and is closed,
/// if that fails).
async fn close<C: Connection, T>(conn: &mut C, outcome: Result<T>) -> Result<T> {
    let ended = match &outcome {
        Ok(_) => transaction::commit(conn).await,
        Err(_) => {
            let _ = transaction::rollback(conn).await;
            Ok(())
        }
    };
    let restored = foreign_keys_on(conn).await;
    let value = outcome?;
    ended?;
    restored?;
    Ok(value)
}

/// Switches foreign-key enforcement back on where [`open`] switched it off.
async fn foreign_keys_on<C: Connection>(conn: &mut C) -> Result<()> {
    if let Some((_, on)) = conn.dialect().rules().migration_foreign_keys() {
        conn.execute(Statement::plain(on)).await?;
        conn.set_session_lock_held(false);
    }
    Ok(())
}

/// How many violating rows of one child table an error lists by rowid.
const ROWIDS_SHOWN: usize = 5;

/// The rows `PRAGMA foreign_key_check` reports, counted per (child, parent), with the
/// first few rowids; nothing else is kept, however many rows violate.
#[derive(Default)]
struct Violations(Vec<(String, String, u64, Vec<i64>)>);

impl RowSink for Violations {
    type Item = (String, Option<i64>, String);
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<Self::Item> {
        let at = "(foreign key check)";
        Ok((
            decode_field(row, 0, at, "table", "table")?,
            decode_field(row, 1, at, "rowid", "rowid")?,
            decode_field(row, 2, at, "parent", "parent")?,
        ))
    }
    fn push(&mut self, (table, rowid, parent): Self::Item) -> Result<()> {
        let i = match self.0.iter().position(|v| v.0 == table && v.1 == parent) {
            Some(i) => i,
            None => {
                self.0.push((table, parent, 0, Vec::new()));
                self.0.len() - 1
            }
        };
        let entry = &mut self.0[i];
        entry.2 += 1;
        if let Some(rowid) = rowid
            && entry.3.len() < ROWIDS_SHOWN
        {
            entry.3.push(rowid);
        }
        Ok(())
    }
}

/// Before COMMIT, where foreign keys were off: refuses the migration (it is then rolled
/// back) if any row lacks its parent, naming the tables, the counts and the first rowids.
async fn check_foreign_keys<C: Connection>(conn: &mut C, m: &Migration, way: Way) -> Result<()> {
    let Some(check) = conn.dialect().rules().foreign_key_check() else {
        return Ok(());
    };
    let found = conn
        .fetch(Statement::plain(check), Violations::default())
        .await?
        .0;
    if found.is_empty() {
        return Ok(());
    }
    let each: Vec<String> = found
        .iter()
        .map(|(table, parent, n, rowids)| {
            let ids: Vec<String> = rowids.iter().map(i64::to_string).collect();
            let more = if *n > rowids.len() as u64 {
                ", ..."
            } else {
                ""
            };
            format!(
                "{n} row{} of `{table}` without {} row in `{parent}` (rowid {}{more})",
                if *n == 1 { "" } else { "s" },
                if *n == 1 { "its" } else { "their" },
                ids.join(", ")
            )
        })
        .collect();
    Err(Error::Migration(
        format!(
            "migration `{}` ({}) was rolled back, nothing changed: it would leave {}. \
             Migrations run with foreign keys off (SQLite's procedure for rebuilding a \
             table), so no ON DELETE action runs: delete or update the child rows \
             explicitly in the migration. If the rows were orphans before it ran, `PRAGMA \
             foreign_key_check` lists them now: fix them first",
            m.id(),
            way.name(),
            each.join("; ")
        )
        .into(),
    ))
}

/// A step whose script runs outside a transaction. Found inside [`step`]'s transaction,
/// which is still open: the migration lock changes hands (PostgreSQL: the session's
/// advisory lock, then the history read again; SQLite: a claim row, committed; MySQL:
/// the run's session lock holds already), the statements run one by one, the history is
/// written only after the last succeeded, and the lock is released on every path.
async fn outside<C: Connection>(
    conn: &mut C,
    set: &Migrations,
    pick: Pick,
    m: &Migration,
    way: Way,
    sql: &str,
) -> Result<Step> {
    let dialect = conn.dialect();
    let rules = dialect.rules();
    if let Some((take, release)) = rules.no_transaction_lock() {
        close(conn, Ok(())).await?;
        conn.set_session_lock_held(true);
        conn.execute(Statement::plain(take)).await?;
        // Under the session lock: the history again (another process may have taken this
        // step while no lock was held), then the step if it is still the one to take.
        let outcome = async {
            let rows = lock_and_read(conn, set).await?;
            match choose(dialect, set, &rows, pick)? {
                Some((again, w, _)) if again.version == m.version && w == way => {
                    run_step(conn, m, way, sql, false).await.map(Step::Done)
                }
                _ => Ok(Step::Again),
            }
        }
        .await;
        if conn.execute(Statement::plain(release)).await.is_ok() {
            conn.set_session_lock_held(false);
        }
        return outcome;
    }
    if !claims_steps(dialect) {
        close(conn, Ok(())).await?;
        return run_step(conn, m, way, sql, false).await.map(Step::Done);
    }
    // SQLite: claim it in the transaction that found it, run it with foreign keys on,
    // then record it and drop the claim in one transaction.
    let claimed = history::claim(conn, m.version).await;
    close(conn, claimed).await?;
    let started = Instant::now();
    if let Err(e) = run_script(conn, m, way, sql, false).await {
        let _ = history::unclaim(conn, m.version).await;
        return Err(e);
    }
    let duration = started.elapsed();
    begin(conn).await?;
    let recorded = match write_history(conn, m, way, duration).await {
        Ok(applied) => history::unclaim(conn, m.version).await.map(|()| applied),
        Err(e) => Err(e),
    };
    close(conn, recorded).await.map(Step::Done)
}

/// Whether the dialect has no lock that outlives a transaction (SQLite), so that a step
/// outside one is claimed in [`history::CLAIMS_TABLE`] instead.
fn claims_steps(dialect: Dialect) -> bool {
    let rules = dialect.rules();
    rules.no_transaction_lock().is_none() && rules.session_lock(SESSION_LOCK_SECS).is_none()
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

/// Takes the lock (inside an open transaction, or under the session lock), makes sure
/// the history table exists, reads it, and checks it against `set`; on SQLite, refuses
/// to go on while another process applies a migration outside a transaction.
async fn lock_and_read<C: Connection>(conn: &mut C, set: &Migrations) -> Result<Vec<history::Row>> {
    let dialect = conn.dialect();
    if conn.transaction_depth() > 0
        && let Some(lock) = dialect.rules().transaction_lock()
    {
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
    if claims_steps(dialect)
        && let Some((version, at)) = history::claims(conn).await?.into_iter().next()
    {
        let id = set.get(version).map_or(version.to_string(), Migration::id);
        return Err(Error::Migration(
            format!(
                "migration `{id}` has been running outside a transaction in another \
                     process since {at} UTC (it is claimed in `{}`); wait for it and run \
                     again. If no process is running it (one crashed), check what it did, \
                     then delete its row from `{}`",
                history::CLAIMS_TABLE,
                history::CLAIMS_TABLE
            )
            .into(),
        ));
    }
    Ok(rows)
}

/// Runs each statement of `sql`; a failure names the migration and the statement, and
/// says whether a transaction undid the statements before it.
async fn run_script<C: Connection>(
    conn: &mut C,
    m: &Migration,
    way: Way,
    sql: &str,
    in_transaction: bool,
) -> Result<()> {
    let dialect = conn.dialect();
    let statements = super::split_statements(dialect, sql);
    for (i, statement) in statements.into_iter().enumerate() {
        if let Err(e) = conn.execute(Statement::plain(statement)).await {
            return Err(Error::MigrationFailed {
                version: m.version,
                name: m.name.clone(),
                direction: way.name(),
                statement: i + 1,
                source: Box::new(e),
                rolled_back: in_transaction && dialect.rules().transactional_ddl(),
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
