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
use petgraph::Direction;

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
        // Only the PRODUCES lists are needed to rank: their incoming side, cut from the counts.
        let (adj, _) = super::Adjacency::build(
            n,
            &ds.edges
                .iter()
                .filter(|e| e.kind == EdgeKind::Produces)
                .copied()
                .collect::<Vec<_>>(),
            EdgeKind::InSystem,
        );
        let segments: Vec<u32> = (0..n as u32)
            .filter(|&i| ds.nodes[i as usize].kind == Kind::Segment)
            .collect();
        let ranked = RankedProducers::build(
            &segments,
            |s| adj.get(s, EdgeKind::Produces, Direction::Incoming),
            |i| revenue_of(&ds.nodes[i as usize]),
            revenue_then_name(
                |i| revenue_of(&ds.nodes[i as usize]),
                |i| ds.nodes[i as usize].name(),
            ),
        );
        OpenIndex {
            nodes: n as u32,
            degrees: degrees
                .lists()
                .into_iter()
                .map(|(k, out, c)| (k, out, c.to_vec()))
                .collect(),
            ranked: ranked
                .lists()
                .into_iter()
                .map(|(s, l)| (s, Box::from(l)))
                .collect(),
        }
    }
}
