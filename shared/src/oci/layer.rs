//! The image's one layer, the same bytes for the same inputs: entries
//! sorted, every parent directory present, owner 0:0, modes normalised
//! (0755 for directories and programs, 0644 otherwise), one fixed mtime,
//! no user or group names, and a gzip header without a name or time.
//!
//! The gzip is compressed on every core, as pigz does: the tar is cut in
//! 1 MiB pieces, each deflated on its own and ended with a sync flush so
//! the pieces join into one stream. The pieces do not depend on the number
//! of cores, so neither do the bytes.

use flate2::{Compress, Compression, Crc, FlushCompress};

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
    let bytes = gzip(&tar)?;
    Ok(Layer {
        blob: Blob::new(MEDIA_TYPE, bytes),
        diff_id,
    })
}

/// The deflate level: on cratesmith's binaries 4 gives a layer 3% larger than
/// level 6 (gzip's default) in 60% of the time (docs/benchmarks.md).
const LEVEL: u32 = 4;

/// The size of the pieces compressed apart.
const PIECE: usize = 1 << 20;

/// `data` gzipped, the pieces deflated on all cores; a header without a
/// name or time (OS "unknown").
pub fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let pieces: Vec<&[u8]> = if data.is_empty() {
        vec![data]
    } else {
        data.chunks(PIECE).collect()
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<std::sync::Mutex<Option<std::io::Result<Vec<u8>>>>> =
        pieces.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..cores.min(pieces.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(piece) = pieces.get(i) else { break };
                    let out = deflate(piece, i + 1 == pieces.len());
                    if let Ok(mut slot) = done[i].lock() {
                        *slot = Some(out);
                    }
                }
            });
        }
    });
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    for slot in done {
        let piece = slot
            .into_inner()
            .ok()
            .flatten()
            .unwrap_or_else(|| Err(std::io::Error::other("a compression thread failed")))?;
        out.extend_from_slice(&piece);
    }
    let mut crc = Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    Ok(out)
}

/// One piece as raw deflate: ended by a sync flush, or finished when last.
fn deflate(piece: &[u8], last: bool) -> std::io::Result<Vec<u8>> {
    let mut c = Compress::new(Compression::new(LEVEL), false);
    let mut out = Vec::with_capacity(piece.len() / 2 + 1024);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(4096));
        }
        let consumed = usize::try_from(c.total_in())
            .unwrap_or(usize::MAX)
            .min(piece.len());
        let status = c
            .compress_vec(&piece[consumed..], &mut out, flush)
            .map_err(std::io::Error::other)?;
        let all_in = usize::try_from(c.total_in()).is_ok_and(|n| n == piece.len());
        let flushed = out.len() < out.capacity();
        match (last, status) {
            (true, flate2::Status::StreamEnd) => return Ok(out),
            (false, _) if all_in && flushed => return Ok(out),
            _ => {}
        }
    }
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
    fn the_parallel_gzip_is_one_valid_stream() {
        use std::io::Read;
        let mut data = Vec::new();
        let mut x: u32 = 1;
        while data.len() < 3 * PIECE + 12_345 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            data.extend_from_slice(format!("line {} {}\n", x % 1000, x >> 20).as_bytes());
        }
        for input in [&data[..], &data[..10], &[][..], &data[..PIECE]] {
            let gz = gzip(input).unwrap();
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(gz.as_slice())
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, input);
            assert_eq!(gzip(input).unwrap(), gz, "deterministic");
        }
        assert!(gzip(&data).unwrap().len() < data.len() / 2);
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
