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

/// Per-node counts of one kind and direction (`n + 1` slots; `None` for a kind without
/// edges), then the fill cursors.
type Counts = Option<Vec<u32>>;

fn count(c: &mut Counts, node: u32, n: usize) {
    c.get_or_insert_with(|| vec![0u32; n + 1])[node as usize] += 1;
}

/// How many edges each node has, per edge kind and direction: what the lists' rows are cut
/// from. Counted from the edges ([`Degrees::count`]), or read from a store's open index
/// (`graph::stored`) and topped up with the edges a journal added ([`Degrees::add`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Degrees {
    /// Nodes counted for (each present list has `n + 1` slots).
    n: usize,
    /// Edges per kind.
    len: Vec<u32>,
    out: Vec<Counts>,
    inc: Vec<Counts>,
}

impl Degrees {
    /// No edges among `n` nodes.
    pub fn new(n: usize) -> Degrees {
        let nk = EdgeKind::ALL.len();
        Degrees {
            n,
            len: vec![0; nk],
            out: vec![None; nk],
            inc: vec![None; nk],
        }
    }

    /// Count every edge of `parts`: one thread the outgoing ends, the other the incoming ones.
    pub fn count<P: EdgeParts + ?Sized>(n: usize, parts: &P) -> Result<Degrees, P::Error> {
        let mut d = Degrees::new(n);
        parts.for_each_part(&mut |edges, _| d.add(edges))?;
        Ok(d)
    }

    /// Count `edges` too (their nodes must be below `n`).
    pub fn add(&mut self, edges: &[Edge]) {
        let n = self.n;
        let (len, out, inc) = (&mut self.len, &mut self.out, &mut self.inc);
        rayon::join(
            || {
                for e in edges {
                    len[e.kind as usize] += 1;
                    count(&mut out[e.kind as usize], e.from, n);
                }
            },
            || {
                for e in edges {
                    count(&mut inc[e.kind as usize], e.to, n);
                }
            },
        );
    }

    /// From stored per-node counts: for each kind and direction that has edges, `n` counts
    /// (`lists`: kind, outgoing?, counts). `None` when a list is not `n` long or a kind's
    /// two directions disagree on its number of edges.
    pub fn from_lists(n: usize, lists: Vec<(EdgeKind, bool, Vec<u32>)>) -> Option<Degrees> {
        let mut d = Degrees::new(n);
        let mut inc_len = vec![0u64; EdgeKind::ALL.len()];
        for (kind, outgoing, mut counts) in lists {
            if counts.len() != n {
                return None;
            }
            let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
            counts.push(0);
            let k = kind as usize;
            if outgoing {
                d.len[k] = u32::try_from(total).ok()?;
                d.out[k] = Some(counts);
            } else {
                inc_len[k] = total;
                d.inc[k] = Some(counts);
            }
        }
        let agree = (0..d.len.len()).all(|k| u64::from(d.len[k]) == inc_len[k]);
        agree.then_some(d)
    }

    /// The same counts for `n` nodes (more than counted: the new ones have no edges yet).
    pub fn grow(&mut self, n: usize) {
        if n > self.n {
            for c in self.out.iter_mut().chain(&mut self.inc).flatten() {
                c.resize(n + 1, 0);
            }
            self.n = n;
        }
    }

    /// The `n` counts of one kind and direction, if the kind has edges.
    pub fn list(&self, kind: EdgeKind, outgoing: bool) -> Option<&[u32]> {
        let k = kind as usize;
        let c = if outgoing { &self.out[k] } else { &self.inc[k] };
        c.as_deref().map(|c| &c[..self.n])
    }

    /// Each present list as (kind, outgoing?, `n` counts), outgoing first per kind: what a
    /// store keeps.
    pub fn into_lists(self) -> Vec<(EdgeKind, bool, Vec<u32>)> {
        let n = self.n;
        let mut out = Vec::new();
        for ((k, o), i) in self.out.into_iter().enumerate().zip(self.inc) {
            for (outgoing, c) in [(true, o), (false, i)] {
                if let Some(mut c) = c {
                    c.truncate(n);
                    out.push((EdgeKind::ALL[k], outgoing, c));
                }
            }
        }
        out
    }
}

/// One direction of one kind while it is filled: where each node's next edge goes, and the
/// rows it ends as.
enum Cursors {
    /// `at[i]` is node `i`'s next slot; after the fill, node `i`'s end (the start of
    /// `i + 1`). `end` is where the last row ends.
    Dense { at: Vec<u32>, end: u32 },
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
        Cursors::Dense { at: v, end: next }
    }

    /// The slot of node `i`'s next edge; `None` for a node not counted for.
    fn next(&mut self, i: u32) -> Option<usize> {
        match self {
            Cursors::Dense { at, .. } => {
                let slot = at.get_mut(i as usize)?;
                *slot += 1;
                Some((*slot - 1) as usize)
            }
            Cursors::None => None,
        }
    }

    /// The rows, once every edge is in (`base`: where the first row starts); `None` when the
    /// edges did not fill the rows the counts cut (more or fewer edges than counted for
    /// some node).
    fn into_rows(self, base: u32) -> Option<Rows> {
        match self {
            Cursors::Dense { mut at, end } => {
                // Each cursor stopped at the next node's start: shift them down one. The
                // `n + 1`-th slot, never a node, stays at `end`; every other node's cursor
                // must have stopped at most where the next node began.
                if at.pop() != Some(end) {
                    return None;
                }
                at.insert(0, base);
                let n = at.len() - 1;
                if at[n] != end || at.windows(2).any(|w| w[0] > w[1]) {
                    return None;
                }
                let with_edges = (0..n).filter(|&i| at[i + 1] > at[i]).count();
                Some(Rows::new(at, with_edges))
            }
            Cursors::None => Some(Rows::EMPTY),
        }
    }
}

/// The outgoing side of one kind while the edges are filled in: its slice of the edge array
/// (ids `first..`) and the cursors of its runs.
struct OutFill<'a> {
    first: u32,
    to: &'a mut [u32],
    row: &'a mut [u32],
    out: Cursors,
    remembered: Option<Vec<(u32, u32)>>,
    /// An edge that fell outside the counted rows, or on a slot already written.
    overflow: bool,
    written: u32,
}

/// A slot not yet filled (no node has this index).
const UNSET: u32 = u32::MAX;

impl OutFill<'_> {
    /// Put edge `e`, the dataset's edge `index`.
    fn put(&mut self, e: &Edge, index: u32) {
        let Some(id) = self.out.next(e.from) else {
            self.overflow = true;
            return;
        };
        let at = id.wrapping_sub(self.first as usize);
        match (self.to.get_mut(at), self.row.get_mut(at)) {
            // A slot already written: some node had more edges than counted.
            (Some(t), Some(r)) if *t == UNSET => (*t, *r) = (e.to, e.row),
            _ => self.overflow = true,
        }
        self.written += 1;
        if let Some(ids) = &mut self.remembered {
            ids.push((index, id as u32));
        }
    }
}

/// The incoming side of one kind while the edges are filled in: its start nodes, by end node.
struct InFill {
    inc_from: Vec<u32>,
    inc: Cursors,
    overflow: bool,
    written: u32,
}

impl InFill {
    fn put(&mut self, e: &Edge) {
        match self.inc.next(e.to).and_then(|s| self.inc_from.get_mut(s)) {
            Some(slot) if *slot == UNSET => *slot = e.from,
            _ => self.overflow = true,
        }
        self.written += 1;
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
    /// count each node's edges, once to fill the lists.
    pub fn build_from<P: EdgeParts + ?Sized>(
        n: usize,
        parts: &P,
        remember: EdgeKind,
    ) -> Result<Built, P::Error> {
        let degrees = Degrees::count(n, parts)?;
        match Adjacency::build_counted(parts, remember, degrees)? {
            Some(built) => Ok(built),
            None => unreachable!("the edges were counted from these parts"),
        }
    }

    /// Build from edges handed over in parts (in data order) whose per-node counts are known,
    /// reading them once. `None` when the edges do not match the counts (the caller counts
    /// them and builds again: see [`Adjacency::build_from`]); no count makes this panic.
    pub fn build_counted<P: EdgeParts + ?Sized>(
        parts: &P,
        remember: EdgeKind,
        degrees: Degrees,
    ) -> Result<Option<Built>, P::Error> {
        let nk = EdgeKind::ALL.len();
        let len = degrees.len;
        let m: usize = len.iter().map(|&l| l as usize).sum();
        // Every slot starts unset, so an edge that lands on a filled one is seen: with the
        // count of edges put per kind and the cursors' ends checked in `into_rows`, the edges
        // fill exactly the rows the counts cut, or the build says `None`.
        let mut to = vec![UNSET; m];
        let mut row = vec![0u32; m];
        let mut outs: Vec<OutFill> = Vec::with_capacity(nk);
        let mut ins: Vec<InFill> = Vec::with_capacity(nk);
        let (mut to_rest, mut row_rest) = (&mut to[..], &mut row[..]);
        let mut first = 0u32;
        for ((k, out), inc) in degrees.out.into_iter().enumerate().zip(degrees.inc) {
            let l = len[k] as usize;
            let (t, tr) = std::mem::take(&mut to_rest).split_at_mut(l);
            let (r, rr) = std::mem::take(&mut row_rest).split_at_mut(l);
            (to_rest, row_rest) = (tr, rr);
            outs.push(OutFill {
                first,
                to: t,
                row: r,
                out: Cursors::new(out, first),
                remembered: (EdgeKind::ALL[k] == remember).then(Vec::new),
                overflow: false,
                written: 0,
            });
            ins.push(InFill {
                inc_from: vec![UNSET; l],
                inc: Cursors::new(inc, 0),
                overflow: false,
                written: 0,
            });
            first += l as u32;
        }
        // One thread fills the outgoing runs, the other the incoming lists: every edge is one
        // write on each side, so the two are even whatever the mix of kinds.
        let mut systems = Vec::new();
        let mut offset = 0u32;
        parts.for_each_part(&mut |edges, part_systems| {
            rayon::join(
                || {
                    for (i, e) in edges.iter().enumerate() {
                        outs[e.kind as usize].put(e, offset + i as u32);
                    }
                },
                || {
                    for e in edges {
                        ins[e.kind as usize].put(e);
                    }
                },
            );
            systems.extend(part_systems.iter().map(|(i, s)| (offset + i, s.clone())));
            offset += edges.len() as u32;
        })?;
        let mut kinds: Vec<KindEdges> = Vec::with_capacity(nk);
        let mut remembered = Vec::new();
        for (o, i) in outs.into_iter().zip(ins) {
            let len = o.to.len() as u32;
            if o.overflow || i.overflow || o.written != len || i.written != len {
                return Ok(None);
            }
            if let Some(ids) = o.remembered {
                remembered = ids;
            }
            let (Some(out), Some(inc)) = (o.out.into_rows(o.first), i.inc.into_rows(0)) else {
                return Ok(None);
            };
            kinds.push(if len == 0 {
                KindEdges::EMPTY
            } else {
                KindEdges {
                    first: o.first,
                    len,
                    out,
                    inc,
                    inc_from: i.inc_from,
                }
            });
        }
        let adjacency = Adjacency { to, row, kinds };
        Ok(Some(Built {
            adjacency,
            remembered,
            systems,
        }))
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
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Counts taken from other edges (one edge moved, dropped or added: what a stale open
        /// index would hold) never build lists: `build_counted` says `None` exactly when the
        /// counts differ from the edges' own, and never panics; with the edges' own counts it
        /// builds what `build` builds.
        #[test]
        fn counts_of_other_edges_are_refused(
            (n, edges) in arb_graph(),
            change in 0usize..4,
            at in any::<prop::sample::Index>(),
            node in any::<prop::sample::Index>(),
        ) {
            let mut other = edges.clone();
            let v = node.index(n) as u32;
            match (change, other.is_empty()) {
                (_, true) | (0, _) => other.push(edge(EdgeKind::Produces, v, v, 0)),
                (1, _) => { other.remove(at.index(edges.len())); }
                (2, _) => other[at.index(edges.len())].from = v,
                _ => other[at.index(edges.len())].to = v,
            }
            let own = Degrees::count(n, &EdgeList { edges: &edges, systems: &[] }).unwrap();
            let theirs = Degrees::count(n, &EdgeList { edges: &other, systems: &[] }).unwrap();
            let parts = EdgeList { edges: &edges, systems: &[] };
            let built = Adjacency::build_counted(&parts, EdgeKind::PartOf, theirs.clone()).unwrap();
            prop_assert_eq!(built.is_some(), own == theirs);
            let (whole, _) = Adjacency::build(n, &edges, EdgeKind::PartOf);
            let b = Adjacency::build_counted(&parts, EdgeKind::PartOf, own).unwrap().unwrap().adjacency;
            for i in 0..n as u32 {
                for kind in EdgeKind::ALL {
                    for dir in [Direction::Outgoing, Direction::Incoming] {
                        prop_assert_eq!(whole.get(i, kind, dir), b.get(i, kind, dir));
                    }
                }
            }
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
