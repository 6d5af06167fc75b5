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

/// One node of the walk: a segment reached, where it came from, how far.
struct Entry {
    node: u32,
    /// Its dense position among the segments (`StateBits::segment_pos`).
    at: Option<usize>,
    /// The index of the entry it was first reached from (`usize::MAX`: the origin).
    from: usize,
    distance: u32,
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
    ///
    /// Segments are numbered densely by the graph's state bitsets (`StateBits::segment_pos`):
    /// the walk marks them in a bitset, keeps each entry's predecessor as an index (no map),
    /// and reads each one's state in the place from its bitsets.
    pub fn reached(&self, g: &Graph) -> Vec<Reached> {
        self.walk(g, true)
    }

    /// [`StateWalk::reached`], with each path left empty unless `paths`.
    fn walk(&self, g: &Graph, paths: bool) -> Vec<Reached> {
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
        let bits = g.state_bits();
        let mut visited = vec![0u64; bits.segment_count().div_ceil(64)];
        // Nodes reached that are no segment (SUPPLIES links segments, so none in checked data).
        let mut others: Vec<u32> = Vec::new();
        let mut first_visit = |y: u32, at: Option<usize>| match at {
            Some(i) => {
                let (w, b) = (i / 64, 1u64 << (i % 64));
                let new = visited[w] & b == 0;
                visited[w] |= b;
                new
            }
            None if others.contains(&y) => false,
            None => {
                others.push(y);
                true
            }
        };
        let origin_at = bits.segment_pos(self.origin);
        first_visit(self.origin, origin_at);
        // (segment, its dense position, the entry it was reached from, distance), in the order
        // reached.
        let mut seen: Vec<Entry> = vec![Entry {
            node: self.origin,
            at: origin_at,
            from: usize::MAX,
            distance: 0,
        }];
        let mut head = 0;
        while head < seen.len() {
            let (x, d) = (seen[head].node, seen[head].distance);
            let from = head;
            head += 1;
            if d == self.depth {
                continue;
            }
            for &y in g.adjacent(x, EdgeKind::Supplies, dir) {
                if members.as_ref().is_some_and(|m| !m.contains_key(&y)) {
                    continue;
                }
                let at = bits.segment_pos(y);
                if first_visit(y, at) {
                    seen.push(Entry {
                        node: y,
                        at,
                        from,
                        distance: d + 1,
                    });
                }
            }
        }
        let place_pos = bits.place_pos(self.place);
        let mut kept: Vec<(usize, SegmentState)> = (1..seen.len())
            .filter_map(|i| {
                let st = match (place_pos, seen[i].at) {
                    (Some(p), Some(at)) => bits.at(at).state(p),
                    _ => g.state(self.place, seen[i].node),
                };
                self.states.contains(&st).then_some((i, st))
            })
            .collect();
        match &members {
            Some(m) => kept.sort_by_key(|&(i, _)| (seen[i].distance, m[&seen[i].node])),
            None => kept.sort_by_key(|&(i, _)| (seen[i].distance, g.segment_stage(seen[i].node))),
        }
        kept.into_iter()
            .map(|(i, state)| {
                let mut path = Vec::new();
                let mut j = if paths {
                    path.push(seen[i].node);
                    seen[i].from
                } else {
                    usize::MAX
                };
                while j != usize::MAX {
                    path.push(seen[j].node);
                    j = seen[j].from;
                }
                if !self.upstream {
                    path.reverse();
                }
                Reached {
                    segment: seen[i].node,
                    distance: seen[i].distance,
                    state,
                    path,
                }
            })
            .collect()
    }

    /// The rows, in the walk's columns (`report::walk::columns` with a place: segment, stage,
    /// distance, path, state, producers, projects, weakness), each about its segment.
    pub fn rows(&self, g: &Graph) -> Rows {
        let mut buf = String::new();
        let need = self.needed.unwrap_or([true; 8]);
        let reached = self.walk(g, need[3]);
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
