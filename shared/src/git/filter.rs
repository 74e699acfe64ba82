//! Which changes count for a scope of paths: files under one of the
//! included paths and not under a more specific excluded one (a package's
//! directory, less the packages nested in it, plus files it names outside
//! it), found by comparing two trees and descending only where the scope
//! can hold something.

use git2::{ObjectType, Oid, Repository, Tree};

use super::git_err;
use crate::error::Result;

/// Paths relative to the work tree, `/`-separated: a file counts when it
/// is under an included path (`""` includes everything) and not under an
/// excluded path longer than that included one. No included path keeps
/// every change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathFilter {
    include: Vec<String>,
    exclude: Vec<String>,
}

impl PathFilter {
    /// Files under `include`, less those under `exclude`.
    pub fn new(include: Vec<String>, exclude: Vec<String>) -> Self {
        PathFilter { include, exclude }
    }

    /// Every change counts.
    pub fn all() -> Self {
        PathFilter::default()
    }

    /// Whether every change counts.
    pub fn keeps_all(&self) -> bool {
        self.include.is_empty()
    }

    /// The included paths.
    pub fn included(&self) -> &[String] {
        &self.include
    }

    /// The excluded paths.
    pub fn excluded(&self) -> &[String] {
        &self.exclude
    }

    /// Whether a change to `file` counts.
    pub fn keeps(&self, file: &str) -> bool {
        if self.keeps_all() {
            return true;
        }
        self.include.iter().any(|i| {
            under(file, i)
                && !self
                    .exclude
                    .iter()
                    .any(|e| e.len() > i.len() && under(file, e))
        })
    }

    /// Whether the directory `dir` can hold a file that counts.
    pub(super) fn may_hold(&self, dir: &str) -> bool {
        self.keeps_all() || self.include.iter().any(|i| under(dir, i) || under(i, dir))
    }
}

/// Whether `path` is `base` or lies under it (`""` is above everything).
pub(crate) fn under(path: &str, base: &str) -> bool {
    base.is_empty()
        || path == base
        || (path.starts_with(base) && path.as_bytes().get(base.len()) == Some(&b'/'))
}

/// Whether the trees `now` and `before` (`None`: empty) differ in a file
/// that `wanted` accepts, looking only into directories `descend` accepts.
pub(super) fn changes(
    repo: &Repository,
    now: Oid,
    before: Option<Oid>,
    descend: &dyn Fn(&str) -> bool,
    wanted: &mut dyn FnMut(&str) -> bool,
) -> Result<bool> {
    let now = repo.find_tree(now).map_err(git_err)?;
    let before = before
        .map(|t| repo.find_tree(t))
        .transpose()
        .map_err(git_err)?;
    let mut path = String::new();
    diff(
        repo,
        Some(&now),
        before.as_ref(),
        &mut path,
        descend,
        wanted,
    )
}

/// Compare two directories (either may be missing), reporting changed
/// files under `path` until `wanted` says stop (`true`). Both entry lists
/// are in git's order, so they are merged in one pass.
fn diff(
    repo: &Repository,
    a: Option<&Tree<'_>>,
    b: Option<&Tree<'_>>,
    path: &mut String,
    descend: &dyn Fn(&str) -> bool,
    wanted: &mut dyn FnMut(&str) -> bool,
) -> Result<bool> {
    let (la, lb) = (a.map_or(0, Tree::len), b.map_or(0, Tree::len));
    let (mut i, mut j) = (0, 0);
    while i < la || j < lb {
        let x = a.and_then(|t| t.get(i)).filter(|_| i < la);
        let y = b.and_then(|t| t.get(j)).filter(|_| j < lb);
        let order = match (&x, &y) {
            (Some(x), Some(y)) => git_order(x, y),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (x, y) = match order {
            std::cmp::Ordering::Less => {
                i += 1;
                (x, None)
            }
            std::cmp::Ordering::Greater => {
                j += 1;
                (None, y)
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
                (x, y)
            }
        };
        if x.as_ref().map(git2::TreeEntry::id) == y.as_ref().map(git2::TreeEntry::id) {
            continue;
        }
        let Some(name) = x.as_ref().or(y.as_ref()).map(|e| e.name_bytes().to_vec()) else {
            continue;
        };
        let len = path.len();
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&String::from_utf8_lossy(&name));
        let stop = changed_entry(repo, x.as_ref(), y.as_ref(), path, descend, wanted)?;
        path.truncate(len);
        if stop {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One entry that differs (same name and kind on both sides, or one side
/// only): a file is reported, a directory compared.
fn changed_entry(
    repo: &Repository,
    x: Option<&git2::TreeEntry<'_>>,
    y: Option<&git2::TreeEntry<'_>>,
    path: &str,
    descend: &dyn Fn(&str) -> bool,
    wanted: &mut dyn FnMut(&str) -> bool,
) -> Result<bool> {
    let is_tree =
        |e: Option<&git2::TreeEntry<'_>>| e.is_some_and(|e| e.kind() == Some(ObjectType::Tree));
    if !is_tree(x) && !is_tree(y) {
        return Ok(wanted(path));
    }
    if !descend(path) {
        return Ok(false);
    }
    let load = |e: Option<&git2::TreeEntry<'_>>| -> Result<Option<Tree<'_>>> {
        match e {
            Some(e) if e.kind() == Some(ObjectType::Tree) => {
                repo.find_tree(e.id()).map(Some).map_err(git_err)
            }
            _ => Ok(None),
        }
    };
    let (ta, tb) = (load(x)?, load(y)?);
    let mut path = path.to_string();
    diff(repo, ta.as_ref(), tb.as_ref(), &mut path, descend, wanted)
}

/// Git's order of tree entries: by name, a directory's name followed by
/// `/` (so `a.txt` comes before the directory `a`, which comes before
/// `a0`).
fn git_order(x: &git2::TreeEntry<'_>, y: &git2::TreeEntry<'_>) -> std::cmp::Ordering {
    let key = |e: &git2::TreeEntry<'_>, at: usize| -> u8 {
        let name = e.name_bytes();
        match name.get(at) {
            Some(&c) => c,
            None if e.kind() == Some(ObjectType::Tree) => b'/',
            None => 0,
        }
    };
    let (a, b) = (x.name_bytes(), y.name_bytes());
    let common = a.len().min(b.len());
    match a[..common].cmp(&b[..common]) {
        std::cmp::Ordering::Equal => key(x, common).cmp(&key(y, common)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_filter_keeps() {
        let pkg = PathFilter::new(
            vec!["crates/a".into(), "README.md".into()],
            vec!["crates/a/nested".into()],
        );
        let root = PathFilter::new(vec![String::new()], vec!["crates/a".into()]);
        let cases = [
            (&pkg, "crates/a/src/lib.rs", true),
            (&pkg, "crates/a", true),
            (&pkg, "crates/ab/lib.rs", false),
            (&pkg, "crates/a/nested/lib.rs", false),
            (&pkg, "README.md", true),
            (&pkg, "README.md.bak", false),
            (&root, "src/main.rs", true),
            (&root, "crates/a/src/lib.rs", false),
            (&root, "crates/b/src/lib.rs", true),
        ];
        for (filter, file, want) in cases {
            assert_eq!(filter.keeps(file), want, "{file}");
        }
        assert!(PathFilter::all().keeps("anything"));
        assert!(pkg.may_hold("crates") && pkg.may_hold("crates/a/src") && !pkg.may_hold("docs"));
    }
}
