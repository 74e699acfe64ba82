//! Local git operations through `git2` (built without network or OpenSSL):
//! discovery, the dirty check, committing a set of files and annotated tags.
//! Signing is delegated to the `git` program (`git commit -S`, `git tag -s`),
//! which knows the user's gpg or ssh signing setup.

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Repository, Status, StatusOptions};

use crate::error::{Error, Result};

/// A tag whose name holds a SemVer version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemverTag {
    /// The tag's name.
    pub name: String,
    /// The version in it.
    pub version: semver::Version,
    /// The commit it points to.
    pub commit: git2::Oid,
    /// When it was made: the tagger's time for an annotated tag, else the
    /// commit's (Unix seconds).
    pub time: i64,
}

/// Which commits to read: reachable from `until` and not from `since`.
#[derive(Clone, Debug)]
pub struct Range<'a> {
    /// The newest commit.
    pub until: git2::Oid,
    /// Commits reachable from here are left out.
    pub since: Option<git2::Oid>,
    /// Whether merge commits are kept.
    pub merges: bool,
    /// Keep only commits that change one of these paths (relative to the
    /// work tree, `/`-separated); empty keeps all.
    pub paths: &'a [String],
}

/// Below this many commits, reading them on one thread is faster than
/// opening a second handle on the repository.
const PARALLEL_FROM: usize = 4096;

/// A commit as the changelog needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full id.
    pub hash: String,
    /// The message, decoded lossily.
    pub message: String,
    /// Whether the message was not valid UTF-8.
    pub lossy: bool,
    /// Author name.
    pub author: String,
    /// Commit time, Unix seconds.
    pub time: i64,
}

/// An open repository with a work tree.
pub struct Repo {
    repo: Repository,
    workdir: PathBuf,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo")
            .field("workdir", &self.workdir)
            .finish()
    }
}

fn git_err(e: git2::Error) -> Error {
    Error::Git {
        message: e.message().to_string(),
        help: None,
    }
}

impl Repo {
    /// The repository containing `path`.
    pub fn discover(path: &Path) -> Result<Self> {
        let repo = Repository::discover(path).map_err(|_| Error::Git {
            message: format!("`{}` is not inside a git repository", path.display()),
            help: Some("run `git init`, or drop --commit/--tag".into()),
        })?;
        let workdir = repo.workdir().map(canonical).ok_or_else(|| Error::Git {
            message: "the repository is bare".into(),
            help: None,
        })?;
        Ok(Repo { repo, workdir })
    }

    /// The work tree's root.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// Tracked files with uncommitted changes (staged or not); untracked files are not counted.
    pub fn dirty_files(&self) -> Result<Vec<String>> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(false).include_ignored(false);
        let statuses = self.repo.statuses(Some(&mut opts)).map_err(git_err)?;
        Ok(statuses
            .iter()
            .filter(|s| s.status() != Status::CURRENT)
            .filter_map(|s| s.path().ok().map(String::from))
            .collect())
    }

    /// Whether a tag of that name exists.
    pub fn tag_exists(&self, name: &str) -> bool {
        self.repo
            .find_reference(&format!("refs/tags/{name}"))
            .is_ok()
    }

    /// Commit exactly `paths` (their work-tree content) on HEAD; other staged
    /// changes stay staged. Returns the new commit's id.
    pub fn commit_files(&self, paths: &[PathBuf], message: &str, sign: bool) -> Result<String> {
        let rel: Vec<PathBuf> = paths
            .iter()
            .map(|p| self.relative(p))
            .collect::<Result<_>>()?;
        if sign {
            let mut args: Vec<String> = ["commit", "-S", "--only", "-m", message, "--"]
                .map(String::from)
                .to_vec();
            args.extend(rel.iter().map(|p| p.to_string_lossy().into_owned()));
            self.run_git(&args)?;
            return self.head_id();
        }
        let sig = self.signature()?;
        let mut index = self.repo.index().map_err(git_err)?;
        for p in &rel {
            index.add_path(p).map_err(git_err)?;
        }
        index.write().map_err(git_err)?;
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let tree_id = match &parent {
            Some(parent) => {
                let mut update = TreeUpdateBuilder::new();
                for p in &rel {
                    let entry = index.get_path(p, 0).ok_or_else(|| Error::Git {
                        message: format!("`{}` is not in the index", p.display()),
                        help: None,
                    })?;
                    let mode = if entry.mode & 0o111 != 0 {
                        FileMode::BlobExecutable
                    } else {
                        FileMode::Blob
                    };
                    update.upsert(p, entry.id, mode);
                }
                let base = parent.tree().map_err(git_err)?;
                update.create_updated(&self.repo, &base).map_err(git_err)?
            }
            None => index.write_tree().map_err(git_err)?,
        };
        let tree = self.repo.find_tree(tree_id).map_err(git_err)?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let id = self
            .repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .map_err(git_err)?;
        Ok(id.to_string())
    }

    /// Create an annotated tag `name` on HEAD.
    pub fn tag(&self, name: &str, message: &str, sign: bool) -> Result<()> {
        if sign {
            return self.run_git(&["tag", "-s", "-m", message, name].map(String::from));
        }
        let sig = self.signature()?;
        let head = self
            .repo
            .head()
            .and_then(|h| h.peel(git2::ObjectType::Commit))
            .map_err(git_err)?;
        self.repo
            .tag(name, &head, &sig, message, false)
            .map_err(git_err)?;
        Ok(())
    }

    /// Tags matching `pattern` (one `*` standing for a SemVer version, e.g.
    /// `v*` or `foo-v*`), with their versions and commits, highest first.
    /// Tags whose `*` part is not SemVer are ignored.
    pub fn semver_tags(&self, pattern: &str) -> Result<Vec<SemverTag>> {
        Ok(self
            .tag_versions(pattern)?
            .into_iter()
            .filter_map(|(name, version)| self.resolve_tag(name, version))
            .collect())
    }

    /// Whether any tag matches `pattern` with a SemVer version.
    pub fn has_semver_tags(&self, pattern: &str) -> Result<bool> {
        Ok(!self.tag_versions(pattern)?.is_empty())
    }

    /// The names and versions of the tags matching `pattern`, highest
    /// first, read from the names alone (no object is looked up).
    fn tag_versions(&self, pattern: &str) -> Result<Vec<(String, semver::Version)>> {
        let (prefix, suffix) = pattern.split_once('*').unwrap_or((pattern, ""));
        let names = self.repo.tag_names(Some(pattern)).map_err(git_err)?;
        let mut tags: Vec<(String, semver::Version)> = names
            .iter()
            .flatten()
            .flatten()
            .filter_map(|name| {
                let middle = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
                let version = semver::Version::parse(middle).ok()?;
                Some((name.to_string(), version))
            })
            .collect();
        tags.sort_by(|a, b| b.1.cmp_precedence(&a.1));
        Ok(tags)
    }

    /// The commit and date of a tag.
    fn resolve_tag(&self, name: String, version: semver::Version) -> Option<SemverTag> {
        let object = self
            .repo
            .revparse_single(&format!("refs/tags/{name}"))
            .ok()?;
        let commit = object.peel_to_commit().ok()?;
        let time = match object.as_tag().and_then(git2::Tag::tagger) {
            Some(tagger) => tagger.when().seconds(),
            None => commit.time().seconds(),
        };
        Some(SemverTag {
            name,
            version,
            commit: commit.id(),
            time,
        })
    }

    /// The highest-versioned tag matching `pattern` that HEAD contains;
    /// pre-release tags are passed over when `stable_only`. Tags are looked
    /// up one by one from the highest, so a long list of tags costs little.
    pub fn last_release(&self, pattern: &str, stable_only: bool) -> Result<Option<SemverTag>> {
        let Some(head) = self.head_commit()? else {
            return Ok(None);
        };
        Ok(self
            .tag_versions(pattern)?
            .into_iter()
            .filter(|(_, v)| !stable_only || v.pre.is_empty())
            .filter_map(|(name, version)| self.resolve_tag(name, version))
            .find(|t| self.contains(head, t.commit)))
    }

    /// Whether `ancestor` is `commit` or one of its ancestors.
    pub fn contains(&self, commit: git2::Oid, ancestor: git2::Oid) -> bool {
        commit == ancestor
            || self
                .repo
                .graph_descendant_of(commit, ancestor)
                .unwrap_or(false)
    }

    /// The commits of `range`, newest first (topological, then by time).
    /// Large ranges are read on two threads, each with its own handle.
    pub fn commits(&self, range: &Range<'_>) -> Result<Vec<CommitInfo>> {
        let ids = walk(&self.repo, range.until, range.since)?;
        if ids.len() < PARALLEL_FROM {
            return load(&self.repo, &ids, range);
        }
        let (first, second) = ids.split_at(ids.len() / 2);
        let path = self.repo.path().to_path_buf();
        std::thread::scope(|s| {
            let other = s.spawn(|| {
                let repo = Repository::open(&path).map_err(git_err)?;
                load(&repo, second, range)
            });
            let mut out = load(&self.repo, first, range)?;
            let rest = other.join().map_err(|_| worker_failed())??;
            out.extend(rest);
            Ok(out)
        })
    }

    /// The commits of each of `ranges` (see [`Repo::commits`]); with
    /// several ranges, the second half is read on a second thread.
    pub fn commits_many(&self, ranges: &[Range<'_>]) -> Result<Vec<Vec<CommitInfo>>> {
        if ranges.len() < 2 {
            return ranges.iter().map(|r| self.commits(r)).collect();
        }
        let (first, second) = ranges.split_at(ranges.len() / 2);
        let path = self.repo.path().to_path_buf();
        std::thread::scope(|s| {
            let other = s.spawn(|| {
                let repo = Repository::open(&path).map_err(git_err)?;
                second
                    .iter()
                    .map(|r| load(&repo, &walk(&repo, r.until, r.since)?, r))
                    .collect::<Result<Vec<_>>>()
            });
            let mut out = first
                .iter()
                .map(|r| load(&self.repo, &walk(&self.repo, r.until, r.since)?, r))
                .collect::<Result<Vec<_>>>()?;
            out.extend(other.join().map_err(|_| worker_failed())??);
            Ok(out)
        })
    }

    /// The commit a revision (tag, branch, hash, `HEAD~2`) names.
    pub fn resolve(&self, rev: &str) -> Result<git2::Oid> {
        let object = self.repo.revparse_single(rev).map_err(|_| Error::Git {
            message: format!("`{rev}` does not name a commit in this repository"),
            help: Some(
                "give a tag, a branch or a commit hash (see `git tag -l`, `git log --oneline`)"
                    .into(),
            ),
        })?;
        object.peel_to_commit().map(|c| c.id()).map_err(git_err)
    }

    /// HEAD's commit, `None` in an empty repository.
    pub fn head(&self) -> Result<Option<git2::Oid>> {
        self.head_commit()
    }

    /// The URL of `origin`, if set.
    pub fn origin_url(&self) -> Option<String> {
        self.repo
            .find_remote("origin")
            .ok()?
            .url()
            .ok()
            .map(String::from)
    }

    /// Whether this is a shallow clone (history is cut off).
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// HEAD's commit, `None` in an empty repository.
    fn head_commit(&self) -> Result<Option<git2::Oid>> {
        match self.repo.head() {
            Ok(head) => Ok(Some(head.peel_to_commit().map_err(git_err)?.id())),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => Ok(None),
            Err(e) => Err(git_err(e)),
        }
    }

    fn head_id(&self) -> Result<String> {
        let head = self
            .repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(git_err)?;
        Ok(head.id().to_string())
    }

    fn signature(&self) -> Result<git2::Signature<'static>> {
        self.repo.signature().map_err(|e| Error::Git {
            message: format!("no committer identity: {}", e.message()),
            help: Some(
                "set it with `git config user.name \"…\"` and `git config user.email \"…\"`".into(),
            ),
        })
    }

    fn relative(&self, path: &Path) -> Result<PathBuf> {
        canonical(path)
            .strip_prefix(&self.workdir)
            .map(Path::to_path_buf)
            .map_err(|_| Error::Git {
                message: format!(
                    "`{}` is outside the repository at `{}`",
                    path.display(),
                    self.workdir.display()
                ),
                help: None,
            })
    }

    fn run_git(&self, args: &[String]) -> Result<()> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.workdir)
            .args(args)
            .output()
            .map_err(|e| Error::Git {
                message: format!("could not run `git`: {e}"),
                help: Some("signing needs the git program on PATH".into()),
            })?;
        if out.status.success() {
            return Ok(());
        }
        Err(Error::Git {
            message: format!(
                "`git {}` failed:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim_end()
            ),
            help: Some("check your signing setup (`user.signingkey`, `gpg.format`)".into()),
        })
    }
}

fn worker_failed() -> Error {
    Error::Git {
        message: "reading commits failed on a worker thread".into(),
        help: None,
    }
}

/// The ids of the commits reachable from `until` and not from `since`,
/// newest first (topological, then by time).
fn walk(repo: &Repository, until: git2::Oid, since: Option<git2::Oid>) -> Result<Vec<git2::Oid>> {
    let mut walk = repo.revwalk().map_err(git_err)?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)
        .map_err(git_err)?;
    walk.push(until).map_err(git_err)?;
    if let Some(since) = since {
        walk.hide(since).map_err(git_err)?;
    }
    walk.map(|id| id.map_err(git_err)).collect()
}

/// The commits `ids` that `range` keeps, read from `repo`.
fn load(repo: &Repository, ids: &[git2::Oid], range: &Range<'_>) -> Result<Vec<CommitInfo>> {
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let commit = repo.find_commit(id).map_err(git_err)?;
        if !range.merges && commit.parent_count() > 1 {
            continue;
        }
        if !range.paths.is_empty() && !touches(&commit, range.paths)? {
            continue;
        }
        let bytes = commit.message_bytes();
        let author = commit.author();
        out.push(CommitInfo {
            hash: id.to_string(),
            message: String::from_utf8_lossy(bytes).into_owned(),
            lossy: std::str::from_utf8(bytes).is_err(),
            author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            time: commit.time().seconds(),
        });
    }
    Ok(out)
}

/// Whether `commit` changes anything under one of `paths`, compared with
/// its first parent (or with nothing, for a root commit).
fn touches(commit: &git2::Commit<'_>, paths: &[String]) -> Result<bool> {
    let tree = commit.tree().map_err(git_err)?;
    let parent = match commit.parent(0) {
        Ok(p) => Some(p.tree().map_err(git_err)?),
        Err(_) => None,
    };
    let id_at = |tree: &git2::Tree<'_>, path: &str| -> Option<git2::Oid> {
        if path.is_empty() {
            return Some(tree.id());
        }
        tree.get_path(Path::new(path)).ok().map(|e| e.id())
    };
    Ok(paths.iter().any(|p| {
        let now = id_at(&tree, p);
        let before = parent.as_ref().and_then(|t| id_at(t, p));
        now != before
    }))
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` commits on one branch; every 7th changes `a/x`, the others `b/y`.
    fn linear(n: usize) -> (tempfile::TempDir, Repo, Vec<git2::Oid>) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::new("T", "t@x.invalid", &git2::Time::new(1, 0)).unwrap();
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let path = if i % 7 == 0 { "a/x" } else { "b/y" };
            let blob = repo.blob(i.to_string().as_bytes()).unwrap();
            let base = ids
                .last()
                .map(|id| repo.find_commit(*id).unwrap().tree().unwrap());
            let mut update = TreeUpdateBuilder::new();
            update.upsert(path, blob, FileMode::Blob);
            let tree_id = match &base {
                Some(t) => update.create_updated(&repo, t).unwrap(),
                None => {
                    let empty = repo.treebuilder(None).unwrap().write().unwrap();
                    let empty = repo.find_tree(empty).unwrap();
                    update.create_updated(&repo, &empty).unwrap()
                }
            };
            let tree = repo.find_tree(tree_id).unwrap();
            let parent = ids.last().map(|id| repo.find_commit(*id).unwrap());
            let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
            let id = repo
                .commit(None, &sig, &sig, &format!("fix: {i}"), &tree, &parents)
                .unwrap();
            ids.push(id);
        }
        drop(repo);
        let repo = Repo::discover(dir.path()).unwrap();
        (dir, repo, ids)
    }

    #[test]
    fn large_ranges_read_on_two_threads_keep_order_and_filters() {
        let n = PARALLEL_FROM + 500;
        let (_dir, repo, ids) = linear(n);
        let head = *ids.last().unwrap();
        let all = repo
            .commits(&Range {
                until: head,
                since: None,
                merges: false,
                paths: &[],
            })
            .unwrap();
        let newest_first: Vec<String> = ids.iter().rev().map(|id| id.to_string()).collect();
        let got: Vec<String> = all.iter().map(|c| c.hash.clone()).collect();
        assert_eq!(got, newest_first);
        let paths = ["a".to_string()];
        let in_a = repo
            .commits(&Range {
                until: head,
                since: Some(ids[9]),
                merges: false,
                paths: &paths,
            })
            .unwrap();
        let want: Vec<String> = (10..n)
            .rev()
            .filter(|i| i % 7 == 0)
            .map(|i| ids[i].to_string())
            .collect();
        let got: Vec<String> = in_a.iter().map(|c| c.hash.clone()).collect();
        assert_eq!(got, want);
        let ranges: Vec<Range<'_>> = [(n - 1, Some(2000)), (2000, Some(10)), (10, None)]
            .iter()
            .map(|&(until, since)| Range {
                until: ids[until],
                since: since.map(|s| ids[s]),
                merges: false,
                paths: &[],
            })
            .collect();
        let many = repo.commits_many(&ranges).unwrap();
        let lens: Vec<usize> = many.iter().map(Vec::len).collect();
        assert_eq!(lens, [n - 1 - 2000, 1990, 11]);
        assert_eq!(many[1][0].hash, ids[2000].to_string());
    }
}
