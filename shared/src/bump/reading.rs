//! What `cargo bump auto` reads before it plans: each selected member's
//! changes since its last release, the release settings and the
//! repository; shared by the plan ([`super::auto`]) and the changelogs
//! ([`super::changelogs`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use semver::Version;

use crate::error::Result;
use crate::git::Repo;
use crate::release::Scope;
use crate::release::Settings;
use crate::release::changed::{GroupChange, MemberChange, changes_with};
use crate::term::Shell;
use crate::text::count;
use crate::version::{Bump, Implied};
use crate::workspace::Workspace;

/// What `auto` read: each selected member since its last release.
pub(super) struct Reading {
    pub(super) members: Vec<MemberChange>,
    /// The members sharing the workspace version, together, when asked
    /// for (the changelog of their release).
    pub(super) shared: Option<(Scope, GroupChange)>,
    pub(super) settings: Settings,
    pub(super) repo: Repo,
    /// The git-cliff configuration whose `[bump]` rules gave the levels.
    pub(super) cliff: Option<PathBuf>,
    /// Members never released that have changes, and the version their
    /// first release gets: the configuration's `initial_tag` (when not
    /// below the manifest's version).
    pub(super) firsts: BTreeMap<usize, Version>,
    /// `initial_tag` as written, for the report.
    initial_tag: Option<String>,
}

/// Read the history of the members of `ws` that `selection` selects (the
/// repository around `start`, the manifest the run starts from); with
/// `shared`, that of the members sharing the workspace version together.
pub(super) fn read(
    ws: &Workspace,
    selection: &crate::workspace::Selection,
    start: Option<&Path>,
    shared: bool,
) -> Result<Reading> {
    let dir = start
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Repo::trust_object_store();
    let repo = Repo::discover(&dir)?;
    let settings = Settings::load(&repo)?;
    let selected = ws.select(selection)?;
    let group = if shared {
        let explicit = settings.tag_pattern.as_deref();
        Some(crate::release::members::shared_scope(&repo, ws, explicit)?)
    } else {
        None
    };
    let (mut members, together) = changes_with(&repo, ws, &selected, &settings, group.as_ref())?;
    let rules = cliff_rules(&repo);
    if let Some(rules) = &rules {
        for m in &mut members {
            let base = m.last.as_ref().map_or(&m.version, |t| &t.version);
            m.implied = Implied {
                raw: rules.level(base, &m.commits),
                features_always_minor: false,
                exact: true,
            };
            m.level = m.implied.for_version(&m.version);
        }
    }
    let initial = rules.as_ref().and_then(|r| r.initial());
    let firsts = match &initial {
        Some((_, version)) => firsts(&members, version),
        None => BTreeMap::new(),
    };
    Ok(Reading {
        members,
        shared: group.zip(together),
        settings,
        repo,
        initial_tag: initial.map(|(tag, _)| tag.to_string()),
        cliff: rules.map(|r| r.path),
        firsts,
    })
}

/// The members never released that have changes, each with `initial`
/// unless their manifest's version is already past it.
fn firsts(members: &[MemberChange], initial: &Version) -> BTreeMap<usize, Version> {
    members
        .iter()
        .filter(|m| m.last.is_none() && m.level != Bump::None)
        .filter(|m| initial.cmp_precedence(&m.version) != std::cmp::Ordering::Less)
        .map(|m| (m.index, initial.clone()))
        .collect()
}

/// The `[bump]` rules of the repository's git-cliff configuration, if it
/// has them (a configuration that does not read is `git changelog`'s to
/// report; the built-in rules apply here).
fn cliff_rules(repo: &Repo) -> Option<crate::changelog::cliff::bump::BumpRules> {
    let quiet = Shell::new(None, true, 0);
    crate::changelog::cliff::bump::rules(repo.workdir(), &quiet)
        .ok()
        .flatten()
}

impl Reading {
    /// `Analyzing …` lines: one member as before (`3 commits since v0.1.0:
    /// patch`), several as one line each for those with changes.
    pub(super) fn report(&self, shell: &Shell) {
        if let Some(path) = &self.cliff {
            shell.status(
                "Using",
                format_args!("the [bump] rules of {}", path.display()),
            );
        }
        self.report_firsts(shell);
        if let [one] = self.members.as_slice() {
            shell.status(
                "Analyzing",
                format_args!("{}: {}", range(one), one.level.as_str()),
            );
            if one.implied.raw == Bump::None {
                let since = one
                    .last
                    .as_ref()
                    .map_or("the first commit", |t| t.name.as_str());
                shell.note(format_args!(
                    "no feature, fix or breaking change since {since}: nothing to release"
                ));
            }
            return;
        }
        for m in self.members.iter().filter(|m| m.changed()) {
            shell.status(
                "Analyzing",
                format_args!("{}: {}: {}", m.name, range(m), m.level.as_str()),
            );
        }
        let quiet = self
            .members
            .iter()
            .filter(|m| m.level == Bump::None)
            .count();
        if quiet > 0 {
            shell.note(format_args!(
                "{} no feature, fix or breaking change since {} last release",
                count(quiet, "package has", "packages have"),
                if quiet == 1 { "its" } else { "their" }
            ));
        }
    }
}

impl Reading {
    /// What `initial_tag` does to the members never released.
    fn report_firsts(&self, shell: &Shell) {
        let Some(tag) = &self.initial_tag else {
            return;
        };
        let never = self
            .members
            .iter()
            .filter(|m| m.last.is_none() && m.changed());
        for m in never {
            match self.firsts.get(&m.index) {
                Some(v) if *v == m.version => shell.note(format_args!(
                    "{}: no release tag yet, and Cargo.toml already has {v}, the first release `initial_tag = \"{tag}\"` names: the version stays",
                    m.name
                )),
                Some(v) => shell.status(
                    "First",
                    format_args!("release of {}: {v} (initial_tag = \"{tag}\")", m.name),
                ),
                None if m.level != Bump::None => shell.note(format_args!(
                    "{}: `initial_tag = \"{tag}\"` is below its version {} in Cargo.toml; its first release counts from {}",
                    m.name, m.version, m.version
                )),
                None => {}
            }
        }
    }
}

/// `3 commits since v0.1.0`, or for a member never released the whole
/// history.
fn range(m: &MemberChange) -> String {
    let found = count(m.count, "commit", "commits");
    match &m.last {
        Some(tag) => format!("{found} since {}", tag.name),
        None => format!("{found}: no release tag, so the whole history"),
    }
}
