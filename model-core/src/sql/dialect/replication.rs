//! What each backend says about replication: the statements that read a server's
//! replication position and a replica's lag, for [`crate::routing`].
//!
//! PostgreSQL counts in WAL positions (LSNs): `pg_current_wal_lsn()` on the primary,
//! `pg_last_wal_replay_lsn()` on a standby. MariaDB counts in GTIDs: `@@gtid_binlog_pos`
//! on the primary, `@@gtid_slave_pos` on a replica (one `domain-server-sequence` per
//! replication domain). SQLite has no replication.

use super::Dialect;

/// The statement that reads the primary's current write position as text (one row, one
/// column), or `None` where the backend has no such position.
pub fn primary_position(dialect: Dialect) -> Option<&'static str> {
    match dialect {
        Dialect::Postgres => Some("SELECT pg_current_wal_lsn()::text"),
        Dialect::Mysql => Some("SELECT @@GLOBAL.gtid_binlog_pos"),
        Dialect::Sqlite => None,
    }
}

/// The statement that reads how far a replica has applied its primary's changes, as text
/// (one row, one column; NULL when the server is not replaying).
pub fn replica_position(dialect: Dialect) -> Option<&'static str> {
    match dialect {
        Dialect::Postgres => Some("SELECT pg_last_wal_replay_lsn()::text"),
        Dialect::Mysql => Some("SELECT @@GLOBAL.gtid_slave_pos"),
        Dialect::Sqlite => None,
    }
}

/// The statement that measures a replica's lag in seconds, and the column that holds it.
///
/// PostgreSQL: 0 when everything received is replayed (an idle primary is not lag),
/// otherwise the age of the last replayed transaction; 0 on a server that is not in
/// recovery. MariaDB/MySQL: `Seconds_Behind_Master` (column 32 of `SHOW SLAVE STATUS`),
/// NULL when the SQL thread is stopped; no row on a server that is not a replica.
pub fn replica_lag(dialect: Dialect) -> Option<(&'static str, usize)> {
    match dialect {
        Dialect::Postgres => Some((
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0.0::float8 \
             WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() \
             THEN 0.0::float8 \
             ELSE COALESCE(EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))::float8, 0.0) \
             END",
            0,
        )),
        Dialect::Mysql => Some(("SHOW SLAVE STATUS", 32)),
        Dialect::Sqlite => None,
    }
}
