/work/main/target-fuzz/release/deps/ambidex_fuzz-3fd2f08318f54b22.d: src/lib.rs

/work/main/target-fuzz/release/deps/ambidex_fuzz-3fd2f08318f54b22: src/lib.rs

src/lib.rs:
