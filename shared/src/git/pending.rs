//! What each of many scopes (a workspace's members) has not released, in
//! one walk: every commit carries the set of scopes that released it (a
//! release commit of a scope, or an ancestor of one), propagated from
//! children to parents as the walk goes, which ends once every queued
//! commit is released for all of them (with git's slop for skewed dates).
//! Each remaining commit is compared with its first parent once, and its
//! changed files are given to the scopes that keep them.

use git2::Oid;

use super::filter::{self, PathFilter};
use super::history::{Queue, SLOP, Walked, info, topological};
use super::oids::{OidMap, OidSet};
use super::{Batch, Repo, git_err};
use crate::error::Result;

/// One scope of a [`Repo::batches`] walk.
#[derive(Clone, Copy, Debug)]
pub struct Scoped<'a> {
    /// Its release commits: they and their ancestors are released.
    pub stops: &'a OidSet,
    /// The files whose changes are its changes.
    pub paths: &'a PathFilter,
}

/// A set of scopes, one bit each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn set(&mut self, i: usize) {
        if self.0.len() <= i / 64 {
            self.0.resize(i / 64 + 1, 0);
        }
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn has(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Add `other`; whether anything was new.
    fn add(&mut self, other: &Bits) -> bool {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        let mut grew = false;
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            grew |= *theirs & !*mine != 0;
            *mine |= theirs;
        }
        grew
    }

    fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

impl Repo {
    /// For each scope, the commits `until` reaches that none of its release
    /// commits reach and that change its files (merges left out), newest
    /// first, and the release commits that are parents of its unreleased
    /// commits: what [`Repo::batch`] gives for one scope, for all of them
    /// in one walk. `until` itself is never a release here.
    pub fn batches(&self, until: Oid, scopes: &[Scoped<'_>]) -> Result<Vec<Batch>> {
        let mut stop_bits: OidMap<Bits> = OidMap::default();
        for (i, scope) in scopes.iter().enumerate() {
            for id in scope.stops.iter().filter(|id| **id != until) {
                stop_bits.entry(*id).or_default().set(i);
            }
        }
        let (walked, flags) = walk(&self.repo, until, &stop_bits, scopes.len())?;
        let mut batches = vec![Batch::default(); scopes.len()];
        let mut opens: Vec<&Bits> = Vec::with_capacity(walked.len());
        for w in &walked {
            let released = &flags[&w.id];
            for p in &w.parents {
                if let Some(bits) = stop_bits.get(p) {
                    for i in (0..scopes.len()).filter(|&i| bits.has(i) && !released.has(i)) {
                        if !batches[i].reached.contains(p) {
                            batches[i].reached.push(*p);
                        }
                    }
                }
            }
            opens.push(released);
        }
        for (w, touched) in walked.iter().zip(self.touched(&walked, &opens, scopes)?) {
            for i in touched {
                batches[i].commits.push(w.info.clone());
            }
        }
        Ok(batches)
    }

    /// For each of `walked` (merges: none), which of the scopes that have
    /// not released it (`released`: those that have) keep a file it
    /// changes. (Two threads do not help: libgit2 serializes pack reads.)
    fn touched(
        &self,
        walked: &[Walked],
        opens: &[&Bits],
        scopes: &[Scoped<'_>],
    ) -> Result<Vec<Vec<usize>>> {
        let trees: OidMap<Oid> = walked.iter().map(|w| (w.id, w.tree)).collect();
        let job = Job {
            trees: &trees,
            scopes,
        };
        job.run(&self.repo, walked, opens)
    }
}

/// What the tree comparisons share: each commit's tree, the scopes.
struct Job<'a> {
    trees: &'a OidMap<Oid>,
    scopes: &'a [Scoped<'a>],
}

impl Job<'_> {
    fn run(
        &self,
        repo: &git2::Repository,
        walked: &[Walked],
        released: &[&Bits],
    ) -> Result<Vec<Vec<usize>>> {
        let mut cache = filter::Trees::new(repo);
        let mut open = Vec::with_capacity(self.scopes.len());
        walked
            .iter()
            .zip(released)
            .map(|(w, released)| {
                if w.parents.len() > 1 {
                    return Ok(Vec::new());
                }
                open.clear();
                open.extend((0..self.scopes.len()).filter(|&i| !released.has(i)));
                self.touched_by(repo, &mut cache, w, &open)
            })
            .collect()
    }

    /// Which of the scopes `open` keep a file that `w` changes.
    fn touched_by(
        &self,
        repo: &git2::Repository,
        cache: &mut filter::Trees<'_>,
        w: &Walked,
        open: &[usize],
    ) -> Result<Vec<usize>> {
        let scopes = self.scopes;
        if open.is_empty() {
            return Ok(Vec::new());
        }
        let mut touched = vec![false; scopes.len()];
        let mut left = open.len();
        // A scope of every path takes every commit, changed files or not.
        for &i in open.iter().filter(|&&i| scopes[i].paths.keeps_all()) {
            touched[i] = true;
            left -= 1;
        }
        if left == 0 {
            return Ok(open.to_vec());
        }
        let before = match w.parents.first() {
            Some(p) => match self.trees.get(p) {
                Some(t) => Some(*t),
                None => Some(repo.find_commit(*p).map_err(git_err)?.tree_id()),
            },
            None => None,
        };
        let descend = |dir: &str| open.iter().any(|&i| scopes[i].paths.may_hold(dir));
        filter::changes(cache, w.tree, before, &descend, &mut |file| {
            for &i in open {
                if !touched[i] && scopes[i].paths.keeps(file) {
                    touched[i] = true;
                    left -= 1;
                }
            }
            left == 0
        })?;
        Ok(open.iter().copied().filter(|&i| touched[i]).collect())
    }
}

/// The commits `until` reaches that some scope has not released, in
/// topological order, and every read commit's released scopes.
fn walk(
    repo: &git2::Repository,
    until: Oid,
    stop_bits: &OidMap<Bits>,
    scopes: usize,
) -> Result<(Vec<Walked>, OidMap<Bits>)> {
    let mut flags: OidMap<Bits> = OidMap::default();
    let mut parents_of: OidMap<Vec<Oid>> = OidMap::default();
    let mut queue = Queue::new();
    let full = |b: &Bits| b.count() == scopes;
    flags.insert(until, Bits::default());
    queue.push(repo, until, scopes == 0)?;
    let mut candidates: Vec<Walked> = Vec::new();
    let mut slop = SLOP;
    while let Some(commit) = queue.pop() {
        let id = commit.id();
        let parents: Vec<Oid> = commit.parent_ids().collect();
        let mut bits = flags.remove(&id).unwrap_or_default();
        if let Some(own) = stop_bits.get(&id) {
            bits.add(own);
        }
        for &p in &parents {
            match flags.get_mut(&p) {
                None => {
                    flags.insert(p, bits.clone());
                    queue.push(repo, p, full(&bits))?;
                }
                Some(theirs) => {
                    if theirs.add(&bits) {
                        spread(p, &bits, &mut flags, &parents_of);
                    }
                }
            }
        }
        let done = full(&bits);
        flags.insert(id, bits);
        parents_of.insert(id, parents.clone());
        if !done {
            candidates.push(Walked {
                info: info(&commit),
                id,
                tree: commit.tree_id(),
                parents,
            });
        }
        if queue.ids().all(|q| flags.get(&q).is_some_and(full)) {
            if slop == 0 {
                break;
            }
            slop -= 1;
        } else {
            slop = SLOP;
        }
    }
    candidates.retain(|c| !flags.get(&c.id).is_some_and(full));
    Ok((topological(candidates), flags))
}

/// Add `bits` to every already-read ancestor of `id` (`id` has them).
fn spread(id: Oid, bits: &Bits, flags: &mut OidMap<Bits>, parents_of: &OidMap<Vec<Oid>>) {
    let mut stack: Vec<Oid> = parents_of.get(&id).cloned().unwrap_or_default();
    while let Some(id) = stack.pop() {
        let grew = flags.entry(id).or_default().add(bits);
        if grew && let Some(parents) = parents_of.get(&id) {
            stack.extend(parents);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::Range;

    /// On random DAGs with merges and skewed dates, the one walk gives each
    /// scope what a walk of its own gives.
    #[test]
    fn one_walk_agrees_with_a_walk_per_scope() {
        let (dir, _repo, ids, mut rng) = super::super::random_dag::dag(11, 300, 4);
        let ours = Repo::discover(dir.path()).unwrap();
        let all = PathFilter::all();
        for _ in 0..20 {
            let until = ids[150 + rng.next(150)];
            let stops: Vec<OidSet> = (0..1 + rng.next(6))
                .map(|_| (0..rng.next(5)).map(|_| ids[rng.next(ids.len())]).collect())
                .collect();
            let scopes: Vec<Scoped<'_>> = stops
                .iter()
                .map(|s| Scoped {
                    stops: s,
                    paths: &all,
                })
                .collect();
            let together = ours.batches(until, &scopes).unwrap();
            for (i, s) in stops.iter().enumerate() {
                let alone = ours
                    .batch(&Range {
                        until,
                        since: None,
                        stops: Some(s),
                        merges: false,
                        paths: &all,
                    })
                    .unwrap();
                let hashes = |b: &Batch| {
                    let mut h: Vec<String> = b.commits.iter().map(|c| c.hash.clone()).collect();
                    h.sort();
                    h
                };
                assert_eq!(
                    hashes(&together[i]),
                    hashes(&alone),
                    "scope {i} until {until}"
                );
                let mut a = together[i].reached.clone();
                let mut b = alone.reached.clone();
                a.sort();
                b.sort();
                assert_eq!(a, b, "reached, scope {i}");
            }
        }
    }
}
