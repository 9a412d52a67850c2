//! The async handles as ambidex-core [`Executor`]s: how `query.all(&db)` becomes a future.
//!
//! Every terminal method in ambidex-core builds a [`Plan`] and hands it to the handle it was
//! given. Here, `&Db` runs the plan on a freshly acquired pooled connection and `&mut Tx`
//! on the transaction's connection. The result is a boxed `Send` future, so it can be
//! awaited on any Tokio worker and spawned freely.

use std::future::Future;
use std::pin::Pin;

use ambidex_core::stream::Pages;
use ambidex_core::{Executor, Model, Plan, Result, RowStream, Streaming};

use crate::backend::SqlxBackend;
use crate::db::Database;
use crate::transaction::Tx;

/// A boxed, `Send` future: what every async terminal method returns, and what a
/// transaction closure returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl<'e, B: SqlxBackend> Executor<'e> for &'e Database<B> {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        Box::pin(async move {
            if let Some(replicas) = &self.shared.replicas {
                return replicas.run(self, plan).await;
            }
            let mut conn = self.checkout().await?;
            B::run(&mut conn, plan).await
        })
    }
}

/// `query.stream(&db)` is a `Stream`, one page of rows per query.
impl<'e, B: SqlxBackend> Streaming<'e> for &'e Database<B> {
    type Rows<M: Model> = RowStream<'e, M>;

    fn rows<M: Model>(self, pages: Result<Pages<M>>) -> RowStream<'e, M> {
        RowStream::new(self, pages)
    }
}

impl<'e, B: SqlxBackend> Executor<'e> for &'e mut Database<B> {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        <&'e Database<B> as Executor<'e>>::run(self, plan)
    }
}

impl<'e, B: SqlxBackend> Executor<'e> for &'e mut Tx<B> {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        Box::pin(async move {
            crate::db::require_runtime::<B>()?;
            B::run(self.conn_mut(), plan).await
        })
    }
}
