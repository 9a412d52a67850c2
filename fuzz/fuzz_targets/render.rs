//! libFuzzer entry point: `cargo fuzz run render --features libfuzzer` (nightly).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ambidex_fuzz::check(data));
