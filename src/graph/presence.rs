//! Presence per (place, segment): which located enterprises produce a segment, and which
//! not-yet-producing projects build it, in a place or anywhere below it. One flat array holds
//! every cell's members; a cell is three numbers (≈20 bytes with its key instead of two
//! vectors of its own — 411k cells at a million firms).

use super::Adjacency;
use crate::model::{Attrs, Dataset, EdgeKind};
use petgraph::Direction;
use rayon::prelude::*;
use std::collections::HashMap;

/// Who makes, and what would build, one segment in one place (the place's whole subtree).
/// Both lists are sorted by node index.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Presence<'a> {
    /// Enterprises located in the place (or below it) that produce the segment.
    pub producers: &'a [u32],
    /// Projects located in the place (or below it), not yet producing, that build it.
    pub projects: &'a [u32],
}

/// Where a cell's members sit in `PresenceIndex::members`: producers, then projects.
#[derive(Clone, Copy)]
struct Cell {
    start: u32,
    producers: u32,
    projects: u32,
}

/// One place's cells, as (segment, cell) with starts into the place's own members, and its
/// members.
type PlaceCells = (Vec<(u32, Cell)>, Vec<u32>);

pub struct PresenceIndex {
    cells: HashMap<(u32, u32), Cell>,
    members: Vec<u32>,
}

impl PresenceIndex {
    pub fn get(&self, place: u32, segment: u32) -> Option<Presence<'_>> {
        self.cells.get(&(place, segment)).map(|c| self.view(c))
    }

    fn view(&self, c: &Cell) -> Presence<'_> {
        let (a, b) = (c.start as usize, (c.start + c.producers) as usize);
        Presence {
            producers: &self.members[a..b],
            projects: &self.members[b..b + c.projects as usize],
        }
    }

    /// Every cell, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = ((u32, u32), Presence<'_>)> {
        self.cells.iter().map(|(&k, c)| (k, self.view(c)))
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Build presence for every place on the path from a located producer or project upwards.
    ///
    /// Place by place, in parallel: a place's cells come from the firms and projects located
    /// in it or in a place below it; sorting their (segment, who) pairs groups each cell and
    /// orders its members. Only one place's pairs are held per thread, never every (place,
    /// segment, who) triple at once.
    pub fn build(
        ds: &Dataset,
        adj: &Adjacency,
        ancestors: &HashMap<u32, Vec<u32>>,
    ) -> PresenceIndex {
        // A producing project's segments are present through its carrier, not planned. Only
        // BUILDS edges need that look-up: reading every producer's node would cost a cache
        // miss per PRODUCES edge at a million enterprises.
        let builds_count = |project: u32| match &ds.nodes[project as usize].attrs {
            Attrs::Project(p) => !p.status.is_some_and(|s| s.is_producing()),
            _ => false,
        };
        // The top bit of `who` marks a project, so grouping needs no node look-up either
        // (node indexes stay below 2^31), and producers sort first.
        const PROJECT: u32 = 1 << 31;
        // Every place something is located in, and every place with a place below it.
        let mut below: HashMap<u32, Vec<u32>> = HashMap::new();
        for (&q, ups) in ancestors {
            for &p in ups {
                below.entry(p).or_default().push(q);
            }
        }
        let mut places = adj.nodes_with(EdgeKind::LocatedIn, Direction::Incoming);
        places.extend(below.keys().copied());
        places.sort_unstable();
        places.dedup();
        let per_place: Vec<PlaceCells> = places
            .par_iter()
            .map(|&p| {
                let mut pairs: Vec<(u32, u32)> = Vec::new();
                for &q in std::iter::once(&p).chain(below.get(&p).into_iter().flatten()) {
                    for &f in adj.get(q, EdgeKind::LocatedIn, Direction::Incoming) {
                        let made = adj.get(f, EdgeKind::Produces, Direction::Outgoing);
                        pairs.extend(made.iter().map(|&s| (s, f)));
                        let built = adj.get(f, EdgeKind::Builds, Direction::Outgoing);
                        if !built.is_empty() && builds_count(f) {
                            pairs.extend(built.iter().map(|&s| (s, f | PROJECT)));
                        }
                    }
                }
                pairs.sort_unstable();
                pairs.dedup();
                let mut cells = Vec::new();
                let mut members = Vec::with_capacity(pairs.len());
                for run in pairs.chunk_by(|a, b| a.0 == b.0) {
                    let projects = run.iter().filter(|&&(_, w)| w & PROJECT != 0).count();
                    let cell = Cell {
                        start: members.len() as u32,
                        producers: (run.len() - projects) as u32,
                        projects: projects as u32,
                    };
                    cells.push((run[0].0, cell));
                    members.extend(run.iter().map(|&(_, w)| w & !PROJECT));
                }
                (cells, members)
            })
            .collect();
        let total = per_place.iter().map(|(_, m)| m.len()).sum();
        let mut members: Vec<u32> = Vec::with_capacity(total);
        let mut cells: HashMap<(u32, u32), Cell> =
            HashMap::with_capacity(per_place.iter().map(|(c, _)| c.len()).sum());
        for (&p, (place_cells, place_members)) in places.iter().zip(per_place) {
            let base = members.len() as u32;
            for (s, mut cell) in place_cells {
                cell.start += base;
                cells.insert((p, s), cell);
            }
            members.extend(place_members);
        }
        PresenceIndex { cells, members }
    }
}
