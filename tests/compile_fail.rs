//! Compile-time guarantees, proven with trybuild: typed columns reject wrong operands and
//! foreign models, `#[derive(Model)]` rejects bad models with spanned errors, and
//! `#[ambidex::dual]` compiles and runs its pass cases in both worlds and refuses its fail
//! cases at the offending construct, saying why it cannot be made blocking.
//!
//! Every case is a crate of its own that trybuild builds in turn, minutes on two cores,
//! so the suite runs in CI (`CI=true`, as `.ci/run` sets it) or when asked for:
//! `AMBIDEX_UI_TESTS=1 cargo test --test compile_fail` (`AMBIDEX_UI_TESTS=0` skips it
//! under CI too). The README's `cargo test` leaves it out to stay quick. All cases share one `TestCases`, so their dependencies build once.

/// `AMBIDEX_UI_TESTS` decides when set (`1`/`true` or `0`/`false`), else `CI`.
fn wanted() -> bool {
    let yes = |v: String| v == "1" || v == "true";
    match std::env::var("AMBIDEX_UI_TESTS") {
        Ok(v) => yes(v),
        Err(_) => std::env::var("CI").is_ok_and(yes),
    }
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
