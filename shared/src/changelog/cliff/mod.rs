//! `git changelog` with a git-cliff configuration (`cliff.toml`,
//! `[*.metadata.git-cliff]`, release-plz.toml's `[changelog]`): the
//! changelog git-cliff writes from the same configuration and history.
//!
//! The rules follow git-cliff 2.14.2 (MIT OR Apache-2.0,
//! <https://github.com/orhun/git-cliff>) as read in its source; tests
//! compare the output with the real git-cliff's.

pub mod bump;
mod commit;
mod config;
mod context;
mod history;
mod release;
mod render;
mod template;
mod text;

use std::path::{Path, PathBuf};

pub use config::{Level, Source};
pub use history::Span;

use crate::error::{Error, Result};
use crate::term::Shell;

/// `--release auto|major|minor|patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bump {
    /// What the commits imply (`[bump]` rules).
    Auto,
    /// This level.
    Level(Level),
}

/// What `--bump` / `--next-version` print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// major, minor, patch or none.
    Level,
    /// The next version, prefix kept.
    Version,
}

/// A run with a git-cliff configuration.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Which configuration.
    pub source: Source,
    /// Which part of history.
    pub span: Span,
    /// `--release VERSION`: the unreleased changes are this version.
    pub release: Option<String>,
    /// `--release auto|major|minor|patch`.
    pub bump: Option<Bump>,
    /// `--bump` / `--next-version`.
    pub ask: Option<Ask>,
    /// `--ignore-tags`.
    pub ignore_tags: Option<String>,
    /// `--skip-tags`.
    pub skip_tags: Option<String>,
    /// `--skip-commit` (repeatable).
    pub skip_commits: Vec<String>,
    /// `--topo-order`.
    pub topo_order: bool,
    /// `--path` (repeatable): globs added to `include_paths`.
    pub paths: Vec<PathBuf>,
    /// `-p NAME`: a workspace member's files (`include_paths`,
    /// `exclude_paths`) and its release tags (`tag_pattern`, unless
    /// `--tag-pattern` is given).
    pub package: Option<String>,
    /// `--no-exec`: no `replace_command` runs.
    pub no_exec: bool,
    /// `--with-tag-message`: the newest release's message.
    pub tag_message: Option<String>,
    /// `--tag-pattern` (a regex here, as git-cliff reads it).
    pub tag_pattern: Option<String>,
    /// `--prepend FILE`.
    pub prepend: Option<PathBuf>,
    /// `--dry-run` with `--prepend`.
    pub dry_run: bool,
    /// The date of a new release, seconds since the epoch (default: now).
    pub now: Option<i64>,
    /// `--format json`: the template context (git cliff --context).
    pub context: bool,
    /// `--notes`: the newest release's body alone, no header or footer.
    pub notes: bool,
    /// `--from-context FILE` (`-`: stdin): render these releases instead
    /// of reading the history.
    pub from_context: Option<PathBuf>,
    /// Flags that only mean something with a git-cliff configuration.
    pub cliff_only: bool,
}

/// A run's configuration, templates and releases, ready to print.
struct Prepared {
    config: config::Config,
    path: PathBuf,
    templates: render::Templates,
    releases: Vec<release::Release>,
    bumped: Option<(String, Option<Level>)>,
}

impl Prepared {
    fn bad(&self, message: String) -> Error {
        Error::Invalid {
            path: self.path.clone(),
            at: None,
            message,
            help: None,
        }
    }

    /// The newest release's body alone, no header or footer.
    fn notes(&self) -> Result<String> {
        let first = self
            .releases
            .first()
            .map(std::slice::from_ref)
            .unwrap_or_default();
        let mut body_only = self.config.clone();
        body_only.changelog.header = None;
        body_only.changelog.footer = None;
        let templates = render::Templates::new(&body_only).map_err(|m| self.bad(m))?;
        templates
            .render(first, &body_only, false)
            .map_err(|m| self.bad(m))
    }
}

/// Runs `req` in the repository at `dir`; `Ok(None)` when no git-cliff
/// configuration applies (the built-in format is used).
pub fn exec(dir: &Path, req: &Request, shell: &Shell) -> Result<Option<()>> {
    let Some(run) = prepare(dir, req, shell)? else {
        return Ok(None);
    };
    if let Some(ask) = req.ask {
        if let Some((version, level)) = &run.bumped {
            match ask {
                Ask::Version => crate::term::print(&format!("{version}\n"))?,
                Ask::Level => {
                    crate::term::print(&format!("{}\n", level.map_or("none", Level::as_str)))?
                }
            }
        }
        return Ok(Some(()));
    }
    if req.context {
        let json = serde_json::to_string(&run.releases).map_err(|e| Error::Git {
            message: e.to_string(),
            help: None,
        })?;
        crate::term::print(&format!("{json}\n"))?;
        return Ok(Some(()));
    }
    if req.notes {
        crate::term::print(&run.notes()?)?;
        return Ok(Some(()));
    }
    match &req.prepend {
        Some(file) => write_prepend(file, &run, req.dry_run, shell)?,
        None => {
            let out = run
                .templates
                .render(&run.releases, &run.config, true)
                .map_err(|m| run.bad(m))?;
            match &run.config.changelog.output {
                // Relative to where it runs, as git-cliff's.
                Some(path) => crate::fs::write_atomic(&dir.join(path), out.as_bytes())?,
                None => crate::term::print(&out)?,
            }
        }
    }
    Ok(Some(()))
}

/// One release's changelog file with a git-cliff configuration, as
/// `git changelog -p PACKAGE --release TAG --prepend FILE` would write it
/// (`cargo bump auto --changelog`): the file as it is and as it would be,
/// and the release's notes. `Ok(None)` without a configuration.
pub fn release_file(
    dir: &Path,
    package: Option<&str>,
    tag: &str,
    file: &Path,
    shell: &Shell,
) -> Result<Option<ReleaseText>> {
    let req = Request {
        release: Some(tag.to_string()),
        package: package.map(str::to_string),
        ..Request::default()
    };
    let Some(run) = prepare(dir, &req, shell)? else {
        return Ok(None);
    };
    let (old, new) = prepended(file, &run, shell)?;
    Ok(Some(ReleaseText {
        notes: run.notes()?,
        new: new.or_else(|| old.clone()).unwrap_or_default(),
        old,
    }))
}

/// What [`release_file`] gives.
pub struct ReleaseText {
    /// The file before (`None`: there is none).
    pub old: Option<String>,
    /// The file after.
    pub new: String,
    /// The release's body alone.
    pub notes: String,
}

/// The configuration, the templates and the releases `req` asks for.
fn prepare(dir: &Path, req: &Request, shell: &Shell) -> Result<Option<Prepared>> {
    git2::opts::strict_hash_verification(false);
    // Outside a repository the built-in path says what is wrong, unless
    // the releases come from a context.
    let repo = git2::Repository::discover(dir).ok();
    let root = match &repo {
        Some(repo) => PathBuf::from(history::root(repo)),
        None if req.from_context.is_some() => dir.to_path_buf(),
        None => return Ok(None),
    };
    let Some(found) = config::find(&req.source, &root, shell)? else {
        return Ok(None);
    };
    shell.status(
        "Using",
        format!("git-cliff configuration {}", found.path.display()),
    );
    let mut config = found.config;
    let bad = |message: String| Error::Invalid {
        path: found.path.clone(),
        at: None,
        message,
        help: None,
    };
    include_paths(&mut config.git, req, dir, &root);
    if let Some(name) = &req.package {
        member(&mut config.git, name, req.tag_pattern.is_some(), dir)?;
    }
    overrides(&mut config, req, &root).map_err(|m| Error::Usage {
        message: m,
        help: "patterns are Rust regular expressions".into(),
    })?;
    let templates = render::Templates::new(&config).map_err(bad)?;
    let remote_fields = req.context || templates.may_read_remote(&config);
    if templates.may_read_remote(&config) {
        shell.note("the configuration reads remote (GitHub, GitLab, ...) data: git changelog works offline, so `remote` holds only what [remote] says and the per-commit and per-release remote fields are empty (as with git-cliff --offline)");
    }
    let now = req.now.unwrap_or_else(now);
    let mut releases = match (&req.from_context, &repo) {
        (Some(path), _) => context::read(path, remote_fields)?,
        (None, Some(repo)) => {
            from_history(repo, req, &config, &templates, remote_fields, now, shell)?
        }
        (None, None) => return Ok(None),
    };
    let bumped = bump(&mut releases, req, &config, now).map_err(|m| Error::Git {
        message: m,
        help: None,
    })?;
    Ok(Some(Prepared {
        config,
        path: found.path,
        templates,
        releases,
        bumped,
    }))
}

/// The releases of the history `req` asks for, processed as git-cliff
/// processes them (newest first).
fn from_history(
    repo: &git2::Repository,
    req: &Request,
    config: &config::Config,
    templates: &render::Templates,
    remote_fields: bool,
    now: i64,
    shell: &Shell,
) -> Result<Vec<release::Release>> {
    let git_err = |e: git2::Error| Error::Git {
        message: e.message().to_string(),
        help: None,
    };
    let mut all_tags = history::tags(
        repo,
        config.git.tag_pattern.as_ref(),
        config.git.topo_order,
        config.git.use_branch_tags,
    )
    .map_err(git_err)?;
    let range = history::range(repo, &req.span, &mut all_tags, &config.git).map_err(|message| {
        Error::Git {
            message,
            help: None,
        }
    })?;
    let cut = history::Cut {
        range: range.as_deref(),
        tags: history::counted(repo, all_tags, &config.git),
        tag: req.release.as_deref(),
        tag_message: req.tag_message.as_deref(),
        newest_first: config.git.newest_first,
        statistics: templates.uses_statistics(config),
        remote_fields,
        now,
    };
    let mut releases = history::releases(repo, &config.git, cut).map_err(|e| Error::Git {
        message: format!(
            "reading {}: {}",
            range.as_deref().unwrap_or("HEAD"),
            e.message()
        ),
        help: Some("name tags or commits that exist (git log --oneline)".into()),
    })?;
    let counts = render::process_commits(&mut releases, &config.git).map_err(|m| Error::Git {
        message: m,
        help: None,
    })?;
    report(&counts, shell);
    Ok(render::process_releases(releases, config, now))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// `--path` adds to `include_paths`; with none, a run from a subdirectory
/// of the repository reads only it (as git-cliff does).
fn include_paths(git: &mut config::GitConfig, req: &Request, dir: &Path, root: &Path) {
    for p in &req.paths {
        let p = crate::paths::slash(p);
        let p = p.trim_end_matches('/');
        if p.contains(['*', '?', '[']) {
            git.include_paths.push(p.to_string());
        } else {
            git.include_paths.push(p.to_string());
            git.include_paths.push(format!("{p}/**"));
        }
    }
    let here = crate::paths::canonical(dir);
    if git.include_paths.is_empty()
        && let Ok(rel) = here.strip_prefix(crate::paths::canonical(root))
        && !rel.as_os_str().is_empty()
    {
        git.include_paths
            .push(format!("{}/**/*", crate::paths::slash(rel)));
    }
}

/// `-p NAME`: the member's files and, unless `--tag-pattern` says
/// otherwise, its release tags (`<name>-v*`, or the workspace's `v*`, as
/// for the built-in format) as a regex.
fn member(git: &mut config::GitConfig, name: &str, pattern_given: bool, dir: &Path) -> Result<()> {
    let manifest = crate::workspace::find_manifest(dir).ok_or_else(|| Error::Conflict {
        message: format!(
            "-p {name} needs a Cargo workspace, and there is none at `{}`",
            dir.display()
        ),
        help: "outside Cargo, name the files with --path and the tags with --tag-pattern".into(),
    })?;
    let ws = crate::workspace::Workspace::load(Some(&manifest))?;
    let index = ws.select(&crate::workspace::Selection {
        packages: vec![name.to_string()],
        ..crate::workspace::Selection::default()
    })?[0];
    let repo = crate::git::Repo::discover_any(dir)?;
    let paths = crate::release::members::member_paths(repo.workdir(), &ws, index)?;
    for p in paths.included() {
        if p.is_empty() || p == "." {
            // The member at the repository's root: every file but those
            // of the members below it.
            git.include_paths.push("**".into());
            continue;
        }
        git.include_paths.push(p.clone());
        git.include_paths.push(format!("{p}/**"));
    }
    for p in paths.excluded() {
        git.exclude_paths.push(format!("{p}/**"));
    }
    if !pattern_given {
        let glob = crate::release::members::member_pattern(&repo, &ws, index, None)?;
        let re = format!("^{}$", regex::escape(&glob).replace("\\*", ".*"));
        git.tag_pattern = Some(config::regex("-p", &re).map_err(|message| Error::Usage {
            message,
            help: "give the tags with --tag-pattern".into(),
        })?);
    }
    Ok(())
}

/// The command line over the configuration.
fn overrides(
    config: &mut config::Config,
    req: &Request,
    root: &Path,
) -> std::result::Result<(), String> {
    let git = &mut config.git;
    if let Some(p) = &req.skip_tags {
        git.skip_tags = Some(config::regex("--skip-tags", p)?);
    }
    // An empty skip_tags skips nothing (git-cliff drops it).
    git.skip_tags = git.skip_tags.take().filter(|r| !r.as_str().is_empty());
    if let Some(p) = &req.tag_pattern {
        git.tag_pattern = Some(config::regex("--tag-pattern", p)?);
    }
    if let Some(p) = &req.ignore_tags {
        git.ignore_tags = Some(config::regex("--ignore-tags", p)?);
    }
    git.topo_order |= req.topo_order;
    if req.no_exec {
        for p in git.commit_preprocessors.iter_mut() {
            p.replace_command = None;
        }
    }
    let mut skip: Vec<String> = std::fs::read_to_string(root.join(".cliffignore"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !(l.starts_with('#') || l.trim().is_empty()))
        .map(|l| l.trim().to_string())
        .collect();
    skip.extend(req.skip_commits.iter().cloned());
    for sha in skip {
        git.commit_parsers.insert(
            0,
            config::CommitParser {
                sha: Some(sha),
                skip: Some(true),
                ..config::CommitParser::default()
            },
        );
    }
    if req.no_exec {
        for p in config.changelog.postprocessors.iter_mut() {
            p.replace_command = None;
        }
    }
    if let Some(Bump::Level(l)) = req.bump {
        config.bump.bump_type = Some(l);
    }
    if let Some(tag) = &req.release {
        config.bump.initial_tag = Some(tag.clone());
    }
    Ok(())
}

/// Titles the unreleased changes with the next version when asked, as
/// git-cliff does: with nothing unreleased the answer is the last version
/// (level none), with no release at all the initial tag.
fn bump(
    releases: &mut [release::Release],
    req: &Request,
    config: &config::Config,
    now: i64,
) -> std::result::Result<Option<(String, Option<Level>)>, String> {
    if req.bump.is_none() && req.ask.is_none() {
        return Ok(None);
    }
    let answer = match releases.first_mut() {
        Some(first) if first.version.is_none() => {
            let (version, level) =
                first.next_version(&config.bump, config.git.conventional_commits)?;
            first.bump_type = level;
            first.version = Some(version.clone());
            first.timestamp = Some(now);
            (version, level)
        }
        Some(first) => (first.version.clone().unwrap_or_default(), None),
        None => (
            config
                .bump
                .initial_tag
                .clone()
                .unwrap_or_else(|| "0.1.0".into()),
            None,
        ),
    };
    if let Some(pattern) = &config.git.tag_pattern
        && !pattern.is_match(&answer.0)
    {
        return Err(format!(
            "the next version ({}) does not match the tag pattern: {pattern}",
            answer.0
        ));
    }
    Ok(Some(answer))
}

fn report(counts: &render::Counts, shell: &Shell) {
    for (n, why) in [
        (counts.skipped, "skipped by a commit parser"),
        (
            counts.unmatched,
            "not matched by any commit parser (filter_commits)",
        ),
    ] {
        if n > 0 {
            shell.note(format!(
                "{} {why}",
                crate::text::count(n, "commit", "commits")
            ));
        }
    }
    for e in &counts.errors {
        shell.warn(e);
    }
}

/// Puts the new releases at the top of `file`, below its header; releases
/// already in the file are left out.
fn write_prepend(file: &Path, run: &Prepared, dry_run: bool, shell: &Shell) -> Result<()> {
    let (existing, out) = prepended(file, run, shell)?;
    let Some(out) = out else {
        return Ok(());
    };
    if dry_run {
        let change = crate::fs::Change {
            path: file,
            original: existing.as_deref().map(str::as_bytes),
            new: out.as_bytes(),
        };
        let root = file.parent().unwrap_or(Path::new("."));
        crate::term::print(&crate::diff::unified(&change, root))?;
        return Ok(());
    }
    crate::fs::write_atomic(file, out.as_bytes())?;
    shell.status("Updated", file.display());
    Ok(())
}

/// `file` as it is (`None`: missing) and with the new releases of `run`
/// in front as git-cliff's `--prepend` puts them (`None`: every release
/// is already in it).
fn prepended(
    file: &Path,
    run: &Prepared,
    shell: &Shell,
) -> Result<(Option<String>, Option<String>)> {
    let existing = match std::fs::read_to_string(file) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("read", file, e)),
    };
    let text = existing.clone().unwrap_or_default();
    let (new, already): (Vec<_>, Vec<_>) = run
        .releases
        .iter()
        .cloned()
        .partition(|r| r.version.as_deref().is_none_or(|v| !has_release(&text, v)));
    for r in &already {
        shell.note(format!(
            "{} is already in {}: left as it is",
            r.version.as_deref().unwrap_or_default(),
            file.display()
        ));
    }
    if new.is_empty() && !already.is_empty() {
        return Ok((existing, None));
    }
    let bad = |message: String| Error::Invalid {
        path: file.to_path_buf(),
        at: None,
        message,
        help: None,
    };
    let generated = run
        .templates
        .render(&new, &run.config, false)
        .map_err(bad)?;
    let out = render::prepend(&generated, text, &run.config);
    Ok((existing, Some(out)))
}

/// Whether a heading of `text` names `version` (with or without its `v`).
fn has_release(text: &str, version: &str) -> bool {
    let bare = version.strip_prefix('v').unwrap_or(version);
    text.lines().filter(|l| l.starts_with('#')).any(|l| {
        l.split(|c: char| c.is_whitespace() || "[]()".contains(c))
            .any(|w| w == version || w == bare || w.strip_prefix('v') == Some(bare))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_in_a_heading_is_found() {
        let text = "# Changelog\n\n## [1.2.0] - 2026-01-01\n- 1.3.0 mentioned\n## v0.9.0\n";
        assert!(has_release(text, "v1.2.0"));
        assert!(has_release(text, "1.2.0"));
        assert!(has_release(text, "0.9.0"));
        assert!(!has_release(text, "1.3.0"));
        assert!(!has_release(text, "1.2"));
    }
}
