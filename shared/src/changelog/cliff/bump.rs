//! A git-cliff configuration's `[bump]` rules for `cargo bump auto`: each
//! member's level from its commits since its last release, as `git cliff
//! --bump` computes it (the commits preprocessed and parsed as the
//! configuration says, `features_always_bump_minor`,
//! `breaking_always_bump_major`, the custom increment regexes,
//! `bump_type`), so that `git changelog --bump` and `cargo bump auto`
//! agree. Only a configuration with a `[bump]` table of its own drives
//! `cargo bump auto`; without one, cargo's 0.x rule applies as before.
//! `initial_tag` is the first release of a member without a release tag,
//! as `git cliff --bumped-version` names it.

use std::path::Path;

use semver::Version;

use super::commit::Commit;
use super::config::{self, Config, Level, Source};
use crate::error::Result;
use crate::git::CommitInfo;
use crate::term::Shell;
use crate::version::Bump;

/// The `[bump]` rules of the configuration found at the repository root.
pub struct BumpRules {
    config: Config,
    /// The file they come from.
    pub path: std::path::PathBuf,
}

/// The `[bump]` rules of the git-cliff configuration of the repository at
/// `root`, when it has a `[bump]` table; warnings about the file on `shell`.
pub fn rules(root: &Path, shell: &Shell) -> Result<Option<BumpRules>> {
    let Some(found) = config::find(&Source::Discover, root, shell)? else {
        return Ok(None);
    };
    if !found.has_bump {
        return Ok(None);
    }
    Ok(Some(BumpRules {
        config: found.config,
        path: found.path,
    }))
}

impl BumpRules {
    /// The level `commits` (newest first) lead to from release `base`.
    pub fn level(&self, base: &Version, commits: &[CommitInfo]) -> Bump {
        let bump = &self.config.bump;
        if let Some(level) = bump.bump_type {
            return from(level);
        }
        let git = &self.config.git;
        let messages = commits.iter().filter_map(|c| {
            let commit = Commit {
                id: c.hash.clone(),
                message: c.message.clone(),
                ..Commit::default()
            };
            let commit = commit.process(git).ok()?;
            let message = commit.raw_message().trim_end();
            Some(if git.conventional_commits {
                message.to_string()
            } else {
                message.lines().next().unwrap_or_default().to_string()
            })
        });
        match super::release::increment(bump, base, messages) {
            Some(super::release::Increment::Level(level)) => from(level),
            Some(super::release::Increment::Prerelease) => Bump::Patch,
            None => Bump::None,
        }
    }

    /// `initial_tag` (git-cliff's default `0.1.0` when unset) and the
    /// SemVer version it holds (`v1.0.0` holds 1.0.0, as git-cliff reads
    /// it); `None` when it holds none.
    pub fn initial(&self) -> Option<(&str, Version)> {
        let tag = self.config.bump.initial_tag.as_deref().unwrap_or("0.1.0");
        let (_, version) = super::release::split_version(tag)?;
        Some((tag, version))
    }
}

fn from(level: Level) -> Bump {
    match level {
        Level::Major => Bump::Major,
        Level::Minor => Bump::Minor,
        Level::Patch => Bump::Patch,
    }
}
