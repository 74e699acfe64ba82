//! The release tags of a scope, and what to suggest when the tags that
//! hold versions have another shape than the pattern.

use std::collections::HashMap;

use git2::Oid;

use super::Scope;
use crate::error::Result;
use crate::git::oids::OidSet;
use crate::git::{Repo, SemverTag};
use crate::term::Shell;
use crate::text::count;

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
    pub fn load(repo: &Repo, scope: &Scope, fold: bool, shell: &Shell) -> Result<Self> {
        let pattern = scope.pattern.as_str();
        let scan = repo.semver_tags(pattern)?;
        for (name, kind) in &scan.not_commits {
            shell.warn(format_args!(
                "tag `{name}` names {kind}, not a commit: it is not a release"
            ));
        }
        if scope.hint {
            let matched = scan.tags.len() + scan.not_commits.len();
            suggest_pattern(repo, pattern, matched, shell)?;
        }
        Ok(Releases::of(scan.tags, fold))
    }

    /// The releases among `tags` (one per commit, the highest version);
    /// pre-releases left out with `fold`.
    pub fn of(tags: Vec<SemverTag>, fold: bool) -> Self {
        let mut releases = Releases::default();
        for tag in tags {
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
        releases
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
