//! Before `cargo bump --undo`: is a version the release commit set already
//! in its registry's index? Then the release is out, and undoing the
//! commit would leave the registry holding a version the history no
//! longer has: refused, or with `--force` a warning.

use std::path::Path;
use std::time::Duration;

use semver::Version;

use crate::error::{Error, Result};
use crate::git::Repo;
use crate::manifest::{Manifest, VersionKey};
use crate::registry::config::{Choice, Registry};
use crate::registry::http::{Client, Retry};
use crate::registry::index::Index;
use crate::term::Shell;
use crate::workspace::Workspace;

/// A package whose version the release commit changed.
struct Released {
    name: String,
    version: Version,
    registry: Choice,
}

/// Refuse (or warn, with `force`) when a version released by commit
/// at HEAD (on `parent`) is in its registry. A registry that cannot be
/// reached gets a warning: the check is not made.
///
/// # Errors
/// A released version is in its registry's index and `force` is not set.
pub(super) fn check(repo: &Repo, parent: git2::Oid, force: bool, shell: &Shell) -> Result<()> {
    let manifest = repo.workdir().join("Cargo.toml");
    let released = match released(repo, &manifest, parent) {
        Ok(r) => r,
        Err(e) => {
            shell.warn(format_args!(
                "could not tell which versions the release commit set, so the registry was not checked: {e}"
            ));
            return Ok(());
        }
    };
    for r in released {
        match in_registry(&r, repo.workdir()) {
            Ok(false) => {}
            Ok(true) if force => shell.warn(format_args!(
                "{} {} is in the registry's index: undoing the commit anyway (--force); that version stays published (yank it with `cargo yank --version {} {}`)",
                r.name, r.version, r.version, r.name
            )),
            Ok(true) => {
                return Err(Error::Conflict {
                    message: format!(
                        "cannot undo: {} {} is already in the registry's index, so the release is out",
                        r.name, r.version
                    ),
                    help: "release a new version with the fix instead; `--undo --force` takes the commit back anyway (the published version stays)".into(),
                });
            }
            Err(e) => shell.warn(format_args!(
                "could not check whether {} {} is published: {e}",
                r.name, r.version
            )),
        }
    }
    Ok(())
}

/// The workspace members (publishable) whose version differs from the
/// one they had in `parent`.
fn released(repo: &Repo, manifest: &Path, parent: git2::Oid) -> Result<Vec<Released>> {
    let ws = Workspace::load(Some(manifest))?;
    let root = repo.workdir();
    let at_parent = |path: &Path| -> Option<Manifest> {
        let rel = path.strip_prefix(root).ok()?;
        let blob = repo.blob_in(parent, rel).ok()??;
        let text = String::from_utf8(repo.blob_bytes(blob).ok()?).ok()?;
        Manifest::from_text(path, &text).ok()
    };
    let root_version = at_parent(&ws.root_manifest)
        .and_then(|m| m.workspace_version().ok().flatten())
        .map(|(v, _)| v);
    let mut out = Vec::new();
    for m in &ws.members {
        let now = Manifest::load(&m.manifest_path)?;
        let Some(registry) = registry_of(&now) else {
            continue; // publish = false
        };
        let before = at_parent(&m.manifest_path).and_then(|p| match p.package_version() {
            Ok(VersionKey::Own(v, _)) => Some(v),
            Ok(VersionKey::Inherited) => root_version.clone(),
            _ => None,
        });
        if before.as_ref() != Some(&m.version) {
            out.push(Released {
                name: m.name.clone(),
                version: m.version.clone(),
                registry,
            });
        }
    }
    Ok(out)
}

/// Where the package publishes: `None` for `publish = false`, the first
/// registry of a `publish = [...]` list, else the default.
fn registry_of(manifest: &Manifest) -> Option<Choice> {
    match manifest.get(&["package", "publish"]) {
        Some(item) if item.as_bool() == Some(false) => None,
        Some(item) => match item
            .as_array()
            .and_then(|a| a.get(0))
            .and_then(|v| v.as_str())
        {
            Some(name) => Some(Choice::Named(name.to_string())),
            None if item.as_array().is_some_and(|a| a.is_empty()) => None,
            None => Some(Choice::Default),
        },
        None => Some(Choice::Default),
    }
}

fn in_registry(r: &Released, cwd: &Path) -> Result<bool> {
    let registry = Registry::resolve(&r.registry, cwd)?;
    let retry = Retry {
        attempts: 2,
        base: Duration::from_millis(500),
        max: Duration::from_secs(5),
    };
    let index = Index::open(&registry, &Client::new(), retry)?;
    index.has(&r.name, &r.version)
}
