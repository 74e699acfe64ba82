//! `git changelog`: read the range, classify, then print Markdown, notes,
//! JSON, the bump level or the next version, prepend to a file, or lint.

use std::io::Read;
use std::path::{Path, PathBuf};

use semver::Version;

use super::render::{self, Forge};
use super::{Entry, Filter, merge, release};
use crate::cli::MessageFormat;
use crate::commits::{self, DEFAULT_TYPES, lint, raw_level};
use crate::error::{Error, Result};
use crate::git::{CommitInfo, Repo, SemverTag};
use crate::manifest::{Manifest, VersionKey};
use crate::template::{date_of, today};
use crate::term::{Shell, count, print_data};
use crate::version::{BumpSpec, Level, Target, bump};

/// Everything `git changelog` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `-C <path>`.
    pub dir: Option<PathBuf>,
    /// `--since <rev>` (default: the last release tag).
    pub since: Option<String>,
    /// `--until <rev>` (default: HEAD).
    pub until: Option<String>,
    /// `--tag-pattern` (default `v*`).
    pub tag_pattern: String,
    /// `--release <version>`.
    pub release: Option<String>,
    /// `--date`.
    pub date: Option<String>,
    /// `--prepend <file>`.
    pub prepend: Option<PathBuf>,
    /// `--notes`.
    pub notes: bool,
    /// `--format`.
    pub format: MessageFormat,
    /// `--bump`.
    pub bump: bool,
    /// `--next-version`.
    pub next_version: bool,
    /// `--lint <file|->`.
    pub lint: Option<PathBuf>,
    /// `--lint-range <a..b>`.
    pub lint_range: Option<String>,
    /// `--include <types>`.
    pub include: Vec<String>,
    /// `--merges`.
    pub merges: bool,
}

/// Run; `Ok(false)` when a lint failed.
pub fn exec(opts: &Options, shell: &Shell) -> Result<bool> {
    if let Some(file) = &opts.lint {
        return lint_file(file, shell);
    }
    let dir = opts.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let repo = Repo::discover(&dir).map_err(|_| Error::Git {
        message: format!("`{}` is not inside a git repository", dir.display()),
        help: Some("run it inside a repository, or point -C at one".into()),
    })?;
    if repo.is_shallow() {
        shell.warn("this is a shallow clone: history before its cut-off is missing (`git fetch --unshallow` for all of it)");
    }
    if let Some(range) = &opts.lint_range {
        return lint_range(&repo, range, shell);
    }
    let Some(head) = repo.head()? else {
        shell.note("the repository has no commits yet: nothing to do");
        return Ok(true);
    };
    let until = match &opts.until {
        Some(rev) => repo.resolve(rev)?,
        None => head,
    };
    let last = repo.last_release(&opts.tag_pattern)?;
    let since = match &opts.since {
        Some(rev) => Some(repo.resolve(rev)?),
        None => last.as_ref().map(|t| t.commit),
    };
    let commits = repo.commits(until, since, opts.merges)?;
    let label = opts
        .since
        .clone()
        .or_else(|| last.as_ref().map(|t| t.name.clone()));
    let label = label.unwrap_or_else(|| "the first commit".into());
    let entries = entries(&commits, shell);
    output(opts, &repo, entries, last.as_ref(), &label, shell)
}

fn output(
    opts: &Options,
    repo: &Repo,
    entries: Vec<Entry>,
    last: Option<&SemverTag>,
    label: &str,
    shell: &Shell,
) -> Result<bool> {
    let classified: Vec<commits::Conventional> = entries.iter().map(|e| e.commit.clone()).collect();
    if opts.bump || opts.next_version {
        let current = current_version(last, repo);
        let spec = BumpSpec {
            target: Target::Level(Level::Auto(Some(raw_level(&classified)))),
            pre: None,
            build: None,
        };
        let next = bump(&current, &spec).unwrap_or(current.clone());
        let level = commits::for_version(raw_level(&classified), &current, false);
        let data = if opts.bump {
            level.as_str().to_string()
        } else {
            next.to_string()
        };
        return print(&format!("{data}\n")).map(|()| true);
    }
    let filter = Filter {
        include: opts.include.clone(),
    };
    let date = opts
        .release
        .as_ref()
        .map(|_| opts.date.clone().unwrap_or_else(today));
    let mut rel = release(opts.release.clone(), date, entries, &filter);
    rel.previous_tag = last.map(|t| t.name.clone());
    if rel.sections.is_empty() {
        shell.note(format_args!("no changes to list since {label}"));
        return Ok(true);
    }
    let forge = repo.origin_url().and_then(|u| Forge::from_remote(&u));
    if let Some(file) = &opts.prepend {
        return prepend(
            file,
            &render::release(&rel, forge.as_ref()),
            opts.release.as_deref(),
            shell,
        )
        .map(|()| true);
    }
    let text = match (opts.format, opts.notes) {
        (MessageFormat::Json, _) => format!(
            "{}\n",
            serde_json::to_string_pretty(&rel).unwrap_or_default()
        ),
        (_, true) => render::notes(&rel, forge.as_ref()),
        _ => render::release(&rel, forge.as_ref()),
    };
    print(&text).map(|()| true)
}

/// Conventional commits as entries (see [`commits::classify`]); messages
/// that were not UTF-8 are warned about.
fn entries(commits: &[CommitInfo], shell: &Shell) -> Vec<Entry> {
    for c in commits.iter().filter(|c| c.lossy) {
        shell.warn(format_args!(
            "commit {} has a message that is not UTF-8; it was decoded lossily",
            &c.hash[..7]
        ));
    }
    commits::classify(commits)
        .into_iter()
        .map(|(i, commit)| Entry {
            commit,
            hash: commits[i].hash.clone(),
            author: commits[i].author.clone(),
            date: date_of(commits[i].time),
        })
        .collect()
}

/// The version the next one is computed from: the last release tag's, else
/// the root Cargo.toml's, else 0.0.0.
fn current_version(last: Option<&SemverTag>, repo: &Repo) -> Version {
    if let Some(tag) = last {
        return tag.version.clone();
    }
    let from_manifest = Manifest::load(&repo.workdir().join("Cargo.toml"))
        .ok()
        .and_then(|m| match m.package_version().ok()? {
            VersionKey::Own(v, _) => Some(v),
            _ => m.workspace_version().ok().flatten().map(|(v, _)| v),
        });
    from_manifest.unwrap_or(Version::new(0, 0, 0))
}

fn prepend(file: &Path, release_md: &str, version: Option<&str>, shell: &Shell) -> Result<()> {
    let existing = match std::fs::read_to_string(file) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("read", file, e)),
    };
    let merged =
        merge::merge(existing.as_deref(), release_md, version).map_err(|e| Error::Conflict {
            message: format!("{}: {e}", file.display()),
            help: "choose another version with --release, or drop --release to update [Unreleased]"
                .into(),
        })?;
    if existing.as_deref() == Some(merged.as_str()) {
        shell.note(format_args!("{} is already up to date", file.display()));
        return Ok(());
    }
    crate::fs::write_atomic(file, merged.as_bytes())?;
    shell.status("Updated", file.display());
    Ok(())
}

fn lint_file(file: &Path, shell: &Shell) -> Result<bool> {
    let mut text = String::new();
    if file == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io("read", "<stdin>", e))?;
    } else {
        let bytes = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    match lint(&text, &DEFAULT_TYPES) {
        Ok(()) => Ok(true),
        Err(e) => {
            shell.error_message(format_args!("{}:{e}", file.display()));
            Ok(false)
        }
    }
}

fn lint_range(repo: &Repo, range: &str, shell: &Shell) -> Result<bool> {
    let (from, to) = range.split_once("..").unwrap_or(("", range));
    let since = (!from.is_empty()).then(|| repo.resolve(from)).transpose()?;
    let until = repo.resolve(if to.is_empty() { "HEAD" } else { to })?;
    let commits = repo.commits(until, since, true)?;
    let mut bad = 0;
    for c in &commits {
        if let Err(e) = lint(&c.message, &DEFAULT_TYPES) {
            bad += 1;
            shell.error_message(format_args!("commit {}: {e}", &c.hash[..7]));
        }
    }
    let checked = count(commits.len(), "commit", "commits");
    shell.status(
        "Checked",
        format_args!("{checked}, {} not conventional", bad),
    );
    Ok(bad == 0)
}

fn print(text: &str) -> Result<()> {
    print_data(text).map_err(|e| Error::io("write", "<stdout>", e))
}
