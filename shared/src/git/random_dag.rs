//! Test support: a repository holding a random history with merges and
//! skewed commit dates (a child can be older than its parent), for checking
//! the walks against libgit2's. Deterministic for a seed.

use git2::{Oid, Repository};

/// A linear congruential generator: the same numbers for the same seed.
pub(super) struct Rng(u64);

impl Rng {
    /// A number below `n` (0 when `n` is 0).
    pub(super) fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// `commits` commits (oldest first), each on one of the last four, and
/// about one in `merge_one_in` a merge with any earlier commit; the
/// generator goes on from where the history left it.
pub(super) fn dag(
    seed: u64,
    commits: usize,
    merge_one_in: usize,
) -> (tempfile::TempDir, Repository, Vec<Oid>, Rng) {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = Repository::init(dir.path()).expect("init");
    let mut rng = Rng(seed);
    let mut ids: Vec<Oid> = Vec::new();
    for i in 0..commits {
        let time = 1_000_000 + i as i64 * 10 - (rng.next(7) as i64) * 25;
        let mut parents = Vec::new();
        if !ids.is_empty() {
            parents.push(ids[ids.len() - 1 - rng.next(ids.len().min(4))]);
            if rng.next(merge_one_in) == 0 && ids.len() > 10 {
                parents.push(ids[rng.next(ids.len())]);
            }
        }
        parents.dedup();
        ids.push(commit(&repo, &parents, time, &format!("fix: {i}")));
    }
    (dir, repo, ids, rng)
}

fn commit(repo: &Repository, parents: &[Oid], time: i64, message: &str) -> Oid {
    let empty = repo
        .treebuilder(None)
        .expect("tree")
        .write()
        .expect("write");
    let tree = repo.find_tree(empty).expect("find tree");
    let sig =
        git2::Signature::new("T", "t@x.invalid", &git2::Time::new(time, 0)).expect("signature");
    let commits: Vec<git2::Commit<'_>> = parents
        .iter()
        .map(|p| repo.find_commit(*p).expect("parent"))
        .collect();
    let refs: Vec<&git2::Commit<'_>> = commits.iter().collect();
    repo.commit(None, &sig, &sig, message, &tree, &refs)
        .expect("commit")
}
