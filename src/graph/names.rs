//! Name look-up: exact (id, name, alias) and normalized, kept as sorted `(hash, node)` keys so a
//! million enterprises cost 8 bytes per name instead of a boxed string per key.

use crate::model::{Kind, Node};
use crate::names::{is_normal, normalize, suggest};
use rayon::prelude::*;
use std::hash::BuildHasher;

pub struct NameIndex {
    exact: Table,
    normalized: Table,
}

/// Sorted keys, each a name's 32-bit hash (high half) and its node (low half): 8 bytes a
/// name. Two names share a hash more often than with 64 bits (one look-up in a thousand at
/// four million names), and `lookup` compares the names it finds anyway.
struct Table {
    keys: Vec<u64>,
}

impl Table {
    /// The keys of every node's names, `hash` choosing the table; filled in place (each
    /// node's slots known from the counts), so no list of pairs is grown and copied.
    fn new(nodes: &[Node], counts: &[u32], hash: impl Fn(&str) -> u32 + Sync) -> Table {
        const SPAN: usize = 1 << 14;
        let total: usize = counts.iter().map(|&c| c as usize).sum();
        let mut keys = vec![0u64; total];
        let mut spans = Vec::with_capacity(nodes.len().div_ceil(SPAN));
        let mut rest = &mut keys[..];
        for (k, span) in counts.chunks(SPAN).enumerate() {
            let len = span.iter().map(|&c| c as usize).sum();
            let (here, after) = std::mem::take(&mut rest).split_at_mut(len);
            spans.push((k * SPAN, here));
            rest = after;
        }
        spans.into_par_iter().for_each(|(first, out)| {
            let mut at = 0;
            for (i, n) in nodes.iter().enumerate().skip(first).take(SPAN) {
                for s in n.names() {
                    out[at] = (u64::from(hash(s)) << 32) | i as u64;
                    at += 1;
                }
            }
        });
        sort_by_hash(&mut keys);
        keys.dedup();
        Table { keys }
    }

    /// The nodes of the names whose hash is `key`.
    fn get(&self, key: u32) -> impl Iterator<Item = u32> + '_ {
        let lo = self.keys.partition_point(|&k| ((k >> 32) as u32) < key);
        let hi = self.keys.partition_point(|&k| ((k >> 32) as u32) <= key);
        self.keys[lo..hi].iter().map(|&k| k as u32)
    }

    fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Sort keys made in node order by their hash (high half), which sorts them by (hash, node):
/// a stable radix sort on the hash, two passes of 16 bits, keeps each hash's nodes in the
/// order they were made. A fifth of the work of a comparison sort of 4 M keys.
fn sort_by_hash(keys: &mut Vec<u64>) {
    debug_assert!(keys.windows(2).all(|w| w[0] as u32 <= w[1] as u32));
    let mut other = vec![0u64; keys.len()];
    for shift in [32, 48] {
        let digit = |k: u64| ((k >> shift) & 0xFFFF) as usize;
        let mut at = vec![0usize; 1 << 16];
        for &k in keys.iter() {
            at[digit(k)] += 1;
        }
        let mut sum = 0;
        for a in at.iter_mut() {
            (*a, sum) = (sum, sum + *a);
        }
        for &k in keys.iter() {
            let d = digit(k);
            other[at[d]] = k;
            at[d] += 1;
        }
        std::mem::swap(keys, &mut other);
    }
}

/// A name's 32-bit hash (fixed seed: the same name hashes the same in every process).
fn h(s: &str) -> u32 {
    (foldhash::quality::FixedState::default().hash_one(s) >> 32) as u32
}

impl NameIndex {
    pub fn build(nodes: &[Node]) -> NameIndex {
        let counts: Vec<u32> = nodes.par_iter().map(|n| n.names().count() as u32).collect();
        let exact = Table::new(nodes, &counts, h);
        // Most names are their own normal form: hashed as they are, not copied.
        let normalized = Table::new(nodes, &counts, |s| {
            if is_normal(s) { h(s) } else { h(&normalize(s)) }
        });
        NameIndex { exact, normalized }
    }

    /// Nodes whose id, name or alias is `name`; failing that, whose normalized name matches.
    /// Restricted to `kinds` when it is not empty. Hash collisions are filtered out.
    pub fn lookup(&self, nodes: &[Node], name: &str, kinds: &[Kind]) -> Vec<u32> {
        let ok_kind = |i: u32| kinds.is_empty() || kinds.contains(&nodes[i as usize].kind);
        let mut hits: Vec<u32> = (self.exact.get(h(name)))
            .filter(|&i| ok_kind(i) && nodes[i as usize].names().any(|s| s == name))
            .collect();
        if hits.is_empty() {
            let key = normalize(name);
            hits = (self.normalized.get(h(&key)))
                .filter(|&i| ok_kind(i) && nodes[i as usize].names().any(|s| normalize(s) == key))
                .collect();
        }
        hits.dedup();
        hits
    }

    /// Closest names among nodes of `kinds` (all kinds when empty), for "did you mean".
    pub fn suggest<'a>(
        &self,
        nodes: &'a [Node],
        name: &str,
        kinds: &[Kind],
        max: usize,
    ) -> Vec<&'a str> {
        let candidates = nodes
            .iter()
            .filter(|n| kinds.is_empty() || kinds.contains(&n.kind))
            .flat_map(Node::names);
        suggest(name, candidates, max)
    }

    pub fn len(&self) -> usize {
        self.exact.len()
    }

    pub fn is_empty(&self) -> bool {
        self.exact.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Keys made in node order (several per node, hashes with equal halves among them)
        /// come out as a full sort would order them.
        #[test]
        fn sort_by_hash_sorts_keys_made_in_node_order(
            names in prop::collection::vec(prop::collection::vec((0u32..4, any::<u16>()), 0..4), 0..300),
        ) {
            let mut keys: Vec<u64> = names
                .iter()
                .enumerate()
                .flat_map(|(node, hs)| {
                    hs.iter().map(move |&(hi, lo)| {
                        let hash = (hi << 30) | u32::from(lo);
                        (u64::from(hash) << 32) | node as u64
                    })
                })
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_by_hash(&mut keys);
            prop_assert_eq!(keys, want);
        }
    }
}
