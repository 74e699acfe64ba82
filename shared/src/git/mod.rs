//! Local git operations through `git2` (built without network or OpenSSL):
//! discovery, the dirty check, committing a set of files and annotated tags.
//! Signing is delegated to the `git` program (`git commit -S`, `git tag -s`),
//! which knows the user's gpg or ssh signing setup.

use std::path::{Path, PathBuf};

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Repository, Status, StatusOptions};

use crate::error::{Error, Result};

mod branches;
mod commit_graph;
mod filter;
mod history;
pub mod journal;
pub mod oids;
mod parts;
mod pending;
#[cfg(test)]
mod random_dag;
mod tags;

pub use branches::Worktree;
pub use filter::PathFilter;
pub(crate) use filter::under;
pub use history::{Batch, Range};
pub use parts::Part;
pub use pending::Scoped;

pub(crate) use commit_graph::CommitGraph;
pub(crate) use tags::tag_list;
pub use tags::{SemverTag, TagScan};

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

/// HEAD's commit on its branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadCommit {
    /// The branch (short name).
    pub branch: String,
    /// The commit.
    pub id: git2::Oid,
    /// Its message.
    pub message: String,
    /// Its first parent.
    pub parent: Option<git2::Oid>,
}

/// An open repository, with a work tree unless it is bare.
pub struct Repo {
    repo: Repository,
    workdir: Option<PathBuf>,
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
    /// The repository containing `path`, which must have a work tree.
    pub fn discover(path: &Path) -> Result<Self> {
        let repo = Self::discover_any(path)?;
        if repo.workdir.is_none() {
            return Err(Error::Git {
                message: format!(
                    "the repository at `{}` is bare: there is no work tree to edit",
                    repo.repo.path().display()
                ),
                help: Some("run it in a clone with a work tree".into()),
            });
        }
        Ok(repo)
    }

    /// The git2 repository itself.
    pub fn raw(&self) -> &Repository {
        &self.repo
    }

    /// The repository containing `path`, bare or not (for reading history).
    pub fn discover_any(path: &Path) -> Result<Self> {
        let repo = Repository::discover(path).map_err(|e| open_error(path, &e))?;
        let workdir = repo.workdir().map(crate::paths::canonical);
        Ok(Repo { repo, workdir })
    }

    /// The comment string of messages edited in git (`core.commentString`,
    /// else `core.commentChar`, else `#`; `auto` is returned as is).
    pub fn comment_string(repo: Option<&Repo>) -> String {
        let config = match repo {
            Some(r) => r.repo.config(),
            None => git2::Config::open_default(),
        };
        let Ok(config) = config else {
            return "#".into();
        };
        ["core.commentString", "core.commentChar"]
            .iter()
            .find_map(|k| config.get_string(k).ok())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "#".into())
    }

    /// Whether the repository has no work tree.
    pub fn is_bare(&self) -> bool {
        self.workdir.is_none()
    }

    /// The text of a file at the top of the work tree; in a bare
    /// repository, the file as HEAD has it. `None` when it does not exist.
    pub fn root_file(&self, name: &str) -> Result<Option<String>> {
        if let Some(dir) = &self.workdir {
            let path = dir.join(name);
            return match std::fs::read(&path) {
                Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => Ok(None),
                Err(e) => Err(Error::io("read", path, e)),
            };
        }
        let Ok(tree) = self.repo.head().and_then(|h| h.peel_to_tree()) else {
            return Ok(None);
        };
        let Ok(entry) = tree.get_path(Path::new(name)) else {
            return Ok(None);
        };
        let Ok(blob) = self.repo.find_blob(entry.id()) else {
            return Ok(None);
        };
        Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
    }

    /// Read objects the way git does, without re-hashing each one to
    /// check it (libgit2 does by default; it costs a tenth of a history
    /// walk), and without libgit2's object cache (a history walk reads each
    /// commit once). Process-wide; for read-only commands like `git changelog`.
    pub fn trust_object_store() {
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
    }

    /// The work tree's root (the git directory of a bare repository).
    pub fn workdir(&self) -> &Path {
        self.workdir.as_deref().unwrap_or_else(|| self.repo.path())
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

    /// Whether git tracks `path` (it is in the index); an ignored or
    /// untracked file is not.
    pub fn is_tracked(&self, path: &Path) -> Result<bool> {
        let rel = self.relative(path)?;
        let index = self.repo.index().map_err(git_err)?;
        Ok(index.get_path(&rel, 0).is_some())
    }

    /// Whether git ignores `path` (`.gitignore`, `info/exclude`).
    pub fn is_ignored(&self, path: &Path) -> Result<bool> {
        let rel = self.relative(path)?;
        self.repo.is_path_ignored(&rel).map_err(git_err)
    }

    /// Write the tree of commit `rev` into `dir` (created), as files: what
    /// the revision holds, without touching the work tree or the index.
    pub fn export(&self, rev: &str, dir: &Path) -> Result<()> {
        let commit = self
            .repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(git_err)?;
        let tree = commit.tree().map_err(git_err)?;
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.target_dir(dir).force().recreate_missing(true);
        self.repo
            .checkout_tree(tree.as_object(), Some(&mut checkout))
            .map_err(git_err)
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
        let head = self.repo.head().and_then(|h| h.peel_to_commit());
        self.tag_commit(name, head.map_err(git_err)?.id(), message)
    }

    /// Whether `ancestor` is `commit` or one of its ancestors.
    pub fn contains(&self, commit: git2::Oid, ancestor: git2::Oid) -> bool {
        commit == ancestor
            || self
                .repo
                .graph_descendant_of(commit, ancestor)
                .unwrap_or(false)
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
        match object.peel(git2::ObjectType::Commit) {
            Ok(commit) => Ok(commit.id()),
            Err(_) => {
                let peeled = match object.kind() {
                    Some(git2::ObjectType::Tag) => object.peel(git2::ObjectType::Any).ok(),
                    _ => Some(object),
                };
                let kind = match peeled.and_then(|o| o.kind()) {
                    Some(git2::ObjectType::Tree) => "a tree",
                    Some(git2::ObjectType::Blob) => "a blob",
                    _ => "an object that is not a commit",
                };
                Err(Error::Git {
                    message: format!("`{rev}` names {kind}, not a commit"),
                    help: Some(
                        "give a tag, a branch or a commit hash (see `git log --oneline`)".into(),
                    ),
                })
            }
        }
    }

    /// HEAD's commit, `None` in an empty repository.
    pub fn head(&self) -> Result<Option<git2::Oid>> {
        self.head_commit()
    }

    /// HEAD's branch (`refs/heads/…` shorthand), commit, message and first
    /// parent; `None` when HEAD is detached or unborn.
    pub fn head_commit_info(&self) -> Result<Option<HeadCommit>> {
        let Ok(head) = self.repo.head() else {
            return Ok(None);
        };
        if !head.is_branch() {
            return Ok(None);
        }
        let branch = head.shorthand().unwrap_or("HEAD").to_string();
        let commit = head.peel_to_commit().map_err(git_err)?;
        let message = commit.message().unwrap_or("").to_string();
        Ok(Some(HeadCommit {
            branch,
            id: commit.id(),
            message,
            parent: commit.parent_id(0).ok(),
        }))
    }

    /// The tags that point at `commit`: (name, the annotated tag's message
    /// or `None` for a lightweight tag).
    pub fn tags_at(&self, commit: git2::Oid) -> Result<Vec<(String, Option<String>)>> {
        let mut out = Vec::new();
        let names = self.repo.tag_names(None).map_err(git_err)?;
        for name in names.iter().flatten().flatten() {
            let Ok(r) = self.repo.find_reference(&format!("refs/tags/{name}")) else {
                continue;
            };
            if r.peel_to_commit().ok().map(|c| c.id()) != Some(commit) {
                continue;
            }
            let message = r
                .peel(git2::ObjectType::Tag)
                .ok()
                .and_then(|o| o.into_tag().ok())
                .map(|t| t.message().ok().flatten().unwrap_or("").to_string());
            out.push((name.to_string(), message));
        }
        out.sort();
        Ok(out)
    }

    /// The upstream of `branch` when it contains `commit` (the commit was
    /// pushed there).
    pub fn pushed_to(&self, branch: &str, commit: git2::Oid) -> Option<String> {
        let local = self
            .repo
            .find_branch(branch, git2::BranchType::Local)
            .ok()?;
        let upstream = local.upstream().ok()?;
        let name = upstream.name().ok().flatten()?.to_string();
        let tip = upstream.get().peel_to_commit().ok()?.id();
        let contains = tip == commit || self.repo.graph_descendant_of(tip, commit).unwrap_or(false);
        contains.then_some(name)
    }

    /// Delete tag `name`.
    pub fn delete_tag(&self, name: &str) -> Result<()> {
        self.repo.tag_delete(name).map_err(git_err)
    }

    /// Move the current branch to `commit`, work tree and index with it.
    pub fn reset_hard(&self, commit: git2::Oid) -> Result<()> {
        let object = self.repo.find_object(commit, None).map_err(git_err)?;
        self.repo
            .reset(&object, git2::ResetType::Hard, None)
            .map_err(git_err)
    }

    /// The committer time of `commit`, seconds since the epoch.
    pub fn commit_time(&self, commit: git2::Oid) -> Option<i64> {
        self.repo
            .find_commit(commit)
            .ok()
            .map(|c| c.time().seconds())
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
        crate::paths::in_repository(self.workdir(), path)
    }

    fn run_git(&self, args: &[String]) -> Result<()> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        branches::git(self.workdir(), &args)
            .map(|_| ())
            .map_err(|e| match e {
                // git ran and refused; a missing git keeps its own help.
                Error::Git {
                    message,
                    help: None,
                } => Error::Git {
                    message,
                    help: Some("check your signing setup (`user.signingkey`, `gpg.format`)".into()),
                },
                other => other,
            })
    }
}

/// Why `path` could not be opened as a repository, in words: not a
/// repository at all, or one in a format libgit2 cannot read.
fn open_error(path: &Path, e: &git2::Error) -> Error {
    let raw = e.message();
    if raw.contains("objectformat") || object_format(path).is_some_and(|f| f != "sha1") {
        let format = object_format(path).unwrap_or_else(|| "sha256".into());
        return Error::Git {
            message: format!(
                "the repository at `{}` stores objects with {format} (extensions.objectformat = {format}); cratesmith reads SHA-1 repositories only",
                path.display()
            ),
            help: Some(
                "libgit2, which cratesmith reads history with, has no SHA-256 support yet; use a SHA-1 clone".into(),
            ),
        };
    }
    if e.class() == git2::ErrorClass::Repository && raw.contains("extension") {
        return Error::Git {
            message: format!(
                "the repository at `{}` cannot be read: {raw}",
                path.display()
            ),
            help: Some("cratesmith reads repositories that libgit2 supports".into()),
        };
    }
    Error::Git {
        message: format!("`{}` is not inside a git repository", path.display()),
        help: Some("run it inside a git repository (`git init` creates one)".into()),
    }
}

/// `extensions.objectformat` of the repository containing `path`, read
/// from its config file (libgit2 refuses to open one it does not know).
fn object_format(path: &Path) -> Option<String> {
    let start = std::fs::canonicalize(path).ok()?;
    for dir in start.ancestors() {
        for git_dir in [dir.join(".git"), dir.to_path_buf()] {
            let Ok(text) = std::fs::read_to_string(git_dir.join("config")) else {
                continue;
            };
            if !git_dir.join("HEAD").is_file() {
                continue;
            }
            let format = text.lines().find_map(|l| {
                let (key, value) = l.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("objectformat")
                    .then(|| value.trim().to_ascii_lowercase())
            });
            return format.or(Some("sha1".into()));
        }
    }
    None
}
