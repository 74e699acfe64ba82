//! SHA-2 digests of files, streamed through a large buffer in bounded
//! memory, many files spread over all cores with the input order kept.
//! SHA-256 uses the CPU's SHA extensions when present (sha2 detects them at
//! run time).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use sha2::{Sha256, Sha512};

/// Read buffer per hashing thread.
pub const BUFFER: usize = 1 << 20;

/// A digest algorithm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Algo {
    /// SHA-256
    #[default]
    Sha256,
    /// SHA-512
    Sha512,
}

impl Algo {
    /// `sha256`, as in file extensions and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Algo::Sha256 => "sha256",
            Algo::Sha512 => "sha512",
        }
    }

    /// `SHA256`, as in BSD-style lines.
    pub fn tag(self) -> &'static str {
        match self {
            Algo::Sha256 => "SHA256",
            Algo::Sha512 => "SHA512",
        }
    }

    /// Length of a hex digest.
    pub fn hex_len(self) -> usize {
        match self {
            Algo::Sha256 => 64,
            Algo::Sha512 => 128,
        }
    }

    /// The algorithm a hex digest of this length belongs to.
    pub fn from_hex_len(len: usize) -> Option<Self> {
        [Algo::Sha256, Algo::Sha512]
            .into_iter()
            .find(|a| a.hex_len() == len)
    }

    /// The algorithm of a BSD tag (`SHA256`).
    pub fn from_tag(tag: &str) -> Option<Self> {
        [Algo::Sha256, Algo::Sha512]
            .into_iter()
            .find(|a| a.tag() == tag)
    }
}

/// A file's digest and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    /// Lowercase hex.
    pub hex: String,
    /// Bytes hashed.
    pub size: u64,
}

/// Why a file could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Opening or reading failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The file's size changed while it was read.
    #[error("it changed while being read ({before} bytes before, {after} after)")]
    Changed {
        /// Size when opened.
        before: u64,
        /// Size read, or size afterwards.
        after: u64,
    },
    /// It is a directory.
    #[error("Is a directory")]
    Directory,
    /// What read it alongside the hash (a signature) failed.
    #[error("{0}")]
    Alongside(String),
}

/// What else reads each file while it is hashed, in the same read (a
/// signature over it): given the file and a reader of its bytes, which it
/// reads to the end; its output is kept with the digest.
pub type Alongside<'a> = &'a (dyn Fn(&Path, &mut dyn Read) -> Result<Vec<u8>, String> + Sync);

/// A file's digest and what read it alongside.
pub type Hashed = (Digest, Option<Vec<u8>>);

/// A reader that hashes, counts and reports the bytes passing through.
struct Tee<'a, D> {
    inner: &'a mut dyn Read,
    hasher: D,
    size: u64,
    progress: &'a dyn Fn(u64),
}

impl<D: sha2::Digest> Read for Tee<'_, D> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        (self.progress)(n as u64);
        Ok(n)
    }
}

/// The digest of `reader`, read once: by `alongside`, which sees every
/// byte through a hashing reader, else by the hasher alone.
fn through<D: sha2::Digest>(
    path: &Path,
    reader: &mut dyn Read,
    buf: &mut [u8],
    progress: &dyn Fn(u64),
    alongside: Option<Alongside<'_>>,
) -> Result<Hashed, HashError> {
    let Some(also) = alongside else {
        return Ok((stream::<D>(reader, buf, progress)?, None));
    };
    let mut tee = Tee {
        inner: reader,
        hasher: D::new(),
        size: 0,
        progress,
    };
    let out = also(path, &mut tee).map_err(HashError::Alongside)?;
    while tee.read(buf)? > 0 {} // whatever it left unread
    let digest = Digest {
        hex: hex(&tee.hasher.finalize()),
        size: tee.size,
    };
    Ok((digest, Some(out)))
}

/// Digest of everything `reader` yields, and its length.
pub fn hash_reader(algo: Algo, reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<Digest> {
    match algo {
        Algo::Sha256 => stream::<Sha256>(reader, buf, &|_| ()),
        Algo::Sha512 => stream::<Sha512>(reader, buf, &|_| ()),
    }
}

/// Digest of the file at `path`; `progress` is told of every chunk read.
pub fn hash_file(
    algo: Algo,
    path: &Path,
    buf: &mut [u8],
    progress: &dyn Fn(u64),
) -> Result<Digest, HashError> {
    hash_file_alongside(algo, path, buf, progress, None).map(|(d, _)| d)
}

/// [`hash_file`], the file also read by `alongside` in the same read.
fn hash_file_alongside(
    algo: Algo,
    path: &Path,
    buf: &mut [u8],
    progress: &dyn Fn(u64),
    alongside: Option<Alongside<'_>>,
) -> Result<Hashed, HashError> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(HashError::Directory);
    }
    let (digest, extra) = match algo {
        Algo::Sha256 => through::<Sha256>(path, &mut file, buf, progress, alongside)?,
        Algo::Sha512 => through::<Sha512>(path, &mut file, buf, progress, alongside)?,
    };
    let after = file.metadata()?.len();
    if meta.is_file() && (digest.size != meta.len() || after != meta.len()) {
        let after = if digest.size == meta.len() {
            after
        } else {
            digest.size
        };
        return Err(HashError::Changed {
            before: meta.len(),
            after,
        });
    }
    Ok((digest, extra))
}

fn stream<D: sha2::Digest>(
    reader: &mut dyn Read,
    buf: &mut [u8],
    progress: &dyn Fn(u64),
) -> io::Result<Digest> {
    let mut hasher = D::new();
    let mut size = 0u64;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
        progress(n as u64);
    }
    Ok(Digest {
        hex: hex(&hasher.finalize()),
        size,
    })
}

/// The SHA-256 of bytes in memory, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// Bytes hashed so far, for a progress display.
#[derive(Debug, Default)]
pub struct Counter(pub AtomicU64);

/// Hash every path on all cores; results come back in input order.
pub fn hash_all(
    algo: Algo,
    paths: &[PathBuf],
    counter: &Counter,
) -> Vec<Result<Digest, HashError>> {
    hash_all_alongside(algo, paths, counter, None)
        .into_iter()
        .map(|r| r.map(|(d, _)| d))
        .collect()
}

/// [`hash_all`], each file also read by `alongside` in the same read; its
/// output kept with the digest.
pub fn hash_all_alongside(
    algo: Algo,
    paths: &[PathBuf],
    counter: &Counter,
    alongside: Option<Alongside<'_>>,
) -> Vec<Result<Hashed, HashError>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(paths.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut buf = vec![0u8; BUFFER];
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = paths.get(i) else {
                return done;
            };
            let add = |n| {
                counter.0.fetch_add(n, Ordering::Relaxed);
            };
            done.push((
                i,
                hash_file_alongside(algo, path, &mut buf, &add, alongside),
            ));
        }
    };
    let mut results: Vec<Option<Result<Hashed, HashError>>> =
        (0..paths.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        for handle in handles {
            for (i, r) in handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
            {
                results[i] = Some(r);
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(HashError::Io(io::Error::other("not hashed")))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        let mut buf = vec![0u8; 7];
        let d = hash_reader(Algo::Sha256, &mut &b"abc"[..], &mut buf).unwrap();
        assert_eq!(
            d.hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d.size, 3);
        let d = hash_reader(Algo::Sha512, &mut &b""[..], &mut buf).unwrap();
        assert!(
            d.hex
                .starts_with("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce")
        );
        let long = vec![b'a'; 1000];
        let small_buffer = hash_reader(Algo::Sha256, &mut &long[..], &mut buf).unwrap();
        let big_buffer = hash_reader(Algo::Sha256, &mut &long[..], &mut vec![0; BUFFER]).unwrap();
        assert_eq!(small_buffer, big_buffer);
    }

    #[test]
    fn a_file_growing_while_read_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("growing");
        crate::fs::write_atomic(&path, b"0123456789").unwrap();
        let grown = std::cell::Cell::new(false);
        let grow = |_| {
            use std::io::Write;
            if !grown.replace(true) {
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .unwrap();
                f.write_all(b"more").unwrap();
            }
        };
        let err = hash_file(Algo::Sha256, &path, &mut [0u8; 4], &grow).unwrap_err();
        assert!(
            matches!(err, HashError::Changed { before: 10, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("changed while being read"));
    }

    #[test]
    fn hash_all_keeps_input_order_and_reports_each_failure() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for i in 0..40 {
            let p = dir.path().join(format!("f{i}"));
            crate::fs::write_atomic(&p, format!("{i}").as_bytes()).unwrap();
            paths.push(p);
        }
        paths.insert(3, dir.path().join("missing"));
        let results = hash_all(Algo::Sha256, &paths, &Counter::default());
        assert!(matches!(results[3], Err(HashError::Io(_))));
        let mut buf = vec![0; 64];
        for (p, r) in paths.iter().zip(&results).filter(|(p, _)| p.exists()) {
            let expected =
                hash_reader(Algo::Sha256, &mut File::open(p).unwrap(), &mut buf).unwrap();
            assert_eq!(r.as_ref().unwrap(), &expected);
        }
    }
}
