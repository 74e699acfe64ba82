//! Deciding each selected package's new version, including members that
//! inherit `[workspace.package] version`.

use std::cmp::Ordering;

use semver::Version;

use super::{Manifests, Options, PackageBump, Unchanged, WorkspaceBump, conflict};
use crate::edit::Edit;
use crate::error::{Error, Result};
use crate::manifest::VersionKey;
use crate::paths::under;
use crate::version::{self, BumpSpec, Implied, Level, Target};
use crate::workspace::{Workspace, glob_match};

/// The versions a bump changes and the manifest edits that change them.
#[derive(Default)]
pub(super) struct Decided {
    pub(super) packages: Vec<PackageBump>,
    pub(super) unchanged: Vec<Unchanged>,
    /// Selected members without a `version` key, skipped.
    pub(super) unversioned: Vec<String>,
    pub(super) workspace: Option<(WorkspaceBump, Edit)>,
    /// (index into `Manifests::list`, edit)
    pub(super) version_edits: Vec<(usize, Edit)>,
}

pub(super) fn decide(
    ws: &Workspace,
    manifests: &Manifests,
    selected: &[usize],
    opts: &Options,
) -> Result<Decided> {
    let mut d = Decided::default();
    let mut bumped: Vec<(usize, PackageBump)> = Vec::new();
    let mut inherit = false;
    for &i in selected {
        let m = manifests.member(i);
        let name = ws.members[i].name.to_string();
        match m.package_version()? {
            VersionKey::Own(from, value) => {
                let to = next_from(
                    &name,
                    &from,
                    base_for(opts, &[i]),
                    &spec_for(opts, &[i]),
                    opts,
                )?;
                if to == from {
                    d.unchanged.push(Unchanged {
                        name,
                        version: from,
                    });
                    continue;
                }
                d.version_edits
                    .push((manifests.member[i], m.string_edit(&value, &to.to_string())));
                let manifest = under(&ws.root, &m.path);
                bumped.push((
                    i,
                    PackageBump {
                        name,
                        manifest,
                        from,
                        to,
                        inherited: false,
                        why: None,
                        tag: None,
                        index: i,
                    },
                ));
            }
            VersionKey::Inherited => inherit = true,
            // Valid since Cargo 1.75: version 0.0.0, not publishable. Part
            // of a wider selection it is skipped; named, or alone, an error.
            VersionKey::Missing if selected.len() > 1 && !named(&opts.selection, &name) => {
                d.unversioned.push(name);
            }
            VersionKey::Missing => {
                let help = "add `version = \"0.1.0\"` (or `version.workspace = true`) under [package], or leave the package out";
                return Err(m.invalid(
                    m.table_span(&["package"]),
                    format!("package `{name}` has no `version` (cargo takes it as 0.0.0, not publishable): there is nothing to bump"),
                    Some(help.into()),
                ));
            }
        }
    }
    if inherit {
        inherited(ws, manifests, opts, &mut d, &mut bumped)?;
    }
    bumped.sort_by_key(|(i, _)| *i);
    d.packages = bumped.into_iter().map(|(_, p)| p).collect();
    Ok(d)
}

/// Whether `name` was asked for by its own name (`-p name`), not through
/// `--workspace`, a glob or the default members.
fn named(selection: &crate::workspace::Selection, name: &str) -> bool {
    !selection.workspace
        && selection
            .packages
            .iter()
            .any(|spec| spec.split_once('@').map_or(spec.as_str(), |(n, _)| n) == name)
}

/// An `--exclude`d member among those that inherit the workspace version
/// cannot keep its version: they share one.
fn refuse_excluded(ws: &Workspace, inheriting: &[usize], opts: &Options) -> Result<()> {
    let excluded: Vec<&str> = inheriting
        .iter()
        .map(|&i| ws.members[i].name.as_str())
        .filter(|name| {
            opts.selection
                .exclude
                .iter()
                .any(|spec| glob_match(spec, name))
        })
        .collect();
    if !opts.selection.workspace || excluded.is_empty() {
        return Ok(());
    }
    let verb = if excluded.len() == 1 {
        "inherits"
    } else {
        "inherit"
    };
    Err(conflict(
        format!(
            "`{}` {verb} the workspace version, which this bump changes for every inheriting member",
            excluded.join("`, `")
        ),
        "members that inherit `version.workspace = true` always share one version: drop the --exclude, or give them their own `version`",
    ))
}

/// Bump `[workspace.package] version` once; every inheriting member follows.
fn inherited(
    ws: &Workspace,
    manifests: &Manifests,
    opts: &Options,
    d: &mut Decided,
    bumped: &mut Vec<(usize, PackageBump)>,
) -> Result<()> {
    let root = manifests.root();
    let Some((from, value)) = root.workspace_version()? else {
        let help = "add `version = \"…\"` under [workspace.package]";
        let message = "members inherit the version (`version.workspace = true`) but [workspace.package] has no `version`";
        return Err(root.invalid(
            root.table_span(&["workspace", "package"])
                .or_else(|| root.table_span(&["workspace"])),
            message.into(),
            Some(help.into()),
        ));
    };
    let inheriting: Vec<usize> = (0..ws.members.len())
        .filter(|&i| {
            matches!(
                manifests.member(i).package_version(),
                Ok(VersionKey::Inherited)
            )
        })
        .collect();
    refuse_excluded(ws, &inheriting, opts)?;
    let to = next_from(
        "workspace.package",
        &from,
        base_for(opts, &inheriting),
        &spec_for(opts, &inheriting),
        opts,
    )?;
    for i in inheriting {
        let name = ws.members[i].name.to_string();
        if to == from {
            d.unchanged.push(Unchanged {
                name,
                version: from.clone(),
            });
            continue;
        }
        let manifest = under(&ws.root, manifests.member(i).path.as_path());
        let (from, to) = (from.clone(), to.clone());
        bumped.push((
            i,
            PackageBump {
                name,
                manifest,
                from,
                to,
                inherited: true,
                why: None,
                tag: None,
                index: i,
            },
        ));
    }
    if to != from {
        let edit = root.string_edit(&value, &to.to_string());
        d.workspace = Some((WorkspaceBump { from, to }, edit));
    }
    Ok(())
}

/// What `members` (indexes) are bumped by: the request, or with `auto` the
/// highest level their histories imply (several members: those sharing
/// the workspace version).
fn spec_for(opts: &Options, members: &[usize]) -> BumpSpec {
    let (Some(levels), Target::Level(Level::Auto(None))) = (&opts.levels, &opts.spec.target) else {
        return opts.spec.clone();
    };
    if let [one] = members
        && let Some(first) = opts.firsts.get(one)
    {
        return BumpSpec {
            target: Target::Version(first.clone()),
            ..opts.spec.clone()
        };
    }
    let implied =
        members
            .iter()
            .filter_map(|i| levels.get(i))
            .fold(Implied::default(), |acc, l| Implied {
                raw: acc.raw.max(l.raw),
                features_always_minor: acc.features_always_minor || l.features_always_minor,
                exact: acc.exact || l.exact,
            });
    BumpSpec {
        target: Target::Level(Level::Auto(Some(implied))),
        ..opts.spec.clone()
    }
}

/// The highest last-release version `members` are behind, with `auto`.
fn base_for(opts: &Options, members: &[usize]) -> Option<Version> {
    members
        .iter()
        .filter_map(|i| opts.bases.get(i))
        .max()
        .cloned()
}

/// The new version of `name` under `spec`, counted from `base` (a release
/// tag's version) when the manifest's `from` is behind it; unchanged when
/// the spec calls for no release.
fn next_from(
    name: &str,
    from: &Version,
    base: Option<Version>,
    spec: &BumpSpec,
    opts: &Options,
) -> Result<Version> {
    let Some(base) = base.filter(|b| b.cmp_precedence(from) == Ordering::Greater) else {
        return next(name, from, spec, opts);
    };
    let to = next(name, &base, spec, opts)?;
    Ok(if to == base { from.clone() } else { to })
}

/// The new version of `name` under `spec`, refusing a downgrade unless allowed.
fn next(name: &str, from: &Version, spec: &BumpSpec, opts: &Options) -> Result<Version> {
    let to = version::bump(from, spec).map_err(|source| Error::Bump {
        package: name.to_string(),
        current: from.clone(),
        source,
    })?;
    if to.cmp_precedence(from) == Ordering::Less && !opts.allow_downgrade {
        return Err(Error::Downgrade {
            package: name.to_string(),
            current: from.clone(),
            requested: to,
        });
    }
    Ok(to)
}
