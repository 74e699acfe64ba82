//! `--from-context FILE`: releases read back from a template context (what
//! `--format json` or `git cliff --context` prints, edited or not) and
//! rendered as they are, as git-cliff's `--from-context` does: no
//! repository is read and the commits are not parsed again. A commit's
//! Conventional reading is taken again from its `raw_message` (else its
//! `message`); `extra` of a release or a commit reaches the templates.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::commit::{Commit, Link, Signature, Statistics};
use super::config::Level;
use super::release::{Range, Release, Statistics as ReleaseStatistics};
use crate::error::{Error, Result};

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRelease {
    version: Option<String>,
    message: Option<String>,
    commits: Vec<RawCommit>,
    commit_id: Option<String>,
    timestamp: Option<i64>,
    previous: Option<Box<RawRelease>>,
    repository: Option<String>,
    commit_range: Option<Range>,
    submodule_commits: BTreeMap<String, Vec<RawCommit>>,
    statistics: Option<ReleaseStatistics>,
    extra: Option<Value>,
    bump_type: Option<Level>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCommit {
    id: String,
    message: String,
    group: Option<String>,
    default_scope: Option<String>,
    scope: Option<String>,
    links: Vec<Link>,
    author: Signature,
    committer: Signature,
    merge_commit: bool,
    statistics: Statistics,
    extra: Option<Value>,
    raw_message: Option<String>,
}

impl RawRelease {
    fn into_release(self, remote_fields: bool) -> Release {
        Release {
            version: self.version,
            message: self.message,
            commits: self
                .commits
                .into_iter()
                .map(|c| c.into_commit(remote_fields))
                .collect(),
            commit_id: self.commit_id,
            timestamp: self.timestamp,
            previous: self
                .previous
                .map(|p| Box::new(p.into_release(remote_fields))),
            repository: self.repository,
            commit_range: self.commit_range,
            submodule_commits: self
                .submodule_commits
                .into_iter()
                .map(|(path, commits)| {
                    let commits = commits
                        .into_iter()
                        .map(|c| c.into_commit(remote_fields))
                        .collect();
                    (path, commits)
                })
                .collect(),
            statistics: self.statistics,
            bump_type: self.bump_type,
            extra: self.extra,
        }
    }
}

impl RawCommit {
    fn into_commit(self, remote_fields: bool) -> Commit {
        let commit = Commit {
            id: self.id,
            message: self.message,
            group: self.group,
            default_scope: self.default_scope,
            scope: self.scope,
            links: self.links,
            author: self.author,
            committer: self.committer,
            merge_commit: self.merge_commit,
            statistics: self.statistics,
            raw_message: self.raw_message,
            extra: self.extra,
            remote_fields,
            conv: None,
        };
        commit.clone().into_conventional().unwrap_or(commit)
    }
}

/// The releases of the context in `path` (`-`: standard input), in its
/// order (newest first, as a context prints them).
pub(super) fn read(path: &Path, remote_fields: bool) -> Result<Vec<Release>> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin()).map_err(|e| Error::io("read", path, e))?
    } else {
        std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?
    };
    let raw: Vec<RawRelease> = serde_json::from_str(&text).map_err(|e| Error::Invalid {
        path: path.to_path_buf(),
        at: None,
        message: format!("not a changelog context: {e}"),
        help: Some(
            "give a JSON list of releases, as `git changelog --format json` or `git cliff --context` prints it".into(),
        ),
    })?;
    Ok(raw
        .into_iter()
        .map(|r| r.into_release(remote_fields))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_context_reads_back_to_the_same_context() {
        let release = Release {
            version: Some("v1.0.0".into()),
            timestamp: Some(1_700_000_000),
            commits: vec![
                Commit {
                    id: "a1".into(),
                    message: "feat(ui): a button".into(),
                    group: Some("Features".into()),
                    ..Commit::default()
                }
                .into_conventional()
                .unwrap(),
                Commit {
                    id: "b2".into(),
                    message: "tidy up".into(),
                    extra: Some(serde_json::json!({"note": "kept"})),
                    ..Commit::default()
                },
            ],
            extra: Some(serde_json::json!({"n": 1})),
            ..Release::default()
        };
        let json = serde_json::to_string(&[&release]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("context.json");
        crate::fs::write_atomic(&file, json.as_bytes()).unwrap();
        let back = read(&file, false).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    #[test]
    fn a_file_that_is_not_a_context_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("context.json");
        crate::fs::write_atomic(&file, b"{\"version\": 1}").unwrap();
        let err = read(&file, false).unwrap_err().to_string();
        assert!(err.contains("context.json"), "{err}");
        assert!(err.contains("not a changelog context"), "{err}");
    }
}
