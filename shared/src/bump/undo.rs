//! `cargo bump --undo`: take back the release commit and tags `cargo bump
//! --commit --tag` just made, when nothing was pushed. HEAD must be a
//! commit whose message matches the commit message template, on a branch
//! whose upstream does not contain it, in a clean work tree; the tags
//! pointing at it whose messages match the tag message template are
//! deleted and the branch moves back to the parent.

use std::path::Path;

use super::release::{
    DEFAULT_COMMIT_MESSAGE, DEFAULT_TAG_MESSAGE, DEFAULT_TAG_MESSAGE_WITH_NOTES, GitOptions,
};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::term::Shell;

/// Undo the release commit at HEAD of the repository holding `dir`.
///
/// # Errors
/// HEAD is not such a commit, it was pushed, or the work tree is dirty.
pub fn undo(dir: &Path, git: &GitOptions, shell: &Shell) -> Result<()> {
    let repo = Repo::discover(dir)?;
    let Some(crate::git::HeadCommit {
        branch,
        id: head,
        message,
        parent,
    }) = repo.head_commit_info()?
    else {
        return Err(refuse("HEAD is not on a branch".into()));
    };
    let template = git
        .commit_message
        .as_deref()
        .unwrap_or(DEFAULT_COMMIT_MESSAGE);
    let subject = message.trim_end();
    if !matches_template(template, subject) {
        return Err(refuse(format!(
            "HEAD ({}) is not a release commit: `{}` does not match `{template}`",
            short(head),
            subject.lines().next().unwrap_or("")
        )));
    }
    let Some(parent) = parent else {
        return Err(refuse(
            "the release commit has no parent to go back to".into(),
        ));
    };
    if let Some(upstream) = repo.pushed_to(&branch, head) {
        return Err(refuse(format!(
            "{} was pushed to {upstream}: undoing it here would rewrite published history",
            short(head)
        )));
    }
    let dirty = repo.dirty_files()?;
    if !dirty.is_empty() {
        return Err(refuse(format!(
            "the work tree has uncommitted changes, which undoing would lose:\n  {}",
            dirty.join("\n  ")
        )));
    }
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
    repo.reset_hard(parent)?;
    let tags = if deleted.is_empty() {
        "no tags".to_string()
    } else {
        format!("tags {}", deleted.join(", "))
    };
    shell.status(
        "Undid",
        format_args!(
            "`{}` ({}): deleted {tags}; {branch} is at {} again",
            subject.lines().next().unwrap_or(""),
            short(head),
            short(parent)
        ),
    );
    Ok(())
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
