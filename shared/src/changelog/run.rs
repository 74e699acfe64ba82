//! `git changelog`: read the range, classify, then print Markdown, notes,
//! JSON, the bump level or the next version, prepend to a file, or lint.

use std::io::Read;
use std::path::{Path, PathBuf};

use semver::Version;

use super::history::{self, Reading, Releases, Scope, ScopeArgs, Title};
use super::render::{self, Forge};
use super::{Config, Entry, Filter, Release, merge};
use crate::changelog;
use crate::cli::MessageFormat;
use crate::commits::{self, Implied, lint, raw_level};
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
    /// The commit types the settings know (see [`Config::types`]).
    types: Vec<String>,
    scope: Scope,
    shell: &'a Shell,
}

/// What turns commits into a release: the flags, the settings and the
/// types they know. No repository in it, so `--all` can share it between
/// two threads.
#[derive(Clone, Copy)]
struct Rules<'a> {
    opts: &'a Options,
    config: &'a Config,
    types: &'a [String],
    shell: &'a Shell,
}

impl Context<'_> {
    fn rules(&self) -> Rules<'_> {
        Rules {
            opts: self.opts,
            config: &self.config,
            types: &self.types,
            shell: self.shell,
        }
    }
}

/// Run; `Ok(false)` when a lint failed.
pub fn exec(opts: &Options, shell: &Shell) -> Result<bool> {
    let dir = opts.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    if let Some(file) = &opts.lint {
        let repo = Repo::discover_any(&dir).ok();
        return lint_file(file, repo.as_ref(), opts.format, shell);
    }
    Repo::trust_object_store();
    let repo = Repo::discover_any(&dir)?;
    if repo.is_shallow() {
        shell.warn("this is a shallow clone: history before its cut-off is missing (`git fetch --unshallow` for all of it)");
    }
    let config = Config::load(&repo)?;
    if let Some(range) = &opts.lint_range {
        return lint_range(&repo, &config, range, opts.format, shell);
    }
    let args = ScopeArgs {
        dir: &dir,
        pattern: opts.tag_pattern.as_deref(),
        paths: &opts.paths,
        package: opts.package.as_deref(),
    };
    let scope = history::scope(&args, &repo, &config, shell)?;
    let types = config.types();
    let cx = Context {
        opts,
        repo,
        config,
        types,
        scope,
        shell,
    };
    let Some(head) = cx.repo.head()? else {
        return empty_repository(&cx);
    };
    let until = match &opts.until {
        Some(rev) => cx.repo.resolve(rev)?,
        None => head,
    };
    if opts.all {
        return all(&cx, until);
    }
    unreleased(&cx, until)
}

/// A repository without commits: nothing to list, no level, the current
/// version; JSON still prints its document.
fn empty_repository(cx: &Context<'_>) -> Result<bool> {
    if cx.opts.bump || cx.opts.next_version {
        return print_bump(cx, &[], None);
    }
    if cx.opts.format == MessageFormat::Json && cx.opts.prepend.is_none() {
        let rel = build(&cx.rules(), Vec::new(), release_title(cx));
        return output(cx, &[rel]);
    }
    cx.shell
        .note("the repository has no commits yet: nothing to do");
    Ok(true)
}

/// The commits since the last release (or `--since`) as one release.
fn unreleased(cx: &Context<'_>, until: git2::Oid) -> Result<bool> {
    let (opts, repo) = (cx.opts, &cx.repo);
    let releases = Releases::load(repo, &cx.scope.pattern, opts.fold_prereleases, cx.shell)?;
    let read = Reading {
        merges: opts.merges,
        paths: &cx.scope.paths,
    };
    // `--until X` names the release X is (its tag's version) and starts at
    // the release before it, as `git describe X^`; HEAD on a release tag
    // has nothing after it.
    let until_tag = releases.at(until).cloned();
    let (commits, last) = match (&opts.since, &until_tag) {
        (Some(rev), _) => {
            let since = Some(repo.resolve(rev)?);
            let commits = repo.commits(&Range {
                until,
                since,
                stops: None,
                merges: opts.merges,
                paths: &cx.scope.paths,
            })?;
            (commits, None)
        }
        (None, Some(tag)) if opts.until.is_none() => (Vec::new(), Some(tag.clone())),
        (None, _) => history::unreleased(repo, &releases, until, read)?,
    };
    let previous = opts
        .since
        .clone()
        .or_else(|| last.as_ref().map(|t| t.name.clone()));
    let entries = entries(&cx.rules(), &commits);
    if opts.bump || opts.next_version {
        let last = match (&opts.since, &until_tag) {
            (Some(_), _) => history::unreleased(repo, &releases, until, read)?.1,
            (None, Some(tag)) if opts.until.is_none() => Some(tag.clone()),
            _ => last,
        };
        return print_bump(cx, &entries, last.as_ref());
    }
    let title = match (release_title(cx), &until_tag) {
        (Some(title), _) => Some(title),
        (None, Some(tag)) if opts.until.is_some() => Some(Title::of_tag(repo, tag)?),
        (None, _) => None,
    };
    let mut rel = build(&cx.rules(), entries, title);
    rel.range = commits.iter().map(|c| c.hash.clone()).collect();
    rel.previous_tag = previous.clone();
    if rel.tag.is_none() {
        rel.tag = opts.until.clone();
    }
    if rel.sections.is_empty() && opts.format != MessageFormat::Json {
        let label = previous.unwrap_or_else(|| "the first commit".into());
        cx.shell
            .note(format_args!("no changes to list since {label}"));
        return Ok(true);
    }
    output(cx, &[rel])
}

/// `--release`: the title of the release being made.
fn release_title(cx: &Context<'_>) -> Option<Title> {
    let version = cx.opts.release.clone()?;
    let tag = cx.scope.pattern.replacen('*', &version, 1);
    let date = cx.opts.date.clone().unwrap_or_else(today);
    Some(Title { version, tag, date })
}

/// `--all`: a release per tag, newest first.
fn all(cx: &Context<'_>, until: git2::Oid) -> Result<bool> {
    let releases = Releases::load(
        &cx.repo,
        &cx.scope.pattern,
        cx.opts.fold_prereleases,
        cx.shell,
    )?;
    let read = Reading {
        merges: cx.opts.merges,
        paths: &cx.scope.paths,
    };
    let spans = history::all_spans(&cx.repo, &releases, until, release_title(cx), read)?;
    let rules = cx.rules();
    let weight = |s: &history::Span| s.commits.len();
    let releases: Vec<Release> = on_two_threads(spans, weight, |span| {
        let mut rel = build(&rules, entries(&rules, &span.commits), None);
        if rules.opts.prepend.is_some() {
            rel.range = span.commits.iter().map(|c| c.hash.clone()).collect();
        }
        rel.version = span.version;
        rel.date = span.date;
        rel.tag = span.tag;
        rel.previous_tag = span.previous;
        rel
    })
    .into_iter()
    .filter(|r| r.version.is_some() || !r.sections.is_empty())
    .collect();
    if releases.is_empty() && cx.opts.format != MessageFormat::Json {
        cx.shell.note("no releases and no changes to list");
        return Ok(true);
    }
    output(cx, &releases)
}

/// `work` done on every item, the second half (by `weight`) on a second
/// thread; the results in the items' order.
fn on_two_threads<I: Send, T: Send>(
    items: Vec<I>,
    weight: impl Fn(&I) -> usize,
    work: impl Fn(I) -> T + Sync,
) -> Vec<T> {
    let total: usize = items.iter().map(&weight).sum();
    let mut first = items;
    let mut seen = 0;
    let cut = first
        .iter()
        .position(|item| {
            seen += weight(item);
            seen * 2 >= total
        })
        .map_or(first.len(), |i| i + 1);
    let second = first.split_off(cut.min(first.len()));
    if second.is_empty() {
        return first.into_iter().map(&work).collect();
    }
    std::thread::scope(|scope| {
        let other = scope.spawn(|| second.into_iter().map(&work).collect::<Vec<T>>());
        let mut out: Vec<T> = first.into_iter().map(&work).collect();
        match other.join() {
            Ok(rest) => out.extend(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        out
    })
}

/// A release of `entries`, titled by `release` (else Unreleased).
fn build(cx: &Rules<'_>, entries: Vec<Entry>, title: Option<Title>) -> Release {
    let filter = Filter {
        include: cx.opts.include.clone(),
        config: cx.config.clone(),
    };
    let (version, tag, date) = match title {
        Some(t) => (Some(t.version), Some(t.tag), Some(t.date)),
        None => (None, None, None),
    };
    let mut rel = changelog::release(version, date, entries, &filter);
    rel.tag = tag;
    rel
}

/// `--bump` / `--next-version`: the level the entries imply, or the
/// version it leads to (with `--format json`, both and the current one).
fn print_bump(cx: &Context<'_>, entries: &[Entry], last: Option<&SemverTag>) -> Result<bool> {
    let classified: Vec<commits::Conventional> = entries.iter().map(|e| e.commit.clone()).collect();
    let implied = Implied {
        raw: raw_level(&classified),
        features_always_minor: cx.config.features_always_minor,
    };
    let current = match (last, &cx.scope.version) {
        (Some(tag), _) => tag.version.clone(),
        (None, Some(v)) => v.clone(),
        (None, None) => current_version(&cx.repo)?,
    };
    let level = implied.for_version(&current);
    let spec = BumpSpec {
        target: Target::Level(Level::Auto(Some(implied))),
        pre: None,
        build: None,
    };
    let next = bump(&current, &spec).unwrap_or_else(|_| current.clone());
    if cx.opts.format == MessageFormat::Json {
        let json = serde_json::json!({
            "bump": level,
            "current": current.to_string(),
            "next": next.to_string(),
            "last_release": last.map(|t| &t.name),
            "commits": entries.len(),
        });
        return print_json(&json).map(|()| true);
    }
    let data = if cx.opts.bump {
        level.as_str().to_string()
    } else {
        next.to_string()
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
            let weight = |r: &&Release| r.sections.iter().map(|s| s.entries.len()).sum();
            let parts = on_two_threads(releases.iter().collect(), weight, |r| {
                render::release(r, forge.as_ref())
            });
            let body: String = parts.concat();
            format!("{header}{body}{}", render::link_lines(&links))
        }
    };
    print(&text).map(|()| true)
}

/// Conventional commits as entries (see [`commits::classify`]); messages
/// that were not UTF-8 are warned about.
fn entries(cx: &Rules<'_>, commits: &[CommitInfo]) -> Vec<Entry> {
    for c in commits.iter().filter(|c| c.lossy) {
        cx.shell.warn(format_args!(
            "commit {} has a message that is not UTF-8; it was decoded lossily",
            &c.hash[..7]
        ));
    }
    commits::classify(commits, cx.opts.include_other, cx.types)
        .into_iter()
        .map(|(i, commit)| Entry {
            commit,
            hash: commits[i].hash.clone(),
            author: commits[i].author.clone(),
            date: date_of(commits[i].time),
        })
        .collect()
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
    for (i, r) in releases.iter().enumerate().rev() {
        let md = render::release(r, forge);
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

/// `--lint FILE`: a message on its way into a commit, comments removed as
/// git removes them (`core.commentChar`).
fn lint_file(
    file: &Path,
    repo: Option<&Repo>,
    format: MessageFormat,
    shell: &Shell,
) -> Result<bool> {
    let mut text = String::new();
    if file == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io("read", "<stdin>", e))?;
    } else {
        let bytes = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    let config = match repo {
        Some(r) => Config::load(r)?,
        None => Config::default(),
    };
    let comment = match Repo::comment_string(repo).as_str() {
        "auto" => commits::auto_comment(&text),
        other => other.to_string(),
    };
    let verdict = lint(&commits::strip_comments(&text, &comment), &config.types());
    if format == MessageFormat::Json {
        let json = serde_json::json!({ "file": file, "ok": verdict.is_ok(), "error": verdict.as_ref().err() });
        print_json(&json)?;
    }
    match verdict {
        Ok(()) => Ok(true),
        Err(e) => {
            shell.error_message(format_args!("{}:{e}", file.display()));
            Ok(false)
        }
    }
}

/// `--lint-range A..B`: every commit message of the range, as stored.
fn lint_range(
    repo: &Repo,
    config: &Config,
    range: &str,
    format: MessageFormat,
    shell: &Shell,
) -> Result<bool> {
    let (from, to) = range.split_once("..").unwrap_or(("", range));
    let since = (!from.is_empty()).then(|| repo.resolve(from)).transpose()?;
    let until = match repo.head()? {
        None if to.is_empty() => None,
        _ => Some(repo.resolve(if to.is_empty() { "HEAD" } else { to })?),
    };
    let commits = match until {
        Some(until) => repo.commits(&Range {
            until,
            since,
            stops: None,
            merges: true,
            paths: &[],
        })?,
        None => Vec::new(),
    };
    let types = config.types();
    let mut verdicts = Vec::with_capacity(commits.len());
    for c in &commits {
        let verdict = lint(&c.message, &types);
        if let Err(e) = &verdict {
            shell.error_message(format_args!("commit {}: {e}", &c.hash[..7]));
        }
        verdicts.push(serde_json::json!({
            "hash": c.hash,
            "subject": c.message.lines().next().unwrap_or(""),
            "ok": verdict.is_ok(),
            "error": verdict.err(),
        }));
    }
    let bad = verdicts.iter().filter(|v| v["ok"] == false).count();
    if format == MessageFormat::Json {
        let json = serde_json::json!({
            "range": range,
            "checked": commits.len(),
            "failed": bad,
            "commits": verdicts,
        });
        print_json(&json)?;
    }
    let checked = count(commits.len(), "commit", "commits");
    shell.status(
        "Checked",
        format_args!("{checked}, {} not conventional", bad),
    );
    Ok(bad == 0)
}

fn print_json(value: &serde_json::Value) -> Result<()> {
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    ))
}

fn print(text: &str) -> Result<()> {
    print_data(text).map_err(|e| Error::io("write", "<stdout>", e))
}
