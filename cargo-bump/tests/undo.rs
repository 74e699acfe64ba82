//! `cargo bump --undo`: the release commit and tags `--commit --tag` made
//! are taken back; refused once pushed (to a local bare remote), on a
//! commit cargo bump did not make, and with uncommitted changes.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::Path;
use std::process::{Command, Output};

use cratesmith_tests::{command, cratesmith_write, git_commit_all, git_init};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn bump(dir: &Path, args: &[&str]) -> Output {
    command(Path::new(env!("CARGO_BIN_EXE_cargo-bump")))
        .arg("bump")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

/// A one-crate repository at 0.1.0, released as 0.2.0 by `cargo bump
/// minor --commit --tag`; (dir, the commit before the release).
fn released() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    cratesmith_write(&root.join("src/lib.rs"), b"\n");
    cratesmith_write(&root.join(".gitignore"), b"/target\n");
    let repo = git_init(root);
    let before = git_commit_all(&repo, "feat: the first feature").to_string();
    let out = bump(root, &["minor", "--commit", "--tag"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(git(root, &["tag", "--points-at", "HEAD"]), "v0.2.0");
    (dir, before)
}

#[test]
fn the_release_commit_and_its_tag_are_taken_back() {
    let (dir, before) = released();
    let root = dir.path();
    let out = bump(root, &["--undo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("Undid `chore(release): app v0.2.0`") && err.contains("deleted tags v0.2.0"),
        "{err}"
    );
    assert_eq!(git(root, &["rev-parse", "HEAD"]), before);
    assert_eq!(git(root, &["tag", "--list"]), "");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
    assert!(
        std::fs::read_to_string(root.join("Cargo.toml"))
            .unwrap()
            .contains("version = \"0.1.0\"")
    );
    let again = bump(root, &["--undo"]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "the commit before is not a release"
    );
}

#[test]
fn a_pushed_release_is_not_undone() {
    let (dir, _) = released();
    let root = dir.path();
    let remote = tempfile::tempdir().unwrap();
    git(remote.path(), &["init", "-q", "--bare"]);
    git(
        root,
        &["remote", "add", "origin", remote.path().to_str().unwrap()],
    );
    git(root, &["push", "-q", "-u", "origin", "HEAD:main"]);
    let head = git(root, &["rev-parse", "HEAD"]);
    let out = bump(root, &["--undo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("was pushed to origin/main"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(root, &["tag", "--list"]), "v0.2.0");
}

#[test]
fn a_commit_it_did_not_make_is_not_undone() {
    let (dir, _) = released();
    let root = dir.path();
    cratesmith_write(&root.join("src/lib.rs"), b"pub fn f() {}\n");
    let repo = git2::Repository::open(root).unwrap();
    git_commit_all(&repo, "feat: another feature");
    let out = bump(root, &["--undo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is not a release commit: `feat: another feature` does not match `chore(release): {{releases}}`"), "{}", text(&out.stderr));
}

#[test]
fn uncommitted_changes_are_not_thrown_away() {
    let (dir, _) = released();
    let root = dir.path();
    cratesmith_write(&root.join("src/lib.rs"), b"// work in progress\n");
    let out = bump(root, &["--undo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("uncommitted changes, which undoing would lose"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(root.join("src/lib.rs")).unwrap(),
        "// work in progress\n"
    );
}

#[test]
fn a_custom_template_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[package]\nname = \"app\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    cratesmith_write(&root.join("src/lib.rs"), b"\n");
    let repo = git_init(root);
    git_commit_all(&repo, "feat: x");
    let t = [
        "--commit-message",
        "release {{version}} of {{crate}}",
        "--tag-message",
        "{{crate}} {{version}}",
    ];
    let out = bump(root, &[&["patch", "--commit", "--tag"][..], &t].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        bump(root, &["--undo"]).status.code(),
        Some(1),
        "the default template does not match"
    );
    let out = bump(root, &[&["--undo"][..], &t].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(git(root, &["tag", "--list"]), "");
}
