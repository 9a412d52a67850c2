//! Blocking handles as [`Executor`]s: terminal methods return plain `Result`s.
//!
//! Each call checks out a connection (or uses the transaction's) and runs the shared plan
//! to completion in one poll.

use ambidex_core::stream::Pages;
use ambidex_core::{Executor, Model, Plan, Result, RowIter, Streaming, complete};

use crate::backend::DieselBackend;
use crate::db::Database;
use crate::transaction::Tx;

impl<'e, C: DieselBackend> Executor<'e> for &'e Database<C> {
    type Output<T: Send + 'static> = Result<T>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        if let Some(replicas) = &self.replicas {
            return replicas.run(self, plan);
        }
        let mut conn = self.checkout()?;
        complete(plan.run(&mut *conn))
    }
}

/// `query.stream(&db)` is an `Iterator`, one page of rows per query.
impl<'e, C: DieselBackend> Streaming<'e> for &'e Database<C> {
    type Rows<M: Model> = RowIter<'e, M, Self>;

    fn rows<M: Model>(self, pages: Result<Pages<M>>) -> RowIter<'e, M, Self> {
        RowIter::new(self, pages)
    }
}

impl<'e, C: DieselBackend> Executor<'e> for &'e mut Database<C> {
    type Output<T: Send + 'static> = Result<T>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        (&*self).run(plan)
    }
}

impl<'e, C: DieselBackend> Executor<'e> for &'e mut Tx<C> {
    type Output<T: Send + 'static> = Result<T>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        complete(plan.run(&mut *self.conn))
    }
}
