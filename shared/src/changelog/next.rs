//! `--bump` / `--next-version`: the level the changes since the last
//! release imply (the rule `cargo bump auto` uses), or the version it
//! leads to; with `--format json`, both and the current version.

use semver::Version;

use super::context::{Context, Rules};
use super::options::Answer;
use crate::cli::MessageFormat;
use crate::error::{Error, Result};
use crate::git::{Repo, SemverTag};
use crate::manifest::{Manifest, VersionKey};
use crate::release;
use crate::term::{print, print_json};
use crate::version::{BumpSpec, Level, Target, bump};

/// Print the answer for the changes up to `--until` (else HEAD).
pub(super) fn exec(
    cx: &Context<'_>,
    answer: Answer,
    include_other: bool,
    check_api: bool,
) -> Result<bool> {
    let check_api = check_api || cx.settings.check_api;
    let Some(head) = cx.repo.head()? else {
        return print_next(cx, answer, &[], 0, None, check_api);
    };
    let until = match &cx.history.until {
        Some(rev) => cx.repo.resolve(rev)?,
        None => head,
    };
    let unreleased = cx.unreleased(until)?;
    let rules = Rules {
        include: &[],
        include_other,
        settings: &cx.settings,
        types: &cx.types,
        shell: cx.shell,
    };
    let shown = rules.entries(&unreleased.commits).len();
    let last = unreleased.last_release(cx, until)?;
    print_next(
        cx,
        answer,
        &unreleased.commits,
        shown,
        last.as_ref(),
        check_api,
    )
}

fn print_next(
    cx: &Context<'_>,
    answer: Answer,
    commits: &[crate::git::CommitInfo],
    shown: usize,
    last: Option<&SemverTag>,
    check_api: bool,
) -> Result<bool> {
    let mut implied = release::implied(commits, &cx.settings);
    let current = match (last, &cx.scope.version) {
        (Some(tag), _) => tag.version.clone(),
        (None, Some(v)) => v.clone(),
        (None, None) => current_version(&cx.repo)?,
    };
    if check_api {
        raise_by_api(cx, &mut implied, &current, last)?;
    }
    let level = implied.for_version(&current);
    let spec = BumpSpec {
        target: Target::Level(Level::Auto(Some(implied))),
        pre: None,
        build: None,
    };
    let next = bump(&current, &spec).unwrap_or_else(|_| current.clone());
    if cx.format == MessageFormat::Json {
        let json = serde_json::json!({
            "bump": level,
            "current": current.to_string(),
            "next": next.to_string(),
            "last_release": last.map(|t| &t.name),
            "commits": shown,
        });
        return print_json(&json).map(|()| true);
    }
    let data = match answer {
        Answer::Level => level.as_str().to_string(),
        Answer::Version => next.to_string(),
    };
    print(&format!("{data}\n")).map(|()| true)
}

/// `--check-api`: cargo-semver-checks of the package (`-p`, else the root
/// manifest's) against the last release tag raises the level.
fn raise_by_api(
    cx: &Context<'_>,
    implied: &mut crate::version::Implied,
    current: &Version,
    last: Option<&SemverTag>,
) -> Result<()> {
    let Some(tag) = last else {
        cx.shell
            .note("no release tag yet, so no API to compare with; not checked");
        return Ok(());
    };
    let manifest = cx.repo.workdir().join("Cargo.toml");
    let name = match &cx.history.package {
        Some(p) => p.clone(),
        None => Manifest::load(&manifest)
            .ok()
            .and_then(|m| {
                m.get(&["package", "name"])
                    .and_then(|n| n.as_str())
                    .map(String::from)
            })
            .ok_or_else(|| Error::Usage {
                message: "--check-api needs the package whose API to check".into(),
                help: "name it with -p".into(),
            })?,
    };
    cx.shell.status(
        "Checking",
        format_args!("the API of {name} against {}", tag.name),
    );
    let verdict = release::api::check(&manifest, &name, current, &tag.name)?;
    if verdict.needs > implied.raw {
        let said = implied.for_version(current);
        cx.shell
            .status("API", format_args!("{name}: {}", verdict.reason(said)));
        implied.raw = verdict.needs;
    }
    Ok(())
}

/// The version the next one is computed from when there is no release
/// tag: the root Cargo.toml's (its package's, else `[workspace.package]`'s,
/// else the one version all members share), else 0.0.0.
fn current_version(repo: &Repo) -> Result<Version> {
    let Some(text) = repo.root_file("Cargo.toml")? else {
        return Ok(Version::new(0, 0, 0));
    };
    let path = repo.workdir().join("Cargo.toml");
    let Ok(m) = Manifest::from_text(&path, &text) else {
        return Ok(Version::new(0, 0, 0));
    };
    if let Ok(VersionKey::Own(v, _)) = m.package_version() {
        return Ok(v);
    }
    if let Ok(Some((v, _))) = m.workspace_version() {
        return Ok(v);
    }
    if m.get(&["workspace"]).is_none() || repo.is_bare() {
        return Ok(Version::new(0, 0, 0));
    }
    let ws = crate::workspace::Workspace::load(Some(&path))?;
    let mut versions: Vec<&Version> = ws.members.iter().map(|p| &p.version).collect();
    versions.sort();
    versions.dedup();
    match versions.as_slice() {
        [] => Ok(Version::new(0, 0, 0)),
        [one] => Ok((*one).clone()),
        several => Err(Error::Conflict {
            message: format!(
                "`{}` is a workspace whose members have {} different versions and no `[workspace.package] version`, and there is no release tag to count from",
                path.display(),
                several.len()
            ),
            help: "name the member with -p <name> (its directory and its `<name>-v*` tags)".into(),
        }),
    }
}
