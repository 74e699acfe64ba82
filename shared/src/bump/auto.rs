//! `cargo bump auto`: the level implied by the Conventional Commits since
//! the last release tag reachable from HEAD (`v*`; when one package is
//! named with `-p`, its `<crate>-v*` tags if it has any, and only the
//! commits that touch its directory, as `git changelog -p`).

use std::path::{Path, PathBuf};

use super::Options;
use crate::error::Result;
use crate::git::Repo;
use crate::release::{self, ScopeArgs, Settings};
use crate::term::Shell;
use crate::text::count;
use crate::version::{Bump, Implied};
use crate::version::{Level, Target};
use crate::workspace::start_manifest;

/// What `auto` read of history: for the status line.
#[derive(Clone, Debug)]
pub(super) struct Reading {
    /// How many commits since the last release.
    commits: usize,
    /// The last release tag, if any.
    base: Option<String>,
    /// The level before cargo's 0.x rule.
    implied: Implied,
}

impl Reading {
    /// `Analyzing 3 commits since v0.1.0: patch`, the level after cargo's
    /// 0.x rule for the versions being bumped (`minor (patch for core)`
    /// when they differ), the answer `git changelog --bump` gives.
    pub(super) fn report(&self, from: &[(&str, &semver::Version)], shell: &Shell) {
        let found = count(self.commits, "commit", "commits");
        let range = match &self.base {
            Some(tag) => format!("{found} since {tag}"),
            None => format!("{found}: no release tag, so the whole history"),
        };
        let mut levels: Vec<(Bump, Vec<&str>)> = Vec::new();
        for (name, version) in from {
            let level = self.implied.for_version(version);
            match levels.iter_mut().find(|(l, _)| *l == level) {
                Some((_, names)) => names.push(name),
                None => levels.push((level, vec![name])),
            }
        }
        levels.sort_by_key(|l| std::cmp::Reverse(l.1.len()));
        let level = match levels.as_slice() {
            [] => self.implied.raw.as_str().to_string(),
            [(one, _)] => one.as_str().to_string(),
            [(first, _), rest @ ..] => {
                let others: Vec<String> = rest
                    .iter()
                    .map(|(l, names)| format!("{} for {}", l.as_str(), names.join(", ")))
                    .collect();
                format!("{} ({})", first.as_str(), others.join("; "))
            }
        };
        shell.status("Analyzing", format_args!("{range}: {level}"));
        if self.implied.raw == Bump::None {
            let since = self.base.as_deref().unwrap_or("the first commit");
            shell.note(format_args!(
                "no feature, fix or breaking change since {since}: nothing to release"
            ));
        }
    }
}

/// `opts` with an unresolved `auto` replaced by the level the history
/// implies, and what was read (`None` when the level was given).
pub(super) fn resolve(
    opts: &Options,
    manifest_path: Option<&Path>,
    shell: &Shell,
) -> Result<(Options, Option<Reading>)> {
    if opts.spec.target != Target::Level(Level::Auto(None)) {
        return Ok((opts.clone(), None));
    }
    let start = start_manifest(manifest_path)
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    let repo = Repo::discover(&start)?;
    let settings = Settings::load(&repo)?;
    // One package named: its directory and its own tags, as `git changelog -p`.
    let package = match opts.selection.packages.as_slice() {
        [name] if !name.contains(['*', '?', '[']) => Some(name.as_str()),
        _ => None,
    };
    let args = ScopeArgs {
        dir: &start,
        pattern: None,
        paths: &[],
        package,
    };
    let scope = release::scope(&args, &repo, &settings, shell)?;
    let release::Pending {
        commits: history,
        last,
    } = release::pending(&repo, &scope, false, shell)?;
    let implied = release::implied(&history, &settings);
    let mut resolved = opts.clone();
    resolved.spec.target = Target::Level(Level::Auto(Some(implied)));
    let reading = Reading {
        commits: history.len(),
        base: last.map(|t| t.name),
        implied,
    };
    Ok((resolved, Some(reading)))
}
