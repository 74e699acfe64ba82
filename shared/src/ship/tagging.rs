//! What `cargo ship release` tags: each member's release tag for its
//! manifest version (the tag rule of workspace releases, or a template),
//! and the commit that set that version (walking first parents from HEAD
//! back to where the version was different).

use std::path::Path;

use git2::Oid;
use semver::Version;

use crate::error::Result;
use crate::git::Repo;
use crate::manifest::{Manifest, VersionKey};
use crate::release::imported::Imported;
use crate::release::members::{inherits_version, pattern_for};
use crate::workspace::Workspace;

/// The release tag of each member (by index) at its manifest version, by
/// the first that says: `flag` (`--tag-name`), the changelog settings'
/// `tag-pattern`, the tag template of release-plz's or cargo-release's
/// configuration, the workspace's rule ([`tag_names`]).
pub(super) fn release_tags(
    repo: &Repo,
    ws: &Workspace,
    settings: &crate::release::Settings,
    imported: &Imported,
    flag: Option<&str>,
) -> Result<Vec<String>> {
    let configured = settings.tag_pattern.as_deref();
    let template = |i: usize| match (flag, configured) {
        (Some(f), _) => Some(f.to_string()),
        (None, Some(_)) => None,
        (None, None) => imported.of(&ws.members[i].name).tag_name,
    };
    tag_names(repo, ws, configured, &template)
}

/// The release tag of each member (by index) at its manifest version:
/// with `template(i)`, `{{crate}}` and `{{version}}` filled in; else the
/// member's tag pattern (`v*`, `<name>-v*`, the configured one) with the
/// version for its `*`. Members that would share a `v*` tag at different
/// versions (never released, not sharing the workspace version) get
/// `<name>-v<version>` instead, as `cargo bump --tag` names them.
fn tag_names(
    repo: &Repo,
    ws: &Workspace,
    configured: Option<&str>,
    template: &dyn Fn(usize) -> Option<String>,
) -> Result<Vec<String>> {
    let all: Vec<usize> = (0..ws.members.len()).collect();
    let patterns = pattern_for(repo, ws, &all, configured)?;
    let versions_of = |pattern: &str| {
        let mut v: Vec<&Version> = all
            .iter()
            .filter(|&&i| patterns[i] == pattern)
            .map(|&i| &ws.members[i].version)
            .collect();
        v.sort();
        v.dedup();
        v.len()
    };
    Ok(all
        .iter()
        .map(|&i| {
            let m = &ws.members[i];
            if let Some(t) = template(i) {
                return t
                    .replace("{{crate}}", &m.name)
                    .replace("{{version}}", &m.version.to_string());
            }
            let mut pattern = patterns[i].clone();
            if configured.is_none()
                && versions_of(&pattern) > 1
                && !inherits_version(&m.manifest_path)
            {
                pattern = format!("{}-v*", m.name);
            }
            pattern.replacen('*', &m.version.to_string(), 1)
        })
        .collect())
}

/// The commit on HEAD's first-parent line that set member `index`'s
/// current version: the oldest of the commits from HEAD back whose
/// manifest (or, when inherited, the root's `[workspace.package]`) has it.
pub(super) fn origin(repo: &Repo, ws: &Workspace, index: usize, head: Oid) -> Result<Oid> {
    let member = &ws.members[index];
    let inherited = inherits_version(&member.manifest_path);
    let path = if inherited {
        &ws.root_manifest
    } else {
        &member.manifest_path
    };
    let rel = crate::paths::slash(&crate::paths::in_repository(repo.workdir(), path)?);
    let mut current = head;
    let mut blob = repo.blob_at(head, &rel);
    while let Some(parent) = repo.first_parent(current) {
        let parent_blob = repo.blob_at(parent, &rel);
        if parent_blob != blob {
            let text = parent_blob.and_then(|id| repo.blob_text(id));
            let version = text.and_then(|t| version_in(&t, Path::new(&rel), inherited));
            if version.as_ref() != Some(&member.version) {
                break;
            }
        }
        blob = parent_blob;
        current = parent;
    }
    Ok(current)
}

/// The package version in a manifest's text (`[workspace.package]`'s
/// when `inherited`); `None` when it has none or does not parse.
fn version_in(text: &str, path: &Path, inherited: bool) -> Option<Version> {
    let m = Manifest::from_text(path, text).ok()?;
    if inherited {
        return m.workspace_version().ok()?.map(|(v, _)| v);
    }
    match m.package_version().ok()? {
        VersionKey::Own(v, _) => Some(v),
        _ => None,
    }
}
