//! What the checks need to know about a packaged crate, read from the
//! normalized Cargo.toml inside the `.crate` (cargo writes every target
//! explicitly there, with `autobins = false` and friends), or, for a
//! manifest that does not spell its targets out, from `cargo metadata`.
//! Reading the file directly saves a `cargo metadata` run per package.

use std::path::Path;

use cargo_metadata::Package;
use toml_edit::Item;

use super::probe::version_in;
use crate::manifest::Manifest;

/// A packaged crate's fields, targets and features.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Packaged {
    /// `description`.
    pub description: Option<String>,
    /// `license`.
    pub license: Option<String>,
    /// `license-file`.
    pub license_file: Option<String>,
    /// `repository`.
    pub repository: Option<String>,
    /// `homepage`.
    pub homepage: Option<String>,
    /// `readme`, relative to the package.
    pub readme: Option<String>,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// `categories`.
    pub categories: Vec<String>,
    /// `rust-version`.
    pub rust_version: Option<semver::Version>,
    /// Binary targets.
    pub bins: Vec<Bin>,
    /// The library's crate name (`foo_bar`), if there is a library.
    pub lib: Option<String>,
    /// Every feature, explicit and implied by optional dependencies, but
    /// `default`.
    pub features: Vec<String>,
}

/// A binary target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bin {
    /// Its name.
    pub name: String,
    /// `required-features`: `cargo install` leaves it out unless they are on.
    pub required_features: Vec<String>,
}

impl Packaged {
    /// Read the normalized manifest of the unpacked package at `dir`;
    /// `None` when it does not list its targets explicitly.
    pub fn read(dir: &Path) -> Option<Packaged> {
        let m = Manifest::load(&dir.join("Cargo.toml")).ok()?;
        let explicit = ["autolib", "autobins"]
            .iter()
            .all(|k| m.get(&["package", k]).and_then(Item::as_bool) == Some(false));
        if !explicit {
            return None;
        }
        let text = |key: &str| {
            m.get(&["package", key])
                .and_then(Item::as_str)
                .map(String::from)
        };
        let list = |key: &str| -> Vec<String> {
            m.get(&["package", key])
                .and_then(Item::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let name = text("name")?;
        let bins = m
            .get(&["bin"])
            .and_then(Item::as_array_of_tables)
            .map(|a| {
                a.iter()
                    .filter_map(|t| {
                        let name = t.get("name").and_then(Item::as_str)?.to_string();
                        let required_features = t
                            .get("required-features")
                            .and_then(Item::as_array)
                            .map(|r| {
                                r.iter()
                                    .filter_map(|v| v.as_str().map(String::from))
                                    .collect()
                            })
                            .unwrap_or_default();
                        Some(Bin {
                            name,
                            required_features,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let lib = m.get(&["lib"]).map(|lib| {
            lib.get("name")
                .and_then(Item::as_str)
                .map_or_else(|| name.replace('-', "_"), String::from)
        });
        Some(Packaged {
            description: text("description"),
            license: text("license"),
            license_file: text("license-file"),
            repository: text("repository"),
            homepage: text("homepage"),
            readme: text("readme"),
            keywords: list("keywords"),
            categories: list("categories"),
            rust_version: text("rust-version").and_then(|v| version_in(&v)),
            bins,
            lib,
            features: features(&m),
        })
    }

    /// The same, from `cargo metadata`'s answer.
    pub fn from_metadata(pkg: &Package) -> Packaged {
        let lib = pkg
            .targets
            .iter()
            .find(|t| t.is_lib() || t.is_proc_macro() || t.is_rlib() || t.is_dylib())
            .map(|t| t.name.replace('-', "_"));
        Packaged {
            description: pkg.description.clone(),
            license: pkg.license.clone(),
            license_file: pkg.license_file.as_ref().map(|p| p.to_string()),
            repository: pkg.repository.clone(),
            homepage: pkg.homepage.clone(),
            readme: pkg.readme.as_ref().map(|p| p.to_string()),
            keywords: pkg.keywords.clone(),
            categories: pkg.categories.clone(),
            rust_version: pkg
                .rust_version
                .as_ref()
                .map(|v| semver::Version::new(v.major, v.minor, v.patch)),
            bins: pkg
                .targets
                .iter()
                .filter(|t| t.is_bin())
                .map(|t| Bin {
                    name: t.name.clone(),
                    required_features: t.required_features.clone(),
                })
                .collect(),
            lib,
            features: pkg
                .features
                .keys()
                .filter(|f| *f != "default")
                .cloned()
                .collect(),
        }
    }
}

/// `[features]` keys but `default`, plus the implicit feature of each
/// optional dependency that no feature names as `dep:<name>`.
fn features(m: &Manifest) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut dep_refs: Vec<String> = Vec::new();
    if let Some(table) = m.get(&["features"]).and_then(Item::as_table_like) {
        for (name, value) in table.iter() {
            if name != "default" {
                out.push(name.to_string());
            }
            let values = value.as_array().into_iter().flat_map(|a| a.iter());
            for v in values.filter_map(|v| v.as_str()) {
                if let Some(dep) = v.strip_prefix("dep:") {
                    dep_refs.push(dep.to_string());
                }
            }
        }
    }
    for dep in m.dependencies() {
        let optional = m
            .get(&[dep.table.as_str(), dep.key.as_str(), "optional"])
            .and_then(Item::as_bool)
            == Some(true);
        if optional && !dep_refs.contains(&dep.key) && !out.contains(&dep.key) {
            out.push(dep.key.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_normalized_manifest_is_read_directly() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = "[package]\nname = \"my-tool\"\nversion = \"1.0.0\"\nautolib = false\nautobins = false\ndescription = \"d\"\nlicense = \"MIT\"\nreadme = \"README.md\"\nkeywords = [\"a\", \"b\"]\nrust-version = \"1.70\"\n\n[features]\ndefault = [\"std\"]\nstd = []\nfast = [\"dep:simd\"]\n\n[lib]\nname = \"my_tool\"\npath = \"src/lib.rs\"\n\n[[bin]]\nname = \"my-tool\"\npath = \"src/main.rs\"\n\n[dependencies.simd]\nversion = \"1\"\noptional = true\n\n[dependencies.serde]\nversion = \"1\"\noptional = true\n";
        crate::fs::write_atomic(&dir.path().join("Cargo.toml"), manifest.as_bytes()).unwrap();
        let p = Packaged::read(dir.path()).unwrap();
        let names: Vec<&str> = p.bins.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["my-tool"]);
        assert_eq!(p.lib.as_deref(), Some("my_tool"));
        assert_eq!(
            p.features,
            ["std", "fast", "serde"],
            "simd is behind dep:, serde is implicit"
        );
        assert_eq!(p.rust_version, Some(semver::Version::new(1, 70, 0)));
        assert_eq!(p.keywords, ["a", "b"]);
        assert!(p.repository.is_none());
        let loose = "[package]\nname = \"x\"\nversion = \"1.0.0\"\n";
        crate::fs::write_atomic(&dir.path().join("Cargo.toml"), loose.as_bytes()).unwrap();
        assert!(
            Packaged::read(dir.path()).is_none(),
            "targets not spelled out: ask cargo"
        );
    }
}
