//! `cargo bump` with git (`--commit`, `--tag`, dirty and tag checks,
//! signing, rollback) and the validity of the edited Cargo.lock for cargo.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cratesmith_tests::{command, copy_tree, cratesmith_write, git_commit_all, git_init, read_tree};

fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("ws");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
        &root,
    );
    (temp, root)
}

fn bump(root: &Path, args: &[&str]) -> Output {
    let args: Vec<&str> = std::iter::once("bump")
        .chain(args.iter().copied())
        .collect();
    cratesmith_tests::run_in(Path::new(env!("CARGO_BIN_EXE_cargo-bump")), root, &args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn head_message(repo: &git2::Repository) -> String {
    repo.head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .message()
        .unwrap()
        .to_string()
}

fn tag_message(repo: &git2::Repository, name: &str) -> String {
    let obj = repo.revparse_single(&format!("refs/tags/{name}")).unwrap();
    let tag = obj.as_tag().expect("an annotated tag");
    assert_eq!(tag.target_id(), repo.head().unwrap().target().unwrap());
    tag.message().unwrap().unwrap().to_string()
}

fn tag_names(repo: &git2::Repository) -> Vec<String> {
    repo.tag_names(None)
        .unwrap()
        .iter()
        .flatten()
        .flatten()
        .map(String::from)
        .collect()
}

fn is_clean(repo: &git2::Repository) -> bool {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(false);
    repo.statuses(Some(&mut opts)).unwrap().is_empty()
}

#[test]
fn edited_lockfile_is_accepted_by_cargo_locked_offline() {
    for args in [
        &["minor", "--workspace"][..],
        &["minor", "--pre", "alpha", "--workspace"],
        &["major", "-p", "util"],
    ] {
        let (_t, root) = fixture("messy");
        let out = bump(&root, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let metadata = Command::new(env!("CARGO"))
            .args(["metadata", "--locked", "--offline", "--format-version", "1"])
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(
            metadata.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&metadata.stderr)
        );
    }
}

#[test]
fn commit_and_tag_one_package() {
    let (_t, root) = fixture("messy");
    let repo = git_init(&root);
    let out = bump(&root, &["patch", "-p", "util", "--commit", "--tag"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(head_message(&repo), "chore(release): util v0.4.1");
    // One package of several: its own tag, so that no other member takes
    // it for a release of its own.
    assert_eq!(tag_names(&repo), ["util-v0.4.1"]);
    assert_eq!(tag_message(&repo, "util-v0.4.1"), "Release util-v0.4.1");
    assert!(is_clean(&repo), "every changed file is committed");
    let tree = repo.head().unwrap().peel_to_tree().unwrap();
    let blob = tree
        .get_path(Path::new("crates/util/Cargo.toml"))
        .unwrap()
        .to_object(&repo)
        .unwrap();
    assert!(
        String::from_utf8_lossy(blob.as_blob().unwrap().content()).contains("version = '0.4.1'")
    );
    assert!(
        stderr(&out)
            .contains("  Committing chore(release): util v0.4.1\n     Tagging util-v0.4.1\n")
    );
}

#[test]
fn inherited_members_share_one_tag_and_templates_apply() {
    let (_t, root) = fixture("messy");
    let repo = git_init(&root);
    let args = [
        "minor",
        "-p",
        "core",
        "--commit",
        "--tag",
        "--commit-message",
        "release {{version}} ({{releases}})",
    ];
    let out = bump(&root, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        head_message(&repo),
        "release 1.3.0 (core v1.3.0, macros v1.3.0)"
    );
    assert_eq!(tag_names(&repo), ["v1.3.0"]);
}

#[test]
fn several_versions_get_one_tag_per_crate() {
    let (_t, root) = fixture("messy");
    let repo = git_init(&root);
    let out = bump(
        &root,
        &["patch", "-p", "util", "-p", "relcli", "--commit", "--tag"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(tag_names(&repo), ["relcli-v2.0.1", "util-v0.4.1"]);
    assert_eq!(
        head_message(&repo),
        "chore(release): util v0.4.1, relcli v2.0.1"
    );
    let out = bump(
        &root,
        &[
            "patch",
            "-p",
            "util",
            "-p",
            "relcli",
            "--commit",
            "--tag",
            "--tag-name",
            "release-{{date}}",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("several packages would get the same tag `release-2026-11-22`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dirty_tree_is_refused_and_nothing_is_written() {
    let (_t, root) = fixture("messy");
    let repo = git_init(&root);
    cratesmith_write(&root.join("crates/core/src/lib.rs"), b"// local edit\n");
    let before = read_tree(&root);
    let out = bump(&root, &["patch", "-p", "util", "--commit"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("uncommitted changes:\n  crates/core/src/lib.rs"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--allow-dirty"));
    assert_eq!(read_tree(&root), before);

    let out = bump(&root, &["patch", "-p", "util", "--commit", "--allow-dirty"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let parent = head.parent(0).unwrap();
    let diff = repo
        .diff_tree_to_tree(
            Some(&parent.tree().unwrap()),
            Some(&head.tree().unwrap()),
            None,
        )
        .unwrap();
    let mut files: Vec<String> = diff
        .deltas()
        .map(|d| d.new_file().path().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["Cargo.lock", "crates/util/Cargo.toml"],
        "only the bump's files are committed"
    );
    assert_eq!(
        fs::read_to_string(root.join("crates/core/src/lib.rs")).unwrap(),
        "// local edit\n"
    );
}

#[test]
fn existing_tag_is_refused_before_writing() {
    let (_t, root) = fixture("messy");
    let repo = git_init(&root);
    let head = repo.head().unwrap().peel(git2::ObjectType::Commit).unwrap();
    repo.tag_lightweight("util-v0.4.1", &head, false).unwrap();
    let before = read_tree(&root);
    let out = bump(&root, &["patch", "-p", "util", "--commit", "--tag"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("tag `util-v0.4.1` already exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&root), before);
    assert_eq!(head_message(&repo), "chore: initial commit");
}

#[test]
fn failed_commit_restores_every_file() {
    let (_t, root) = fixture("messy");
    let repo = git_init(&root);
    {
        let mut config = repo.config().unwrap();
        config.remove("user.name").unwrap();
        config.remove("user.email").unwrap();
    }
    let before = read_tree(&root);
    let out = bump_cmd(&root)
        .args(["patch", "-p", "util", "--commit"])
        .env("HOME", root.join("no-home"))
        .env("EMAIL", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("git config user.name"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&root), before);
}

fn bump_cmd(root: &Path) -> Command {
    let mut cmd = command(Path::new(env!("CARGO_BIN_EXE_cargo-bump")));
    cmd.arg("bump").current_dir(root);
    cmd
}

#[test]
fn not_a_repository_is_a_clear_error() {
    let (_t, root) = fixture("messy");
    let out = bump(&root, &["patch", "-p", "util", "--commit"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not inside a git repository"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sign_uses_the_users_ssh_signing_setup() {
    if Command::new("ssh-keygen").arg("-?").output().is_err() {
        cratesmith_tests::missing("ssh-keygen (openssh-client), to make a signing key");
        return;
    }
    let (t, root) = fixture("messy");
    let repo = git_init(&root);
    let key = t.path().join("key");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(made.success());
    {
        let mut config = repo.config().unwrap();
        config.set_str("gpg.format", "ssh").unwrap();
        config
            .set_str("user.signingkey", key.to_str().unwrap())
            .unwrap();
    }
    let out = bump(
        &root,
        &["patch", "-p", "util", "--commit", "--tag", "--sign"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert!(
        head.header_field_bytes("gpgsig").is_ok(),
        "the commit is signed"
    );
    let tag = repo.revparse_single("refs/tags/util-v0.4.1").unwrap();
    assert!(
        tag.as_tag()
            .unwrap()
            .message()
            .unwrap()
            .unwrap()
            .contains("-----BEGIN SSH SIGNATURE-----")
    );
    assert_eq!(
        head.message().unwrap().trim(),
        "chore(release): util v0.4.1"
    );
}

#[test]
fn commit_on_top_of_history_keeps_other_files() {
    let (_t, root) = fixture("messy");
    let repo = git_init(&root);
    cratesmith_write(&root.join("NOTES"), b"later\n");
    git_commit_all(&repo, "docs: notes");
    let out = bump(&root, &["minor", "--workspace", "--commit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tree = repo.head().unwrap().peel_to_tree().unwrap();
    assert!(tree.get_path(Path::new("NOTES")).is_ok());
    assert!(is_clean(&repo));
}

fn commit_change(repo: &git2::Repository, root: &Path, file: &str, message: &str) {
    cratesmith_write(&root.join(file), message.as_bytes());
    git_commit_all(repo, message);
}

fn tag_head(repo: &git2::Repository, name: &str) {
    let head = repo.head().unwrap().peel(git2::ObjectType::Commit).unwrap();
    repo.tag_lightweight(name, &head, false).unwrap();
}

fn printed(out: &Output) -> String {
    assert!(out.status.success(), "{}", stderr(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn auto_follows_conventional_commits_since_the_last_tag() {
    let (_t, root) = fixture("messy");
    let repo = git_init(&root);
    tag_head(&repo, "relcli-v2.0.0");
    tag_head(&repo, "util-v0.4.0");
    commit_change(&repo, &root, "tools/cli/notes/a", "docs: explain things");
    let none = bump(&root, &["auto", "-p", "relcli", "--dry-run"]);
    assert!(
        stderr(&none).contains("1 commit since relcli-v2.0.0: none"),
        "{}",
        stderr(&none)
    );
    assert!(
        stderr(&none).contains("nothing to release"),
        "{}",
        stderr(&none)
    );
    assert_eq!(printed(&none), "", "no file would change");

    commit_change(
        &repo,
        &root,
        "tools/cli/notes/b",
        "fix(cli): handle empty input",
    );
    assert_eq!(
        printed(&bump(
            &root,
            &["auto", "-p", "relcli", "--print", "--dry-run"]
        )),
        "2.0.1\n"
    );
    commit_change(
        &repo,
        &root,
        "tools/cli/notes/c",
        "feat(cli): add --json\n\nBody text.",
    );
    assert_eq!(
        printed(&bump(
            &root,
            &["auto", "-p", "relcli", "--print", "--dry-run"]
        )),
        "2.1.0\n"
    );
    commit_change(
        &repo,
        &root,
        "tools/cli/notes/d",
        "refactor!: rename the config file",
    );
    let major = bump(&root, &["auto", "-p", "relcli", "--print", "--dry-run"]);
    assert_eq!(printed(&major), "3.0.0\n");
    assert!(
        stderr(&major).contains("4 commits since relcli-v2.0.0: major"),
        "{}",
        stderr(&major)
    );
    // Only the commits that touch the package's directory count.
    commit_change(
        &repo,
        &root,
        "crates/util/notes/e",
        "fix(util): for util only",
    );
    let util_fix = bump(&root, &["auto", "-p", "util", "--print", "--dry-run"]);
    assert_eq!(printed(&util_fix), "0.4.1\n", "{}", stderr(&util_fix));
    assert!(
        stderr(&util_fix).contains("1 commit since util-v0.4.0: patch"),
        "{}",
        stderr(&util_fix)
    );
    commit_change(
        &repo,
        &root,
        "crates/util/notes/f",
        "feat(util)!: a breaking one",
    );
    // Below 1.0, cargo's rule: a breaking change is a minor bump.
    assert_eq!(
        printed(&bump(
            &root,
            &["auto", "-p", "util", "--print", "--dry-run"]
        )),
        "0.5.0\n"
    );
    // A newer tag on HEAD: nothing since.
    tag_head(&repo, "relcli-v3.0.0");
    let after = bump(&root, &["auto", "-p", "relcli", "--dry-run"]);
    assert!(
        stderr(&after).contains("0 commits since relcli-v3.0.0: none"),
        "{}",
        stderr(&after)
    );
}

#[test]
fn auto_and_git_changelog_agree_when_a_feature_is_reverted() {
    let (_t, root) = fixture("messy");
    let repo = git_init(&root);
    tag_head(&repo, "relcli-v2.0.0");
    commit_change(&repo, &root, "tools/cli/notes/a", "feat(cli): experiment");
    let feat = repo.head().unwrap().target().unwrap();
    let revert = format!("Revert \"feat(cli): experiment\"\n\nThis reverts commit {feat}.");
    commit_change(&repo, &root, "tools/cli/notes/b", &revert);
    let out = bump(&root, &["auto", "-p", "relcli", "--dry-run"]);
    assert!(
        stderr(&out).contains("2 commits since relcli-v2.0.0: none"),
        "{}",
        stderr(&out)
    );
    commit_change(&repo, &root, "tools/cli/notes/c", "fix(cli): real fix");
    assert_eq!(
        printed(&bump(
            &root,
            &["auto", "-p", "relcli", "--print", "--dry-run"]
        )),
        "2.0.1\n"
    );
}

#[test]
fn man_page_and_completions() {
    cratesmith_tests::check_docs(
        Path::new(env!("CARGO_BIN_EXE_cargo-bump")),
        &["bump"],
        "cargo-bump",
    );
}

#[test]
fn the_docs_page_carries_the_current_help() {
    cratesmith_tests::docs_page::check_page(
        Path::new(env!("CARGO_BIN_EXE_cargo-bump")),
        &["bump"],
        "cargo-bump.md",
    );
}
