//! `cargo bump auto --changelog`: each released package's changelog (its
//! `CHANGELOG.md`, or the `path` of its `[package.metadata.changelog]`),
//! and the root changelog for the members that share the workspace
//! version, staged in the bump's transaction: written with the versions,
//! or not at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use semver::Version;

use super::reading::Reading;
use super::{Plan, conflict};
use crate::changelog::combined;
use crate::changelog::file::{ReleaseFile, release_file, release_notes};
use crate::changelog::merge::{self, NewRelease, Place};
use crate::error::Result;
use crate::git::PathFilter;
use crate::release::imported::Imported;
use crate::release::members::{paths_of, shared_scope};
use crate::release::{self, Scope, ScopeArgs};
use crate::term::Shell;
use crate::workspace::Workspace;

/// One release's changelog to write.
struct Job {
    /// The package (`None`: the members sharing the workspace version).
    package: Option<String>,
    /// Every package it covers.
    names: Vec<String>,
    scope: Scope,
    version: Version,
    file: PathBuf,
    moved: Vec<(String, String)>,
    /// Its commits and last release as `cargo bump auto` read them;
    /// `None` to read them again.
    known: Option<(Vec<crate::git::CommitInfo>, Option<String>)>,
}

/// Stage the changelog of every release in `plan`; `follows` names, by
/// member, the dependencies a release follows. Releases that share a file,
/// and with `combined` all of them (in the root changelog), are written
/// into it as one combined section.
pub(super) fn stage(
    plan: &mut Plan,
    ws: &Workspace,
    reading: &Reading,
    follows: &BTreeMap<usize, Vec<String>>,
    combined: bool,
    shell: &Shell,
) -> Result<()> {
    let mut jobs = jobs(plan, ws, reading, follows, shell)?;
    if combined || reading.settings.combined {
        let root = root_file(ws, reading);
        for job in &mut jobs {
            job.file.clone_from(&root);
        }
    }
    // Releases that share a file (release-plz's workspace-wide
    // `changelog_path`, or `combined`) go into it as one combined section.
    let mut by_file: Vec<(PathBuf, Vec<Job>)> = Vec::new();
    for job in jobs {
        match by_file.iter_mut().find(|(f, _)| *f == job.file) {
            Some((_, group)) => group.push(job),
            None => by_file.push((job.file.clone(), vec![job])),
        }
    }
    let together = combined || reading.settings.combined;
    for (file, mut group) in by_file {
        if group.len() == 1 && !together {
            let job = group.remove(0);
            let notes = write(plan, reading, &job, shell)?;
            plan.notes.push((job.package, notes));
        } else {
            stage_combined(plan, &file, reading, group, shell)?;
        }
    }
    Ok(())
}

/// The releases whose changelog is written (release-plz's
/// `changelog_update = false` turns one off).
fn jobs(
    plan: &Plan,
    ws: &Workspace,
    reading: &Reading,
    follows: &BTreeMap<usize, Vec<String>>,
    shell: &Shell,
) -> Result<Vec<Job>> {
    let imported = Imported::load(ws)?;
    let own: Vec<&super::PackageBump> = plan
        .packages
        .iter()
        .filter(|p| !p.inherited && imported.of(&p.name).changelog_update != Some(false))
        .collect();
    let indexes: Vec<usize> = own.iter().map(|p| p.index).collect();
    let paths = paths_of(reading.repo.workdir(), ws, &indexes)?;
    let mut jobs = Vec::new();
    for (p, paths) in own.into_iter().zip(paths) {
        let policy = imported.of(&p.name);
        let member = reading.members.iter().find(|m| m.index == p.index);
        let mut known =
            member.map(|m| (m.commits.clone(), m.last.as_ref().map(|t| t.name.clone())));
        // The scope the walk read (`git changelog -p <name>`'s), else read it.
        let mut scope = match member {
            Some(m) => Scope {
                pattern: m.tag_pattern.clone(),
                paths,
                version: Some(ws.members[p.index].version.clone()),
                hint: false,
            },
            None => {
                let args = ScopeArgs {
                    dir: &ws.root,
                    pattern: None,
                    paths: &[],
                    package: Some(&p.name),
                    workspace: Some(ws),
                };
                release::scope(&args, &reading.repo, &reading.settings, shell)?
            }
        };
        if let Some(include) = &policy.changelog_include {
            scope.paths = with_members(ws, reading, &scope.paths, include)?;
            known = None;
        }
        jobs.push(Job {
            package: Some(p.name.clone()),
            names: vec![p.name.clone()],
            scope,
            version: p.to.clone(),
            file: member_file(ws, p.index, reading, policy.changelog_path.as_deref())?,
            moved: moved(plan, follows.get(&p.index)),
            known,
        });
    }
    let sharing: Vec<String> = plan
        .packages
        .iter()
        .filter(|p| p.inherited)
        .map(|p| p.name.clone())
        .collect();
    let writes = sharing
        .iter()
        .any(|n| imported.of(n).changelog_update != Some(false));
    if let Some(shared) = plan.workspace_version.as_ref().filter(|_| writes) {
        let (scope, known) = match &reading.shared {
            Some((scope, group)) => {
                let last = group.last.as_ref().map(|t| t.name.clone());
                (scope.clone(), Some((group.commits.clone(), last)))
            }
            None => {
                let explicit = reading.settings.tag_pattern.as_deref();
                (shared_scope(&reading.repo, ws, explicit)?, None)
            }
        };
        jobs.push(Job {
            package: None,
            names: sharing,
            scope,
            version: shared.to.clone(),
            file: root_file(ws, reading),
            moved: Vec::new(),
            known,
        });
    }
    Ok(jobs)
}

fn root_file(ws: &Workspace, reading: &Reading) -> PathBuf {
    ws.root
        .join(reading.settings.path.as_deref().unwrap_or("CHANGELOG.md"))
}

/// Every release of the bump as one section of the root changelog.
fn stage_combined(
    plan: &mut Plan,
    file: &Path,
    reading: &Reading,
    jobs: Vec<Job>,
    shell: &Shell,
) -> Result<()> {
    let mut parts = Vec::new();
    for job in jobs {
        let version = job.version.to_string();
        let release = ReleaseFile {
            scope: job.scope,
            version: &version,
            file: &job.file,
            moved: &job.moved,
            known: job.known.as_ref().map(|(c, l)| (c.as_slice(), l.clone())),
        };
        let notes = release_notes(reading.repo.workdir(), &reading.settings, &release, shell)?;
        plan.notes.push((job.package, notes.clone()));
        parts.push(combined::Part {
            names: job.names,
            version,
            notes,
        });
    }
    if parts.is_empty() {
        return Ok(());
    }
    let (title, md) = combined::section(&parts, &crate::template::today());
    let old = match std::fs::read_to_string(file) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(crate::error::Error::io("read", file, e)),
    };
    let new = NewRelease {
        markdown: &md,
        version: Some(&title),
        hashes: &[],
    };
    let merged = merge::merge(old.as_deref(), &new, Place::Newest).map_err(|e| {
        conflict(
            format!("cannot add the release to `{}`: {e}", file.display()),
            "fix the file's headings, or give the packages changelogs of their own",
        )
    })?;
    if old.as_deref() != Some(merged.as_str()) {
        plan.tx.stage(file, merged)?;
        let version = plan.packages[0].to.clone();
        plan.changelogs
            .push((crate::paths::under(&plan.root, file), version));
    }
    Ok(())
}

/// One release into its own file, staged; its notes. With a git-cliff
/// configuration the file gets what `git changelog -p NAME --release TAG
/// --prepend FILE` (and `git cliff --tag TAG --prepend FILE`) writes.
fn write(plan: &mut Plan, reading: &Reading, job: &Job, shell: &Shell) -> Result<String> {
    if let Some(notes) = write_cliff(plan, job)? {
        return Ok(notes);
    }
    let (file, version) = (job.file.as_path(), &job.version);
    let shown_version = version.to_string();
    let release = ReleaseFile {
        scope: job.scope.clone(),
        version: &shown_version,
        file,
        moved: &job.moved,
        known: job.known.as_ref().map(|(c, l)| (c.as_slice(), l.clone())),
    };
    let written = release_file(reading.repo.workdir(), &reading.settings, release, shell)?;
    if written.old.as_deref() != Some(written.new.as_str()) {
        plan.tx.stage(&written.file, written.new)?;
        let shown = crate::paths::under(&plan.root, &written.file);
        plan.changelogs.push((shown, version.clone()));
    }
    Ok(written.notes)
}

/// [`write`] through the repository's git-cliff configuration, if it has
/// one; `Ok(None)` when it has none.
fn write_cliff(plan: &mut Plan, job: &Job) -> Result<Option<String>> {
    let Some(name) = job.package.as_deref() else {
        return Ok(None);
    };
    let tag = plan
        .packages
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.tag.clone())
        .unwrap_or_else(|| job.version.to_string());
    let quiet = Shell::new(None, true, 0);
    let root = plan.root.clone();
    let Some(text) =
        crate::changelog::cliff::release_file(&root, Some(name), &tag, &job.file, &quiet)?
    else {
        return Ok(None);
    };
    if text.old.as_deref() != Some(text.new.as_str()) {
        plan.tx.stage(&job.file, text.new)?;
        let shown = crate::paths::under(&plan.root, &job.file);
        plan.changelogs.push((shown, job.version.clone()));
    }
    Ok(Some(text.notes))
}

/// The dependencies a release follows, with their new versions.
fn moved(plan: &Plan, names: Option<&Vec<String>>) -> Vec<(String, String)> {
    names
        .into_iter()
        .flatten()
        .filter_map(|name| {
            let p = plan.packages.iter().find(|p| &p.name == name)?;
            Some((name.clone(), p.to.to_string()))
        })
        .collect()
}

fn member_file(
    ws: &Workspace,
    index: usize,
    reading: &Reading,
    imported: Option<&Path>,
) -> Result<PathBuf> {
    let root_path = reading.settings.path.as_deref();
    crate::release::members::changelog_file(ws, index, root_path, imported)
}

/// `changelog_include`: `paths` and the files of the members named.
fn with_members(
    ws: &Workspace,
    reading: &Reading,
    paths: &PathFilter,
    names: &[String],
) -> Result<PathFilter> {
    let indexes: Vec<usize> = (0..ws.members.len())
        .filter(|&i| names.contains(&ws.members[i].name))
        .collect();
    let mut include = paths.included().to_vec();
    let mut exclude = paths.excluded().to_vec();
    for own in paths_of(reading.repo.workdir(), ws, &indexes)? {
        include.extend(own.included().iter().cloned());
        exclude.retain(|e| !own.included().contains(e));
    }
    Ok(PathFilter::new(include, exclude))
}
