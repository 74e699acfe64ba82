//! `--prepend`: merging releases into a changelog file, hand edits kept.

use std::path::Path;

use super::render::{self, Forge};
use super::{Release, merge};
use crate::error::{Error, Result};
use crate::term::{Shell, print};

/// The file releases are merged into, and how.
pub(super) struct ChangelogFile<'a> {
    /// The changelog file (created if missing).
    pub(super) file: &'a Path,
    /// Where links point.
    pub(super) forge: Option<&'a Forge>,
    /// The link reference definitions of the releases.
    pub(super) links: &'a [merge::Link],
    /// `--dry-run`: the diff on stdout, nothing written.
    pub(super) dry_run: bool,
}

impl ChangelogFile<'_> {
    /// Merge `releases` (newest first) into `file`: each version not yet in it
    /// (with `--all`, versions already there are kept as they are), then the
    /// link reference definitions if the file uses them (or is new).
    pub(super) fn merge(&self, releases: &[Release], shell: &Shell) -> Result<()> {
        let file = self.file;
        let (existing, merged) = self.merged(releases)?;
        if existing.as_deref() == Some(merged.as_str()) {
            shell.note(format_args!("{} is already up to date", file.display()));
            return Ok(());
        }
        if self.dry_run {
            let change = crate::fs::Change {
                path: file,
                original: existing.as_deref().map(str::as_bytes),
                new: merged.as_bytes(),
            };
            let dir = std::env::current_dir().unwrap_or_default();
            print(&crate::diff::unified(&change, &dir))?;
            shell.warn("dry run: no files were written");
            return Ok(());
        }
        crate::fs::write_atomic(file, merged.as_bytes())?;
        let _ = crate::git::journal::record([crate::fs::Change {
            path: file,
            original: existing.as_deref().map(str::as_bytes),
            new: merged.as_bytes(),
        }]);
        shell.status("Updated", file.display());
        Ok(())
    }

    /// The file as it is (`None`: missing) and with `releases` merged in.
    pub(super) fn merged(&self, releases: &[Release]) -> Result<(Option<String>, String)> {
        let file = self.file;
        let existing = match std::fs::read_to_string(file) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("read", file, e)),
        };
        let several = releases.len() > 1;
        let mut text = existing.clone();
        for (i, r) in releases.iter().enumerate().rev() {
            let md = render::release(r, self.forge);
            let new = merge::NewRelease {
                markdown: &md,
                version: r.version.as_deref(),
                hashes: &r.range,
            };
            let place = if i == 0 {
                merge::Place::Newest
            } else {
                merge::Place::ByVersion
            };
            match merge::merge(text.as_deref(), &new, place) {
                Ok(merged) => text = Some(merged),
                Err(merge::MergeError::AlreadyPresent { .. }) if several => {}
                Err(e) => return Err(refused(file, &e)),
            }
        }
        let mut merged = text.unwrap_or_default();
        if existing.is_none() && !self.links.is_empty() {
            merged.push_str(&render::link_lines(self.links));
        } else {
            merged = merge::update_links(&merged, self.links);
        }
        Ok((existing, merged))
    }
}

fn refused(file: &Path, e: &merge::MergeError) -> Error {
    let help = match e {
        merge::MergeError::AlreadyPresent { .. } => {
            "choose another version with --release, or drop --release to update [Unreleased]"
        }
        merge::MergeError::UnclosedFence { .. } => {
            "close the code block with a ``` line, then run again"
        }
    };
    Error::Conflict {
        message: format!("{}: {e}", file.display()),
        help: help.into(),
    }
}
