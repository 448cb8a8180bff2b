//! Compile-error UI tests: every check reports on the offending token with a hint.
//! Regenerate snapshots with `TRYBUILD=overwrite cargo test -p sparkform-tests --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    // The scenarios that golden and state-machine tests synthesize must also compile.
    t.pass("scenarios/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
