//! What the report units share: nodes, stages and neighbour lists as values (a node as
//! `Value::Node`, named when the rows returned are materialized), where a report answers for
//! (one place or each park / region) and running over many places.

use super::{Ctx, ReportError, Row, Value};
use crate::graph::{Graph, SegmentState};
use crate::model::{Attrs, EdgeKind, Kind, fmt_yi};
use crate::report::schema::{Col, Ty};
use petgraph::Direction as Dir;
use rayon::prelude::*;

/// Where a chain is examined.
#[derive(Clone, Debug, PartialEq)]
pub enum Places {
    One(u32),
    /// Every park (or region), each on its own row group; run in parallel.
    Each(Vec<u32>, &'static str),
}

impl Places {
    /// The places a report answers for, one or each.
    pub fn each(&self) -> &[u32] {
        match self {
            Places::One(p) => std::slice::from_ref(p),
            Places::Each(all, _) => all,
        }
    }

    /// The place's name, or `each of 4 parks (parallel)` / `4 个园区逐一（并行）`.
    pub fn text(&self, g: &Graph, lang: crate::lang::Lang) -> String {
        match self {
            Places::One(p) => g.node(*p).name().to_string(),
            Places::Each(v, what) => {
                let n = v.len();
                let zh = if *what == "park" { "园区" } else { "地区" };
                crate::tr!(
                    lang,
                    "每个{zh}（共 {n} 个，并行）",
                    "each of {n} {what}s (parallel)"
                )
            }
        }
    }

    /// `c`, after a `place` column when each place has rows of its own.
    pub fn with_place(&self, mut c: Vec<Col>) -> Vec<Col> {
        if matches!(self, Places::Each(..)) {
            c.insert(0, Col::new("place", Ty::Text));
        }
        c
    }
}

/// A node's display name (for text a report writes itself: reasons, paths, details).
pub fn name(g: &Graph, i: u32) -> String {
    g.node(i).name().to_string()
}

/// The nodes, as a list value (shown as their names, joined with 、).
pub fn nodes(v: &[u32]) -> Value {
    Value::List(v.iter().map(|&i| Value::Node(i)).collect())
}

/// The nodes' names joined with 、, as a list of them shows (for a report's own text).
pub fn joined_names(g: &Graph, v: &[u32]) -> String {
    v.iter()
        .map(|&i| g.node(i).name())
        .collect::<Vec<_>>()
        .join("、")
}

/// A segment's stage (上游 / 中游 / 下游), or null.
pub fn stage(g: &Graph, seg: u32) -> Value {
    g.segment_stage(seg)
        .map_or(Value::Null, |stage| Value::text(stage.as_str()))
}

/// The distinct nodes of kind `of` at the other end of `kind` edges at `i`, in data order.
/// Both filters matter: two data rows can state the same edge (a chain's template and
/// industries.csv both say 化学药 BELONGS_TO 生物医药及医疗器械), and one edge kind can join
/// several kinds of node (BELONGS_TO: segment → chain, chain → industry, enterprise →
/// industry).
pub fn linked(g: &Graph, i: u32, kind: EdgeKind, dir: Dir, of: &[Kind]) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for (o, _) in g.neighbors(i, kind, dir) {
        if of.contains(&g.node(o).kind) && !out.contains(&o) {
            out.push(o);
        }
    }
    out
}

/// The `linked` nodes, as a list value.
pub fn neighbor_nodes(g: &Graph, i: u32, kind: EdgeKind, dir: Dir, of: &[Kind]) -> Value {
    nodes(&linked(g, i, kind, dir, of))
}

/// Every place a node is located in or part of, joined with 、 (a 片区 lies in its zone and in
/// its district; a firm may be located in both), or null.
pub fn places_of(g: &Graph, i: u32, kind: EdgeKind) -> Value {
    let v = linked(g, i, kind, Dir::Outgoing, PLACE_KINDS);
    if v.is_empty() {
        Value::Null
    } else {
        Value::text(v.iter().map(|&p| name(g, p)).collect::<Vec<_>>().join("、"))
    }
}

/// The first node at the other end of a `kind` edge, or null.
pub fn first_neighbor(g: &Graph, i: u32, kind: EdgeKind, dir: Dir) -> Value {
    g.neighbors(i, kind, dir)
        .first()
        .map_or(Value::Null, |&(o, _)| Value::Node(o))
}

/// Projects with their investment: `正极材料一期项目 (推介, 30亿)`.
pub fn project_label(g: &Graph, p: u32) -> String {
    match &g.node(p).attrs {
        Attrs::Project(a) => {
            let mut parts = Vec::new();
            if let Some(s) = a.status {
                parts.push(s.as_str().to_string());
            }
            if let Some(v) = a.investment_yi {
                parts.push(format!("{}亿", fmt_yi(v)));
            }
            if parts.is_empty() {
                name(g, p)
            } else {
                format!("{} ({})", name(g, p), parts.join(", "))
            }
        }
        _ => name(g, p),
    }
}

/// The projects' total investment (亿元), or null when none states one.
pub fn investment(g: &Graph, projects: &[u32]) -> Value {
    let vals: Vec<f64> = projects
        .iter()
        .filter_map(|&p| match &g.node(p).attrs {
            Attrs::Project(a) => a.investment_yi,
            _ => None,
        })
        .collect();
    if vals.is_empty() {
        Value::Null
    } else {
        Value::Float(vals.iter().sum())
    }
}

/// Run `f` for every place, in parallel when asked, keeping the places' order.
pub fn per_place<T, F>(places: &[u32], ctx: Ctx, f: F) -> Result<Vec<T>, ReportError>
where
    T: Send,
    F: Fn(u32) -> Vec<T> + Sync,
{
    let run = |&p: &u32| -> Result<Vec<T>, ReportError> {
        ctx.check()?;
        Ok(f(p))
    };
    let chunks: Vec<Vec<T>> = if ctx.parallel {
        places.par_iter().map(run).collect::<Result<_, _>>()?
    } else {
        places.iter().map(run).collect::<Result<_, _>>()?
    };
    Ok(chunks.into_iter().flatten().collect())
}

/// Rows for one place, or for each place with the place (its node) as the first column: `f` gets
/// that leading value and puts it first itself, so rows are not copied to prepend it.
pub fn places_rows<T, F>(places: &Places, ctx: Ctx, f: F) -> Result<Vec<T>, ReportError>
where
    T: Send,
    F: Fn(u32, Option<&Value>) -> Vec<T> + Sync,
{
    match places {
        Places::One(p) => Ok(f(*p, None)),
        Places::Each(all, _) => per_place(all, ctx, |p| f(p, Some(&Value::Node(p)))),
    }
}

/// A row of `values`, after `lead` when there is one.
pub fn lead_row<const N: usize>(lead: Option<&Value>, values: [Value; N]) -> Row {
    let mut row = Vec::with_capacity(N + 1);
    row.extend(lead.cloned());
    row.extend(values);
    row
}

/// `rows` with `lead` put first in each.
pub fn prepend(lead: Option<&Value>, rows: Vec<Row>) -> Vec<Row> {
    match lead {
        None => rows,
        Some(l) => rows
            .into_iter()
            .map(|r| std::iter::once(l.clone()).chain(r).collect())
            .collect(),
    }
}

/// What a park or region may focus on (FOCUSES_ON).
pub const FOCUS_KINDS: &[Kind] = &[Kind::Industry, Kind::Chain, Kind::Segment];
/// Where an enterprise or project may be located (LOCATED_IN).
pub const PLACE_KINDS: &[Kind] = &[Kind::Park, Kind::Region];

/// A segment's state in a place, with its producers and projects there.
pub fn presence_cols(g: &Graph, place: u32, seg: u32) -> (SegmentState, Vec<u32>, Vec<u32>) {
    let st = g.state(place, seg);
    match g.presence(place, seg) {
        Some(p) => (st, p.producers.to_vec(), p.projects.to_vec()),
        None => (st, Vec::new(), Vec::new()),
    }
}
