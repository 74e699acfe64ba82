//! Publishing to a registry other than crates.io a workspace whose path
//! dependencies name no registry. cargo takes such a dependency for a
//! crates.io one: `cargo package` cannot resolve it against the registry
//! packaged for, and the published manifest would send `cargo install`
//! to crates.io for it (where it does not exist, or is someone else's
//! crate). So the workspace is packaged from a copy (in the system temp
//! dir; the user's files are not touched) in which each such dependency
//! names the registry: the `.crate` files then point at it, in their
//! manifests and lock files alike, exactly as if the user had written
//! `registry = "NAME"`. The copy builds in the workspace's own target dir,
//! so nothing is compiled twice.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::error::{Error, Result};

/// The copy of a workspace.
pub struct Shadow {
    /// Where it is (removed when dropped).
    dir: tempfile::TempDir,
    /// Its root manifest.
    pub root_manifest: PathBuf,
}

impl Shadow {
    /// Copy the workspace at `root` (leaving out `.git` and `target_dir`)
    /// and make every path dependency on one of `routed` name the
    /// registry `registry` in the root manifest and in `members` (their
    /// manifests, in the original tree).
    ///
    /// # Errors
    /// A file cannot be copied, or a manifest does not parse.
    pub fn prepare(
        root: &Path,
        target_dir: &Path,
        members: &[PathBuf],
        routed: &BTreeSet<String>,
        registry: &str,
    ) -> Result<Shadow> {
        let dir = tempfile::Builder::new()
            .prefix("cratesmith-ship-")
            .tempdir()
            .map_err(|e| Error::io("create", std::env::temp_dir(), e))?;
        copy_tree(
            root,
            dir.path(),
            &[root.join(".git"), target_dir.to_path_buf()],
        )?;
        let mut manifests: BTreeSet<PathBuf> = members.iter().cloned().collect();
        manifests.insert(root.join("Cargo.toml"));
        for m in manifests {
            let Ok(rel) = m.strip_prefix(root) else {
                continue; // a member outside the root stays as it is
            };
            name_registry(&dir.path().join(rel), routed, registry)?;
        }
        Ok(Shadow {
            root_manifest: dir.path().join("Cargo.toml"),
            dir,
        })
    }

    /// Where the copy is.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Copy the files under `from` into `to`, but the paths in `skip`;
/// symlinks are copied as the files they point at.
fn copy_tree(from: &Path, to: &Path, skip: &[PathBuf]) -> Result<()> {
    let entries = std::fs::read_dir(from).map_err(|e| Error::io("read", from, e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if skip.contains(&path) {
            continue;
        }
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            std::fs::create_dir_all(&dest).map_err(|e| Error::io("create", &dest, e))?;
            copy_tree(&path, &dest, skip)?;
        } else if path.is_file() {
            std::fs::copy(&path, &dest).map_err(|e| Error::io("copy", &path, e))?;
        }
    }
    Ok(())
}

/// In the manifest at `path`, add `registry = "REGISTRY"` to each path
/// dependency on one of `routed` that names no registry.
fn name_registry(path: &Path, routed: &BTreeSet<String>, registry: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::Invalid {
            path: path.to_path_buf(),
            at: None,
            message: e.message().to_string(),
            help: None,
        })?;
    let mut changed = false;
    for table in dependency_tables(doc.as_table_mut()) {
        for (key, item) in table.iter_mut() {
            changed |= name_one(key.get(), item, routed, registry);
        }
    }
    if changed {
        crate::fs::write_atomic(path, doc.to_string().as_bytes())?;
    }
    Ok(())
}

/// `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]`, their
/// `[target.*]` twins and `[workspace.dependencies]`.
fn dependency_tables(root: &mut Table) -> Vec<&mut Table> {
    const KINDS: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut out = Vec::new();
    for (key, item) in root.iter_mut() {
        match key.get() {
            k if KINDS.contains(&k) => out.extend(item.as_table_mut()),
            "workspace" => {
                if let Some(ws) = item.as_table_mut() {
                    out.extend(ws.get_mut("dependencies").and_then(Item::as_table_mut));
                }
            }
            "target" => {
                for (_, platform) in item.as_table_mut().into_iter().flat_map(|t| t.iter_mut()) {
                    for (k, deps) in platform
                        .as_table_mut()
                        .into_iter()
                        .flat_map(|t| t.iter_mut())
                    {
                        if KINDS.contains(&k.get()) {
                            out.extend(deps.as_table_mut());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Name the registry in one dependency entry when it is a path dependency
/// on one of `routed` without a registry; whether it changed.
fn name_one(key: &str, item: &mut Item, routed: &BTreeSet<String>, registry: &str) -> bool {
    let value = Value::from(registry);
    let wants = |get: &dyn Fn(&str) -> Option<String>| {
        let name = get("package").unwrap_or_else(|| key.to_string());
        routed.contains(&name)
            && get("path").is_some()
            && get("registry").is_none()
            && get("registry-index").is_none()
    };
    if let Some(t) = item.as_inline_table_mut() {
        let get = |k: &str| t.get(k).and_then(|v| v.as_str()).map(String::from);
        if wants(&get) {
            // `{ path = "x", version = "1" }`: the space before `}` stays last.
            let mut value = value;
            if let Some((_, last)) = t.iter_mut().last() {
                let suffix = last.decor().suffix().cloned();
                last.decor_mut().set_suffix("");
                if let Some(suffix) = suffix {
                    value.decor_mut().set_suffix(suffix);
                }
            }
            value.decor_mut().set_prefix(" ");
            t.insert("registry", value);
            return true;
        }
    } else if let Some(t) = item.as_table_mut() {
        let get = |k: &str| t.get(k).and_then(Item::as_str).map(String::from);
        if wants(&get) {
            t.insert("registry", Item::Value(value));
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_dependencies_on_routed_packages_name_the_registry() {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("Cargo.toml");
        let text = "[workspace.dependencies]\ncore = { path = \"core\", version = \"1\" }\nserde = \"1\"\n\n\
                    [dependencies]\ncore = { path = \"core\", version = \"1\" }\nalias = { package = \"util\", path = \"util\", version = \"1\" }\n\
                    named = { path = \"named\", version = \"1\", registry = \"other\" }\n\n\
                    [target.'cfg(unix)'.dev-dependencies.util]\npath = \"util\"\nversion = \"1\"\n";
        crate::fs::write_atomic(&m, text.as_bytes()).unwrap();
        let routed: BTreeSet<String> = ["core", "util", "named"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        name_registry(&m, &routed, "local").unwrap();
        let got = std::fs::read_to_string(&m).unwrap();
        assert_eq!(
            got,
            "[workspace.dependencies]\ncore = { path = \"core\", version = \"1\", registry = \"local\" }\nserde = \"1\"\n\n\
             [dependencies]\ncore = { path = \"core\", version = \"1\", registry = \"local\" }\nalias = { package = \"util\", path = \"util\", version = \"1\", registry = \"local\" }\n\
             named = { path = \"named\", version = \"1\", registry = \"other\" }\n\n\
             [target.'cfg(unix)'.dev-dependencies.util]\npath = \"util\"\nversion = \"1\"\nregistry = \"local\"\n"
        );
    }
}
