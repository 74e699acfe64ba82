//! Git histories written as text, for case directories (a `.git` cannot be
//! committed inside the repository). One command a line; `#` starts a
//! comment; `\n` in a message is a newline:
//!
//! ```text
//! commit feat: add x                one commit changing `history.log`
//! commit fix(a): y -- crates/a/y.rs  ... changing this file instead
//! tag v0.1.0                        a lightweight tag on HEAD
//! atag v0.2.0 Release 0.2.0         an annotated tag with a message
//! branch topic                      create a branch at HEAD
//! checkout topic                    switch to it (files follow)
//! merge topic Merge branch 'topic'  a merge commit of topic into HEAD
//! remote https://github.com/o/r     the `origin` remote
//! ```
//!
//! Every commit is a day after the one before (from 2026-11-01), by a
//! fixed author, on branch `main`, so hashes and dates are the same on
//! every run.

use std::fmt::Write as _;
use std::path::Path;

use git2::{Repository, Signature, Time};

const START: i64 = crate::EPOCH - 21 * 86_400;

/// Build the history `text` describes in the tree at `root` (the files
/// already there are in the first commit).
///
/// # Errors
/// A line that is not a command, or a git failure, with its line number.
pub fn build(root: &Path, text: &str) -> Result<(), String> {
    let mut options = git2::RepositoryInitOptions::new();
    options.initial_head("main");
    let repo = Repository::init_opts(root, &options).map_err(|e| e.to_string())?;
    let mut day = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let done = match word {
            "commit" => {
                day += 1;
                commit(&repo, root, rest, day)
            }
            "tag" => tag(&repo, rest, None),
            "atag" => {
                let (name, message) = rest.split_once(' ').unwrap_or((rest, rest));
                day += 1;
                tag(&repo, name, Some((message, day)))
            }
            "branch" => branch(&repo, rest),
            "checkout" => checkout(&repo, rest),
            "merge" => {
                day += 1;
                merge(&repo, rest, day)
            }
            "remote" => repo.remote("origin", rest).map(|_| ()),
            other => return Err(format!("history line {}: unknown command `{other}`", i + 1)),
        };
        done.map_err(|e| format!("history line {}: {e}", i + 1))?;
    }
    Ok(())
}

fn signature(day: i64) -> Result<Signature<'static>, git2::Error> {
    Signature::new(
        "Cratesmith Test",
        "test@cratesmith.invalid",
        &Time::new(START + day * 86_400, 0),
    )
}

fn commit(repo: &Repository, root: &Path, rest: &str, day: i64) -> Result<(), git2::Error> {
    let (message, file) = match rest.split_once(" -- ") {
        Some((m, f)) => (m, f.trim()),
        None => (rest, "history.log"),
    };
    let message = message.replace("\\n", "\n");
    let path = root.join(file);
    let mut content = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = writeln!(content, "{}", message.lines().next().unwrap_or(""));
    crate::cratesmith_write(&path, content.as_bytes());
    let mut index = repo.index()?;
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let sig = signature(day)?;
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, &message, &tree, &parents)?;
    Ok(())
}

fn tag(repo: &Repository, name: &str, annotated: Option<(&str, i64)>) -> Result<(), git2::Error> {
    let head = repo.head()?.peel(git2::ObjectType::Commit)?;
    match annotated {
        Some((message, day)) => repo.tag(name, &head, &signature(day)?, message, false)?,
        None => repo.tag_lightweight(name, &head, false)?,
    };
    Ok(())
}

fn branch(repo: &Repository, name: &str) -> Result<(), git2::Error> {
    let head = repo.head()?.peel_to_commit()?;
    repo.branch(name, &head, false)?;
    Ok(())
}

fn checkout(repo: &Repository, name: &str) -> Result<(), git2::Error> {
    let refname = format!("refs/heads/{name}");
    let target = repo.revparse_single(&refname)?;
    repo.checkout_tree(&target, Some(git2::build::CheckoutBuilder::new().force()))?;
    repo.set_head(&refname)
}

fn merge(repo: &Repository, rest: &str, day: i64) -> Result<(), git2::Error> {
    let (name, message) = rest.split_once(' ').unwrap_or((rest, "Merge"));
    let ours = repo.head()?.peel_to_commit()?;
    let theirs = repo
        .revparse_single(&format!("refs/heads/{name}"))?
        .peel_to_commit()?;
    let mut index = repo.merge_commits(&ours, &theirs, None)?;
    if index.has_conflicts() {
        return Err(git2::Error::from_str("the merge has conflicts"));
    }
    let tree = repo.find_tree(index.write_tree_to(repo)?)?;
    let sig = signature(day)?;
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&ours, &theirs])?;
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_with_tags_and_a_merge() {
        let dir = tempfile::tempdir().unwrap();
        let text = "commit feat: a\ntag v0.1.0\nbranch topic\ncheckout topic\ncommit fix: b -- b.txt\ncheckout main\ncommit feat: c -- c.txt\nmerge topic Merge branch 'topic'\natag v0.2.0 Release 0.2.0\n";
        build(dir.path(), text).unwrap();
        let repo = Repository::open(dir.path()).unwrap();
        let head = repo.head().unwrap().peel_to_commit().unwrap();
        assert_eq!(head.parent_count(), 2);
        assert_eq!(head.message().unwrap(), "Merge branch 'topic'");
        assert!(dir.path().join("b.txt").is_file() && dir.path().join("c.txt").is_file());
        let tag = repo.revparse_single("v0.2.0").unwrap();
        assert_eq!(tag.kind(), Some(git2::ObjectType::Tag));
        assert!(
            build(dir.path(), "rebase x\n")
                .unwrap_err()
                .contains("line 1")
        );
    }
}
