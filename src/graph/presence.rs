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
    /// Works edge-wise and in parallel: every PRODUCES/BUILDS edge yields one (place, segment,
    /// who) triple per place its maker sits in or under; sorting the triples groups each cell
    /// and orders its members, so each cell is one insert and one run of the member array.
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
        // (place, segment, who) with the top bit of `who` marking a project, so grouping needs
        // no node look-up either (node indexes stay below 2^31), and producers sort first.
        const PROJECT: u32 = 1 << 31;
        let mut triples: Vec<(u32, u32, u32)> = (0..ds.nodes.len() as u32)
            .into_par_iter()
            .flat_map_iter(|from| {
                let produced = adj.get(from, EdgeKind::Produces, Direction::Outgoing);
                let mut built = adj.get(from, EdgeKind::Builds, Direction::Outgoing);
                if !built.is_empty() && !builds_count(from) {
                    built = &[];
                }
                let mut places: Vec<u32> = Vec::new();
                if !produced.is_empty() || !built.is_empty() {
                    let locs = adj.get(from, EdgeKind::LocatedIn, Direction::Outgoing);
                    for &p in locs {
                        places.push(p);
                        places.extend(ancestors.get(&p).into_iter().flatten());
                    }
                    if locs.len() > 1 {
                        places.sort_unstable();
                        places.dedup();
                    }
                }
                places.into_iter().flat_map(move |p| {
                    let made = produced.iter().map(move |&s| (p, s, from));
                    made.chain(built.iter().map(move |&s| (p, s, from | PROJECT)))
                })
            })
            .collect();
        triples.par_sort_unstable();
        triples.dedup();
        let mut cells: HashMap<(u32, u32), Cell> = HashMap::new();
        let mut members: Vec<u32> = Vec::with_capacity(triples.len());
        let mut i = 0;
        while i < triples.len() {
            let (p, s, _) = triples[i];
            let mut cell = Cell {
                start: members.len() as u32,
                producers: 0,
                projects: 0,
            };
            while i < triples.len() && triples[i].0 == p && triples[i].1 == s {
                let who = triples[i].2;
                if who & PROJECT == 0 {
                    cell.producers += 1;
                } else {
                    cell.projects += 1;
                }
                members.push(who & !PROJECT);
                i += 1;
            }
            cells.insert((p, s), cell);
        }
        PresenceIndex { cells, members }
    }
}
