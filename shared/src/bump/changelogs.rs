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
use crate::changelog::file::{ReleaseFile, release_file};
use crate::error::Result;
use crate::git::PathFilter;
use crate::release::imported::Imported;
use crate::release::members::{inherits_version, member_pattern, paths_of};
use crate::release::{self, Scope, ScopeArgs};
use crate::term::Shell;
use crate::workspace::Workspace;

/// Stage the changelog of every release in `plan`; `follows` names, by
/// member, the dependencies a release follows.
pub(super) fn stage(
    plan: &mut Plan,
    ws: &Workspace,
    reading: &Reading,
    follows: &BTreeMap<usize, Vec<String>>,
    shell: &Shell,
) -> Result<()> {
    let imported = Imported::load(ws)?;
    let releases: Vec<(usize, Version)> = plan
        .packages
        .iter()
        .filter(|p| !p.inherited)
        .filter(|p| imported.of(&p.name).changelog_update != Some(false))
        .map(|p| (p.index, p.to.clone()))
        .collect();
    for (index, version) in releases {
        let name = ws.members[index].name.as_str();
        let args = ScopeArgs {
            dir: &ws.root,
            pattern: None,
            paths: &[],
            package: Some(name),
            workspace: Some(ws),
        };
        let mut scope = release::scope(&args, &reading.repo, &reading.settings, shell)?;
        let policy = imported.of(name);
        if let Some(include) = &policy.changelog_include {
            scope.paths = with_members(ws, reading, &scope.paths, include)?;
        }
        let moved = moved(plan, follows.get(&index));
        let file = member_file(ws, index, reading, policy.changelog_path.as_deref())?;
        let notes = write(plan, reading, scope, &version, &file, &moved, shell)?;
        plan.notes.push((Some(name.to_string()), notes));
    }
    let sharing_writes = plan
        .packages
        .iter()
        .filter(|p| p.inherited)
        .any(|p| imported.of(&p.name).changelog_update != Some(false));
    if let Some(shared) = plan.workspace_version.as_ref().filter(|_| sharing_writes) {
        let version = shared.to.clone();
        let scope = shared_scope(ws, reading)?;
        let file = ws
            .root
            .join(reading.settings.path.as_deref().unwrap_or("CHANGELOG.md"));
        let notes = write(plan, reading, scope, &version, &file, &[], shell)?;
        plan.notes.push((None, notes));
    }
    Ok(())
}

/// One release into `file`, staged (refused when another release of this
/// bump writes the same file); its notes.
fn write(
    plan: &mut Plan,
    reading: &Reading,
    scope: Scope,
    version: &Version,
    file: &Path,
    moved: &[(String, String)],
    shell: &Shell,
) -> Result<String> {
    if plan.tx.changes().any(|c| c.path == file) {
        return Err(conflict(
            format!(
                "two releases of this bump would write `{}`",
                crate::paths::under(&plan.root, file).display()
            ),
            "give one of the packages its own changelog with `path` in [package.metadata.changelog]",
        ));
    }
    let shown_version = version.to_string();
    let release = ReleaseFile {
        scope,
        version: &shown_version,
        file,
        moved,
    };
    let written = release_file(reading.repo.workdir(), &reading.settings, release, shell)?;
    if written.old.as_deref() != Some(written.new.as_str()) {
        plan.tx.stage(&written.file, written.new)?;
        let shown = crate::paths::under(&plan.root, &written.file);
        plan.changelogs.push((shown, version.clone()));
    }
    Ok(written.notes)
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

/// The history of the members that share the workspace version: their
/// files together, and the tags of the first of them.
fn shared_scope(ws: &Workspace, reading: &Reading) -> Result<Scope> {
    let sharing: Vec<usize> = (0..ws.members.len())
        .filter(|&i| inherits_version(&ws.members[i].manifest_path))
        .collect();
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for own in paths_of(reading.repo.workdir(), ws, &sharing)? {
        include.extend(own.included().iter().cloned());
        exclude.extend(own.excluded().iter().cloned());
    }
    let explicit = reading.settings.tag_pattern.as_deref();
    let pattern = match sharing.first() {
        Some(&first) => member_pattern(&reading.repo, ws, first, explicit)?,
        None => "v*".into(),
    };
    Ok(Scope {
        pattern,
        paths: PathFilter::new(include, exclude),
        version: sharing.first().map(|&i| ws.members[i].version.clone()),
        hint: false,
    })
}
