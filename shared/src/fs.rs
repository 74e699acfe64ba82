//! Atomic file writes and a transaction that stages edits of many files and
//! writes all of them or none.
//!
//! A write goes to a uniquely named temp file in the target's directory, gets
//! the original's permissions, is fsynced, and is renamed over the target, so
//! after a crash each file holds either its old or its new content. (The
//! directory is not fsynced after the rename: that would only make the
//! rename itself durable, at the cost of a second fsync per file.) Symlinks
//! are followed: the file they point to is replaced, the link kept.
//!
//! A transaction writes and fsyncs all its temp files first, on several
//! threads (fsync is latency-bound, and concurrent fsyncs share journal
//! commits), and renames only once every one of them is on disk.

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

/// Write `bytes` to `path` atomically. A path that exists and is not a
/// regular file (`/dev/null`, `/dev/stdout`, a named pipe) is written
/// into, never renamed over.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = resolve(path);
    if fs::metadata(&target).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        #[allow(clippy::disallowed_methods)] // a device has nothing to replace atomically
        return fs::write(&target, bytes).map_err(|e| Error::io("write", path, e));
    }
    let temp =
        write_temp(&target, bytes, &mut |_, _| Ok(())).map_err(|e| Error::io("write", path, e))?;
    rename(&temp, &target, &mut |_, _| Ok(())).map_err(|e| {
        let _ = fs::remove_file(&temp);
        Error::io("replace", path, e)
    })
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
        self.prepare_with(hook)?.finish_with(self, hook)
    }

    /// The first half of a commit: every temp file written and fsynced, no
    /// target touched yet.
    pub fn prepare(&self) -> Result<Prepared> {
        self.prepare_with(&mut |_, _| Ok(()))
    }

    fn prepare_with(
        &self,
        hook: &mut dyn FnMut(Step, &Path) -> io::Result<()>,
    ) -> Result<Prepared> {
        let changes: Vec<Change<'_>> = self.changes().collect();
        Ok(Prepared {
            temps: write_temps(&changes, hook)?,
        })
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

/// Write and fsync a temp file beside each change's target; on failure, none is left.
fn write_temps(
    changes: &[Change<'_>],
    hook: &mut dyn FnMut(Step, &Path) -> io::Result<()>,
) -> Result<Vec<(PathBuf, PathBuf)>> {
    let mut temps = Vec::with_capacity(changes.len());
    for change in changes {
        let target = resolve(change.path);
        match create_temp(&target, change.new, hook) {
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
    if let Err((i, source)) = sync_all(&temps, hook) {
        remove_all(temps.iter().map(|(t, _)| t));
        return Err(Error::Transaction {
            path: changes[i].path.to_path_buf(),
            source,
            restored: true,
        });
    }
    Ok(temps)
}

/// fsync every temp file, several at a time; the first failure and its index.
fn sync_all(
    temps: &[(PathBuf, PathBuf)],
    hook: &mut dyn FnMut(Step, &Path) -> io::Result<()>,
) -> Result<(), (usize, io::Error)> {
    for (i, (temp, _)) in temps.iter().enumerate() {
        hook(Step::Sync, temp).map_err(|e| (i, e))?;
    }
    let outcomes = parallel(temps, |(temp, _)| {
        File::open(temp).and_then(|f| f.sync_all())
    });
    match outcomes.into_iter().enumerate().find(|(_, r)| r.is_err()) {
        Some((i, Err(e))) => Err((i, e)),
        _ => Ok(()),
    }
}

/// `f` over `items` on up to 16 threads (for latency-bound file system
/// calls), results in item order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const THREADS: usize = 16;
    if items.len() <= 8 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(THREADS).max(8);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Temp files on disk, waiting to be renamed over their targets by
/// [`Prepared::finish`]; dropped unfinished, they are removed.
#[derive(Debug)]
pub struct Prepared {
    temps: Vec<(PathBuf, PathBuf)>,
}

impl Prepared {
    /// Rename every temp file over its target; if a rename fails, the
    /// targets already replaced are restored from `tx`.
    pub fn finish(self, tx: &Transaction) -> Result<()> {
        self.finish_with(tx, &mut |_, _| Ok(()))
    }

    fn finish_with(
        mut self,
        tx: &Transaction,
        hook: &mut dyn FnMut(Step, &Path) -> io::Result<()>,
    ) -> Result<()> {
        let changes: Vec<Change<'_>> = tx.changes().collect();
        let temps = std::mem::take(&mut self.temps);
        // The hook decides up front which rename fails (if any); the renames
        // before it then run in parallel, and every outcome is known.
        let mut failure = None;
        for (i, (_, target)) in temps.iter().enumerate() {
            if let Err(e) = hook(Step::Rename, target) {
                failure = Some((i, e));
                break;
            }
        }
        let attempted = failure.as_ref().map_or(temps.len(), |(i, _)| *i);
        let mut outcomes = parallel(&temps[..attempted], |(temp, target)| {
            fs::rename(temp, target)
        });
        if failure.is_none() {
            failure = outcomes.iter_mut().enumerate().find_map(|(i, r)| match r {
                Err(e) => Some((i, std::mem::replace(e, io::Error::other("failed")))),
                Ok(()) => None,
            });
        }
        let Some((i, source)) = failure else {
            return Ok(());
        };
        let mut restored = true;
        for (j, outcome) in outcomes.iter().enumerate() {
            match outcome {
                Ok(()) => restored &= restore(&changes[j]).is_ok(),
                Err(_) => remove_all(std::iter::once(&temps[j].0)),
            }
        }
        remove_all(temps[attempted..].iter().map(|(t, _)| t));
        Err(Error::Transaction {
            path: changes[i].path.to_path_buf(),
            source,
            restored,
        })
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        remove_all(self.temps.iter().map(|(t, _)| t));
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

/// [`create_temp`], then fsync it.
fn write_temp(
    target: &Path,
    bytes: &[u8],
    hook: &mut dyn FnMut(Step, &Path) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let temp = create_temp(target, bytes, hook)?;
    let synced = hook(Step::Sync, &temp).and_then(|()| File::open(&temp)?.sync_all());
    match synced {
        Ok(()) => Ok(temp),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// A unique temp file beside `target` holding `bytes`, with `target`'s
/// permissions; not yet fsynced. The directory of a new file is created.
fn create_temp(
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
    if permissions.is_none() && !dir.exists() {
        // A new file in a new directory (a changelog at `docs/CHANGELOG.md`).
        fs::create_dir_all(dir)?;
    }
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}.cratesmith-tmp", std::process::id()));
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
    Ok(())
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

/// An exclusive lock on `file`, held until the returned handle is dropped.
/// When another process holds it, `waiting` is called once and the call
/// blocks until the lock is free (as cargo does with its own locks).
pub fn lock(file: &Path, waiting: impl FnOnce()) -> Result<File> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    }
    let handle = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(file)
        .map_err(|e| Error::io("open", file, e))?;
    match handle.try_lock() {
        Ok(()) => return Ok(handle),
        Err(std::fs::TryLockError::WouldBlock) => waiting(),
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("lock", file, e)),
    }
    handle.lock().map_err(|e| Error::io("lock", file, e))?;
    Ok(handle)
}

/// A shared lock on `file` when it exists (waiting, after calling
/// `waiting` once, while someone holds it exclusively); `None` when it
/// does not exist. Nothing is created or written.
pub fn lock_shared_if_exists(file: &Path, waiting: impl FnOnce()) -> Result<Option<File>> {
    let handle = match File::open(file) {
        Ok(h) => h,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("open", file, e)),
    };
    match handle.try_lock_shared() {
        Ok(()) => return Ok(Some(handle)),
        Err(std::fs::TryLockError::WouldBlock) => waiting(),
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("lock", file, e)),
    }
    handle
        .lock_shared()
        .map_err(|e| Error::io("lock", file, e))?;
    Ok(Some(handle))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--body /dev/null` once replaced the machine's /dev/null with a file.
    #[cfg(unix)]
    #[test]
    fn write_atomic_writes_into_a_device_instead_of_replacing_it() {
        use std::os::unix::fs::FileTypeExt;
        write_atomic(Path::new("/dev/null"), b"notes\n").unwrap();
        let kind = fs::metadata("/dev/null").unwrap().file_type();
        assert!(kind.is_char_device(), "/dev/null is no longer a device");
    }

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
