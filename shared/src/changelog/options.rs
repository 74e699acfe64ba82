//! What `git changelog` can be asked: one [`Mode`] per kind of run, each
//! with only the arguments it reads.

use std::path::PathBuf;

use crate::cli::MessageFormat;

/// Everything `git changelog` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// `-C <path>`.
    pub dir: Option<PathBuf>,
    /// `--format`.
    pub format: MessageFormat,
    /// What to do.
    pub mode: Mode,
    /// The same run for a git-cliff configuration, when one applies.
    pub cliff: super::cliff::Request,
}

/// The five things `git changelog` does.
#[derive(Clone, Debug)]
pub enum Mode {
    /// `--lint <file|->`: one message on its way into a commit.
    Lint(PathBuf),
    /// `--lint-range <a..b>`: every message of a range.
    LintRange(String),
    /// `--bump` / `--next-version`: what the changes imply.
    Next {
        /// Which changes.
        history: History,
        /// The level, or the version it leads to.
        answer: Answer,
        /// `--include-other` (counted in the JSON `commits`).
        include_other: bool,
        /// `--check-api`: the API raises the level (cargo-semver-checks).
        check_api: bool,
    },
    /// `--section VERSION`: that release's notes as the changelog file has
    /// them.
    Section {
        /// The version.
        version: String,
        /// `--file`: the changelog (default: `-p`'s, else CHANGELOG.md).
        file: Option<PathBuf>,
        /// `-p`: whose changelog.
        package: Option<String>,
    },
    /// A changelog: printed (Markdown, `--notes`, JSON) or merged into a
    /// file (`--prepend`).
    Changelog {
        /// Which changes.
        history: History,
        /// What the release shows.
        content: Content,
        /// Where it goes.
        output: Output,
    },
}

/// What `--bump` / `--next-version` print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `--bump`: major, minor, patch or none.
    Level,
    /// `--next-version`.
    Version,
}

/// Which part of history a run reads.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// `--since <rev>` (default: the last release tag).
    pub since: Option<String>,
    /// `--until <rev>` (default: HEAD).
    pub until: Option<String>,
    /// `--tag-pattern` (default: the configured one, else `v*`).
    pub tag_pattern: Option<String>,
    /// `--fold-prereleases`.
    pub fold_prereleases: bool,
    /// `--path` (repeatable).
    pub paths: Vec<PathBuf>,
    /// `-p/--package`.
    pub package: Option<String>,
    /// `--merges`.
    pub merges: bool,
}

/// What a changelog shows.
#[derive(Clone, Debug, Default)]
pub struct Content {
    /// `--all`: one section per release tag.
    pub all: bool,
    /// `--release <version>`.
    pub release: Option<String>,
    /// `--date`.
    pub date: Option<String>,
    /// `--include <types>`.
    pub include: Vec<String>,
    /// `--include-other`.
    pub include_other: bool,
}

/// Where a changelog goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Output {
    /// Markdown (or JSON) on stdout.
    #[default]
    Print,
    /// `--notes`: the body of the newest release.
    Notes,
    /// `--prepend <file>`, or with `--dry-run` its diff on stdout.
    Prepend {
        /// The changelog file.
        file: PathBuf,
        /// `--dry-run`.
        dry_run: bool,
    },
}
