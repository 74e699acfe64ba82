//! A release as git-cliff's templates see it, its statistics, and the next
//! version its commits lead to under `[bump]`.

use std::collections::BTreeMap;

use semver::{Prerelease, Version};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::commit::{Commit, Conv, REMOTES};
use super::config::{BumpConfig, Level};

/// The first and last commit of a release.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct Range {
    pub(super) from: String,
    pub(super) to: String,
}

/// How often a link occurs in a release.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct LinkCount {
    pub(super) text: String,
    pub(super) href: String,
    pub(super) count: usize,
}

/// Numbers about a release.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub(super) struct Statistics {
    pub(super) commit_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) commits_timespan: Option<i64>,
    pub(super) conventional_commit_count: usize,
    pub(super) links: Vec<LinkCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) days_passed_since_last_release: Option<i64>,
}

/// One release (or the unreleased changes).
#[derive(Debug, Clone, Default)]
pub(super) struct Release {
    pub(super) version: Option<String>,
    pub(super) message: Option<String>,
    pub(super) commits: Vec<Commit>,
    pub(super) commit_id: Option<String>,
    pub(super) timestamp: Option<i64>,
    pub(super) previous: Option<Box<Release>>,
    pub(super) repository: Option<String>,
    pub(super) commit_range: Option<Range>,
    /// The commits of each submodule the release moves, by path
    /// (`recurse_submodules`).
    pub(super) submodule_commits: BTreeMap<String, Vec<Commit>>,
    pub(super) statistics: Option<Statistics>,
    pub(super) bump_type: Option<Level>,
    /// What a `--from-context` file gives the release (`extra`).
    pub(super) extra: Option<Value>,
}

/// The UTC day a timestamp falls on.
fn day(ts: i64) -> i64 {
    ts.div_euclid(86_400)
}

impl Release {
    /// The release with its statistics computed; `now` stands in for the
    /// date of the unreleased changes.
    pub(super) fn with_statistics(mut self, now: i64) -> Release {
        let stamps = self.commits.iter().map(|c| c.committer.timestamp);
        let commits_timespan = (self.commits.len() >= 2).then(|| {
            let (min, max) = (stamps.clone().min().unwrap_or(0), stamps.max().unwrap_or(0));
            day(max) - day(min)
        });
        let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
        for link in self.commits.iter().flat_map(|c| &c.links) {
            *counts
                .entry((link.text.clone(), link.href.clone()))
                .or_default() += 1;
        }
        let mut links: Vec<LinkCount> = counts
            .into_iter()
            .map(|((text, href), count)| LinkCount { text, href, count })
            .collect();
        links.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.text.cmp(&b.text))
                .then_with(|| a.href.cmp(&b.href))
        });
        let days_passed_since_last_release = self.previous.as_ref().and_then(|prev| {
            let prev = prev.timestamp?;
            Some(day(self.timestamp.unwrap_or(now)) - day(prev))
        });
        self.statistics = Some(Statistics {
            commit_count: self.commits.len(),
            commits_timespan,
            conventional_commit_count: self.commits.iter().filter(|c| c.conv.is_some()).count(),
            links,
            days_passed_since_last_release,
        });
        self
    }

    /// The version these commits lead to from the previous release's, and
    /// the level of that step; the initial tag when there is none.
    pub(super) fn next_version(
        &self,
        bump: &BumpConfig,
        conventional: bool,
    ) -> Result<(String, Option<Level>), String> {
        let Some(previous) = self.previous.as_ref().and_then(|p| p.version.clone()) else {
            return Ok((
                bump.initial_tag.clone().unwrap_or_else(|| "0.1.0".into()),
                None,
            ));
        };
        let (prefix, old) = split_version(&previous).ok_or_else(|| {
            format!(
                "the last release `{previous}` is not a SemVer version (with or without a prefix)"
            )
        })?;
        let (next, level) = match bump.bump_type {
            Some(level) => (step(&old, level), Some(level)),
            None => {
                let messages = self.commits.iter().map(|c| {
                    let message = c.raw_message().trim_end();
                    if conventional {
                        message.to_string()
                    } else {
                        message.lines().next().unwrap_or_default().to_string()
                    }
                });
                let next = match increment(bump, &old, messages) {
                    Some(Increment::Level(level)) => step(&old, level),
                    Some(Increment::Prerelease) => next_prerelease(&old),
                    None => old.clone(),
                };
                let level = level_between(&old, &next);
                (next, level)
            }
        };
        Ok((format!("{prefix}{next}"), level))
    }
}

/// `v1.2.3` as (`v`, 1.2.3): git-cliff reads the first run of digits that
/// starts a SemVer version.
pub(super) fn split_version(version: &str) -> Option<(String, Version)> {
    if let Ok(v) = Version::parse(version) {
        return Some((String::new(), v));
    }
    if version.split('.').count() < 2 {
        return None;
    }
    let mut in_number = false;
    for (i, c) in version.char_indices() {
        if c.is_numeric() && !in_number {
            in_number = true;
            if let Ok(v) = Version::parse(&version[i..]) {
                return Some((version[..i].to_string(), v));
            }
        } else if !c.is_numeric() && in_number {
            in_number = false;
        }
    }
    None
}

fn step(v: &Version, level: Level) -> Version {
    let mut next = v.clone();
    next.pre = Prerelease::EMPTY;
    match level {
        Level::Major => {
            next.major += 1;
            next.minor = 0;
            next.patch = 0;
        }
        Level::Minor => {
            next.minor += 1;
            next.patch = 0;
        }
        Level::Patch => next.patch += 1,
    }
    next
}

fn next_prerelease(v: &Version) -> Version {
    let pre = v.pre.as_str();
    let next = match pre.rsplit_once('.') {
        Some((left, right)) => match right.parse::<u32>() {
            Ok(n) => format!("{left}.{}", n + 1),
            Err(_) => format!("{pre}.1"),
        },
        None => format!("{pre}.1"),
    };
    let mut out = v.clone();
    out.pre = Prerelease::new(&next).unwrap_or(Prerelease::EMPTY);
    out
}

fn level_between(old: &Version, new: &Version) -> Option<Level> {
    if new.major != old.major {
        Some(Level::Major)
    } else if new.minor != old.minor {
        Some(Level::Minor)
    } else if new.patch != old.patch {
        Some(Level::Patch)
    } else {
        None
    }
}

pub(super) enum Increment {
    Level(Level),
    Prerelease,
}

/// The next_version crate's rules, as git-cliff configures them.
pub(super) fn increment(
    bump: &BumpConfig,
    v: &Version,
    messages: impl Iterator<Item = String>,
) -> Option<Increment> {
    let breaking_major = v.major != 0 || bump.breaking_always_bump_major.unwrap_or(true);
    let features_minor = v.major != 0 || bump.features_always_bump_minor.unwrap_or(true);
    let mut level = None;
    for message in messages {
        let conv = Conv::parse(&message);
        let input = conv.as_ref().map_or(message.as_str(), |c| c.kind.as_str());
        let matches = |re: Option<&regex::Regex>| re.is_some_and(|re| re.is_match(input));
        if matches(bump.no_increment_regex.as_ref()) {
            continue;
        }
        if !v.pre.is_empty() {
            return Some(Increment::Prerelease);
        }
        level.get_or_insert(Level::Patch);
        if conv.as_ref().is_some_and(|c| c.breaking) {
            if breaking_major {
                return Some(Increment::Level(Level::Major));
            }
            if v.minor != 0 {
                level = Some(Level::Minor);
            }
        }
        if matches(bump.custom_major_increment_regex.as_ref()) {
            return Some(Increment::Level(Level::Major));
        }
        if level != Some(Level::Minor) {
            let feature = features_minor && conv.as_ref().is_some_and(|c| c.kind == "feat");
            if feature || matches(bump.custom_minor_increment_regex.as_ref()) {
                level = Some(Level::Minor);
            }
        }
        if !breaking_major
            && bump.custom_major_increment_regex.is_none()
            && level == Some(Level::Minor)
        {
            return level.map(Increment::Level);
        }
    }
    level.map(Increment::Level)
}

/// What git-cliff's per-remote release metadata holds offline.
#[derive(Serialize)]
struct NoContributors {
    contributors: [Value; 0],
}

impl Serialize for Release {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Release", 17)?;
        s.serialize_field("version", &self.version)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("commits", &self.commits)?;
        s.serialize_field("commit_id", &self.commit_id)?;
        s.serialize_field("timestamp", &self.timestamp)?;
        s.serialize_field("previous", &self.previous)?;
        s.serialize_field("repository", &self.repository)?;
        s.serialize_field("commit_range", &self.commit_range)?;
        s.serialize_field("submodule_commits", &self.submodule_commits)?;
        s.serialize_field("statistics", &self.statistics)?;
        s.serialize_field("extra", &self.extra)?;
        s.serialize_field("bump_type", &self.bump_type.map(Level::as_str))?;
        for remote in REMOTES {
            s.serialize_field(remote, &NoContributors { contributors: [] })?;
        }
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(previous: &str, messages: &[&str]) -> Release {
        Release {
            commits: messages
                .iter()
                .map(|m| Commit {
                    message: (*m).to_string(),
                    ..Commit::default()
                })
                .collect(),
            previous: Some(Box::new(Release {
                version: Some(previous.into()),
                ..Release::default()
            })),
            ..Release::default()
        }
    }

    #[test]
    fn next_versions_follow_git_cliff() {
        let bump = BumpConfig::default();
        let cases = [
            ("1.0.0", &["feat: a", "fix: b"][..], "1.1.0"),
            ("1.0.0", &["fix: a"], "1.0.1"),
            ("1.0.0", &["feat!: a", "feat: b"], "2.0.0"),
            ("v100.0.0", &["feat!: a"], "v101.0.0"),
            ("foo/1.0.0", &["feat: a"], "foo/1.1.0"),
            ("zzz-123/test/1.0.0", &["fix: a"], "zzz-123/test/1.0.1"),
            ("v1.0.0-alpha.1", &["fix: a"], "v1.0.0-alpha.2"),
            ("0.1.0", &["feat!: a"], "1.0.0"),
            ("1.0.0", &["docs: only", "not conventional"], "1.0.1"),
        ];
        for (prev, messages, want) in cases {
            let (got, _) = release(prev, messages).next_version(&bump, true).unwrap();
            assert_eq!(got, want, "{prev} {messages:?}");
        }
    }

    #[test]
    fn bump_settings_change_the_step_below_one() {
        let bump = BumpConfig {
            features_always_bump_minor: Some(false),
            breaking_always_bump_major: Some(false),
            ..BumpConfig::default()
        };
        let cases = [
            ("0.1.0", &["feat: a"][..], "0.1.1"),
            ("0.1.0", &["feat!: a"], "0.2.0"),
            ("0.0.1", &["feat!: a"], "0.0.2"),
        ];
        for (prev, messages, want) in cases {
            let (got, _) = release(prev, messages).next_version(&bump, true).unwrap();
            assert_eq!(got, want, "{prev} {messages:?}");
        }
        let custom = BumpConfig {
            custom_major_increment_regex: Some(regex::Regex::new("major").unwrap()),
            custom_minor_increment_regex: Some(regex::Regex::new("minor|more").unwrap()),
            ..BumpConfig::default()
        };
        let (got, level) = release("1.2.3", &["more: x"])
            .next_version(&custom, true)
            .unwrap();
        assert_eq!((got.as_str(), level), ("1.3.0", Some(Level::Minor)));
        let (got, _) = release("1.2.3", &["major: x"])
            .next_version(&custom, true)
            .unwrap();
        assert_eq!(got, "2.0.0");
        let none = Release::default()
            .next_version(&BumpConfig::default(), true)
            .unwrap();
        assert_eq!(none, ("0.1.0".to_string(), None));
    }
}
