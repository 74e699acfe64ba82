//! Workspace discovery through `cargo metadata --no-deps`, and package
//! selection the way cargo does it: `-p` (with globs), `--workspace`,
//! `--exclude`, the current package, or the default members.

use std::path::{Path, PathBuf};

use cargo_metadata::{MetadataCommand, Target};
use semver::Version;

use crate::error::{Error, Result};

/// The members of a workspace and where the command was run from.
#[derive(Debug, PartialEq, Eq)]
pub struct Workspace {
    /// The workspace root directory.
    pub root: PathBuf,
    /// The root manifest.
    pub root_manifest: PathBuf,
    /// The target directory (honours `CARGO_TARGET_DIR` and `build.target-dir`);
    /// `None` when the workspace was discovered without cargo.
    pub target_dir: Option<PathBuf>,
    /// Members, sorted by manifest path.
    pub members: Vec<Member>,
    /// Indices of the default members.
    pub default_members: Vec<usize>,
    /// Index of the package whose manifest the command started from, if any.
    pub current: Option<usize>,
}

/// One workspace member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Package name.
    pub name: String,
    /// Resolved version (inheritance applied).
    pub version: Version,
    /// Absolute path of its Cargo.toml.
    pub manifest_path: PathBuf,
    /// Its targets (empty when discovered without cargo).
    pub targets: Vec<Target>,
}

/// Which packages a command acts on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `-p/--package` specs (names or globs).
    pub packages: Vec<String>,
    /// `--workspace`.
    pub workspace: bool,
    /// `--exclude` specs, with `--workspace`.
    pub exclude: Vec<String>,
}

impl Workspace {
    /// Load the workspace containing `manifest_path`, or the current
    /// directory, through `cargo metadata --no-deps`.
    pub fn load(manifest_path: Option<&Path>) -> Result<Self> {
        let meta = metadata(manifest_path)?;
        Ok(Self::from_metadata(meta, manifest_path))
    }

    /// The workspace `cargo metadata` described, for a command started
    /// from `manifest_path` (or the current directory).
    pub fn from_metadata(meta: cargo_metadata::Metadata, manifest_path: Option<&Path>) -> Self {
        let start = start_manifest(manifest_path);
        let root = PathBuf::from(meta.workspace_root.as_std_path());
        let defaults_known = meta.workspace_default_members.is_available();
        let default_ids: Vec<cargo_metadata::PackageId> = if defaults_known {
            meta.workspace_default_members.to_vec()
        } else {
            Vec::new()
        };
        let (members, defaults): (Vec<Member>, Vec<bool>) = meta
            .packages
            .into_iter()
            .filter(|p| meta.workspace_members.contains(&p.id))
            .map(|p| {
                let default = !defaults_known || default_ids.contains(&p.id);
                let member = Member {
                    name: p.name.to_string(),
                    version: p.version,
                    manifest_path: p.manifest_path.into_std_path_buf(),
                    targets: p.targets,
                };
                (member, default)
            })
            .unzip();
        Self::assemble(
            root,
            members,
            defaults,
            start.as_deref(),
            Some(meta.target_directory.into_std_path_buf()),
        )
    }

    /// A workspace from its parts: members are sorted by manifest path, so
    /// that every way of discovering a workspace gives the same order.
    pub(crate) fn assemble(
        root: PathBuf,
        members: Vec<Member>,
        defaults: Vec<bool>,
        start: Option<&Path>,
        target_dir: Option<PathBuf>,
    ) -> Self {
        let mut pairs: Vec<(Member, bool)> = members.into_iter().zip(defaults).collect();
        pairs.sort_by(|a, b| a.0.manifest_path.cmp(&b.0.manifest_path));
        let default_members = (0..pairs.len()).filter(|&i| pairs[i].1).collect();
        let members: Vec<Member> = pairs.into_iter().map(|(m, _)| m).collect();
        let current = start.and_then(|s| current_member(&members, s));
        Workspace {
            root_manifest: root.join("Cargo.toml"),
            root,
            target_dir,
            members,
            default_members,
            current,
        }
    }

    /// Whether `other` has the same root, members (name, version, manifest),
    /// default members and current package: what a bump plan depends on.
    pub fn same_members(&self, other: &Workspace) -> bool {
        let key = |m: &Member| (m.name.clone(), m.version.clone(), m.manifest_path.clone());
        self.root == other.root
            && self.default_members == other.default_members
            && self.current == other.current
            && self
                .members
                .iter()
                .map(key)
                .eq(other.members.iter().map(key))
    }

    /// The member indices `selection` picks, in workspace order.
    pub fn select(&self, selection: &Selection) -> Result<Vec<usize>> {
        let all: Vec<usize> = (0..self.members.len()).collect();
        let mut picked = if selection.workspace {
            let excluded = self.matching(&selection.exclude)?;
            all.into_iter().filter(|i| !excluded.contains(i)).collect()
        } else if !selection.packages.is_empty() {
            self.matching(&selection.packages)?
        } else if let Some(current) = self.current {
            vec![current]
        } else if self.default_members.is_empty() {
            all
        } else {
            self.default_members.clone()
        };
        picked.sort_unstable();
        picked.dedup();
        Ok(picked)
    }

    /// Members matching any of `specs`; a spec that matches nothing is an error.
    fn matching(&self, specs: &[String]) -> Result<Vec<usize>> {
        let mut out = Vec::new();
        for spec in specs {
            let name = spec.split_once('@').map_or(spec.as_str(), |(n, _)| n);
            let hits: Vec<usize> = (0..self.members.len())
                .filter(|&i| glob_match(name, &self.members[i].name))
                .collect();
            if hits.is_empty() {
                return Err(Error::PackageNotFound {
                    spec: spec.clone(),
                    root: self.root.clone(),
                    suggestions: suggest(name, self.members.iter().map(|m| m.name.as_str())),
                });
            }
            out.extend(hits);
        }
        Ok(out)
    }
}

/// The member whose manifest is `start`: by path, else by canonical path
/// (only then are the members' paths resolved, which costs a few syscalls each).
fn current_member(members: &[Member], start: &Path) -> Option<usize> {
    let absolute = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let by_path = members.iter().position(|m| m.manifest_path == absolute);
    by_path.or_else(|| {
        let canonical = crate::paths::canonical;
        let start = canonical(start);
        members
            .iter()
            .position(|m| canonical(&m.manifest_path) == start)
    })
}

/// `cargo metadata --no-deps` of the workspace containing `manifest_path`,
/// or the current directory.
///
/// # Errors
/// When cargo fails (its message kept).
pub fn metadata(manifest_path: Option<&Path>) -> Result<cargo_metadata::Metadata> {
    let mut cmd = MetadataCommand::new();
    cmd.no_deps();
    if let Some(p) = manifest_path {
        cmd.manifest_path(p);
    }
    exec_metadata(&cmd)
}

/// Run `cmd`, cargo's complaint as the error.
///
/// # Errors
/// cargo metadata fails.
pub fn exec_metadata(cmd: &MetadataCommand) -> Result<cargo_metadata::Metadata> {
    cmd.exec().map_err(|e| match e {
        cargo_metadata::Error::CargoMetadata { stderr } => {
            Error::Metadata(stderr.trim_end().to_string())
        }
        other => Error::Metadata(other.to_string()),
    })
}

/// The manifest a command starts from: `--manifest-path`, else the nearest one.
pub fn start_manifest(manifest_path: Option<&Path>) -> Option<PathBuf> {
    match manifest_path {
        Some(p) => Some(p.to_path_buf()),
        None => std::env::current_dir().ok().and_then(|d| find_manifest(&d)),
    }
}

/// The nearest `Cargo.toml` in `dir` or its ancestors.
pub fn find_manifest(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join("Cargo.toml"))
        .find(|p| p.is_file())
}

/// Shell-style glob match: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('*') => {
                backtrack = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => class_match(&p[pi..], n[ni]),
            Some(&c) => (c == n[ni]).then_some(1),
            None => None,
        };
        match (step, backtrack) {
            (Some(len), _) => {
                pi += len;
                ni += 1;
            }
            (None, Some((star, at))) => {
                pi = star + 1;
                ni = at + 1;
                backtrack = Some((star, at + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// If `p` starts a `[...]` class matching `c`, the class's length in chars.
fn class_match(p: &[char], c: char) -> Option<usize> {
    let end = p.iter().skip(2).position(|&x| x == ']')? + 2;
    let body = &p[1..end];
    let (negated, body) = match body.first() {
        Some('!' | '^') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut hit = false;
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == '-' {
            hit |= body[i] <= c && c <= body[i + 2];
            i += 3;
        } else {
            hit |= body[i] == c;
            i += 1;
        }
    }
    (hit != negated).then_some(end + 1)
}

/// Up to five names close to `wanted`, closest first.
pub fn suggest<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let limit = (wanted.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = names
        .map(|n| (edit_distance(wanted, n), n))
        .filter(|(d, n)| {
            *d <= limit || n.contains(wanted) || (wanted.len() > 2 && wanted.contains(*n))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(5)
        .map(|(_, n)| n.to_string())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_table() {
        let cases = [
            ("foo", "foo", true),
            ("foo", "foobar", false),
            ("foo*", "foobar", true),
            ("*bar", "foobar", true),
            ("*o*a*", "foobar", true),
            ("f?o", "foo", true),
            ("f?o", "fo", false),
            ("cratesmith-[st]*", "cratesmith-shared", true),
            ("cratesmith-[!s]*", "cratesmith-shared", false),
            ("crate-[0-9]", "crate-7", true),
            ("crate-[0-9]", "crate-x", false),
            ("*", "", true),
            ("a*b*c", "aXbYbc", true),
            ("a*b*c", "aXbYb", false),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(glob_match(pattern, name), expected, "{pattern} vs {name}");
        }
    }

    #[test]
    fn suggestions_are_close_names() {
        let names = [
            "cargo-bump",
            "cratesmith-shared",
            "cratesmith-tests",
            "bumpy",
        ];
        assert_eq!(
            suggest("cargo-bmup", names.iter().copied()),
            vec!["cargo-bump"]
        );
        assert_eq!(
            suggest("cratesmith", names.iter().copied()),
            vec!["cratesmith-tests", "cratesmith-shared"]
        );
        assert!(suggest("zzz", names.iter().copied()).is_empty());
    }
}
