//! The in-memory graph: a `Dataset` whose edges are held as adjacency per edge kind, rebuilt
//! on every open and never written back, plus the indexes queries need (names; chains; the
//! place hierarchy; presence per place × segment).

mod adjacency;
mod columns;
mod names;
mod places;
mod presence;
mod ranked;
mod state_bits;
mod stored;
pub mod supply;

use crate::model::{
    Attrs, Coverage, Dataset, Edge, EdgeKind, EdgeList, EdgeParts, Kind, LEADING_TAGS, Node,
    PartSink, Stage, SystemEntry,
};
use petgraph::Direction;
use std::collections::{HashMap, HashSet};

pub use adjacency::{Adjacency, Degrees};
pub use columns::{Columns, Profile};
pub use names::NameIndex;
pub use presence::{Presence, PresenceIndex};
pub use ranked::{RankedProducers, by_revenue};
pub use state_bits::{SegmentBits, StateBits};
pub use stored::{INDEX_VERSION, OpenIndex};

/// Local state of a segment in a place (the brief's gap semantics).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SegmentState {
    /// At least one enterprise located in the place produces it.
    Present,
    /// Not present, but a project in the place that is not yet producing builds it.
    Planned,
    /// Neither, in a place whose enterprise data covers it.
    Missing,
    /// Neither, in a place with no enterprise data (coverage `none`): never shown as missing.
    Unknown,
}

impl SegmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentState::Present => "present",
            SegmentState::Planned => "planned",
            SegmentState::Missing => "missing",
            SegmentState::Unknown => "unknown",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SegmentState::Present => "已有",
            SegmentState::Planned => "在建/规划",
            SegmentState::Missing => "缺失",
            SegmentState::Unknown => "未知（无企业数据）",
        }
    }
}

pub struct Graph {
    /// The dataset, without its edges: `ds.edges` is empty in a graph (they live in `adj`;
    /// node `i` is the dataset's node `i`). Nothing writes a graph's dataset back.
    pub ds: Dataset,
    /// Every edge, as adjacency per edge kind and direction, in data order within a node. An
    /// edge's id is its place in `adj` (grouped by kind and start node), not its index in the
    /// dataset's edge list.
    adj: Adjacency,
    /// The edge id of each of `ds.systems`' entries (which the dataset keys by data order),
    /// and (edge id, entry) sorted by id, for [`Graph::edge_system`].
    system_edges: Vec<u32>,
    system_by_edge: Vec<(u32, u32)>,
    pub names: NameIndex,
    /// Place → its ancestors (PART_OF, transitively), nearest first, not including itself.
    ancestors: HashMap<u32, Vec<u32>>,
    /// Chain → member segments, in data order.
    chain_members: HashMap<u32, Vec<u32>>,
    /// Segment → chains it belongs to.
    segment_chains: HashMap<u32, Vec<u32>>,
    /// (place, segment) → presence, for every place on the path from a located entity up.
    presence: PresenceIndex,
    /// Dense per-node columns (locations, produced segments, producers, relation flags).
    pub cols: Columns,
    /// Nodes by kind, in data order.
    by_kind: HashMap<Kind, Vec<u32>>,
    /// Per segment, the places where it is present / only planned, as bitsets (for scans of a
    /// chain over every place).
    state_bits: StateBits,
    /// Each place's effective coverage: its own, or the weakest of the nearest places above it
    /// that state one, with the place that states it. Absent: stated nowhere on the way up.
    coverage: HashMap<u32, (Coverage, u32)>,
    /// Per segment, its producers in the order of `sort revenue_yi desc, name`.
    ranked: RankedProducers,
    /// Whether the graph was opened from a stored open index (and read its edges once).
    from_index: bool,
}

impl Graph {
    /// Build the graph and every index from a dataset.
    pub fn build(ds: Dataset) -> Graph {
        let none = EdgeList {
            edges: &[],
            systems: &[],
        };
        match Graph::build_from(ds, none, None) {
            Ok(graph) => graph,
            Err(never) => match never {},
        }
    }

    /// Build the graph from a dataset whose edges come in parts (`stored`, e.g. a store's
    /// chunks, decoded as they are read), followed by the dataset's own edges (those a journal
    /// added, or all of them for [`Graph::build`]) with their payloads in `ds.systems`. No list
    /// of every decoded edge is made: the edges are adjacency once read.
    ///
    /// With the stored parts' open index (`index`, computed at import from the dataset the
    /// parts belong to), the parts are read once and producers are ranked only in segments
    /// the dataset's own edges add to; an index that does not fit the parts is set aside and
    /// everything is counted and ranked from the edges. Either way the graph is the same.
    pub fn build_from<P>(
        mut ds: Dataset,
        stored: P,
        index: Option<OpenIndex>,
    ) -> Result<Graph, P::Error>
    where
        P: EdgeParts + Sync,
        P::Error: Send,
    {
        // Decoding the store leaves its buffers free but held by the allocator; hand them
        // back before the indexes are built, so the peak is the dataset plus the indexes.
        release_free_memory();
        let tail = std::mem::take(&mut ds.edges);
        let tail_systems = std::mem::take(&mut ds.systems);
        let parts = Then {
            first: &stored,
            tail: &tail,
            tail_systems: &tail_systems,
        };
        let n = ds.nodes.len();
        let (ranked, degrees) = match index {
            Some(index) if index.nodes as usize <= n => {
                let degrees =
                    Degrees::from_lists(index.nodes as usize, index.degrees).map(|mut d| {
                        d.grow(n);
                        d.add(&tail);
                        d
                    });
                let ranked = index
                    .ranked
                    .iter()
                    .all(|(s, l)| (*s as usize) < n && l.iter().all(|&i| (i as usize) < n))
                    .then(|| RankedProducers::from_lists(index.ranked));
                (ranked, degrees)
            }
            _ => (None, None),
        };
        // The name index needs only the nodes: built beside the lists.
        let (built, names) = rayon::join(
            || -> Result<(adjacency::Built, bool), P::Error> {
                if let Some(d) = degrees
                    && let Some(built) = Adjacency::build_counted(&parts, EdgeKind::InSystem, d)?
                {
                    return Ok((built, true));
                }
                Ok((Adjacency::build_from(n, &parts, EdgeKind::InSystem)?, false))
            },
            || NameIndex::build(&ds.nodes),
        );
        // An index whose counts do not fit the edges is not for these data: its ranked lists
        // are not used either.
        let (built, fits) = built?;
        let ranked = ranked.filter(|_| fits);
        // Segments the dataset's own edges add producers to are ranked again.
        let added: Vec<u32> = {
            let mut s: Vec<u32> = tail
                .iter()
                .filter(|e| e.kind == EdgeKind::Produces)
                .map(|e| e.to)
                .collect();
            s.sort_unstable();
            s.dedup();
            s
        };
        // The edges are lists now: the parts and the dataset's own copy go before the other
        // indexes take their memory.
        drop((stored, tail, tail_systems));
        Ok(Graph::finish(
            ds,
            built,
            names,
            ranked.map(|r| (r, added)),
            fits,
        ))
    }

    /// The indexes, once the edges are adjacency.
    /// `ranked`: the producers ranked before (an open index), and the segments to rank again;
    /// `from_index`: whether the lists were cut from an open index's counts.
    fn finish(
        mut ds: Dataset,
        built: adjacency::Built,
        names: NameIndex,
        ranked: Option<(RankedProducers, Vec<u32>)>,
        from_index: bool,
    ) -> Graph {
        let adj = built.adjacency;
        ds.systems = built.systems;
        let (system_edges, system_by_edge) = system_ids(&ds.systems, &built.remembered);
        release_free_memory();
        let mut by_kind: HashMap<Kind, Vec<u32>> = HashMap::new();
        for (i, node) in ds.nodes.iter().enumerate() {
            by_kind.entry(node.kind).or_default().push(i as u32);
        }

        let mut parents: HashMap<u32, Vec<u32>> = HashMap::new();
        for (from, to, _) in adj.of_kind(EdgeKind::PartOf) {
            if ds.nodes[from as usize].kind.is_place() {
                parents.entry(from).or_default().push(to);
            }
        }
        // A chain's member segments in data order: its incoming BELONGS_TO list; a
        // segment's chains in the order of its first edge to each.
        let mut chain_members: HashMap<u32, Vec<u32>> = HashMap::new();
        let is_segment = |i: u32| ds.nodes[i as usize].kind == Kind::Segment;
        for (from, to, _) in adj.of_kind(EdgeKind::BelongsTo) {
            if is_segment(from) && !chain_members.contains_key(&to) {
                let mut m: Vec<u32> = Vec::new();
                for &s in adj.get(to, EdgeKind::BelongsTo, Direction::Incoming) {
                    if is_segment(s) && !m.contains(&s) {
                        m.push(s);
                    }
                }
                chain_members.insert(to, m);
            }
        }
        let mut segment_chains: HashMap<u32, Vec<u32>> = HashMap::new();
        for (from, to, _) in adj.of_kind(EdgeKind::BelongsTo) {
            if is_segment(from) {
                let c = segment_chains.entry(from).or_default();
                if !c.contains(&to) {
                    c.push(to);
                }
            }
        }
        let mut ancestors: HashMap<u32, Vec<u32>> = HashMap::new();
        for &p in by_kind
            .get(&Kind::Park)
            .into_iter()
            .chain(by_kind.get(&Kind::Region))
            .flatten()
        {
            let mut out = Vec::new();
            let mut queue = vec![p];
            let mut seen = HashSet::from([p]);
            while let Some(x) = queue.pop() {
                for &up in parents.get(&x).into_iter().flatten() {
                    if seen.insert(up) {
                        out.push(up);
                        queue.insert(0, up);
                    }
                }
            }
            ancestors.insert(p, out);
        }
        // Independent of each other: side by side.
        let (cols, presence) = rayon::join(
            || Columns::build(&ds, &adj),
            || PresenceIndex::build(&ds, &adj, &ancestors),
        );
        let places: Vec<u32> = by_kind
            .get(&Kind::Region)
            .into_iter()
            .chain(by_kind.get(&Kind::Park))
            .flatten()
            .copied()
            .collect();
        let coverage = places::effective_coverage(&ds, &parents, &places);
        let producers = |s| adj.get(s, EdgeKind::Produces, Direction::Incoming);
        let revenue = |i| cols.profile(i).revenue_yi;
        let ranked = match ranked {
            Some((mut ranked, added)) => {
                ranked.rerank(&added, producers, revenue, producer_order(&ds, &cols));
                ranked
            }
            None => RankedProducers::build(
                by_kind.get(&Kind::Segment).map_or(&[], Vec::as_slice),
                producers,
                revenue,
                producer_order(&ds, &cols),
            ),
        };
        let segments = by_kind.get(&Kind::Segment).map_or(&[][..], Vec::as_slice);
        let state_bits = StateBits::build(&places, segments, &presence, |p| {
            coverage.get(&p).is_some_and(|&(c, _)| c == Coverage::None)
        });
        let graph = Graph {
            ds,
            adj,
            system_edges,
            system_by_edge,
            names,
            ancestors,
            chain_members,
            segment_chains,
            presence,
            cols,
            by_kind,
            state_bits,
            coverage,
            ranked,
            from_index,
        };
        // The same for the build's scratch space (presence triples, per-thread buffers).
        release_free_memory();
        graph
    }

    /// Whether the graph was opened from a stored open index (`graph::stored`) rather than
    /// counted and ranked from its edges.
    pub fn opened_from_index(&self) -> bool {
        self.from_index
    }

    pub fn node(&self, i: u32) -> &Node {
        &self.ds.nodes[i as usize]
    }

    /// The edge with id `i` (ids come from [`Graph::neighbors`]). Panics past the last edge,
    /// as indexing would: ids are the graph's own, never read from users.
    pub fn edge(&self, i: u32) -> Edge {
        match self.adj.edge(i) {
            Some(e) => e,
            None => panic!("edge id {i} past the last of {} edges", self.adj.len()),
        }
    }

    /// How many edges of `kind` the graph holds.
    pub fn edge_count(&self, kind: EdgeKind) -> usize {
        self.adj.count(kind)
    }

    /// How many edges the graph holds.
    pub fn edge_total(&self) -> usize {
        self.adj.len()
    }

    /// The IN_SYSTEM payload of an edge (by graph edge id), if it is one.
    pub fn edge_system(&self, edge: u32) -> Option<&SystemEntry> {
        let k = self
            .system_by_edge
            .binary_search_by_key(&edge, |&(e, _)| e)
            .ok()?;
        self.ds
            .systems
            .get(self.system_by_edge[k].1 as usize)
            .map(|(_, s)| s)
    }

    /// Every IN_SYSTEM payload with its edge, in data order.
    pub fn systems(&self) -> impl Iterator<Item = (Edge, &SystemEntry)> + '_ {
        self.system_edges
            .iter()
            .zip(&self.ds.systems)
            .filter(|&(&e, _)| e != u32::MAX)
            .map(|(&e, (_, s))| (self.edge(e), s))
    }

    /// Places a node is LOCATED_IN, in data order.
    pub fn locations(&self, i: u32) -> &[u32] {
        self.adj.get(i, EdgeKind::LocatedIn, Direction::Outgoing)
    }

    /// Segments an enterprise PRODUCES, in data order.
    pub fn produced(&self, i: u32) -> &[u32] {
        self.adj.get(i, EdgeKind::Produces, Direction::Outgoing)
    }

    /// Enterprises that PRODUCE a segment, in data order.
    pub fn producers(&self, segment: u32) -> &[u32] {
        self.adj
            .get(segment, EdgeKind::Produces, Direction::Incoming)
    }

    pub fn nodes_of(&self, kind: Kind) -> &[u32] {
        self.by_kind.get(&kind).map_or(&[], Vec::as_slice)
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.nodes_of(kind).len()
    }

    /// Edges of `kind` leaving (`Outgoing`) or entering (`Incoming`) node `i`, as
    /// (other end, edge index), in data order, each other end once (at its first edge).
    /// Reads only `kind`'s adjacency list.
    pub fn neighbors(&self, i: u32, kind: EdgeKind, dir: Direction) -> Vec<(u32, u32)> {
        let list = self.adj.get(i, kind, dir);
        // A node linked by two rows (a template and a seed file) is listed once, at its first
        // edge; its repeats need not be next to each other. The list is in data order already;
        // most lists have no repeat, and short ones are checked pairwise without allocating.
        let firsts: Vec<usize> = if list.len() <= 16 {
            (0..list.len())
                .filter(|&k| !list[..k].contains(&list[k]))
                .collect()
        } else {
            let mut seen = HashSet::with_capacity(list.len());
            (0..list.len()).filter(|&k| seen.insert(list[k])).collect()
        };
        match dir {
            // An outgoing list is a run of edge ids.
            Direction::Outgoing => {
                let first = self.adj.out_ids(i, kind).start;
                firsts
                    .into_iter()
                    .map(|k| (list[k], first + k as u32))
                    .collect()
            }
            // An incoming edge's id is in its start node's outgoing run: the first edge to `i`
            // there is the first in data order.
            Direction::Incoming => firsts
                .into_iter()
                .filter_map(|k| Some((list[k], self.adj.find(list[k], i, kind)?)))
                .collect(),
        }
    }

    /// The other ends of `kind` edges at node `i`, without allocating (for hot loops; may
    /// repeat a node that two rows link twice), in data order.
    pub fn edges_of(
        &self,
        i: u32,
        kind: EdgeKind,
        dir: Direction,
    ) -> impl Iterator<Item = u32> + '_ {
        self.adj.get(i, kind, dir).iter().copied()
    }

    /// The other end of every `kind` edge at node `i`, in data order, repeats included: a
    /// slice of the adjacency, no allocation.
    pub fn adjacent(&self, i: u32, kind: EdgeKind, dir: Direction) -> &[u32] {
        self.adj.get(i, kind, dir)
    }

    /// Heap bytes of the per-kind adjacency lists (which hold every edge).
    pub fn adjacency_bytes(&self) -> usize {
        self.adj.heap_bytes()
    }

    /// Ancestors of a place (nearest first), not including itself.
    pub fn ancestors(&self, place: u32) -> &[u32] {
        self.ancestors.get(&place).map_or(&[], Vec::as_slice)
    }

    /// Whether `place` is `within` or below it.
    pub fn is_within(&self, place: u32, within: u32) -> bool {
        place == within || self.ancestors(place).contains(&within)
    }

    /// The places (regions and parks) at or below `within`, `within` included, by node index.
    pub fn places_within(&self, within: u32) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .nodes_of(Kind::Region)
            .iter()
            .chain(self.nodes_of(Kind::Park))
            .copied()
            .filter(|&p| self.is_within(p, within))
            .collect();
        v.sort_unstable();
        v
    }

    /// Segments of a chain, in data order.
    pub fn chain_segments(&self, chain: u32) -> &[u32] {
        self.chain_members.get(&chain).map_or(&[], Vec::as_slice)
    }

    /// A segment's stage (上游/中游/下游); `None` for a node that is no segment.
    pub fn segment_stage(&self, segment: u32) -> Option<Stage> {
        match self.node(segment).attrs {
            Attrs::Segment { stage } => Some(stage),
            _ => None,
        }
    }

    /// Chains a segment belongs to.
    pub fn segment_chains(&self, segment: u32) -> &[u32] {
        self.segment_chains.get(&segment).map_or(&[], Vec::as_slice)
    }

    /// SUPPLIES edges between segments of one chain, as (from, to).
    pub fn chain_edges(&self, chain: u32) -> Vec<(u32, u32)> {
        let members: HashSet<u32> = self.chain_segments(chain).iter().copied().collect();
        let mut out = Vec::new();
        for &s in self.chain_segments(chain) {
            for (t, _) in self.neighbors(s, EdgeKind::Supplies, Direction::Outgoing) {
                if members.contains(&t) {
                    out.push((s, t));
                }
            }
        }
        out
    }

    /// Presence of a segment in a place (including the places below it).
    pub fn presence(&self, place: u32, segment: u32) -> Option<Presence<'_>> {
        self.presence.get(place, segment)
    }

    pub fn state(&self, place: u32, segment: u32) -> SegmentState {
        match self.presence(place, segment) {
            Some(p) if !p.producers.is_empty() => SegmentState::Present,
            Some(p) if !p.projects.is_empty() => SegmentState::Planned,
            _ if self.uncovered(place) => SegmentState::Unknown,
            _ => SegmentState::Missing,
        }
    }

    /// What a place's enterprise data covers, and which place states it (the place itself, or
    /// the nearest places above it that state one, the weakest of them). `None` when no place
    /// on the way up states a coverage: the place is read as covered (data from before
    /// coverage was recorded).
    pub fn coverage(&self, place: u32) -> Option<(Coverage, u32)> {
        self.coverage.get(&place).copied()
    }

    /// Whether a place has no enterprise data (coverage `none`): no producer there means
    /// `unknown`, not `missing`.
    pub fn uncovered(&self, place: u32) -> bool {
        self.coverage(place)
            .is_some_and(|(c, _)| c == Coverage::None)
    }

    /// Whether an enterprise is a leading firm (链主/龙头/500强/上市).
    pub fn is_leading(&self, enterprise: u32) -> bool {
        match &self.node(enterprise).attrs {
            Attrs::Enterprise(a) => a.tags.iter().any(|t| LEADING_TAGS.contains(&&**t)),
            _ => false,
        }
    }

    /// Segment states as per-segment place bitsets (same answers as `state`).
    pub fn state_bits(&self) -> &StateBits {
        &self.state_bits
    }

    /// When `name` names nothing of `kinds` but names something else, what it is ("a 环节 (of
    /// 锂电池)"), so a name typed under the wrong kind is not answered with "no such name".
    pub fn other_kinds(&self, name: &str, kinds: &[Kind]) -> Option<String> {
        self.other_kinds_in(name, kinds, crate::lang::Lang::En)
    }

    /// [`Graph::other_kinds`] in `lang`: `一个环节（属于 锂电池）` in Chinese.
    pub fn other_kinds_in(
        &self,
        name: &str,
        kinds: &[Kind],
        lang: crate::lang::Lang,
    ) -> Option<String> {
        use crate::lang::Lang;
        if kinds.is_empty() {
            return None;
        }
        let what: Vec<String> = self
            .names
            .lookup(&self.ds.nodes, name, &[])
            .iter()
            .map(|&n| {
                let node = self.node(n);
                let chains: Vec<&str> = self
                    .segment_chains(n)
                    .iter()
                    .map(|&c| self.node(c).name())
                    .collect();
                let kind = node.kind.label_zh();
                match (lang, node.kind == Kind::Segment && !chains.is_empty()) {
                    (Lang::Zh, true) => format!("{kind}（属于 {}）", chains.join("、")),
                    (Lang::Zh, false) => format!("{kind}（`{}`）", node.id),
                    (Lang::En, true) => format!("a {kind} (of {})", chains.join("、")),
                    (Lang::En, false) => format!("a {kind} (`{}`)", node.id),
                }
            })
            .collect();
        (!what.is_empty()).then(|| what.join(lang.pick("，也是", " and ")))
    }

    /// The first `k` enterprises, in the order of `sort revenue_yi desc, name` (unknown revenue
    /// last; ties in node order), that produce any of `segments` and that `keep` accepts, each
    /// once. Merges the segments' revenue-ordered producer lists and stops at the k-th kept
    /// firm: the cost follows k and the firms skipped, not the number of enterprises.
    pub fn top_producers(
        &self,
        segments: &[u32],
        k: usize,
        keep: impl FnMut(u32) -> bool,
    ) -> Vec<u32> {
        self.ranked
            .top(segments, k, producer_order(&self.ds, &self.cols), keep)
    }

    /// A segment's producers in the order of `sort revenue_yi desc, name`.
    pub fn ranked_producers(&self, segment: u32) -> &[u32] {
        self.ranked.of(segment)
    }

    /// Number of (place, segment) cells in the presence index.
    pub fn presence_cells(&self) -> usize {
        self.presence.len()
    }
}

/// The graph edge id of each IN_SYSTEM payload in `systems` (keyed there by the edge's index
/// in data order), and the payloads' positions sorted by edge id. `in_system` holds the
/// IN_SYSTEM edges as (data index, id), in data order.
fn system_ids(
    systems: &[(u32, SystemEntry)],
    in_system: &[(u32, u32)],
) -> (Vec<u32>, Vec<(u32, u32)>) {
    let ids: Vec<u32> = systems
        .iter()
        .map(
            |&(e, _)| match in_system.binary_search_by_key(&e, |&(i, _)| i) {
                Ok(k) => in_system[k].1,
                // The store and the loader only key payloads by IN_SYSTEM edges.
                Err(_) => u32::MAX,
            },
        )
        .collect();
    let mut by_edge: Vec<(u32, u32)> = ids
        .iter()
        .enumerate()
        .filter(|&(_, &e)| e != u32::MAX)
        .map(|(k, &e)| (e, k as u32))
        .collect();
    by_edge.sort_unstable();
    (ids, by_edge)
}

/// A store's edge parts, then the dataset's own edges (those a journal added) as one more,
/// with their payloads.
struct Then<'a, P: ?Sized> {
    first: &'a P,
    tail: &'a [Edge],
    tail_systems: &'a [(u32, SystemEntry)],
}

impl<P: EdgeParts + ?Sized> EdgeParts for Then<'_, P> {
    type Error = P::Error;
    fn for_each_part(&self, f: &mut PartSink) -> Result<(), P::Error> {
        self.first.for_each_part(f)?;
        if !self.tail.is_empty() {
            f(self.tail, self.tail_systems);
        }
        Ok(())
    }
}

/// The order of `sort revenue_yi desc, name` over enterprises (see `ranked`).
fn producer_order<'a>(
    ds: &'a Dataset,
    cols: &'a Columns,
) -> impl Fn(u32, u32) -> std::cmp::Ordering + Sync + 'a {
    ranked::revenue_then_name(
        move |i| cols.profile(i).revenue_yi,
        move |i| ds.nodes[i as usize].name(),
    )
}

/// Set the allocator up for a process that builds a large graph on two threads: with glibc,
/// blocks below 32 MiB come from the heap, reused, instead of each being mapped fresh and
/// unmapped when freed. glibc's own threshold starts at 128 KiB and rises only as mapped blocks
/// are freed; meanwhile every decoded chunk, name table and count list of an open was mapped,
/// zeroed page by page and unmapped, and each unmapping stopped the other thread to flush its
/// TLB. Measured at 2 M firms (`stats`, benches/README.md "Open from the stored index"): open
/// 1.79–1.93 → 1.63–1.69 s, system time 0.80–0.90 → 0.50–0.60 s, peak RSS 605 → 627 MB. Call it
/// first thing in `main`, before any other thread exists. Elsewhere this is a no-op.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; it takes no pointers.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}

/// Return memory that is free but still held by the allocator to the operating system.
///
/// glibc keeps freed blocks in its (per-thread) arenas; after decoding a million records in
/// parallel that is ≈180 MiB of resident memory nobody uses (measured with
/// `examples/scale.rs`: 587 → 403 MiB after decoding, 686 → 630 MiB after the build).
/// Elsewhere this is a no-op.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it takes no pointers and is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Segments s0..sn, and the given SUPPLIES edges, edge `i` on row `i`.
    fn graph(n: usize, edges: &[(u32, u32)]) -> Graph {
        assert!(edges.len() <= n, "one row per segment: at most n edges");
        let mut ds = Dataset::segments_only(n);
        for (row, &(from, to)) in edges.iter().enumerate() {
            ds.edges.push(Edge {
                kind: EdgeKind::Supplies,
                from,
                to,
                row: row as u32,
            });
        }
        Graph::build(ds)
    }

    #[test]
    fn neighbors_lists_each_node_once_in_data_order_even_when_its_edges_are_apart() {
        // s0 → s1 stated twice (rows 0 and 2), with s0 → s2 between them.
        let g = graph(3, &[(0, 1), (0, 2), (0, 1)]);
        assert_eq!(
            g.neighbors(0, EdgeKind::Supplies, Direction::Outgoing),
            vec![(1, 0), (2, 1)]
        );
        assert_eq!(
            g.neighbors(1, EdgeKind::Supplies, Direction::Incoming),
            vec![(0, 0)]
        );
        // edge i is the dataset's edge i: the edge index names the stating row
        assert_eq!({ g.edge(2).row }, 2);
    }

    #[test]
    fn in_system_payloads_follow_their_edges_when_ids_are_not_data_order() {
        // Data order: s3 → s0 IN_SYSTEM, s1 → s2 SUPPLIES, s1 → s0 IN_SYSTEM, s2 → s0
        // IN_SYSTEM. Graph ids group by kind and start node, so the IN_SYSTEM edges get ids in
        // the order s1, s2, s3: the payloads (keyed by data index) must still find theirs.
        let mut ds = Dataset::segments_only(4);
        let e = |kind, from, to, row| Edge {
            kind,
            from,
            to,
            row,
        };
        ds.edges = vec![
            e(EdgeKind::InSystem, 3, 0, 0),
            e(EdgeKind::Supplies, 1, 2, 1),
            e(EdgeKind::InSystem, 1, 0, 2),
            e(EdgeKind::InSystem, 2, 0, 3),
        ];
        let entry = |name: &str| SystemEntry {
            system: name.into(),
            class: "".into(),
            target_revenue_yi: None,
        };
        ds.systems = vec![(0, entry("a")), (2, entry("b")), (3, entry("c"))];
        let g = Graph::build(ds);
        assert!(
            g.ds.edges.is_empty(),
            "a graph's dataset keeps no edge list"
        );
        assert_eq!(g.edge_total(), 4);
        let listed: Vec<(u32, &str)> = g
            .systems()
            .map(|(edge, s)| (edge.from, &*s.system))
            .collect();
        assert_eq!(listed, [(3, "a"), (1, "b"), (2, "c")]);
        for (from, name) in [(3, "a"), (1, "b"), (2, "c")] {
            let (_, id) = g.neighbors(from, EdgeKind::InSystem, Direction::Outgoing)[0];
            assert_eq!(g.edge_system(id).map(|s| &*s.system), Some(name));
            assert_eq!({ g.edge(id).from }, from);
        }
        // Incoming ids resolve to the same edges.
        let incoming = g.neighbors(0, EdgeKind::InSystem, Direction::Incoming);
        let names: Vec<&str> = incoming
            .iter()
            .filter_map(|&(_, id)| g.edge_system(id).map(|s| &*s.system))
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        // The SUPPLIES edge has no payload.
        let (_, id) = g.neighbors(1, EdgeKind::Supplies, Direction::Outgoing)[0];
        assert!(g.edge_system(id).is_none());
    }

    #[test]
    fn neighbors_drops_repeats_in_long_lists_too() {
        // s0 → s1..s20 (rows 0..19), then s0 → s5 again (row 20): past the pairwise check.
        let mut edges: Vec<(u32, u32)> = (1..=20).map(|t| (0, t)).collect();
        edges.push((0, 5));
        let g = graph(25, &edges);
        let want: Vec<(u32, u32)> = (1..=20).map(|t| (t, t - 1)).collect();
        assert_eq!(
            g.neighbors(0, EdgeKind::Supplies, Direction::Outgoing),
            want
        );
        assert_eq!(
            g.adjacent(0, EdgeKind::Supplies, Direction::Outgoing).len(),
            21
        );
        assert_eq!(
            g.neighbors(5, EdgeKind::Supplies, Direction::Incoming),
            vec![(0, 4)]
        );
        // No PRODUCES edge anywhere: the SUPPLIES lists are all there is.
        assert!(
            g.neighbors(5, EdgeKind::Produces, Direction::Incoming)
                .is_empty()
        );
    }
}
