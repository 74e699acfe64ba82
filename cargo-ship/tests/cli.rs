//! `cargo ship`'s documentation: the man page, completions and
//! docs/cargo-ship.md carry the current flags.

use std::path::Path;

#[test]
fn man_page_and_completions() {
    cratesmith_tests::check_docs(
        Path::new(env!("CARGO_BIN_EXE_cargo-ship")),
        &["ship"],
        "cargo-ship",
    );
}

#[test]
fn the_image_docs_page_carries_the_current_help() {
    cratesmith_tests::docs_page::check_page(
        Path::new(env!("CARGO_BIN_EXE_cargo-ship")),
        &["ship", "image"],
        "cargo-ship-image.md",
    );
}

#[test]
fn the_installer_and_formula_pages_carry_the_current_help() {
    for (channel, page) in [
        ("installer", "cargo-ship-installer.md"),
        ("formula", "cargo-ship-formula.md"),
        ("archive", "cargo-ship-archive.md"),
        ("binstall", "cargo-ship-binstall.md"),
        ("sbom", "cargo-ship-sbom.md"),
        ("pr", "cargo-ship-pr.md"),
        ("release", "cargo-ship-release.md"),
    ] {
        cratesmith_tests::docs_page::check_page(
            Path::new(env!("CARGO_BIN_EXE_cargo-ship")),
            &["ship", channel],
            page,
        );
    }
}

#[test]
fn the_docs_page_carries_the_current_help() {
    cratesmith_tests::docs_page::check_page(
        Path::new(env!("CARGO_BIN_EXE_cargo-ship")),
        &["ship", "crates"],
        "cargo-ship.md",
    );
}
