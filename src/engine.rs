//! Which engine runs the async API: [`Engine`], and the default for each backend.
//!
//! The async API has two engines with the same behaviour: sqlx ([`crate::SqlxDb`]) and
//! diesel behind the bounded worker pool ([`crate::DieselDb`]). [`crate::Db`] picks one
//! per backend from measurements (`benches/default_engine.rs`, figures in `docs/guide/performance.md`):
//!
//! - **SQLite: diesel.** sqlx runs each SQLite connection on a thread of its own and sends
//!   every row across threads; diesel on the worker pool loads 1,000 rows 3-5x faster,
//!   and ties on single-row lookups and inserts.
//! - **PostgreSQL and MariaDB: sqlx.** With 100 concurrent tasks sqlx does primary-key
//!   lookups and inserts 1.2-1.8x faster (a thread per connection costs more than async
//!   I/O when many callers share 2 cores); sequentially the engines tie, except loads on
//!   MariaDB, where diesel is faster.
//!
//! Choose another with [`crate::DbBuilder::engine`], or open the engine's own handle.

use std::fmt;

use ambidex_core::Dialect;

/// An engine behind the async API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Engine {
    /// sqlx's pools on Tokio: async I/O all the way down ([`crate::SqlxDb`]).
    Sqlx,
    /// diesel on a bounded pool of worker threads, one per connection
    /// ([`crate::DieselDb`]); needs the `blocking` feature.
    Diesel,
}

impl Engine {
    /// The engine [`crate::Db`] uses for `dialect` unless told otherwise: diesel for
    /// SQLite (when the `blocking` feature is on), sqlx for PostgreSQL and MySQL/MariaDB.
    /// See the module docs for the measurements behind it.
    pub fn default_for(dialect: Dialect) -> Engine {
        match dialect {
            Dialect::Sqlite if cfg!(feature = "blocking") => Engine::Diesel,
            _ => Engine::Sqlx,
        }
    }

    /// The engine's name: `"sqlx"` or `"diesel"`.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlx => "sqlx",
            Engine::Diesel => "diesel",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_default_to_sqlx() {
        assert_eq!(Engine::default_for(Dialect::Postgres), Engine::Sqlx);
        assert_eq!(Engine::default_for(Dialect::Mysql), Engine::Sqlx);
    }

    #[test]
    fn sqlite_defaults_to_diesel_when_it_is_compiled_in() {
        let expected = if cfg!(feature = "blocking") {
            Engine::Diesel
        } else {
            Engine::Sqlx
        };
        assert_eq!(Engine::default_for(Dialect::Sqlite), expected);
        assert_eq!(Engine::Diesel.to_string(), "diesel");
    }
}
