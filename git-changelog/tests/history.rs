//! `git changelog` over whole histories and parts of them: `--all`,
//! `--fold-prereleases`, compare links, `--path`, `-p`, settings and
//! `--include-other`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use common::{Repo, err, ok, run, short};
use cratesmith_tests::cratesmith_write;

/// v0.1.0 (day 1), v0.2.0-rc.1 (day 5), a non-SemVer tag, v0.2.0 (day 8),
/// then one unreleased commit. Returns the commit ids, oldest first.
fn tagged_history(r: &mut Repo) -> Vec<String> {
    let a = r.commit("feat: first feature");
    r.tag_annotated("v0.1.0", 1);
    let b = r.commit("fix: a fix");
    let c = r.commit("feat(cli): a flag");
    r.tag_annotated("v0.2.0-rc.1", 5);
    r.tag("vnext");
    let d = r.commit("fix: found in the rc");
    r.tag_annotated("v0.2.0", 8);
    let e = r.commit("feat: after the release");
    vec![a, b, c, d, e]
}

#[test]
fn all_gives_a_section_per_tag_dated_by_the_tag() {
    let mut r = Repo::new();
    let h = tagged_history(&mut r);
    let md = ok(run(&r.root, &["--all"]));
    let expected = format!(
        "# Changelog\n\n\
         All notable changes to this project will be documented in this file.\n\n\
         The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),\n\
         and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).\n\n\
         ## [Unreleased]\n\n### Added\n\n- after the release ({})\n\n\
         ## [0.2.0] - 2026-11-30\n\n### Fixed\n\n- found in the rc ({})\n\n\
         ## [0.2.0-rc.1] - 2026-11-27\n\n### Added\n\n- **cli:** a flag ({})\n\n### Fixed\n\n- a fix ({})\n\n\
         ## [0.1.0] - 2026-11-23\n\n### Added\n\n- first feature ({})\n\n",
        short(&h[4]),
        short(&h[3]),
        short(&h[2]),
        short(&h[1]),
        short(&h[0]),
    );
    assert_eq!(md, expected);
    let packed = std::process::Command::new("git")
        .args(["pack-refs", "--all"])
        .current_dir(&r.root)
        .status()
        .unwrap();
    assert!(packed.success());
    assert!(!r.root.join(".git/refs/tags/v0.1.0").exists());
    assert_eq!(
        ok(run(&r.root, &["--all"])),
        expected,
        "tags read from packed-refs"
    );

    let folded = ok(run(&r.root, &["--all", "--fold-prereleases"]));
    assert!(!folded.contains("rc.1"), "{folded}");
    assert!(
        folded.contains(&format!(
            "## [0.2.0] - 2026-11-30\n\n### Added\n\n- **cli:** a flag ({})\n\n### Fixed\n\n- found in the rc ({})\n- a fix ({})\n\n## [0.1.0]",
            short(&h[2]),
            short(&h[3]),
            short(&h[1])
        )),
        "{folded}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&ok(run(&r.root, &["--all", "--format", "json"]))).unwrap();
    let versions: Vec<&str> = json["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap_or("Unreleased"))
        .collect();
    assert_eq!(versions, ["Unreleased", "0.2.0", "0.2.0-rc.1", "0.1.0"]);

    let released = ok(run(
        &r.root,
        &["--all", "--release", "0.3.0", "--date", "2026-12-24"],
    ));
    assert!(
        released.contains("## [0.3.0] - 2026-12-24\n\n### Added\n\n- after the release"),
        "{released}"
    );
}

#[test]
fn fold_prereleases_moves_the_default_range_back_to_the_last_stable_tag() {
    let mut r = Repo::new();
    r.commit("feat: one");
    r.tag("v1.0.0");
    r.commit("feat: two");
    r.tag("v1.1.0-beta.1");
    r.commit("fix: three");
    let plain = ok(run(
        &r.root,
        &["--release", "1.1.0", "--date", "2026-12-01"],
    ));
    assert!(!plain.contains("two"), "{plain}");
    let folded = ok(run(
        &r.root,
        &[
            "--release",
            "1.1.0",
            "--date",
            "2026-12-01",
            "--fold-prereleases",
        ],
    ));
    assert!(
        folded.contains("- two") && folded.contains("- three"),
        "{folded}"
    );
    assert!(!folded.contains("- one"), "{folded}");
    assert_eq!(
        ok(run(&r.root, &["--bump"])),
        "patch\n",
        "a fix since the beta"
    );
    assert_eq!(
        ok(run(&r.root, &["--bump", "--fold-prereleases"])),
        "minor\n",
        "a feature since 1.0.0"
    );
}

#[test]
fn compare_links_are_written_and_kept_up_to_date() {
    let mut r = Repo::new();
    r.git
        .remote("origin", "https://github.com/cratesmith/demo.git")
        .unwrap();
    tagged_history(&mut r);
    let file = r.root.join("CHANGELOG.md");
    ok(run(&r.root, &["--all", "--prepend", "CHANGELOG.md"]));
    let created = std::fs::read_to_string(&file).unwrap();
    let gh = "https://github.com/cratesmith/demo";
    assert!(
        created.ends_with(&format!(
            "\n\n[Unreleased]: {gh}/compare/v0.2.0...HEAD\n\
             [0.2.0]: {gh}/compare/v0.2.0-rc.1...v0.2.0\n\
             [0.2.0-rc.1]: {gh}/compare/v0.1.0...v0.2.0-rc.1\n\
             [0.1.0]: {gh}/releases/tag/v0.1.0\n"
        )),
        "{created}"
    );
    assert_eq!(created.matches("## [").count(), 4, "{created}");
    ok(run(&r.root, &["--all", "--prepend", "CHANGELOG.md"]));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        created,
        "--all --prepend twice changes nothing"
    );

    r.commit("fix: one more");
    ok(run(
        &r.root,
        &[
            "--release",
            "0.3.0",
            "--date",
            "2026-12-24",
            "--prepend",
            "CHANGELOG.md",
        ],
    ));
    let released = std::fs::read_to_string(&file).unwrap();
    let expected_tail = format!(
        "\n\n[Unreleased]: {gh}/compare/v0.3.0...HEAD\n\
         [0.3.0]: {gh}/compare/v0.2.0...v0.3.0\n\
         [0.2.0]: {gh}/compare/v0.2.0-rc.1...v0.2.0\n"
    );
    assert!(released.contains(&expected_tail), "{released}");
    assert!(!released.contains("## [Unreleased]"), "{released}");
    let (before, after) = created.split_once("## [0.2.0] -").unwrap();
    let (new_before, new_after) = released.split_once("## [0.2.0] -").unwrap();
    assert!(
        new_before.starts_with(before.split("## [Unreleased]").next().unwrap()),
        "the header is kept"
    );
    assert_eq!(
        new_after.replace(
            &format!(
                "[Unreleased]: {gh}/compare/v0.3.0...HEAD\n[0.3.0]: {gh}/compare/v0.2.0...v0.3.0\n"
            ),
            &format!("[Unreleased]: {gh}/compare/v0.2.0...HEAD\n")
        ),
        after,
        "every byte after the new release is kept but the links"
    );
}

/// A workspace of two members, `crates/a` and `crates/b`.
fn monorepo() -> Repo {
    let mut r = Repo::new();
    cratesmith_write(
        &r.root.join("Cargo.toml"),
        b"[workspace]\nmembers = [\"crates/a\", \"crates/b\"]\nresolver = \"2\"\n",
    );
    for name in ["a", "b"] {
        cratesmith_write(
            &r.root.join(format!("crates/{name}/Cargo.toml")),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
                .as_bytes(),
        );
        cratesmith_write(&r.root.join(format!("crates/{name}/src/lib.rs")), b"");
    }
    r.commit("chore: the workspace");
    r.commit_file("crates/a/src/lib.rs", "feat(a): first of a");
    r.tag("a-v0.1.0");
    r.commit_file("crates/b/src/lib.rs", "feat(b): first of b");
    r.commit_file("crates/a/src/lib.rs", "fix(a): second of a");
    r.commit_file("docs/guide.md", "feat: a guide");
    r
}

#[test]
fn path_and_package_pick_a_monorepo_member() {
    let r = monorepo();
    let a = ok(run(&r.root, &["--path", "crates/a"]));
    assert!(a.contains("first of a") && a.contains("second of a"), "{a}");
    assert!(!a.contains("of b") && !a.contains("guide"), "{a}");
    let from_inside = ok(run(&r.root.join("crates/a"), &["--path", "."]));
    assert_eq!(
        from_inside, a,
        "--path is relative to the current directory"
    );
    let two = ok(run(&r.root, &["--path", "crates/b", "--path", "docs"]));
    assert!(two.contains("of b") && two.contains("guide") && !two.contains("of a"));

    let pkg = ok(run(&r.root, &["-p", "a"]));
    assert!(pkg.contains("second of a"), "{pkg}");
    assert!(!pkg.contains("first of a"), "since a-v0.1.0: {pkg}");
    assert!(!pkg.contains("of b"), "{pkg}");
    assert_eq!(ok(run(&r.root, &["-p", "a", "--next-version"])), "0.1.1\n");
    let b = ok(run(&r.root, &["-p", "b", "--next-version"]));
    assert_eq!(b, "0.1.1\n", "no b-v* or v* tags: from b's own version");

    let unknown = run(&r.root, &["-p", "nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    let root = std::fs::canonicalize(&r.root).unwrap();
    assert_eq!(
        err(&unknown),
        format!(
            "error: package `nope` not found in workspace `{}`\nhelp: `cargo metadata --no-deps --format-version 1` lists the workspace's packages\n",
            root.display()
        )
    );
    let outside = run(&r.root, &["--path", "../.."]);
    assert_eq!(outside.status.code(), Some(1));
    assert_eq!(
        err(&outside),
        format!(
            "error: git: `../..` is outside the repository at `{}`\nhelp: give a path inside the repository\n",
            root.display()
        )
    );
    let crate_pattern = run(&r.root, &["--tag-pattern", "{{crate}}-v*"]);
    assert_eq!(crate_pattern.status.code(), Some(2), "a usage error");
    assert_eq!(
        err(&crate_pattern),
        "error: the tag pattern `{{crate}}-v*` uses {{crate}} but no package was named\nhelp: name the package with -p <name>, or give a pattern without {{crate}}\n"
    );
}

#[test]
fn settings_map_types_to_sections_and_the_zero_rule() {
    let mut r = Repo::new();
    cratesmith_write(
        &r.root.join("Cargo.toml"),
        b"[package]\nname = \"demo\"\nversion = \"0.3.0\"\n\n[package.metadata.changelog]\nsections = { perf = \"Performance\", docs = \"Documentation\" }\nhidden = [\"chore\"]\nfeatures-always-minor = true\n",
    );
    r.commit("chore: settings");
    r.tag("v0.3.0");
    r.commit("feat: x");
    r.commit("docs: y");
    r.commit("perf: z");
    r.commit("chore: w");
    let md = ok(run(&r.root, &[]));
    let titles: Vec<&str> = md.lines().filter(|l| l.starts_with("### ")).collect();
    // Keep a Changelog's sections first, then configured ones in their order.
    assert_eq!(
        titles,
        ["### Added", "### Performance", "### Documentation"],
        "{md}"
    );
    assert_eq!(ok(run(&r.root, &["--bump"])), "minor\n");
    assert_eq!(ok(run(&r.root, &["--next-version"])), "0.4.0\n");

    cratesmith_write(&r.root.join("changelog.toml"), b"\nhiden = []\n");
    let bad = run(&r.root, &[]);
    assert_eq!(bad.status.code(), Some(1));
    let e = err(&bad);
    assert!(
        e.contains("changelog.toml:2:") && e.contains("unknown key `hiden`"),
        "{e}"
    );
}

#[test]
fn include_other_shows_commits_that_are_not_conventional() {
    let mut r = Repo::new();
    r.commit("Update the README\n\nWith more words.");
    r.commit("fix: real");
    let hidden = ok(run(&r.root, &[]));
    assert!(!hidden.contains("README"), "{hidden}");
    let shown = ok(run(&r.root, &["--include-other"]));
    assert!(
        shown.contains("### Changed\n\n- Update the README ("),
        "{shown}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(run(&r.root, &["--include-other", "--format", "json"]))).unwrap();
    let changed = &json["releases"][0]["sections"][0]["entries"][0];
    assert_eq!(changed["type"], "other");
    assert_eq!(changed["body"], "With more words.");
}

#[test]
fn all_leaves_out_tags_on_side_branches_and_above_until() {
    let mut r = Repo::new();
    let a = r.commit("feat: a");
    r.tag("v1.0.0");
    // v1.0.1 on a maintenance branch off v1.0.0, never merged.
    {
        let base = r.git.find_commit(git2::Oid::from_str(&a).unwrap()).unwrap();
        let sig = base.author();
        let tree = base.tree().unwrap();
        let side = r
            .git
            .commit(None, &sig, &sig, "fix: only on the branch", &tree, &[&base])
            .unwrap();
        let side = r.git.find_object(side, None).unwrap();
        r.git.tag_lightweight("v1.0.1", &side, false).unwrap();
    }
    let b = r.commit("feat: b");
    r.tag("v1.1.0");
    r.commit("fix: d");
    let md = ok(run(&r.root, &["--all"]));
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## [Unreleased]",
            "## [1.1.0] - 2026-11-22",
            "## [1.0.0] - 2026-11-22"
        ],
        "{md}"
    );
    assert!(!md.contains("only on the branch"), "{md}");
    let at_b = ok(run(&r.root, &["--all", "--until", &b]));
    let headings: Vec<&str> = at_b.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        ["## [1.1.0] - 2026-11-22", "## [1.0.0] - 2026-11-22"],
        "{at_b}"
    );
    assert!(at_b.contains("- b (") && !at_b.contains("- d ("), "{at_b}");
    let at_a = ok(run(&r.root, &["--all", "--until", &a]));
    let headings: Vec<&str> = at_a.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        ["## [1.0.0] - 2026-11-22"],
        "tags above --until are left out: {at_a}"
    );
}
