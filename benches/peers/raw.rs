//! The raw drivers, as their documentation has a user write them, each on one held
//! connection (what a raw driver gives you): `rusqlite` (cached prepared statements; the
//! batch insert as one prepared statement in a transaction, SQLite's fastest way), the
//! `postgres` crate (statements prepared once; the batch insert as one `INSERT ... SELECT
//! FROM UNNEST` of three arrays), the `mysql` crate (its statement cache; the batch insert
//! with `exec_batch` in a transaction, as its README shows). These are the floor ambidex's
//! blocking API is measured against (the 1.3x target).

use std::collections::HashMap;

use ambidex_benches::harness::Blocking;
use ambidex_benches::models::batch;
use ambidex_benches::workload::{
    Check, EAGER_PARENTS, LOAD_ROWS, Op, ROWS, delete_marker, first_parent, key, qty,
};

/// A row as an application would hold it.
#[derive(Debug)]
#[allow(dead_code)] // read by `black_box` and `Debug` only
pub struct RItem {
    id: i64,
    name: String,
    qty: i32,
    price: f64,
}

/// A child row.
#[derive(Debug)]
#[allow(dead_code)] // read by `black_box` and `Debug` only
pub struct RBook {
    id: i64,
    author_id: i64,
    title: String,
}

/// Groups children under their parents' keys, in the parents' order; returns the count.
fn group(parents: &[i64], children: Vec<RBook>) -> Check {
    let at: HashMap<i64, usize> = parents.iter().enumerate().map(|(k, &p)| (p, k)).collect();
    let mut grouped: Vec<Vec<RBook>> = parents.iter().map(|_| Vec::new()).collect();
    for book in children {
        grouped[at[&book.author_id]].push(book);
    }
    std::hint::black_box(&grouped);
    grouped.iter().map(Vec::len).sum::<usize>() as i64
}

fn marks(n: i64) -> String {
    vec!["?"; n as usize].join(", ")
}

/// `rusqlite` on one connection.
pub struct Rusqlite {
    conn: rusqlite::Connection,
    children_sql: String,
}

impl Rusqlite {
    /// Opens the SQLite file of `url` with the pragmas ambidex and the other contenders
    /// set (WAL, `synchronous = NORMAL`, a busy timeout, foreign keys).
    pub fn open(url: &str) -> Rusqlite {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        let conn = rusqlite::Connection::open(path).expect("rusqlite");
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
        )
        .expect("pragmas");
        conn.set_prepared_statement_cache_capacity(32);
        Rusqlite {
            conn,
            children_sql: format!(
                "SELECT id, author_id, title FROM bench_books WHERE author_id IN ({})",
                marks(EAGER_PARENTS)
            ),
        }
    }

    fn op(&mut self, op: Op, i: usize) -> rusqlite::Result<Check> {
        fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<RItem> {
            Ok(RItem {
                id: r.get(0)?,
                name: r.get(1)?,
                qty: r.get(2)?,
                price: r.get(3)?,
            })
        }
        let conn = &mut self.conn;
        Ok(match op {
            Op::Lookup => {
                conn.prepare_cached("SELECT id, name, qty, price FROM bench_items WHERE id = ?1")?
                    .query_row([key(i)], item)?
                    .id
            }
            Op::Load => conn
                .prepare_cached("SELECT id, name, qty, price FROM bench_items WHERE id <= ?1")?
                .query_map([LOAD_ROWS], item)?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .len() as i64,
            Op::FilterOrderLimit => conn
                .prepare_cached(
                    "SELECT id, name, qty, price FROM bench_items WHERE qty = ?1 \
                     ORDER BY price DESC LIMIT 10",
                )?
                .query_map([qty(i)], item)?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .len() as i64,
            Op::Insert => {
                let row = conn
                    .prepare_cached(
                        "INSERT INTO bench_items (name, qty, price) VALUES (?1, 1, 1.0) \
                         RETURNING id, name, qty, price",
                    )?
                    .query_row([format!("new {i}")], item)?;
                i64::from(row.id > ROWS)
            }
            Op::BatchInsert => {
                let tx = conn.transaction()?;
                let mut n = 0;
                {
                    let mut insert = tx.prepare_cached(
                        "INSERT INTO bench_items (name, qty, price) VALUES (?1, ?2, ?3)",
                    )?;
                    for row in batch() {
                        n += insert.execute(rusqlite::params![row.name, row.qty, row.price])?;
                    }
                }
                tx.commit()?;
                n as i64
            }
            Op::UpdateWhere => {
                conn.prepare_cached("UPDATE bench_items SET price = ?1 WHERE qty = ?2")?
                    .execute(rusqlite::params![i as f64, qty(i)])? as i64
            }
            Op::DeleteWhere => conn
                .prepare_cached("DELETE FROM bench_items WHERE qty = ?1")?
                .execute([delete_marker(i)])? as i64,
            Op::EagerLoad => {
                let first = first_parent(i);
                let parents: Vec<(i64, String)> = conn
                    .prepare_cached(
                        "SELECT id, name FROM bench_authors WHERE id BETWEEN ?1 AND ?2",
                    )?
                    .query_map([first, first + EAGER_PARENTS - 1], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                let ids: Vec<i64> = parents.iter().map(|p| p.0).collect();
                let children = conn
                    .prepare_cached(&self.children_sql)?
                    .query_map(rusqlite::params_from_iter(&ids), |r| {
                        Ok(RBook {
                            id: r.get(0)?,
                            author_id: r.get(1)?,
                            title: r.get(2)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                group(&ids, children)
            }
            Op::Aggregate => conn
                .prepare_cached(
                    "SELECT qty, COUNT(*), AVG(price) FROM bench_items WHERE id <= ?1 GROUP BY qty",
                )?
                .query_map([ROWS], |r| {
                    Ok((
                        r.get::<_, i32>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Option<f64>>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .len() as i64,
            Op::Stream => {
                let mut stmt =
                    conn.prepare_cached("SELECT id, name, qty, price FROM bench_stream")?;
                let mut n = 0;
                for row in stmt.query_map([], item)? {
                    std::hint::black_box(row?);
                    n += 1;
                }
                n
            }
        })
    }
}

impl Blocking for Rusqlite {
    fn name(&self) -> String {
        "rusqlite".into()
    }

    fn run(&mut self, op: Op, i: usize) -> Check {
        self.op(op, i).expect("rusqlite")
    }
}

/// The statements the `postgres` contender prepares once.
struct PgStatements {
    lookup: postgres::Statement,
    load: postgres::Statement,
    filter: postgres::Statement,
    insert: postgres::Statement,
    batch: postgres::Statement,
    update: postgres::Statement,
    delete: postgres::Statement,
    parents: postgres::Statement,
    children: postgres::Statement,
    aggregate: postgres::Statement,
    stream: postgres::Statement,
}

/// The `postgres` crate (rust-postgres, blocking) on one connection.
pub struct Postgres {
    client: postgres::Client,
    s: PgStatements,
}

impl Postgres {
    /// Connects and prepares every statement.
    pub fn connect(url: &str) -> Postgres {
        let mut client = postgres::Client::connect(url, postgres::NoTls).expect("postgres");
        let mut p = |sql: &str| client.prepare(sql).expect("prepare");
        let s = PgStatements {
            lookup: p("SELECT id, name, qty, price FROM bench_items WHERE id = $1"),
            load: p("SELECT id, name, qty, price FROM bench_items WHERE id <= $1"),
            filter: p(
                "SELECT id, name, qty, price FROM bench_items WHERE qty = $1 \
                 ORDER BY price DESC LIMIT 10",
            ),
            insert: p(
                "INSERT INTO bench_items (name, qty, price) VALUES ($1, 1, 1.0) \
                 RETURNING id, name, qty, price",
            ),
            batch: p("INSERT INTO bench_items (name, qty, price) \
                 SELECT * FROM UNNEST($1::text[], $2::int4[], $3::float8[])"),
            update: p("UPDATE bench_items SET price = $1 WHERE qty = $2"),
            delete: p("DELETE FROM bench_items WHERE qty = $1"),
            parents: p("SELECT id, name FROM bench_authors WHERE id BETWEEN $1 AND $2"),
            children: p("SELECT id, author_id, title FROM bench_books WHERE author_id = ANY($1)"),
            aggregate: p(
                "SELECT qty, COUNT(*), AVG(price) FROM bench_items WHERE id <= $1 GROUP BY qty",
            ),
            stream: p("SELECT id, name, qty, price FROM bench_stream"),
        };
        Postgres { client, s }
    }

    fn op(&mut self, op: Op, i: usize) -> Result<Check, postgres::Error> {
        use postgres::fallible_iterator::FallibleIterator;
        fn item(r: &postgres::Row) -> RItem {
            RItem {
                id: r.get(0),
                name: r.get(1),
                qty: r.get(2),
                price: r.get(3),
            }
        }
        let (c, s) = (&mut self.client, &self.s);
        Ok(match op {
            Op::Lookup => item(&c.query_one(&s.lookup, &[&key(i)])?).id,
            Op::Load => c
                .query(&s.load, &[&LOAD_ROWS])?
                .iter()
                .map(item)
                .collect::<Vec<_>>()
                .len() as i64,
            Op::FilterOrderLimit => c
                .query(&s.filter, &[&qty(i)])?
                .iter()
                .map(item)
                .collect::<Vec<_>>()
                .len() as i64,
            Op::Insert => {
                i64::from(item(&c.query_one(&s.insert, &[&format!("new {i}")])?).id > ROWS)
            }
            Op::BatchInsert => {
                let rows = batch();
                let mut names = Vec::with_capacity(rows.len());
                let mut qtys = Vec::with_capacity(rows.len());
                let mut prices = Vec::with_capacity(rows.len());
                for row in rows {
                    names.push(row.name);
                    qtys.push(row.qty);
                    prices.push(row.price);
                }
                c.execute(&s.batch, &[&names, &qtys, &prices])? as i64
            }
            Op::UpdateWhere => c.execute(&s.update, &[&(i as f64), &qty(i)])? as i64,
            Op::DeleteWhere => c.execute(&s.delete, &[&delete_marker(i)])? as i64,
            Op::EagerLoad => {
                let first = first_parent(i);
                let parents: Vec<(i64, String)> = c
                    .query(&s.parents, &[&first, &(first + EAGER_PARENTS - 1)])?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect();
                let ids: Vec<i64> = parents.iter().map(|p| p.0).collect();
                let children = c
                    .query(&s.children, &[&ids])?
                    .iter()
                    .map(|r| RBook {
                        id: r.get(0),
                        author_id: r.get(1),
                        title: r.get(2),
                    })
                    .collect();
                group(&ids, children)
            }
            Op::Aggregate => c
                .query(&s.aggregate, &[&ROWS])?
                .iter()
                .map(|r| {
                    (
                        r.get::<_, i32>(0),
                        r.get::<_, i64>(1),
                        r.get::<_, Option<f64>>(2),
                    )
                })
                .collect::<Vec<_>>()
                .len() as i64,
            Op::Stream => {
                let mut rows = c.query_raw(&s.stream, std::iter::empty::<i64>())?;
                let mut n = 0;
                while let Some(row) = rows.next()? {
                    std::hint::black_box(item(&row));
                    n += 1;
                }
                n
            }
        })
    }
}

impl Blocking for Postgres {
    fn name(&self) -> String {
        "postgres crate".into()
    }

    fn run(&mut self, op: Op, i: usize) -> Check {
        self.op(op, i).expect("postgres")
    }
}

/// The `mysql` crate (blocking) on one connection, with its statement cache.
pub struct Mysql {
    conn: mysql::Conn,
    children_sql: String,
}

impl Mysql {
    /// Connects.
    pub fn connect(url: &str) -> Mysql {
        // Affected rows are the rows a filter matched, as every other contender counts them
        // (MySQL's default counts only rows whose value changed).
        let opts = mysql::OptsBuilder::from_opts(mysql::Opts::from_url(url).expect("mysql url"))
            .additional_capabilities(mysql::consts::CapabilityFlags::CLIENT_FOUND_ROWS);
        Mysql {
            conn: mysql::Conn::new(opts).expect("mysql"),
            children_sql: format!(
                "SELECT id, author_id, title FROM bench_books WHERE author_id IN ({})",
                marks(EAGER_PARENTS)
            ),
        }
    }

    fn op(&mut self, op: Op, i: usize) -> mysql::Result<Check> {
        use mysql::prelude::Queryable;
        type Row = (i64, String, i32, f64);
        fn item((id, name, qty, price): Row) -> RItem {
            RItem {
                id,
                name,
                qty,
                price,
            }
        }
        let c = &mut self.conn;
        Ok(match op {
            Op::Lookup => {
                let row: Row = c
                    .exec_first(
                        "SELECT id, name, qty, price FROM bench_items WHERE id = ?",
                        (key(i),),
                    )?
                    .expect("a row");
                item(row).id
            }
            Op::Load => c
                .exec_map(
                    "SELECT id, name, qty, price FROM bench_items WHERE id <= ?",
                    (LOAD_ROWS,),
                    item,
                )?
                .len() as i64,
            Op::FilterOrderLimit => c
                .exec_map(
                    "SELECT id, name, qty, price FROM bench_items WHERE qty = ? \
                     ORDER BY price DESC LIMIT 10",
                    (qty(i),),
                    item,
                )?
                .len() as i64,
            Op::Insert => {
                c.exec_drop(
                    "INSERT INTO bench_items (name, qty, price) VALUES (?, 1, 1.0)",
                    (format!("new {i}"),),
                )?;
                let id = c.last_insert_id() as i64;
                let row: Row = c
                    .exec_first(
                        "SELECT id, name, qty, price FROM bench_items WHERE id = ?",
                        (id,),
                    )?
                    .expect("the inserted row");
                i64::from(item(row).id > ROWS)
            }
            Op::BatchInsert => {
                let mut tx = c.start_transaction(mysql::TxOpts::default())?;
                let rows = batch();
                let n = rows.len();
                tx.exec_batch(
                    "INSERT INTO bench_items (name, qty, price) VALUES (?, ?, ?)",
                    rows.into_iter().map(|r| (r.name, r.qty, r.price)),
                )?;
                tx.commit()?;
                n as i64
            }
            Op::UpdateWhere => {
                c.exec_drop(
                    "UPDATE bench_items SET price = ? WHERE qty = ?",
                    (i as f64, qty(i)),
                )?;
                c.affected_rows() as i64
            }
            Op::DeleteWhere => {
                c.exec_drop("DELETE FROM bench_items WHERE qty = ?", (delete_marker(i),))?;
                c.affected_rows() as i64
            }
            Op::EagerLoad => {
                let first = first_parent(i);
                let parents: Vec<(i64, String)> = c.exec(
                    "SELECT id, name FROM bench_authors WHERE id BETWEEN ? AND ?",
                    (first, first + EAGER_PARENTS - 1),
                )?;
                let ids: Vec<i64> = parents.iter().map(|p| p.0).collect();
                let children = c.exec_map(
                    self.children_sql.as_str(),
                    mysql::Params::Positional(ids.iter().map(|&id| id.into()).collect()),
                    |(id, author_id, title)| RBook {
                        id,
                        author_id,
                        title,
                    },
                )?;
                group(&ids, children)
            }
            Op::Aggregate => c
                .exec::<(i32, i64, Option<f64>), _, _>(
                    "SELECT qty, COUNT(*), AVG(price) FROM bench_items WHERE id <= ? GROUP BY qty",
                    (ROWS,),
                )?
                .len() as i64,
            Op::Stream => {
                let mut n = 0;
                for row in c.exec_iter("SELECT id, name, qty, price FROM bench_stream", ())? {
                    std::hint::black_box(item(mysql::from_row::<Row>(row?)));
                    n += 1;
                }
                n
            }
        })
    }
}

impl Blocking for Mysql {
    fn name(&self) -> String {
        "mysql crate".into()
    }

    fn run(&mut self, op: Op, i: usize) -> Check {
        self.op(op, i).expect("mysql")
    }
}
