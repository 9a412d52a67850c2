//! Draws the charts of `docs/guide/perf/` from the JSON the benches write, as SVG beside it:
//!
//! - `peers.json` → `peers-blocking.svg`, `peers-async.svg`: per backend and workload, each
//!   peer's median ratio to the ambidex baseline (the per-round ratio's median, as
//!   `harness::Measurement::ratio` computes it), grouped horizontal bars from 1.0, a line at
//!   1.0, whiskers over the quartiles, a log axis when the ratios span a wide range;
//! - `sea_orm_sync.json` (same schema) → `peers-sea-orm-sync.svg`;
//! - `concurrency.json` → `concurrency-throughput.svg` (ops/s against clients) and
//!   `concurrency-rss.svg` (peak RSS against clients): a panel per backend, a line per mode,
//!   log axis of clients.
//!
//! `cargo run --manifest-path benches/Cargo.toml --bin charts [-- --dir DIR]`; the default
//! directory is `benches/../docs/guide/perf`. A missing file is skipped with a message. Text is
//! written as SVG `<text>` elements (plotters' SVG backend without its `ttf` feature), so no
//! system fonts are needed to draw, only to view.

#[path = "charts/common.rs"]
mod common;
#[path = "charts/concurrency.rs"]
mod concurrency;
#[path = "charts/peers.rs"]
mod peers;

use std::path::{Path, PathBuf};

/// Draws the charts of one JSON file (its text) into a directory; yields the files written.
type Draw<'a> = &'a dyn Fn(&str, &Path) -> Result<Vec<PathBuf>, String>;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = match args.iter().position(|a| a == "--dir") {
        Some(k) => match args.get(k + 1) {
            Some(d) => PathBuf::from(d),
            None => {
                eprintln!("charts: --dir needs a directory");
                std::process::exit(2);
            }
        },
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/guide/perf"),
    };
    let mut failed = false;
    let mut wrote = 0;
    let jobs: [(&str, Draw<'_>); 3] = [
        ("peers.json", &|text, dir| {
            peers::draw(
                text,
                dir,
                &[
                    ("blocking", "peers-blocking.svg"),
                    ("async", "peers-async.svg"),
                ],
            )
        }),
        ("sea_orm_sync.json", &|text, dir| {
            peers::draw(text, dir, &[("blocking", "peers-sea-orm-sync.svg")])
        }),
        ("concurrency.json", &|text, dir| {
            concurrency::draw(text, dir)
        }),
    ];
    for (name, draw) in jobs {
        let path = dir.join(name);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("{}: skipped ({e})", path.display());
                continue;
            }
        };
        match draw(&text, &dir) {
            Ok(paths) => {
                for p in paths {
                    eprintln!("wrote {}", p.display());
                    wrote += 1;
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                failed = true;
            }
        }
    }
    if wrote == 0 {
        eprintln!("charts: nothing drawn from {}", dir.display());
    }
    if failed {
        std::process::exit(1);
    }
}
