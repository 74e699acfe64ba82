//! Which changes count for a scope of paths: files under one of the
//! included paths and not under a more specific excluded one (a package's
//! directory, less the packages nested in it, plus files it names outside
//! it), found by comparing two trees and descending only where the scope
//! can hold something.

use git2::{ObjectType, Oid, Repository, Tree};

use super::git_err;
use super::oids::OidMap;
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

/// One entry of a tree, as the comparison needs it: its name is
/// `names[start..end]` of its [`Listing`].
struct Entry {
    start: u32,
    end: u32,
    id: Oid,
    tree: bool,
}

/// A tree's entries in git's order, their names in one buffer.
#[derive(Default)]
struct Listing {
    entries: Vec<Entry>,
    names: Vec<u8>,
}

impl Listing {
    fn name(&self, e: &Entry) -> &[u8] {
        &self.names[e.start as usize..e.end as usize]
    }
}

/// Trees read for comparisons, each read and listed once while it is
/// likely to be read again: in a history read newest first, a commit's
/// trees are its child's "before" trees.
pub(super) struct Trees<'r> {
    repo: &'r Repository,
    kept: OidMap<std::rc::Rc<Listing>>,
}

impl<'r> Trees<'r> {
    pub(super) fn new(repo: &'r Repository) -> Self {
        Trees {
            repo,
            kept: OidMap::default(),
        }
    }

    fn get(&mut self, id: Oid) -> Result<std::rc::Rc<Listing>> {
        if let Some(t) = self.kept.get(&id) {
            return Ok(t.clone());
        }
        if self.kept.len() > 4096 {
            self.kept.clear();
        }
        let tree: Tree<'_> = self.repo.find_tree(id).map_err(git_err)?;
        let mut listing = Listing {
            entries: Vec::with_capacity(tree.len()),
            names: Vec::new(),
        };
        for e in tree.iter() {
            let start = listing.names.len() as u32;
            listing.names.extend_from_slice(e.name_bytes());
            listing.entries.push(Entry {
                start,
                end: listing.names.len() as u32,
                id: e.id(),
                tree: e.kind() == Some(ObjectType::Tree),
            });
        }
        let listing = std::rc::Rc::new(listing);
        self.kept.insert(id, listing.clone());
        Ok(listing)
    }
}

/// Whether the trees `now` and `before` (`None`: empty) differ in a file
/// that `wanted` accepts, looking only into directories `descend` accepts.
pub(super) fn changes(
    trees: &mut Trees<'_>,
    now: Oid,
    before: Option<Oid>,
    descend: &dyn Fn(&str) -> bool,
    wanted: &mut dyn FnMut(&str) -> bool,
) -> Result<bool> {
    let now = trees.get(now)?;
    let before = before.map(|t| trees.get(t)).transpose()?;
    let mut path = String::new();
    let empty = Listing::default();
    let before = before.as_deref().unwrap_or(&empty);
    diff(trees, &now, before, &mut path, descend, wanted)
}

/// Compare two directories, reporting changed files under `path` until
/// `wanted` says stop (`true`). Both entry lists are in git's order, so
/// they are merged in one pass.
fn diff(
    trees: &mut Trees<'_>,
    la: &Listing,
    lb: &Listing,
    path: &mut String,
    descend: &dyn Fn(&str) -> bool,
    wanted: &mut dyn FnMut(&str) -> bool,
) -> Result<bool> {
    let (a, b) = (&la.entries, &lb.entries);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let (x, y) = (a.get(i), b.get(j));
        let order = match (x, y) {
            (Some(x), Some(y)) => git_order(la.name(x), x.tree, lb.name(y), y.tree),
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
        if x.map(|e| e.id) == y.map(|e| e.id) {
            continue;
        }
        let name = match (x, y) {
            (Some(x), _) => la.name(x),
            (None, Some(y)) => lb.name(y),
            (None, None) => continue,
        };
        let len = path.len();
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&String::from_utf8_lossy(name));
        let stop = changed_entry(trees, x, y, path, descend, wanted)?;
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
    trees: &mut Trees<'_>,
    x: Option<&Entry>,
    y: Option<&Entry>,
    path: &mut String,
    descend: &dyn Fn(&str) -> bool,
    wanted: &mut dyn FnMut(&str) -> bool,
) -> Result<bool> {
    let is_tree = |e: Option<&Entry>| e.is_some_and(|e| e.tree);
    if !is_tree(x) && !is_tree(y) {
        return Ok(wanted(path));
    }
    if !descend(path) {
        return Ok(false);
    }
    let mut load = |e: Option<&Entry>| -> Result<Option<std::rc::Rc<Listing>>> {
        match e {
            Some(e) if e.tree => trees.get(e.id).map(Some),
            _ => Ok(None),
        }
    };
    let (ta, tb) = (load(x)?, load(y)?);
    let empty = Listing::default();
    diff(
        trees,
        ta.as_deref().unwrap_or(&empty),
        tb.as_deref().unwrap_or(&empty),
        path,
        descend,
        wanted,
    )
}

/// Git's order of tree entries: by name, a directory's name followed by
/// `/` (so `a.txt` comes before the directory `a`, which comes before
/// `a0`).
fn git_order(x: &[u8], x_tree: bool, y: &[u8], y_tree: bool) -> std::cmp::Ordering {
    let key = |name: &[u8], tree: bool, at: usize| -> u8 {
        match name.get(at) {
            Some(&c) => c,
            None if tree => b'/',
            None => 0,
        }
    };
    let common = x.len().min(y.len());
    match x[..common].cmp(&y[..common]) {
        std::cmp::Ordering::Equal => key(x, x_tree, common).cmp(&key(y, y_tree, common)),
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
