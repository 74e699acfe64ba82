//! Reading a range of history (`since..until`) with one read of each
//! commit: a walk by commit date that marks what `since` reaches as
//! uninteresting (git's own algorithm, including its slop for skewed
//! clocks), then a topological order, then the merge and path filters.
//! A range may also end at release commits met on the way (`stops`), as
//! `git log HEAD --not <every tag HEAD reaches>` would, without knowing
//! beforehand which tags are reachable. The path filter of a large range
//! runs on two threads, each with its own repository handle.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use git2::{Oid, Repository};

use super::filter::{self, PathFilter};
use super::oids::{OidMap, OidSet};
use super::{CommitInfo, Repo, git_err};
use crate::error::{Error, Result};

/// Which commits to read: reachable from `until` and not from `since`,
/// nor from any of `stops` the walk meets.
#[derive(Clone, Debug)]
pub struct Range<'a> {
    /// The newest commit.
    pub until: Oid,
    /// Commits reachable from here are left out.
    pub since: Option<Oid>,
    /// Commits that end the range where the walk meets them (release tags):
    /// they and their ancestors are left out. `until` itself never stops it.
    pub stops: Option<&'a OidSet>,
    /// Whether merge commits are kept.
    pub merges: bool,
    /// Keep only commits that change a file these paths keep.
    pub paths: &'a PathFilter,
}

/// The commits of a [`Range`], newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// The commits the range keeps.
    pub commits: Vec<CommitInfo>,
    /// The `stops` that are parents of the range's commits, newest first:
    /// the releases the range follows.
    pub reached: Vec<Oid>,
}

/// Below this many commits, path filtering on one thread is faster than
/// opening a second handle on the repository.
const PARALLEL_FROM: usize = 4096;

/// How many more commits the walk reads once only uninteresting ones are
/// queued, in case a skewed commit date hid an uninteresting path (git's
/// value).
pub(super) const SLOP: usize = 5;

const UNINTERESTING: u8 = 1;

/// A commit the walk read.
pub(super) struct Walked {
    pub(super) info: CommitInfo,
    pub(super) id: Oid,
    pub(super) tree: Oid,
    pub(super) parents: Vec<Oid>,
}

impl Repo {
    /// The commits of `range`, newest first (topological, then by date).
    pub fn commits(&self, range: &Range<'_>) -> Result<Vec<CommitInfo>> {
        self.batch(range).map(|b| b.commits)
    }

    /// The commits of `range` and the stops it met (see [`Batch`]); the
    /// path filter of a large range runs on two threads.
    pub fn batch(&self, range: &Range<'_>) -> Result<Batch> {
        let (walked, reached) = walk(&self.repo, range)?;
        let keep = self.keep(&walked, range.paths)?;
        Ok(finish(walked, &keep, range, reached))
    }

    /// For each of `walked`, whether it changes a file `paths` keeps; a
    /// large history is split over two threads.
    pub(super) fn keep(&self, walked: &[Walked], paths: &PathFilter) -> Result<Vec<bool>> {
        if paths.keeps_all() {
            return Ok(vec![true; walked.len()]);
        }
        let trees: OidMap<Oid> = walked.iter().map(|w| (w.id, w.tree)).collect();
        if walked.len() < PARALLEL_FROM {
            return touched(&self.repo, walked, &trees, paths);
        }
        let (first, second) = walked.split_at(walked.len() / 2);
        let path = self.repo.path().to_path_buf();
        std::thread::scope(|s| {
            let other = s.spawn(|| {
                let repo = Repository::open(&path).map_err(git_err)?;
                touched(&repo, second, &trees, paths)
            });
            let mut keep = touched(&self.repo, first, &trees, paths)?;
            keep.extend(other.join().map_err(|_| worker_failed())??);
            Ok::<_, Error>(keep)
        })
    }
}

fn worker_failed() -> Error {
    Error::Git {
        message: "reading commits failed on a worker thread".into(),
        help: None,
    }
}

/// The kept commits, merges dropped unless asked for.
fn finish(walked: Vec<Walked>, keep: &[bool], range: &Range<'_>, reached: Vec<Oid>) -> Batch {
    let commits = walked
        .into_iter()
        .zip(keep)
        .filter(|(w, keep)| **keep && (range.merges || w.parents.len() < 2))
        .map(|(w, _)| w.info)
        .collect();
    Batch { commits, reached }
}

/// The commits reachable from `until` and not from `since` nor from the
/// `stops` met, in topological order (newest first), and the stops that
/// are parents of them (newest first).
pub(super) type Walk = (Vec<Walked>, Vec<Oid>);

/// The walk's queue: commits read ahead (to learn their date), taken
/// newest first; at equal dates uninteresting ones first (so that what
/// `since` reaches is marked before it is taken for interesting), then in
/// the order queued. A commit waits in `slots`, so it is read once.
pub(super) struct Queue<'r> {
    heap: BinaryHeap<(i64, bool, Reverse<usize>)>,
    slots: Vec<Option<git2::Commit<'r>>>,
}

impl<'r> Queue<'r> {
    pub(super) fn new() -> Self {
        Queue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
        }
    }

    pub(super) fn push(
        &mut self,
        repo: &'r Repository,
        id: Oid,
        uninteresting: bool,
    ) -> Result<()> {
        let commit = repo.find_commit(id).map_err(git_err)?;
        let time = commit.time().seconds();
        self.heap
            .push((time, uninteresting, Reverse(self.slots.len())));
        self.slots.push(Some(commit));
        Ok(())
    }

    pub(super) fn pop(&mut self) -> Option<git2::Commit<'r>> {
        let (_, _, Reverse(slot)) = self.heap.pop()?;
        self.slots[slot].take()
    }

    pub(super) fn ids(&self) -> impl Iterator<Item = Oid> + '_ {
        self.heap
            .iter()
            .filter_map(|(_, _, Reverse(slot))| self.slots[*slot].as_ref().map(git2::Commit::id))
    }
}

pub(super) fn walk(repo: &Repository, range: &Range<'_>) -> Result<Walk> {
    let Some(mut walker) = Walker::start(repo, range)? else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut candidates: Vec<Walked> = Vec::new();
    let mut slop = SLOP;
    while let Some(commit) = walker.queue.pop() {
        if let Some(walked) = walker.visit(&commit)? {
            candidates.push(walked);
        }
        if walker.only_uninteresting_queued() {
            if slop == 0 {
                break;
            }
            slop -= 1;
        } else {
            slop = SLOP;
        }
    }
    if walker.limited {
        candidates.retain(|c| !walker.is_uninteresting(c.id));
    }
    // The releases the range follows: the stops its commits have as
    // parents (whether the walk met them first or through another stop).
    let mut reached: Vec<Oid> = Vec::new();
    for c in &candidates {
        for p in &c.parents {
            if walker.is_stop(p) && !reached.contains(p) {
                reached.push(*p);
            }
        }
    }
    Ok((topological(candidates), reached))
}

/// The state of one walk: what is marked uninteresting, the parents read
/// (for marking later), and the queue.
struct Walker<'r, 'a> {
    repo: &'r Repository,
    range: &'a Range<'a>,
    flags: OidMap<u8>,
    parents_of: OidMap<Vec<Oid>>,
    queue: Queue<'r>,
    /// Whether anything can be uninteresting (`since` or stops given):
    /// without, the walk reads it all and keeps nothing for marking.
    limited: bool,
}

impl<'r, 'a> Walker<'r, 'a> {
    /// A walk from `until` (and `since`, uninteresting); `None` when
    /// `since` is `until`, an empty range.
    fn start(repo: &'r Repository, range: &'a Range<'a>) -> Result<Option<Self>> {
        let mut walker = Walker {
            repo,
            range,
            flags: OidMap::default(),
            parents_of: OidMap::default(),
            queue: Queue::new(),
            limited: range.since.is_some() || range.stops.is_some_and(|s| !s.is_empty()),
        };
        walker.flags.insert(range.until, 0);
        walker.queue.push(repo, range.until, false)?;
        if let Some(since) = range.since {
            if since == range.until {
                return Ok(None);
            }
            walker.flags.insert(since, UNINTERESTING);
            walker.queue.push(repo, since, true)?;
        }
        Ok(Some(walker))
    }

    fn is_stop(&self, id: &Oid) -> bool {
        *id != self.range.until && self.range.stops.is_some_and(|s| s.contains(id))
    }

    fn is_uninteresting(&self, id: Oid) -> bool {
        self.flags.get(&id).is_some_and(|f| f & UNINTERESTING != 0)
    }

    /// Take `commit`: queue its parents (marked as it is), and return it
    /// when it is interesting.
    fn visit(&mut self, commit: &git2::Commit<'r>) -> Result<Option<Walked>> {
        let id = commit.id();
        let parents: Vec<Oid> = commit.parent_ids().collect();
        let stop = self.is_stop(&id);
        let flag = self.flags.entry(id).or_insert(0);
        if stop {
            *flag |= UNINTERESTING;
        }
        let uninteresting = *flag & UNINTERESTING != 0;
        for &p in &parents {
            if let std::collections::hash_map::Entry::Vacant(e) = self.flags.entry(p) {
                e.insert(if uninteresting { UNINTERESTING } else { 0 });
                self.queue.push(self.repo, p, uninteresting)?;
            } else if uninteresting {
                mark_uninteresting(p, &mut self.flags, &self.parents_of);
            }
        }
        if self.limited {
            self.parents_of.insert(id, parents.clone());
        }
        Ok((!uninteresting).then(|| Walked {
            info: info(commit),
            id,
            tree: commit.tree_id(),
            parents,
        }))
    }

    /// Whether every queued commit is uninteresting (the walk may end).
    fn only_uninteresting_queued(&self) -> bool {
        self.limited && self.queue.ids().all(|q| self.is_uninteresting(q))
    }
}

/// Mark `id` and every already-read ancestor of it uninteresting.
fn mark_uninteresting(id: Oid, flags: &mut OidMap<u8>, parents_of: &OidMap<Vec<Oid>>) {
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

pub(super) fn info(commit: &git2::Commit<'_>) -> CommitInfo {
    let bytes = commit.message_bytes();
    let author = commit.author();
    let (message, lossy) = match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), false),
        Err(_) => (String::from_utf8_lossy(bytes).into_owned(), true),
    };
    CommitInfo {
        hash: hex(commit.id().as_bytes()),
        message,
        lossy,
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        time: commit.time().seconds(),
    }
}

/// Lowercase hex of `bytes` (an id's `to_string` goes through the
/// formatting machinery, once per commit read).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// `walked` (in date order) reordered so that no commit comes before one of
/// its children; ties keep date order.
pub(super) fn topological(walked: Vec<Walked>) -> Vec<Walked> {
    let index: OidMap<usize> = walked.iter().enumerate().map(|(i, w)| (w.id, i)).collect();
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

/// For each of `walked`, whether it changes a file `paths` keeps,
/// compared with its first parent's tree.
fn touched(
    repo: &Repository,
    walked: &[Walked],
    trees: &OidMap<Oid>,
    paths: &PathFilter,
) -> Result<Vec<bool>> {
    let mut cache = filter::Trees::new(repo);
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
            filter::changes(
                &mut cache,
                w.tree,
                before,
                &|d| paths.may_hold(d),
                &mut |f| paths.keeps(f),
            )
        })
        .collect()
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
                stops: None,
                merges: false,
                paths: &PathFilter::all(),
            })
            .unwrap();
        let newest_first: Vec<String> = ids.iter().rev().map(|id| id.to_string()).collect();
        let got: Vec<String> = all.iter().map(|c| c.hash.clone()).collect();
        assert_eq!(got, newest_first);
        let paths = PathFilter::new(vec!["a".to_string()], Vec::new());
        let in_a = repo
            .commits(&Range {
                until: head,
                since: Some(ids[9]),
                stops: None,
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
        let stops: OidSet = [ids[2000], ids[10]].into_iter().collect();
        let tops = [
            (n - 1, vec![ids[2000]]),
            (2000, vec![ids[10]]),
            (10, vec![]),
        ];
        for (until, reached) in tops {
            let batch = repo
                .batch(&Range {
                    until: ids[until],
                    since: None,
                    stops: Some(&stops),
                    merges: false,
                    paths: &PathFilter::all(),
                })
                .unwrap();
            let below = match until {
                10 => 0,
                2000 => 10,
                _ => 2000,
            };
            let want: Vec<String> = (below + usize::from(below > 0)..=until)
                .rev()
                .map(|i| ids[i].to_string())
                .collect();
            let got: Vec<String> = batch.commits.iter().map(|c| c.hash.clone()).collect();
            assert_eq!(got, want, "until {until}: the walk ends at the stop");
            assert_eq!(batch.reached, reached, "until {until}");
        }
        let backwards = repo
            .batch(&Range {
                until: ids[10],
                since: Some(ids[20]),
                stops: None,
                merges: false,
                paths: &PathFilter::all(),
            })
            .unwrap();
        assert!(backwards.commits.is_empty() && backwards.reached.is_empty());
    }

    /// A random DAG with merges and skewed dates: for many (until, since)
    /// pairs the walk yields the same set as libgit2's revwalk, in an
    /// order where no commit precedes one of its children.
    #[test]
    fn the_walk_agrees_with_libgit2_on_merges_and_skewed_dates() {
        let (_dir, repo, ids, mut rng) = super::super::random_dag::dag(42, 300, 5);
        let mut next = |n: usize| rng.next(n);
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
                stops: None,
                merges: true,
                paths: &PathFilter::all(),
            };
            let (walked, _) = super::walk(&repo, &range).unwrap();
            let got: Vec<Oid> = walked.iter().map(|w| w.id).collect();
            let position: std::collections::HashMap<Oid, usize> =
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
        // Stops: the same as hiding every stop `until` reaches.
        for _ in 0..60 {
            let until = ids[next(ids.len())];
            let stops: OidSet = (0..next(12)).map(|_| ids[next(ids.len())]).collect();
            let mut walk = repo.revwalk().unwrap();
            walk.push(until).unwrap();
            let reachable: Vec<Oid> = stops
                .iter()
                .copied()
                .filter(|s| *s != until && repo.graph_descendant_of(until, *s).unwrap())
                .collect();
            for s in &reachable {
                walk.hide(*s).unwrap();
            }
            let mut want: Vec<Oid> = walk.map(Result::unwrap).collect();
            let range = Range {
                until,
                since: None,
                stops: Some(&stops),
                merges: true,
                paths: &PathFilter::all(),
            };
            let (walked, reached) = super::walk(&repo, &range).unwrap();
            let mut got: Vec<Oid> = walked.iter().map(|w| w.id).collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "until {until} stops {stops:?}");
            for r in &reached {
                assert!(reachable.contains(r), "a stop met is reachable");
            }
            for s in &reachable {
                let nearest = !reachable
                    .iter()
                    .any(|o| o != s && repo.graph_descendant_of(*o, *s).unwrap());
                assert!(
                    !nearest || reached.contains(s),
                    "nearest stop {s} not reported"
                );
                let parent_of_one = walked.iter().any(|w| w.parents.contains(s));
                assert_eq!(reached.contains(s), parent_of_one, "stop {s}");
            }
        }
    }
}
