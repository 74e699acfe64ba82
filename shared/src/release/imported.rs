//! The release configuration a project already has from another tool,
//! read so that switching keeps it: release-plz's `release-plz.toml`
//! (`[workspace]`, `[[package]]`; its `[changelog]` is `git changelog`'s
//! business) and cargo-release's `release.toml` (the workspace root's and
//! each member's), `[workspace.metadata.release]` and
//! `[package.metadata.release]`.
//!
//! Every value is optional: cratesmith's own settings (the changelog
//! settings, `[package.metadata.changelog] path`, cargo's `publish`,
//! command-line flags) win where both are set. A key that is not read is
//! named in a warning, never silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::Item;

use crate::error::Result;
use crate::manifest::Manifest;
use crate::replace::{Expect, Replacement};
use crate::workspace::Workspace;

/// What one package's release does, as the other tools' configuration
/// says (`None`: not said).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// `release = false`: left out of releases altogether.
    pub release: Option<bool>,
    /// `publish = false`: tagged, not published.
    pub publish: Option<bool>,
    /// `git_tag_enable` / `tag`: whether the release is tagged.
    pub tag: Option<bool>,
    /// `git_release_enable`: whether the release gets notes for a forge release.
    pub forge_release: Option<bool>,
    /// `changelog_update`: whether its changelog is written.
    pub changelog_update: Option<bool>,
    /// `changelog_path` (absolute).
    pub changelog_path: Option<PathBuf>,
    /// `changelog_include`: packages whose commits its changelog also lists.
    pub changelog_include: Option<Vec<String>>,
    /// The tag name template (`{{crate}}`, `{{version}}`).
    pub tag_name: Option<String>,
    /// `semver_check`.
    pub semver_check: Option<bool>,
    /// `pre-release-replacements` (files relative to the package).
    pub replacements: Vec<Replacement>,
}

impl Policy {
    /// Fill what `self` does not say from `other`.
    fn fill(&mut self, other: &Policy) {
        macro_rules! take {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f = other.$f.clone(); } )* };
        }
        take!(
            release,
            publish,
            tag,
            forge_release,
            changelog_update,
            changelog_path,
            changelog_include,
            tag_name,
            semver_check
        );
        if self.replacements.is_empty() {
            self.replacements = other.replacements.clone();
        }
    }
}

/// The configuration found, by package.
#[derive(Clone, Debug, Default)]
pub struct Imported {
    workspace: Policy,
    packages: BTreeMap<String, Policy>,
    /// The files read.
    pub sources: Vec<PathBuf>,
    /// One line per key not read (or read only in part).
    pub warnings: Vec<String>,
}

impl Imported {
    /// Read release-plz's and cargo-release's configuration of `ws`.
    pub fn load(ws: &Workspace) -> Result<Imported> {
        Self::load_parsed(ws, &|_| None)
    }

    /// [`Imported::load`], taking member `i`'s manifest from `parsed(i)`
    /// where it is already parsed.
    pub fn load_parsed<'m>(
        ws: &Workspace,
        parsed: &dyn Fn(usize) -> Option<&'m Manifest>,
    ) -> Result<Imported> {
        let mut out = Imported::default();
        for name in ["release-plz.toml", ".release-plz.toml"] {
            let path = ws.root.join(name);
            if path.is_file() {
                out.release_plz(&Manifest::load(&path)?)?;
                break;
            }
        }
        out.cargo_release(ws, parsed)?;
        Ok(out)
    }

    /// The policy of package `name`: its own, filled from the workspace's.
    pub fn of(&self, name: &str) -> Policy {
        let mut p = self.packages.get(name).cloned().unwrap_or_default();
        p.fill(&self.workspace);
        p
    }

    /// Print the warnings.
    pub fn warn(&self, shell: &crate::term::Shell) {
        for w in &self.warnings {
            shell.warn(w);
        }
    }

    fn release_plz(&mut self, m: &Manifest) -> Result<()> {
        self.sources.push(m.path().to_path_buf());
        let file = file_name(m.path());
        let dir = m.path().parent().unwrap_or(Path::new("")).to_path_buf();
        let Some(top) = m.get(&[]).and_then(Item::as_table_like) else {
            return Ok(());
        };
        for (key, item) in top.iter() {
            match key {
                "workspace" => {
                    self.workspace = plz_policy(
                        m,
                        item,
                        &dir,
                        &format!("{file} [workspace]"),
                        &mut self.warnings,
                    )?;
                }
                "package" => {
                    let Some(list) = item.as_array_of_tables() else {
                        return Err(invalid(m, item, "`[[package]]` must be an array of tables"));
                    };
                    for t in list {
                        let Some(name) = t.get("name").and_then(Item::as_str) else {
                            return Err(invalid(m, item, "each [[package]] needs a `name`"));
                        };
                        let whr = format!("{file} [[package]] {name}");
                        let policy =
                            plz_policy(m, &Item::Table(t.clone()), &dir, &whr, &mut self.warnings)?;
                        self.packages.insert(name.to_string(), policy);
                    }
                }
                "changelog" => {} // git changelog reads it
                other => self
                    .warnings
                    .push(format!("{file}: `[{other}]` is not read by cratesmith")),
            }
        }
        Ok(())
    }

    fn cargo_release<'m>(
        &mut self,
        ws: &Workspace,
        parsed: &dyn Fn(usize) -> Option<&'m Manifest>,
    ) -> Result<()> {
        let root = Manifest::load(&ws.root_manifest)?;
        let mut workspace = Policy::default();
        let root_file = ws.root.join("release.toml");
        if root_file.is_file() {
            let m = Manifest::load(&root_file)?;
            self.sources.push(root_file.clone());
            let whr = file_name(&root_file);
            workspace = release_policy(&m, m.get(&[]), &ws.root, &whr, &mut self.warnings)?;
        }
        let keys = ["workspace", "metadata", "release"];
        if let Some(item) = root.get(&keys) {
            let meta = release_policy(
                &root,
                Some(item),
                &ws.root,
                "[workspace.metadata.release]",
                &mut self.warnings,
            )?;
            workspace.fill(&meta);
        }
        let shared = std::mem::take(&mut workspace.replacements);
        self.workspace.fill(&workspace);
        for (i, member) in ws.members.iter().enumerate() {
            let dir = member.manifest_path.parent().unwrap_or(&ws.root);
            let mut own = Policy::default();
            let file = dir.join("release.toml");
            if dir != ws.root && file.is_file() {
                let m = Manifest::load(&file)?;
                self.sources.push(file.clone());
                let whr = format!("{} ({})", file_name(&file), member.name);
                own = release_policy(&m, m.get(&[]), dir, &whr, &mut self.warnings)?;
            }
            let loaded;
            let m = match parsed(i) {
                Some(m) => m,
                None => {
                    loaded = Manifest::load(&member.manifest_path)?;
                    &loaded
                }
            };
            if let Some(item) = m.get(&["package", "metadata", "release"]) {
                let whr = format!("[package.metadata.release] of {}", member.name);
                let meta = release_policy(m, Some(item), dir, &whr, &mut self.warnings)?;
                own.fill(&meta);
            }
            // Workspace-level replacements are each package's, in its directory.
            if own.replacements.is_empty() {
                own.replacements = shared
                    .iter()
                    .map(|r| Replacement {
                        file: dir.join(r.file.strip_prefix(&ws.root).unwrap_or(&r.file)),
                        ..r.clone()
                    })
                    .collect();
            }
            if own != Policy::default() {
                self.packages
                    .entry(member.name.clone())
                    .or_default()
                    .fill(&own);
            }
        }
        Ok(())
    }
}

/// A `[workspace]` or `[[package]]` table of release-plz.toml.
fn plz_policy(
    m: &Manifest,
    item: &Item,
    dir: &Path,
    whr: &str,
    warnings: &mut Vec<String>,
) -> Result<Policy> {
    let mut p = Policy::default();
    let Some(table) = item.as_table_like() else {
        return Err(invalid(m, item, &format!("{whr} must be a table")));
    };
    for (key, value) in table.iter() {
        match key {
            "name" => {}
            "changelog_path" => p.changelog_path = Some(dir.join(string(m, value, key)?)),
            "changelog_update" => p.changelog_update = Some(boolean(m, value, key)?),
            "changelog_include" => p.changelog_include = Some(strings(m, value, key)?),
            "git_tag_name" => p.tag_name = plz_template(&string(m, value, key)?, whr, warnings),
            "git_tag_enable" => p.tag = Some(boolean(m, value, key)?),
            "git_release_enable" => p.forge_release = Some(boolean(m, value, key)?),
            "publish" => p.publish = Some(boolean(m, value, key)?),
            "release" => p.release = Some(boolean(m, value, key)?),
            "semver_check" => p.semver_check = Some(boolean(m, value, key)?),
            other => warnings.push(format!("{whr}: `{other}` is not read by cratesmith")),
        }
    }
    Ok(p)
}

/// release-plz's Tera tag template in cratesmith's placeholders; `None`
/// (with a warning) when it uses more than `{{ package }}` and `{{ version }}`.
fn plz_template(text: &str, whr: &str, warnings: &mut Vec<String>) -> Option<String> {
    let re = regex::Regex::new(r"\{\{\s*(package|version)\s*\}\}").ok()?;
    let out = re.replace_all(text, |c: &regex::Captures<'_>| match &c[1] {
        "package" => "{{crate}}".to_string(),
        _ => "{{version}}".to_string(),
    });
    let rest = out.replace("{{crate}}", "").replace("{{version}}", "");
    if rest.contains("{{") || rest.contains("{%") {
        warnings.push(format!(
            "{whr}: `git_tag_name = \"{text}\"` uses template features beyond {{{{ package }}}} and {{{{ version }}}}; it is not read"
        ));
        return None;
    }
    Some(out.into_owned())
}

/// A cargo-release table (release.toml, `[*.metadata.release]`).
fn release_policy(
    m: &Manifest,
    item: Option<&Item>,
    dir: &Path,
    whr: &str,
    warnings: &mut Vec<String>,
) -> Result<Policy> {
    let mut p = Policy::default();
    let Some(item) = item else {
        return Ok(p);
    };
    let Some(table) = item.as_table_like() else {
        return Err(invalid(m, item, &format!("{whr} must be a table")));
    };
    let (mut name, mut prefix) = (None, None);
    for (key, value) in table.iter() {
        match key {
            "tag-name" => name = Some(string(m, value, key)?),
            "tag-prefix" => prefix = Some(string(m, value, key)?),
            "publish" => p.publish = Some(boolean(m, value, key)?),
            "release" => p.release = Some(boolean(m, value, key)?),
            "tag" => p.tag = Some(boolean(m, value, key)?),
            "shared-version" => {
                let shared = value.as_bool().unwrap_or_else(|| value.as_str().is_some());
                if shared {
                    warnings.push(format!(
                        "{whr}: `shared-version`: cratesmith releases together the members that inherit the workspace version (`version.workspace = true`); other members keep versions of their own"
                    ));
                }
            }
            "consolidate-commits" => {
                if !boolean(m, value, key)? {
                    warnings.push(format!(
                        "{whr}: `consolidate-commits = false` is not followed: the release pull request is one commit"
                    ));
                }
            }
            "pre-release-replacements" => {
                p.replacements = replacements(m, value, dir, whr, warnings)?
            }
            other => warnings.push(format!("{whr}: `{other}` is not read by cratesmith")),
        }
    }
    if name.is_some() || prefix.is_some() {
        let prefix = prefix.unwrap_or_else(|| "{{crate}}-".into());
        let name = name.unwrap_or_else(|| "{{prefix}}v{{version}}".into());
        p.tag_name = Some(
            name.replace("{{prefix}}", &prefix)
                .replace("{{crate_name}}", "{{crate}}"),
        );
    }
    Ok(p)
}

/// cargo-release's `pre-release-replacements`: `search` a regex,
/// `replace` with `{{version}}`, `{{prev_version}}`, `{{crate_name}}`,
/// `{{date}}` and `$1` groups; `exactly`, `min`, `max`; `prerelease`.
fn replacements(
    m: &Manifest,
    item: &Item,
    dir: &Path,
    whr: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<Replacement>> {
    let list: Vec<&dyn toml_edit::TableLike> = match item {
        Item::ArrayOfTables(a) => a.iter().map(|t| t as &dyn toml_edit::TableLike).collect(),
        Item::Value(toml_edit::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_inline_table().map(|t| t as &dyn toml_edit::TableLike))
            .collect(),
        _ => {
            return Err(invalid(
                m,
                item,
                "`pre-release-replacements` must be a list of tables",
            ));
        }
    };
    let mut out = Vec::new();
    for t in list {
        let get = |k: &str| t.get(k).and_then(Item::as_str).map(String::from);
        let (Some(file), Some(search), Some(replace)) =
            (get("file"), get("search"), get("replace"))
        else {
            return Err(invalid(
                m,
                item,
                "each pre-release replacement needs `file`, `search` and `replace`",
            ));
        };
        if let Err(e) = regex::Regex::new(&search) {
            return Err(invalid(
                m,
                item,
                &format!("`search = \"{search}\"` is not a regular expression: {e}"),
            ));
        }
        let replace = replace.replace("{{crate_name}}", "{{crate}}");
        let dummy: Vec<(&str, &str)> = crate::replace::PLACEHOLDERS
            .iter()
            .map(|p| (*p, "x"))
            .collect();
        let unknown = crate::template::render(&replace, &dummy).err();
        if let Some(name) = unknown {
            warnings.push(format!("{whr}: the replacement in `{file}` uses `{{{{{name}}}}}`, which cratesmith does not fill; it is not made"));
            continue;
        }
        let count = |k: &str| {
            t.get(k)
                .and_then(Item::as_integer)
                .and_then(|n| usize::try_from(n).ok())
        };
        let expect = match (count("exactly"), count("min"), count("max")) {
            (Some(n), _, _) => Expect::Exactly(n),
            (None, min, Some(max)) => Expect::Between(min.unwrap_or(1), max),
            (None, min, None) => Expect::AtLeast(min.unwrap_or(1)),
        };
        out.push(Replacement {
            file: dir.join(file),
            search,
            replace,
            expect,
            declared_in: m.path().to_path_buf(),
            regex: true,
            prerelease: t.get("prerelease").and_then(Item::as_bool).unwrap_or(false),
        });
    }
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn string(m: &Manifest, item: &Item, key: &str) -> Result<String> {
    item.as_str()
        .map(String::from)
        .ok_or_else(|| invalid(m, item, &format!("`{key}` must be a string")))
}

fn boolean(m: &Manifest, item: &Item, key: &str) -> Result<bool> {
    item.as_bool()
        .ok_or_else(|| invalid(m, item, &format!("`{key}` must be true or false")))
}

fn strings(m: &Manifest, item: &Item, key: &str) -> Result<Vec<String>> {
    let list = item.as_array().map(|a| {
        a.iter()
            .map(|v| v.as_str().map(String::from))
            .collect::<Option<Vec<_>>>()
    });
    list.flatten()
        .ok_or_else(|| invalid(m, item, &format!("`{key}` must be a list of strings")))
}

fn invalid(m: &Manifest, item: &Item, message: &str) -> crate::error::Error {
    m.invalid(item.span(), message.to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Member;

    /// A workspace of `names` under a temp dir, with `files` written.
    fn workspace(names: &[&str], files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let write = |path: &str, text: &str| {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            crate::fs::write_atomic(&p, text.as_bytes()).unwrap();
        };
        write("Cargo.toml", "[workspace]\nmembers = [\"*\"]\n");
        let mut members = Vec::new();
        for name in names {
            let manifest = format!("{name}/Cargo.toml");
            write(
                &manifest,
                &format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\n"),
            );
            members.push(Member {
                name: (*name).to_string(),
                version: semver::Version::new(1, 0, 0),
                manifest_path: root.join(manifest),
                targets: Vec::new(),
            });
        }
        for (path, text) in files {
            write(path, text);
        }
        let ws = Workspace {
            root: root.clone(),
            root_manifest: root.join("Cargo.toml"),
            target_dir: None,
            members,
            default_members: Vec::new(),
            current: None,
        };
        (dir, ws)
    }

    #[test]
    fn tag_templates_in_cratesmith_placeholders() {
        let table: [(&str, &str, Option<&str>); 5] = [
            (
                "release-plz.toml",
                "[workspace]\ngit_tag_name = \"{{ package }}-v{{ version }}\"\n",
                Some("{{crate}}-v{{version}}"),
            ),
            (
                "release-plz.toml",
                "[workspace]\ngit_tag_name = \"v{{version}}\"\n",
                Some("v{{version}}"),
            ),
            (
                "release-plz.toml",
                "[workspace]\ngit_tag_name = \"{{ package | upper }}\"\n",
                None,
            ),
            ("release.toml", "tag-prefix = \"\"\n", Some("v{{version}}")),
            (
                "release.toml",
                "tag-name = \"{{prefix}}{{version}}\"\n",
                Some("{{crate}}-{{version}}"),
            ),
        ];
        for (file, text, want) in table {
            let (_dir, ws) = workspace(&["a"], &[(file, text)]);
            let imported = Imported::load(&ws).unwrap();
            assert_eq!(imported.of("a").tag_name.as_deref(), want, "{text}");
            assert_eq!(
                imported.warnings.len(),
                usize::from(want.is_none()),
                "{text}"
            );
        }
    }

    #[test]
    fn packages_override_the_workspace_and_unknown_keys_are_named() {
        let plz = "[workspace]\npublish = false\nchangelog_update = false\npr_draft = true\n\n\
                   [[package]]\nname = \"a\"\npublish = true\nchangelog_path = \"docs/a.md\"\n";
        let (_dir, ws) = workspace(
            &["a", "b"],
            &[
                ("release-plz.toml", plz),
                ("b/release.toml", "tag = false\nsign-commit = true\n"),
            ],
        );
        let imported = Imported::load(&ws).unwrap();
        let (a, b) = (imported.of("a"), imported.of("b"));
        assert_eq!((a.publish, a.changelog_update), (Some(true), Some(false)));
        assert_eq!(a.changelog_path, Some(ws.root.join("docs/a.md")));
        assert_eq!((b.publish, b.tag), (Some(false), Some(false)));
        assert_eq!(
            imported.warnings,
            [
                "release-plz.toml [workspace]: `pr_draft` is not read by cratesmith",
                "release.toml (b): `sign-commit` is not read by cratesmith",
            ]
        );
    }

    #[test]
    fn bad_values_say_where() {
        let table = [
            (
                "release-plz.toml",
                "[workspace]\npublish = \"no\"\n",
                "release-plz.toml:2:11: `publish` must be true or false",
            ),
            (
                "release.toml",
                "pre-release-replacements = [{ file = \"R\", search = \"(\", replace = \"x\" }]\n",
                "is not a regular expression",
            ),
            (
                "release-plz.toml",
                "[[package]]\nchangelog_update = true\n",
                "each [[package]] needs a `name`",
            ),
        ];
        for (file, text, want) in table {
            let (_dir, ws) = workspace(&["a"], &[(file, text)]);
            let err = Imported::load(&ws).unwrap_err().to_string();
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
