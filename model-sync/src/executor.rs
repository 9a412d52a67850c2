//! Blocking handles as [`Executor`]s: terminal methods return plain `Result`s.
//!
//! Each call checks out a connection (or uses the transaction's) and runs the shared plan
//! to completion in one poll.

use ambidex_core::{Executor, Plan, Result, complete};

use crate::db::Db;
use crate::transaction::Tx;

impl<'e> Executor<'e> for &'e Db {
    type Output<T: Send + 'static> = Result<T>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        let mut conn = self.checkout()?;
        complete(plan.run(&mut *conn))
    }
}

impl<'e> Executor<'e> for &'e mut Db {
    type Output<T: Send + 'static> = Result<T>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        (&*self).run(plan)
    }
}

impl<'e> Executor<'e> for &'e mut Tx {
    type Output<T: Send + 'static> = Result<T>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Result<P::Output> {
        complete(plan.run(&mut *self.conn))
    }
}
