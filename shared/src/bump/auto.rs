//! `cargo bump auto`: the level implied by the Conventional Commits since
//! the last release tag reachable from HEAD (`v*`; when one package is
//! named with `-p`, its `<crate>-v*` tags if it has any, and only the
//! commits that touch its directory, as `git changelog -p`).

use std::path::{Path, PathBuf};

use super::Options;
use crate::changelog::Config;
use crate::changelog::history::{self, ScopeArgs};
use crate::commits::{self, Bump, Implied};
use crate::error::Result;
use crate::git::Repo;
use crate::term::{Shell, count};
use crate::version::{Level, Target};
use crate::workspace::start_manifest;

/// `opts` with an unresolved `auto` replaced by the level the history implies.
pub(super) fn resolve(
    opts: &Options,
    manifest_path: Option<&Path>,
    shell: &Shell,
) -> Result<Options> {
    if opts.spec.target != Target::Level(Level::Auto(None)) {
        return Ok(opts.clone());
    }
    let start = start_manifest(manifest_path)
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    let repo = Repo::discover(&start)?;
    let config = Config::load(&repo)?;
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
    let scope = history::scope(&args, &repo, &config, shell)?;
    let history::Pending {
        commits: history,
        last,
    } = history::pending(&repo, &scope, false, shell)?;
    let parsed: Vec<commits::Conventional> = commits::classify(&history, false, &config.types())
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let raw = commits::raw_level(&parsed);
    let since = last
        .as_ref()
        .map_or("the first commit".to_string(), |t| t.name.clone());
    let found = count(history.len(), "commit", "commits");
    shell.status(
        "Analyzing",
        format_args!("{found} since {since}: {}", raw.as_str()),
    );
    if raw == Bump::None {
        shell.note(format_args!(
            "no feature, fix or breaking change since {since}: nothing to release"
        ));
    }
    let mut resolved = opts.clone();
    resolved.spec.target = Target::Level(Level::Auto(Some(Implied {
        raw,
        features_always_minor: config.features_always_minor,
    })));
    Ok(resolved)
}
