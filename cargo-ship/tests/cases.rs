//! `cargo ship` through the binary: one test per case directory under
//! `tests/cases` (see `relkit_tests::cases`). The cases need no registry;
//! `registry.rs` runs the tool against a real one.

relkit_tests::cases! {
    bin = env!("CARGO_BIN_EXE_cargo-ship"), dir = "tests/cases";
    err_git_index
    err_no_channel
    err_plain_http
    err_unknown_package
    err_unknown_registry
    err_unreachable
}
