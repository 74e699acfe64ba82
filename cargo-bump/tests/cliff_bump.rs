//! A git-cliff configuration's `[bump]` rules drive `cargo bump auto` as
//! they drive `git cliff --bumped-version`: the real git-cliff 2.14.2
//! (`scripts/test` installs it and sets `CRATESMITH_GIT_CLIFF`) is the
//! oracle, over configurations using each `[bump]` key, on 0.x and 1.x
//! crates and several kinds of changes.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use cratesmith_tests::cratesmith_write;

fn git_cliff() -> Option<PathBuf> {
    std::env::var_os("CRATESMITH_GIT_CLIFF")
        .map(PathBuf::from)
        .or_else(|| {
            let found = Command::new("git-cliff").arg("--version").output();
            found
                .is_ok_and(|o| o.status.success())
                .then(|| PathBuf::from("git-cliff"))
        })
}

const CONFIGS: [&str; 5] = [
    "[bump]\nfeatures_always_bump_minor = false\nbreaking_always_bump_major = false\n",
    "[bump]\n",
    "[bump]\ncustom_minor_increment_regex = \"perf|refactor\"\ncustom_major_increment_regex = \"remove\"\n",
    "[bump]\nbump_type = \"major\"\n",
    "[git]\ncommit_parsers = [{ message = \"^docs\", skip = true }, { message = \".*\", group = \"Other\" }]\n[bump]\nbreaking_always_bump_major = false\n",
];

const CHANGES: [&[&str]; 6] = [
    &["fix: a crash"],
    &["feat: a flag", "fix: a typo"],
    &["feat!: a new API"],
    &["perf: faster", "docs: say so"],
    &["docs: only words"],
    &["refactor: remove the old path"],
];

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A crate at `version`, tagged `v<version>`, then `changes`.
fn repo(version: &str, changes: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let manifest =
        format!("[package]\nname = \"solo\"\nversion = \"{version}\"\nedition = \"2021\"\n");
    cratesmith_write(&root.join("Cargo.toml"), manifest.as_bytes());
    cratesmith_write(&root.join("src/lib.rs"), b"");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "chore: start"]);
    git(root, &["tag", &format!("v{version}")]);
    for (i, message) in changes.iter().enumerate() {
        cratesmith_write(&root.join(format!("src/f{i}.rs")), b"");
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", message]);
    }
    dir
}

#[test]
fn cargo_bump_auto_follows_the_bump_rules_as_git_cliff_does() {
    let Some(cliff) = git_cliff() else {
        cratesmith_tests::missing(
            "git-cliff 2.14.2 (scripts/test installs it; CRATESMITH_GIT_CLIFF)",
        );
        return;
    };
    let mut compared = 0;
    for version in ["0.3.0", "1.2.0"] {
        for changes in CHANGES {
            let dir = repo(version, changes);
            let root = dir.path();
            for config in CONFIGS {
                cratesmith_write(&root.join("cliff.toml"), config.as_bytes());
                let theirs = Command::new(&cliff)
                    .args(["--config", "cliff.toml", "--bumped-version"])
                    .current_dir(root)
                    .env("NO_COLOR", "1")
                    .output()
                    .unwrap();
                assert!(
                    theirs.status.success(),
                    "{}",
                    String::from_utf8_lossy(&theirs.stderr)
                );
                let theirs = String::from_utf8_lossy(&theirs.stdout)
                    .trim()
                    .trim_start_matches('v')
                    .to_string();
                let ours = cratesmith_tests::run_in(
                    Path::new(env!("CARGO_BIN_EXE_cargo-bump")),
                    root,
                    &["bump", "auto", "--dry-run", "--print"],
                );
                let err = String::from_utf8_lossy(&ours.stderr).into_owned();
                assert!(ours.status.success(), "{err}");
                assert!(err.contains("Using the [bump] rules of"), "{err}");
                // Nothing to release: no version printed, the one it has stays.
                let ours = match String::from_utf8_lossy(&ours.stdout).trim() {
                    "" => version.to_string(),
                    printed => printed.to_string(),
                };
                assert_eq!(ours, theirs, "{version} + {changes:?} with\n{config}");
                compared += 1;
            }
            // Without a [bump] table cargo's own 0.x rule stays.
            cratesmith_write(
                &root.join("cliff.toml"),
                b"[git]\nconventional_commits = true\n",
            );
            let ours = cratesmith_tests::run_in(
                Path::new(env!("CARGO_BIN_EXE_cargo-bump")),
                root,
                &["bump", "auto", "--dry-run", "--print"],
            );
            assert!(!String::from_utf8_lossy(&ours.stderr).contains("[bump] rules"));
        }
    }
    assert_eq!(compared, 60);
}

/// A crate at `version` never released (no tag), then `changes`.
fn unreleased(version: &str, changes: &[&str]) -> tempfile::TempDir {
    let dir = repo(version, changes);
    git(dir.path(), &["tag", "-d", &format!("v{version}")]);
    dir
}

/// `initial_tag` (0.1.0 when unset, as in git-cliff) is the first release
/// of a crate without a release tag, as `git cliff --bumped-version` says;
/// a crate whose Cargo.toml is already past it is bumped from its version
/// instead of going back, with a note.
#[test]
fn a_first_release_is_initial_tag_as_git_cliff_says() {
    let Some(cliff) = git_cliff() else {
        cratesmith_tests::missing(
            "git-cliff 2.14.2 (scripts/test installs it; CRATESMITH_GIT_CLIFF)",
        );
        return;
    };
    let configs = [
        "[bump]\n",
        "[bump]\ninitial_tag = \"v1.0.0\"\n",
        "[bump]\ninitial_tag = \"0.2.0-rc.1\"\n",
        "[bump]\ninitial_tag = \"0.1.0\"\nbump_type = \"major\"\n",
    ];
    let mut compared = 0;
    // Changes that call for a release (docs only release nothing here,
    // where git-cliff would still name initial_tag).
    for changes in &CHANGES[..4] {
        let dir = unreleased("0.1.0", changes);
        let root = dir.path();
        for config in configs {
            cratesmith_write(&root.join("cliff.toml"), config.as_bytes());
            let theirs = Command::new(&cliff)
                .args(["--config", "cliff.toml", "--bumped-version"])
                .current_dir(root)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let theirs = String::from_utf8_lossy(&theirs.stdout)
                .trim()
                .trim_start_matches('v')
                .to_string();
            let ours = cratesmith_tests::run_in(
                Path::new(env!("CARGO_BIN_EXE_cargo-bump")),
                root,
                &["bump", "auto", "--dry-run", "--print"],
            );
            let err = String::from_utf8_lossy(&ours.stderr).into_owned();
            assert!(ours.status.success(), "{err}");
            let ours = match String::from_utf8_lossy(&ours.stdout).trim() {
                "" => "0.1.0".to_string(),
                printed => printed.to_string(),
            };
            assert_eq!(ours, theirs, "{changes:?} with\n{config}\n{err}");
            compared += 1;
        }
    }
    assert_eq!(compared, 16);
    // Past initial_tag: bumped from Cargo.toml's version by the rules (a
    // feature is minor: features_always_bump_minor), never back.
    let dir = unreleased("0.3.0", &["feat: a flag"]);
    cratesmith_write(&dir.path().join("cliff.toml"), b"[bump]\n");
    let ours = cratesmith_tests::run_in(
        Path::new(env!("CARGO_BIN_EXE_cargo-bump")),
        dir.path(),
        &["bump", "auto", "--dry-run", "--print"],
    );
    let err = String::from_utf8_lossy(&ours.stderr);
    assert!(ours.status.success(), "{err}");
    assert_eq!(String::from_utf8_lossy(&ours.stdout).trim(), "0.4.0");
    assert!(
        err.contains("`initial_tag = \"0.1.0\"` is below its version 0.3.0 in Cargo.toml"),
        "{err}"
    );
}
