//! Fill gaps at a given distance counted per place (`fill CHAIN in all parks | where distance =
//! d | group by place with count()`): per place, the chain's missing segments whose nearest
//! present user is d hops down, from the chain's place bitsets, 64 places per word operation —
//! no gap row, path or reason is made.

use crate::graph::{Graph, SegmentBits, SegmentState};
use crate::lang::Lang;
use crate::model::EdgeKind;
use crate::report::Value;
use crate::report::gaps::ChainView;
use crate::report::schema::{Col, Ty, cols};
use crate::tr;
use petgraph::Direction;
use rayon::prelude::*;
use std::collections::HashMap;

/// The input of the report, resolved by the planner.
#[derive(Clone, Debug, PartialEq)]
pub struct GapCount {
    pub chain: u32,
    /// Every place examined, in the order `fill … in all parks` lists them.
    pub places: Vec<u32>,
    /// Hops from the gap down to the nearest present segment (1: a direct input).
    pub distance: u32,
}

impl GapCount {
    /// The columns `group by place with count()` makes, which this report stands in for.
    pub fn columns() -> Vec<Col> {
        cols(&[("place", Ty::Text), ("count", Ty::Int)])
    }

    /// The plan's line for this source.
    pub fn explain(&self, g: &Graph, lang: Lang) -> String {
        let chain = g.node(self.chain).name();
        let (n, d) = (self.places.len(), self.distance);
        tr!(
            lang,
            "补链缺口按地方计数：{chain} 在 {n} 个地方，链内可达位图 × 各地方环节状态位图，只数最近的本地已有下游环节在 {d} 跳处的缺失环节（不生成缺口行），按地方并行",
            "fill (补链) gaps of chain {chain} counted in {n} places: chain reachability × the places' state bitsets, counting the missing segments whose nearest present user is {d} hop(s) down (no gap rows made), in parallel over the places"
        )
    }

    /// Each place with its count, in `places` order (0 where there is none).
    ///
    /// All places at once, a word of 64 places at a time: `near[k]` holds, per chain segment,
    /// the places where a present segment lies at most k hops down the chain (level k is the
    /// OR over the segment's direct users of "present there, or within k − 1 hops of it");
    /// a missing segment counts in the places of level d less level d − 1. Falls back to one
    /// place at a time (`counts_per_place`) for a place outside the state bitsets.
    pub fn counts(&self, g: &Graph, parallel: bool) -> Vec<(u32, usize)> {
        let bits = g.state_bits();
        let pos: Option<Vec<usize>> = self.places.iter().map(|&p| bits.place_pos(p)).collect();
        match pos {
            Some(pos) => self.counts_by_words(g, &pos),
            _ => self.counts_per_place(g, parallel),
        }
    }

    fn counts_by_words(&self, g: &Graph, pos: &[usize]) -> Vec<(u32, usize)> {
        let bits = g.state_bits();
        let words = bits.words();
        let segs = g.chain_segments(self.chain);
        let seg_bits: Vec<SegmentBits> = segs.iter().map(|&s| bits.segment(s)).collect();
        // The chain's SUPPLIES edges between its segments, as (from, to) positions.
        let mut by_node: Vec<(u32, usize)> =
            segs.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        by_node.sort_unstable();
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for (i, &s) in segs.iter().enumerate() {
            for &t in g.adjacent(s, EdgeKind::Supplies, Direction::Outgoing) {
                if let Ok(k) = by_node.binary_search_by_key(&t, |&(n, _)| n) {
                    edges.push((i, by_node[k].1));
                }
            }
        }
        // near[i * words + w]: level k of segment i, word w (level 0: nowhere).
        let n = segs.len();
        let mut below = vec![0u64; n * words];
        let mut near = below.clone();
        let mut exact = self.distance > 0;
        for _ in 0..self.distance {
            below.copy_from_slice(&near);
            for &(i, j) in &edges {
                for w in 0..words {
                    near[i * words + w] |= seg_bits[j].present_word(w) | below[j * words + w];
                }
            }
            if near == below {
                // Nothing new at this level, so nothing at any level after it either.
                exact = false;
                break;
            }
        }
        let mut per_pos = vec![0usize; words * 64];
        if exact {
            for (i, b) in seg_bits.iter().enumerate() {
                for w in 0..words {
                    let mut x = b.missing_word(w) & near[i * words + w] & !below[i * words + w];
                    while x != 0 {
                        per_pos[w * 64 + x.trailing_zeros() as usize] += 1;
                        x &= x - 1;
                    }
                }
            }
        }
        self.places
            .iter()
            .zip(pos)
            .map(|(&p, &at)| (p, per_pos.get(at).copied().unwrap_or(0)))
            .collect()
    }

    /// [`GapCount::counts`] one place at a time, from each place's states and
    /// `ChainView::hops_down_to`.
    fn counts_per_place(&self, g: &Graph, parallel: bool) -> Vec<(u32, usize)> {
        let view = ChainView::new(g, self.chain);
        let one = |&p: &u32| {
            let (states, present) = view.states(g, p);
            let near = view.hops_down_to(&present);
            let n = (0..view.len())
                .filter(|&i| {
                    // `u8::MAX` is "no present segment below", not a distance.
                    states[i] == SegmentState::Missing
                        && near[i] != u8::MAX
                        && u32::from(near[i]) == self.distance
                })
                .count();
            (p, n)
        };
        if parallel {
            self.places.par_iter().map(one).collect()
        } else {
            self.places.iter().map(one).collect()
        }
    }

    /// The rows `group by place with count()` makes: (place name, count) for each place name
    /// with a gap, in the order first listed.
    pub fn rows(&self, g: &Graph, parallel: bool) -> Vec<Vec<Value>> {
        let mut out: Vec<Vec<Value>> = Vec::new();
        let mut at: HashMap<&str, usize> = HashMap::new();
        for (p, n) in self.counts(g, parallel) {
            if n == 0 {
                continue;
            }
            let name = g.node(p).name();
            match at.get(name) {
                Some(&k) => {
                    if let Value::Int(c) = &mut out[k][1] {
                        *c += n as i64;
                    }
                }
                None => {
                    at.insert(name, out.len());
                    out.push(vec![Value::text(name), Value::Int(n as i64)]);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    /// All places at once (words of places) gives what one place at a time gives, for every
    /// chain, parks and regions, distances 0 to 7 and two no chain reaches (255 once matched
    /// `hops_down_to`'s "nothing below").
    #[test]
    fn counts_by_words_equal_counts_per_place() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::synth::generate(dir.path(), 2000, 5).expect("generate");
        let g = crate::open::graph_from_folder(&[dir.path().to_path_buf()]).expect("load");
        let mut counted = 0;
        for &chain in g.nodes_of(Kind::Chain) {
            for kind in [Kind::Park, Kind::Region] {
                for distance in (0..8).chain([255, u32::MAX]) {
                    let c = GapCount {
                        chain,
                        places: g.nodes_of(kind).to_vec(),
                        distance,
                    };
                    let pos: Vec<usize> = c
                        .places
                        .iter()
                        .map(|&p| g.state_bits().place_pos(p).expect("a place"))
                        .collect();
                    let fast = c.counts_by_words(&g, &pos);
                    assert_eq!(fast, c.counts_per_place(&g, false), "{chain} {distance}");
                    assert_eq!(fast, c.counts(&g, true));
                    counted += fast.iter().map(|x| x.1).sum::<usize>();
                }
            }
        }
        assert!(counted > 0, "some gaps are counted");
    }
}
