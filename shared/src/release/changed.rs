//! Every member of a workspace since its own last release, read in one
//! walk of the history: its release tags (`<name>-v*` when it has such
//! tags, else the workspace's), the commits since the last of them that
//! change its files, and the level they imply. What `git changelog -p
//! <name> --bump` says of one member, for all of them at once.

use semver::Version;
use serde::Serialize;

use super::members::{paths_of, pattern_for};
use super::{Releases, Settings, implied};
use crate::error::Result;
use crate::git::{CommitInfo, PathFilter, Repo, Scoped, SemverTag};
use crate::version::{Bump, Implied};
use crate::workspace::Workspace;

/// One member since its last release.
#[derive(Clone, Debug, Serialize)]
pub struct MemberChange {
    /// Package name.
    pub name: String,
    /// Its version.
    pub version: Version,
    /// Its release tags, `*` standing for the version.
    pub tag_pattern: String,
    /// Its last release tag, if it has one.
    #[serde(rename = "last_release", serialize_with = "tag_name")]
    pub last: Option<SemverTag>,
    /// The commits since, newest first.
    #[serde(skip)]
    pub commits: Vec<CommitInfo>,
    /// How many.
    #[serde(rename = "commits")]
    pub count: usize,
    /// The level they imply for its version.
    pub level: Bump,
    /// The level before cargo's 0.x rule.
    #[serde(skip)]
    pub implied: Implied,
    /// Index of the member in the workspace.
    #[serde(skip)]
    pub index: usize,
}

fn tag_name<S: serde::Serializer>(tag: &Option<SemverTag>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_some(&tag.as_ref().map(|t| &t.name))
}

impl MemberChange {
    /// Whether it has commits since its last release.
    pub fn changed(&self) -> bool {
        !self.commits.is_empty()
    }
}

/// The members that share the workspace version since their last release,
/// together (one scope: their files, the first one's tags).
#[derive(Clone, Debug, Default)]
pub struct GroupChange {
    /// The commits since, newest first.
    pub commits: Vec<CommitInfo>,
    /// The last release tag, if any.
    pub last: Option<SemverTag>,
}

/// The members `selected` (indexes into `ws.members`), each since its own
/// last release, in the order given.
pub fn changes(
    repo: &Repo,
    ws: &Workspace,
    selected: &[usize],
    settings: &Settings,
) -> Result<Vec<MemberChange>> {
    changes_with(repo, ws, selected, settings, None).map(|(m, _)| m)
}

/// [`changes`], and the commits of `group` (the scope of the members that
/// share the workspace version) read in the same walk.
pub fn changes_with(
    repo: &Repo,
    ws: &Workspace,
    selected: &[usize],
    settings: &Settings,
    group: Option<&super::Scope>,
) -> Result<(Vec<MemberChange>, Option<GroupChange>)> {
    let mut patterns = pattern_for(repo, ws, selected, settings.tag_pattern.as_deref())?;
    let mut filters: Vec<PathFilter> = paths_of(repo.workdir(), ws, selected)?;
    if let Some(g) = group {
        patterns.push(g.pattern.clone());
        filters.push(g.paths.clone());
    }
    let scans = {
        let list: Vec<&str> = patterns.iter().map(String::as_str).collect();
        repo.semver_tags_of(&list)?
    };
    let releases: Vec<Releases> = scans
        .into_iter()
        .map(|s| Releases::of(s.tags, false))
        .collect();
    let head = repo.head()?;
    let batches = match head {
        Some(head) => {
            let scopes: Vec<Scoped<'_>> = releases
                .iter()
                .zip(&filters)
                .map(|(r, f)| Scoped {
                    stops: r.stops(),
                    paths: f,
                })
                .collect();
            repo.batches(head, &scopes)?
        }
        None => vec![Default::default(); releases.len()],
    };
    let mut batches = batches;
    let grouped = group.map(|_| {
        let k = releases.len() - 1;
        let batch = batches.pop().unwrap_or_default();
        let on_head = head.and_then(|h| releases[k].at(h)).cloned();
        match on_head {
            Some(tag) => GroupChange {
                commits: Vec::new(),
                last: Some(tag),
            },
            None => GroupChange {
                last: releases[k].highest(&batch.reached).cloned(),
                commits: batch.commits,
            },
        }
    });
    let mut out = Vec::with_capacity(selected.len());
    for (k, (&i, batch)) in selected.iter().zip(batches).enumerate() {
        let member = &ws.members[i];
        // HEAD on a release of its own: nothing after it.
        let on_head = head.and_then(|h| releases[k].at(h)).cloned();
        let (commits, last) = match on_head {
            Some(tag) => (Vec::new(), Some(tag)),
            None => {
                let last = releases[k].highest(&batch.reached).cloned();
                (batch.commits, last)
            }
        };
        let implied = implied(&commits, settings);
        out.push(MemberChange {
            name: member.name.clone(),
            version: member.version.clone(),
            tag_pattern: patterns[k].clone(),
            last,
            count: commits.len(),
            commits,
            level: implied.for_version(&member.version),
            implied,
            index: i,
        });
    }
    Ok((out, grouped))
}
