//! The opt-in git step of a bump: validate before anything is written (clean
//! work tree, tags free), then commit the changed files and tag.

use super::{Plan, conflict};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::template::{render, today};

/// `--commit`, `--tag` and friends.
#[derive(Clone, Debug, Default)]
pub struct GitOptions {
    /// Commit the changed files.
    pub commit: bool,
    /// Create annotated tags.
    pub tag: bool,
    /// Sign the commit and tags (through the `git` program).
    pub sign: bool,
    /// Allow uncommitted changes in the work tree.
    pub allow_dirty: bool,
    /// Commit message template (default [`DEFAULT_COMMIT_MESSAGE`]).
    pub commit_message: Option<String>,
    /// Tag name template (default `v{{version}}`, or `{{crate}}-v{{version}}` per package).
    pub tag_name: Option<String>,
    /// Tag message template (default [`DEFAULT_TAG_MESSAGE`]).
    pub tag_message: Option<String>,
}

/// The default commit message: `chore(release): v1.3.0` when the release
/// has one `v{{version}}` tag (one package, or a shared version), else
/// `chore(release): foo v1.3.0, bar v0.2.0` (`{{release}}`; `{{releases}}`
/// always lists the packages).
pub const DEFAULT_COMMIT_MESSAGE: &str = "chore(release): {{release}}";
/// The default annotated tag message; with `--changelog` the release's
/// notes follow.
pub const DEFAULT_TAG_MESSAGE: &str = "Release {{tag}}";
/// The default annotated tag message when the release has notes (`auto
/// --changelog`): the notes under the title, as git-cliff's release script
/// writes them. `--tag-message "Release {{tag}}"` (or the settings'
/// `tag-message`) keeps the short form.
pub(super) const DEFAULT_TAG_MESSAGE_WITH_NOTES: &str = "Release {{tag}}\n\n{{notes}}";

pub(super) fn prepare(plan: &mut Plan, git: &GitOptions) -> Result<()> {
    // Nothing released (`auto` found nothing): nothing to commit or tag.
    if (!git.commit && !git.tag) || plan.packages.is_empty() {
        return Ok(());
    }
    let repo = Repo::discover(&plan.root)?;
    if !git.allow_dirty {
        let dirty = repo.dirty_files()?;
        if !dirty.is_empty() {
            return Err(conflict(
                format!(
                    "the work tree has uncommitted changes:\n  {}",
                    dirty.join("\n  ")
                ),
                "commit or stash them first, or pass --allow-dirty",
            ));
        }
    }
    let listed: Vec<String> = plan
        .packages
        .iter()
        .map(|p| format!("{} v{}", p.name, p.to))
        .collect();
    let releases = listed.join(", ");
    let release = match plan.packages.first() {
        Some(first) if unified(plan) => format!("v{}", first.to),
        _ => releases.clone(),
    };
    if git.commit {
        for f in &plan.files {
            let path = plan.root.join(f);
            // A changelog this bump starts is committed unless ignored.
            let started = plan.changelogs.iter().any(|(c, _)| c == f) && !repo.is_ignored(&path)?;
            let tracked = started || repo.is_tracked(&path)?;
            let list = if tracked {
                &mut plan.committed
            } else {
                &mut plan.not_committed
            };
            list.push(f.clone());
        }
        let template = git
            .commit_message
            .as_deref()
            .unwrap_or(DEFAULT_COMMIT_MESSAGE);
        let mut vars = single_vars(plan);
        vars.push(("releases".into(), releases.clone()));
        vars.push(("release".into(), release));
        plan.commit = Some(expand(template, &vars, "--commit-message")?);
    }
    if git.tag {
        plan.tags = tags(plan, git)?;
        check_tags(&plan.tags, &repo)?;
    }
    plan.repo = Some(repo);
    Ok(())
}

pub(super) fn run(plan: &Plan) -> Result<()> {
    let Some(repo) = &plan.repo else {
        return Ok(());
    };
    if let Some(message) = &plan.commit {
        let paths: Vec<_> = plan.committed.iter().map(|f| plan.root.join(f)).collect();
        repo.commit_files(&paths, message, plan.sign)?;
    }
    for (name, message) in &plan.tags {
        repo.tag(name, message, plan.sign)?;
    }
    Ok(())
}

/// One `v{{version}}` tag when the workspace has one package or every
/// bumped package shares the workspace version; otherwise one
/// `{{crate}}-v{{version}}` per package (so that one member's release is
/// never taken for another's).
fn tags(plan: &Plan, git: &GitOptions) -> Result<Vec<(String, String)>> {
    let default = if plan.notes.is_empty() {
        DEFAULT_TAG_MESSAGE
    } else {
        DEFAULT_TAG_MESSAGE_WITH_NOTES
    };
    let message = git.tag_message.as_deref().unwrap_or(default);
    if unified(plan) {
        let name = git.tag_name.as_deref().unwrap_or("v{{version}}");
        let mut vars = single_vars(plan);
        let notes = plan
            .notes
            .iter()
            .find(|(p, _)| p.is_none())
            .or(plan.notes.first());
        vars.push((
            "notes".into(),
            notes.map_or_else(String::new, |(_, n)| n.clone()),
        ));
        return Ok(vec![tag(vars, name, message)?]);
    }
    let name = git.tag_name.as_deref().unwrap_or("{{crate}}-v{{version}}");
    plan.packages
        .iter()
        .map(|p| {
            let mut vars = package_vars(&p.name, &p.from.to_string(), &p.to.to_string());
            let notes = plan
                .notes
                .iter()
                .find(|(n, _)| n.as_deref() == Some(&p.name));
            vars.push((
                "notes".into(),
                notes.map_or_else(String::new, |(_, n)| n.clone()),
            ));
            tag(vars, name, message)
        })
        .collect()
}

/// The tag each bumped package's release gets, in the plan's order.
pub(super) fn tag_names(plan: &Plan, git: &GitOptions) -> Result<Vec<String>> {
    if plan.packages.is_empty() {
        return Ok(Vec::new());
    }
    let tags = tags(plan, git)?;
    Ok(match tags.as_slice() {
        [(one, _)] if unified(plan) => vec![one.clone(); plan.packages.len()],
        _ => tags.into_iter().map(|(name, _)| name).collect(),
    })
}

fn unified(plan: &Plan) -> bool {
    plan.members <= 1 || plan.packages.iter().all(|p| p.inherited)
}

fn tag(mut vars: Vec<(String, String)>, name: &str, message: &str) -> Result<(String, String)> {
    let name = expand(name, &vars, "--tag-name")?;
    vars.push(("tag".into(), name.clone()));
    Ok((name, expand(message, &vars, "--tag-message")?))
}

fn check_tags(tags: &[(String, String)], repo: &Repo) -> Result<()> {
    for (i, (name, _)) in tags.iter().enumerate() {
        if tags[..i].iter().any(|(n, _)| n == name) {
            return Err(conflict(
                format!("several packages would get the same tag `{name}`"),
                "put `{{crate}}` in --tag-name",
            ));
        }
        if !git2::Reference::is_valid_name(&format!("refs/tags/{name}")) {
            return Err(conflict(
                format!("`{name}` is not a valid tag name"),
                "change --tag-name",
            ));
        }
        if repo.tag_exists(name) {
            return Err(conflict(
                format!("tag `{name}` already exists"),
                "bump to another version, or delete the tag with `git tag -d` if it is stale",
            ));
        }
    }
    Ok(())
}

/// `version`, `prev_version`, `date`, and `crate` when there is only one package.
fn single_vars(plan: &Plan) -> Vec<(String, String)> {
    let first = &plan.packages[0];
    let mut vars = package_vars(&first.name, &first.from.to_string(), &first.to.to_string());
    if plan.packages.len() > 1 {
        vars.retain(|(k, _)| k != "crate");
    }
    vars
}

fn package_vars(name: &str, from: &str, to: &str) -> Vec<(String, String)> {
    [
        ("crate", name),
        ("version", to),
        ("prev_version", from),
        ("date", &today()),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .to_vec()
}

fn expand(template: &str, vars: &[(String, String)], flag: &str) -> Result<String> {
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    render(template, &pairs).map_err(|name| Error::Conflict {
        message: format!("`{{{{{name}}}}}` in {flag} has no value for this bump"),
        help: format!(
            "available here: {}",
            pairs
                .iter()
                .map(|(k, _)| format!("{{{{{k}}}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}
