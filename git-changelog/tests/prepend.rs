//! `--prepend` into changelogs people wrote: hand-written `[Unreleased]`
//! notes carried into the section written, conventional-changelog and
//! setext release headings.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Repo, err, ok, out, run, short};
use cratesmith_tests::cratesmith_write;

const HAND: &str = "# Changelog\n\n## [Unreleased]\n\nThis release renames the crate.\n\n### Added\n\n- A new logo, drawn by hand.\n\n### Removed\n\n- The `--legacy` flag\n  (deprecated since 0.3).\n\n## [1.0.0] - 2026-01-01\n\n- first\n";

fn history() -> (Repo, String) {
    let mut r = Repo::new();
    r.commit("feat: first");
    r.tag("v1.0.0");
    let feat = r.commit("feat: a generated entry");
    (r, feat)
}

#[test]
fn hand_written_unreleased_notes_are_kept_when_refreshed_and_released() {
    let (r, feat) = history();
    let file = r.root.join("CHANGELOG.md");
    cratesmith_write(&file, HAND.as_bytes());
    let dry = run(&r.root, &["--prepend", "CHANGELOG.md", "--dry-run"]);
    assert!(dry.status.success(), "{}", err(&dry));
    assert!(
        !out(&dry)
            .lines()
            .any(|l| l.starts_with('-') && !l.starts_with("---")),
        "the dry run removes nothing: {}",
        out(&dry)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), HAND);
    ok(run(&r.root, &["--prepend", "CHANGELOG.md"]));
    let entry = format!("- a generated entry ({})", short(&feat));
    let refreshed = HAND.replace(
        "### Added\n\n- A new logo",
        &format!("### Added\n\n{entry}\n- A new logo"),
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), refreshed);
    let again = run(&r.root, &["--prepend", "CHANGELOG.md"]);
    assert!(
        err(&again).contains("already up to date"),
        "{}",
        err(&again)
    );
    ok(run(
        &r.root,
        &[
            "--release",
            "1.1.0",
            "--date",
            "2026-12-01",
            "--prepend",
            "CHANGELOG.md",
        ],
    ));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        refreshed.replace("## [Unreleased]", "## [1.1.0] - 2026-12-01")
    );
    let same = run(
        &r.root,
        &[
            "--release",
            "1.1.0",
            "--date",
            "2026-12-01",
            "--prepend",
            "CHANGELOG.md",
        ],
    );
    assert!(same.status.success(), "{}", err(&same));
    assert!(err(&same).contains("already up to date"), "{}", err(&same));
}

#[test]
fn an_entry_equal_to_a_generated_one_is_not_duplicated() {
    let (r, feat) = history();
    let file = r.root.join("CHANGELOG.md");
    let copy = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- a generated entry\n\n";
    cratesmith_write(&file, copy.as_bytes());
    ok(run(&r.root, &["--prepend", "CHANGELOG.md"]));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!(
            "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- a generated entry ({})\n\n",
            short(&feat)
        )
    );
}

/// conventional-changelog / standard-version wrote this file.
const CONVENTIONAL: &str = "# Changelog\n\nAll notable changes to this project will be documented in this file. See [standard-version](https://github.com/conventional-changelog/standard-version) for commit guidelines.\n\n### [1.0.1](https://github.com/o/r/compare/v1.0.0...v1.0.1) (2026-11-22)\n\n\n### Bug Fixes\n\n* a fix ([1234567](https://github.com/o/r/commit/1234567))\n\n## [1.0.0](https://github.com/o/r/compare/v0.9.0...v1.0.0) (2026-11-22)\n\n\n### Features\n\n* first ([abcdef0](https://github.com/o/r/commit/abcdef0))\n";

#[test]
fn conventional_changelog_and_setext_headings_are_releases() {
    let mut r = Repo::new();
    r.commit("feat: first");
    r.tag("v1.0.0");
    r.commit("fix: a fix");
    r.tag("v1.0.1");
    let feat = r.commit("feat: new");
    let file = r.root.join("CHANGELOG.md");
    cratesmith_write(&file, CONVENTIONAL.as_bytes());
    let o = run(&r.root, &["--all", "--prepend", "CHANGELOG.md"]);
    assert!(o.status.success(), "{}", err(&o));
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        written,
        CONVENTIONAL.replace(
            "### [1.0.1]",
            &format!(
                "## [Unreleased]\n\n### Added\n\n- new ({})\n\n### [1.0.1]",
                short(&feat)
            )
        ),
        "no duplicate of 1.0.1 or 1.0.0"
    );
    let dup = run(
        &r.root,
        &["--release", "1.0.1", "--prepend", "CHANGELOG.md"],
    );
    assert_eq!(dup.status.code(), Some(1));
    assert!(
        err(&dup).contains("version 1.0.1 is already in the changelog (line 11)"),
        "{}",
        err(&dup)
    );
    let setext = "Changelog\n=========\n\n1.0.1\n-----\n\n- a fix\n\n1.0.0\n-----\n\n- first\n";
    cratesmith_write(&file, setext.as_bytes());
    ok(run(
        &r.root,
        &[
            "--release",
            "1.1.0",
            "--date",
            "2026-12-01",
            "--prepend",
            "CHANGELOG.md",
        ],
    ));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        setext.replace(
            "1.0.1\n-----",
            &format!(
                "## [1.1.0] - 2026-12-01\n\n### Added\n\n- new ({})\n\n1.0.1\n-----",
                short(&feat)
            )
        )
    );
    let dup = run(
        &r.root,
        &["--release", "1.0.0", "--prepend", "CHANGELOG.md"],
    );
    assert_eq!(dup.status.code(), Some(1), "{}", err(&dup));
}
