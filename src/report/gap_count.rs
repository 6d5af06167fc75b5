//! Fill gaps at a given distance counted per place (`fill CHAIN in all parks | where distance =
//! d | group by place with count()`): per place, the chain's missing segments whose nearest
//! present user is d hops down, from the chain's place bitsets — no gap row, path or reason is
//! made. In parallel over the places.

use crate::graph::{Graph, SegmentState};
use crate::lang::Lang;
use crate::report::Value;
use crate::report::gaps::ChainView;
use crate::report::schema::{Col, Ty, cols};
use crate::tr;
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
    pub fn counts(&self, g: &Graph, parallel: bool) -> Vec<(u32, usize)> {
        let view = ChainView::new(g, self.chain);
        let one = |&p: &u32| {
            let (states, present) = view.states(g, p);
            let near = view.hops_down_to(&present);
            let n = (0..view.len())
                .filter(|&i| {
                    states[i] == SegmentState::Missing && u32::from(near[i]) == self.distance
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
