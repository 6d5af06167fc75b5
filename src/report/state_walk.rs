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
    /// The cells of each row: these of the eight columns, in this order (`None`: all eight).
    /// A `select` right after the filter is done here (the planner leaves the identity in
    /// its place), and `producers`, which reads only the segment each row is about, asks for
    /// none.
    pub cells: Option<Vec<usize>>,
}

/// One node of the walk: a segment reached, where it came from, how far (16 bytes: a chain's
/// walk fits in one small allocation).
struct Entry {
    node: u32,
    /// Its dense position among the segments (`StateBits::segment_pos`; `NONE`: no segment).
    at: u32,
    /// The index of the entry it was first reached from (`NONE`: the origin).
    from: u32,
    distance: u32,
}

/// No position, no predecessor.
const NONE: u32 = u32::MAX;

/// A walk's entries in the order reached, and the ones kept (index into `seen`, state) in the
/// order the rows come.
struct Walk {
    seen: Vec<Entry>,
    kept: Vec<(u32, SegmentState)>,
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
        let w = self.walk(g);
        w.kept
            .iter()
            .map(|&(i, state)| Reached {
                segment: w.seen[i as usize].node,
                distance: w.seen[i as usize].distance,
                state,
                path: self.path(&w.seen, i),
            })
            .collect()
    }

    /// The walk: every segment reached, and the kept ones in order.
    fn walk(&self, g: &Graph) -> Walk {
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
        let mut first_visit = |y: u32, at: u32| {
            if at != NONE {
                let (w, b) = (at as usize / 64, 1u64 << (at % 64));
                let new = visited[w] & b == 0;
                visited[w] |= b;
                new
            } else if others.contains(&y) {
                false
            } else {
                others.push(y);
                true
            }
        };
        let pos = |y: u32| {
            bits.segment_pos(y)
                .and_then(|p| u32::try_from(p).ok())
                .unwrap_or(NONE)
        };
        let origin_at = pos(self.origin);
        first_visit(self.origin, origin_at);
        // In the order reached; room for a chain's worth without growing.
        let mut seen: Vec<Entry> = Vec::with_capacity(48);
        seen.push(Entry {
            node: self.origin,
            at: origin_at,
            from: NONE,
            distance: 0,
        });
        let mut head = 0;
        while head < seen.len() {
            let (x, d) = (seen[head].node, seen[head].distance);
            let from = head as u32;
            head += 1;
            if d == self.depth {
                continue;
            }
            for &y in g.adjacent(x, EdgeKind::Supplies, dir) {
                if members.as_ref().is_some_and(|m| !m.contains_key(&y)) {
                    continue;
                }
                let at = pos(y);
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
        let mut kept: Vec<(u32, SegmentState)> = Vec::with_capacity(seen.len().min(16));
        for (i, e) in seen.iter().enumerate().skip(1) {
            let st = match place_pos {
                Some(p) if e.at != NONE => bits.at(e.at as usize).state(p),
                _ => g.state(self.place, e.node),
            };
            if self.states.contains(&st) {
                kept.push((i as u32, st));
            }
        }
        let at = |i: u32| &seen[i as usize];
        match &members {
            Some(m) => kept.sort_by_key(|&(i, _)| (at(i).distance, m[&at(i).node])),
            None => kept.sort_by_key(|&(i, _)| (at(i).distance, g.segment_stage(at(i).node))),
        }
        Walk { seen, kept }
    }

    /// The path of entry `i`: from the segment to the origin, in the direction material flows.
    fn path(&self, seen: &[Entry], i: u32) -> Vec<u32> {
        let mut path = Vec::new();
        let mut j = i;
        while j != NONE {
            path.push(seen[j as usize].node);
            j = seen[j as usize].from;
        }
        if !self.upstream {
            path.reverse();
        }
        path
    }

    /// The rows, in the walk's columns (`report::walk::columns` with a place: segment, stage,
    /// distance, path, state, producers, projects, weakness) or the ones `cells` names, each
    /// row about its segment.
    pub fn rows(&self, g: &Graph) -> Rows {
        const ALL: [usize; 8] = [0, 1, 2, 3, 4, 5, 6, 7];
        let cells = self.cells.as_deref().unwrap_or(&ALL);
        let Walk { seen, kept } = self.walk(g);
        let mut subjects = Vec::with_capacity(kept.len());
        let mut rows = Vec::with_capacity(kept.len());
        let mut buf = String::new();
        for (i, state) in kept {
            let e = &seen[i as usize];
            subjects.push(e.node);
            // Producers, projects and weakness come from one presence cell.
            let mut lists: Option<[Value; 3]> = None;
            let mut row = Vec::with_capacity(cells.len());
            for &c in cells {
                row.push(match c {
                    0 => Value::text(g.node(e.node).name()),
                    1 => g
                        .segment_stage(e.node)
                        .map_or(Value::Null, |s| Value::text(s.as_str())),
                    2 => Value::Int(i64::from(e.distance)),
                    3 => {
                        buf.clear();
                        for (k, p) in self.path(&seen, i).into_iter().enumerate() {
                            if k > 0 {
                                buf.push_str(" → ");
                            }
                            buf.push_str(g.node(p).name());
                        }
                        Value::text(&buf)
                    }
                    4 => Value::text(state.as_str()),
                    5..=7 => {
                        let lists = lists.get_or_insert_with(|| self.lists(g, e.node, state));
                        lists[c - 5].clone()
                    }
                    _ => Value::Null,
                });
            }
            rows.push(row);
        }
        Rows {
            rows,
            subjects: Some(subjects),
        }
    }

    /// A kept segment's producers, projects and weakness in the place.
    fn lists(&self, g: &Graph, segment: u32, state: SegmentState) -> [Value; 3] {
        let (producers, projects) = match g.presence(self.place, segment) {
            Some(p) => (p.producers.to_vec(), p.projects.to_vec()),
            None => (Vec::new(), Vec::new()),
        };
        let (weak, _) = gaps::weakness(g, state, &producers);
        [
            Value::texts(producers.iter().map(|&e| g.node(e).name())),
            Value::texts(projects.iter().map(|&p| common::project_label(g, p))),
            Value::texts(weak),
        ]
    }
}
