//! `cargo bump` on layouts real projects have, checked with cargo itself:
//! a `[patch]` pointing at a member, a member whose new version meets a
//! registry package of the same name in Cargo.lock, a gitignored
//! Cargo.lock, a dry run in a read-only tree, a target directory set by
//! configuration, and what `cargo bump auto` says it read.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use cratesmith_tests::{copy_tree, cratesmith_write, git_commit_all, git_init, read_tree};

fn bump(root: &Path, args: &[&str]) -> Output {
    let args: Vec<&str> = std::iter::once("bump")
        .chain(args.iter().copied())
        .collect();
    cratesmith_tests::run_in(Path::new(env!("CARGO_BIN_EXE_cargo-bump")), root, &args)
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn cargo(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(root)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap()
}

fn case_input(name: &str, to: &Path) {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    copy_tree(&cases.join(name).join("in"), to);
}

/// cargo refused the workspace ("patch `core` version mismatch") before.
#[test]
fn cargo_resolves_a_workspace_whose_patch_points_at_the_bumped_member() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("ws");
    case_input("patch-follows", &root);
    let o = bump(&root, &["major", "-p", "cratesmith-core-x"]);
    assert!(o.status.success(), "{}", err(&o));
    let meta = cargo(&root, &["metadata", "--offline", "--format-version", "1"]);
    assert!(meta.status.success(), "{}", err(&meta));
}

/// A workspace member `mylib` and the registry's `mylib` (through a
/// vendored directory source standing in for crates.io).
fn member_and_registry_namesake(root: &Path) {
    let files: [(&str, &str); 7] = [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"mylib\", \"app\"]\nresolver = \"2\"\n",
        ),
        (
            "mylib/Cargo.toml",
            "[package]\nname = \"mylib\"\nversion = \"1.2.0\"\nedition = \"2021\"\n",
        ),
        (
            "app/Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nmylib = { path = \"../mylib\", version = \"1.2\" }\nmylib-reg = { package = \"mylib\", version = \"=1.3.0\" }\n",
        ),
        (
            "vendor/mylib/Cargo.toml",
            "[package]\nname = \"mylib\"\nversion = \"1.3.0\"\nedition = \"2021\"\n",
        ),
        (
            "vendor/mylib/.cargo-checksum.json",
            "{\"files\":{},\"package\":\"0000000000000000000000000000000000000000000000000000000000000000\"}",
        ),
        (
            ".cargo/config.toml",
            "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
        ),
        ("mylib/src/lib.rs", ""),
    ];
    for (path, text) in files {
        cratesmith_write(&root.join(path), text.as_bytes());
    }
    cratesmith_write(&root.join("app/src/lib.rs"), b"");
    cratesmith_write(&root.join("vendor/mylib/src/lib.rs"), b"");
    let o = cargo(root, &["generate-lockfile", "--offline"]);
    assert!(o.status.success(), "{}", err(&o));
}

/// The member reaches the registry package's version and leaves it:
/// references are written as cargo writes them, and `--locked` accepts
/// the file.
#[test]
fn lock_references_are_written_as_cargo_writes_them() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("ws");
    member_and_registry_namesake(&root);
    for (level, reference) in [
        ("minor", "mylib 1.3.0 (registry+"),
        ("minor", "\"mylib 1.3.0\","),
    ] {
        let o = bump(&root, &[level, "-p", "mylib"]);
        assert!(o.status.success(), "{}", err(&o));
        let ours = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
        assert!(ours.contains(reference), "{ours}");
        let locked = cargo(
            &root,
            &["metadata", "--locked", "--offline", "--format-version", "1"],
        );
        assert!(locked.status.success(), "{}\n{ours}", err(&locked));
        let free = cargo(&root, &["metadata", "--offline", "--format-version", "1"]);
        assert!(free.status.success(), "{}", err(&free));
        let cargos = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
        assert_eq!(ours, cargos, "cargo writes the same lock file");
    }
}

/// Libraries usually do not commit Cargo.lock.
#[test]
fn commit_takes_only_files_git_tracks() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("lib");
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[package]\nname = \"lib\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    cratesmith_write(&root.join("src/lib.rs"), b"");
    cratesmith_write(&root.join(".gitignore"), b"/target\nCargo.lock\n");
    let repo = git_init(&root);
    let o = cargo(&root, &["generate-lockfile", "--offline"]);
    assert!(o.status.success(), "{}", err(&o));
    let o = bump(&root, &["patch", "--commit"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).lines().any(|l| l == "note: Cargo.lock is not tracked by git (ignored or never added): written, not committed"),
        "{}",
        err(&o)
    );
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let tree = head.tree().unwrap();
    assert!(
        tree.get_name("Cargo.lock").is_none(),
        "the ignored lock file was committed"
    );
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    assert!(lock.contains("version = \"0.1.1\""), "{lock}");
    let manifest = repo
        .find_blob(tree.get_name("Cargo.toml").unwrap().id())
        .unwrap();
    assert!(String::from_utf8_lossy(manifest.content()).contains("0.1.1"));
}

#[test]
fn a_dry_run_writes_nothing_and_the_lock_lives_in_the_target_dir() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("ws");
    case_input("outside-warned", &root);
    let before = read_tree(&root);
    let o = bump(&root, &["minor", "--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(!root.join("target").exists(), "a dry run created target/");
    assert_eq!(read_tree(&root), before);
    // build.target-dir from the configuration is where the lock goes.
    cratesmith_write(
        &root.join(".cargo/config.toml"),
        b"[build]\ntarget-dir = \"out/build\"\n",
    );
    let o = bump(&root, &["minor"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(root.join("out/build/.cratesmith-bump.lock").is_file());
    assert!(!root.join("target").exists());
    let elsewhere = temp.path().join("shared-target");
    let o = cratesmith_tests::command(Path::new(env!("CARGO_BIN_EXE_cargo-bump")))
        .args(["bump", "patch"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &elsewhere)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(elsewhere.join(".cratesmith-bump.lock").is_file());
}

/// "Analyzing 3 commits since the first commit: minor" and then a 0.1.0 ->
/// 0.1.1 bump said two things.
#[test]
fn auto_names_its_base_and_the_level_it_applies() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("lib");
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[package]\nname = \"lib\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    cratesmith_write(&root.join("src/lib.rs"), b"");
    let repo = git_init(&root);
    cratesmith_write(&root.join("src/a.rs"), b"");
    git_commit_all(&repo, "feat: a");
    cratesmith_write(&root.join("src/b.rs"), b"");
    git_commit_all(&repo, "fix: b");
    let o = bump(&root, &["auto", "--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    let lines: Vec<String> = err(&o).lines().map(String::from).collect();
    assert_eq!(
        lines[..2],
        [
            "   Analyzing 3 commits: no release tag, so the whole history: patch",
            "     Bumping lib 0.1.0 -> 0.1.1",
        ],
        "{lines:?}"
    );
    let out = cratesmith_tests::run_in(
        Path::new(env!("CARGO_BIN_EXE_cargo-bump")),
        &root,
        &["bump", "auto"],
    );
    assert!(out.status.success(), "{}", err(&out));
    git_commit_all(&repo, "chore(release): 0.1.1");
    repo.tag_lightweight(
        "v0.1.1",
        &repo.head().unwrap().peel(git2::ObjectType::Commit).unwrap(),
        false,
    )
    .unwrap();
    cratesmith_write(&root.join("src/c.rs"), b"");
    git_commit_all(&repo, "feat!: c");
    let o = bump(&root, &["auto", "--dry-run"]);
    assert!(
        err(&o)
            .lines()
            .any(|l| l == "   Analyzing 1 commit since v0.1.1: minor"),
        "{}",
        err(&o)
    );
}

/// Every run with --format json prints exactly one JSON document: a plan,
/// a listing, an error of the job, a usage error.
#[test]
fn json_runs_print_one_document() {
    use cratesmith_tests::json::one_document;
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("ws");
    case_input("outside-warned", &root);
    let bin = Path::new(env!("CARGO_BIN_EXE_cargo-bump"));
    let plan = one_document(
        bin,
        &root,
        &["bump", "minor", "--dry-run", "--format", "json"],
        0,
    );
    assert_eq!(plan["packages"][0]["to"], "1.3.0");
    assert_eq!(plan["outside"][0]["requirement"], "=1.2.3");
    let list = one_document(bin, &root, &["bump", "--format", "json"], 0);
    assert_eq!(list["packages"][0]["name"], "core");
    let missing = one_document(
        bin,
        &root,
        &["bump", "minor", "-p", "nope", "--format", "json"],
        1,
    );
    assert!(
        missing["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("package `nope` not found"),
        "{missing}"
    );
    let usage = one_document(
        bin,
        &root,
        &["bump", "release", "--pre", "alpha", "--format", "json"],
        2,
    );
    assert_eq!(usage["error"]["usage"], true);
    let usage = one_document(
        bin,
        &root,
        &["bump", "--no-such-flag", "--message-format=json"],
        2,
    );
    assert_eq!(usage["error"]["usage"], true);
}

/// `auto -p one` reads that member's history from cargo's workspace: one
/// `cargo metadata`, not one for the scope and another for the plan.
#[cfg(unix)]
#[test]
fn auto_for_one_package_asks_cargo_for_the_workspace_once() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("ws");
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
    );
    for name in ["a", "b"] {
        let manifest =
            format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n");
        cratesmith_write(&root.join(name).join("Cargo.toml"), manifest.as_bytes());
        cratesmith_write(&root.join(name).join("src/lib.rs"), b"");
    }
    let repo = git_init(&root);
    cratesmith_write(&root.join("a/src/x.rs"), b"");
    git_commit_all(&repo, "feat(a): x");
    let log = temp.path().join("cargo.log");
    let wrapper = temp.path().join("cargo-wrapper");
    let script = format!(
        "#!/bin/sh\necho \"$1\" >> '{}'\nexec '{}' \"$@\"\n",
        log.display(),
        env!("CARGO")
    );
    cratesmith_write(&wrapper, script.as_bytes());
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = cratesmith_tests::command(Path::new(env!("CARGO_BIN_EXE_cargo-bump")))
        .args(["bump", "auto", "-p", "a", "--dry-run"])
        .current_dir(&root)
        .env("CARGO", &wrapper)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains("     Bumping a 1.0.0 -> 1.1.0"),
        "{}",
        err(&o)
    );
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(calls, "metadata\n", "cargo was run as: {calls:?}");
}
