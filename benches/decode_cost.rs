//! The cost of decoding SQLite rows on the blocking engine, in instructions, beside
//! hand-written diesel: `load 1,000 rows` (the peers benchmark's `load_1000`, through the
//! same ambidex code and the same diesel DSL on an r2d2 pool) run a given number of times,
//! for callgrind to count. Wall-clock times on a shared machine drift by more than the
//! difference being chased; instruction counts repeat to the instruction.
//!
//! ```text
//! cargo bench --manifest-path benches/Cargo.toml --bench decode_cost --no-run
//! B=$(ls -t benches/target/release/deps/decode_cost-* | grep -v '\.d$' | head -1)
//! $B seed /tmp/decode.db
//! for who in ambidex diesel; do for n in 1 11; do
//!   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$who.$n $B $who /tmp/decode.db $n
//! done; done
//! ```
//!
//! Instructions per row: (count at 11 loads − count at 1 load) / 10,000. glibc's heap
//! layout moves the allocator's share by ±100 instructions per row between programs;
//! `GLIBC_TUNABLES=glibc.malloc.tcache_count=4000` keeps every freed row in the thread
//! cache, which leaves the libraries' own code.

#[macro_use]
#[allow(dead_code, unused_macros)]
#[path = "peers/diesel_schema.rs"]
mod diesel_schema;

use ambidex::prelude::*;
use ambidex_benches::models::{Item, item};
use ambidex_benches::workload::{LOAD_ROWS, ROWS};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};

use crate::diesel_schema::{DItem, bench_items};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (who, path) = match args.as_slice() {
        [who, path, ..] => (who.as_str(), path.as_str()),
        _ => return eprintln!("usage: decode_cost seed|ambidex|diesel PATH [LOADS]"),
    };
    let loads: usize = args
        .get(2)
        .map_or(1, |n| n.parse().expect("LOADS is a number"));
    let url = format!("sqlite://{path}");
    let mut rows = 0;
    match who {
        "seed" => {
            let db = ambidex::blocking::Db::open(&url).expect("open");
            Item::drop_table(&db).expect("drop");
            Item::create_table(&db).expect("create");
            let items: Vec<Item> = (0..ROWS as usize).map(item).collect();
            Item::insert_many(&items, &db).expect("seed");
            ambidex::raw("ANALYZE").execute(&db).expect("analyze");
        }
        "ambidex" => {
            let db = ambidex::blocking::Db::open(&url).expect("open");
            // The macro's `async move` takes the handle expression: a reference, as in peers.
            let db = &db;
            for _ in 0..loads {
                rows += ambidex_benches::ambidex_op!(db, ambidex_benches::workload::Op::Load, 0)
                    .expect("ambidex load");
            }
        }
        "diesel" => {
            let pool = Pool::builder()
                .max_size(4)
                .build(ConnectionManager::<SqliteConnection>::new(path))
                .expect("diesel pool");
            for _ in 0..loads {
                let conn = &mut pool.get().expect("diesel connection");
                let items: Vec<DItem> = bench_items::table
                    .filter(bench_items::id.le(LOAD_ROWS))
                    .select(DItem::as_select())
                    .load(conn)
                    .expect("diesel load");
                rows += std::hint::black_box(items).len() as i64;
            }
        }
        // `cargo bench` passes its own flags (`--bench`, `--quick`) to every bench binary.
        other => eprintln!("decode_cost: nothing to count for {other:?} (seed, ambidex or diesel)"),
    }
    println!("{rows} rows");
}
