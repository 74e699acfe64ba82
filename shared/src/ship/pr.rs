//! `cargo ship pr`: prepare (or refresh) the release branch from HEAD in a
//! throwaway work tree, so that the user's checkout stays as it was: the
//! workspace plan applied (`cargo bump auto --workspace --changelog`), one
//! commit on top of HEAD, and the pull request's body.
//!
//! Run again on an unchanged HEAD, the branch is left where it is when the
//! new commit would have the same tree and parent, so the workflow pushes
//! nothing.

use std::path::{Path, PathBuf};

use git2::Oid;
use serde::Serialize;

use super::pr_body;
use crate::bump::{self, Cascade, GitOptions, PackageBump, Plan};
use crate::cli::MessageFormat;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::release::imported::Imported;
use crate::term::Shell;
use crate::version::{BumpSpec, Level, Target};
use crate::workspace::Selection;

/// Everything `cargo ship pr` was asked to do.
#[derive(Clone, Debug)]
pub struct PrOptions {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `--branch`: the release branch.
    pub branch: String,
    /// `--body FILE` (else stdout, in human format).
    pub body: Option<PathBuf>,
    /// `--commit-message` template (as `cargo bump --commit-message`).
    pub commit_message: Option<String>,
    /// `--combined-changelog`: one root changelog for the whole release.
    pub combined_changelog: bool,
    /// `--format json`: the plan on stdout.
    pub format: MessageFormat,
}

/// What the branch holds now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BranchState {
    /// Created or moved to a new commit.
    Updated(Oid),
    /// Already the same release: left as it was.
    Unchanged(Oid),
}

/// One package of the plan, as `--format json` prints it.
#[derive(Debug, Serialize)]
struct Entry<'a> {
    #[serde(flatten)]
    package: &'a PackageBump,
    level: String,
}

/// Run `cargo ship pr`.
pub fn exec(opts: &PrOptions, shell: &Shell) -> Result<()> {
    let json = opts.format == MessageFormat::Json;
    let Some((plan, state)) = prepare(opts, shell)? else {
        shell.note("nothing to release: no package has changes since its last release; no branch was created");
        return if json {
            crate::term::print_json(&Vec::<u8>::new())
        } else {
            Ok(())
        };
    };
    match state {
        BranchState::Updated(id) => shell.status(
            "Prepared",
            format_args!("branch `{}` at {}", opts.branch, short(id)),
        ),
        BranchState::Unchanged(id) => shell.status(
            "Unchanged",
            format_args!(
                "branch `{}` already holds this release ({})",
                opts.branch,
                short(id)
            ),
        ),
    }
    let body = pr_body::render(&plan);
    if let Some(file) = &opts.body {
        crate::fs::write_atomic(file, body.as_bytes())?;
        shell.status(
            "Wrote",
            format_args!("the pull request's body to {}", file.display()),
        );
    }
    if json {
        let entries: Vec<Entry<'_>> = plan
            .packages
            .iter()
            .map(|p| Entry {
                package: p,
                level: pr_body::level(p),
            })
            .collect();
        return crate::term::print_json(&entries);
    }
    if opts.body.is_none() {
        crate::term::print(&body)?;
    }
    Ok(())
}

/// Prepare the branch; the plan applied and what became of the branch
/// (`None`: nothing to release, no branch touched).
pub fn prepare(opts: &PrOptions, shell: &Shell) -> Result<Option<(Plan, BranchState)>> {
    let start =
        crate::workspace::start_manifest(opts.manifest_path.as_deref()).ok_or_else(|| {
            Error::Conflict {
                message: "no Cargo.toml in this directory or any parent".into(),
                help: "run it in a workspace, or pass --manifest-path".into(),
            }
        })?;
    let repo = Repo::discover(start.parent().unwrap_or(Path::new(".")))?;
    let head = repo.head()?.ok_or_else(|| Error::Git {
        message: "the repository has no commit yet".into(),
        help: Some("commit the workspace first".into()),
    })?;
    check_branch(&repo, &opts.branch)?;
    let adopted = Adopted::read(&start, shell)?;
    let Some((mut plan, new)) = release_commit(opts, &repo, &start, head, &adopted, shell)? else {
        return Ok(None);
    };
    name_tags(&mut plan, &repo, adopted)?;
    let state = match repo.branch_commit(&opts.branch) {
        Some(old) if same_release(&repo, old, new, head)? => BranchState::Unchanged(old),
        _ => {
            repo.set_branch(&opts.branch, new)?;
            BranchState::Updated(new)
        }
    };
    Ok(Some((plan, state)))
}

/// The plan and its release commit on top of `head` (`None`: nothing to
/// release). A clean checkout is HEAD: the plan is made on it, nothing
/// written, and committed as an object. Otherwise the plan is applied in
/// a throwaway work tree of HEAD and committed there.
fn release_commit(
    opts: &PrOptions,
    repo: &Repo,
    start: &Path,
    head: Oid,
    adopted: &Adopted,
    shell: &Shell,
) -> Result<Option<(Plan, Oid)>> {
    if repo.dirty_files()?.is_empty() {
        let plan = bump::auto_plan(&bump_options(opts, start.to_path_buf(), adopted), shell)?;
        if plan.packages.is_empty() {
            return Ok(None);
        }
        let new = plan.commit_over(head)?;
        return Ok(Some((plan, new)));
    }
    shell.verbose(
        "Preparing",
        "in a work tree of HEAD: the checkout has uncommitted changes",
    );
    let manifest = crate::paths::in_repository(repo.workdir(), start)?;
    let tree = repo.add_worktree(&worktree_dir(), head)?;
    copy_untracked_lock(repo, &tree.dir, &manifest);
    let bump = bump_options(opts, tree.dir.join(&manifest), adopted);
    let plan = bump::auto_apply(&bump, shell)?;
    if plan.packages.is_empty() {
        return Ok(None);
    }
    let new = Repo::discover(&tree.dir)?
        .head()?
        .ok_or_else(|| Error::Git {
            message: "the release commit is missing from the work tree".into(),
            help: None,
        })?;
    Ok(Some((plan, new)))
}

/// Each package's tag as `cargo ship release` will name it once merged:
/// the workspace's members (as `adopted` read them) at the plan's
/// versions.
fn name_tags(plan: &mut Plan, repo: &Repo, adopted: Adopted) -> Result<()> {
    let Adopted {
        mut ws, imported, ..
    } = adopted;
    for m in &mut ws.members {
        if let Some(p) = plan.packages.iter().find(|p| p.name == m.name) {
            m.version = p.to.clone();
        }
    }
    let settings = crate::release::Settings::load(repo)?;
    let names = super::tagging::release_tags(repo, &ws, &settings, &imported, None)?;
    for p in &mut plan.packages {
        if let Some(i) = ws.members.iter().position(|m| m.name == p.name) {
            p.tag = Some(names[i].clone());
        }
    }
    Ok(())
}

/// The workspace (from its manifests) and what release-plz's or
/// cargo-release's configuration changes in the bump: the members left out
/// (`release = false`) and the API check (`semver_check = true`).
struct Adopted {
    ws: crate::workspace::Workspace,
    imported: Imported,
    excluded: Vec<String>,
    check_api: bool,
}

impl Adopted {
    fn read(start: &Path, shell: &Shell) -> Result<Adopted> {
        let ws = match crate::discover::discover(&crate::discover::Start::resolve(Some(start))) {
            Some((ws, _)) => ws,
            None => crate::workspace::Workspace::load(Some(start))?,
        };
        let imported = Imported::load(&ws)?;
        imported.warn(shell);
        let mut excluded = Vec::new();
        for m in &ws.members {
            if imported.of(&m.name).release != Some(false) {
                continue;
            }
            if crate::release::members::inherits_version(&m.manifest_path) {
                shell.warn(format_args!(
                    "`release = false` for {}: it shares the workspace version, so it is released with the others",
                    m.name
                ));
            } else {
                excluded.push(m.name.clone());
            }
        }
        let check_api = ws
            .members
            .iter()
            .any(|m| imported.of(&m.name).semver_check == Some(true));
        Ok(Adopted {
            ws,
            imported,
            excluded,
            check_api,
        })
    }
}

/// The options of the bump made in the work tree.
fn bump_options(opts: &PrOptions, manifest: PathBuf, adopted: &Adopted) -> bump::Options {
    bump::Options {
        manifest_path: Some(manifest),
        spec: BumpSpec {
            target: Target::Level(Level::Auto(None)),
            pre: None,
            build: None,
        },
        policy: crate::requirement::Policy::default(),
        allow_downgrade: false,
        selection: Selection {
            workspace: true,
            exclude: adopted.excluded.clone(),
            ..Selection::default()
        },
        git: GitOptions {
            commit: true,
            commit_message: opts.commit_message.clone(),
            ..GitOptions::default()
        },
        cascade: Cascade::Patch,
        changelog: true,
        combined_changelog: opts.combined_changelog,
        their_replacements: true,
        check_api: adopted.check_api,
        levels: None,
        bases: std::collections::BTreeMap::new(),
        firsts: std::collections::BTreeMap::new(),
    }
}

/// The release branch cannot be the checked-out one: it is rewritten.
fn check_branch(repo: &Repo, branch: &str) -> Result<()> {
    if !git2::Reference::is_valid_name(&format!("refs/heads/{branch}")) {
        return Err(Error::Usage {
            message: format!("`{branch}` is not a valid branch name"),
            help: "pass another --branch".into(),
        });
    }
    if repo.head_commit_info()?.is_some_and(|h| h.branch == branch) {
        return Err(Error::Conflict {
            message: format!("the release branch `{branch}` is checked out here"),
            help: "run `cargo ship pr` on the branch releases are made from (main), or pass another --branch".into(),
        });
    }
    Ok(())
}

/// `old` holds the same release as `new`: the same tree on the same parent.
fn same_release(repo: &Repo, old: Oid, new: Oid, head: Oid) -> Result<bool> {
    let (old_tree, old_parents) = repo.tree_and_parents(old)?;
    let (new_tree, _) = repo.tree_and_parents(new)?;
    Ok(old_tree == new_tree && old_parents == [head])
}

/// A fresh directory for the work tree, beside nothing of the user's.
fn worktree_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!("cratesmith-pr-{}-{nanos}", std::process::id()))
}

/// A Cargo.lock git ignores is not in the work tree: copy it, so that the
/// bump updates it as it would in the checkout (it is not committed).
fn copy_untracked_lock(repo: &Repo, tree: &Path, manifest: &Path) {
    let dir = manifest.parent().unwrap_or(Path::new(""));
    for base in dir.ancestors() {
        let from = repo.workdir().join(base).join("Cargo.lock");
        let to = tree.join(base).join("Cargo.lock");
        if from.is_file() && !to.exists() {
            let _ = std::fs::copy(&from, &to);
            return;
        }
    }
}

fn short(id: Oid) -> String {
    id.to_string()[..12].to_string()
}
