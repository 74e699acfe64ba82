//! The digest of a binary archive, checked against a SUMS file beside it
//! (`SHA256SUMS`, `SHA512SUMS`, `sha256sums.txt`, ...) or a sidecar
//! (`<archive>.sha256`, `<archive>.sha512`), in sha256sum's format.

use std::path::{Path, PathBuf};

use super::report::Status;
use crate::artifact_sum::digest::{Algo, hash_file};
use crate::artifact_sum::sums::{Line, parse};
use crate::error::{Error, Result};

const SUMS_FILES: [&str; 6] = [
    "SHA256SUMS",
    "SHA512SUMS",
    "SHA256SUMS.txt",
    "SHA512SUMS.txt",
    "sha256sums.txt",
    "sha512sums.txt",
];

/// (status, detail): pass when a listed digest matches, fail on a
/// mismatch, warn when no checksum names the archive.
pub fn check_archive(file: &Path) -> Result<(Status, String)> {
    let Some(name) = file.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok((Status::Warn, "no file name".into()));
    };
    let dir = file
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let sidecars =
        ["sha256", "sha512", "sha256sum", "sha512sum"].map(|ext| dir.join(format!("{name}.{ext}")));
    let candidates = sidecars
        .into_iter()
        .chain(SUMS_FILES.iter().map(|f| dir.join(f)));
    for sums in candidates.filter(|p| p.is_file()) {
        let text = std::fs::read_to_string(&sums).map_err(|e| Error::io("read", &sums, e))?;
        let sidecar = sums
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(&name));
        let entry = parse(&text).into_iter().find_map(|line| match line {
            Line::Entry(e) if sidecar || base(&e.name) == name => Some(e),
            _ => None,
        });
        let Some(entry) = entry else {
            continue;
        };
        return compare(file, &sums, entry.algo, &entry.hex);
    }
    Ok((
        Status::Warn,
        "no SHA256SUMS/SHA512SUMS or .sha256 sidecar lists it: not verified".into(),
    ))
}

fn base(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

fn compare(file: &Path, sums: &Path, algo: Algo, expected: &str) -> Result<(Status, String)> {
    let mut buf = vec![0u8; 1 << 16];
    let got = hash_file(algo, file, &mut buf, &|_| ())
        .map_err(|e| Error::io("read", file, std::io::Error::other(e.to_string())))?;
    let from = sums
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if got.hex.eq_ignore_ascii_case(expected) {
        Ok((Status::Pass, format!("{} matches {from}", algo.name())))
    } else {
        Ok((
            Status::Fail,
            format!(
                "{} mismatch: {from} lists {}…, the file is {}…",
                algo.name(),
                &expected[..expected.len().min(16)],
                &got.hex[..16]
            ),
        ))
    }
}
