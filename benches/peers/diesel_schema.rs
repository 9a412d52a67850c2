//! The benchmark's tables in diesel's terms, shared by the diesel and diesel-async
//! contenders (the same DSL runs on both), and [`diesel_op!`]: every workload written once
//! in diesel's DSL, with `.await` as an argument for diesel-async.

use diesel::prelude::*;

diesel::table! {
    bench_items (id) {
        id -> BigInt,
        name -> Text,
        qty -> Integer,
        price -> Double,
    }
}

diesel::table! {
    bench_authors (id) {
        id -> BigInt,
        name -> Text,
    }
}

diesel::table! {
    bench_books (id) {
        id -> BigInt,
        author_id -> BigInt,
        title -> Text,
    }
}

diesel::table! {
    bench_stream (id) {
        id -> BigInt,
        name -> Text,
        qty -> Integer,
        price -> Double,
    }
}

diesel::joinable!(bench_books -> bench_authors (author_id));
diesel::allow_tables_to_appear_in_same_query!(bench_authors, bench_books);

/// A row of `bench_items` as diesel reads it.
#[allow(dead_code)] // an application would read the fields; here `black_box` does
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = bench_items)]
pub struct DItem {
    /// The key.
    pub id: i64,
    /// `item N`.
    pub name: String,
    /// `N % 100`.
    pub qty: i32,
    /// `N / 3`.
    pub price: f64,
}

/// A row of `bench_stream` as diesel reads it.
#[allow(dead_code)] // an application would read the fields; here `black_box` does
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = bench_stream)]
pub struct DStreamRow {
    /// The key.
    pub id: i64,
    /// `item N`.
    pub name: String,
    /// `N % 100`.
    pub qty: i32,
    /// `N / 3`.
    pub price: f64,
}

/// What diesel inserts into `bench_items` (the key is generated).
#[derive(Insertable)]
#[diesel(table_name = bench_items)]
pub struct NewItem {
    /// `new N` or `item N`.
    pub name: String,
    /// The filter column.
    pub qty: i32,
    /// The price.
    pub price: f64,
}

/// A parent.
#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = bench_authors)]
pub struct DAuthor {
    /// The key.
    pub id: i64,
    /// `author N`.
    pub name: String,
}

/// A child: `belonging_to` / `grouped_by` come from `Associations`.
#[derive(Queryable, Selectable, Identifiable, Associations, Debug, Clone)]
#[diesel(table_name = bench_books, belongs_to(DAuthor, foreign_key = author_id))]
pub struct DBook {
    /// The key.
    pub id: i64,
    /// The parent.
    pub author_id: i64,
    /// `book N`.
    pub title: String,
}

/// The rows of one batch insert.
pub fn new_batch() -> Vec<NewItem> {
    ambidex_benches::models::batch()
        .into_iter()
        .map(|it| NewItem {
            name: it.name,
            qty: it.qty,
            price: it.price,
        })
        .collect()
}

/// One workload in diesel's DSL on connection `$conn`; `$insert` is the macro that inserts
/// one row and returns it (`RETURNING`, or a second query on MySQL); a trailing `await`
/// makes it diesel-async (import `diesel_async::RunQueryDsl` instead of diesel's).
macro_rules! diesel_op {
    ($conn:expr, $op:expr, $i:expr, $insert:ident, await) => {
        diesel_op!(@body $conn, $op, $i, $insert, await).await
    };
    ($conn:expr, $op:expr, $i:expr, $insert:ident) => {
        ambidex_benches::ambidex_contenders::ready(diesel_op!(@body $conn, $op, $i, $insert))
    };
    (@body $conn:expr, $op:expr, $i:expr, $insert:ident $(, $aw:ident)?) => {{
        #[allow(unused_imports)]
        use $crate::diesel_schema::*;
        #[allow(unused_imports)]
        use ambidex_benches::workload::*;
        let (op, i): (Op, usize) = ($op, $i);
        async move {
            diesel::QueryResult::<Check>::Ok(match op {
                Op::Lookup => bench_items::table
                    .find(key(i))
                    .select(DItem::as_select())
                    .first($conn)$(.$aw)??
                    .id,
                Op::Load => bench_items::table
                    .filter(bench_items::id.le(LOAD_ROWS))
                    .select(DItem::as_select())
                    .load($conn)$(.$aw)??
                    .len() as i64,
                Op::FilterOrderLimit => bench_items::table
                    .filter(bench_items::qty.eq(qty(i)))
                    .order(bench_items::price.desc())
                    .limit(10)
                    .select(DItem::as_select())
                    .load($conn)$(.$aw)??
                    .len() as i64,
                Op::Insert => {
                    let new = NewItem { name: format!("new {i}"), qty: 1, price: 1.0 };
                    let row: DItem = $insert!($conn, new $(, $aw)?);
                    i64::from(row.id > ROWS)
                }
                Op::BatchInsert => diesel::insert_into(bench_items::table)
                    .values(new_batch())
                    .execute($conn)$(.$aw)?? as i64,
                Op::UpdateWhere => diesel::update(
                    bench_items::table.filter(bench_items::qty.eq(qty(i))),
                )
                .set(bench_items::price.eq(i as f64))
                .execute($conn)$(.$aw)?? as i64,
                Op::DeleteWhere => diesel::delete(
                    bench_items::table.filter(bench_items::qty.eq(delete_marker(i))),
                )
                .execute($conn)$(.$aw)?? as i64,
                Op::EagerLoad => {
                    let first = first_parent(i);
                    let authors: Vec<DAuthor> = bench_authors::table
                        .filter(bench_authors::id.between(first, first + EAGER_PARENTS - 1))
                        .select(DAuthor::as_select())
                        .load($conn)$(.$aw)??;
                    let books: Vec<DBook> = DBook::belonging_to(&authors)
                        .select(DBook::as_select())
                        .load($conn)$(.$aw)??;
                    let grouped: Vec<Vec<DBook>> = books.grouped_by(&authors);
                    grouped.iter().map(Vec::len).sum::<usize>() as i64
                }
                Op::Aggregate => bench_items::table
                    .filter(bench_items::id.le(ROWS))
                    .group_by(bench_items::qty)
                    .select((
                        bench_items::qty,
                        diesel::dsl::count_star(),
                        diesel::dsl::avg(bench_items::price),
                    ))
                    .load::<(i32, i64, Option<f64>)>($conn)$(.$aw)??
                    .len() as i64,
                Op::Stream => unreachable!("streams are run by the contender"),
            })
        }
    }};
}
