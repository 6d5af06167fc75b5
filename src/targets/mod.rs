//! Target-company lists (精准招商目标企业清单) and project routing (项目流转): candidates outside
//! a place that produce its gap segments, scored with transparent weights and admission rules,
//! and the parks that fit a project best.
//!
//! Cost: candidates are found through the gap segments' PRODUCES edges, so a list costs the
//! number of producers of those segments, never a scan of every enterprise; scoring runs on
//! rayon and the top k are selected without sorting the rest.

pub mod config;
pub mod list;

use crate::graph::{Graph, SegmentState};
use crate::model::{Attrs, EdgeKind, Kind};
use config::{Rule, RuleKind, RuleSet, Weights};
use petgraph::Direction;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// Why a segment is on the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GapKind {
    /// 补链; `broken` = 断链 (present segments above and below).
    Fill { broken: bool },
    /// 延链.
    Extend,
    /// 强链.
    Strengthen,
    /// Named by the user.
    Named,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    pub segment: u32,
    pub kind: GapKind,
}

/// One scored candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetRow {
    pub enterprise: u32,
    /// Gap segments it produces.
    pub gaps: Vec<u32>,
    pub score: f64,
    pub scale: f64,
    pub fit: f64,
    pub relation: f64,
    pub origin: f64,
    pub plan: f64,
    pub reason: String,
    /// `rule id: rule text` when an admission rule excludes it.
    pub excluded: Option<String>,
}

/// Options of one target list.
#[derive(Clone, Debug, Default)]
pub struct TargetOptions {
    pub limit: usize,
    /// Planned single-project investment (亿元), checked against minimum-investment rules.
    pub investment: Option<f64>,
    /// Score on one thread (for comparison in benches).
    pub serial: bool,
}

/// Industries the given chains belong to: BELONGS_TO, then up the industry hierarchy (PART_OF).
fn industries_of_chains(g: &Graph, chains: &[u32]) -> HashSet<u32> {
    let mut out = HashSet::new();
    let mut stack: Vec<u32> = chains
        .iter()
        .flat_map(|&c| g.edges_of(c, EdgeKind::BelongsTo, Direction::Outgoing))
        .collect();
    while let Some(i) = stack.pop() {
        if g.node(i).kind == Kind::Industry && out.insert(i) {
            stack.extend(g.edges_of(i, EdgeKind::PartOf, Direction::Outgoing));
        }
    }
    out
}

/// Industries a segment belongs to, through its chains.
pub fn segment_industries(g: &Graph, segment: u32) -> HashSet<u32> {
    industries_of_chains(g, g.segment_chains(segment))
}

/// Segments of every chain that belongs to one of `industries` (or to an industry below one).
fn segments_of_industries(g: &Graph, industries: &HashSet<u32>) -> HashSet<u32> {
    g.nodes_of(Kind::Chain)
        .iter()
        .filter(|&&c| !industries_of_chains(g, &[c]).is_disjoint(industries))
        .flat_map(|&c| g.chain_segments(c).iter().copied())
        .collect()
}

/// Rules resolved against the graph once per list.
struct Resolved<'r> {
    rule: &'r Rule,
    /// The segments the rule is about: named ones (exclude_segment), or every segment of a
    /// chain belonging to one of its industries (min_investment) — resolved once here, so that
    /// checking a candidate is a set look-up.
    segments: HashSet<u32>,
    place: Option<u32>,
}

fn resolve_rules<'r>(g: &Graph, set: &'r RuleSet) -> Result<Vec<Resolved<'r>>, String> {
    let one = |name: &str, kinds: &[Kind], rule: &Rule| -> Result<u32, String> {
        match g.names.lookup(&g.ds.nodes, name, kinds).as_slice() {
            [i] => Ok(*i),
            // Suggestions scan every name: only worth it when the error will be shown.
            _ if !set.strict => Err(String::new()),
            _ => Err(format!(
                "admission rule `{}` names `{name}`, which is not one {}{}",
                rule.id,
                kinds
                    .iter()
                    .map(|k| k.label_zh())
                    .collect::<Vec<_>>()
                    .join("/"),
                crate::names::did_you_mean(&g.names.suggest(&g.ds.nodes, name, kinds, 3))
            )),
        }
    };
    let mut out = Vec::new();
    for rule in &set.rules {
        let resolved = (|| {
            Ok::<_, String>(Resolved {
                rule,
                segments: {
                    let mut segs: HashSet<u32> = rule
                        .segments
                        .iter()
                        .map(|s| one(s, &[Kind::Segment], rule))
                        .collect::<Result<_, _>>()?;
                    let industries: HashSet<u32> = rule
                        .industries
                        .iter()
                        .map(|s| one(s, &[Kind::Industry], rule))
                        .collect::<Result<_, _>>()?;
                    segs.extend(segments_of_industries(g, &industries));
                    segs
                },
                place: rule
                    .place
                    .as_deref()
                    .map(|p| one(p, &[Kind::Park, Kind::Region], rule))
                    .transpose()?,
            })
        })();
        match resolved {
            Ok(r) => out.push(r),
            Err(e) if set.strict => return Err(e),
            Err(_) => {} // a default rule for places or industries this database does not hold
        }
    }
    Ok(out)
}

/// The first rule that excludes recruiting `enterprise` for `segments` into `place`.
fn excluded_by(
    g: &Graph,
    rules: &[Resolved],
    enterprise: Option<u32>,
    segments: &[u32],
    place: u32,
    investment: Option<f64>,
) -> Option<String> {
    for r in rules {
        let hit = match r.rule.kind {
            RuleKind::ExcludeTag => enterprise.is_some_and(|e| match &g.node(e).attrs {
                Attrs::Enterprise(a) => a.tags.iter().any(|t| Some(&**t) == r.rule.tag.as_deref()),
                _ => false,
            }),
            RuleKind::ExcludeSegment => segments.iter().any(|s| r.segments.contains(s)),
            RuleKind::MinInvestment => match (investment, r.rule.min_yi) {
                (Some(inv), Some(min)) if inv < min => {
                    r.place.is_none_or(|p| g.is_within(place, p))
                        && segments.iter().any(|s| r.segments.contains(s))
                }
                _ => false,
            },
        };
        if hit {
            return Some(format!("{}: {}", r.rule.id, r.rule.text));
        }
    }
    None
}

fn cmp_rows(a: &TargetRow, b: &TargetRow, g: &Graph) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| g.node(a.enterprise).id.cmp(&g.node(b.enterprise).id))
}

/// Everything about the place and chain that scoring needs, computed once per list so that
/// scoring one candidate is a handful of lookups and no allocation.
struct Scorer<'a> {
    g: &'a Graph,
    gaps: &'a [Gap],
    w: &'a Weights,
    /// Sorted: a chain has tens of segments, so binary search beats hashing.
    chain_segs: Vec<u32>,
    /// Chain segments next to (SUPPLIES either way) a segment present in the place.
    adjacent: Vec<u32>,
    /// The place and every place below it, sorted.
    within: Vec<u32>,
    /// Per gap: the place plans a project for it.
    planned: Vec<bool>,
    /// Province (without 省/市) → preferred origin region.
    regions: HashMap<String, String>,
}

impl<'a> Scorer<'a> {
    fn new(g: &'a Graph, chain: u32, place: u32, gaps: &'a [Gap], w: &'a Weights) -> Scorer<'a> {
        let mut chain_segs: Vec<u32> = g.chain_segments(chain).to_vec();
        chain_segs.sort_unstable();
        let present: HashSet<u32> = chain_segs
            .iter()
            .copied()
            .filter(|&s| g.state(place, s) == SegmentState::Present)
            .collect();
        let mut adjacent = Vec::new();
        for (a, b) in g.chain_edges(chain) {
            if present.contains(&b) {
                adjacent.push(a);
            }
            if present.contains(&a) {
                adjacent.push(b);
            }
        }
        adjacent.sort_unstable();
        adjacent.dedup();
        let mut within: Vec<u32> = g
            .nodes_of(Kind::Park)
            .iter()
            .chain(g.nodes_of(Kind::Region))
            .copied()
            .filter(|&p| g.is_within(p, place))
            .collect();
        within.sort_unstable();
        let planned = gaps
            .iter()
            .map(|gp| g.state(place, gp.segment) == SegmentState::Planned)
            .collect();
        let mut regions = HashMap::new();
        for r in &w.origin.preferred {
            for p in w.origin.regions.get(r).into_iter().flatten() {
                regions
                    .entry(p.trim_end_matches(['省', '市']).to_string())
                    .or_insert_with(|| r.clone());
            }
        }
        Scorer {
            g,
            gaps,
            w,
            chain_segs,
            adjacent,
            within,
            planned,
            regions,
        }
    }

    /// Whether node `i` is located in the place (or below it).
    fn local(&self, i: u32) -> bool {
        self.g
            .cols
            .locations(i)
            .iter()
            .any(|p| self.within.binary_search(p).is_ok())
    }

    fn region(&self, province: &str) -> Option<&str> {
        self.regions
            .get(province.trim_end_matches(['省', '市']))
            .map(String::as_str)
    }

    /// The score and its components (no reason text yet).
    fn score(&self, e: u32, gap_idx: &[usize]) -> TargetRow {
        let (g, w) = (self.g, self.w);
        let mut fit = 0.0;
        let mut plan = 0.0;
        for &gi in gap_idx {
            fit += w.fit.per_gap;
            if self.gaps[gi].kind == (GapKind::Fill { broken: true }) {
                fit += w.fit.broken_link;
            }
            if self.planned[gi] {
                plan = w.plan.planned_project;
            }
        }
        let (mut in_chain, mut adjacent) = (0usize, 0usize);
        let produced = g.cols.produced(e).len();
        for s in g.cols.produced(e) {
            if self.chain_segs.binary_search(s).is_ok() {
                in_chain += 1;
                adjacent += usize::from(self.adjacent.binary_search(s).is_ok());
            }
        }
        if produced > 0 {
            fit += w.fit.chain_share * in_chain as f64 / produced as f64;
        }
        if in_chain > 0 {
            fit += w.fit.adjacency * adjacent as f64 / in_chain as f64;
        }
        let (mut scale, mut origin) = (0.0, 0.0);
        if let Attrs::Enterprise(a) = &g.node(e).attrs {
            if let Some(r) = a.revenue_yi {
                scale += w.scale.revenue * (1.0 + r).log10();
            }
            scale += a
                .tags
                .iter()
                .filter_map(|t| w.scale.tags.get(&**t))
                .sum::<f64>();
            if self.region(&a.province).is_some() {
                origin = w.origin.points;
            }
        }
        let local = |kind, dir| self.g.edges_of(e, kind, dir).find(|&o| self.local(o));
        let mut relation = 0.0;
        // Most firms have no firm-to-firm edges; the column saves walking their edge lists.
        let related = g.cols.has_relations(e);
        if related && local(EdgeKind::SuppliesTo, Direction::Outgoing).is_some() {
            relation += w.relation.supplies_local;
        }
        if related && local(EdgeKind::SuppliesTo, Direction::Incoming).is_some() {
            relation += w.relation.buys_local;
        }
        if related
            && local(EdgeKind::SubsidiaryOf, Direction::Incoming)
                .or_else(|| local(EdgeKind::SubsidiaryOf, Direction::Outgoing))
                .is_some()
        {
            relation += w.relation.group_local;
        }
        let round = |x: f64| (x * 100.0).round() / 100.0;
        TargetRow {
            enterprise: e,
            gaps: gap_idx.iter().map(|&gi| self.gaps[gi].segment).collect(),
            score: round(scale + fit + relation + origin + plan),
            scale: round(scale),
            fit: round(fit),
            relation: round(relation),
            origin: round(origin),
            plan: round(plan),
            reason: String::new(),
            excluded: None,
        }
    }

    /// The one-line reason, in Chinese, for a scored row.
    fn explain(&self, row: &mut TargetRow) {
        let g = self.g;
        let e = row.enterprise;
        let mut reasons: Vec<String> = Vec::new();
        for &s in &row.gaps {
            let name = g.node(s).name();
            let kind = self
                .gaps
                .iter()
                .find(|gp| gp.segment == s)
                .map(|gp| gp.kind);
            reasons.push(match kind {
                Some(GapKind::Fill { broken: true }) => format!("补 {name} 断链"),
                Some(GapKind::Fill { broken: false }) => format!("补 {name}"),
                Some(GapKind::Extend) => format!("延 {name}"),
                Some(GapKind::Strengthen) => format!("强 {name}"),
                Some(GapKind::Named) | None => format!("产 {name}"),
            });
        }
        if let Attrs::Enterprise(a) = &g.node(e).attrs {
            if let Some(r) = a.revenue_yi {
                reasons.push(format!("营收 {} 亿元", crate::model::fmt_yi(r)));
            }
            let mut tagged: Vec<(&str, f64)> = a
                .tags
                .iter()
                .filter_map(|t| self.w.scale.tags.get(&**t).map(|p| (&**t, *p)))
                .collect();
            tagged.sort_by(|x, y| y.1.total_cmp(&x.1));
            reasons.extend(tagged.iter().take(3).map(|(t, _)| t.to_string()));
            if let Some(region) = self.region(&a.province) {
                reasons.push(region.to_string());
            }
        }
        let local = |kind, dir| g.edges_of(e, kind, dir).find(|&o| self.local(o));
        if let Some(buyer) = local(EdgeKind::SuppliesTo, Direction::Outgoing) {
            reasons.push(format!("已向 {} 供货", g.node(buyer).name()));
        }
        if let Some(seller) = local(EdgeKind::SuppliesTo, Direction::Incoming) {
            reasons.push(format!("采购 {} 产品", g.node(seller).name()));
        }
        if let Some(member) = local(EdgeKind::SubsidiaryOf, Direction::Incoming)
            .or_else(|| local(EdgeKind::SubsidiaryOf, Direction::Outgoing))
        {
            reasons.push(format!("本地关联企业 {}", g.node(member).name()));
        }
        if row.plan > 0.0 {
            reasons.push("本地已有规划项目".into());
        }
        row.reason = reasons.join("; ");
    }
}

/// Candidates for `gaps` of `chain` in `place`: (admitted, top `limit` by score; excluded, all).
pub fn targets(
    g: &Graph,
    chain: u32,
    place: u32,
    gaps: &[Gap],
    weights: &Weights,
    rules: &RuleSet,
    opts: &TargetOptions,
) -> Result<(Vec<TargetRow>, Vec<TargetRow>), String> {
    let rules = resolve_rules(g, rules)?;
    // Candidate → the gaps it fills, found through PRODUCES edges of the gap segments only.
    // (firm, gap) pairs sorted by firm: grouping a sorted vector is cheaper than a hash map
    // at tens of thousands of candidates.
    let scorer = Scorer::new(g, chain, place, gaps, weights);
    let mut pairs: Vec<(u32, usize)> = Vec::new();
    for (gi, gap) in gaps.iter().enumerate() {
        for &e in g.cols.producers(gap.segment) {
            if !scorer.local(e) {
                pairs.push((e, gi));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut firms: Vec<(u32, Vec<usize>)> = Vec::new();
    for (e, gi) in pairs {
        match firms.last_mut() {
            Some((last, v)) if *last == e => v.push(gi),
            _ => firms.push((e, vec![gi])),
        }
    }
    let one = |(e, gap_idx): &(u32, Vec<usize>)| {
        let mut row = scorer.score(*e, gap_idx);
        row.excluded = excluded_by(
            g,
            &rules,
            Some(row.enterprise),
            &row.gaps,
            place,
            opts.investment,
        );
        row
    };
    let rows: Vec<TargetRow> = if opts.serial {
        firms.iter().map(one).collect()
    } else {
        firms.par_iter().map(one).collect()
    };
    let (mut admitted, mut excluded): (Vec<TargetRow>, Vec<TargetRow>) =
        rows.into_iter().partition(|r| r.excluded.is_none());
    // Top k without sorting the rest; reasons are written for the rows that are shown only.
    let k = opts.limit.max(1);
    if admitted.len() > k {
        admitted.select_nth_unstable_by(k - 1, |a, b| cmp_rows(a, b, g));
        admitted.truncate(k);
    }
    admitted.sort_by(|a, b| cmp_rows(a, b, g));
    excluded.sort_by(|a, b| cmp_rows(a, b, g));
    for row in admitted.iter_mut().chain(excluded.iter_mut()) {
        scorer.explain(row);
    }
    Ok((admitted, excluded))
}

/// One park's fit for a project (项目流转).
#[derive(Clone, Debug, PartialEq)]
pub struct RouteRow {
    pub park: u32,
    pub score: f64,
    /// What of the park's focus (主导产业) covers the segments.
    pub focus: Vec<String>,
    /// Present neighbouring segments (inputs available, customers nearby).
    pub neighbours: Vec<String>,
    /// Local producers of the same segments (同质化竞争).
    pub competitors: usize,
    pub reason: String,
    pub excluded: Option<String>,
}

/// Rank parks for a project that builds `segments` (with an optional investment in 亿元).
pub fn route(
    g: &Graph,
    segments: &[u32],
    investment: Option<f64>,
    rules: &RuleSet,
) -> Result<Vec<RouteRow>, String> {
    let rules = resolve_rules(g, rules)?;
    // What a park could focus on that covers the segments: the segments, their chains, and the
    // industries of those chains (with their parents).
    let mut covers: HashMap<u32, (f64, String)> = HashMap::new();
    for &s in segments {
        covers.insert(s, (3.0, format!("环节 {}", g.node(s).name())));
        for &c in g.segment_chains(s) {
            covers
                .entry(c)
                .or_insert((2.0, format!("产业链 {}", g.node(c).name())));
        }
        for i in segment_industries(g, s) {
            covers
                .entry(i)
                .or_insert((1.5, format!("产业 {}", g.node(i).name())));
        }
    }
    let neighbours_of: Vec<u32> = {
        let mut v: Vec<u32> = Vec::new();
        for &s in segments {
            for (n, _) in g
                .neighbors(s, EdgeKind::Supplies, Direction::Incoming)
                .into_iter()
                .chain(g.neighbors(s, EdgeKind::Supplies, Direction::Outgoing))
            {
                if !segments.contains(&n) && !v.contains(&n) {
                    v.push(n);
                }
            }
        }
        v
    };
    let mut rows: Vec<RouteRow> = g
        .nodes_of(Kind::Park)
        .par_iter()
        .map(|&park| {
            // Focus stated on the park itself or on the places above it.
            let mut focus_pts = 0.0f64;
            let mut focus = Vec::new();
            for place in std::iter::once(park).chain(g.ancestors(park).iter().copied()) {
                for (f, _) in g.neighbors(place, EdgeKind::FocusesOn, Direction::Outgoing) {
                    if let Some((pts, label)) = covers.get(&f) {
                        let pts = if place == park { *pts } else { pts / 2.0 };
                        focus_pts = focus_pts.max(pts);
                        if !focus.contains(label) {
                            focus.push(label.clone());
                        }
                    }
                }
            }
            let present: Vec<String> = neighbours_of
                .iter()
                .filter(|&&n| g.state(park, n) == SegmentState::Present)
                .map(|&n| g.node(n).name().to_string())
                .collect();
            let share = if neighbours_of.is_empty() {
                0.0
            } else {
                present.len() as f64 / neighbours_of.len() as f64
            };
            let competitors: usize = segments
                .iter()
                .filter_map(|&s| g.presence(park, s))
                .map(|p| p.producers.len())
                .sum();
            let planned = segments
                .iter()
                .any(|&s| g.state(park, s) == SegmentState::Planned);
            let mut reasons = Vec::new();
            if !focus.is_empty() {
                reasons.push(format!("主导产业含 {}", focus.join("、")));
            }
            if !present.is_empty() {
                reasons.push(format!("已有相邻环节 {}", present.join("、")));
            }
            if competitors > 0 {
                reasons.push(format!("已有同类企业 {competitors} 家（同质化）"));
            }
            if planned {
                reasons.push("已有同类规划项目（同质化）".into());
            }
            let score = ((focus_pts + 3.0 * share) * 100.0).round() / 100.0;
            RouteRow {
                park,
                score,
                focus,
                neighbours: present,
                competitors,
                reason: reasons.join("; "),
                excluded: excluded_by(g, &rules, None, segments, park, investment),
            }
        })
        .filter(|r| r.score > 0.0)
        .collect();
    rows.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| g.node(a.park).id.cmp(&g.node(b.park).id))
    });
    Ok(rows)
}
