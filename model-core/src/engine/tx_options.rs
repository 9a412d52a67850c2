//! How a transaction is opened: [`TxOptions`] (isolation level, read-only). Handles take
//! them from users, the dialects turn them into `BEGIN`/`SET TRANSACTION` text
//! (`crate::sql::dialect`), and `crate::ops::transaction` sends that text; so the options
//! sit here, below all three.

/// An isolation level for [`TxOptions::isolation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IsolationLevel {
    /// `READ UNCOMMITTED` (PostgreSQL treats it as `READ COMMITTED`).
    ReadUncommitted,
    /// `READ COMMITTED`: PostgreSQL's default.
    ReadCommitted,
    /// `REPEATABLE READ`: MySQL/MariaDB's default.
    RepeatableRead,
    /// `SERIALIZABLE`: what SQLite always gives. Expect [`crate::Error::Conflict`] (retryable)
    /// under concurrent writes; see the `retry` helpers.
    Serializable,
}

impl IsolationLevel {
    /// The SQL name.
    pub fn sql(self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "READ UNCOMMITTED",
            IsolationLevel::ReadCommitted => "READ COMMITTED",
            IsolationLevel::RepeatableRead => "REPEATABLE READ",
            IsolationLevel::Serializable => "SERIALIZABLE",
        }
    }
}

/// How to open a transaction: its isolation level and whether it may write. The default
/// is the backend's own (a plain `BEGIN`).
///
/// ```
/// use ambidex_core::transaction::{IsolationLevel, TxOptions};
/// let opts = TxOptions::new().isolation(IsolationLevel::Serializable).read_only();
/// assert!(opts.is_read_only());
/// ```
///
/// SQLite transactions are always serializable, so every level is accepted there (a
/// stronger level than asked for is allowed by the SQL standard); SQLite has no read-only
/// transactions, so `read_only` is refused there with [`crate::Error::InvalidQuery`]. A
/// nested transaction (a savepoint) cannot change either: asking is an `InvalidQuery`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TxOptions {
    isolation: Option<IsolationLevel>,
    read_only: bool,
}

impl TxOptions {
    /// The backend's defaults.
    pub fn new() -> Self {
        TxOptions::default()
    }

    /// Sets the isolation level.
    pub fn isolation(mut self, level: IsolationLevel) -> Self {
        self.isolation = Some(level);
        self
    }

    /// Makes the transaction read-only: a write in it fails.
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// The isolation level asked for, if any.
    pub fn isolation_level(&self) -> Option<IsolationLevel> {
        self.isolation
    }

    /// Whether the transaction is read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }
}
