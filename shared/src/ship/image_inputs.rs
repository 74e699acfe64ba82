//! What goes into `cargo ship image`: the package and its binaries, each
//! platform's files (from `target/<triple>/<profile>/` or from release
//! archives checked against their SUMS), each checked to run on an empty
//! filesystem, and the labels from the manifest and git.

use std::collections::BTreeMap;
use std::path::Path;

use cargo_metadata::{Metadata, Package};

use crate::error::{Error, Result};
use crate::oci::elf;
use crate::oci::image::{Platform, rfc3339};

/// The uid and gid the image runs as.
pub const UID: u32 = 65532;

/// One platform's binaries.
#[derive(Clone, Debug)]
pub struct PlatformFiles {
    /// The platform.
    pub platform: Platform,
    /// Where they came from (a directory or an archive), for messages.
    pub from: String,
    /// (name, bytes), in `--bin` order.
    pub bins: Vec<(String, Vec<u8>)>,
}

/// The packages an image is made of, and its binaries.
#[derive(Clone, Debug)]
pub struct Subject<'a> {
    /// The first package: its labels and default binary.
    pub package: &'a Package,
    /// Every package named.
    pub packages: Vec<&'a Package>,
    /// The binaries that go in, from every package named.
    pub bins: Vec<String>,
    /// The entrypoint binary.
    pub entry: String,
}

/// The packages (`-p`, repeatable; else the current one, else the only
/// member with binaries) and the binaries (`--bin`, else the ones each
/// package names in `[package.metadata.ship] bins`, else all of theirs):
/// the same set for the archive, the installer, the formula and the image.
/// The entrypoint is the first package's default binary (`default-run`,
/// the binary named like it, or its only one), or the first `--bin`.
///
/// # Errors
/// No such package or binary, or no way to choose.
pub fn subject<'a>(
    meta: &'a Metadata,
    packages: &[String],
    bins: &[String],
    cwd_manifest: Option<&Path>,
) -> Result<Subject<'a>> {
    let pkgs = packages_of(meta, packages, cwd_manifest)?;
    let bins_of = |p: &Package| -> Vec<String> {
        p.targets
            .iter()
            .filter(|t| t.is_bin())
            .map(|t| t.name.clone())
            .collect()
    };
    let all: Vec<String> = pkgs.iter().flat_map(|p| bins_of(p)).collect();
    let meant: Vec<String> = pkgs
        .iter()
        .map(|p| user_bins(p, &bins_of(p)))
        .collect::<Result<Vec<_>>>()?
        .concat();
    if all.is_empty() {
        return Err(Error::Conflict {
            message: format!("`{}` has no binary to put in an image", pkgs[0].name),
            help: "an image carries a package's [[bin]] targets; pick one that has some with -p"
                .into(),
        });
    }
    for b in bins {
        if !all.contains(b) {
            return Err(Error::Usage {
                message: format!(
                    "no binary `{b}` in the packages named (they have: {})",
                    all.join(", ")
                ),
                help: "name one of their binaries with --bin".into(),
            });
        }
    }
    let chosen = if bins.is_empty() {
        meant
    } else {
        bins.to_vec()
    };
    let first = pkgs[0];
    let own = user_bins(first, &bins_of(first))?;
    let entry = match bins.first() {
        Some(b) => b.clone(),
        None => first
            .default_run
            .clone()
            .or_else(|| own.iter().find(|b| **b == first.name.as_str()).cloned())
            .or_else(|| (own.len() == 1).then(|| own[0].clone()))
            .ok_or_else(|| Error::Conflict {
                message: format!(
                    "`{}` has several binaries and none is the default ({})",
                    first.name,
                    own.join(", ")
                ),
                help: "set `default-run` in its [package], or name the entrypoint first with --bin"
                    .into(),
            })?,
    };
    Ok(Subject {
        package: first,
        packages: pkgs,
        bins: chosen,
        entry,
    })
}

/// The binaries of `p` meant for users: `[package.metadata.ship] bins`
/// (leaving out test and build helpers), else all of `all`.
///
/// # Errors
/// The setting is not a list of the package's binaries.
fn user_bins(p: &Package, all: &[String]) -> Result<Vec<String>> {
    let setting = &p.metadata["ship"]["bins"];
    if setting.is_null() {
        return Ok(all.to_vec());
    }
    let listed: Option<Vec<String>> = setting
        .as_array()
        .and_then(|a| a.iter().map(|v| v.as_str().map(String::from)).collect());
    match listed {
        Some(l) if !l.is_empty() && l.iter().all(|b| all.contains(b)) => Ok(l),
        _ => Err(Error::Invalid {
            path: p.manifest_path.clone().into_std_path_buf(),
            at: None,
            message: format!(
                "[package.metadata.ship] bins must list some of the package's binaries ({})",
                all.join(", ")
            ),
            help: Some("write bins = [\"name\", …] with the binaries users install".into()),
        }),
    }
}

fn packages_of<'a>(
    meta: &'a Metadata,
    names: &[String],
    cwd_manifest: Option<&Path>,
) -> Result<Vec<&'a Package>> {
    let members: Vec<&Package> = meta.workspace_packages();
    let with_bins = |p: &Package| p.targets.iter().any(|t| t.is_bin());
    if !names.is_empty() {
        return names
            .iter()
            .map(|name| {
                members
                    .iter()
                    .find(|p| p.name.as_str() == name)
                    .copied()
                    .ok_or_else(|| Error::PackageNotFound {
                        spec: name.clone(),
                        root: meta.workspace_root.clone().into_std_path_buf(),
                        suggestions: crate::workspace::suggest(
                            name,
                            members.iter().map(|p| p.name.as_str()),
                        ),
                    })
            })
            .collect();
    }
    let current = cwd_manifest.and_then(|m| {
        members
            .iter()
            .find(|p| p.manifest_path.as_std_path() == m)
            .copied()
    });
    let candidates: Vec<&Package> = members.iter().copied().filter(|p| with_bins(p)).collect();
    match (current.filter(|p| with_bins(p)), candidates.as_slice()) {
        (Some(p), _) => Ok(vec![p]),
        (None, [one]) => Ok(vec![*one]),
        _ => {
            let names: Vec<&str> = candidates.iter().map(|p| p.name.as_str()).collect();
            Err(Error::Usage {
                message: format!("which package? members with binaries: {}", names.join(", ")),
                help: "name it with -p (repeat -p to put several packages' binaries in one image)"
                    .into(),
            })
        }
    }
}

/// The binaries of each `--target` (or the host's build) under
/// `target_dir/<triple>/<profile dir>/`.
///
/// # Errors
/// A target that is not Linux, or a binary that is missing.
pub fn from_target_dir(
    target_dir: &Path,
    targets: &[String],
    profile: &str,
    bins: &[String],
) -> Result<Vec<PlatformFiles>> {
    let profile_dir = if profile == "dev" { "debug" } else { profile };
    let mut out = Vec::new();
    let triples: Vec<Option<&String>> = if targets.is_empty() {
        vec![None]
    } else {
        targets.iter().map(Some).collect()
    };
    for triple in triples {
        let dir = match triple {
            Some(t) => target_dir.join(t).join(profile_dir),
            None => target_dir.join(profile_dir),
        };
        let platform = triple
            .map(|t| {
                Platform::of_triple(t).ok_or_else(|| Error::Usage {
                    message: format!("`{t}` is not a Linux target: images run Linux binaries"),
                    help: "give a *-unknown-linux-* target (musl builds are static)".into(),
                })
            })
            .transpose()?;
        let mut files = Vec::new();
        for b in bins {
            let path = dir.join(b);
            let bytes = std::fs::read(&path).map_err(|_| Error::Conflict {
                message: format!("`{}` is missing", path.display()),
                help: format!(
                    "build it first: cargo build --profile {profile}{} (statically: RUSTFLAGS='-C target-feature=+crt-static')",
                    triple.map(|t| format!(" --target {t}")).unwrap_or_default()
                ),
            })?;
            files.push((b.clone(), bytes));
        }
        let platform = match platform {
            Some(p) => p,
            None => host_platform(&files[0].1, &dir.join(&files[0].0))?,
        };
        out.push(PlatformFiles {
            platform,
            from: dir.display().to_string(),
            bins: files,
        });
    }
    Ok(out)
}

/// The platform of a host build, from its ELF header.
fn host_platform(bytes: &[u8], path: &Path) -> Result<Platform> {
    let arch = elf::read(bytes)
        .and_then(|e| e.architecture())
        .ok_or_else(|| Error::Conflict {
            message: format!("`{}` is not a Linux program", path.display()),
            help: "images run Linux binaries: build for a *-unknown-linux-* target with --target"
                .into(),
        })?;
    Ok(Platform {
        os: "linux".into(),
        architecture: arch.into(),
        variant: (arch == "arm64").then(|| "v8".to_string()),
    })
}

/// The binaries of the release archives in `dir` named for `package`
/// and a Linux triple, each checked against the SUMS file there.
///
/// # Errors
/// No such archive, a digest that does not match, a missing binary.
pub fn from_archives(
    dir: &Path,
    package: &str,
    bins: &[String],
    scratch: &Path,
) -> Result<Vec<PlatformFiles>> {
    let linux = |name: &str| Platform::of_triple(&super::archives::triple_of(name)?);
    let archives = super::archives::archives_by(dir, package, linux, Platform::name)?;
    let mut out = Vec::new();
    for (i, (archive, name, platform)) in archives.into_iter().enumerate() {
        let archive = archive.as_path();
        super::archives::require_listed(archive)?;
        let dest = scratch.join(format!("archive-{i}"));
        let unpacked = crate::verify_install::unpack::unpack(archive, &dest)?;
        let mut files = Vec::new();
        for b in bins {
            let found = super::archives::find_binary(unpacked.iter().map(|u| u.path.as_str()), b);
            let path = found
                .map(|p| dest.join(p))
                .ok_or_else(|| super::archives::missing_binary(&name, b))?;
            let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
            files.push((b.clone(), bytes));
        }
        out.push(PlatformFiles {
            platform,
            from: name,
            bins: files,
        });
    }
    if out.is_empty() {
        return Err(Error::Conflict {
            message: format!(
                "no release archive of `{package}` for a Linux target in `{}`",
                dir.display()
            ),
            help: format!("archives are found by name: {package}-<version>-<target triple>.tar.gz"),
        });
    }
    Ok(out)
}

/// Every binary is an ELF program for its platform that needs nothing
/// from the filesystem: a dynamically linked one is refused.
///
/// # Errors
/// Not ELF, the wrong machine, or dynamically linked.
pub fn check_static(files: &PlatformFiles) -> Result<()> {
    for (name, bytes) in &files.bins {
        let Some(e) = elf::read(bytes) else {
            return Err(Error::Conflict {
                message: format!("`{name}` ({}) is not a Linux (ELF) program", files.from),
                help: "images run Linux binaries: build for a *-unknown-linux-* target".into(),
            });
        };
        if e.architecture() != Some(files.platform.architecture.as_str()) {
            return Err(Error::Conflict {
                message: format!(
                    "`{name}` ({}) is built for {}, not {}",
                    files.from,
                    e.architecture().unwrap_or("another machine"),
                    files.platform.name()
                ),
                help: "build it for that platform's target".into(),
            });
        }
        if e.dynamic {
            return Err(Error::Conflict {
                message: format!("`{name}` ({}) is dynamically linked: the image has no libc or loader for it", files.from),
                help: "link it statically: RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --target <triple>, or build for the *-unknown-linux-musl target".into(),
            });
        }
    }
    Ok(())
}

/// The `org.opencontainers.image.*` labels, and the time the image says
/// it was created (`SOURCE_DATE_EPOCH`, else HEAD's commit time, else 0).
pub fn labels(pkg: &Package, root: &Path) -> (BTreeMap<String, String>, i64) {
    let repo = crate::git::Repo::discover(root).ok();
    let head = repo.as_ref().and_then(|r| r.head().ok().flatten());
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or_else(|| repo.as_ref()?.commit_time(head?))
        .unwrap_or(0);
    let mut l = BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            l.insert(format!("org.opencontainers.image.{k}"), v);
        }
    };
    put("title", Some(pkg.name.to_string()));
    put("version", Some(pkg.version.to_string()));
    put(
        "description",
        pkg.description
            .as_ref()
            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
    );
    put("licenses", pkg.license.clone());
    put("source", pkg.repository.clone());
    put("url", pkg.homepage.clone());
    put("documentation", pkg.documentation.clone());
    put("revision", head.map(|h| h.to_string()));
    put("created", Some(rfc3339(epoch)));
    (l, epoch)
}

/// `/etc/passwd` and `/etc/group` with root and the non-root user.
pub fn accounts() -> (String, String) {
    (
        format!(
            "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:{UID}:{UID}:nonroot:/home/nonroot:/sbin/nologin\n"
        ),
        format!("root:x:0:\nnonroot:x:{UID}:\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples_in_archive_names() {
        let t = |n: &str| {
            let triple = super::super::archives::triple_of(n)?;
            Platform::of_triple(&triple).map(|p| (triple, p.name()))
        };
        assert_eq!(
            t("app-1.2.0-x86_64-unknown-linux-musl.tar.gz"),
            Some(("x86_64-unknown-linux-musl".into(), "linux/amd64".into()))
        );
        assert_eq!(
            t("cratesmith-v0.2.0-aarch64-unknown-linux-gnu.tar.gz"),
            Some(("aarch64-unknown-linux-gnu".into(), "linux/arm64/v8".into()))
        );
        assert_eq!(t("app-1.2.0-x86_64-apple-darwin.tar.gz"), None);
        assert_eq!(
            t("app-1.2.0-armv7-unknown-linux-gnueabihf.tar.gz"),
            Some((
                "armv7-unknown-linux-gnueabihf".into(),
                "linux/arm/v7".into()
            ))
        );
    }
}
