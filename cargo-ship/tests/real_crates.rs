//! The publish request's metadata, checked against what crates.io made of
//! the real crates cargo downloaded: for every `.crate` in cargo's
//! registry cache whose index entry is cached too, the dependencies and
//! features `cargo ship` would send, read from the crate's normalized
//! Cargo.toml, must be the ones in crates.io's index (which crates.io
//! wrote from what `cargo publish` sent).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cratesmith_shared::registry::config::{CRATES_IO, CRATES_IO_INDEX};
use cratesmith_shared::registry::upload::Upload;
use cratesmith_shared::registry::{Registry, index::crate_path};
use serde_json::Value;

/// One dependency as the index lists it: (name, package, req, features,
/// optional, default_features, target, kind).
type Dep = (
    String,
    Option<String>,
    String,
    Vec<String>,
    bool,
    bool,
    Option<String>,
    String,
);

fn crates_io() -> Registry {
    Registry {
        name: Some(CRATES_IO.into()),
        index: CRATES_IO_INDEX.into(),
        token: None,
        provider: None,
    }
}

/// cargo's cache dirs of crates.io: (`.crate` files, index cache).
fn cache_dirs() -> Option<(PathBuf, PathBuf)> {
    let home = cratesmith_shared::cargo_config::cargo_home()?;
    let find = |sub: &str| {
        std::fs::read_dir(home.join("registry").join(sub))
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("index.crates.io-"))
            })
    };
    Some((find("cache")?, find("index")?.join(".cache")))
}

/// The index entry of `name`@`version` in cargo's index cache file
/// (a header, then `version NUL json NUL` pairs).
fn entry(index_cache: &Path, name: &str, version: &str) -> Option<Value> {
    let bytes = std::fs::read(index_cache.join(crate_path(name))).ok()?;
    let parts: Vec<&[u8]> = bytes.split(|&b| b == 0).collect();
    parts
        .windows(2)
        .find(|w| w[0] == version.as_bytes())
        .and_then(|w| serde_json::from_slice(w[1]).ok())
}

/// A platform without spaces: cargo prints `cfg(a = "b")` re-spaced since
/// some version, and crates published earlier keep what the author wrote.
fn unspaced(target: &str) -> String {
    target.chars().filter(|c| !c.is_whitespace()).collect()
}

fn index_deps(e: &Value) -> Vec<Dep> {
    let mut deps: Vec<Dep> = e["deps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let mut features: Vec<String> = d["features"]
                .as_array()
                .map(|a| a.iter().map(|f| f.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            features.sort();
            (
                d["name"].as_str().unwrap().to_string(),
                d["package"].as_str().map(String::from),
                d["req"].as_str().unwrap().to_string(),
                features,
                d["optional"].as_bool().unwrap_or(false),
                d["default_features"].as_bool().unwrap_or(true),
                d["target"].as_str().map(unspaced),
                d["kind"].as_str().unwrap_or("normal").to_string(),
            )
        })
        .collect();
    deps.sort();
    deps
}

fn index_features(e: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for key in ["features", "features2"] {
        if let Some(map) = e[key].as_object() {
            for (k, v) in map {
                let mut list: Vec<String> = v
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect();
                list.sort();
                out.insert(k.clone(), list);
            }
        }
    }
    out
}

#[test]
fn publish_metadata_matches_what_crates_io_indexed() {
    let Some((crates, index)) = cache_dirs() else {
        cratesmith_tests::missing("cargo's crates.io cache (~/.cargo/registry)");
        return;
    };
    let mut checked = 0;
    let mut problems = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&crates)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        // name-version: the version starts after the last '-' followed by a digit.
        let Some(at) = stem
            .match_indices('-')
            .map(|(i, _)| i)
            .find(|&i| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()))
        else {
            continue;
        };
        let (name, version) = (&stem[..at], &stem[at + 1..]);
        let Some(e) = entry(&index, name, version) else {
            continue;
        };
        let Ok(up) = Upload::read(&file, name, version, &crates_io()) else {
            problems.push(format!("{stem}: unreadable"));
            continue;
        };
        let mut ours: Vec<Dep> = up
            .meta
            .deps
            .iter()
            .map(|d| {
                let mut features = d.features.clone();
                features.sort();
                (
                    d.explicit_name_in_toml
                        .clone()
                        .unwrap_or_else(|| d.name.clone()),
                    d.explicit_name_in_toml.as_ref().map(|_| d.name.clone()),
                    d.version_req.clone(),
                    features,
                    d.optional,
                    d.default_features,
                    d.target.as_deref().map(unspaced),
                    d.kind.clone(),
                )
            })
            .collect();
        ours.sort();
        if ours != index_deps(&e) {
            problems.push(format!(
                "{stem}: deps\n  ours  {ours:?}\n  index {:?}",
                index_deps(&e)
            ));
        }
        let mut features = up.meta.features.clone();
        for list in features.values_mut() {
            list.sort();
        }
        if features != index_features(&e) {
            problems.push(format!(
                "{stem}: features\n  ours  {features:?}\n  index {:?}",
                index_features(&e)
            ));
        }
        if up.meta.deps.iter().any(|d| d.registry.is_some()) {
            problems.push(format!(
                "{stem}: a crates.io dependency named another registry"
            ));
        }
        checked += 1;
    }
    assert!(
        problems.is_empty(),
        "{} of {checked} differ:\n{}",
        problems.len(),
        problems.join("\n")
    );
    if checked < 20 {
        cratesmith_tests::missing("at least 20 cached crates with cached index entries");
    }
}
