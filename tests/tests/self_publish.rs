//! cratesmith publishes itself: the whole workspace goes to the registry
//! server the tests run on 127.0.0.1 with `cargo ship crates` (its path
//! dependencies name no registry: cargo ship points them at this one), then
//! the README's install line (with `--registry` added) installs the five
//! tools from it into a fresh root, and each answers `--version`. And the
//! README's install line names every package that holds a binary.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use cratesmith_tests::registry::Server;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The README's one line that installs every tool by package name.
fn readme_install_line() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo install --locked cratesmith-"))
        .expect("README.md has a `cargo install --locked cratesmith-…` line");
    line.split_whitespace().map(String::from).collect()
}

/// The workspace's publishable packages that hold a binary, and the
/// binaries, from `cargo metadata`.
fn binary_packages() -> Vec<(String, Vec<String>)> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<(String, Vec<String>)> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["publish"] != serde_json::json!([]))
        .map(|p| {
            let bins = p["targets"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["kind"] == serde_json::json!(["bin"]))
                .map(|t| t["name"].as_str().unwrap().to_string())
                .collect();
            (p["name"].as_str().unwrap().to_string(), bins)
        })
        .filter(|(_, bins): &(String, Vec<String>)| !bins.is_empty())
        .collect();
    found.sort();
    found
}

#[test]
fn the_readme_install_line_names_every_package_with_a_binary() {
    let line = readme_install_line();
    let mut named: Vec<&str> = line[3..].iter().map(String::as_str).collect();
    named.sort_unstable();
    let packages = binary_packages();
    let want: Vec<&str> = packages.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(named, want);
    assert_eq!(packages.len(), 5);
}

/// A copy of this workspace (the files git tracks or would track) at a
/// version of this run's own.
fn copy_with_own_version(dest: &Path) {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for file in text(&out.stdout).split('\0').filter(|f| !f.is_empty()) {
        let from = root().join(file);
        if !from.is_file() {
            continue; // deleted in the work tree
        }
        let to = dest.join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    let manifest = dest.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let version = "[workspace.package]\nversion = \"0.1.0\"\n";
    assert!(
        text.contains(version),
        "the root manifest changed its version"
    );
    let own = format!("[workspace.package]\nversion = \"{}\"\n", unique_version());
    cratesmith_tests::cratesmith_write(&manifest, text.replace(version, &own).as_bytes());
}

/// A version of this run's own (0.1.<seconds>): cargo caches what it
/// packaged and built under a name and version (its temporary registry
/// and the target dir), so the same version packaged again from changed
/// sources would be verified against the old build.
fn unique_version() -> String {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION
        .get_or_init(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            format!("0.1.{secs}")
        })
        .clone()
}

#[test]
fn cratesmith_publishes_itself_and_installs_by_name_from_the_registry() {
    let Some(server) = Server::start(None) else {
        return;
    };
    let ship = cratesmith_tests::built_binaries(&["cargo-ship"]).remove(0);
    let copy = tempfile::tempdir().unwrap();
    copy_with_own_version(copy.path());
    let target = root().join("target");
    let env = [
        ("CARGO_REGISTRIES_LOCAL_INDEX", server.index()),
        (
            "CARGO_REGISTRIES_LOCAL_TOKEN",
            "cratesmith-self-publish".into(),
        ),
        ("CARGO_TERM_COLOR", "never".into()),
    ];
    // The workspace's own target dir: the dependencies are built once.
    let out = Command::new(&ship)
        .args(["ship", "crates", "--registry", "local", "--workspace"])
        .arg("--allow-dirty")
        .current_dir(copy.path())
        .envs(env.clone())
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("8 packages to `local`: 6 published now, 0 already there, 2 skipped"),
        "{err}"
    );
    // The path dependency on cratesmith-shared names no registry: cargo
    // ship packages from a copy in which it names `local`.
    assert!(
        err.contains("cratesmith-shared from `local`, not crates.io"),
        "{err}"
    );
    let bump = server.index_file("cratesmith-bump").unwrap();
    assert!(
        bump.contains(r#""name":"cratesmith-shared","req":"^0.1.0""#)
            && bump.contains(&format!(r#""vers":"{}""#, unique_version()))
            && bump.contains(r#""name":"clap""#),
        "{bump}"
    );

    let dest = tempfile::tempdir().unwrap();
    let line = readme_install_line();
    let out = Command::new(env!("CARGO"))
        .args(&line[1..])
        .args(["--registry", "local", "--root"])
        .arg(dest.path())
        .arg("--target-dir")
        .arg(target.join("self-publish-install"))
        .current_dir(dest.path())
        .envs(env)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for (package, bins) in binary_packages() {
        for bin in bins {
            let exe = dest.path().join("bin").join(&bin);
            let mut cmd = Command::new(&exe);
            if let Some(word) = bin.strip_prefix("cargo-") {
                cmd.arg(word);
            }
            let v = cmd.arg("--version").output().unwrap();
            assert!(v.status.success(), "{bin}: {}", text(&v.stderr));
            assert_eq!(
                text(&v.stdout),
                format!("{bin} {} ({package})\n", unique_version())
            );
        }
    }
}
