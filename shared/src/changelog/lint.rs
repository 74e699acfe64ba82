//! `--lint` and `--lint-range`: Conventional Commits checks of one message
//! (a commit-msg hook) or of every commit in a range (CI).

use std::io::Read;
use std::path::Path;

use crate::cli::MessageFormat;
use crate::commits::{self, lint};
use crate::error::{Error, Result};
use crate::git::{PathFilter, Range, Repo};
use crate::release::Settings;
use crate::term::{Shell, print_json};
use crate::text::count;

/// `--lint FILE`: a message on its way into a commit, comments removed as
/// git removes them (`core.commentChar`).
pub(super) fn file(
    file: &Path,
    repo: Option<&Repo>,
    format: MessageFormat,
    shell: &Shell,
) -> Result<bool> {
    let mut text = String::new();
    if file == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io("read", "<stdin>", e))?;
    } else {
        let bytes = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    let settings = match repo {
        Some(r) => Settings::load(r)?,
        None => Settings::default(),
    };
    let comment = match Repo::comment_string(repo).as_str() {
        "auto" => commits::auto_comment(&text),
        other => other.to_string(),
    };
    let verdict = lint(&commits::strip_comments(&text, &comment), &settings.types());
    if format == MessageFormat::Json {
        let json = serde_json::json!({ "file": file, "ok": verdict.is_ok(), "error": verdict.as_ref().err() });
        print_json(&json)?;
    }
    match verdict {
        Ok(()) => Ok(true),
        Err(e) => {
            shell.error_message(format_args!("{}:{e}", file.display()));
            Ok(false)
        }
    }
}

/// `--lint-range A..B`: every commit message of the range, as stored.
pub(super) fn range(
    repo: &Repo,
    settings: &Settings,
    range: &str,
    format: MessageFormat,
    shell: &Shell,
) -> Result<bool> {
    let (from, to) = range.split_once("..").unwrap_or(("", range));
    let since = (!from.is_empty()).then(|| repo.resolve(from)).transpose()?;
    let until = match repo.head()? {
        None if to.is_empty() => None,
        _ => Some(repo.resolve(if to.is_empty() { "HEAD" } else { to })?),
    };
    let commits = match until {
        Some(until) => repo.commits(&Range {
            until,
            since,
            stops: None,
            merges: true,
            paths: &PathFilter::all(),
        })?,
        None => Vec::new(),
    };
    let types = settings.types();
    let mut verdicts = Vec::with_capacity(commits.len());
    for c in &commits {
        let verdict = lint(&c.message, &types);
        if let Err(e) = &verdict {
            shell.error_message(format_args!("commit {}: {e}", &c.hash[..7]));
        }
        verdicts.push(serde_json::json!({
            "hash": c.hash,
            "subject": c.message.lines().next().unwrap_or(""),
            "ok": verdict.is_ok(),
            "error": verdict.err(),
        }));
    }
    let bad = verdicts.iter().filter(|v| v["ok"] == false).count();
    if format == MessageFormat::Json {
        let json = serde_json::json!({
            "range": range,
            "checked": commits.len(),
            "failed": bad,
            "commits": verdicts,
        });
        print_json(&json)?;
    }
    let checked = count(commits.len(), "commit", "commits");
    shell.status(
        "Checked",
        format_args!("{checked}, {} not conventional", bad),
    );
    Ok(bad == 0)
}
