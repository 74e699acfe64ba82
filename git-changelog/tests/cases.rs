//! `git changelog` through the binary: one test per case directory under
//! `tests/cases`, each a history written as text (see `cratesmith_tests::cases`
//! and `cratesmith_tests::history`).

cratesmith_tests::cases! {
    bin = env!("CARGO_BIN_EXE_git-changelog"), dir = "tests/cases";
    all_fold_prereleases
    section_as_written
    err_section_missing
    all_releases
    bump_major_is_minor_below_1
    err_crate_pattern_without_package
    err_not_a_repository
    err_path_outside
    err_unknown_since
    github_links
    include_other_and_hidden_types
    json_release
    lint_file_bad_message
    lint_file_good_message
    lint_range_finds_bad_messages
    merges_are_skipped
    next_version
    next_version_json
    notes
    package_owns_its_files
    member_owns_a_readme_outside
    path_filter
    prepend_dry_run
    prepend_keeps_hand_edits
    release_into_new_file
    suggests_a_tag_pattern
    unreleased_since_last_tag
}
