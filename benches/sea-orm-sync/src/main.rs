//! ambidex's blocking API beside sea-orm-sync, SeaORM 2 without an async runtime, on a
//! SQLite file: every workload of `ambidex_benches::workload`, in paired rounds, with
//! ambidex's `blocking::Db` the baseline of the ratios.
//!
//! Why a binary of its own: sea-orm-sync is SeaORM's code with the `async` taken out, and
//! its entities derive that crate's traits, so they cannot live in a crate that also links
//! the async `sea-orm` under the same name (`sea_orm`) that the derives expand to; and its
//! SQLite driver is rusqlite (0.38, libsqlite3-sys 0.36, which the benches workspace pins
//! for every SQLite contender so that they all link one SQLite). The entities themselves are
//! the same text as the async contender's: `src/entities.rs`, included by both.
//!
//! ```text
//! cargo run --release --manifest-path benches/sea-orm-sync/Cargo.toml -- --quick
//! ```
//!
//! `--quick` (or `AMBIDEX_BENCH_QUICK=1`): 5 rounds, half the operations per run, 100,000
//! streamed rows; `--out DIR` for the JSON. Progress goes to stderr, the table to stdout,
//! every round's raw times to `sea_orm_sync.json` (in `docs/guide/perf/`, or
//! `benches/target/perf-quick/` for quick runs).
//!
//! sea-orm-sync's defaults that matter for speed: a `DatabaseConnection` is one rusqlite
//! connection behind a mutex (no pool; `max_connections` is not read), with rusqlite's
//! prepared-statement cache; `insert` returns the row with `RETURNING`
//! (`sqlite-use-returning-for-3_35`, a default feature, enabled below as the defaults are
//! turned off); and `Select::stream` reads every row of the query into memory before it
//! yields the first (its rusqlite driver collects the rows into a `Vec`), so the streaming
//! workload's peak heap is the whole table's.

use ambidex_benches::ambidex_contenders::AmbidexBlocking;
use ambidex_benches::harness::{self, Blocking, Plan};
use ambidex_benches::models::{self, Fixture};
use ambidex_benches::report;
use ambidex_benches::workload::{
    self, Check, EAGER_PARENTS, LOAD_ROWS, Op, ROWS, delete_marker, first_parent, key, qty,
};
use sea_orm::entity::prelude::*;
use sea_orm::{
    ActiveValue::Set, ConnectOptions, Database, DbBackend, QueryOrder, QuerySelect,
    TransactionTrait,
};

mod entities;

use entities::{author, book, item, stream_row};

/// The most rows one `insert_many` statement may carry on `backend`: its limit of bound
/// parameters over the three columns an item binds (the key is left to the database).
fn rows_per_insert(backend: DbBackend) -> usize {
    let binds = match backend {
        DbBackend::Sqlite => 32_766,
        _ => 65_535,
    };
    binds / 3
}

/// sea-orm-sync on a `DatabaseConnection` (one rusqlite connection), every workload
/// through SeaORM's query builder, as the async contender in `benches/peers/sea_orm.rs`
/// with the `.await`s gone.
pub struct SeaOrmSync {
    db: DatabaseConnection,
}

impl SeaOrmSync {
    /// Connects to the SQLite database at `url` (`sqlite://PATH`) with default options.
    pub fn open(url: &str) -> SeaOrmSync {
        let db = Database::connect(ConnectOptions::new(url)).expect("sea-orm-sync connect");
        SeaOrmSync { db }
    }

    fn op(&self, op: Op, i: usize) -> Result<Check, DbErr> {
        let db = &self.db;
        Ok(match op {
            Op::Lookup => {
                item::Entity::find_by_id(key(i))
                    .one(db)?
                    .expect("seeded row")
                    .id
            }
            Op::Load => item::Entity::find()
                .filter(item::Column::Id.lte(LOAD_ROWS))
                .all(db)?
                .len() as Check,
            Op::FilterOrderLimit => item::Entity::find()
                .filter(item::Column::Qty.eq(qty(i)))
                .order_by_desc(item::Column::Price)
                .limit(10)
                .all(db)?
                .len() as Check,
            Op::Insert => {
                let row = item::ActiveModel {
                    name: Set(format!("new {i}")),
                    qty: Set(1),
                    price: Set(1.0),
                    ..Default::default()
                };
                let row: item::Model = row.insert(db)?;
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
                let txn = db.begin()?;
                let mut inserted = 0;
                for chunk in rows.chunks(rows_per_insert(db.get_database_backend())) {
                    inserted += item::Entity::insert_many(chunk.iter().cloned())
                        .exec_without_returning(&txn)?;
                }
                txn.commit()?;
                inserted as Check
            }
            Op::UpdateWhere => {
                item::Entity::update_many()
                    .col_expr(item::Column::Price, Expr::value(i as f64))
                    .filter(item::Column::Qty.eq(qty(i)))
                    .exec(db)?
                    .rows_affected as Check
            }
            Op::DeleteWhere => {
                item::Entity::delete_many()
                    .filter(item::Column::Qty.eq(delete_marker(i)))
                    .exec(db)?
                    .rows_affected as Check
            }
            Op::EagerLoad => {
                // The data loader of SeaORM's docs for 1-N: the parents, then one
                // `WHERE author_id IN (..)` query, its rows grouped per parent.
                let first = first_parent(i);
                let authors = author::Entity::find()
                    .filter(author::Column::Id.between(first, first + EAGER_PARENTS - 1))
                    .all(db)?;
                let books: Vec<Vec<book::Model>> = authors.load_many(book::Entity, db)?;
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
                    .all(db)?;
                groups.len() as Check
            }
            Op::Stream => {
                let mut n = 0;
                for row in stream_row::Entity::find().stream(db)? {
                    std::hint::black_box(row?);
                    n += 1;
                }
                n
            }
        })
    }
}

impl Blocking for SeaOrmSync {
    fn name(&self) -> String {
        "sea-orm-sync".into()
    }

    fn run(&mut self, op: Op, i: usize) -> Check {
        self.op(op, i).expect("sea-orm-sync")
    }
}

fn main() {
    let plan = Plan::from_args();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sea_orm_sync.db");
    let url = format!("sqlite://{}", path.display());
    let backend = "SQLite (file)";
    eprintln!("{backend}: seeding");
    let fixture = Fixture::open(&url).expect("seed SQLite");
    let mut contenders: Vec<Box<dyn Blocking>> = vec![
        Box::new(AmbidexBlocking::open(&url, 4)),
        Box::new(SeaOrmSync::open(&url)),
    ];
    let results = harness::run_blocking(backend, plan, &fixture, &workload::OPS, &mut contenders);
    drop(contenders);
    let text = format!(
        "{}\n#### Single-operation latency (min / median / p99)\n{}",
        report::markdown("ambidex blocking::Db vs sea-orm-sync", &results),
        report::latency_markdown("ambidex blocking::Db vs sea-orm-sync", &results),
    );
    println!("{text}");
    report::write_text(&report::out_dir(), "sea_orm_sync.md", &text).expect("write the table");
    report::write_json(
        &report::out_dir(),
        "sea_orm_sync.json",
        &serde_json::json!({
            "machine": report::Machine::describe(),
            "rounds": plan.rounds,
            "measurements": results,
        }),
    )
    .expect("write sea_orm_sync.json");
}
