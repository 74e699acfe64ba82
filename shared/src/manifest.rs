//! One Cargo.toml, parsed with spans: its version (own or inherited), the
//! workspace version, and every dependency entry with the location of its
//! requirement, so edits can be spliced into the original bytes.

use std::ops::Range;
use std::path::{Path, PathBuf};

use semver::Version;
use toml_edit::{Document, Item, TableLike};

use crate::edit::{Edit, string_token};
use crate::error::{Error, Result, position, toml_error};

/// The dependency table names cargo accepts.
const DEP_TABLES: [&str; 5] = [
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
];

/// A parsed manifest and its original text.
#[derive(Debug)]
pub struct Manifest {
    /// Where it was read from.
    pub path: PathBuf,
    doc: Document<String>,
}

/// A string value and the span of its token (quotes included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringValue {
    /// The decoded string.
    pub value: String,
    /// Byte range of the token in the file.
    pub span: Range<usize>,
}

/// Where a package's version comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionKey {
    /// `version = "1.2.3"`.
    Own(Version, StringValue),
    /// `version.workspace = true`.
    Inherited,
    /// No `version` key.
    Missing,
}

/// One dependency entry of a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// The table it is in, e.g. `dependencies` or `target.'cfg(unix)'.dev-dependencies`.
    pub table: String,
    /// The key (the name used in code when renamed).
    pub key: String,
    /// The package depended on (`package = "…"` or the key).
    pub package: String,
    /// The `version` requirement, if written.
    pub req: Option<StringValue>,
    /// Whether it has a `path` key.
    pub has_path: bool,
    /// The `path` value, if any.
    pub path: Option<String>,
    /// Whether it comes from git (`git = …`).
    pub git: bool,
    /// Whether it is inherited from `[workspace.dependencies]`
    /// (`workspace = true`).
    pub inherits: bool,
}

/// A `[replace]` entry: `"name:1.2.3" = { path = "…" }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplaceEntry {
    /// The package replaced.
    pub package: String,
    /// Its version, as written in the key.
    pub version: String,
    /// The key token (quotes included) and its span.
    pub key: StringValue,
    /// The `path` of the replacement, if any.
    pub path: Option<String>,
}

impl Manifest {
    /// Read and parse `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        Self::from_text(path, &text)
    }

    /// Parse `text`, read from `path`; errors are located in it.
    pub fn from_text(path: &Path, text: &str) -> Result<Self> {
        Document::parse(text.to_string())
            .map(|doc| Manifest {
                path: path.to_path_buf(),
                doc,
            })
            .map_err(|e| toml_error(path, text, &e))
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The original text.
    pub fn text(&self) -> &str {
        self.doc.raw()
    }

    /// The item at a dotted path of plain keys, e.g. `["package", "metadata", "bump"]`.
    pub fn get(&self, keys: &[&str]) -> Option<&Item> {
        let mut item = self.doc.as_item();
        for key in keys {
            item = item.as_table_like()?.get(key)?;
        }
        Some(item)
    }

    /// Where the table at `keys` starts (its `[header]`), when it has one.
    pub fn table_span(&self, keys: &[&str]) -> Option<Range<usize>> {
        match self.get(keys)? {
            Item::Table(t) => t.span(),
            other => other.span(),
        }
    }

    /// `package.name`, if this manifest has a package.
    pub fn package_name(&self) -> Option<&str> {
        self.get(&["package", "name"])?.as_str()
    }

    /// Where `package.version` comes from.
    pub fn package_version(&self) -> Result<VersionKey> {
        let Some(item) = self.get(&["package", "version"]) else {
            return Ok(VersionKey::Missing);
        };
        if is_workspace_inherited(item) {
            return Ok(VersionKey::Inherited);
        }
        let value = self.string(item, "package.version")?;
        Ok(VersionKey::Own(self.version(&value)?, value))
    }

    /// `[workspace.package] version`, if present.
    pub fn workspace_version(&self) -> Result<Option<(Version, StringValue)>> {
        let Some(item) = self.get(&["workspace", "package", "version"]) else {
            return Ok(None);
        };
        let value = self.string(item, "workspace.package.version")?;
        Ok(Some((self.version(&value)?, value)))
    }

    /// Every dependency entry: normal, dev, build, per target, and `[workspace.dependencies]`.
    pub fn dependencies(&self) -> Vec<Dependency> {
        let mut out = Vec::new();
        let root = self.doc.as_table();
        for name in DEP_TABLES {
            collect(root.get(name), name.to_string(), &mut out);
        }
        if let Some(targets) = root.get("target").and_then(Item::as_table_like) {
            for (cfg, table) in targets.iter() {
                let Some(table) = table.as_table_like() else {
                    continue;
                };
                for name in DEP_TABLES {
                    collect(
                        table.get(name),
                        format!("target.{}.{name}", quote_key(cfg)),
                        &mut out,
                    );
                }
            }
        }
        let workspace_deps = self.get(&["workspace", "dependencies"]);
        collect(workspace_deps, "workspace.dependencies".into(), &mut out);
        if let Some(patches) = root.get("patch").and_then(Item::as_table_like) {
            for (source, table) in patches.iter() {
                collect(
                    Some(table),
                    format!("patch.{}", quote_key(source)),
                    &mut out,
                );
            }
        }
        out
    }

    /// The `[replace]` entries whose key is `name:version`.
    pub fn replace_entries(&self) -> Vec<ReplaceEntry> {
        let Some(table) = self
            .doc
            .as_table()
            .get("replace")
            .and_then(Item::as_table_like)
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, item) in table.iter() {
            let Some((package, version)) = key.rsplit_once(':') else {
                continue;
            };
            let Some(span) = table.key(key).and_then(toml_edit::Key::span) else {
                continue;
            };
            let path = item
                .as_table_like()
                .and_then(|t| t.get("path"))
                .and_then(Item::as_str)
                .map(String::from);
            out.push(ReplaceEntry {
                package: package.to_string(),
                version: version.to_string(),
                key: StringValue {
                    value: key.to_string(),
                    span,
                },
                path,
            });
        }
        out
    }

    /// An edit replacing the string at `value` with `new`, quote style kept.
    pub fn string_edit(&self, value: &StringValue, new: &str) -> Edit {
        let old_token = &self.text()[value.span.clone()];
        Edit {
            span: value.span.clone(),
            with: string_token(old_token, new),
        }
    }

    /// An [`Error::Invalid`] located at `span`, when there is one.
    pub fn invalid(
        &self,
        span: Option<Range<usize>>,
        message: String,
        help: Option<String>,
    ) -> Error {
        Error::Invalid {
            path: self.path.clone(),
            at: span.map(|s| position(self.text(), s.start)),
            message,
            help,
        }
    }

    fn string(&self, item: &Item, key: &str) -> Result<StringValue> {
        string_value(item)
            .ok_or_else(|| self.invalid(item.span(), format!("`{key}` must be a string"), None))
    }

    fn version(&self, value: &StringValue) -> Result<Version> {
        Version::parse(&value.value).map_err(|e| {
            self.invalid(
                Some(value.span.clone()),
                format!("`{}` is not a SemVer version: {e}", value.value),
                Some("cargo requires versions of the form MAJOR.MINOR.PATCH".into()),
            )
        })
    }
}

/// A string item's value and token span.
pub fn string_value(item: &Item) -> Option<StringValue> {
    let value = item.as_value()?;
    let span = value.span()?;
    Some(StringValue {
        value: value.as_str()?.to_string(),
        span,
    })
}

fn is_workspace_inherited(item: &Item) -> bool {
    item.as_table_like()
        .and_then(|t| t.get("workspace"))
        .and_then(Item::as_bool)
        .unwrap_or(false)
}

fn collect(table: Option<&Item>, name: String, out: &mut Vec<Dependency>) {
    let Some(table) = table.and_then(Item::as_table_like) else {
        return;
    };
    for (key, item) in table.iter() {
        out.push(dependency(&name, key, item));
    }
}

fn dependency(table: &str, key: &str, item: &Item) -> Dependency {
    let fields: Option<&dyn TableLike> = item.as_table_like();
    let field = |name: &str| fields.and_then(|t| t.get(name));
    let req = match fields {
        Some(_) => field("version").and_then(string_value),
        None => string_value(item),
    };
    Dependency {
        table: table.to_string(),
        key: key.to_string(),
        package: field("package")
            .and_then(Item::as_str)
            .unwrap_or(key)
            .to_string(),
        req,
        has_path: field("path").is_some(),
        path: field("path").and_then(Item::as_str).map(String::from),
        git: field("git").is_some(),
        inherits: field("workspace").and_then(Item::as_bool) == Some(true),
    }
}

fn quote_key(key: &str) -> String {
    if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        key.to_string()
    } else {
        format!("'{key}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"[package]
name = "app"
version = '1.2.3' # own

[dependencies]
plain = "1.0"
core = { path = "../core", version = "1.2" }
renamed = { package = "util", path = "../util", version = "=0.4.0" }
dotted.path = "../dotted"
dotted.version = "2"

[dependencies.tabled]
path = "../tabled"
version = "~3.1"

[target.'cfg(unix)'.dev-dependencies]
core = { path = "../core", version = "1.2" }

[build-dependencies]
nover = { path = "../nover" }

[workspace.dependencies]
core = { path = "core", version = "1.2.0" }
"#;

    #[test]
    fn finds_every_dependency_with_its_span() {
        let m = Manifest::from_text(Path::new("Cargo.toml"), MANIFEST).unwrap();
        let deps = m.dependencies();
        let summary: Vec<(String, String, String, Option<String>, bool)> = deps
            .iter()
            .map(|d| {
                let req = d.req.as_ref().map(|r| m.text()[r.span.clone()].to_string());
                (
                    d.table.clone(),
                    d.key.clone(),
                    d.package.clone(),
                    req,
                    d.has_path,
                )
            })
            .collect();
        let expected = [
            ("dependencies", "plain", "plain", Some("\"1.0\""), false),
            ("dependencies", "core", "core", Some("\"1.2\""), true),
            ("dependencies", "renamed", "util", Some("\"=0.4.0\""), true),
            ("dependencies", "dotted", "dotted", Some("\"2\""), true),
            ("dependencies", "tabled", "tabled", Some("\"~3.1\""), true),
            ("build-dependencies", "nover", "nover", None, true),
            (
                "target.'cfg(unix)'.dev-dependencies",
                "core",
                "core",
                Some("\"1.2\""),
                true,
            ),
            (
                "workspace.dependencies",
                "core",
                "core",
                Some("\"1.2.0\""),
                true,
            ),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(t, k, p, r, h)| {
                (
                    t.to_string(),
                    k.to_string(),
                    p.to_string(),
                    r.map(String::from),
                    *h,
                )
            })
            .collect();
        assert_eq!(summary, expected);
    }

    #[test]
    fn version_keys() {
        let m = Manifest::from_text(Path::new("Cargo.toml"), MANIFEST).unwrap();
        let VersionKey::Own(v, value) = m.package_version().unwrap() else {
            panic!()
        };
        assert_eq!(v, Version::new(1, 2, 3));
        assert_eq!(m.string_edit(&value, "1.3.0").with, "'1.3.0'");
        let inherited = "[package]\nname = \"a\"\nversion.workspace = true\n";
        let m = Manifest::from_text(Path::new("Cargo.toml"), inherited).unwrap();
        assert_eq!(m.package_version().unwrap(), VersionKey::Inherited);
        let m = Manifest::from_text(Path::new("Cargo.toml"), "[package]\nname = \"a\"\n").unwrap();
        assert_eq!(m.package_version().unwrap(), VersionKey::Missing);
    }

    #[test]
    fn bad_version_is_located() {
        let m =
            Manifest::from_text(Path::new("Cargo.toml"), "[package]\nversion = \"1.2\"\n").unwrap();
        let err = m.package_version().unwrap_err().to_string();
        assert!(
            err.starts_with("Cargo.toml:2:11: `1.2` is not a SemVer version"),
            "{err}"
        );
    }

    #[test]
    fn parse_error_is_located() {
        let err =
            Manifest::from_text(Path::new("x/Cargo.toml"), "[package]\nname = \n").unwrap_err();
        assert!(err.to_string().starts_with("x/Cargo.toml:2:"), "{err}");
    }
}
