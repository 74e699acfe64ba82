//! `cargo bump auto`: each selected member bumped by the level its own
//! Conventional Commits since its own last release imply (its files, its
//! `<name>-v*` tags if it has any: what `git changelog -p <name> --bump`
//! says), read for all members in one walk. Members that share the
//! workspace version move together by the highest level among them. With
//! `--cascade patch`, a member whose requirement no longer admits a bumped
//! dependency is released too.

use std::collections::BTreeMap;
use std::path::Path;

use semver::{Version, VersionReq};

use super::reading::Reading;
use super::{Cascade, Options, Plan, Why};
use crate::error::Result;
use crate::release::Settings;
use crate::release::changed::MemberChange;
use crate::term::Shell;
use crate::version::{Bump, Implied, Level, Target};
use crate::workspace::Workspace;

/// Whether `opts` asks for `auto`.
pub(super) fn is_auto(opts: &Options) -> bool {
    opts.spec.target == Target::Level(Level::Auto(None))
}

/// The plan: each member at its level, then (with `--cascade patch`) the
/// dependents whose requirements the new versions leave, until none is
/// left; every released package says why and gets its tag name.
pub(super) fn plan(
    ws: &Workspace,
    opts: &Options,
    reading: &Reading,
    shell: &Shell,
) -> Result<Plan> {
    let mut levels: BTreeMap<usize, Implied> = reading
        .members
        .iter()
        .map(|m| (m.index, m.implied))
        .collect();
    let mut follows: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let api = if opts.check_api || reading.settings.check_api {
        check_api(ws, reading, &mut levels, shell)?
    } else {
        BTreeMap::new()
    };
    loop {
        // Commit and tags wait for the changelogs.
        let resolved = Options {
            levels: Some(levels.clone()),
            bases: behind(reading),
            firsts: reading.firsts.clone(),
            git: super::GitOptions::default(),
            ..opts.clone()
        };
        let mut plan = super::plan(ws, &resolved)?;
        let moved = if opts.cascade == Cascade::Patch {
            left_behind(ws, &plan)
        } else {
            Vec::new()
        };
        // Only members the selection holds can be released.
        let mut grew = false;
        for (member, dependency) in moved {
            if !reading.members.iter().any(|m| m.index == member) {
                continue;
            }
            let level = levels.entry(member).or_default();
            level.raw = level.raw.max(Bump::Patch);
            let list = follows.entry(member).or_default();
            if !list.contains(&dependency) {
                list.push(dependency);
                grew = true;
            }
        }
        if !grew {
            explain(&mut plan, reading, &follows, opts)?;
            for p in &mut plan.packages {
                if let (Some(why), Some(reason)) = (p.why.as_mut(), api.get(&p.index)) {
                    why.api = Some(reason.clone());
                }
            }
            if opts.changelog && !plan.packages.is_empty() {
                super::changelogs::stage(
                    &mut plan,
                    ws,
                    reading,
                    &follows,
                    opts.combined_changelog,
                    shell,
                )?;
            }
            plan.sign = opts.git.sign;
            plan.files = plan
                .tx
                .changes()
                .map(|c| crate::paths::under(&ws.root, c.path))
                .collect();
            super::release::prepare(&mut plan, &opts.git)?;
            return Ok(plan);
        }
    }
}

/// `cargo semver-checks` of every member with a release tag against it:
/// a level the API needs above the commits' is taken, and its reason kept.
fn check_api(
    ws: &Workspace,
    reading: &Reading,
    levels: &mut BTreeMap<usize, Implied>,
    shell: &Shell,
) -> Result<BTreeMap<usize, String>> {
    let mut reasons = BTreeMap::new();
    for m in &reading.members {
        let Some(tag) = &m.last else {
            shell.note(format_args!(
                "{}: no release tag yet, so no API to compare with; not checked",
                m.name
            ));
            continue;
        };
        shell.status(
            "Checking",
            format_args!("the API of {} against {}", m.name, tag.name),
        );
        let verdict =
            crate::release::api::check(&ws.root_manifest, &m.name, &m.version, &tag.name)?;
        let level = levels.entry(m.index).or_default();
        if verdict.needs > level.raw {
            let said = level.for_version(&m.version);
            let reason = verdict.reason(said);
            shell.status("API", format_args!("{}: {reason}", m.name));
            level.raw = verdict.needs;
            reasons.insert(m.index, reason);
        }
    }
    Ok(reasons)
}

/// Members not released by `plan` whose requirement on a package it
/// releases no longer admits the new version: (member, that package).
/// Development dependencies do not count; a requirement in
/// `[workspace.dependencies]` counts for the members that inherit it.
fn left_behind(ws: &Workspace, plan: &Plan) -> Vec<(usize, String)> {
    let released: BTreeMap<&str, &Version> = plan
        .packages
        .iter()
        .map(|p| (p.name.as_str(), &p.to))
        .collect();
    let bumped: Vec<usize> = plan.packages.iter().map(|p| p.index).collect();
    let mut out = Vec::new();
    for change in &plan.dependents {
        let Some(new) = released.get(change.package.as_str()) else {
            continue;
        };
        let admitted = VersionReq::parse(&change.from).is_ok_and(|r| r.matches(new));
        if admitted || change.table.contains("dev-dependencies") {
            continue;
        }
        for member in dependents_of(ws, &plan.root, change) {
            if !bumped.contains(&member) && !out.contains(&(member, change.package.clone())) {
                out.push((member, change.package.clone()));
            }
        }
    }
    out
}

/// The members a rewritten requirement belongs to: the member whose
/// manifest it is in, or for `[workspace.dependencies]` the members that
/// inherit that dependency outside their development dependencies.
fn dependents_of(ws: &Workspace, root: &Path, change: &super::RequirementChange) -> Vec<usize> {
    let manifest = root.join(&change.manifest);
    if change.table == "workspace.dependencies" {
        return (0..ws.members.len())
            .filter(|&i| {
                crate::manifest::Manifest::load(&ws.members[i].manifest_path).is_ok_and(|m| {
                    m.dependencies().iter().any(|d| {
                        d.inherits && d.key == change.key && !d.table.contains("dev-dependencies")
                    })
                })
            })
            .collect();
    }
    if change.table.starts_with("patch.") || change.table.starts_with("replace") {
        return Vec::new();
    }
    (0..ws.members.len())
        .filter(|&i| ws.members[i].manifest_path == manifest)
        .collect()
}

/// Give every released package its reason and its tag name.
fn explain(
    plan: &mut Plan,
    reading: &Reading,
    follows: &BTreeMap<usize, Vec<String>>,
    opts: &Options,
) -> Result<()> {
    let tags = super::release::tag_names(plan, &opts.git)?;
    for (p, tag) in plan.packages.iter_mut().zip(tags) {
        let member = reading.members.iter().find(|m| m.index == p.index);
        let ahead = member
            .and_then(|m| m.last.as_ref())
            .filter(|t| t.version.cmp_precedence(&p.from) == std::cmp::Ordering::Greater);
        let level = level_of(ahead.map_or(&p.from, |t| &t.version), &p.to);
        p.why = Some(Why {
            level,
            commits: member.map_or(0, |m| m.count),
            breaking: member.map_or(0, |m| breaking(m, &reading.settings)),
            last_release: member.and_then(|m| m.last.as_ref().map(|t| t.name.clone())),
            dependencies: follows.get(&p.index).cloned().unwrap_or_default(),
            api: None,
            behind: ahead.map(|t| t.name.clone()),
        });
        p.tag = Some(tag);
    }
    Ok(())
}

fn breaking(m: &MemberChange, settings: &Settings) -> usize {
    crate::commits::classify(&m.commits, false, &settings.types())
        .iter()
        .filter(|(_, c)| c.breaking)
        .count()
}

/// The members whose manifest version is behind their last release tag,
/// with the tag's version.
fn behind(reading: &Reading) -> BTreeMap<usize, Version> {
    reading
        .members
        .iter()
        .filter_map(|m| {
            let tag = m.last.as_ref()?;
            (tag.version.cmp_precedence(&m.version) == std::cmp::Ordering::Greater)
                .then(|| (m.index, tag.version.clone()))
        })
        .collect()
}

/// The level that took `from` to `to`.
fn level_of(from: &Version, to: &Version) -> Bump {
    if to.major != from.major {
        Bump::Major
    } else if to.minor != from.minor {
        Bump::Minor
    } else {
        Bump::Patch
    }
}
