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

use crate::model::{Edge, EdgeKind, EdgeList, EdgeParts, SystemEntry};
use petgraph::Direction;

/// How a list's rows are found: `Dense` keeps a start offset for every node (for kinds most
/// nodes have, such as an enterprise's LOCATED_IN); `Sparse` keeps the sorted nodes that have
/// at least one edge and a start offset for each (for kinds only a few nodes have, such as
/// SUPPLIES between the thousand segments among millions of firms), found by binary search.
/// Offsets are absolute: into the edge array for outgoing runs, into the kind's incoming
/// items for incoming lists.
enum Rows {
    Dense {
        start: Vec<u32>,
    },
    Sparse {
        nodes: Vec<u32>,
        start: Vec<u32>,
        /// When the nodes lie close together (segments are declared together, so SUPPLIES
        /// starts span about as many node indexes as there are segments): `direct[n - first]`
        /// is node `n`'s place in `nodes`, `u32::MAX` for none; one read instead of a binary
        /// search in the walks' inner loop. Empty otherwise.
        direct: Vec<u32>,
        first: u32,
    },
}

/// Largest direct table of a sparse list, in entries per node with edges (plus a constant).
const DIRECT_SPREAD: usize = 16;

/// A list stays dense when at least one node in `DENSE_SHARE` has an edge: then a start per
/// node (4 bytes) costs less than 8 bytes (node + start) per node that has one, and a lookup
/// is one read instead of a binary search.
const DENSE_SHARE: usize = 2;

impl Rows {
    const EMPTY: Rows = Rows::Sparse {
        nodes: Vec::new(),
        start: Vec::new(),
        direct: Vec::new(),
        first: 0,
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
        let (first, last) = (
            nodes.first().copied().unwrap_or(0),
            nodes.last().copied().unwrap_or(0),
        );
        let span = (last - first) as usize + 1;
        let mut direct = Vec::new();
        if !nodes.is_empty() && span <= DIRECT_SPREAD * nodes.len() + 4096 {
            direct = vec![u32::MAX; span];
            for (k, &i) in nodes.iter().enumerate() {
                direct[(i - first) as usize] = k as u32;
            }
        }
        Rows::Sparse {
            nodes,
            start: sparse,
            direct,
            first,
        }
    }

    /// The range of node `i`'s row (empty for a node without edges or out of range).
    fn range(&self, i: u32) -> std::ops::Range<usize> {
        let (a, b) = match self {
            Rows::Dense { start } => match (start.get(i as usize), start.get(i as usize + 1)) {
                (Some(&a), Some(&b)) => (a, b),
                _ => return 0..0,
            },
            Rows::Sparse {
                nodes,
                start,
                direct,
                first,
            } => {
                let k = if direct.is_empty() {
                    nodes.binary_search(&i).ok()
                } else {
                    i.checked_sub(*first)
                        .and_then(|d| direct.get(d as usize))
                        .filter(|&&k| k != u32::MAX)
                        .map(|&k| k as usize)
                };
                match k {
                    Some(k) => (start[k], start[k + 1]),
                    None => return 0..0,
                }
            }
        };
        a as usize..b as usize
    }

    /// The node whose row holds offset `at` (which must lie inside some row).
    fn node_at(&self, at: u32) -> u32 {
        // The last row starting at or before `at`: rows of nodes without edges are empty and
        // start where the next begins, so the last such start is the one that holds `at`.
        match self {
            Rows::Dense { start } => (start.partition_point(|&s| s <= at) - 1) as u32,
            Rows::Sparse { nodes, start, .. } => nodes[start.partition_point(|&s| s <= at) - 1],
        }
    }

    /// The nodes whose row is not empty, ascending.
    fn nodes(&self) -> Vec<u32> {
        match self {
            Rows::Dense { start } => (0..start.len().saturating_sub(1))
                .filter(|&i| start[i + 1] > start[i])
                .map(|i| i as u32)
                .collect(),
            Rows::Sparse { nodes, .. } => nodes.clone(),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Rows::Dense { start } => start.capacity() * 4,
            Rows::Sparse {
                nodes,
                start,
                direct,
                ..
            } => (nodes.capacity() + start.capacity() + direct.capacity()) * 4,
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

/// Per-node counts of one kind and direction while the edges are counted (`n + 1` slots;
/// none until the kind's first edge), then the fill cursors.
type Counts = Option<Vec<u32>>;

fn count(c: &mut Counts, node: u32, n: usize) {
    c.get_or_insert_with(|| vec![0u32; n + 1])[node as usize] += 1;
}

/// One direction of one kind while it is filled: where each node's next edge goes, and the
/// rows it ends as.
enum Cursors {
    /// `at[i]` is node `i`'s next slot; after the fill, node `i`'s end (the start of
    /// `i + 1`).
    Dense { at: Vec<u32> },
    /// A kind without edges.
    None,
}

impl Cursors {
    /// From counts, the rows starting at `base`.
    fn new(counts: Counts, base: u32) -> Cursors {
        let Some(mut v) = counts else {
            return Cursors::None;
        };
        let mut next = base;
        for c in v.iter_mut() {
            let here = next;
            next += *c;
            *c = here;
        }
        Cursors::Dense { at: v }
    }

    /// The slot of node `i`'s next edge.
    fn next(&mut self, i: u32) -> usize {
        match self {
            Cursors::Dense { at } => {
                let slot = &mut at[i as usize];
                *slot += 1;
                (*slot - 1) as usize
            }
            // A kind counted without edges is handed none to fill.
            Cursors::None => 0,
        }
    }

    /// The rows, once every edge is in (`base`: where the first row starts).
    fn into_rows(self, base: u32) -> Rows {
        match self {
            Cursors::Dense { mut at } => {
                // Each cursor stopped at the next node's start: shift them down one.
                at.pop();
                at.insert(0, base);
                let n = at.len() - 1;
                let with_edges = (0..n).filter(|&i| at[i + 1] > at[i]).count();
                Rows::new(at, with_edges)
            }
            Cursors::None => Rows::EMPTY,
        }
    }
}

/// One kind while the edges are filled in: its slice of the edge array (ids `first..`), its
/// incoming items, and both directions' cursors.
struct Filling<'a> {
    kind: EdgeKind,
    first: u32,
    to: &'a mut [u32],
    row: &'a mut [u32],
    inc_from: Vec<u32>,
    out: Cursors,
    inc: Cursors,
    remembered: Option<Vec<(u32, u32)>>,
}

impl Filling<'_> {
    /// Put edge `e`, the dataset's edge `index`.
    fn put(&mut self, e: &Edge, index: u32) {
        let id = self.out.next(e.from);
        let at = id - self.first as usize;
        self.to[at] = e.to;
        self.row[at] = e.row;
        if let Some(ids) = &mut self.remembered {
            ids.push((index, id as u32));
        }
        let slot = self.inc.next(e.to);
        self.inc_from[slot] = e.from;
    }
}

/// What [`Adjacency::build_from`] makes: the lists, the `remember` edges as (data index, id)
/// in data order, and the IN_SYSTEM payloads that came with the parts, keyed by data index.
pub struct Built {
    pub adjacency: Adjacency,
    pub remembered: Vec<(u32, u32)>,
    pub systems: Vec<(u32, SystemEntry)>,
}

impl Adjacency {
    /// Build from the dataset's edges (`n` nodes, edges in data order). Returns also the
    /// `remember` edges as (data index, id), in data order (the dataset keys a few things by
    /// an edge's position in data order, such as IN_SYSTEM payloads).
    pub fn build(n: usize, edges: &[Edge], remember: EdgeKind) -> (Adjacency, Vec<(u32, u32)>) {
        let list = EdgeList {
            edges,
            systems: &[],
        };
        match Adjacency::build_from(n, &list, remember) {
            Ok(b) => (b.adjacency, b.remembered),
            Err(never) => match never {},
        }
    }

    /// Build from edges handed over in parts (in data order), reading them twice: once to
    /// count each node's edges per kind and direction, once to put each edge in its place.
    /// So no part but the one being read need be decoded; the lists are the only copy of the
    /// edges. The second pass fills the kinds in two groups side by side.
    pub fn build_from<P: EdgeParts + ?Sized>(
        n: usize,
        parts: &P,
        remember: EdgeKind,
    ) -> Result<Built, P::Error> {
        let nk = EdgeKind::ALL.len();
        let mut len = vec![0u32; nk];
        let mut out_counts: Vec<Counts> = vec![None; nk];
        let mut in_counts: Vec<Counts> = vec![None; nk];
        let mut systems = Vec::new();
        let mut offset = 0u32;
        // Counted side by side: one thread the outgoing ends, the other the incoming ones.
        parts.for_each_part(&mut |edges, part_systems| {
            rayon::join(
                || {
                    for e in edges {
                        len[e.kind as usize] += 1;
                        count(&mut out_counts[e.kind as usize], e.from, n);
                    }
                },
                || {
                    for e in edges {
                        count(&mut in_counts[e.kind as usize], e.to, n);
                    }
                },
            );
            systems.extend(part_systems.iter().map(|(i, s)| (offset + i, s.clone())));
            offset += edges.len() as u32;
        })?;
        let m: usize = len.iter().map(|&l| l as usize).sum();
        let mut to = vec![0u32; m];
        let mut row = vec![0u32; m];
        let mut fill: Vec<Filling> = Vec::with_capacity(nk);
        let (mut to_rest, mut row_rest) = (&mut to[..], &mut row[..]);
        let mut first = 0u32;
        for ((k, out), inc) in out_counts.into_iter().enumerate().zip(in_counts) {
            let l = len[k] as usize;
            let (t, tr) = std::mem::take(&mut to_rest).split_at_mut(l);
            let (r, rr) = std::mem::take(&mut row_rest).split_at_mut(l);
            (to_rest, row_rest) = (tr, rr);
            let kind = EdgeKind::ALL[k];
            fill.push(Filling {
                kind,
                first,
                to: t,
                row: r,
                inc_from: vec![0u32; l],
                out: Cursors::new(out, first),
                inc: Cursors::new(inc, 0),
                remembered: (kind == remember).then(Vec::new),
            });
            first += l as u32;
        }
        // Two groups of kinds, as even in edges as the kinds allow (largest first, each to the
        // lighter group): each walks every part and takes its own kinds.
        let mut order: Vec<usize> = (0..nk).collect();
        order.sort_by_key(|&k| std::cmp::Reverse(len[k]));
        let mut group = [0usize; 2];
        let mut side = vec![0usize; nk];
        for k in order {
            let g = usize::from(group[1] < group[0]);
            side[k] = g;
            group[g] += len[k] as usize;
        }
        let (mut a, mut b): (Vec<Filling>, Vec<Filling>) =
            fill.into_iter().partition(|f| side[f.kind as usize] == 0);
        let mine = |group: &mut [Filling], edges: &[Edge], offset: u32| {
            for (i, e) in edges.iter().enumerate() {
                if let Some(f) = group.iter_mut().find(|f| f.kind == e.kind) {
                    f.put(e, offset + i as u32);
                }
            }
        };
        let mut offset = 0u32;
        parts.for_each_part(&mut |edges, _| {
            rayon::join(
                || mine(&mut a, edges, offset),
                || mine(&mut b, edges, offset),
            );
            offset += edges.len() as u32;
        })?;
        let mut kinds: Vec<KindEdges> = (0..nk).map(|_| KindEdges::EMPTY).collect();
        let mut remembered = Vec::new();
        for f in a.into_iter().chain(b) {
            if let Some(ids) = f.remembered {
                remembered = ids;
            }
            let len = f.to.len() as u32;
            kinds[f.kind as usize] = if len == 0 {
                KindEdges::EMPTY
            } else {
                KindEdges {
                    first: f.first,
                    len,
                    out: f.out.into_rows(f.first),
                    inc: f.inc.into_rows(0),
                    inc_from: f.inc_from,
                }
            };
        }
        let adjacency = Adjacency { to, row, kinds };
        Ok(Built {
            adjacency,
            remembered,
            systems,
        })
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

    /// The nodes with at least one `kind` edge in direction `dir`, ascending.
    pub fn nodes_with(&self, kind: EdgeKind, dir: Direction) -> Vec<u32> {
        let Some(k) = self.kinds.get(kind as usize) else {
            return Vec::new();
        };
        match dir {
            Direction::Outgoing => &k.out,
            Direction::Incoming => &k.inc,
        }
        .nodes()
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
        let starts = k.map_or_else(Vec::new, |k| k.out.nodes());
        starts.into_iter().flat_map(move |from| {
            let ids = k.map_or(0..0, |k| k.out.range(from));
            ids.map(move |id| (from, self.to[id], id as u32))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PartSink;
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
                .filter_map(|&(_, id)| adj.edge(id))
                .map(|e| e.row)
                .collect();
            prop_assert_eq!(got, want.clone());
            let data_index: Vec<u32> = systems.iter().map(|&(i, _)| i).collect();
            prop_assert_eq!(data_index, want);
            // A node past the end has no edges (no panic), nor an id past the last.
            prop_assert!(adj.get(n as u32, EdgeKind::Supplies, Direction::Incoming).is_empty());
            prop_assert!(adj.edge(edges.len() as u32).is_none());
        }
    }

    /// Edges handed over in parts of the given sizes.
    struct Parts(Vec<Vec<Edge>>);

    impl EdgeParts for Parts {
        type Error = ();
        fn for_each_part(&self, f: &mut PartSink) -> Result<(), ()> {
            self.0.iter().for_each(|p| f(p, &[]));
            Ok(())
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn edges_in_parts_make_the_lists_one_list_makes(
            (n, edges) in arb_graph(),
            cut in prop::collection::vec(1usize..30, 1..10),
        ) {
            let (whole, ids) = Adjacency::build(n, &edges, EdgeKind::PartOf);
            let mut parts = Vec::new();
            let mut rest = &edges[..];
            for c in cut.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (p, r) = rest.split_at((*c).min(rest.len()));
                parts.push(p.to_vec());
                rest = r;
            }
            let built = Adjacency::build_from(n, &Parts(parts), EdgeKind::PartOf).unwrap();
            prop_assert_eq!(&built.remembered, &ids);
            let b = built.adjacency;
            for i in 0..n as u32 {
                for kind in EdgeKind::ALL {
                    for dir in [Direction::Outgoing, Direction::Incoming] {
                        prop_assert_eq!(whole.get(i, kind, dir), b.get(i, kind, dir));
                    }
                    prop_assert_eq!(whole.out_ids(i, kind), b.out_ids(i, kind));
                }
            }
            for id in 0..edges.len() as u32 {
                prop_assert_eq!(whole.edge(id), b.edge(id));
            }
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
        let direct =
            |rows: &Rows| matches!(rows, Rows::Sparse { direct, .. } if !direct.is_empty());
        assert!(
            direct(&k(EdgeKind::Supplies).out),
            "nodes 3 and 7: a direct table"
        );
        // Far apart (0 and 10,000 of 10,001 nodes): a binary search, same answers.
        let far = [
            edge(EdgeKind::Supplies, 0, 10_000, 0),
            edge(EdgeKind::Supplies, 10_000, 0, 1),
        ];
        let (adj, _) = Adjacency::build(10_001, &far, EdgeKind::InSystem);
        let rows = &adj.kinds[EdgeKind::Supplies as usize].out;
        assert!(matches!(rows, Rows::Sparse { .. }) && !direct(rows));
        assert_eq!(
            adj.get(0, EdgeKind::Supplies, Direction::Outgoing),
            &[10_000]
        );
        assert_eq!(
            adj.get(10_000, EdgeKind::Supplies, Direction::Outgoing),
            &[0]
        );
        assert!(
            adj.get(5, EdgeKind::Supplies, Direction::Outgoing)
                .is_empty()
        );
        assert!(
            adj.get(20_000, EdgeKind::Supplies, Direction::Outgoing)
                .is_empty()
        );
    }
}
