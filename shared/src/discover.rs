//! Workspace discovery from the manifests alone, without running cargo.
//!
//! It covers the common layouts (`members` globs, `exclude`,
//! `default-members`, a root package, inherited versions) and gives up
//! (`None`) on anything subtler. It exists to overlap work with
//! `cargo metadata`: whatever is built on its answer is used only if cargo's
//! answer turns out identical (see [`Workspace::same_members`]).

use std::path::{Path, PathBuf};

use semver::Version;

use crate::error::{Error, Result};
use crate::manifest::{Manifest, VersionKey};
use crate::workspace::{Member, Workspace, glob_match, start_manifest};

/// Where a command starts, resolved once and shared by its steps: the
/// manifest it starts from and the root manifest of its workspace as the
/// manifests tell (the nearest one with a `[workspace]` table, else the
/// package's own).
#[derive(Clone, Debug, Default)]
pub struct Start {
    /// `--manifest-path`, else the nearest `Cargo.toml`, as given.
    pub manifest: Option<PathBuf>,
    /// The same, absolute.
    absolute: Option<PathBuf>,
    /// The root manifest; `None` when the start cannot be read.
    root_manifest: Option<PathBuf>,
    /// The start names its root with `package.workspace` (discovery gives
    /// up on that: cargo answers).
    explicit_root: bool,
}

impl Start {
    /// The start of a command given `--manifest-path` (or none).
    pub fn resolve(manifest_path: Option<&Path>) -> Start {
        let manifest = start_manifest(manifest_path);
        let Some(absolute) = manifest.as_ref().and_then(|m| std::path::absolute(m).ok()) else {
            return Start {
                manifest,
                ..Start::default()
            };
        };
        let doc = Manifest::load(&absolute).ok();
        let root_manifest = doc.as_ref().map(|d| match d.get(&["workspace"]) {
            Some(_) => absolute.clone(),
            None => find_root(&absolute).map_or_else(|| absolute.clone(), |(p, _)| p),
        });
        Start {
            explicit_root: doc.is_some_and(|d| d.get(&["package", "workspace"]).is_some()),
            manifest,
            absolute: Some(absolute),
            root_manifest,
        }
    }

    /// The manifest, as given, for `cargo metadata` and messages.
    pub fn manifest(&self) -> Option<&Path> {
        self.manifest.as_deref()
    }

    /// The workspace's root directory as the manifests tell.
    pub fn root_dir(&self) -> Option<&Path> {
        self.root_manifest.as_deref()?.parent()
    }
}

/// The workspace `start` is in, as far as the manifests tell, with the
/// manifests it parsed; `None` when unsure.
pub fn discover(start: &Start) -> Option<(Workspace, Vec<Manifest>)> {
    if start.explicit_root {
        return None;
    }
    let (start_path, root_path) = (start.absolute.clone()?, start.root_manifest.clone()?);
    let start_doc = Manifest::load(&start_path).ok()?;
    let root = if root_path == start_path {
        start_doc
    } else {
        Manifest::load(&root_path).ok()?
    };
    let root_dir = root_path.parent()?.to_path_buf();
    let dirs = match root.get(&["workspace"]) {
        Some(_) => member_dirs(&root, &root_dir)?,
        None => vec![root_dir.clone()],
    };
    let start = start_path;
    if start != root_path && !dirs.iter().any(|d| d.join("Cargo.toml") == start) {
        return None;
    }
    let inherited = root.workspace_version().ok()?.map(|(v, _)| v);
    let pairs: Vec<(Member, Manifest)> = dirs
        .iter()
        .map(|d| member(d, inherited.as_ref()))
        .collect::<Option<_>>()?;
    let (members, mut parsed): (Vec<Member>, Vec<Manifest>) = pairs.into_iter().unzip();
    let defaults = match dirs.iter().position(|d| d.join("Cargo.toml") == start) {
        // Started in a member package: cargo makes it the default member,
        // unless it is the root and the root lists `default-members`.
        Some(i) if start != root_path || root.get(&["workspace", "default-members"]).is_none() => {
            (0..dirs.len()).map(|j| j == i).collect()
        }
        _ => default_flags(&root, &root_dir, &dirs)?,
    };
    if !parsed.iter().any(|m| m.path == root_path) {
        parsed.push(root);
    }
    let ws = Workspace::assemble(root_dir, members, defaults, Some(&start), None);
    Some((ws, parsed))
}

/// Work done on the workspace the manifests describe while `cargo
/// metadata` runs on another thread: `work` gets the guessed workspace and
/// the manifests parsed for it. Returns cargo's workspace and, when there
/// was a guess, the guess and what `work` made of it: the caller keeps
/// that only if cargo's answer is the same (see [`Workspace::same_members`]).
pub fn while_cargo_reads<G>(
    start: &Start,
    work: impl FnOnce(&Workspace, Vec<Manifest>) -> Option<G>,
) -> Result<(Workspace, Option<(Workspace, G)>)> {
    std::thread::scope(|scope| {
        let metadata = scope.spawn(|| Workspace::load(start.manifest()));
        let guess = discover(start).and_then(|(ws, parsed)| {
            let made = work(&ws, parsed)?;
            Some((ws, made))
        });
        let real = metadata.join().unwrap_or_else(|_| {
            Err(Error::Metadata("the cargo metadata thread panicked".into()))
        })?;
        Ok((real, guess))
    })
}

/// The nearest ancestor manifest with a `[workspace]` table.
fn find_root(start: &Path) -> Option<(PathBuf, Manifest)> {
    start.parent()?.ancestors().skip(1).find_map(|dir| {
        let path = dir.join("Cargo.toml");
        if !path.is_file() {
            return None;
        }
        let m = Manifest::load(&path).ok()?;
        m.get(&["workspace"]).is_some().then_some((path, m))
    })
}

/// Directories of the members: `members` globs less `exclude`, plus the root package.
fn member_dirs(root: &Manifest, root_dir: &Path) -> Option<Vec<PathBuf>> {
    let excluded = strings(root, &["workspace", "exclude"])?;
    let mut dirs = Vec::new();
    if root.get(&["package"]).is_some() {
        dirs.push(root_dir.to_path_buf());
    }
    for pattern in strings(root, &["workspace", "members"])? {
        for dir in expand(root_dir, &pattern)? {
            let skip = excluded.iter().any(|e| dir.starts_with(root_dir.join(e)));
            if !skip && dir.join("Cargo.toml").is_file() && !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    Some(dirs)
}

fn member(dir: &Path, inherited: Option<&Version>) -> Option<(Member, Manifest)> {
    let manifest_path = dir.join("Cargo.toml");
    let m = Manifest::load(&manifest_path).ok()?;
    let version = match m.package_version().ok()? {
        VersionKey::Own(v, _) => v,
        VersionKey::Inherited => inherited?.clone(),
        VersionKey::Missing => Version::new(0, 0, 0),
    };
    let member = Member {
        name: m.package_name()?.to_string(),
        version,
        manifest_path,
        targets: Vec::new(),
    };
    Some((member, m))
}

/// Which members are default members, as cargo decides it.
fn default_flags(root: &Manifest, root_dir: &Path, dirs: &[PathBuf]) -> Option<Vec<bool>> {
    if root.get(&["workspace", "default-members"]).is_some() {
        let mut chosen = Vec::new();
        for pattern in strings(root, &["workspace", "default-members"])? {
            chosen.extend(expand(root_dir, &pattern)?);
        }
        return Some(dirs.iter().map(|d| chosen.contains(d)).collect());
    }
    let root_package = root.get(&["package"]).is_some();
    Some(
        dirs.iter()
            .map(|d| !root_package || d == root_dir)
            .collect(),
    )
}

/// An array of strings at `keys` (absent: empty; any other shape: `None`).
fn strings(m: &Manifest, keys: &[&str]) -> Option<Vec<String>> {
    let Some(item) = m.get(keys) else {
        return Some(Vec::new());
    };
    item.as_array()?
        .iter()
        .map(|v| v.as_str().map(String::from))
        .collect()
}

/// Directories matching a relative glob such as `crates/*`.
fn expand(root: &Path, pattern: &str) -> Option<Vec<PathBuf>> {
    if pattern.contains("**") || Path::new(pattern).is_absolute() {
        return None;
    }
    let mut found = vec![root.to_path_buf()];
    for part in pattern.split('/').filter(|p| !p.is_empty() && *p != ".") {
        if !part.contains(['*', '?', '[']) {
            found = found.into_iter().map(|d| d.join(part)).collect();
            continue;
        }
        let mut next = Vec::new();
        for dir in found {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| glob_match(part, n) && !n.starts_with('.'))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| dir.join(n)));
        }
        found = next;
    }
    Some(found)
}
