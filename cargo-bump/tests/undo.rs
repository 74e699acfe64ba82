//! `cargo bump --undo`: the release commit and tags `--commit --tag` made
//! are taken back; refused once pushed (to a local bare remote), on a
//! commit cargo bump did not make, with uncommitted changes, and when the
//! version is in the registry (a real one on 127.0.0.1). A release commit
//! made by `git commit -a`, as the recipe does, keeps the user's other
//! edits it swept in.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::Path;
use std::process::{Command, Output};

use cratesmith_tests::{command, cratesmith_write, default_registry, git_commit_all, git_init};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `cargo bump ARGS` in `dir`, its default registry one that cannot be
/// reached (the registry check warns and goes on).
fn bump(dir: &Path, args: &[&str]) -> Output {
    bump_with(dir, args, None)
}

/// `cargo bump ARGS` with the registry of `index` as cargo's default.
fn bump_with(dir: &Path, args: &[&str], index: Option<&str>) -> Output {
    let mut cmd = command(Path::new(env!("CARGO_BIN_EXE_cargo-bump")));
    default_registry(&mut cmd, index)
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
        err.contains("Undid `chore(release): v0.2.0`") && err.contains("deleted tags v0.2.0"),
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
    assert!(text(&out.stderr).contains("is not a release commit: `feat: another feature` does not match `chore(release): {{release}}`"), "{}", text(&out.stderr));
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

const MANIFEST: &str = "[package]\nname = \"undo-fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"a test crate\"\nlicense = \"MIT\"\n\n[dependencies]\n";

/// The recipe's shape: `cargo bump minor` (no commit), a hand edit of
/// `src/lib.rs`, then `git commit -a` and `git tag -a`; (dir, the commit
/// before).
fn committed_by_hand(extra: impl FnOnce(&Path)) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(&root.join("Cargo.toml"), MANIFEST.as_bytes());
    cratesmith_write(&root.join("src/lib.rs"), b"pub fn one() {}\n");
    cratesmith_write(&root.join(".gitignore"), b"/target\n");
    let repo = git_init(root);
    let before = git_commit_all(&repo, "feat: one").to_string();
    let out = bump(root, &["minor"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    cratesmith_write(
        &root.join("src/lib.rs"),
        b"pub fn one() {}\npub fn two() {}\n",
    );
    extra(root);
    git(
        root,
        &["commit", "-q", "-a", "-m", "chore(release): v0.2.0"],
    );
    git(root, &["tag", "-a", "v0.2.0", "-m", "Release v0.2.0"]);
    (dir, before)
}

#[test]
fn undo_keeps_the_edits_git_commit_a_swept_in() {
    let (dir, before) = committed_by_hand(|_| ());
    let root = dir.path();
    let out = bump(root, &["--undo"]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("restored Cargo.toml; deleted tags v0.2.0"),
        "{err}"
    );
    assert!(
        err.contains("could not check whether undo-fixture 0.2.0 is published"),
        "an unreachable registry is a warning: {err}"
    );
    assert!(
        err.contains("kept as uncommitted edits: src/lib.rs"),
        "{err}"
    );
    assert_eq!(git(root, &["rev-parse", "HEAD"]), before);
    assert_eq!(git(root, &["tag", "--list"]), "");
    assert_eq!(
        std::fs::read_to_string(root.join("Cargo.toml")).unwrap(),
        MANIFEST
    );
    assert_eq!(
        std::fs::read_to_string(root.join("src/lib.rs")).unwrap(),
        "pub fn one() {}\npub fn two() {}\n"
    );
    assert_eq!(git(root, &["status", "--porcelain"]), "M src/lib.rs");
}

#[test]
fn a_hand_edit_of_a_bumped_file_is_kept_and_the_version_restored() {
    let (dir, _) = committed_by_hand(|root| {
        let bumped = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let edited = format!("{bumped}serde = \"1\"\n");
        cratesmith_write(&root.join("Cargo.toml"), edited.as_bytes());
    });
    let root = dir.path();
    let out = bump(root, &["--undo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(root.join("Cargo.toml")).unwrap(),
        format!("{MANIFEST}serde = \"1\"\n")
    );
}

#[test]
fn a_release_commit_without_a_record_of_what_cratesmith_wrote_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(&root.join("Cargo.toml"), MANIFEST.as_bytes());
    cratesmith_write(&root.join("src/lib.rs"), b"\n");
    let repo = git_init(root);
    git_commit_all(&repo, "feat: one");
    cratesmith_write(
        &root.join("Cargo.toml"),
        MANIFEST.replace("0.1.0", "0.2.0").as_bytes(),
    );
    git(
        root,
        &["commit", "-q", "-a", "-m", "chore(release): v0.2.0"],
    );
    let head = git(root, &["rev-parse", "HEAD"]);
    let out = bump(root, &["--undo"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("no record of the files cratesmith wrote"),
        "{err}"
    );
    assert!(err.contains("git reset --soft HEAD~1"), "{err}");
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head);
}

#[test]
fn a_published_version_is_not_undone_without_force() {
    let Some(server) = cratesmith_tests::registry::Server::start(None) else {
        return;
    };
    let index = server.index();
    let (dir, _) = committed_by_hand(|_| ());
    let root = dir.path();
    let mut publish = command(Path::new("cargo"));
    let out = default_registry(&mut publish, Some(&index))
        .args(["publish", "--no-verify", "--allow-dirty", "--quiet"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let head = git(root, &["rev-parse", "HEAD"]);
    let out = bump_with(root, &["--undo"], Some(&index));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("undo-fixture 0.2.0 is already in the registry's index")
            && err.contains("--undo --force"),
        "{err}"
    );
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(root, &["tag", "--list"]), "v0.2.0");
    let out = bump_with(root, &["--undo", "--force"], Some(&index));
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("that version stays published"), "{err}");
    assert_eq!(git(root, &["tag", "--list"]), "");
    assert_eq!(
        std::fs::read_to_string(root.join("Cargo.toml")).unwrap(),
        MANIFEST
    );
}
