//! `cargo ship sbom` on cratesmith itself and on two published crates
//! (hexyl 0.16.0, cargo-semver-checks 0.51.0: sources from `cargo fetch`):
//! each SBOM passes cyclonedx-python-lib's CycloneDX 1.5 schema validation
//! (installed by `scripts/test`, `CRATESMITH_CYCLONEDX_PYTHON`), and its
//! components are the packages `cargo tree -e normal --target T` lists,
//! less the proc-macros (which `cargo metadata` names), each with the
//! checksum Cargo.lock records.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use cratesmith_tests::{command, cratesmith_write};

const TARGET: &str = "x86_64-unknown-linux-gnu";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn cargo(args: &[&str], dir: &Path) -> String {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The published crate's sources, copied out of the registry cache
/// after `cargo fetch` of a project that depends on it.
fn published(temp: &Path, name: &str, version: &str) -> PathBuf {
    let fetcher = temp.join("fetcher");
    cratesmith_write(
        &fetcher.join("Cargo.toml"),
        format!("[package]\nname = \"fetcher\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\n{name} = \"={version}\"\n\n[workspace]\n").as_bytes(),
    );
    cratesmith_write(&fetcher.join("src/lib.rs"), b"");
    cargo(&["fetch", "-q"], &fetcher);
    let meta: serde_json::Value =
        serde_json::from_str(&cargo(&["metadata", "--format-version", "1"], &fetcher)).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| PathBuf::from(p["manifest_path"].as_str().unwrap()))
        .unwrap();
    let copy = temp.join(format!("{name}-{version}"));
    let st = Command::new("cp")
        .arg("-r")
        .arg(manifest.parent().unwrap())
        .arg(&copy)
        .status()
        .unwrap();
    assert!(st.success());
    copy
}

/// `cargo ship sbom` of the package at `manifest`; the document.
fn sbom(manifest: &Path, args: &[&str], out: &Path) -> serde_json::Value {
    let run = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .args(["ship", "sbom", "--target", TARGET, "--manifest-path"])
        .arg(manifest)
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

/// cyclonedx-python-lib's strict JSON validation against CycloneDX 1.5.
fn validate(file: &Path) {
    let Some(python) = std::env::var_os("CRATESMITH_CYCLONEDX_PYTHON") else {
        cratesmith_tests::missing(
            "cyclonedx-python-lib (scripts/test installs it; CRATESMITH_CYCLONEDX_PYTHON)",
        );
        return;
    };
    let script = "import sys\nfrom cyclonedx.validation.json import JsonStrictValidator\nfrom cyclonedx.schema import SchemaVersion\nerrors = JsonStrictValidator(SchemaVersion.V1_5).validate_str(open(sys.argv[1]).read())\nprint(errors or 'valid')\nsys.exit(1 if errors else 0)\n";
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}{}",
        file.display(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// What `cargo tree -e normal --target T --no-dedupe` lists for the
/// package, less the package itself, the proc-macros (which `cargo
/// metadata` names) and what is listed only under a proc-macro (it runs
/// in the compiler, with its dependencies): `name version` lines.
fn expected(manifest: &Path, package: &str) -> BTreeSet<String> {
    let dir = manifest.parent().unwrap();
    let m = manifest.to_str().unwrap();
    let tree = cargo(
        &[
            "tree",
            "-e",
            "normal",
            "--no-dedupe",
            "--target",
            TARGET,
            "--manifest-path",
            m,
            "-p",
            package,
            "--prefix",
            "depth",
            "--format",
            "{p}",
        ],
        dir,
    );
    let meta: serde_json::Value = serde_json::from_str(&cargo(
        &["metadata", "--format-version", "1", "--manifest-path", m],
        dir,
    ))
    .unwrap();
    let macros: BTreeSet<String> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["targets"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["kind"] == serde_json::json!(["proc-macro"]))
        })
        .map(|p| {
            format!(
                "{} {}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect();
    let mut linked = BTreeSet::new();
    let mut under_macro: Vec<bool> = Vec::new(); // by depth: is it, or an ancestor, a proc-macro
    for line in tree.lines() {
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        let depth: usize = line[..digits].parse().unwrap();
        let mut w = line[digits..].split_whitespace();
        let id = format!(
            "{} {}",
            w.next().unwrap(),
            w.next().unwrap().trim_start_matches('v')
        );
        under_macro.truncate(depth);
        let hidden = under_macro.last().copied().unwrap_or(false) || macros.contains(&id);
        under_macro.push(hidden);
        if !hidden && depth > 0 {
            linked.insert(id);
        }
    }
    linked
}

fn check(manifest: &Path, package: &str, args: &[&str], out: &Path) {
    let doc = sbom(manifest, args, out);
    validate(out);
    assert_eq!(doc["specVersion"], "1.5");
    assert_eq!(doc["metadata"]["component"]["name"], package);
    let components = doc["components"].as_array().unwrap();
    let ours: BTreeSet<String> = components
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["name"].as_str().unwrap(),
                c["version"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(ours, expected(manifest, package), "{package}");
    let lock = std::fs::read_to_string(manifest.parent().unwrap().join("Cargo.lock"))
        .or_else(|_| {
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"))
        })
        .unwrap();
    for c in components {
        let purl = c["purl"].as_str().unwrap();
        let (name, version) = (c["name"].as_str().unwrap(), c["version"].as_str().unwrap());
        assert_eq!(
            purl,
            format!("pkg:cargo/{name}@{version}"),
            "crates.io purl"
        );
        let entry = format!("name = \"{name}\"\nversion = \"{version}\"\n");
        let local =
            lock.contains(&format!("{entry}dependencies")) || lock.contains(&format!("{entry}\n"));
        if local {
            assert!(
                c.get("hashes").is_none(),
                "{name}: a path package has no .crate to hash"
            );
            continue;
        }
        let hash = c["hashes"][0]["content"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no hash"));
        assert!(
            lock.contains(&format!("{entry}source = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{hash}\"")),
            "{name} {version}: {hash} is not Cargo.lock's checksum"
        );
    }
}

#[test]
fn the_sbom_of_cratesmith_lists_what_cargo_compiles_into_it() {
    let temp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    check(
        &root,
        "cratesmith-ship",
        &["-p", "cratesmith-ship"],
        &temp.path().join("ship.cdx.json"),
    );
}

#[test]
fn the_sboms_of_published_crates_list_what_cargo_tree_lists() {
    let temp = tempfile::tempdir().unwrap();
    for (name, version) in [("hexyl", "0.16.0"), ("cargo-semver-checks", "0.51.0")] {
        let dir = published(temp.path(), name, version);
        check(
            &dir.join("Cargo.toml"),
            name,
            &[],
            &temp.path().join(format!("{name}.cdx.json")),
        );
    }
}
