//! Streaming a large result with flat memory: `query.stream(&db)`, an `Iterator` with a
//! blocking handle and a `Stream` with an async one, over the same pages.
//!
//! # How
//!
//! The rows come in pages of [`PAGE_ROWS`], each an ordinary query (a [`FetchAll`] plan,
//! so every engine and backend runs it unchanged) continuing after the last row seen:
//! `... WHERE (filter) AND key > ? ORDER BY key LIMIT 1000` (keyset pagination). Memory
//! holds one page, whatever the size of the result; nothing stays open between pages, so
//! dropping the iterator or stream early frees nothing but the page, and no connection
//! is held while the caller works on the rows.
//!
//! The order is the query's `order_by` columns followed by the primary key's (all of
//! them, for a composite key), so that the sequence is total:
//! `ORDER BY name, id` continues with `WHERE name > ? OR (name = ? AND id > ?)`. Without
//! `order_by` a stream is in key order. Ordering by a nullable column or an aggregate is
//! refused with [`Error::InvalidQuery`] (NULLs have no place in a keyset sequence); sort
//! in Rust, or use `all`. `limit` and `offset` apply. Outside a transaction, pages are
//! separate statements: a row written meanwhile may or may not appear, but no row appears
//! twice and none that existed throughout is missed.

use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::engine::Executor;
use crate::error::{Error, Result};
use crate::model::{Model, column_values};
use crate::ops::FetchAll;
use crate::query::ast::{CmpOp, ColumnRef, Node, Operand, OrderTerm, QueryParts};
use crate::query::select::and_filter;
use crate::value::Value;

/// Rows per page.
pub const PAGE_ROWS: u64 = 1000;

/// One term of a keyset order: a column, its index in the model's columns, and its
/// direction.
#[derive(Clone, Copy)]
pub(crate) struct KeysetTerm {
    pub(crate) column: ColumnRef,
    pub(crate) index: usize,
    pub(crate) ascending: bool,
}

/// A query's keyset order: its `order_by` columns followed by the primary key's, so that
/// the sequence is total. Streams (here) and pages (`ops::page`) both continue with
/// [`Keyset::after`], the one place that condition is built.
#[derive(Clone)]
pub(crate) struct Keyset {
    pub(crate) terms: Vec<KeysetTerm>,
}

impl Keyset {
    /// The keyset order of `parts` for `M`, which it also writes into `parts.order`, or
    /// why there is none. `what` (`"stream()"`) and `instead` (`"Sort in Rust, or use
    /// all()"`) make the messages.
    pub(crate) fn order<M: Model>(
        parts: &mut QueryParts,
        what: &str,
        instead: &str,
    ) -> Result<Keyset> {
        let meta = M::META;
        let mut terms = Vec::with_capacity(parts.order.len() + meta.keys.len());
        for term in &parts.order {
            let refused = |why: &str| {
                Error::InvalidQuery(
                    format!(
                        "{what} reads {} in keyset order, continuing after the last row's \
                         values of its order_by columns; {why}. {instead}",
                        meta.name
                    )
                    .into(),
                )
            };
            let Operand::Column(column) = term.operand else {
                return Err(refused(
                    "it cannot order by an aggregate or a computed value",
                ));
            };
            let index = meta
                .columns
                .iter()
                .position(|c| column.table == meta.table && c.name == column.name)
                .ok_or_else(|| refused("it can only order by the model's own columns"))?;
            if meta.columns[index].nullable {
                return Err(refused(&format!(
                    "`{}` can be NULL, and NULLs have no place in that sequence",
                    column.name
                )));
            }
            terms.push(KeysetTerm {
                column,
                index,
                ascending: term.ascending,
            });
        }
        // The key ends the order, so that rows with equal order_by values still have one
        // sequence and a page boundary between them loses none and repeats none.
        for (column, &index) in meta.key_refs().zip(meta.keys) {
            if !terms.iter().any(|t| t.index == index) {
                terms.push(KeysetTerm {
                    column,
                    index,
                    ascending: true,
                });
            }
        }
        parts.order = terms
            .iter()
            .map(|t| OrderTerm {
                operand: Operand::Column(t.column),
                ascending: t.ascending,
            })
            .collect();
        Ok(Keyset { terms })
    }

    /// The values of the order's terms in `row`, in the order's sequence.
    pub(crate) fn values_of<M: Model>(&self, row: &M) -> Vec<Value> {
        let all = column_values(row);
        // Cloned, not taken: a column ordered by twice is two terms with one value.
        self.terms.iter().map(|t| all[t.index].clone()).collect()
    }

    /// `(t1 > v1) OR (t1 = v1 AND t2 > v2) OR ...`: the rows after the row whose term
    /// values are `after` (one per term, in order; `<` for descending terms).
    pub(crate) fn after(&self, after: &[Value]) -> Node {
        Node::any(self.terms.iter().zip(after).enumerate().map(|(i, (t, v))| {
            let equal_before = self.terms[..i]
                .iter()
                .zip(after)
                .map(|(prev, pv)| Node::equals(prev.column, pv.clone()));
            let beyond = Node::Compare {
                column: t.column,
                op: if t.ascending { CmpOp::Gt } else { CmpOp::Lt },
                value: v.clone(),
            };
            Node::all(equal_before.chain([beyond]))
        }))
    }
}

/// Where a stream is: the query, the order's values in the last row read, and how many
/// rows may still come.
pub struct Pages<M> {
    parts: QueryParts,
    keyset: Keyset,
    after: Option<Vec<Value>>,
    remaining: Option<u64>,
    offset: Option<u64>,
    done: bool,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> Pages<M> {
    /// The pages of `parts`' rows, or why it cannot be streamed.
    pub fn new(mut parts: QueryParts) -> Result<Self> {
        let keyset = Keyset::order::<M>(&mut parts, "stream()", "Sort in Rust, or use all()")?;
        let (remaining, offset) = (parts.limit.take(), parts.offset.take());
        Ok(Pages {
            parts,
            keyset,
            after: None,
            remaining,
            offset,
            done: false,
            _model: PhantomData,
        })
    }

    /// The plan for the next page, or `None` when the rows are exhausted.
    fn next_plan(&mut self) -> Option<FetchAll<M>> {
        if self.done || self.remaining == Some(0) {
            return None;
        }
        let mut parts = self.parts.clone();
        if let Some(after) = &self.after {
            parts = and_filter(parts, self.keyset.after(after));
        }
        parts.offset = self.offset.take();
        parts.limit = Some(self.remaining.map_or(PAGE_ROWS, |r| r.min(PAGE_ROWS)));
        Some(FetchAll {
            parts,
            model: PhantomData,
        })
    }

    /// Records a page that came back.
    fn took(&mut self, page: &[M]) {
        let n = page.len() as u64;
        if n < PAGE_ROWS {
            self.done = true;
        }
        if let Some(r) = &mut self.remaining {
            *r = r.saturating_sub(n);
        }
        match page.last() {
            Some(last) => self.after = Some(self.keyset.values_of(last)),
            None => self.done = true,
        }
    }
}

/// A handle that can stream: what `query.stream(db)` returns with it.
pub trait Streaming<'e>: Executor<'e> + Copy {
    /// An `Iterator` of `Result<M>` for blocking handles, a `Stream` for async ones.
    type Rows<M: Model>;

    /// Streams the pages.
    fn rows<M: Model>(self, pages: Result<Pages<M>>) -> Self::Rows<M>;
}

/// The rows of a stream on a blocking handle: each `next` returns a row, running the next
/// page's query when the current page is used up. An error ends the iteration after it
/// is returned.
pub struct RowIter<'e, M, E> {
    db: E,
    pages: Option<Pages<M>>,
    page: VecDeque<M>,
    failed: Option<Error>,
    _life: PhantomData<&'e ()>,
}

impl<'e, M: Model, E> RowIter<'e, M, E>
where
    E: Executor<'e, Output<Vec<M>> = Result<Vec<M>>> + Copy,
{
    /// Streams `pages` (or returns its error first) on `db`.
    pub fn new(db: E, pages: Result<Pages<M>>) -> Self {
        let (pages, failed) = match pages {
            Ok(p) => (Some(p), None),
            Err(e) => (None, Some(e)),
        };
        RowIter {
            db,
            pages,
            page: VecDeque::new(),
            failed,
            _life: PhantomData,
        }
    }
}

impl<'e, M: Model, E> Iterator for RowIter<'e, M, E>
where
    E: Executor<'e, Output<Vec<M>> = Result<Vec<M>>> + Copy,
{
    type Item = Result<M>;

    fn next(&mut self) -> Option<Result<M>> {
        if let Some(e) = self.failed.take() {
            self.pages = None;
            return Some(Err(e));
        }
        loop {
            if let Some(row) = self.page.pop_front() {
                return Some(Ok(row));
            }
            let pages = self.pages.as_mut()?;
            let plan = pages.next_plan()?;
            match self.db.run(plan) {
                Ok(rows) => {
                    pages.took(&rows);
                    if rows.is_empty() {
                        self.pages = None;
                        return None;
                    }
                    self.page = rows.into();
                }
                Err(e) => {
                    self.pages = None;
                    return Some(Err(e));
                }
            }
        }
    }
}

type PageFuture<'e, M> = Pin<Box<dyn Future<Output = Result<Vec<M>>> + Send + 'e>>;

/// The rows of a stream on an async handle: a `futures::Stream` of `Result<M>` that runs
/// the next page's query when the current page is used up. `Send`; an error ends it after
/// it is yielded.
pub struct RowStream<'e, M> {
    run: Box<dyn Fn(FetchAll<M>) -> PageFuture<'e, M> + Send + Sync + 'e>,
    pages: Option<Pages<M>>,
    page: VecDeque<M>,
    pending: Option<PageFuture<'e, M>>,
    failed: Option<Error>,
}

impl<'e, M: Model> RowStream<'e, M> {
    /// Streams `pages` (or yields its error first) on `db`.
    pub fn new<E>(db: E, pages: Result<Pages<M>>) -> Self
    where
        E: Executor<'e, Output<Vec<M>> = PageFuture<'e, M>> + Copy + Send + Sync + 'e,
    {
        let (pages, failed) = match pages {
            Ok(p) => (Some(p), None),
            Err(e) => (None, Some(e)),
        };
        RowStream {
            run: Box::new(move |plan| db.run(plan)),
            pages,
            page: VecDeque::new(),
            pending: None,
            failed,
        }
    }

    fn poll_row(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<M>>> {
        if let Some(e) = self.failed.take() {
            self.pages = None;
            return Poll::Ready(Some(Err(e)));
        }
        loop {
            if let Some(row) = self.page.pop_front() {
                return Poll::Ready(Some(Ok(row)));
            }
            if self.pending.is_none() {
                let Some(plan) = self.pages.as_mut().and_then(Pages::next_plan) else {
                    return Poll::Ready(None);
                };
                self.pending = Some((self.run)(plan));
            }
            let Some(pending) = self.pending.as_mut() else {
                return Poll::Ready(None);
            };
            let outcome = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(outcome) => outcome,
            };
            self.pending = None;
            match outcome {
                Ok(rows) => {
                    if let Some(pages) = self.pages.as_mut() {
                        pages.took(&rows);
                    }
                    if rows.is_empty() {
                        self.pages = None;
                        return Poll::Ready(None);
                    }
                    self.page = rows.into();
                }
                Err(e) => {
                    self.pages = None;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

impl<M: Model> futures_core::Stream for RowStream<'_, M> {
    type Item = Result<M>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<M>>> {
        // Every field is `Unpin` (models are, and the futures are boxed).
        self.get_mut().poll_row(cx)
    }
}
