//! Format-preserving edits of Cargo.lock for bumped workspace members:
//! their `[[package]]` versions and every dependency reference, written as
//! cargo writes it (`name`, `name version`, or `name version (source)` when
//! the name and version alone are ambiguous), without running cargo or
//! touching the network.

use std::collections::BTreeMap;
use std::path::Path;

use semver::Version;
use toml_edit::{Document, Item, Value};

use crate::edit::{Edit, string_token};
use crate::error::{Result, toml_error};

mod order;

/// Old and new version of each bumped package, by name.
pub type Bumps = BTreeMap<String, (Version, Version)>;

/// What the edits of one lock file change.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LockEdits {
    /// The byte edits.
    pub edits: Vec<Edit>,
    /// `[[package]]` entries changed.
    pub packages: usize,
    /// `dependencies` references changed.
    pub references: usize,
}

/// One `[[package]]` of the lock file.
pub(crate) struct Locked {
    name: String,
    version: String,
    source: Option<String>,
    /// Its version after the bump (a workspace member's, else the same).
    new_version: String,
}

/// How many packages of each name and version: what decides how much of a
/// reference cargo writes.
type Counts<'a> = BTreeMap<&'a str, BTreeMap<&'a str, usize>>;

/// The edits `bumps` makes to the lock file `text`, read from `path`.
pub fn plan(path: &Path, text: &str, bumps: &Bumps) -> Result<LockEdits> {
    let doc = Document::parse(text).map_err(|e| toml_error(path, text, &e))?;
    let mut out = LockEdits::default();
    let Some(packages) = doc.get("package").and_then(Item::as_array_of_tables) else {
        return Ok(out);
    };
    let locked: Vec<Locked> = packages.iter().map(|p| read(p, bumps)).collect();
    // Lock files before version 2 (a [metadata] table) always write the
    // version and source of a reference.
    let short = doc.get("metadata").is_none();
    let new = counts(&locked, |l| &l.new_version);
    for (package, l) in packages.iter().zip(&locked) {
        if let Some(Value::String(v)) = package.get("version").and_then(Item::as_value)
            && l.new_version != l.version
        {
            push_edit(&mut out.edits, text, v.span(), &l.new_version);
            out.packages += 1;
        }
        let deps = package.get("dependencies").and_then(Item::as_array);
        let refs: Vec<&toml_edit::Formatted<String>> = deps
            .into_iter()
            .flat_map(|a| a.iter())
            .filter_map(|d| match d {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect();
        let mut targets: Vec<Option<&Locked>> =
            refs.iter().map(|r| resolve(&locked, r.value())).collect();
        // cargo lists dependencies in package order: a bumped member can
        // move past a namesake (only when every reference could be read).
        if targets.iter().all(Option::is_some) {
            targets.sort_by(|a, b| a.map(order::key).cmp(&b.map(order::key)));
        }
        for (slot, target) in refs.iter().zip(targets) {
            let Some(target) = target else {
                continue;
            };
            let written = encode(target, &new, short);
            if written.as_str() != slot.value().as_str() {
                push_edit(&mut out.edits, text, slot.span(), &written);
                out.references += 1;
            }
        }
    }
    if let Some(sorted) = order::packages(&crate::edit::splice(text, &out.edits), &locked) {
        out.edits = vec![Edit {
            span: 0..text.len(),
            with: sorted,
        }];
    }
    Ok(out)
}

fn read(package: &toml_edit::Table, bumps: &Bumps) -> Locked {
    let field = |k: &str| package.get(k).and_then(Item::as_str).map(String::from);
    let name = field("name").unwrap_or_default();
    let version = field("version").unwrap_or_default();
    let source = field("source");
    let new_version = match bumps.get(&name) {
        Some((from, to))
            if source.is_none() && Version::parse(&version).ok().as_ref() == Some(from) =>
        {
            to.to_string()
        }
        _ => version.clone(),
    };
    Locked {
        name,
        version,
        source,
        new_version,
    }
}

fn counts<'a>(locked: &'a [Locked], version: impl Fn(&'a Locked) -> &'a String) -> Counts<'a> {
    let mut out: Counts<'a> = BTreeMap::new();
    for l in locked {
        *out.entry(&l.name)
            .or_default()
            .entry(version(l))
            .or_default() += 1;
    }
    out
}

/// The package a reference (`name`, `name version`, `name version
/// (source)`) names, read as cargo wrote it before the bump.
fn resolve<'a>(locked: &'a [Locked], reference: &str) -> Option<&'a Locked> {
    let (head, source) = match reference.split_once(" (") {
        Some((head, rest)) => (head, Some(rest.strip_suffix(')')?)),
        None => (reference, None),
    };
    let mut words = head.split(' ');
    let (name, version) = (words.next()?, words.next());
    if words.next().is_some() {
        return None;
    }
    let matching: Vec<&Locked> = locked
        .iter()
        .filter(|l| {
            l.name == name
                && version.is_none_or(|v| l.version == v)
                && source.is_none_or(|s| l.source.as_deref() == Some(s))
        })
        .collect();
    match matching.as_slice() {
        [one] => Some(one),
        // Without a source where several share name and version, cargo
        // meant the one that has none: a path package.
        several if source.is_none() => {
            let mut local = several.iter().filter(|l| l.source.is_none());
            let found = local.next()?;
            local.next().is_none().then_some(*found)
        }
        // Ambiguous as written (not a lock cargo wrote): leave it alone.
        _ => None,
    }
}

/// A reference to `target` as cargo writes it after the bump: the version
/// when other versions of the name are locked, the source when the name
/// and version alone are ambiguous (always both in a version 1 lock file).
fn encode(target: &Locked, new: &Counts<'_>, short: bool) -> String {
    let versions = &new[target.name.as_str()];
    let (mut version, mut source) = (true, target.source.is_some());
    if short && versions.get(target.new_version.as_str()) == Some(&1) {
        source = false;
        version = versions.len() > 1;
    }
    let mut out = target.name.clone();
    if version {
        out.push(' ');
        out.push_str(&target.new_version);
    }
    if let (true, Some(s)) = (source, &target.source) {
        out.push_str(&format!(" ({s})"));
    }
    out
}

fn push_edit(edits: &mut Vec<Edit>, text: &str, span: Option<std::ops::Range<usize>>, value: &str) {
    if let Some(span) = span {
        let with = string_token(&text[span.clone()], value);
        edits.push(Edit { span, with });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::splice;

    const LOCK: &str = "# This file is automatically @generated by Cargo.\r\n\
version = 4\r\n\r\n\
[[package]]\r\nname = \"app\"\r\nversion = \"1.2.3\"\r\ndependencies = [\r\n \"core 1.2.3\",\r\n \"serde\",\r\n]\r\n\r\n\
[[package]]\r\nname = \"core\"\r\nversion = \"1.2.3\"\r\n\r\n\
[[package]]\r\nname = \"core\"\r\nversion = \"1.2.3\"\r\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\r\n\r\n\
[[package]]\r\nname = \"other\"\r\nversion = \"0.1.0\"\r\ndependencies = [\r\n \"core 1.2.3 (registry+https://github.com/rust-lang/crates.io-index)\",\r\n]\r\n";

    #[test]
    fn edits_members_and_references_only() {
        let bumps = Bumps::from([(
            "core".to_string(),
            (Version::new(1, 2, 3), Version::new(1, 3, 0)),
        )]);
        let planned = plan(Path::new("Cargo.lock"), LOCK, &bumps).unwrap();
        assert_eq!((planned.packages, planned.references), (1, 2));
        // The registry `core 1.2.3` is no longer ambiguous: cargo drops
        // its source from the reference, and lists it before `core 1.3.0`.
        let local = "[[package]]\r\nname = \"core\"\r\nversion = \"1.2.3\"\r\n\r\n";
        let registry = "[[package]]\r\nname = \"core\"\r\nversion = \"1.2.3\"\r\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\r\n\r\n";
        let expected = LOCK
            .replacen("\"core 1.2.3\"", "\"core 1.3.0\"", 1)
            .replace(
                &format!("{local}{registry}"),
                &format!("{registry}{}", local.replace("1.2.3", "1.3.0")),
            )
            .replace(
                "\"core 1.2.3 (registry+https://github.com/rust-lang/crates.io-index)\"",
                "\"core 1.2.3\"",
            );
        assert_eq!(splice(LOCK, &planned.edits), expected);
    }

    #[test]
    fn malformed_lock_is_located() {
        let err = plan(
            Path::new("Cargo.lock"),
            "version = 4\n[[package]\n",
            &Bumps::new(),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("Cargo.lock:2:"), "{err}");
    }
}
