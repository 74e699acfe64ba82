//! The whole pipeline, end to end: `scripts/release` (the recipe of
//! docs/release.md) on a three-crate workspace with a Conventional Commits
//! history since `v0.3.0`, using the five tools built by this workspace,
//! publishing to a registry server on 127.0.0.1.
//! The test builds them first (a no-op when they are fresh).

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};

use cratesmith_tests::{command, cratesmith_write, git_commit_all, git_init, tools_dir};

fn workspace(root: &Path) {
    let meta = "description = \"part of the release fixture\"\nlicense = \"MIT\"\nrepository = \"https://example.com/r\"\n";
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[workspace]\nmembers = [\"app\", \"core\", \"util\"]\nresolver = \"2\"\n\n[workspace.package]\nversion = \"0.3.0\"\nedition = \"2021\"\n",
    );
    for (name, extra) in [
        ("core", ""),
        ("util", ""),
        (
            "app",
            "\n[dependencies]\nrel-core = { path = \"../core\", version = \"0.3.0\", registry = \"local\" }\n",
        ),
    ] {
        cratesmith_write(
            &root.join(format!("{name}/Cargo.toml")),
            format!("[package]\nname = \"rel-{name}\"\nversion.workspace = true\nedition.workspace = true\n{meta}{extra}").as_bytes(),
        );
    }
    cratesmith_write(
        &root.join("core/src/lib.rs"),
        b"pub fn answer() -> u32 { 42 }\n",
    );
    cratesmith_write(
        &root.join("util/src/lib.rs"),
        b"pub fn twice(x: u32) -> u32 { 2 * x }\n",
    );
    cratesmith_write(
        &root.join("app/src/main.rs"),
        b"fn main() {\n    match std::env::args().nth(1).as_deref() {\n        Some(\"--version\") => println!(\"rel-app {}\", env!(\"CARGO_PKG_VERSION\")),\n        Some(\"--help\") => println!(\"usage: rel-app\"),\n        _ => println!(\"{}\", rel_core::answer()),\n    }\n}\n",
    );
    cratesmith_write(&root.join(".gitignore"), b"/target\n");
}

/// The fixture workspace with its history since `v0.3.0` (a breaking
/// `feat(core)!`, a `fix(util)`), its Cargo.lock made against `registry`;
/// (workspace root, CARGO_HOME).
fn fixture(
    temp: &Path,
    registry: &cratesmith_tests::registry::Server,
) -> (PathBuf, PathBuf, git2::Repository) {
    let root = temp.join("ws");
    let home = temp.join("cargo-home");
    workspace(&root);
    let lock = std::process::Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--offline", "-q"])
        .env("CARGO_HOME", &home)
        .env("CARGO_REGISTRIES_LOCAL_INDEX", registry.index())
        .current_dir(&root)
        .status()
        .unwrap();
    assert!(lock.success());
    let repo = git_init(&root);
    {
        let head = repo.head().unwrap().peel(git2::ObjectType::Commit).unwrap();
        let sig = repo.signature().unwrap();
        repo.tag("v0.3.0", &head, &sig, "Release v0.3.0", false)
            .unwrap();
    }
    cratesmith_write(
        &root.join("core/src/lib.rs"),
        b"pub fn answer() -> u64 { 42 }\n",
    );
    git_commit_all(
        &repo,
        "feat(core)!: answer is a u64\n\nBREAKING CHANGE: answer() returns u64",
    );
    cratesmith_write(
        &root.join("util/src/lib.rs"),
        b"pub fn twice(x: u32) -> u32 { x + x }\n",
    );
    git_commit_all(&repo, "fix(util): no overflow in twice");
    (root, home, repo)
}

/// `sh scripts/release` in `root`, the install check in debug.
fn script(
    tools: &Path,
    root: &Path,
    home: &Path,
    registry: &cratesmith_tests::registry::Server,
) -> std::process::Command {
    let mut cmd = cratesmith_tests::release_script(tools, root, home, &registry.index());
    cmd.env("VERIFY_ARGS", "--debug");
    cmd
}

#[test]
fn a_failing_install_check_leaves_no_commit_and_no_tag() {
    let Some(registry) = cratesmith_tests::registry::Server::start(None) else {
        return;
    };
    let tools = tools_dir();
    let temp = tempfile::tempdir().unwrap();
    let (root, home, repo) = fixture(temp.path(), &registry);
    cratesmith_write(
        &root.join("app/src/main.rs"),
        b"fn main() {\n    println!(\"rel-app 9.9.9\");\n}\n",
    );
    let before = git_commit_all(&repo, "fix(app): a version line that is wrong");
    let out = script(&tools, &root, &home, &registry).output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{log}");
    assert!(
        log.contains("install check") && !log.contains("==> commit and tag"),
        "{log}"
    );
    let repo = git2::Repository::open(&root).unwrap();
    assert_eq!(
        repo.head().unwrap().peel_to_commit().unwrap().id(),
        before,
        "no release commit"
    );
    assert!(repo.revparse_single("refs/tags/v0.4.0").is_err(), "no tag");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("version = \"0.4.0\""),
        "the bump stays in the work tree to fix or discard"
    );
    assert_eq!(registry.versions("rel-app"), Vec::<String>::new());
}

#[test]
fn the_release_script_runs_the_whole_pipeline() {
    let Some(registry) = cratesmith_tests::registry::Server::start(None) else {
        return;
    };
    let tools = tools_dir();
    let temp = tempfile::tempdir().unwrap();
    let (root, home, _) = fixture(temp.path(), &registry);

    let Some(key) = cratesmith_tests::release_key(temp.path()) else {
        return;
    };
    let out = script(&tools, &root, &home, &registry)
        .env("PUBLISH", "yes")
        .env("SIGN_KEY", &key)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("minor -> 0.4.0"),
        "0.x: a breaking change is minor: {log}"
    );

    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).unwrap();
    assert!(read("Cargo.toml").contains("version = \"0.4.0\""));
    assert!(
        read("app/Cargo.toml").contains(
            "rel-core = { path = \"../core\", version = \"0.4.0\", registry = \"local\" }"
        ),
        "the dependent's requirement follows"
    );
    let lock = read("Cargo.lock");
    for name in ["rel-app", "rel-core", "rel-util"] {
        assert!(
            lock.contains(&format!("name = \"{name}\"\nversion = \"0.4.0\"")),
            "{lock}"
        );
    }
    let changelog = read("CHANGELOG.md");
    assert!(changelog.starts_with("# Changelog\n"), "{changelog}");
    assert!(
        changelog.contains("## [0.4.0] - 2026-11-22\n\nThis release has 1 breaking change."),
        "{changelog}"
    );
    assert!(
        changelog.contains("- **Breaking:** **core:** answer is a u64"),
        "{changelog}"
    );
    assert!(
        changelog.contains("- **util:** no overflow in twice"),
        "{changelog}"
    );

    let repo = git2::Repository::open(&root).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.message().unwrap().trim_end(), "chore(release): v0.4.0");
    let tag = repo.revparse_single("refs/tags/v0.4.0").unwrap();
    assert!(tag.as_tag().is_some(), "an annotated tag");
    assert_eq!(tag.peel_to_commit().unwrap().id(), head.id());
    assert!(
        repo.statuses(None)
            .unwrap()
            .iter()
            .all(|s| s.status() == git2::Status::IGNORED),
        "the tree is clean"
    );

    let sums = read("target/distrib/SHA256SUMS");
    let archive = format!(
        "rel-app-0.4.0-{}-unknown-linux-gnu.tar.gz",
        std::env::consts::ARCH
    );
    assert_eq!(
        sums.lines().map(|l| &l[66..]).collect::<Vec<_>>(),
        [archive.as_str()],
        "the archive, by name: {sums}"
    );
    let report = read("target/verify-report.md");
    assert!(
        report.starts_with("## cargo verify-install: passed"),
        "{report}"
    );
    assert!(
        report.contains("| rel-app | rel-app --version | rel-app 0.4.0 |"),
        "{report}"
    );

    for name in ["rel-app", "rel-core", "rel-util"] {
        assert_eq!(registry.versions(name), ["0.4.0"], "{name} published");
    }
    let sum_tool = tools.join("cargo-artifact-sum");
    let verified = command(&sum_tool)
        .args([
            "artifact-sum",
            "--check",
            "target/distrib/SHA256SUMS",
            "--verify-signature",
            "--allowed-signers",
        ])
        .arg(temp.path().join("allowed_signers"))
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let published = read("target/verify-published.md");
    assert!(
        published.starts_with("## cargo verify-install: passed"),
        "{published}"
    );
    assert!(
        published.contains("| rel-app | same as verified | not built again: "),
        "{published}"
    );
    assert!(log.contains("release: v0.4.0 is published"), "{log}");
}
