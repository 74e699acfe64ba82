//! The release archives in a directory, as `cargo ship` finds them: one
//! per target triple (read from the archive's name), each listed with a
//! matching digest in the SUMS file beside it. The installer, the formula
//! and the image all take their archives from here.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::verify_install::archive_sums::check_archive;
use crate::verify_install::report::Status;

/// (triple, archive name) of each release archive in `dir`, each listed
/// with a matching digest in the SUMS file beside it.
///
/// # Errors
/// No archive, or one not listed or not matching.
pub fn release_archives(dir: &Path, package: &str) -> Result<Vec<(String, String)>> {
    let found = archives_by(dir, package, triple_of, Clone::clone)?;
    if found.is_empty() {
        return Err(Error::Conflict {
            message: format!("no release archive in `{}`", dir.display()),
            help: format!(
                "archives are found by the target triple in their names: {package}-<version>-<triple>.tar.gz"
            ),
        });
    }
    for (path, _, _) in &found {
        require_listed(path)?;
    }
    Ok(found
        .into_iter()
        .map(|(_, file, triple)| (triple, file))
        .collect())
}

/// The release archives in `dir` whose names `key` recognises (a target
/// triple, a platform), one per key, sorted by key: where several share a
/// key, the one named for `package`; two equally good ones are an error
/// (`label` names the key in it).
///
/// # Errors
/// `dir` cannot be read, or a key has two candidates.
pub fn archives_by<K: Ord>(
    dir: &Path,
    package: &str,
    key: impl Fn(&str) -> Option<K>,
    label: impl Fn(&K) -> String,
) -> Result<Vec<(PathBuf, String, K)>> {
    let mut found: Vec<(PathBuf, String, K)> = std::fs::read_dir(dir)
        .map_err(|e| Error::io("read", dir, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| crate::verify_install::unpack::Kind::of(p).is_some())
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            let k = key(&name)?;
            Some((p, name, k))
        })
        .collect();
    found.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
    let mut out: Vec<(PathBuf, String, K)> = Vec::new();
    for f in found {
        let Some(slot) = out.iter_mut().find(|o| o.2 == f.2) else {
            out.push(f);
            continue;
        };
        let (old, new) = (slot.1.starts_with(package), f.1.starts_with(package));
        if new && !old {
            *slot = f;
        } else if new == old {
            return Err(Error::Conflict {
                message: format!("`{}` and `{}` are both for {}", slot.1, f.1, label(&f.2)),
                help: "keep one archive per target in the directory".into(),
            });
        }
    }
    Ok(out)
}

/// An archive must be listed, with a matching digest, in the SUMS file
/// (or sidecar) beside it.
///
/// # Errors
/// It is not listed, or its digest differs.
pub fn require_listed(path: &Path) -> Result<()> {
    let (status, detail) = check_archive(path)?;
    if status == Status::Pass {
        return Ok(());
    }
    Err(Error::Conflict {
        message: format!("`{}`: {detail}", path.display()),
        help: "list the archives in a SHA256SUMS beside them: cargo artifact-sum DIR -o DIR/SHA256SUMS".into(),
    })
}

/// The path, among `paths` (an archive's entries), of the binary `bin`:
/// the entry whose file name is `bin` (or `bin.exe`).
pub fn find_binary<'a>(paths: impl IntoIterator<Item = &'a str>, bin: &str) -> Option<&'a str> {
    let exe = format!("{bin}.exe");
    paths.into_iter().find(|p| {
        let file = p.rsplit('/').next().unwrap_or(p);
        file == bin || file == exe
    })
}

/// The error of an archive that lacks the binary `bin`: the installer,
/// the formula and the image refuse it alike, when they are written.
pub fn missing_binary(archive: &str, bin: &str) -> Error {
    Error::Conflict {
        message: format!("`{archive}` holds no binary `{bin}`"),
        help: "pack every binary in each archive, or choose the binaries with --bin (or [package.metadata.ship] bins)".into(),
    }
}

/// Every binary of `bins` is in `archive` (unpacked into a scratch
/// directory to look).
///
/// # Errors
/// One is missing, or the archive cannot be read.
pub fn require_binaries(archive: &Path, bins: &[String]) -> Result<()> {
    let scratch = tempfile::tempdir().map_err(|e| Error::io("create", std::env::temp_dir(), e))?;
    let files = crate::verify_install::unpack::unpack(archive, scratch.path())?;
    let name = archive.file_name().map_or_else(
        || archive.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    for b in bins {
        if find_binary(files.iter().map(|f| f.path.as_str()), b).is_none() {
            return Err(missing_binary(&name, b));
        }
    }
    Ok(())
}

/// The target environments `triple_of` knows.
const ENVS: [&str; 7] = [
    "gnu",
    "musl",
    "gnueabi",
    "gnueabihf",
    "musleabi",
    "musleabihf",
    "msvc",
];

/// The target triple in an archive's name (`x86_64-unknown-linux-musl`,
/// `aarch64-apple-darwin`, `x86_64-pc-windows-msvc`).
pub fn triple_of(name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split(['-', '.']).collect();
    let arch = [
        "x86_64",
        "aarch64",
        "i686",
        "i586",
        "armv7",
        "arm",
        "riscv64gc",
        "powerpc64le",
        "s390x",
    ];
    (0..parts.len()).find_map(|i| {
        if !arch.contains(&parts[i]) {
            return None;
        }
        let vendor = *parts.get(i + 1)?;
        let os = *parts.get(i + 2)?;
        match (vendor, os) {
            ("apple", "darwin") => Some(parts[i..i + 3].join("-")),
            ("unknown", "linux") | ("pc", "windows") => {
                let env = parts.get(i + 3).filter(|e| ENVS.contains(e))?;
                Some(format!("{}-{env}", parts[i..i + 3].join("-")))
            }
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples_in_archive_names() {
        let table = [
            (
                "app-1.2.0-x86_64-unknown-linux-musl.tar.gz",
                Some("x86_64-unknown-linux-musl"),
            ),
            (
                "app-v1.2.0-aarch64-apple-darwin.tar.gz",
                Some("aarch64-apple-darwin"),
            ),
            (
                "app-1.2.0-x86_64-pc-windows-msvc.zip",
                Some("x86_64-pc-windows-msvc"),
            ),
            (
                "cratesmith-v0.2.0-aarch64-unknown-linux-gnu.tar.gz",
                Some("aarch64-unknown-linux-gnu"),
            ),
            ("app-1.2.0.tar.gz", None),
            ("app-x86_64-unknown-freebsd.tar.gz", None),
        ];
        for (name, want) in table {
            assert_eq!(triple_of(name).as_deref(), want, "{name}");
        }
    }
}
