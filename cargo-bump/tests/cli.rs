//! `cargo bump` through the binary: every case directory under
//! `tests/cases` (see relkit_tests for the layout).

use std::path::Path;

#[test]
fn cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    relkit_tests::run_cases(
        Path::new(env!("CARGO_BIN_EXE_cargo-bump")),
        &dir.join("cases"),
        &dir.join("fixtures"),
    );
}
