//! The conformance suite: every behaviour written once, instantiated in every cell of the
//! matrix (API world x engine x backend), with the cell in each test's path so a failure
//! names it: `blocking_diesel_sqlite::query::ne_matches_null_rows`.
//!
//! A scenario is written as the body of an `async` block in which every database call is
//! wrapped in `aw!(...)`. In an async cell `aw!` is `.await`; in a blocking cell it is
//! nothing, and the block (which then never suspends) is completed in one poll. The
//! world-specific shapes (transaction closures, catching panics) have one macro each,
//! defined per world in `harness.rs`. Adding a cell is one `cell!` line below.

#[macro_use]
mod harness;
mod models;
#[macro_use]
mod scenarios;

cell!(
    blocking_diesel_sqlite,
    blocking,
    "sqlite",
    crate::harness::sqlite_blocking
);
cell!(
    blocking_diesel_postgres,
    blocking,
    "postgres",
    crate::harness::postgres_blocking
);
cell!(
    blocking_diesel_mysql,
    blocking,
    "mysql",
    crate::harness::mysql_blocking
);
cell!(
    async_sqlx_sqlite,
    async,
    "sqlite",
    crate::harness::sqlite_async
);
cell!(
    async_sqlx_postgres,
    async,
    "postgres",
    crate::harness::postgres_async
);
cell!(
    async_sqlx_mysql,
    async,
    "mysql",
    crate::harness::mysql_async
);
