//! Dense per-node columns for loops over many enterprises (target scoring): whether a node has
//! firm-to-firm relations, and an enterprise's scoring profile. Reading them touches one cache
//! line per node instead of the node, its boxed attributes and its lists. (Where a node is
//! located, what it produces and who produces a segment are the adjacency's lists:
//! `Graph::locations`, `produced`, `producers`.)

use super::Adjacency;
use crate::model::{Attrs, Dataset, EdgeKind};
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

/// Interns values by equality, handing out dense indexes in first-seen order.
struct Interner<T> {
    index: HashMap<T, u32>,
    values: Vec<T>,
}

impl<T: std::hash::Hash + Eq + Clone> Interner<T> {
    fn new(first: T) -> Interner<T> {
        Interner {
            index: HashMap::from([(first.clone(), 0)]),
            values: vec![first],
        }
    }

    /// The index of `v`; `last` short-cuts runs of equal values (data files group firms).
    fn get<Q>(&mut self, v: &Q, last: &mut u32) -> u32
    where
        T: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned + ?Sized,
        Q::Owned: Into<T>,
    {
        if self.values[*last as usize].borrow() == v {
            return *last;
        }
        let i = match self.index.get(v) {
            Some(&i) => i,
            None => {
                let i = self.values.len() as u32;
                let owned: T = v.to_owned().into();
                self.values.push(owned.clone());
                self.index.insert(owned, i);
                i
            }
        };
        *last = i;
        i
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
        let mut tag_sets: Interner<Vec<Box<str>>> = Interner::new(Vec::new());
        let mut provinces: Interner<Box<str>> = Interner::new(Box::from(""));
        let (mut last_tags, mut last_province) = (0, 0);
        let profiles = ds
            .nodes
            .iter()
            .map(|node| match &node.attrs {
                Attrs::Enterprise(a) => Profile {
                    revenue_yi: a.revenue_yi.unwrap_or(f64::NAN),
                    tag_set: if a.tags.is_empty() {
                        0
                    } else {
                        tag_sets.get(&a.tags[..], &mut last_tags)
                    },
                    province: provinces.get(&*a.province, &mut last_province),
                },
                _ => Profile::EMPTY,
            })
            .collect();
        Columns {
            has_relations,
            profiles,
            tag_sets: tag_sets.values,
            provinces: provinces.values,
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
    fn interner_hands_out_first_seen_indexes_and_shortcuts_runs() {
        let mut i: Interner<Box<str>> = Interner::new(Box::from(""));
        let mut last = 0;
        let got: Vec<u32> = ["云南省", "云南省", "江苏省", "云南省", ""]
            .iter()
            .map(|v| i.get(*v, &mut last))
            .collect();
        assert_eq!(got, [1, 1, 2, 1, 0]);
        assert_eq!(i.values.len(), 3);
    }
}
