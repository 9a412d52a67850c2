//! Blocking handles as [`Executor`]s: terminal methods return plain `Result`s.
//!
//! Each call checks out a connection (or uses the transaction's) and runs the shared plan
//! to completion in one poll.

use ambidex_core::{Executor, Plan, Result, complete};

use crate::backend::DieselBackend;
use crate::db::Database;
use crate::transaction::Tx;

impl<'e, C: DieselBackend> Executor<'e> for &'e Database<C> {
    type Output<T: Send + 'static> = Result<T>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        let mut conn = self.checkout()?;
        complete(plan.run(&mut *conn))
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
