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

#[cfg(feature = "async")]
#[allow(unused_imports)]
use ambidex::SqlxTx as SqlxAsyncTx;
#[cfg(all(feature = "blocking", feature = "async"))]
#[allow(unused_imports)]
use ambidex::blocking::SqlxTx;
#[cfg(feature = "blocking")]
#[allow(unused_imports)]
use ambidex::blocking::Tx as DieselTx;

// API world, engine, backend: one line per cell. The `async_default_*` cells run
// `ambidex::Db`, whose engine is the one chosen for the backend (`ambidex::Engine`).
cell!(
    blocking_diesel_sqlite,
    blocking,
    "sqlite",
    crate::harness::sqlite_blocking,
    crate::harness::DieselTx
);
cell!(
    blocking_diesel_postgres,
    blocking,
    "postgres",
    crate::harness::postgres_blocking,
    crate::harness::DieselTx
);
cell!(
    blocking_diesel_mysql,
    blocking,
    "mysql",
    crate::harness::mysql_blocking,
    crate::harness::DieselTx
);
cell!(
    async_sqlx_sqlite,
    async,
    "sqlite",
    crate::harness::sqlite_async,
    crate::harness::SqlxAsyncTx
);
cell!(
    async_sqlx_postgres,
    async,
    "postgres",
    crate::harness::postgres_async,
    crate::harness::SqlxAsyncTx
);
cell!(
    async_sqlx_mysql,
    async,
    "mysql",
    crate::harness::mysql_async,
    crate::harness::SqlxAsyncTx
);
cell!(
    blocking_sqlx_sqlite,
    blocking_shim,
    "sqlite",
    crate::harness::sqlite_sqlx_blocking,
    crate::harness::SqlxTx
);
cell!(
    blocking_sqlx_postgres,
    blocking_shim,
    "postgres",
    crate::harness::postgres_sqlx_blocking,
    crate::harness::SqlxTx
);
cell!(
    blocking_sqlx_mysql,
    blocking_shim,
    "mysql",
    crate::harness::mysql_sqlx_blocking,
    crate::harness::SqlxTx
);
cell!(
    async_diesel_sqlite,
    async_shim,
    "sqlite",
    crate::harness::sqlite_diesel_async,
    crate::harness::DieselAsyncTx
);
cell!(
    async_diesel_postgres,
    async_shim,
    "postgres",
    crate::harness::postgres_diesel_async,
    crate::harness::DieselAsyncTx
);
cell!(
    async_diesel_mysql,
    async_shim,
    "mysql",
    crate::harness::mysql_diesel_async,
    crate::harness::DieselAsyncTx
);
cell!(
    async_default_sqlite,
    async,
    "sqlite",
    crate::harness::sqlite_default_async,
    crate::harness::DefaultAsyncTx
);
cell!(
    async_default_postgres,
    async,
    "postgres",
    crate::harness::postgres_default_async,
    crate::harness::DefaultAsyncTx
);
cell!(
    async_default_mysql,
    async,
    "mysql",
    crate::harness::mysql_default_async,
    crate::harness::DefaultAsyncTx
);
