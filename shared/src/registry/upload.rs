//! The publish request (`PUT /api/v1/crates/new`) built from a `.crate`
//! file: the metadata cargo sends, read from the normalized Cargo.toml
//! inside it (inheritance resolved, path dependencies turned into registry
//! ones), then the file itself. The bytes uploaded are the bytes `cargo
//! package` verified.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use toml_edit::{DocumentMut, Item};

use super::config::{CRATES_IO_GIT, Registry};
use crate::error::{Error, Result};

/// The metadata of a publish request, as cargo sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NewCrate {
    /// Package name.
    pub name: String,
    /// Version.
    pub vers: String,
    /// Dependencies.
    pub deps: Vec<NewDep>,
    /// `[features]`.
    pub features: BTreeMap<String, Vec<String>>,
    /// `authors`.
    pub authors: Vec<String>,
    /// `description`.
    pub description: Option<String>,
    /// `documentation`.
    pub documentation: Option<String>,
    /// `homepage`.
    pub homepage: Option<String>,
    /// The readme's content.
    pub readme: Option<String>,
    /// The readme's path in the package.
    pub readme_file: Option<String>,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// `categories`.
    pub categories: Vec<String>,
    /// `license`.
    pub license: Option<String>,
    /// `license-file`.
    pub license_file: Option<String>,
    /// `repository`.
    pub repository: Option<String>,
    /// Badges (no longer used by crates.io; sent empty).
    pub badges: BTreeMap<String, BTreeMap<String, String>>,
    /// `links`.
    pub links: Option<String>,
    /// `rust-version`.
    pub rust_version: Option<String>,
}

/// A dependency in a publish request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewDep {
    /// The package's name (not the rename).
    pub name: String,
    /// The requirement.
    pub version_req: String,
    /// Features enabled.
    pub features: Vec<String>,
    /// `optional`.
    pub optional: bool,
    /// `default-features`.
    pub default_features: bool,
    /// `cfg(...)` or a triple.
    pub target: Option<String>,
    /// `normal`, `dev` or `build`.
    pub kind: String,
    /// The dependency's index, when it is another registry than the one
    /// published to.
    pub registry: Option<String>,
    /// The name used in Cargo.toml, when renamed.
    pub explicit_name_in_toml: Option<String>,
}

/// A `.crate` file read for upload.
#[derive(Clone, Debug)]
pub struct Upload {
    /// The metadata.
    pub meta: NewCrate,
    /// The file's bytes.
    pub file: Vec<u8>,
}

impl Upload {
    /// Read the `.crate` of `name`-`version` at `path`, for publishing to
    /// `target`.
    ///
    /// # Errors
    /// The file cannot be read or holds no normalized manifest.
    pub fn read(path: &Path, name: &str, version: &str, target: &Registry) -> Result<Upload> {
        let file = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        let prefix = format!("{name}-{version}/");
        // The manifest and readme candidates: nothing over 16 MiB is read.
        let files = crate_files(&file, &prefix, |rel, size| {
            rel.is_some() && size <= 16 * 1024 * 1024
        })
        .map_err(|e| Error::io("read", path, e))?;
        let manifest = files.get("Cargo.toml").ok_or_else(|| Error::Conflict {
            message: format!("`{}` holds no `{prefix}Cargo.toml`", path.display()),
            help: "package again with `cargo package`".into(),
        })?;
        let text = String::from_utf8_lossy(manifest);
        let doc: DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| Error::Invalid {
                path: path.join("Cargo.toml"),
                at: None,
                message: e.message().to_string(),
                help: None,
            })?;
        let meta = new_crate(&doc, &files, &target.metadata_url(), target.is_crates_io());
        Ok(Upload { meta, file })
    }

    /// The request body: the metadata's length and JSON, the file's
    /// length and bytes (lengths as little-endian u32).
    pub fn body(&self) -> Vec<u8> {
        let json = serde_json::to_vec(&self.meta).unwrap_or_default();
        let mut out = Vec::with_capacity(8 + json.len() + self.file.len());
        for part in [&json, &self.file] {
            let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(part);
        }
        out
    }
}

/// The files of a `.crate` (`gz`) that `keep` accepts, given each one's
/// path under the top directory `prefix` (`name-version/`; `None` for an
/// entry outside it) and its size; by that path (an entry outside the
/// prefix by its whole path).
pub fn crate_files(
    gz: &[u8],
    prefix: &str,
    keep: impl Fn(Option<&str>, u64) -> bool,
) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(gz));
    let mut out = BTreeMap::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let rel = path.strip_prefix(prefix);
        if !keep(rel, entry.size()) {
            continue;
        }
        let mut buf = Vec::new();
        entry.read_to_end(&mut buf)?;
        out.insert(rel.unwrap_or(&path).to_string(), buf);
    }
    Ok(out)
}

fn new_crate(
    doc: &DocumentMut,
    files: &BTreeMap<String, Vec<u8>>,
    target_index: &str,
    target_is_crates_io: bool,
) -> NewCrate {
    let pkg = doc.get("package");
    let s = |key: &str| {
        pkg.and_then(|p| p.get(key))
            .and_then(Item::as_str)
            .map(String::from)
    };
    let list = |key: &str| strings(pkg.and_then(|p| p.get(key)));
    let readme_file = s("readme");
    let readme = readme_file
        .as_ref()
        .and_then(|f| files.get(f.trim_start_matches("./")))
        .map(|b| String::from_utf8_lossy(b).into_owned());
    let features = doc
        .get("features")
        .and_then(Item::as_table_like)
        .map(|t| {
            t.iter()
                .map(|(k, v)| (k.to_string(), strings(Some(v))))
                .collect()
        })
        .unwrap_or_default();
    let mut deps = Vec::new();
    let reg = DepRegistry {
        target_index,
        target_is_crates_io,
    };
    collect_deps(doc.as_item(), None, &reg, &mut deps);
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (cfg, table) in targets.iter() {
            collect_deps(table, Some(cfg), &reg, &mut deps);
        }
    }
    NewCrate {
        name: s("name").unwrap_or_default(),
        vers: s("version").unwrap_or_default(),
        deps,
        features,
        authors: list("authors"),
        description: s("description"),
        documentation: s("documentation"),
        homepage: s("homepage"),
        readme,
        readme_file,
        keywords: list("keywords"),
        categories: list("categories"),
        license: s("license"),
        license_file: s("license-file"),
        repository: s("repository"),
        badges: BTreeMap::new(),
        links: s("links"),
        rust_version: s("rust-version"),
    }
}

/// Where the published package's dependencies come from, relative to the
/// registry it goes to.
struct DepRegistry<'a> {
    target_index: &'a str,
    target_is_crates_io: bool,
}

impl DepRegistry<'_> {
    /// In a publish request `null` means "the registry published to",
    /// while in a normalized Cargo.toml no `registry-index` means crates.io.
    fn of(&self, registry_index: Option<&str>) -> Option<String> {
        let same = |a: &str| a.trim_end_matches('/') == self.target_index.trim_end_matches('/');
        match registry_index {
            Some(i) if same(i) => None,
            Some(i) => Some(i.to_string()),
            None if self.target_is_crates_io => None,
            None => Some(CRATES_IO_GIT.to_string()),
        }
    }
}

fn collect_deps(root: &Item, target: Option<&str>, reg: &DepRegistry<'_>, out: &mut Vec<NewDep>) {
    let kinds = [
        ("dependencies", "normal"),
        ("build-dependencies", "build"),
        ("dev-dependencies", "dev"),
    ];
    for (table, kind) in kinds {
        let Some(deps) = root.get(table).and_then(Item::as_table_like) else {
            continue;
        };
        for (key, spec) in deps.iter() {
            out.push(dependency(key, spec, kind, target, reg));
        }
    }
}

fn dependency(
    key: &str,
    spec: &Item,
    kind: &str,
    target: Option<&str>,
    reg: &DepRegistry<'_>,
) -> NewDep {
    let get = |k: &str| spec.get(k);
    let package = get("package").and_then(Item::as_str);
    let flag = |k: &str, alt: &str, default: bool| {
        get(k)
            .or_else(|| get(alt))
            .and_then(Item::as_bool)
            .unwrap_or(default)
    };
    // cargo sends the requirement as semver prints it (`1.0` as `^1.0`).
    let raw = spec
        .as_str()
        .or_else(|| get("version").and_then(Item::as_str))
        .unwrap_or("*");
    let version_req =
        semver::VersionReq::parse(raw).map_or_else(|_| raw.to_string(), |r| r.to_string());
    NewDep {
        name: package.unwrap_or(key).to_string(),
        version_req,
        features: strings(get("features")),
        optional: flag("optional", "optional", false),
        default_features: flag("default-features", "default_features", true),
        target: target.map(platform),
        kind: kind.to_string(),
        registry: reg.of(get("registry-index").and_then(Item::as_str)),
        explicit_name_in_toml: package.map(|_| key.to_string()),
    }
}

/// A `[target.<platform>]` key as cargo prints it: a triple as is, a
/// `cfg(...)` expression re-spaced (`cfg(target_os = "windows")`,
/// `cfg(all(unix, not(windows)))`); one that does not parse, as written.
fn platform(raw: &str) -> String {
    let Some(inner) = raw
        .trim()
        .strip_prefix("cfg(")
        .and_then(|r| r.strip_suffix(')'))
    else {
        return raw.to_string();
    };
    let mut tokens = cfg_tokens(inner);
    tokens.reverse();
    match cfg_expr(&mut tokens) {
        Some(expr) if tokens.is_empty() => format!("cfg({expr})"),
        _ => raw.to_string(),
    }
}

/// The tokens of a cfg expression: words, strings (quoted), `(`, `)`, `,`, `=`.
fn cfg_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' | ')' | ',' | '=' => out.push(c.to_string()),
            '"' => {
                let mut s = String::from('"');
                for c in chars.by_ref() {
                    s.push(c);
                    if c == '"' {
                        break;
                    }
                }
                out.push(s);
            }
            c if c.is_whitespace() => {}
            c => {
                let mut w = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' {
                        w.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(w);
            }
        }
    }
    out
}

/// One expression off the (reversed) token stack, printed as cargo does.
fn cfg_expr(tokens: &mut Vec<String>) -> Option<String> {
    let word = tokens.pop()?;
    match tokens.last().map(String::as_str) {
        Some("=") => {
            tokens.pop();
            let value = tokens.pop().filter(|v| v.starts_with('"'))?;
            Some(format!("{word} = {value}"))
        }
        Some("(") if ["all", "any", "not"].contains(&word.as_str()) => {
            tokens.pop();
            let mut args = Vec::new();
            loop {
                if tokens.last().map(String::as_str) == Some(")") {
                    tokens.pop();
                    break;
                }
                args.push(cfg_expr(tokens)?);
                match tokens.pop()?.as_str() {
                    "," => {}
                    ")" => break,
                    _ => return None,
                }
            }
            Some(format!("{word}({})", args.join(", ")))
        }
        _ => Some(word),
    }
}

fn strings(item: Option<&Item>) -> Vec<String> {
    item.and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NORMALIZED: &str = r#"
[package]
edition = "2021"
name = "app"
version = "1.2.0"
authors = ["A <a@example.com>"]
description = "An app"
readme = "README.md"
keywords = ["cli"]
license = "MIT OR Apache-2.0"
repository = "https://example.com/app"
rust-version = "1.80"

[features]
default = ["std"]
std = []
fast = ["dep:simd", "core/fast"]

[dependencies.core]
version = "1.2.0"
registry-index = "sparse+http://127.0.0.1:9/crates/"

[dependencies.serde_real]
version = "1"
package = "serde"
features = ["derive"]
default-features = false

[dependencies.simd]
version = "0.3"
optional = true

[dev-dependencies.tempfile]
version = "3"

[target."cfg(unix)".dependencies.libc]
version = "0.2"
"#;

    fn meta(target: &str, crates_io: bool) -> NewCrate {
        let doc: DocumentMut = NORMALIZED.parse().unwrap();
        let mut files = BTreeMap::new();
        files.insert("README.md".to_string(), b"# app\n".to_vec());
        new_crate(&doc, &files, target, crates_io)
    }

    #[test]
    fn metadata_from_the_normalized_manifest() {
        let m = meta("sparse+http://127.0.0.1:9/crates", false);
        assert_eq!((m.name.as_str(), m.vers.as_str()), ("app", "1.2.0"));
        assert_eq!(m.readme.as_deref(), Some("# app\n"));
        assert_eq!(m.rust_version.as_deref(), Some("1.80"));
        assert_eq!(m.features["fast"], ["dep:simd", "core/fast"]);
        type Row<'a> = (
            &'a str,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
        );
        let d: Vec<Row<'_>> = m
            .deps
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.kind.as_str(),
                    d.registry.as_deref(),
                    d.explicit_name_in_toml.as_deref(),
                    d.target.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            d,
            [
                ("core", "normal", None, None, None),
                (
                    "serde",
                    "normal",
                    Some(CRATES_IO_GIT),
                    Some("serde_real"),
                    None
                ),
                ("simd", "normal", Some(CRATES_IO_GIT), None, None),
                ("tempfile", "dev", Some(CRATES_IO_GIT), None, None),
                (
                    "libc",
                    "normal",
                    Some(CRATES_IO_GIT),
                    None,
                    Some("cfg(unix)")
                ),
            ]
        );
        assert!(!m.deps[1].default_features && m.deps[2].optional);
    }

    #[test]
    fn crates_io_dependencies_are_the_same_registry_on_crates_io() {
        let m = meta(CRATES_IO_GIT, true);
        assert_eq!(m.deps[1].registry, None);
        assert_eq!(
            m.deps[0].registry.as_deref(),
            Some("sparse+http://127.0.0.1:9/crates/")
        );
    }

    #[test]
    fn platforms_as_cargo_prints_them() {
        let table = [
            ("x86_64-pc-windows-gnu", "x86_64-pc-windows-gnu"),
            ("cfg(unix)", "cfg(unix)"),
            ("cfg(target_os=\"windows\")", "cfg(target_os = \"windows\")"),
            (
                "cfg(all(unix,not(target_os=\"macos\") ))",
                "cfg(all(unix, not(target_os = \"macos\")))",
            ),
            (
                "cfg(any(windows, target_arch = \"wasm32\",))",
                "cfg(any(windows, target_arch = \"wasm32\"))",
            ),
            ("cfg(any())", "cfg(any())"),
            ("cfg(=)", "cfg(=)"),
        ];
        for (raw, want) in table {
            assert_eq!(platform(raw), want, "{raw}");
        }
    }

    #[test]
    fn the_body_is_two_length_prefixed_parts() {
        let up = Upload {
            meta: NewCrate {
                name: "a".into(),
                ..NewCrate::default()
            },
            file: vec![1, 2, 3],
        };
        let body = up.body();
        let json_len = u32::from_le_bytes(body[..4].try_into().unwrap()) as usize;
        let json: serde_json::Value = serde_json::from_slice(&body[4..4 + json_len]).unwrap();
        assert_eq!(json["name"], "a");
        assert_eq!(&body[4 + json_len..], [3, 0, 0, 0, 1, 2, 3]);
    }
}
