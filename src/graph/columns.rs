//! Dense per-node columns for loops over many enterprises (target scoring, presence): where a
//! node is located, what it produces, who produces a segment, whether it has firm-to-firm
//! relations, and an enterprise's scoring profile. Reading them touches a few cache lines per
//! node instead of walking the adjacency lists (`adjacency`) into the edge array.

use crate::model::{Attrs, Dataset, EdgeKind};
use std::collections::HashMap;

/// A compressed list per node: `items[start[i]..start[i + 1]]`.
struct Csr {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    /// Build from (node, item) pairs, keeping data order within a node.
    fn build(n: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Csr {
        let mut start = vec![0u32; n + 1];
        for (node, _) in pairs.clone() {
            start[node as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut items = vec![0u32; start[n] as usize];
        for (node, item) in pairs {
            let slot = &mut fill[node as usize];
            items[*slot as usize] = item;
            *slot += 1;
        }
        Csr { start, items }
    }

    fn get(&self, i: u32) -> &[u32] {
        let i = i as usize;
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }
}

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
    located: Csr,
    produces: Csr,
    producers: Csr,
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
    pub fn build(ds: &Dataset) -> Columns {
        let n = ds.nodes.len();
        let of = |kind: EdgeKind| ds.edges.iter().filter(move |e| e.kind == kind);
        let located = Csr::build(n, of(EdgeKind::LocatedIn).map(|e| (e.from, e.to)));
        let produces = Csr::build(n, of(EdgeKind::Produces).map(|e| (e.from, e.to)));
        let producers = Csr::build(n, of(EdgeKind::Produces).map(|e| (e.to, e.from)));
        let mut has_relations = vec![false; n];
        for e in ds
            .edges
            .iter()
            .filter(|e| matches!(e.kind, EdgeKind::SuppliesTo | EdgeKind::SubsidiaryOf))
        {
            has_relations[e.from as usize] = true;
            has_relations[e.to as usize] = true;
        }
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
            located,
            produces,
            producers,
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

    /// Places a node is LOCATED_IN.
    pub fn locations(&self, i: u32) -> &[u32] {
        self.located.get(i)
    }

    /// Segments an enterprise PRODUCES.
    pub fn produced(&self, i: u32) -> &[u32] {
        self.produces.get(i)
    }

    /// Enterprises that PRODUCE a segment.
    pub fn producers(&self, segment: u32) -> &[u32] {
        self.producers.get(segment)
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
    fn csr_keeps_order_and_handles_empty_nodes() {
        let pairs = [(2u32, 7u32), (0, 1), (2, 5), (0, 3)];
        let c = Csr::build(4, pairs.iter().copied());
        assert_eq!(c.get(0), &[1, 3]);
        assert_eq!(c.get(1), &[] as &[u32]);
        assert_eq!(c.get(2), &[7, 5]);
        assert_eq!(c.get(3), &[] as &[u32]);
        assert_eq!(c.get(99), &[] as &[u32]);
    }

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
