//! ambidex's contenders, every workload written once in [`ambidex_op!`] for all of
//! ambidex's handles (the blocking pool, a held blocking connection, blocking code over
//! the sqlx engine, the async pool, the default-engine `ambidex::Db`): the handle expression and the `.await` are the macro's
//! arguments, everything else is the same text, as an application's own data layer would
//! be with `#[ambidex::dual]`.

use ambidex::prelude::*;

use crate::harness::{Async, Blocking, BoxFuture};
use crate::models::StreamRow;
use crate::workload::{Check, Op};

/// One workload through any ambidex handle expression `$db`; `await` as the last argument
/// makes it async. Streams are not here: a blocking stream is an `Iterator`, an async one
/// a `Stream` (see each contender).
#[macro_export]
macro_rules! ambidex_op {
    ($db:expr, $op:expr, $i:expr, await) => {
        $crate::ambidex_op!(@body $db, $op, $i, await).await
    };
    ($db:expr, $op:expr, $i:expr) => {
        $crate::ambidex_contenders::ready($crate::ambidex_op!(@body $db, $op, $i))
    };
    (@body $db:expr, $op:expr, $i:expr $(, $aw:ident)?) => {{
        #[allow(unused_imports)]
        use $crate::models::{Author, Book, Item, batch};
        #[allow(unused_imports)]
        use $crate::workload::*;
        let (op, i): (Op, usize) = ($op, $i);
        async move {
            Ok::<Check, ambidex::Error>(match op {
                Op::Lookup => Item::get(key(i), $db)$(.$aw)??.id,
                Op::Load => Item::query()
                    .filter(Item::ID.le(LOAD_ROWS))
                    .all($db)$(.$aw)??
                    .len() as i64,
                Op::FilterOrderLimit => Item::query()
                    .filter(Item::QTY.eq(qty(i)))
                    .order_by(Item::PRICE.desc())
                    .limit(10)
                    .all($db)$(.$aw)??
                    .len() as i64,
                Op::Insert => {
                    let row = Item { id: 0, name: format!("new {i}"), qty: 1, price: 1.0 };
                    i64::from(row.insert($db)$(.$aw)??.id > ROWS)
                }
                Op::BatchInsert => {
                    let rows = batch();
                    Item::insert_many(&rows, $db)$(.$aw)?? as i64
                }
                Op::UpdateWhere => Item::query()
                    .filter(Item::QTY.eq(qty(i)))
                    .set(Item::PRICE, i as f64)
                    .update($db)$(.$aw)?? as i64,
                Op::DeleteWhere => Item::query()
                    .filter(Item::QTY.eq(delete_marker(i)))
                    .delete($db)$(.$aw)?? as i64,
                Op::EagerLoad => {
                    let first = first_parent(i);
                    let authors = Author::query()
                        .filter(Author::ID.between(first, first + EAGER_PARENTS - 1))
                        .all($db)$(.$aw)??;
                    let books: Vec<Vec<Book>> = Book::AUTHOR.children_of(&authors, $db)$(.$aw)??;
                    books.iter().map(Vec::len).sum::<usize>() as i64
                }
                Op::Aggregate => Item::query()
                    .filter(Item::ID.le(ROWS))
                    .select((Item::QTY, ambidex::count(), Item::PRICE.avg()))
                    .group_by(Item::QTY)
                    .all($db)$(.$aw)??
                    .len() as i64,
                Op::Stream => unreachable!("streams are run by the contender"),
            })
        }
    }};
}

/// Polls a future that cannot be pending to completion: a blocking handle's `ambidex_op!`
/// is an `async` block only so that both worlds share one text; nothing in it awaits.
pub fn ready<T>(fut: impl std::future::Future<Output = T>) -> T {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => unreachable!("a blocking ambidex operation awaited"),
    }
}

fn stream_blocking<'e, E>(db: E) -> Check
where
    E: ambidex::Streaming<'e>,
    E::Rows<StreamRow>: Iterator<Item = ambidex::Result<StreamRow>>,
{
    let mut n = 0;
    for row in StreamRow::query().stream(db) {
        std::hint::black_box(row.expect("ambidex stream"));
        n += 1;
    }
    n
}

async fn stream_async<'e, E>(db: E) -> Check
where
    E: ambidex::Streaming<'e, Rows<StreamRow> = ambidex::RowStream<'e, StreamRow>>,
{
    use futures_util::StreamExt;
    let mut rows = StreamRow::query().stream(db);
    let mut n = 0;
    while let Some(row) = rows.next().await {
        std::hint::black_box(row.expect("ambidex stream"));
        n += 1;
    }
    n
}

/// `ambidex::blocking::Db`: diesel, a connection checked out of ambidex's pool per call.
pub struct AmbidexBlocking {
    db: ambidex::blocking::Db,
}

impl AmbidexBlocking {
    /// Opens a pool of `pool` connections.
    pub fn open(url: &str, pool: u32) -> AmbidexBlocking {
        let db = ambidex::blocking::Db::builder(url)
            .max_connections(pool)
            .open()
            .expect("open ambidex::blocking::Db");
        AmbidexBlocking { db }
    }
}

impl Blocking for AmbidexBlocking {
    fn name(&self) -> String {
        "ambidex blocking::Db".into()
    }

    fn run(&mut self, op: Op, i: usize) -> Check {
        if op == Op::Stream {
            return stream_blocking(&self.db);
        }
        let db = &self.db;
        ambidex_op!(db, op, i).expect("ambidex blocking")
    }
}

/// `ambidex::blocking::Db::acquire()`: one connection held for every call, as a script
/// that does many things in a row may hold it (streams use the pool: pages are separate
/// checkouts by design).
pub struct AmbidexBlockingHeld {
    db: ambidex::blocking::Db,
    conn: ambidex::blocking::HeldConnection,
}

impl AmbidexBlockingHeld {
    /// Opens a pool of `pool` connections and holds one.
    pub fn open(url: &str, pool: u32) -> AmbidexBlockingHeld {
        let db = ambidex::blocking::Db::builder(url)
            .max_connections(pool)
            .open()
            .expect("open ambidex::blocking::Db");
        let conn = db.acquire().expect("hold a connection");
        AmbidexBlockingHeld { db, conn }
    }
}

impl Blocking for AmbidexBlockingHeld {
    fn name(&self) -> String {
        "ambidex blocking (held)".into()
    }

    fn run(&mut self, op: Op, i: usize) -> Check {
        if op == Op::Stream {
            return stream_blocking(&self.db);
        }
        let conn = &mut self.conn;
        ambidex_op!(&mut *conn, op, i).expect("ambidex blocking held")
    }
}

/// `ambidex::blocking::SqlxDb`: blocking calls driving the sqlx engine on the handle's own
/// runtime (the shim's other direction), a connection checked out per call.
pub struct AmbidexBlockingSqlx {
    db: ambidex::blocking::SqlxDb,
}

impl AmbidexBlockingSqlx {
    /// Opens a pool of `pool` connections.
    pub fn open(url: &str, pool: u32) -> AmbidexBlockingSqlx {
        let db = ambidex::blocking::SqlxDb::builder(url)
            .max_connections(pool)
            .open()
            .expect("open ambidex::blocking::SqlxDb");
        AmbidexBlockingSqlx { db }
    }
}

impl Blocking for AmbidexBlockingSqlx {
    fn name(&self) -> String {
        "ambidex blocking::SqlxDb".into()
    }

    fn run(&mut self, op: Op, i: usize) -> Check {
        if op == Op::Stream {
            return stream_blocking(&self.db);
        }
        let db = &self.db;
        ambidex_op!(db, op, i).expect("ambidex blocking::SqlxDb")
    }
}

/// `ambidex::SqlxDb`: sqlx, a connection checked out of ambidex's pool per call.
pub struct AmbidexSqlx {
    db: ambidex::SqlxDb,
}

impl AmbidexSqlx {
    /// Opens a pool of `pool` connections.
    pub async fn open(url: &str, pool: u32) -> AmbidexSqlx {
        let db = ambidex::SqlxDb::builder(url)
            .max_connections(pool)
            .connect()
            .await
            .expect("open ambidex::SqlxDb");
        AmbidexSqlx { db }
    }
}

impl Async for AmbidexSqlx {
    fn name(&self) -> String {
        "ambidex SqlxDb".into()
    }

    fn run(&mut self, op: Op, i: usize) -> BoxFuture<'_, Check> {
        Box::pin(async move {
            if op == Op::Stream {
                return stream_async(&self.db).await;
            }
            let db = &self.db;
            ambidex_op!(db, op, i, await).expect("ambidex SqlxDb")
        })
    }
}

/// `ambidex::SqlxDb::acquire()`: one sqlx connection held for every call, the async twin
/// of [`AmbidexBlockingHeld`] and the match for a held sqlx connection (streams use the
/// pool, as there).
pub struct AmbidexSqlxHeld {
    db: ambidex::SqlxDb,
    conn: ambidex::SqlxHeldConnection,
}

impl AmbidexSqlxHeld {
    /// Opens a pool of `pool` connections and holds one.
    pub async fn open(url: &str, pool: u32) -> AmbidexSqlxHeld {
        let db = ambidex::SqlxDb::builder(url)
            .max_connections(pool)
            .connect()
            .await
            .expect("open ambidex::SqlxDb");
        let conn = db.acquire().await.expect("hold a connection");
        AmbidexSqlxHeld { db, conn }
    }
}

impl Async for AmbidexSqlxHeld {
    fn name(&self) -> String {
        "ambidex SqlxDb (held)".into()
    }

    fn run(&mut self, op: Op, i: usize) -> BoxFuture<'_, Check> {
        Box::pin(async move {
            if op == Op::Stream {
                return stream_async(&self.db).await;
            }
            let conn = &mut self.conn;
            ambidex_op!(&mut *conn, op, i, await).expect("ambidex SqlxDb held")
        })
    }
}

/// `ambidex::Db`, the async handle on the backend's default engine (diesel on the bounded
/// worker pool for SQLite, sqlx elsewhere): the handle most servers use.
pub struct AmbidexDefault {
    db: ambidex::Db,
}

impl AmbidexDefault {
    /// Opens a pool of `pool` connections.
    pub async fn open(url: &str, pool: u32) -> AmbidexDefault {
        let db = ambidex::Db::builder(url)
            .max_connections(pool)
            .connect()
            .await
            .expect("open ambidex::Db");
        AmbidexDefault { db }
    }

    /// The engine the default picked for this backend.
    pub fn engine(&self) -> ambidex::Engine {
        self.db.engine()
    }
}

impl Async for AmbidexDefault {
    fn name(&self) -> String {
        format!("ambidex Db ({:?})", self.db.engine())
    }

    fn run(&mut self, op: Op, i: usize) -> BoxFuture<'_, Check> {
        Box::pin(async move {
            if op == Op::Stream {
                return stream_async(&self.db).await;
            }
            let db = &self.db;
            ambidex_op!(db, op, i, await).expect("ambidex Db")
        })
    }
}
