//! Which part of history a changelog covers: the tag pattern and paths
//! (`--tag-pattern`, `--path`, `-p`), the release tags (`--all`,
//! `--fold-prereleases`) and the span of commits of each release.

use std::path::{Component, Path, PathBuf};

use super::Config;
use crate::error::{Error, Result};
use crate::git::{Batch, Repo, SemverTag};
use crate::template::date_of;
use crate::term::Shell;
use crate::workspace::{Selection, Workspace, find_manifest};

/// The tags and paths one changelog is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Release tags, `*` standing for the version.
    pub pattern: String,
    /// Paths relative to the work tree (`/`-separated); empty for all.
    pub paths: Vec<String>,
    /// The `-p` package's version, where the next version starts from
    /// when it has no release tag yet.
    pub version: Option<semver::Version>,
}

/// What the scope is built from.
#[derive(Clone, Debug)]
pub struct ScopeArgs<'a> {
    /// The directory relative paths are taken from (`-C`, else `.`).
    pub dir: &'a Path,
    /// `--tag-pattern`, if given.
    pub pattern: Option<&'a str>,
    /// `--path` values.
    pub paths: &'a [PathBuf],
    /// `-p/--package`.
    pub package: Option<&'a str>,
}

/// Resolve the scope: `-p` adds the member's directory (through cargo
/// metadata) and, unless a pattern is given, uses its `<crate>-v*` tags when
/// it has any; `{{crate}}` in a pattern stands for the package's name.
pub fn scope(args: &ScopeArgs<'_>, repo: &Repo, config: &Config, shell: &Shell) -> Result<Scope> {
    let mut paths: Vec<String> = args
        .paths
        .iter()
        .map(|p| relative(repo.workdir(), &args.dir.join(p)))
        .collect::<Result<_>>()?;
    let explicit = args.pattern.or(config.tag_pattern.as_deref());
    let Some(name) = args.package else {
        let pattern = explicit.unwrap_or("v*");
        if pattern.contains("{{crate}}") {
            return Err(Error::Invalid {
                path: PathBuf::from("--tag-pattern"),
                line: 1,
                column: 1,
                message: format!("`{pattern}` uses {{{{crate}}}} but no package was named"),
                help: Some("name the package with -p <name>".into()),
            });
        }
        return Ok(Scope {
            pattern: pattern.to_string(),
            paths,
            version: None,
        });
    };
    let manifest = find_manifest(args.dir);
    let ws = Workspace::load(manifest.as_deref())?;
    let picked = ws.select(&Selection {
        packages: vec![name.to_string()],
        ..Selection::default()
    })?;
    let member = &ws.members[picked[0]];
    let member_dir = member.manifest_path.parent().unwrap_or(&ws.root);
    paths.push(relative(repo.workdir(), member_dir)?);
    let per_crate = format!("{}-v*", member.name);
    let pattern = match explicit {
        Some(p) => p.replace("{{crate}}", &member.name),
        None if repo.has_semver_tags(&per_crate)? => per_crate,
        None => {
            shell.verbose(
                "Tags",
                format_args!("no `{per_crate}` tags: using the workspace's `v*` tags"),
            );
            "v*".to_string()
        }
    };
    Ok(Scope {
        pattern,
        paths,
        version: Some(member.version.clone()),
    })
}

/// `path` relative to the work tree `root`, `/`-separated (`""` for the
/// root itself); an error when it lies outside.
fn relative(root: &Path, path: &Path) -> Result<String> {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path));
    let rel = absolute.strip_prefix(root).map_err(|_| Error::Git {
        message: format!(
            "`{}` is outside the repository at `{}`",
            path.display(),
            root.display()
        ),
        help: Some("give a path inside the repository".into()),
    })?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(parts.join("/"))
}

/// `path` made absolute with `.` and `..` resolved lexically (for paths
/// that no longer exist).
fn normalize(path: &Path) -> PathBuf {
    let absolute = std::env::current_dir()
        .map(|d| d.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The release tags, highest version first. With `fold`, a pre-release is
/// left out when a higher stable release exists: its commits then belong to
/// that release. Which of them `until` contains is settled while their
/// ranges are read (see [`settle`]).
pub fn release_tags(repo: &Repo, pattern: &str, fold: bool) -> Result<Vec<SemverTag>> {
    let mut kept: Vec<SemverTag> = Vec::new();
    let mut stable_seen = false;
    for tag in repo.semver_tags(pattern)? {
        let is_pre = !tag.version.pre.is_empty();
        if fold && is_pre && stable_seen {
            continue;
        }
        stable_seen |= !is_pre;
        kept.push(tag);
    }
    Ok(kept)
}

/// Drop the spans whose tag is not an ancestor of the span above it (a tag
/// on a side branch, or above `--until`), merging each into the span above
/// and re-reading that one. `batches[i]` holds span i's commits.
pub fn settle(
    spans: &mut Vec<Span>,
    batches: &mut Vec<Batch>,
    read: impl Fn(&Span) -> Result<Batch>,
) -> Result<()> {
    let mut i = 0;
    while i + 1 < spans.len() {
        let ok = spans[i].since == Some(spans[i].until) || batches[i].reaches_since;
        if ok {
            i += 1;
            continue;
        }
        let dropped = spans.remove(i + 1);
        batches.remove(i + 1);
        spans[i].since = dropped.since;
        spans[i].previous = dropped.previous;
        batches[i] = read(&spans[i])?;
    }
    Ok(())
}

/// The commits of one release: reachable from `until`, not from `since`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// `None` for Unreleased.
    pub version: Option<String>,
    /// The release date.
    pub date: Option<String>,
    /// Its tag, if it has one (or will have one).
    pub tag: Option<String>,
    /// The tag or revision before it.
    pub previous: Option<String>,
    /// The newest commit.
    pub until: git2::Oid,
    /// The commit of the release before.
    pub since: Option<git2::Oid>,
}

/// One span per release tag, newest first, topped by the commits after the
/// newest tag (Unreleased, or `release` when it is given as version, tag
/// and date).
pub fn all_spans(
    tags: &[SemverTag],
    until: git2::Oid,
    release: Option<(String, String, String)>,
) -> Vec<Span> {
    let mut spans = Vec::with_capacity(tags.len() + 1);
    let newest = tags.first();
    if newest.is_none_or(|t| t.commit != until) || release.is_some() {
        let (version, tag, date) = match release {
            Some((v, t, d)) => (Some(v), Some(t), Some(d)),
            None => (None, None, None),
        };
        spans.push(Span {
            version,
            date,
            tag,
            previous: newest.map(|t| t.name.clone()),
            until,
            since: newest.map(|t| t.commit),
        });
    }
    for (i, tag) in tags.iter().enumerate() {
        let before = tags.get(i + 1);
        spans.push(Span {
            version: Some(tag.version.to_string()),
            date: Some(date_of(tag.time)),
            tag: Some(tag.name.clone()),
            previous: before.map(|t| t.name.clone()),
            until: tag.commit,
            since: before.map(|t| t.commit),
        });
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_slash_separated_and_checked() {
        let root = std::fs::canonicalize(std::env::temp_dir()).unwrap();
        let dir = tempfile::tempdir_in(&root).unwrap();
        let inside = dir.path().join("a").join("b");
        std::fs::create_dir_all(&inside).unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(relative(&root, &inside).unwrap(), "a/b");
        assert_eq!(relative(&root, &root).unwrap(), "");
        assert_eq!(
            relative(&root, &root.join("gone/../c")).unwrap(),
            "c",
            "a path that does not exist is normalized"
        );
        assert!(relative(&root, Path::new("/")).is_err());
    }
}
