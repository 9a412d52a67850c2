//! The r2d2 connection manager: opens diesel connections from a parsed URL and decides,
//! when one comes back, whether it can be pooled again.
//!
//! A connection that comes back with a transaction possibly open (a `Tx` dropped without
//! commit, a panic inside a transaction closure, an `insert_many` that failed) is rolled
//! back here, in one place; if that fails, or an error broke the connection, r2d2 discards
//! it. No connection is ever pooled inside a transaction.

use ambidex_core::{Connection, Error, Result, Target, complete, transaction};

use crate::backend::AnyConnection;
use crate::connection::DieselConn;

/// Opens and recycles diesel connections for one target.
pub(crate) struct Manager {
    pub(crate) target: Target,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DieselConn;
    type Error = Error;

    fn connect(&self) -> Result<DieselConn> {
        AnyConnection::establish(&self.target).map(DieselConn::new)
    }

    fn is_valid(&self, conn: &mut DieselConn) -> Result<()> {
        if conn.broken {
            return Err(Error::Connection {
                url: "(pooled connection)".into(),
                message: "broken".into(),
            });
        }
        Ok(())
    }

    fn has_broken(&self, conn: &mut DieselConn) -> bool {
        if conn.transaction_depth() > 0 && complete(transaction::rollback_all(conn)).is_err() {
            tracing::warn!(
                "discarding a pooled connection whose open transaction could not be rolled back"
            );
            return true;
        }
        conn.broken
    }
}
