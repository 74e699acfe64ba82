//! Arguments of `git changelog` (git runs `git-changelog` with no extra word).

use std::path::PathBuf;

use clap::Parser;
use cratesmith_shared::changelog::{Answer, Content, History, Mode, Options, Output, cliff};
use cratesmith_shared::cli::{DocArgs, MessageFormat, OutputArgs};

const AFTER_HELP: &str = "\
Examples:
  git changelog                                   unreleased changes since the last v* tag
  git changelog --since v1.0                      changes since a tag or commit
  git changelog --release 1.4.0 --prepend CHANGELOG.md
  git changelog --notes                           the body of one release, for a release page
  git changelog --section 1.2.0                   that release's notes as CHANGELOG.md has them
  cargo bump \"$(git changelog --bump)\"            major, minor, patch or none
  git changelog --lint .git/COMMIT_EDITMSG        as a commit-msg hook
  git changelog --lint-range origin/main..HEAD    in CI

  git changelog --all --fold-prereleases > CHANGELOG.md
  git changelog -p my-crate                       a workspace member: its directory and my-crate-v* tags
  git changelog --path crates/core --path docs    only commits that change these paths

Sections: feat -> Added; fix -> Fixed; perf, refactor, revert -> Changed; security
(type or scope) -> Security; deprecate -> Deprecated; remove -> Removed. docs, chore,
ci, test, build and style are hidden unless --include lists them; commits that are not
Conventional Commits, or whose type is none of these nor one the settings name (release,
wip, deps, ...), are hidden unless --include-other shows them under Changed. A git-style
Revert \"...\" of an earlier release is listed under Changed; a revert and the commit it
reverts, both in the range, cancel out. Below 1.0, a breaking change
bumps minor and a feature patch. When origin is on GitHub, GitLab, Codeberg/Gitea or
Bitbucket, hashes and #123 become links and each release gets a compare link.

Settings: changelog.toml at the repository root, else [workspace.metadata.changelog]
(or [package.metadata.changelog]) in the root Cargo.toml:
  sections = { perf = \"Performance\" }      commit type -> section
  hidden = [\"chore\", \"ci\"]                 types shown only with --include
  features-always-minor = true             below 1.0, a feature bumps minor
  tag-pattern = \"v*\"                        the default --tag-pattern
  check-api = true                         cargo bump auto checks the API
  path = \"docs/CHANGELOG.md\"               the root package's changelog
  combined = true                          cargo bump auto --changelog: one root file

`git changelog --help` is turned by git into `git help changelog`, which reads the
git-changelog man page: install it with `git-changelog --man > <manpath>/man1/git-changelog.1`
(see the README); without it, use `git changelog -h`.";

/// Conventional Commits history to Keep a Changelog Markdown, release notes,
/// the next version, and commit linting.
#[derive(Parser, Debug)]
#[command(name = "git-changelog", version = cratesmith_shared::version!(), about, long_about = None, after_help = AFTER_HELP)]
#[command(group(clap::ArgGroup::new("bump_or_next").args(["bump", "next_version"]).multiple(false)))]
pub(crate) struct Args {
    /// Run as if started in this directory
    #[arg(short = 'C', value_name = "PATH")]
    pub(crate) dir: Option<PathBuf>,
    /// Start after this tag or commit (default: the highest SemVer tag reachable from HEAD)
    #[arg(long, value_name = "REV")]
    pub(crate) since: Option<String>,
    /// End at this tag or commit (default: HEAD)
    #[arg(long, value_name = "REV")]
    pub(crate) until: Option<String>,
    /// Which tags are releases; `*` stands for the version, {{crate}} for -p's name [default: v*]; with a git-cliff configuration a regex
    #[arg(long, value_name = "PATTERN")]
    pub(crate) tag_pattern: Option<String>,
    /// The whole history, one section per release tag (newest first, dated by the tag)
    #[arg(long, conflicts_with_all = ["since", "bump", "next_version", "notes"])]
    pub(crate) all: bool,
    /// Count pre-release tags as part of the stable release that follows them
    #[arg(long)]
    pub(crate) fold_prereleases: bool,
    /// Keep only commits that change this path (repeatable; with a git-cliff configuration a glob, added to include_paths)
    #[arg(long = "path", value_name = "DIR")]
    pub(crate) paths: Vec<PathBuf>,
    /// A workspace member: its directory and its `<name>-v*` tags (through cargo metadata)
    #[arg(short, long, value_name = "NAME")]
    pub(crate) package: Option<String>,
    /// Title the changes as this version (SemVer; a leading `v` is dropped), dated today (or --date); with a git-cliff configuration also auto, major, minor or patch (the next version)
    #[arg(long, value_name = "VERSION", value_parser = parse_release)]
    pub(crate) release: Option<String>,
    /// The release date, YYYY-MM-DD
    #[arg(long, value_name = "DATE", requires = "release", value_parser = parse_date)]
    pub(crate) date: Option<String>,
    /// Merge the release into this changelog file (created if missing)
    #[arg(long, visible_alias = "write", value_name = "FILE")]
    pub(crate) prepend: Option<PathBuf>,
    /// Print only the body of the release (no heading), for a release page
    #[arg(long, conflicts_with = "prepend")]
    pub(crate) notes: bool,
    /// Print the notes of this version as the changelog file has them (hand edits kept), not regenerated: its section, or -p's subsection of a combined changelog
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["all", "since", "until", "release", "prepend", "notes", "bump", "next_version", "lint", "lint_range", "config"])]
    pub(crate) section: Option<String>,
    /// With --section: the changelog file [default: -p's changelog, else CHANGELOG.md at the repository root]
    #[arg(long, value_name = "FILE", requires = "section")]
    pub(crate) file: Option<PathBuf>,
    /// Output format
    #[arg(long, visible_alias = "message-format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub(crate) format: MessageFormat,
    /// Print the bump the changes imply: major, minor, patch or none
    #[arg(long, conflicts_with_all = ["next_version", "prepend", "notes"])]
    pub(crate) bump: bool,
    /// Print the version the changes lead to
    #[arg(long, conflicts_with_all = ["prepend", "notes"])]
    pub(crate) next_version: bool,
    /// With --bump/--next-version: run cargo semver-checks against the last release tag and raise the level to what the API needs
    #[arg(long, requires = "bump_or_next")]
    pub(crate) check_api: bool,
    /// Check one commit message (a file, or - for stdin); for commit-msg hooks
    #[arg(long, value_name = "FILE")]
    pub(crate) lint: Option<PathBuf>,
    /// Check every commit message in a range such as origin/main..HEAD
    #[arg(long, value_name = "RANGE", conflicts_with = "lint")]
    pub(crate) lint_range: Option<String>,
    /// Show these hidden types too (comma-separated, e.g. docs,chore)
    #[arg(long, value_name = "TYPES", value_delimiter = ',')]
    pub(crate) include: Vec<String>,
    /// Show commits that are not Conventional Commits, or have an unknown type, under Changed
    #[arg(long)]
    pub(crate) include_other: bool,
    /// With --prepend: print the change as a unified diff, write nothing
    #[arg(long, requires = "prepend")]
    pub(crate) dry_run: bool,
    /// Include merge commits
    #[arg(long)]
    pub(crate) merges: bool,
    /// Render with this git-cliff configuration (default: cliff.toml, .cliff.toml, .config/cliff.toml, Cargo.toml's [*.metadata.git-cliff], release-plz.toml's [changelog])
    #[arg(long, value_name = "FILE", conflicts_with_all = ["no_config", "lint", "lint_range"])]
    pub(crate) config: Option<PathBuf>,
    /// Ignore any git-cliff configuration: the built-in Keep a Changelog format
    #[arg(long)]
    pub(crate) no_config: bool,
    /// With a git-cliff configuration: only the newest release (git cliff --latest)
    #[arg(long, conflicts_with_all = ["all", "current", "since", "until"])]
    pub(crate) latest: bool,
    /// With a git-cliff configuration: only the release HEAD is tagged with (git cliff --current)
    #[arg(long, conflicts_with_all = ["all", "since", "until"])]
    pub(crate) current: bool,
    /// With a git-cliff configuration: tags matching this regex are not releases; their commits join the next release
    #[arg(long, value_name = "REGEX")]
    pub(crate) ignore_tags: Option<String>,
    /// With a git-cliff configuration: releases whose tag matches this regex are left out, with their commits
    #[arg(long, value_name = "REGEX")]
    pub(crate) skip_tags: Option<String>,
    /// With a git-cliff configuration: leave this commit out (repeatable)
    #[arg(long, value_name = "SHA")]
    pub(crate) skip_commit: Vec<String>,
    /// With a git-cliff configuration: order tags by the commit graph, not by time
    #[arg(long)]
    pub(crate) topo_order: bool,
    /// With a git-cliff configuration: run no replace_command of the pre- and postprocessors
    #[arg(long)]
    pub(crate) no_exec: bool,
    /// With a git-cliff configuration: the message of the newest release (its `message` in templates)
    #[arg(long, value_name = "MESSAGE")]
    pub(crate) with_tag_message: Option<String>,
    /// With a git-cliff configuration: render the releases of this template context (what --format json prints; - for stdin) instead of the history (git cliff --from-context)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["all", "latest", "current", "since", "until", "lint", "lint_range", "section"])]
    pub(crate) from_context: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    #[command(flatten)]
    pub(crate) docs: DocArgs,
}

/// A version as given (a level word, or SemVer with or without `v`).
fn parse_release(s: &str) -> Result<String, String> {
    if ["auto", "major", "minor", "patch"].contains(&s) {
        return Ok(s.to_string());
    }
    let bare = s.strip_prefix('v').unwrap_or(s);
    semver::Version::parse(bare)
        .map(|_| s.to_string())
        .map_err(|e| {
            format!(
                "`{s}` is not a SemVer version such as 1.4.0, nor auto, major, minor or patch ({e})"
            )
        })
}

/// The SemVer version of a `--release` value that is one.
fn normalized(release: &str) -> Option<String> {
    semver::Version::parse(release.strip_prefix('v').unwrap_or(release))
        .ok()
        .map(|v| v.to_string())
}

fn parse_date(s: &str) -> Result<String, String> {
    cratesmith_shared::template::valid_date(s)
}

impl cratesmith_shared::cli::Tool for Args {
    const WORD: Option<&'static str> = None;
    const BINARY: &'static str = "git-changelog";
}

impl Args {
    /// The library options these arguments describe.
    pub(crate) fn options(&self) -> Options {
        Options {
            dir: self.dir.clone(),
            format: self.format,
            mode: self.mode(),
            cliff: self.cliff(),
        }
    }

    /// The same run, for a git-cliff configuration.
    fn cliff(&self) -> cliff::Request {
        let source = match (&self.config, self.no_config) {
            (Some(file), _) => cliff::Source::File(file.clone()),
            (None, true) => cliff::Source::None,
            (None, false) => cliff::Source::Discover,
        };
        let span = if self.all {
            cliff::Span::All
        } else if self.latest {
            cliff::Span::Latest
        } else if self.current {
            cliff::Span::Current
        } else {
            match (&self.since, &self.until) {
                (Some(a), Some(b)) => cliff::Span::Range(format!("{a}..{b}")),
                (Some(a), None) => cliff::Span::Range(format!("{a}..HEAD")),
                (None, Some(b)) => cliff::Span::Range(b.clone()),
                (None, None) => cliff::Span::Unreleased,
            }
        };
        let level = |s: &str| match s {
            "auto" => Some(cliff::Bump::Auto),
            "major" => Some(cliff::Bump::Level(cliff::Level::Major)),
            "minor" => Some(cliff::Bump::Level(cliff::Level::Minor)),
            "patch" => Some(cliff::Bump::Level(cliff::Level::Patch)),
            _ => None,
        };
        let bump = self.release.as_deref().and_then(level);
        let ask = match (self.bump, self.next_version) {
            (true, _) => Some(cliff::Ask::Level),
            (_, true) => Some(cliff::Ask::Version),
            _ => None,
        };
        cliff::Request {
            source,
            span,
            release: self.release.clone().filter(|_| bump.is_none()),
            bump,
            ask,
            ignore_tags: self.ignore_tags.clone(),
            skip_tags: self.skip_tags.clone(),
            skip_commits: self.skip_commit.clone(),
            topo_order: self.topo_order,
            paths: self.paths.clone(),
            package: self.package.clone(),
            no_exec: self.no_exec,
            tag_message: self.with_tag_message.clone(),
            tag_pattern: self.tag_pattern.clone(),
            prepend: self.prepend.clone(),
            dry_run: self.dry_run,
            now: self
                .date
                .as_deref()
                .and_then(cratesmith_shared::template::date_epoch),
            context: self.format == MessageFormat::Json,
            notes: self.notes,
            from_context: self.from_context.clone(),
            cliff_only: self.latest
                || self.from_context.is_some()
                || self.current
                || self.ignore_tags.is_some()
                || self.skip_tags.is_some()
                || !self.skip_commit.is_empty()
                || self.topo_order
                || self.no_exec
                || self.with_tag_message.is_some()
                || bump.is_some(),
        }
    }

    /// The mode: a lint wins over everything else, then `--lint-range`,
    /// `--bump`/`--next-version`, else a changelog.
    fn mode(&self) -> Mode {
        if let Some(file) = &self.lint {
            return Mode::Lint(file.clone());
        }
        if let Some(range) = &self.lint_range {
            return Mode::LintRange(range.clone());
        }
        if let Some(version) = &self.section {
            return Mode::Section {
                version: version.clone(),
                file: self.file.clone(),
                package: self.package.clone(),
            };
        }
        let history = History {
            since: self.since.clone(),
            until: self.until.clone(),
            tag_pattern: self.tag_pattern.clone(),
            fold_prereleases: self.fold_prereleases,
            paths: self.paths.clone(),
            package: self.package.clone(),
            merges: self.merges,
        };
        if self.bump || self.next_version {
            let answer = if self.bump {
                Answer::Level
            } else {
                Answer::Version
            };
            return Mode::Next {
                history,
                answer,
                include_other: self.include_other,
                check_api: self.check_api,
            };
        }
        let output = match (&self.prepend, self.notes) {
            (Some(file), _) => Output::Prepend {
                file: file.clone(),
                dry_run: self.dry_run,
            },
            (None, true) => Output::Notes,
            (None, false) => Output::Print,
        };
        Mode::Changelog {
            history,
            content: Content {
                all: self.all,
                release: self.release.as_deref().and_then(normalized),
                date: self.date.clone(),
                include: self.include.clone(),
                include_other: self.include_other,
            },
            output,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    cratesmith_shared::cli_is_consistent!(Args);

    #[test]
    fn dates_and_versions_are_checked() {
        for good in ["2026-11-22", "2024-02-29", "2000-02-29", "2026-12-31"] {
            assert_eq!(parse_date(good).as_deref(), Ok(good));
        }
        for bad in [
            "22/11/2026",
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "2023-02-29",
            "1900-02-29",
            "2026-1-01",
            "2026-11-22x",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(normalized("v1.1.0").as_deref(), Some("1.1.0"));
        assert_eq!(parse_release("v1.1.0").as_deref(), Ok("v1.1.0"));
        assert_eq!(parse_release("2.0.0-rc.1").as_deref(), Ok("2.0.0-rc.1"));
        assert_eq!(parse_release("minor").as_deref(), Ok("minor"));
        assert!(parse_release("next").is_err());
        assert!(parse_release("1.1").is_err());
    }

    #[test]
    fn format_and_message_format_mean_the_same_as_in_every_cratesmith_tool() {
        for flag in ["--format", "--message-format"] {
            let args = Args::try_parse_from(["git-changelog", flag, "json"]).unwrap();
            assert_eq!(args.format, MessageFormat::Json);
        }
    }
}
