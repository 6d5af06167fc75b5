//! Adjacency per edge kind and direction (compressed rows, CSR), built once on open: a walk
//! over one kind of edge reads only that kind's list (a SUPPLIES walk never touches the
//! thousands of PRODUCES edges entering a segment).

use crate::model::{Edge, EdgeKind};
use petgraph::Direction;
use rayon::prelude::*;

/// How a list's rows are found: `Dense` keeps a start offset for every node (for kinds most
/// nodes have, such as an enterprise's LOCATED_IN); `Sparse` keeps the sorted nodes that have
/// at least one edge and a start offset for each (for kinds only a few nodes have, such as
/// SUPPLIES between the thousand segments among millions of firms), found by binary search.
enum Rows {
    Dense { start: Vec<u32> },
    Sparse { nodes: Vec<u32>, start: Vec<u32> },
}

/// The edges of one kind in one direction: per node, (other end, edge index) in data order.
struct List {
    rows: Rows,
    items: Vec<(u32, u32)>,
}

/// A list goes dense when at least one node in `DENSE_SHARE` has an edge: then a start per
/// node (4 bytes) costs less than 8 bytes (node + start) per node that has one, and a lookup
/// is one read instead of a binary search.
const DENSE_SHARE: usize = 2;

impl List {
    const EMPTY: List = List {
        rows: Rows::Sparse {
            nodes: Vec::new(),
            start: Vec::new(),
        },
        items: Vec::new(),
    };

    /// Counting sort of the kind's edges (`ids`, ascending) by their end at `dir`'s side.
    fn build(n: usize, edges: &[Edge], ids: &[u32], dir: Direction) -> List {
        if ids.is_empty() {
            return List::EMPTY;
        }
        let ends = |ei: u32| {
            let e = &edges[ei as usize];
            match dir {
                Direction::Outgoing => (e.from, e.to),
                Direction::Incoming => (e.to, e.from),
            }
        };
        let mut start = vec![0u32; n + 1];
        for &ei in ids {
            start[ends(ei).0 as usize + 1] += 1;
        }
        let with_edges = start.iter().filter(|&&c| c > 0).count();
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut items = vec![(0u32, 0u32); ids.len()];
        for &ei in ids {
            let (at, other) = ends(ei);
            let slot = &mut fill[at as usize];
            items[*slot as usize] = (other, ei);
            *slot += 1;
        }
        drop(fill);
        let rows = if with_edges * DENSE_SHARE >= n {
            Rows::Dense { start }
        } else {
            let mut nodes = Vec::with_capacity(with_edges);
            let mut sparse = Vec::with_capacity(with_edges + 1);
            for i in 0..n {
                if start[i + 1] > start[i] {
                    nodes.push(i as u32);
                    sparse.push(start[i]);
                }
            }
            sparse.push(start[n]);
            Rows::Sparse {
                nodes,
                start: sparse,
            }
        };
        List { rows, items }
    }

    fn get(&self, i: u32) -> &[(u32, u32)] {
        let (a, b) = match &self.rows {
            Rows::Dense { start } => match (start.get(i as usize), start.get(i as usize + 1)) {
                (Some(&a), Some(&b)) => (a, b),
                _ => return &[],
            },
            Rows::Sparse { nodes, start } => match nodes.binary_search(&i) {
                Ok(k) => (start[k], start[k + 1]),
                Err(_) => return &[],
            },
        };
        &self.items[a as usize..b as usize]
    }

    fn heap_bytes(&self) -> usize {
        let rows = match &self.rows {
            Rows::Dense { start } => start.capacity() * 4,
            Rows::Sparse { nodes, start } => (nodes.capacity() + start.capacity()) * 4,
        };
        rows + self.items.capacity() * 8
    }
}

/// Outgoing and incoming lists for every edge kind.
pub struct Adjacency {
    /// Indexed by `EdgeKind as usize`: (outgoing, incoming).
    lists: Vec<(List, List)>,
}

impl Adjacency {
    /// Build from the dataset's edges (`n` nodes); one list per kind and direction, in
    /// parallel.
    pub fn build(n: usize, edges: &[Edge]) -> Adjacency {
        let mut ids: Vec<Vec<u32>> = vec![Vec::new(); EdgeKind::ALL.len()];
        for (i, e) in edges.iter().enumerate() {
            ids[e.kind as usize].push(i as u32);
        }
        // Largest kinds first, so the long counting sorts start before the short ones.
        let mut jobs: Vec<(usize, Direction)> = (0..ids.len())
            .filter(|&k| !ids[k].is_empty())
            .flat_map(|k| [(k, Direction::Outgoing), (k, Direction::Incoming)])
            .collect();
        jobs.sort_by_key(|&(k, _)| std::cmp::Reverse(ids[k].len()));
        let built: Vec<((usize, Direction), List)> = jobs
            .into_par_iter()
            .map(|(k, dir)| ((k, dir), List::build(n, edges, &ids[k], dir)))
            .collect();
        drop(ids);
        let mut lists: Vec<(List, List)> = (0..EdgeKind::ALL.len())
            .map(|_| (List::EMPTY, List::EMPTY))
            .collect();
        for ((k, dir), list) in built {
            match dir {
                Direction::Outgoing => lists[k].0 = list,
                Direction::Incoming => lists[k].1 = list,
            }
        }
        Adjacency { lists }
    }

    /// (other end, edge index) of every `kind` edge leaving (`Outgoing`) or entering
    /// (`Incoming`) node `i`, in data order; a pair stated by two rows appears twice.
    pub fn get(&self, i: u32, kind: EdgeKind, dir: Direction) -> &[(u32, u32)] {
        let (out, inc) = &self.lists[kind as usize];
        match dir {
            Direction::Outgoing => out.get(i),
            Direction::Incoming => inc.get(i),
        }
    }

    /// Bytes the lists hold on the heap (for `stats` and the memory figures).
    pub fn heap_bytes(&self) -> usize {
        self.lists
            .iter()
            .map(|(o, i)| o.heap_bytes() + i.heap_bytes())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use petgraph::graph::{DiGraph, NodeIndex};
    use petgraph::visit::EdgeRef;
    use proptest::prelude::*;

    fn edge(kind: EdgeKind, from: u32, to: u32) -> Edge {
        Edge {
            kind,
            from,
            to,
            row: 0,
        }
    }

    /// What the lists must hold: petgraph's edges at each node, filtered by kind, in data
    /// order (petgraph lists a node's edges newest first, so sorted by edge index).
    fn expected(
        n: usize,
        edges: &[Edge],
        i: u32,
        kind: EdgeKind,
        dir: Direction,
    ) -> Vec<(u32, u32)> {
        let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len());
        for _ in 0..n {
            g.add_node(());
        }
        for e in edges {
            g.add_edge(
                NodeIndex::new(e.from as usize),
                NodeIndex::new(e.to as usize),
                (),
            );
        }
        let mut v: Vec<(u32, u32)> = g
            .edges_directed(NodeIndex::new(i as usize), dir)
            .filter(|er| edges[er.id().index()].kind == kind)
            .map(|er| {
                let other = match dir {
                    Direction::Outgoing => er.target(),
                    Direction::Incoming => er.source(),
                };
                (other.index() as u32, er.id().index() as u32)
            })
            .collect();
        v.sort_unstable_by_key(|&(_, ei)| ei);
        v
    }

    fn arb_graph() -> impl Strategy<Value = (usize, Vec<Edge>)> {
        (1usize..40).prop_flat_map(|n| {
            let e = (0usize..4, 0..n as u32, 0..n as u32).prop_map(|(k, from, to)| {
                // Few kinds, so a node mixes kinds and some kinds are dense, some sparse.
                let kind = [
                    EdgeKind::Supplies,
                    EdgeKind::Produces,
                    EdgeKind::SuppliesTo,
                    EdgeKind::PartOf,
                ][k];
                edge(kind, from, to)
            });
            (Just(n), prop::collection::vec(e, 0..120))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn per_kind_lists_equal_petgraphs_edges_filtered_by_kind((n, edges) in arb_graph()) {
            let adj = Adjacency::build(n, &edges);
            for i in 0..n as u32 {
                for kind in EdgeKind::ALL {
                    for dir in [Direction::Outgoing, Direction::Incoming] {
                        prop_assert_eq!(
                            adj.get(i, kind, dir).to_vec(),
                            expected(n, &edges, i, kind, dir),
                            "node {} {} {:?}", i, kind, dir
                        );
                    }
                }
            }
            // A node past the end has no edges (no panic).
            prop_assert!(adj.get(n as u32, EdgeKind::Supplies, Direction::Incoming).is_empty());
        }
    }

    #[test]
    fn sparse_and_dense_lists_both_answer() {
        // 100 nodes; SUPPLIES only at nodes 3 and 7 (sparse), PRODUCES out of every node
        // (dense), repeated pair 3 → 7 kept twice in data order.
        let mut edges = vec![
            edge(EdgeKind::Supplies, 3, 7),
            edge(EdgeKind::Supplies, 3, 7),
        ];
        for i in 0..100 {
            edges.push(edge(EdgeKind::Produces, i, 0));
        }
        let adj = Adjacency::build(100, &edges);
        assert!(matches!(
            adj.lists[EdgeKind::Supplies as usize].0.rows,
            Rows::Sparse { .. }
        ));
        assert!(matches!(
            adj.lists[EdgeKind::Produces as usize].0.rows,
            Rows::Dense { .. }
        ));
        assert_eq!(
            adj.get(3, EdgeKind::Supplies, Direction::Outgoing),
            &[(7, 0), (7, 1)]
        );
        assert_eq!(
            adj.get(7, EdgeKind::Supplies, Direction::Incoming),
            &[(3, 0), (3, 1)]
        );
        assert!(
            adj.get(4, EdgeKind::Supplies, Direction::Outgoing)
                .is_empty()
        );
        assert_eq!(
            adj.get(5, EdgeKind::Produces, Direction::Outgoing),
            &[(0, 7)]
        );
        assert_eq!(
            adj.get(0, EdgeKind::Produces, Direction::Incoming).len(),
            100
        );
        assert!(
            adj.get(0, EdgeKind::LocatedIn, Direction::Incoming)
                .is_empty()
        );
    }
}
