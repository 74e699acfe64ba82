//! Test helpers shared by relkit's CLI tests: case directories run through
//! a binary, whole-tree comparisons, a scrubbed environment, and git
//! repositories built with fixed names and dates.
//!
//! A case is a directory holding:
//! - `cmd`: the arguments, one line, split on spaces (`"…"` quotes a word);
//! - `in/`: the input tree, or `fixture`: the name of a tree under the
//!   fixtures directory;
//! - `out/`: the expected tree after the run (absent: unchanged input);
//! - `stdout`, `stderr`: expected output, with `[ROOT]` for the temp dir;
//! - `code`: the expected exit code (absent: 0);
//! - `cwd`: optional subdirectory to run in.
//!
//! `RELKIT_BLESS=1` rewrites `out/`, `stdout`, `stderr` and `code` from the
//! actual run; review them with `git diff` before committing.

pub mod corpus;
pub mod json;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// Run every case under `cases`, whose `fixture` files name trees under `fixtures`.
///
/// # Panics
/// With the list of failing cases and what differed.
pub fn run_cases(bin: &Path, cases: &Path, fixtures: &Path) {
    let bless = std::env::var_os("RELKIT_BLESS").is_some();
    let mut failures = Vec::new();
    let mut names: Vec<PathBuf> = fs::read_dir(cases)
        .unwrap_or_else(|e| panic!("{}: {e}", cases.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    names.sort();
    for case in &names {
        if let Err(msg) = run_case(bin, case, fixtures, bless) {
            failures.push(format!(
                "--- case {}:\n{msg}",
                case.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
    assert!(!names.is_empty(), "no cases under {}", cases.display());
}

fn run_case(bin: &Path, case: &Path, fixtures: &Path, bless: bool) -> Result<(), String> {
    let temp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = temp.path().join("ws");
    let input = match fs::read_to_string(case.join("fixture")) {
        Ok(name) => fixtures.join(name.trim()),
        Err(_) => case.join("in"),
    };
    copy_tree(&input, &root);
    let args = split_args(&fs::read_to_string(case.join("cmd")).map_err(|e| format!("cmd: {e}"))?);
    let cwd =
        fs::read_to_string(case.join("cwd")).map_or(root.clone(), |sub| root.join(sub.trim()));
    let out = command(bin)
        .args(&args)
        .current_dir(&cwd)
        .output()
        .map_err(|e| e.to_string())?;
    let actual = Actual::new(&out, &root);
    if bless {
        return actual.bless(case, &input, &root);
    }
    let mut problems = Vec::new();
    let expected_code: i32 = read_or(case.join("code"), "0").trim().parse().unwrap_or(0);
    if actual.code != expected_code {
        problems.push(format!(
            "exit code {} (expected {expected_code})",
            actual.code
        ));
    }
    for (name, got) in [("stdout", &actual.stdout), ("stderr", &actual.stderr)] {
        let want = read_or(case.join(name), "");
        if *got != want {
            problems.push(format!("{name} differs:\n{}", text_diff(&want, got)));
        }
    }
    let expected_tree = if case.join("out").is_dir() {
        case.join("out")
    } else {
        input
    };
    problems.extend(compare_trees(&expected_tree, &root));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

struct Actual {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Actual {
    fn new(out: &Output, root: &Path) -> Self {
        let scrub = |b: &[u8]| scrub_paths(&String::from_utf8_lossy(b), root);
        Actual {
            code: out.status.code().unwrap_or(-1),
            stdout: scrub(&out.stdout),
            stderr: scrub(&out.stderr),
        }
    }

    fn bless(&self, case: &Path, input: &Path, root: &Path) -> Result<(), String> {
        let write = |name: &str, text: &str| {
            let path = case.join(name);
            if text.is_empty() || (name == "code" && text == "0\n") {
                let _ = fs::remove_file(&path);
            } else {
                relkit_write(&path, text.as_bytes());
            }
        };
        write("stdout", &self.stdout);
        write("stderr", &self.stderr);
        write("code", &format!("{}\n", self.code));
        let _ = fs::remove_dir_all(case.join("out"));
        if !compare_trees(input, root).is_empty() {
            copy_tree(root, &case.join("out"));
        }
        Ok(())
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
    let (want, got) = (read_tree(expected), read_tree(actual));
    let mut problems = Vec::new();
    for (path, bytes) in &want {
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
        relkit_write(&to.join(rel), &bytes);
    }
}

/// Write a file, creating its parent directories (test setup only).
pub fn relkit_write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    #[allow(clippy::disallowed_methods)]
    fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn read_or(path: PathBuf, default: &str) -> String {
    fs::read_to_string(path).unwrap_or_else(|_| default.to_string())
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
fn text_diff(want: &str, got: &str) -> String {
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
            .set_str("user.name", "Relkit Test")
            .expect("user.name");
        config
            .set_str("user.email", "test@relkit.invalid")
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
        "Relkit Test",
        "test@relkit.invalid",
        &git2::Time::new(EPOCH, 0),
    )
    .expect("sig");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .expect("commit")
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
