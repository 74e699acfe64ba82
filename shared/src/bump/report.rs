//! How a bump reports: status lines on stderr, and on stdout the versions
//! (`--print`, `--print-current`, the list), JSON, or the dry-run diff.

use serde::Serialize;

use super::Plan;
use crate::cli::MessageFormat;
use crate::error::Result;
use crate::term::{Shell, print};
use crate::text::count;

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

/// The packages and their versions (`None`: no `version` key), as `name
/// version` lines, the bare version (`--print-current`, one package) or JSON.
pub(super) fn list(packages: &[(String, Option<semver::Version>)], out: Output) -> Result<()> {
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

/// What a bump prints on stdout: the JSON report, the new versions
/// (`--print`), or with `--dry-run` the diff.
pub(super) fn data(plan: &Plan, out: Output) -> String {
    let diff = out.dry_run.then(|| plan.diff());
    match out.format {
        MessageFormat::Json => {
            let report = Report {
                dry_run: out.dry_run,
                plan,
                diff,
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
        MessageFormat::Human => diff.unwrap_or_default(),
    }
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

/// The status lines of a plan: what is skipped, bumped, updated, replaced.
pub(super) fn status(plan: &Plan, shell: &Shell) {
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

/// The status lines of what was committed and tagged.
pub(super) fn git_status(plan: &Plan, shell: &Shell) {
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
