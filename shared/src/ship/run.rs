//! `cargo ship crates`: the options and the run: resolve the registry,
//! plan (index look-ups), then verify everything and upload in order.

use std::path::PathBuf;
use std::time::Duration;

use std::collections::BTreeSet;

use super::contents::{self, Local};
use super::owners;
use super::plan::plan;
use super::publish::{self, Outcome, Uploader};
use super::report::Report;
use super::shadow::Shadow;
use crate::cli::MessageFormat;
use crate::error::{Error, Result};
use crate::registry::http::{Client, Retry};
use crate::registry::index::Index;
use crate::registry::{Choice, Registry};
use crate::term::{Shell, print, print_json};
use crate::workspace::{Selection, Workspace};

/// Everything `cargo ship crates` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `-p`, `--workspace`, `--exclude`.
    pub selection: Selection,
    /// `--registry`, `--index`.
    pub registry: Choice,
    /// `--dry-run`: the plan only.
    pub dry_run: bool,
    /// `--allow-dirty`, passed to `cargo package`.
    pub allow_dirty: bool,
    /// `--format`.
    pub format: MessageFormat,
    /// `--retries` and the backoff.
    pub retry: Retry,
    /// `--wait`: how long an upload may take to show in the index.
    pub wait: Duration,
}

/// Run; `Ok(false)` when an upload failed for good.
pub fn exec(opts: &Options, shell: &Shell) -> Result<bool> {
    let manifest_path = opts.manifest_path.as_deref();
    let meta = crate::workspace::metadata(manifest_path)?;
    let ws = Workspace::from_metadata(meta.clone(), manifest_path);
    ws.select(&opts.selection)?;
    let cwd = std::env::current_dir().map_err(|e| Error::io("read", ".", e))?;
    let registry = Registry::resolve(&opts.registry, &cwd)?;
    let client = Client::new();
    let index = Index::open(&registry, &client, opts.retry)?;
    let mut steps = plan(&meta, &ws, &opts.selection, &index)?;
    let target_dir = ws
        .target_dir
        .clone()
        .unwrap_or_else(|| ws.root.join("target"));
    let shadow = shadow(&ws, &steps, &target_dir, &registry, opts.allow_dirty)?;
    let root_manifest = shadow
        .as_ref()
        .map_or_else(|| ws.root_manifest.clone(), |s| s.root_manifest.clone());
    let mut registry_args = registry.cargo_args();
    registry_args.extend(["--target-dir".into(), target_dir.display().to_string()]);
    let local = Local {
        root_manifest: &root_manifest,
        target_dir: &target_dir,
        registry_args: &registry_args,
    };
    contents::check(&mut steps, &local, &index, shell)?;
    let token = registry.publish_token();
    if let Ok(Some(token)) = &token {
        owners::check(&mut steps, &index, &client, token, shell);
    }
    let mut report = Report::new(&registry, steps, opts.dry_run);
    if opts.dry_run || report.blocked() {
        return finish(&report, opts, shell);
    }
    let names = announce(&report, shell);
    if names.is_empty() {
        return finish(&report, opts, shell);
    }
    let Some(token) = token? else {
        return Err(publish::no_token(&index));
    };
    let uploader = Uploader {
        index: &index,
        token: &token,
        client: &client,
        retry: opts.retry,
        wait: opts.wait,
        target_dir: &target_dir,
        shell,
    };
    let packages: Vec<(&str, &semver::Version)> = names
        .iter()
        .filter_map(|n| {
            let m = ws.members.iter().find(|m| &m.name == n)?;
            Some((n.as_str(), &m.version))
        })
        .collect();
    publish::package_once(
        &root_manifest,
        &packages,
        (&registry_args, &target_dir),
        opts.allow_dirty || shadow.is_some(),
        shell,
    )?;
    upload_all(&mut report, &uploader)?;
    finish(&report, opts, shell)
}

/// The copy to package from when path dependencies are routed to this
/// registry (see [`super::shadow`]). The copy is no git work tree, so the
/// check cargo package makes for uncommitted changes is made here, on the
/// workspace itself, unless `--allow-dirty`.
fn shadow(
    ws: &Workspace,
    steps: &[super::plan::Step],
    target_dir: &std::path::Path,
    registry: &Registry,
    allow_dirty: bool,
) -> Result<Option<Shadow>> {
    let routed: BTreeSet<String> = steps.iter().flat_map(|s| s.routed.clone()).collect();
    let Some(name) = registry.name.as_deref().filter(|_| !routed.is_empty()) else {
        return Ok(None);
    };
    if !allow_dirty && let Ok(repo) = crate::git::Repo::discover(&ws.root) {
        let dirty = repo.dirty_files()?;
        if !dirty.is_empty() {
            return Err(Error::Conflict {
                message: format!(
                    "{} has uncommitted changes: {}",
                    crate::text::count(dirty.len(), "file", "files"),
                    dirty.join(", ")
                ),
                help: "commit them, or pass --allow-dirty".into(),
            });
        }
    }
    let members: Vec<std::path::PathBuf> =
        ws.members.iter().map(|m| m.manifest_path.clone()).collect();
    Shadow::prepare(&ws.root, target_dir, &members, &routed, name).map(Some)
}

/// Say what is skipped and warned about; the names to publish.
fn announce(report: &Report, shell: &Shell) -> Vec<String> {
    for (s, _) in &report.rows {
        for w in &s.warnings {
            shell.warn(format_args!("{} v{}: {w}", s.name, s.version));
        }
        if let Some(skip) = &s.skip {
            shell.status(
                "Skipping",
                format_args!("{} v{}: {}", s.name, s.version, skip.reason()),
            );
        } else if !s.routed.is_empty() {
            shell.note(format_args!(
                "{} v{}: {}",
                s.name,
                s.version,
                super::report::routed_note(&s.routed, &report.registry)
            ));
        }
    }
    report
        .rows
        .iter()
        .filter(|(s, _)| s.skip.is_none())
        .map(|(s, _)| s.name.clone())
        .collect()
}

/// Upload the packages to publish in order; after a failure the rest are
/// not attempted.
fn upload_all(report: &mut Report, uploader: &Uploader<'_>) -> Result<()> {
    let mut stopped = false;
    for i in 0..report.rows.len() {
        if report.rows[i].0.skip.is_some() {
            continue;
        }
        if stopped {
            report.rows[i].1 = Some(Outcome::NotAttempted);
            continue;
        }
        let step = report.rows[i].0.clone();
        let mut outcome = uploader.upload(&step)?;
        if let Outcome::Published { attempts, .. } = &outcome {
            let what = format!("{} v{}", step.name, step.version);
            let tries = if *attempts > 1 {
                format!(" ({attempts} attempts)")
            } else {
                String::new()
            };
            uploader
                .shell
                .status("Published", format_args!("{what}{tries}"));
            let needed = report.rows[i + 1..]
                .iter()
                .any(|(s, _)| s.skip.is_none() && s.needs.contains(&step.name));
            if needed && !uploader.wait_visible(&step.name, &step.version) {
                report.rows[i].1 = Some(outcome);
                uploader.shell.error_message(format_args!(
                    "{what} was uploaded but is not in the index after {}; its dependents wait",
                    publish::seconds(uploader.wait)
                ));
                stopped = true;
                continue;
            }
        }
        if let Outcome::Failed(e) = &outcome {
            uploader
                .shell
                .error_message(format_args!("{} v{}: {e}", step.name, step.version));
            stopped = true;
            outcome = Outcome::Failed(e.clone());
        }
        report.rows[i].1 = Some(outcome);
    }
    Ok(())
}

fn finish(report: &Report, opts: &Options, shell: &Shell) -> Result<bool> {
    if opts.dry_run && opts.format == MessageFormat::Human {
        print(&report.plan_table())?;
    }
    let rows: Vec<_> = report.rows.iter().map(|(s, _)| s.clone()).collect();
    let blocked = contents::blocked(&rows);
    if !opts.dry_run && blocked.is_none() {
        report.summarize(shell);
    }
    if opts.format == MessageFormat::Json {
        print_json(&report.json())?;
    }
    match blocked {
        Some(e) => {
            shell.error(&e);
            Ok(false)
        }
        None => Ok(report.passed()),
    }
}
