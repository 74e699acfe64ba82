//! What a run that reads history works with: the repository, settings
//! and scope ([`Context`]), the commits of the release being described
//! ([`Unreleased`]), and the rules that turn commits into a release.

use git2::Oid;

use super::options::History;
use super::{Entry, Filter, Release};
use crate::cli::MessageFormat;
use crate::commits;
use crate::error::Result;
use crate::git::{CommitInfo, Range, Repo, SemverTag};
use crate::release::{self, Reading, Releases, Scope, Settings, Title};
use crate::template::date_of;
use crate::term::Shell;

/// The repository, settings and scope one run works with.
pub(super) struct Context<'a> {
    pub(super) history: &'a History,
    pub(super) format: MessageFormat,
    pub(super) repo: Repo,
    pub(super) settings: Settings,
    /// The commit types the settings know (see [`Settings::types`]).
    pub(super) types: Vec<String>,
    pub(super) scope: Scope,
    pub(super) shell: &'a Shell,
}

/// The repository around `dir` and its settings; a shallow clone is warned
/// about.
pub(super) fn open(dir: &std::path::Path, shell: &Shell) -> Result<(Repo, Settings)> {
    Repo::trust_object_store();
    let repo = Repo::discover_any(dir)?;
    if repo.is_shallow() {
        shell.warn("this is a shallow clone: history before its cut-off is missing (`git fetch --unshallow` for all of it)");
    }
    let settings = Settings::load(&repo)?;
    Ok((repo, settings))
}

impl Context<'_> {
    /// The commits of the release ending at `until`: since `--since`, else
    /// since the last release tag (none when `until` is HEAD on a release
    /// tag); `--until X` on a release tag starts at the release before X.
    pub(super) fn unreleased(&self, until: Oid) -> Result<Unreleased> {
        let (repo, history) = (&self.repo, self.history);
        let releases = Releases::load(repo, &self.scope, history.fold_prereleases, self.shell)?;
        let until_tag = releases.at(until).cloned();
        let (commits, last) = match (&history.since, &until_tag) {
            (Some(rev), _) => {
                let since = Some(repo.resolve(rev)?);
                let commits = repo.commits(&Range {
                    until,
                    since,
                    stops: None,
                    merges: history.merges,
                    paths: &self.scope.paths,
                })?;
                (commits, None)
            }
            (None, Some(tag)) if history.until.is_none() => (Vec::new(), Some(tag.clone())),
            (None, _) => release::unreleased(repo, &releases, until, self.reading())?,
        };
        Ok(Unreleased {
            commits,
            last,
            until_tag,
            releases,
        })
    }

    /// How commits are read: merges kept or not, the scope's paths.
    pub(super) fn reading(&self) -> Reading<'_> {
        Reading {
            merges: self.history.merges,
            paths: &self.scope.paths,
        }
    }
}

/// The commits of one release and the release tags around them.
pub(super) struct Unreleased {
    /// Newest first.
    pub(super) commits: Vec<CommitInfo>,
    /// The release they follow, when counted from a release tag.
    pub(super) last: Option<SemverTag>,
    /// The release tag on the range's end, if any.
    pub(super) until_tag: Option<SemverTag>,
    releases: Releases,
}

impl Unreleased {
    /// The release the next version counts from: with `--since`, still
    /// the last release tag before `until`.
    pub(super) fn last_release(&self, cx: &Context<'_>, until: Oid) -> Result<Option<SemverTag>> {
        if cx.history.since.is_none() {
            return Ok(self.last.clone());
        }
        release::unreleased(&cx.repo, &self.releases, until, cx.reading()).map(|(_, last)| last)
    }
}

/// What turns commits into a release: the content flags, the settings and
/// the types they know. No repository in it, so `--all` can share it
/// between two threads.
#[derive(Clone, Copy)]
pub(super) struct Rules<'a> {
    pub(super) include: &'a [String],
    pub(super) include_other: bool,
    pub(super) settings: &'a Settings,
    pub(super) types: &'a [String],
    pub(super) shell: &'a Shell,
}

impl Rules<'_> {
    /// Conventional commits as entries (see [`commits::classify`]);
    /// messages that were not UTF-8 are warned about.
    pub(super) fn entries(&self, commits: &[CommitInfo]) -> Vec<Entry> {
        for c in commits.iter().filter(|c| c.lossy) {
            self.shell.warn(format_args!(
                "commit {} has a message that is not UTF-8; it was decoded lossily",
                &c.hash[..7]
            ));
        }
        commits::classify(commits, self.include_other, self.types)
            .into_iter()
            .map(|(i, commit)| Entry {
                commit,
                hash: commits[i].hash.clone(),
                author: commits[i].author.clone(),
                date: date_of(commits[i].time),
            })
            .collect()
    }

    /// A release of `entries`, titled by `title` (else Unreleased).
    pub(super) fn build(&self, entries: Vec<Entry>, title: Option<Title>) -> Release {
        let filter = Filter {
            include: self.include.to_vec(),
            settings: self.settings.clone(),
        };
        super::release(title, entries, &filter)
    }
}
