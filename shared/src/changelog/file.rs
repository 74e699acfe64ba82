//! One release written into a changelog file for `cargo bump auto
//! --changelog`: what `git changelog -p <name> --release <version>
//! --prepend <file>` writes, through the same code, returned instead of
//! written so that the bump puts it in its own transaction.

use std::path::{Path, PathBuf};

use super::context::{Context, Rules};
use super::options::History;
use super::prepend::ChangelogFile;
use super::render::{self, Forge};
use super::{Entry, Section};
use crate::cli::MessageFormat;
use crate::commits::Conventional;
use crate::error::Result;
use crate::git::Repo;
use crate::release::{Scope, Settings, Title};
use crate::template::today;
use crate::term::Shell;

/// A release to write.
#[derive(Clone, Debug)]
pub struct ReleaseFile<'a> {
    /// Whose history: a member's scope (as `-p`), or the paths of the
    /// members that share the workspace version.
    pub scope: Scope,
    /// The version released.
    pub version: &'a str,
    /// The changelog file.
    pub file: &'a Path,
    /// Dependencies that moved (`core` to 2.0.0), listed when the release
    /// has no change of its own.
    pub moved: &'a [(String, String)],
    /// The scope's commits since its last release and that release's tag,
    /// when already read (`cargo bump auto` reads every member's in one
    /// walk); `None` to read them.
    pub known: Option<(&'a [crate::git::CommitInfo], Option<String>)>,
}

/// A changelog file before and after.
#[derive(Clone, Debug)]
pub struct Written {
    /// The file.
    pub file: PathBuf,
    /// Its text before (`None`: it did not exist).
    pub old: Option<String>,
    /// Its text with the release.
    pub new: String,
    /// The release's notes: its section's body, as `git changelog
    /// --notes` prints it (for the annotated tag's message).
    pub notes: String,
}

/// The changelog of `release` with the commits of its scope since its last
/// release merged in, as `git changelog --release --prepend` would write it.
pub fn release_file(
    repo_dir: &Path,
    settings: &Settings,
    release: ReleaseFile<'_>,
    shell: &Shell,
) -> Result<Written> {
    let (rel, forge) = built(repo_dir, settings, &release, shell)?;
    let links = forge
        .as_ref()
        .map(|f| render::links(std::slice::from_ref(&rel), f))
        .unwrap_or_default();
    let target = ChangelogFile {
        file: release.file,
        forge: forge.as_ref(),
        links: &links,
        dry_run: false,
    };
    let (old, new) = target.merged(std::slice::from_ref(&rel))?;
    Ok(Written {
        file: release.file.to_path_buf(),
        old,
        new,
        notes: render::notes(&rel, forge.as_ref()),
    })
}

/// The notes `release` would have in its file ([`release_file`]'s
/// `notes`), without reading or writing any file.
pub fn release_notes(
    repo_dir: &Path,
    settings: &Settings,
    release: &ReleaseFile<'_>,
    shell: &Shell,
) -> Result<String> {
    let (rel, forge) = built(repo_dir, settings, release, shell)?;
    Ok(render::notes(&rel, forge.as_ref()))
}

/// The release of `release`'s scope: the commits since its last release.
fn built(
    repo_dir: &Path,
    settings: &Settings,
    release: &ReleaseFile<'_>,
    shell: &Shell,
) -> Result<(super::Release, Option<Forge>)> {
    let repo = Repo::discover_any(repo_dir)?;
    let history = History::default();
    let cx = Context {
        history: &history,
        format: MessageFormat::Human,
        repo,
        settings: settings.clone(),
        types: settings.types(),
        scope: release.scope.clone(),
        shell,
    };
    let rules = Rules {
        include: &[],
        include_other: false,
        settings: &cx.settings,
        types: &cx.types,
        shell,
    };
    let (commits, last) = match (&release.known, cx.repo.head()?) {
        (Some((commits, last)), _) => (commits.to_vec(), last.clone()),
        (None, Some(head)) => {
            let u = cx.unreleased(head)?;
            (u.commits, u.last.map(|t| t.name))
        }
        (None, None) => (Vec::new(), None),
    };
    let title = Title {
        version: release.version.to_string(),
        tag: cx.scope.pattern.replacen('*', release.version, 1),
        date: today(),
    };
    let mut rel = rules.build(rules.entries(&commits), Some(title));
    rel.range = commits.iter().map(|c| c.hash.clone()).collect();
    rel.previous_tag = last;
    if rel.sections.is_empty() && !release.moved.is_empty() {
        rel.sections.push(moved_section(release.moved));
    }
    let forge = cx.repo.origin_url().and_then(|u| Forge::from_remote(&u));
    Ok((rel, forge))
}

/// `### Changed` with a line per dependency that moved.
fn moved_section(moved: &[(String, String)]) -> Section {
    let entries = moved
        .iter()
        .map(|(name, version)| Entry {
            commit: Conventional {
                kind: "deps".into(),
                scope: None,
                breaking: false,
                breaking_description: None,
                description: format!("update `{name}` to {version}"),
                body: None,
            },
            hash: String::new(),
            author: String::new(),
            date: today(),
        })
        .collect();
    Section {
        title: "Changed".into(),
        entries,
    }
}
