//! `.pre-commit-hooks.yaml` through the real pre-commit framework (from
//! PyPI): found through `CRATESMITH_PRE_COMMIT` or on PATH; `.ci/run`
//! installs it, and under `CI=true` the test fails without it.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;

use cratesmith_tests::{cratesmith_write, git_commit_all, git_init};

fn pre_commit() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CRATESMITH_PRE_COMMIT") {
        return Some(PathBuf::from(p));
    }
    let ok = Command::new("pre-commit").arg("--version").output();
    ok.is_ok_and(|o| o.status.success())
        .then(|| PathBuf::from("pre-commit"))
}

#[test]
fn the_commit_msg_hook_runs_under_pre_commit() {
    let Some(pre_commit) = pre_commit() else {
        cratesmith_tests::missing("pre-commit (from PyPI; `.ci/run` installs it)");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let temp = tempfile::tempdir().unwrap();
    // A repository holding this checkout's hook definitions, committed.
    let hooks_repo = temp.path().join("hooks");
    let yaml = std::fs::read(root.join(".pre-commit-hooks.yaml")).unwrap();
    cratesmith_write(&hooks_repo.join(".pre-commit-hooks.yaml"), &yaml);
    git_commit_all(&git_init(&hooks_repo), "feat: hooks");
    let hooks_repo = hooks_repo.as_path();
    let consumer = temp.path().join("consumer");
    git_init(&consumer);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_git-changelog"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let run = |message: &str| {
        let file = temp.path().join("MSG");
        cratesmith_write(&file, message.as_bytes());
        Command::new(&pre_commit)
            .args(["try-repo"])
            .arg(hooks_repo)
            .args([
                "conventional-commit-msg-system",
                "--hook-stage",
                "commit-msg",
                "--commit-msg-filename",
            ])
            .arg(&file)
            .current_dir(&consumer)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", temp.path().join("cache"))
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .unwrap()
    };
    let bad = run("added a thing\n");
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success(), "{text}");
    assert!(text.contains("Conventional Commits message....."), "{text}");
    assert!(
        text.lines().any(|l| l
            == "error: ../MSG:1:1: subject: this is not a Conventional Commit header; expected `type(scope): description` with a type among feat, fix, docs, style, refactor, perf, test, build, ci, chore, revert, security, deprecate, deprecated, remove, removed, e.g. `feat(cli): add --json`"),
        "{text}"
    );
    let good = run("feat(cli): add a thing\n\n# a comment git strips\n");
    let text = String::from_utf8_lossy(&good.stdout);
    assert!(
        good.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(text.contains("Passed"), "{text}");
}
