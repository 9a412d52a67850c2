//! Every operation a user can call, written once as a [`Plan`] over any [`Connection`].
//!
//! These procedures are the only place where "what an operation does" lives: which
//! statement to render, how to read its result, when to open a transaction, how to batch.
//! The engines only carry statements and rows, so the blocking and the async world behave
//! the same by construction.

pub(crate) mod exists;
pub mod join;
pub mod page;
pub(crate) mod raw;
pub mod relation;
pub(crate) mod retry;
pub mod returning;
mod select;
pub mod select_as;
pub mod stream;
pub mod transaction;
pub mod upsert;

use std::marker::PhantomData;

use crate::engine::access::Access;
use crate::engine::backend::{Dialect, Server};
use crate::engine::statement::{SqlTemplate, Statement};
use crate::engine::{Connection, Plan, RowSink};
use crate::error::{Error, Result};
pub use crate::model::requests::{
    CreateTable, DeleteRow, DropTable, Fail, GetByKey, InsertMany, InsertManyReturning, InsertRow,
    UpdateRow,
};
use crate::model::{CachedSql, Model, ModelMeta};
use crate::ops::raw::FromRow;
use crate::ops::select_as::{Selectable, decode_selected};
use crate::query::ast::{self, ColumnRef, Projection, QueryParts, SelectList};
use crate::sql::ddl;
use crate::sql::render;
use crate::value::Value;
use crate::value::field::SqlField;
use crate::value::row::{RowReader, decode_field};

/// Collects every row as a model.
pub struct Collect<M>(pub Vec<M>);

impl<M: Model> RowSink for Collect<M> {
    type Item = M;
    #[inline]
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<M> {
        M::decode(row)
    }
    #[inline]
    fn push(&mut self, item: M) -> Result<()> {
        self.0.push(item);
        Ok(())
    }
}

/// Keeps the first row as a model.
pub struct Single<M>(pub Option<M>);

impl<M: Model> RowSink for Single<M> {
    type Item = M;
    #[inline]
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<M> {
        M::decode(row)
    }
    #[inline]
    fn push(&mut self, item: M) -> Result<()> {
        if self.0.is_none() {
            self.0 = Some(item);
        }
        Ok(())
    }
}

/// Keeps the first column of the first row as a `T`.
pub struct Scalar<T>(pub Option<T>);

impl<T: SqlField> RowSink for Scalar<T> {
    type Item = T;
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<T> {
        decode_field(row, 0, "(scalar)", "value", "(first column)")
    }
    fn push(&mut self, item: T) -> Result<()> {
        if self.0.is_none() {
            self.0 = Some(item);
        }
        Ok(())
    }
}

async fn scalar<T: SqlField, C: Connection>(conn: &mut C, statement: Statement) -> Result<T> {
    conn.fetch(statement, Scalar::<T>(None))
        .await?
        .0
        .ok_or(Error::Internal("a scalar query returned no row".into()))
}

/// Names `M` and its field in a schema-drift error from one of `M`'s statements.
pub(crate) fn drift<M: Model>(e: Error) -> Error {
    e.in_model(M::META)
}

/// Names the model and field whose value binding refused (the
/// [`Error::ValueOutOfRange`] of a value the backend cannot store, found before anything
/// was sent): found again by checking each field's value of `rows` alone. Runs on that
/// failure only, so binding pays nothing for it; any other error passes unchanged.
#[cold]
pub(crate) fn name_refused_field<M: Model>(e: Error, dialect: Dialect, rows: &[M]) -> Error {
    let Error::ValueOutOfRange { message } = e else {
        return e;
    };
    for row in rows {
        let values = crate::model::column_values(row);
        for (column, value) in M::META.columns.iter().zip(values) {
            if crate::sql::writer::check_binds(dialect, std::slice::from_ref(&value)).is_err() {
                return Error::ValueOutOfRange {
                    message: format!("{}.{}: {message}", M::META.name, column.field),
                };
            }
        }
    }
    Error::ValueOutOfRange { message }
}

impl<T: Send + 'static> Plan for Fail<T> {
    type Output = T;
    async fn run<C: Connection>(self, _conn: &mut C) -> Result<T> {
        Err(self.error)
    }
}

/// `all`: every matching row.
pub struct FetchAll<M> {
    /// The query.
    pub parts: QueryParts,
    /// The model.
    pub model: PhantomData<fn() -> M>,
}

impl<M: Model> Plan for FetchAll<M> {
    type Output = Vec<M>;
    fn access(&self) -> Access {
        Access::read(Some(M::META.table))
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<M>> {
        let st = render::select(conn.dialect(), M::META, &self.parts, Projection::Model)?;
        prepare_lock::<M, C>(conn, &self.parts).await?;
        collect_rows::<M, C>(conn, st).await
    }
}

/// Every row `st` returns, decoded as `M` (a missing column named as `M`'s field).
pub(crate) async fn collect_rows<M: Model, C: Connection>(
    conn: &mut C,
    st: Statement,
) -> Result<Vec<M>> {
    Ok(conn
        .fetch(st, Collect(Vec::new()))
        .await
        .map_err(drift::<M>)?
        .0)
}

/// `first`: the first matching row, if any.
pub struct FetchFirst<M> {
    /// The query.
    pub parts: QueryParts,
    /// The model.
    pub model: PhantomData<fn() -> M>,
}

impl<M: Model> Plan for FetchFirst<M> {
    type Output = Option<M>;
    fn access(&self) -> Access {
        Access::read(Some(M::META.table))
    }
    async fn run<C: Connection>(mut self, conn: &mut C) -> Result<Option<M>> {
        self.parts.limit = Some(self.parts.limit.map_or(1, |l| l.min(1)));
        let st = render::select(conn.dialect(), M::META, &self.parts, Projection::Model)?;
        prepare_lock::<M, C>(conn, &self.parts).await?;
        Ok(conn.fetch(st, Single(None)).await.map_err(drift::<M>)?.0)
    }
}

/// Before a locking read (`for_update`, `for_share`): refuses it outside a transaction,
/// where the lock would end with the statement and protect nothing, and on a backend
/// without row locks (SQLite) takes the database's write lock for the transaction.
pub(crate) async fn prepare_lock<M: Model, C: Connection>(
    conn: &mut C,
    parts: &QueryParts,
) -> Result<()> {
    let Some(lock) = parts.lock else {
        return Ok(());
    };
    if conn.transaction_depth() == 0 {
        return Err(Error::InvalidQuery(
            format!(
                "{}: for_update() and for_share() lock rows until the transaction ends, so \
                 they need one: run the query on a transaction (`db.transaction(..)`, \
                 `db.begin()`), not on the pool",
                M::META.name
            )
            .into(),
        ));
    }
    if let Some(st) = render::write_lock(conn.dialect(), M::META, lock)? {
        conn.execute(st).await.map_err(drift::<M>)?;
    }
    Ok(())
}

/// Collects every selected row (see [`crate::ops::select_as`]).
pub struct CollectSelected<M, S: Selectable<M>>(pub Vec<S::Output>, PhantomData<fn() -> M>);

impl<M: Model, S: Selectable<M>> RowSink for CollectSelected<M, S> {
    type Item = S::Output;
    #[inline]
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<S::Output> {
        decode_selected::<M, S, R>(row)
    }
    #[inline]
    fn push(&mut self, item: S::Output) -> Result<()> {
        self.0.push(item);
        Ok(())
    }
}

/// `select(...).all`: every selected row.
pub struct FetchSelected<M, S> {
    /// The statement's shape.
    pub list: SelectList,
    /// The model and what is selected.
    pub types: PhantomData<fn() -> (M, S)>,
}

impl<M: Model, S: Selectable<M>> Plan for FetchSelected<M, S> {
    type Output = Vec<S::Output>;
    fn access(&self) -> Access {
        Access::read(Some(M::META.table))
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<S::Output>> {
        let st = render::select_list(conn.dialect(), &self.list)?;
        let sink = CollectSelected::<M, S>(Vec::new(), PhantomData);
        Ok(conn.fetch(st, sink).await?.0)
    }
}

/// The first row of a plan that returns rows (already limited to one).
pub struct First<P>(pub P);

impl<T: Send + 'static, P: Plan<Output = Vec<T>>> Plan for First<P> {
    type Output = Option<T>;
    fn access(&self) -> Access {
        self.0.access()
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Option<T>> {
        Ok(self.0.run(conn).await?.into_iter().next())
    }
}

/// The only row of a plan that returns rows of model `M`'s table (limited to two):
/// not found if none, [`Error::MultipleRows`] if several.
pub struct One<M, P> {
    plan: P,
    model: PhantomData<fn() -> M>,
}

impl<M, P> One<M, P> {
    /// Wraps `plan`.
    pub fn new(plan: P) -> Self {
        One {
            plan,
            model: PhantomData,
        }
    }
}

impl<M: Model, T: Send + 'static, P: Plan<Output = Vec<T>>> Plan for One<M, P> {
    type Output = T;
    fn access(&self) -> Access {
        self.plan.access()
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<T> {
        let mut rows = self.plan.run(conn).await?;
        match rows.len() {
            0 => Err(M::META.not_found()),
            1 => rows.pop().ok_or(Error::Internal("row vanished".into())),
            _ => Err(Error::MultipleRows {
                model: M::META.name,
            }),
        }
    }
}

/// `count`: how many rows match (after limit and offset).
pub struct Count<M> {
    /// The query.
    pub parts: QueryParts,
    /// The model.
    pub model: PhantomData<fn() -> M>,
}

impl<M: Model> Plan for Count<M> {
    type Output = u64;
    fn access(&self) -> Access {
        Access::read(Some(M::META.table))
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<u64> {
        let st = render::select(conn.dialect(), M::META, &self.parts, Projection::Count)?;
        let n: i64 = scalar(conn, st).await.map_err(drift::<M>)?;
        u64::try_from(n).map_err(|_| Error::Internal("negative COUNT(*)".into()))
    }
}

/// `exists`: whether any row matches.
pub struct Exists<M> {
    /// The query.
    pub parts: QueryParts,
    /// The model.
    pub model: PhantomData<fn() -> M>,
}

impl<M: Model> Plan for Exists<M> {
    type Output = bool;
    fn access(&self) -> Access {
        Access::read(Some(M::META.table))
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<bool> {
        let st = render::select(conn.dialect(), M::META, &self.parts, Projection::Exists)?;
        scalar(conn, st).await.map_err(drift::<M>)
    }
}

async fn get_by_key<M: Model, C: Connection>(conn: &mut C, key: Vec<Value>) -> Result<Option<M>> {
    let d = conn.dialect();
    let t =
        M::sql_cache().get_or_render(d, CachedSql::GetByKey, || render::get_by_key(d, M::META))?;
    Ok(conn
        .fetch(t.bind(key)?, Single(None))
        .await
        .map_err(drift::<M>)?
        .0)
}

impl<M: Model> Plan for GetByKey<M> {
    type Output = M;
    fn access(&self) -> Access {
        Access::read(Some(M::META.table))
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<M> {
        get_by_key::<M, C>(conn, self.key)
            .await?
            .ok_or_else(|| M::META.not_found())
    }
}

impl<M: Model> Plan for InsertRow<'_, M> {
    type Output = M;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<M> {
        let d = conn.dialect();
        let returning = insert_returning(conn);
        let which = if returning {
            CachedSql::InsertReturning
        } else {
            CachedSql::Insert
        };
        let t =
            M::sql_cache().get_or_render(d, which, || render::insert(d, M::META, 1, returning))?;
        let mut binds = Vec::with_capacity(M::META.columns.len());
        self.row.push_insert_values(&mut binds);
        let insert = t
            .bind(binds)
            .map_err(|e| name_refused_field(e, d, std::slice::from_ref(self.row)))?;
        insert_one(conn, self.row, insert, returning, false).await
    }
}

/// Whether a one-row INSERT on `conn` carries `RETURNING`: where the dialect has it on the
/// connection's server ([`crate::SqlDialect::insert_returning`]: PostgreSQL, SQLite,
/// MariaDB) and the engine reads the rows it returns
/// ([`Connection::reads_insert_returning`]: not diesel on MariaDB).
pub(crate) fn insert_returning<C: Connection>(conn: &C) -> bool {
    conn.dialect().rules().insert_returning(conn.server()) && conn.reads_insert_returning()
}

/// Sends a one-row INSERT and returns the row as stored: the row its `RETURNING` gave back
/// when `returning` (the statement has one), else the row read back by key
/// ([`read_back_inserted`]; `sent_key`: the INSERT wrote the key itself).
///
/// Without RETURNING the read-back is a second statement, and a concurrent `DELETE` of the
/// new row between the two would make it miss a row that was stored. So the two run in
/// one transaction: the INSERT locks its row until the transaction ends, and the DELETE
/// waits for that. Inside a caller's transaction that transaction holds the lock; outside
/// one, the plan opens its own (two more round trips).
pub(crate) async fn insert_one<M: Model, C: Connection>(
    conn: &mut C,
    row: &M,
    insert: Statement,
    returning: bool,
    sent_key: bool,
) -> Result<M> {
    if returning {
        return conn
            .fetch(insert, Single(None))
            .await
            .map_err(drift::<M>)?
            .0
            .ok_or(Error::Internal(
                "INSERT ... RETURNING returned no row".into(),
            ));
    }
    if conn.transaction_depth() > 0 {
        let done = conn.execute(insert).await.map_err(drift::<M>)?;
        return read_back_inserted(conn, row, done, sent_key).await;
    }
    transaction::begin(conn).await?;
    let stored = match conn.execute(insert).await.map_err(drift::<M>) {
        Ok(done) => read_back_inserted(conn, row, done, sent_key).await,
        Err(e) => Err(e),
    };
    transaction::settle(conn, stored).await
}

/// Reads back a row an INSERT without `RETURNING` just wrote: by the key the database
/// generated, or by the row's own key when it has no generated one or `sent_key` (the
/// INSERT wrote it). Run it in the INSERT's transaction ([`insert_one`]): outside one, a
/// concurrent DELETE may remove the row first.
pub(crate) async fn read_back_inserted<M: Model, C: Connection>(
    conn: &mut C,
    row: &M,
    done: crate::engine::Executed,
    sent_key: bool,
) -> Result<M> {
    let key = if M::META.auto_key().is_some() && !sent_key {
        match (
            done.last_insert_id,
            conn.dialect().rules().last_insert_id_query(),
        ) {
            (Some(id), _) => vec![Value::I64(id)],
            (None, Some(q)) => vec![Value::I64(
                scalar::<i64, C>(conn, Statement::plain(q)).await?,
            )],
            (None, None) => {
                return Err(Error::Internal("no way to read the generated key".into()));
            }
        }
    } else {
        let mut key = Vec::with_capacity(M::META.keys.len());
        row.push_key_values(&mut key);
        key
    };
    get_by_key::<M, C>(conn, key).await?.ok_or(Error::Internal(
        "the inserted row could not be read back".into(),
    ))
}

/// The most rows one batch statement carries, whatever the parameter limit allows: past
/// this, longer statements cost more to parse and cache than they save in round trips.
const MAX_BATCH_ROWS: usize = 1000;

impl<M: Model> Plan for InsertMany<'_, M> {
    type Output = u64;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<u64> {
        if self.rows.is_empty() {
            return Ok(0);
        }
        let d = conn.dialect();
        let width = M::META.insert_columns().count();
        let per_batch = rows_per_batch::<M>(d, self.rows.len());
        let full = render::insert(d, M::META, per_batch, false)?;
        transaction::begin(conn).await?;
        let mut total = 0u64;
        let mut outcome = Ok(());
        for chunk in self.rows.chunks(per_batch) {
            let template = if chunk.len() == per_batch {
                full.clone()
            } else {
                match render::insert(d, M::META, chunk.len(), false) {
                    Ok(t) => t,
                    Err(e) => {
                        outcome = Err(e);
                        break;
                    }
                }
            };
            let mut binds = Vec::with_capacity(chunk.len() * width);
            for row in chunk {
                row.push_insert_values(&mut binds);
            }
            let statement = match template.bind(binds) {
                Ok(statement) => statement,
                Err(e) => {
                    outcome = Err(name_refused_field(e, d, chunk));
                    break;
                }
            };
            match conn.execute(statement).await {
                Ok(done) => total += done.rows_affected,
                Err(e) => {
                    outcome = Err(drift::<M>(e));
                    break;
                }
            }
        }
        transaction::settle(conn, outcome.map(|()| total)).await
    }
}

/// How many of `total` rows of `M` one INSERT carries under `dialect`'s parameter limit
/// (one, for a model whose columns are all generated).
fn rows_per_batch<M: Model>(dialect: Dialect, total: usize) -> usize {
    rows_per_batch_of(dialect, M::META.insert_columns().count(), total)
}

/// [`rows_per_batch`] for rows of `width` values each.
pub(crate) fn rows_per_batch_of(dialect: Dialect, width: usize, total: usize) -> usize {
    dialect
        .rules()
        .max_bind_params()
        .checked_div(width)
        .map_or(1, |rows| rows.clamp(1, MAX_BATCH_ROWS))
        .min(total)
}

impl<M: Model> Plan for InsertManyReturning<'_, M> {
    type Output = Vec<M>;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<M>> {
        if self.rows.is_empty() {
            return Ok(Vec::new());
        }
        transaction::begin(conn).await?;
        let stored = insert_rows_returning::<M, C>(conn, self.rows).await;
        transaction::settle(conn, stored).await
    }
}

/// The body of [`InsertManyReturning`], inside its transaction.
async fn insert_rows_returning<M: Model, C: Connection>(
    conn: &mut C,
    rows: &[M],
) -> Result<Vec<M>> {
    let d = conn.dialect();
    let mut stored = Vec::with_capacity(rows.len());
    if !insert_returning(conn) {
        // MySQL, and diesel on MariaDB: one INSERT and its read-back per row, in this
        // transaction (so a concurrent DELETE cannot come between them).
        let t = M::sql_cache().get_or_render(d, CachedSql::Insert, || {
            render::insert(d, M::META, 1, false)
        })?;
        for row in rows {
            let mut binds = Vec::with_capacity(M::META.columns.len());
            row.push_insert_values(&mut binds);
            let insert = t
                .bind(binds)
                .map_err(|e| name_refused_field(e, d, std::slice::from_ref(row)))?;
            stored.push(insert_one(conn, row, insert, false, false).await?);
        }
        return Ok(stored);
    }
    for chunk in rows.chunks(rows_per_batch::<M>(d, rows.len())) {
        let mut binds = Vec::with_capacity(chunk.len() * M::META.columns.len());
        for row in chunk {
            row.push_insert_values(&mut binds);
        }
        let statement = render::insert(d, M::META, chunk.len(), true)?
            .bind(binds)
            .map_err(|e| name_refused_field(e, d, chunk))?;
        let batch = collect_rows::<M, C>(conn, statement).await?;
        stored.extend(in_input_order(chunk, batch)?);
    }
    Ok(stored)
}

/// The rows one `INSERT ... RETURNING` gave back, in the order of `sent` (SQL leaves the
/// order of RETURNING rows open). A generated key grows in the order of the VALUES list
/// on every backend (a sequence's `nextval` per row, SQLite's rowid, InnoDB's
/// auto-increment), so such rows are sorted by key; rows with keys of their own are
/// matched to the sent rows by key.
fn in_input_order<M: Model>(sent: &[M], back: Vec<M>) -> Result<Vec<M>> {
    if back.len() != sent.len() {
        return Err(Error::Internal(
            format!(
                "INSERT ... RETURNING gave back {} rows for {} inserted",
                back.len(),
                sent.len()
            )
            .into(),
        ));
    }
    if M::META.auto_key().is_some() {
        return Ok(by_generated_key(back));
    }
    matched_by_key(sent, back, true)
}

/// The key values of `row`.
pub(crate) fn key_of<M: Model>(row: &M) -> Vec<Value> {
    let mut key = Vec::with_capacity(M::META.keys.len());
    row.push_key_values(&mut key);
    key
}

/// Rows with a generated key, in the order it was generated: the order of the VALUES list
/// that inserted them (see [`in_input_order`]).
pub(crate) fn by_generated_key<M: Model>(mut back: Vec<M>) -> Vec<M> {
    let generated = |row: &M| match key_of(row).first() {
        Some(Value::I64(k)) => *k,
        Some(Value::I32(k)) => i64::from(*k),
        Some(Value::I16(k)) => i64::from(*k),
        _ => i64::MAX,
    };
    back.sort_by_key(generated);
    back
}

/// The rows of `back` in the order of the rows of `sent` with the same key; with `every`,
/// each sent row must have one (else the sent rows without one are left out, and a key
/// sent twice matches once, at its first row).
pub(crate) fn matched_by_key<M: Model>(sent: &[M], back: Vec<M>, every: bool) -> Result<Vec<M>> {
    let mut keyed: Vec<(Vec<Value>, M)> = back.into_iter().map(|row| (key_of(&row), row)).collect();
    let mut out = Vec::with_capacity(keyed.len());
    for row in sent {
        let wanted = key_of(row);
        match keyed.iter().position(|(k, _)| *k == wanted) {
            Some(at) => out.push(keyed.swap_remove(at).1),
            None if every => {
                return Err(Error::Internal(
                    "RETURNING gave back no row for a row that was sent".into(),
                ));
            }
            None => {}
        }
    }
    if !keyed.is_empty() {
        return Err(Error::Internal(
            "RETURNING gave back a row that was not sent".into(),
        ));
    }
    Ok(out)
}

impl<M: Model> Plan for UpdateRow<'_, M> {
    type Output = ();
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        let mut binds = Vec::with_capacity(M::META.columns.len());
        self.row.push_update_values(&mut binds);
        self.row.push_key_values(&mut binds);
        let d = conn.dialect();
        write_one_by_key::<M, C>(conn, CachedSql::UpdateByKey, render::update_by_key, binds)
            .await
            .map_err(|e| name_refused_field(e, d, std::slice::from_ref(self.row)))
    }
}

impl<M: Model> Plan for DeleteRow<'_, M> {
    type Output = ();
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        let mut key = Vec::with_capacity(M::META.keys.len());
        self.row.push_key_values(&mut key);
        write_one_by_key::<M, C>(conn, CachedSql::DeleteByKey, render::delete_by_key, key).await
    }
}

/// Runs one of the model's cached by-key writes (`which`, rendered by `render` on first
/// use) with `binds`; [`Error::NotFound`] when no row has the key.
async fn write_one_by_key<M: Model, C: Connection>(
    conn: &mut C,
    which: CachedSql,
    render: fn(Dialect, &ModelMeta) -> Result<SqlTemplate>,
    binds: Vec<Value>,
) -> Result<()> {
    let d = conn.dialect();
    let t = M::sql_cache().get_or_render(d, which, || render(d, M::META))?;
    let done = conn.execute(t.bind(binds)?).await.map_err(drift::<M>)?;
    if done.rows_affected == 0 {
        Err(M::META.not_found())
    } else {
        Ok(())
    }
}

/// Update by filter: the number of rows matched.
pub struct UpdateWhere<M> {
    /// The filter.
    pub parts: QueryParts,
    /// The assignments.
    pub assignments: Vec<(ColumnRef, ast::Scalar)>,
    /// The model.
    pub model: PhantomData<fn() -> M>,
}

impl<M: Model> Plan for UpdateWhere<M> {
    type Output = u64;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<u64> {
        let st = render::update_where(conn.dialect(), M::META, &self.parts, &self.assignments)?;
        Ok(conn.execute(st).await.map_err(drift::<M>)?.rows_affected)
    }
}

/// Delete by filter: the number of rows deleted.
pub struct DeleteWhere<M> {
    /// The filter.
    pub parts: QueryParts,
    /// The model.
    pub model: PhantomData<fn() -> M>,
}

impl<M: Model> Plan for DeleteWhere<M> {
    type Output = u64;
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<u64> {
        let st = render::delete_where(conn.dialect(), M::META, &self.parts)?;
        Ok(conn.execute(st).await.map_err(drift::<M>)?.rows_affected)
    }
}

impl<M: Model> Plan for CreateTable<M> {
    type Output = ();
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        for st in ddl::create_table(conn.dialect(), M::META)? {
            conn.execute(st).await?;
        }
        Ok(())
    }
}

impl<M: Model> Plan for DropTable<M> {
    type Output = ();
    fn access(&self) -> Access {
        Access::write().on_table(M::META.table)
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        conn.execute(ddl::drop_table(conn.dialect(), M::META)?)
            .await?;
        Ok(())
    }
}

/// Raw SQL that returns no rows: affected rows.
pub struct RawExecute {
    /// The SQL, with `?` placeholders.
    pub sql: String,
    /// The values.
    pub binds: Vec<Value>,
}

impl Plan for RawExecute {
    type Output = u64;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<u64> {
        let st = render::raw(conn.dialect(), &self.sql, self.binds)?;
        Ok(conn.execute(st).await?.rows_affected)
    }
}

/// Collects rows of a raw query as `T`.
pub struct CollectRows<T>(pub Vec<T>);

impl<T: FromRow> RowSink for CollectRows<T> {
    type Item = T;
    #[inline]
    fn decode<R: RowReader + ?Sized>(row: &R) -> Result<T> {
        T::decode_row(row)
    }
    #[inline]
    fn push(&mut self, item: T) -> Result<()> {
        self.0.push(item);
        Ok(())
    }
}

/// Learns which [`Server`] a connection reached, where its dialect covers more than one
/// (MySQL or MariaDB): the dialect's
/// [`server_version_query`](crate::SqlDialect::server_version_query), its answer classified
/// by [`server_of`](crate::SqlDialect::server_of); [`Server::Standard`] without a query,
/// and nothing sent. Both engines run it once when a connection (blocking) or a pool
/// (async) opens, and report the answer as [`Connection::server`].
#[derive(Debug, Clone, Copy, Default)]
pub struct IdentifyServer;

impl Plan for IdentifyServer {
    type Output = Server;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Server> {
        let rules = conn.dialect().rules();
        let Some(query) = rules.server_version_query() else {
            return Ok(Server::Standard);
        };
        let version: String = scalar(conn, Statement::plain(query)).await?;
        Ok(rules.server_of(&version))
    }
}

/// Raw SQL whose rows decode into columns or tuples.
pub struct RawRows<T> {
    /// The SQL, with `?` placeholders.
    pub sql: String,
    /// The values.
    pub binds: Vec<Value>,
    /// What a row decodes into.
    pub row: PhantomData<fn() -> T>,
}

impl<T: FromRow> Plan for RawRows<T> {
    type Output = Vec<T>;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<T>> {
        let st = render::raw(conn.dialect(), &self.sql, self.binds)?;
        Ok(conn.fetch(st, CollectRows(Vec::new())).await?.0)
    }
}

/// Raw SQL whose rows decode into a model.
pub struct RawFetch<M> {
    /// The SQL, with `?` placeholders.
    pub sql: String,
    /// The values.
    pub binds: Vec<Value>,
    /// The model.
    pub model: PhantomData<fn() -> M>,
}

impl<M: Model> Plan for RawFetch<M> {
    type Output = Vec<M>;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Vec<M>> {
        let st = render::raw(conn.dialect(), &self.sql, self.binds)?;
        Ok(conn.fetch(st, Collect(Vec::new())).await?.0)
    }
}
