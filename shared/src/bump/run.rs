//! `cargo bump` end to end: list the packages, or plan a bump (resolving
//! `auto` first), report it and apply it unless `--dry-run`.

use std::path::Path;

use super::auto;
use super::reading::{self, Reading};
use super::report::{self, Output};
use super::{Options, Plan, finish, plan, plan_parsed};
use crate::discover::{Start, while_cargo_reads};
use crate::error::Result;
use crate::fs::Prepared;
use crate::term::Shell;
use crate::workspace::{Selection, Workspace};

/// No bump asked: list the selected packages and their versions.
pub fn list(manifest_path: Option<&Path>, selection: &Selection, out: Output) -> Result<()> {
    let ws = Workspace::load(manifest_path)?;
    report::list(&super::current_versions(&ws, selection)?, out)
}

/// `none`: nothing to release, a normal outcome: no file changes, a note
/// says so, and `--print` prints the versions as they are (so that
/// `v=$(cargo bump "$level" --print)` works for every level).
pub fn nothing(
    manifest_path: Option<&Path>,
    selection: &Selection,
    out: Output,
    shell: &Shell,
) -> Result<()> {
    shell.note("the level is `none`: nothing to release; no file was changed");
    if !out.print && out.format == crate::cli::MessageFormat::Human {
        return Ok(());
    }
    let ws = Workspace::load(manifest_path)?;
    let current = Output {
        print_current: true,
        ..out
    };
    report::list(&super::current_versions(&ws, selection)?, current)
}

/// `--changed`: the selected members with commits since their own last
/// release.
pub fn changed(manifest_path: Option<&Path>, selection: &Selection, out: Output) -> Result<()> {
    let (_, reading) = read_overlapped(&Start::resolve(manifest_path), selection, false)?;
    let changed: Vec<_> = reading.members.iter().filter(|m| m.changed()).collect();
    report::changed(&changed, out)
}

/// Plan the bump, report it, and apply it unless `--dry-run`.
pub fn exec(opts: &Options, out: Output, shell: &Shell) -> Result<()> {
    let start = Start::resolve(opts.manifest_path.as_deref());
    let _lock = lock_workspace(&start, out.dry_run, shell)?;
    let (plan, prepared) = if auto::is_auto(opts) {
        (plan_auto(opts, &start, shell)?, None)
    } else {
        plan_overlapped(&start, opts, !out.dry_run)?
    };
    report::status(&plan, shell);
    let data = report::data(&plan, out);
    if out.dry_run {
        crate::term::print(&data)?;
        shell.warn("dry run: no files were written");
        return Ok(());
    }
    finish(&plan, prepared)?;
    report::git_status(&plan, shell);
    crate::term::print(&data)
}

/// `auto` planned and applied, without a report: what `cargo ship pr`
/// runs in its work tree. The plan says what was released (nothing when
/// `packages` is empty: then nothing was written).
pub fn auto_apply(opts: &Options, shell: &Shell) -> Result<super::Plan> {
    let start = Start::resolve(opts.manifest_path.as_deref());
    let plan = plan_auto(opts, &start, shell)?;
    if !plan.packages.is_empty() {
        finish(&plan, None)?;
    }
    Ok(plan)
}

/// `auto` planned with its commit message and files, nothing written:
/// `cargo ship pr` commits the plan's files as an object
/// ([`super::Plan::commit_over`]) without touching the checkout.
pub fn auto_plan(opts: &Options, shell: &Shell) -> Result<super::Plan> {
    plan_auto(opts, &Start::resolve(opts.manifest_path.as_deref()), shell)
}

/// One `cargo bump` at a time per workspace: a second run waits (saying
/// so) until the first has written everything, then plans on its result.
/// The lock is `.cratesmith-bump.lock` in the target directory cargo uses. A
/// dry run writes nothing, not even the lock: it only waits for a bump
/// that holds one.
fn lock_workspace(start: &Start, dry_run: bool, shell: &Shell) -> Result<Option<std::fs::File>> {
    let Some(root) = start.root_dir() else {
        return Ok(None); // no readable manifest: planning reports the error
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.to_path_buf());
    let file = crate::cargo_config::target_dir(root, &cwd).join(".cratesmith-bump.lock");
    let waiting = || {
        shell.status(
            "Blocking",
            format_args!(
                "waiting for another cargo bump of this workspace ({})",
                file.display()
            ),
        );
    };
    let locked = if dry_run {
        crate::fs::lock_shared_if_exists(&file, waiting)
    } else {
        crate::fs::lock(&file, waiting).map(Some)
    };
    match locked {
        Ok(lock) => Ok(lock),
        // A read-only tree (a run about to fail to write): nothing to protect.
        Err(e) => {
            shell.verbose("Unlocked", format_args!("{e}"));
            Ok(None)
        }
    }
}

/// `auto`: each member's history in one walk, then the plan.
fn plan_auto(opts: &Options, start: &Start, shell: &Shell) -> Result<Plan> {
    let (ws, reading) = read_overlapped(start, &opts.selection, opts.changelog)?;
    reading.report(shell);
    auto::plan(&ws, opts, &reading, shell)
}

/// The workspace and its members' histories, read on the workspace the
/// manifests describe while `cargo metadata` runs on the other core; kept
/// when cargo's workspace is the same, else read again on cargo's.
fn read_overlapped(
    start: &Start,
    selection: &Selection,
    shared: bool,
) -> Result<(Workspace, Reading)> {
    let manifest = start.manifest();
    let (real, guess) = while_cargo_reads(start, |ws, _| {
        reading::read(ws, selection, manifest, shared).ok()
    })?;
    match guess {
        Some((ws, read)) if ws.same_members(&real) => Ok((real, read)),
        _ => {
            let read = reading::read(&real, selection, manifest, shared)?;
            Ok((real, read))
        }
    }
}

/// Plan while `cargo metadata` runs on the other core: plan on the
/// workspace the manifests describe and write and fsync the temp files;
/// keep all of it only if cargo's workspace turns out the same, otherwise
/// (dropping the temp files) plan again on cargo's answer.
fn plan_overlapped(start: &Start, opts: &Options, write: bool) -> Result<(Plan, Option<Prepared>)> {
    let (real, guess) = while_cargo_reads(start, |ws, parsed| {
        let plan = plan_parsed(ws, parsed, opts).ok()?;
        let prepared = if write {
            Some(plan.tx.prepare().ok()?)
        } else {
            None
        };
        Some((plan, prepared))
    })?;
    match guess {
        Some((ws, made)) if ws.same_members(&real) => Ok(made),
        _ => plan(&real, opts).map(|p| (p, None)),
    }
}
