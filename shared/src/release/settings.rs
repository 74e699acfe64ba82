//! Changelog settings: `changelog.toml` at the repository root, else
//! `[workspace.metadata.changelog]` (or `[package.metadata.changelog]`) of
//! the root Cargo.toml.
//!
//! ```toml
//! [workspace.metadata.changelog]
//! sections = { perf = "Performance", docs = "Documentation" }  # type -> section
//! hidden = ["chore", "ci", "test", "build", "style"]           # shown only with --include
//! features-always-minor = true      # below 1.0 a feature bumps minor, not patch
//! tag-pattern = "v*"
//! combined = true                   # one root CHANGELOG.md for every package
//! ```

use std::path::PathBuf;

use toml_edit::Item;

use crate::error::{Error, Result};
use crate::manifest::Manifest;

/// The types hidden unless `--include` names them.
pub const DEFAULT_HIDDEN: [&str; 6] = ["docs", "chore", "ci", "test", "build", "style"];

/// The type-to-section mapping before configuration.
pub const DEFAULT_SECTIONS: [(&str, &str); 10] = [
    ("feat", "Added"),
    ("fix", "Fixed"),
    ("perf", "Changed"),
    ("refactor", "Changed"),
    ("revert", "Changed"),
    ("other", "Changed"),
    ("deprecate", "Deprecated"),
    ("deprecated", "Deprecated"),
    ("remove", "Removed"),
    ("removed", "Removed"),
];

/// The settings, defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Commit type -> section title; configured entries come first.
    pub sections: Vec<(String, String)>,
    /// Types shown only when `--include` names them.
    pub hidden: Vec<String>,
    /// Below 1.0, a feature bumps minor instead of patch.
    pub features_always_minor: bool,
    /// `check-api = true`: `cargo bump auto` runs `--check-api` by default.
    pub check_api: bool,
    /// The default `--tag-pattern`, if configured.
    pub tag_pattern: Option<String>,
    /// The file the settings came from.
    pub source: Option<PathBuf>,
    /// Where the root package's changelog is (`path`, relative to the
    /// root), for `cargo bump auto --changelog`.
    pub path: Option<String>,
    /// `combined = true`: one root changelog for every package's releases.
    pub combined: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            sections: DEFAULT_SECTIONS
                .iter()
                .map(|(t, s)| (t.to_string(), s.to_string()))
                .collect(),
            hidden: DEFAULT_HIDDEN.map(String::from).to_vec(),
            features_always_minor: false,
            check_api: false,
            tag_pattern: None,
            source: None,
            path: None,
            combined: false,
        }
    }
}

impl Settings {
    /// The commit types the lint accepts and the changelog counts: the
    /// default ones and every type the settings name (sections, hidden).
    pub fn types(&self) -> Vec<String> {
        let mut out: Vec<String> = crate::commits::DEFAULT_TYPES.map(String::from).to_vec();
        let named = self.sections.iter().map(|(t, _)| t).chain(&self.hidden);
        for t in named {
            if t != "other" && !out.contains(t) {
                out.push(t.clone());
            }
        }
        out
    }

    /// The section a type maps to, if the mapping names it.
    pub fn section(&self, kind: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|(t, _)| t == kind)
            .map(|(_, s)| s.as_str())
    }

    /// The settings of `repo` (from its work tree; from HEAD in a bare one).
    pub fn load(repo: &crate::git::Repo) -> Result<Self> {
        let root = repo.workdir();
        if let Some(text) = repo.root_file("changelog.toml")? {
            let m = Manifest::from_text(&root.join("changelog.toml"), &text)?;
            return Self::from_item(&m, m.get(&[]), &[]);
        }
        let Some(text) = repo.root_file("Cargo.toml")? else {
            return Ok(Self::default());
        };
        let m = Manifest::from_text(&root.join("Cargo.toml"), &text)?;
        for table in ["workspace", "package"] {
            let keys = [table, "metadata", "changelog"];
            if let Some(item) = m.get(&keys) {
                return Self::from_item(&m, Some(item), &keys);
            }
        }
        Ok(Self::default())
    }

    fn from_item(m: &Manifest, item: Option<&Item>, keys: &[&str]) -> Result<Self> {
        let mut config = Settings {
            source: Some(m.path().to_path_buf()),
            ..Self::default()
        };
        let Some(item) = item else {
            return Ok(config);
        };
        let where_ = if keys.is_empty() {
            "the file".to_string()
        } else {
            format!("[{}]", keys.join("."))
        };
        let table = item
            .as_table_like()
            .ok_or_else(|| invalid(m, item, format!("{where_} must be a table")))?;
        for (key, value) in table.iter() {
            match key {
                "sections" => config.sections = sections(m, value, &config.sections)?,
                "hidden" => config.hidden = strings(m, value, "hidden")?,
                "check-api" => {
                    config.check_api = value.as_bool().ok_or_else(|| {
                        invalid(m, value, "`check-api` must be true or false".into())
                    })?;
                }
                "combined" => {
                    config.combined = value.as_bool().ok_or_else(|| {
                        invalid(m, value, "`combined` must be true or false".into())
                    })?;
                }
                "features-always-minor" => {
                    config.features_always_minor = value.as_bool().ok_or_else(|| {
                        invalid(
                            m,
                            value,
                            "`features-always-minor` must be true or false".into(),
                        )
                    })?;
                }
                "tag-pattern" => {
                    let s = value.as_str().filter(|s| s.matches('*').count() == 1);
                    let s = s.ok_or_else(|| {
                        let msg = "`tag-pattern` must be a string with one `*`, like \"v*\"";
                        invalid(m, value, msg.into())
                    })?;
                    config.tag_pattern = Some(s.to_string());
                }
                "path" => {
                    let s = value.as_str().ok_or_else(|| {
                        invalid(
                            m,
                            value,
                            "`path` must be a string: the changelog file".into(),
                        )
                    })?;
                    config.path = Some(s.to_string());
                }
                other => {
                    return Err(invalid(
                        m,
                        value,
                        format!(
                            "unknown key `{other}` in {where_}; expected sections, hidden, check-api, features-always-minor, tag-pattern, path or combined"
                        ),
                    ));
                }
            }
        }
        Ok(config)
    }
}

fn sections(
    m: &Manifest,
    item: &Item,
    defaults: &[(String, String)],
) -> Result<Vec<(String, String)>> {
    let table = item.as_table_like().ok_or_else(|| {
        invalid(
            m,
            item,
            "`sections` must be a table of type = \"Section\"".into(),
        )
    })?;
    let mut out = Vec::new();
    for (kind, title) in table.iter() {
        let title = title
            .as_str()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                invalid(
                    m,
                    title,
                    format!("`sections.{kind}` must be a section title such as \"Added\""),
                )
            })?;
        out.push((kind.to_ascii_lowercase(), title.to_string()));
    }
    for (kind, title) in defaults {
        if !out.iter().any(|(k, _)| k == kind) {
            out.push((kind.clone(), title.clone()));
        }
    }
    Ok(out)
}

fn strings(m: &Manifest, item: &Item, key: &str) -> Result<Vec<String>> {
    let err = || invalid(m, item, format!("`{key}` must be an array of strings"));
    let array = item.as_array().ok_or_else(err)?;
    array
        .iter()
        .map(|v| v.as_str().map(str::to_ascii_lowercase).ok_or_else(err))
        .collect()
}

fn invalid(m: &Manifest, item: &Item, message: String) -> Error {
    m.invalid(
        item.span(),
        message,
        Some("see the changelog settings in `git changelog -h`".into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(file: &str, text: &str) -> Result<Settings> {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        crate::fs::write_atomic(&dir.path().join(file), text.as_bytes()).unwrap();
        Settings::load(&crate::git::Repo::discover(dir.path()).unwrap())
    }

    #[test]
    fn settings_come_from_cargo_toml_or_changelog_toml() {
        let c = load(
            "Cargo.toml",
            "[workspace]\n[workspace.metadata.changelog]\nsections = { perf = \"Performance\", Docs = \"Documentation\" }\nhidden = [\"chore\"]\nfeatures-always-minor = true\ntag-pattern = \"release-*\"\n",
        )
        .unwrap();
        assert_eq!(c.section("perf"), Some("Performance"));
        assert_eq!(c.section("docs"), Some("Documentation"));
        assert_eq!(c.section("feat"), Some("Added"), "defaults kept");
        assert_eq!(c.hidden, ["chore"]);
        assert!(c.features_always_minor);
        assert_eq!(c.tag_pattern.as_deref(), Some("release-*"));
        let pkg = load(
            "Cargo.toml",
            "[package]\nname = \"a\"\n[package.metadata.changelog]\nhidden = []\n",
        )
        .unwrap();
        assert!(pkg.hidden.is_empty());
        let standalone = load("changelog.toml", "features-always-minor = true\n").unwrap();
        assert!(standalone.features_always_minor);
        assert_eq!(
            load("Cargo.toml", "[workspace]\n").unwrap(),
            Settings::default()
        );
    }

    #[test]
    fn mistakes_are_located() {
        let cases = [
            ("hidden = \"docs\"\n", 1, "`hidden` must be an array"),
            (
                "\n\nsections = { feat = 1 }\n",
                3,
                "`sections.feat` must be a section title",
            ),
            ("features-always-minor = \"yes\"\n", 1, "true or false"),
            ("tag-pattern = \"v\"\n", 1, "one `*`"),
            ("hiden = []\n", 1, "unknown key `hiden`"),
        ];
        for (text, want_line, want) in cases {
            match load("changelog.toml", text) {
                Err(Error::Invalid { at, message, .. }) => {
                    assert_eq!(at.map(|p| p.line), Some(want_line), "{text}");
                    assert!(message.contains(want), "{message}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
