//! Test helpers shared by cratesmith's CLI tests: case directories run through
//! a binary ([`cases`]), git histories written as text ([`history`]),
//! whole-tree comparisons, a scrubbed environment, and git repositories
//! built with fixed names and dates.

pub mod cases;
pub mod container;
pub mod corpus;
pub mod docs_page;
pub mod history;
pub mod http;
pub mod json;
pub mod proxy;
pub mod registry;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

/// The real git-cliff the differential tests compare with:
/// `CRATESMITH_GIT_CLIFF` (what `scripts/test` sets), else `git-cliff` on
/// PATH.
pub fn git_cliff() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("CRATESMITH_GIT_CLIFF") {
        return Some(std::path::PathBuf::from(p));
    }
    let found = std::process::Command::new("git-cliff")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    found.then(|| std::path::PathBuf::from("git-cliff"))
}

/// [`git_cliff`], or `None` after [`missing`] said so (a failure under
/// `CI=true`).
pub fn required_git_cliff() -> Option<std::path::PathBuf> {
    let found = git_cliff();
    if found.is_none() {
        missing("git-cliff 2.14.2 (scripts/test installs it; CRATESMITH_GIT_CLIFF)");
    }
    found
}

/// Something a test needs is missing (a program, a file, the corpus):
/// under `CI=true` that is a failure, since CI installs what tests need;
/// elsewhere the test is skipped with a notice on stderr.
///
/// # Panics
/// Under `CI=true`.
pub fn missing(what: &str) {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(!ci, "CI=true and the test cannot run: {what} is missing");
    #[allow(clippy::print_stderr)]
    {
        eprintln!("notice: {what} is missing; this test is skipped (under CI=true it fails)");
    }
}

/// A fixed time (2026-11-22T00:00:00Z) for `SOURCE_DATE_EPOCH` and git dates.
pub const EPOCH: i64 = 1_795_305_600;

/// A command for `bin` with a scrubbed environment: no colour, a fixed date,
/// no user or system git configuration, no inherited target dir (fixture
/// workspaces use their own `target/`).
pub fn command(bin: &Path) -> Command {
    let mut cmd = Command::new(bin);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("GIT_")
            || key == "NO_COLOR"
            || key.starts_with("CARGO_TERM")
            || key == "RUST_BACKTRACE"
            || key == "CARGO_TARGET_DIR"
            || key == "CARGO_BUILD_TARGET_DIR"
        {
            cmd.env_remove(&key);
        }
    }
    cmd.env("CARGO_TERM_COLOR", "never")
        .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    cmd
}

/// Point cargo's default registry at `index` for `cmd` (a registry
/// server the test started), or, with `None`, at a closed port on
/// 127.0.0.1: a registry that cannot be reached, so that a test never asks
/// crates.io about its fixture crates.
pub fn default_registry<'a>(cmd: &'a mut Command, index: Option<&str>) -> &'a mut Command {
    cmd.env("CARGO_REGISTRY_DEFAULT", "cratesmith-test")
        .env(
            "CARGO_REGISTRIES_CRATESMITH_TEST_INDEX",
            index.unwrap_or("sparse+http://127.0.0.1:9/"),
        )
        .env("CARGO_REGISTRIES_CRATESMITH_TEST_TOKEN", "test-token")
}

/// Run `bin args` in `dir` with [`command`]'s environment; its output.
///
/// # Panics
/// If the binary cannot be started.
pub fn run_in(bin: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    command(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run the binary")
}

/// The binaries `names` of this workspace, built now by cargo (a no-op
/// when they are fresh), so that a test never runs a stale one. Each path
/// is the executable cargo reports.
///
/// # Panics
/// When cargo fails or does not report one of them.
pub fn built_binaries(names: &[&str]) -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(&root)
        .args(["build", "--quiet", "--message-format=json"]);
    for name in names {
        cmd.args(["--bin", name]);
    }
    let out = cmd.output().expect("run cargo build");
    assert!(
        out.status.success(),
        "cargo build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let executables: Vec<std::path::PathBuf> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["executable"].as_str().map(std::path::PathBuf::from))
        .collect();
    names
        .iter()
        .map(|name| {
            let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
            executables
                .iter()
                .find(|p| p.file_name().is_some_and(|f| f == file.as_str()))
                .unwrap_or_else(|| panic!("cargo built no `{name}`"))
                .clone()
        })
        .collect()
}

/// The five tools of this workspace.
pub const TOOLS: [&str; 5] = [
    "cargo-bump",
    "git-changelog",
    "cargo-artifact-sum",
    "cargo-verify-install",
    "cargo-ship",
];

/// The directory holding the five tools, built now.
///
/// # Panics
/// When cargo fails, or puts them in different directories.
pub fn tools_dir() -> std::path::PathBuf {
    let bins = built_binaries(&TOOLS);
    let dir = bins[0].parent().expect("a directory").to_path_buf();
    assert!(bins.iter().all(|b| b.parent() == Some(dir.as_path())));
    dir
}

/// `sh scripts/release` run in `root` with the tools in `tools` first on
/// `PATH`, `CARGO_HOME` at `home`, and the registry `index` as cargo's
/// `local` registry (`REGISTRY_ARGS=--registry local`).
pub fn release_script(tools: &Path, root: &Path, home: &Path, index: &str) -> Command {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/release");
    let path = std::env::join_paths(std::iter::once(tools.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("a PATH");
    let mut cmd = command(Path::new("sh"));
    cmd.arg(&script)
        .current_dir(root)
        .env("PATH", path)
        .env("RELEASE_DATE", "2026-11-22")
        .env("REGISTRY_ARGS", "--registry local")
        .env("CARGO_HOME", home)
        .env("CARGO_REGISTRIES_LOCAL_INDEX", index)
        .env("CARGO_REGISTRIES_LOCAL_TOKEN", "release-test-token");
    cmd
}

/// An ed25519 SSH key pair made with `ssh-keygen` in `dir`
/// (`release_key`, `.pub`), for `release@example.com`, and the
/// `allowed_signers` file that trusts it; the private key's path. `None`
/// (after [`missing`]) without ssh-keygen.
pub fn release_key(dir: &Path) -> Option<std::path::PathBuf> {
    let key = dir.join("release_key");
    let made = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "release@example.com",
            "-f",
        ])
        .arg(&key)
        .status();
    if !made.is_ok_and(|s| s.success()) {
        missing("ssh-keygen");
        return None;
    }
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("the public key");
    cratesmith_write(
        &dir.join("allowed_signers"),
        format!("release@example.com {public}").as_bytes(),
    );
    Some(key)
}

/// Check a tool's `--man` and `--completions` output: a man page titled
/// `name`, and completion scripts for bash, zsh and fish naming `name`.
///
/// # Panics
/// When either is missing or malformed.
pub fn check_docs(bin: &Path, args: &[&str], name: &str) {
    let man = run_in(bin, Path::new("."), &[args, &["--man"]].concat());
    assert!(
        man.status.success(),
        "{}",
        String::from_utf8_lossy(&man.stderr)
    );
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(page.contains(&format!(".TH {name} 1")), "{page}");
    assert!(page.contains(".SH OPTIONS"), "{page}");
    for shell in ["bash", "zsh", "fish"] {
        let out = run_in(
            bin,
            Path::new("."),
            &[args, &["--completions", shell]].concat(),
        );
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let script = String::from_utf8_lossy(&out.stdout);
        let option = script.contains("manifest-path") || script.contains("tag-pattern");
        assert!(script.contains(name) && option, "{shell}: {script}");
    }
}

/// Replace the temp root (as given and canonical) with `[ROOT]`.
pub fn scrub_paths(text: &str, root: &Path) -> String {
    let mut out = text.to_string();
    let canonical = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    for r in [canonical, root.to_path_buf()] {
        out = out.replace(&r.display().to_string(), "[ROOT]");
    }
    out
}

/// Differences between two trees, byte for byte (empty when identical).
pub fn compare_trees(expected: &Path, actual: &Path) -> Vec<String> {
    compare_files(&read_tree(expected), &read_tree(actual))
}

/// Differences between two sets of files (see [`read_tree`]).
pub fn compare_files(
    want: &BTreeMap<String, Vec<u8>>,
    got: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, bytes) in want {
        match got.get(path) {
            None => problems.push(format!("missing file {path}")),
            Some(b) if b != bytes => problems.push(format!(
                "{path} differs:\n{}",
                text_diff(&String::from_utf8_lossy(bytes), &String::from_utf8_lossy(b))
            )),
            Some(_) => {}
        }
    }
    for path in got.keys().filter(|p| !want.contains_key(*p)) {
        problems.push(format!("unexpected file {path}"));
    }
    problems
}

/// Every file under `root` (relative path -> bytes); `target/` is skipped.
pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path
                .file_name()
                .is_some_and(|n| n == "target" || n == ".git")
            {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

/// Copy a tree (files only, `target/` and `.git/` skipped).
pub fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in read_tree(from) {
        cratesmith_write(&to.join(rel), &bytes);
    }
}

/// Write a file, creating its parent directories (test setup only).
pub fn cratesmith_write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    #[allow(clippy::disallowed_methods)]
    fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Split a `cmd` line on spaces; `"…"` quotes a word.
pub fn split_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in line.trim_end_matches(['\n', '\r']).chars() {
        match c {
            '"' => (quoted, started) = (!quoted, true),
            ' ' if !quoted => {
                if started {
                    args.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => (word, started) = (word + &c.to_string(), true),
        }
    }
    if started {
        args.push(word);
    }
    args
}

/// A line-by-line view of two texts, marking lines that differ.
pub fn text_diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (
        want.split_inclusive('\n').collect(),
        got.split_inclusive('\n').collect(),
    );
    let mut out = String::new();
    for i in 0..w.len().max(g.len()) {
        match (w.get(i), g.get(i)) {
            (Some(a), Some(b)) if a == b => out.push_str(&format!("   {a:?}\n")),
            (a, b) => {
                if let Some(a) = a {
                    out.push_str(&format!(" - {a:?}\n"));
                }
                if let Some(b) = b {
                    out.push_str(&format!(" + {b:?}\n"));
                }
            }
        }
    }
    out
}

/// A git repository at `dir` with a fixed identity, all files committed.
pub fn git_init(dir: &Path) -> git2::Repository {
    let repo = git2::Repository::init(dir).expect("git init");
    {
        let mut config = repo.config().expect("config");
        config
            .set_str("user.name", "Cratesmith Test")
            .expect("user.name");
        config
            .set_str("user.email", "test@cratesmith.invalid")
            .expect("user.email");
    }
    git_commit_all(&repo, "chore: initial commit");
    repo
}

/// Stage every file and commit it with a fixed date.
pub fn git_commit_all(repo: &git2::Repository, message: &str) -> git2::Oid {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("find tree");
    let sig = git2::Signature::new(
        "Cratesmith Test",
        "test@cratesmith.invalid",
        &git2::Time::new(EPOCH, 0),
    )
    .expect("sig");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .expect("commit")
}

/// Assert two texts are equal, showing a diff when they are not.
///
/// # Panics
/// When they differ.
pub fn assert_text_eq(want: &str, got: &str) {
    assert!(want == got, "texts differ:\n{}", text_diff(want, got));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_args_handles_quotes() {
        assert_eq!(
            split_args("bump minor -p \"a b\"\n"),
            ["bump", "minor", "-p", "a b"]
        );
        assert_eq!(split_args("--x \"\""), ["--x", ""]);
    }
}
