//! Keeps `cargo run --example demo` working: runs the same demo in-process, both worlds,
//! end to end.

#[test]
fn demo_runs_end_to_end() {
    if let Err(e) = ambidex_example_blog::demo::run() {
        panic!("demo failed: {e}");
    }
}
