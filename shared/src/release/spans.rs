//! The commits of each release: the span since the last release (what is
//! pending), and every release's span for a whole history.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use git2::Oid;

use super::{Releases, Scope};
use crate::error::Result;
use crate::git::{CommitInfo, PathFilter, Range, Repo, SemverTag};
use crate::template::date_at;
use crate::term::Shell;

/// The commits of one release: reachable from `until`, not from the
/// releases before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// Its version, tag and date; `None` for Unreleased.
    pub title: Option<Title>,
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
    /// The files whose changes count.
    pub paths: &'a PathFilter,
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
    let releases = Releases::load(repo, scope, fold, shell)?;
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
            date: {
                let (secs, offset) = repo.tag_when(tag)?;
                date_at(secs, offset)
            },
        })
    }
}

#[cfg(test)]
impl Title {
    /// Version `version`, tag `v<version>`, dated `date` (for tests).
    pub(crate) fn v(version: &str, date: &str) -> Option<Self> {
        Some(Title {
            version: version.into(),
            tag: format!("v{version}"),
            date: date.into(),
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
    Span {
        title,
        previous,
        until,
        commits,
    }
}
