//! `upstream` / `downstream SEGMENT` (上游 / 下游): a breadth-first walk over SUPPLIES, within a
//! chain if one is named, with the segments' states in a place if one is named.

use super::common::{name, nodes, presence_cols, project_label, stage};
use super::gaps;
use super::schema::{Col, Ty, cols};
use super::{Ctx, ReportError, Rows, Value};
use crate::graph::Graph;
use crate::lang::Lang;
use crate::model::EdgeKind;
use crate::tr;
use petgraph::Direction as Dir;
use std::collections::{HashMap, VecDeque};

/// Which way a walk goes: towards the inputs (upstream) or the users (downstream).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Upstream,
    Downstream,
}

impl Direction {
    /// The statement's keyword: `upstream` / `downstream`.
    pub fn keyword(self) -> &'static str {
        match self {
            Direction::Upstream => "upstream",
            Direction::Downstream => "downstream",
        }
    }
}

/// A walk from one segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub dir: Direction,
    pub segment: u32,
    pub depth: u32,
    /// Stay on this chain's segments.
    pub chain: Option<u32>,
    /// Show each segment's state, producers, projects and weakness in this place.
    pub place: Option<u32>,
}

/// The report's columns, declared once (also listed in docs/QUERY.md).
pub fn columns(input: &Input) -> Vec<Col> {
    use Ty::*;
    let mut c = cols(&[
        ("segment", Text),
        ("stage", Text),
        ("distance", Int),
        ("path", Text),
    ]);
    if input.place.is_some() {
        c.extend(cols(&[
            ("state", Text),
            ("producers", List),
            ("projects", List),
            ("weakness", List),
        ]));
    }
    c
}

/// The `explain` line: what the report reads and how, in `lang`.
pub fn explain(g: &Graph, input: &Input, lang: Lang) -> String {
    let (kw, s, depth) = (
        input.dir.keyword(),
        g.node(input.segment).name(),
        input.depth,
    );
    let within = input.chain.map_or_else(String::new, |c| {
        let c = g.node(c).name();
        tr!(lang, "，限产业链 {c}", ", within chain {c}")
    });
    let state = input.place.map_or_else(String::new, |p| {
        let p = g.node(p).name();
        tr!(
            lang,
            "，状态取自 {p} 的在地索引",
            ", state in {p} from the presence index"
        )
    });
    let zh = match input.dir {
        Direction::Upstream => "上游",
        Direction::Downstream => "下游",
    };
    tr!(
        lang,
        "{zh}（{kw}）：从 {s} 沿 SUPPLIES 广度优先，深度 ≤ {depth}{within}{state}",
        "{kw} of {s} over SUPPLIES, breadth-first, depth ≤ {depth}{within}{state}"
    )
}

/// The rows, each about the segment reached (a walk has no notes).
pub fn rows(
    g: &Graph,
    input: &Input,
    _ctx: Ctx,
    _notes: &mut Vec<String>,
) -> Result<Rows, ReportError> {
    let &Input {
        dir,
        segment,
        depth,
        chain,
        place,
    } = input;
    Ok(traverse(g, dir, segment, depth, chain, place))
}

fn traverse(
    g: &Graph,
    dir: Direction,
    origin: u32,
    depth: u32,
    chain: Option<u32>,
    place: Option<u32>,
) -> Rows {
    // With a chain: each member's place in the chain's reading order (ties of distance follow
    // it); the walk stays on the members.
    let members: Option<HashMap<u32, usize>> = chain.map(|c| {
        gaps::chain_order(g, c)
            .into_iter()
            .enumerate()
            .map(|(rank, s)| (s, rank))
            .collect()
    });
    let pdir = if dir == Direction::Upstream {
        Dir::Incoming
    } else {
        Dir::Outgoing
    };
    let mut prev: HashMap<u32, u32> = HashMap::new();
    let mut dist: HashMap<u32, u32> = HashMap::from([(origin, 0)]);
    let mut order = Vec::new();
    let mut queue = VecDeque::from([origin]);
    while let Some(x) = queue.pop_front() {
        let d = dist[&x];
        if d == depth {
            continue;
        }
        for (y, _) in g.neighbors(x, EdgeKind::Supplies, pdir) {
            if members.as_ref().is_some_and(|m| !m.contains_key(&y)) || dist.contains_key(&y) {
                continue;
            }
            dist.insert(y, d + 1);
            prev.insert(y, x);
            order.push(y);
            queue.push_back(y);
        }
    }
    // By distance; at equal distance in the chain's reading order, or without a chain by stage
    // (上游 first), then in the order the walk reached them (the sort is stable).
    match &members {
        Some(m) => order.sort_by_key(|s| (dist[s], m[s])),
        None => order.sort_by_key(|&s| (dist[&s], g.segment_stage(s))),
    }
    let rows = order
        .iter()
        .map(|&s| {
            // The path in the direction material flows.
            let mut path = vec![s];
            let mut cur = s;
            while let Some(&p) = prev.get(&cur) {
                path.push(p);
                cur = p;
            }
            if dir == Direction::Downstream {
                path.reverse();
            }
            let text = path
                .iter()
                .map(|&p| name(g, p))
                .collect::<Vec<_>>()
                .join(" → ");
            let mut row = vec![
                Value::Node(s),
                stage(g, s),
                Value::Int(dist[&s] as i64),
                Value::text(text),
            ];
            if let Some(p) = place {
                let (st, producers, projects) = presence_cols(g, p, s);
                row.push(Value::text(st.as_str()));
                row.push(nodes(&producers));
                row.push(Value::texts(projects.iter().map(|&x| project_label(g, x))));
                let (weak, _) = gaps::weakness(g, st, &producers);
                row.push(Value::texts(weak));
            }
            row
        })
        .collect();
    Rows::about(rows, order)
}
