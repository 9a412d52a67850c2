//! Compile-time guarantees, proven with trybuild: typed columns reject wrong operands and
//! foreign models, `#[derive(Model)]` rejects bad models with spanned errors, and
//! `#[ambidex::dual]` compiles and runs its pass cases in both worlds and refuses its fail
//! cases at the offending construct, saying why it cannot be made blocking.
//!
//! Every case is a crate of its own that trybuild builds in turn, minutes on two cores,
//! so the suite runs in CI (`CI=true`, as `.ci/run` sets it) or when asked for:
//! `AMBIDEX_UI_TESTS=1 cargo test --test compile_fail`. The README's `cargo test` leaves it
//! out to stay quick. All cases share one `TestCases`, so their dependencies build once.

fn wanted() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| v == "1" || v == "true");
    set("CI") || set("AMBIDEX_UI_TESTS")
}

#[test]
fn ui() {
    if !wanted() {
        eprintln!("compile-fail suite skipped: run it with AMBIDEX_UI_TESTS=1 (CI=true runs it)");
        return;
    }
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
    if cfg!(all(feature = "blocking", feature = "async")) {
        t.pass("tests/ui/dual_pass/*.rs");
        t.compile_fail("tests/ui/dual_fail/*.rs");
    }
}
