//! `cargo artifact-sum` through the binary: one test per case directory
//! under `tests/cases` (see `cratesmith_tests::cases`).

cratesmith_tests::cases! {
    bin = env!("CARGO_BIN_EXE_cargo-artifact-sum"), dir = "tests/cases";
    check_finds_a_changed_file
    check_missing_file
    check_passes
    check_refuses_climbing_names
    err_no_artifacts_in_workspace
    err_json_missing_file
    err_no_such_path
    err_output_is_an_artifact
    err_tag_with_json
    hash_a_directory
    json
    sha512_tag
    sidecars
    sidecar_run_skips_old_sidecars
    sums_file
}
