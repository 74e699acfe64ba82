//! Unpacking `.crate` files and binary archives (`.tar.gz`, `.tgz`,
//! `.tar.xz`, `.zip`) safely: an entry with an absolute path, a `..`
//! component, or a link pointing out of the destination is refused before
//! anything is written (zip-slip).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// One unpacked file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unpacked {
    /// Its path inside the archive, `/`-separated.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Whether it is executable (unix mode bits).
    pub executable: bool,
}

/// The kinds of archive understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// gzip-compressed tar (`.crate`, `.tar.gz`, `.tgz`).
    TarGz,
    /// xz-compressed tar.
    TarXz,
    /// zip.
    Zip,
}

impl Kind {
    /// The kind of `path`, by its name.
    pub fn of(path: &Path) -> Option<Kind> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".tar.gz") || name.ends_with(".tgz") || name.ends_with(".crate") {
            Some(Kind::TarGz)
        } else if name.ends_with(".tar.xz") || name.ends_with(".txz") {
            Some(Kind::TarXz)
        } else if name.ends_with(".zip") {
            Some(Kind::Zip)
        } else {
            None
        }
    }
}

/// Unpack `archive` into `dest` (created), refusing unsafe entries.
pub fn unpack(archive: &Path, dest: &Path) -> Result<Vec<Unpacked>> {
    let kind = Kind::of(archive).ok_or_else(|| Error::Invalid {
        path: archive.to_path_buf(),
        at: None,
        message: "not an archive this tool can unpack".into(),
        help: Some("give a .tar.gz, .tgz, .tar.xz or .zip file".into()),
    })?;
    let file = File::open(archive).map_err(|e| Error::io("open", archive, e))?;
    std::fs::create_dir_all(dest).map_err(|e| Error::io("create", dest, e))?;
    let bad = |e: io::Error| Error::Invalid {
        path: archive.to_path_buf(),
        at: None,
        message: e.to_string(),
        help: Some(
            "the archive is damaged or unsafe; nothing outside the temporary directory was written"
                .into(),
        ),
    };
    match kind {
        Kind::TarGz => untar(flate2::read::GzDecoder::new(file), dest).map_err(bad),
        Kind::TarXz => {
            let mut raw = Vec::new();
            lzma_rs::xz_decompress(&mut io::BufReader::new(file), &mut raw)
                .map_err(|e| bad(io::Error::new(io::ErrorKind::InvalidData, e.to_string())))?;
            untar(io::Cursor::new(raw), dest).map_err(bad)
        }
        Kind::Zip => unzip(file, dest).map_err(bad),
    }
}

/// `name` as a path that stays inside the destination, or an error.
fn safe_path(name: &Path) -> io::Result<PathBuf> {
    let mut out = PathBuf::new();
    for c in name.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "unsafe entry `{}` (absolute or with `..`): refused",
                        name.display()
                    ),
                ));
            }
        }
    }
    if out.as_os_str().is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "an entry with an empty name",
        ));
    }
    Ok(out)
}

/// Whether a link at `at` (relative) pointing to `target` stays inside.
fn link_stays_inside(at: &Path, target: &Path) -> bool {
    let depth = at.components().count().saturating_sub(1);
    !target.is_absolute() && crate::paths::stays_inside(depth, target)
}

fn untar(reader: impl Read, dest: &Path) -> io::Result<Vec<Unpacked>> {
    let mut archive = tar::Archive::new(reader);
    let mut out = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.into_owned();
        let rel = safe_path(&name)?;
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry.link_name()?.unwrap_or_default().into_owned();
            if !link_stays_inside(&rel, &target) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "link `{}` -> `{}` points outside the archive: refused",
                        name.display(),
                        target.display()
                    ),
                ));
            }
        }
        if !(kind.is_file() || kind.is_dir() || kind.is_symlink() || kind.is_hard_link()) {
            continue;
        }
        let mode = entry.header().mode().unwrap_or(0o644);
        let size = entry.header().size().unwrap_or(0);
        entry.set_preserve_mtime(true);
        if !entry.unpack_in(dest)? {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unsafe entry `{}`: refused", name.display()),
            ));
        }
        if kind.is_file() {
            out.push(Unpacked {
                path: slash(&rel),
                size,
                executable: mode & 0o111 != 0,
            });
        }
    }
    Ok(out)
}

fn unzip(file: File, dest: &Path) -> io::Result<Vec<Unpacked>> {
    let to_io =
        |e: zip::result::ZipError| io::Error::new(io::ErrorKind::InvalidData, e.to_string());
    let mut archive = zip::ZipArchive::new(file).map_err(to_io)?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(to_io)?;
        let rel = safe_path(Path::new(entry.name()))?;
        let mode = entry.unix_mode().unwrap_or(0o644);
        if mode & 0o170_000 == 0o120_000 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("symlink `{}` in a zip archive: refused", entry.name()),
            ));
        }
        let path = dest.join(&rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut target = File::create(&path)?;
        let size = io::copy(&mut entry, &mut target)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o777))?;
        }
        out.push(Unpacked {
            path: slash(&rel),
            size,
            executable: mode & 0o111 != 0 || entry.name().ends_with(".exe"),
        });
    }
    Ok(out)
}

fn slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_and_links_are_refused() {
        assert!(safe_path(Path::new("a/b.txt")).is_ok());
        assert!(safe_path(Path::new("./a")).is_ok());
        for bad in ["../evil", "/etc/passwd", "a/../../b", ""] {
            assert!(safe_path(Path::new(bad)).is_err(), "{bad}");
        }
        assert!(link_stays_inside(
            Path::new("bin/tool"),
            Path::new("../lib/tool")
        ));
        assert!(!link_stays_inside(
            Path::new("bin/tool"),
            Path::new("../../x")
        ));
        assert!(!link_stays_inside(
            Path::new("tool"),
            Path::new("/usr/bin/env")
        ));
    }

    /// A tar holding `entries` (name, mode, content), written raw so that
    /// hostile names can be built.
    fn tar(entries: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, mode, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(*mode);
            h.set_entry_type(tar::EntryType::Regular);
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn tar_xz_archives_unpack_and_hostile_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let write_xz = |name: &str, raw: &[u8]| {
            let mut xz = Vec::new();
            lzma_rs::xz_compress(&mut std::io::Cursor::new(raw), &mut xz).unwrap();
            let path = dir.path().join(name);
            crate::fs::write_atomic(&path, &xz).unwrap();
            path
        };
        let good = write_xz(
            "app.tar.xz",
            &tar(&[
                ("app/bin/app", 0o755, b"#!/bin/sh\n"),
                ("app/README", 0o644, b"hi\n"),
            ]),
        );
        let dest = dir.path().join("out");
        let files = unpack(&good, &dest).unwrap();
        let got: Vec<(&str, bool)> = files
            .iter()
            .map(|f| (f.path.as_str(), f.executable))
            .collect();
        assert_eq!(got, [("app/bin/app", true), ("app/README", false)]);
        assert_eq!(std::fs::read(dest.join("app/README")).unwrap(), b"hi\n");
        let evil = write_xz("evil.tar.xz", &tar(&[("../outside", 0o644, b"x")]));
        let err = unpack(&evil, &dir.path().join("out2"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("refused"), "{err}");
        assert!(!dir.path().join("outside").exists());
        let garbage = dir.path().join("bad.tar.xz");
        crate::fs::write_atomic(&garbage, b"not xz").unwrap();
        assert!(unpack(&garbage, &dir.path().join("out3")).is_err());
    }

    #[test]
    fn absolute_entries_and_links_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let gz = |name: &str, raw: Vec<u8>| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, &raw).unwrap();
            let path = dir.path().join(name);
            crate::fs::write_atomic(&path, &e.finish().unwrap()).unwrap();
            path
        };
        let absolute = gz(
            "abs.tar.gz",
            tar(&[("/tmp/cratesmith-absolute-entry", 0o644, b"x")]),
        );
        let err = unpack(&absolute, &dir.path().join("o1"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("refused"), "{err}");
        assert!(!Path::new("/tmp/cratesmith-absolute-entry").exists());
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        b.append_link(&mut h, "bin/tool", "../../../etc/passwd")
            .unwrap();
        let link = gz("link.tar.gz", b.into_inner().unwrap());
        let err = unpack(&link, &dir.path().join("o2"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("points outside"), "{err}");
        assert!(!dir.path().join("o2/bin/tool").exists());
    }

    #[test]
    fn kinds_by_name() {
        assert_eq!(Kind::of(Path::new("x-1.0.0.crate")), Some(Kind::TarGz));
        assert_eq!(Kind::of(Path::new("x.TAR.XZ")), Some(Kind::TarXz));
        assert_eq!(Kind::of(Path::new("x.zip")), Some(Kind::Zip));
        assert_eq!(Kind::of(Path::new("x.rar")), None);
    }
}
