//! The diesel connection of each backend, behind one enum so that a handle opened from a
//! URL dispatches to the right one; each backend's module only carries bytes (binds in,
//! cells out).

#[cfg(feature = "sqlite")]
mod sqlite;

use ambidex_core::{Dialect, Error, Executed, Result, RowSink, Statement, Target};

/// A diesel connection to one of the compiled-in backends.
pub(crate) enum AnyConnection {
    /// SQLite.
    #[cfg(feature = "sqlite")]
    Sqlite(diesel::sqlite::SqliteConnection),
}

impl AnyConnection {
    /// Opens a connection to `target` and runs the dialect's connection setup.
    pub(crate) fn establish(target: &Target) -> Result<AnyConnection> {
        match target {
            #[cfg(feature = "sqlite")]
            Target::Sqlite { path } => sqlite::establish(path).map(AnyConnection::Sqlite),
            other => Err(other.feature_disabled("blocking (diesel)")),
        }
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(_) => Dialect::Sqlite,
        }
    }

    #[inline]
    pub(crate) fn fetch<S: RowSink>(&mut self, statement: &Statement, sink: S) -> Result<S> {
        match self {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => sqlite::fetch(c, statement, sink),
        }
    }

    #[inline]
    pub(crate) fn execute(&mut self, statement: &Statement) -> Result<Executed> {
        match self {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => sqlite::execute(c, statement),
        }
    }
}

#[allow(dead_code)]
fn unreachable_backend() -> Error {
    Error::Internal("no backend compiled in".into())
}
