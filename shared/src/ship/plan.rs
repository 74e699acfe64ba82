//! The plan of `cargo ship crates`: the selected packages in dependency
//! order (path dependencies first; dev-dependencies do not order, so their
//! cycles are allowed as cargo allows them), each to publish or skipped
//! with its reason, looked up in the registry's index in parallel.

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
        }
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
            }
        })
        .collect();
    steps = order(steps)?;
    look_up(&mut steps, index)?;
    Ok(steps)
}

/// `publish = false` or a list without this registry.
fn restriction(publish: Option<&[String]>, registry: Option<&str>) -> Option<Skip> {
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
        if let Some(l) = listed.iter().find(|l| l.version == steps[i].version) {
            steps[i].skip = Some(Skip::Published { yanked: l.yanked });
        }
    }
    Ok(())
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
