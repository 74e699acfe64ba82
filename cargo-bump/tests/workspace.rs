//! Workspace releases in one step (`cargo bump auto --workspace`), held
//! against `git changelog -p <name>` run for each member alone: the same
//! levels over random histories, the same changelog text, and one commit
//! with one tag per release.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use cratesmith_tests::{copy_tree, cratesmith_write, read_tree};

/// The six-crate workspace of the `workspace-*` cases: `twin-a` and
/// `twin-b` share the workspace version, `core` is depended on by `twin-a`,
/// `tagged` and `app`, `tagged` has `tagged-v*` tags, `fresh` none.
const MEMBERS: [&str; 6] = ["app", "core", "fresh", "tagged", "twin-a", "twin-b"];

fn workspace(history: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("ws");
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    copy_tree(&cases.join("workspace-auto-plan/in"), &root);
    cratesmith_tests::history::build(&root, history).unwrap();
    (temp, root)
}

fn bump(root: &Path, args: &[&str]) -> Output {
    let args: Vec<&str> = std::iter::once("bump")
        .chain(args.iter().copied())
        .collect();
    cratesmith_tests::run_in(Path::new(env!("CARGO_BIN_EXE_cargo-bump")), root, &args)
}

fn changelog_bin() -> PathBuf {
    cratesmith_tests::built_binaries(&["git-changelog"]).remove(0)
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A random history over the workspace: commits of random types touching
/// random members (sometimes two, sometimes none), per-member and
/// workspace tags, merges of short branches.
fn random_history(seed: u64) -> String {
    let mut state = seed;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let kinds = ["feat", "fix", "docs", "chore", "perf", "feat!", "refactor"];
    let mut out = String::from("commit chore: start -- README.md\n");
    let mut tags = 0;
    for i in 0..(10 + next(25)) {
        match next(10) {
            0 => {
                // Tags agree with the manifests on 0.x or not (the bump
                // counts from the manifest, `git changelog` from the tag).
                let m = MEMBERS[next(MEMBERS.len())];
                let major = u8::from(m == "app" || m == "core");
                tags += 1;
                out.push_str(&format!("tag {m}-v{major}.{tags}.0\n"));
            }
            1 => {
                tags += 1;
                out.push_str(&format!("tag v0.{tags}.0\n"));
            }
            2 => {
                out.push_str(&format!(
                    "branch b{i}\ncheckout b{i}\ncommit fix: on a branch {i} -- crates/core/b{i}.rs\ncheckout main\ncommit chore: beside {i} -- crates/fresh/m{i}.rs\nmerge b{i} Merge branch b{i}\n"
                ));
            }
            _ => {
                let kind = kinds[next(kinds.len())];
                let file = match next(8) {
                    7 => "README.md".to_string(),
                    _ => format!("crates/{}/src/f{i}.rs", MEMBERS[next(MEMBERS.len())]),
                };
                out.push_str(&format!("commit {kind}: change {i} -- {file}\n"));
            }
        }
    }
    out
}

/// `cargo bump --workspace --changed --format json` agrees, member by
/// member, with `git changelog -p <name> --bump` and `--format json`
/// (level, last release, commit count) over random histories.
#[test]
fn one_walk_agrees_with_git_changelog_per_member() {
    let changelog = changelog_bin();
    for seed in 0..12 {
        let history = random_history(seed);
        let (_t, root) = workspace(&history);
        let o = bump(&root, &["--workspace", "--changed", "--format", "json"]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
        for name in MEMBERS {
            let alone = cratesmith_tests::run_in(
                &changelog,
                &root,
                &["-p", name, "--bump", "--format", "json"],
            );
            let (alone_out, alone_err) = text(&alone);
            assert!(alone.status.success(), "{name}: {alone_err}");
            let alone: serde_json::Value = serde_json::from_str(&alone_out).unwrap();
            let ours = listed["packages"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name);
            let (level, last, commits) = match ours {
                Some(p) => (
                    p["level"].clone(),
                    p["last_release"].clone(),
                    p["commits"].clone(),
                ),
                None => ("none".into(), alone["last_release"].clone(), 0.into()),
            };
            let context = format!("seed {seed}, {name}\n{history}");
            assert_eq!(level, alone["bump"], "level: {context}");
            assert_eq!(last, alone["last_release"], "last release: {context}");
            // `git changelog` counts the commits it classifies; merges and
            // non-conventional ones are not among them, as here.
            if ours.is_some() {
                assert!(commits.as_u64() >= alone["commits"].as_u64(), "{context}");
            }
        }
    }
}

/// What `--changelog` writes into a member's file is byte for byte what
/// `git changelog -p <name> --release <version> --prepend <file>` writes.
#[test]
fn changelogs_are_what_git_changelog_writes() {
    let history = "commit chore: start -- README.md\ntag v0.3.0\natag core-v1.4.0 Release\natag tagged-v0.5.0 Release\ncommit feat(core): first -- crates/core/src/a.rs\ncommit fix(core): second, see #4 -- crates/core/src/b.rs\ncommit feat(tagged): third -- crates/tagged/src/c.rs\ncommit docs(core): guide -- crates/core/README.md\n";
    let (_t, root) = workspace(history);
    cratesmith_write(
        &root.join("crates/core/CHANGELOG.md"),
        b"# Changelog\n\n## [Unreleased]\n\n- a note by hand\n\n## [1.4.0] - 2026-10-01\n\n- the answer\n",
    );
    let (_t2, twin) = workspace(history);
    copy_tree(&root, &twin);
    let o = bump(&root, &["auto", "--workspace", "--changelog"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let changelog = changelog_bin();
    for (name, version) in [("core", "1.5.0"), ("tagged", "0.5.1")] {
        let file = format!("crates/{name}/CHANGELOG.md");
        let alone = cratesmith_tests::run_in(
            &changelog,
            &twin,
            &["-p", name, "--release", version, "--prepend", &file],
        );
        assert!(alone.status.success(), "{}", text(&alone).1);
        let ours = std::fs::read_to_string(root.join(&file)).unwrap();
        let theirs = std::fs::read_to_string(twin.join(&file)).unwrap();
        assert_eq!(ours, theirs, "{file}");
    }
    assert!(
        std::fs::read_to_string(root.join("crates/core/CHANGELOG.md"))
            .unwrap()
            .contains("- a note by hand"),
        "hand-written notes are carried"
    );
}

/// Over random histories (merges, per-member and workspace tags), every
/// changelog `--changelog` writes from the one walk is the file `git
/// changelog` writes reading that release's history alone: `-p <name>`
/// for a member, and for the members sharing the workspace version their
/// directories with the first one's tags.
#[test]
fn changelogs_from_the_one_walk_match_git_changelog_over_random_histories() {
    let changelog = changelog_bin();
    let mut compared = 0;
    for seed in 0..10 {
        let history = random_history(seed);
        let (_t, root) = workspace(&history);
        let (_t2, twin) = workspace(&history);
        let o = bump(
            &root,
            &["auto", "--workspace", "--changelog", "--format", "json"],
        );
        let (out, err) = text(&o);
        assert!(o.status.success(), "seed {seed}: {err}");
        let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
        for p in plan["packages"].as_array().into_iter().flatten() {
            let (name, to) = (p["name"].as_str().unwrap(), p["to"].as_str().unwrap());
            let follows = p["why"]["dependencies"]
                .as_array()
                .is_some_and(|d| !d.is_empty());
            if follows && p["inherited"] != true {
                continue; // its "update `core`" entry is the bump's alone
            }
            let args: Vec<String> = if p["inherited"] == true {
                if name != "twin-a" {
                    continue; // one root changelog for both twins
                }
                let pattern = if history.contains("tag twin-a-v") {
                    "twin-a-v*"
                } else {
                    "v*"
                };
                [
                    "--path",
                    "crates/twin-a",
                    "--path",
                    "crates/twin-b",
                    "--tag-pattern",
                    pattern,
                ]
                .map(String::from)
                .into_iter()
                .chain(["--release", to, "--prepend", "CHANGELOG.md"].map(String::from))
                .collect()
            } else {
                let file = format!("crates/{name}/CHANGELOG.md");
                ["-p", name, "--release", to, "--prepend", &file]
                    .map(String::from)
                    .to_vec()
            };
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let alone = cratesmith_tests::run_in(&changelog, &twin, &args);
            assert!(
                alone.status.success(),
                "seed {seed} {name}: {}",
                text(&alone).1
            );
            let file = args[args.len() - 1];
            if !twin.join(file).exists() {
                // Nothing since that release's last tag: `git changelog`
                // writes no file (the bump writes an empty section).
                continue;
            }
            let ours = std::fs::read_to_string(root.join(file)).unwrap();
            let theirs = std::fs::read_to_string(twin.join(file)).unwrap();
            assert_eq!(ours, theirs, "seed {seed}, {file}\n{history}");
            compared += 1;
        }
    }
    assert!(compared >= 20, "only {compared} changelogs compared");
}

/// `--changelog --commit --tag`: one commit holding every file, its
/// message listing every release, one tag per release; an existing tag
/// stops the run before anything is written.
#[test]
fn one_commit_and_a_tag_per_release() {
    let history = "commit chore: start -- README.md\ntag v0.3.0\natag core-v1.4.0 Release\ncommit feat(core): first -- crates/core/src/a.rs\ncommit fix(twin-b): second -- crates/twin-b/src/b.rs\n";
    let (_t, root) = workspace(history);
    let repo = git2::Repository::open(&root).unwrap();
    let before = read_tree(&root);
    let o = bump(
        &root,
        &["auto", "--workspace", "--changelog", "--commit", "--tag"],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(
        commit.message().unwrap(),
        "chore(release): core v1.5.0, twin-a v0.3.1, twin-b v0.3.1"
    );
    let mut tags: Vec<String> = repo
        .tag_names(None)
        .unwrap()
        .iter()
        .flatten()
        .flatten()
        .map(String::from)
        .collect();
    tags.sort();
    assert_eq!(
        tags,
        [
            "core-v1.4.0",
            "core-v1.5.0",
            "twin-a-v0.3.1",
            "twin-b-v0.3.1",
            "v0.3.0"
        ]
    );
    let tree = commit.tree().unwrap();
    for file in [
        "CHANGELOG.md",
        "crates/core/CHANGELOG.md",
        "Cargo.lock",
        "crates/core/Cargo.toml",
        "Cargo.toml",
    ] {
        assert!(tree.get_path(Path::new(file)).is_ok(), "{file} committed");
    }
    let left: Vec<String> = repo
        .statuses(None)
        .unwrap()
        .iter()
        .filter_map(|e| e.path().ok().map(String::from))
        .filter(|p| !p.starts_with("target/"))
        .collect();
    assert!(left.is_empty(), "left uncommitted: {left:?}");
    assert_ne!(read_tree(&root), before);

    // Again with the tag taken (on a side branch, so it is no release of
    // this history): nothing is written.
    let side = format!(
        "{history}branch side\ncheckout side\ncommit chore: elsewhere -- side.txt\ntag core-v1.5.0\ncheckout main\n"
    );
    let (_t2, again) = workspace(&side);
    let before = read_tree(&again);
    let o = bump(
        &again,
        &["auto", "--workspace", "--changelog", "--commit", "--tag"],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.lines()
            .any(|l| l == "error: tag `core-v1.5.0` already exists"),
        "{err}"
    );
    assert_eq!(read_tree(&again), before, "nothing written");
}

/// A one-package crate `halp` at `version` with `history`; (its temp dir,
/// its root).
fn halp(version: &str, history: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("halp");
    let manifest =
        format!("[package]\nname = \"halp\"\nversion = \"{version}\"\nedition = \"2021\"\n");
    cratesmith_write(&root.join("Cargo.toml"), manifest.as_bytes());
    cratesmith_write(&root.join("src/lib.rs"), b"pub fn halp() {}\n");
    cratesmith_tests::history::build(&root, history).unwrap();
    (temp, root)
}

/// A manifest behind its last release tag (1.0.0 against `v1.1.0`, as
/// after a release whose bump was never committed): `cargo bump auto`
/// counts from the tag, as `git changelog --next-version` does, and the
/// plan says the manifest was behind.
#[test]
fn a_manifest_behind_its_last_tag_counts_from_the_tag_like_git_changelog() {
    let (_temp, root) = halp(
        "1.0.0",
        "commit chore: start -- README.md\ntag v1.1.0\ncommit fix: handle empty input -- src/lib.rs\n",
    );
    let changelog = cratesmith_tests::run_in(&changelog_bin(), &root, &["--next-version"]);
    let (next, err) = text(&changelog);
    assert!(changelog.status.success(), "{err}");
    assert_eq!(next, "1.1.1\n");

    let plan = bump(&root, &["auto", "--dry-run", "--format", "json"]);
    let (out, err) = text(&plan);
    assert!(plan.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let p = &v["packages"][0];
    assert_eq!(
        (p["from"].as_str(), p["to"].as_str()),
        (Some("1.0.0"), Some("1.1.1"))
    );
    assert_eq!(p["why"]["level"], "patch");
    assert_eq!(p["why"]["behind"], "v1.1.0");
    assert_eq!(p["tag"], "v1.1.1");
    let printed = bump(&root, &["auto", "--print", "--dry-run"]);
    assert_eq!(text(&printed).0, format!("{}", next));
    let human = text(&bump(&root, &["auto", "--dry-run"])).0;
    assert!(
        human.contains("the manifest was behind v1.1.0: counted from it"),
        "{human}"
    );
}

/// With `auto --changelog --tag` the annotated tag's message is the
/// release's notes under its title (what `git changelog --notes` prints
/// for those commits); `--undo` still knows the tag for its own.
#[test]
fn the_release_tag_carries_the_notes_and_undo_knows_it() {
    let (_temp, root) = halp(
        "1.1.0",
        "commit chore: start -- README.md\ntag v1.1.0\ncommit fix: handle empty input -- src/lib.rs\ncommit feat: a --quiet flag -- src/lib.rs\n",
    );
    let notes = cratesmith_tests::run_in(&changelog_bin(), &root, &["--notes"]);
    let (notes, err) = text(&notes);
    assert!(!notes.is_empty(), "{err}");
    let out = bump(&root, &["auto", "--changelog", "--commit", "--tag"]);
    assert!(out.status.success(), "{}", text(&out).1);
    let repo = git2::Repository::open(&root).unwrap();
    let tag = repo
        .find_reference("refs/tags/v1.2.0")
        .unwrap()
        .peel_to_tag()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(tag.message_bytes().unwrap_or_default()).trim_end(),
        format!("Release v1.2.0\n\n{}", notes.trim_end())
    );
    let mut undo = cratesmith_tests::command(Path::new(env!("CARGO_BIN_EXE_cargo-bump")));
    cratesmith_tests::default_registry(&mut undo, None);
    let undo = undo
        .args(["bump", "--undo"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(undo.status.success(), "{}", text(&undo).1);
    assert!(repo.find_reference("refs/tags/v1.2.0").is_err());
}
