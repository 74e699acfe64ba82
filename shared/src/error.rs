//! The one error type of cratesmith: every failure says what went wrong, where,
//! and (through [`Error::hint`]) what to do about it.

use std::io;
use std::path::{Path, PathBuf};

use crate::version::VersionError;

/// A place in a text file: 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
}

/// Result alias used across cratesmith.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a cratesmith tool.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file system operation on a path failed.
    #[error("failed to {action} `{}`: {source}", path.display())]
    Io {
        /// What was being done: "read", "write", "rename", ...
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A TOML file does not parse.
    #[error("{}:{line}:{column}: invalid TOML: {message}", path.display())]
    Toml {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A file has a value of the wrong shape (e.g. a version that is not
    /// SemVer), or is not what it should be (an archive that is none).
    #[error("{}{}: {message}", path.display(), at.map(|p| format!(":{}:{}", p.line, p.column)).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Where in it, when the problem has a place.
        at: Option<Position>,
        /// What is wrong.
        message: String,
        /// What to do.
        help: Option<String>,
    },
    /// Arguments that do not go together (beyond what the parser checks);
    /// exit code 2, like every usage error.
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        help: String,
    },
    /// `cargo metadata` failed; its own message is kept.
    #[error("`cargo metadata` failed:\n{0}")]
    Metadata(String),
    /// A `-p` spec matched no workspace member.
    #[error("package `{spec}` not found in workspace `{}`", root.display())]
    PackageNotFound {
        /// What the user asked for.
        spec: String,
        /// The workspace root.
        root: PathBuf,
        /// Close names, best first.
        suggestions: Vec<String>,
    },
    /// A version could not be bumped as asked.
    #[error("cannot bump `{package}` from {current}: {source}")]
    Bump {
        /// The package (or `workspace.package`).
        package: String,
        /// Its current version.
        current: semver::Version,
        /// Why.
        source: VersionError,
    },
    /// An explicit version is lower than the current one.
    #[error("refusing to downgrade `{package}` from {current} to {requested}")]
    Downgrade {
        /// The package.
        package: String,
        /// Its current version.
        current: semver::Version,
        /// The version asked for.
        requested: semver::Version,
    },
    /// A requested operation conflicts with the workspace's layout or state.
    #[error("{message}")]
    Conflict {
        /// What is wrong.
        message: String,
        /// What to do.
        help: String,
    },
    /// An extra-file replacement did not match as declared.
    #[error("{}: expected {expected} of `{search}`, found {found}", file.display())]
    Replace {
        /// The file searched.
        file: PathBuf,
        /// The expanded search text.
        search: String,
        /// What the configuration expected ("exactly 1 match", "at least 1 match").
        expected: String,
        /// How many were found.
        found: usize,
        /// Where the replacement is declared.
        declared_in: PathBuf,
    },
    /// A crate registry refused, failed or could not be reached.
    #[error("registry `{registry}`: {message}")]
    Registry {
        /// The registry (its name, or its index URL).
        registry: String,
        /// What failed.
        message: String,
        /// What to do.
        help: String,
    },
    /// A git operation failed.
    #[error("git: {message}")]
    Git {
        /// What failed.
        message: String,
        /// What to do.
        help: Option<String>,
    },
    /// `cargo artifact-sum` found nothing to hash in the workspace.
    #[error("no release artifacts found; looked for:\n  {}", looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("\n  "))]
    NoArtifacts {
        /// The paths looked at.
        looked: Vec<PathBuf>,
    },
    /// An external program (cargo, rustc, …) failed; its output is kept.
    #[error("`{program}` failed: {message}{}", if output.trim().is_empty() { String::new() } else { format!("\n{}", crate::text::sanitize_block(output)) })]
    Command {
        /// The program and subcommand.
        program: String,
        /// What went wrong.
        message: String,
        /// Its stdout and stderr.
        output: String,
        /// What to do.
        help: Option<String>,
    },
    /// The user pressed Ctrl-C (or the process got SIGTERM).
    #[error("interrupted; temporary directories were removed")]
    Interrupted,
    /// Writing a set of files failed part-way; `restored` says whether the
    /// files already written were put back.
    #[error("failed to write `{}`: {source}{}", path.display(), if *restored { " (every file was restored to its original content)" } else { "" })]
    Transaction {
        /// The file whose write failed.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
        /// Whether the rollback succeeded.
        restored: bool,
    },
}

impl Error {
    /// Shorthand for an [`Error::Io`].
    pub fn io(action: &'static str, path: impl AsRef<Path>, source: io::Error) -> Self {
        Error::Io {
            action,
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// What the user can do about this error, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::PackageNotFound { suggestions, .. } if !suggestions.is_empty() => {
                Some(format!("did you mean: {}?", suggestions.join(", ")))
            }
            Error::PackageNotFound { .. } => {
                Some("`cargo metadata --no-deps --format-version 1` lists the workspace's packages".into())
            }
            Error::Bump { source, .. } => source.hint(),
            Error::Downgrade { .. } => {
                Some("pass `--allow-downgrade` if this is really what you want".into())
            }
            Error::Conflict { help, .. }
            | Error::Usage { help, .. }
            | Error::Registry { help, .. } => Some(help.clone()),
            Error::Invalid { help, .. }
            | Error::Git { help, .. }
            | Error::Command { help, .. } => help.clone(),
            Error::Replace { declared_in, .. } => Some(format!(
                "the replacement is declared in `{}`; fix its `search` or its expected count",
                declared_in.display()
            )),
            Error::Transaction {
                restored: false, ..
            } => Some(
                "some files may hold the new content; check `git status` and `git diff`".into(),
            ),
            Error::NoArtifacts { .. } => Some(
                "build them first with `cargo package` (.crate files) and `cargo build --release` (binaries), or name the files to hash"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// The [`Position`] of byte offset `at` in `text`.
pub fn position(text: &str, at: usize) -> Position {
    let (line, column) = line_col(text, at);
    Position { line, column }
}

/// 1-based line and column of byte offset `at` in `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// An [`Error::Toml`] for a parse error in `text`, read from `path`.
pub fn toml_error(path: &Path, text: &str, err: &toml_edit::TomlError) -> Error {
    let (line, column) = err.span().map_or((1, 1), |span| line_col(text, span.start));
    Error::Toml {
        path: path.to_path_buf(),
        line,
        column,
        message: err.message().trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 9), (2, 3));
        assert_eq!(line_col(text, 999), (3, 1));
    }
}
