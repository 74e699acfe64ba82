//! Crates under the workspace root that are not members (excluded ones,
//! examples, nested workspaces) but depend on a bumped member by path with
//! a version requirement: cargo does not see them when it loads the
//! workspace, so a bump that leaves their requirement behind breaks them
//! silently. They are warned about, or rewritten with `--dependents always`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Plan, RequirementChange};
use crate::edit::{Edit, splice};
use crate::error::Result;
use crate::lockfile::Bumps;
use crate::manifest::Manifest;
use crate::paths::{canonical, under};
use crate::requirement::{self, Policy};
use crate::workspace::Workspace;

/// A requirement outside the workspace that the bump leaves behind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stale {
    /// The manifest, relative to the workspace root.
    pub manifest: PathBuf,
    /// The dependency table.
    pub table: String,
    /// The dependency key.
    pub key: String,
    /// The member depended on.
    pub package: String,
    /// The requirement as written.
    pub requirement: String,
    /// The member's new version, which it no longer admits.
    pub version: semver::Version,
}

/// Directories never searched for crates.
const SKIPPED: [&str; 3] = ["target", "node_modules", "vendor"];

/// Find the non-member crates that depend on a bumped member by path;
/// rewrite their requirements with `Policy::Always`, else record the ones
/// the new version no longer satisfies.
pub(super) fn check(plan: &mut Plan, ws: &Workspace, bumps: &Bumps, policy: Policy) -> Result<()> {
    let members: Vec<PathBuf> = ws.members.iter().map(|m| m.manifest_path.clone()).collect();
    let bumped: Vec<(PathBuf, &str)> = ws
        .members
        .iter()
        .filter(|m| bumps.contains_key(&m.name))
        .filter_map(|m| Some((canonical(m.manifest_path.parent()?), m.name.as_str())))
        .collect();
    for path in manifests_under(&ws.root) {
        if path == ws.root_manifest || members.contains(&path) {
            continue;
        }
        let Ok(m) = Manifest::load(&path) else {
            continue; // not ours to judge; cargo reports it when it is built
        };
        let dir = path.parent().unwrap_or(&ws.root).to_path_buf();
        let mut edits: Vec<Edit> = Vec::new();
        for dep in m.dependencies() {
            let (Some(dep_path), Some(req)) = (&dep.path, &dep.req) else {
                continue;
            };
            let target = canonical(&dir.join(dep_path));
            let Some((_, name)) = bumped.iter().find(|(d, _)| *d == target) else {
                continue;
            };
            let Some((_, new)) = bumps.get(*name) else {
                continue;
            };
            let Ok(Some(to)) = requirement::rewrite(&req.value, new, policy) else {
                continue;
            };
            let manifest = under(&ws.root, &path);
            if policy == Policy::Always {
                edits.push(m.string_edit(req, &to));
                plan.dependents.push(RequirementChange {
                    manifest,
                    table: dep.table,
                    key: dep.key,
                    package: name.to_string(),
                    from: req.value.clone(),
                    to,
                });
            } else {
                plan.outside.push(Stale {
                    manifest,
                    table: dep.table,
                    key: dep.key,
                    package: name.to_string(),
                    requirement: req.value.clone(),
                    version: new.clone(),
                });
            }
        }
        if !edits.is_empty() {
            plan.tx.remember(&path, m.text().as_bytes().to_vec());
            plan.tx.stage(&path, splice(m.text(), &edits))?;
        }
    }
    Ok(())
}

/// Every Cargo.toml under `root`, hidden directories and build output left
/// out, in path order.
fn manifests_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !name.starts_with('.') && !SKIPPED.contains(&name.as_ref()) {
                    stack.push(entry.path());
                }
            } else if name == "Cargo.toml" {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}
