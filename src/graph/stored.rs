//! The open index: what a graph opens from besides its dataset (each node's number of edges
//! per kind and direction, and every segment's ranked producers), computed from the dataset at
//! import and stored beside it by `store`, so that opening reads the edges once and ranks no
//! producers.
//!
//! The index is derived data: a graph built with it equals one built without it
//! (`Graph::build`), which the tests hold. It is used only for the dataset it was computed
//! from (same number of nodes, edges that fill exactly the rows its counts cut); the edges and
//! firms a journal adds are counted and ranked on top of it when the graph is built.

use super::adjacency::Degrees;
use super::columns::revenue_of;
use super::ranked::{RankedProducers, revenue_then_name};
use crate::model::{Dataset, EdgeKind, EdgeList, Kind};

/// What an open index means, numbered: a store keeps the number with the index and sets aside
/// an index of another number (the graph then counts and ranks from the edges). Bump it
/// whenever the meaning changes: the order of ranked producers (`ranked::revenue_then_name`),
/// what a count counts.
pub const INDEX_VERSION: u32 = 1;

/// The open index of a dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenIndex {
    /// The dataset's number of nodes when the index was computed.
    pub nodes: u32,
    /// Each node's number of edges, per kind and direction that has edges: (kind, outgoing?,
    /// one count per node).
    pub degrees: Vec<(EdgeKind, bool, Vec<u32>)>,
    /// Per segment that has producers: its producers, each once, best first (the order of
    /// `sort revenue_yi desc, name`), by segment ascending.
    pub ranked: Vec<(u32, Box<[u32]>)>,
}

impl OpenIndex {
    /// Compute the index of a dataset (its edges in `ds.edges`).
    pub fn of(ds: &Dataset) -> OpenIndex {
        let n = ds.nodes.len();
        let edges = EdgeList {
            edges: &ds.edges,
            systems: &[],
        };
        let degrees = match Degrees::count(n, &edges) {
            Ok(d) => d,
            Err(never) => match never {},
        };
        // Only each segment's producers are needed to rank: cut from the PRODUCES counts of
        // the incoming side, filled in data order (no copy of the edges, no other lists).
        let into = degrees.list(EdgeKind::Produces, false).unwrap_or(&[]);
        let mut start = Vec::with_capacity(into.len() + 1);
        start.push(0usize);
        for &c in into {
            start.push(start[start.len() - 1] + c as usize);
        }
        let mut producers = vec![0u32; start.last().copied().unwrap_or(0)];
        let mut next = start.clone();
        for e in ds.edges.iter().filter(|e| e.kind == EdgeKind::Produces) {
            let slot = &mut next[e.to as usize];
            producers[*slot] = e.from;
            *slot += 1;
        }
        let of = |s: u32| {
            start
                .get(s as usize..s as usize + 2)
                .map_or(&[][..], |r| &producers[r[0]..r[1]])
        };
        let segments: Vec<u32> = (0..n as u32)
            .filter(|&i| ds.nodes[i as usize].kind == Kind::Segment)
            .collect();
        let ranked = RankedProducers::build(
            &segments,
            of,
            |i| revenue_of(&ds.nodes[i as usize]),
            revenue_then_name(
                |i| revenue_of(&ds.nodes[i as usize]),
                |i| ds.nodes[i as usize].name(),
            ),
        );
        OpenIndex {
            nodes: n as u32,
            degrees: degrees.into_lists(),
            ranked: ranked
                .lists()
                .into_iter()
                .map(|(s, l)| (s, Box::from(l)))
                .collect(),
        }
    }
}
