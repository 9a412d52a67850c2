/work/main/target-fuzz/release/deps/ambidex_fuzz-2d21343c830045d6.d: src/lib.rs

/work/main/target-fuzz/release/deps/libambidex_fuzz-2d21343c830045d6.rlib: src/lib.rs

/work/main/target-fuzz/release/deps/libambidex_fuzz-2d21343c830045d6.rmeta: src/lib.rs

src/lib.rs:
