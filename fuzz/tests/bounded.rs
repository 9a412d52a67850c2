//! The bounded fuzz run CI makes on stable Rust: every input of the corpus
//! (`corpus/render/`), then `AMBIDEX_FUZZ_CASES` (default 20,000) pseudo-random inputs from a
//! fixed seed, each through the same checker the libFuzzer target runs.

use std::time::Instant;

/// A small deterministic PRNG (xorshift64*), so a failing input can be replayed.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

#[test]
fn corpus_and_random_inputs_render_valid_sql() {
    let started = Instant::now();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/render");
    let mut corpus = 0;
    for entry in std::fs::read_dir(dir).expect("the corpus directory") {
        let data = std::fs::read(entry.expect("a corpus entry").path()).expect("read");
        ambidex_fuzz::check(&data);
        corpus += 1;
    }
    let cases: u64 = std::env::var("AMBIDEX_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut data = Vec::new();
    for case in 0..cases {
        data.clear();
        let len = 16 + (next(&mut state) % 240) as usize;
        data.extend((0..len).map(|_| next(&mut state) as u8));
        let outcome = std::panic::catch_unwind(|| ambidex_fuzz::check(&data));
        if outcome.is_err() {
            panic!("input {case} failed (bytes: {data:?})");
        }
    }
    let joins = ambidex_fuzz::JOINS_CHECKED.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "fuzz render: {corpus} corpus inputs and {cases} random inputs checked in {:?}; \
         {joins} join statements parsed",
        started.elapsed()
    );
    // Joins must really be exercised: about one statement in ten of a case is a join.
    assert!(
        joins as u64 >= cases / 4,
        "only {joins} join statements were checked in {cases} inputs"
    );
}
