//! Format preservation on real manifests: every Cargo.toml and Cargo.lock
//! of `../shared/corpus` (large public workspaces, byte for byte) gets the
//! edits `cargo bump --workspace minor` makes — each package's version, the
//! workspace version, dependents' requirements where they no longer admit
//! the new version, the lock file's entries — through cratesmith's own edit
//! functions. Checked: the result parses and holds the new values; a
//! token-level diff (a small TOML lexer, independent of the editor) shows
//! only the intended string tokens changed; bumping back to the old
//! versions restores every byte. Skipped, with a notice, when the corpus is
//! not there (`CRATESMITH_CORPUS` points elsewhere); under `CI=true` that fails.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cratesmith_shared::edit::{Edit, splice};
use cratesmith_shared::lockfile;
use cratesmith_shared::manifest::{Manifest, VersionKey};
use cratesmith_shared::requirement::{Policy, rewrite};
use cratesmith_shared::version::{BumpSpec, Level, Target, bump};
use cratesmith_tests::corpus;
use semver::Version;

/// The changed tokens of `old` -> `new`: each must be one string token
/// replaced by one string token whose value is in `allowed`. Returns how
/// many tokens changed.
fn only_values_changed(old: &str, new: &str, allowed: &BTreeSet<String>, file: &Path) -> usize {
    assert_eq!(
        corpus::tokens(old).concat(),
        old,
        "the lexer covers {}",
        file.display()
    );
    let changed =
        corpus::changed_strings(old, new).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    for (was, now) in &changed {
        assert!(
            allowed.contains(now),
            "{}: `{was}` became `{now}`, which is no intended value",
            file.display()
        );
    }
    changed.len()
}

fn minor(v: &Version) -> Version {
    let spec = BumpSpec {
        target: Target::Level(Level::Minor),
        pre: None,
        build: None,
    };
    bump(v, &spec).unwrap()
}

/// The edits that move `m`'s package version and its dependents'
/// requirements to the `to` versions (package -> version), as `cargo bump`
/// does (requirements rewritten only where they no longer admit the new
/// version), and the values they write. The workspace version is the
/// caller's.
fn manifest_edits(
    m: &Manifest,
    to: &BTreeMap<String, Version>,
    allowed: &mut BTreeSet<String>,
) -> Vec<Edit> {
    let mut edits = Vec::new();
    let name = m.package_name().map(String::from);
    if let (Ok(VersionKey::Own(_, value)), Some(name)) = (m.package_version(), &name) {
        let v = to[name].to_string();
        edits.push(m.string_edit(&value, &v));
        allowed.insert(v);
    }
    for dep in m.dependencies() {
        let (Some(req), Some(new)) = (&dep.req, to.get(&dep.package)) else {
            continue;
        };
        if !dep.has_path {
            continue;
        }
        if let Ok(Some(rewritten)) = rewrite(&req.value, new, Policy::Needed) {
            edits.push(m.string_edit(req, &rewritten));
            allowed.insert(rewritten);
        }
    }
    edits.sort_by_key(|e| e.span.start);
    edits
}

#[test]
fn every_corpus_manifest_and_lock_file_round_trips() {
    let Some(root) = corpus::dir() else {
        return;
    };
    let workspaces = corpus::workspaces(&root);
    let (mut n_manifests, mut n_locks, mut n_edits, mut n_lock_edits, mut n_raised) =
        (0, 0, 0, 0, 0);
    for ws in &workspaces {
        let manifests = corpus::files(ws, "Cargo.toml");
        let parsed: Vec<(PathBuf, String, Manifest)> = manifests
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).unwrap();
                let m = Manifest::from_text(p, &text)
                    .unwrap_or_else(|e| panic!("{} does not parse: {e}", p.display()));
                (p.clone(), text, m)
            })
            .collect();
        let inherited = parsed
            .iter()
            .find_map(|(_, _, m)| m.workspace_version().ok().flatten().map(|(v, _)| v));
        let mut old: BTreeMap<String, Version> = BTreeMap::new();
        for (_, _, m) in &parsed {
            let version = match m.package_version() {
                Ok(VersionKey::Own(v, _)) => Some(v),
                Ok(VersionKey::Inherited) => inherited.clone(),
                _ => None,
            };
            if let (Some(name), Some(v)) = (m.package_name(), version) {
                old.insert(name.to_string(), v);
            }
        }
        let new: BTreeMap<String, Version> =
            old.iter().map(|(k, v)| (k.clone(), minor(v))).collect();
        for (path, text, m) in &parsed {
            let mut allowed = BTreeSet::new();
            let mut edits = manifest_edits(m, &new, &mut allowed);
            // The workspace version moves to its own minor bump.
            if let Ok(Some((v, value))) = m.workspace_version() {
                edits.retain(|e| e.span != value.span);
                let nv = minor(&v).to_string();
                edits.push(m.string_edit(&value, &nv));
                edits.sort_by_key(|e| e.span.start);
                allowed.insert(nv);
            }
            let bumped = splice(text, &edits);
            let again = Manifest::from_text(path, &bumped)
                .unwrap_or_else(|e| panic!("{} no longer parses: {e}", path.display()));
            if let (Ok(VersionKey::Own(v, _)), Some(name)) =
                (again.package_version(), m.package_name())
            {
                assert_eq!(v, new[name], "{}", path.display());
            }
            n_edits += only_values_changed(text, &bumped, &allowed, path);
            // Back to the old versions: every byte as it was.
            let mut ignored = BTreeSet::new();
            let mut back = manifest_edits(&again, &old, &mut ignored);
            if let (Ok(Some((_, value))), Ok(Some((v, _)))) =
                (again.workspace_version(), m.workspace_version())
            {
                back.retain(|e| e.span != value.span);
                back.push(again.string_edit(&value, &v.to_string()));
                back.sort_by_key(|e| e.span.start);
            }
            let restored = splice(&bumped, &back);
            if &restored != text {
                // A requirement below its package's version (`0.11.4` for a
                // package at 0.11.6) comes back as the version itself: the
                // only bytes allowed to differ.
                let raised: BTreeSet<String> = old.values().map(Version::to_string).collect();
                n_raised += only_values_changed(text, &restored, &raised, path);
            }
            n_manifests += 1;
        }
        let locks = corpus::files(ws, "Cargo.lock");
        let bumps: lockfile::Bumps = old
            .iter()
            .map(|(k, v)| (k.clone(), (v.clone(), new[k].clone())))
            .collect();
        let backs: lockfile::Bumps = old
            .iter()
            .map(|(k, v)| (k.clone(), (new[k].clone(), v.clone())))
            .collect();
        for path in &locks {
            let text = std::fs::read_to_string(path).unwrap();
            let planned = lockfile::plan(path, &text, &bumps)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let bumped = splice(&text, &planned.edits);
            assert!(
                bumped.parse::<toml_edit::DocumentMut>().is_ok(),
                "{}",
                path.display()
            );
            // Versions, and references in the forms cargo writes them
            // (`name version`, and `name version (source)` or without it
            // where the bump made a name and version (un)ambiguous).
            let mut allowed: BTreeSet<String> = new
                .iter()
                .flat_map(|(k, v)| [v.to_string(), format!("{k} {v}")])
                .collect();
            let doc: toml_edit::DocumentMut = bumped.parse().unwrap();
            for p in doc["package"].as_array_of_tables().unwrap().iter() {
                let field = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or("");
                let (name, version) = (field("name"), field("version"));
                allowed.insert(format!("{name} {version}"));
                if let Some(source) = p.get("source").and_then(|v| v.as_str()) {
                    allowed.insert(format!("{name} {version} ({source})"));
                }
            }
            let aligned = corpus::in_old_order(&text, &bumped);
            n_lock_edits += only_values_changed(&text, &aligned, &allowed, path);
            let back = lockfile::plan(path, &bumped, &backs).unwrap();
            assert_eq!(
                splice(&bumped, &back.edits),
                text,
                "{} is restored",
                path.display()
            );
            n_locks += 1;
        }
    }
    eprintln!(
        "corpus: {} workspaces, {n_manifests} manifests ({n_edits} value edits), {n_locks} lock files ({n_lock_edits} value edits); bumping back restored every byte but {n_raised} requirements that were below their package's version",
        workspaces.len()
    );
    assert!(n_manifests > 100 && n_edits > 0 && n_lock_edits > 0);
}
