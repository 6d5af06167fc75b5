//! Plan → table: runs a plan's source over the graph and its indexes, then its operators.
//!
//! Gap sources touch the chain and the presence index only (see `gaps`); work over every park
//! or region runs on rayon's pool, and long loops poll the cancel flag.

use super::ast::{AggFn, CmpOp, Direction, GapKind, ListKind};
use super::error::QueryError;
use super::plan::{Arg, Cond, Op, Places, Plan, SourcePlan, StepPlan};
use crate::graph::{Graph, SegmentState};
use crate::lang::Lang;
use crate::model::{Attrs, Coverage, EdgeKind, Kind, fmt_yi};
use crate::report::gaps::{self, ChainView};
use crate::report::{Table, Value};
use crate::tr;
use petgraph::Direction as Dir;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};

/// Most rows a path pattern may produce before it is stopped with an error.
pub const MAX_PATHS: usize = 10_000;
/// Most edges a path enumeration may walk.
pub const MAX_PATH_WORK: usize = 2_000_000;

/// How a plan runs: the cancel flag (set by Ctrl-C) and whether to use rayon.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub cancel: &'a AtomicBool,
    pub parallel: bool,
    /// The language of the reasons and notes written, and of the table shown.
    pub lang: Lang,
}

impl Ctx<'_> {
    fn check(&self) -> Result<(), QueryError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(QueryError::cancelled())
        } else {
            Ok(())
        }
    }
}

type Row = Vec<Value>;

pub fn execute(g: &Graph, plan: &Plan, ctx: Ctx) -> Result<Table, QueryError> {
    if plan.explain {
        let mut t = Table::new(&["query_plan"]).in_lang(ctx.lang);
        t.rows = plan
            .lines()
            .into_iter()
            .map(|l| vec![Value::text(l)])
            .collect();
        // Sources that say their line in the user's language (the planner writes English).
        let own = match &plan.source {
            SourcePlan::TopProducers { top, .. } => Some(top.explain(ctx.lang)),
            SourcePlan::Partners(p) => Some(p.explain(g, ctx.lang)),
            SourcePlan::StateWalk(w) => Some(w.explain(g, ctx.lang)),
            SourcePlan::GapCount(c) => Some(c.explain(g, ctx.lang)),
            _ => None,
        };
        if let (Some(line), Some(first)) = (own, t.rows.first_mut()) {
            first[0] = Value::text(plan.lines()[0].replacen(&plan.source_text, &line, 1));
        }
        return Ok(t);
    }
    let mut notes = Vec::new();
    let mut rows = source(g, &plan.source, ctx, &mut notes)?;
    for (op, _) in &plan.ops {
        ctx.check()?;
        rows = match op {
            Op::Targets { .. } => target_rows(g, op, rows, ctx.lang, &mut notes)?,
            op => apply(op, rows)?,
        };
    }
    let mut table = Table {
        columns: plan.columns.iter().map(|c| c.name.clone()).collect(),
        domains: plan.columns.iter().map(|c| c.domain).collect(),
        rows,
        notes,
        lang: ctx.lang,
    };
    // 序号 (`no`) numbers the rows shown, after every filter and sort: no holes.
    crate::targets::list::renumber(&mut table);
    Ok(table)
}

// ------------------------------------------------------------------------------------ helpers

fn name(g: &Graph, i: u32) -> String {
    g.node(i).name().to_string()
}

fn names(g: &Graph, v: &[u32]) -> Value {
    Value::texts(v.iter().map(|&i| name(g, i)))
}

fn stage(g: &Graph, seg: u32) -> Value {
    g.segment_stage(seg)
        .map_or(Value::Null, |stage| Value::text(stage.as_str()))
}

/// The distinct nodes of kind `of` at the other end of `kind` edges at `i`, in data order.
/// Both filters matter: two data rows can state the same edge (a chain's template and
/// industries.csv both say 化学药 BELONGS_TO 生物医药及医疗器械), and one edge kind can join
/// several kinds of node (BELONGS_TO: segment → chain, chain → industry, enterprise →
/// industry).
fn linked(g: &Graph, i: u32, kind: EdgeKind, dir: Dir, of: &[Kind]) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for (o, _) in g.neighbors(i, kind, dir) {
        if of.contains(&g.node(o).kind) && !out.contains(&o) {
            out.push(o);
        }
    }
    out
}

/// The names of `linked` nodes, as a list value.
fn neighbor_names(g: &Graph, i: u32, kind: EdgeKind, dir: Dir, of: &[Kind]) -> Value {
    names(g, &linked(g, i, kind, dir, of))
}

/// Every place a node is located in or part of, joined with 、 (a 片区 lies in its zone and in
/// its district; a firm may be located in both), or null.
fn places_of(g: &Graph, i: u32, kind: EdgeKind) -> Value {
    let v = linked(g, i, kind, Dir::Outgoing, PLACE_KINDS);
    if v.is_empty() {
        Value::Null
    } else {
        Value::text(v.iter().map(|&p| name(g, p)).collect::<Vec<_>>().join("、"))
    }
}

fn first_neighbor(g: &Graph, i: u32, kind: EdgeKind, dir: Dir) -> Value {
    g.neighbors(i, kind, dir)
        .first()
        .map_or(Value::Null, |&(o, _)| Value::text(name(g, o)))
}

/// Projects with their investment: `正极材料一期项目 (推介, 30亿)`.
fn project_label(g: &Graph, p: u32) -> String {
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

fn investment(g: &Graph, projects: &[u32]) -> Value {
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
fn per_place<F>(places: &[u32], ctx: Ctx, f: F) -> Result<Vec<Row>, QueryError>
where
    F: Fn(u32) -> Vec<Row> + Sync,
{
    let run = |&p: &u32| -> Result<Vec<Row>, QueryError> {
        ctx.check()?;
        Ok(f(p))
    };
    let chunks: Vec<Vec<Row>> = if ctx.parallel {
        places.par_iter().map(run).collect::<Result<_, _>>()?
    } else {
        places.iter().map(run).collect::<Result<_, _>>()?
    };
    Ok(chunks.into_iter().flatten().collect())
}

/// Rows for one place, or for each place with the place's name as the first column: `f` gets
/// that leading value and puts it first itself, so rows are not copied to prepend it.
fn places_rows<F>(g: &Graph, places: &Places, ctx: Ctx, f: F) -> Result<Vec<Row>, QueryError>
where
    F: Fn(u32, Option<&Value>) -> Vec<Row> + Sync,
{
    match places {
        Places::One(p) => Ok(f(*p, None)),
        Places::Each(all, _) => per_place(all, ctx, |p| f(p, Some(&Value::text(name(g, p))))),
    }
}

/// A row of `values`, after `lead` when there is one.
fn lead_row<const N: usize>(lead: Option<&Value>, values: [Value; N]) -> Row {
    let mut row = Vec::with_capacity(N + 1);
    row.extend(lead.cloned());
    row.extend(values);
    row
}

/// `rows` with `lead` put first in each.
fn prepend(lead: Option<&Value>, rows: Vec<Row>) -> Vec<Row> {
    match lead {
        None => rows,
        Some(l) => rows
            .into_iter()
            .map(|r| std::iter::once(l.clone()).chain(r).collect())
            .collect(),
    }
}

/// What a park or region may focus on (FOCUSES_ON).
const FOCUS_KINDS: &[Kind] = &[Kind::Industry, Kind::Chain, Kind::Segment];
/// Where an enterprise or project may be located (LOCATED_IN).
const PLACE_KINDS: &[Kind] = &[Kind::Park, Kind::Region];

// ------------------------------------------------------------------------------------ sources

/// The places a source answers for, one or each.
fn each_place(places: &Places) -> &[u32] {
    match places {
        Places::One(p) => std::slice::from_ref(p),
        Places::Each(all, _) => all,
    }
}

/// What a place's answer leaves out, said under the table: for a district, the firms of an
/// overlapping zone recorded at the zone only (no district known), which it cannot count;
/// with a chain, which of them make its segments.
fn place_notes(
    g: &Graph,
    place: u32,
    chain: Option<&ChainRoutes>,
    lang: Lang,
    notes: &mut Vec<String>,
) {
    if let Some((coverage, holder)) = g.coverage(place) {
        let source = g.ds.place_coverage(holder).map_or("", |c| &*c.source);
        let stated = if holder == place {
            String::new()
        } else {
            tr!(
                lang,
                "，按 {} 的说明",
                ", as stated for {}",
                name(g, holder)
            )
        };
        let (p, level) = (name(g, place), coverage.as_str());
        match coverage {
            Coverage::All => {}
            Coverage::None => notes.push(tr!(
                lang,
                "{p} 没有企业数据（覆盖 none{stated}：{source}）：没有记录生产企业的环节为「未知」，不算缺失",
                "{p} has no enterprise data (coverage none{stated}: {source}): a segment without a recorded producer is unknown, not missing"
            )),
            partial => notes.push(tr!(
                lang,
                "{p} 的企业数据不全——{}（覆盖 {level}{stated}：{source}）：标为缺失的环节可能有数据未列出的生产企业",
                "{p}'s enterprise data is partial — {} (coverage {level}{stated}: {source}): a missing segment may have a producer the data does not list",
                lang.pick(coverage_zh(partial), partial.describe())
            )),
        }
    }
    for (zone, firms) in g.unattributed(place) {
        let (z, p, n) = (name(g, zone), name(g, place), firms.len());
        let level = g.region_level(place).unwrap_or("");
        let mut note = tr!(
            lang,
            "{z} 与 {p} 有重叠：其中 {n} 家企业没有记录{level}，无法归入 {p}",
            "{z} overlaps {p}: {n} of its firm(s) are recorded with no {level} and could not be attributed to {p}"
        );
        if let Some(c) = chain.map(|c| c.chain) {
            let segs: HashSet<u32> = g.chain_segments(c).iter().copied().collect();
            let makers: Vec<String> = firms
                .iter()
                .filter_map(|&f| {
                    let made: Vec<String> =
                        linked(g, f, EdgeKind::Produces, Dir::Outgoing, &[Kind::Segment])
                            .into_iter()
                            .filter(|s| segs.contains(s))
                            .map(|s| name(g, s))
                            .collect();
                    (!made.is_empty()).then(|| format!("{} ({})", name(g, f), made.join("、")))
                })
                .collect();
            let (c, k) = (name(g, c), makers.len());
            if makers.is_empty() {
                note.push_str(&tr!(
                    lang,
                    "；它们都不生产 {c} 的环节",
                    "; none of them makes a segment of {c}"
                ));
            } else {
                note.push_str(&tr!(
                    lang,
                    "；其中 {k} 家生产 {c} 的环节，未计入本表：{}",
                    "; {k} of them make(s) segments of {c}, not counted here: {}",
                    makers.join("、")
                ));
            }
        }
        notes.push(note);
    }
    if let Some(c) = chain {
        route_notes(g, place, c, lang, notes);
    }
}

/// [`Coverage::describe`] in Chinese.
fn coverage_zh(c: Coverage) -> &'static str {
    match c {
        Coverage::None => "没有企业数据",
        Coverage::Key => "仅有重点企业",
        Coverage::Named => "仅有文件点名的企业，不是企业名录",
        Coverage::All => "完整的企业名录",
    }
}

/// A chain, and its segments that have technology routes in it with those routes: found once
/// per statement, not once per place (finding a segment's routes walks its incoming edges, which
/// include every PRODUCES edge: `fill C in all parks` spent 70 % of its time there).
struct ChainRoutes {
    chain: u32,
    routes: Vec<(u32, Vec<u32>)>,
}

impl ChainRoutes {
    fn of(g: &Graph, chain: u32) -> ChainRoutes {
        let segs: HashSet<u32> = g.chain_segments(chain).iter().copied().collect();
        let routes = g
            .chain_segments(chain)
            .iter()
            .map(|&parent| {
                let routes: Vec<u32> = g
                    .neighbors(parent, EdgeKind::PartOf, Dir::Incoming)
                    .iter()
                    .map(|&(r, _)| r)
                    .filter(|r| segs.contains(r))
                    .collect();
                (parent, routes)
            })
            .filter(|(_, routes)| !routes.is_empty())
            .collect();
        ChainRoutes { chain, routes }
    }
}

/// A segment with technology routes (磷酸铁锂 / 三元 / 无钴 of 正极材料), made or built in the place by
/// firms or projects that state no route: a route shown without a producer may be theirs.
fn route_notes(g: &Graph, place: u32, chain: &ChainRoutes, lang: Lang, notes: &mut Vec<String>) {
    for (parent, routes) in &chain.routes {
        let parent = *parent;
        let Some(at_parent) = g.presence(place, parent) else {
            continue;
        };
        let on_a_route: HashSet<u32> = routes
            .iter()
            .filter_map(|&r| g.presence(place, r))
            .flat_map(|p| p.producers.iter().chain(p.projects).copied())
            .collect();
        let unstated: Vec<u32> = at_parent
            .producers
            .iter()
            .chain(at_parent.projects)
            .copied()
            .filter(|w| !on_a_route.contains(w))
            .collect();
        let open: Vec<String> = routes
            .iter()
            .filter(|&&r| g.presence(place, r).is_none())
            .map(|&r| name(g, r))
            .collect();
        if unstated.is_empty() || open.is_empty() {
            continue;
        }
        // At most five named: a place with thousands of firms gets a count, not a wall of names.
        let mut who: Vec<String> = unstated.iter().take(5).map(|&w| name(g, w)).collect();
        if unstated.len() > 5 {
            let more = unstated.len() - 5;
            who.push(tr!(lang, "等另外 {more} 家", "and {more} more"));
        }
        let (parent, place, who, open) = (
            name(g, parent),
            name(g, place),
            who.join("、"),
            open.join("、"),
        );
        notes.push(tr!(
            lang,
            "{place} 的 {parent}：{who} 生产或在建该环节但未注明技术路线，所以显示为没有生产企业的路线（{open}）可能就是它们的",
            "{parent} in {place}: {who} make(s) or build(s) it without a stated route, so the routes shown without a producer ({open}) may be theirs"
        ));
    }
}

fn source(
    g: &Graph,
    src: &SourcePlan,
    ctx: Ctx,
    notes: &mut Vec<String>,
) -> Result<Vec<Row>, QueryError> {
    match src {
        SourcePlan::Status { chain, place } => place_notes(
            g,
            *place,
            Some(&ChainRoutes::of(g, *chain)),
            ctx.lang,
            notes,
        ),
        SourcePlan::Gaps { chain, places, .. } => {
            let routes = ChainRoutes::of(g, *chain);
            for &p in each_place(places) {
                place_notes(g, p, Some(&routes), ctx.lang, notes);
            }
        }
        SourcePlan::Build {
            places, inherited, ..
        } => {
            for &p in each_place(places) {
                if matches!(places, Places::One(_)) {
                    build_notes(g, p, *inherited, ctx.lang, notes);
                }
                place_notes(g, p, None, ctx.lang, notes);
            }
        }
        SourcePlan::Compare { chain, places } => {
            let routes = ChainRoutes::of(g, *chain);
            for &p in places {
                place_notes(g, p, Some(&routes), ctx.lang, notes);
            }
        }
        SourcePlan::GapCount(c) => {
            let routes = ChainRoutes::of(g, c.chain);
            for &p in &c.places {
                place_notes(g, p, Some(&routes), ctx.lang, notes);
            }
        }
        _ => {}
    }
    match src {
        SourcePlan::Find { hits } => Ok(hits.iter().map(|&h| find_row(g, h)).collect()),
        SourcePlan::List { kind, within } => list(g, *kind, *within, ctx),
        SourcePlan::Traverse {
            dir,
            segment,
            depth,
            chain,
            place,
        } => Ok(traverse(g, *dir, *segment, *depth, *chain, *place)),
        SourcePlan::Status { chain, place } => Ok(status(g, *chain, *place)),
        SourcePlan::Gaps {
            kind,
            chain,
            places,
        } => {
            let view = ChainView::new(g, *chain);
            let labels = Labels::new(g, &view, ctx.lang);
            places_rows(g, places, ctx, |p, lead| {
                gap_rows(g, &view, &labels, *kind, p, lead)
            })
        }
        SourcePlan::Build {
            places,
            below,
            inherited,
        } => places_rows(g, places, ctx, |p, lead| {
            prepend(lead, build_rows(g, p, *below, *inherited, ctx.lang))
        }),
        SourcePlan::Compare { chain, places } => Ok(compare(g, *chain, places, ctx)?),
        SourcePlan::Paths { from, steps } => paths(g, from, steps, ctx),
        SourcePlan::TopProducers { top, keep } => Ok(top_producer_rows(g, top, keep.as_ref())),
        SourcePlan::Partners(p) => Ok(p.rows(g, ctx.parallel)),
        SourcePlan::StateWalk(w) => Ok(w.rows(g, |p| project_label(g, p))),
        SourcePlan::GapCount(c) => Ok(c.rows(g, ctx.parallel)),
    }
}

/// Rows of the top-producers source: a full enterprise row only for each firm the merge looks
/// at, kept when it passes the rest of the condition.
fn top_producer_rows(
    g: &Graph,
    top: &crate::report::producers::TopProducers,
    keep: Option<&Cond>,
) -> Vec<Row> {
    let mut rows = Vec::with_capacity(top.k.min(1024));
    top.firms(g, |e| {
        let row = list_row(g, ListKind::Enterprises, e);
        let kept = keep.is_none_or(|c| eval(c, &row));
        if kept {
            rows.push(row);
        }
        kept
    });
    rows
}

fn find_row(g: &Graph, i: u32) -> Row {
    let n = g.node(i);
    let details = match &n.attrs {
        Attrs::Region { level } => format!(
            "level={level}; parent={}",
            places_of(g, i, EdgeKind::PartOf).display()
        ),
        Attrs::Park(p) => format!(
            "kind={}; parent={}; area_km2={}",
            p.kind,
            places_of(g, i, EdgeKind::PartOf).display(),
            p.area_km2.map(fmt_yi).unwrap_or_default()
        ),
        Attrs::Industry => format!(
            "chains={}",
            neighbor_names(g, i, EdgeKind::BelongsTo, Dir::Incoming, &[Kind::Chain]).display()
        ),
        Attrs::Chain => format!("segments={}", g.chain_segments(i).len()),
        Attrs::Segment { stage } => format!(
            "stage={}; chains={}",
            stage.as_str(),
            names(g, g.segment_chains(i)).display()
        ),
        Attrs::Enterprise(a) => format!(
            "location={}; segments={}; tags={}",
            places_of(g, i, EdgeKind::LocatedIn).display(),
            neighbor_names(g, i, EdgeKind::Produces, Dir::Outgoing, &[Kind::Segment]).display(),
            a.tags.join("、")
        ),
        Attrs::Project(a) => format!(
            "status={}; investment_yi={}; segments={}",
            a.status.map_or("", |s| s.as_str()),
            a.investment_yi.map(fmt_yi).unwrap_or_default(),
            neighbor_names(g, i, EdgeKind::Builds, Dir::Outgoing, &[Kind::Segment]).display()
        ),
    };
    vec![
        Value::text(n.kind.label_zh()),
        Value::text(&*n.id),
        Value::text(n.name()),
        Value::texts(n.aliases.iter().map(|a| a.to_string())),
        Value::text(details),
        Value::text(g.ds.provenance(n.row)),
    ]
}

fn list(g: &Graph, kind: ListKind, within: Option<u32>, ctx: Ctx) -> Result<Vec<Row>, QueryError> {
    let Some(node_kind) = kind.kind() else {
        return Ok(fact_rows(g, kind, within));
    };
    let ids: Vec<u32> = match (kind, within) {
        (_, None) => g.nodes_of(node_kind).to_vec(),
        // A chain's segments from resources to applications (its reading order).
        (ListKind::Segments, Some(c)) => gaps::chain_order(g, c),
        (ListKind::Parks | ListKind::Regions, Some(w)) => g
            .places_within(w)
            .into_iter()
            .filter(|&p| g.node(p).kind == node_kind && p != w)
            .collect(),
        (ListKind::Enterprises | ListKind::Projects, Some(w)) => {
            // Entities located in the place or any place below it: the place's incoming
            // LOCATED_IN edges, not a scan of every enterprise.
            let mut v: Vec<u32> = g
                .places_within(w)
                .into_iter()
                .flat_map(|p| g.neighbors(p, EdgeKind::LocatedIn, Dir::Incoming))
                .map(|(o, _)| o)
                .filter(|&o| g.node(o).kind == node_kind)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        // Refused by the plan (chains and industries are nowhere); the fact lists returned above.
        (
            ListKind::Chains
            | ListKind::Industries
            | ListKind::Systems
            | ListKind::Figures
            | ListKind::Catalog,
            Some(_),
        ) => g.nodes_of(node_kind).to_vec(),
    };
    let mut rows = Vec::with_capacity(ids.len());
    for (n, &i) in ids.iter().enumerate() {
        if n.is_multiple_of(65536) {
            ctx.check()?;
        }
        let mut row = list_row(g, kind, i);
        let node = g.node(i);
        if let (ListKind::Projects, Attrs::Project(a)) = (kind, &node.attrs) {
            row.push(Value::opt_text(&a.investment_text));
            row.push(Value::opt_text(&a.scale));
        }
        row.push(Value::text(g.ds.provenance(node.row)));
        row.push(Value::opt_text(g.ds.row(node.row).notes().unwrap_or("")));
        rows.push(row);
    }
    Ok(rows)
}

/// Rows of a list of records that are not nodes — industry-system memberships, figures, catalog
/// items — in import order, each ending with its provenance and notes; `in PLACE` keeps those
/// of the place and the places below it.
fn fact_rows(g: &Graph, kind: ListKind, within: Option<u32>) -> Vec<Row> {
    let keep = |place: u32| within.is_none_or(|w| g.is_within(place, w));
    let provenance = |row: u32, mut r: Row| {
        r.push(Value::text(g.ds.provenance(row)));
        r.push(Value::opt_text(g.ds.row(row).notes().unwrap_or("")));
        r
    };
    let num = |n: Option<u16>| n.map_or(Value::Null, |n| Value::Int(n.into()));
    match kind {
        ListKind::Systems => {
            g.ds.systems
                .iter()
                .filter_map(|(e, s)| {
                    let edge = &g.ds.edges[*e as usize];
                    keep(edge.to).then(|| {
                        provenance(
                            edge.row,
                            vec![
                                Value::text(name(g, edge.to)),
                                Value::text(&*s.system),
                                Value::text(name(g, edge.from)),
                                Value::opt_text(&s.class),
                                Value::opt_f64(s.target_revenue_yi),
                            ],
                        )
                    })
                })
                .collect()
        }
        ListKind::Figures => {
            g.ds.figures
                .iter()
                .filter(|f| keep(f.place))
                .map(|f| {
                    provenance(
                        f.row,
                        vec![
                            Value::text(name(g, f.place)),
                            Value::opt_text(&f.system),
                            f.industry.map_or(Value::Null, |i| Value::text(name(g, i))),
                            Value::text(&*f.measure),
                            Value::opt_f64(f.value),
                            Value::opt_text(&f.unit),
                            f.year.map_or(Value::Null, |y| Value::Int(y.into())),
                            Value::text(&*f.text),
                        ],
                    )
                })
                .collect()
        }
        ListKind::Catalog => {
            g.ds.catalog
                .iter()
                .filter(|c| keep(c.place))
                .map(|c| {
                    provenance(
                        c.row,
                        vec![
                            Value::text(name(g, c.place)),
                            Value::text(&*c.system),
                            num(c.industry_no),
                            Value::text(name(g, c.industry)),
                            num(c.number),
                            Value::text(&*c.heading),
                            Value::opt_text(&c.item),
                            names(g, &c.models),
                        ],
                    )
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

fn list_row(g: &Graph, kind: ListKind, i: u32) -> Row {
    let n = g.node(i);
    let nm = Value::text(n.name());
    match (&n.attrs, kind) {
        (_, ListKind::Chains) => vec![
            nm,
            Value::texts(n.aliases.iter().map(|a| a.to_string())),
            Value::Int(g.chain_segments(i).len() as i64),
            neighbor_names(g, i, EdgeKind::BelongsTo, Dir::Outgoing, &[Kind::Industry]),
        ],
        (_, ListKind::Segments) => vec![
            nm,
            stage(g, i),
            names(g, g.segment_chains(i)),
            neighbor_names(g, i, EdgeKind::Supplies, Dir::Incoming, &[Kind::Segment]),
            neighbor_names(g, i, EdgeKind::Supplies, Dir::Outgoing, &[Kind::Segment]),
            Value::opt_text(g.ds.public_function(i).unwrap_or("")),
            first_neighbor(g, i, EdgeKind::PartOf, Dir::Outgoing),
            neighbor_names(g, i, EdgeKind::PartOf, Dir::Incoming, &[Kind::Segment]),
        ],
        (Attrs::Enterprise(a), _) => vec![
            nm,
            Value::opt_text(&a.province),
            Value::opt_text(&a.city),
            places_of(g, i, EdgeKind::LocatedIn),
            Value::opt_f64(a.revenue_yi),
            Value::texts(a.tags.iter().map(|t| t.to_string())),
            Value::opt_text(&a.listing),
            neighbor_names(g, i, EdgeKind::Produces, Dir::Outgoing, &[Kind::Segment]),
            neighbor_names(g, i, EdgeKind::BelongsTo, Dir::Outgoing, &[Kind::Industry]),
            listing_col(g, i, ListingSide::Enterprise, false),
            listing_col(g, i, ListingSide::Enterprise, true),
        ],
        (Attrs::Park(p), _) => vec![
            nm,
            Value::opt_text(&p.kind),
            places_of(g, i, EdgeKind::PartOf),
            Value::opt_f64(p.area_km2),
            neighbor_names(g, i, EdgeKind::FocusesOn, Dir::Outgoing, FOCUS_KINDS),
        ],
        (Attrs::Project(a), _) => {
            let loc: Vec<String> = linked(g, i, EdgeKind::LocatedIn, Dir::Outgoing, PLACE_KINDS)
                .into_iter()
                .map(|o| name(g, o))
                .collect();
            vec![
                Value::text(&*n.id),
                nm,
                Value::opt_text(&a.domain),
                Value::opt_text(&a.category),
                if loc.is_empty() {
                    Value::Null
                } else {
                    Value::text(loc.join("、"))
                },
                Value::opt_f64(a.investment_yi),
                Value::opt_f64(a.land_mu),
                a.start_year.map_or(Value::Null, |y| Value::Int(y.into())),
                a.end_year.map_or(Value::Null, |y| Value::Int(y.into())),
                a.status.map_or(Value::Null, |s| Value::text(s.as_str())),
                neighbor_names(g, i, EdgeKind::Builds, Dir::Outgoing, &[Kind::Segment]),
                neighbor_names(
                    g,
                    i,
                    EdgeKind::CarriedBy,
                    Dir::Outgoing,
                    &[Kind::Enterprise],
                ),
            ]
        }
        (Attrs::Industry, _) => {
            let mut systems: Vec<String> = Vec::new();
            for (p, e) in g.neighbors(i, EdgeKind::InSystem, Dir::Outgoing) {
                let s = match g.ds.edge_system(e) {
                    Some(s) if !s.class.is_empty() => {
                        format!("{}:{}:{}", name(g, p), s.system, s.class)
                    }
                    Some(s) => format!("{}:{}", name(g, p), s.system),
                    None => name(g, p),
                };
                if !systems.contains(&s) {
                    systems.push(s);
                }
            }
            vec![
                nm,
                first_neighbor(g, i, EdgeKind::PartOf, Dir::Outgoing),
                neighbor_names(g, i, EdgeKind::BelongsTo, Dir::Incoming, &[Kind::Chain]),
                Value::texts(systems),
                listing_col(g, i, ListingSide::Industry, false),
                listing_col(g, i, ListingSide::Industry, true),
            ]
        }
        (Attrs::Region { level }, _) => vec![
            nm,
            Value::opt_text(level),
            places_of(g, i, EdgeKind::PartOf),
        ],
        // A node whose attributes do not match its list (cannot happen with checked data).
        _ => vec![nm],
    }
}

/// Which end of a source table's listing a list row stands for.
#[derive(Clone, Copy, PartialEq)]
enum ListingSide {
    /// An enterprise: where the tables list it (`表5 先进装备制造/高端数控机床`).
    Enterprise,
    /// An industry or field: the cells listed directly under it, as written (`——` included).
    Industry,
}

/// The `listed_in` / `listed` column of a node, or with `sources` its `…_source` column: one
/// item per listing, in the table's order. Listings are few (one per table cell), so a scan.
fn listing_col(g: &Graph, node: u32, side: ListingSide, sources: bool) -> Value {
    let items = g.ds.listings.iter().filter(|l| match side {
        ListingSide::Enterprise => l.enterprise == Some(node),
        ListingSide::Industry => l.under() == node,
    });
    Value::texts(items.map(|l| {
        if sources {
            g.ds.source(l.row).to_string()
        } else if side == ListingSide::Industry {
            l.written.to_string()
        } else {
            let table = l.table.split_whitespace().next().unwrap_or(&l.table);
            match l.field {
                Some(f) => format!("{table} {}/{}", name(g, l.industry), name(g, f)),
                None => format!("{table} {}", name(g, l.industry)),
            }
        }
    }))
}

fn presence_cols(g: &Graph, place: u32, seg: u32) -> (SegmentState, Vec<u32>, Vec<u32>) {
    let st = g.state(place, seg);
    match g.presence(place, seg) {
        Some(p) => (st, p.producers.to_vec(), p.projects.to_vec()),
        None => (st, Vec::new(), Vec::new()),
    }
}

fn traverse(
    g: &Graph,
    dir: Direction,
    origin: u32,
    depth: u32,
    chain: Option<u32>,
    place: Option<u32>,
) -> Vec<Row> {
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
    order
        .into_iter()
        .map(|s| {
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
                Value::text(name(g, s)),
                stage(g, s),
                Value::Int(dist[&s] as i64),
                Value::text(text),
            ];
            if let Some(p) = place {
                let (st, producers, projects) = presence_cols(g, p, s);
                row.push(Value::text(st.as_str()));
                row.push(names(g, &producers));
                row.push(Value::texts(projects.iter().map(|&x| project_label(g, x))));
                let (weak, _) = gaps::weakness(g, st, &producers);
                row.push(Value::texts(weak));
            }
            row
        })
        .collect()
}

fn status(g: &Graph, chain: u32, place: u32) -> Vec<Row> {
    let view = ChainView::new(g, chain);
    let (states, present) = view.states(g, place);
    let weak: HashMap<usize, Vec<&str>> = gaps::strengthen(g, &view, place, &states, &present)
        .into_iter()
        .map(|w| (w.pos, w.weakness))
        .collect();
    // From resources to applications: the chain's reading order, made once by the view.
    view.order()
        .iter()
        .map(|&i| {
            let s = view.segs[i];
            let (st, producers, projects) = presence_cols(g, place, s);
            vec![
                Value::text(name(g, s)),
                stage(g, s),
                Value::text(st.as_str()),
                names(g, &producers),
                Value::texts(projects.iter().map(|&x| project_label(g, x))),
                investment(g, &projects),
                Value::texts(weak.get(&i).into_iter().flatten()),
            ]
        })
        .collect()
}

/// The end of a gap row's reason for a segment that public bodies provide: a gap to plan with
/// them, not one to recruit a firm for.
pub fn public_function_reason(who: &str, lang: Lang) -> String {
    tr!(
        lang,
        "；属公共职能（{who}）：没有企业可招",
        "; a public function ({who}): no firm to recruit"
    )
}

/// Names and stages of a chain's segments as shared values, made once per query: rows over
/// hundreds of places then share them instead of allocating each name again.
struct Labels {
    name: Vec<Value>,
    stage: Vec<Value>,
    /// What a gap row's reason adds for a segment that public bodies provide.
    public: Vec<Option<String>>,
    /// The language of the reasons.
    lang: Lang,
}

impl Labels {
    fn new(g: &Graph, v: &ChainView, lang: Lang) -> Labels {
        Labels {
            name: v.segs.iter().map(|&s| Value::text(name(g, s))).collect(),
            stage: v.segs.iter().map(|&s| stage(g, s)).collect(),
            public: v
                .segs
                .iter()
                .map(|&s| {
                    g.ds.public_function(s)
                        .map(|who| public_function_reason(who, lang))
                })
                .collect(),
            lang,
        }
    }

    fn list(&self, pos: &[usize]) -> Value {
        Value::List(pos.iter().map(|&i| self.name[i].clone()).collect())
    }

    /// Names joined by `sep`, written straight into one string.
    fn join(&self, pos: &[usize], sep: &str, out: &mut String) {
        for (k, &i) in pos.iter().enumerate() {
            if k > 0 {
                out.push_str(sep);
            }
            if let Value::Text(t) = &self.name[i] {
                out.push_str(t);
            }
        }
    }

    fn joined(&self, pos: &[usize], sep: &str) -> String {
        let mut s = String::new();
        self.join(pos, sep, &mut s);
        s
    }
}

fn gap_rows(
    g: &Graph,
    v: &ChainView,
    lab: &Labels,
    kind: GapKind,
    place: u32,
    lead: Option<&Value>,
) -> Vec<Row> {
    let (states, present) = v.states(g, place);
    match kind {
        GapKind::Fill => {
            // One scratch buffer for every row's path and reason: each becomes a single
            // exact-size allocation (its `Arc<str>`) instead of a growing String plus a copy.
            let mut buf = String::with_capacity(256);
            let (broken, fill) = (Value::text("断链"), Value::text("补链"));
            let gaps = gaps::fill(v, &states, &present);
            let ranks = gaps::fill_ranks(&gaps);
            gaps.into_iter()
                .zip(ranks)
                .map(|(f, rank)| {
                    buf.clear();
                    lab.join(&f.path, " → ", &mut buf);
                    let path = Value::text(&buf);
                    buf.clear();
                    match (f.broken, lab.lang) {
                        (true, Lang::Zh) => {
                            buf.push_str("断链：上游已有 ");
                            lab.join(&f.supplied_from, "、", &mut buf);
                            buf.push_str("，下游已有 ");
                            lab.join(&f.needed_by, "、", &mut buf);
                            buf.push_str("，中间缺失");
                        }
                        (true, Lang::En) => {
                            buf.push_str("断链: missing between present ");
                            lab.join(&f.supplied_from, "、", &mut buf);
                            buf.push_str(" (above) and ");
                            lab.join(&f.needed_by, "、", &mut buf);
                            buf.push_str(" (below)");
                        }
                        (false, Lang::Zh) => {
                            buf.push_str("本地已有的 ");
                            lab.join(&f.needed_by, "、", &mut buf);
                            buf.push_str(" 需要它；本地没有生产企业");
                        }
                        (false, Lang::En) => {
                            buf.push_str("needed by present ");
                            lab.join(&f.needed_by, "、", &mut buf);
                            buf.push_str("; no local producer");
                        }
                    }
                    if let Some(public) = &lab.public[f.pos] {
                        buf.push_str(public);
                    }
                    lead_row(
                        lead,
                        [
                            // `no` (序号), numbered when the rows are final.
                            Value::Int(0),
                            Value::Int(rank as i64),
                            lab.name[f.pos].clone(),
                            lab.stage[f.pos].clone(),
                            if f.broken {
                                broken.clone()
                            } else {
                                fill.clone()
                            },
                            lab.list(&f.needed_by),
                            Value::Int(f.needed_by.len() as i64),
                            lab.list(&f.supplied_from),
                            path,
                            Value::text(&buf),
                            lab.list(&f.linked),
                            Value::Float(f.reach),
                            // Hops down to the nearest present user (1: a direct input).
                            Value::Int(f.path.len() as i64 - 1),
                        ],
                    )
                })
                .collect()
        }
        GapKind::Extend => {
            let gaps = gaps::extend(v, &states, &present);
            let ranks = gaps::extend_ranks(&gaps);
            gaps.into_iter()
                .zip(ranks)
                .map(|(e, rank)| {
                    let present_n = lab.joined(&e.present_neighbours, "、");
                    let planned_n = lab.joined(&e.planned_neighbours, "、");
                    // The density counts planned neighbours at half weight: say so, or a density
                    // of 0.5 with "0 present" reads as an error.
                    let lang = lab.lang;
                    let (p, n, k) = (
                        e.present_neighbours.len(),
                        e.neighbours,
                        e.planned_neighbours.len(),
                    );
                    let (weight, density) =
                        (fmt_yi(gaps::PLANNED_WEIGHT), fmt_yi(e.density));
                    let present_n = if present_n.is_empty() {
                        String::new()
                    } else {
                        tr!(lang, "（{present_n}）", " ({present_n})")
                    };
                    let planned_n = if planned_n.is_empty() {
                        String::new()
                    } else {
                        tr!(
                            lang,
                            "，规划在建 {k} 个（{planned_n}；每个按 {weight} 计）",
                            ", {k} planned ({planned_n}; each counts {weight})"
                        )
                    };
                    let public = lab.public[e.pos].as_deref().unwrap_or("");
                    let reason = tr!(
                        lang,
                        "{n} 个相邻环节中本地已有 {p} 个{present_n}{planned_n}；密度 {density}{public}",
                        "{p} of {n} chain neighbours present{present_n}{planned_n}; density {density}{public}"
                    );
                    lead_row(
                        lead,
                        [
                            // `no` (序号), numbered when the rows are final.
                            Value::Int(0),
                            Value::Int(rank as i64),
                            lab.name[e.pos].clone(),
                            lab.stage[e.pos].clone(),
                            Value::text(if e.downstream {
                                "downstream"
                            } else {
                                "upstream"
                            }),
                            Value::Float(e.density),
                            lab.list(&e.present_neighbours),
                            Value::Int(e.neighbours as i64),
                            Value::text(reason),
                        ],
                    )
                })
                .collect()
        }
        GapKind::Strengthen => {
            let links = gaps::strengthen(g, v, place, &states, &present);
            let ranks = gaps::strengthen_ranks(&links);
            links
                .into_iter()
                .zip(ranks)
                .map(|(w, rank)| {
                    let deps = lab.joined(&w.dependents, "、");
                    let lang = lab.lang;
                    let who = if w.state == SegmentState::Planned {
                        let projects = w
                            .projects
                            .iter()
                            .map(|&p| project_label(g, p))
                            .collect::<Vec<_>>()
                            .join("、");
                        tr!(lang, "仅有规划：{projects}", "only planned: {projects}")
                    } else {
                        let (n, l) = (w.producers.len(), w.leading);
                        tr!(
                            lang,
                            "{n} 家生产企业，其中龙头 {l} 家",
                            "{n} producer(s), {l} leading"
                        )
                    };
                    let k = w.dependents.len();
                    let reason = if deps.is_empty() {
                        tr!(
                            lang,
                            "{who}；本地没有已有环节依赖它",
                            "{who}; no present segment depends on it"
                        )
                    } else {
                        tr!(
                            lang,
                            "{who}；本地 {k} 个已有环节依赖它：{deps}",
                            "{who}; {k} present segment(s) depend on it: {deps}"
                        )
                    };
                    let (linked, reach) = (w.linked.len(), fmt_yi(w.reach));
                    let reason = tr!(
                        lang,
                        "{reason}；与上下游 {linked} 个本地环节相连（关联度 {reach}）",
                        "{reason}; linked to {linked} local segment(s) up- and downstream (reach {reach})"
                    );
                    lead_row(
                        lead,
                        [
                            // `no` (序号), numbered when the rows are final.
                            Value::Int(0),
                            Value::Int(rank as i64),
                            lab.name[w.pos].clone(),
                            lab.stage[w.pos].clone(),
                            Value::text(w.state.as_str()),
                            Value::texts(w.weakness.iter().copied()),
                            names(g, &w.producers),
                            Value::Int(w.leading as i64),
                            Value::texts(w.projects.iter().map(|&p| project_label(g, p))),
                            Value::Int(w.dependents.len() as i64),
                            Value::text(reason),
                            lab.list(&w.linked),
                            Value::Float(w.reach),
                        ],
                    )
                })
                .collect()
        }
    }
}

/// Chains of an industry and of the industries below it (PART_OF), in data order.
fn industry_chains(g: &Graph, industry: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut stack = vec![industry];
    let mut seen = HashSet::from([industry]);
    while let Some(i) = stack.pop() {
        for (c, _) in g.neighbors(i, EdgeKind::BelongsTo, Dir::Incoming) {
            if g.node(c).kind == Kind::Chain && !out.contains(&c) {
                out.push(c);
            }
        }
        for (sub, _) in g.neighbors(i, EdgeKind::PartOf, Dir::Incoming) {
            if seen.insert(sub) {
                stack.push(sub);
            }
        }
    }
    out
}

fn has_system(g: &Graph, p: u32) -> bool {
    !g.neighbors(p, EdgeKind::InSystem, Dir::Incoming).is_empty()
}

/// The places whose industry systems `build in PLACE` reads: the place's own; with `inherited`,
/// also every place above it that has one, nearest first (labelled so). So a district is never
/// asked to build the provincial catalog's chains unless the user asks for them.
fn build_holders(g: &Graph, place: u32, inherited: bool) -> Vec<u32> {
    let own = has_system(g, place).then_some(place);
    let above = g
        .ancestors(place)
        .iter()
        .copied()
        .filter(|&p| inherited && p != place && has_system(g, p));
    own.into_iter().chain(above).collect()
}

fn build_rows(g: &Graph, place: u32, below: f64, inherited: bool, lang: Lang) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut seen_chains = HashSet::new();
    for holder in build_holders(g, place, inherited) {
        build_rows_of(g, place, holder, below, lang, &mut seen_chains, &mut rows);
    }
    // Least covered first: the chains that most need building.
    rows.sort_by(|a, b| a[9].total_cmp(&b[9]));
    rows
}

/// The rows of `holder`'s systems for `place`, skipping chains already listed.
fn build_rows_of(
    g: &Graph,
    place: u32,
    holder: u32,
    below: f64,
    lang: Lang,
    seen_chains: &mut HashSet<u32>,
    rows: &mut Vec<Row>,
) {
    let h = name(g, holder);
    let whose = if holder == place {
        tr!(lang, "{h} 的产业体系", "system of {h}")
    } else {
        tr!(lang, "上级 {h} 的产业体系", "system of {h}, inherited")
    };
    for (industry, e) in g.neighbors(holder, EdgeKind::InSystem, Dir::Incoming) {
        let sys = g.ds.edge_system(e);
        for c in industry_chains(g, industry) {
            if !seen_chains.insert(c) {
                continue;
            }
            let segs = g.chain_segments(c);
            if !hosted_products(g, place, c).is_empty() {
                continue; // the place hosts the chain: a fill/strengthen question, not build
            }
            let mut counts = [0usize; 4];
            for &s in segs {
                counts[g.state(place, s) as usize] += 1;
            }
            let n = segs.len().max(1);
            let coverage = counts[0] as f64 / n as f64;
            if coverage >= below {
                continue;
            }
            let coverage = (coverage * 1000.0).round() / 1000.0;
            let unknown = if counts[3] > 0 {
                let k = counts[3];
                tr!(
                    lang,
                    "，未知 {k} 个（无企业数据）",
                    ", {k} unknown (no enterprise data)"
                )
            } else {
                String::new()
            };
            let (p, n, planned) = (counts[0], segs.len(), counts[1]);
            let pct = fmt_yi((coverage * 100.0 * 10.0).round() / 10.0);
            let threshold = fmt_yi(below * 100.0);
            rows.push(vec![
                Value::text(name(g, c)),
                Value::text(name(g, industry)),
                sys.map_or(Value::Null, |s| Value::text(&*s.system)),
                sys.map_or(Value::Null, |s| Value::opt_text(&s.class)),
                Value::Int(segs.len() as i64),
                Value::Int(counts[0] as i64),
                Value::Int(counts[1] as i64),
                Value::Int(counts[2] as i64),
                Value::Int(counts[3] as i64),
                Value::Float(coverage),
                Value::text(tr!(
                    lang,
                    "{n} 个环节中已有 {p} 个（{pct}%），规划在建 {planned} 个{unknown}；{whose}；低于 {threshold}%",
                    "{p} of {n} segments present ({pct}%), {planned} planned{unknown}; {whose}; below {threshold}%"
                )),
            ]);
        }
    }
}

/// The chain's end products (segments that feed no other segment of the chain) that are
/// present in the place: a place that makes 卷烟 hosts 卷烟及配套, whatever share of its
/// inputs it makes, and is not asked to build it.
fn hosted_products(g: &Graph, place: u32, chain: u32) -> Vec<u32> {
    let feeds: HashSet<u32> = g.chain_edges(chain).into_iter().map(|(a, _)| a).collect();
    g.chain_segments(chain)
        .iter()
        .copied()
        .filter(|s| !feeds.contains(s) && g.state(place, *s) == SegmentState::Present)
        .collect()
}

/// For `build`: the chains left out because the place hosts them, and where the place has no
/// industry system of its own, which places above have one (to ask for with `inherited`).
fn build_notes(g: &Graph, place: u32, inherited: bool, lang: Lang, notes: &mut Vec<String>) {
    let holders = build_holders(g, place, inherited);
    let mut hosted = Vec::new();
    let mut seen = HashSet::new();
    for &h in &holders {
        for (industry, _) in g.neighbors(h, EdgeKind::InSystem, Dir::Incoming) {
            for c in industry_chains(g, industry) {
                let made = hosted_products(g, place, c);
                if seen.insert(c) && !made.is_empty() {
                    let made: Vec<String> = made.iter().map(|&s| name(g, s)).collect();
                    hosted.push(format!("{} ({})", name(g, c), made.join("、")));
                }
            }
        }
    }
    let p = name(g, place);
    if !hosted.is_empty() {
        let hosted = hosted.join("、");
        notes.push(tr!(
            lang,
            "{p} 已承载这些产业链（生产其终端产品），未列出：{hosted}；它们的缺口请用 补链 / 强链 查",
            "not listed, as {p} hosts them (makes an end product): {hosted}; ask fill / strengthen for their gaps"
        ));
    }
    let above: Vec<String> = g
        .ancestors(place)
        .iter()
        .copied()
        .filter(|&p| p != place && has_system(g, p))
        .map(|p| name(g, p))
        .collect();
    let own = has_system(g, place);
    let above = above.join("、");
    match (own, inherited, above.is_empty()) {
        (_, _, true) if !own => notes.push(tr!(
            lang,
            "{p} 及其上级都没有产业体系",
            "{p} has no industry system of its own, nor does any place above it"
        )),
        (false, false, false) => notes.push(tr!(
            lang,
            "{p} 没有自己的产业体系；`build in {p} inherited`（建链 在 {p} 含上级）读取上级（{above}）的产业体系",
            "{p} has no industry system of its own; `build in {p} inherited` reads the systems of the places above it ({above})"
        )),
        (false, true, false) => notes.push(tr!(
            lang,
            "{p} 没有自己的产业体系：所列产业链来自上级 {above} 的产业体系",
            "{p} has no industry system of its own: the chains are those of the systems of {above} (inherited)"
        )),
        (true, true, false) => notes.push(tr!(
            lang,
            "除 {p} 自己的产业体系外，也列出上级 {above} 产业体系中的产业链",
            "besides {p}'s own system, the chains of the systems of {above} (inherited) are listed"
        )),
        _ => {}
    }
}

fn compare(g: &Graph, chain: u32, places: &[u32], ctx: Ctx) -> Result<Vec<Row>, QueryError> {
    let view = ChainView::new(g, chain);
    let states: Vec<Vec<SegmentState>> = if ctx.parallel {
        places.par_iter().map(|&p| view.states(g, p).0).collect()
    } else {
        places.iter().map(|&p| view.states(g, p).0).collect()
    };
    ctx.check()?;
    let mut rows = Vec::new();
    for &i in view.order() {
        let s = view.segs[i];
        let mut row = vec![Value::text(name(g, s)), stage(g, s)];
        for st in &states {
            row.push(Value::text(st[i].as_str()));
        }
        let present: Vec<usize> = (0..places.len())
            .filter(|&k| states[k][i] == SegmentState::Present)
            .collect();
        let overlap = if present.len() >= 2 {
            present.iter().map(|&k| name(g, places[k])).collect()
        } else {
            Vec::new()
        };
        row.push(Value::texts(overlap));
        // A could supply B: A makes s, B lacks it but makes a direct user of s.
        let mut supply = Vec::new();
        for &a in &present {
            for (b, st) in states.iter().enumerate() {
                if b != a
                    && st[i] != SegmentState::Present
                    && view.succ[i].iter().any(|&u| st[u] == SegmentState::Present)
                {
                    supply.push(format!("{}→{}", name(g, places[a]), name(g, places[b])));
                }
            }
        }
        row.push(Value::texts(supply));
        rows.push(row);
    }
    Ok(rows)
}

fn node_matches(g: &Graph, n: u32, step: &StepPlan) -> bool {
    step.kind.is_none_or(|k| g.node(n).kind == k)
        && step.nodes.as_ref().is_none_or(|v| v.contains(&n))
}

struct PathSearch<'a> {
    g: &'a Graph,
    steps: &'a [StepPlan],
    ctx: Ctx<'a>,
    work: usize,
    rows: Vec<Row>,
}

impl PathSearch<'_> {
    /// Walk step `si`, already `hops` edges into it, from the last node of `path`.
    fn walk(&mut self, path: &mut Vec<u32>, si: usize, hops: u32) -> Result<(), QueryError> {
        let step = &self.steps[si];
        let here = *path.last().unwrap_or(&0);
        if hops >= step.min && node_matches(self.g, here, step) {
            if si + 1 == self.steps.len() {
                self.emit(path)?;
            } else {
                self.walk(path, si + 1, 0)?;
            }
        }
        if hops == step.max {
            return Ok(());
        }
        let dir = if step.forward {
            Dir::Outgoing
        } else {
            Dir::Incoming
        };
        for (next, _) in self.g.neighbors(here, step.edge, dir) {
            self.work += 1;
            if self.work.is_multiple_of(4096) {
                self.ctx.check()?;
            }
            if self.work > MAX_PATH_WORK {
                return Err(QueryError::semantic(
                    "paths",
                    format!(
                        "the pattern walked more than {MAX_PATH_WORK} edges; narrow it (fewer hops, a kind or a name in the node patterns)"
                    ),
                    super::ast::Span::default(),
                ));
            }
            if path.contains(&next) {
                continue; // simple paths only: no node twice
            }
            path.push(next);
            let r = self.walk(path, si, hops + 1);
            path.pop();
            r?;
        }
        Ok(())
    }

    fn emit(&mut self, path: &[u32]) -> Result<(), QueryError> {
        if self.rows.len() == MAX_PATHS {
            return Err(QueryError::semantic(
                "paths",
                format!(
                    "the pattern matches more than {MAX_PATHS} paths; narrow it (fewer hops, a kind or a name in the node patterns)"
                ),
                super::ast::Span::default(),
            ));
        }
        let (Some(&first), Some(&last)) = (path.first(), path.last()) else {
            return Ok(());
        };
        self.rows.push(vec![
            Value::text(name(self.g, first)),
            Value::text(name(self.g, last)),
            Value::text(self.g.node(last).kind.label_zh()),
            Value::Int(path.len() as i64 - 1),
            Value::text(
                path.iter()
                    .map(|&p| name(self.g, p))
                    .collect::<Vec<_>>()
                    .join(" → "),
            ),
        ]);
        Ok(())
    }
}

fn paths(g: &Graph, from: &[u32], steps: &[StepPlan], ctx: Ctx) -> Result<Vec<Row>, QueryError> {
    let mut search = PathSearch {
        g,
        steps,
        ctx,
        work: 0,
        rows: Vec::new(),
    };
    for &start in from {
        let mut path = vec![start];
        // Step 0 starts 0 hops in; the start node itself never has to match step 0's pattern
        // unless the step allows 0 hops (it does not: min ≥ 1).
        search.walk(&mut path, 0, 0)?;
    }
    Ok(search.rows)
}

// ------------------------------------------------------------------------------------ operators

fn val<'a>(row: &'a Row, a: &'a Arg) -> &'a Value {
    match a {
        Arg::Col(i) => &row[*i],
        Arg::Val(v) => v,
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        _ => a.total_cmp(b) == std::cmp::Ordering::Equal,
    }
}

fn comparable(a: &Value, b: &Value) -> bool {
    matches!(
        (a, b),
        (
            Value::Int(_) | Value::Float(_),
            Value::Int(_) | Value::Float(_)
        ) | (Value::Text(_), Value::Text(_))
    )
}

/// Whether a row meets a condition. Recurses once per `and` / `or` level (bounded by the
/// parser's `MAX_CONDITION_DEPTH`); a run of `not`s is a loop.
fn eval(c: &Cond, row: &Row) -> bool {
    let mut c = c;
    let mut negated = false;
    while let Cond::Not(x) = c {
        negated = !negated;
        c = x;
    }
    negated != eval_once(c, row)
}

fn eval_once(c: &Cond, row: &Row) -> bool {
    match c {
        Cond::Or(v) => {
            for x in v {
                if eval(x, row) {
                    return true;
                }
            }
            false
        }
        Cond::And(v) => {
            for x in v {
                if !eval(x, row) {
                    return false;
                }
            }
            true
        }
        Cond::Not(x) => !eval(x, row),
        Cond::Cmp(a, op, b) => {
            let (a, b) = (val(row, a), val(row, b));
            // Missing values compare as nothing (SQL-like): use `is null` to find them.
            if a.is_null() || b.is_null() {
                return false;
            }
            match op {
                CmpOp::Eq => equal(a, b),
                CmpOp::Ne => !equal(a, b),
                _ if !comparable(a, b) => false,
                CmpOp::Lt => a.total_cmp(b).is_lt(),
                CmpOp::Le => a.total_cmp(b).is_le(),
                CmpOp::Gt => a.total_cmp(b).is_gt(),
                CmpOp::Ge => a.total_cmp(b).is_ge(),
            }
        }
        Cond::In(a, list) => {
            let a = val(row, a);
            list.iter().any(|x| equal(a, val(row, x)))
        }
        Cond::Contains(a, b) => match (val(row, a), val(row, b)) {
            (Value::Text(s), Value::Text(t)) => s.contains(&**t),
            (Value::List(items), b) => items.iter().any(|x| equal(x, b)),
            _ => false,
        },
        Cond::IsNull(a, negated) => {
            let v = val(row, a);
            let null = v.is_absent();
            null != *negated
        }
    }
}

/// A hashable key for grouping and distinct (values print unambiguously in Debug form).
fn key(values: impl Iterator<Item = Value>) -> String {
    format!("{:?}", values.collect::<Vec<_>>())
}

/// `| targets`: the target list for the segments of the incoming rows.
fn target_rows(
    g: &Graph,
    op: &Op,
    rows: Vec<Row>,
    lang: Lang,
    notes: &mut Vec<String>,
) -> Result<Vec<Row>, QueryError> {
    use crate::targets::{Gap, config, list};
    let Op::Targets {
        chain,
        place,
        kind,
        segment,
    } = op
    else {
        return Err(QueryError::internal("target_rows on another operator"));
    };
    // After fill, which gaps are 断链 comes from the gap analysis of the same chain and place
    // the rows came from, not from the rows' text.
    let broken: Vec<u32> = if *kind == Some(GapKind::Fill) {
        let v = ChainView::new(g, *chain);
        let (states, present) = v.states(g, *place);
        gaps::fill(&v, &states, &present)
            .into_iter()
            .filter(|f| f.broken)
            .map(|f| v.segs[f.pos])
            .collect()
    } else {
        Vec::new()
    };
    let mut gaps: Vec<Gap> = Vec::new();
    for r in &rows {
        let Some(Value::Text(name)) = r.get(*segment) else {
            continue;
        };
        let Some(&s) = g.names.lookup(&g.ds.nodes, name, &[Kind::Segment]).first() else {
            continue;
        };
        let gap = match kind {
            Some(GapKind::Fill) => Gap::fill(s, broken.contains(&s)),
            Some(k) => Gap::of(s, *k),
            None => Gap::named(s),
        };
        if !gaps.iter().any(|x| x.segment == s) {
            gaps.push(gap);
        }
    }
    notes.extend(list::without_candidates_notes(g, *place, &gaps, lang));
    let weights = config::Weights::defaults();
    let rules = config::parse_rules(None).map_err(QueryError::internal)?;
    let table = list::target_list(
        g,
        &list::ListRequest {
            chain: *chain,
            place: *place,
            gaps,
            limit: usize::MAX,
            origin: Vec::new(),
            tags: Vec::new(),
            investment: None,
            excluded: false,
            weights: &weights,
            rules: &rules,
            lang,
        },
    )
    .map_err(QueryError::internal)?;
    notes.extend(table.notes);
    Ok(table.rows)
}

fn apply(op: &Op, mut rows: Vec<Row>) -> Result<Vec<Row>, QueryError> {
    Ok(match op {
        Op::Targets { .. } => return Err(QueryError::internal("targets needs the graph")),
        Op::Filter(c) => rows.into_iter().filter(|r| eval(c, r)).collect(),
        Op::Sort(keys) => {
            rows.sort_by(|a, b| {
                for &(i, desc, domain) in keys {
                    let (x, y) = (&a[i], &b[i]);
                    // Nulls (and empty lists, which count as null) last in both directions.
                    let o = match (x.is_absent(), y.is_absent()) {
                        (true, false) => std::cmp::Ordering::Greater,
                        (false, true) => std::cmp::Ordering::Less,
                        _ => {
                            let o = match (domain, x, y) {
                                (Some(d), Value::Text(p), Value::Text(q)) => d.cmp_ids(p, q),
                                _ => x.total_cmp(y),
                            };
                            if desc { o.reverse() } else { o }
                        }
                    };
                    if o.is_ne() {
                        return o;
                    }
                }
                std::cmp::Ordering::Equal
            });
            rows
        }
        Op::Limit(n) => {
            rows.truncate(*n);
            rows
        }
        Op::Project(idx) => rows
            .into_iter()
            .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
            .collect(),
        Op::Distinct => {
            let mut seen = HashSet::new();
            rows.into_iter()
                .filter(|r| seen.insert(key(r.iter().cloned())))
                .collect()
        }
        Op::Expand(i) => {
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                match &r[*i] {
                    Value::List(items) if !items.is_empty() => {
                        for it in items {
                            let mut nr = r.clone();
                            nr[*i] = it.clone();
                            out.push(nr);
                        }
                    }
                    Value::List(_) => {
                        let mut nr = r;
                        nr[*i] = Value::Null;
                        out.push(nr);
                    }
                    _ => out.push(r),
                }
            }
            out
        }
        Op::Group { keys, aggs } => group(&rows, keys, aggs),
    })
}

fn group(rows: &[Row], keys: &[usize], aggs: &[(AggFn, Option<usize>)]) -> Vec<Row> {
    let mut order: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (ri, r) in rows.iter().enumerate() {
        let k = key(keys.iter().map(|&i| r[i].clone()));
        let gi = *index.entry(k).or_insert_with(|| {
            order.push(Vec::new());
            order.len() - 1
        });
        order[gi].push(ri);
    }
    // A total with no `by` over no rows is still one row (count 0), like SQL.
    if keys.is_empty() && order.is_empty() {
        order.push(Vec::new());
    }
    order
        .into_iter()
        .map(|members| {
            let mut out: Row = match members.first() {
                Some(&f) => keys.iter().map(|&i| rows[f][i].clone()).collect(),
                None => Vec::new(),
            };
            for &(func, col) in aggs {
                let vals = || {
                    members
                        .iter()
                        .map(|&m| &rows[m])
                        .filter_map(|r| col.map(|c| &r[c]))
                        .filter(|v| !v.is_absent())
                };
                out.push(match func {
                    AggFn::Count => Value::Int(match col {
                        None => members.len() as i64,
                        Some(_) => vals().count() as i64,
                    }),
                    AggFn::Sum => {
                        let all_int = vals().all(|v| matches!(v, Value::Int(_)));
                        if vals().next().is_none() {
                            Value::Null
                        } else if all_int {
                            Value::Int(
                                vals()
                                    .filter_map(|v| {
                                        if let Value::Int(i) = v {
                                            Some(*i)
                                        } else {
                                            None
                                        }
                                    })
                                    .fold(0i64, |a, b| a.saturating_add(b)),
                            )
                        } else {
                            Value::Float(vals().filter_map(Value::as_f64).sum())
                        }
                    }
                    AggFn::Avg => {
                        let v: Vec<f64> = vals().filter_map(Value::as_f64).collect();
                        if v.is_empty() {
                            Value::Null
                        } else {
                            Value::Float(v.iter().sum::<f64>() / v.len() as f64)
                        }
                    }
                    AggFn::Min => vals()
                        .min_by(|a, b| a.total_cmp(b))
                        .cloned()
                        .unwrap_or(Value::Null),
                    AggFn::Max => vals()
                        .max_by(|a, b| a.total_cmp(b))
                        .cloned()
                        .unwrap_or(Value::Null),
                    AggFn::Collect => {
                        let mut items: Vec<Value> = Vec::new();
                        for v in vals() {
                            if !items.iter().any(|x| equal(x, v)) {
                                items.push(v.clone());
                            }
                        }
                        Value::List(items)
                    }
                });
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{ErrorKind, parse, plan};

    fn fixture() -> Graph {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
        let loaded = crate::data::load(&[dir], Default::default()).expect("fixture");
        Graph::build(loaded.dataset)
    }

    fn planned(g: &Graph, q: &str) -> Plan {
        plan::plan(g, &parse::parse(q).expect("parses")).expect("plans")
    }

    fn run(g: &Graph, q: &str) -> Table {
        let cancel = AtomicBool::new(false);
        execute(
            g,
            &planned(g, q),
            Ctx {
                cancel: &cancel,
                parallel: false,
                lang: Default::default(),
            },
        )
        .expect("runs")
    }

    fn column<'t>(t: &'t Table, row: usize, col: &str) -> &'t Value {
        let i = t.columns.iter().position(|c| c == col).expect("column");
        &t.rows[row][i]
    }

    /// The fixture with its files' texts passed through `edit(name, text)` (`graphs/…`,
    /// `seeds/…`).
    fn fixture_edited(edit: impl Fn(&str, String) -> String) -> Graph {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
        let mut inputs = Vec::new();
        for sub in ["graphs", "seeds"] {
            let mut files: Vec<_> = std::fs::read_dir(dir.join(sub))
                .expect("fixture")
                .flatten()
                .map(|e| e.path())
                .collect();
            files.sort();
            for f in files {
                let name = format!("{sub}/{}", f.file_name().unwrap().to_string_lossy());
                let text = edit(&name, std::fs::read_to_string(&f).expect("read fixture"));
                inputs.push(crate::data::Input {
                    display: name.clone(),
                    name,
                    bytes: Ok(text.into_bytes()),
                    path: None,
                });
            }
        }
        let loaded = crate::data::load_inputs(inputs, Default::default());
        assert!(loaded.is_ok(), "{:?}", loaded.diags);
        Graph::build(loaded.dataset)
    }

    /// The fixture with an edge stated twice, apart (锂电池 BELONGS_TO 新能源 and 绿色能源 in the
    /// chain's template, then 新能源 again in industries.csv), and an enterprise that BELONGS_TO
    /// an industry.
    fn fixture_with_repeated_edges() -> Graph {
        fixture_edited(|name, text| {
            match name {
            "graphs/lithium.toml" => text.replace(
                r#"industries = ["新能源"]"#,
                r#"industries = ["新能源", "绿色能源"]"#,
            ),
            "seeds/industries.csv" => "id,chains,source\n新能源,锂电池,fixture:industries\n绿色能源,光伏,fixture:industries\n生物医药,,fixture:industries\n".into(),
            // The fixture's enterprises.csv has an `industries` column: 乙电池 gets 新能源.
            "seeds/enterprises.csv" => text
                .lines()
                .map(|l| {
                    let (head, source) = l.rsplit_once(',').unwrap();
                    let (head, _) = head.rsplit_once(',').unwrap();
                    let industry = match l {
                        _ if l.starts_with("id,") => "industries",
                        _ if l.starts_with("乙电池") => "新能源",
                        _ => "",
                    };
                    format!("{head},{industry},{source}\n")
                })
                .collect(),
            _ => text,
        }
        })
    }

    /// The fixture with the 锂电池 template's segments listed in reverse (新能源汽车 first, 锂矿
    /// last); its SUPPLIES edges stay as they are.
    fn fixture_with_reversed_template() -> Graph {
        fixture_edited(|name, text| {
            if name != "graphs/lithium.toml" {
                return text;
            }
            let first = text.find("[[segment]]").expect("segments");
            let edges = text.find("[[supplies]]").expect("edges");
            let mut blocks: Vec<&str> = text[first..edges]
                .split("[[segment]]")
                .filter(|b| !b.trim().is_empty())
                .collect();
            blocks.reverse();
            let mut out = text[..first].to_string();
            for b in blocks {
                out.push_str("[[segment]]");
                out.push_str(b.trim_end());
                out.push_str("\n\n");
            }
            out.push_str(&text[edges..]);
            out
        })
    }

    fn texts(t: &Table, col: &str) -> Vec<String> {
        (0..t.rows.len())
            .map(|r| column(t, r, col).display())
            .collect()
    }

    /// Status, compare and `segments of` list a chain from resources to applications, whatever
    /// the template's order: inputs before users, then 上游 before 中游 before 下游, then
    /// template order. A walk inside the chain keeps that order at equal distance.
    #[test]
    fn a_chains_segments_read_from_resources_to_applications() {
        let g = fixture_with_reversed_template();
        let chain = g.names.lookup(&g.ds.nodes, "锂电池", &[Kind::Chain])[0];
        assert_eq!(
            names(&g, g.chain_segments(chain)).display(),
            "新能源汽车、储能系统、动力电池、铜箔、隔膜、电解液、负极材料、正极材料、碳酸锂、锂矿",
            "the template is reversed"
        );
        // 锂矿 and 碳酸锂 (上游) before the 中游 sources 铜箔, 隔膜, 负极材料 that the template lists
        // earlier; 动力电池 after all its inputs; 新能源汽车 before 储能系统 as in the template.
        let reading = [
            "锂矿",
            "碳酸锂",
            "铜箔",
            "隔膜",
            "电解液",
            "负极材料",
            "正极材料",
            "动力电池",
            "新能源汽车",
            "储能系统",
        ];
        assert_eq!(
            texts(&run(&g, "status 锂电池 in 测试园区"), "segment"),
            reading
        );
        assert_eq!(texts(&run(&g, "segments of 锂电池"), "name"), reading);
        assert_eq!(
            texts(&run(&g, "compare 锂电池 in 测试园区, 对手园区"), "segment"),
            reading
        );
        let walk = run(&g, "upstream 动力电池 chain 锂电池 in 测试园区");
        assert_eq!(
            texts(&walk, "segment"),
            [
                "铜箔",
                "隔膜",
                "电解液",
                "负极材料",
                "正极材料",
                "碳酸锂",
                "锂矿"
            ],
            "by distance, then in reading order"
        );
        assert_eq!(
            texts(&walk, "distance"),
            ["1", "1", "1", "1", "1", "2", "3"]
        );
    }

    /// The QA case: `status 锂电池 in 玉溪高新区` on the bundled data listed 电子元器件 (中游, a
    /// segment shared from another template) first, 锂矿 sixth and 锂电设备 (上游) 33rd.
    #[test]
    fn bundled_status_lists_the_lithium_chain_from_resources_to_applications() {
        let loaded = crate::bundle::load();
        assert!(loaded.is_ok(), "{:?}", loaded.diags.first());
        let g = Graph::build(loaded.dataset);
        let chain = g.names.lookup(&g.ds.nodes, "锂电池", &[Kind::Chain])[0];
        let t = run(&g, "status 锂电池 in 玉溪高新区");
        let rows = texts(&t, "segment");
        assert_eq!(rows.len(), g.chain_segments(chain).len());
        assert_eq!(rows[0], "锂矿");
        let at = |n: &str| rows.iter().position(|r| r == n).expect(n);
        assert!(
            at("锂电设备") < at("电子元器件"),
            "上游 before 中游: {rows:?}"
        );
        for (a, b) in g.chain_edges(chain) {
            assert!(
                at(g.node(a).name()) < at(g.node(b).name()),
                "{} supplies {} but is listed after it: {rows:?}",
                g.node(a).name(),
                g.node(b).name()
            );
        }
        assert_eq!(texts(&run(&g, "segments of 锂电池"), "name"), rows);
    }

    #[test]
    fn list_columns_hold_each_node_once_and_only_nodes_of_their_kind() {
        let g = fixture_with_repeated_edges();
        let chains = run(&g, "chains | where name = 锂电池");
        assert_eq!(
            column(&chains, 0, "industries"),
            &Value::texts(["新能源", "绿色能源"]),
            "the edge stated twice is listed once"
        );
        let industries = run(&g, "industries | where name = 新能源");
        assert_eq!(
            column(&industries, 0, "chains"),
            &Value::texts(["锂电池"]),
            "neither twice nor with the enterprise that BELONGS_TO the industry"
        );
        let found = run(&g, "find 新能源");
        assert_eq!(
            column(&found, 0, "details"),
            &Value::text("chains=锂电池"),
            "find's details list the chains alike"
        );
    }

    /// The bundled seed data states many edges twice (a chain's industries in its template and
    /// in industries.csv) and links enterprises to industries: every list column of every list
    /// source names each node once, and only nodes of the column's kind.
    #[test]
    fn bundled_list_columns_have_no_repeats_and_no_foreign_kinds() {
        let loaded = crate::bundle::load();
        assert!(loaded.is_ok(), "{:?}", loaded.diags.first());
        let g = Graph::build(loaded.dataset);
        let kinds: &[(&str, &[Kind])] = &[
            ("industries", &[Kind::Industry]),
            ("chains", &[Kind::Chain]),
            ("inputs", &[Kind::Segment]),
            ("users", &[Kind::Segment]),
            ("segments", &[Kind::Segment]),
            ("carriers", &[Kind::Enterprise]),
            ("focus", &[Kind::Industry, Kind::Chain, Kind::Segment]),
        ];
        for kind in ListKind::ALL {
            let t = run(&g, kind.keyword());
            assert!(!t.rows.is_empty(), "{}", kind.keyword());
            for (c, col) in t.columns.iter().enumerate() {
                for row in &t.rows {
                    let Value::List(items) = &row[c] else {
                        continue;
                    };
                    let mut seen = HashSet::new();
                    for v in items {
                        assert!(
                            seen.insert(v.display()),
                            "{} `{}`: {col} repeats {}",
                            kind.keyword(),
                            row[0].display(),
                            v.display()
                        );
                    }
                    if let Some((_, of)) = kinds.iter().find(|(n, _)| n == col) {
                        for v in items {
                            assert!(
                                !g.names.lookup(&g.ds.nodes, &v.display(), of).is_empty(),
                                "{} `{}`: {col} holds {}, which is no {of:?}",
                                kind.keyword(),
                                row[0].display(),
                                v.display()
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_set_cancel_flag_stops_work_over_many_places() {
        let g = fixture();
        let p = planned(&g, "fill 锂电池 in all parks");
        let cancel = AtomicBool::new(true);
        for parallel in [false, true] {
            let err = execute(
                &g,
                &p,
                Ctx {
                    cancel: &cancel,
                    parallel,
                    lang: Lang::Zh,
                },
            )
            .unwrap_err();
            assert_eq!(err.kind, ErrorKind::Cancelled);
        }
    }

    #[test]
    fn place_bitsets_agree_with_the_presence_index() {
        let g = fixture();
        let places: Vec<u32> = g
            .nodes_of(Kind::Region)
            .iter()
            .chain(g.nodes_of(Kind::Park))
            .copied()
            .collect();
        let mut seen = [0usize; 4];
        for &chain in g.nodes_of(Kind::Chain) {
            let v = ChainView::new(&g, chain);
            for &p in &places {
                let (states, present) = v.states(&g, p);
                for (i, &s) in v.segs.iter().enumerate() {
                    assert_eq!(
                        states[i],
                        g.state(p, s),
                        "{} in {}",
                        name(&g, s),
                        name(&g, p)
                    );
                    assert_eq!(present.get(i), g.state(p, s) == SegmentState::Present);
                    seen[states[i] as usize] += 1;
                }
            }
        }
        // The fixture exercises all four states (空白市 has no enterprise data: unknown).
        assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    }

    #[test]
    fn serial_and_parallel_runs_agree() {
        let g = fixture();
        let cancel = AtomicBool::new(false);
        for q in [
            "fill 锂电池 in all parks",
            "strengthen 锂电池 in all regions",
            "build in all parks inherited",
        ] {
            let p = planned(&g, q);
            let a = execute(
                &g,
                &p,
                Ctx {
                    cancel: &cancel,
                    parallel: false,
                    lang: Default::default(),
                },
            )
            .unwrap();
            let b = execute(
                &g,
                &p,
                Ctx {
                    cancel: &cancel,
                    parallel: true,
                    lang: Default::default(),
                },
            )
            .unwrap();
            assert_eq!(a, b, "{q}");
            assert!(!a.rows.is_empty(), "{q}");
        }
    }

    #[test]
    fn path_enumeration_is_bounded() {
        let g = fixture();
        let cancel = AtomicBool::new(false);
        let p = planned(
            &g,
            "paths from 动力电池 <-[SUPPLIES*1..8]-() -[SUPPLIES*1..4]->()",
        );
        let t = execute(
            &g,
            &p,
            Ctx {
                cancel: &cancel,
                parallel: false,
                lang: Default::default(),
            },
        )
        .unwrap();
        assert!(t.rows.len() <= MAX_PATHS);
        // Every path is simple: no node twice.
        for r in &t.rows {
            let Value::Text(path) = &r[4] else { panic!() };
            let nodes: Vec<&str> = path.split(" → ").collect();
            let set: HashSet<&&str> = nodes.iter().collect();
            assert_eq!(set.len(), nodes.len(), "{path}");
        }
    }
}
