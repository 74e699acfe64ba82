//! The plan of `cargo ship crates`: the selected packages in dependency
//! order (path dependencies first; dev-dependencies do not order, so their
//! cycles are allowed as cargo allows them), each to publish or skipped
//! with its reason, looked up in the registry's index in parallel; a
//! version below the registry's newest is warned about; path dependencies
//! going to another registry than crates.io without naming it are found.

use std::collections::BTreeSet;
use std::path::PathBuf;

use cargo_metadata::{DependencyKind, Metadata};
use semver::Version;

use crate::error::{Error, Result};
use crate::registry::index::Index;
use crate::workspace::{Selection, Workspace};

/// Why a package is not published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    /// `name@version` is in the index already.
    Published {
        /// It was yanked since.
        yanked: bool,
    },
    /// `publish = false`.
    PublishFalse,
    /// `publish = [...]` does not name this registry.
    OtherRegistries(Vec<String>),
    /// `name@version` is in the index, but its contents are not what
    /// `cargo package` makes now: someone else's crate, or a forgotten bump.
    /// It stops the run before any upload.
    OtherContents {
        /// The SHA-256 of the local `.crate`.
        local: String,
        /// The index's checksum of the published one.
        published: String,
    },
    /// The registry's owners API says the name belongs to others. It
    /// stops the run before any upload.
    NotOwner {
        /// The owners' logins.
        owners: Vec<String>,
        /// Whom the token belongs to.
        login: String,
    },
}

impl Skip {
    /// The reason in words.
    pub fn reason(&self) -> String {
        match self {
            Skip::Published { yanked: false } => "already published".into(),
            Skip::Published { yanked: true } => "already published (yanked)".into(),
            Skip::PublishFalse => "publish = false".into(),
            Skip::OtherRegistries(r) if r.is_empty() => "publish = []".into(),
            Skip::OtherRegistries(r) => format!("publish = [\"{}\"]", r.join("\", \"")),
            Skip::OtherContents { .. } => "published with other contents".into(),
            Skip::NotOwner { owners, .. } => format!("owned by others ({})", owners.join(", ")),
        }
    }

    /// Whether it stops the run before any upload.
    pub fn blocks(&self) -> bool {
        matches!(self, Skip::OtherContents { .. } | Skip::NotOwner { .. })
    }
}

/// One package of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: Version,
    /// Its manifest.
    pub manifest_path: PathBuf,
    /// The selected packages it needs in the registry first (normal and
    /// build path dependencies).
    pub needs: Vec<String>,
    /// `None` to publish it, else why not.
    pub skip: Option<Skip>,
    /// The index's checksum of this version, when it is listed.
    pub cksum: Option<String>,
    /// Whether the index has any version of this name.
    pub known: bool,
    /// Its path dependencies that name no registry but go to this one
    /// (not crates.io) in the same run: packaged from a copy in which
    /// they name it.
    pub routed: Vec<String>,
    /// What the plan warns about (a version below the registry's newest).
    pub warnings: Vec<String>,
}

/// The selected packages, in publishing order, with their lookups done.
///
/// # Errors
/// A selection that names no package, a cycle of path dependencies, or an
/// index that cannot be read.
pub fn plan(
    meta: &Metadata,
    ws: &Workspace,
    selection: &Selection,
    index: &Index,
) -> Result<Vec<Step>> {
    let picked: Vec<&str> = ws
        .select(selection)?
        .into_iter()
        .map(|i| ws.members[i].name.as_str())
        .collect();
    let mut steps: Vec<Step> = picked
        .iter()
        .filter_map(|name| meta.packages.iter().find(|p| p.name.as_str() == *name))
        .map(|p| {
            let needs = p
                .dependencies
                .iter()
                .filter(|d| d.path.is_some() && d.kind != DependencyKind::Development)
                .map(|d| d.name.clone())
                .filter(|n| picked.contains(&n.as_str()))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            Step {
                name: p.name.to_string(),
                version: p.version.clone(),
                manifest_path: p.manifest_path.clone().into_std_path_buf(),
                needs,
                skip: restriction(p.publish.as_deref(), index.registry.name.as_deref()),
                cksum: None,
                known: false,
                routed: Vec::new(),
                warnings: Vec::new(),
            }
        })
        .collect();
    steps = order(steps)?;
    look_up(&mut steps, index)?;
    if !index.registry.is_crates_io() {
        route(&mut steps, meta, index.registry.name.as_deref())?;
    }
    Ok(steps)
}

/// On a registry other than crates.io: each package's path dependencies
/// that name no registry but go to this registry in the same run
/// (published or to publish here). cargo takes them for crates.io ones;
/// the workspace is then packaged from a copy in which they name this
/// registry (see [`super::shadow`]). With `--index` (no registry name to
/// write) that cannot be done: an error says what to add.
fn route(steps: &mut [Step], meta: &Metadata, registry: Option<&str>) -> Result<()> {
    let here: Vec<String> = steps
        .iter()
        .filter(|s| {
            s.skip
                .as_ref()
                .is_none_or(|k| matches!(k, Skip::Published { .. }))
        })
        .map(|s| s.name.clone())
        .collect();
    for step in steps.iter_mut().filter(|s| s.skip.is_none()) {
        let Some(p) = meta.packages.iter().find(|p| p.name.as_str() == step.name) else {
            continue;
        };
        // A path dependency without a version is not published (cargo
        // drops such dev-dependencies).
        step.routed = p
            .dependencies
            .iter()
            .filter(|d| d.path.is_some() && d.req != semver::VersionReq::STAR)
            .filter(|d| d.registry.is_none() && here.contains(&d.name))
            .map(|d| d.name.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
    }
    let unnamed: Vec<String> = steps
        .iter()
        .flat_map(|s| s.routed.iter().map(move |d| format!("{} -> {d}", s.name)))
        .collect();
    if registry.is_some() || unnamed.is_empty() {
        return Ok(());
    }
    Err(Error::Conflict {
        message: format!(
            "path dependencies name no registry, so cargo takes them for crates.io ones, but they go to the --index registry in this run: {}",
            unnamed.join(", ")
        ),
        help: "name the registry in .cargo/config.toml ([registries.NAME] index = \"…\") and publish with --registry NAME, or add `registry = \"NAME\"` to these dependencies".into(),
    })
}

/// `publish = false` or a list without this registry.
pub(super) fn restriction(publish: Option<&[String]>, registry: Option<&str>) -> Option<Skip> {
    let allowed = publish?;
    if allowed.is_empty() {
        return Some(Skip::PublishFalse);
    }
    match registry {
        Some(r) if allowed.iter().any(|a| a == r) => None,
        _ => Some(Skip::OtherRegistries(allowed.to_vec())),
    }
}

/// Kahn's order: a package after everything it needs, ties in workspace
/// order.
fn order(mut rest: Vec<Step>) -> Result<Vec<Step>> {
    let mut out: Vec<Step> = Vec::with_capacity(rest.len());
    while !rest.is_empty() {
        let ready = rest
            .iter()
            .position(|s| s.needs.iter().all(|n| out.iter().any(|o| &o.name == n)));
        let Some(i) = ready else {
            let names: Vec<&str> = rest.iter().map(|s| s.name.as_str()).collect();
            return Err(Error::Conflict {
                message: format!("path dependencies form a cycle among: {}", names.join(", ")),
                help: "cargo allows cycles only through dev-dependencies".into(),
            });
        };
        out.push(rest.remove(i));
    }
    Ok(out)
}

/// The index look-ups of the packages not skipped yet, several at once.
fn look_up(steps: &mut [Step], index: &Index) -> Result<()> {
    let todo: Vec<usize> = (0..steps.len())
        .filter(|&i| steps[i].skip.is_none())
        .collect();
    let workers = todo.len().clamp(1, 16);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&i) = todo.get(k) else { break };
                    let found = index.versions(&steps[i].name);
                    if let Ok(mut r) = results.lock() {
                        r.push((i, found));
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    for (i, found) in results {
        let listed = found?;
        let step = &mut steps[i];
        step.known = !listed.is_empty();
        if let Some(l) = listed.iter().find(|l| l.version == step.version) {
            step.skip = Some(Skip::Published { yanked: l.yanked });
            step.cksum = Some(l.cksum.clone());
        } else if let Some(newest) = newest(&listed).filter(|n| **n > step.version) {
            step.warnings.push(format!(
                "the registry's newest is {newest}: someone else's crate, or a forgotten bump?"
            ));
        }
    }
    Ok(())
}

/// The newest version listed that is not yanked (else the newest).
fn newest(listed: &[crate::registry::index::Listed]) -> Option<&Version> {
    let max = |yanked_too: bool| {
        listed
            .iter()
            .filter(|l| yanked_too || !l.yanked)
            .map(|l| &l.version)
            .max()
    };
    max(false).or_else(|| max(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, needs: &[&str]) -> Step {
        Step {
            name: name.into(),
            version: Version::new(0, 1, 0),
            manifest_path: PathBuf::new(),
            needs: needs.iter().map(|s| s.to_string()).collect(),
            skip: None,
            cksum: None,
            known: false,
            routed: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn names(steps: &[Step]) -> Vec<&str> {
        steps.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn dependencies_go_first_ties_keep_workspace_order() {
        type Case<'a> = (&'a [(&'a str, &'a [&'a str])], &'a [&'a str]);
        let table: [Case<'_>; 4] = [
            (&[("a", &[]), ("b", &[])], &["a", "b"]),
            (&[("app", &["core"]), ("core", &[])], &["core", "app"]),
            (
                &[("d", &["b", "c"]), ("c", &["a"]), ("b", &["a"]), ("a", &[])],
                &["a", "c", "b", "d"],
            ),
            (
                &[("x", &["y"]), ("y", &["z"]), ("z", &[])],
                &["z", "y", "x"],
            ),
        ];
        for (input, want) in table {
            let steps = input.iter().map(|(n, d)| step(n, d)).collect();
            assert_eq!(names(&order(steps).unwrap()), want);
        }
    }

    #[test]
    fn a_cycle_is_an_error() {
        let steps = vec![step("a", &["b"]), step("b", &["a"])];
        assert!(order(steps).is_err());
    }

    #[test]
    fn publish_restrictions() {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(restriction(None, Some("crates-io")), None);
        assert_eq!(
            restriction(Some(&[]), Some("crates-io")),
            Some(Skip::PublishFalse)
        );
        assert_eq!(restriction(Some(&list(&["local"])), Some("local")), None);
        assert_eq!(
            restriction(Some(&list(&["other"])), Some("local")),
            Some(Skip::OtherRegistries(list(&["other"])))
        );
        assert!(restriction(Some(&list(&["local"])), None).is_some());
    }
}
