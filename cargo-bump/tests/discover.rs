//! The cargo-free workspace discovery that `cargo bump` overlaps with
//! `cargo metadata` must agree with cargo on ordinary layouts, or the fast
//! path is never taken.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::Path;

use cratesmith_shared::discover::{Start, discover};
use cratesmith_shared::workspace::Workspace;

fn agrees(manifest: &Path) {
    let real = Workspace::load(Some(manifest)).unwrap();
    let (guess, parsed) = discover(&Start::resolve(Some(manifest)))
        .unwrap_or_else(|| panic!("no discovery for {}", manifest.display()));
    assert!(
        guess.same_members(&real),
        "{}:\n{guess:#?}\nvs cargo:\n{real:#?}",
        manifest.display()
    );
    assert!(parsed.iter().any(|m| m.path == real.root_manifest));
}

#[test]
fn discovery_matches_cargo_metadata() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let temp = tempfile::tempdir().unwrap();
    let copy = |from: &Path, name: &str| {
        let to = temp.path().join(name);
        cratesmith_tests::copy_tree(from, &to);
        to
    };
    let messy = copy(&tests.join("fixtures/messy"), "messy");
    for start in [
        "Cargo.toml",
        "crates/util/Cargo.toml",
        "crates/core/Cargo.toml",
        "tools/cli/Cargo.toml",
    ] {
        agrees(&messy.join(start));
    }
    for case in [
        "workspace-replacements",
        "release-finishes",
        "err-workspace-replace-needs-one-version",
    ] {
        let dir = copy(&tests.join("cases").join(case).join("in"), case);
        agrees(&dir.join("Cargo.toml"));
    }
}

#[test]
fn discovery_gives_up_rather_than_guessing() {
    let temp = tempfile::tempdir().unwrap();
    let manifest = temp.path().join("Cargo.toml");
    cratesmith_tests::cratesmith_write(
        &manifest,
        b"[package]\nname = \"x\"\nversion = \"1.0.0\"\nworkspace = \"..\"\n",
    );
    assert!(discover(&Start::resolve(Some(&manifest))).is_none());
    cratesmith_tests::cratesmith_write(&manifest, b"[workspace]\nmembers = [\"crates/**\"]\n");
    assert!(discover(&Start::resolve(Some(&manifest))).is_none());
}
