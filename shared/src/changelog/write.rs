//! The changelog mode: the release since the last tag (or every release
//! with `--all`), printed as Markdown, notes or JSON, or merged into a file.

use git2::Oid;

use super::context::{Context, Rules};
use super::options::{Content, Output};
use super::render::{self, Forge};
use super::{Release, merge};
use crate::cli::MessageFormat;
use crate::error::Result;
use crate::release::{self, Releases, Span, Title};
use crate::template::today;
use crate::term::{print, print_json};

/// Write the changelog `content` describes to `output`.
pub(super) fn exec(cx: &Context<'_>, content: &Content, output: &Output) -> Result<bool> {
    let rules = Rules {
        include: &content.include,
        include_other: content.include_other,
        settings: &cx.settings,
        types: &cx.types,
        shell: cx.shell,
    };
    let job = Job {
        cx,
        rules,
        content,
        output,
    };
    let Some(head) = cx.repo.head()? else {
        return job.empty_repository();
    };
    let until = match &cx.history.until {
        Some(rev) => cx.repo.resolve(rev)?,
        None => head,
    };
    if content.all {
        return job.all(until);
    }
    job.unreleased(until)
}

struct Job<'a> {
    cx: &'a Context<'a>,
    rules: Rules<'a>,
    content: &'a Content,
    output: &'a Output,
}

impl Job<'_> {
    /// A repository without commits: nothing to list; JSON still prints
    /// its document.
    fn empty_repository(&self) -> Result<bool> {
        let prepend = matches!(self.output, Output::Prepend { .. });
        if self.cx.format == MessageFormat::Json && !prepend {
            let rel = self.rules.build(Vec::new(), self.release_title());
            return self.write(&[rel]);
        }
        self.cx
            .shell
            .note("the repository has no commits yet: nothing to do");
        Ok(true)
    }

    /// The commits since the last release (or `--since`) as one release.
    fn unreleased(&self, until: Oid) -> Result<bool> {
        let (cx, history) = (self.cx, self.cx.history);
        let repo = &cx.repo;
        let super::context::Unreleased {
            commits,
            last,
            until_tag,
            ..
        } = cx.unreleased(until)?;
        let previous = history
            .since
            .clone()
            .or_else(|| last.as_ref().map(|t| t.name.clone()));
        let title = match (self.release_title(), &until_tag) {
            (Some(title), _) => Some(title),
            (None, Some(tag)) if history.until.is_some() => Some(Title::of_tag(repo, tag)?),
            (None, _) => None,
        };
        let mut rel = self.rules.build(self.rules.entries(&commits), title);
        rel.range = commits.iter().map(|c| c.hash.clone()).collect();
        rel.previous_tag = previous.clone();
        if rel.tag.is_none() {
            rel.tag = history.until.clone();
        }
        if rel.sections.is_empty() && cx.format != MessageFormat::Json {
            let label = previous.unwrap_or_else(|| "the first commit".into());
            cx.shell
                .note(format_args!("no changes to list since {label}"));
            return Ok(true);
        }
        self.write(&[rel])
    }

    /// `--release`: the title of the release being made.
    fn release_title(&self) -> Option<Title> {
        let version = self.content.release.clone()?;
        let tag = self.cx.scope.pattern.replacen('*', &version, 1);
        let date = self.content.date.clone().unwrap_or_else(today);
        Some(Title { version, tag, date })
    }

    /// `--all`: a release per tag, newest first.
    fn all(&self, until: Oid) -> Result<bool> {
        let cx = self.cx;
        let releases = Releases::load(&cx.repo, &cx.scope, cx.history.fold_prereleases, cx.shell)?;
        let spans = release::all_spans(
            &cx.repo,
            &releases,
            until,
            self.release_title(),
            cx.reading(),
        )?;
        let rules = self.rules;
        let keep_range = matches!(self.output, Output::Prepend { .. });
        let weight = |s: &Span| s.commits.len();
        let releases: Vec<Release> = on_two_threads(spans, weight, |span| {
            let mut rel = rules.build(rules.entries(&span.commits), span.title);
            if keep_range {
                rel.range = span.commits.iter().map(|c| c.hash.clone()).collect();
            }
            rel.previous_tag = span.previous;
            rel
        })
        .into_iter()
        .filter(|r| r.version.is_some() || !r.sections.is_empty())
        .collect();
        if releases.is_empty() && cx.format != MessageFormat::Json {
            cx.shell.note("no releases and no changes to list");
            return Ok(true);
        }
        self.write(&releases)
    }

    /// Print `releases` (newest first) or merge them into the file.
    fn write(&self, releases: &[Release]) -> Result<bool> {
        let cx = self.cx;
        let forge = cx.repo.origin_url().and_then(|u| Forge::from_remote(&u));
        let links = forge
            .as_ref()
            .map(|f| render::links(releases, f))
            .unwrap_or_default();
        if let Output::Prepend { file, dry_run } = self.output {
            let into = super::prepend::ChangelogFile {
                file,
                forge: forge.as_ref(),
                links: &links,
                dry_run: *dry_run,
            };
            return into.merge(releases, cx.shell).map(|()| true);
        }
        if cx.format == MessageFormat::Json {
            return print_json(&serde_json::json!({ "releases": releases })).map(|()| true);
        }
        let text = match self.output {
            Output::Notes => releases
                .first()
                .map(|r| render::notes(r, forge.as_ref()))
                .unwrap_or_default(),
            _ => {
                let header = if self.content.all { merge::HEADER } else { "" };
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
