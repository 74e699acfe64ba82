//! A git-cliff configuration: where it is found, how it is layered over
//! git-cliff's defaults (tables merge, everything else replaces), and the
//! typed settings the rest of the module reads.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};
use toml_edit::{DocumentMut, Item};

use crate::error::{Error, Result};
use crate::term::Shell;

/// git-cliff's defaults, which every configuration is layered over.
const DEFAULT: &str = include_str!("default.toml");

/// Where a configuration is looked for, in order, at the repository root.
const FILES: [&str; 3] = ["cliff.toml", ".cliff.toml", ".config/cliff.toml"];

/// Which configuration a run uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// The first one found (`FILES`, Cargo.toml metadata, release-plz.toml).
    #[default]
    Discover,
    /// `--config FILE`.
    File(PathBuf),
    /// `--no-config`.
    None,
}

/// A configuration found, with where it came from (for messages).
pub(super) struct Found {
    /// The file it was read from.
    pub(super) path: PathBuf,
    /// The settings.
    pub(super) config: Config,
    /// Whether the file has a `[bump]` table of its own.
    pub(super) has_bump: bool,
}

/// Finds the configuration `source` names, relative to the repository root.
pub(super) fn find(source: &Source, root: &Path, shell: &Shell) -> Result<Option<Found>> {
    match source {
        Source::None => Ok(None),
        Source::File(path) => {
            let text = read(path)?;
            let table = parse(&text, path)?;
            load(path, table, shell).map(Some)
        }
        Source::Discover => {
            for name in FILES {
                let path = root.join(name);
                if path.is_file() {
                    let table = parse(&read(&path)?, &path)?;
                    return load(&path, table, shell).map(Some);
                }
            }
            if let Some((path, table)) = from_manifest(root)? {
                return load(&path, table, shell).map(Some);
            }
            if let Some((path, table)) = from_release_plz(root)? {
                return load(&path, table, shell).map(Some);
            }
            Ok(None)
        }
    }
}

/// `[workspace.metadata.git-cliff]` or `[package.metadata.git-cliff]`.
fn from_manifest(root: &Path) -> Result<Option<(PathBuf, Map<String, Value>)>> {
    let path = root.join("Cargo.toml");
    if !path.is_file() {
        return Ok(None);
    }
    let table = parse(&read(&path)?, &path)?;
    for top in ["workspace", "package"] {
        let found = table
            .get(top)
            .and_then(|t| t.get("metadata"))
            .and_then(|t| t.get("git-cliff"))
            .and_then(Value::as_object);
        if let Some(found) = found {
            return Ok(Some((path, found.clone())));
        }
    }
    Ok(None)
}

/// release-plz.toml's `[changelog]`, which is git-cliff's `[changelog]`
/// plus git-cliff's `[git]` keys.
fn from_release_plz(root: &Path) -> Result<Option<(PathBuf, Map<String, Value>)>> {
    for name in ["release-plz.toml", ".release-plz.toml"] {
        let path = root.join(name);
        if !path.is_file() {
            continue;
        }
        let table = parse(&read(&path)?, &path)?;
        let Some(changelog) = table.get("changelog").and_then(Value::as_object) else {
            return Ok(None);
        };
        return Ok(Some((path, release_plz_sections(changelog))));
    }
    Ok(None)
}

/// Splits release-plz's one `[changelog]` table into git-cliff's sections.
fn release_plz_sections(changelog: &Map<String, Value>) -> Map<String, Value> {
    const CHANGELOG: [&str; 6] = [
        "header",
        "body",
        "footer",
        "trim",
        "postprocessors",
        "render_always",
    ];
    let mut out = Map::new();
    let mut cl = Map::new();
    let mut git = Map::new();
    for (key, value) in changelog {
        let section = if CHANGELOG.contains(&key.as_str()) {
            &mut cl
        } else {
            &mut git
        };
        section.insert(key.clone(), value.clone());
    }
    out.insert("changelog".into(), Value::Object(cl));
    out.insert("git".into(), Value::Object(git));
    out
}

/// A file's text.
fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))
}

/// A TOML text as JSON values.
fn parse(text: &str, path: &Path) -> Result<Map<String, Value>> {
    let doc: DocumentMut = text
        .parse()
        .map_err(|e| crate::error::toml_error(path, text, &e))?;
    Ok(table_json(doc.as_table()))
}

fn table_json(table: &toml_edit::Table) -> Map<String, Value> {
    table
        .iter()
        .filter_map(|(k, item)| item_json(item).map(|v| (k.to_string(), v)))
        .collect()
}

fn item_json(item: &Item) -> Option<Value> {
    match item {
        Item::None => None,
        Item::Value(v) => Some(value_json(v)),
        Item::Table(t) => Some(Value::Object(table_json(t))),
        Item::ArrayOfTables(a) => Some(Value::Array(
            a.iter().map(|t| Value::Object(table_json(t))).collect(),
        )),
    }
}

fn value_json(value: &toml_edit::Value) -> Value {
    use toml_edit::Value as V;
    match value {
        V::String(s) => Value::String(s.value().clone()),
        V::Integer(i) => Value::from(*i.value()),
        V::Float(f) => Value::from(*f.value()),
        V::Boolean(b) => Value::Bool(*b.value()),
        V::Datetime(d) => Value::String(d.value().to_string()),
        V::Array(a) => Value::Array(a.iter().map(value_json).collect()),
        V::InlineTable(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), value_json(v)))
                .collect(),
        ),
    }
}

/// Tables merge key by key; any other value replaces (git-cliff's layering).
fn merge(base: &mut Map<String, Value>, over: Map<String, Value>) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(b)), Value::Object(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Layers `table` over the defaults and types it; names keys cratesmith
/// does not read.
fn load(path: &Path, table: Map<String, Value>, shell: &Shell) -> Result<Found> {
    let has_bump = table.contains_key("bump");
    for key in unknown_keys(&table) {
        shell.warn(format!(
            "{}: `{key}` is not supported by git changelog and is ignored",
            path.display()
        ));
    }
    let mut merged = parse(DEFAULT, Path::new("default.toml"))?;
    merge(&mut merged, table);
    let raw: Raw = serde_json::from_value(Value::Object(merged)).map_err(|e| Error::Invalid {
        path: path.to_path_buf(),
        at: None,
        message: format!("not a git-cliff configuration: {e}"),
        help: Some("see https://git-cliff.org/docs/configuration".into()),
    })?;
    let config = raw.compile().map_err(|message| Error::Invalid {
        path: path.to_path_buf(),
        at: None,
        message,
        help: Some("git-cliff's patterns are Rust regular expressions".into()),
    })?;
    Ok(Found {
        path: path.to_path_buf(),
        config,
        has_bump,
    })
}

const CHANGELOG_KEYS: &[&str] = &[
    "header",
    "header_marker",
    "body",
    "footer",
    "trim",
    "render_always",
    "postprocessors",
    "output",
];
const GIT_KEYS: &[&str] = &[
    "processing_order",
    "conventional_commits",
    "require_conventional",
    "filter_unconventional",
    "split_commits",
    "commit_preprocessors",
    "commit_parsers",
    "protect_breaking_commits",
    "filter_commits",
    "fail_on_unmatched_commit",
    "link_parsers",
    "tag_pattern",
    "skip_tags",
    "ignore_tags",
    "count_tags",
    "limit_tags",
    "use_branch_tags",
    "topo_order",
    "topo_order_commits",
    "sort_commits",
    "limit_commits",
    "include_paths",
    "exclude_paths",
    "recurse_submodules",
];
const BUMP_KEYS: &[&str] = &[
    "features_always_bump_minor",
    "breaking_always_bump_major",
    "initial_tag",
    "custom_major_increment_regex",
    "custom_minor_increment_regex",
    "no_increment_regex",
    "bump_type",
];

/// Keys of a user's configuration that cratesmith does not act on.
fn unknown_keys(table: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for (section, value) in table {
        let known: &[&str] = match section.as_str() {
            "changelog" => CHANGELOG_KEYS,
            "git" => GIT_KEYS,
            "bump" => BUMP_KEYS,
            // Remote metadata is never fetched: its fields stay empty.
            "remote" => continue,
            _ => {
                out.push(section.clone());
                continue;
            }
        };
        let Some(keys) = value.as_object() else {
            out.push(section.clone());
            continue;
        };
        for (key, value) in keys {
            let on = value.as_bool() == Some(true);
            // Off is what cratesmith does anyway.
            let harmless = key == "format" && !on;
            if !known.contains(&key.as_str()) && !harmless {
                out.push(format!("{section}.{key}"));
            }
        }
    }
    out
}

/// The configuration as written (strings where patterns go).
#[derive(Deserialize)]
struct Raw {
    changelog: RawChangelog,
    git: RawGit,
    #[serde(default)]
    bump: RawBump,
    #[serde(default)]
    remote: Map<String, Value>,
}

#[derive(Deserialize)]
struct RawChangelog {
    header: Option<String>,
    #[serde(default = "header_marker")]
    header_marker: String,
    #[serde(default)]
    body: String,
    footer: Option<String>,
    #[serde(default)]
    trim: bool,
    #[serde(default)]
    render_always: bool,
    #[serde(default)]
    postprocessors: Vec<RawProcessor>,
    output: Option<PathBuf>,
}

fn header_marker() -> String {
    "<!-- git-cliff: end of header -->".into()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawGit {
    processing_order: Option<Vec<Step>>,
    conventional_commits: bool,
    require_conventional: bool,
    filter_unconventional: bool,
    split_commits: bool,
    commit_preprocessors: Vec<RawProcessor>,
    commit_parsers: Vec<RawParser>,
    protect_breaking_commits: bool,
    link_parsers: Vec<RawLink>,
    filter_commits: bool,
    fail_on_unmatched_commit: bool,
    tag_pattern: Option<String>,
    skip_tags: Option<String>,
    ignore_tags: Option<String>,
    count_tags: Option<String>,
    limit_tags: Option<usize>,
    use_branch_tags: bool,
    topo_order: bool,
    topo_order_commits: bool,
    sort_commits: String,
    limit_commits: Option<usize>,
    include_paths: Vec<String>,
    exclude_paths: Vec<String>,
    recurse_submodules: bool,
}

#[derive(Deserialize)]
struct RawProcessor {
    pattern: String,
    replace: Option<String>,
    replace_command: Option<String>,
}

#[derive(Deserialize)]
struct RawParser {
    sha: Option<String>,
    message: Option<String>,
    body: Option<String>,
    footer: Option<String>,
    group: Option<String>,
    default_scope: Option<String>,
    scope: Option<String>,
    skip: Option<bool>,
    field: Option<String>,
    pattern: Option<String>,
    #[serde(rename = "continue")]
    keep_going: Option<bool>,
}

#[derive(Deserialize)]
struct RawLink {
    pattern: String,
    href: String,
    text: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawBump {
    features_always_bump_minor: Option<bool>,
    breaking_always_bump_major: Option<bool>,
    initial_tag: Option<String>,
    custom_major_increment_regex: Option<String>,
    custom_minor_increment_regex: Option<String>,
    no_increment_regex: Option<String>,
    bump_type: Option<Level>,
}

/// One step of `processing_order`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(super) enum Step {
    /// `commit_preprocessors`.
    CommitPreprocessors,
    /// `split_commits`.
    SplitCommits,
    /// `conventional_commits`.
    ConventionalCommits,
    /// `commit_parsers`.
    CommitParsers,
    /// `link_parsers`.
    LinkParsers,
}

/// A version level (`[bump] bump_type`, `--release major`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// x.0.0
    Major,
    /// x.y.0
    Minor,
    /// x.y.z
    Patch,
}

impl Level {
    /// `major`, `minor`, `patch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Major => "major",
            Level::Minor => "minor",
            Level::Patch => "patch",
        }
    }
}

/// A configuration, patterns compiled.
#[derive(Debug, Clone)]
pub(super) struct Config {
    /// `[changelog]`.
    pub(super) changelog: ChangelogConfig,
    /// `[git]`.
    pub(super) git: GitConfig,
    /// `[bump]`.
    pub(super) bump: BumpConfig,
    /// `remote` in templates: what `[remote]` says, offline.
    pub(super) remote: Value,
}

/// `[changelog]`.
#[derive(Debug, Clone)]
pub(super) struct ChangelogConfig {
    /// `header` template.
    pub(super) header: Option<String>,
    /// Written after a header that uses variables; found again on prepend.
    pub(super) header_marker: String,
    /// `body` template, once per release.
    pub(super) body: String,
    /// `footer` template.
    pub(super) footer: Option<String>,
    /// Trim every template line.
    pub(super) trim: bool,
    /// Render the body even with no release.
    pub(super) render_always: bool,
    /// Applied to every rendered template.
    pub(super) postprocessors: Vec<TextProcessor>,
    /// Default output file.
    pub(super) output: Option<PathBuf>,
}

/// `[git]`.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)]
pub(super) struct GitConfig {
    pub(super) processing_order: Option<Vec<Step>>,
    pub(super) conventional_commits: bool,
    pub(super) require_conventional: bool,
    pub(super) filter_unconventional: bool,
    pub(super) split_commits: bool,
    pub(super) commit_preprocessors: Vec<TextProcessor>,
    pub(super) commit_parsers: Vec<CommitParser>,
    pub(super) protect_breaking_commits: bool,
    pub(super) link_parsers: Vec<LinkParser>,
    pub(super) filter_commits: bool,
    pub(super) fail_on_unmatched_commit: bool,
    pub(super) tag_pattern: Option<Regex>,
    pub(super) skip_tags: Option<Regex>,
    pub(super) ignore_tags: Option<Regex>,
    pub(super) count_tags: Option<Regex>,
    pub(super) limit_tags: Option<usize>,
    pub(super) use_branch_tags: bool,
    pub(super) topo_order: bool,
    pub(super) topo_order_commits: bool,
    /// `newest` first, else oldest first.
    pub(super) newest_first: bool,
    pub(super) limit_commits: Option<usize>,
    pub(super) include_paths: Vec<String>,
    pub(super) exclude_paths: Vec<String>,
    /// Each release's commits of the submodules it moves
    /// (`submodule_commits`).
    pub(super) recurse_submodules: bool,
}

/// `[bump]`.
#[derive(Debug, Clone, Default)]
pub(super) struct BumpConfig {
    pub(super) features_always_bump_minor: Option<bool>,
    pub(super) breaking_always_bump_major: Option<bool>,
    pub(super) initial_tag: Option<String>,
    pub(super) custom_major_increment_regex: Option<Regex>,
    pub(super) custom_minor_increment_regex: Option<Regex>,
    pub(super) no_increment_regex: Option<Regex>,
    pub(super) bump_type: Option<Level>,
}

/// A regex replacement (or a command) applied to text.
#[derive(Debug, Clone)]
pub(super) struct TextProcessor {
    pub(super) pattern: Regex,
    pub(super) replace: Option<String>,
    pub(super) replace_command: Option<String>,
}

/// One `commit_parsers` entry.
#[derive(Debug, Clone, Default)]
pub(super) struct CommitParser {
    pub(super) sha: Option<String>,
    pub(super) message: Option<Regex>,
    pub(super) body: Option<Regex>,
    pub(super) footer: Option<Regex>,
    pub(super) group: Option<String>,
    pub(super) default_scope: Option<String>,
    pub(super) scope: Option<String>,
    pub(super) skip: Option<bool>,
    pub(super) field: Option<String>,
    pub(super) pattern: Option<Regex>,
    pub(super) keep_going: Option<bool>,
}

/// One `link_parsers` entry.
#[derive(Debug, Clone)]
pub(super) struct LinkParser {
    pub(super) pattern: Regex,
    pub(super) href: String,
    pub(super) text: Option<String>,
}

/// git-cliff's `remote` template variable: each remote's owner and repo as
/// configured, nothing fetched (`offline`).
fn remote_context(raw: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("offline".into(), Value::Bool(true));
    for name in ["github", "gitlab", "gitea", "bitbucket", "azure_devops"] {
        let given = raw.get(name).and_then(Value::as_object);
        let text = |key: &str| {
            given
                .and_then(|g| g.get(key))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (owner, repo) = (text("owner"), text("repo"));
        let field = |key: &str| {
            given
                .and_then(|g| g.get(key))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let timeout = given
            .and_then(|g| g.get("http_timeout"))
            .and_then(Value::as_str)
            .unwrap_or("30s")
            .to_string();
        out.insert(
            name.into(),
            serde_json::json!({
                "owner": owner,
                "repo": repo,
                "is_custom": given.is_some(),
                "api_url": field("api_url"),
                "http_timeout": timeout,
                "native_tls": field("native_tls"),
            }),
        );
    }
    Value::Object(out)
}

/// Compiles `pattern`, naming the key it came from.
pub(super) fn regex(key: &str, pattern: &str) -> std::result::Result<Regex, String> {
    Regex::new(pattern)
        .map_err(|e| format!("`{key}` = {pattern:?} is not a regular expression: {e}"))
}

fn opt_regex(key: &str, pattern: Option<String>) -> std::result::Result<Option<Regex>, String> {
    pattern.map(|p| regex(key, &p)).transpose()
}

fn processors(
    key: &str,
    raw: Vec<RawProcessor>,
) -> std::result::Result<Vec<TextProcessor>, String> {
    raw.into_iter()
        .map(|p| {
            Ok(TextProcessor {
                pattern: regex(key, &p.pattern)?,
                replace: p.replace,
                replace_command: p.replace_command,
            })
        })
        .collect()
}

impl Raw {
    fn compile(self) -> std::result::Result<Config, String> {
        let c = self.changelog;
        let g = self.git;
        let b = self.bump;
        let remote = remote_context(&self.remote);
        Ok(Config {
            remote,
            changelog: ChangelogConfig {
                header: c.header,
                header_marker: c.header_marker,
                body: c.body,
                footer: c.footer,
                trim: c.trim,
                render_always: c.render_always,
                postprocessors: processors("changelog.postprocessors", c.postprocessors)?,
                output: c.output,
            },
            git: g.compile()?,
            bump: BumpConfig {
                features_always_bump_minor: b.features_always_bump_minor,
                breaking_always_bump_major: b.breaking_always_bump_major,
                initial_tag: b.initial_tag,
                custom_major_increment_regex: opt_regex(
                    "bump.custom_major_increment_regex",
                    b.custom_major_increment_regex,
                )?,
                custom_minor_increment_regex: opt_regex(
                    "bump.custom_minor_increment_regex",
                    b.custom_minor_increment_regex,
                )?,
                no_increment_regex: opt_regex("bump.no_increment_regex", b.no_increment_regex)?,
                bump_type: b.bump_type,
            },
        })
    }
}

impl RawGit {
    fn compile(self) -> std::result::Result<GitConfig, String> {
        let parsers = self
            .commit_parsers
            .into_iter()
            .map(|p| {
                let key = "git.commit_parsers";
                Ok(CommitParser {
                    sha: p.sha,
                    message: opt_regex(key, p.message)?,
                    body: opt_regex(key, p.body)?,
                    footer: opt_regex(key, p.footer)?,
                    group: p.group,
                    default_scope: p.default_scope,
                    scope: p.scope,
                    skip: p.skip,
                    field: p.field,
                    pattern: opt_regex(key, p.pattern)?,
                    keep_going: p.keep_going,
                })
            })
            .collect::<std::result::Result<_, String>>()?;
        let links = self
            .link_parsers
            .into_iter()
            .map(|l| {
                Ok(LinkParser {
                    pattern: regex("git.link_parsers", &l.pattern)?,
                    href: l.href,
                    text: l.text,
                })
            })
            .collect::<std::result::Result<_, String>>()?;
        let newest_first = match self.sort_commits.to_ascii_lowercase().as_str() {
            "newest" => true,
            "oldest" | "" => false,
            other => {
                return Err(format!(
                    "`git.sort_commits` = {other:?}: use \"oldest\" or \"newest\""
                ));
            }
        };
        Ok(GitConfig {
            processing_order: self.processing_order,
            conventional_commits: self.conventional_commits,
            require_conventional: self.require_conventional,
            filter_unconventional: self.filter_unconventional,
            split_commits: self.split_commits,
            commit_preprocessors: processors(
                "git.commit_preprocessors",
                self.commit_preprocessors,
            )?,
            commit_parsers: parsers,
            protect_breaking_commits: self.protect_breaking_commits,
            link_parsers: links,
            filter_commits: self.filter_commits,
            fail_on_unmatched_commit: self.fail_on_unmatched_commit,
            tag_pattern: opt_regex("git.tag_pattern", self.tag_pattern)?,
            skip_tags: opt_regex("git.skip_tags", self.skip_tags)?,
            ignore_tags: opt_regex("git.ignore_tags", self.ignore_tags)?,
            count_tags: opt_regex("git.count_tags", self.count_tags)?,
            limit_tags: self.limit_tags,
            use_branch_tags: self.use_branch_tags,
            topo_order: self.topo_order,
            topo_order_commits: self.topo_order_commits,
            newest_first,
            limit_commits: self.limit_commits,
            include_paths: self.include_paths,
            exclude_paths: self.exclude_paths,
            recurse_submodules: self.recurse_submodules,
        })
    }
}

impl Config {
    /// git-cliff's defaults alone.
    #[cfg(test)]
    pub(super) fn defaults() -> Config {
        let merged = parse(DEFAULT, Path::new("default.toml")).expect("the default parses");
        let raw: Raw = serde_json::from_value(Value::Object(merged)).expect("the default types");
        raw.compile().expect("the default compiles")
    }

    /// The distinct groups of `commit_parsers`, in order
    /// (`commit_parsers_groups` in templates).
    pub(super) fn parser_groups(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.git
            .commit_parsers
            .iter()
            .filter_map(|p| p.group.clone())
            .filter(|g| seen.insert(g.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_merge_and_arrays_replace() {
        let mut base = parse("[a]\nx = 1\ny = [1, 2]\n[b]\nz = 1\n", Path::new("b")).unwrap();
        let over = parse("[a]\ny = [3]\n[c]\nw = true\n", Path::new("o")).unwrap();
        merge(&mut base, over);
        assert_eq!(
            Value::Object(base),
            serde_json::json!({"a": {"x": 1, "y": [3]}, "b": {"z": 1}, "c": {"w": true}})
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        let table = parse(
            "[changelog]\nbody = ''\nformat = true\n[git]\nsort_commits = 'oldest'\nrecurse_submodules = true\nfoo = 1\n[remote.github]\nowner = 'a'\n[extra]\n",
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(
            unknown_keys(&table),
            ["changelog.format", "extra", "git.foo"]
        );
    }

    #[test]
    fn release_plz_changelog_splits_into_sections() {
        let table = parse(
            "[changelog]\nbody = 'b'\ntrim = true\ncommit_parsers = []\nprotect_breaking_commits = true\n",
            Path::new("r"),
        )
        .unwrap();
        let out = release_plz_sections(table["changelog"].as_object().unwrap());
        assert_eq!(
            Value::Object(out),
            serde_json::json!({"changelog": {"body": "b", "trim": true}, "git": {"commit_parsers": [], "protect_breaking_commits": true}})
        );
    }

    #[test]
    fn the_default_is_git_cliffs() {
        let c = Config::defaults();
        assert!(c.git.conventional_commits && c.git.filter_unconventional);
        assert!(c.git.topo_order_commits && !c.git.newest_first);
        assert_eq!(c.parser_groups().len(), 11);
        assert!(c.changelog.header.is_none() && c.changelog.trim);
    }
}
