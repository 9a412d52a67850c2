//! Streaming a million rows keeps memory flat, in every API world and engine, on every
//! backend: a counting allocator records the peak of live heap bytes while each handle
//! streams the same 1,000,000-row table, and the peak must stay under 64 MB above where it
//! started (measured: 0.1-0.2 MB; loading the table with `all` takes 55 MB).
//!
//! One test per backend, each running its five handles one after the other (this binary
//! runs nothing else in parallel with a stream, so the peak is the stream's).
#![cfg(all(feature = "blocking", feature = "async"))]

#[path = "conformance/harness.rs"]
#[macro_use]
#[allow(unused_macros, dead_code)]
mod harness;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ambidex::prelude::*;
use futures_util::StreamExt;

/// Live heap bytes and their peak since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Streams run one at a time across this binary's tests.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const ROWS: i64 = 1_000_000;
const LIMIT: usize = 64 << 20;

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "stream_big")]
struct Big {
    #[ambidex(primary_key)]
    id: i64,
    name: String,
}

/// Fills the table on the server itself (a million single inserts would dominate the
/// test's time).
fn seed_sql(dialect: ambidex::Dialect) -> &'static str {
    match dialect {
        ambidex::Dialect::Sqlite => {
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000000) \
             INSERT INTO stream_big (id, name) SELECT n, 'row ' || n FROM s"
        }
        ambidex::Dialect::Postgres => {
            "INSERT INTO stream_big (id, name) SELECT n, 'row ' || n FROM generate_series(1, 1000000) AS n"
        }
        ambidex::Dialect::Mysql => {
            "INSERT INTO stream_big (id, name) SELECT seq, CONCAT('row ', seq) FROM seq_1_to_1000000"
        }
    }
}

/// Runs `stream` (which returns the rows it saw and their id sum) with the peak reset,
/// and returns the peak growth in bytes.
fn measure(what: &str, stream: impl FnOnce() -> ambidex::Result<(i64, i64)>) -> usize {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let (count, sum) = stream().unwrap_or_else(|e| panic!("{what}: {e}"));
    let grew = PEAK.load(Ordering::SeqCst).saturating_sub(base);
    assert_eq!(count, ROWS, "{what}: every row, once");
    assert_eq!(sum, ROWS * (ROWS + 1) / 2, "{what}: every row, once");
    eprintln!(
        "{what}: {ROWS} rows, peak heap growth {:.1} MB",
        grew as f64 / 1e6
    );
    assert!(
        grew < LIMIT,
        "{what}: memory grew by {grew} bytes while streaming"
    );
    grew
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn sum_blocking(rows: impl Iterator<Item = ambidex::Result<Big>>) -> ambidex::Result<(i64, i64)> {
    let (mut n, mut sum) = (0, 0);
    for row in rows {
        let row = row?;
        n += 1;
        sum += row.id;
    }
    Ok((n, sum))
}

async fn sum_async(
    mut rows: impl futures_util::Stream<Item = ambidex::Result<Big>> + Unpin,
) -> ambidex::Result<(i64, i64)> {
    let (mut n, mut sum) = (0, 0);
    while let Some(row) = rows.next().await {
        let row = row?;
        n += 1;
        sum += row.id;
    }
    Ok((n, sum))
}

fn every_handle(
    open: impl std::future::Future<Output = Option<(harness::Scratch, ambidex::blocking::Db)>>,
) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let Some((scratch, db)) = harness::complete_open(open) else {
        return;
    };
    Big::create_table(&db).unwrap();
    ambidex::raw(seed_sql(db.dialect())).execute(&db).unwrap();
    let url = scratch.url.clone();
    let name = format!("{:?}", db.dialect());

    measure(&format!("{name} blocking diesel"), || {
        sum_blocking(Big::query().stream(&db))
    });
    let sqlx_blocking = ambidex::blocking::SqlxDb::open(&url).unwrap();
    measure(&format!("{name} blocking sqlx"), || {
        sum_blocking(Big::query().stream(&sqlx_blocking))
    });
    drop(sqlx_blocking);
    let rt = runtime();
    let sqlx = rt.block_on(ambidex::SqlxDb::connect(&url)).unwrap();
    measure(&format!("{name} async sqlx"), || {
        rt.block_on(sum_async(Big::query().stream(&sqlx)))
    });
    let diesel = rt.block_on(ambidex::DieselDb::connect(&url)).unwrap();
    measure(&format!("{name} async diesel"), || {
        rt.block_on(sum_async(Big::query().stream(&diesel)))
    });
    let default = rt.block_on(ambidex::Db::connect(&url)).unwrap();
    measure(&format!("{name} async default"), || {
        rt.block_on(sum_async(Big::query().stream(&default)))
    });
    drop(scratch);
}

#[test]
fn sqlite_streams_a_million_rows_in_flat_memory() {
    every_handle(harness::sqlite_blocking());
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_streams_a_million_rows_in_flat_memory() {
    every_handle(harness::postgres_blocking());
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_streams_a_million_rows_in_flat_memory() {
    every_handle(harness::mysql_blocking());
}

/// The measurement sees a full load: `all` on the same table grows the heap by tens of
/// megabytes (55 MB measured), hundreds of times what a stream needs (0.1-0.2 MB).
#[test]
fn loading_everything_at_once_would_not_fit() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let db = ambidex::blocking::Db::open("sqlite::memory:").unwrap();
    Big::create_table(&db).unwrap();
    ambidex::raw(seed_sql(db.dialect())).execute(&db).unwrap();
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let all = Big::query().all(&db).unwrap();
    let grew = PEAK.load(Ordering::SeqCst) - base;
    assert_eq!(all.len() as i64, ROWS);
    assert!(grew > 16 << 20, "all() grew the heap by only {grew} bytes");
}
