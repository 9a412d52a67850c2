//! Lending in both worlds, on every backend the build and the environment offer: the
//! rules one borrower meets, and [`BORROWERS`] borrowers racing for one copy, of whom
//! exactly one must win while every other is told `AlreadyLent`.

mod common;

use std::sync::Arc;

use ambidex::prelude::*;
use common::{cells, runtime};
use library::catalog::{add_book, add_book_blocking, add_member, add_member_blocking};
use library::lending::{LendError, borrow, borrow_blocking, give_back, give_back_blocking};
use library::models::{Loan, Member};

/// Concurrent borrowers of one copy.
const BORROWERS: usize = 16;

/// What the race's borrowers were told: (winners' loans, losers told `AlreadyLent` with
/// the winner's loan id, any other answer).
fn tally(cell: &str, outcomes: Vec<Result<Loan, LendError>>) -> (Vec<Loan>, usize) {
    let mut won = Vec::new();
    let mut refused = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(loan) => won.push(loan),
            Err(LendError::AlreadyLent { loan_id, .. }) => refused.push(loan_id),
            Err(other) => {
                panic!("{cell}: a borrower got neither the copy nor AlreadyLent: {other}")
            }
        }
    }
    assert_eq!(won.len(), 1, "{cell}: exactly one borrower wins: {won:?}");
    assert!(
        refused.iter().all(|id| *id == won[0].id),
        "{cell}: every loser is pointed at the winner's loan {}: {refused:?}",
        won[0].id
    );
    let losers = refused.len();
    println!(
        "lending {cell}: {} winner, {losers} told AlreadyLent",
        won.len()
    );
    (won, losers)
}

/// The members who race: one each.
fn racers(n: usize) -> Vec<Member> {
    (0..n)
        .map(|i| Member {
            id: 0,
            name: format!("racer {i}"),
            email: format!("racer{i}@example.com"),
        })
        .collect()
}

#[test]
fn racing_borrowers_blocking_exactly_one_wins() {
    for cell in cells() {
        let name = format!("blocking {}", cell.name);
        let db = Arc::new(cell.db.blocking().expect("open"));
        let (_, copies) =
            add_book_blocking(&db, "Dune".into(), "Frank Herbert".into(), 1).expect("book");
        let copy_id = copies[0].id;
        let members = Member::insert_many_returning(&racers(BORROWERS), &*db).expect("members");
        let threads: Vec<_> = members
            .into_iter()
            .map(|member| {
                let db = Arc::clone(&db);
                std::thread::spawn(move || borrow_blocking(&db, copy_id, member.id))
            })
            .collect();
        let outcomes = threads
            .into_iter()
            .map(|t| t.join().expect("a borrower thread"))
            .collect();
        let (won, losers) = tally(&name, outcomes);
        assert_eq!(losers, BORROWERS - 1, "{name}");
        let open = Loan::query()
            .filter(Loan::RETURNED_AT.is_null())
            .all(&*db)
            .expect("loans");
        assert_eq!(
            open, won,
            "{name}: the loans table holds the winner's loan only"
        );
    }
}

#[test]
fn racing_borrowers_async_exactly_one_wins() {
    let rt = runtime();
    for cell in cells() {
        let name = format!("async {}", cell.name);
        rt.block_on(async {
            let db = cell.db.connect().await.expect("connect");
            let (_, copies) = add_book(&db, "Dune".into(), "Frank Herbert".into(), 1)
                .await
                .expect("book");
            let copy_id = copies[0].id;
            let members = Member::insert_many_returning(&racers(BORROWERS), &db)
                .await
                .expect("members");
            let tasks: Vec<_> = members
                .into_iter()
                .map(|member| {
                    let db = db.clone();
                    tokio::spawn(async move { borrow(&db, copy_id, member.id).await })
                })
                .collect();
            let mut outcomes = Vec::new();
            for task in tasks {
                outcomes.push(task.await.expect("a borrower task"));
            }
            let (won, losers) = tally(&name, outcomes);
            assert_eq!(losers, BORROWERS - 1, "{name}");
            let open = Loan::query()
                .filter(Loan::RETURNED_AT.is_null())
                .all(&db)
                .await
                .expect("loans");
            assert_eq!(
                open, won,
                "{name}: the loans table holds the winner's loan only"
            );
        });
    }
}

#[test]
fn one_borrower_blocking_lend_return_and_refusals() {
    for cell in cells() {
        let name = cell.name;
        let db = cell.db.blocking().expect("open");
        let (_, copies) =
            add_book_blocking(&db, "Emma".into(), "Jane Austen".into(), 2).expect("book");
        let ada = add_member_blocking(&db, "Ada".into(), "ada@example.com".into()).expect("ada");
        let loan = borrow_blocking(&db, copies[0].id, ada.id).expect("lent");
        assert_eq!(
            (loan.copy_id, loan.member_id, loan.returned_at),
            (copies[0].id, ada.id, None)
        );
        assert!(
            matches!(
                borrow_blocking(&db, copies[0].id, ada.id),
                Err(LendError::AlreadyLent { loan_id, .. }) if loan_id == loan.id
            ),
            "{name}"
        );
        assert!(
            matches!(
                borrow_blocking(&db, 999_999, ada.id),
                Err(LendError::NoSuchCopy(999_999))
            ),
            "{name}"
        );
        assert!(
            matches!(
                borrow_blocking(&db, copies[1].id, 999_999),
                Err(LendError::NoSuchMember(999_999))
            ),
            "{name}"
        );
        let returned = give_back_blocking(&db, copies[0].id).expect("returned");
        assert_eq!(returned.id, loan.id, "{name}");
        assert!(
            returned.returned_at.is_some_and(|at| at >= loan.lent_at),
            "{name}"
        );
        assert!(
            matches!(
                give_back_blocking(&db, copies[0].id),
                Err(LendError::NotLent(_))
            ),
            "{name}"
        );
        let again = borrow_blocking(&db, copies[0].id, ada.id).expect("lent again");
        assert_ne!(again.id, loan.id, "{name}: a new loan");
        assert!(
            matches!(
                add_member_blocking(&db, "Ada again".into(), "ada@example.com".into()),
                Err(ambidex::Error::UniqueViolation { .. })
            ),
            "{name}"
        );
    }
}

#[test]
fn one_borrower_async_lend_return_and_refusals() {
    let rt = runtime();
    for cell in cells() {
        let name = cell.name;
        rt.block_on(async {
            let db = cell.db.connect().await.expect("connect");
            let (_, copies) = add_book(&db, "Emma".into(), "Jane Austen".into(), 1)
                .await
                .expect("book");
            let ada = add_member(&db, "Ada".into(), "ada@example.com".into())
                .await
                .expect("ada");
            let loan = borrow(&db, copies[0].id, ada.id).await.expect("lent");
            assert_eq!(
                Loan::get(loan.id, &db).await.expect("stored"),
                loan,
                "{name}: as stored"
            );
            assert!(
                matches!(
                    borrow(&db, copies[0].id, ada.id).await,
                    Err(LendError::AlreadyLent { .. })
                ),
                "{name}"
            );
            assert!(
                matches!(
                    borrow(&db, -1, ada.id).await,
                    Err(LendError::NoSuchCopy(-1))
                ),
                "{name}"
            );
            let returned = give_back(&db, copies[0].id).await.expect("returned");
            assert_eq!(
                Loan::get(loan.id, &db).await.expect("stored"),
                returned,
                "{name}"
            );
            assert!(
                matches!(
                    give_back(&db, copies[0].id).await,
                    Err(LendError::NotLent(_))
                ),
                "{name}"
            );
        });
    }
}
