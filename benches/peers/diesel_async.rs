//! Hand-written diesel-async, as its README has a user write it: `AsyncPgConnection` /
//! `AsyncMysqlConnection` established once and held (its pools are optional extras), with
//! the same DSL text as the blocking diesel contender ([`diesel_op!`] with `await`).
//! diesel-async has no SQLite connection of its own (only a wrapper that runs the blocking
//! one on a thread), so it runs on the servers only.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::TryStreamExt;

use ambidex_benches::harness::{Async, BoxFuture};
use ambidex_benches::workload::{Check, Op};

use crate::diesel::{insert_returning, insert_then_read};
use crate::diesel_schema::*;

/// One held diesel-async connection.
pub enum DieselAsync {
    /// PostgreSQL (tokio-postgres underneath).
    Pg(Box<AsyncPgConnection>),
    /// MySQL / MariaDB (mysql_async underneath).
    Mysql(AsyncMysqlConnection),
}

impl DieselAsync {
    /// Connects to PostgreSQL.
    pub async fn postgres(url: &str) -> DieselAsync {
        let conn = AsyncPgConnection::establish(url).await;
        DieselAsync::Pg(Box::new(conn.expect("diesel-async")))
    }

    /// Connects to MySQL / MariaDB.
    pub async fn mysql(url: &str) -> DieselAsync {
        DieselAsync::Mysql(
            AsyncMysqlConnection::establish(url)
                .await
                .expect("diesel-async"),
        )
    }
}

async fn pg_op(conn: &mut AsyncPgConnection, op: Op, i: usize) -> Check {
    diesel_op!(conn, op, i, insert_returning, await).expect("diesel-async")
}

async fn mysql_op(conn: &mut AsyncMysqlConnection, op: Op, i: usize) -> Check {
    diesel_op!(conn, op, i, insert_then_read, await).expect("diesel-async")
}

/// `load_stream`: rows as they arrive, counted.
macro_rules! stream {
    ($conn:expr) => {
        bench_stream::table
            .select(DStreamRow::as_select())
            .load_stream::<DStreamRow>($conn)
            .await
            .expect("diesel-async stream")
            .try_fold(0, |n, row| {
                std::hint::black_box(row);
                std::future::ready(Ok(n + 1))
            })
            .await
            .expect("diesel-async stream")
    };
}

impl Async for DieselAsync {
    fn name(&self) -> String {
        "diesel-async (held)".into()
    }

    fn run(&mut self, op: Op, i: usize) -> BoxFuture<'_, Check> {
        Box::pin(async move {
            match (self, op) {
                (DieselAsync::Pg(conn), Op::Stream) => stream!(conn),
                (DieselAsync::Mysql(conn), Op::Stream) => stream!(conn),
                (DieselAsync::Pg(conn), _) => pg_op(conn, op, i).await,
                (DieselAsync::Mysql(conn), _) => mysql_op(conn, op, i).await,
            }
        })
    }
}
