//! Which backend a connection speaks. The enum is part of the engine seam (every
//! [`Connection`](super::Connection) reports its dialect, caches are indexed by it); what
//! each backend's SQL looks like is `sql/dialect/`'s business, through
//! [`Dialect::rules`](crate::sql::dialect::SqlDialect).

/// The SQL dialect of a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// SQLite 3.35 or later.
    Sqlite,
    /// PostgreSQL 12 or later.
    Postgres,
    /// MySQL 8 or MariaDB 10.5 or later.
    Mysql,
}

impl Dialect {
    /// Every dialect, for tests and caches.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    /// A dense index (0, 1, 2), for per-dialect caches.
    pub fn index(self) -> usize {
        match self {
            Dialect::Sqlite => 0,
            Dialect::Postgres => 1,
            Dialect::Mysql => 2,
        }
    }
}
