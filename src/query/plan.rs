//! AST → plan: resolves names against the graph, checks every stage against the columns it
//! receives (with their types), and fixes the operators execution will run. `explain` prints it.

use super::ast::{
    self, AggFn, CmpOp, Direction, Expr, GapKind, ListKind, Name, Operand, Place, Source, Span,
    Stage, Statement,
};
use super::error::{QueryError, did_you_mean_zh};
use crate::graph::Graph;
use crate::lang::{Domain, Lang};
use crate::model::{EdgeKind, Kind};
use crate::names::{did_you_mean, distance, normalize, suggest};
use crate::report::Value;
use crate::report::schema::{Col, Ty, cols};

/// Deepest upstream/downstream traversal.
pub const MAX_DEPTH: i64 = 64;
/// Most hops one path step may take, and a whole path pattern.
pub const MAX_STEP_HOPS: i64 = 8;
pub const MAX_PATTERN_HOPS: i64 = 12;
/// Default coverage threshold of `build`.
pub const DEFAULT_BUILD_BELOW: f64 = 0.5;

/// Where a chain is examined.
#[derive(Clone, Debug, PartialEq)]
pub enum Places {
    One(u32),
    /// Every park (or region), each on its own row group; run in parallel.
    Each(Vec<u32>, &'static str),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SourcePlan {
    Find {
        hits: Vec<u32>,
    },
    List {
        kind: ListKind,
        within: Option<u32>,
    },
    Traverse {
        dir: Direction,
        segment: u32,
        depth: u32,
        chain: Option<u32>,
        place: Option<u32>,
    },
    Status {
        chain: u32,
        place: u32,
    },
    Gaps {
        kind: GapKind,
        chain: u32,
        places: Places,
    },
    Build {
        places: Places,
        below: f64,
        /// Also the systems of the places above, labelled as inherited.
        inherited: bool,
    },
    Compare {
        chain: u32,
        places: Vec<u32>,
    },
    Paths {
        from: Vec<u32>,
        steps: Vec<StepPlan>,
    },
    /// `enterprises | where segments contains … | sort revenue_yi desc, name | limit k`
    /// answered from the revenue-ordered producer lists (see `push_top_producers`); `keep` is
    /// the rest of the condition, tested on each firm's row.
    TopProducers {
        top: crate::report::producers::TopProducers,
        keep: Option<Cond>,
    },
    /// `partners in PLACE [chain C] [depth d]` (以商招商, `report::partners`).
    Partners(crate::report::partners::Partners),
    /// `upstream|downstream … in PLACE | where state = S [or …]` with the state tested during
    /// the walk (see `push_state_walk`).
    StateWalk(crate::report::walk::StateWalk),
    /// `fill C in all parks | where distance = d | group by place with count()` counted from
    /// the place bitsets (see `push_gap_count`).
    GapCount(crate::report::gap_count::GapCount),
}

#[derive(Clone, Debug, PartialEq)]
pub struct StepPlan {
    pub edge: EdgeKind,
    pub forward: bool,
    pub min: u32,
    pub max: u32,
    pub kind: Option<Kind>,
    /// Nodes the step must end on, when the pattern names one.
    pub nodes: Option<Vec<u32>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Col(usize),
    Val(Value),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Or(Vec<Cond>),
    And(Vec<Cond>),
    Not(Box<Cond>),
    Cmp(Arg, CmpOp, Arg),
    In(Arg, Vec<Arg>),
    Contains(Arg, Arg),
    IsNull(Arg, bool),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Filter(Cond),
    /// Column, descending, and the column's known values (sorted in their own order:
    /// 已有, 规划在建, 缺失, 未知 — not alphabetically by id).
    Sort(Vec<(usize, bool, Option<Domain>)>),
    Limit(usize),
    Project(Vec<usize>),
    Distinct,
    Group {
        keys: Vec<usize>,
        aggs: Vec<(AggFn, Option<usize>)>,
    },
    Expand(usize),
    /// Replace gap rows by target companies for their segments (`segment` column), for the
    /// source's chain in one place; `gap` marks 断链 rows, `kind` the source's gap kind.
    Targets {
        chain: u32,
        place: u32,
        kind: Option<GapKind>,
        segment: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub explain: bool,
    pub source: SourcePlan,
    /// Human description of the source, for `explain`.
    pub source_text: String,
    /// Columns the source produces.
    pub source_columns: Vec<Col>,
    /// Operators with their `explain` line.
    pub ops: Vec<(Op, String)>,
    /// Columns of the final result.
    pub columns: Vec<Col>,
}

impl Plan {
    /// The plan as numbered lines (what `explain` prints).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let names = |c: &[Col]| {
            c.iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(format!(
            "1. {} → [{}]",
            self.source_text,
            names(&self.source_columns)
        ));
        for (i, (_, text)) in self.ops.iter().enumerate() {
            out.push(format!("{}. {text}", i + 2));
        }
        out.push(format!("result columns: {}", names(&self.columns)));
        out
    }
}

// ------------------------------------------------------------------------------------ names

fn kinds_text(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| k.label_zh())
        .collect::<Vec<_>>()
        .join("/")
}

/// "Did you mean" for an unknown name: the graph's closest names, and among those equally
/// close (`names::distance`, where containing what was typed counts as one edit), first the
/// names that begin with what was typed, then the ones nearest in plain edit distance: `锂电`
/// suggests 锂电池 before 锂电池材料, `硅` 硅片 before 工业硅. (`crate::names::suggest` is shared
/// with data checking, which keeps its own order.)
fn suggest_names<'g>(g: &'g Graph, typed: &str, kinds: &[Kind], max: usize) -> Vec<&'g str> {
    /// How many of the shared ranking's best to re-rank: enough that a prefix match is not
    /// cut off by ties that came earlier in the data.
    const POOL: usize = 24;
    let pool = g.names.suggest(&g.ds.nodes, typed, kinds, POOL);
    let typed_n = normalize(typed);
    let mut ranked: Vec<(usize, bool, usize, usize, &str)> = pool
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let close = distance(typed, c).min(distance(&typed_n, &normalize(c)));
            let prefix = c.starts_with(typed) || normalize(c).starts_with(&typed_n);
            (close, !prefix, strsim::levenshtein(typed, c), i, c)
        })
        .collect();
    ranked.sort_unstable();
    ranked.into_iter().take(max).map(|r| r.4).collect()
}

/// Every node named `name` among `kinds`, or an error with "did you mean".
fn lookup(g: &Graph, name: &Name, kinds: &[Kind], clause: &str) -> Result<Vec<u32>, QueryError> {
    let hits = g.names.lookup(&g.ds.nodes, &name.text, kinds);
    if hits.is_empty() {
        let what = if kinds.is_empty() {
            "entity".to_string()
        } else {
            kinds_text(kinds)
        };
        let what_zh = if kinds.is_empty() {
            "实体".to_string()
        } else {
            kinds_text(kinds)
        };
        let sugg = suggest_names(g, &name.text, kinds, 3);
        let n = &name.text;
        if let Some(other) = g.other_kinds(&name.text, kinds) {
            let other_zh = other.strip_prefix("a ").unwrap_or(&other);
            return Err(QueryError::semantic(
                clause,
                format!("`{n}` is {other}, not a {what}{}", did_you_mean(&sugg)),
                name.span,
            )
            .with_zh(format!(
                "{clause}：`{n}` 是{other_zh}，不是{what_zh}{}",
                did_you_mean_zh(&sugg)
            )));
        }
        return Err(QueryError::semantic(
            clause,
            format!("no {what} named `{n}`{}", did_you_mean(&sugg)),
            name.span,
        )
        .with_zh(format!(
            "{clause}：没有名为 `{n}` 的{what_zh}{}",
            did_you_mean_zh(&sugg)
        )));
    }
    Ok(hits)
}

/// Exactly one node named `name`.
fn lookup_one(g: &Graph, name: &Name, kinds: &[Kind], clause: &str) -> Result<u32, QueryError> {
    let hits = lookup(g, name, kinds, clause)?;
    if hits.len() > 1 {
        let ids: Vec<String> = hits
            .iter()
            .take(5)
            .map(|&h| format!("{} ({})", g.node(h).id, g.node(h).kind.label_zh()))
            .collect();
        return Err(QueryError::semantic(
            clause,
            format!(
                "`{}` names {} entities: {}; use the id",
                name.text,
                hits.len(),
                ids.join(", ")
            ),
            name.span,
        )
        .with_zh(format!(
            "{clause}：`{}` 对应 {} 个实体：{}；请用编号（id）",
            name.text,
            hits.len(),
            ids.join("、")
        )));
    }
    Ok(hits[0])
}

const PLACE_KINDS: &[Kind] = &[Kind::Park, Kind::Region];

fn place_one(g: &Graph, p: &Place, clause: &str) -> Result<u32, QueryError> {
    match p {
        Place::Named(n) => lookup_one(g, n, PLACE_KINDS, clause),
        _ => Err(QueryError::semantic(
            clause,
            format!("needs one place here, not `{p}`"),
            p.span(),
        )
        .with_zh(format!("{clause}：这里要一个地方，不能是 `{p}`"))
        .with_hints(
            "name one park or region; `in all parks` / `in all regions` work for fill, extend, strengthen and build",
            "请写一个园区或行政区；`in all parks` / `in all regions`（所有园区 / 所有地区）只用于 补链、延链、强链 和 建链",
        )),
    }
}

fn places(g: &Graph, p: &Place, clause: &str) -> Result<Places, QueryError> {
    Ok(match p {
        Place::Named(n) => Places::One(lookup_one(g, n, PLACE_KINDS, clause)?),
        Place::AllParks(_) => Places::Each(g.nodes_of(Kind::Park).to_vec(), "park"),
        Place::AllRegions(_) => Places::Each(g.nodes_of(Kind::Region).to_vec(), "region"),
    })
}

fn place_text(g: &Graph, p: &Places) -> String {
    match p {
        Places::One(p) => g.node(*p).name().to_string(),
        Places::Each(v, what) => format!("each of {} {what}s (parallel)", v.len()),
    }
}

fn with_place(p: &Places, mut c: Vec<Col>) -> Vec<Col> {
    if matches!(p, Places::Each(..)) {
        c.insert(0, Col::new("place", Ty::Text));
    }
    c
}

/// `c` with the named column's values from `domain` (node kinds, which no column name says).
fn with_domain(mut c: Vec<Col>, name: &str, domain: Domain) -> Vec<Col> {
    for col in c.iter_mut().filter(|col| col.name == name) {
        col.domain = Some(domain);
    }
    c
}

// ------------------------------------------------------------------------------------ sources

/// Columns of each source (also listed in docs/QUERY.md).
pub fn list_columns(kind: ListKind) -> Vec<Col> {
    use Ty::*;
    let mut c = cols(match kind {
        ListKind::Chains => &[
            ("name", Text),
            ("aliases", List),
            ("segments", Int),
            ("industries", List),
        ],
        ListKind::Segments => &[
            ("name", Text),
            ("stage", Text),
            ("chains", List),
            ("inputs", List),
            ("users", List),
            ("public", Text),
            ("route_of", Text),
            ("routes", List),
        ],
        ListKind::Enterprises => &[
            ("name", Text),
            ("province", Text),
            ("city", Text),
            ("location", Text),
            ("revenue_yi", Float),
            ("tags", List),
            ("listing", Text),
            ("segments", List),
            ("industries", List),
            ("listed_in", List),
            ("listed_in_source", List),
        ],
        ListKind::Parks => &[
            ("name", Text),
            ("kind", Text),
            ("parent", Text),
            ("area_km2", Float),
            ("focus", List),
        ],
        ListKind::Projects => &[
            ("id", Text),
            ("name", Text),
            ("domain", Text),
            ("category", Text),
            ("location", Text),
            ("investment_yi", Float),
            ("land_mu", Float),
            ("start_year", Int),
            ("end_year", Int),
            ("status", Text),
            ("segments", List),
            ("carriers", List),
        ],
        ListKind::Industries => &[
            ("name", Text),
            ("parent", Text),
            ("chains", List),
            ("systems", List),
            ("listed", List),
            ("listed_source", List),
        ],
        ListKind::Regions => &[("name", Text), ("level", Text), ("parent", Text)],
        ListKind::Systems => &[
            ("place", Text),
            ("system", Text),
            ("industry", Text),
            ("class", Text),
            ("target_revenue_yi", Float),
        ],
        ListKind::Figures => &[
            ("place", Text),
            ("system", Text),
            ("industry", Text),
            ("measure", Text),
            ("value", Float),
            ("unit", Text),
            ("year", Int),
            ("text", Text),
        ],
        ListKind::Catalog => &[
            ("place", Text),
            ("system", Text),
            ("industry_no", Int),
            ("industry", Text),
            ("number", Int),
            ("heading", Text),
            ("item", Text),
            ("models", List),
        ],
    });
    if kind == ListKind::Projects {
        c.extend(cols(&[("investment_text", Text), ("scale", Text)]));
    }
    // Every list ends with the row's provenance: `file:line — citation`, and its anomaly notes.
    c.extend(cols(&[("source", Text), ("notes", Text)]));
    c
}

/// How many records a list of non-node records scans.
fn fact_records(g: &Graph, kind: ListKind) -> usize {
    match kind {
        ListKind::Systems => g.ds.systems.len(),
        ListKind::Figures => g.ds.figures.len(),
        ListKind::Catalog => g.ds.catalog.len(),
        _ => 0,
    }
}

fn plan_source(g: &Graph, src: &Source) -> Result<(SourcePlan, String, Vec<Col>), QueryError> {
    use Ty::*;
    Ok(match src {
        Source::Find(n) => {
            let hits = lookup(g, n, &[], "find")?;
            let text = format!("find `{}`: name index ({} match)", n.text, hits.len());
            (
                SourcePlan::Find { hits },
                text,
                with_domain(
                    cols(&[
                        ("kind", Text),
                        ("id", Text),
                        ("name", Text),
                        ("aliases", List),
                        ("details", Text),
                        ("source", Text),
                    ]),
                    "kind",
                    Domain::Kind,
                ),
            )
        }
        Source::List { kind, within } => {
            let clause = kind.keyword();
            let within_id = match within {
                None => None,
                Some(n) if *kind == ListKind::Segments => {
                    Some(lookup_one(g, n, &[Kind::Chain], clause)?)
                }
                // Chains and industries are not located anywhere: a place would filter nothing.
                Some(n) if matches!(kind, ListKind::Chains | ListKind::Industries) => {
                    return Err(QueryError::semantic(
                        clause,
                        format!("{clause} are not located in a place, so `in {}` cannot filter them", n.text),
                        n.span,
                    )
                    .with_hint(format!(
                        "a place's industry system: build in {0} below 1; a chain there: status CHAIN in {0}",
                        n.text
                    )));
                }
                Some(n) => Some(lookup_one(g, n, PLACE_KINDS, clause)?),
            };
            let text = match within_id {
                None => match kind.kind() {
                    Some(k) => format!("list {}: scan of {} nodes", kind.keyword(), g.count(k)),
                    None => format!(
                        "list {}: scan of {} records",
                        kind.keyword(),
                        fact_records(g, *kind)
                    ),
                },
                Some(w) if *kind == ListKind::Segments => {
                    format!("list segments of chain {}", g.node(w).name())
                }
                Some(w) if kind.kind().is_none() => format!(
                    "list {} of {} and the places below it: a scan of {} records, places by PART_OF",
                    kind.keyword(),
                    g.node(w).name(),
                    fact_records(g, *kind)
                ),
                Some(w) => format!(
                    "list {} in {} and the places below it: LOCATED_IN/PART_OF edges",
                    kind.keyword(),
                    g.node(w).name()
                ),
            };
            (
                SourcePlan::List {
                    kind: *kind,
                    within: within_id,
                },
                text,
                list_columns(*kind),
            )
        }
        Source::Traverse { dir, segment, opts } => {
            let clause = match dir {
                Direction::Upstream => "upstream",
                Direction::Downstream => "downstream",
            };
            let seg = lookup_one(g, segment, &[Kind::Segment], clause)?;
            let depth = match opts.depth {
                None => MAX_DEPTH,
                Some((d, span)) if !(1..=MAX_DEPTH).contains(&d) => {
                    return Err(QueryError::semantic(
                        &format!("`{clause} … depth`"),
                        format!("depth must be between 1 and {MAX_DEPTH}, got {d}"),
                        span,
                    )
                    .with_zh(format!(
                        "`{clause} … depth`：深度要在 1 到 {MAX_DEPTH} 之间，这里是 {d}"
                    )));
                }
                Some((d, _)) => d,
            };
            let chain = opts
                .chain
                .as_ref()
                .map(|c| lookup_one(g, c, &[Kind::Chain], clause))
                .transpose()?;
            if let Some(c) = chain
                && !g.segment_chains(seg).contains(&c)
            {
                return Err(QueryError::semantic(
                    &format!("`{clause} … chain`"),
                    format!(
                        "{} is not a segment of chain {}",
                        g.node(seg).name(),
                        g.node(c).name()
                    ),
                    opts.chain.as_ref().map_or(segment.span, |c| c.span),
                ));
            }
            let place = opts
                .place
                .as_ref()
                .map(|p| place_one(g, p, &format!("`{clause} … in`")))
                .transpose()?;
            let mut c = cols(&[
                ("segment", Text),
                ("stage", Text),
                ("distance", Int),
                ("path", Text),
            ]);
            if place.is_some() {
                c.extend(cols(&[
                    ("state", Text),
                    ("producers", List),
                    ("projects", List),
                    ("weakness", List),
                ]));
            }
            let text = format!(
                "{clause} of {} over SUPPLIES, breadth-first, depth ≤ {depth}{}{}",
                g.node(seg).name(),
                chain
                    .map(|c| format!(", within chain {}", g.node(c).name()))
                    .unwrap_or_default(),
                place
                    .map(|p| format!(", state in {} from the presence index", g.node(p).name()))
                    .unwrap_or_default()
            );
            (
                SourcePlan::Traverse {
                    dir: *dir,
                    segment: seg,
                    depth: depth as u32,
                    chain,
                    place,
                },
                text,
                c,
            )
        }
        Source::Status { chain, place } => {
            let c = lookup_one(g, chain, &[Kind::Chain], "status")?;
            let p = place_one(g, place, "status")?;
            let text = format!(
                "status of chain {} ({} segments) in {}: presence index, one lookup per segment",
                g.node(c).name(),
                g.chain_segments(c).len(),
                g.node(p).name()
            );
            (
                SourcePlan::Status { chain: c, place: p },
                text,
                cols(&[
                    ("segment", Text),
                    ("stage", Text),
                    ("state", Text),
                    ("producers", List),
                    ("projects", List),
                    ("investment_yi", Float),
                    ("weakness", List),
                ]),
            )
        }
        Source::Gaps { kind, chain, place } => {
            let clause = kind.keyword();
            let c = lookup_one(g, chain, &[Kind::Chain], clause)?;
            let p = places(g, place, clause)?;
            let columns = match kind {
                GapKind::Fill => cols(&[
                    ("no", Int),
                    ("rank", Int),
                    ("segment", Text),
                    ("stage", Text),
                    ("gap", Text),
                    ("needed_by", List),
                    ("dependents", Int),
                    ("supplied_from", List),
                    ("path", Text),
                    ("reason", Text),
                    ("linked", List),
                    ("reach", Float),
                    ("distance", Int),
                ]),
                GapKind::Extend => cols(&[
                    ("no", Int),
                    ("rank", Int),
                    ("segment", Text),
                    ("stage", Text),
                    ("direction", Text),
                    ("density", Float),
                    ("present_neighbours", List),
                    ("neighbours", Int),
                    ("reason", Text),
                ]),
                GapKind::Strengthen => cols(&[
                    ("no", Int),
                    ("rank", Int),
                    ("segment", Text),
                    ("stage", Text),
                    ("state", Text),
                    ("weakness", List),
                    ("producers", List),
                    ("leading", Int),
                    ("projects", List),
                    ("dependents", Int),
                    ("reason", Text),
                    ("linked", List),
                    ("reach", Float),
                ]),
            };
            let text = format!(
                "{} ({}) gaps of chain {} ({} segments) in {}: chain reachability bitsets × presence index",
                kind.keyword(),
                kind.label_zh(),
                g.node(c).name(),
                g.chain_segments(c).len(),
                place_text(g, &p)
            );
            let columns = with_place(&p, columns);
            (
                SourcePlan::Gaps {
                    kind: *kind,
                    chain: c,
                    places: p,
                },
                text,
                columns,
            )
        }
        Source::Build {
            place,
            below,
            inherited,
        } => {
            let p = places(g, place, "build")?;
            let (below, below_span) = below.unwrap_or((DEFAULT_BUILD_BELOW, Span::default()));
            if !(0.0..=1.0).contains(&below) {
                return Err(QueryError::semantic(
                    "`build … below`",
                    "the coverage threshold is a share between 0 and 1",
                    below_span,
                )
                .with_zh("`build … below`：覆盖率门槛是 0 到 1 之间的比例")
                .with_hints(
                    "e.g. below 0.5 for chains less than half present",
                    "例如 below 0.5（低于 0.5）列出已有环节不到一半的产业链",
                ));
            }
            let text = format!(
                "build (建链): chains of the place's own industry system(s) (IN_SYSTEM){} of {} with coverage < {}",
                if *inherited {
                    " and those of the places above it (inherited)"
                } else {
                    ""
                },
                place_text(g, &p),
                ast::float_text(below)
            );
            let columns = with_place(
                &p,
                cols(&[
                    ("chain", Text),
                    ("industry", Text),
                    ("system", Text),
                    ("class", Text),
                    ("segments", Int),
                    ("present", Int),
                    ("planned", Int),
                    ("missing", Int),
                    ("unknown", Int),
                    ("coverage", Float),
                    ("reason", Text),
                ]),
            );
            (
                SourcePlan::Build {
                    places: p,
                    below,
                    inherited: *inherited,
                },
                text,
                columns,
            )
        }
        Source::Compare { chain, places: ps } => {
            let c = lookup_one(g, chain, &[Kind::Chain], "compare")?;
            let mut ids = Vec::new();
            let mut columns = cols(&[("segment", Text), ("stage", Text)]);
            for n in ps {
                let p = lookup_one(g, n, PLACE_KINDS, "compare")?;
                if ids.contains(&p) {
                    return Err(QueryError::semantic(
                        "compare",
                        format!("{} is listed twice", g.node(p).name()),
                        n.span,
                    ));
                }
                ids.push(p);
                columns.push(Col {
                    name: g.node(p).name().to_string(),
                    ty: Text,
                    domain: Some(Domain::State),
                });
            }
            columns.extend(cols(&[("overlap", List), ("could_supply", List)]));
            let text = format!(
                "compare chain {} in {} places: presence index per place (parallel)",
                g.node(c).name(),
                ids.len()
            );
            (
                SourcePlan::Compare {
                    chain: c,
                    places: ids,
                },
                text,
                columns,
            )
        }
        Source::Paths { from, steps } => {
            let start = lookup(g, from, &[], "paths")?;
            let mut planned = Vec::new();
            let mut total = 0;
            for s in steps {
                let clause = format!("`paths … {s}`");
                let (min, max) = match s.hops {
                    None => (1, 1),
                    Some((a, None)) => (a, a),
                    Some((a, Some(b))) => (a, b),
                };
                if min < 1 || max < min || max > MAX_STEP_HOPS {
                    return Err(QueryError::semantic(
                        &clause,
                        format!(
                            "hops must satisfy 1 ≤ min ≤ max ≤ {MAX_STEP_HOPS}, got {min}..{max}"
                        ),
                        s.span,
                    ));
                }
                total += max;
                let nodes = match &s.to.name {
                    None => None,
                    Some(n) => Some(lookup(g, n, s.to.kind.as_slice(), &clause)?),
                };
                planned.push(StepPlan {
                    edge: s.edge,
                    forward: s.forward,
                    min: min as u32,
                    max: max as u32,
                    kind: s.to.kind,
                    nodes,
                });
            }
            if total > MAX_PATTERN_HOPS {
                return Err(QueryError::semantic(
                    "paths",
                    format!(
                        "the pattern may take up to {total} hops; at most {MAX_PATTERN_HOPS} are allowed"
                    ),
                    from.span,
                ));
            }
            let text = format!(
                "paths from `{}` ({} start node(s)): depth-first enumeration of simple paths, at most {} paths",
                from.text,
                start.len(),
                super::exec::MAX_PATHS
            );
            (
                SourcePlan::Paths {
                    from: start,
                    steps: planned,
                },
                text,
                with_domain(
                    cols(&[
                        ("start", Text),
                        ("end", Text),
                        ("end_kind", Text),
                        ("hops", Int),
                        ("path", Text),
                    ]),
                    "end_kind",
                    Domain::Kind,
                ),
            )
        }
        Source::Partners {
            place,
            chain,
            depth,
        } => plan_partners(g, place, chain.as_ref(), *depth)?,
    })
}

// ------------------------------------------------------------------------------------ stages

/// The column `typed` names: by its id (`state`) or its Chinese label (`状态`).
fn col_pos(columns: &[Col], typed: &str) -> Option<usize> {
    columns.iter().position(|c| c.name == typed).or_else(|| {
        columns
            .iter()
            .position(|c| Lang::Zh.label(&c.name) == typed)
    })
}

fn col_index(columns: &[Col], n: &Name, clause: &str) -> Result<usize, QueryError> {
    col_pos(columns, &n.text).ok_or_else(|| {
        let sugg = column_suggestions(&n.text, columns);
        let all: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let all_zh: Vec<String> = columns.iter().map(|c| shown_both(&c.name)).collect();
        QueryError::semantic(
            clause,
            format!(
                "no column `{}`{} (columns: {})",
                n.text,
                did_you_mean(&sugg),
                all.join(", ")
            ),
            n.span,
        )
        .with_zh(format!(
            "{clause}：没有 `{}` 这一列{}（各列：{}）",
            n.text,
            if sugg.is_empty() {
                String::new()
            } else {
                format!("，是不是 {}？", sugg.join("、"))
            },
            all_zh.join("、")
        ))
    })
}

/// A column as Chinese readers see it and scripts name it: `状态 state`, or the name alone when
/// it has no label.
fn shown_both(id: &str) -> String {
    match Lang::Zh.label(id) {
        zh if zh == id => id.to_string(),
        zh => format!("{zh} {id}"),
    }
}

/// Closest column names (ids and Chinese labels): `suggest`, plus swapped letters (`nmae` →
/// `name`), which plain edit distance counts as two edits and short column names cannot afford.
fn column_suggestions<'a>(typed: &str, columns: &'a [Col]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for c in columns {
        for n in [c.name.as_str(), Lang::Zh.label(&c.name)] {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    let mut out = suggest(typed, names, 2);
    if out.is_empty() {
        out.extend(
            columns
                .iter()
                .map(|c| c.name.as_str())
                .filter(|c| strsim::osa_distance(typed, c) <= 1),
        );
        out.truncate(2);
    }
    out
}

/// A condition operand: a column, or a value. A bare word that is no column is text when it is
/// a value (right of `=`, in a list), and an unknown column where only a column makes sense.
fn arg(
    columns: &[Col],
    o: &Operand,
    must_be_column: bool,
    clause: &str,
) -> Result<Arg, QueryError> {
    Ok(match o {
        Operand::Null => Arg::Val(Value::Null),
        Operand::Int(i) => Arg::Val(Value::Int(*i)),
        Operand::Float(f) => Arg::Val(Value::Float(*f)),
        Operand::Text(s) => Arg::Val(Value::text(s.as_str())),
        Operand::Ident(n) => match col_pos(columns, &n.text) {
            Some(i) => Arg::Col(i),
            None if must_be_column => {
                return Err(col_index(columns, n, clause)
                    .err()
                    .unwrap_or_else(|| QueryError::internal("column")));
            }
            None => Arg::Val(Value::text(n.text.as_str())),
        },
    })
}

fn arg_ty(columns: &[Col], a: &Arg) -> Option<Ty> {
    match a {
        Arg::Col(i) => Some(columns[*i].ty),
        Arg::Val(Value::Int(_)) => Some(Ty::Int),
        Arg::Val(Value::Float(_)) => Some(Ty::Float),
        Arg::Val(Value::Text(_)) => Some(Ty::Text),
        _ => None,
    }
}

/// Plan a condition. `aka` collects, for `explain`, the values that also match other names
/// (`测试高新区 → 测试园区`).
///
/// Recurses once per `and` / `or` level (the parser bounds the depth, `MAX_CONDITION_DEPTH`);
/// a run of `not`s is a loop, and the large frame of a single condition (`leaf`) is not on the
/// recursion's stack.
fn cond(g: &Graph, columns: &[Col], e: &Expr, aka: &mut Vec<String>) -> Result<Cond, QueryError> {
    let mut nots = 0;
    let mut e = e;
    while let Expr::Not(x) = e {
        nots += 1;
        e = x;
    }
    let mut c = match e {
        Expr::Or(v) | Expr::And(v) => {
            // A loop, not an iterator chain: in a debug build every adapter is a stack frame
            // of its own, per level.
            let mut items = Vec::with_capacity(v.len());
            for x in v {
                items.push(cond(g, columns, x, aka)?);
            }
            if matches!(e, Expr::Or(_)) {
                Cond::Or(items)
            } else {
                Cond::And(items)
            }
        }
        _ => leaf(g, columns, e, aka)?,
    };
    for _ in 0..nots {
        c = Cond::Not(Box::new(c));
    }
    Ok(c)
}

/// Plan one condition that holds no other: a comparison, `in`, `contains`, `is null`.
#[inline(never)]
fn leaf(g: &Graph, columns: &[Col], e: &Expr, aka: &mut Vec<String>) -> Result<Cond, QueryError> {
    let clause = "where";
    Ok(match e {
        Expr::Or(_) | Expr::And(_) | Expr::Not(_) => cond(g, columns, e, aka)?,
        Expr::Cmp(a_op, op, b_op) => {
            let (a, b) = (
                arg(columns, a_op, true, clause)?,
                arg(columns, b_op, false, clause)?,
            );
            let b = match op {
                CmpOp::Eq | CmpOp::Ne => known_value(columns, e, &a, b, b_op, true)?,
                _ => b,
            };
            list_comparison(columns, e, (a_op, &a), *op, (b_op, &b))?;
            if let Some((ta, tb)) = number_against_text(columns, &a, &b) {
                let what = match op {
                    CmpOp::Eq | CmpOp::Ne => format!(
                        "`{e}` compares {} with {}: it is true for {} row",
                        ta.word(),
                        tb.word(),
                        if *op == CmpOp::Eq { "no" } else { "every" }
                    ),
                    _ => format!("`{e}` orders {} against {}", ta.word(), tb.word()),
                };
                let (za, zb) = (ta.word_zh(), tb.word_zh());
                let what_zh = match op {
                    CmpOp::Eq => format!("`{e}` 把{za}与{zb}比较：没有一行成立"),
                    CmpOp::Ne => format!("`{e}` 把{za}与{zb}比较：每一行都成立"),
                    _ => format!("`{e}` 把{za}与{zb}比大小"),
                };
                let err = QueryError::semantic("where", what, operand_span(e))
                    .with_zh(format!("where：{what_zh}"));
                return Err(match number_as_text_hint(b_op) {
                    Some((en, zh)) if ta.is_numeric() => err.with_hints(en, zh),
                    _ if tb.is_numeric() => err.with_hints(
                        format!(
                            "to compare text, quote the value: {a_op} {} \"{b_op}\"",
                            op.as_str()
                        ),
                        format!(
                            "要按文本比较，请给值加引号：{a_op} {} \"{b_op}\"",
                            op.as_str()
                        ),
                    ),
                    _ => err,
                });
            }
            // `location = 玉溪高新区` also holds for 玉溪高新技术产业开发区; `!=` for neither.
            match (op, also_named(g, columns, &a, &b, aka)) {
                (CmpOp::Eq | CmpOp::Ne, names) if !names.is_empty() => {
                    let mut each = vec![Cond::Cmp(a.clone(), *op, b)];
                    each.extend(
                        names
                            .into_iter()
                            .map(|n| Cond::Cmp(a.clone(), *op, Arg::Val(Value::text(n)))),
                    );
                    if *op == CmpOp::Eq {
                        Cond::Or(each)
                    } else {
                        Cond::And(each)
                    }
                }
                _ => Cond::Cmp(a, *op, b),
            }
        }
        Expr::In(a_op, list) => {
            let a = arg(columns, a_op, true, clause)?;
            if arg_ty(columns, &a) == Some(Ty::List) && !list.is_empty() {
                let alternatives: Vec<String> = list
                    .iter()
                    .map(|x| format!("{a_op} contains {x}"))
                    .collect();
                return Err(QueryError::semantic(
                    "where",
                    format!("`{e}` compares a list with single values: it is true for no row"),
                    operand_span(e),
                )
                .with_zh(format!("where：`{e}` 把列表与单个值比较：没有一行成立"))
                .with_hints(
                    format!("`{a_op}` is a list: use `{}`", alternatives.join(" or ")),
                    format!("`{a_op}` 是列表：请用 `{}`", alternatives.join(" or ")),
                ));
            }
            let items: Vec<Arg> = list
                .iter()
                .map(|x| {
                    let v = arg(columns, x, false, clause)?;
                    known_value(columns, e, &a, v, x, true)
                })
                .collect::<Result<_, _>>()?;
            for (x_op, x) in list.iter().zip(&items) {
                list_on_the_right(columns, e, a_op, &a, x_op, x)?;
                if let Some((ta, tx)) = number_against_text(columns, &a, x) {
                    let err = QueryError::semantic(
                        "where",
                        format!(
                            "`{e}`: `{x_op}` is {} and `{a_op}` holds {}: it matches no row",
                            if tx.is_numeric() { "a number" } else { "text" },
                            ta.word()
                        ),
                        operand_span(e),
                    )
                    .with_zh(format!(
                        "where：`{e}`：`{x_op}` 是{}，而 `{a_op}` 存的是{}：筛选不到任何行",
                        if tx.is_numeric() { "数字" } else { "文本" },
                        ta.word_zh()
                    ));
                    return Err(match number_as_text_hint(x_op) {
                        Some((en, zh)) if ta.is_numeric() => err.with_hints(en, zh),
                        _ => err,
                    });
                }
            }
            let mut all = items.clone();
            for x in &items {
                for n in also_named(g, columns, &a, x, aka) {
                    let n = Arg::Val(Value::text(n));
                    if !all.contains(&n) {
                        all.push(n);
                    }
                }
            }
            Cond::In(a, all)
        }
        Expr::Contains(a_op, b) => {
            let a = arg(columns, a_op, true, clause)?;
            if let Some(t) = arg_ty(columns, &a)
                && t.is_numeric()
            {
                return Err(QueryError::semantic(
                    "where",
                    format!(
                        "`{e}`: contains needs a text or list column, not {}",
                        t.word()
                    ),
                    operand_span(e),
                )
                .with_zh(format!(
                    "where：`{e}`：contains（包含）要用于文本或列表列，不能用于{}",
                    t.word_zh()
                )));
            }
            let b_arg = arg(columns, b, false, clause)?;
            // A list of known values holds whole values; text may hold part of one.
            let whole = arg_ty(columns, &a) == Some(Ty::List);
            let b_arg = known_value(columns, e, &a, b_arg, b, whole)?;
            list_on_the_right(columns, e, a_op, &a, b, &b_arg)?;
            let names = also_named(g, columns, &a, &b_arg, aka);
            if names.is_empty() {
                Cond::Contains(a, b_arg)
            } else {
                let mut any = vec![Cond::Contains(a.clone(), b_arg)];
                any.extend(
                    names
                        .into_iter()
                        .map(|n| Cond::Contains(a.clone(), Arg::Val(Value::text(n)))),
                );
                Cond::Or(any)
            }
        }
        Expr::IsNull(a, neg) => Cond::IsNull(arg(columns, a, true, clause)?, *neg),
    })
}

/// A text value compared with a column of known values (`state = 缺失`, `state = missing`,
/// `weakness contains 单一企业`): the id the rows hold, whichever language it was typed in. A
/// word the column can never hold would silently match no row: with `strict` it is an error
/// that lists the values it can hold (both languages), with the closest as "did you mean".
fn known_value(
    columns: &[Col],
    e: &Expr,
    column: &Arg,
    value: Arg,
    v_op: &Operand,
    strict: bool,
) -> Result<Arg, QueryError> {
    let (Arg::Col(i), Arg::Val(Value::Text(typed))) = (column, &value) else {
        return Ok(value);
    };
    let Some(domain) = columns[*i].domain else {
        return Ok(value);
    };
    if let Some(id) = domain.id_of(typed) {
        return Ok(Arg::Val(Value::text(id)));
    }
    if !strict {
        return Ok(value);
    }
    let span = match v_op {
        Operand::Ident(n) => n.span,
        _ => operand_span(e),
    };
    let col = &columns[*i].name;
    let (zh, en) = (domain.shown(Lang::Zh), domain.shown(Lang::En));
    let close = suggest(typed, domain.spellings(), 2);
    let mut err = QueryError::semantic(
        "where",
        format!(
            "`{e}`: `{col}` holds only {}, never `{typed}`: it would match no row",
            en.join(", ")
        ),
        span,
    )
    .with_zh(format!(
        "where：`{e}`：{}（{col}）只有 {}（英文 {}），没有 `{typed}`，筛选不到任何行",
        Lang::Zh.label(col),
        zh.join("、"),
        en.join("、")
    ));
    if !close.is_empty() {
        err = err.with_hints(
            format!("did you mean {}?", close.join(", ")),
            format!("是不是 {}？", close.join("、")),
        );
    }
    Err(err)
}

/// More entities than this under one name make it a word, not a name (see `also_named`).
const MAX_NAMES: usize = 8;

/// The display names, other than itself, of the entities a text value names, when it is
/// compared with a text or list column (`=`, `!=`, `in`, `contains`): columns hold entities by
/// their display names, and staff type ids, aliases and short names (`location = 玉溪高新区`
/// for 玉溪高新技术产业开发区, `carriers contains 恩捷`). Resolved once, here, through the name
/// index. Empty when the value names no entity (`state = missing`), only entities shown by
/// that very text, or more than `MAX_NAMES` of them.
fn also_named<'g>(
    g: &'g Graph,
    columns: &[Col],
    column: &Arg,
    value: &Arg,
    aka: &mut Vec<String>,
) -> Vec<&'g str> {
    let (Arg::Col(i), Arg::Val(Value::Text(text))) = (column, value) else {
        return Vec::new();
    };
    // A column of known values (`state`) holds no entity names.
    if columns[*i].domain.is_some() {
        return Vec::new();
    }
    if !matches!(arg_ty(columns, column), Some(Ty::Text | Ty::List)) {
        return Vec::new();
    }
    let hits = g.names.lookup(&g.ds.nodes, text, &[]);
    if hits.len() > MAX_NAMES {
        return Vec::new();
    }
    let mut names: Vec<&str> = Vec::new();
    for n in hits {
        let shown = g.node(n).name();
        if shown != &**text && !names.contains(&shown) {
            names.push(shown);
        }
    }
    if !names.is_empty() {
        let note = format!("{} → {}", ast::Name::new(text.as_ref()), names.join(", "));
        if !aka.contains(&note) {
            aka.push(note);
        }
    }
    names
}

/// A list column compared with `=`, `!=` or an ordering to something that is not a list:
/// equality of a list with a single value never holds, so the query would silently match no
/// row (or every row, with `!=`). Refused, with the `contains` that was probably meant.
fn list_comparison(
    columns: &[Col],
    e: &Expr,
    (a_op, a): (&Operand, &Arg),
    op: CmpOp,
    (b_op, b): (&Operand, &Arg),
) -> Result<(), QueryError> {
    let (ta, tb) = (arg_ty(columns, a), arg_ty(columns, b));
    let (list, other, other_ty) = match (ta, tb) {
        (Some(Ty::List), Some(Ty::List)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => return Ok(()),
        (Some(Ty::List), t) => (a_op, b_op, t),
        (t, Some(Ty::List)) => (b_op, a_op, t),
        _ => return Ok(()),
    };
    // `segments = null`: a comparison with null is false, as everywhere (use `is null`).
    let Some(other_ty) = other_ty else {
        return Ok(());
    };
    let what = other_ty.word();
    let message = match op {
        CmpOp::Eq => format!("`{e}` compares a list with {what}: it is true for no row"),
        CmpOp::Ne => format!("`{e}` compares a list with {what}: it is true for every row"),
        _ => format!("`{e}` orders a list against {what}: it is true for no row"),
    };
    let message_zh = match op {
        CmpOp::Eq => format!("`{e}` 把列表与单个值比较：没有一行成立"),
        CmpOp::Ne => format!("`{e}` 把列表与单个值比较：每一行都成立"),
        _ => format!("`{e}` 把列表与单个值比大小：没有一行成立"),
    };
    let mut err = QueryError::semantic("where", message, operand_span(e))
        .with_zh(format!("where：{message_zh}"));
    err = match op {
        CmpOp::Eq => err.with_hints(
            format!("`{list}` is a list: use `{list} contains {other}`"),
            format!("`{list}` 是列表：请用 `{list} contains {other}`（包含）"),
        ),
        CmpOp::Ne => err.with_hints(
            format!("`{list}` is a list: use `not {list} contains {other}`"),
            format!("`{list}` 是列表：请用 `not {list} contains {other}`"),
        ),
        _ => err,
    };
    Err(err)
}

/// A list column on the right of `contains` or inside `in [ … ]`: the right side is one value,
/// and a row's value never equals (nor contains, as text) a whole list, so the condition would
/// silently hold for no row. Refused, with the condition that was probably meant: the list on
/// the left of `contains`.
fn list_on_the_right(
    columns: &[Col],
    e: &Expr,
    a_op: &Operand,
    a: &Arg,
    b_op: &Operand,
    b: &Arg,
) -> Result<(), QueryError> {
    if arg_ty(columns, b) != Some(Ty::List) {
        return Ok(());
    }
    let span = match b_op {
        Operand::Ident(n) => n.span,
        _ => operand_span(e),
    };
    let takes = if matches!(e, Expr::In(..)) {
        "`in [ … ]` takes single values"
    } else {
        "contains takes one value on its right"
    };
    let takes_zh = if matches!(e, Expr::In(..)) {
        "`in [ … ]` 只接单个值"
    } else {
        "contains（包含）右边只接一个值"
    };
    let err = QueryError::semantic(
        "where",
        format!("`{e}`: `{b_op}` is a list, and {takes}: it is true for no row"),
        span,
    )
    .with_zh(format!(
        "where：`{e}`：`{b_op}` 是列表，而 {takes_zh}：没有一行成立"
    ));
    Err(if arg_ty(columns, a) == Some(Ty::List) && a == b {
        // One list column on both sides: after `expand` it would hold for every row.
        err.with_hint(format!(
            "there is no list-overlap operator, and a list compared with itself tests nothing; to keep the rows whose `{a_op}` hold a value, write the value: `{a_op} contains NAME`"
        ))
    } else if arg_ty(columns, a) == Some(Ty::List) {
        // Two lists: there is no overlap operator; one of them becomes single values first.
        err.with_hint(format!(
            "there is no list-overlap operator; `expand {b_op}` first gives one row per element, and then `expand {b_op} | where {a_op} contains {b_op}` keeps one row per shared element"
        ))
    } else {
        err.with_hint(format!("`{b_op}` is a list: use `{b_op} contains {a_op}`"))
    })
}

/// The types of `a` and `b` when one is a number and the other text: a comparison that never
/// holds (lists are checked apart, by `list_comparison`).
fn number_against_text(columns: &[Col], a: &Arg, b: &Arg) -> Option<(Ty, Ty)> {
    let (ta, tb) = (arg_ty(columns, a)?, arg_ty(columns, b)?);
    (ta != Ty::List && tb != Ty::List && ta.is_numeric() != tb.is_numeric()).then_some((ta, tb))
}

/// For a quoted number compared with a number column (`revenue_yi = "8"`): write it bare.
fn number_as_text_hint(o: &Operand) -> Option<(String, String)> {
    match o {
        Operand::Text(t) if t.trim().parse::<f64>().is_ok() => Some((
            format!("numbers are written without quotes: {}", t.trim()),
            format!("数字不加引号：{}", t.trim()),
        )),
        _ => None,
    }
}

fn operand_span(e: &Expr) -> Span {
    match e {
        Expr::Cmp(Operand::Ident(n), ..)
        | Expr::Contains(Operand::Ident(n), _)
        | Expr::In(Operand::Ident(n), _) => n.span,
        _ => Span::default(),
    }
}

fn plan_stage(
    g: &Graph,
    columns: &[Col],
    st: &Stage,
) -> Result<(Op, String, Vec<Col>), QueryError> {
    let kw = st.keyword();
    Ok(match st {
        // Planned by `plan_targets`, which needs the source.
        Stage::Targets(span) => {
            return Err(QueryError::internal(format!(
                "targets planned without its source at {span:?}"
            )));
        }
        Stage::Where(e) => {
            let mut aka = Vec::new();
            let c = cond(g, columns, e, &mut aka)?;
            let also = if aka.is_empty() {
                String::new()
            } else {
                format!(" (names also matched: {})", aka.join("; "))
            };
            (
                Op::Filter(c),
                format!("filter: {e}{also}"),
                columns.to_vec(),
            )
        }
        Stage::Sort(keys) => {
            let mut out = Vec::new();
            for k in keys {
                let i = col_index(columns, &k.column, kw)?;
                out.push((i, k.desc.unwrap_or(false), columns[i].domain));
            }
            (Op::Sort(out), format!("{st} (stable)"), columns.to_vec())
        }
        Stage::Limit(n, span) => {
            if *n < 0 {
                return Err(QueryError::semantic(
                    "limit",
                    format!("the row count must be 0 or more, got {n}"),
                    *span,
                )
                .with_zh(format!("limit：行数不能小于 0，这里是 {n}")));
            }
            (
                Op::Limit(*n as usize),
                format!("limit: first {n} rows"),
                columns.to_vec(),
            )
        }
        Stage::Select(items) => {
            let mut idx = Vec::new();
            let mut out: Vec<Col> = Vec::new();
            for it in items {
                let i = col_index(columns, &it.column, kw)?;
                let name = it
                    .alias
                    .as_ref()
                    .map_or_else(|| columns[i].name.clone(), |a| a.text.clone());
                if out.iter().any(|c| c.name == name) {
                    return Err(QueryError::semantic(
                        "select",
                        format!("column `{name}` selected twice; rename one with `as`"),
                        it.column.span,
                    )
                    .with_zh(format!(
                        "select：`{name}` 这一列选了两次；用 `as` 给其中一个改名"
                    )));
                }
                idx.push(i);
                out.push(Col {
                    name,
                    ty: columns[i].ty,
                    domain: columns[i].domain,
                });
            }
            (Op::Project(idx), st.to_string(), out)
        }
        Stage::Distinct => (
            Op::Distinct,
            "distinct: drop repeated rows".into(),
            columns.to_vec(),
        ),
        Stage::Group { by, aggs } => {
            let mut keys = Vec::new();
            let mut out: Vec<Col> = Vec::new();
            for b in by {
                let i = col_index(columns, b, kw)?;
                keys.push(i);
                out.push(columns[i].clone());
            }
            let mut planned = Vec::new();
            for a in aggs {
                let clause = format!("`group … {a}`");
                let col = a
                    .column
                    .as_ref()
                    .map(|c| col_index(columns, c, &clause))
                    .transpose()?;
                let ty = match (a.func, col) {
                    (AggFn::Count, _) => Ty::Int,
                    (AggFn::Collect, _) => Ty::List,
                    (f, None) => {
                        return Err(QueryError::semantic(
                            &clause,
                            format!(
                                "{} needs a column, like {}(investment_yi)",
                                f.as_str(),
                                f.as_str()
                            ),
                            a.span,
                        ));
                    }
                    (AggFn::Sum | AggFn::Avg, Some(i)) if !columns[i].ty.is_numeric() => {
                        return Err(QueryError::semantic(
                            &clause,
                            format!(
                                "{} needs a numeric column; `{}` holds {}",
                                a.func.as_str(),
                                columns[i].name,
                                columns[i].ty.word()
                            ),
                            a.column.as_ref().map_or(a.span, |c| c.span),
                        )
                        .with_zh(format!(
                            "{clause}：{} 要用于数字列；`{}` 存的是{}",
                            a.func.as_str(),
                            columns[i].name,
                            columns[i].ty.word_zh()
                        )));
                    }
                    (AggFn::Avg, _) => Ty::Float,
                    (_, Some(i)) => columns[i].ty,
                };
                let name = match (&a.alias, col) {
                    (Some(al), _) => al.text.clone(),
                    (None, Some(i)) => format!("{}_{}", a.func.as_str(), columns[i].name),
                    (None, None) => a.func.as_str().to_string(),
                };
                if out.iter().any(|c| c.name == name) {
                    return Err(QueryError::semantic(
                        &clause,
                        format!("column `{name}` appears twice; rename with `as`"),
                        a.span,
                    ));
                }
                // min, max and collect keep the values (and so their domain); count, sum
                // and avg make numbers.
                let domain = match (a.func, col) {
                    (AggFn::Min | AggFn::Max | AggFn::Collect, Some(i)) => columns[i].domain,
                    _ => None,
                };
                out.push(Col { name, ty, domain });
                planned.push((a.func, col));
            }
            (
                Op::Group {
                    keys,
                    aggs: planned,
                },
                format!("{st} (hash grouping, groups in order of first row)"),
                out,
            )
        }
        Stage::Expand(c) => {
            let i = col_index(columns, c, kw)?;
            if columns[i].ty != Ty::List {
                return Err(QueryError::semantic(
                    "expand",
                    format!("`{}` holds {}, not lists", c.text, columns[i].ty.word()),
                    c.span,
                )
                .with_zh(format!(
                    "expand：`{}` 存的是{}，不是列表",
                    c.text,
                    columns[i].ty.word_zh()
                )));
            }
            let mut out = columns.to_vec();
            out[i].ty = Ty::Text;
            (
                Op::Expand(i),
                format!("expand: one row per element of {}", c.text),
                out,
            )
        }
    })
}

/// `| targets`: needs rows with a `segment` column from a source that names one chain in one
/// place: a gap query, `status`, or an upstream/downstream walk with `chain` and `in` (whose
/// segments, like status's, are named gaps).
fn plan_targets(
    g: &Graph,
    source: &SourcePlan,
    columns: &[Col],
    after_targets: bool,
    span: Span,
) -> Result<(Op, String, Vec<Col>), QueryError> {
    if after_targets {
        return Err(QueryError::semantic(
            "targets",
            "targets cannot follow targets: the rows are already target companies, not gap segments",
            span,
        )
        .with_zh("targets：目标企业 之后不能再接 目标企业：这些行已经是目标企业，不是缺口环节"));
    }
    let (chain, place, kind) = match source {
        SourcePlan::Gaps {
            kind,
            chain,
            places: Places::One(p),
        } => (*chain, *p, Some(*kind)),
        SourcePlan::Status { chain, place } => (*chain, *place, None),
        // A walk inside one chain, with states in one place: its segments are named gaps, as
        // after `status` (`upstream 动力电池 chain 锂电池 in 玉溪高新区 | where state = missing`).
        SourcePlan::Traverse {
            chain: Some(chain),
            place: Some(place),
            ..
        } => (*chain, *place, None),
        SourcePlan::Traverse {
            dir,
            segment,
            depth,
            chain,
            place,
        } => {
            let clause = match dir {
                Direction::Upstream => "upstream",
                Direction::Downstream => "downstream",
            };
            let missing = match (chain, place) {
                (None, None) => "no chain and no place (add `chain CHAIN in PLACE`)",
                (None, Some(_)) => "no chain (add `chain CHAIN`)",
                _ => "no place (add `in PLACE`)",
            };
            // The hint repeats the walk with what it lacks: the segment's (first) chain, and
            // the place typed or, for an example, the first park.
            let example_chain = chain.or_else(|| g.segment_chains(*segment).first().copied());
            let example_place = place.or_else(|| g.nodes_of(Kind::Park).first().copied());
            let missing_zh = match (chain, place) {
                (None, None) => "没有指定产业链和地方（加上 `chain 产业链 in 地方`）",
                (None, Some(_)) => "没有指定产业链（加上 `chain 产业链`）",
                _ => "没有指定地方（加上 `in 地方`）",
            };
            let err = QueryError::semantic(
                "targets",
                format!(
                    "targets after `{clause}` needs one chain and one place; this walk names {missing}"
                ),
                span,
            )
            .with_zh(format!(
                "targets：`{clause}` 之后的 目标企业 需要一条产业链和一个地方；这次追溯{missing_zh}"
            ));
            return Err(match (example_chain, example_place) {
                (Some(c), Some(p)) => err.with_hint(format!(
                    "e.g. `{clause} {}{} chain {} in {} | targets`",
                    ast::Name::new(g.node(*segment).name()),
                    if *depth as i64 == MAX_DEPTH {
                        String::new()
                    } else {
                        format!(" depth {depth}")
                    },
                    ast::Name::new(g.node(c).name()),
                    ast::Name::new(g.node(p).name())
                )),
                _ => err,
            });
        }
        SourcePlan::Gaps {
            kind,
            chain,
            places: Places::Each(all, what),
        } => {
            let example = all
                .first()
                .map_or_else(|| format!("a {what}"), |&p| g.node(p).name().to_string());
            return Err(QueryError::semantic(
                "targets",
                format!(
                    "targets needs the gaps of one place, not `all {what}s` (a gap list per {what})"
                ),
                span,
            )
            .with_zh(format!(
                "targets：目标企业 需要一个地方的缺口，不能是 `all {what}s`（每个地方一份缺口表）"
            ))
            .with_hint(format!(
                "name one {what}, e.g. `{} {} in {} | targets`",
                kind.keyword(),
                ast::Name::new(g.node(*chain).name()),
                ast::Name::new(example)
            )));
        }
        other => {
            let (what, what_zh) = match other {
                SourcePlan::Build { .. } => (
                    "`build` lists the chains of a place, not the segments of one chain"
                        .to_string(),
                    "`build`（建链）列的是一个地方的产业链，不是一条链的环节".to_string(),
                ),
                SourcePlan::Compare { .. } => (
                    "`compare` has several places, not one".to_string(),
                    "`compare`（对比）有多个地方，不是一个".to_string(),
                ),
                SourcePlan::List {
                    kind: ListKind::Segments,
                    within: Some(_),
                } => (
                    "`segments of` names a chain but no place".to_string(),
                    "`segments of` 指定了产业链，没有指定地方".to_string(),
                ),
                SourcePlan::List {
                    kind,
                    within: Some(_),
                } => (
                    format!("`{} in` names a place but no chain", kind.keyword()),
                    format!("`{} in` 指定了地方，没有指定产业链", kind.keyword()),
                ),
                SourcePlan::List { kind, within: None } => (
                    format!("`{}` names no chain and no place", kind.keyword()),
                    format!("`{}` 没有指定产业链和地方", kind.keyword()),
                ),
                SourcePlan::Find { .. } => (
                    "`find` names no chain and no place".to_string(),
                    "`find`（查找）没有指定产业链和地方".to_string(),
                ),
                SourcePlan::Paths { .. } => (
                    "`paths` names no chain and no place".to_string(),
                    "`paths`（路径）没有指定产业链和地方".to_string(),
                ),
                _ => (
                    "its rows name no chain and no place".to_string(),
                    "这些行没有指定产业链和地方".to_string(),
                ),
            };
            return Err(QueryError::semantic(
                "targets",
                format!(
                    "targets needs the segments of one chain in one place (after a gap query, a status, or an upstream/downstream walk with `chain` and `in`); {what}"
                ),
                span,
            )
            .with_zh(format!(
                "targets：目标企业 需要一条产业链在一个地方的环节（接在缺口查询、现状，或带 `chain` 和 `in` 的上游/下游追溯之后）；{what_zh}"
            ))
            .with_hint(
                "e.g. `fill 锂电池 in 玉溪高新区 | targets` or `upstream 动力电池 chain 锂电池 in 玉溪高新区 | where state = missing | targets`",
            ));
        }
    };
    let Some(segment) = columns
        .iter()
        .position(|c| c.name == "segment" && c.ty == Ty::Text)
    else {
        return Err(QueryError::semantic(
            "targets",
            "the rows have no `segment` column (keep it when you select before targets)",
            span,
        )
        .with_zh(
            "targets：这些行没有 `segment`（环节名称）列（在 目标企业 之前 select 时请保留它）",
        ));
    };
    let gap = columns.iter().any(|c| c.name == "gap" && c.ty == Ty::Text);
    // A fill row's `gap` tells a 断链 (scored higher) from a 补链. Execution now takes 断链 from
    // the gap analysis itself, not from this column; the requirement is kept unchanged (golden
    // 11-errors) until `| targets` reads typed rows (issue 14).
    if kind == Some(GapKind::Fill) && !gap {
        return Err(QueryError::semantic(
            "targets",
            "after fill, the rows need their `gap` column (断链 or 补链, which scores differently)",
            span,
        )
        .with_zh("targets：补链 之后的行需要保留 `gap`（缺口类型）列（断链与补链的得分不同）")
        .with_hint(
            "keep it when you select before targets, e.g. `| select segment, gap | targets`",
        ));
    }
    let text = format!(
        "targets: companies outside {} that make each row's segment of {}, scored (config/target-weights.toml), admission rules applied",
        g.node(place).name(),
        g.node(chain).name()
    );
    Ok((
        Op::Targets {
            chain,
            place,
            kind,
            segment,
        },
        text,
        crate::targets::list::target_columns(),
    ))
}

/// Plan a statement over `g`.
pub fn plan(g: &Graph, st: &Statement) -> Result<Plan, QueryError> {
    let (source, source_text, source_columns) = plan_source(g, &st.source)?;
    let mut columns = source_columns.clone();
    let mut ops = Vec::new();
    for (i, s) in st.stages.iter().enumerate() {
        let (op, text, next) = match s {
            Stage::Targets(span) => {
                let after_targets = st.stages[..i]
                    .iter()
                    .any(|p| matches!(p, Stage::Targets(_)));
                plan_targets(g, &source, &columns, after_targets, *span)?
            }
            s => plan_stage(g, &columns, s)?,
        };
        ops.push((op, text));
        columns = next;
    }
    let (source, source_text) = push_top_producers(g, source, source_text, &mut ops);
    let (source, source_text) = push_state_walk(g, source, source_text, &source_columns, &mut ops);
    let (source, source_text) = push_gap_count(g, source, source_text, &source_columns, &mut ops);
    Ok(Plan {
        explain: st.explain,
        source,
        source_text,
        source_columns,
        ops,
        columns,
    })
}

// ------------------------------------------------------------------------ partners source

/// `partners in PLACE [chain C] [depth d]` (以商招商, `report::partners`).
fn plan_partners(
    g: &Graph,
    place: &Name,
    chain: Option<&Name>,
    depth: Option<(i64, Span)>,
) -> Result<(SourcePlan, String, Vec<Col>), QueryError> {
    use crate::report::partners::{DEFAULT_DEPTH, MAX_DEPTH, Partners};
    let place = lookup_one(g, place, PLACE_KINDS, "partners")?;
    let chain = chain
        .map(|c| lookup_one(g, c, &[Kind::Chain], "partners"))
        .transpose()?;
    let depth = match depth {
        None => DEFAULT_DEPTH,
        Some((d, span)) if !(1..=i64::from(MAX_DEPTH)).contains(&d) => {
            return Err(QueryError::semantic(
                "`partners … depth`",
                format!("depth must be between 1 and {MAX_DEPTH}, got {d}"),
                span,
            )
            .with_zh(format!(
                "`partners … depth`：深度要在 1 到 {MAX_DEPTH} 之间，这里是 {d}"
            )));
        }
        Some((d, _)) => d as u32,
    };
    let p = Partners {
        place,
        chain,
        depth,
    };
    let text = p.explain(g, Lang::En);
    Ok((SourcePlan::Partners(p), text, Partners::columns()))
}

// ------------------------------------------------------------------------ gap-count rule

/// The planner rule for counting fill gaps per place: `fill CHAIN in all parks|regions | where
/// distance = d | group by place with count()` becomes a `GapCount` source that counts, per
/// place, the missing segments whose nearest present user is d hops down, without making gap
/// rows. Any other shape is left as it is.
fn push_gap_count(
    g: &Graph,
    source: SourcePlan,
    text: String,
    columns: &[Col],
    ops: &mut Vec<(Op, String)>,
) -> (SourcePlan, String) {
    let SourcePlan::Gaps {
        kind: GapKind::Fill,
        chain,
        places: Places::Each(places, _),
    } = &source
    else {
        return (source, text);
    };
    let at = |n: &str| columns.iter().position(|c| c.name == n);
    let (Some(dist), Some(place)) = (at("distance"), at("place")) else {
        return (source, text);
    };
    let [(Op::Filter(cond), _), (Op::Group { keys, aggs }, _), ..] = &ops[..] else {
        return (source, text);
    };
    let Cond::Cmp(Arg::Col(i), CmpOp::Eq, Arg::Val(Value::Int(d))) = cond else {
        return (source, text);
    };
    if *i != dist || keys[..] != [place] || aggs[..] != [(AggFn::Count, None)] {
        return (source, text);
    }
    let Ok(distance) = u32::try_from(*d) else {
        return (source, text);
    };
    let count = crate::report::gap_count::GapCount {
        chain: *chain,
        places: places.clone(),
        distance,
    };
    ops.drain(..2);
    let text = count.explain(g, Lang::En);
    (SourcePlan::GapCount(count), text)
}

// ----------------------------------------------------------------------- state-walk rule

/// The planner rule for a walk filtered on state: `upstream|downstream SEGMENT … in PLACE |
/// where state = S` (or `state in [S, …]`, or an `or` of such terms) becomes a `StateWalk`
/// source that tests each reached segment's state and makes rows only for those kept. The rows
/// and their order are the walk's, filtered; any other shape is left as it is.
fn push_state_walk(
    g: &Graph,
    source: SourcePlan,
    text: String,
    columns: &[Col],
    ops: &mut Vec<(Op, String)>,
) -> (SourcePlan, String) {
    use crate::graph::SegmentState;
    let SourcePlan::Traverse {
        dir,
        segment,
        depth,
        chain,
        place: Some(place),
    } = source
    else {
        return (source, text);
    };
    let Some(col) = columns.iter().position(|c| c.name == "state") else {
        return (source, text);
    };
    let Some((Op::Filter(cond), _)) = ops.first() else {
        return (source, text);
    };
    fn state_of(a: &Arg) -> Option<SegmentState> {
        let Arg::Val(Value::Text(t)) = a else {
            return None;
        };
        [
            SegmentState::Present,
            SegmentState::Planned,
            SegmentState::Missing,
            SegmentState::Unknown,
        ]
        .into_iter()
        .find(|s| s.as_str() == &**t)
    }
    fn states(c: &Cond, col: usize, out: &mut Vec<SegmentState>) -> bool {
        match c {
            Cond::Cmp(Arg::Col(i), CmpOp::Eq, v) if *i == col => {
                state_of(v).map(|s| out.push(s)).is_some()
            }
            Cond::In(Arg::Col(i), items) if *i == col => items
                .iter()
                .all(|v| state_of(v).map(|s| out.push(s)).is_some()),
            Cond::Or(v) => v.iter().all(|c| states(c, col, out)),
            _ => false,
        }
    }
    let mut kept = Vec::new();
    if !states(cond, col, &mut kept) {
        return (source, text);
    }
    ops.remove(0);
    // A `select` right after: only its columns are made.
    let needed = match ops.first() {
        Some((Op::Project(keep), _)) if columns.len() == 8 => {
            let mut need = [false; 8];
            for &i in keep {
                if let Some(n) = need.get_mut(i) {
                    *n = true;
                }
            }
            Some(need)
        }
        _ => None,
    };
    let walk = crate::report::walk::StateWalk {
        upstream: dir == Direction::Upstream,
        origin: segment,
        depth,
        chain,
        place,
        states: kept,
        needed,
    };
    let text = walk.explain(g, Lang::En);
    (SourcePlan::StateWalk(walk), text)
}

// ------------------------------------------------------------------- top-k producer rule

/// The planner rule for top producers: `enterprises | where C | sort revenue_yi desc, name |
/// limit k`, where one conjunct of C is `segments contains S` or an `or` of such terms, becomes
/// a `TopProducers` source that merges those segments' revenue-ordered producer lists and tests
/// the rest of C on each firm's row until k are kept. Any other shape is left as it is. (`sort
/// revenue_yi desc` alone is not rewritten: its ties keep the list's node order, the index's
/// break them by name.)
fn push_top_producers(
    g: &Graph,
    source: SourcePlan,
    text: String,
    ops: &mut Vec<(Op, String)>,
) -> (SourcePlan, String) {
    let columns = list_columns(ListKind::Enterprises);
    let at = |n: &str| columns.iter().position(|c| c.name == n);
    let (Some(seg), Some(rev), Some(name)) = (at("segments"), at("revenue_yi"), at("name")) else {
        return (source, text);
    };
    let SourcePlan::List {
        kind: ListKind::Enterprises,
        within: None,
    } = source
    else {
        return (source, text);
    };
    let [
        (Op::Filter(cond), _),
        (Op::Sort(keys), _),
        (Op::Limit(k), _),
        ..,
    ] = &ops[..]
    else {
        return (source, text);
    };
    let [(r, true, _), (n, false, _)] = keys[..] else {
        return (source, text);
    };
    if r != rev || n != name {
        return (source, text);
    }
    fn conjuncts(c: &Cond, out: &mut Vec<Cond>) {
        match c {
            Cond::And(v) => v.iter().for_each(|c| conjuncts(c, out)),
            c => out.push(c.clone()),
        }
    }
    fn segment_texts(c: &Cond, seg: usize, out: &mut Vec<String>) -> bool {
        match c {
            Cond::Contains(Arg::Col(i), Arg::Val(Value::Text(t))) if *i == seg => {
                out.push(t.to_string());
                true
            }
            Cond::Or(v) => v.iter().all(|c| segment_texts(c, seg, out)),
            _ => false,
        }
    }
    let mut all = Vec::new();
    conjuncts(cond, &mut all);
    let mut texts = Vec::new();
    let Some(pos) = all.iter().position(|c| {
        texts.clear();
        segment_texts(c, seg, &mut texts)
    }) else {
        return (source, text);
    };
    all.remove(pos);
    let keep = match all.len() {
        0 => None,
        1 => all.pop(),
        _ => Some(Cond::And(all)),
    };
    let top = crate::report::producers::TopProducers::new(g, texts, *k, keep.is_some());
    let text = top.explain(Lang::En);
    ops.drain(..3);
    (SourcePlan::TopProducers { top, keep }, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    /// The fixture, with the alias 同名 on every enterprise and project (13 entities) and 两家
    /// on two enterprises.
    fn fixture_with_shared_aliases() -> Graph {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
        let mut ds = crate::data::load(&[dir], Default::default())
            .expect("fixture")
            .dataset;
        let mut firms = 0;
        for n in &mut ds.nodes {
            if matches!(n.kind, Kind::Enterprise | Kind::Project) {
                let mut aliases = n.aliases.to_vec();
                aliases.push("同名".into());
                if n.kind == Kind::Enterprise && firms < 2 {
                    aliases.push("两家".into());
                    firms += 1;
                }
                n.aliases = aliases.into();
            }
        }
        Graph::build(ds)
    }

    fn filter(g: &Graph, q: &str) -> Cond {
        let p = plan(g, &parse::parse(q).expect("parses")).expect("plans");
        match &p.ops[0].0 {
            Op::Filter(c) => c.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_value_naming_a_few_entities_matches_their_names_and_one_naming_many_does_not() {
        let g = fixture_with_shared_aliases();
        let text = |s: &str| Arg::Val(Value::text(s));
        // 两家 names two enterprises: `=` holds for either, `!=` for neither.
        let Cond::Or(any) = filter(&g, "enterprises | where name = 两家") else {
            panic!("two names")
        };
        assert_eq!(any.len(), 3);
        let Cond::And(none) = filter(&g, "enterprises | where name != 两家") else {
            panic!("two names")
        };
        assert_eq!(none.len(), 3);
        let Cond::In(_, items) = filter(&g, "enterprises | where name in [两家, x]") else {
            panic!("in")
        };
        assert_eq!(items.len(), 4);
        // 同名 names 13 entities: a word, compared as the text it is.
        assert_eq!(
            filter(&g, "enterprises | where name = 同名"),
            Cond::Cmp(Arg::Col(0), CmpOp::Eq, text("同名"))
        );
        assert_eq!(
            filter(&g, "enterprises | where segments contains 同名"),
            Cond::Contains(Arg::Col(7), text("同名"))
        );
        // A value that names no entity is left alone; a number column against a name is an
        // error (it holds for every row).
        assert_eq!(
            filter(&g, "enterprises | where location = missing"),
            Cond::Cmp(Arg::Col(3), CmpOp::Eq, text("missing"))
        );
        let st = parse::parse("enterprises | where revenue_yi != 两家").expect("parses");
        let err = plan(&g, &st).expect_err("numbers against text");
        assert!(
            err.message
                .contains("compares numbers with text: it is true for every row"),
            "{err:?}"
        );
    }
}
