//! `cargo bump auto --check-api`: cargo-semver-checks against the last
//! release tag raises the level when a `fix:` commit changed the public
//! API; a compatible change stays a patch; below 1.0 a break is a minor
//! bump; a package without a release tag is skipped with a note.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::Output;

use cratesmith_tests::{command, cratesmith_write, git_commit_all, git_init};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The PATH with cargo-semver-checks on it (`scripts/test` puts it
/// there); `None` after `missing`.
fn tools_path() -> Option<std::ffi::OsString> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    if !dirs.iter().any(|d| d.join("cargo-semver-checks").is_file()) {
        cratesmith_tests::missing(
            "cargo-semver-checks (cargo install --locked cargo-semver-checks; scripts/test installs it)",
        );
        return None;
    }
    std::env::join_paths(dirs).ok()
}

/// A library at `version` released as `v<version>`, then a `fix:` commit
/// that changes `src/lib.rs` to `after`.
fn library(version: &str, after: &str, tagged: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(
        &root.join("Cargo.toml"),
        format!("[package]\nname = \"apilib\"\nversion = \"{version}\"\nedition = \"2021\"\n")
            .as_bytes(),
    );
    cratesmith_write(&root.join(".gitignore"), b"/target\n");
    cratesmith_write(
        &root.join("src/lib.rs"),
        b"pub fn greet(name: &str) -> String {\n    format!(\"hello {name}\")\n}\n",
    );
    let repo = git_init(root);
    let head = git_commit_all(&repo, "feat: greet");
    if tagged {
        let commit = repo.find_object(head, None).unwrap();
        repo.tag_lightweight(&format!("v{version}"), &commit, false)
            .unwrap();
    }
    cratesmith_write(&root.join("src/lib.rs"), after.as_bytes());
    git_commit_all(&repo, "fix: greet everyone");
    dir
}

fn auto(dir: &Path, path: &std::ffi::OsString) -> Output {
    command(Path::new(env!("CARGO_BIN_EXE_cargo-bump")))
        .args(["bump", "auto", "--check-api", "--dry-run"])
        .current_dir(dir)
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .unwrap()
}

const BROKEN: &str = "pub fn greet(name: &str, times: usize) -> String {\n    format!(\"hello {name}\").repeat(times)\n}\n";
const COMPATIBLE: &str = "pub fn greet(name: &str) -> String {\n    let mut s = String::from(\"hello \");\n    s.push_str(name);\n    s\n}\n";

#[test]
fn a_changed_signature_committed_as_a_fix_is_a_major_release() {
    let Some(path) = tools_path() else { return };
    let dir = library("1.0.0", BROKEN, true);
    let out = auto(dir.path(), &path);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("1.0.0 -> 2.0.0"), "{all}");
    assert!(
        all.contains(
            "API: 1 breaking change (function_parameter_count_changed) — commits said patch"
        ),
        "{all}"
    );
}

#[test]
fn a_compatible_change_stays_a_patch() {
    let Some(path) = tools_path() else { return };
    let dir = library("1.0.0", COMPATIBLE, true);
    let out = auto(dir.path(), &path);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("1.0.0 -> 1.0.1"), "{all}");
    assert!(!all.contains("API:"), "{all}");
}

#[test]
fn below_one_a_break_is_a_minor_release() {
    let Some(path) = tools_path() else { return };
    let dir = library("0.3.0", BROKEN, true);
    let out = auto(dir.path(), &path);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("0.3.0 -> 0.4.0"), "{all}");
    assert!(all.contains("API: 1 breaking change"), "{all}");
}

#[test]
fn a_package_never_released_is_skipped_with_a_note() {
    let Some(path) = tools_path() else { return };
    let dir = library("1.0.0", BROKEN, false);
    let out = auto(dir.path(), &path);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains("apilib: no release tag yet, so no API to compare with; not checked"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_api_without_auto_is_a_usage_error() {
    let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-bump")))
        .args(["bump", "minor", "--check-api"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn git_changelog_bump_asks_the_api_too() {
    let Some(path) = tools_path() else { return };
    let dir = library("1.0.0", BROKEN, true);
    let changelog = cratesmith_tests::built_binaries(&["git-changelog"]).remove(0);
    let run = |extra: &[&str]| {
        command(&changelog)
            .args([&["--bump"][..], extra].concat())
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("CARGO_TARGET_DIR", dir.path().join("target"))
            .output()
            .unwrap()
    };
    let plain = run(&[]);
    assert_eq!(text(&plain.stdout), "patch\n", "{}", text(&plain.stderr));
    let checked = run(&["--check-api"]);
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    assert_eq!(text(&checked.stdout), "major\n");
    assert!(text(&checked.stderr).contains(
        "apilib: API: 1 breaking change (function_parameter_count_changed) — commits said patch"
    ));
}
