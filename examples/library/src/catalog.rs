//! The catalogue: adding books, copies and members, and what is on the shelves. Written
//! once with `#[ambidex::dual]`, like [`crate::lending`].

use std::collections::HashSet;

use ambidex::prelude::*;
use ambidex::{Db, Result};
use serde::Serialize;

use crate::models::{Book, Copy, Loan, Member};

/// A book and its copies, as `library list` prints it and `GET /books` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shelf {
    /// The [`Book::id`].
    pub book_id: i64,
    /// The title.
    pub title: String,
    /// The author.
    pub author: String,
    /// The ids of all its copies.
    pub copies: Vec<i64>,
    /// The ids of the copies nobody has borrowed.
    pub available: Vec<i64>,
}

/// Stores a book and `copies` copies of it, in one transaction.
#[ambidex::dual]
pub async fn add_book(
    db: &Db,
    title: String,
    author: String,
    copies: u32,
) -> Result<(Book, Vec<Copy>)> {
    db.transaction(move |tx| {
        Box::pin(async move {
            let book = Book {
                id: 0,
                title,
                author,
            }
            .insert(&mut *tx)
            .await?;
            let mut stored = Vec::new();
            for _ in 0..copies {
                let copy = Copy {
                    id: 0,
                    book_id: book.id,
                };
                stored.push(copy.insert(&mut *tx).await?);
            }
            Ok::<_, ambidex::Error>((book, stored))
        })
    })
    .await
}

/// Stores a member; an email already taken is [`ambidex::Error::UniqueViolation`].
#[ambidex::dual]
pub async fn add_member(db: &Db, name: String, email: String) -> Result<Member> {
    Member { id: 0, name, email }.insert(db).await
}

/// Every book by title, with its copies and which of them are free: three queries
/// (books, their copies eager-loaded, open loans) however many books there are.
#[ambidex::dual]
pub async fn shelves(db: &Db) -> Result<Vec<Shelf>> {
    let books = Book::query()
        .order_by(Book::TITLE.asc())
        .order_by(Book::ID.asc())
        .all(db)
        .await?;
    let copies = Copy::BOOK.children_of(&books, db).await?;
    let lent: HashSet<i64> = Loan::query()
        .filter(Loan::RETURNED_AT.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|loan| loan.copy_id)
        .collect();
    Ok(books
        .into_iter()
        .zip(copies)
        .map(|(book, copies)| Shelf {
            book_id: book.id,
            title: book.title,
            author: book.author,
            available: copies
                .iter()
                .map(|c| c.id)
                .filter(|id| !lent.contains(id))
                .collect(),
            copies: copies.iter().map(|c| c.id).collect(),
        })
        .collect())
}
