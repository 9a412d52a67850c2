//! SeaORM 2 (async, sqlx underneath) as its documentation has a user write it: entities in
//! the compact format (one text with the sea-orm-sync binary, `sea-orm-sync/src/entities.rs`,
//! which says why not the dense 2.0 format), a `DatabaseConnection` from
//! `Database::connect`, and the query builder for every workload (no raw SQL).
//!
//! SeaORM defaults that matter for speed, left as a user gets them:
//! - `ConnectOptions::test_before_acquire` is `true`: its sqlx pool pings every connection
//!   it hands out (one extra round trip per statement on a server; a cheap no-op query on
//!   SQLite). SeaORM documents `test_before_acquire_if_idle_for` as the cheaper variant, but
//!   a user has to opt into it.
//! - `sqlx_logging` is on (every statement is passed to sqlx's logger at `Info`); with no
//!   `log` logger or `tracing` subscriber installed, as here, that costs a level check.
//! - SQLite: with no `max_connections` SeaORM makes a pool of one; we pass the pool size the
//!   other contenders get.
//! - Inserts return the row with `RETURNING` on PostgreSQL and on SQLite (the default
//!   feature `sqlite-use-returning-for-3_35`, which `benches/Cargo.toml` enables along with
//!   `stream`, since it turns off default features); on MariaDB SeaORM inserts and then
//!   selects the row by `LAST_INSERT_ID()` (two statements) unless the non-default feature
//!   `mariadb-use-returning` is enabled.

use std::pin::pin;

use ambidex_benches::harness::{Async, BoxFuture};
use ambidex_benches::models;
use ambidex_benches::workload::{
    Check, EAGER_PARENTS, LOAD_ROWS, Op, ROWS, delete_marker, first_parent, key, qty,
};
use futures_util::TryStreamExt;
use sea_orm::entity::prelude::*;
use sea_orm::{
    ActiveValue::Set, ConnectOptions, Database, DbBackend, QueryOrder, QuerySelect,
    TransactionTrait,
};

#[path = "../sea-orm-sync/src/entities.rs"]
mod entities;

use entities::{author, book, item, stream_row};

/// The most rows one `insert_many` statement may carry on `backend`: its limit of bound
/// parameters (SQLite 32,766; PostgreSQL and MariaDB 65,535) over the three columns an
/// item binds (the key is left to the database).
fn rows_per_insert(backend: DbBackend) -> usize {
    let binds = match backend {
        DbBackend::Sqlite => 32_766,
        _ => 65_535,
    };
    binds / 3
}

/// SeaORM 2 on a `DatabaseConnection` (a sqlx pool), every workload through its query
/// builder.
pub struct SeaOrmAsync {
    db: DatabaseConnection,
}

impl SeaOrmAsync {
    /// Connects with `ConnectOptions` as SeaORM's docs show, setting only the pool size.
    pub async fn open(url: &str, pool: u32) -> SeaOrmAsync {
        let mut options = ConnectOptions::new(url);
        options.max_connections(pool);
        let db = Database::connect(options).await.expect("SeaORM connect");
        SeaOrmAsync { db }
    }

    async fn op(&self, op: Op, i: usize) -> Result<Check, DbErr> {
        let db = &self.db;
        Ok(match op {
            Op::Lookup => {
                item::Entity::find_by_id(key(i))
                    .one(db)
                    .await?
                    .expect("seeded row")
                    .id
            }
            Op::Load => item::Entity::find()
                .filter(item::Column::Id.lte(LOAD_ROWS))
                .all(db)
                .await?
                .len() as Check,
            Op::FilterOrderLimit => item::Entity::find()
                .filter(item::Column::Qty.eq(qty(i)))
                .order_by_desc(item::Column::Price)
                .limit(10)
                .all(db)
                .await?
                .len() as Check,
            Op::Insert => {
                let row = item::ActiveModel {
                    name: Set(format!("new {i}")),
                    qty: Set(1),
                    price: Set(1.0),
                    ..Default::default()
                };
                let row: item::Model = row.insert(db).await?;
                Check::from(row.id > ROWS)
            }
            Op::BatchInsert => {
                let rows: Vec<item::ActiveModel> = models::batch()
                    .into_iter()
                    .map(|row| item::ActiveModel {
                        name: Set(row.name),
                        qty: Set(row.qty),
                        price: Set(row.price),
                        ..Default::default()
                    })
                    .collect();
                let txn = db.begin().await?;
                let mut inserted = 0;
                for chunk in rows.chunks(rows_per_insert(db.get_database_backend())) {
                    inserted += item::Entity::insert_many(chunk.iter().cloned())
                        .exec_without_returning(&txn)
                        .await?;
                }
                txn.commit().await?;
                inserted as Check
            }
            Op::UpdateWhere => {
                item::Entity::update_many()
                    .col_expr(item::Column::Price, Expr::value(i as f64))
                    .filter(item::Column::Qty.eq(qty(i)))
                    .exec(db)
                    .await?
                    .rows_affected as Check
            }
            Op::DeleteWhere => {
                item::Entity::delete_many()
                    .filter(item::Column::Qty.eq(delete_marker(i)))
                    .exec(db)
                    .await?
                    .rows_affected as Check
            }
            Op::EagerLoad => {
                // The data loader of SeaORM's docs for 1-N: the parents, then one
                // `WHERE author_id IN (..)` query, its rows grouped per parent.
                let first = first_parent(i);
                let authors = author::Entity::find()
                    .filter(author::Column::Id.between(first, first + EAGER_PARENTS - 1))
                    .all(db)
                    .await?;
                let books: Vec<Vec<book::Model>> = authors.load_many(book::Entity, db).await?;
                books.iter().map(Vec::len).sum::<usize>() as Check
            }
            Op::Aggregate => {
                let groups: Vec<(i32, i64, f64)> = item::Entity::find()
                    .select_only()
                    .column(item::Column::Qty)
                    .column_as(item::Column::Id.count(), "count")
                    .column_as(item::Column::Price.avg(), "avg_price")
                    .filter(item::Column::Id.lte(ROWS))
                    .group_by(item::Column::Qty)
                    .into_tuple()
                    .all(db)
                    .await?;
                groups.len() as Check
            }
            Op::Stream => {
                let mut rows = pin!(stream_row::Entity::find().stream(db).await?);
                let mut n = 0;
                while let Some(row) = rows.try_next().await? {
                    std::hint::black_box(row);
                    n += 1;
                }
                n
            }
        })
    }
}

impl Async for SeaOrmAsync {
    fn name(&self) -> String {
        "SeaORM 2".into()
    }

    fn run(&mut self, op: Op, i: usize) -> BoxFuture<'_, Check> {
        Box::pin(async move { self.op(op, i).await.expect("SeaORM") })
    }
}
