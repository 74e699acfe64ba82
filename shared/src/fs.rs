//! Atomic file writes and a transaction that stages edits of many files and
//! writes all of them or none.
//!
//! A write goes to a uniquely named temp file in the target's directory, is
//! fsynced, gets the original's permissions, and is renamed over the target.
//! Symlinks are followed: the file they point to is replaced, the link kept.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// One step of a commit, as seen by a fault-injection hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Writing the temp file's bytes.
    Write,
    /// Flushing the temp file to disk.
    Sync,
    /// Renaming the temp file over the target.
    Rename,
}

/// Write `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = resolve(path);
    let temp =
        write_temp(&target, bytes, &mut |_, _| Ok(())).map_err(|e| Error::io("write", path, e))?;
    rename(&temp, &target, &mut |_, _| Ok(())).map_err(|e| {
        let _ = fs::remove_file(&temp);
        Error::io("replace", path, e)
    })?;
    sync_dir(&target);
    Ok(())
}

/// Staged edits of many files, written all or none.
#[derive(Debug, Default)]
pub struct Transaction {
    files: BTreeMap<PathBuf, Staged>,
}

#[derive(Debug)]
struct Staged {
    original: Option<Vec<u8>>,
    new: Option<Vec<u8>>,
}

/// One file a transaction changes.
#[derive(Debug)]
pub struct Change<'a> {
    /// The file.
    pub path: &'a Path,
    /// Its content before (`None`: it does not exist yet).
    pub original: Option<&'a [u8]>,
    /// Its content after.
    pub new: &'a [u8],
}

impl Transaction {
    /// An empty transaction.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current (staged, else on-disk) text of `path`.
    pub fn read(&mut self, path: &Path) -> Result<String> {
        let staged = self.entry(path)?;
        let bytes = staged.new.as_ref().or(staged.original.as_ref());
        match bytes {
            None => Err(Error::io("read", path, io::ErrorKind::NotFound.into())),
            Some(b) => String::from_utf8(b.clone()).map_err(|_| {
                Error::io(
                    "read",
                    path,
                    io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"),
                )
            }),
        }
    }

    /// Record `original` as the content of `path` without reading it again.
    pub fn remember(&mut self, path: &Path, original: Vec<u8>) {
        self.files.entry(path.to_path_buf()).or_insert(Staged {
            original: Some(original),
            new: None,
        });
    }

    /// Stage `new` as the content of `path`.
    pub fn stage(&mut self, path: &Path, new: impl Into<Vec<u8>>) -> Result<()> {
        self.entry(path)?.new = Some(new.into());
        Ok(())
    }

    /// The files whose staged content differs from the original, in path order.
    pub fn changes(&self) -> impl Iterator<Item = Change<'_>> {
        self.files.iter().filter_map(|(path, s)| {
            let new = s.new.as_deref()?;
            (s.original.as_deref() != Some(new)).then_some(Change {
                path,
                original: s.original.as_deref(),
                new,
            })
        })
    }

    /// Write every change, or none: on failure, files already replaced are restored.
    pub fn commit(&self) -> Result<()> {
        self.commit_with(&mut |_, _| Ok(()))
    }

    /// [`Transaction::commit`] with a hook called before each step, which may
    /// fail it (fault injection in tests).
    pub fn commit_with(&self, hook: &mut dyn FnMut(Step, &Path) -> io::Result<()>) -> Result<()> {
        let changes: Vec<Change<'_>> = self.changes().collect();
        let mut temps = Vec::with_capacity(changes.len());
        for change in &changes {
            let target = resolve(change.path);
            match write_temp(&target, change.new, hook) {
                Ok(temp) => temps.push((temp, target)),
                Err(source) => {
                    remove_all(temps.iter().map(|(t, _)| t));
                    return Err(Error::Transaction {
                        path: change.path.to_path_buf(),
                        source,
                        restored: true,
                    });
                }
            }
        }
        for (i, (temp, target)) in temps.iter().enumerate() {
            if let Err(source) = rename(temp, target, hook) {
                remove_all(temps[i..].iter().map(|(t, _)| t));
                let restored = changes[..i].iter().all(|c| restore(c).is_ok());
                return Err(Error::Transaction {
                    path: changes[i].path.to_path_buf(),
                    source,
                    restored,
                });
            }
        }
        for (_, target) in &temps {
            sync_dir(target);
        }
        Ok(())
    }

    /// Put every changed file back to its original content (after a later step failed).
    pub fn rollback(&self) -> Result<()> {
        self.changes().try_for_each(|c| restore(&c))
    }

    fn entry(&mut self, path: &Path) -> Result<&mut Staged> {
        if !self.files.contains_key(path) {
            let original = match fs::read(path) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::io("read", path, e)),
            };
            self.files.insert(
                path.to_path_buf(),
                Staged {
                    original,
                    new: None,
                },
            );
        }
        Ok(self.files.get_mut(path).expect("inserted above"))
    }
}

fn restore(change: &Change<'_>) -> Result<()> {
    match change.original {
        Some(bytes) => write_atomic(change.path, bytes),
        None => fs::remove_file(change.path).map_err(|e| Error::io("remove", change.path, e)),
    }
}

/// The file a write to `path` should replace: the symlink's target, if it is one.
fn resolve(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

fn write_temp(
    target: &Path,
    bytes: &[u8],
    hook: &mut dyn FnMut(Step, &Path) -> io::Result<()>,
) -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = fs::metadata(target).map(|m| m.permissions()).ok();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}.relkit-tmp", std::process::id()));
        let mut file = match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let written = fill(&mut file, &temp, bytes, permissions.clone(), hook);
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        return written.map(|()| temp);
    }
}

fn fill(
    file: &mut File,
    temp: &Path,
    bytes: &[u8],
    permissions: Option<fs::Permissions>,
    hook: &mut dyn FnMut(Step, &Path) -> io::Result<()>,
) -> io::Result<()> {
    hook(Step::Write, temp)?;
    file.write_all(bytes)?;
    if let Some(p) = permissions {
        file.set_permissions(p)?;
    }
    hook(Step::Sync, temp)?;
    file.sync_all()
}

fn rename(
    temp: &Path,
    target: &Path,
    hook: &mut dyn FnMut(Step, &Path) -> io::Result<()>,
) -> io::Result<()> {
    hook(Step::Rename, target)?;
    fs::rename(temp, target)
}

fn remove_all<'a>(paths: impl Iterator<Item = &'a PathBuf>) {
    for p in paths {
        let _ = fs::remove_file(p);
    }
}

fn sync_dir(target: &Path) {
    if let Some(dir) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(n: usize) -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let paths = (0..n)
            .map(|i| dir.path().join(format!("f{i}.txt")))
            .collect::<Vec<_>>();
        for (i, p) in paths.iter().enumerate() {
            write_atomic(p, format!("old {i}\r\n").as_bytes()).unwrap();
        }
        (dir, paths)
    }

    fn staged(paths: &[PathBuf]) -> Transaction {
        let mut tx = Transaction::new();
        for (i, p) in paths.iter().enumerate() {
            tx.stage(p, format!("new {i}\n")).unwrap();
        }
        tx
    }

    #[test]
    fn commit_writes_every_file_and_leaves_no_temp() {
        let (dir, paths) = setup(3);
        staged(&paths).commit().unwrap();
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(fs::read_to_string(p).unwrap(), format!("new {i}\n"));
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn a_failure_at_any_step_leaves_every_file_as_it_was() {
        for fail_at in 0..9 {
            let (dir, paths) = setup(3);
            let tx = staged(&paths);
            let mut n = 0;
            let result = tx.commit_with(&mut |_, _| {
                n += 1;
                if n == fail_at + 1 {
                    Err(io::Error::other("injected"))
                } else {
                    Ok(())
                }
            });
            assert!(
                matches!(result, Err(Error::Transaction { restored: true, .. })),
                "step {fail_at}"
            );
            for (i, p) in paths.iter().enumerate() {
                assert_eq!(
                    fs::read_to_string(p).unwrap(),
                    format!("old {i}\r\n"),
                    "step {fail_at}"
                );
            }
            assert_eq!(
                fs::read_dir(dir.path()).unwrap().count(),
                3,
                "temp files left at step {fail_at}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn permissions_and_symlinks_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, paths) = setup(1);
        fs::set_permissions(&paths[0], fs::Permissions::from_mode(0o750)).unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&paths[0], &link).unwrap();
        write_atomic(&link, b"via link").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&paths[0]).unwrap(), b"via link");
        assert_eq!(
            fs::metadata(&paths[0]).unwrap().permissions().mode() & 0o777,
            0o750
        );
    }

    #[test]
    fn unchanged_files_are_not_changes() {
        let (_dir, paths) = setup(2);
        let mut tx = Transaction::new();
        tx.stage(&paths[0], "old 0\r\n").unwrap();
        tx.stage(&paths[1], "other").unwrap();
        let changed: Vec<_> = tx.changes().map(|c| c.path.to_path_buf()).collect();
        assert_eq!(changed, vec![paths[1].clone()]);
    }
}
