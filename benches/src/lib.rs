//! What every benchmark binary in `benches/` shares: the workloads and their data, the
//! tables (created and seeded through ambidex, so every contender reads the same rows), the
//! paired-round harness that turns times into ratios, a heap counter for peak memory, and
//! the writers for the tables and the JSON the charts are drawn from.
//!
//! Contenders live in the binaries (`peers/`, `sea-orm-sync/`, `concurrency/`): each is
//! written as its own documentation would have a user write it, behind the small
//! [`harness::Blocking`] / [`harness::Async`] traits.

pub mod alloc;
pub mod ambidex_contenders;
pub mod harness;
pub mod models;
pub mod report;
pub mod workload;

/// The URL of a server from the environment (`AMBIDEX_POSTGRES_URL`, `AMBIDEX_MYSQL_URL`),
/// if set and not empty.
pub fn server_url(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.is_empty())
}

/// `--quick` on the command line, or `AMBIDEX_BENCH_QUICK` set: fewer rounds, less data.
pub fn quick() -> bool {
    std::env::var("AMBIDEX_BENCH_QUICK").is_ok() || std::env::args().any(|a| a == "--quick")
}
