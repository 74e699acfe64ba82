//! Maps and sets keyed by object ids. An id is already a cryptographic
//! hash, so its first eight bytes are hash enough: SipHash over every id
//! read showed up in the profile of a history walk.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

use git2::Oid;

/// A map keyed by object ids.
pub type OidMap<V> = HashMap<Oid, V, ById>;

/// A set of object ids.
pub type OidSet = HashSet<Oid, ById>;

/// Hashes an object id by its leading bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct ById;

impl BuildHasher for ById {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

/// See [`ById`].
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        self.0 = self.0.rotate_left(17) ^ u64::from_le_bytes(word);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_spread_and_equal_ids_agree() {
        let a = Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
        let b = Oid::from_str("fedcba9876543210fedcba9876543210fedcba98").unwrap();
        let hash = |id: &Oid| ById.hash_one(id);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        let set: OidSet = [a, b, a].into_iter().collect();
        assert_eq!(set.len(), 2);
    }
}
