//! `git changelog`: read the range, classify, then print Markdown, notes,
//! JSON, the bump level or the next version, prepend to a file, or lint.

use std::io::Read;
use std::path::{Path, PathBuf};

use semver::Version;

use super::history::{self, Scope, ScopeArgs};
use super::render::{self, Forge};
use super::{Config, Entry, Filter, Release, merge};
use crate::changelog;
use crate::cli::MessageFormat;
use crate::commits::{self, DEFAULT_TYPES, Implied, lint, raw_level};
use crate::error::{Error, Result};
use crate::git::{CommitInfo, Range, Repo, SemverTag};
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
    /// `--tag-pattern` (default: the configured one, else `v*`).
    pub tag_pattern: Option<String>,
    /// `--all`: one section per release tag.
    pub all: bool,
    /// `--fold-prereleases`.
    pub fold_prereleases: bool,
    /// `--path` (repeatable).
    pub paths: Vec<PathBuf>,
    /// `-p/--package`.
    pub package: Option<String>,
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
    /// `--include-other`.
    pub include_other: bool,
    /// `--merges`.
    pub merges: bool,
    /// `--dry-run`: with `--prepend`, print the diff instead of writing.
    pub dry_run: bool,
}

/// The repository and settings one run works with.
struct Context<'a> {
    opts: &'a Options,
    repo: Repo,
    config: Config,
    scope: Scope,
    shell: &'a Shell,
}

/// Run; `Ok(false)` when a lint failed.
pub fn exec(opts: &Options, shell: &Shell) -> Result<bool> {
    if let Some(file) = &opts.lint {
        return lint_file(file, shell);
    }
    let dir = opts.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    Repo::trust_object_store();
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
    let config = Config::load(repo.workdir())?;
    let args = ScopeArgs {
        dir: &dir,
        pattern: opts.tag_pattern.as_deref(),
        paths: &opts.paths,
        package: opts.package.as_deref(),
    };
    let scope = history::scope(&args, &repo, &config, shell)?;
    let Some(head) = repo.head()? else {
        shell.note("the repository has no commits yet: nothing to do");
        return Ok(true);
    };
    let until = match &opts.until {
        Some(rev) => repo.resolve(rev)?,
        None => head,
    };
    let cx = Context {
        opts,
        repo,
        config,
        scope,
        shell,
    };
    if opts.all {
        return all(&cx, until);
    }
    unreleased(&cx, until)
}

/// The commits since the last release (or `--since`) as one release.
fn unreleased(cx: &Context<'_>, until: git2::Oid) -> Result<bool> {
    let (opts, repo) = (cx.opts, &cx.repo);
    let last = repo.last_release(&cx.scope.pattern, opts.fold_prereleases)?;
    let since = match &opts.since {
        Some(rev) => Some(repo.resolve(rev)?),
        None => last.as_ref().map(|t| t.commit),
    };
    let previous = opts
        .since
        .clone()
        .or_else(|| last.as_ref().map(|t| t.name.clone()));
    let commits = repo.commits(&Range {
        until,
        since,
        merges: opts.merges,
        paths: &cx.scope.paths,
    })?;
    let entries = entries(&commits, opts.include_other, cx.shell);
    if opts.bump || opts.next_version {
        return print_bump(cx, &entries, last.as_ref());
    }
    let mut rel = build(cx, entries, release_span(cx));
    rel.previous_tag = previous.clone();
    if rel.tag.is_none() {
        rel.tag = opts.until.clone();
    }
    if rel.sections.is_empty() {
        let label = previous.unwrap_or_else(|| "the first commit".into());
        cx.shell
            .note(format_args!("no changes to list since {label}"));
        return Ok(true);
    }
    output(cx, &[rel])
}

/// `--release`: (version, tag, date) of the release being made.
fn release_span(cx: &Context<'_>) -> Option<(String, String, String)> {
    let version = cx.opts.release.clone()?;
    let tag = cx.scope.pattern.replacen('*', &version, 1);
    let date = cx.opts.date.clone().unwrap_or_else(today);
    Some((version, tag, date))
}

/// `--all`: a release per tag, newest first.
fn all(cx: &Context<'_>, until: git2::Oid) -> Result<bool> {
    let tags = history::release_tags(&cx.repo, &cx.scope.pattern, cx.opts.fold_prereleases)?;
    let mut spans = history::all_spans(&tags, until, release_span(cx));
    let range = |s: &history::Span| Range {
        until: s.until,
        since: s.since,
        merges: cx.opts.merges,
        paths: &cx.scope.paths,
    };
    let ranges: Vec<Range<'_>> = spans.iter().map(range).collect();
    let mut batches = cx.repo.commits_many(&ranges)?;
    history::settle(&mut spans, &mut batches, |s| cx.repo.batch(&range(s)))?;
    let histories = batches.into_iter().map(|b| b.commits);
    let releases: Vec<Release> = spans
        .into_iter()
        .zip(histories)
        .map(|(span, commits)| {
            let entries = entries(&commits, cx.opts.include_other, cx.shell);
            let mut rel = build(cx, entries, None);
            rel.version = span.version;
            rel.date = span.date;
            rel.tag = span.tag;
            rel.previous_tag = span.previous;
            rel
        })
        .filter(|r| r.version.is_some() || !r.sections.is_empty())
        .collect();
    if releases.is_empty() {
        cx.shell.note("no releases and no changes to list");
        return Ok(true);
    }
    output(cx, &releases)
}

/// A release of `entries`, titled by `release` (else Unreleased).
fn build(
    cx: &Context<'_>,
    entries: Vec<Entry>,
    release: Option<(String, String, String)>,
) -> Release {
    let filter = Filter {
        include: cx.opts.include.clone(),
        config: cx.config.clone(),
    };
    let (version, tag, date) = match release {
        Some((v, t, d)) => (Some(v), Some(t), Some(d)),
        None => (None, None, None),
    };
    let mut rel = changelog::release(version, date, entries, &filter);
    rel.tag = tag;
    rel
}

fn print_bump(cx: &Context<'_>, entries: &[Entry], last: Option<&SemverTag>) -> Result<bool> {
    let classified: Vec<commits::Conventional> = entries.iter().map(|e| e.commit.clone()).collect();
    let implied = Implied {
        raw: raw_level(&classified),
        features_always_minor: cx.config.features_always_minor,
    };
    let current = match (last, &cx.scope.version) {
        (None, Some(v)) => v.clone(),
        _ => current_version(last, &cx.repo),
    };
    let data = if cx.opts.bump {
        implied.for_version(&current).as_str().to_string()
    } else {
        let spec = BumpSpec {
            target: Target::Level(Level::Auto(Some(implied))),
            pre: None,
            build: None,
        };
        bump(&current, &spec).unwrap_or(current).to_string()
    };
    print(&format!("{data}\n")).map(|()| true)
}

/// Print `releases` (newest first) or merge them into the `--prepend` file.
fn output(cx: &Context<'_>, releases: &[Release]) -> Result<bool> {
    let forge = cx.repo.origin_url().and_then(|u| Forge::from_remote(&u));
    let links = forge
        .as_ref()
        .map(|f| render::links(releases, f))
        .unwrap_or_default();
    if let Some(file) = &cx.opts.prepend {
        return prepend(
            file,
            releases,
            forge.as_ref(),
            &links,
            cx.opts.dry_run,
            cx.shell,
        )
        .map(|()| true);
    }
    let text = match (cx.opts.format, cx.opts.notes) {
        (MessageFormat::Json, _) => {
            let json = serde_json::json!({ "releases": releases });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            )
        }
        (_, true) => releases
            .first()
            .map(|r| render::notes(r, forge.as_ref()))
            .unwrap_or_default(),
        _ => {
            let header = if cx.opts.all { merge::HEADER } else { "" };
            let body: String = releases
                .iter()
                .map(|r| render::release(r, forge.as_ref()))
                .collect();
            format!("{header}{body}{}", render::link_lines(&links))
        }
    };
    print(&text).map(|()| true)
}

/// Conventional commits as entries (see [`commits::classify`]); messages
/// that were not UTF-8 are warned about.
fn entries(commits: &[CommitInfo], other: bool, shell: &Shell) -> Vec<Entry> {
    for c in commits.iter().filter(|c| c.lossy) {
        shell.warn(format_args!(
            "commit {} has a message that is not UTF-8; it was decoded lossily",
            &c.hash[..7]
        ));
    }
    commits::classify(commits, other)
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

/// Merge `releases` (newest first) into `file`: each version not yet in it
/// (with `--all`, versions already there are kept as they are), then the
/// link reference definitions if the file uses them (or is new).
fn prepend(
    file: &Path,
    releases: &[Release],
    forge: Option<&Forge>,
    links: &[merge::Link],
    dry_run: bool,
    shell: &Shell,
) -> Result<()> {
    let existing = match std::fs::read_to_string(file) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("read", file, e)),
    };
    let several = releases.len() > 1;
    let mut text = existing.clone();
    for r in releases.iter().rev() {
        let md = render::release(r, forge);
        match merge::merge(text.as_deref(), &md, r.version.as_deref()) {
            Ok(merged) => text = Some(merged),
            Err(merge::MergeError::AlreadyPresent { .. }) if several => {}
            Err(e) => {
                let help = match e {
                    merge::MergeError::AlreadyPresent { .. } => {
                        "choose another version with --release, or drop --release to update [Unreleased]"
                    }
                    merge::MergeError::UnclosedFence { .. } => {
                        "close the code block with a ``` line, then run again"
                    }
                };
                return Err(Error::Conflict {
                    message: format!("{}: {e}", file.display()),
                    help: help.into(),
                });
            }
        }
    }
    let mut merged = text.unwrap_or_default();
    if existing.is_none() && !links.is_empty() {
        merged.push_str(&render::link_lines(links));
    } else {
        merged = merge::update_links(&merged, links);
    }
    if existing.as_deref() == Some(merged.as_str()) {
        shell.note(format_args!("{} is already up to date", file.display()));
        return Ok(());
    }
    if dry_run {
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
    let commits = repo.commits(&Range {
        until,
        since,
        merges: true,
        paths: &[],
    })?;
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
