//! A walk up or down the chain from one segment, in a place, keeping only segments in given
//! states (`upstream T in R | where state = missing`): the walk tests each reached segment's
//! state first and makes a row (path text, producers, projects, weakness) only for those kept.

use crate::graph::{Graph, SegmentState};
use crate::lang::{Domain, Lang};
use crate::model::EdgeKind;
use crate::report::{Rows, Value, common, gaps};
use crate::tr;
use petgraph::Direction;
use std::collections::HashMap;

/// The input of the report, resolved by the planner from `upstream|downstream SEGMENT [depth d]
/// [chain C] in PLACE | where state = S [or …]`.
#[derive(Clone, Debug, PartialEq)]
pub struct StateWalk {
    /// Upstream (towards inputs) or downstream (towards users).
    pub upstream: bool,
    pub origin: u32,
    pub depth: u32,
    /// With a chain: the walk stays on its members and orders ties in its reading order.
    pub chain: Option<u32>,
    pub place: u32,
    /// The states kept (ids: `present`, `planned`, `missing`, `unknown`).
    pub states: Vec<SegmentState>,
    /// Which of the eight columns a later stage reads (`None`: all); the others are left
    /// null, since a `select` right after drops them.
    pub needed: Option<[bool; 8]>,
}

/// One segment reached and kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Reached {
    pub segment: u32,
    pub distance: u32,
    pub state: SegmentState,
    /// From the segment to the origin, in the direction material flows.
    pub path: Vec<u32>,
}

impl StateWalk {
    /// The plan's line for this source.
    pub fn explain(&self, g: &Graph, lang: Lang) -> String {
        let seg = g.node(self.origin).name();
        let place = g.node(self.place).name();
        let d = self.depth;
        let states: Vec<&str> = self
            .states
            .iter()
            .map(|s| Domain::State.show(s.as_str(), lang))
            .collect();
        let states = states.join(lang.pick("、", ", "));
        let within = self.chain.map_or(String::new(), |c| {
            let c = g.node(c).name();
            tr!(lang, "，限 {c} 链内", ", within chain {c}")
        });
        let dir = match (self.upstream, lang) {
            (true, Lang::Zh) => "上游",
            (false, Lang::Zh) => "下游",
            (true, Lang::En) => "upstream",
            (false, Lang::En) => "downstream",
        };
        tr!(
            lang,
            "{seg} 的{dir}（SUPPLIES，广度优先，深度 ≤ {d}{within}），在 {place} 逐个检验状态，只为状态为 {states} 的环节生成行",
            "{dir} of {seg} over SUPPLIES, breadth-first, depth ≤ {d}{within}, state in {place} tested as each segment is reached; rows only for state {states}"
        )
    }

    /// The segments kept, in the order `upstream`/`downstream` lists them: by distance, ties
    /// in the chain's reading order (with a chain) or by stage, then in the order reached.
    pub fn reached(&self, g: &Graph) -> Vec<Reached> {
        let members: Option<HashMap<u32, usize>> = self.chain.map(|c| {
            gaps::chain_order(g, c)
                .into_iter()
                .enumerate()
                .map(|(rank, s)| (s, rank))
                .collect()
        });
        let dir = if self.upstream {
            Direction::Incoming
        } else {
            Direction::Outgoing
        };
        // (segment, previous, distance) in the order reached; `at` finds a segment's entry.
        let mut seen: Vec<(u32, u32, u32)> = vec![(self.origin, u32::MAX, 0)];
        let mut at: HashMap<u32, usize> = HashMap::from([(self.origin, 0)]);
        let mut head = 0;
        while head < seen.len() {
            let (x, _, d) = seen[head];
            head += 1;
            if d == self.depth {
                continue;
            }
            for &(y, _) in g.adjacent(x, EdgeKind::Supplies, dir) {
                if members.as_ref().is_some_and(|m| !m.contains_key(&y)) || at.contains_key(&y) {
                    continue;
                }
                at.insert(y, seen.len());
                seen.push((y, x, d + 1));
            }
        }
        let mut kept: Vec<(usize, SegmentState)> = (1..seen.len())
            .filter_map(|i| {
                let st = g.state(self.place, seen[i].0);
                self.states.contains(&st).then_some((i, st))
            })
            .collect();
        match &members {
            Some(m) => kept.sort_by_key(|&(i, _)| (seen[i].2, m[&seen[i].0])),
            None => kept.sort_by_key(|&(i, _)| (seen[i].2, g.segment_stage(seen[i].0))),
        }
        kept.into_iter()
            .map(|(i, state)| {
                let mut path = vec![seen[i].0];
                let mut j = i;
                while seen[j].1 != u32::MAX {
                    j = at[&seen[j].1];
                    path.push(seen[j].0);
                }
                if !self.upstream {
                    path.reverse();
                }
                Reached {
                    segment: seen[i].0,
                    distance: seen[i].2,
                    state,
                    path,
                }
            })
            .collect()
    }

    /// The rows, in the walk's columns (`report::walk::columns` with a place: segment, stage,
    /// distance, path, state, producers, projects, weakness), each about its segment.
    pub fn rows(&self, g: &Graph) -> Rows {
        let mut buf = String::with_capacity(128);
        let need = self.needed.unwrap_or([true; 8]);
        let reached = self.reached(g);
        let subjects = reached.iter().map(|r| r.segment).collect();
        let rows = reached
            .into_iter()
            .map(|r| {
                let mut row = vec![Value::Null; 8];
                if need[0] {
                    row[0] = Value::text(g.node(r.segment).name());
                }
                if need[1] {
                    row[1] = g
                        .segment_stage(r.segment)
                        .map_or(Value::Null, |s| Value::text(s.as_str()));
                }
                if need[2] {
                    row[2] = Value::Int(i64::from(r.distance));
                }
                if need[3] {
                    buf.clear();
                    for (k, &p) in r.path.iter().enumerate() {
                        if k > 0 {
                            buf.push_str(" → ");
                        }
                        buf.push_str(g.node(p).name());
                    }
                    row[3] = Value::text(&buf);
                }
                if need[4] {
                    row[4] = Value::text(r.state.as_str());
                }
                if need[5] || need[6] || need[7] {
                    let (producers, projects) = match g.presence(self.place, r.segment) {
                        Some(p) => (p.producers.to_vec(), p.projects.to_vec()),
                        None => (Vec::new(), Vec::new()),
                    };
                    let (weak, _) = gaps::weakness(g, r.state, &producers);
                    row[5] = Value::texts(producers.iter().map(|&e| g.node(e).name()));
                    row[6] = Value::texts(projects.iter().map(|&p| common::project_label(g, p)));
                    row[7] = Value::texts(weak);
                }
                row
            })
            .collect();
        Rows {
            rows,
            subjects: Some(subjects),
        }
    }
}
