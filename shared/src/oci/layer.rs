//! The image's one layer, the same bytes for the same inputs: entries
//! sorted, every parent directory present, owner 0:0, modes normalised
//! (0755 for directories and programs, 0644 otherwise), one fixed mtime,
//! no user or group names, and a gzip header without a name or time.

use std::io::Write;

use flate2::{Compression, GzBuilder};

use super::Blob;

/// The layer's media type.
pub const MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// A file in the layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Its path, relative (`usr/local/bin/app`).
    pub path: String,
    /// Whether it is a program (mode 0755, else 0644).
    pub executable: bool,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// A built layer: the compressed blob and the uncompressed tar's digest
/// (the config's `diff_id`).
#[derive(Clone, Debug)]
pub struct Layer {
    /// The `tar+gzip` blob.
    pub blob: Blob,
    /// `sha256:` of the uncompressed tar.
    pub diff_id: String,
}

/// The layer of `files`, every entry dated `mtime`.
pub fn build(files: &[File], mtime: u64) -> std::io::Result<Layer> {
    let tar = tar_of(files, mtime)?;
    let diff_id = super::sha256(&tar);
    let mut gz = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::with_capacity(tar.len() / 2), Compression::default());
    gz.write_all(&tar)?;
    let bytes = gz.finish()?;
    Ok(Layer {
        blob: Blob::new(MEDIA_TYPE, bytes),
        diff_id,
    })
}

/// A deterministic tar of `files` and their parent directories.
pub fn tar_of(files: &[File], mtime: u64) -> std::io::Result<Vec<u8>> {
    let mut dirs: Vec<String> = Vec::new();
    for f in files {
        let mut at = 0;
        while let Some(i) = f.path[at..].find('/') {
            let dir = format!("{}/", &f.path[..at + i]);
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
            at += i + 1;
        }
    }
    let mut entries: Vec<(&str, Option<&File>)> = dirs.iter().map(|d| (d.as_str(), None)).collect();
    entries.extend(files.iter().map(|f| (f.path.as_str(), Some(f))));
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries.dedup_by(|a, b| a.0 == b.0);
    let size: usize = files.iter().map(|f| f.bytes.len() + 1024).sum();
    let mut builder = tar::Builder::new(Vec::with_capacity(size + 4096));
    for (path, file) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(mtime);
        h.set_username("")?;
        h.set_groupname("")?;
        match file {
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                builder.append_data(&mut h, path, std::io::empty())?;
            }
            Some(f) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(if f.executable { 0o755 } else { 0o644 });
                h.set_size(f.bytes.len() as u64);
                builder.append_data(&mut h, path, f.bytes.as_slice())?;
            }
        }
    }
    builder.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, bytes: &[u8]) -> File {
        File {
            path: path.into(),
            executable: path.contains("bin/"),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn the_same_files_give_the_same_layer_in_any_order() {
        let a = [
            file("usr/local/bin/b", b"B"),
            file("etc/passwd", b"x"),
            file("usr/local/bin/a", b"A"),
        ];
        let mut b = a.clone();
        b.reverse();
        let (la, lb) = (build(&a, 7).unwrap(), build(&b, 7).unwrap());
        assert_eq!(la.blob.digest, lb.blob.digest);
        assert_eq!(la.diff_id, lb.diff_id);
        assert_ne!(build(&a, 8).unwrap().diff_id, la.diff_id, "mtime counts");
    }

    #[test]
    fn entries_are_sorted_with_their_directories_owned_by_root() {
        let tar = tar_of(
            &[
                file("usr/local/bin/app", b"\x7fELF"),
                file("etc/group", b"g"),
            ],
            1,
        )
        .unwrap();
        let mut archive = tar::Archive::new(tar.as_slice());
        let got: Vec<(String, u32, u64, u64, u64)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().display().to_string(),
                    h.mode().unwrap(),
                    h.uid().unwrap(),
                    h.gid().unwrap(),
                    h.mtime().unwrap(),
                )
            })
            .collect();
        let names: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "etc/",
                "etc/group",
                "usr/",
                "usr/local/",
                "usr/local/bin/",
                "usr/local/bin/app"
            ]
        );
        assert!(got.iter().all(|g| g.2 == 0 && g.3 == 0 && g.4 == 1));
        assert_eq!(got[1].1, 0o644);
        assert_eq!(got[5].1, 0o755);
    }
}
