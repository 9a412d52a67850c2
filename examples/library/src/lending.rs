//! Lending and returning copies, **written once** with `#[ambidex::dual]`: the server
//! awaits `borrow(&db, ..)`, the CLI calls `borrow_blocking(&db, ..)`, and both run the
//! same transaction.
//!
//! Two librarians (or two HTTP requests) may try to lend the same copy at the same
//! moment. Reading "is it free?" and then inserting a loan is a race: both read "free",
//! both insert. [`borrow`] closes it by locking the copy's row first (`for_update()`),
//! so the second borrower waits until the first commits and then sees its loan. On
//! SQLite, which has no row locks, the same call makes the transaction take the
//! database's write lock up front: borrowers go one at a time. See the tutorial's step 7
//! and the guide's "Concurrency and locking" chapter.

use std::fmt;

use ambidex::prelude::*;
use ambidex::{Db, Result, Retry};
use chrono::{DateTime, SubsecRound, Utc};

use crate::models::{Copy, Loan, Member};

/// Why a copy was not lent or returned.
#[derive(Debug)]
pub enum LendError {
    /// Someone else has the copy: `loan_id` is their open loan.
    AlreadyLent {
        /// The copy asked for.
        copy_id: i64,
        /// The open loan that holds it.
        loan_id: i64,
    },
    /// No copy has this id.
    NoSuchCopy(i64),
    /// No member has this id.
    NoSuchMember(i64),
    /// The copy is not out on loan, so it cannot be returned.
    NotLent(i64),
    /// The database failed.
    Db(ambidex::Error),
}

impl fmt::Display for LendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LendError::AlreadyLent { copy_id, loan_id } => {
                write!(f, "copy {copy_id} is already lent (loan {loan_id})")
            }
            LendError::NoSuchCopy(id) => write!(f, "no copy has id {id}"),
            LendError::NoSuchMember(id) => write!(f, "no member has id {id}"),
            LendError::NotLent(id) => write!(f, "copy {id} is not lent"),
            LendError::Db(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LendError::Db(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ambidex::Error> for LendError {
    fn from(e: ambidex::Error) -> Self {
        LendError::Db(e)
    }
}

/// How `retry` finds the database's error inside ours: it retries only that one, and only
/// when the database says so (a deadlock, a lock wait timeout); refusals are returned.
impl AsError for LendError {
    fn as_error(&self) -> Option<&ambidex::Error> {
        match self {
            LendError::Db(e) => Some(e),
            _ => None,
        }
    }
}

/// The time now, to the microsecond (what PostgreSQL and MariaDB store).
pub fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now()).trunc_subsecs(6)
}

/// Lends copy `copy_id` to member `member_id`, in a transaction that locks the copy's
/// row first, so that of any number of concurrent borrowers of one copy exactly one gets
/// it and every other is told [`LendError::AlreadyLent`]. The transaction is tried again
/// (up to 5 times) when the database reports a conflict: a deadlock, a lock wait timeout,
/// SQLite's busy database.
#[ambidex::dual]
pub async fn borrow(db: &Db, copy_id: i64, member_id: i64) -> Result<Loan, LendError> {
    // A refusal is an `Err` of our own type: the transaction rolls back (it wrote
    // nothing) and `retry` returns it at once; only database conflicts are tried again.
    ambidex::retry(Retry::default(), || {
        db.transaction(move |tx| {
            Box::pin(async move {
                // Lock the copy's row until the transaction ends: a second borrower of
                // this copy waits here, and reads the loans only after we committed.
                let Some(copy) = Copy::find(copy_id).for_update().first(&mut *tx).await? else {
                    return Err(LendError::NoSuchCopy(copy_id));
                };
                let open = Loan::query()
                    .filter(Loan::COPY_ID.eq(copy.id).and(Loan::RETURNED_AT.is_null()))
                    .first(&mut *tx)
                    .await?;
                if let Some(loan) = open {
                    return Err(LendError::AlreadyLent {
                        copy_id,
                        loan_id: loan.id,
                    });
                }
                if !Member::find(member_id).exists(&mut *tx).await? {
                    return Err(LendError::NoSuchMember(member_id));
                }
                let loan = Loan {
                    id: 0,
                    copy_id,
                    member_id,
                    lent_at: now(),
                    returned_at: None,
                };
                Ok(loan.insert(&mut *tx).await?)
            })
        })
    })
    .await
}

/// Closes the open loan of copy `copy_id` and returns it. One `UPDATE ... WHERE
/// returned_at IS NULL`: of two returns of the same copy, one changes the row and the
/// other finds nothing to change, with no lock needed.
#[ambidex::dual]
pub async fn give_back(db: &Db, copy_id: i64) -> Result<Loan, LendError> {
    let closed = Loan::query()
        .filter(Loan::COPY_ID.eq(copy_id).and(Loan::RETURNED_AT.is_null()))
        .set(Loan::RETURNED_AT, Some(now()))
        .update_returning(db)
        .await?;
    closed.into_iter().next().ok_or(LendError::NotLent(copy_id))
}
