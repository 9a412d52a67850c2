/work/main/target-fuzz/release/deps/bounded-8b51e73f5331ad10.d: tests/bounded.rs

/work/main/target-fuzz/release/deps/bounded-8b51e73f5331ad10: tests/bounded.rs

tests/bounded.rs:

# env-dep:CARGO_MANIFEST_DIR=/work/locks/fuzz
