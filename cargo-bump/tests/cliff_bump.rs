//! A git-cliff configuration's `[bump]` rules drive `cargo bump auto` as
//! they drive `git cliff --bumped-version`: the real git-cliff 2.14.2
//! (`scripts/test` installs it and sets `CRATESMITH_GIT_CLIFF`) is the
//! oracle, over configurations using each `[bump]` key, on 0.x and 1.x
//! crates and several kinds of changes.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use cratesmith_tests::cratesmith_write;

/// The next version in `root` as `git cliff --bumped-version` says it
/// (its `v` dropped) and as `cargo bump auto --print` does (`current`
/// when it prints none: nothing to release), and cargo bump's stderr.
fn next_versions(cliff: &Path, root: &Path, current: &str) -> (String, String, String) {
    let theirs = cliff_in(cliff, root, &["--config", "cliff.toml", "--bumped-version"]);
    let theirs = theirs.trim().trim_start_matches('v').to_string();
    let ours = cratesmith_tests::run_in(
        Path::new(env!("CARGO_BIN_EXE_cargo-bump")),
        root,
        &["bump", "auto", "--dry-run", "--print"],
    );
    let err = String::from_utf8_lossy(&ours.stderr).into_owned();
    assert!(ours.status.success(), "{err}");
    let ours = match String::from_utf8_lossy(&ours.stdout).trim() {
        "" => current.to_string(),
        printed => printed.to_string(),
    };
    (theirs, ours, err)
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
    let Some(cliff) = cratesmith_tests::required_git_cliff() else {
        return;
    };
    let mut compared = 0;
    for version in ["0.3.0", "1.2.0"] {
        for changes in CHANGES {
            let dir = repo(version, changes);
            let root = dir.path();
            for config in CONFIGS {
                cratesmith_write(&root.join("cliff.toml"), config.as_bytes());
                // Nothing to release: no version printed, the one it has stays.
                let (theirs, ours, err) = next_versions(&cliff, root, version);
                assert!(err.contains("Using the [bump] rules of"), "{err}");
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
    let Some(cliff) = cratesmith_tests::required_git_cliff() else {
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
            let (theirs, ours, err) = next_versions(&cliff, root, "0.1.0");
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

/// `git-cliff` run in `dir`: its stdout, its success checked.
fn cliff_in(cliff: &Path, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(cliff)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git-cliff {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `cargo bump ARGS` in `root`: its stderr, its success checked.
fn bump_ok(root: &Path, args: &[&str]) -> String {
    let out = cratesmith_tests::run_in(Path::new(env!("CARGO_BIN_EXE_cargo-bump")), root, args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    err
}

/// A copy of the tree at `from` (its .git too).
fn copy_tree(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    let out = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    to
}

/// `cargo bump auto --changelog` with a git-cliff configuration writes the
/// release into CHANGELOG.md as `git cliff --unreleased --tag TAG
/// --prepend CHANGELOG.md` does, byte for byte: for a crate at the root
/// and for a workspace member with tags of its own, with configurations
/// `git-cliff --init` writes.
#[test]
fn a_release_changelog_is_what_git_cliff_prepends() {
    let Some(cliff) = cratesmith_tests::required_git_cliff() else {
        return;
    };
    for init in ["keepachangelog", "detailed", "minimal", "cocogitto"] {
        // A crate at the root: its last release's changelog by git-cliff.
        let dir = repo("0.4.0", &[]);
        let root = dir.path();
        let _ = cliff_in(&cliff, root, &["--init", init]);
        let _ = cliff_in(&cliff, root, &["--offline", "-o", "CHANGELOG.md"]);
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "docs: the changelog"]);
        for (i, message) in ["feat: a flag", "fix(io): a crash\n\nCloses #3"]
            .iter()
            .enumerate()
        {
            cratesmith_write(&root.join(format!("src/g{i}.rs")), b"");
            git(root, &["add", "-A"]);
            git(root, &["commit", "-q", "-m", message]);
        }
        let theirs = copy_tree(root);
        let err = bump_ok(root, &["bump", "auto", "--changelog"]);
        assert!(err.contains("solo 0.4.0 -> 0.4.1"), "{err}");
        let args = [
            "--offline",
            "--unreleased",
            "--tag",
            "v0.4.1",
            "--prepend",
            "CHANGELOG.md",
        ];
        let _ = cliff_in(&cliff, theirs.path(), &args);
        let want = std::fs::read_to_string(theirs.path().join("CHANGELOG.md")).unwrap();
        let got = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
        assert_eq!(got, want, "--init {init}");
        assert!(got.contains("0.4.1"), "{got}");
    }
    // A member with tags of its own (core-v*), in a workspace.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    for name in ["core", "app"] {
        let manifest =
            format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n");
        cratesmith_write(
            &root.join(format!("crates/{name}/Cargo.toml")),
            manifest.as_bytes(),
        );
        cratesmith_write(&root.join(format!("crates/{name}/src/lib.rs")), b"");
    }
    // git-cliff's --prepend needs the file to exist.
    cratesmith_write(&root.join("crates/core/CHANGELOG.md"), b"");
    git(root, &["init", "-q", "-b", "main"]);
    let _ = cliff_in(&cliff, root, &["--init", "keepachangelog"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "chore: start"]);
    git(root, &["tag", "core-v1.0.0"]);
    git(root, &["tag", "app-v1.0.0"]);
    for (file, message) in [
        ("crates/core/src/a.rs", "feat(core): a parser"),
        ("crates/app/src/b.rs", "fix(app): the window"),
        ("crates/core/src/c.rs", "fix(core): an edge"),
    ] {
        cratesmith_write(&root.join(file), b"");
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", message]);
    }
    let theirs = copy_tree(root);
    let err = bump_ok(root, &["bump", "auto", "-p", "core", "--changelog"]);
    assert!(err.contains("core 1.0.0 -> 1.1.0"), "{err}");
    let args = [
        "--offline",
        "--unreleased",
        "--include-path",
        "crates/core/**",
        "--tag-pattern",
        "^core-v.*$",
        "--tag",
        "core-v1.1.0",
        "--prepend",
        "crates/core/CHANGELOG.md",
    ];
    let _ = cliff_in(&cliff, theirs.path(), &args);
    let want = std::fs::read_to_string(theirs.path().join("crates/core/CHANGELOG.md")).unwrap();
    let got = std::fs::read_to_string(root.join("crates/core/CHANGELOG.md")).unwrap();
    assert_eq!(got, want);
    assert!(
        got.contains("A parser") && !got.contains("The window"),
        "{got}"
    );
}
