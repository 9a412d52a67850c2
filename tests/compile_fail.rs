//! Compile-time guarantees, proven with trybuild: typed columns reject wrong operands and
//! foreign models, and `#[derive(Model)]` rejects bad models with spanned errors.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
