//! What one workspace member's releases are about: the files whose changes
//! are its changes, and the tags that are its releases. `git changelog -p`
//! and the workspace release read both from here, so they cannot disagree.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::git::{PathFilter, Repo};
use crate::manifest::Manifest;
use crate::paths;
use crate::workspace::Workspace;

/// The files member `index` of `ws` owns, relative to the work tree
/// `root`: its directory, less the directories of members nested in it,
/// and the files its manifest names outside its directory (`readme`,
/// `license-file`, `build`, and `include` entries that are plain paths or
/// `dir/**`).
pub fn member_paths(root: &Path, ws: &Workspace, index: usize) -> Result<PathFilter> {
    let dirs = member_dirs(root, ws)?;
    owned(root, ws, &dirs, index)
}

/// [`member_paths`] of each of `indexes`, the members' directories
/// resolved once.
pub fn paths_of(root: &Path, ws: &Workspace, indexes: &[usize]) -> Result<Vec<PathFilter>> {
    let dirs = member_dirs(root, ws)?;
    indexes.iter().map(|&i| owned(root, ws, &dirs, i)).collect()
}

/// Every member's directory relative to `root` (`None`: outside it).
fn member_dirs(root: &Path, ws: &Workspace) -> Result<Vec<Option<String>>> {
    Ok(ws
        .members
        .iter()
        .map(|m| {
            let dir = m.manifest_path.parent().unwrap_or(&ws.root);
            paths::in_repository(root, dir)
                .ok()
                .map(|r| paths::slash(&r))
        })
        .collect())
}

fn owned(root: &Path, ws: &Workspace, dirs: &[Option<String>], index: usize) -> Result<PathFilter> {
    let manifest = &ws.members[index].manifest_path;
    let dir = manifest.parent().unwrap_or(&ws.root).to_path_buf();
    let own = match &dirs[index] {
        Some(own) => own.clone(),
        None => paths::slash(&paths::in_repository(root, &dir)?),
    };
    let mut include = vec![own.clone()];
    for outside in outside_files(manifest, &dir) {
        if let Ok(path) = paths::in_repository(root, &outside).map(|r| paths::slash(&r))
            && !crate::git::under(&path, &own)
            && !include.contains(&path)
        {
            include.push(path);
        }
    }
    let exclude = dirs
        .iter()
        .enumerate()
        .filter_map(|(i, other)| {
            let other = other.as_ref()?;
            (i != index && *other != own && crate::git::under(other, &own)).then(|| other.clone())
        })
        .collect();
    Ok(PathFilter::new(include, exclude))
}

/// The paths the manifest at `manifest` names that may lie outside `dir`.
fn outside_files(manifest: &Path, dir: &Path) -> Vec<PathBuf> {
    let Ok(m) = Manifest::load(manifest) else {
        return Vec::new();
    };
    let mut names: Vec<String> = ["readme", "license-file", "build"]
        .iter()
        .filter_map(|key| m.get(&["package", key])?.as_str().map(String::from))
        .collect();
    if let Some(list) = m.get(&["package", "include"]).and_then(|i| i.as_array()) {
        for entry in list.iter().filter_map(|v| v.as_str()) {
            let plain = entry
                .trim_end_matches("/**/*")
                .trim_end_matches("/**")
                .trim_end_matches("/*");
            if !plain.contains(['*', '?', '[', '!']) {
                names.push(plain.to_string());
            }
        }
    }
    names
        .into_iter()
        .filter(|n| n.starts_with(".."))
        .map(|n| paths::lexical(&dir.join(n)))
        .collect()
}

/// The tags of member `index` of `ws`: `<name>-v*` when it has such tags;
/// else the workspace's `v*` (`explicit`, with `{{crate}}` for the name,
/// replaces both) when the workspace is released as a whole: no member
/// has tags of its own, or this one shares the workspace version. A member
/// of a workspace whose members are released one by one, without tags of
/// its own, keeps `<name>-v*`: it was never released.
pub fn member_pattern(
    repo: &Repo,
    ws: &Workspace,
    index: usize,
    explicit: Option<&str>,
) -> Result<String> {
    let mut patterns = pattern_for(repo, ws, &[index], explicit)?;
    Ok(patterns.pop().unwrap_or_else(|| "v*".into()))
}

/// [`member_pattern`] for each of `indexes`, the tags read once.
pub fn pattern_for(
    repo: &Repo,
    ws: &Workspace,
    indexes: &[usize],
    explicit: Option<&str>,
) -> Result<Vec<String>> {
    if let Some(p) = explicit {
        return Ok(indexes
            .iter()
            .map(|&i| p.replace("{{crate}}", &ws.members[i].name))
            .collect());
    }
    let own: Vec<String> = ws
        .members
        .iter()
        .map(|m| format!("{}-v*", m.name))
        .collect();
    let list: Vec<&str> = own.iter().map(String::as_str).collect();
    let tagged: Vec<bool> = repo
        .semver_tags_of(&list)?
        .iter()
        .map(|scan| !scan.tags.is_empty())
        .collect();
    let one_by_one = tagged.iter().any(|t| *t);
    Ok(indexes
        .iter()
        .map(|&i| {
            if tagged[i] || (one_by_one && !inherits_version(&ws.members[i].manifest_path)) {
                own[i].clone()
            } else {
                "v*".to_string()
            }
        })
        .collect())
}

/// Whether the manifest at `path` takes its version from the workspace.
pub fn inherits_version(path: &Path) -> bool {
    Manifest::load(path).is_ok_and(|m| {
        matches!(
            m.package_version(),
            Ok(crate::manifest::VersionKey::Inherited)
        )
    })
}

/// Member `index`'s changelog: `path` in its `[package.metadata.changelog]`
/// (for the root package, `root_path`: the changelog settings' `path`),
/// relative to its directory; else `imported` (release-plz's
/// `changelog_path`); else its `CHANGELOG.md`.
pub fn changelog_file(
    ws: &Workspace,
    index: usize,
    root_path: Option<&str>,
    imported: Option<&Path>,
) -> Result<PathBuf> {
    let manifest = &ws.members[index].manifest_path;
    let dir = manifest.parent().unwrap_or(&ws.root);
    let own = if dir == ws.root {
        root_path.map(String::from)
    } else {
        let m = Manifest::load(manifest)?;
        m.get(&["package", "metadata", "changelog", "path"])
            .and_then(|i| i.as_str())
            .map(String::from)
    };
    Ok(match (own, imported) {
        (Some(own), _) => dir.join(own),
        (None, Some(imported)) => imported.to_path_buf(),
        (None, None) => dir.join("CHANGELOG.md"),
    })
}

/// The history of the members that share the workspace version: their
/// files together, and the tags of the first of them (`explicit`, the
/// configured tag pattern, replacing them).
pub fn shared_scope(repo: &Repo, ws: &Workspace, explicit: Option<&str>) -> Result<super::Scope> {
    let sharing: Vec<usize> = (0..ws.members.len())
        .filter(|&i| inherits_version(&ws.members[i].manifest_path))
        .collect();
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for own in paths_of(repo.workdir(), ws, &sharing)? {
        include.extend(own.included().iter().cloned());
        exclude.extend(own.excluded().iter().cloned());
    }
    let pattern = match sharing.first() {
        Some(&first) => member_pattern(repo, ws, first, explicit)?,
        None => "v*".into(),
    };
    Ok(super::Scope {
        pattern,
        paths: PathFilter::new(include, exclude),
        version: sharing.first().map(|&i| ws.members[i].version.clone()),
        hint: false,
    })
}
