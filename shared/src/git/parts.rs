//! A whole history split at release commits in one walk: every commit
//! `until` reaches belongs to the part of each nearest tip that reaches it
//! (`until` itself, or a release commit), as `git log <tip> --not <every
//! release the tip reaches>` would list it, without a walk per release.

use git2::Oid;

use super::history::{Range, Walked, walk};
use super::oids::{OidMap, OidSet};
use super::{CommitInfo, PathFilter, Repo};
use crate::error::Result;

/// The commits of one tip: itself and what it reaches before other tips.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// `until`, or a release commit.
    pub tip: Oid,
    /// Its commits, newest first (topological), after the filters.
    pub commits: Vec<CommitInfo>,
    /// The tips just below it, newest first: the releases it follows.
    pub reached: Vec<Oid>,
}

/// The tips of a history and which reaches which.
struct Tips {
    index: OidMap<usize>,
    /// `below[a][b]`: tip `a` reaches tip `b` (`b` is an ancestor of `a`).
    below: Vec<Vec<bool>>,
}

impl Tips {
    fn reaches(&self, a: usize, b: usize) -> bool {
        self.below[a][b]
    }

    /// `set` without the tips another tip of `set` reaches.
    fn nearest(&self, set: &mut TipSet) {
        if let TipSet::Many(all) = set {
            let copy = all.clone();
            all.retain(|&t| !copy.iter().any(|&o| o != t && self.reaches(t, o)));
            if let [one] = all.as_slice() {
                *set = TipSet::One(*one);
            }
        }
    }
}

/// A set of tip numbers: most commits are in one part, so one is kept
/// without an allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum TipSet {
    #[default]
    Empty,
    One(usize),
    Many(Vec<usize>),
}

impl TipSet {
    fn insert(&mut self, t: usize) {
        match self {
            TipSet::Empty => *self = TipSet::One(t),
            TipSet::One(o) if *o == t => {}
            TipSet::One(o) => *self = TipSet::Many(vec![*o, t]),
            TipSet::Many(v) if v.contains(&t) => {}
            TipSet::Many(v) => v.push(t),
        }
    }

    fn as_slice(&self) -> &[usize] {
        match self {
            TipSet::Empty => &[],
            TipSet::One(t) => std::slice::from_ref(t),
            TipSet::Many(v) => v,
        }
    }
}

impl Repo {
    /// The commits `until` reaches, split at the `stops` it reaches: one
    /// part for `until` and one for each stop, in walk order (newest
    /// first). Merges are dropped unless `merges`; with `paths`, only
    /// commits that touch one of them are kept (tips still split).
    pub fn parts(
        &self,
        until: Oid,
        stops: &OidSet,
        merges: bool,
        paths: &PathFilter,
    ) -> Result<Vec<Part>> {
        let range = Range {
            until,
            since: None,
            stops: None,
            merges: true,
            paths: &PathFilter::all(),
        };
        let (walked, _) = walk(&self.repo, &range)?;
        let keep = self.keep(&walked, paths)?;
        let (labels, tips) = label(&walked, until, stops);
        let mut order: Vec<Oid> = tips.index.keys().copied().collect();
        order.sort_by_key(|id| tips.index[id]);
        let mut parts: Vec<Part> = order
            .iter()
            .map(|&tip| Part {
                tip,
                commits: Vec::new(),
                reached: Vec::new(),
            })
            .collect();
        for (i, w) in walked.iter().enumerate() {
            for &p in &w.parents {
                if let Some(&t) = tips.index.get(&p) {
                    for &own in labels[i].as_slice() {
                        if own != t && !parts[own].reached.contains(&p) {
                            parts[own].reached.push(p);
                        }
                    }
                }
            }
        }
        for ((w, keep), label) in walked.into_iter().zip(keep).zip(labels) {
            if !keep || (!merges && w.parents.len() > 1) {
                continue;
            }
            let (last, rest) = match label.as_slice().split_last() {
                Some(split) => split,
                None => continue,
            };
            for &t in rest {
                parts[t].commits.push(w.info.clone());
            }
            parts[*last].commits.push(w.info);
        }
        Ok(parts)
    }
}

/// For each walked commit (children first), the tips whose part it is in;
/// tips are numbered in walk order, `until` first.
fn label(walked: &[Walked], until: Oid, stops: &OidSet) -> (Vec<TipSet>, Tips) {
    let position: OidMap<usize> = walked.iter().enumerate().map(|(i, w)| (w.id, i)).collect();
    let mut index: OidMap<usize> = OidMap::default();
    for w in walked {
        if w.id == until || stops.contains(&w.id) {
            let n = index.len();
            index.insert(w.id, n);
        }
    }
    let n = index.len();
    let mut tips = Tips {
        index,
        below: vec![vec![false; n]; n],
    };
    // What reaches each commit from above: the labels of its children.
    let mut above: Vec<TipSet> = vec![TipSet::Empty; walked.len()];
    let mut labels: Vec<TipSet> = Vec::with_capacity(walked.len());
    for (i, w) in walked.iter().enumerate() {
        let mut from_above = std::mem::take(&mut above[i]);
        let own = match tips.index.get(&w.id) {
            Some(&t) => {
                // The tips above reach it, and so does every tip that
                // reaches one of them (known: those were read earlier).
                for &x in from_above.as_slice() {
                    tips.below[x][t] = true;
                    for a in 0..n {
                        if tips.below[a][x] {
                            tips.below[a][t] = true;
                        }
                    }
                }
                TipSet::One(t)
            }
            None => {
                tips.nearest(&mut from_above);
                from_above
            }
        };
        for p in &w.parents {
            if let Some(&j) = position.get(p) {
                for &t in own.as_slice() {
                    above[j].insert(t);
                }
            }
        }
        labels.push(own);
    }
    (labels, tips)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a random DAG with merges and skewed dates, each part is what a
    /// walk from its tip that stops at the other tips reads.
    #[test]
    fn parts_agree_with_a_walk_per_tip() {
        let (dir, repo, ids, mut rng) = super::super::random_dag::dag(7, 250, 4);
        let mut next = |n: usize| rng.next(n);
        let ours = Repo::discover(dir.path()).unwrap();
        for _ in 0..25 {
            let until = ids[100 + next(150)];
            let stops: OidSet = (0..1 + next(30)).map(|_| ids[next(ids.len())]).collect();
            let parts = ours.parts(until, &stops, true, &PathFilter::all()).unwrap();
            assert_eq!(parts[0].tip, until);
            for part in &parts {
                let batch = ours
                    .batch(&Range {
                        until: part.tip,
                        since: None,
                        stops: Some(&stops),
                        merges: true,
                        paths: &PathFilter::all(),
                    })
                    .unwrap();
                let set = |c: &[CommitInfo]| {
                    let mut v: Vec<String> = c.iter().map(|c| c.hash.clone()).collect();
                    v.sort();
                    v
                };
                assert_eq!(set(&part.commits), set(&batch.commits), "tip {}", part.tip);
                let mut a = part.reached.clone();
                let mut b = batch.reached.clone();
                a.sort();
                b.sort();
                assert_eq!(a, b, "reached from {}", part.tip);
            }
            let tips: std::collections::HashSet<Oid> = parts.iter().map(|p| p.tip).collect();
            for s in &stops {
                let reachable = *s == until || repo.graph_descendant_of(until, *s).unwrap();
                assert_eq!(tips.contains(s), reachable, "stop {s}");
            }
        }
    }
}
