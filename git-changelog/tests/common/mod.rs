//! Helpers shared by the `git changelog` tests: running the binary and
//! building repositories with a fixed identity and dates.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

use std::path::{Path, PathBuf};
use std::process::Output;

use cratesmith_tests::{EPOCH, command, cratesmith_write, git_commit_all, git_init};

pub fn run(dir: &Path, args: &[&str]) -> Output {
    command(Path::new(env!("CARGO_BIN_EXE_git-changelog")))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", err(&o));
    out(&o)
}

pub struct Repo {
    _temp: tempfile::TempDir,
    pub root: PathBuf,
    pub git: git2::Repository,
    n: usize,
}

impl Repo {
    pub fn new() -> Self {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("repo");
        cratesmith_write(
            &root.join("Cargo.toml"),
            b"[package]\nname = \"demo\"\nversion = \"1.2.0\"\n",
        );
        let git = git_init(&root);
        Repo {
            _temp: temp,
            root,
            git,
            n: 0,
        }
    }

    pub fn commit(&mut self, message: &str) -> String {
        self.n += 1;
        cratesmith_write(&self.root.join(format!("f{}", self.n)), message.as_bytes());
        git_commit_all(&self.git, message).to_string()
    }

    pub fn tag(&self, name: &str) {
        self.git.tag_lightweight(name, &self.head(), false).unwrap();
    }

    fn head(&self) -> git2::Object<'_> {
        self.git
            .head()
            .unwrap()
            .peel(git2::ObjectType::Commit)
            .unwrap()
    }
}

pub fn short(hash: &str) -> &str {
    &hash[..7]
}

impl Repo {
    /// Write `path` (relative to the root) and commit everything.
    pub fn commit_file(&mut self, path: &str, message: &str) -> String {
        self.n += 1;
        cratesmith_write(&self.root.join(path), format!("{}\n", self.n).as_bytes());
        git_commit_all(&self.git, message).to_string()
    }

    /// An annotated tag on HEAD made `days` days after the fixed epoch.
    pub fn tag_annotated(&self, name: &str, days: i64) {
        let head = self.head();
        let sig = git2::Signature::new(
            "Cratesmith Test",
            "test@cratesmith.invalid",
            &git2::Time::new(EPOCH + days * 86_400, 0),
        )
        .unwrap();
        self.git.tag(name, &head, &sig, name, false).unwrap();
    }
}

/// Run the git program in `dir` with no user or system configuration and
/// fixed dates; its stdout. Panics when it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_at(dir, args, EPOCH)
}

/// [`git`] with author and committer dated `time` (Unix seconds, UTC).
pub fn git_at(dir: &Path, args: &[&str], time: i64) -> String {
    let date = format!("{time} +0000");
    let o = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .env("GIT_AUTHOR_NAME", "Cratesmith Test")
        .env("GIT_AUTHOR_EMAIL", "test@cratesmith.invalid")
        .env("GIT_COMMITTER_NAME", "Cratesmith Test")
        .env("GIT_COMMITTER_EMAIL", "test@cratesmith.invalid")
        .output()
        .expect("the git program runs (CI installs it)");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The lines of `text` that start with `- `.
pub fn items(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("- ")).collect()
}

/// The `## ` headings of `text`.
pub fn headings(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("## ")).collect()
}
