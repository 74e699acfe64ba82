//! Local git operations through `git2` (built without network or OpenSSL):
//! discovery, the dirty check, committing a set of files and annotated tags.
//! Signing is delegated to the `git` program (`git commit -S`, `git tag -s`),
//! which knows the user's gpg or ssh signing setup.

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Repository, Status, StatusOptions};

use crate::error::{Error, Result};

mod history;

pub use history::{Batch, Range};

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

    /// Read objects the way git does, without re-hashing each one to
    /// check it (libgit2 does by default; it costs a tenth of a history
    /// walk), and without libgit2's object cache (a history walk reads each
    /// commit once). Process-wide; for read-only commands like `git changelog`.
    pub fn trust_object_store() {
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
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
        let names = match self.tag_names_from_files() {
            Some(names) => names,
            None => {
                let names = self.repo.tag_names(Some(pattern)).map_err(git_err)?;
                names.iter().flatten().flatten().map(String::from).collect()
            }
        };
        let mut tags: Vec<(String, semver::Version)> = names
            .iter()
            .filter_map(|name| {
                let middle = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
                let version = semver::Version::parse(middle).ok()?;
                Some((name.to_string(), version))
            })
            .collect();
        tags.sort_by(|a, b| b.1.cmp_precedence(&a.1));
        Ok(tags)
    }

    /// Every tag name, read from `packed-refs` and `refs/tags/` directly:
    /// libgit2's reference iterator checks each packed ref for a loose
    /// twin, one failed `stat` per tag, which dominated the default range
    /// in a repository with thousands of tags. `None` (use libgit2) for
    /// reftable repositories.
    fn tag_names_from_files(&self) -> Option<Vec<String>> {
        let common = self.repo.commondir();
        if common.join("reftable").exists() {
            return None;
        }
        let mut names = std::collections::BTreeSet::new();
        if let Ok(text) = std::fs::read_to_string(common.join("packed-refs")) {
            for line in text.lines().filter(|l| !l.starts_with(['#', '^'])) {
                if let Some(name) = line
                    .split_once(' ')
                    .and_then(|(_, r)| r.strip_prefix("refs/tags/"))
                {
                    names.insert(name.to_string());
                }
            }
        }
        let mut stack = vec![common.join("refs/tags")];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(path);
                } else if let Ok(rel) = path.strip_prefix(common.join("refs/tags")) {
                    let parts: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    names.insert(parts.join("/"));
                }
            }
        }
        Some(names.into_iter().collect())
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

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}
