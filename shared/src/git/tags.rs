//! Release tags: every tag whose name matches a pattern such as `v*`, with
//! the SemVer version its `*` part holds and the commit it names. Names
//! and targets are read from `packed-refs` and `refs/tags/` directly
//! (libgit2's iterator `stat`s a loose twin of every packed tag, which
//! dominated a run in a repository with thousands of tags).

use std::collections::BTreeMap;
use std::path::Path;

use git2::{ObjectType, Oid};

use super::{Repo, git_err};
use crate::error::Result;

/// A tag whose name holds a SemVer version and which names a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemverTag {
    /// The tag's name.
    pub name: String,
    /// The version in it.
    pub version: semver::Version,
    /// The commit it points to (through annotated tags).
    pub commit: Oid,
    /// The object the tag's ref names: an annotated tag object, or the
    /// commit itself for a lightweight tag.
    pub target: Oid,
}

/// The tags a pattern matches.
#[derive(Clone, Debug, Default)]
pub struct TagScan {
    /// Tags naming a commit, in name order.
    pub tags: Vec<SemverTag>,
    /// Tags that match but name a tree or a blob: (name, what they name).
    pub not_commits: Vec<(String, &'static str)>,
}

/// A tag ref as stored: its target and, for packed annotated tags, the
/// object it peels to.
struct TagRef {
    target: Oid,
    peeled: Option<Oid>,
    /// From a `packed-refs` file that says its refs are fully peeled: the
    /// peeled object (or the target itself) is not a tag object, and is
    /// taken for the commit without reading it (a repository with
    /// thousands of tags would otherwise read thousands of objects to walk
    /// a few hundred commits). One that is a tree or a blob simply never
    /// meets a commit of a walk.
    trusted: bool,
}

impl Repo {
    /// The tags matching `pattern` (one `*` standing for a SemVer version,
    /// e.g. `v*` or `foo-v*`). Tags whose `*` part is not SemVer are left out.
    pub fn semver_tags(&self, pattern: &str) -> Result<TagScan> {
        let mut scans = self.semver_tags_of(&[pattern])?;
        Ok(scans.pop().unwrap_or_default())
    }

    /// [`Repo::semver_tags`] for each of `patterns`, the refs read once.
    pub fn semver_tags_of(&self, patterns: &[&str]) -> Result<Vec<TagScan>> {
        let refs = self.tag_refs()?;
        patterns
            .iter()
            .map(|pattern| self.scan(&refs, pattern))
            .collect()
    }

    fn scan(&self, refs: &BTreeMap<String, TagRef>, pattern: &str) -> Result<TagScan> {
        let (prefix, suffix) = pattern.split_once('*').unwrap_or((pattern, ""));
        let mut scan = TagScan::default();
        for (name, r) in refs {
            let Some(version) = name
                .strip_prefix(prefix)
                .and_then(|m| m.strip_suffix(suffix))
                .and_then(|m| semver::Version::parse(m).ok())
            else {
                continue;
            };
            let name = name.clone();
            if r.trusted {
                scan.tags.push(SemverTag {
                    name,
                    version,
                    commit: r.peeled.unwrap_or(r.target),
                    target: r.target,
                });
                continue;
            }
            match self.peel_to_commit(r.target, r.peeled)? {
                Ok(commit) => scan.tags.push(SemverTag {
                    name,
                    version,
                    commit,
                    target: r.target,
                }),
                Err(kind) => scan.not_commits.push((name, kind)),
            }
        }
        Ok(scan)
    }

    /// Every tag name.
    pub fn tag_names(&self) -> Result<Vec<String>> {
        Ok(self.tag_refs()?.into_keys().collect())
    }

    /// When `tag` was made: the tagger's time for an annotated tag, else
    /// its commit's (Unix seconds).
    pub fn tag_time(&self, tag: &SemverTag) -> Result<i64> {
        Ok(self.tag_when(tag)?.0)
    }

    /// When a tag was made and the tagger's offset from UTC in minutes:
    /// the tagger's time for an annotated tag, else the commit's.
    pub fn tag_when(&self, tag: &SemverTag) -> Result<(i64, i32)> {
        if tag.target != tag.commit
            && let Ok(annotated) = self.repo.find_tag(tag.target)
            && let Some(tagger) = annotated.tagger()
        {
            let when = tagger.when();
            return Ok((when.seconds(), when.offset_minutes()));
        }
        let commit = self.repo.find_commit(tag.commit).map_err(git_err)?;
        Ok((commit.time().seconds(), commit.time().offset_minutes()))
    }

    /// The commit `target` leads to through annotated tags, or the kind of
    /// object it ends at instead.
    fn peel_to_commit(
        &self,
        target: Oid,
        peeled: Option<Oid>,
    ) -> Result<Result<Oid, &'static str>> {
        let odb = self.repo.odb().map_err(git_err)?;
        let mut id = peeled.unwrap_or(target);
        for _ in 0..64 {
            let kind = match odb.read_header(id) {
                Ok((_, kind)) => kind,
                Err(_) => return Ok(Err("a missing object")),
            };
            match kind {
                ObjectType::Commit => return Ok(Ok(id)),
                ObjectType::Tag => {
                    id = self.repo.find_tag(id).map_err(git_err)?.target_id();
                }
                ObjectType::Tree => return Ok(Err("a tree")),
                ObjectType::Blob => return Ok(Err("a blob")),
                ObjectType::Any => return Ok(Err("an unknown object")),
            }
        }
        Ok(Err("a chain of tags too long to follow"))
    }

    /// Every tag, by name; loose refs win over packed ones, as in git.
    fn tag_refs(&self) -> Result<BTreeMap<String, TagRef>> {
        tag_refs(&self.repo)
    }
}

/// Every tag's name, target and, when `packed-refs` records it, the
/// object it peels to, in the order libgit2's `tag_names` gives them
/// (loose refs by name, then the packed ones no loose ref shadows): what
/// readers of a raw repository that must match libgit2 (git-cliff) see.
pub(crate) fn tag_list(repo: &git2::Repository) -> Result<Vec<(String, Oid, Option<Oid>)>> {
    let common = repo.commondir().to_path_buf();
    if common.join("reftable").exists() {
        let refs = tag_refs_from_libgit2(repo)?;
        let names = repo.tag_names(None).map_err(git_err)?;
        return Ok(names
            .iter()
            .flatten()
            .flatten()
            .filter_map(|n| refs.get(n).map(|r| (n.to_string(), r.target, r.peeled)))
            .collect());
    }
    let (mut packed, loose) = tag_ref_files(repo, &common);
    packed.retain(|name, _| !loose.contains_key(name));
    Ok(loose
        .into_iter()
        .chain(packed)
        .map(|(name, r)| (name, r.target, r.peeled))
        .collect())
}

fn tag_refs(repo: &git2::Repository) -> Result<BTreeMap<String, TagRef>> {
    let common = repo.commondir().to_path_buf();
    if common.join("reftable").exists() {
        return tag_refs_from_libgit2(repo);
    }
    let (mut refs, loose) = tag_ref_files(repo, &common);
    refs.extend(loose);
    Ok(refs)
}

/// The tags of `packed-refs` and the loose ones under `refs/tags`.
fn tag_ref_files(
    repo: &git2::Repository,
    common: &Path,
) -> (BTreeMap<String, TagRef>, BTreeMap<String, TagRef>) {
    let packed = std::fs::read_to_string(common.join("packed-refs"))
        .map(|text| packed_tag_refs(&text))
        .unwrap_or_default();
    let mut loose = BTreeMap::new();
    loose_tag_refs(repo, &common.join("refs/tags"), &mut loose);
    (packed, loose)
}

/// The tags stored as files under `base` (`refs/tags`), into `refs`.
fn loose_tag_refs(repo: &git2::Repository, base: &Path, refs: &mut BTreeMap<String, TagRef>) {
    let mut stack = vec![base.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
                continue;
            }
            let Ok(rel) = path.strip_prefix(base) else {
                continue;
            };
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let target = match Oid::from_str(text.trim()) {
                Ok(id) => id,
                // A symbolic ref, or one being written: ask libgit2.
                Err(_) => match repo.refname_to_id(&format!("refs/tags/{name}")) {
                    Ok(id) => id,
                    Err(_) => continue,
                },
            };
            let loose = TagRef {
                target,
                peeled: None,
                trusted: false,
            };
            refs.insert(name, loose);
        }
    }
}

fn tag_refs_from_libgit2(repo: &git2::Repository) -> Result<BTreeMap<String, TagRef>> {
    let mut refs = BTreeMap::new();
    for r in repo.references_glob("refs/tags/*").map_err(git_err)? {
        let r = r.map_err(git_err)?;
        let (Some(name), Some(target)) = (r.name().ok(), r.resolve().ok().and_then(|r| r.target()))
        else {
            continue;
        };
        let name = name.trim_start_matches("refs/tags/").to_string();
        refs.insert(
            name,
            TagRef {
                target,
                peeled: None,
                trusted: false,
            },
        );
    }
    Ok(refs)
}

/// The tags of a `packed-refs` file, with the commits they peel to (`^`
/// lines); trusted when the file says it is fully peeled.
fn packed_tag_refs(text: &str) -> BTreeMap<String, TagRef> {
    let mut refs = BTreeMap::new();
    let trusted = text
        .lines()
        .next()
        .is_some_and(|l| l.starts_with('#') && l.contains(" fully-peeled"));
    let mut last: Option<String> = None;
    for line in text.lines() {
        if let Some(peeled) = line.strip_prefix('^') {
            let entry = last.as_ref().and_then(|n| refs.get_mut(n));
            if let (Some(entry), Ok(id)) = (entry, Oid::from_str(peeled.trim())) {
                let entry: &mut TagRef = entry;
                entry.peeled = Some(id);
            }
            continue;
        }
        last = None;
        let Some((id, name)) = line.split_once(' ') else {
            continue;
        };
        let (Some(name), Ok(target)) = (name.strip_prefix("refs/tags/"), Oid::from_str(id)) else {
            continue;
        };
        let packed = TagRef {
            target,
            peeled: None,
            trusted,
        };
        refs.insert(name.to_string(), packed);
        last = Some(name.to_string());
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_refs_with_peeled_lines() {
        let a = "1111111111111111111111111111111111111111";
        let b = "2222222222222222222222222222222222222222";
        let c = "3333333333333333333333333333333333333333";
        let text = format!(
            "# pack-refs with: peeled fully-peeled sorted \n{a} refs/heads/main\n{b} refs/tags/v1.0.0\n^{c}\n{c} refs/tags/nested/v2.0.0\nnot a line\n"
        );
        let refs = packed_tag_refs(&text);
        let names: Vec<&str> = refs.keys().map(String::as_str).collect();
        assert_eq!(names, ["nested/v2.0.0", "v1.0.0"]);
        let v1 = &refs["v1.0.0"];
        assert_eq!(
            (v1.target, v1.peeled, v1.trusted),
            (
                Oid::from_str(b).unwrap(),
                Some(Oid::from_str(c).unwrap()),
                true
            )
        );
        assert_eq!(refs["nested/v2.0.0"].peeled, None);
        let untrusted =
            packed_tag_refs(&format!("# pack-refs with: peeled\n{b} refs/tags/v1.0.0\n"));
        assert!(!untrusted["v1.0.0"].trusted);
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    #[test]
    fn tag_list_is_libgit2s_tag_names_in_order_with_targets() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q"]);
        git(d, &["commit", "-q", "--allow-empty", "-m", "one"]);
        git(d, &["commit", "-q", "--allow-empty", "-m", "two"]);
        for t in ["v1.0.0", "b/c", "b-d", "z", "a"] {
            git(d, &["tag", t, "HEAD~1"]);
        }
        git(d, &["tag", "-a", "-m", "annotated", "v2.0.0"]);
        git(d, &["pack-refs", "--all"]);
        // Loose after packing: new ones, and one shadowing a packed tag.
        git(d, &["tag", "m"]);
        git(d, &["tag", "-f", "a", "HEAD"]);
        git(d, &["tag", "-a", "-m", "loose", "b/e"]);
        let repo = git2::Repository::open(d).unwrap();
        let list = tag_list(&repo).unwrap();
        let names: Vec<&str> = list.iter().map(|(n, _, _)| n.as_str()).collect();
        let libgit2 = repo.tag_names(None).unwrap();
        let want: Vec<&str> = libgit2.iter().flatten().flatten().collect();
        assert_eq!(names, want);
        assert_eq!(
            names,
            ["a", "b/e", "m", "b-d", "b/c", "v1.0.0", "v2.0.0", "z"]
        );
        for (name, target, peeled) in &list {
            let r = repo.find_reference(&format!("refs/tags/{name}")).unwrap();
            assert_eq!(Some(*target), r.target(), "{name}");
            let commit = r.peel_to_commit().unwrap().id();
            // Only the packed annotated tag records what it peels to.
            let want = (name == "v2.0.0").then_some(commit);
            assert_eq!(*peeled, want, "{name}");
        }
    }
}
