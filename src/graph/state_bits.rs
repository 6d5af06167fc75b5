//! Segment states as bitsets over a dense numbering of places: for each segment, which places
//! have it present and which have it only planned. Built once from the presence index, it lets a
//! scan of one chain over every park read a few words per segment instead of doing one hash
//! lookup per (park, segment) cell, and a walk number the segments it reaches densely.

use super::{PresenceIndex, SegmentState};
use std::collections::HashMap;

/// One segment's (present, planned-only) bitsets.
type Pair = (Box<[u64]>, Box<[u64]>);

pub struct StateBits {
    /// Place node → its bit position.
    place_pos: HashMap<u32, usize>,
    /// Words per bitset.
    words: usize,
    /// Segment node → its dense position (`SegmentIndex`).
    index: SegmentIndex,
    /// By dense position: the segment's (present, planned-only) bitsets, `words` long each,
    /// or empty ones when no place has it.
    by_segment: Vec<Pair>,
    /// Places with no enterprise data (coverage `none`): neither present nor planned is
    /// `unknown` there.
    uncovered: Box<[u64]>,
}

/// Node index → dense position among a sorted set of nodes (the segments): a direct table over
/// the range they span when that range is compact (segments are declared together, so their
/// node indexes are close), else a binary search.
struct SegmentIndex {
    sorted: Vec<u32>,
    /// `table[n - first]`: the position of node `n`, `u32::MAX` when it is not in the set.
    table: Vec<u32>,
    first: u32,
}

impl SegmentIndex {
    /// Largest table, in entries per member (plus a constant), before binary search is used.
    const SPREAD: usize = 16;

    fn new(mut nodes: Vec<u32>) -> SegmentIndex {
        nodes.sort_unstable();
        nodes.dedup();
        let (first, last) = match (nodes.first(), nodes.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (0, 0),
        };
        let span = (last - first) as usize + 1;
        let table = if !nodes.is_empty() && span <= Self::SPREAD * nodes.len() + 4096 {
            let mut t = vec![u32::MAX; span];
            for (i, &n) in nodes.iter().enumerate() {
                t[(n - first) as usize] = i as u32;
            }
            t
        } else {
            Vec::new()
        };
        SegmentIndex {
            sorted: nodes,
            table,
            first,
        }
    }

    fn get(&self, node: u32) -> Option<usize> {
        if self.table.is_empty() {
            return self.sorted.binary_search(&node).ok();
        }
        let i = node.checked_sub(self.first)? as usize;
        match self.table.get(i) {
            Some(&p) if p != u32::MAX => Some(p as usize),
            _ => None,
        }
    }
}

/// The two bitsets of one segment.
#[derive(Clone, Copy)]
pub struct SegmentBits<'a> {
    present: &'a [u64],
    planned: &'a [u64],
    uncovered: &'a [u64],
}

impl SegmentBits<'_> {
    /// Word `w` of the places where the segment is present (0 past the end).
    pub fn present_word(&self, w: usize) -> u64 {
        self.present.get(w).copied().unwrap_or(0)
    }

    /// Word `w` of the places where the segment is not present, planned or unknown: missing.
    pub fn missing_word(&self, w: usize) -> u64 {
        let word = |s: &[u64]| s.get(w).copied().unwrap_or(0);
        !(word(self.present) | word(self.planned) | word(self.uncovered))
    }

    /// The segment's state at place position `pos` (from `StateBits::place_pos`).
    pub fn state(&self, pos: usize) -> SegmentState {
        let (w, b) = (pos / 64, 1u64 << (pos % 64));
        if self.present.get(w).is_some_and(|x| x & b != 0) {
            SegmentState::Present
        } else if self.planned.get(w).is_some_and(|x| x & b != 0) {
            SegmentState::Planned
        } else if self.uncovered.get(w).is_some_and(|x| x & b != 0) {
            SegmentState::Unknown
        } else {
            SegmentState::Missing
        }
    }
}

impl StateBits {
    /// `segments`: the nodes to number densely (the graph's segments); a segment of the
    /// presence index missing from them is numbered too.
    pub fn build(
        places: &[u32],
        segments: &[u32],
        presence: &PresenceIndex,
        uncovered: impl Fn(u32) -> bool,
    ) -> StateBits {
        let place_pos: HashMap<u32, usize> =
            places.iter().enumerate().map(|(i, &p)| (p, i)).collect();
        let words = places.len().div_ceil(64).max(1);
        let mut no_data = vec![0u64; words].into_boxed_slice();
        for (pos, &p) in places.iter().enumerate() {
            if uncovered(p) {
                no_data[pos / 64] |= 1u64 << (pos % 64);
            }
        }
        let mut nodes = segments.to_vec();
        nodes.extend(presence.iter().map(|((_, s), _)| s));
        let index = SegmentIndex::new(nodes);
        let empty = || -> Pair { (Box::default(), Box::default()) };
        let mut by_segment: Vec<Pair> = (0..index.sorted.len()).map(|_| empty()).collect();
        for ((place, segment), cell) in presence.iter() {
            let (Some(&pos), Some(at)) = (place_pos.get(&place), index.get(segment)) else {
                continue;
            };
            let (present, planned) = &mut by_segment[at];
            if present.is_empty() {
                *present = vec![0; words].into_boxed_slice();
                *planned = vec![0; words].into_boxed_slice();
            }
            let bit = 1u64 << (pos % 64);
            if !cell.producers.is_empty() {
                present[pos / 64] |= bit;
            } else if !cell.projects.is_empty() {
                planned[pos / 64] |= bit;
            }
        }
        StateBits {
            place_pos,
            words,
            index,
            by_segment,
            uncovered: no_data,
        }
    }

    /// The bit position of a place, if it is one.
    pub fn place_pos(&self, place: u32) -> Option<usize> {
        self.place_pos.get(&place).copied()
    }

    /// How many segments are numbered (positions are `0..segment_count()`).
    pub fn segment_count(&self) -> usize {
        self.index.sorted.len()
    }

    /// A segment's dense position, `None` for a node that is no segment.
    pub fn segment_pos(&self, segment: u32) -> Option<usize> {
        self.index.get(segment)
    }

    /// A segment's bitsets (all places missing when no place has it).
    pub fn segment(&self, segment: u32) -> SegmentBits<'_> {
        match self.index.get(segment) {
            Some(at) => self.at(at),
            None => SegmentBits {
                present: &[],
                planned: &[],
                uncovered: &self.uncovered,
            },
        }
    }

    /// The bitsets of the segment at dense position `at` (from `segment_pos`).
    pub fn at(&self, at: usize) -> SegmentBits<'_> {
        let (present, planned) = self
            .by_segment
            .get(at)
            .map_or((&[][..], &[][..]), |(a, b)| (&a[..], &b[..]));
        SegmentBits {
            present,
            planned,
            uncovered: &self.uncovered,
        }
    }

    pub fn words(&self) -> usize {
        self.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_index_table_and_binary_search_agree() {
        // Compact: a table; spread over a wide range: binary search. Both answer the same.
        for nodes in [
            vec![7u32, 3, 9, 4, 3],
            vec![5, 1_000_000, 2_000_000, 17],
            vec![],
        ] {
            let idx = SegmentIndex::new(nodes.clone());
            let mut sorted = nodes.clone();
            sorted.sort_unstable();
            sorted.dedup();
            for probe in [
                0u32,
                1,
                3,
                4,
                5,
                7,
                8,
                9,
                10,
                17,
                1_000_000,
                2_000_000,
                u32::MAX,
            ] {
                assert_eq!(idx.get(probe), sorted.binary_search(&probe).ok(), "{probe}");
            }
        }
        assert!(!SegmentIndex::new(vec![7, 3, 9]).table.is_empty());
        assert!(
            SegmentIndex::new(vec![5, 1_000_000, 2_000_000])
                .table
                .is_empty()
        );
    }
}
