//! Dense per-node columns for loops over many enterprises (target scoring, presence): where a
//! node is located, what it produces, who produces a segment, whether it has firm-to-firm
//! relations. Reading them touches a few cache lines per node instead of walking petgraph's
//! adjacency lists into the edge array.

use crate::model::{Dataset, EdgeKind};

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

pub struct Columns {
    located: Csr,
    produces: Csr,
    producers: Csr,
    has_relations: Vec<bool>,
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
        Columns {
            located,
            produces,
            producers,
            has_relations,
        }
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

    /// Bytes held, for the memory figures in benches/README.md.
    pub fn heap_bytes(&self) -> usize {
        4 * (self.located.start.len()
            + self.located.items.len()
            + self.produces.start.len()
            + self.produces.items.len()
            + self.producers.start.len()
            + self.producers.items.len())
            + self.has_relations.len()
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
}
