//! The journal of what cratesmith wrote on top of HEAD: for each file that
//! `cargo bump` or `git changelog --prepend` changed, its content before
//! and after (blobs in the object store), in `<git dir>/cratesmith-journal`.
//! `cargo bump --undo` reads it to take back exactly those edits from a
//! release commit and keep every other change the commit swept in.
//!
//! The journal belongs to one base commit (HEAD when the files were
//! written): a write on another HEAD starts a new one, and an edit of a
//! file already in it keeps the first "before" (two bumps in a row are
//! undone to the state before the first).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::Oid;

use super::{Repo, git_err};
use crate::error::Result;
use crate::fs::Change;

const FILE: &str = "cratesmith-journal";
const MAGIC: &str = "cratesmith journal 1";

/// What the tools wrote on top of `base`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Journal {
    /// HEAD when the files were written.
    pub base: Oid,
    /// Each written file (relative to the work tree): its blob before
    /// (`None`: it did not exist) and after.
    pub files: BTreeMap<PathBuf, Written>,
}

/// One written file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    /// Its content before the first write (`None`: created).
    pub before: Option<Oid>,
    /// Its content after the last write.
    pub after: Oid,
}

/// Record `changes` (just written) in the journal of the repository
/// holding them, if any. Files outside the work tree are left out.
///
/// # Errors
/// The object store or the journal file cannot be written.
pub fn record<'a>(changes: impl IntoIterator<Item = Change<'a>>) -> Result<()> {
    let changes: Vec<Change<'a>> = changes.into_iter().collect();
    let Some(first) = changes.first() else {
        return Ok(());
    };
    let cwd = std::env::current_dir().map_err(|e| crate::error::Error::io("read", ".", e))?;
    let first = cwd.join(first.path);
    let dir = first.parent().unwrap_or(&cwd);
    let Ok(repo) = Repo::discover(dir) else {
        return Ok(()); // not in a repository: nothing to undo with git
    };
    repo.record(&cwd, &changes)
}

impl Repo {
    /// Record `changes`, their relative paths taken from `cwd`.
    fn record(&self, cwd: &Path, changes: &[Change<'_>]) -> Result<()> {
        let Some(head) = self.head()? else {
            return Ok(());
        };
        let mut journal = match self.journal() {
            Some(j) if j.base == head => j,
            _ => Journal {
                base: head,
                files: BTreeMap::new(),
            },
        };
        for change in changes {
            let Ok(rel) = self.relative(&cwd.join(change.path)) else {
                continue;
            };
            let before = match change.original {
                Some(bytes) => Some(self.repo.blob(bytes).map_err(git_err)?),
                None => None,
            };
            let after = self.repo.blob(change.new).map_err(git_err)?;
            let before = match journal.files.get(&rel) {
                Some(w) if before == Some(w.after) => w.before,
                _ => before,
            };
            journal.files.insert(rel, Written { before, after });
        }
        crate::fs::write_atomic(&self.journal_path(), journal.to_text().as_bytes())
    }

    /// The journal, when there is a readable one.
    pub fn journal(&self) -> Option<Journal> {
        let text = std::fs::read_to_string(self.journal_path()).ok()?;
        Journal::parse(&text)
    }

    /// Forget the journal (after an undo).
    pub fn clear_journal(&self) {
        let _ = std::fs::remove_file(self.journal_path());
    }

    fn journal_path(&self) -> PathBuf {
        self.repo.path().join(FILE)
    }

    /// The blob of `path` (relative) in `commit`'s tree.
    pub fn blob_in(&self, commit: Oid, path: &Path) -> Result<Option<Oid>> {
        let tree = self
            .repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(git_err)?;
        Ok(tree.get_path(path).ok().map(|e| e.id()))
    }

    /// A blob's bytes.
    pub fn blob_bytes(&self, blob: Oid) -> Result<Vec<u8>> {
        let b = self.repo.find_blob(blob).map_err(git_err)?;
        Ok(b.content().to_vec())
    }

    /// The paths whose content differs between commits `from` and `to`.
    pub fn changed_paths(&self, from: Oid, to: Oid) -> Result<Vec<PathBuf>> {
        let tree = |c: Oid| {
            self.repo
                .find_commit(c)
                .and_then(|c| c.tree())
                .map_err(git_err)
        };
        let diff = self
            .repo
            .diff_tree_to_tree(Some(&tree(from)?), Some(&tree(to)?), None)
            .map_err(git_err)?;
        Ok(diff
            .deltas()
            .filter_map(|d| d.new_file().path().or(d.old_file().path()))
            .map(Path::to_path_buf)
            .collect())
    }

    /// A three-way merge of blobs: the changes from `base` to `theirs`
    /// applied on `ours`; `None` when they overlap.
    pub fn merge_blobs(
        &self,
        base: Oid,
        ours: Oid,
        theirs: Option<Oid>,
    ) -> Result<Option<Vec<u8>>> {
        let base = self.blob_bytes(base)?;
        let ours = self.blob_bytes(ours)?;
        let theirs = theirs.map(|t| self.blob_bytes(t)).transpose()?;
        let result = git2::merge_file(
            &input(Some(&base)),
            &input(Some(&ours)),
            &input(theirs.as_deref()),
            None,
        )
        .map_err(git_err)?;
        Ok(result.is_automergeable().then(|| result.content().to_vec()))
    }

    /// Move the current branch to `commit` with the index, leaving the work
    /// tree as it is (`git reset --mixed`).
    pub fn reset_mixed(&self, commit: Oid) -> Result<()> {
        let object = self.repo.find_object(commit, None).map_err(git_err)?;
        self.repo
            .reset(&object, git2::ResetType::Mixed, None)
            .map_err(git_err)
    }
}

fn input(bytes: Option<&[u8]>) -> git2::MergeFileInput<'_> {
    let mut i = git2::MergeFileInput::new();
    if let Some(b) = bytes {
        i.content(b);
    }
    i
}

impl Journal {
    fn to_text(&self) -> String {
        let mut out = format!("{MAGIC}\nbase {}\n", self.base);
        for (path, w) in &self.files {
            let Some(p) = path.to_str().filter(|p| !p.contains('\n')) else {
                continue;
            };
            let before = w.before.map_or_else(|| "-".to_string(), |o| o.to_string());
            out.push_str(&format!("{before} {} {p}\n", w.after));
        }
        out
    }

    fn parse(text: &str) -> Option<Journal> {
        let mut lines = text.lines();
        if lines.next()? != MAGIC {
            return None;
        }
        let base = Oid::from_str(lines.next()?.strip_prefix("base ")?).ok()?;
        let mut files = BTreeMap::new();
        for line in lines {
            let mut parts = line.splitn(3, ' ');
            let before = match parts.next()? {
                "-" => None,
                oid => Some(Oid::from_str(oid).ok()?),
            };
            let after = Oid::from_str(parts.next()?).ok()?;
            files.insert(PathBuf::from(parts.next()?), Written { before, after });
        }
        Some(Journal { base, files })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_reads_back_what_it_wrote() {
        let a = Oid::from_str("1111111111111111111111111111111111111111").unwrap();
        let b = Oid::from_str("2222222222222222222222222222222222222222").unwrap();
        let journal = Journal {
            base: a,
            files: [
                (
                    PathBuf::from("Cargo.toml"),
                    Written {
                        before: Some(a),
                        after: b,
                    },
                ),
                (
                    PathBuf::from("docs/a file.md"),
                    Written {
                        before: None,
                        after: a,
                    },
                ),
            ]
            .into(),
        };
        assert_eq!(Journal::parse(&journal.to_text()), Some(journal));
        for bad in [
            "",
            "cratesmith journal 2\nbase 11\n",
            "cratesmith journal 1\nbase x\n",
        ] {
            assert_eq!(Journal::parse(bad), None, "{bad:?}");
        }
    }
}
