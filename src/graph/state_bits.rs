//! Segment states as bitsets over a dense numbering of places: for each segment, which places
//! have it present and which have it only planned. Built once from the presence index, it lets a
//! scan of one chain over every park read a few words per segment instead of doing one hash
//! lookup per (park, segment) cell.

use super::{PresenceIndex, SegmentState};
use std::collections::HashMap;

/// One segment's (present, planned-only) bitsets.
type Pair = (Box<[u64]>, Box<[u64]>);

pub struct StateBits {
    /// Place node → its bit position.
    place_pos: HashMap<u32, usize>,
    /// Words per bitset.
    words: usize,
    /// Segment → (present, planned-only) bitsets, `words` long each.
    by_segment: HashMap<u32, Pair>,
    /// Places with no enterprise data (coverage `none`): neither present nor planned is
    /// `unknown` there.
    uncovered: Box<[u64]>,
}

/// The two bitsets of one segment.
#[derive(Clone, Copy)]
pub struct SegmentBits<'a> {
    present: &'a [u64],
    planned: &'a [u64],
    uncovered: &'a [u64],
}

impl SegmentBits<'_> {
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
    pub fn build(
        places: &[u32],
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
        let mut by_segment: HashMap<u32, Pair> = HashMap::new();
        for ((place, segment), cell) in presence.iter() {
            let Some(&pos) = place_pos.get(&place) else {
                continue;
            };
            let (present, planned) = by_segment.entry(segment).or_insert_with(|| {
                (
                    vec![0; words].into_boxed_slice(),
                    vec![0; words].into_boxed_slice(),
                )
            });
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
            by_segment,
            uncovered: no_data,
        }
    }

    /// The bit position of a place, if it is one.
    pub fn place_pos(&self, place: u32) -> Option<usize> {
        self.place_pos.get(&place).copied()
    }

    /// A segment's bitsets (all places missing when no place has it).
    pub fn segment(&self, segment: u32) -> SegmentBits<'_> {
        match self.by_segment.get(&segment) {
            Some((present, planned)) => SegmentBits {
                present,
                planned,
                uncovered: &self.uncovered,
            },
            None => SegmentBits {
                present: &[],
                planned: &[],
                uncovered: &self.uncovered,
            },
        }
    }

    pub fn words(&self) -> usize {
        self.words
    }
}
