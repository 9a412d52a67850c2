//! The benchmark's tables as ambidex models, and the [`Fixture`] that creates and seeds
//! them through ambidex's blocking API, so that every contender reads the same rows; the
//! contenders declare the same tables in their own way (diesel's `table!`, SeaORM
//! entities, plain SQL).

use ambidex::prelude::*;

use crate::workload::{
    BATCH, CHILDREN_PER_PARENT, DELETE_ROWS, Op, PARENTS, ROWS, delete_marker, row_name,
    stream_rows,
};

/// A row of `bench_items` (the 10,000-row table most workloads use).
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "bench_items")]
pub struct Item {
    /// The key.
    #[ambidex(primary_key, auto)]
    pub id: i64,
    /// `item N`.
    pub name: String,
    /// `N % 100`: what filters, updates and aggregates select on.
    pub qty: i32,
    /// `N / 3`.
    pub price: f64,
}

/// A parent row: `bench_authors`.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "bench_authors")]
pub struct Author {
    /// The key.
    #[ambidex(primary_key, auto)]
    pub id: i64,
    /// `author N`.
    pub name: String,
}

/// A child row: `bench_books`, ten per author.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "bench_books")]
pub struct Book {
    /// The key.
    #[ambidex(primary_key, auto)]
    pub id: i64,
    /// The parent.
    #[ambidex(belongs_to = Author, on_delete = "cascade", index)]
    pub author_id: i64,
    /// `book N`.
    pub title: String,
}

/// A row of `bench_stream`, the large table the streaming workload reads (the shape of
/// [`Item`]).
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "bench_stream")]
pub struct StreamRow {
    /// The key.
    #[ambidex(primary_key, auto)]
    pub id: i64,
    /// `item N`.
    pub name: String,
    /// `N % 100`.
    pub qty: i32,
    /// `N / 3`.
    pub price: f64,
}

/// The `n`-th seeded item (also what batch inserts write).
pub fn item(n: usize) -> Item {
    Item {
        id: 0,
        name: row_name(n),
        qty: (n % 100) as i32,
        price: n as f64 / 3.0,
    }
}

/// The rows one batch insert writes.
pub fn batch() -> Vec<Item> {
    (0..BATCH).map(|n| item(ROWS as usize + n)).collect()
}

/// The tables of one backend, created and seeded through ambidex's blocking API, and the
/// untimed preparation and clean-up around each timed run.
pub struct Fixture {
    db: ambidex::blocking::Db,
}

impl Fixture {
    /// Creates and seeds every table at `url` (`bench_stream` is kept when it already
    /// holds the rows this run wants, since seeding a million rows on a server takes a
    /// while).
    pub fn open(url: &str) -> ambidex::Result<Fixture> {
        let db = ambidex::blocking::Db::builder(url)
            .max_connections(2)
            .open()?;
        Book::drop_table(&db)?;
        Author::drop_table(&db)?;
        Item::drop_table(&db)?;
        Item::create_table(&db)?;
        Author::create_table(&db)?;
        Book::create_table(&db)?;
        let items: Vec<Item> = (0..ROWS as usize).map(item).collect();
        Item::insert_many(&items, &db)?;
        let authors: Vec<Author> = (0..PARENTS)
            .map(|n| Author {
                id: 0,
                name: format!("author {n}"),
            })
            .collect();
        Author::insert_many(&authors, &db)?;
        let books: Vec<Book> = (0..PARENTS * CHILDREN_PER_PARENT)
            .map(|n| Book {
                id: 0,
                author_id: 1 + n / CHILDREN_PER_PARENT,
                title: format!("book {n}"),
            })
            .collect();
        Book::insert_many(&books, &db)?;
        StreamRow::create_table(&db)?;
        let want = stream_rows();
        if StreamRow::query().count(&db)? != want as u64 {
            StreamRow::drop_table(&db)?;
            StreamRow::create_table(&db)?;
            for chunk in 0..(want + 49_999) / 50_000 {
                let rows: Vec<StreamRow> = (chunk * 50_000..want.min((chunk + 1) * 50_000))
                    .map(|n| StreamRow {
                        id: 0,
                        name: row_name(n as usize),
                        qty: (n % 100) as i32,
                        price: n as f64 / 3.0,
                    })
                    .collect();
                StreamRow::insert_many(&rows, &db)?;
            }
        }
        // Planner statistics, as a live database has them (autovacuum, or SQLite's
        // `PRAGMA optimize`): without them PostgreSQL guesses and may scan a whole table
        // where an index serves, for one contender's query shape and not another's.
        let analyze = match db.dialect() {
            ambidex::Dialect::Mysql => {
                "ANALYZE TABLE bench_items, bench_authors, bench_books, bench_stream"
            }
            _ => "ANALYZE",
        };
        ambidex::raw(analyze).execute(&db)?;
        Ok(Fixture { db })
    }

    /// Untimed work before a timed run of `n` operations of `op`: a delete-by-filter gets
    /// [`DELETE_ROWS`] rows for each operation to remove.
    pub fn prepare(&self, op: Op, n: usize) -> ambidex::Result<()> {
        if op == Op::DeleteWhere {
            let rows: Vec<Item> = (0..n)
                .flat_map(|i| {
                    (0..DELETE_ROWS).map(move |k| Item {
                        id: 0,
                        name: format!("doomed {i}.{k}"),
                        qty: delete_marker(i),
                        price: 0.0,
                    })
                })
                .collect();
            Item::insert_many(&rows, &self.db)?;
        }
        Ok(())
    }

    /// Untimed clean-up after a timed run: rows an insert added are removed, so every run
    /// sees a table of [`ROWS`] rows.
    pub fn after(&self, op: Op) -> ambidex::Result<()> {
        if op.grows_table() || op == Op::DeleteWhere {
            Item::query().filter(Item::ID.gt(ROWS)).delete(&self.db)?;
        }
        Ok(())
    }
}
