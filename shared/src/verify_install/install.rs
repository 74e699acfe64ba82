//! Step 2 and 4: the isolated install of a packaged crate and the scratch
//! consumer of its library, both outside any workspace, sharing one build
//! cache under the workspace's target dir.
//!
//! The stale-binary trap: files in a `.crate` carry a fixed mtime, and
//! cargo keys a local package's build on its name and version (not its
//! path), so a changed source under the same version would be called
//! "Fresh" and the old binary installed. Each `.crate` is unpacked at a
//! path named after its SHA-256 digest, and the digest last built under a
//! package's name is recorded in the target dir: when it differs, that
//! package's fingerprints are removed so cargo rebuilds it (and only it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::package::cargo;
use super::process::{self, Outcome};
use super::unpack;
use crate::artifact_sum::digest::{Algo, hash_file};
use crate::error::{Error, Result};

/// Where packages are unpacked and built.
#[derive(Clone, Debug)]
pub struct Cache {
    /// The shared target dir (`<workspace target>/verify-install`).
    pub target_dir: PathBuf,
    /// Unpacked packages, by digest (in the system temp dir, outside any
    /// workspace or `.cargo/config.toml`).
    pub sources: PathBuf,
}

impl Cache {
    /// The cache of the workspace whose target dir is `target`.
    pub fn new(target: &Path) -> Self {
        Cache {
            target_dir: target.join("verify-install"),
            sources: std::env::temp_dir().join("cratesmith-verify-install"),
        }
    }
}

impl Cache {
    /// Make cargo rebuild `name` when the content last built under that
    /// name in the shared target dir was different: cargo keys a local
    /// package's outputs on its name and version, not its path, and
    /// unpacked files carry old mtimes, so it would reuse the old build.
    /// Removing the package's fingerprints forces a rebuild of it alone.
    pub fn invalidate_if_changed(&self, name: &str, digest: &str) -> Result<()> {
        let marker = self.target_dir.join(".cratesmith-built").join(name);
        if std::fs::read_to_string(&marker).is_ok_and(|d| d == digest) {
            return Ok(());
        }
        for profile in ["debug", "release"] {
            let dir = self.target_dir.join(profile).join(".fingerprint");
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let prefix = format!("{name}-");
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                let hash = file.strip_prefix(&prefix);
                if hash.is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit())) {
                    let path = entry.path();
                    std::fs::remove_dir_all(&path).map_err(|e| Error::io("remove", &path, e))?;
                }
            }
        }
        if let Some(parent) = marker.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        crate::fs::write_atomic(&marker, digest.as_bytes())
    }
}

/// A digest of the sources a `.crate` holds: every file but the
/// `.cargo_vcs_info.json` cargo writes at packaging time (which names the
/// commit, so the `.crate` packaged from the release commit differs from
/// the one checked on the bumped tree before it only there), and
/// `Cargo.lock` without its `checksum` lines (an unpublished workspace
/// dependency is locked with the checksum of its local `.crate`, which
/// differs the same way; its name, version and source stay compared).
///
/// # Errors
/// The file cannot be read, or is not a `.crate`.
pub fn sources_digest(crate_file: &Path, name: &str, version: &str) -> Result<String> {
    let bytes = std::fs::read(crate_file).map_err(|e| Error::io("read", crate_file, e))?;
    let prefix = format!("{name}-{version}/");
    let files = crate::registry::upload::crate_files(&bytes, &prefix, |rel, _| {
        rel != Some(".cargo_vcs_info.json")
    })
    .map_err(|e| Error::io("read", crate_file, e))?;
    let mut all = Vec::new();
    for (path, content) in &files {
        let unlocked;
        let content = if path == "Cargo.lock" {
            unlocked = without_checksums(content);
            &unlocked
        } else {
            content
        };
        all.extend_from_slice(path.as_bytes());
        all.push(0);
        all.extend_from_slice(content.len().to_string().as_bytes());
        all.push(0);
        all.extend_from_slice(content);
    }
    Ok(crate::artifact_sum::digest::sha256_hex(&all))
}

fn without_checksums(lock: &[u8]) -> Vec<u8> {
    lock.split_inclusive(|&b| b == b'\n')
        .filter(|line| !line.starts_with(b"checksum = "))
        .flatten()
        .copied()
        .collect()
}

impl Cache {
    /// Record that the `.crate` of `name`@`version` whose sources have
    /// `digest` ([`sources_digest`]) passed every check.
    pub fn mark_verified(&self, name: &str, version: &str, digest: &str) -> Result<()> {
        let file = self.verified_file(name, version);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        crate::fs::write_atomic(&file, digest.as_bytes())
    }

    /// The [`sources_digest`] of the `.crate` of `name`@`version` that
    /// last passed every check here, if one did.
    pub fn verified(&self, name: &str, version: &str) -> Option<String> {
        std::fs::read_to_string(self.verified_file(name, version)).ok()
    }

    fn verified_file(&self, name: &str, version: &str) -> PathBuf {
        self.target_dir
            .join(".cratesmith-verified")
            .join(format!("{name}-{version}"))
    }
}

/// A `.crate` unpacked into the cache.
#[derive(Clone, Debug)]
pub struct CrateDir {
    /// The package's directory (with its Cargo.toml).
    pub dir: PathBuf,
    /// The packaged files (path, size).
    pub files: Vec<(String, u64)>,
    /// The `.crate`'s SHA-256.
    pub digest: String,
    /// The `.crate`'s size.
    pub size: u64,
}

/// Unpack `crate_file` (of `name`-`version`) at its digest's path in the
/// cache, or reuse it when it is already there.
pub fn unpack_crate(
    cache: &Cache,
    crate_file: &Path,
    name: &str,
    version: &str,
) -> Result<CrateDir> {
    let mut buf = vec![0u8; 1 << 16];
    let digest = hash_file(Algo::Sha256, crate_file, &mut buf, &|_| ())
        .map_err(|e| Error::io("read", crate_file, std::io::Error::other(e.to_string())))?;
    let key = cache.sources.join(&digest.hex[..16]);
    let dir = key.join(format!("{name}-{version}"));
    let done = key.join(".complete");
    if !done.is_file() {
        let _ = std::fs::remove_dir_all(&key);
        unpack::unpack(crate_file, &key)?;
        crate::fs::write_atomic(&done, b"")?;
    }
    if !dir.join("Cargo.toml").is_file() {
        return Err(Error::Conflict {
            message: format!(
                "`{}` does not hold `{name}-{version}/Cargo.toml`",
                crate_file.display()
            ),
            help: "run `cargo package` again; the file may be damaged".into(),
        });
    }
    let mut files = Vec::new();
    list(&dir, &dir, &mut files);
    files.sort();
    Ok(CrateDir {
        dir,
        files,
        digest: digest.hex,
        size: digest.size,
    })
}

fn list(root: &Path, dir: &Path, out: &mut Vec<(String, u64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.metadata() {
            Ok(m) if m.is_dir() => list(root, &path, out),
            Ok(m) => {
                let rel = crate::paths::slash(&crate::paths::under(root, &path));
                out.push((rel, m.len()));
            }
            Err(_) => {}
        }
    }
}

/// How cargo builds for the checks.
#[derive(Clone, Debug)]
pub struct Build<'a> {
    /// The cache.
    pub cache: &'a Cache,
    /// Other packages of this run, unpacked: used as `[patch.<source>]`
    /// so unpublished workspace dependencies resolve.
    pub patches: &'a [Patch],
    /// `--debug`: the dev profile instead of release.
    pub debug: bool,
    /// The time limit of a cargo step.
    pub timeout: Duration,
    /// A scratch directory to run cargo from (no workspace, no config).
    pub cwd: &'a Path,
}

impl Build<'_> {
    /// A cargo command run from outside any workspace, its target dir the
    /// cache, with the patches.
    pub(super) fn cargo(&self, sub: &str, exclude: &str) -> Command {
        let mut cmd = Command::new(cargo());
        cmd.arg(sub)
            .args(["--color", "never", "--target-dir"])
            .arg(&self.cache.target_dir)
            .current_dir(self.cwd)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .env_remove("CARGO_INSTALL_ROOT");
        for p in self.patches.iter().filter(|p| p.name != exclude) {
            let path = toml_edit::Value::from(p.dir.to_string_lossy().into_owned());
            let source = toml_edit::Key::new(p.source.as_str());
            let name = toml_edit::Key::new(p.name.as_str());
            cmd.arg("--config").arg(format!(
                "patch.{}.{}.path={path}",
                source.display_repr(),
                name.display_repr()
            ));
        }
        cmd
    }

    /// `cargo install` of `origin` into `root`: `--path <dir>` (`--locked`
    /// when the package ships a Cargo.lock and no patch is needed), or the
    /// published version from its registry.
    pub fn install_path(&self, name: &str, origin: &Origin<'_>, root: &Path) -> Result<Outcome> {
        let mut cmd = self.install_cmd(name, origin, root);
        if self.debug {
            cmd.arg("--debug");
        }
        process::run(&mut cmd, self.timeout)
    }

    /// `cargo install … --features <features> --bin <bin>…`: binaries
    /// that `required-features` left out of the plain install.
    pub fn install_bins(
        &self,
        name: &str,
        origin: &Origin<'_>,
        root: &Path,
        features: &[String],
        bins: &[String],
    ) -> Result<Outcome> {
        let mut cmd = self.install_cmd(name, origin, root);
        cmd.arg("--features").arg(features.join(","));
        for bin in bins {
            cmd.arg("--bin").arg(bin);
        }
        if self.debug {
            cmd.arg("--debug");
        }
        process::run(&mut cmd, self.timeout)
    }

    fn install_cmd(&self, name: &str, origin: &Origin<'_>, root: &Path) -> Command {
        let mut cmd = self.cargo("install", name);
        match origin {
            Origin::Path(dir) => {
                cmd.arg("--path").arg(dir);
                let patched = self.patches.iter().any(|p| p.name != name);
                if dir.join("Cargo.lock").is_file() && !patched {
                    cmd.arg("--locked");
                }
            }
            Origin::Registry(p) => {
                cmd.arg(name)
                    .arg("--version")
                    .arg(format!("={}", p.version))
                    .args(&p.cargo_args)
                    .env("CARGO_HOME", &p.cargo_home);
                if p.locked {
                    cmd.arg("--locked");
                }
            }
        }
        cmd.arg("--root").arg(root);
        cmd
    }

    /// `cargo install --path <dir> --root <root>` of a member of a checked
    /// out revision, `--locked` when the revision has a Cargo.lock.
    pub fn install_checkout(&self, dir: &Path, root: &Path, locked: bool) -> Result<Outcome> {
        let mut cmd = self.cargo("install", "");
        cmd.arg("--path").arg(dir).arg("--root").arg(root);
        if locked {
            cmd.arg("--locked");
        }
        if self.debug {
            cmd.arg("--debug");
        }
        process::run(&mut cmd, self.timeout)
    }

    /// Build the library of the package at `dir` with a feature set, as
    /// the package itself (not through a scratch crate that depends on it:
    /// cargo keys a path package's build on its path from the workspace
    /// root, so a dependent crate would compile the library a second time),
    /// in the install's profile and target dir: the library and the
    /// dependencies the install compiled are not compiled again.
    pub fn library(&self, lib: &Library<'_>) -> Result<Outcome> {
        let mut cmd = self.cargo("build", lib.name);
        cmd.arg("--lib")
            .arg("--manifest-path")
            .arg(lib.dir.join("Cargo.toml"));
        if !lib.default_features {
            cmd.arg("--no-default-features");
        }
        if !lib.features.is_empty() {
            cmd.arg("--features").arg(lib.features.join(","));
        }
        if !self.debug {
            cmd.arg("--release");
        }
        process::run(&mut cmd, self.timeout)
    }
}

/// A package of this run standing in for its published version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// The source patched: `crates-io`, or a registry's index URL.
    pub source: String,
    /// The package name.
    pub name: String,
    /// Its unpacked directory.
    pub dir: PathBuf,
}

/// Patches for `packages` (name, unpacked directory): crates.io's, and
/// those of every registry their manifests name (`registry-index`), so a
/// workspace published to another registry resolves too.
pub fn patches(packages: &[(String, PathBuf)]) -> Vec<Patch> {
    let mut sources = vec!["crates-io".to_string()];
    for (_, dir) in packages {
        for index in registry_indexes(&dir.join("Cargo.toml")) {
            if !sources.contains(&index) {
                sources.push(index);
            }
        }
    }
    sources
        .iter()
        .flat_map(|source| {
            packages.iter().map(|(name, dir)| Patch {
                source: source.clone(),
                name: name.clone(),
                dir: dir.clone(),
            })
        })
        .collect()
}

/// The `registry-index` values of a normalized manifest's dependencies.
fn registry_indexes(manifest: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(manifest) else {
        return Vec::new();
    };
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut tables: Vec<&toml_edit::Item> = vec![doc.as_item()];
    if let Some(targets) = doc.get("target").and_then(toml_edit::Item::as_table_like) {
        tables.extend(targets.iter().map(|(_, t)| t));
    }
    for t in tables {
        for kind in ["dependencies", "build-dependencies", "dev-dependencies"] {
            let Some(deps) = t.get(kind).and_then(toml_edit::Item::as_table_like) else {
                continue;
            };
            for (_, dep) in deps.iter() {
                if let Some(i) = dep.get("registry-index").and_then(toml_edit::Item::as_str) {
                    out.push(i.to_string());
                }
            }
        }
    }
    out
}

/// Where `cargo install` takes a package from.
#[derive(Clone, Debug)]
pub enum Origin<'a> {
    /// An unpacked package directory (`--path`).
    Path(&'a Path),
    /// A published version in a registry.
    Registry(&'a Published),
}

/// A published version and how cargo reaches its registry.
#[derive(Clone, Debug)]
pub struct Published {
    /// The version.
    pub version: semver::Version,
    /// `--registry NAME` (none for crates.io).
    pub cargo_args: Vec<String>,
    /// The fresh `CARGO_HOME` that configures the registry.
    pub cargo_home: PathBuf,
    /// Whether it ships a Cargo.lock (`--locked`).
    pub locked: bool,
}

/// A library build: which package, with which features.
#[derive(Clone, Debug)]
pub struct Library<'a> {
    /// The package name.
    pub name: &'a str,
    /// The unpacked package.
    pub dir: &'a Path,
    /// `default-features`.
    pub default_features: bool,
    /// `features`.
    pub features: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> tempfile::NamedTempFile {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        for (path, content) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(content.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, format!("app-1.0.0/{path}"), content.as_bytes())
                .unwrap();
        }
        let gz = b.into_inner().unwrap().finish().unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        crate::fs::write_atomic(file.path(), &gz).unwrap();
        file
    }

    #[test]
    fn the_sources_digest_ignores_only_what_packaging_generates() {
        let lock = "[[package]]\nname = \"core\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\nchecksum = \"aaaa\"\n";
        let base = [
            ("Cargo.toml", "[package]\n"),
            ("src/main.rs", "fn main() {}\n"),
            (".cargo_vcs_info.json", "{\"sha1\": \"1111\"}"),
            ("Cargo.lock", lock),
        ];
        let digest = |files: &[(&str, &str)]| {
            let f = crate_of(files);
            sources_digest(f.path(), "app", "1.0.0").unwrap()
        };
        let want = digest(&base);
        let other_lock = lock.replace("aaaa", "bbbb");
        type Files<'a> = [(&'a str, &'a str); 4];
        let table: [(&str, Files<'_>, bool); 4] = [
            (
                "another commit",
                [
                    base[0],
                    base[1],
                    (".cargo_vcs_info.json", "{\"sha1\": \"2222\"}"),
                    base[3],
                ],
                true,
            ),
            (
                "a dependency's checksum",
                [base[0], base[1], base[2], ("Cargo.lock", &other_lock)],
                true,
            ),
            (
                "a source file",
                [
                    base[0],
                    ("src/main.rs", "fn main() { }\n"),
                    base[2],
                    base[3],
                ],
                false,
            ),
            (
                "a locked version",
                [
                    base[0],
                    base[1],
                    base[2],
                    ("Cargo.lock", &lock.replace("1.0.0", "1.0.1")),
                ],
                false,
            ),
        ];
        for (what, files, same) in table {
            assert_eq!(digest(&files) == want, same, "{what}");
        }
    }
}
