//! The graph's edges, held only as adjacency per edge kind (compressed rows, CSR), built once
//! on open: a walk over one kind of edge reads only that kind's list (a SUPPLIES walk never
//! touches the thousands of PRODUCES edges entering a segment), and no separate edge array is
//! kept beside the lists.
//!
//! Layout. The edges are grouped by kind and, within a kind, by their start node, keeping data
//! order within a node: an edge's *id* is its position in that order. So a node's outgoing
//! edges of a kind are one run of ids, and the outgoing list is the edge array itself (the
//! other end `to[id]` and the stating row `row[id]`). The incoming list of a kind keeps, per
//! node, the start nodes of its edges in data order; the id of an incoming edge is found in
//! its start node's (short) outgoing run when it is asked for.
//!
//! Memory per edge: 12 bytes (other end out, row, other end in), against 29 for an edge array
//! (13) plus (other end, edge index) lists in both directions (16).

use crate::model::{Edge, EdgeKind};
use petgraph::Direction;
use rayon::prelude::*;

/// How a list's rows are found: `Dense` keeps a start offset for every node (for kinds most
/// nodes have, such as an enterprise's LOCATED_IN); `Sparse` keeps the sorted nodes that have
/// at least one edge and a start offset for each (for kinds only a few nodes have, such as
/// SUPPLIES between the thousand segments among millions of firms), found by binary search.
/// Offsets are absolute: into the edge array for outgoing runs, into the kind's incoming
/// items for incoming lists.
enum Rows {
    Dense { start: Vec<u32> },
    Sparse { nodes: Vec<u32>, start: Vec<u32> },
}

/// A list goes dense when at least one node in `DENSE_SHARE` has an edge: then a start per
/// node (4 bytes) costs less than 8 bytes (node + start) per node that has one, and a lookup
/// is one read instead of a binary search.
const DENSE_SHARE: usize = 2;

impl Rows {
    const EMPTY: Rows = Rows::Sparse {
        nodes: Vec::new(),
        start: Vec::new(),
    };

    /// From dense starts (`start[i]..start[i + 1]` is node `i`'s row) and how many nodes
    /// have an edge: kept dense, or made sparse.
    fn new(start: Vec<u32>, with_edges: usize) -> Rows {
        let n = start.len() - 1;
        if with_edges * DENSE_SHARE >= n {
            return Rows::Dense { start };
        }
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
    }

    /// The range of node `i`'s row (empty for a node without edges or out of range).
    fn range(&self, i: u32) -> std::ops::Range<usize> {
        let (a, b) = match self {
            Rows::Dense { start } => match (start.get(i as usize), start.get(i as usize + 1)) {
                (Some(&a), Some(&b)) => (a, b),
                _ => return 0..0,
            },
            Rows::Sparse { nodes, start } => match nodes.binary_search(&i) {
                Ok(k) => (start[k], start[k + 1]),
                Err(_) => return 0..0,
            },
        };
        a as usize..b as usize
    }

    /// The node whose row holds offset `at` (which must lie inside some row).
    fn node_at(&self, at: u32) -> u32 {
        // The last row starting at or before `at`: rows of nodes without edges are empty and
        // start where the next begins, so the last such start is the one that holds `at`.
        match self {
            Rows::Dense { start } => (start.partition_point(|&s| s <= at) - 1) as u32,
            Rows::Sparse { nodes, start } => nodes[start.partition_point(|&s| s <= at) - 1],
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Rows::Dense { start } => start.capacity() * 4,
            Rows::Sparse { nodes, start } => (nodes.capacity() + start.capacity()) * 4,
        }
    }
}

/// One kind's edges: ids `first..first + len` of the edge array, their outgoing runs, and the
/// incoming lists (start nodes, data order).
struct KindEdges {
    first: u32,
    len: u32,
    out: Rows,
    inc: Rows,
    inc_from: Vec<u32>,
}

impl KindEdges {
    const EMPTY: KindEdges = KindEdges {
        first: 0,
        len: 0,
        out: Rows::EMPTY,
        inc: Rows::EMPTY,
        inc_from: Vec::new(),
    };
}

/// Every edge of the graph, as outgoing and incoming lists per edge kind.
pub struct Adjacency {
    /// Other end of each edge, by id.
    to: Vec<u32>,
    /// Stating row (index into `Dataset::rows`) of each edge, by id.
    row: Vec<u32>,
    /// Indexed by `EdgeKind as usize`.
    kinds: Vec<KindEdges>,
}

impl Adjacency {
    /// Build from the dataset's edges (`n` nodes, edges in data order), one kind at a time in
    /// parallel. Returns also the ids of the `remember` edges, in data order (the dataset keys
    /// a few things by an edge's position in data order, such as IN_SYSTEM payloads).
    pub fn build(n: usize, edges: &[Edge], remember: EdgeKind) -> (Adjacency, Vec<u32>) {
        let nk = EdgeKind::ALL.len();
        let mut len = vec![0u32; nk];
        for e in edges {
            len[e.kind as usize] += 1;
        }
        let mut first = vec![0u32; nk];
        for k in 1..nk {
            first[k] = first[k - 1] + len[k - 1];
        }
        let m = edges.len();
        let mut to = vec![0u32; m];
        let mut row = vec![0u32; m];
        // Each kind fills its own id range of `to` and `row`: split them so the kinds can run
        // side by side, largest first.
        let mut slots: Vec<(usize, &mut [u32], &mut [u32])> = Vec::with_capacity(nk);
        let (mut to_rest, mut row_rest) = (&mut to[..], &mut row[..]);
        for (k, &l) in len.iter().enumerate() {
            let (t, tr) = std::mem::take(&mut to_rest).split_at_mut(l as usize);
            let (r, rr) = std::mem::take(&mut row_rest).split_at_mut(l as usize);
            (to_rest, row_rest) = (tr, rr);
            slots.push((k, t, r));
        }
        let scans = |k: usize| len[k] as usize * SCAN_SHARE >= m;
        let mut ids: Vec<Vec<u32>> = vec![Vec::new(); nk];
        for (i, e) in edges.iter().enumerate() {
            if !scans(e.kind as usize) {
                ids[e.kind as usize].push(i as u32);
            }
        }
        let jobs: Vec<_> = slots
            .into_iter()
            .zip(ids)
            .map(|((k, to, row), ids)| {
                let kind = EdgeKind::ALL[k];
                let source = if scans(k) {
                    Source::Scan(edges, kind)
                } else {
                    Source::Ids(edges, ids)
                };
                (k, source, to, row)
            })
            .collect();
        let mut jobs = jobs;
        jobs.sort_by_key(|(k, ..)| std::cmp::Reverse(len[*k]));
        let built: Vec<(usize, KindEdges, Vec<u32>)> = jobs
            .into_par_iter()
            .map(|(k, source, to, row)| {
                let remember = EdgeKind::ALL[k] == remember;
                let (kind_edges, ids) = build_kind(n, source, first[k], to, row, remember);
                (k, kind_edges, ids)
            })
            .collect();
        let mut kinds: Vec<KindEdges> = (0..nk).map(|_| KindEdges::EMPTY).collect();
        let mut remembered = Vec::new();
        for (k, kind_edges, ids) in built {
            kinds[k] = kind_edges;
            if !ids.is_empty() {
                remembered = ids;
            }
        }
        (Adjacency { to, row, kinds }, remembered)
    }

    /// The other ends of every `kind` edge leaving (`Outgoing`) or entering (`Incoming`) node
    /// `i`, in data order; a pair stated by two rows appears twice.
    pub fn get(&self, i: u32, kind: EdgeKind, dir: Direction) -> &[u32] {
        let Some(k) = self.kinds.get(kind as usize) else {
            return &[];
        };
        match dir {
            Direction::Outgoing => &self.to[k.out.range(i)],
            Direction::Incoming => &k.inc_from[k.inc.range(i)],
        }
    }

    /// The ids of node `i`'s outgoing `kind` edges, in data order (one run).
    pub fn out_ids(&self, i: u32, kind: EdgeKind) -> std::ops::Range<u32> {
        let r = self
            .kinds
            .get(kind as usize)
            .map_or(0..0, |k| k.out.range(i));
        r.start as u32..r.end as u32
    }

    /// The id of the first `kind` edge from `from` to `to` in data order, if any.
    pub fn find(&self, from: u32, to: u32, kind: EdgeKind) -> Option<u32> {
        self.out_ids(from, kind)
            .find(|&id| self.to[id as usize] == to)
    }

    /// The edge with id `id` (`None` past the last edge).
    pub fn edge(&self, id: u32) -> Option<Edge> {
        let to = *self.to.get(id as usize)?;
        let (k, ke) = self
            .kinds
            .iter()
            .enumerate()
            .find(|(_, ke)| (ke.first..ke.first + ke.len).contains(&id))?;
        Some(Edge {
            kind: EdgeKind::ALL[k],
            from: ke.out.node_at(id),
            to,
            row: self.row[id as usize],
        })
    }

    /// How many edges of `kind` there are.
    pub fn count(&self, kind: EdgeKind) -> usize {
        self.kinds.get(kind as usize).map_or(0, |k| k.len as usize)
    }

    /// How many edges there are.
    pub fn len(&self) -> usize {
        self.to.len()
    }

    pub fn is_empty(&self) -> bool {
        self.to.is_empty()
    }

    /// Every `kind` edge as (from, to, id), by start node, data order within one.
    pub fn of_kind(&self, kind: EdgeKind) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        let k = self.kinds.get(kind as usize);
        let ids = k.map_or(0..0, |k| k.first..k.first + k.len);
        let mut from = 0;
        ids.map(move |id| {
            if let Some(k) = k {
                // Runs come in node order: step forward to the run that holds `id`.
                while !k.out.range(from).contains(&(id as usize)) {
                    from = match &k.out {
                        Rows::Dense { .. } => from + 1,
                        Rows::Sparse { .. } => k.out.node_at(id),
                    };
                }
            }
            (from, self.to[id as usize], id)
        })
    }

    /// Bytes the lists hold on the heap (for `stats` and the memory figures).
    pub fn heap_bytes(&self) -> usize {
        (self.to.capacity() + self.row.capacity()) * 4
            + self
                .kinds
                .iter()
                .map(|k| k.out.heap_bytes() + k.inc.heap_bytes() + k.inc_from.capacity() * 4)
                .sum::<usize>()
    }
}

/// Where a kind's edges are read from while building: kinds that hold a large share of all
/// edges scan the edge array (twice), the others read the ids one shared pass collected (so
/// the small kinds neither scan millions of edges nor does the big one copy its ids).
enum Source<'a> {
    Scan(&'a [Edge], EdgeKind),
    Ids(&'a [Edge], Vec<u32>),
}

impl Source<'_> {
    fn for_each(&self, mut f: impl FnMut(&Edge)) {
        match self {
            Source::Scan(edges, kind) => edges.iter().filter(|e| e.kind == *kind).for_each(f),
            Source::Ids(edges, ids) => ids.iter().for_each(|&i| f(&edges[i as usize])),
        }
    }
}

/// A kind scans the whole edge array when it holds at least one edge in `SCAN_SHARE`.
const SCAN_SHARE: usize = 4;

/// One kind's runs: a counting sort of its edges by start node (into `to` / `row`, the kind's
/// id range) and by end node (the incoming lists), both keeping data order. With `remember`,
/// also the ids of the kind's edges in data order.
fn build_kind(
    n: usize,
    source: Source,
    first: u32,
    to: &mut [u32],
    row: &mut [u32],
    remember: bool,
) -> (KindEdges, Vec<u32>) {
    if to.is_empty() {
        return (KindEdges::EMPTY, Vec::new());
    }
    let (mut out_start, mut in_start) = (vec![0u32; n + 1], vec![0u32; n + 1]);
    source.for_each(|e| {
        out_start[e.from as usize + 1] += 1;
        in_start[e.to as usize + 1] += 1;
    });
    let (out_nodes, in_nodes) = (with_edges(&out_start), with_edges(&in_start));
    out_start[0] = first;
    prefix_sums(&mut out_start);
    prefix_sums(&mut in_start);
    let mut inc_from = vec![0u32; to.len()];
    let (mut out_at, mut in_at) = (out_start.clone(), in_start.clone());
    let mut ids = Vec::new();
    source.for_each(|e| {
        let slot = &mut out_at[e.from as usize];
        let id = *slot;
        *slot += 1;
        to[(id - first) as usize] = e.to;
        row[(id - first) as usize] = e.row;
        if remember {
            ids.push(id);
        }
        let slot = &mut in_at[e.to as usize];
        inc_from[*slot as usize] = e.from;
        *slot += 1;
    });
    drop((out_at, in_at));
    let kind_edges = KindEdges {
        first,
        len: to.len() as u32,
        out: Rows::new(out_start, out_nodes),
        inc: Rows::new(in_start, in_nodes),
        inc_from,
    };
    (kind_edges, ids)
}

/// How many nodes have an edge, from counts (`count[i + 1]` = edges at node `i`).
fn with_edges(count: &[u32]) -> usize {
    count[1..].iter().filter(|&&c| c > 0).count()
}

fn prefix_sums(v: &mut [u32]) {
    for i in 1..v.len() {
        v[i] += v[i - 1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use petgraph::graph::{DiGraph, NodeIndex};
    use petgraph::visit::EdgeRef;
    use proptest::prelude::*;

    fn edge(kind: EdgeKind, from: u32, to: u32, row: u32) -> Edge {
        Edge {
            kind,
            from,
            to,
            row,
        }
    }

    /// What the lists must hold: petgraph's edges at each node, filtered by kind, in data
    /// order (petgraph lists a node's edges newest first, so sorted by edge index), as
    /// (other end, data index).
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
                (kind, from, to)
            });
            (Just(n), prop::collection::vec(e, 0..120)).prop_map(|(n, es)| {
                // Row = data index, so an edge's row names the dataset edge it came from.
                let edges = es
                    .into_iter()
                    .enumerate()
                    .map(|(i, (k, f, t))| edge(k, f, t, i as u32))
                    .collect();
                (n, edges)
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn per_kind_lists_equal_petgraphs_edges_filtered_by_kind((n, edges) in arb_graph()) {
            let (adj, systems) = Adjacency::build(n, &edges, EdgeKind::PartOf);
            for i in 0..n as u32 {
                for kind in EdgeKind::ALL {
                    for dir in [Direction::Outgoing, Direction::Incoming] {
                        let want = expected(n, &edges, i, kind, dir);
                        let others: Vec<u32> = want.iter().map(|&(o, _)| o).collect();
                        prop_assert_eq!(
                            adj.get(i, kind, dir).to_vec(), others,
                            "node {} {} {:?}", i, kind, dir
                        );
                        if dir == Direction::Outgoing {
                            // The outgoing run's ids are the dataset's edges, in order.
                            let got: Vec<Edge> =
                                adj.out_ids(i, kind).filter_map(|id| adj.edge(id)).collect();
                            let want: Vec<Edge> =
                                want.iter().map(|&(_, ei)| edges[ei as usize]).collect();
                            prop_assert_eq!(got, want);
                        }
                    }
                }
            }
            // Every edge is there once, found again by id.
            prop_assert_eq!(adj.len(), edges.len());
            let mut all: Vec<(u32, u32, u32, u32)> = (0..adj.len() as u32)
                .filter_map(|id| adj.edge(id))
                .map(|e| (e.kind as u32, e.from, e.to, e.row))
                .collect();
            all.sort_unstable();
            let mut want: Vec<(u32, u32, u32, u32)> =
                edges.iter().map(|e| (e.kind as u32, e.from, e.to, e.row)).collect();
            want.sort_unstable();
            prop_assert_eq!(all, want);
            // of_kind lists each kind's edges with their start, by id.
            for kind in EdgeKind::ALL {
                for (from, to, id) in adj.of_kind(kind) {
                    let e = adj.edge(id).expect("an id of_kind hands out");
                    prop_assert_eq!((e.kind, e.from, e.to), (kind, from, to));
                }
                prop_assert_eq!(adj.of_kind(kind).count(), adj.count(kind));
            }
            // The remembered kind's ids, in data order, name its edges in data order.
            let want: Vec<u32> = edges
                .iter()
                .filter(|e| e.kind == EdgeKind::PartOf)
                .map(|e| e.row)
                .collect();
            let got: Vec<u32> = systems
                .iter()
                .filter_map(|&id| adj.edge(id))
                .map(|e| e.row)
                .collect();
            prop_assert_eq!(got, want);
            // A node past the end has no edges (no panic), nor an id past the last.
            prop_assert!(adj.get(n as u32, EdgeKind::Supplies, Direction::Incoming).is_empty());
            prop_assert!(adj.edge(edges.len() as u32).is_none());
        }
    }

    #[test]
    fn sparse_and_dense_lists_both_answer() {
        // 100 nodes; SUPPLIES only at nodes 3 and 7 (sparse), PRODUCES out of every node
        // (dense), repeated pair 3 → 7 kept twice in data order.
        let mut edges = vec![
            edge(EdgeKind::Supplies, 3, 7, 0),
            edge(EdgeKind::Supplies, 3, 7, 1),
        ];
        for i in 0..100 {
            edges.push(edge(EdgeKind::Produces, i, 0, 2 + i));
        }
        let (adj, _) = Adjacency::build(100, &edges, EdgeKind::InSystem);
        let k = |kind: EdgeKind| &adj.kinds[kind as usize];
        assert!(matches!(k(EdgeKind::Supplies).out, Rows::Sparse { .. }));
        assert!(matches!(k(EdgeKind::Produces).out, Rows::Dense { .. }));
        assert_eq!(adj.get(3, EdgeKind::Supplies, Direction::Outgoing), &[7, 7]);
        assert_eq!(adj.get(7, EdgeKind::Supplies, Direction::Incoming), &[3, 3]);
        assert_eq!(
            adj.find(3, 7, EdgeKind::Supplies)
                .map(|id| adj.row[id as usize]),
            Some(0)
        );
        assert!(adj.find(7, 3, EdgeKind::Supplies).is_none());
        assert!(
            adj.get(4, EdgeKind::Supplies, Direction::Outgoing)
                .is_empty()
        );
        assert_eq!(adj.get(5, EdgeKind::Produces, Direction::Outgoing), &[0]);
        assert_eq!(
            adj.get(0, EdgeKind::Produces, Direction::Incoming).len(),
            100
        );
        assert!(
            adj.get(0, EdgeKind::LocatedIn, Direction::Incoming)
                .is_empty()
        );
        assert_eq!(adj.edge(99).map(|e| (e.from, e.row)), Some((97, 99)));
    }
}
