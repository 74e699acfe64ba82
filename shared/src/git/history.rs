//! Reading a range of history (`since..until`) with one read of each
//! commit: a walk by commit date that marks what `since` reaches as
//! uninteresting (git's own algorithm, including its slop for skewed
//! clocks), then a topological order, then the merge and path filters.
//! Several ranges, or the path filter of a large one, run on two threads,
//! each with its own repository handle.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::path::Path;

use git2::{Oid, Repository};

use super::{CommitInfo, Repo, git_err};
use crate::error::{Error, Result};

/// Which commits to read: reachable from `until` and not from `since`.
#[derive(Clone, Debug)]
pub struct Range<'a> {
    /// The newest commit.
    pub until: Oid,
    /// Commits reachable from here are left out.
    pub since: Option<Oid>,
    /// Whether merge commits are kept.
    pub merges: bool,
    /// Keep only commits that change one of these paths (relative to the
    /// work tree, `/`-separated); empty keeps all.
    pub paths: &'a [String],
}

/// The commits of a [`Range`], newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// The commits the range keeps.
    pub commits: Vec<CommitInfo>,
    /// Whether one of the range's commits (kept or not) has `since` as a
    /// parent: then `since` is an ancestor of `until` (or equal to it, which
    /// the caller checks). Found while reading, so it costs no extra walk.
    pub reaches_since: bool,
}

/// Below this many commits, path filtering on one thread is faster than
/// opening a second handle on the repository.
const PARALLEL_FROM: usize = 4096;

/// How many more commits the walk reads once only uninteresting ones are
/// queued, in case a skewed commit date hid an uninteresting path (git's
/// value).
const SLOP: usize = 5;

const UNINTERESTING: u8 = 1;

/// A commit the walk read.
struct Walked {
    info: CommitInfo,
    id: Oid,
    tree: Oid,
    parents: Vec<Oid>,
}

impl Repo {
    /// The commits of `range`, newest first (topological, then by date).
    pub fn commits(&self, range: &Range<'_>) -> Result<Vec<CommitInfo>> {
        self.batch(range).map(|b| b.commits)
    }

    /// The commits of `range` and whether it reaches `since` (see [`Batch`]);
    /// the path filter of a large range runs on two threads.
    pub fn batch(&self, range: &Range<'_>) -> Result<Batch> {
        let (walked, trees, reaches_since) = walk(&self.repo, range)?;
        let keep = if range.paths.is_empty() || walked.len() < PARALLEL_FROM {
            touched(&self.repo, &walked, &trees, range.paths)?
        } else {
            let (first, second) = walked.split_at(walked.len() / 2);
            let path = self.repo.path().to_path_buf();
            std::thread::scope(|s| {
                let other = s.spawn(|| {
                    let repo = Repository::open(&path).map_err(git_err)?;
                    touched(&repo, second, &trees, range.paths)
                });
                let mut keep = touched(&self.repo, first, &trees, range.paths)?;
                keep.extend(other.join().map_err(|_| worker_failed())??);
                Ok::<_, Error>(keep)
            })?
        };
        Ok(finish(walked, &keep, range, reaches_since))
    }

    /// The batches of each of `ranges` (see [`Repo::batch`]); with several
    /// ranges, the second half is read on a second thread.
    pub fn commits_many(&self, ranges: &[Range<'_>]) -> Result<Vec<Batch>> {
        if ranges.len() < 2 {
            return ranges.iter().map(|r| self.batch(r)).collect();
        }
        let (first, second) = ranges.split_at(ranges.len() / 2);
        let path = self.repo.path().to_path_buf();
        std::thread::scope(|s| {
            let other = s.spawn(|| {
                let repo = Repository::open(&path).map_err(git_err)?;
                second
                    .iter()
                    .map(|r| one(&repo, r))
                    .collect::<Result<Vec<_>>>()
            });
            let mut out = first
                .iter()
                .map(|r| one(&self.repo, r))
                .collect::<Result<Vec<_>>>()?;
            out.extend(other.join().map_err(|_| worker_failed())??);
            Ok(out)
        })
    }
}

fn worker_failed() -> Error {
    Error::Git {
        message: "reading commits failed on a worker thread".into(),
        help: None,
    }
}

/// One range, on one thread.
fn one(repo: &Repository, range: &Range<'_>) -> Result<Batch> {
    let (walked, trees, reaches_since) = walk(repo, range)?;
    let keep = touched(repo, &walked, &trees, range.paths)?;
    Ok(finish(walked, &keep, range, reaches_since))
}

/// The kept commits, merges dropped unless asked for.
fn finish(walked: Vec<Walked>, keep: &[bool], range: &Range<'_>, reaches_since: bool) -> Batch {
    let commits = walked
        .into_iter()
        .zip(keep)
        .filter(|(w, keep)| **keep && (range.merges || w.parents.len() < 2))
        .map(|(w, _)| w.info)
        .collect();
    Batch {
        commits,
        reaches_since,
    }
}

/// The commits reachable from `until` and not from `since`, in
/// topological order (newest first), with the tree of every commit read
/// and whether one of them has `since` as a parent.
fn walk(repo: &Repository, range: &Range<'_>) -> Result<(Vec<Walked>, HashMap<Oid, Oid>, bool)> {
    let mut flags: HashMap<Oid, u8> = HashMap::new();
    let mut parents_of: HashMap<Oid, Vec<Oid>> = HashMap::new();
    let mut trees: HashMap<Oid, Oid> = HashMap::new();
    // Newest first; at equal dates uninteresting commits first (so that
    // what `since` reaches is marked before it is taken for interesting),
    // then in the order queued.
    let mut queue: BinaryHeap<(i64, bool, Reverse<u64>, Oid)> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |queue: &mut BinaryHeap<_>, id: Oid, time: i64, uninteresting: bool| {
        seq += 1;
        queue.push((time, uninteresting, Reverse(seq), id));
    };
    // Commits read to learn their date when queued, used when popped.
    let mut pending: HashMap<Oid, git2::Commit<'_>> = HashMap::new();
    flags.insert(range.until, 0);
    push(
        &mut queue,
        range.until,
        read_ahead(repo, range.until, &mut pending)?,
        false,
    );
    if let Some(since) = range.since {
        flags.insert(since, UNINTERESTING);
        if since == range.until {
            return Ok((Vec::new(), trees, false));
        }
        push(
            &mut queue,
            since,
            read_ahead(repo, since, &mut pending)?,
            true,
        );
    }
    let mut candidates: Vec<Walked> = Vec::new();
    let mut slop = SLOP;
    while let Some((_, _, _, id)) = queue.pop() {
        let commit = match pending.remove(&id) {
            Some(c) => c,
            None => repo.find_commit(id).map_err(git_err)?,
        };
        let parents: Vec<Oid> = commit.parent_ids().collect();
        trees.insert(id, commit.tree_id());
        let uninteresting = flags.get(&id).is_some_and(|f| f & UNINTERESTING != 0);
        for &p in &parents {
            if let std::collections::hash_map::Entry::Vacant(e) = flags.entry(p) {
                e.insert(if uninteresting { UNINTERESTING } else { 0 });
                push(
                    &mut queue,
                    p,
                    read_ahead(repo, p, &mut pending)?,
                    uninteresting,
                );
            } else if uninteresting {
                mark_uninteresting(p, &mut flags, &parents_of);
            }
        }
        if !uninteresting {
            candidates.push(Walked {
                info: info(&commit),
                id,
                tree: commit.tree_id(),
                parents: parents.clone(),
            });
        }
        parents_of.insert(id, parents);
        let all_uninteresting = queue
            .iter()
            .all(|(_, _, _, q)| flags.get(q).is_some_and(|f| f & UNINTERESTING != 0));
        if all_uninteresting {
            if slop == 0 {
                break;
            }
            slop -= 1;
        } else {
            slop = SLOP;
        }
    }
    candidates.retain(|c| flags.get(&c.id).is_none_or(|f| f & UNINTERESTING == 0));
    let reaches_since = range
        .since
        .is_some_and(|s| candidates.iter().any(|c| c.parents.contains(&s)));
    Ok((topological(candidates), trees, reaches_since))
}

/// Read commit `id` to learn its date (for the queue); it is kept in
/// `pending` until its turn comes.
fn read_ahead<'r>(
    repo: &'r Repository,
    id: Oid,
    pending: &mut HashMap<Oid, git2::Commit<'r>>,
) -> Result<i64> {
    let commit = repo.find_commit(id).map_err(git_err)?;
    let time = commit.time().seconds();
    pending.insert(id, commit);
    Ok(time)
}

/// Mark `id` and every already-read ancestor of it uninteresting.
fn mark_uninteresting(id: Oid, flags: &mut HashMap<Oid, u8>, parents_of: &HashMap<Oid, Vec<Oid>>) {
    let mut stack = vec![id];
    while let Some(id) = stack.pop() {
        let flag = flags.entry(id).or_insert(0);
        if *flag & UNINTERESTING != 0 {
            continue;
        }
        *flag |= UNINTERESTING;
        if let Some(parents) = parents_of.get(&id) {
            stack.extend(parents);
        }
    }
}

fn info(commit: &git2::Commit<'_>) -> CommitInfo {
    let bytes = commit.message_bytes();
    let author = commit.author();
    CommitInfo {
        hash: commit.id().to_string(),
        message: String::from_utf8_lossy(bytes).into_owned(),
        lossy: std::str::from_utf8(bytes).is_err(),
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        time: commit.time().seconds(),
    }
}

/// `walked` (in date order) reordered so that no commit comes before one of
/// its children; ties keep date order.
fn topological(walked: Vec<Walked>) -> Vec<Walked> {
    let index: HashMap<Oid, usize> = walked.iter().enumerate().map(|(i, w)| (w.id, i)).collect();
    let mut children = vec![0usize; walked.len()];
    for w in &walked {
        for p in &w.parents {
            if let Some(&i) = index.get(p) {
                children[i] += 1;
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..walked.len())
        .filter(|&i| children[i] == 0)
        .map(Reverse)
        .collect();
    let mut order = Vec::with_capacity(walked.len());
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for p in &walked[i].parents {
            if let Some(&j) = index.get(p) {
                children[j] -= 1;
                if children[j] == 0 {
                    ready.push(Reverse(j));
                }
            }
        }
    }
    let mut slots: Vec<Option<Walked>> = walked.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// For each of `walked`, whether it changes one of `paths` (all true when
/// there are none), compared with its first parent's tree.
fn touched(
    repo: &Repository,
    walked: &[Walked],
    trees: &HashMap<Oid, Oid>,
    paths: &[String],
) -> Result<Vec<bool>> {
    if paths.is_empty() {
        return Ok(vec![true; walked.len()]);
    }
    walked
        .iter()
        .map(|w| {
            let before = match w.parents.first() {
                Some(p) => match trees.get(p) {
                    Some(t) => Some(*t),
                    None => Some(repo.find_commit(*p).map_err(git_err)?.tree_id()),
                },
                None => None,
            };
            touches(repo, w.tree, before, paths)
        })
        .collect()
}

/// Whether the trees `now` and `before` differ under one of `paths`.
fn touches(repo: &Repository, now: Oid, before: Option<Oid>, paths: &[String]) -> Result<bool> {
    let now = repo.find_tree(now).map_err(git_err)?;
    let before = before
        .map(|t| repo.find_tree(t))
        .transpose()
        .map_err(git_err)?;
    let id_at = |tree: &git2::Tree<'_>, path: &str| -> Option<Oid> {
        if path.is_empty() {
            return Some(tree.id());
        }
        tree.get_path(Path::new(path)).ok().map(|e| e.id())
    };
    Ok(paths.iter().any(|p| {
        let a = id_at(&now, p);
        let b = before.as_ref().and_then(|t| id_at(t, p));
        a != b
    }))
}
#[cfg(test)]
mod tests {
    use super::*;
    use git2::FileMode;
    use git2::build::TreeUpdateBuilder;

    /// `n` commits on one branch; every 7th changes `a/x`, the others `b/y`.
    fn linear(n: usize) -> (tempfile::TempDir, Repo, Vec<git2::Oid>) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::new("T", "t@x.invalid", &git2::Time::new(1, 0)).unwrap();
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let path = if i % 7 == 0 { "a/x" } else { "b/y" };
            let blob = repo.blob(i.to_string().as_bytes()).unwrap();
            let base = ids
                .last()
                .map(|id| repo.find_commit(*id).unwrap().tree().unwrap());
            let mut update = TreeUpdateBuilder::new();
            update.upsert(path, blob, FileMode::Blob);
            let tree_id = match &base {
                Some(t) => update.create_updated(&repo, t).unwrap(),
                None => {
                    let empty = repo.treebuilder(None).unwrap().write().unwrap();
                    let empty = repo.find_tree(empty).unwrap();
                    update.create_updated(&repo, &empty).unwrap()
                }
            };
            let tree = repo.find_tree(tree_id).unwrap();
            let parent = ids.last().map(|id| repo.find_commit(*id).unwrap());
            let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
            let id = repo
                .commit(None, &sig, &sig, &format!("fix: {i}"), &tree, &parents)
                .unwrap();
            ids.push(id);
        }
        drop(repo);
        let repo = Repo::discover(dir.path()).unwrap();
        (dir, repo, ids)
    }

    #[test]
    fn large_ranges_read_on_two_threads_keep_order_and_filters() {
        let n = PARALLEL_FROM + 500;
        let (_dir, repo, ids) = linear(n);
        let head = *ids.last().unwrap();
        let all = repo
            .commits(&Range {
                until: head,
                since: None,
                merges: false,
                paths: &[],
            })
            .unwrap();
        let newest_first: Vec<String> = ids.iter().rev().map(|id| id.to_string()).collect();
        let got: Vec<String> = all.iter().map(|c| c.hash.clone()).collect();
        assert_eq!(got, newest_first);
        let paths = ["a".to_string()];
        let in_a = repo
            .commits(&Range {
                until: head,
                since: Some(ids[9]),
                merges: false,
                paths: &paths,
            })
            .unwrap();
        let want: Vec<String> = (10..n)
            .rev()
            .filter(|i| i % 7 == 0)
            .map(|i| ids[i].to_string())
            .collect();
        let got: Vec<String> = in_a.iter().map(|c| c.hash.clone()).collect();
        assert_eq!(got, want);
        let ranges: Vec<Range<'_>> = [(n - 1, Some(2000)), (2000, Some(10)), (10, None)]
            .iter()
            .map(|&(until, since)| Range {
                until: ids[until],
                since: since.map(|s| ids[s]),
                merges: false,
                paths: &[],
            })
            .collect();
        let many = repo.commits_many(&ranges).unwrap();
        let lens: Vec<usize> = many.iter().map(|b| b.commits.len()).collect();
        assert_eq!(lens, [n - 1 - 2000, 1990, 11]);
        assert_eq!(many[1].commits[0].hash, ids[2000].to_string());
        let reach: Vec<bool> = many.iter().map(|b| b.reaches_since).collect();
        assert_eq!(reach, [true, true, false]);
        let backwards = repo
            .batch(&Range {
                until: ids[10],
                since: Some(ids[20]),
                merges: false,
                paths: &[],
            })
            .unwrap();
        assert!(backwards.commits.is_empty() && !backwards.reaches_since);
    }

    /// A random DAG with merges and skewed dates: for many (until, since)
    /// pairs the walk yields the same set as libgit2's revwalk, in an
    /// order where no commit precedes one of its children.
    #[test]
    fn the_walk_agrees_with_libgit2_on_merges_and_skewed_dates() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let empty = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(empty).unwrap();
        let mut seed: u64 = 42;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((seed >> 33) as usize) % n.max(1)
        };
        let mut ids: Vec<Oid> = Vec::new();
        for i in 0..300 {
            let time = 1_000_000 + i as i64 * 10 - (next(7) as i64) * 25;
            let sig = git2::Signature::new("T", "t@x.invalid", &git2::Time::new(time, 0)).unwrap();
            let mut parents = Vec::new();
            if !ids.is_empty() {
                parents.push(ids[ids.len() - 1 - next(ids.len().min(4))]);
                if next(5) == 0 && ids.len() > 10 {
                    parents.push(ids[next(ids.len())]);
                }
            }
            parents.dedup();
            let commits: Vec<git2::Commit<'_>> = parents
                .iter()
                .map(|p| repo.find_commit(*p).unwrap())
                .collect();
            let refs: Vec<&git2::Commit<'_>> = commits.iter().collect();
            let msg = format!("fix: {i}");
            ids.push(repo.commit(None, &sig, &sig, &msg, &tree, &refs).unwrap());
        }
        for _ in 0..60 {
            let until = ids[next(ids.len())];
            let since = (next(4) > 0).then(|| ids[next(ids.len())]);
            let mut walk = repo.revwalk().unwrap();
            walk.push(until).unwrap();
            if let Some(s) = since {
                walk.hide(s).unwrap();
            }
            let mut want: Vec<Oid> = walk.map(Result::unwrap).collect();
            let range = Range {
                until,
                since,
                merges: true,
                paths: &[],
            };
            let (walked, _, _) = super::walk(&repo, &range).unwrap();
            let got: Vec<Oid> = walked.iter().map(|w| w.id).collect();
            let position: HashMap<Oid, usize> =
                got.iter().enumerate().map(|(i, id)| (*id, i)).collect();
            for w in &walked {
                for p in &w.parents {
                    if let Some(&j) = position.get(p) {
                        assert!(j > position[&w.id], "a parent before its child");
                    }
                }
            }
            let mut got = got;
            got.sort();
            want.sort();
            assert_eq!(got, want, "until {until} since {since:?}");
        }
    }
}
