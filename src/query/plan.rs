//! AST → plan: resolves the source's names into the input of one report unit
//! (`crate::report`; one `SourcePlan` variant per unit, which declares the columns and writes
//! the explain line), plans `targets` against that source, and has `stages.rs` check every
//! other stage against the columns it receives. `explain` prints the plan.
//!
//! Some 800 lines, kept whole (tests in plan_tests.rs): `plan_source` and `plan_targets` share
//! the name lookups and their suggestions (`lookup`, `place_one`, `suggest_names`).

use super::ast::{
    self, AggFn, CmpOp, Direction, GapKind, ListKind, Name, Place, Source, Span, Stage, Statement,
};
use super::error::{QueryError, did_you_mean_zh};
use crate::graph::Graph;
use crate::lang::{Domain, Lang};
use crate::model::Kind;
use crate::names::{did_you_mean, distance, normalize};
use crate::report::common::Places;
use crate::report::schema::{Col, Ty};
use crate::report::{
    Value, build, compare, gap_count, gap_rows, lists, partners, paths, producers, state_walk,
    status, walk,
};
use crate::tr;

/// Deepest upstream/downstream traversal.
pub const MAX_DEPTH: i64 = 64;
/// Most hops one path step may take, and a whole path pattern.
pub const MAX_STEP_HOPS: i64 = 8;
pub const MAX_PATTERN_HOPS: i64 = 12;

/// The report a statement's source asks for, with its input resolved: one variant per report
/// unit of `crate::report`, which declares the columns, writes the explain line and makes the
/// rows (`exec::source`).
#[derive(Clone, Debug, PartialEq)]
pub enum SourcePlan {
    Find(lists::FindInput),
    List(lists::ListInput),
    Walk(walk::Input),
    Status(status::Input),
    Gaps(gap_rows::Input),
    Build(build::Input),
    Compare(compare::Input),
    Paths(paths::Input),
    /// `partners in PLACE [chain C] [depth d]` (以商招商).
    Partners(partners::Partners),
    /// Made by planner rules (`rules.rs`), never named by a statement:
    /// `enterprises | where segments contains … | sort revenue_yi desc, name | limit k` answered
    /// from the revenue-ordered producer lists; `keep` is the rest of the condition, tested on
    /// each firm's row.
    TopProducers {
        top: producers::TopProducers,
        keep: Option<Cond>,
    },
    /// A walk in a place filtered on state, the state tested during the walk.
    StateWalk(state_walk::StateWalk),
    /// `fill C in all parks | where distance = d | group by place with count()`, counted from the
    /// place bitsets.
    GapCount(gap_count::GapCount),
}

impl SourcePlan {
    /// The columns the report produces (its unit's one declaration).
    pub fn columns(&self, g: &Graph) -> Vec<Col> {
        match self {
            SourcePlan::Find(_) => lists::find_columns(),
            SourcePlan::List(i) => lists::columns(i.kind),
            SourcePlan::Walk(i) => walk::columns(i),
            SourcePlan::Status(_) => status::columns(),
            SourcePlan::Gaps(i) => gap_rows::columns(i),
            SourcePlan::Build(i) => build::columns(i),
            SourcePlan::Compare(i) => compare::columns(g, i),
            SourcePlan::Paths(_) => paths::columns(),
            SourcePlan::Partners(_) => partners::Partners::columns(),
            SourcePlan::TopProducers { .. } => lists::columns(ListKind::Enterprises),
            SourcePlan::StateWalk(w) => walk::columns(&walk::Input {
                dir: if w.upstream {
                    Direction::Upstream
                } else {
                    Direction::Downstream
                },
                segment: w.origin,
                depth: w.depth,
                chain: w.chain,
                place: Some(w.place),
            }),
            SourcePlan::GapCount(_) => gap_count::GapCount::columns(),
        }
    }

    /// What the report does, for `explain`, in `lang`.
    pub fn explain(&self, g: &Graph, lang: Lang) -> String {
        match self {
            SourcePlan::Find(i) => lists::find_explain(g, i, lang),
            SourcePlan::List(i) => lists::list_explain(g, i, lang),
            SourcePlan::Walk(i) => walk::explain(g, i, lang),
            SourcePlan::Status(i) => status::explain(g, i, lang),
            SourcePlan::Gaps(i) => gap_rows::explain(g, i, lang),
            SourcePlan::Build(i) => build::explain(g, i, lang),
            SourcePlan::Compare(i) => compare::explain(g, i, lang),
            SourcePlan::Paths(i) => paths::explain(g, i, lang),
            SourcePlan::Partners(p) => p.explain(g, lang),
            SourcePlan::TopProducers { top, .. } => top.explain(lang),
            SourcePlan::StateWalk(w) => w.explain(g, lang),
            SourcePlan::GapCount(c) => c.explain(g, lang),
        }
    }
}

/// A line of `explain` in both languages.
#[derive(Clone, Debug, PartialEq)]
pub enum Said {
    /// Written out when planned.
    Text { zh: String, en: String },
    /// A generic stage, printed back as the language with a note in the reader's language
    /// (`stages::said`) only when `explain` asks: planning a statement writes no text.
    Stage(Stage),
    /// A generic stage of a statement without `explain`, whose plan is never printed: its
    /// stage is not copied into the plan (`Plan::lines` shows it as `…`).
    Unsaid,
}

impl Said {
    /// The same text in both languages.
    pub fn both(text: impl Into<String>) -> Said {
        let text = text.into();
        Said::Text {
            zh: text.clone(),
            en: text,
        }
    }

    pub fn get(&self, lang: Lang) -> std::borrow::Cow<'_, str> {
        match self {
            Said::Text { zh, en } => lang.pick(zh.as_str(), en.as_str()).into(),
            Said::Stage(st) => super::stages::said(st, lang).into(),
            Said::Unsaid => "…".into(),
        }
    }
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
    /// Replace gap rows by target companies for their segments (the node each row is about,
    /// `report::Rows::subjects`), for the source's chain in one place; `kind` is the source's
    /// gap kind (after fill, 断链 comes from the gap analysis).
    Targets {
        chain: u32,
        place: u32,
        kind: Option<GapKind>,
    },
    /// Replace rows about segments by the firms that make them, by revenue (`| producers`).
    Producers(producers::OfSegments),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub explain: bool,
    pub source: SourcePlan,
    /// Columns the source produces.
    pub source_columns: Vec<Col>,
    /// Operators with their `explain` line.
    pub ops: Vec<(Op, Said)>,
    /// Columns of the final result.
    pub columns: Vec<Col>,
}

impl Plan {
    /// The plan as numbered lines (what `explain` prints), in `lang`: column names as the
    /// table shows them (`环节名称` / `segment`).
    pub fn lines(&self, g: &Graph, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        let names = |c: &[Col]| {
            c.iter()
                .map(|c| lang.label(&c.name))
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", "))
        };
        out.push(format!(
            "1. {} → [{}]",
            self.source.explain(g, lang),
            names(&self.source_columns)
        ));
        for (i, (_, text)) in self.ops.iter().enumerate() {
            out.push(format!("{}. {}", i + 2, text.get(lang)));
        }
        let columns = names(&self.columns);
        out.push(tr!(lang, "结果列：{columns}", "result columns: {columns}"));
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

// ------------------------------------------------------------------------------------ sources

/// Resolve the source's names and options into its report's input; its columns follow.
fn plan_source(g: &Graph, src: &Source) -> Result<SourcePlan, QueryError> {
    Ok(match src {
        // Writes run through `query::Writer` before planning (`query::run_script_with`).
        Source::Write(w) => return Err(super::no_writer(w)),
        Source::Find(n) => SourcePlan::Find(lists::FindInput {
            typed: n.text.clone(),
            hits: lookup(g, n, &[], "find")?,
        }),
        Source::List { kind, within } => {
            let clause = kind.keyword();
            let within = match within {
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
            SourcePlan::List(lists::ListInput {
                kind: *kind,
                within,
            })
        }
        Source::Traverse { dir, segment, opts } => {
            let clause = dir.keyword();
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
            SourcePlan::Walk(walk::Input {
                dir: *dir,
                segment: seg,
                depth: depth as u32,
                chain,
                place,
            })
        }
        Source::Status { chain, place } => SourcePlan::Status(status::Input {
            chain: lookup_one(g, chain, &[Kind::Chain], "status")?,
            place: place_one(g, place, "status")?,
        }),
        Source::Gaps { kind, chain, place } => {
            let clause = kind.keyword();
            SourcePlan::Gaps(gap_rows::Input {
                kind: *kind,
                chain: lookup_one(g, chain, &[Kind::Chain], clause)?,
                places: places(g, place, clause)?,
            })
        }
        Source::Build {
            place,
            below,
            inherited,
        } => {
            let places = places(g, place, "build")?;
            let (below, below_span) = below.unwrap_or((build::DEFAULT_BELOW, Span::default()));
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
            SourcePlan::Build(build::Input {
                places,
                below,
                inherited: *inherited,
            })
        }
        Source::Compare { chain, places: ps } => {
            let chain = lookup_one(g, chain, &[Kind::Chain], "compare")?;
            let mut places = Vec::new();
            for n in ps {
                let p = lookup_one(g, n, PLACE_KINDS, "compare")?;
                if places.contains(&p) {
                    return Err(QueryError::semantic(
                        "compare",
                        format!("{} is listed twice", g.node(p).name()),
                        n.span,
                    ));
                }
                places.push(p);
            }
            SourcePlan::Compare(compare::Input { chain, places })
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
                planned.push(paths::Step {
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
            SourcePlan::Paths(paths::Input {
                typed: from.text.clone(),
                from: start,
                steps: planned,
            })
        }
        Source::Partners {
            place,
            chain,
            depth,
        } => plan_partners(g, place, chain.as_ref(), *depth)?,
    })
}

/// `partners in PLACE [chain C] [depth d]` (以商招商, `report::partners`).
fn plan_partners(
    g: &Graph,
    place: &Name,
    chain: Option<&Name>,
    depth: Option<(i64, Span)>,
) -> Result<SourcePlan, QueryError> {
    use partners::{DEFAULT_DEPTH, MAX_DEPTH, Partners};
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
    Ok(SourcePlan::Partners(Partners {
        place,
        chain,
        depth,
        k: None,
    }))
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
) -> Result<(Op, Said, Vec<Col>), QueryError> {
    if after_targets {
        return Err(QueryError::semantic(
            "targets",
            "targets cannot follow targets: the rows are already target companies, not gap segments",
            span,
        )
        .with_zh("targets：目标企业 之后不能再接 目标企业：这些行已经是目标企业，不是缺口环节"));
    }
    let (chain, place, kind) = match source {
        SourcePlan::Gaps(gap_rows::Input {
            kind,
            chain,
            places: Places::One(p),
        }) => (*chain, *p, Some(*kind)),
        SourcePlan::Status(status::Input { chain, place }) => (*chain, *place, None),
        // A walk inside one chain, with states in one place: its segments are named gaps, as
        // after `status` (`upstream 动力电池 chain 锂电池 in 玉溪高新区 | where state = missing`).
        SourcePlan::Walk(walk::Input {
            chain: Some(chain),
            place: Some(place),
            ..
        }) => (*chain, *place, None),
        SourcePlan::Walk(walk::Input {
            dir,
            segment,
            depth,
            chain,
            place,
        }) => {
            let clause = dir.keyword();
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
        SourcePlan::Gaps(gap_rows::Input {
            kind,
            chain,
            places: Places::Each(all, what),
        }) => {
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
                SourcePlan::Build(_) => (
                    "`build` lists the chains of a place, not the segments of one chain"
                        .to_string(),
                    "`build`（建链）列的是一个地方的产业链，不是一条链的环节".to_string(),
                ),
                SourcePlan::Compare(_) => (
                    "`compare` has several places, not one".to_string(),
                    "`compare`（对比）有多个地方，不是一个".to_string(),
                ),
                SourcePlan::List(lists::ListInput {
                    kind: ListKind::Segments,
                    within: Some(_),
                }) => (
                    "`segments of` names a chain but no place".to_string(),
                    "`segments of` 指定了产业链，没有指定地方".to_string(),
                ),
                SourcePlan::List(lists::ListInput {
                    kind,
                    within: Some(_),
                }) => (
                    format!("`{} in` names a place but no chain", kind.keyword()),
                    format!("`{} in` 指定了地方，没有指定产业链", kind.keyword()),
                ),
                SourcePlan::List(lists::ListInput { kind, within: None }) => (
                    format!("`{}` names no chain and no place", kind.keyword()),
                    format!("`{}` 没有指定产业链和地方", kind.keyword()),
                ),
                SourcePlan::Find(_) => (
                    "`find` names no chain and no place".to_string(),
                    "`find`（查找）没有指定产业链和地方".to_string(),
                ),
                SourcePlan::Paths(_) => (
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
    // Execution reads the segment each row is about, not this column; the requirement is kept
    // so that a query's meaning does not change (golden 11-errors).
    if !columns
        .iter()
        .any(|c| c.name == "segment" && c.ty == Ty::Text)
    {
        return Err(QueryError::semantic(
            "targets",
            "the rows have no `segment` column (keep it when you select before targets)",
            span,
        )
        .with_zh(
            "targets：这些行没有 `segment`（环节名称）列（在 目标企业 之前 select 时请保留它）",
        ));
    }
    let gap = columns.iter().any(|c| c.name == "gap" && c.ty == Ty::Text);
    // A fill row's `gap` tells a 断链 (scored higher) from a 补链. Execution takes 断链 from the
    // gap analysis itself, not from this column; the requirement is kept, like `segment`'s.
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
    // The list's own explain line and columns (the gaps are the rows', known when it runs).
    use crate::targets::list;
    let input = list::Input::with_defaults(chain, place, Vec::new())
        .map_err(|e| QueryError::internal(e.to_string()))?;
    let text = Said::Text {
        zh: list::explain(g, &input, Lang::Zh),
        en: list::explain(g, &input, Lang::En),
    };
    Ok((
        Op::Targets { chain, place, kind },
        text,
        list::columns(input.excluded),
    ))
}

/// `| producers [outside|in PLACE]`: needs rows about segments — from a walk, a status, a gap
/// query or a segment list, and no `targets` or `producers` before it (whose rows are firms).
fn plan_producers(
    g: &Graph,
    source: &Source,
    before: &[Stage],
    place: Option<&ast::ProducersPlace>,
    span: Span,
) -> Result<(Op, Said, Vec<Col>), QueryError> {
    let firms_before = before.iter().rev().find_map(|s| match s {
        Stage::Targets(_) => Some(("targets", "目标企业")),
        Stage::Producers { .. } => Some(("producers", "生产企业")),
        _ => None,
    });
    let not_segments = match (firms_before, source) {
        (Some((kw, zh)), _) => Some((
            format!("after `{kw}` the rows are enterprises, not segments"),
            format!("`{kw}`（{zh}）之后的行是企业，不是环节"),
        )),
        (
            None,
            Source::Traverse { .. }
            | Source::Status { .. }
            | Source::Gaps { .. }
            | Source::List {
                kind: ListKind::Segments,
                ..
            },
        ) => None,
        (None, Source::List { kind, .. }) => Some((
            format!(
                "`{}` lists {}, not segments",
                kind.keyword(),
                kind.keyword()
            ),
            format!("`{}`（{}）列的不是环节", kind.keyword(), kind.label_zh()),
        )),
        (None, other) => {
            let (kw, zh) = match other {
                Source::Find(_) => ("find", "查找"),
                Source::Build { .. } => ("build", "建链"),
                Source::Compare { .. } => ("compare", "对比"),
                Source::Paths { .. } => ("paths", "路径"),
                Source::Partners { .. } => ("partners", "以商招商"),
                _ => ("", ""),
            };
            Some((
                format!("the rows of `{kw}` are not about one segment each"),
                format!("`{kw}`（{zh}）的行不是各指一个环节"),
            ))
        }
    };
    if let Some((en, zh)) = not_segments {
        return Err(QueryError::semantic(
            "producers",
            format!(
                "producers needs rows about segments (after upstream/downstream, status, a gap query or `segments`); {en}"
            ),
            span,
        )
        .with_zh(format!(
            "producers：生产企业 需要各指一个环节的行（接在上游/下游追溯、现状、缺口查询或 `segments`（环节）之后）；{zh}"
        ))
        .with_hints(
            "e.g. `upstream 动力电池 depth 6 in 玉溪高新区 | where state = missing | producers outside 玉溪高新区 | limit 50`",
            "例如 `上游 动力电池 深度 6 在 玉溪高新区 | 筛选 状态 = 缺失 | 生产企业 不在 玉溪高新区 | 限制 50`",
        ));
    }
    let place = place
        .map(|p| {
            lookup_one(g, &p.place, PLACE_KINDS, "producers").map(|place| producers::Located {
                place,
                outside: p.outside,
            })
        })
        .transpose()?;
    let stage = producers::OfSegments {
        place,
        k: None,
        needed: None,
    };
    let text = producers_said(g, &stage);
    Ok((
        Op::Producers(stage),
        text,
        lists::columns(ListKind::Enterprises),
    ))
}

/// The explain line of `| producers` in both languages.
pub(super) fn producers_said(g: &Graph, stage: &producers::OfSegments) -> Said {
    Said::Text {
        zh: stage.explain(g, Lang::Zh),
        en: stage.explain(g, Lang::En),
    }
}

/// Plan a statement over `g`.
pub fn plan(g: &Graph, st: &Statement) -> Result<Plan, QueryError> {
    let source = plan_source(g, &st.source)?;
    let source_columns = source.columns(g);
    let mut columns = source_columns.clone();
    let mut ops = Vec::new();
    for (i, s) in st.stages.iter().enumerate() {
        let (op, text, next) = match s {
            Stage::Targets(span) => {
                let after_targets = st.stages[..i]
                    .iter()
                    .any(|p| matches!(p, Stage::Targets(_)));
                if st.stages[..i]
                    .iter()
                    .any(|p| matches!(p, Stage::Producers { .. }))
                {
                    return Err(QueryError::semantic(
                        "targets",
                        "targets cannot follow producers: the rows are enterprises, not gap segments",
                        *span,
                    )
                    .with_zh("targets：目标企业 不能接在 生产企业 之后：这些行是企业，不是缺口环节"));
                }
                let (op, text, next) = plan_targets(g, &source, &columns, after_targets, *span)?;
                (op, text, Some(next))
            }
            Stage::Producers { place, span } => {
                let (op, text, next) =
                    plan_producers(g, &st.source, &st.stages[..i], place.as_ref(), *span)?;
                (op, text, Some(next))
            }
            s => super::stages::plan_stage(g, &columns, s, st.explain)?,
        };
        ops.push((op, text));
        if let Some(next) = next {
            columns = next;
        }
    }
    let (source, new_columns) = super::rules::apply(g, source, &source_columns, &mut ops);
    // A rule may stand in for stages too (`group by place with count()`); the others keep the
    // columns (checked in debug builds, so by every test that plans a statement).
    let source_columns = if new_columns {
        source.columns(g)
    } else {
        debug_assert_eq!(
            source.columns(g),
            source_columns,
            "a rule changed the columns"
        );
        source_columns
    };
    Ok(Plan {
        explain: st.explain,
        source,
        source_columns,
        ops,
        columns,
    })
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
