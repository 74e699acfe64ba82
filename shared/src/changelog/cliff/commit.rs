//! One commit as git-cliff sees it: preprocessed, parsed as a Conventional
//! Commit, given a group and scope by the commit parsers, its links
//! extracted, and serialized into the template context under the names
//! git-cliff uses.

use regex::Regex;
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::config::{CommitParser, GitConfig, LinkParser, TextProcessor};

/// Why a commit left the changelog (git-cliff's reasons, for the counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Dropped {
    /// Not a Conventional Commit while `filter_unconventional` asks for one.
    Unconventional,
    /// A parser with `skip = true` matched.
    Skipped,
    /// No parser matched while `filter_commits` is on.
    NoGroup,
    /// A `field` parser names a field that is not a string, number,
    /// boolean or list of them.
    Field(String),
    /// A `replace_command` failed.
    Command(String),
}

/// A footer of a Conventional Commit.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(super) struct Footer {
    pub(super) token: String,
    pub(super) separator: String,
    pub(super) value: String,
    pub(super) breaking: bool,
}

/// The Conventional Commit reading of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Conv {
    pub(super) kind: String,
    pub(super) scope: Option<String>,
    pub(super) description: String,
    pub(super) body: Option<String>,
    pub(super) footers: Vec<Footer>,
    pub(super) breaking: bool,
    pub(super) breaking_description: Option<String>,
}

impl Conv {
    /// `text` as a Conventional Commit, if it is one.
    pub(super) fn parse(text: &str) -> Option<Conv> {
        let c = git_conventional::Commit::parse(text).ok()?;
        Some(Conv {
            kind: c.type_().as_str().to_string(),
            scope: c.scope().map(|s| s.as_str().to_string()),
            description: c.description().to_string(),
            body: c.body().map(str::to_string),
            footers: c
                .footers()
                .iter()
                .map(|f| Footer {
                    token: f.token().as_str().to_string(),
                    separator: f.separator().as_str().to_string(),
                    value: f.value().to_string(),
                    breaking: f.breaking(),
                })
                .collect(),
            breaking: c.breaking(),
            breaking_description: c.breaking_description().map(str::to_string),
        })
    }
}

/// A person and a time, as git records them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub(super) struct Signature {
    pub(super) name: Option<String>,
    pub(super) email: Option<String>,
    pub(super) timestamp: i64,
}

/// Files changed, lines added and deleted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub(super) struct Statistics {
    pub(super) files_changed: usize,
    pub(super) additions: usize,
    pub(super) deletions: usize,
}

/// A link a link parser found.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Link {
    pub(super) text: String,
    pub(super) href: String,
}

/// A commit on its way into the changelog.
#[derive(Debug, Clone, Default)]
pub(super) struct Commit {
    pub(super) id: String,
    pub(super) message: String,
    pub(super) conv: Option<Conv>,
    pub(super) group: Option<String>,
    pub(super) default_scope: Option<String>,
    pub(super) scope: Option<String>,
    pub(super) links: Vec<Link>,
    pub(super) author: Signature,
    pub(super) committer: Signature,
    pub(super) merge_commit: bool,
    pub(super) statistics: Statistics,
    pub(super) raw_message: Option<String>,
    /// What a `--from-context` file gives the commit (`extra` in templates).
    pub(super) extra: Option<Value>,
    /// Serialize the (empty) remote fields: off when nothing can read them.
    pub(super) remote_fields: bool,
}

impl Commit {
    /// The message before any preprocessing.
    pub(super) fn raw_message(&self) -> &str {
        self.raw_message.as_deref().unwrap_or(&self.message)
    }

    /// Parses the (raw) message as a Conventional Commit.
    pub(super) fn into_conventional(mut self) -> Result<Commit, Dropped> {
        match Conv::parse(self.raw_message()) {
            Some(conv) => {
                self.conv = Some(conv);
                Ok(self)
            }
            None => Err(Dropped::Unconventional),
        }
    }

    /// Preprocessing, the Conventional reading, the parsers and the links,
    /// in git-cliff's default order.
    pub(super) fn process(&self, config: &GitConfig) -> Result<Commit, Dropped> {
        let mut commit = self.clone().preprocess(&config.commit_preprocessors)?;
        if config.conventional_commits {
            if !config.require_conventional && config.filter_unconventional && !config.split_commits
            {
                commit = commit.into_conventional()?;
            } else if let Ok(conv) = commit.clone().into_conventional() {
                commit = conv;
            }
        }
        let commit = commit.parse(
            &config.commit_parsers,
            config.protect_breaking_commits,
            config.filter_commits,
        )?;
        Ok(commit.parse_links(&config.link_parsers))
    }

    /// Applies the preprocessors to the message.
    pub(super) fn preprocess(mut self, processors: &[TextProcessor]) -> Result<Commit, Dropped> {
        for p in processors {
            super::text::replace(p, &mut self.message, &[("COMMIT_SHA", &self.id)])
                .map_err(Dropped::Command)?;
        }
        Ok(self)
    }

    fn skipped_by(&self, parser: &CommitParser, protect_breaking: bool) -> bool {
        parser.skip.unwrap_or(false)
            && !(protect_breaking && self.conv.as_ref().is_some_and(|c| c.breaking))
    }

    /// The texts `parser` tests, each with the regex that matched it; `None`
    /// when the parser does not match.
    fn checks<'p>(
        &self,
        parser: &'p CommitParser,
        lookup: &Value,
    ) -> Result<Option<Vec<(&'p Regex, String)>>, Dropped> {
        if let Some(sha) = &parser.sha
            && sha.to_lowercase() != self.id
        {
            return Ok(None);
        }
        let mut checks = Vec::new();
        if let Some(re) = &parser.message {
            if !re.is_match(self.message.trim()) {
                return Ok(None);
            }
            checks.push((re, self.message.clone()));
        }
        let body = self.conv.as_ref().and_then(|c| c.body.clone());
        if let Some(re) = &parser.body {
            let text = body.clone().unwrap_or_default();
            if !re.is_match(text.trim()) {
                return Ok(None);
            }
            checks.push((re, text));
        }
        if let Some(re) = &parser.footer {
            let Some(conv) = &self.conv else {
                return Ok(None);
            };
            let Some(found) = conv
                .footers
                .iter()
                .map(|f| format!("{}{}{}", f.token, f.separator, f.value))
                .find(|f| re.is_match(f.trim()))
            else {
                return Ok(None);
            };
            checks.push((re, found));
        }
        if let (Some(field), Some(re)) = (&parser.field, &parser.pattern) {
            let values = if field == "body" {
                body.into_iter().collect()
            } else {
                let Some(value) = tera::dotted_pointer(lookup, field) else {
                    return Ok(None);
                };
                field_values(value).ok_or_else(|| {
                    Dropped::Field(format!(
                        "field '{field}' is missing or has unsupported type (expected a String, Number, Bool, or Null — or an Array of these scalar values)"
                    ))
                })?
            };
            let Some(found) = values.into_iter().find(|v| re.is_match(v.trim())) else {
                return Ok(None);
            };
            checks.push((re, found));
        }
        Ok(Some(checks))
    }

    /// Gives the commit its group and scope from the first parser that
    /// matches (or drops it).
    pub(super) fn parse(
        mut self,
        parsers: &[CommitParser],
        protect_breaking: bool,
        filter: bool,
    ) -> Result<Commit, Dropped> {
        // Only `field` parsers read the serialized commit.
        let lookup = if parsers.iter().any(|p| p.field.is_some()) {
            serde_json::to_value(&self).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        let mut matched = false;
        for parser in parsers {
            let Some(checks) = self.checks(parser, &lookup)? else {
                continue;
            };
            if checks.is_empty() && parser.sha.is_none() {
                continue;
            }
            if self.skipped_by(parser, protect_breaking) {
                return Err(Dropped::Skipped);
            }
            let keep_going = parser.keep_going.unwrap_or(false);
            if checks.is_empty() {
                self.group = parser.group.clone().or(self.group);
                self.scope = parser.scope.clone().or(self.scope);
                self.default_scope = parser.default_scope.clone().or(self.default_scope);
                if keep_going {
                    matched = true;
                    continue;
                }
                return Ok(self);
            }
            let expand = |mut value: String| {
                for (re, text) in &checks {
                    for m in re.find_iter(text) {
                        value = re.replace(m.as_str(), value.as_str()).to_string();
                    }
                }
                value
            };
            if keep_going {
                if let Some(group) = parser.group.clone() {
                    self.group = Some(expand(group));
                }
                if let Some(scope) = parser.scope.clone() {
                    self.scope = Some(expand(scope));
                }
                if parser.default_scope.is_some() {
                    self.default_scope.clone_from(&parser.default_scope);
                }
                matched = true;
                continue;
            }
            if matched {
                self.group = parser.group.clone().map(expand).or(self.group);
                self.scope = parser.scope.clone().map(expand).or(self.scope);
                if parser.default_scope.is_some() {
                    self.default_scope.clone_from(&parser.default_scope);
                }
            } else {
                self.group = parser.group.clone().map(expand);
                self.scope = parser.scope.clone().map(expand);
                self.default_scope.clone_from(&parser.default_scope);
            }
            return Ok(self);
        }
        if filter && !matched {
            Err(Dropped::NoGroup)
        } else {
            Ok(self)
        }
    }

    /// Adds the links the link parsers find in the message.
    pub(super) fn parse_links(mut self, parsers: &[LinkParser]) -> Commit {
        for parser in parsers {
            let re = &parser.pattern;
            let found: Vec<String> = re
                .find_iter(&self.message)
                .map(|m| m.as_str().to_string())
                .collect();
            for m in found {
                let text = match &parser.text {
                    Some(t) => re.replace(&m, t.as_str()).to_string(),
                    None => m.clone(),
                };
                let href = re.replace(&m, parser.href.as_str()).to_string();
                self.links.push(Link { text, href });
            }
        }
        self
    }
}

/// A field's value as the strings a `field` parser tests.
fn field_values(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Number(_) | Value::Bool(_) | Value::Null => Some(vec![value.to_string()]),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|item| match item {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(_) | Value::Bool(_) | Value::Null => Some(item.to_string()),
                    _ => None,
                })
                .collect(),
        ),
        Value::Object(_) => None,
    }
}

/// What git-cliff's remote fields hold offline: nothing.
#[derive(Serialize)]
struct RemoteContributor {
    username: Option<String>,
    pr_author: Option<String>,
    pr_title: Option<String>,
    pr_number: Option<i64>,
    pr_numbers: [i64; 0],
    pr_labels: [String; 0],
    is_first_time: bool,
}

const NOBODY: RemoteContributor = RemoteContributor {
    username: None,
    pr_author: None,
    pr_title: None,
    pr_number: None,
    pr_numbers: [],
    pr_labels: [],
    is_first_time: false,
};

/// The remotes git-cliff's context names (each empty: nothing is fetched).
pub(super) const REMOTES: [&str; 5] = ["github", "gitlab", "gitea", "bitbucket", "azure_devops"];

impl Serialize for Commit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Commit", 21)?;
        s.serialize_field("id", &self.id)?;
        if let Some(conv) = &self.conv {
            s.serialize_field("message", &conv.description)?;
            s.serialize_field("body", &conv.body)?;
            s.serialize_field("footers", &conv.footers)?;
            s.serialize_field("group", self.group.as_ref().unwrap_or(&conv.kind))?;
            s.serialize_field("breaking_description", &conv.breaking_description)?;
            s.serialize_field("breaking", &conv.breaking)?;
            let scope = self
                .scope
                .as_deref()
                .or(conv.scope.as_deref())
                .or(self.default_scope.as_deref());
            s.serialize_field("scope", &scope)?;
        } else {
            s.serialize_field("message", &self.message)?;
            s.serialize_field("group", &self.group)?;
            let scope = self.scope.as_deref().or(self.default_scope.as_deref());
            s.serialize_field("scope", &scope)?;
        }
        s.serialize_field("links", &self.links)?;
        s.serialize_field("author", &self.author)?;
        s.serialize_field("committer", &self.committer)?;
        s.serialize_field("conventional", &self.conv.is_some())?;
        s.serialize_field("merge_commit", &self.merge_commit)?;
        s.serialize_field("statistics", &self.statistics)?;
        s.serialize_field("extra", &self.extra)?;
        if self.remote_fields {
            for remote in REMOTES {
                s.serialize_field(remote, &NOBODY)?;
            }
        }
        s.serialize_field("raw_message", self.raw_message())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(message: &str) -> Commit {
        Commit {
            id: "abc".into(),
            message: message.into(),
            ..Commit::default()
        }
    }

    fn parser(message: &str, group: &str) -> CommitParser {
        CommitParser {
            message: Some(Regex::new(message).unwrap()),
            group: Some(group.into()),
            ..CommitParser::default()
        }
    }

    #[test]
    fn the_first_matching_parser_wins_and_captures_expand() {
        let parsers = [parser("^feat", "Features"), parser(r"^(\w+)", "Other $1")];
        let cases = [
            ("feat: a", Some("Features")),
            ("docs: b", Some("Other docs")),
        ];
        for (message, group) in cases {
            let c = commit(message).into_conventional().unwrap();
            let c = c.parse(&parsers, false, false).unwrap();
            assert_eq!(c.group.as_deref(), group, "{message}");
        }
    }

    #[test]
    fn skip_filter_and_protect_breaking() {
        let mut skip = parser("^chore", "x");
        skip.skip = Some(true);
        let parsers = [skip, parser("^feat", "F")];
        let chore = commit("chore: x").into_conventional().unwrap();
        assert_eq!(
            chore.clone().parse(&parsers, false, false).unwrap_err(),
            Dropped::Skipped
        );
        let breaking = commit("chore!: x").into_conventional().unwrap();
        assert!(breaking.parse(&parsers, true, false).is_ok());
        let fix = commit("fix: y").into_conventional().unwrap();
        assert_eq!(
            fix.clone().parse(&parsers, false, true).unwrap_err(),
            Dropped::NoGroup
        );
        assert!(fix.parse(&parsers, false, false).unwrap().group.is_none());
    }

    #[test]
    fn serialized_fields_follow_the_conventional_reading() {
        let c = commit("feat(ui)!: add\n\nbody\n\nRefs: #1")
            .into_conventional()
            .unwrap();
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["message"], "add");
        assert_eq!(v["group"], "feat");
        assert_eq!(v["scope"], "ui");
        assert_eq!(v["breaking"], true);
        assert_eq!(v["body"], "body");
        assert_eq!(v["footers"][0]["token"], "Refs");
        assert_eq!(v["raw_message"], "feat(ui)!: add\n\nbody\n\nRefs: #1");
        let plain = serde_json::to_value(commit("Update x")).unwrap();
        assert_eq!(plain["message"], "Update x");
        assert!(plain.get("body").is_none());
    }

    #[test]
    fn links_are_extracted() {
        let links = [LinkParser {
            pattern: Regex::new(r"#(\d+)").unwrap(),
            href: "https://x/issues/$1".into(),
            text: Some("issue $1".into()),
        }];
        let c = commit("fix: a (#12) and #3").parse_links(&links);
        assert_eq!(
            c.links,
            [
                Link {
                    text: "issue 12".into(),
                    href: "https://x/issues/12".into()
                },
                Link {
                    text: "issue 3".into(),
                    href: "https://x/issues/3".into()
                },
            ]
        );
    }
}
