//! `cargo verify-install` through the binary: one test per case directory
//! under `tests/cases` (see `cratesmith_tests::cases`); step times are
//! scrubbed (`scrub`).

cratesmith_tests::cases! {
    bin = env!("CARGO_BIN_EXE_cargo-verify-install"), dir = "tests/cases";
    err_bad_bin_settings
    err_bad_settings
    err_damaged_archive
    err_not_an_archive
    err_not_in_a_project
    err_unknown_package
    err_unknown_source
    passes_a_small_binary_crate
}
