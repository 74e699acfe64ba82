//! `cargo bump`: turn a bump request into a validated [`Plan`] (every file
//! edit computed and checked in memory), then [`apply`] it atomically.

mod auto;
mod changelogs;
mod files;
mod outside;
mod published;
mod reading;
mod release;
mod report;
mod run;
pub mod undo;
mod versions;

use std::path::{Path, PathBuf};

use semver::Version;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::fs::Transaction;
use crate::git::Repo;
use crate::manifest::Manifest;
use crate::requirement::Policy;
use crate::version::BumpSpec;
use crate::workspace::{Selection, Workspace};

pub use outside::Stale;
pub use release::{DEFAULT_COMMIT_MESSAGE, DEFAULT_TAG_MESSAGE, GitOptions};
pub use report::Output;
pub use run::{auto_apply, auto_plan, changed, exec, list, nothing};

/// Everything `cargo bump` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// `--manifest-path`: where the run starts (else the nearest Cargo.toml).
    pub manifest_path: Option<PathBuf>,
    /// The bump.
    pub spec: BumpSpec,
    /// When dependents' requirements are rewritten.
    pub policy: Policy,
    /// Allow an explicit version lower than the current one.
    pub allow_downgrade: bool,
    /// Which packages.
    pub selection: Selection,
    /// Commit and tag.
    pub git: GitOptions,
    /// With `auto`: whether a member whose requirement no longer admits a
    /// bumped dependency is released too.
    pub cascade: Cascade,
    /// With `auto`: write each released package's changelog.
    pub changelog: bool,
    /// With `changelog`: one root changelog, a section per release and a
    /// subsection per package (`--combined-changelog`).
    pub combined_changelog: bool,
    /// Make cargo-release's `pre-release-replacements` too (`cargo ship
    /// pr`, which names what it does not follow).
    pub their_replacements: bool,
    /// `--check-api`: raise each level to what `cargo semver-checks` finds.
    pub check_api: bool,
    /// With `auto`: each member's level (by index), filled in once the
    /// history is read; `None` when asking.
    pub levels: Option<std::collections::BTreeMap<usize, crate::version::Implied>>,
    /// With `auto`: the last release tag's version of each member (by
    /// index) whose manifest version is behind it; the bump counts from
    /// the tag, as `git changelog --next-version` does.
    pub bases: std::collections::BTreeMap<usize, Version>,
    /// With `auto`: the version of the first release of members without a
    /// release tag (by index), from a git-cliff configuration's
    /// `initial_tag`.
    pub firsts: std::collections::BTreeMap<usize, Version>,
}

/// `--cascade`: what a member whose dependency moved out of its
/// requirement's range gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Cascade {
    /// Released as (at least) a patch.
    #[default]
    Patch,
    /// Its requirement is rewritten, its version stays.
    None,
}

/// Why a package is released by `auto`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Why {
    /// The level it gets.
    pub level: crate::version::Bump,
    /// Its commits since its last release.
    pub commits: usize,
    /// The breaking changes among them.
    pub breaking: usize,
    /// Its last release tag.
    pub last_release: Option<String>,
    /// The bumped dependencies its requirements no longer admitted.
    pub dependencies: Vec<String>,
    /// Why the API check raised its level (`--check-api`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// The manifest's version was behind its last release tag (this one):
    /// the bump counted from the tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behind: Option<String>,
}

/// A package whose version changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageBump {
    /// Package name.
    pub name: String,
    /// Its manifest, relative to the workspace root.
    pub manifest: PathBuf,
    /// Current version.
    pub from: Version,
    /// New version.
    pub to: Version,
    /// Whether the version comes from `[workspace.package]`.
    pub inherited: bool,
    /// With `auto`: why it is released.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<Why>,
    /// The tag its release gets (`--tag` creates it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Index of the member in the workspace.
    #[serde(skip)]
    pub(crate) index: usize,
}

/// A selected package already at the requested version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unchanged {
    /// Package name.
    pub name: String,
    /// Its version.
    pub version: Version,
}

/// `[workspace.package] version` changing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkspaceBump {
    /// Current version.
    pub from: Version,
    /// New version.
    pub to: Version,
}

/// A dependent's requirement rewritten.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequirementChange {
    /// The manifest, relative to the workspace root.
    pub manifest: PathBuf,
    /// The dependency table.
    pub table: String,
    /// The dependency key.
    pub key: String,
    /// The package depended on.
    pub package: String,
    /// The old requirement.
    pub from: String,
    /// The new requirement.
    pub to: String,
}

/// Cargo.lock entries changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LockfileChange {
    /// The lock file, relative to the workspace root.
    pub path: PathBuf,
    /// `[[package]]` versions changed.
    pub packages: usize,
    /// `dependencies` references changed.
    pub references: usize,
}

/// An extra-file replacement performed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplacementDone {
    /// The file, relative to the workspace root.
    pub file: PathBuf,
    /// Matches replaced.
    pub matches: usize,
    /// The package it was declared for (`None`: workspace-level).
    pub package: Option<String>,
}

/// The validated plan of one `cargo bump` run.
#[derive(Debug, Serialize)]
pub struct Plan {
    /// Workspace root.
    pub root: PathBuf,
    /// Packages whose version changes.
    pub packages: Vec<PackageBump>,
    /// Selected packages already at the requested version.
    pub unchanged: Vec<Unchanged>,
    /// Selected packages without a `version` key (0.0.0 to cargo), skipped.
    pub unversioned: Vec<String>,
    /// The workspace version change, if members inherit it.
    pub workspace_version: Option<WorkspaceBump>,
    /// Dependents' requirements rewritten.
    pub dependents: Vec<RequirementChange>,
    /// Requirements of crates that are not members (excluded, examples,
    /// nested workspaces) that the new versions no longer satisfy.
    pub outside: Vec<Stale>,
    /// Cargo.lock changes.
    pub lockfile: Option<LockfileChange>,
    /// Extra-file replacements.
    pub replacements: Vec<ReplacementDone>,
    /// Changelogs written (`auto --changelog`): file and version released.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changelogs: Vec<(PathBuf, Version)>,
    /// The notes of each release written (`auto --changelog`), by package
    /// (`None`: the shared workspace version's), for the tag messages.
    #[serde(skip)]
    pub notes: Vec<(Option<String>, String)>,
    /// Every file that changes, relative to the root.
    pub files: Vec<PathBuf>,
    /// The commit message, with `--commit`.
    pub commit: Option<String>,
    /// The changed files the commit takes (those git tracks), with `--commit`.
    pub committed: Vec<PathBuf>,
    /// Changed files git does not track (a gitignored Cargo.lock): written,
    /// not committed.
    pub not_committed: Vec<PathBuf>,
    /// Annotated tags (name, message), with `--tag`.
    pub tags: Vec<(String, String)>,
    /// How many members the workspace has (one: `v*` tags).
    #[serde(skip)]
    members: usize,
    /// Whether `auto` decided the levels from each package's history.
    #[serde(skip)]
    by_history: bool,
    #[serde(skip)]
    tx: Transaction,
    #[serde(skip)]
    repo: Option<Repo>,
    #[serde(skip)]
    sign: bool,
}

/// The selected packages and their current versions; `None` for a
/// package without a `version` key (0.0.0 to cargo).
pub fn current_versions(
    ws: &Workspace,
    selection: &Selection,
) -> Result<Vec<(String, Option<Version>)>> {
    ws.select(selection)?
        .into_iter()
        .map(|i| {
            let m = &ws.members[i];
            let versioned = m.version != Version::new(0, 0, 0)
                || !matches!(
                    Manifest::load(&m.manifest_path)?.package_version()?,
                    crate::manifest::VersionKey::Missing
                );
            Ok((m.name.to_string(), versioned.then(|| m.version.clone())))
        })
        .collect()
}

/// Compute and validate every change; nothing is written.
pub fn plan(ws: &Workspace, opts: &Options) -> Result<Plan> {
    plan_parsed(ws, Vec::new(), opts)
}

/// [`plan`], reusing manifests already parsed (from the same files).
pub(crate) fn plan_parsed(ws: &Workspace, parsed: Vec<Manifest>, opts: &Options) -> Result<Plan> {
    let selected = ws.select(&opts.selection)?;
    let manifests = Manifests::load(ws, parsed)?;
    let decided = versions::decide(ws, &manifests, &selected, opts)?;
    let mut plan = Plan {
        root: ws.root.clone(),
        packages: decided.packages,
        unchanged: decided.unchanged,
        unversioned: decided.unversioned,
        workspace_version: decided.workspace.as_ref().map(|(w, _)| w.clone()),
        dependents: Vec::new(),
        outside: Vec::new(),
        lockfile: None,
        replacements: Vec::new(),
        changelogs: Vec::new(),
        notes: Vec::new(),
        files: Vec::new(),
        commit: None,
        committed: Vec::new(),
        not_committed: Vec::new(),
        tags: Vec::new(),
        members: ws.members.len(),
        by_history: opts.levels.is_some(),
        tx: Transaction::new(),
        repo: None,
        sign: opts.git.sign,
    };
    if plan.packages.is_empty() {
        return Ok(plan);
    }
    files::stage(
        &mut plan,
        ws,
        &manifests,
        &decided.version_edits,
        decided.workspace.map(|(_, e)| e),
        opts,
    )?;
    plan.files = plan
        .tx
        .changes()
        .map(|c| crate::paths::under(&ws.root, c.path))
        .collect();
    release::prepare(&mut plan, &opts.git)?;
    Ok(plan)
}

impl Plan {
    /// The plan's commit (`--commit`) as an object on top of `parent`,
    /// made of the files it commits with their new contents: no file is
    /// written and no ref moves.
    pub fn commit_over(&self, parent: git2::Oid) -> Result<git2::Oid> {
        let (Some(repo), Some(message)) = (&self.repo, &self.commit) else {
            return Err(Error::Git {
                message: "the plan has no commit to make".into(),
                help: None,
            });
        };
        let mut files = Vec::new();
        for c in self.tx.changes() {
            let shown = crate::paths::under(&self.root, c.path);
            if self.committed.contains(&shown) {
                let rel = crate::paths::in_repository(repo.workdir(), c.path)?;
                files.push((crate::paths::slash(&rel), c.new));
            }
        }
        repo.commit_over(parent, &files, message)
    }

    /// A unified diff of every file the plan changes.
    pub fn diff(&self) -> String {
        self.tx
            .changes()
            .map(|c| crate::diff::unified(&c, &self.root))
            .collect()
    }
}

/// Write the plan's files atomically, then commit and tag when asked. If the
/// commit fails, the files are restored.
pub fn apply(plan: &Plan) -> Result<()> {
    finish(plan, None)
}

/// [`apply`], using temp files already written by `Transaction::prepare` when given.
fn finish(plan: &Plan, prepared: Option<crate::fs::Prepared>) -> Result<()> {
    match prepared {
        Some(prepared) => prepared.finish(&plan.tx)?,
        None => plan.tx.commit()?,
    }
    // What `--undo` takes back; a journal that cannot be written only
    // makes a later undo refuse.
    let _ = crate::git::journal::record(plan.tx.changes());
    if let Err(e) = release::run(plan) {
        plan.tx.rollback()?;
        return Err(e);
    }
    Ok(())
}

/// Every manifest of the workspace, parsed once: the members' and the root's.
pub(crate) struct Manifests {
    list: Vec<Manifest>,
    member: Vec<usize>,
    root: usize,
}

impl Manifests {
    fn load(ws: &Workspace, parsed: Vec<Manifest>) -> Result<Self> {
        let mut cache: std::collections::HashMap<PathBuf, Manifest> =
            parsed.into_iter().map(|m| (m.path.clone(), m)).collect();
        let mut load = |path: &Path| match cache.remove(path) {
            Some(m) => Ok(m),
            None => Manifest::load(path),
        };
        let mut list = Vec::with_capacity(ws.members.len() + 1);
        let mut member = Vec::with_capacity(ws.members.len());
        let mut root = None;
        for m in &ws.members {
            let path = m.manifest_path.as_path();
            if path == ws.root_manifest {
                root = Some(list.len());
            }
            member.push(list.len());
            list.push(load(path)?);
        }
        let root = match root {
            Some(r) => r,
            None => {
                list.push(load(&ws.root_manifest)?);
                list.len() - 1
            }
        };
        Ok(Manifests { list, member, root })
    }

    fn member(&self, i: usize) -> &Manifest {
        &self.list[self.member[i]]
    }

    fn root(&self) -> &Manifest {
        &self.list[self.root]
    }
}

fn conflict(message: String, help: &str) -> Error {
    Error::Conflict {
        message,
        help: help.to_string(),
    }
}
