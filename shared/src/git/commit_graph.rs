//! Commit times from git's commit-graph files (`objects/info/commit-graph`
//! and the split chain under `objects/info/commit-graphs/`), which `git gc`
//! and `git maintenance` keep: a commit's time there is a lookup in a
//! sorted table, where libgit2 inflates the whole commit from its pack.
//! Only the header and the fan-out table are read up front; a lookup reads
//! one window of ids where the hash's value says the id lies (ids are
//! uniform, so the first window almost always holds it) and then the one
//! time, so a repository of millions of commits costs a few small reads
//! per tag, not its whole graph (no mapping: the workspace forbids
//! `unsafe`). A file that is missing, of another hash or version, or cut
//! short is left out, and a commit it does not hold is read the usual way.
//! Format: git's Documentation/gitformat-commit-graph.txt.

use std::fs::File;
use std::path::Path;

use git2::Oid;

/// SHA-1, the hash libgit2 reads here.
const HASH_LEN: u64 = 20;
/// Tree id, two parent positions, then generation and time.
const CDAT_ENTRY: u64 = HASH_LEN + 16;
/// Ids read at once: wide enough that the estimated position misses by
/// less than half of it in all but rare cases.
const WINDOW: u64 = 128;
const OIDF: u32 = u32::from_be_bytes(*b"OIDF");
const OIDL: u32 = u32::from_be_bytes(*b"OIDL");
const CDAT: u32 = u32::from_be_bytes(*b"CDAT");

/// The commit-graph files of one repository.
#[derive(Default)]
pub(crate) struct CommitGraph {
    files: Vec<GraphFile>,
}

/// One commit-graph file, its fan-out table and where its chunks start.
struct GraphFile {
    file: File,
    fanout: Vec<u64>,
    oids: u64,
    cdat: u64,
    /// Ids read at once ([`WINDOW`]; narrower in tests).
    window: u64,
}

impl CommitGraph {
    /// The graph files of the repository's object directory; none when it
    /// has none (then every lookup misses).
    pub(crate) fn open(repo: &git2::Repository) -> CommitGraph {
        let info = repo.commondir().join("objects/info");
        let mut paths = vec![info.join("commit-graph")];
        let chain = std::fs::read_to_string(info.join("commit-graphs/commit-graph-chain"));
        for hash in chain.iter().flat_map(|c| c.lines()) {
            paths.push(info.join(format!("commit-graphs/graph-{}.graph", hash.trim())));
        }
        let files = paths.iter().filter_map(|p| GraphFile::read(p)).collect();
        CommitGraph { files }
    }

    /// The committer time of `commit` in seconds, when a graph file holds
    /// it and the time is one the file keeps faithfully: git stores a
    /// date before the epoch wrapped (1969 reads as 2106), so only times
    /// from 1970 to 2038 are taken, and any other is read from the commit.
    pub(crate) fn commit_time(&self, commit: Oid) -> Option<i64> {
        self.files
            .iter()
            .find_map(|f| f.commit_time(commit.as_bytes()))
            .filter(|t| (1..1 << 31).contains(t))
    }
}

impl GraphFile {
    /// Checks the header, the fan-out table and that every chunk it
    /// needs lies in the file.
    fn read(path: &Path) -> Option<GraphFile> {
        let file = File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        let header = read_at(&file, 0, 8)?;
        if &header[..4] != b"CGPH" || header[4] != 1 || header[5] != 1 {
            return None;
        }
        let table = read_at(&file, 8, 12 * u64::from(header[6]))?;
        let (mut fanout, mut oids, mut cdat) = (None, None, None);
        for entry in table.chunks_exact(12) {
            let offset = u64::from_be_bytes(entry[4..].try_into().ok()?);
            match u32::from_be_bytes(entry[..4].try_into().ok()?) {
                OIDF => fanout = Some(offset),
                OIDL => oids = Some(offset),
                CDAT => cdat = Some(offset),
                _ => {}
            }
        }
        let fanout: Vec<u64> = read_at(&file, fanout?, 256 * 4)?
            .chunks_exact(4)
            .map(|w| u64::from(u32::from_be_bytes([w[0], w[1], w[2], w[3]])))
            .collect();
        let count = fanout[255];
        let fits = |start: u64, entry: u64| {
            count
                .checked_mul(entry)
                .and_then(|n| n.checked_add(start))
                .is_some_and(|end| end <= len)
        };
        let sorted = fanout.windows(2).all(|w| w[0] <= w[1]);
        let (oids, cdat) = (oids?, cdat?);
        (sorted && fits(oids, HASH_LEN) && fits(cdat, CDAT_ENTRY)).then_some(GraphFile {
            file,
            fanout,
            oids,
            cdat,
            window: WINDOW,
        })
    }

    /// Searches the ids that share the first byte: a window around the
    /// position the remaining bytes predict, then halves of what is left.
    fn commit_time(&self, id: &[u8]) -> Option<i64> {
        let first = usize::from(*id.first()?);
        let mut lo = match first {
            0 => 0,
            _ => self.fanout[first - 1],
        };
        let mut hi = self.fanout[first];
        let rest = u64::from_be_bytes(id.get(1..9)?.try_into().ok()?);
        let mut guess = lo + ((u128::from(hi - lo) * u128::from(rest)) >> 64) as u64;
        while lo < hi {
            let len = self.window.min(hi - lo);
            let start = guess.saturating_sub(len / 2).clamp(lo, hi - len);
            let ids = read_at(&self.file, self.oids + start * HASH_LEN, len * HASH_LEN)?;
            let found = ids
                .chunks_exact(HASH_LEN as usize)
                .collect::<Vec<_>>()
                .binary_search_by(|probe| (*probe).cmp(id));
            match found {
                Ok(i) => return self.time_at(start + i as u64),
                Err(0) if start > lo => hi = start,
                Err(i) if i as u64 == len && start + len < hi => lo = start + len,
                Err(_) => return None,
            }
            guess = lo + (hi - lo) / 2;
        }
        None
    }

    /// The 34-bit time: the low two bits of the generation word, then the
    /// next word.
    fn time_at(&self, i: u64) -> Option<i64> {
        let words = read_at(&self.file, self.cdat + i * CDAT_ENTRY + HASH_LEN + 8, 8)?;
        let high = u32::from_be_bytes(words[..4].try_into().ok()?) & 0b11;
        let low = u32::from_be_bytes(words[4..].try_into().ok()?);
        Some(i64::from(high) << 32 | i64::from(low))
    }
}

/// `len` bytes at `at`; `None` when the file is shorter.
fn read_at(file: &File, at: u64, len: u64) -> Option<Vec<u8>> {
    let mut buf = vec![0; usize::try_from(len).ok()?];
    fill_at(file, &mut buf, at).ok()?;
    Some(buf)
}

/// One positioned read where the platform has it (`pread`).
#[cfg(unix)]
fn fill_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

/// A seek and a read elsewhere (Windows): the handle is not shared
/// between threads, so the two cannot interleave with another read.
#[cfg(not(unix))]
fn fill_at(mut file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .status()
            .expect("git runs")
            .success();
        assert!(ok, "git {args:?}");
    }

    /// A history with dates before 1970, near it, now and after 2038.
    fn history(dir: &Path) -> Vec<(Oid, i64)> {
        git(dir, &["init", "-q"]);
        let repo = git2::Repository::open(dir).expect("repo");
        let sig = |t: i64| git2::Signature::new("a", "a@b", &git2::Time::new(t, 0)).expect("sig");
        let tree = repo
            .find_tree(repo.index().expect("index").write_tree().expect("tree"))
            .expect("tree");
        let mut parent: Option<git2::Commit<'_>> = None;
        let mut out = Vec::new();
        for (i, t) in [-86_400, 1, 1_700_000_000, 2_200_000_000]
            .into_iter()
            .enumerate()
        {
            let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
            let id = repo
                .commit(
                    Some("HEAD"),
                    &sig(t),
                    &sig(t),
                    &format!("c{i}"),
                    &tree,
                    &parents,
                )
                .expect("commit");
            out.push((id, t));
            parent = Some(repo.find_commit(id).expect("commit"));
        }
        out
    }

    #[test]
    fn times_match_the_commits_in_single_and_split_graphs() {
        for split in [false, true] {
            let dir = tempfile::tempdir().expect("tempdir");
            let commits = history(dir.path());
            let repo = git2::Repository::open(dir.path()).expect("repo");
            assert!(CommitGraph::open(&repo).files.is_empty());
            let mut args = vec!["commit-graph", "write", "--reachable"];
            if split {
                args.push("--split");
            }
            git(dir.path(), &args);
            let graph = CommitGraph::open(&repo);
            assert_eq!(graph.files.len(), 1, "split: {split}");
            for (id, t) in &commits {
                let want = (1..1 << 31).contains(t).then_some(*t);
                assert_eq!(graph.commit_time(*id), want, "{t}");
            }
            let tree = repo.head().unwrap().peel_to_tree().unwrap().id();
            assert_eq!(graph.commit_time(tree), None);
        }
    }

    #[test]
    fn damaged_files_are_left_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let commits = history(dir.path()).len() as u64;
        git(dir.path(), &["commit-graph", "write", "--reachable"]);
        let path = dir.path().join(".git/objects/info/commit-graph");
        let whole = std::fs::read(&path).expect("graph");
        let cdat_end = GraphFile::read(&path).expect("parsed").cdat + commits * CDAT_ENTRY;
        let damaged = dir.path().join("damaged");
        let left_out = |bytes: &[u8]| {
            crate::fs::write_atomic(&damaged, bytes).expect("write");
            GraphFile::read(&damaged).is_none()
        };
        for cut in [0, 7, 20, 1100, cdat_end as usize - 1] {
            assert!(left_out(&whole[..cut]), "cut at {cut}");
        }
        let mut other_hash = whole.clone();
        other_hash[5] = 2;
        assert!(left_out(&other_hash));
    }

    #[test]
    fn lookups_find_every_commit_whatever_the_window() {
        let dir = tempfile::tempdir().expect("tempdir");
        git(dir.path(), &["init", "-q"]);
        let repo = git2::Repository::open(dir.path()).expect("repo");
        let tree = repo
            .find_tree(repo.index().expect("index").write_tree().expect("tree"))
            .expect("tree");
        let mut ids: Vec<(Oid, i64)> = Vec::new();
        for i in 0..1500 {
            let sig =
                git2::Signature::new("a", "a@b", &git2::Time::new(1_000_000 + i, 0)).expect("sig");
            let parent = ids
                .last()
                .map(|(id, _)| repo.find_commit(*id).expect("parent"));
            let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
            let id = repo
                .commit(Some("HEAD"), &sig, &sig, "c", &tree, &parents)
                .expect("commit");
            ids.push((id, 1_000_000 + i));
        }
        git(dir.path(), &["commit-graph", "write", "--reachable"]);
        let mut graph = CommitGraph::open(&repo);
        for window in [1, 2, 3, WINDOW] {
            graph.files[0].window = window;
            for (id, t) in &ids {
                assert_eq!(graph.commit_time(*id), Some(*t), "window {window}");
            }
            for (id, _) in ids.iter().take(50) {
                let mut missing = id.as_bytes().to_vec();
                missing[19] ^= 1;
                let missing = Oid::from_bytes(&missing).expect("oid");
                assert_eq!(graph.commit_time(missing), None, "window {window}");
            }
        }
    }
}
