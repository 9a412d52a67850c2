//! Differential property test (issue 7): proptest generates sequences of operations
//! (inserts that may collide on the key, updates and deletes by filter, queries with random
//! filters and limits, transactions that commit or roll back) and runs each sequence
//! through every handle (`blocking::Db`, `blocking::SqlxDb`, `SqlxDb`, `DieselDb`, `Db`)
//! on SQLite, PostgreSQL and MariaDB (each handle on a database of its own) and against an
//! in-memory model of the same semantics. Any divergence fails
//! with a shrunk case.
//!
//! `PROPTEST_CASES` sets the number of cases (default 64 here, for CI); a longer run:
//! `PROPTEST_CASES=2000 cargo test --all-features --test reliability_differential`.
#![cfg(all(feature = "blocking", feature = "async", feature = "sqlite"))]
// Without the `postgres` and `mysql` features the server-only items are unused.
#![allow(dead_code, unused_imports)]

use std::collections::BTreeMap;

use ambidex::prelude::*;
use proptest::prelude::*;

mod support;
use support::{ServerScratch, runtime, server_url};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "items")]
struct Item {
    #[ambidex(primary_key)]
    id: i64,
    name: String,
    qty: i32,
    tag: Option<String>,
}

/// A condition on items, in both forms: SQL through ambidex, and a Rust predicate.
#[derive(Debug, Clone)]
enum Cond {
    QtyGe(i32),
    QtyLt(i32),
    TagNull,
    TagEq(String),
    NameStarts(String),
    IdIn(Vec<i64>),
}

impl Cond {
    fn expr(&self) -> ambidex::Expr<Item> {
        match self {
            Cond::QtyGe(v) => Item::QTY.ge(*v),
            Cond::QtyLt(v) => Item::QTY.lt(*v),
            Cond::TagNull => Item::TAG.is_null(),
            Cond::TagEq(s) => Item::TAG.eq(s.as_str()),
            Cond::NameStarts(s) => Item::NAME.starts_with(s),
            Cond::IdIn(ids) => Item::ID.is_in(ids.iter().copied()),
        }
    }

    fn holds(&self, item: &Item) -> bool {
        match self {
            Cond::QtyGe(v) => item.qty >= *v,
            Cond::QtyLt(v) => item.qty < *v,
            Cond::TagNull => item.tag.is_none(),
            Cond::TagEq(s) => item.tag.as_deref() == Some(s.as_str()),
            Cond::NameStarts(s) => item.name.starts_with(s.as_str()),
            Cond::IdIn(ids) => ids.contains(&item.id),
        }
    }
}

/// Conditions joined by AND (none: every row).
#[derive(Debug, Clone)]
struct Filter(Vec<Cond>);

impl Filter {
    fn apply(&self, mut select: ambidex::Select<Item>) -> ambidex::Select<Item> {
        for c in &self.0 {
            select = select.filter(c.expr());
        }
        select
    }

    fn holds(&self, item: &Item) -> bool {
        self.0.iter().all(|c| c.holds(item))
    }
}

/// One step of a sequence; writes may also appear inside a transaction.
#[derive(Debug, Clone)]
enum Op {
    Insert(Item),
    SetQty(Filter, i32),
    Delete(Filter),
    Query(Filter, Option<u64>),
    Count(Filter),
    Tx(Vec<Op>, bool),
}

/// What one step returned: the same in the database and in the model.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Done,
    Rows(Vec<Item>),
    Count(u64),
    /// The key already existed (`Error::UniqueViolation`).
    Duplicate,
    /// A transaction stopped at a failed step and was rolled back, with that step's outcome.
    RolledBack(Box<Outcome>),
    /// Any other error: never expected.
    Failed(String),
}

fn outcome_of_error(e: Error) -> Outcome {
    match e {
        Error::UniqueViolation { .. } => Outcome::Duplicate,
        other => Outcome::Failed(format!("{other:?}")),
    }
}

/// The in-memory reference.
#[derive(Debug, Clone, Default)]
struct Reference(BTreeMap<i64, Item>);

impl Reference {
    fn apply(&mut self, op: &Op) -> Outcome {
        match op {
            Op::Insert(item) => {
                if self.0.contains_key(&item.id) {
                    return Outcome::Duplicate;
                }
                self.0.insert(item.id, item.clone());
                Outcome::Done
            }
            Op::SetQty(filter, qty) => {
                let mut n = 0;
                for item in self.0.values_mut().filter(|i| filter.holds(i)) {
                    item.qty = *qty;
                    n += 1;
                }
                Outcome::Count(n)
            }
            Op::Delete(filter) => {
                let before = self.0.len();
                self.0.retain(|_, i| !filter.holds(i));
                Outcome::Count((before - self.0.len()) as u64)
            }
            Op::Query(filter, limit) => {
                let rows = self.0.values().filter(|i| filter.holds(i)).cloned();
                let rows: Vec<Item> = match limit {
                    Some(n) => rows.take(*n as usize).collect(),
                    None => rows.collect(),
                };
                Outcome::Rows(rows)
            }
            Op::Count(filter) => {
                Outcome::Count(self.0.values().filter(|i| filter.holds(i)).count() as u64)
            }
            Op::Tx(ops, commit) => {
                let mut inside = self.clone();
                for op in ops {
                    let out = inside.apply(op);
                    if out == Outcome::Duplicate {
                        return Outcome::RolledBack(Box::new(out));
                    }
                }
                if *commit {
                    *self = inside;
                }
                Outcome::Done
            }
        }
    }
}

fn item_strategy() -> impl Strategy<Value = Item> {
    (
        1i64..12,
        prop::sample::select(vec!["a", "ab", "b", "ba", "c", "it's", "ü"]),
        -3i32..4,
        prop::option::of(prop::sample::select(vec!["x", "y", "x y"])),
    )
        .prop_map(|(id, name, qty, tag)| Item {
            id,
            name: name.to_string(),
            qty,
            tag: tag.map(str::to_string),
        })
}

fn cond_strategy() -> impl Strategy<Value = Cond> {
    prop_oneof![
        (-3i32..4).prop_map(Cond::QtyGe),
        (-3i32..4).prop_map(Cond::QtyLt),
        Just(Cond::TagNull),
        prop::sample::select(vec!["x", "y"]).prop_map(|s| Cond::TagEq(s.to_string())),
        prop::sample::select(vec!["a", "b", "i"]).prop_map(|s| Cond::NameStarts(s.to_string())),
        prop::collection::vec(1i64..12, 0..4).prop_map(Cond::IdIn),
    ]
}

fn filter_strategy() -> impl Strategy<Value = Filter> {
    prop::collection::vec(cond_strategy(), 0..3).prop_map(Filter)
}

fn write_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => item_strategy().prop_map(Op::Insert),
        1 => (filter_strategy(), -3i32..4).prop_map(|(f, q)| Op::SetQty(f, q)),
        1 => filter_strategy().prop_map(Op::Delete),
    ]
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => write_strategy(),
        2 => (filter_strategy(), prop::option::of(0u64..5)).prop_map(|(f, l)| Op::Query(f, l)),
        1 => filter_strategy().prop_map(Op::Count),
        1 => (prop::collection::vec(write_strategy(), 1..4), any::<bool>())
            .prop_map(|(ops, commit)| Op::Tx(ops, commit)),
    ]
}

/// Runs a sequence on a blocking handle type.
macro_rules! blocking_runner {
    ($name:ident, $handle:ty, $tx:ty) => {
        fn $name(db: &$handle, ops: &[Op]) -> Vec<Outcome> {
            fn step(e: &mut $tx, op: &Op) -> Outcome {
                match op {
                    Op::Insert(item) => item
                        .insert(&mut *e)
                        .map_or_else(outcome_of_error, |_| Outcome::Done),
                    Op::SetQty(f, q) => f
                        .apply(Item::query())
                        .set(Item::QTY, *q)
                        .update(&mut *e)
                        .map_or_else(outcome_of_error, Outcome::Count),
                    Op::Delete(f) => f
                        .apply(Item::query())
                        .delete(&mut *e)
                        .map_or_else(outcome_of_error, Outcome::Count),
                    other => Outcome::Failed(format!("not a write: {other:?}")),
                }
            }
            Item::query().delete(db).expect("reset");
            ops.iter()
                .map(|op| {
                    let result = match op {
                        Op::Insert(item) => item.insert(db).map(|_| Outcome::Done),
                        Op::SetQty(f, q) => f
                            .apply(Item::query())
                            .set(Item::QTY, *q)
                            .update(db)
                            .map(Outcome::Count),
                        Op::Delete(f) => f.apply(Item::query()).delete(db).map(Outcome::Count),
                        Op::Query(f, limit) => {
                            let mut q = f.apply(Item::query()).order_by(Item::ID.asc());
                            if let Some(n) = limit {
                                q = q.limit(*n);
                            }
                            q.all(db).map(Outcome::Rows)
                        }
                        Op::Count(f) => f.apply(Item::query()).count(db).map(Outcome::Count),
                        Op::Tx(ops, commit) => (|| {
                            let mut tx = db.begin()?;
                            for op in ops {
                                let out = step(&mut tx, op);
                                if !matches!(out, Outcome::Done | Outcome::Count(_)) {
                                    tx.rollback()?;
                                    return Ok(Outcome::RolledBack(Box::new(out)));
                                }
                            }
                            if *commit {
                                tx.commit()?
                            } else {
                                tx.rollback()?
                            }
                            Ok(Outcome::Done)
                        })(),
                    };
                    result.unwrap_or_else(outcome_of_error)
                })
                .collect()
        }
    };
}

blocking_runner!(
    run_blocking_diesel,
    ambidex::blocking::Db,
    ambidex::blocking::Tx
);
blocking_runner!(
    run_blocking_sqlx,
    ambidex::blocking::SqlxDb,
    ambidex::blocking::SqlxTx
);

/// Runs a sequence on an async handle type.
macro_rules! async_runner {
    ($name:ident, $handle:ty, $tx:ty) => {
        async fn $name(db: &$handle, ops: &[Op]) -> Vec<Outcome> {
            async fn step(e: &mut $tx, op: &Op) -> Outcome {
                match op {
                    Op::Insert(item) => item
                        .insert(&mut *e)
                        .await
                        .map_or_else(outcome_of_error, |_| Outcome::Done),
                    Op::SetQty(f, q) => f
                        .apply(Item::query())
                        .set(Item::QTY, *q)
                        .update(&mut *e)
                        .await
                        .map_or_else(outcome_of_error, Outcome::Count),
                    Op::Delete(f) => f
                        .apply(Item::query())
                        .delete(&mut *e)
                        .await
                        .map_or_else(outcome_of_error, Outcome::Count),
                    other => Outcome::Failed(format!("not a write: {other:?}")),
                }
            }
            async fn in_tx(db: &$handle, ops: &[Op], commit: bool) -> Result<Outcome> {
                let mut tx = db.begin().await?;
                for op in ops {
                    let out = step(&mut tx, op).await;
                    if !matches!(out, Outcome::Done | Outcome::Count(_)) {
                        tx.rollback().await?;
                        return Ok(Outcome::RolledBack(Box::new(out)));
                    }
                }
                if commit {
                    tx.commit().await?
                } else {
                    tx.rollback().await?
                }
                Ok(Outcome::Done)
            }
            Item::query().delete(db).await.expect("reset");
            let mut outcomes = Vec::new();
            for op in ops {
                let result = match op {
                    Op::Insert(item) => item.insert(db).await.map(|_| Outcome::Done),
                    Op::SetQty(f, q) => f
                        .apply(Item::query())
                        .set(Item::QTY, *q)
                        .update(db)
                        .await
                        .map(Outcome::Count),
                    Op::Delete(f) => f.apply(Item::query()).delete(db).await.map(Outcome::Count),
                    Op::Query(f, limit) => {
                        let mut q = f.apply(Item::query()).order_by(Item::ID.asc());
                        if let Some(n) = limit {
                            q = q.limit(*n);
                        }
                        q.all(db).await.map(Outcome::Rows)
                    }
                    Op::Count(f) => f.apply(Item::query()).count(db).await.map(Outcome::Count),
                    Op::Tx(ops, commit) => in_tx(db, ops, *commit).await,
                };
                outcomes.push(result.unwrap_or_else(outcome_of_error));
            }
            outcomes
        }
    };
}

async_runner!(run_async_sqlx, ambidex::SqlxDb, ambidex::SqlxTx);
async_runner!(run_async_diesel, ambidex::DieselDb, ambidex::DieselTx);
async_runner!(run_async_default, ambidex::Db, ambidex::Tx);

/// Opens every handle, each on a database of its own (`urls`), and checks that random
/// sequences give the model's outcomes on all of them.
fn every_handle_agrees_with_the_model(backend: &str, urls: [String; 5]) {
    let rt = runtime();
    let blocking_diesel = ambidex::blocking::Db::open(&urls[0]).expect("open");
    let blocking_sqlx = ambidex::blocking::SqlxDb::open(&urls[1]).expect("open");
    let (sqlx, diesel, default) = rt.block_on(async {
        (
            ambidex::SqlxDb::connect(&urls[2]).await.expect("open"),
            ambidex::DieselDb::connect(&urls[3]).await.expect("open"),
            ambidex::Db::connect(&urls[4]).await.expect("open"),
        )
    });
    Item::create_table(&blocking_diesel).expect("create");
    Item::create_table(&blocking_sqlx).expect("create");
    rt.block_on(async {
        Item::create_table(&sqlx).await.expect("create");
        Item::create_table(&diesel).await.expect("create");
        Item::create_table(&default).await.expect("create");
    });

    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let steps = std::cell::Cell::new(0usize);
    let result = runner.run(&prop::collection::vec(op_strategy(), 1..25), |ops| {
        let mut model = Reference::default();
        let expected: Vec<Outcome> = ops.iter().map(|op| model.apply(op)).collect();
        steps.set(steps.get() + ops.len());
        let got = [
            ("blocking::Db", run_blocking_diesel(&blocking_diesel, &ops)),
            ("blocking::SqlxDb", run_blocking_sqlx(&blocking_sqlx, &ops)),
            ("SqlxDb", rt.block_on(run_async_sqlx(&sqlx, &ops))),
            ("DieselDb", rt.block_on(run_async_diesel(&diesel, &ops))),
            ("Db", rt.block_on(run_async_default(&default, &ops))),
        ];
        for (handle, outcomes) in got {
            prop_assert_eq!(
                &outcomes,
                &expected,
                "{}/{} diverged from the model",
                backend,
                handle
            );
        }
        // The tables hold what the model holds.
        let stored = Item::query()
            .order_by(Item::ID.asc())
            .all(&blocking_diesel)
            .expect("read");
        prop_assert_eq!(stored, model.0.values().cloned().collect::<Vec<_>>());
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    println!(
        "reliability_differential {backend}: {cases} cases, {} operations (5 handles each), \
         no divergence",
        steps.get()
    );
}

#[test]
fn sqlite() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let urls = ["a", "b", "c", "d", "e"]
        .map(|n| format!("sqlite://{}", dir.path().join(format!("{n}.db")).display()));
    every_handle_agrees_with_the_model("sqlite", urls);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres() {
    if let Some(base) = server_url("AMBIDEX_POSTGRES_URL") {
        let scratches = [(); 5].map(|()| ServerScratch::new(&base));
        every_handle_agrees_with_the_model("postgres", scratches.each_ref().map(|s| s.url.clone()));
    }
}

#[cfg(feature = "mysql")]
#[test]
fn mysql() {
    if let Some(base) = server_url("AMBIDEX_MYSQL_URL") {
        let scratches = [(); 5].map(|()| ServerScratch::new(&base));
        every_handle_agrees_with_the_model("mysql", scratches.each_ref().map(|s| s.url.clone()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Renderer smoke test through the query builder (the fuzz target in `fuzz/` works on
    /// the AST directly, with `sqlparser`): any query the
    /// builder accepts renders in every dialect with one bind per placeholder, and a hostile
    /// value travels as a bind, never as SQL text.
    #[test]
    fn rendered_queries_bind_every_placeholder(
        filter in filter_strategy(),
        limit in prop::option::of(0u64..100),
        offset in prop::option::of(0u64..100),
        descending in any::<bool>(),
        n in any::<u32>(),
    ) {
        let marker = format!("zq{n}'; DROP TABLE items; --");
        let mut query = filter.apply(Item::query()).filter(Item::NAME.ne(marker.as_str()));
        query = query.order_by(if descending { Item::QTY.desc() } else { Item::ID.asc() });
        if let Some(n) = limit {
            query = query.limit(n);
        }
        if let Some(n) = offset {
            query = query.offset(n);
        }
        for dialect in [ambidex::Dialect::Sqlite, ambidex::Dialect::Postgres, ambidex::Dialect::Mysql] {
            let statement = query.to_sql(dialect).expect("renders");
            prop_assert_eq!(statement.placeholders().len(), statement.binds().len());
            prop_assert!(
                !statement.sql().contains(&marker),
                "a value appears in the SQL text: {}",
                statement.sql()
            );
            prop_assert!(
                statement.binds().contains(&ambidex::Value::from(marker.clone())),
                "the value is not bound: {:?}",
                statement.binds()
            );
        }
    }
}
