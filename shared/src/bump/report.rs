//! Running a bump end to end for the CLI: list, plan, report (status lines,
//! `--print`, JSON, dry-run diff) and apply.

use serde::Serialize;

use std::path::Path;

use super::{Options, Plan, finish, list, plan, plan_parsed};
use crate::cli::MessageFormat;
use crate::discover::discover;
use crate::error::Error;
use crate::error::Result;
use crate::fs::Prepared;
use crate::term::{Shell, print};
use crate::text::count;
use crate::workspace::{Selection, Workspace};

/// How a run reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct Output {
    /// `--print`: the new version(s) alone on stdout.
    pub print: bool,
    /// `--print-current`: the current version(s) alone on stdout.
    pub print_current: bool,
    /// `--dry-run`: diff instead of writing.
    pub dry_run: bool,
    /// `--message-format`.
    pub format: MessageFormat,
}

#[derive(Serialize)]
struct Report<'a> {
    dry_run: bool,
    #[serde(flatten)]
    plan: &'a Plan,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
}

/// List the selected packages (no bump requested).
pub fn exec_list(ws: &Workspace, selection: &Selection, out: Output) -> Result<()> {
    let packages = list(ws, selection)?;
    let text = match out.format {
        MessageFormat::Json => {
            let rows: Vec<_> = packages
                .iter()
                .map(|(name, version)| serde_json::json!({ "name": name, "version": version.as_ref().map(ToString::to_string) }))
                .collect();
            format!("{}\n", serde_json::json!({ "packages": rows }))
        }
        MessageFormat::Human => versions(
            packages.iter().map(|(n, v)| {
                let shown = v
                    .as_ref()
                    .map_or_else(|| "(no version)".to_string(), ToString::to_string);
                (n.as_str(), shown)
            }),
            out.print_current,
        ),
    };
    print(&text)
}

/// Plan the bump, report it, and apply it unless `--dry-run`.
pub fn exec(
    manifest_path: Option<&Path>,
    opts: &Options,
    out: Output,
    shell: &Shell,
) -> Result<()> {
    let _lock = lock_workspace(manifest_path, out.dry_run, shell)?;
    let (opts, reading) = super::auto::resolve(opts, manifest_path, shell)?;
    let (plan, prepared) = plan_overlapped(manifest_path, &opts, !out.dry_run)?;
    if let Some(reading) = &reading {
        let from: Vec<(&str, &semver::Version)> = plan
            .packages
            .iter()
            .map(|p| (p.name.as_str(), &p.from))
            .chain(plan.unchanged.iter().map(|u| (u.name.as_str(), &u.version)))
            .collect();
        reading.report(&from, shell);
    }
    status(&plan, shell);
    let diff = out.dry_run.then(|| plan.diff());
    let data = match out.format {
        MessageFormat::Json => {
            let report = Report {
                dry_run: out.dry_run,
                plan: &plan,
                diff: diff.clone(),
            };
            format!(
                "{}\n",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            )
        }
        MessageFormat::Human if out.print => versions(
            plan.packages
                .iter()
                .map(|p| (p.name.as_str(), p.to.to_string())),
            true,
        ),
        MessageFormat::Human => diff.clone().unwrap_or_default(),
    };
    if out.dry_run {
        print(&data)?;
        shell.warn("dry run: no files were written");
        return Ok(());
    }
    finish(&plan, prepared)?;
    git_status(&plan, shell);
    print(&data)
}

/// One `cargo bump` at a time per workspace: a second run waits (saying
/// so) until the first has written everything, then plans on its result.
/// The lock is `.relkit-bump.lock` in the target directory cargo uses. A
/// dry run writes nothing, not even the lock: it only waits for a bump
/// that holds one.
fn lock_workspace(
    manifest_path: Option<&Path>,
    dry_run: bool,
    shell: &Shell,
) -> Result<Option<std::fs::File>> {
    let Some(root) = crate::discover::workspace_root(manifest_path) else {
        return Ok(None); // no readable manifest: planning reports the error
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.clone());
    let file = crate::cargo_config::target_dir(&root, &cwd).join(".relkit-bump.lock");
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

/// Plan while `cargo metadata` runs on the other core: discover the
/// workspace from the manifests, plan on that, and write and fsync the temp
/// files; keep all of it only if cargo's workspace turns out the same,
/// otherwise (dropping the temp files) plan again on cargo's answer.
fn plan_overlapped(
    manifest_path: Option<&Path>,
    opts: &Options,
    write: bool,
) -> Result<(Plan, Option<Prepared>)> {
    std::thread::scope(|scope| {
        let metadata = scope.spawn(|| Workspace::load(manifest_path));
        let guess = discover(manifest_path).and_then(|(ws, parsed)| {
            let plan = plan_parsed(&ws, parsed, opts).ok()?;
            let prepared = if write {
                Some(plan.tx.prepare().ok()?)
            } else {
                None
            };
            Some((ws, plan, prepared))
        });
        let real = metadata.join().unwrap_or_else(|_| {
            Err(Error::Metadata("the cargo metadata thread panicked".into()))
        })?;
        match guess {
            Some((ws, plan, prepared)) if ws.same_members(&real) => Ok((plan, prepared)),
            _ => plan(&real, opts).map(|p| (p, None)),
        }
    })
}

/// One package: the bare version (when `bare`); several: `name version` lines.
fn versions<'a>(rows: impl ExactSizeIterator<Item = (&'a str, String)>, bare: bool) -> String {
    let single = rows.len() == 1 && bare;
    rows.map(|(name, version)| {
        if single {
            format!("{version}\n")
        } else {
            format!("{name} {version}\n")
        }
    })
    .collect()
}

fn status(plan: &Plan, shell: &Shell) {
    if !plan.unversioned.is_empty() {
        shell.note(format_args!(
            "skipped {} without a `version` (0.0.0 to cargo, not publishable): {}",
            count(plan.unversioned.len(), "package", "packages"),
            plan.unversioned.join(", ")
        ));
    }
    for u in &plan.unchanged {
        shell.note(format_args!(
            "`{}` is already at {}; nothing to do",
            u.name, u.version
        ));
    }
    if let Some(w) = &plan.workspace_version {
        shell.status(
            "Bumping",
            format_args!("workspace.package.version {} -> {}", w.from, w.to),
        );
    }
    for p in &plan.packages {
        let how = if p.inherited { " (inherited)" } else { "" };
        shell.status(
            "Bumping",
            format_args!("{} {} -> {}{how}", p.name, p.from, p.to),
        );
    }
    for d in &plan.dependents {
        let at = format!("{}: {}.{}", d.manifest.display(), d.table, d.key);
        shell.status(
            "Updating",
            format_args!("{at} \"{}\" -> \"{}\"", d.from, d.to),
        );
    }
    for o in &plan.outside {
        shell.warn(format_args!(
            "{}: {}.{} requires \"{}\", which {} {} no longer satisfies; that crate is not a workspace member, so it will not build against the new version (pass --dependents always to rewrite it)",
            o.manifest.display(),
            o.table,
            o.key,
            o.requirement,
            o.package,
            o.version
        ));
    }
    if let Some(l) = &plan.lockfile {
        let what = format!(
            "{}, {}",
            count(l.packages, "package", "packages"),
            count(l.references, "reference", "references")
        );
        shell.status("Updating", format_args!("{} ({what})", l.path.display()));
    }
    for r in &plan.replacements {
        let matches = count(r.matches, "match", "matches");
        shell.status(
            "Replacing",
            format_args!("{} ({matches})", r.file.display()),
        );
    }
}

fn git_status(plan: &Plan, shell: &Shell) {
    for f in &plan.not_committed {
        shell.note(format_args!(
            "{} is not tracked by git (ignored or never added): written, not committed",
            f.display()
        ));
    }
    if let Some(message) = &plan.commit {
        shell.status("Committing", message.lines().next().unwrap_or(""));
    }
    for (name, _) in &plan.tags {
        shell.status("Tagging", name);
    }
}
