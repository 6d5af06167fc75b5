//! Name look-up: exact (id, name, alias) and normalized, kept as sorted `(hash, node)` pairs so a
//! million enterprises cost 12 bytes per name instead of a boxed string per key.

use crate::model::{Kind, Node};
use crate::names::{normalize, suggest};
use rayon::prelude::*;
use std::hash::{DefaultHasher, Hash, Hasher};

pub struct NameIndex {
    exact: Table,
    normalized: Table,
}

/// Sorted `(hash, node)` pairs as two parallel arrays: 12 bytes a name, where a `Vec<(u64,
/// u32)>` pads each pair to 16.
struct Table {
    hashes: Vec<u64>,
    nodes: Vec<u32>,
}

impl Table {
    fn new(mut pairs: Vec<(u64, u32)>) -> Table {
        pairs.par_sort_unstable();
        pairs.dedup();
        let (hashes, nodes) = pairs.into_iter().unzip();
        Table { hashes, nodes }
    }

    /// The nodes of the names whose hash is `key`.
    fn get(&self, key: u64) -> &[u32] {
        let lo = self.hashes.partition_point(|&h| h < key);
        let hi = self.hashes.partition_point(|&h| h <= key);
        &self.nodes[lo..hi]
    }
}

fn h(s: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    s.hash(&mut hasher);
    hasher.finish()
}

/// Id, name (when it differs from the id) and aliases.
fn names_of(n: &Node) -> impl Iterator<Item = &str> {
    let name = n.display_name();
    std::iter::once(&*n.id)
        .chain(name)
        .chain(n.aliases().iter().map(|a| &**a))
}

impl NameIndex {
    pub fn build(nodes: &[Node]) -> NameIndex {
        let exact = nodes
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, n)| names_of(n).map(move |s| (h(s), i as u32)))
            .collect();
        let normalized = nodes
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, n)| names_of(n).map(move |s| (h(&normalize(s)), i as u32)))
            .collect();
        NameIndex {
            exact: Table::new(exact),
            normalized: Table::new(normalized),
        }
    }

    /// Nodes whose id, name or alias is `name`; failing that, whose normalized name matches.
    /// Restricted to `kinds` when it is not empty. Hash collisions are filtered out.
    pub fn lookup(&self, nodes: &[Node], name: &str, kinds: &[Kind]) -> Vec<u32> {
        let ok_kind = |i: u32| kinds.is_empty() || kinds.contains(&nodes[i as usize].kind);
        let mut hits: Vec<u32> = (self.exact.get(h(name)).iter().copied())
            .filter(|&i| ok_kind(i) && names_of(&nodes[i as usize]).any(|s| s == name))
            .collect();
        if hits.is_empty() {
            let key = normalize(name);
            hits = (self.normalized.get(h(&key)).iter().copied())
                .filter(|&i| {
                    ok_kind(i) && names_of(&nodes[i as usize]).any(|s| normalize(s) == key)
                })
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
            .flat_map(names_of);
        suggest(name, candidates, max)
    }

    pub fn len(&self) -> usize {
        self.exact.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.exact.nodes.is_empty()
    }
}
