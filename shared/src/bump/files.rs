//! Staging every file edit of a bump: manifests (versions and dependents'
//! requirements), Cargo.lock, and declared extra-file replacements.

use super::{
    LockfileChange, Manifests, Options, Plan, ReplacementDone, RequirementChange, conflict,
};
use crate::edit::{Edit, splice};
use crate::error::Result;
use crate::lockfile::{self, Bumps};
use crate::manifest::Manifest;
use crate::paths::under;
use crate::replace;
use crate::requirement::{self, Policy};
use crate::template::today;
use crate::workspace::Workspace;

pub(super) fn stage(
    plan: &mut Plan,
    ws: &Workspace,
    manifests: &Manifests,
    version_edits: &[(usize, Edit)],
    workspace_edit: Option<Edit>,
    opts: &Options,
) -> Result<()> {
    let mut edits: Vec<Vec<Edit>> = vec![Vec::new(); manifests.list.len()];
    for (i, edit) in version_edits {
        edits[*i].push(edit.clone());
    }
    edits[manifests.root].extend(workspace_edit);
    let bumps: Bumps = plan
        .packages
        .iter()
        .map(|p| (p.name.clone(), (p.from.clone(), p.to.clone())))
        .collect();
    // `[patch.<registry>] core = { path = "core" }` makes every registry
    // dependency on `core` a dependency on the member.
    let patched: Vec<String> = manifests
        .root()
        .dependencies()
        .into_iter()
        .filter(|d| d.table.starts_with("patch.") && d.has_path && bumps.contains_key(&d.package))
        .map(|d| d.package)
        .collect();
    for (m, edits) in manifests.list.iter().zip(edits.iter_mut()) {
        let follows = Follows {
            bumps: &bumps,
            patched: &patched,
        };
        plan.dependents
            .extend(dependents(ws, m, &follows, opts.policy, edits)?);
    }
    let root_edits = &mut edits[manifests.root];
    plan.dependents
        .extend(replace_keys(ws, manifests.root(), &bumps, root_edits));
    for (m, edits) in manifests.list.iter().zip(&edits) {
        if !edits.is_empty() {
            plan.tx.remember(&m.path, m.text().as_bytes().to_vec());
            plan.tx.stage(&m.path, splice(m.text(), edits))?;
        }
    }
    super::outside::check(plan, ws, &bumps, opts.policy)?;
    stage_lockfile(plan, ws, &bumps)?;
    stage_replacements(plan, ws, manifests, opts.their_replacements)
}

/// What a dependency must follow: the bumped packages, and the names a
/// `[patch]` redirects to a bumped member.
struct Follows<'a> {
    bumps: &'a Bumps,
    patched: &'a [String],
}

impl Follows<'_> {
    /// The new version `dep` must admit, if it depends on a bumped member:
    /// by path (`[patch]` entries included), or from a registry whose
    /// package a `[patch]` redirects to the member.
    fn new_version(&self, dep: &crate::manifest::Dependency) -> Option<&semver::Version> {
        let (_, new) = self.bumps.get(&dep.package)?;
        let redirected = !dep.has_path && !dep.git && self.patched.contains(&dep.package);
        (dep.has_path || redirected).then_some(new)
    }
}

/// Requirements in `m` on bumped members that must change.
fn dependents(
    ws: &Workspace,
    m: &Manifest,
    follows: &Follows<'_>,
    policy: Policy,
    edits: &mut Vec<Edit>,
) -> Result<Vec<RequirementChange>> {
    let mut changes = Vec::new();
    for dep in m.dependencies() {
        let (Some(new), Some(req)) = (follows.new_version(&dep), dep.req.as_ref()) else {
            continue;
        };
        let rewritten = requirement::rewrite(&req.value, new, policy).map_err(|e| {
            let help = format!(
                "fix the requirement of `{}` by hand, then run the bump again",
                dep.key
            );
            m.invalid(Some(req.span.clone()), e.to_string(), Some(help))
        })?;
        if let Some(to) = rewritten {
            edits.push(m.string_edit(req, &to));
            changes.push(RequirementChange {
                manifest: under(&ws.root, &m.path),
                table: dep.table,
                key: dep.key,
                package: dep.package,
                from: req.value.clone(),
                to,
            });
        }
    }
    Ok(changes)
}

/// `[replace] "core:1.2.3" = { path = "core" }`: the key names the version
/// the member had; it follows the member's new one.
fn replace_keys(
    ws: &Workspace,
    root: &Manifest,
    bumps: &Bumps,
    edits: &mut Vec<Edit>,
) -> Vec<RequirementChange> {
    let mut changes = Vec::new();
    for entry in root.replace_entries() {
        let Some((old, new)) = bumps.get(&entry.package) else {
            continue;
        };
        if entry.path.is_none() || semver::Version::parse(&entry.version).ok().as_ref() != Some(old)
        {
            continue;
        }
        let to = format!("{}:{new}", entry.package);
        edits.push(root.string_edit(&entry.key, &to));
        changes.push(RequirementChange {
            manifest: under(&ws.root, &root.path),
            table: "replace".into(),
            key: entry.package.clone(),
            package: entry.package,
            from: entry.key.value,
            to,
        });
    }
    changes
}

fn stage_lockfile(plan: &mut Plan, ws: &Workspace, bumps: &Bumps) -> Result<()> {
    let path = ws.root.join("Cargo.lock");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(crate::error::Error::io("read", &path, e)),
    };
    let planned = lockfile::plan(&path, &text, bumps)?;
    if planned.edits.is_empty() {
        return Ok(());
    }
    plan.tx.remember(&path, text.as_bytes().to_vec());
    plan.tx.stage(&path, splice(&text, &planned.edits))?;
    plan.lockfile = Some(LockfileChange {
        path: under(&ws.root, &path),
        packages: planned.packages,
        references: planned.references,
    });
    Ok(())
}

fn stage_replacements(
    plan: &mut Plan,
    ws: &Workspace,
    manifests: &Manifests,
    theirs: bool,
) -> Result<()> {
    let date = today();
    let packages = plan.packages.clone();
    let imported = if theirs {
        crate::release::imported::Imported::load_parsed(ws, &|i| Some(manifests.member(i)))?
    } else {
        crate::release::imported::Imported::default()
    };
    for p in &packages {
        let m = manifests.member(p.index);
        let (from, to) = (p.from.to_string(), p.to.to_string());
        let vars = [
            ("version", to.as_str()),
            ("prev_version", &from),
            ("crate", &p.name),
            ("date", &date),
        ];
        let theirs = imported.of(&p.name).replacements;
        let theirs = theirs
            .into_iter()
            .filter(|r| r.prerelease || p.to.pre.is_empty());
        for r in replace::load(m, &["package", "metadata", "bump"])?
            .into_iter()
            .chain(theirs)
        {
            let matches = replace::apply(&r, &vars, &mut plan.tx)?;
            let file = under(&ws.root, &r.file);
            plan.replacements.push(ReplacementDone {
                file,
                matches,
                package: Some(p.name.clone()),
            });
        }
    }
    let declared = replace::load(manifests.root(), &["workspace", "metadata", "bump"])?;
    if declared.is_empty() {
        return Ok(());
    }
    let (from, to) = one_version(plan)?;
    let single = (packages.len() == 1).then(|| packages[0].name.clone());
    let mut vars = vec![
        ("version", to.as_str()),
        ("prev_version", from.as_str()),
        ("date", date.as_str()),
    ];
    if let Some(name) = &single {
        vars.push(("crate", name));
    }
    for r in declared {
        let matches = replace::apply(&r, &vars, &mut plan.tx)?;
        let file = under(&ws.root, &r.file);
        plan.replacements.push(ReplacementDone {
            file,
            matches,
            package: None,
        });
    }
    Ok(())
}

/// The one (from, to) version pair workspace-level replacements use.
fn one_version(plan: &Plan) -> Result<(String, String)> {
    if let Some(w) = &plan.workspace_version {
        return Ok((w.from.to_string(), w.to.to_string()));
    }
    let first = &plan.packages[0];
    if plan
        .packages
        .iter()
        .all(|p| p.from == first.from && p.to == first.to)
    {
        return Ok((first.from.to_string(), first.to.to_string()));
    }
    Err(conflict(
        "[workspace.metadata.bump] replacements need one version, but this bump gives packages different versions".into(),
        "move the replacement to the [package.metadata.bump] of the package it belongs to",
    ))
}
