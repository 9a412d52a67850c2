//! Sending a statement through sqlx, written once for every backend: the SQL text (which
//! sqlx prepares once per connection and caches by that text) with its arguments, on the
//! backend's own connection. Only what the driver reports after a statement differs per
//! backend ([`super::Backend::executed`]).

use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use sqlx::{AssertSqlSafe, Database, Executor, IntoArguments};

/// A sqlx database type whose connections run a statement with its arguments.
pub trait Driver: Database {
    /// Runs a query and streams its rows.
    fn fetch<'c>(
        conn: &'c mut Self::Connection,
        sql: Arc<String>,
        args: Self::Arguments,
    ) -> BoxStream<'c, Result<Self::Row, sqlx::Error>>;

    /// Runs a statement that returns no rows, with what the driver reports of it.
    fn execute<'c>(
        conn: &'c mut Self::Connection,
        sql: Arc<String>,
        args: Self::Arguments,
    ) -> BoxFuture<'c, Result<Self::QueryResult, sqlx::Error>>;
}

impl<DB: Database> Driver for DB
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
{
    #[inline]
    fn fetch<'c>(
        conn: &'c mut DB::Connection,
        sql: Arc<String>,
        args: DB::Arguments,
    ) -> BoxStream<'c, Result<DB::Row, sqlx::Error>> {
        sqlx::query_with(AssertSqlSafe(sql), args).fetch(conn)
    }

    #[inline]
    fn execute<'c>(
        conn: &'c mut DB::Connection,
        sql: Arc<String>,
        args: DB::Arguments,
    ) -> BoxFuture<'c, Result<DB::QueryResult, sqlx::Error>> {
        conn.execute(sqlx::query_with(AssertSqlSafe(sql), args))
    }
}
