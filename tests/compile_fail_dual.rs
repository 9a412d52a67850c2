//! `#[ambidex::dual]` at compile time, proven with trybuild: the pass cases compile and run
//! their async versions and blocking twins; the fail cases are refused with an error at
//! the offending construct saying why it cannot be made blocking.
#![cfg(all(feature = "blocking", feature = "async"))]

#[test]
fn dual_ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/dual_pass/*.rs");
    t.compile_fail("tests/ui/dual_fail/*.rs");
}
