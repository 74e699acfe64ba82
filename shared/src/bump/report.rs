//! How a bump reports: status lines on stderr, and on stdout the versions
//! (`--print`, `--print-current`, the list), JSON, or the dry-run diff.

use serde::Serialize;

use super::Plan;
use crate::cli::MessageFormat;
use crate::error::Result;
use crate::release::changed::MemberChange;
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

/// `--changed`: `name version last-tag commits` lines (`none` for a member
/// never released), or JSON.
pub(super) fn changed(members: &[&MemberChange], out: Output) -> Result<()> {
    if out.format == MessageFormat::Json {
        return crate::term::print_json(&serde_json::json!({ "packages": members }));
    }
    let text: String = members
        .iter()
        .map(|m| {
            let last = m.last.as_ref().map_or("none", |t| t.name.as_str());
            format!("{} {} {last} {}\n", m.name, m.version, m.count)
        })
        .collect();
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
        MessageFormat::Human => {
            let diff = diff.unwrap_or_default();
            match (out.dry_run, plan_table(plan)) {
                (true, Some(table)) if diff.is_empty() => table,
                (true, Some(table)) => format!("{table}\n{diff}"),
                _ => diff,
            }
        }
    }
}

/// The plan of an `auto` bump, a line per release: `name from -> to level
/// why tag` in aligned columns; `None` for a bump without reasons.
fn plan_table(plan: &Plan) -> Option<String> {
    if plan.packages.is_empty() || plan.packages.iter().any(|p| p.why.is_none()) {
        return None;
    }
    let rows: Vec<[String; 5]> = plan
        .packages
        .iter()
        .map(|p| {
            let why = p.why.clone().unwrap_or_default();
            [
                p.name.clone(),
                format!("{} -> {}", p.from, p.to),
                why.level.as_str().to_string(),
                reason(&why),
                p.tag.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let width = |c: usize| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2), width(3)];
    Some(
        rows.iter()
            .map(|r| {
                format!(
                    "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {}\n",
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    w0 = widths[0],
                    w1 = widths[1],
                    w2 = widths[2],
                    w3 = widths[3]
                )
            })
            .collect(),
    )
}

/// `2 commits (1 breaking) since core-v1.4.0`, `follows core`, or both.
fn reason(why: &super::Why) -> String {
    let mut parts = Vec::new();
    if why.commits > 0 {
        let breaking = match why.breaking {
            0 => String::new(),
            n => format!(" ({n} breaking)"),
        };
        let since = why
            .last_release
            .as_deref()
            .map_or_else(|| "never released".to_string(), |t| format!("since {t}"));
        parts.push(format!(
            "{}{breaking} {since}",
            count(why.commits, "commit", "commits")
        ));
    }
    if !why.dependencies.is_empty() {
        parts.push(format!("follows {}", why.dependencies.join(", ")));
    }
    if let Some(api) = &why.api {
        parts.push(api.clone());
    }
    if let Some(tag) = &why.behind {
        parts.push(format!("the manifest was behind {tag}: counted from it"));
    }
    if parts.is_empty() {
        parts.push("shares the workspace version".into());
    }
    parts.join("; ")
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
    // With `auto`, a package without changes is simply not released (the
    // `Analyzing` lines said so).
    for u in plan.unchanged.iter().filter(|_| !plan.by_history) {
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
    for (file, version) in &plan.changelogs {
        shell.status(
            "Updating",
            format_args!("{} (release {version})", file.display()),
        );
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
