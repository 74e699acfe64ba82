//! `cargo ship release`: release what a merge brought, run on main after a
//! release pull request is merged. Every member whose manifest version has
//! no release tag yet gets one on the commit that set that version; the
//! notes of each release are taken from its changelog as merged (not
//! regenerated) into `<notes-dir>/<tag>.md`; the new tags are pushed; then
//! `cargo ship crates` publishes what the registry does not have yet.
//!
//! What is left to do is found from the repository and the registry, not
//! remembered: a run after a failed publish finds the tags made and the
//! versions missing from the registry and finishes; a run with nothing
//! left says so and changes nothing.

use std::path::{Path, PathBuf};

use git2::Oid;
use semver::Version;
use serde::Serialize;

use super::tagging;
use crate::changelog::section;
use crate::cli::MessageFormat;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::registry::http::Client;
use crate::registry::index::Index;
use crate::registry::{Choice, Registry};
use crate::release::Settings;
use crate::release::imported::Imported;
use crate::term::Shell;
use crate::workspace::{Selection, Workspace};

/// Everything `cargo ship release` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct ReleaseOptions {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `--registry`, `--index`.
    pub registry: Choice,
    /// `--push REMOTE`: push the new tags there.
    pub push: Option<String>,
    /// `--notes-dir` [default: target/release-notes].
    pub notes_dir: Option<PathBuf>,
    /// `--tag-name` template (`{{crate}}`, `{{version}}`).
    pub tag_name: Option<String>,
    /// `--dry-run`: say what would be done.
    pub dry_run: bool,
    /// `--allow-dirty`, for the publish.
    pub allow_dirty: bool,
    /// `--format`.
    pub format: MessageFormat,
    /// The publish's retries and waits (as `cargo ship crates`).
    pub crates: super::Options,
}

/// One package of the release.
#[derive(Clone, Debug, Serialize)]
pub struct Released {
    /// Package name.
    pub name: String,
    /// Its version.
    pub version: Version,
    /// Its release tag (`None`: the configuration turns tagging off).
    pub tag: Option<String>,
    /// The commit the tag names.
    pub commit: String,
    /// Whether this run created the tag.
    pub new_tag: bool,
    /// Whether it goes to the registry (`false`: `publish = false`, a
    /// tag-only release, or already there).
    pub publish: bool,
    /// The notes file written (`None`: no forge release wanted).
    pub notes: Option<PathBuf>,
}

/// A member whose release is not finished.
struct Pending {
    index: usize,
    tag: String,
    commit: Oid,
    new_tag: bool,
    publish: bool,
    /// Whether the release is tagged at all (`git_tag_enable`, `tag`).
    tagged: bool,
    /// Whether it gets a notes file (`git_release_enable`).
    notes: bool,
    /// Where its notes come from.
    notes_from: section::Source,
}

/// The registry releases go to, and which members it may take.
struct PublishTo {
    registry: Registry,
    allowed: Vec<bool>,
}

/// Run `cargo ship release`.
pub fn exec(opts: &ReleaseOptions, shell: &Shell) -> Result<bool> {
    let manifest_path = opts.manifest_path.as_deref();
    let meta = crate::workspace::metadata(manifest_path)?;
    let ws = Workspace::from_metadata(meta.clone(), manifest_path);
    let repo = Repo::discover(&ws.root)?;
    let head = repo.head()?.ok_or_else(|| Error::Git {
        message: "the repository has no commit yet".into(),
        help: Some("commit the workspace first".into()),
    })?;
    let settings = Settings::load(&repo)?;
    let cwd = std::env::current_dir().map_err(|e| Error::io("read", ".", e))?;
    let registry = Registry::resolve(&opts.registry, &cwd)?;
    // `publish = false`, or a list without this registry: as `cargo ship crates` skips them.
    let allowed = ws
        .members
        .iter()
        .map(|m| {
            let package = meta
                .packages
                .iter()
                .find(|p| p.manifest_path.as_std_path() == m.manifest_path);
            let publish = package.and_then(|p| p.publish.as_deref());
            super::plan::restriction(publish, registry.name.as_deref()).is_none()
        })
        .collect();
    let target = PublishTo { registry, allowed };
    let pending = pending(&repo, &ws, &settings, opts, &target, head, shell)?;
    if pending.is_empty() {
        shell.note("nothing to release: every member's version is tagged and published");
        if opts.format == MessageFormat::Json {
            crate::term::print_json(&Vec::<Released>::new())?;
        }
        return Ok(true);
    }
    let target = ws
        .target_dir
        .clone()
        .unwrap_or_else(|| ws.root.join("target"));
    let notes_dir = opts
        .notes_dir
        .clone()
        .unwrap_or_else(|| target.join("release-notes"));
    let released = notes(&ws, &pending, &notes_dir);
    if opts.dry_run {
        report(&released, opts, shell, true)?;
        shell.warn("dry run: no tag, notes file or upload was made");
        return Ok(true);
    }
    let texts = write_notes(&released, &pending, shell)?;
    tag(&repo, &pending, &texts, shell)?;
    push(&repo, opts.push.as_deref(), &pending, shell)?;
    let ok = publish(&ws, &pending, opts, shell)?;
    report(&released, opts, shell, ok)?;
    Ok(ok)
}

/// The members whose release is not finished: no tag yet (where tagged),
/// or publishable and not in the registry. Members with `release = false`
/// in release-plz's or cargo-release's configuration are left out.
fn pending(
    repo: &Repo,
    ws: &Workspace,
    settings: &Settings,
    opts: &ReleaseOptions,
    target: &PublishTo,
    head: Oid,
    shell: &Shell,
) -> Result<Vec<Pending>> {
    let imported = Imported::load(ws)?;
    imported.warn(shell);
    let names = tagging::release_tags(repo, ws, settings, &imported, opts.tag_name.as_deref())?;
    let mut index: Option<Index> = None;
    let mut out: Vec<Pending> = Vec::new();
    for (i, m) in ws.members.iter().enumerate() {
        let policy = imported.of(&m.name);
        if policy.release == Some(false) || !versioned(&m.manifest_path, &m.version) {
            continue;
        }
        let publish = target.allowed[i] && policy.publish != Some(false);
        let tagged = policy.tag != Some(false);
        let tag = names[i].clone();
        let existing = if tagged { repo.tag_target(&tag) } else { None };
        let unpublished = |index: &mut Option<Index>| -> Result<bool> {
            Ok(publish && !in_registry(index, target, opts, &m.name, &m.version)?)
        };
        let (commit, new_tag) = match existing {
            Some(commit) => (commit, false),
            None if !tagged => (head, false),
            None => match out.iter().find(|p| p.tag == tag && p.new_tag) {
                Some(shared) => (shared.commit, true),
                None => (tagging::origin(repo, ws, i, head)?, true),
            },
        };
        let publish = unpublished(&mut index)?;
        if !new_tag && !publish {
            continue; // released already (or nothing of it is made here)
        }
        out.push(Pending {
            index: i,
            tag,
            commit,
            new_tag,
            publish,
            tagged,
            notes: tagged && policy.forge_release != Some(false),
            notes_from: section::member_source(ws, settings, i, policy.changelog_path.as_deref())?,
        });
    }
    Ok(out)
}

/// A member with a version of its own (not cargo's 0.0.0 for none).
fn versioned(manifest: &Path, version: &Version) -> bool {
    *version != Version::new(0, 0, 0)
        || crate::manifest::Manifest::load(manifest)
            .and_then(|m| m.package_version())
            .is_ok_and(|k| !matches!(k, crate::manifest::VersionKey::Missing))
}

/// Whether the registry has `name`@`version` (the index opened once).
fn in_registry(
    index: &mut Option<Index>,
    target: &PublishTo,
    opts: &ReleaseOptions,
    name: &str,
    version: &Version,
) -> Result<bool> {
    if index.is_none() {
        *index = Some(Index::open(
            &target.registry,
            &Client::new(),
            opts.crates.retry,
        )?);
    }
    match index {
        Some(index) => index.has(name, version),
        None => Ok(false),
    }
}

/// Each release, its notes file named (written by [`write_notes`]).
fn notes(ws: &Workspace, pending: &[Pending], dir: &Path) -> Vec<Released> {
    pending
        .iter()
        .map(|p| {
            let m = &ws.members[p.index];
            Released {
                name: m.name.clone(),
                version: m.version.clone(),
                tag: p.tagged.then(|| p.tag.clone()),
                commit: p.commit.to_string(),
                new_tag: p.new_tag,
                publish: p.publish,
                notes: p.notes.then(|| dir.join(format!("{}.md", p.tag))),
            }
        })
        .collect()
}

/// Each release's notes, from its changelog as it is in the work tree;
/// written to its notes file where one is wanted.
fn write_notes(released: &[Released], pending: &[Pending], shell: &Shell) -> Result<Vec<String>> {
    let mut texts = Vec::new();
    for (r, p) in released.iter().zip(pending) {
        let source = &p.notes_from;
        let file = &source.file;
        let text = section::notes(source, &r.version.to_string())?.unwrap_or_else(|| {
            if r.notes.is_none() {
                return String::new(); // no release page: only the tag message
            }
            shell.warn(format_args!(
                "{} has no section for {}: the notes of {} v{} are empty",
                file.display(),
                r.version,
                r.name,
                r.version
            ));
            String::new()
        });
        if let Some(path) = &r.notes {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
            }
            crate::fs::write_atomic(path, text.as_bytes())?;
        }
        texts.push(text);
    }
    Ok(texts)
}

/// Create the new tags (one per name), annotated with their notes.
fn tag(repo: &Repo, pending: &[Pending], notes: &[String], shell: &Shell) -> Result<()> {
    for (p, notes) in pending.iter().zip(notes) {
        if !p.new_tag || repo.tag_exists(&p.tag) {
            continue;
        }
        let message = if notes.trim().is_empty() {
            format!("Release {}", p.tag)
        } else {
            format!("Release {}\n\n{notes}", p.tag)
        };
        repo.tag_commit(&p.tag, p.commit, &message)?;
        let short = &p.commit.to_string()[..12];
        shell.status("Tagged", format_args!("{} on {short}", p.tag));
    }
    Ok(())
}

fn push(repo: &Repo, remote: Option<&str>, pending: &[Pending], shell: &Shell) -> Result<()> {
    let Some(remote) = remote else {
        return Ok(());
    };
    let mut names: Vec<String> = pending
        .iter()
        .filter(|p| p.tagged)
        .map(|p| p.tag.clone())
        .collect();
    names.sort();
    names.dedup();
    repo.push_tags(remote, &names).map_err(|e| Error::Git {
        message: format!("the tags were created but not pushed: {e}"),
        help: Some(format!(
            "fix the remote, then re-run `cargo ship release --push {remote}`: it pushes them and carries on"
        )),
    })?;
    shell.status("Pushed", format_args!("{} to {remote}", names.join(", ")));
    Ok(())
}

/// `cargo ship crates` for the releases that go to the registry.
fn publish(
    ws: &Workspace,
    pending: &[Pending],
    opts: &ReleaseOptions,
    shell: &Shell,
) -> Result<bool> {
    let packages: Vec<String> = pending
        .iter()
        .filter(|p| p.publish)
        .map(|p| ws.members[p.index].name.clone())
        .collect();
    if packages.is_empty() {
        return Ok(true);
    }
    let crates = super::Options {
        manifest_path: opts.manifest_path.clone(),
        selection: Selection {
            packages,
            ..Selection::default()
        },
        registry: opts.registry.clone(),
        dry_run: false,
        allow_dirty: opts.allow_dirty,
        format: MessageFormat::Human,
        ..opts.crates.clone()
    };
    let ok = match super::exec(&crates, shell) {
        Ok(ok) => ok,
        Err(e) => {
            shell.error(&e);
            false
        }
    };
    if !ok {
        shell.error_message(
            "the release is tagged but not all of it is published: re-run `cargo ship release` once the cause is fixed; it publishes what is missing and does nothing else again",
        );
    }
    Ok(ok)
}

fn report(released: &[Released], opts: &ReleaseOptions, shell: &Shell, ok: bool) -> Result<()> {
    if opts.format == MessageFormat::Json {
        return crate::term::print_json(&released);
    }
    if ok {
        for r in released {
            let tag = r
                .tag
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            shell.status("Released", format_args!("{} v{}{tag}", r.name, r.version));
        }
    }
    Ok(())
}
