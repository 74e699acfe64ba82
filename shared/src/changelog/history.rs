//! Which part of history a changelog covers: the tag pattern and paths
//! (`--tag-pattern`, `--path`, `-p`), the release tags (`--all`,
//! `--fold-prereleases`) and the span of commits of each release.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::path::{Component, Path, PathBuf};

use git2::Oid;

use super::Config;
use crate::error::{Error, Result};
use crate::git::oids::OidSet;
use crate::git::{CommitInfo, Range, Repo, SemverTag};
use crate::template::date_of;
use crate::term::{Shell, count};
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
    let Some(manifest) = find_manifest(args.dir) else {
        return Err(Error::Conflict {
            message: format!(
                "-p {name} needs a Cargo workspace, and there is no Cargo.toml in `{}` or above it",
                args.dir.display()
            ),
            help: format!(
                "outside Cargo, name the directory and the tags instead: --path <dir> --tag-pattern '{name}-v*'"
            ),
        });
    };
    let ws = Workspace::load(Some(&manifest))?;
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
        None if !repo.semver_tags(&per_crate)?.tags.is_empty() => per_crate,
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

/// The release tags of a scope: at most one per commit (the highest
/// version, when several name the same commit), without pre-releases
/// when they are folded into the release that follows them.
#[derive(Clone, Debug, Default)]
pub struct Releases {
    tags: Vec<SemverTag>,
    by_commit: HashMap<Oid, usize>,
    stops: OidSet,
}

impl Releases {
    /// The tags matching `pattern`; pre-releases are left out with
    /// `fold`. Tags naming a tree or a blob are warned about; when no tag
    /// matches but others look like releases, the warning suggests a
    /// pattern for them.
    pub fn load(repo: &Repo, pattern: &str, fold: bool, shell: &Shell) -> Result<Self> {
        let scan = repo.semver_tags(pattern)?;
        for (name, kind) in &scan.not_commits {
            shell.warn(format_args!(
                "tag `{name}` names {kind}, not a commit: it is not a release"
            ));
        }
        let matched = scan.tags.len() + scan.not_commits.len();
        suggest_pattern(repo, pattern, matched, shell)?;
        let mut releases = Releases::default();
        for tag in scan.tags {
            if fold && !tag.version.pre.is_empty() {
                continue;
            }
            match releases.by_commit.get(&tag.commit) {
                Some(&i)
                    if releases.tags[i]
                        .version
                        .cmp_precedence(&tag.version)
                        .is_ge() => {}
                Some(&i) => releases.tags[i] = tag,
                None => {
                    releases.by_commit.insert(tag.commit, releases.tags.len());
                    releases.stops.insert(tag.commit);
                    releases.tags.push(tag);
                }
            }
        }
        Ok(releases)
    }

    /// The release tag on `commit`, if any.
    pub fn at(&self, commit: Oid) -> Option<&SemverTag> {
        self.by_commit.get(&commit).map(|&i| &self.tags[i])
    }

    /// The commits that end a range of unreleased history.
    pub fn stops(&self) -> &OidSet {
        &self.stops
    }

    /// The highest version among the releases on `commits` (the releases
    /// a range met): the one the next version counts from.
    pub fn highest(&self, commits: &[Oid]) -> Option<&SemverTag> {
        commits
            .iter()
            .filter_map(|c| self.at(*c))
            .max_by(|a, b| a.version.cmp_precedence(&b.version))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }
}

/// When no tag (or a small minority: `matched`) matches `pattern`, say
/// which patterns the tags that hold a SemVer version would need (`*`,
/// `name@*`, `name-v*`, ...): nushell tags `0.99.1` and once `v0.96.0`.
fn suggest_pattern(repo: &Repo, pattern: &str, matched: usize, shell: &Shell) -> Result<()> {
    let own = format!("{}*", pattern.split_once('*').map_or(pattern, |(p, _)| p));
    let mut counts: Vec<(String, usize)> = Vec::new();
    for name in repo.tag_names()? {
        let Some(prefix) = semver_prefix(&name) else {
            continue;
        };
        let candidate = format!("{prefix}*");
        match counts.iter_mut().find(|(p, _)| *p == candidate) {
            Some((_, n)) => *n += 1,
            None => counts.push((candidate, 1)),
        }
    }
    counts.retain(|(p, _)| *p != own);
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let Some((best, most)) = counts.first() else {
        return Ok(());
    };
    if matched > 0 && *most <= matched * 3 {
        return Ok(());
    }
    let listed: Vec<String> = counts
        .iter()
        .take(3)
        .map(|(p, n)| format!("`{p}` ({})", count(*n, "tag", "tags")))
        .collect();
    let help = format!(
        "help: pass --tag-pattern '{best}' (or set `tag-pattern` in the changelog settings)"
    );
    if matched == 0 {
        shell.warn(format_args!(
            "no tag matches `{pattern}`, but tags that hold a version do: {}; the whole history counts as unreleased\n{help}",
            listed.join(", ")
        ));
    } else {
        shell.warn(format_args!(
            "only {} `{pattern}`, while most tags that hold a version have another shape: {}; releases are counted from `{pattern}` tags only\n{help}",
            count(matched, "tag matches", "tags match"),
            listed.join(", ")
        ));
    }
    Ok(())
}

/// The part of a tag name before the SemVer version it ends with
/// (`""` for `1.2.3`, `"name@"` for `name@1.2.3`, `"v"` for `v1.2.3`).
fn semver_prefix(name: &str) -> Option<&str> {
    name.char_indices()
        .filter(|(i, c)| {
            c.is_ascii_digit() && (*i == 0 || !name[..*i].ends_with(|p: char| p.is_ascii_digit()))
        })
        .find(|(i, _)| semver::Version::parse(&name[*i..]).is_ok())
        .map(|(i, _)| &name[..i])
}

/// The commits of one release: reachable from `until`, not from the
/// releases before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// `None` for Unreleased.
    pub version: Option<String>,
    /// The release date.
    pub date: Option<String>,
    /// Its tag, if it has one (or will have one).
    pub tag: Option<String>,
    /// The tag of the release before (the highest the range met).
    pub previous: Option<String>,
    /// The newest commit.
    pub until: Oid,
    /// The commits, newest first.
    pub commits: Vec<CommitInfo>,
}

/// What one range of history is read with: merges kept or not, and the
/// paths a commit must touch.
#[derive(Clone, Copy, Debug)]
pub struct Reading<'a> {
    /// Keep merge commits.
    pub merges: bool,
    /// Paths relative to the work tree; empty for all.
    pub paths: &'a [String],
}

/// The commits reachable from `until` that no release contains, and the
/// release they follow (the highest version among the nearest release
/// tags). When `until` itself carries a release tag and `until_is_release`
/// is false, there is nothing after it.
pub fn unreleased(
    repo: &Repo,
    releases: &Releases,
    until: Oid,
    read: Reading<'_>,
) -> Result<(Vec<CommitInfo>, Option<SemverTag>)> {
    let batch = repo.batch(&Range {
        until,
        since: None,
        stops: Some(releases.stops()),
        merges: read.merges,
        paths: read.paths,
    })?;
    let last = releases.highest(&batch.reached).cloned();
    Ok((batch.commits, last))
}

/// The history since the last release, as `cargo bump auto` and
/// `git changelog --bump` both read it.
#[derive(Clone, Debug, Default)]
pub struct Pending {
    /// The commits since the last release, newest first.
    pub commits: Vec<CommitInfo>,
    /// The last release (the highest of the nearest release tags).
    pub last: Option<SemverTag>,
}

/// The commits HEAD has that no release of `scope` has, and that release.
pub fn pending(repo: &Repo, scope: &Scope, fold: bool, shell: &Shell) -> Result<Pending> {
    let releases = Releases::load(repo, &scope.pattern, fold, shell)?;
    let Some(head) = repo.head()? else {
        return Ok(Pending::default());
    };
    if let Some(tag) = releases.at(head) {
        return Ok(Pending {
            commits: Vec::new(),
            last: Some(tag.clone()),
        });
    }
    let read = Reading {
        merges: false,
        paths: &scope.paths,
    };
    let (commits, last) = unreleased(repo, &releases, head, read)?;
    Ok(Pending { commits, last })
}

/// What a release section is titled with: its version, tag and date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Title {
    /// The version, as in the tag.
    pub version: String,
    /// The tag it has, or will have.
    pub tag: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

impl Title {
    /// The title of an existing release tag, dated by the tag.
    pub fn of_tag(repo: &Repo, tag: &SemverTag) -> Result<Self> {
        Ok(Title {
            version: tag.version.to_string(),
            tag: tag.name.clone(),
            date: date_of(repo.tag_time(tag)?),
        })
    }
}

/// Every release `until` reaches, in history order (newest first), each
/// with its commits: those its tag reaches and no earlier release does.
/// The first span is the one ending at `until`: titled by its release tag
/// when it has one, else by `top` (Unreleased when `None`). Release tags
/// that `until` does not reach are not releases of this history.
pub fn all_spans(
    repo: &Repo,
    releases: &Releases,
    until: Oid,
    top: Option<Title>,
    read: Reading<'_>,
) -> Result<Vec<Span>> {
    let mut found: Vec<(Span, Vec<Oid>, i64)> = Vec::new();
    let tagged_top = releases.at(until);
    if let (Some(title), Some(_)) = (&top, tagged_top) {
        // The release being made has nothing of its own yet.
        found.push((
            span_of(Some(title.clone()), until, Vec::new(), None),
            Vec::new(),
            i64::MAX,
        ));
    }
    let first = match tagged_top {
        Some(tag) => Some(Title::of_tag(repo, tag)?),
        None => top,
    };
    let mut first = Some(first);
    for part in repo.parts(until, releases.stops(), read.merges, read.paths)? {
        let previous = releases.highest(&part.reached).map(|t| t.name.clone());
        let (title, time) = match (part.tip == until, releases.at(part.tip)) {
            (true, _) => (first.take().flatten(), i64::MAX - 1),
            (false, Some(tag)) => (Some(Title::of_tag(repo, tag)?), repo.tag_time(tag)?),
            (false, None) => continue,
        };
        found.push((
            span_of(title, part.tip, part.commits, previous),
            part.reached,
            time,
        ));
    }
    Ok(history_order(found))
}

/// `found` ordered so that a release comes before every release it
/// reaches; among releases not ordered by history, the newest first.
fn history_order(found: Vec<(Span, Vec<Oid>, i64)>) -> Vec<Span> {
    let position: HashMap<Oid, usize> = found
        .iter()
        .enumerate()
        .map(|(i, f)| (f.0.until, i))
        .collect();
    let mut waiting = vec![0usize; found.len()];
    for (_, reached, _) in &found {
        for c in reached {
            if let Some(&j) = position.get(c) {
                waiting[j] += 1;
            }
        }
    }
    let mut ready: BinaryHeap<(i64, Reverse<usize>)> = (0..found.len())
        .filter(|&i| waiting[i] == 0)
        .map(|i| (found[i].2, Reverse(i)))
        .collect();
    let mut order = Vec::with_capacity(found.len());
    while let Some((_, Reverse(i))) = ready.pop() {
        order.push(i);
        for c in &found[i].1 {
            if let Some(&j) = position.get(c) {
                waiting[j] -= 1;
                if waiting[j] == 0 {
                    ready.push((found[j].2, Reverse(j)));
                }
            }
        }
    }
    let mut slots: Vec<Option<Span>> = found.into_iter().map(|f| Some(f.0)).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn span_of(
    title: Option<Title>,
    until: Oid,
    commits: Vec<CommitInfo>,
    previous: Option<String>,
) -> Span {
    let (version, tag, date) = match title {
        Some(t) => (Some(t.version), Some(t.tag), Some(t.date)),
        None => (None, None, None),
    };
    Span {
        version,
        date,
        tag,
        previous,
        until,
        commits,
    }
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
