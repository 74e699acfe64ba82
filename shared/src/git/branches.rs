//! What the release-PR flow does to refs: a throwaway work tree to prepare
//! a branch in (the user's checkout untouched), the branch moved to a
//! commit, tags on a given commit, and tags pushed. Work trees and pushes
//! go through the `git` program (git2 is built without network support).

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::Oid;

use super::{Repo, git_err};
use crate::error::{Error, Result};

/// A detached work tree at a commit, removed (with its administrative
/// files) when dropped.
#[derive(Debug)]
pub struct Worktree {
    main: PathBuf,
    /// Its directory.
    pub dir: PathBuf,
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let dir = self.dir.display().to_string();
        let _ = git(&self.main, &["worktree", "remove", "--force", &dir]);
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = git(&self.main, &["worktree", "prune"]);
    }
}

impl Repo {
    /// A detached work tree of `commit` in `dir` (which must not exist).
    pub fn add_worktree(&self, dir: &Path, commit: Oid) -> Result<Worktree> {
        let shown = dir.display().to_string();
        git(
            self.workdir(),
            &[
                "worktree",
                "add",
                "--quiet",
                "--detach",
                &shown,
                &commit.to_string(),
            ],
        )?;
        Ok(Worktree {
            main: self.workdir().to_path_buf(),
            dir: crate::paths::canonical(dir),
        })
    }

    /// The commit local branch `name` points at, if it exists.
    pub fn branch_commit(&self, name: &str) -> Option<Oid> {
        let branch = self.repo.find_branch(name, git2::BranchType::Local).ok()?;
        branch.get().peel_to_commit().ok().map(|c| c.id())
    }

    /// Create local branch `name` at `commit`, or move it there.
    pub fn set_branch(&self, name: &str, commit: Oid) -> Result<()> {
        let c = self.repo.find_commit(commit).map_err(git_err)?;
        self.repo.branch(name, &c, true).map_err(git_err)?;
        Ok(())
    }

    /// The tree of `commit` and its parents.
    pub fn tree_and_parents(&self, commit: Oid) -> Result<(Oid, Vec<Oid>)> {
        let c = self.repo.find_commit(commit).map_err(git_err)?;
        Ok((c.tree_id(), c.parent_ids().collect()))
    }

    /// Create annotated tag `name` on `commit`.
    pub fn tag_commit(&self, name: &str, commit: Oid, message: &str) -> Result<()> {
        let sig = self.signature()?;
        let object = self
            .repo
            .find_object(commit, Some(git2::ObjectType::Commit))
            .map_err(git_err)?;
        self.repo
            .tag(name, &object, &sig, message, false)
            .map_err(git_err)?;
        Ok(())
    }

    /// The commit tag `name` names, if the tag exists.
    pub fn tag_target(&self, name: &str) -> Option<Oid> {
        let r = self
            .repo
            .find_reference(&format!("refs/tags/{name}"))
            .ok()?;
        r.peel_to_commit().ok().map(|c| c.id())
    }

    /// `git push REMOTE refs/tags/NAME...`.
    pub fn push_tags(&self, remote: &str, names: &[String]) -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        let mut args = vec!["push".to_string(), "--quiet".into(), remote.to_string()];
        args.extend(names.iter().map(|n| format!("refs/tags/{n}:refs/tags/{n}")));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        git(self.workdir(), &args).map(|_| ())
    }

    /// The text of blob `id` (decoded lossily), if it is one.
    pub fn blob_text(&self, id: Oid) -> Option<String> {
        let blob = self.repo.find_blob(id).ok()?;
        Some(String::from_utf8_lossy(blob.content()).into_owned())
    }

    /// The blob id of `path` in `commit`, if it has that file.
    pub fn blob_at(&self, commit: Oid, path: &str) -> Option<Oid> {
        let c = self.repo.find_commit(commit).ok()?;
        let tree = c.tree().ok()?;
        tree.get_path(Path::new(path)).ok().map(|e| e.id())
    }

    /// A commit on top of `parent` whose tree is `parent`'s with `files`
    /// (paths relative to the work tree, `/`-separated, and their new
    /// contents) written in; no ref moves, no file is touched.
    pub fn commit_over(
        &self,
        parent: Oid,
        files: &[(String, &[u8])],
        message: &str,
    ) -> Result<Oid> {
        let sig = self.signature()?;
        let parent = self.repo.find_commit(parent).map_err(git_err)?;
        let base = parent.tree().map_err(git_err)?;
        let mut update = git2::build::TreeUpdateBuilder::new();
        for (path, bytes) in files {
            let blob = self.repo.blob(bytes).map_err(git_err)?;
            let mode = match base.get_path(Path::new(path)) {
                Ok(e) if e.filemode() == i32::from(git2::FileMode::BlobExecutable) => {
                    git2::FileMode::BlobExecutable
                }
                _ => git2::FileMode::Blob,
            };
            update.upsert(path, blob, mode);
        }
        let tree = update.create_updated(&self.repo, &base).map_err(git_err)?;
        let tree = self.repo.find_tree(tree).map_err(git_err)?;
        self.repo
            .commit(None, &sig, &sig, message, &tree, &[&parent])
            .map_err(git_err)
    }

    /// The first parent of `commit`.
    pub fn first_parent(&self, commit: Oid) -> Option<Oid> {
        self.repo.find_commit(commit).ok()?.parent_id(0).ok()
    }
}

/// Run `git -C dir ARGS`; its stdout, or its stderr in the error.
pub(super) fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| Error::Git {
            message: format!("could not run `git`: {e}"),
            help: Some("install git and put it on PATH".into()),
        })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    Err(Error::Git {
        message: format!(
            "`git {}` failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim_end()
        ),
        help: None,
    })
}
