//! Transaction control over any [`Connection`], shared by every engine and both worlds.
//!
//! Depth counts the outer transaction and its savepoints. It is raised *before* the
//! statement that opens a level is sent and lowered only *after* the statement that closes
//! one succeeded, so a future dropped halfway leaves a depth that says "maybe open": the
//! engine then rolls the connection back or closes it instead of pooling it.

use crate::engine::Connection;
use crate::engine::statement::Statement;
pub use crate::engine::tx_options::{IsolationLevel, TxOptions};
use crate::error::Result;

fn savepoint_name(level: u32) -> String {
    format!("ambidex_sp_{level}")
}

/// Opens a transaction, or a savepoint inside an open one.
pub async fn begin<C: Connection>(conn: &mut C) -> Result<()> {
    begin_with(conn, TxOptions::default()).await
}

/// Opens a transaction with `options`, or (with the default options) a savepoint inside an
/// open one.
pub async fn begin_with<C: Connection>(conn: &mut C, options: TxOptions) -> Result<()> {
    let depth = conn.transaction_depth();
    let rules = conn.dialect().rules();
    let sql = if depth == 0 {
        let (before, begin) = rules.begin_with(&options)?;
        if let Some(before) = before {
            conn.execute(Statement::plain(before)).await?;
        }
        begin
    } else if options != TxOptions::default() {
        return Err(crate::error::Error::InvalidQuery(
            "the isolation level and read-only mode belong to the outermost transaction; a \
             nested transaction is a savepoint and cannot change them"
                .into(),
        ));
    } else {
        rules.savepoint(&savepoint_name(depth))
    };
    conn.set_transaction_depth(depth + 1);
    match conn.execute(Statement::plain(sql)).await {
        Ok(_) => Ok(()),
        Err(e) => {
            conn.set_transaction_depth(depth);
            Err(e)
        }
    }
}

/// Commits the innermost open level.
pub async fn commit<C: Connection>(conn: &mut C) -> Result<()> {
    let depth = conn.transaction_depth();
    if depth == 0 {
        return Err(crate::error::Error::InvalidQuery(
            "commit without an open transaction".into(),
        ));
    }
    let rules = conn.dialect().rules();
    let sql = if depth == 1 {
        rules.commit().to_string()
    } else {
        rules.release_savepoint(&savepoint_name(depth - 1))
    };
    conn.execute(Statement::plain(sql)).await?;
    conn.set_transaction_depth(depth - 1);
    Ok(())
}

/// Rolls back the innermost open level.
pub async fn rollback<C: Connection>(conn: &mut C) -> Result<()> {
    let depth = conn.transaction_depth();
    if depth == 0 {
        return Ok(());
    }
    let rules = conn.dialect().rules();
    if depth == 1 {
        conn.execute(Statement::plain(rules.rollback())).await?;
    } else {
        let name = savepoint_name(depth - 1);
        conn.execute(Statement::plain(rules.rollback_to_savepoint(&name)))
            .await?;
        conn.execute(Statement::plain(rules.release_savepoint(&name)))
            .await?;
    }
    conn.set_transaction_depth(depth - 1);
    Ok(())
}

/// Rolls back every open level; what an engine calls before pooling a connection whose
/// depth is not zero.
pub async fn rollback_all<C: Connection>(conn: &mut C) -> Result<()> {
    if conn.transaction_depth() == 0 {
        return Ok(());
    }
    let rules = conn.dialect().rules();
    match conn.execute(Statement::plain(rules.rollback())).await {
        Ok(_) => {}
        // The transaction had ended after all (a COMMIT whose answer was lost).
        Err(e) if rules.is_no_transaction(&e) => {}
        Err(e) => return Err(e),
    }
    conn.set_transaction_depth(0);
    Ok(())
}

/// Ends the level a plan opened with [`begin`] for one operation: committed when the
/// operation's `outcome` is `Ok`, rolled back otherwise, returning the outcome. The
/// operation's error matters more than a failed rollback (the engine closes a connection
/// whose rollback failed instead of pooling it).
pub(crate) async fn settle<C: Connection, T>(conn: &mut C, outcome: Result<T>) -> Result<T> {
    match outcome {
        Ok(done) => {
            commit(conn).await?;
            Ok(done)
        }
        Err(e) => {
            let _ = rollback(conn).await;
            Err(e)
        }
    }
}

/// Commits the outermost transaction. If a nested level is still open (an operation inside
/// was cancelled while it held a savepoint, so what it left behind is unknown), nothing is
/// committed: everything is rolled back and [`crate::error::Error::Cancelled`] returned.
pub async fn commit_outermost<C: Connection>(conn: &mut C) -> Result<()> {
    if conn.transaction_depth() != 1 {
        rollback_all(conn).await?;
        return Err(crate::error::Error::Cancelled {
            message: "an operation inside the transaction was cancelled or failed to roll back \
                      while a savepoint was open, so the whole transaction was rolled back \
                      instead of committed"
                .into(),
        });
    }
    commit(conn).await
}

/// Closes the nested level a closure-form nested transaction opened at `level` (the depth
/// before its savepoint): released when the closure returned `Ok` and closed every level it
/// opened; otherwise every level above `level` is rolled back and the closure's error (or
/// [`crate::error::Error::Cancelled`] for levels it left open) returned. A rollback that fails
/// leaves the depth raised, which stops the outer transaction from committing.
pub async fn finish_nested<C: Connection, T, E: From<crate::error::Error>>(
    conn: &mut C,
    level: u32,
    outcome: std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    if outcome.is_ok() && conn.transaction_depth() == level + 1 {
        commit(conn).await?;
        return outcome;
    }
    let mut unwound = Ok(());
    while conn.transaction_depth() > level {
        if let Err(e) = rollback(conn).await {
            unwound = Err(e);
            break;
        }
    }
    match outcome {
        Err(e) => Err(e),
        Ok(_) => {
            unwound?;
            Err(crate::error::Error::Cancelled {
                message: "an operation inside the nested transaction was cancelled while a \
                          savepoint was open; the nested transaction was rolled back"
                    .into(),
            }
            .into())
        }
    }
}
