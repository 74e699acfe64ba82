//! Format preservation on real manifests: every Cargo.toml and Cargo.lock
//! of `../shared/corpus` (large public workspaces, byte for byte) gets the
//! edits `cargo bump --workspace minor` makes — each package's version, the
//! workspace version, dependents' requirements where they no longer admit
//! the new version, the lock file's entries — through relkit's own edit
//! functions. Checked: the result parses and holds the new values; a
//! token-level diff (a small TOML lexer, independent of the editor) shows
//! only the intended string tokens changed; bumping back to the old
//! versions restores every byte. Skipped, with a notice, when the corpus is
//! not there (`RELKIT_CORPUS` points elsewhere).

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use relkit_shared::edit::{Edit, splice};
use relkit_shared::lockfile;
use relkit_shared::manifest::{Manifest, VersionKey};
use relkit_shared::requirement::{Policy, rewrite};
use relkit_shared::version::{BumpSpec, Level, Target, bump};
use semver::Version;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("RELKIT_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
        PathBuf::from,
    );
    dir.is_dir().then_some(dir)
}

fn files(dir: &Path, name: &str, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, name, out);
        } else if p.file_name().is_some_and(|n| n == name) {
            out.push(p);
        }
    }
}

/// TOML source split into tokens: whitespace, newlines, comments, strings
/// (all four kinds), punctuation, and bare runs (keys, numbers, ...).
fn tokens(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let rest = &text[i..];
        i += if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            let q = &rest[..3];
            let mut j = 3;
            loop {
                match rest[j..].find(q) {
                    Some(k) if q == "\"\"\"" && escaped(rest, j + k) => j += k + 1,
                    Some(k) => {
                        break j
                            + k
                            + 3
                            + rest[j + k + 3..]
                                .chars()
                                .take_while(|c| *c == q.as_bytes()[0] as char)
                                .count();
                    }
                    None => break rest.len(),
                }
            }
        } else if b[i] == b'"' {
            let mut j = 1;
            loop {
                match rest[j..].find('"') {
                    Some(k) if escaped(rest, j + k) => j += k + 1,
                    Some(k) => break j + k + 1,
                    None => break rest.len(),
                }
            }
        } else if b[i] == b'\'' {
            rest[1..].find('\'').map_or(rest.len(), |k| k + 2)
        } else if b[i] == b'#' {
            rest.find(['\r', '\n']).unwrap_or(rest.len())
        } else if rest.starts_with("\r\n") {
            2
        } else if b"[]{}=,.\n".contains(&b[i]) {
            1
        } else if b[i] == b' ' || b[i] == b'\t' {
            rest.find(|c| c != ' ' && c != '\t').unwrap_or(rest.len())
        } else {
            rest.find(|c: char| " \t\r\n[]{}=,.\"'#".contains(c))
                .unwrap_or(rest.len())
                .max(1)
        };
        out.push(&text[start..i]);
    }
    out
}

/// Whether the quote at `at` is escaped by an odd run of backslashes.
fn escaped(text: &str, at: usize) -> bool {
    text[..at].bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

fn unquote(token: &str) -> Option<&str> {
    let t = token.trim_matches(|c| c == '"' || c == '\'');
    (token.starts_with(['"', '\'']) && t.len() + 2 <= token.len()).then_some(t)
}

/// The changed tokens of `old` -> `new`: each must be one string token
/// replaced by one string token whose value is in `allowed`. Returns how
/// many tokens changed.
fn only_values_changed(old: &str, new: &str, allowed: &BTreeSet<String>, file: &Path) -> usize {
    let (a, b) = (tokens(old), tokens(new));
    assert_eq!(a.concat(), old, "the lexer covers {}", file.display());
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &a, &b);
    let mut changed = 0;
    for op in ops {
        match op {
            similar::DiffOp::Equal { .. } => {}
            similar::DiffOp::Replace {
                old_index,
                old_len: 1,
                new_index,
                new_len: 1,
            } => {
                let (was, now) = (a[old_index], b[new_index]);
                let value = unquote(now).unwrap_or_else(|| {
                    panic!("{}: `{was}` became `{now}`, not a string", file.display())
                });
                assert!(
                    unquote(was).is_some(),
                    "{}: `{was}` is not a string",
                    file.display()
                );
                assert!(
                    allowed.contains(value),
                    "{}: `{was}` became `{now}`, which is no intended value",
                    file.display()
                );
                changed += 1;
            }
            other => panic!("{}: more than a value changed: {other:?}", file.display()),
        }
    }
    changed
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
    let Some(root) = corpus() else {
        eprintln!("notice: ../shared/corpus is not there; skipping the corpus test");
        return;
    };
    let mut workspaces: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    workspaces.sort();
    let (mut n_manifests, mut n_locks, mut n_edits, mut n_lock_edits, mut n_raised) =
        (0, 0, 0, 0, 0);
    for ws in &workspaces {
        let mut manifests = Vec::new();
        files(ws, "Cargo.toml", &mut manifests);
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
        let mut locks = Vec::new();
        files(ws, "Cargo.lock", &mut locks);
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
            // Versions, and `name version` references where several
            // versions of a package are locked.
            let allowed: BTreeSet<String> = new
                .iter()
                .flat_map(|(k, v)| [v.to_string(), format!("{k} {v}")])
                .collect();
            n_lock_edits += only_values_changed(&text, &bumped, &allowed, path);
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
