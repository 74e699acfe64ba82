//! `cargo ship` through the binary: one test per case directory under
//! `tests/cases` (see `cratesmith_tests::cases`). The cases need no registry;
//! `registry.rs` runs the tool against a real one.

cratesmith_tests::cases! {
    bin = env!("CARGO_BIN_EXE_cargo-ship"), dir = "tests/cases";
    err_formula_no_sums
    err_git_index
    err_image_bad_push_ref
    err_image_not_built
    err_installer_url_without_archive
    err_no_channel
    err_plain_http
    err_unknown_package
    err_unknown_registry
    err_unreachable
}
