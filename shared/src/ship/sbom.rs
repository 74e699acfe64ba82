//! `cargo ship sbom`: a CycloneDX 1.5 JSON SBOM of a binary package for a
//! target: the packages compiled into its binaries, as cargo resolves
//! them when it builds that package for that platform (`cargo tree -e
//! normal,no-proc-macro --target T -p PKG`: features unified as for that
//! package alone, no dev or build dependencies, no proc-macros, which run
//! in the compiler and are not linked), each with its name, version, purl
//! (`pkg:cargo/NAME@VERSION`) and license expression (`cargo metadata`)
//! and the SHA-256 of its `.crate` as Cargo.lock records it, and the
//! dependency graph between them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cargo_metadata::{Metadata, MetadataCommand, Package};
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::term::{Shell, print};

/// Everything `cargo ship sbom` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct SbomOptions {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `-p` (repeatable): one SBOM each.
    pub packages: Vec<String>,
    /// `--target` (else the host's).
    pub target: Option<String>,
    /// `-o`: the file, else stdout. Several packages go into one SBOM (the
    /// first one's, for an archive that holds them all), unless `{name}`
    /// in it asks for one file per package.
    pub output: Option<PathBuf>,
}

/// A package as cargo tree names it: (name, version).
pub type Id = (String, String);

/// A package and the packages it depends on.
pub type Node = (Id, BTreeSet<Id>);

/// The dependency graph by purl.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// A component of the SBOM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    /// Package name.
    pub name: String,
    /// Version.
    pub version: String,
    /// `pkg:cargo/…`.
    pub purl: String,
    /// SPDX expression, when the package has one.
    pub license: Option<String>,
    /// SHA-256 of the `.crate` (registry packages).
    pub sha256: Option<String>,
}

/// Write the SBOM of the packages (one, or one per package).
///
/// # Errors
/// cargo metadata or cargo tree fails, a package has no binaries.
pub fn exec(opts: &SbomOptions, shell: &Shell) -> Result<bool> {
    let triple = match &opts.target {
        Some(t) => t.clone(),
        None => super::pack::host_triple()?,
    };
    let meta = resolved_metadata(opts.manifest_path.as_deref(), &triple)?;
    let start = crate::workspace::start_manifest(opts.manifest_path.as_deref());
    let subject = super::image_inputs::subject(&meta, &opts.packages, &[], start.as_deref())?;
    let checksums = lock_checksums(meta.workspace_root.as_std_path());
    let per_package = opts
        .output
        .as_ref()
        .is_some_and(|o| o.to_string_lossy().contains("{name}"));
    let groups: Vec<Vec<&Package>> = if per_package {
        subject.packages.iter().map(|p| vec![*p]).collect()
    } else {
        vec![subject.packages.clone()]
    };
    for group in groups {
        let mut nodes = Vec::new();
        for pkg in &group {
            let version = pkg.version.to_string();
            for node in tree(opts.manifest_path.as_deref(), &pkg.name, &version, &triple)? {
                if !nodes.iter().any(|(n, _)| *n == node.0) {
                    nodes.push(node);
                }
            }
        }
        let (root, components, graph) = components(&meta, &nodes, &checksums)?;
        let doc = document(&root, &components, &graph, &triple, epoch(&meta));
        let text = format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
        let Some(o) = &opts.output else {
            print(&text)?;
            continue;
        };
        let file = PathBuf::from(o.to_string_lossy().replace("{name}", &root.name));
        crate::fs::write_atomic(&file, text.as_bytes())?;
        shell.status(
            "Wrote",
            format_args!(
                "{} ({} {}, {triple}: {})",
                file.display(),
                root.name,
                root.version,
                crate::text::count(components.len(), "component", "components")
            ),
        );
    }
    Ok(true)
}

/// `cargo metadata` with the dependency graph, for one platform.
fn resolved_metadata(manifest_path: Option<&Path>, triple: &str) -> Result<Metadata> {
    let mut cmd = MetadataCommand::new();
    cmd.other_options(vec!["--filter-platform".to_string(), triple.to_string()]);
    if let Some(p) = manifest_path {
        cmd.manifest_path(p);
    }
    crate::workspace::exec_metadata(&cmd)
}

/// The graph of what is compiled into a package's binaries: `cargo tree
/// -e normal,no-proc-macro --target T -p PKG` (cargo's own resolution for
/// that package and platform: features, optional and target-specific
/// dependencies), as (name, version) pairs, each with the pairs it
/// depends on; the package first.
///
/// # Errors
/// cargo tree fails.
pub fn tree(
    manifest_path: Option<&Path>,
    package: &str,
    version: &str,
    triple: &str,
) -> Result<Vec<Node>> {
    let mut cmd = std::process::Command::new(crate::verify_install::package::cargo());
    cmd.args([
        "tree",
        "-e",
        "normal,no-proc-macro",
        "--target",
        triple,
        "--prefix",
        "depth",
        "--format",
        "{p}",
        "--color",
        "never",
        "-p",
    ])
    .arg(format!("{package}@{version}"));
    if let Some(m) = manifest_path {
        cmd.arg("--manifest-path").arg(m);
    }
    let out = cmd
        .output()
        .map_err(|e| Error::io("run", "cargo tree", e))?;
    if !out.status.success() {
        return Err(Error::Command {
            program: "cargo tree".into(),
            message: format!("listing what {package} compiles in failed"),
            output: String::from_utf8_lossy(&out.stderr).into_owned(),
            help: None,
        });
    }
    Ok(parse_tree(&String::from_utf8_lossy(&out.stdout)))
}

/// `cargo tree --prefix depth --format {p}` lines (`3name v1.2.3 (source)`,
/// `(*)` on repeats) into (name, version) nodes and their edges, in order
/// of first appearance.
fn parse_tree(text: &str) -> Vec<Node> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut path: Vec<Id> = Vec::new();
    for line in text.lines() {
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(depth) = line[..digits].parse::<usize>() else {
            continue;
        };
        let mut words = line[digits..].split_whitespace();
        let (Some(name), Some(version)) = (words.next(), words.next()) else {
            continue;
        };
        let id = (
            name.to_string(),
            version.trim_start_matches('v').to_string(),
        );
        path.truncate(depth);
        if let Some(parent) = path.last()
            && let Some(entry) = nodes.iter_mut().find(|(n, _)| n == parent)
        {
            entry.1.insert(id.clone());
        }
        if !nodes.iter().any(|(n, _)| *n == id) {
            nodes.push((id.clone(), BTreeSet::new()));
        }
        path.push(id);
    }
    nodes
}

/// The package and its components, with details from `meta`; the graph
/// by purl.
fn components(
    meta: &Metadata,
    nodes: &[Node],
    checksums: &BTreeMap<(String, String), String>,
) -> Result<(Component, Vec<Component>, Graph)> {
    let find = |(name, version): &Id| {
        meta.packages
            .iter()
            .find(|p| p.name.as_str() == name && p.version.to_string() == *version)
            .map(|p| component_of(p, checksums))
            .ok_or_else(|| {
                Error::Metadata(format!(
                    "cargo tree lists {name} {version}, cargo metadata does not"
                ))
            })
    };
    let Some((root, _)) = nodes.first() else {
        return Err(Error::Metadata("cargo tree listed nothing".into()));
    };
    let root = find(root)?;
    let mut list = Vec::new();
    let mut graph = BTreeMap::new();
    for (i, (id, deps)) in nodes.iter().enumerate() {
        let c = find(id)?;
        let on: Result<BTreeSet<String>> = deps.iter().map(|d| find(d).map(|c| c.purl)).collect();
        graph.insert(c.purl.clone(), on?);
        if i > 0 {
            list.push(c);
        }
    }
    list.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    Ok((root, list, graph))
}

fn component_of(p: &Package, checksums: &BTreeMap<(String, String), String>) -> Component {
    let version = p.version.to_string();
    let purl = match p.source.as_ref().map(|s| s.repr.as_str()) {
        Some(s)
            if s.contains("github.com/rust-lang/crates.io-index")
                || s == "sparse+https://index.crates.io/" =>
        {
            format!("pkg:cargo/{}@{version}", p.name)
        }
        Some(s) => format!(
            "pkg:cargo/{}@{version}?repository_url={}",
            p.name,
            percent(
                s.trim_start_matches("registry+")
                    .trim_start_matches("sparse+")
            )
        ),
        None => format!("pkg:cargo/{}@{version}", p.name),
    };
    Component {
        name: p.name.to_string(),
        purl,
        license: p.license.as_ref().map(|l| l.replace('/', " OR ")),
        sha256: checksums
            .get(&(p.name.to_string(), version.clone()))
            .cloned(),
        version,
    }
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Cargo.lock's `checksum` of each registry package, by (name, version).
pub fn lock_checksums(root: &Path) -> BTreeMap<(String, String), String> {
    let Ok(text) = std::fs::read_to_string(root.join("Cargo.lock")) else {
        return BTreeMap::new();
    };
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for p in doc
        .get("package")
        .and_then(|p| p.as_array_of_tables())
        .into_iter()
        .flatten()
    {
        let get = |k: &str| p.get(k).and_then(|v| v.as_str()).map(String::from);
        if let (Some(n), Some(v), Some(c)) = (get("name"), get("version"), get("checksum")) {
            out.insert((n, v), c);
        }
    }
    out
}

/// The release's time: `SOURCE_DATE_EPOCH`, else HEAD's commit time.
fn epoch(meta: &Metadata) -> i64 {
    if let Some(e) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return e;
    }
    crate::git::Repo::discover_any(meta.workspace_root.as_std_path())
        .ok()
        .and_then(|r| r.head().ok().flatten().and_then(|h| r.commit_time(h)))
        .unwrap_or(0)
}

fn component_json(c: &Component, kind: &str) -> Value {
    let mut v = json!({
        "type": kind,
        "bom-ref": c.purl,
        "name": c.name,
        "version": c.version,
        "purl": c.purl,
    });
    if let Some(l) = &c.license {
        v["licenses"] = json!([{ "expression": l }]);
    }
    if let Some(h) = &c.sha256 {
        v["hashes"] = json!([{ "alg": "SHA-256", "content": h }]);
    }
    v
}

/// The CycloneDX 1.5 document.
fn document(
    root: &Component,
    components: &[Component],
    graph: &Graph,
    triple: &str,
    epoch: i64,
) -> Value {
    let timestamp = jiff::Timestamp::from_second(epoch)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into());
    let mut all: Vec<&Component> = components.iter().collect();
    all.push(root);
    let digest = crate::artifact_sum::digest::sha256_hex(
        format!(
            "{triple}{}",
            all.iter()
                .map(|c| c.purl.as_str())
                .collect::<Vec<_>>()
                .join(",")
        )
        .as_bytes(),
    );
    let uuid = format!(
        "{}-{}-5{}-a{}-{}",
        &digest[..8],
        &digest[8..12],
        &digest[13..16],
        &digest[17..20],
        &digest[20..32]
    );
    let dependencies: Vec<Value> = std::iter::once(root)
        .chain(components.iter())
        .map(|c| {
            let on: Vec<&String> = graph
                .get(&c.purl)
                .map(|s| s.iter().collect())
                .unwrap_or_default();
            json!({ "ref": c.purl, "dependsOn": on })
        })
        .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": format!("urn:uuid:{uuid}"),
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": {
                "components": [{
                    "type": "application",
                    "name": "cargo-ship",
                    "version": env!("CARGO_PKG_VERSION"),
                }]
            },
            "component": component_json(root, "application"),
            "properties": [{ "name": "cdx:rust:target", "value": triple }],
        },
        "components": components.iter().map(|c| component_json(c, "library")).collect::<Vec<_>>(),
        "dependencies": dependencies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: &str, v: &str) -> Id {
        (n.into(), v.into())
    }

    #[test]
    fn cargo_tree_lines_become_nodes_and_edges() {
        let text = "0app v1.0.0 (/src/app)\n1clap v4.5.0\n2clap_builder v4.5.0\n3anstyle v1.0.0\n1anstyle v1.0.0 (*)\n1core v0.3.0 (/src/core)\n2anstyle v1.0.0 (*)\n";
        let nodes = parse_tree(text);
        let names: Vec<&str> = nodes.iter().map(|(i, _)| i.0.as_str()).collect();
        assert_eq!(names, ["app", "clap", "clap_builder", "anstyle", "core"]);
        assert_eq!(
            nodes[0].1,
            [
                id("anstyle", "1.0.0"),
                id("clap", "4.5.0"),
                id("core", "0.3.0")
            ]
            .into()
        );
        assert_eq!(nodes[2].1, [id("anstyle", "1.0.0")].into());
        assert_eq!(nodes[4].1, [id("anstyle", "1.0.0")].into());
        assert!(nodes[3].1.is_empty());
    }
}
