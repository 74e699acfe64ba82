//! The changelog from releases: their commits processed, empty and skipped
//! releases dropped, header, bodies and footer rendered, or the new
//! sections put into an existing file below its header.

use serde::Serialize;
use serde_json::Value;

use super::commit::{Commit, Dropped};
use super::config::{Config, GitConfig, Step, TextProcessor};
use super::release::Release;
use super::template::Template;

/// Processes every commit of every release; `Err` when
/// `require_conventional` or `fail_on_unmatched_commit` refuses them.
pub(super) fn process_commits(releases: &mut [Release], git: &GitConfig) -> Result<Counts, String> {
    let mut counts = Counts::default();
    for release in releases.iter_mut() {
        let commits = std::mem::take(&mut release.commits);
        release.commits = process_list(commits, git, &mut counts)?;
        for commits in release.submodule_commits.values_mut() {
            *commits = process_list(std::mem::take(commits), git, &mut counts)?;
        }
    }
    Ok(counts)
}

/// One list of commits processed, then checked as `require_conventional`
/// and `fail_on_unmatched_commit` ask.
fn process_list(
    commits: Vec<Commit>,
    git: &GitConfig,
    counts: &mut Counts,
) -> Result<Vec<Commit>, String> {
    let commits = match &git.processing_order {
        Some(order) => ordered(commits, git, order, counts),
        None => legacy(commits, git, counts),
    };
    if git.require_conventional {
        let bad: Vec<&Commit> = commits.iter().filter(|c| c.conv.is_none()).collect();
        if !bad.is_empty() {
            return Err(refused("not conventional", &bad));
        }
    }
    if git.fail_on_unmatched_commit {
        let bad: Vec<&Commit> = commits.iter().filter(|c| c.group.is_none()).collect();
        if !bad.is_empty() {
            return Err(refused("not matched by any commit parser", &bad));
        }
    }
    Ok(commits)
}

fn refused(what: &str, commits: &[&Commit]) -> String {
    let list: Vec<String> = commits
        .iter()
        .map(|c| {
            format!(
                "  {} {}",
                &c.id[..7.min(c.id.len())],
                c.message.lines().next().unwrap_or_default()
            )
        })
        .collect();
    format!(
        "{} {what}:\n{}",
        crate::text::count(commits.len(), "commit is", "commits are"),
        list.join("\n")
    )
}

/// Commits dropped, by reason.
#[derive(Debug, Default)]
pub(super) struct Counts {
    pub(super) skipped: usize,
    pub(super) unconventional: usize,
    pub(super) unmatched: usize,
    pub(super) errors: Vec<String>,
}

impl Counts {
    fn add(&mut self, why: Dropped) {
        match why {
            Dropped::Skipped => self.skipped += 1,
            Dropped::Unconventional => self.unconventional += 1,
            Dropped::NoGroup => self.unmatched += 1,
            Dropped::Field(m) | Dropped::Command(m) => self.errors.push(m),
        }
    }
}

fn legacy(commits: Vec<Commit>, git: &GitConfig, counts: &mut Counts) -> Vec<Commit> {
    let mut out = Vec::new();
    let one = |c: &Commit, counts: &mut Counts| match c.process(git) {
        Ok(c) => Some(c),
        Err(why) => {
            counts.add(why);
            None
        }
    };
    for commit in &commits {
        let Some(done) = one(commit, counts) else {
            continue;
        };
        if !git.split_commits {
            out.push(done);
            continue;
        }
        for line in done.message.lines() {
            if line.is_empty() {
                continue;
            }
            let mut part = done.clone();
            part.message = line.to_string();
            part.links.clear();
            if let Some(p) = one(&part, counts) {
                out.push(p);
            }
        }
    }
    out
}

fn ordered(
    mut commits: Vec<Commit>,
    git: &GitConfig,
    order: &[Step],
    counts: &mut Counts,
) -> Vec<Commit> {
    for step in order {
        commits = match step {
            Step::CommitPreprocessors => {
                keep(commits, counts, |c| c.preprocess(&git.commit_preprocessors))
            }
            Step::SplitCommits if git.split_commits => commits
                .into_iter()
                .flat_map(|c| {
                    c.message
                        .lines()
                        .filter(|l| !l.is_empty())
                        .map(|l| {
                            let mut part = c.clone();
                            part.message = l.to_string();
                            part.links.clear();
                            part
                        })
                        .collect::<Vec<_>>()
                })
                .collect(),
            Step::SplitCommits => commits,
            Step::ConventionalCommits if !git.conventional_commits => commits,
            Step::ConventionalCommits => {
                let strict =
                    !git.require_conventional && git.filter_unconventional && !git.split_commits;
                keep(commits, counts, |c| match c.clone().into_conventional() {
                    Ok(conv) => Ok(conv),
                    Err(why) if strict => Err(why),
                    Err(_) => Ok(c),
                })
            }
            Step::CommitParsers => keep(commits, counts, |c| {
                c.parse(
                    &git.commit_parsers,
                    git.protect_breaking_commits,
                    git.filter_commits,
                )
            }),
            Step::LinkParsers => commits
                .into_iter()
                .map(|c| c.parse_links(&git.link_parsers))
                .collect(),
        };
    }
    commits
}

fn keep(
    commits: Vec<Commit>,
    counts: &mut Counts,
    f: impl Fn(Commit) -> Result<Commit, Dropped>,
) -> Vec<Commit> {
    commits
        .into_iter()
        .filter_map(|c| f(c).map_err(|why| counts.add(why)).ok())
        .collect()
}

/// Newest first; skipped tags and empty releases dropped; statistics added.
pub(super) fn process_releases(releases: Vec<Release>, config: &Config, now: i64) -> Vec<Release> {
    let skip = config
        .git
        .skip_tags
        .as_ref()
        .filter(|r| !r.as_str().is_empty());
    let mut skipped = Vec::new();
    let mut out: Vec<Release> = releases
        .into_iter()
        .rev()
        .filter(|r| {
            if let Some(v) = &r.version
                && skip.is_some_and(|re| re.is_match(v))
            {
                skipped.push(v.clone());
                return false;
            }
            if r.commits.is_empty() {
                return match &r.previous {
                    Some(prev) if prev.commits.is_empty() => config.changelog.render_always,
                    _ => false,
                };
            }
            true
        })
        .map(|r| r.with_statistics(now))
        .collect();
    for tag in &skipped {
        let Some(i) = out
            .iter()
            .position(|r| r.previous.as_ref().and_then(|p| p.version.as_ref()) == Some(tag))
        else {
            continue;
        };
        if let Some(older) = out.get_mut(i + 1) {
            older.previous = None;
            let older = older.clone();
            out[i].previous = Some(Box::new(older));
        } else if i == out.len() - 1 {
            out[i].previous = None;
        }
    }
    out
}

/// The three templates of a configuration.
pub(super) struct Templates {
    header: Option<Template>,
    body: Template,
    footer: Option<Template>,
    groups: Value,
    remote: Value,
}

#[derive(Serialize)]
struct Releases<'a> {
    releases: &'a [Release],
}

impl Templates {
    /// Compiles them.
    pub(super) fn new(config: &Config) -> Result<Templates, String> {
        let trim = config.changelog.trim;
        let header = config
            .changelog
            .header
            .as_deref()
            .map(|h| Template::new("header", h, trim))
            .transpose()?;
        let footer = config
            .changelog
            .footer
            .as_deref()
            .map(|f| Template::new("footer", f, trim))
            .transpose()?;
        Ok(Templates {
            header,
            body: Template::new("body", &config.changelog.body, trim)?,
            footer,
            groups: Value::from(config.parser_groups()),
            remote: config.remote.clone(),
        })
    }

    /// Whether a template reads commit statistics.
    pub(super) fn uses_statistics(&self, config: &Config) -> bool {
        config
            .git
            .commit_parsers
            .iter()
            .filter_map(|p| p.field.as_deref())
            .any(|f| f.starts_with("statistics."))
            || self.all().any(|t| t.uses(&["commit.statistics"]))
    }

    /// Whether anything could observe a commit's remote fields: the
    /// templates or parser fields name a remote, `remote`, or dump or
    /// iterate whole values. A conservative reading of the texts: the
    /// fields are 35 map entries per commit, half of a render's work.
    pub(super) fn may_read_remote(&self, config: &Config) -> bool {
        const WORDS: [&str; 9] = [
            "github",
            "gitlab",
            "gitea",
            "bitbucket",
            "azure_devops",
            "remote",
            "json_encode",
            // Iterating a commit's keys: `{% for k, v in commit %}`.
            "in commit %",
            "in commit -%",
        ];
        let c = &config.changelog;
        let texts = [
            c.header.as_deref(),
            Some(c.body.as_str()),
            c.footer.as_deref(),
        ];
        let fields = config
            .git
            .commit_parsers
            .iter()
            .filter_map(|p| p.field.as_deref());
        texts
            .into_iter()
            .flatten()
            .chain(fields)
            .any(|t| WORDS.iter().any(|w| t.contains(w)))
    }

    fn all(&self) -> impl Iterator<Item = &Template> {
        self.header
            .iter()
            .chain(std::iter::once(&self.body))
            .chain(self.footer.iter())
    }

    /// The whole changelog; `footer` false for a prepend.
    pub(super) fn render(
        &self,
        releases: &[Release],
        config: &Config,
        footer: bool,
    ) -> Result<String, String> {
        let post = &config.changelog.postprocessors;
        let extra = [
            ("commit_parsers_groups", &self.groups),
            ("remote", &self.remote),
        ];
        let all = Releases { releases };
        let mut out = String::new();
        if let Some(header) = &self.header {
            out.push_str(&header.render(&all, &extra, post)?);
            out.push('\n');
            let marker = &config.changelog.header_marker;
            if !header.variables.is_empty() && !marker.is_empty() {
                out.push_str(marker);
                out.push('\n');
            }
        }
        out.push_str(&bodies(&self.body, releases, &extra, post)?);
        if footer && let Some(f) = &self.footer {
            out.push_str(&f.render(&all, &extra, post)?);
            out.push('\n');
        }
        Ok(out)
    }
}

/// The body rendered for each of `releases`, in order; a long list is
/// split over two threads (the rendering is most of a whole-history run:
/// tera copies the part of the context each filter reads).
fn bodies(
    body: &Template,
    releases: &[Release],
    extra: &[(&str, &Value)],
    post: &[TextProcessor],
) -> Result<String, String> {
    let each = |part: &[Release]| -> Result<String, String> {
        let mut out = String::new();
        for release in part {
            out.push_str(&body.render(release, extra, post)?);
        }
        Ok(out)
    };
    if releases.len() < PARALLEL_FROM {
        return each(releases);
    }
    // Halves of equal work: the commits, not the releases.
    let total: usize = releases.iter().map(|r| r.commits.len() + 1).sum();
    let mut seen = 0;
    let half = releases
        .iter()
        .position(|r| {
            seen += r.commits.len() + 1;
            seen * 2 >= total
        })
        .map_or(releases.len() / 2, |i| i + 1);
    let (first, second) = releases.split_at(half);
    std::thread::scope(|s| {
        let other = s.spawn(|| each(second));
        let mut out = each(first)?;
        let rest = other
            .join()
            .map_err(|_| "rendering failed on a worker thread".to_string())??;
        out.push_str(&rest);
        Ok(out)
    })
}

/// From how many releases the bodies are rendered on two threads.
const PARALLEL_FROM: usize = 32;

/// `existing` with `generated` put in front, the old header removed (up to
/// the header marker, else the configured header text once).
pub(super) fn prepend(generated: &str, mut existing: String, config: &Config) -> String {
    let marker = &config.changelog.header_marker;
    let at = (!marker.is_empty())
        .then(|| existing.find(marker.as_str()))
        .flatten();
    if let Some(i) = at {
        existing.replace_range(..i + marker.len(), "");
    } else if let Some(header) = &config.changelog.header {
        existing = existing.replacen(header.as_str(), "", 1);
    }
    let mut out = generated.to_string();
    if !generated.is_empty()
        && !existing.is_empty()
        && !generated.ends_with('\n')
        && !existing.starts_with(['\n', '\r'])
    {
        out.push_str("\n\n");
    }
    out.push_str(&existing);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_on_two_threads_keep_the_order_and_the_first_error() {
        let body = Template::new(
            "body",
            "{{ version }}:{% for c in commits %}{{ c.message }},{% endfor %}{% if version == 'bad' %}{{ missing.field }}{% endif %}\n",
            false,
        )
        .unwrap();
        let release = |i: usize, n: usize| Release {
            version: Some(format!("v{i}")),
            commits: (0..n)
                .map(|k| Commit {
                    message: format!("c{i}.{k}"),
                    ..Commit::default()
                })
                .collect(),
            ..Release::default()
        };
        // Uneven work: the halves split by commits, not by releases.
        let releases: Vec<Release> = (0..PARALLEL_FROM * 3)
            .map(|i| release(i, if i < 5 { 200 } else { i % 4 }))
            .collect();
        let one_by_one: String = releases
            .iter()
            .map(|r| body.render(r, &[], &[]).unwrap())
            .collect();
        assert_eq!(bodies(&body, &releases, &[], &[]).unwrap(), one_by_one);
        let mut bad = releases.clone();
        bad[PARALLEL_FROM * 2].version = Some("bad".into());
        let err = bodies(&body, &bad, &[], &[]).unwrap_err();
        assert!(err.contains("the body template failed to render"), "{err}");
    }

    #[test]
    fn prepend_replaces_the_header_once() {
        let mut config = Config::defaults();
        config.changelog.header = Some("# Changelog\n".into());
        config.changelog.header_marker = String::new();
        let out = prepend(
            "# Changelog\n\n## 2\n",
            "# Changelog\n\n## 1\n".into(),
            &config,
        );
        assert_eq!(out, "# Changelog\n\n## 2\n\n## 1\n");
        config.changelog.header_marker = "<!-- end -->".into();
        let out = prepend(
            "H\n<!-- end -->\n## 2\n",
            "old H\n<!-- end -->\n## 1\n".into(),
            &config,
        );
        assert_eq!(out, "H\n<!-- end -->\n## 2\n\n## 1\n");
        assert_eq!(prepend("## 2", "## 1".into(), &config), "## 2\n\n## 1");
    }
}
