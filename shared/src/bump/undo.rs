//! `cargo bump --undo`: take back the release commit and tags `cargo bump`
//! (or the release recipe's `git commit -a`) just made, when nothing was
//! pushed. HEAD must be a commit whose message matches the commit message
//! template, on a branch whose upstream does not contain it, in a clean
//! work tree. Only what cratesmith wrote is taken back: the files in the
//! journal (`crate::git::journal`) get their previous content, and every
//! other change of the commit stays as an uncommitted edit. The tags
//! pointing at it whose messages match the tag message template are
//! deleted and the branch moves back to the parent. A version already in
//! its registry's index is not undone without `--force`.

use std::path::{Path, PathBuf};

use super::published;
use super::release::{
    DEFAULT_COMMIT_MESSAGE, DEFAULT_TAG_MESSAGE, DEFAULT_TAG_MESSAGE_WITH_NOTES, GitOptions,
};
use crate::error::{Error, Result};
use crate::git::{HeadCommit, Repo};
use crate::term::Shell;

/// Undo the release commit at HEAD of the repository holding `dir`
/// (`--force`: even when a released version is in its registry).
///
/// # Errors
/// HEAD is not such a commit, it was pushed, the work tree is dirty,
/// there is no record of what cratesmith wrote, or a version is published.
pub fn undo(dir: &Path, git: &GitOptions, force: bool, shell: &Shell) -> Result<()> {
    let repo = Repo::discover(dir)?;
    let (head, parent) = release_commit(&repo, git)?;
    let restore = restorations(&repo, head.id, parent)?;
    published::check(&repo, parent, force, shell)?;
    repo.reset_mixed(parent)?;
    let root = repo.workdir().to_path_buf();
    let mut tx = crate::fs::Transaction::new();
    for (path, content) in &restore.files {
        if let Some(bytes) = content {
            tx.stage(&root.join(path), bytes.clone())?;
        }
    }
    tx.commit()?;
    for (path, content) in &restore.files {
        if content.is_none() {
            let file = root.join(path);
            std::fs::remove_file(&file).map_err(|e| Error::io("remove", &file, e))?;
        }
    }
    let deleted = delete_tags(&repo, head.id, git, shell)?;
    repo.clear_journal();
    report(&head, parent, &restore, &deleted, shell);
    Ok(())
}

/// HEAD, when it is an unpushed release commit in a clean work tree, and
/// its parent.
fn release_commit(repo: &Repo, git: &GitOptions) -> Result<(HeadCommit, git2::Oid)> {
    let Some(head) = repo.head_commit_info()? else {
        return Err(refuse("HEAD is not on a branch".into()));
    };
    let template = git
        .commit_message
        .as_deref()
        .unwrap_or(DEFAULT_COMMIT_MESSAGE);
    if !matches_template(template, head.message.trim_end()) {
        return Err(refuse(format!(
            "HEAD ({}) is not a release commit: `{}` does not match `{template}`",
            short(head.id),
            subject(&head)
        )));
    }
    let Some(parent) = head.parent else {
        return Err(refuse(
            "the release commit has no parent to go back to".into(),
        ));
    };
    if let Some(upstream) = repo.pushed_to(&head.branch, head.id) {
        return Err(refuse(format!(
            "{} was pushed to {upstream}: undoing it here would rewrite published history",
            short(head.id)
        )));
    }
    let dirty = repo.dirty_files()?;
    if !dirty.is_empty() {
        return Err(refuse(format!(
            "the work tree has uncommitted changes, which undoing would lose:\n  {}",
            dirty.join("\n  ")
        )));
    }
    Ok((head, parent))
}

/// What undoing does to the files the commit changed.
struct Restore {
    /// Files cratesmith wrote, with the content they go back to (`None`:
    /// they did not exist).
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
    /// Other changes of the commit, kept as uncommitted edits.
    kept: Vec<PathBuf>,
}

/// For each file the commit changed: back to its content before, when
/// cratesmith wrote it (edits made after cratesmith's are kept by a
/// three-way merge), else kept as it is.
fn restorations(repo: &Repo, head: git2::Oid, parent: git2::Oid) -> Result<Restore> {
    let Some(journal) = repo.journal().filter(|j| j.base == parent) else {
        return Err(Error::Conflict {
            message: format!(
                "cannot undo: there is no record of the files cratesmith wrote for {}, so it cannot tell its edits from yours",
                short(head)
            ),
            help: "`git reset --soft HEAD~1` takes the commit back and keeps all of its changes; delete its tags with `git tag -d`".into(),
        });
    };
    let mut restore = Restore {
        files: Vec::new(),
        kept: Vec::new(),
    };
    for path in repo.changed_paths(parent, head)? {
        let before = repo.blob_in(parent, &path)?;
        let now = repo.blob_in(head, &path)?;
        let written = journal.files.get(&path).filter(|w| w.before == before);
        let (Some(w), Some(now)) = (written, now) else {
            restore.kept.push(path);
            continue;
        };
        let content = if now == w.after {
            before.map(|b| repo.blob_bytes(b)).transpose()?
        } else {
            let merged = repo.merge_blobs(w.after, now, before)?;
            let Some(merged) = merged else {
                return Err(refuse(format!(
                    "{} was edited by hand after cratesmith wrote it, on the same lines",
                    path.display()
                )));
            };
            Some(merged)
        };
        restore.files.push((path, content));
    }
    Ok(restore)
}

fn delete_tags(
    repo: &Repo,
    head: git2::Oid,
    git: &GitOptions,
    shell: &Shell,
) -> Result<Vec<String>> {
    let templates = match git.tag_message.as_deref() {
        Some(t) => vec![t],
        None => vec![DEFAULT_TAG_MESSAGE, DEFAULT_TAG_MESSAGE_WITH_NOTES],
    };
    let mut deleted = Vec::new();
    for (name, tag_message) in repo.tags_at(head)? {
        let ours = tag_message
            .is_some_and(|m| templates.iter().any(|t| matches_template(t, m.trim_end())));
        if ours {
            repo.delete_tag(&name)?;
            deleted.push(name);
        } else {
            shell.warn(format_args!(
                "tag `{name}` points at the release commit but was not made by cargo bump; it stays"
            ));
        }
    }
    Ok(deleted)
}

fn report(
    head: &HeadCommit,
    parent: git2::Oid,
    restore: &Restore,
    deleted: &[String],
    shell: &Shell,
) {
    let tags = if deleted.is_empty() {
        "no tags".to_string()
    } else {
        format!("tags {}", deleted.join(", "))
    };
    let files: Vec<String> = restore
        .files
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    shell.status(
        "Undid",
        format_args!(
            "`{}` ({}): restored {}; deleted {tags}; {} is at {} again",
            subject(head),
            short(head.id),
            if files.is_empty() {
                "no file".to_string()
            } else {
                files.join(", ")
            },
            head.branch,
            short(parent)
        ),
    );
    if !restore.kept.is_empty() {
        let kept: Vec<String> = restore
            .kept
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        shell.note(format_args!(
            "the commit's other changes are kept as uncommitted edits: {}",
            kept.join(", ")
        ));
    }
}

fn subject(head: &HeadCommit) -> &str {
    head.message.lines().next().unwrap_or("")
}

fn refuse(message: String) -> Error {
    Error::Conflict {
        message: format!("cannot undo: {message}"),
        help: "--undo takes back only an unpushed release commit made by `cargo bump --commit` (use git itself otherwise)".into(),
    }
}

fn short(oid: git2::Oid) -> String {
    oid.to_string()[..8].to_string()
}

/// Whether `text` is what `template` renders to for some values: its
/// literal parts in order, each `{{name}}` standing for one or more
/// characters.
pub fn matches_template(template: &str, text: &str) -> bool {
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        parts.push(&rest[..open]);
        rest = &rest[open + close + 2..];
    }
    parts.push(rest);
    let Some((first, others)) = parts.split_first() else {
        return false;
    };
    let Some(mut at) = text.strip_prefix(first) else {
        return false;
    };
    for (i, part) in others.iter().enumerate() {
        let last = i + 1 == others.len();
        if last {
            return at.len() > part.len() && at.ends_with(part)
                || (part.is_empty() && !at.is_empty());
        }
        let Some(found) = at.get(1..).and_then(|s| s.find(part)) else {
            return false;
        };
        at = &at[found + 1 + part.len()..];
    }
    at.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_their_templates() {
        let table = [
            (
                "chore(release): {{releases}}",
                "chore(release): app v1.2.0",
                true,
            ),
            ("chore(release): {{releases}}", "chore(release): ", false),
            ("chore(release): {{releases}}", "feat: something", false),
            ("Release {{tag}}", "Release v1.2.0", true),
            ("release {{crate}} {{version}}!", "release app 1.2.0!", true),
            ("release {{crate}} {{version}}!", "release app!", false),
            ("v{{version}}", "v1.0.0", true),
            ("plain", "plain", true),
            ("plain", "plainer", false),
        ];
        for (template, text, want) in table {
            assert_eq!(
                matches_template(template, text),
                want,
                "{template} ~ {text}"
            );
        }
    }
}
