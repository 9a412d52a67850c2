//! Which backend a connection speaks, and which server it reached. The enum is part of the engine seam (every
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

/// Which server a connection reached, where its [`Dialect`] alone does not tell: MySQL and
/// MariaDB both speak [`Dialect::Mysql`], but only MariaDB (10.5 or later) has
/// `INSERT ... RETURNING`. An engine learns it once when it opens a connection (the blocking
/// engine) or a pool (the async engine, whose connections all reach one server), by running
/// the dialect's `server_version_query` and handing the answer to its `server_of`; it
/// reports it with [`Connection::server`](super::Connection::server), and the plans ask the
/// dialect what that server allows (`SqlDialect::insert_returning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Server {
    /// The server the dialect is named for, or one that was not identified: SQLite,
    /// PostgreSQL, MySQL (or MariaDB older than 10.5). Nothing beyond the dialect's rules.
    #[default]
    Standard,
    /// MariaDB 10.5 or later: `INSERT ... RETURNING` on top of the MySQL dialect.
    Mariadb,
}
