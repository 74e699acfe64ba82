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
use crate::workspace::Workspace;

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

/// Whether `opts` asks for `auto` (the level the history implies).
pub(super) fn is_auto(opts: &Options) -> bool {
    opts.spec.target == Target::Level(Level::Auto(None))
}

/// The one package `auto` reads the history of (its directory and its own
/// tags, as `git changelog -p`), when exactly one is named.
pub(super) fn package(opts: &Options) -> Option<&str> {
    match opts.selection.packages.as_slice() {
        [name] if !name.contains(['*', '?', '[']) => Some(name.as_str()),
        _ => None,
    }
}

/// `opts` with `auto` replaced by the level the history since the last
/// release implies, and what was read. `start` is the manifest the run
/// starts from; `ws` the workspace, needed only when [`package`] names one.
pub(super) fn resolve(
    opts: &Options,
    start: Option<&Path>,
    ws: Option<&Workspace>,
    shell: &Shell,
) -> Result<(Options, Reading)> {
    let dir = start
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let repo = Repo::discover(&dir)?;
    let settings = Settings::load(&repo)?;
    let args = ScopeArgs {
        dir: &dir,
        pattern: None,
        paths: &[],
        package: package(opts),
        workspace: ws,
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
    Ok((resolved, reading))
}
