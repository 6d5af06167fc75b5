//! Dense per-node columns for loops over many enterprises (target scoring): whether a node has
//! firm-to-firm relations, and an enterprise's scoring profile. Reading them touches one cache
//! line per node instead of the node, its boxed attributes and its lists. (Where a node is
//! located, what it produces and who produces a segment are the adjacency's lists:
//! `Graph::locations`, `produced`, `producers`.)

use super::Adjacency;
use crate::model::intern::{Sym, SymList};
use crate::model::{Attrs, Dataset, EdgeKind, Node};
use petgraph::Direction;
use std::collections::HashMap;

/// What target scoring reads of an enterprise, in one 16-byte record instead of the node, its
/// boxed attributes, its tag list and its province string (four cache misses at a million
/// firms). Tags and provinces are low-cardinality, so they are interned: scoring prices each
/// distinct tag list and province once per list, not once per candidate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Profile {
    /// 营业收入 in 亿元; NaN when unknown (and for nodes that are not enterprises).
    pub revenue_yi: f64,
    /// Index into [`Columns::tag_sets`]: the node's tags exactly as stored, in order.
    pub tag_set: u32,
    /// Index into [`Columns::provinces`].
    pub province: u32,
}

impl Profile {
    /// The profile of a node that is not an enterprise (or of a firm with nothing stated).
    pub const EMPTY: Profile = Profile {
        revenue_yi: f64::NAN,
        tag_set: 0,
        province: 0,
    };

    pub fn revenue_yi(&self) -> Option<f64> {
        (!self.revenue_yi.is_nan()).then_some(self.revenue_yi)
    }
}

pub struct Columns {
    has_relations: Vec<bool>,
    profiles: Vec<Profile>,
    /// Distinct tag lists; index 0 is the empty list.
    tag_sets: Vec<Vec<Box<str>>>,
    /// Distinct provinces; index 0 is the empty string.
    provinces: Vec<Box<str>>,
}

/// Hands out dense indexes, in first-seen order, for interned symbols (`Sym`, `SymList`):
/// equal values have equal symbols, so a symbol's 4 bytes are hashed instead of its text.
struct Dense<S> {
    index: HashMap<S, u32>,
    values: Vec<S>,
    /// The last symbol asked for and its index: data files group firms, so runs repeat.
    last: (S, u32),
}

impl<S: Copy + Eq + std::hash::Hash> Dense<S> {
    fn new(first: S) -> Dense<S> {
        Dense {
            index: HashMap::from([(first, 0)]),
            values: vec![first],
            last: (first, 0),
        }
    }

    fn get(&mut self, s: S) -> u32 {
        if self.last.0 == s {
            return self.last.1;
        }
        let next = self.values.len() as u32;
        let i = *self.index.entry(s).or_insert(next);
        if i == next {
            self.values.push(s);
        }
        self.last = (s, i);
        i
    }
}

/// A node's 营业收入 in 亿元 as the columns and the ranked producer lists read it: NaN when
/// unknown and for nodes that are not enterprises.
pub fn revenue_of(node: &Node) -> f64 {
    match &node.attrs {
        Attrs::Enterprise(a) => a.revenue_yi.unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

impl Columns {
    pub fn build(ds: &Dataset, adj: &Adjacency) -> Columns {
        let n = ds.nodes.len();
        let has_relations = (0..n as u32)
            .map(|i| {
                [EdgeKind::SuppliesTo, EdgeKind::SubsidiaryOf]
                    .into_iter()
                    .any(|k| {
                        !adj.get(i, k, Direction::Outgoing).is_empty()
                            || !adj.get(i, k, Direction::Incoming).is_empty()
                    })
            })
            .collect();
        let mut tag_sets = Dense::new(SymList::default());
        let mut provinces = Dense::new(Sym::default());
        let profiles = ds
            .nodes
            .iter()
            .map(|node| match &node.attrs {
                Attrs::Enterprise(a) => Profile {
                    revenue_yi: revenue_of(node),
                    tag_set: tag_sets.get(a.tags),
                    province: provinces.get(a.province),
                },
                _ => Profile::EMPTY,
            })
            .collect();
        Columns {
            has_relations,
            profiles,
            tag_sets: tag_sets.values.iter().map(|t| t.to_vec()).collect(),
            provinces: provinces
                .values
                .iter()
                .map(|p| Box::from(p.as_str()))
                .collect(),
        }
    }

    /// An enterprise's scoring profile (an empty one for other nodes).
    pub fn profile(&self, i: u32) -> Profile {
        self.profiles
            .get(i as usize)
            .copied()
            .unwrap_or(Profile::EMPTY)
    }

    /// Every distinct tag list, indexed by [`Profile::tag_set`].
    pub fn tag_sets(&self) -> &[Vec<Box<str>>] {
        &self.tag_sets
    }

    /// Every distinct province, indexed by [`Profile::province`].
    pub fn provinces(&self) -> &[Box<str>] {
        &self.provinces
    }

    /// Whether a node has any SUPPLIES_TO or SUBSIDIARY_OF edge.
    pub fn has_relations(&self, i: u32) -> bool {
        self.has_relations.get(i as usize).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_hands_out_first_seen_indexes_and_shortcuts_runs() {
        let mut d = Dense::new(Sym::default());
        let got: Vec<u32> = ["云南省", "云南省", "江苏省", "云南省", ""]
            .iter()
            .map(|v| d.get(Sym::new(v)))
            .collect();
        assert_eq!(got, [1, 1, 2, 1, 0]);
        assert_eq!(d.values.len(), 3);
    }
}
