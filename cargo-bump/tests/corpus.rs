//! `cargo bump minor --workspace` through the binary on every workspace of
//! the real-world corpus (`../shared/corpus`, made loadable by cargo with
//! empty sources): it succeeds, cargo still loads the workspace, every
//! member with a version moves to its next minor (members without one are
//! skipped and named), and only string values of Cargo.toml and
//! Cargo.lock files change. Under `CI=true` a missing corpus fails.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::Path;

use cratesmith_tests::{command, copy_tree, corpus, read_tree};
use semver::Version;

/// name -> (version, whether the manifest writes one), from cargo.
fn members(root: &Path) -> Result<BTreeMap<String, (Version, bool)>, String> {
    let meta = corpus::metadata(root)?;
    let ids: Vec<&serde_json::Value> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let mut map = BTreeMap::new();
    for p in meta["packages"].as_array().unwrap() {
        if !ids.contains(&&p["id"]) {
            continue;
        }
        let manifest = std::fs::read_to_string(p["manifest_path"].as_str().unwrap()).unwrap();
        let package = manifest.split("[package]").nth(1).unwrap_or("");
        let package = package.split("\n[").next().unwrap_or("");
        let writes = package
            .lines()
            .any(|l| l.trim_start().starts_with("version"));
        let version = Version::parse(p["version"].as_str().unwrap()).unwrap();
        map.insert(p["name"].as_str().unwrap().to_string(), (version, writes));
    }
    Ok(map)
}

/// The next minor by cratesmith's rules (a pre-release is finished, as npm does).
fn minor(v: &Version) -> Version {
    use cratesmith_shared::version::{BumpSpec, Level, Target, bump};
    let spec = BumpSpec {
        target: Target::Level(Level::Minor),
        pre: None,
        build: None,
    };
    bump(v, &spec).unwrap()
}

/// One workspace: what went wrong, if anything.
fn bump_one(ws: &Path) -> Result<String, String> {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("ws");
    copy_tree(ws, &root);
    let made = corpus::make_loadable(&root)?;
    let before_tree = read_tree(&root);
    let before = members(&root)?;
    let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-bump")))
        .args(["bump", "minor", "--workspace"])
        .current_dir(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(format!("cargo bump failed:\n{stderr}"));
    }
    let after = members(&root).map_err(|e| format!("cargo no longer loads it:\n{e}"))?;
    let mut unversioned = Vec::new();
    for (name, (v, writes)) in &before {
        let now = &after[name].0;
        let want = if *writes || *v != Version::new(0, 0, 0) {
            minor(v)
        } else {
            v.clone()
        };
        if !*writes && *v == Version::new(0, 0, 0) {
            unversioned.push(name.as_str());
        }
        if *now != want {
            return Err(format!("{name}: {v} became {now}, not {want}"));
        }
    }
    for name in &unversioned {
        if !made.iter().any(|m| m.contains(name)) && !stderr.contains(name) {
            return Err(format!(
                "{name} has no version and is not named as skipped:\n{stderr}"
            ));
        }
    }
    let after_tree = read_tree(&root);
    let mut changed = 0;
    for (rel, bytes) in &after_tree {
        let old = &before_tree[rel];
        if old == bytes {
            continue;
        }
        changed += 1;
        if made.contains(rel) || !(rel.ends_with("Cargo.toml") || rel.ends_with("Cargo.lock")) {
            return Err(format!("{rel} changed"));
        }
        let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(bytes));
        let new = corpus::in_old_order(&old, &new);
        corpus::changed_strings(&old, &new).map_err(|e| format!("{rel}: {e}"))?;
    }
    Ok(format!(
        "{} members bumped, {} unversioned skipped, {changed} files changed",
        before.len() - unversioned.len(),
        unversioned.len()
    ))
}

#[test]
fn every_corpus_workspace_bumps_through_the_binary() {
    let Some(root) = corpus::dir() else {
        return;
    };
    let mut failures = Vec::new();
    for ws in corpus::workspaces(&root) {
        let name = ws.file_name().unwrap().to_string_lossy().into_owned();
        match bump_one(&ws) {
            Ok(summary) => eprintln!("{name}: {summary}"),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
