//! Target-company lists (精准招商目标企业清单) and project routing (项目流转): candidates outside
//! a place that produce its gap segments, scored with transparent weights and admission rules,
//! and the parks that fit a project best.
//!
//! Cost: candidates are found through the gap segments' PRODUCES edges, so a list costs the
//! number of producers of those segments, never a scan of every enterprise; scoring runs on
//! rayon and the top k are selected without sorting the rest.

pub mod config;
pub mod list;

use crate::graph::{Graph, Profile, SegmentState};
use crate::model::{Attrs, EdgeKind, Kind};
use crate::report::gaps::GapKind;
use config::{Route, Rule, RuleKind, RuleSet, Weights};
use petgraph::Direction;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// A segment a target list recruits for, and why it is on the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    pub segment: u32,
    /// The gap analysis that found it; `None`: named by the user (`--segment`, or the rows of
    /// a status or a walk before `| targets`).
    pub kind: Option<GapKind>,
    /// 断链: a 补链 with present segments above and below it (scored higher).
    pub broken: bool,
}

impl Gap {
    /// A segment the user named.
    pub fn named(segment: u32) -> Gap {
        Gap {
            segment,
            kind: None,
            broken: false,
        }
    }

    /// A 补链 gap, `broken` when it is a 断链.
    pub fn fill(segment: u32, broken: bool) -> Gap {
        Gap {
            segment,
            kind: Some(GapKind::Fill),
            broken,
        }
    }

    /// A gap of `kind` (a 补链 that is no 断链, when `kind` is fill).
    pub fn of(segment: u32, kind: GapKind) -> Gap {
        Gap {
            segment,
            kind: Some(kind),
            broken: false,
        }
    }
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

/// Whether rule `r` excludes recruiting a firm or project carrying `tags` for `segments` into
/// `place`.
fn rule_hits(
    g: &Graph,
    r: &Resolved,
    tags: &[&str],
    segments: &[u32],
    place: u32,
    investment: Option<f64>,
) -> bool {
    match r.rule.kind {
        RuleKind::ExcludeTag => tags.iter().any(|t| Some(*t) == r.rule.tag.as_deref()),
        RuleKind::ExcludeSegment => segments.iter().any(|s| r.segments.contains(s)),
        RuleKind::MinInvestment => match (investment, r.rule.min_yi) {
            (Some(inv), Some(min)) if inv < min => {
                r.place.is_none_or(|p| g.is_within(place, p))
                    && segments.iter().any(|s| r.segments.contains(s))
            }
            _ => false,
        },
    }
}

/// The first rule that excludes recruiting a firm or project carrying `tags` for `segments` into
/// `place`.
fn excluded_by(
    g: &Graph,
    rules: &[Resolved],
    tags: &[&str],
    segments: &[u32],
    place: u32,
    investment: Option<f64>,
) -> Option<String> {
    rules
        .iter()
        .find(|r| rule_hits(g, r, tags, segments, place, investment))
        .map(|r| format!("{}: {}", r.rule.id, r.rule.text))
}

fn cmp_rows(a: &TargetRow, b: &TargetRow, g: &Graph) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| g.node(a.enterprise).id.cmp(&g.node(b.enterprise).id))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A candidate's score components, before rounding.
#[derive(Clone, Copy, Debug, Default)]
struct Parts {
    scale: f64,
    fit: f64,
    relation: f64,
    origin: f64,
    plan: f64,
}

impl Parts {
    /// The score shown and ranked by: the rounded sum of the unrounded components.
    fn total(&self) -> f64 {
        round2(self.scale + self.fit + self.relation + self.origin + self.plan)
    }
}

/// Everything about the place, chain, weights and rules that scoring needs, computed once per
/// list so that scoring one candidate is a few reads of dense columns and no allocation.
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
    /// Per gap: an admission rule excludes recruiting for it (segment and investment rules).
    gap_excluded: Vec<bool>,
    /// Per distinct tag list of the graph (`Profile::tag_set`): its scale points, and whether
    /// a tag rule excludes it.
    tag_points: Vec<f64>,
    tag_excluded: Vec<bool>,
    /// Per distinct province of the graph (`Profile::province`): its preferred origin region.
    province_region: Vec<Option<&'a str>>,
}

impl<'a> Scorer<'a> {
    fn new(
        g: &'a Graph,
        chain: u32,
        place: u32,
        gaps: &'a [Gap],
        w: &'a Weights,
        rules: &[Resolved],
        investment: Option<f64>,
    ) -> Scorer<'a> {
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
        let within = g.places_within(place);
        let planned = gaps
            .iter()
            .map(|gp| g.state(place, gp.segment) == SegmentState::Planned)
            .collect();
        let gap_excluded = gaps
            .iter()
            .map(|gp| {
                rules.iter().any(|r| {
                    r.rule.kind != RuleKind::ExcludeTag
                        && rule_hits(g, r, &[], &[gp.segment], place, investment)
                })
            })
            .collect();
        let tag_sets = g.cols.tag_sets();
        let tag_points = tag_sets
            .iter()
            .map(|tags| {
                tags.iter()
                    .filter_map(|t| w.scale.tags.get(&**t))
                    .sum::<f64>()
            })
            .collect();
        let tag_excluded = tag_sets
            .iter()
            .map(|tags| {
                let tags: Vec<&str> = tags.iter().map(|t| &**t).collect();
                rules.iter().any(|r| {
                    r.rule.kind == RuleKind::ExcludeTag
                        && rule_hits(g, r, &tags, &[], place, investment)
                })
            })
            .collect();
        let province_region = g
            .cols
            .provinces()
            .iter()
            .map(|p| w.origin_region(p))
            .collect();
        Scorer {
            g,
            gaps,
            w,
            chain_segs,
            adjacent,
            within,
            planned,
            gap_excluded,
            tag_points,
            tag_excluded,
            province_region,
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

    /// The preferred origin region of a firm's province.
    fn region(&self, profile: &Profile) -> Option<&'a str> {
        let province = profile.province as usize;
        self.province_region.get(province).copied().flatten()
    }

    /// Whether an admission rule excludes `e` for these gaps (which rule: `excluded_by`).
    fn excluded(&self, e: u32, gap_idx: &[u32]) -> bool {
        let tag_set = self.g.cols.profile(e).tag_set as usize;
        self.tag_excluded.get(tag_set).copied().unwrap_or(false)
            || gap_idx.iter().any(|&gi| self.gap_excluded[gi as usize])
    }

    /// How many segments `e` produces, how many of them lie in the chain, and how many of
    /// those are next to a segment present in the place.
    fn chain_counts(&self, e: u32) -> (usize, usize, usize) {
        let (mut in_chain, mut adjacent) = (0usize, 0usize);
        let produced = self.g.cols.produced(e);
        for s in produced {
            if self.chain_segs.binary_search(s).is_ok() {
                in_chain += 1;
                adjacent += usize::from(self.adjacent.binary_search(s).is_ok());
            }
        }
        (produced.len(), in_chain, adjacent)
    }

    /// The score components of enterprise `e` for the gaps it fills (indexes into `gaps`).
    fn parts(&self, e: u32, gap_idx: &[u32]) -> Parts {
        let (g, w) = (self.g, self.w);
        let mut p = Parts::default();
        for &gi in gap_idx {
            let gi = gi as usize;
            p.fit += w.fit.per_gap;
            if self.gaps[gi].broken {
                p.fit += w.fit.broken_link;
            }
            if self.planned[gi] {
                p.plan = w.plan.planned_project;
            }
        }
        let (produced, in_chain, adjacent) = self.chain_counts(e);
        if produced > 0 {
            p.fit += w.fit.chain_share * in_chain as f64 / produced as f64;
        }
        if in_chain > 0 {
            p.fit += w.fit.adjacency * adjacent as f64 / in_chain as f64;
        }
        let profile = g.cols.profile(e);
        if let Some(r) = profile.revenue_yi() {
            p.scale += w.scale.revenue * (1.0 + r).log10();
        }
        p.scale += self
            .tag_points
            .get(profile.tag_set as usize)
            .copied()
            .unwrap_or(0.0);
        if self.region(&profile).is_some() {
            p.origin = w.origin.points;
        }
        // Most firms have no firm-to-firm edges; the column saves walking their edge lists.
        if g.cols.has_relations(e) {
            let local = |kind, dir| self.g.edges_of(e, kind, dir).find(|&o| self.local(o));
            if local(EdgeKind::SuppliesTo, Direction::Outgoing).is_some() {
                p.relation += w.relation.supplies_local;
            }
            if local(EdgeKind::SuppliesTo, Direction::Incoming).is_some() {
                p.relation += w.relation.buys_local;
            }
            if local(EdgeKind::SubsidiaryOf, Direction::Incoming)
                .or_else(|| local(EdgeKind::SubsidiaryOf, Direction::Outgoing))
                .is_some()
            {
                p.relation += w.relation.group_local;
            }
        }
        p
    }

    /// The full row, with its components (no reason text yet).
    fn row(&self, e: u32, gap_idx: &[u32]) -> TargetRow {
        let p = self.parts(e, gap_idx);
        TargetRow {
            enterprise: e,
            gaps: gap_idx
                .iter()
                .map(|&gi| self.gaps[gi as usize].segment)
                .collect(),
            score: p.total(),
            scale: round2(p.scale),
            fit: round2(p.fit),
            relation: round2(p.relation),
            origin: round2(p.origin),
            plan: round2(p.plan),
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
            let gap = self.gaps.iter().find(|gp| gp.segment == s);
            reasons.push(match gap.map(|gp| (gp.kind, gp.broken)) {
                Some((Some(GapKind::Fill), true)) => format!("补 {name} 断链"),
                Some((Some(GapKind::Fill), false)) => format!("补 {name}"),
                Some((Some(GapKind::Extend), _)) => format!("延 {name}"),
                Some((Some(GapKind::Strengthen), _)) => format!("强 {name}"),
                Some((None, _)) | None => format!("产 {name}"),
            });
        }
        // The fit beyond the gaps themselves: how much of what it makes lies in this chain,
        // and next to what the place has.
        let (produced, in_chain, adjacent) = self.chain_counts(e);
        if self.w.fit.chain_share != 0.0 && in_chain > 0 {
            reasons.push(if in_chain == produced {
                "产品全在本链".into()
            } else {
                format!("本链产品 {in_chain}/{produced}")
            });
        }
        if self.w.fit.adjacency != 0.0 && adjacent > 0 {
            // Always as a fraction: a bare "邻接本地环节" next to another row's "1/3" reads as
            // nothing measured.
            reasons.push(format!("邻接本地环节 {adjacent}/{in_chain}"));
        }
        if let Attrs::Enterprise(a) = &g.node(e).attrs {
            if let Some(r) = a.revenue_yi {
                reasons.push(format!("营收 {} 亿元", crate::model::fmt_yi(r)));
            }
            // Every tag that scores, most points first (ties in the firm's own order).
            let mut tagged: Vec<(&str, f64)> = a
                .tags
                .iter()
                .filter_map(|t| self.w.scale.tags.get(&**t).map(|p| (&**t, *p)))
                .filter(|&(_, p)| p != 0.0)
                .collect();
            tagged.sort_by(|x, y| y.1.total_cmp(&x.1));
            if !tagged.is_empty() {
                let names: Vec<&str> = tagged.iter().map(|&(t, _)| t).collect();
                reasons.push(names.join("、"));
            }
        }
        if let Some(region) = self.region(&g.cols.profile(e)) {
            reasons.push(region.to_string());
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

/// Enterprises producing `segment` that are not located in `place` (or below it).
///
/// A producer is local exactly when the place's presence cell for the segment lists it
/// (presence counts the place and everything below it); cells hold sorted producers, so this
/// needs no read of the firm's locations.
pub fn outside_producers(g: &Graph, place: u32, segment: u32) -> impl Iterator<Item = u32> + '_ {
    let local: &[u32] = g.presence(place, segment).map_or(&[], |p| p.producers);
    g.cols
        .producers(segment)
        .iter()
        .copied()
        .filter(move |e| local.binary_search(e).is_err())
}

/// One candidate in the scoring pass: the firm, its run of (firm, gap) pairs, its score.
#[derive(Clone, Copy)]
struct Scored {
    e: u32,
    pairs: (u32, u32),
    score: f64,
    excluded: bool,
}

/// Candidates for `gaps` of `chain` in `place`: (admitted, top `limit` by score; excluded, all).
///
/// The scoring pass keeps 24-byte [`Scored`] records only; full rows, with components, rule
/// and reason, are made for the rows returned.
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
    let scorer = Scorer::new(g, chain, place, gaps, weights, &rules, opts.investment);
    // Candidate → the gaps it fills, found through PRODUCES edges of the gap segments only.
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for (gi, gap) in gaps.iter().enumerate() {
        // Public bodies provide it: no firm is recruited for it, even one recorded as making it.
        if g.ds.public_function(gap.segment).is_some() {
            continue;
        }
        pairs.extend(outside_producers(g, place, gap.segment).map(|e| (e, gi as u32)));
    }
    // Grouping a sorted vector is cheaper than a hash map at tens of thousands of candidates.
    pairs.sort_unstable();
    pairs.dedup();
    let gap_idx: Vec<u32> = pairs.iter().map(|&(_, gi)| gi).collect();
    let mut firms: Vec<(u32, (u32, u32))> = Vec::new();
    for (i, &(e, _)) in pairs.iter().enumerate() {
        match firms.last_mut() {
            Some((last, (_, end))) if *last == e => *end += 1,
            _ => firms.push((e, (i as u32, i as u32 + 1))),
        }
    }
    let gaps_of = |(a, b): (u32, u32)| &gap_idx[a as usize..b as usize];
    let one = |&(e, run): &(u32, (u32, u32))| Scored {
        e,
        pairs: run,
        score: scorer.parts(e, gaps_of(run)).total(),
        excluded: scorer.excluded(e, gaps_of(run)),
    };
    let scored: Vec<Scored> = if opts.serial {
        firms.iter().map(one).collect()
    } else {
        firms.par_iter().map(one).collect()
    };
    let (admitted, excluded): (Vec<Scored>, Vec<Scored>) =
        scored.into_iter().partition(|s| !s.excluded);
    let top = top_k(g, admitted, opts.limit.max(1));
    let full = |s: &Scored| {
        let mut row = scorer.row(s.e, gaps_of(s.pairs));
        let tags: Vec<&str> = match &g.node(s.e).attrs {
            Attrs::Enterprise(a) => a.tags.iter().map(|t| &**t).collect(),
            _ => Vec::new(),
        };
        row.excluded = excluded_by(g, &rules, &tags, &row.gaps, place, opts.investment);
        row
    };
    let mut admitted: Vec<TargetRow> = top.iter().map(full).collect();
    let mut excluded: Vec<TargetRow> = excluded.iter().map(full).collect();
    admitted.sort_by(|a, b| cmp_rows(a, b, g));
    excluded.sort_by(|a, b| cmp_rows(a, b, g));
    for row in admitted.iter_mut().chain(excluded.iter_mut()) {
        scorer.explain(row);
    }
    Ok((admitted, excluded))
}

/// The `k` best by score, ties broken by enterprise id — without sorting the rest, and reading
/// ids (a string each, far from the scores) only for the ties at the cut.
fn top_k(g: &Graph, mut all: Vec<Scored>, k: usize) -> Vec<Scored> {
    if all.len() <= k {
        return all;
    }
    let by_score = |a: &Scored, b: &Scored| b.score.total_cmp(&a.score);
    all.select_nth_unstable_by(k - 1, by_score);
    let cut = all[k - 1].score;
    let (mut top, mut ties): (Vec<Scored>, Vec<Scored>) = all
        .into_iter()
        .filter(|s| s.score >= cut)
        .partition(|s| s.score > cut);
    let need = k - top.len();
    let by_id = |a: &Scored, b: &Scored| g.node(a.e).id.cmp(&g.node(b.e).id);
    if ties.len() > need {
        ties.select_nth_unstable_by(need - 1, by_id);
        ties.truncate(need);
    }
    top.extend(ties);
    top
}

/// One park's fit for a project (项目流转).
#[derive(Clone, Debug, PartialEq)]
pub struct RouteRow {
    pub park: u32,
    pub score: f64,
    /// What of the park's focus (主导产业) covers the segments: its own first, then what it
    /// inherits from the places above it, labelled `（所属 PLACE）`.
    pub focus: Vec<String>,
    /// Present neighbouring segments (inputs available, customers nearby).
    pub neighbours: Vec<String>,
    /// Enterprises in the park (or below it) that already produce one of the segments (同质化).
    pub competitor_firms: usize,
    /// Projects in the park (or below it), not yet producing, that build one of the segments
    /// (同质化), other than the project being routed.
    pub competitor_projects: usize,
    pub reason: String,
    pub excluded: Option<String>,
}

/// What routing needs to know about the project.
#[derive(Clone, Debug, Default)]
pub struct RouteProject<'a> {
    /// Segments the project builds.
    pub segments: Vec<u32>,
    /// The project being routed (`--project`), which is not its own competitor.
    pub project: Option<u32>,
    /// Investment in 亿元, checked against minimum-investment rules.
    pub investment: Option<f64>,
    /// Tags tag rules check: its classes such as 限制类, and its carrier's tags such as 失信.
    pub tags: Vec<&'a str>,
}

/// Rank parks for a project: admitted parks first, by score, then the parks an admission rule
/// excludes (by score too); ties by park id. Parks that score 0 are left out.
///
/// A park's score is its best focus points — its own focus (主导产业) on one of the segments, on
/// a chain of theirs or on an industry of those chains (`w.focus_segment`, `w.focus_chain`,
/// `w.focus_industry`), or such a focus inherited from a place above it at `w.inherited_focus`
/// of those points — plus `w.neighbours` × the share of the segments' neighbours present in it
/// (the `[route]` section of config/target-weights.toml, which explains each weight).
pub fn route(
    g: &Graph,
    p: &RouteProject,
    rules: &RuleSet,
    w: &Route,
) -> Result<Vec<RouteRow>, String> {
    let rules = resolve_rules(g, rules)?;
    let segments = &p.segments[..];
    // What a park could focus on that covers the segments: the segments, their chains, and the
    // industries of those chains (with their parents).
    let mut covers: HashMap<u32, (f64, String)> = HashMap::new();
    for &s in segments {
        covers.insert(s, (w.focus_segment, format!("环节 {}", g.node(s).name())));
        for &c in g.segment_chains(s) {
            covers
                .entry(c)
                .or_insert((w.focus_chain, format!("产业链 {}", g.node(c).name())));
        }
        for i in segment_industries(g, s) {
            covers
                .entry(i)
                .or_insert((w.focus_industry, format!("产业 {}", g.node(i).name())));
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
            // Focus stated on the park itself, then on the places above it (nearest first):
            // each label once, where it is stated nearest.
            let mut focus_pts = 0.0f64;
            let mut seen: Vec<&str> = Vec::new();
            let mut own: Vec<&str> = Vec::new();
            let mut inherited: Vec<(u32, Vec<&str>)> = Vec::new();
            for place in std::iter::once(park).chain(g.ancestors(park).iter().copied()) {
                let mut here: Vec<&str> = Vec::new();
                for (f, _) in g.neighbors(place, EdgeKind::FocusesOn, Direction::Outgoing) {
                    if let Some((pts, label)) = covers.get(&f) {
                        let pts = if place == park {
                            *pts
                        } else {
                            pts * w.inherited_focus
                        };
                        focus_pts = focus_pts.max(pts);
                        if !seen.contains(&label.as_str()) {
                            seen.push(label);
                            here.push(label);
                        }
                    }
                }
                if place == park {
                    own = here;
                } else if !here.is_empty() {
                    inherited.push((place, here));
                }
            }
            let mut focus: Vec<String> = own.iter().map(|l| l.to_string()).collect();
            for (place, labels) in &inherited {
                let name = g.node(*place).name();
                focus.extend(labels.iter().map(|l| format!("{l}（所属 {name}）")));
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
            // A firm or project for several of the segments counts once.
            let (mut firms, mut projects): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
            for cell in segments.iter().filter_map(|&s| g.presence(park, s)) {
                firms.extend(cell.producers);
                projects.extend(cell.projects.iter().filter(|&&x| Some(x) != p.project));
            }
            for v in [&mut firms, &mut projects] {
                v.sort_unstable();
                v.dedup();
            }
            let mut reasons = Vec::new();
            if !own.is_empty() {
                reasons.push(format!("主导产业含 {}", own.join("、")));
            }
            for (place, labels) in &inherited {
                reasons.push(format!(
                    "所属 {} 主导产业含 {}",
                    g.node(*place).name(),
                    labels.join("、")
                ));
            }
            if !present.is_empty() {
                reasons.push(format!("已有相邻环节 {}", present.join("、")));
            }
            if !firms.is_empty() {
                reasons.push(format!("已有同类企业 {} 家（同质化）", firms.len()));
            }
            if !projects.is_empty() {
                reasons.push(format!("已有同类规划项目 {} 个（同质化）", projects.len()));
            }
            let score = ((focus_pts + w.neighbours * share) * 100.0).round() / 100.0;
            RouteRow {
                park,
                score,
                focus,
                neighbours: present,
                competitor_firms: firms.len(),
                competitor_projects: projects.len(),
                reason: reasons.join("; "),
                excluded: excluded_by(g, &rules, &p.tags, segments, park, p.investment),
            }
        })
        .filter(|r| r.score > 0.0)
        .collect();
    rows.sort_by(|a, b| {
        a.excluded
            .is_some()
            .cmp(&b.excluded.is_some())
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| g.node(a.park).id.cmp(&g.node(b.park).id))
    });
    Ok(rows)
}

/// The note to show when admission rules exclude every park that fits the project: the list
/// is then no recommendation, and the note says which rules stand in the way.
pub fn all_excluded_note(rows: &[RouteRow], lang: crate::lang::Lang) -> Option<String> {
    if rows.is_empty() || rows.iter().any(|r| r.excluded.is_none()) {
        return None;
    }
    let mut rules: Vec<&str> = Vec::new();
    for r in rows.iter().filter_map(|r| r.excluded.as_deref()) {
        if !rules.contains(&r) {
            rules.push(r);
        }
    }
    let rules = rules.join("; ");
    let parks = match (rows.len(), lang) {
        (1, crate::lang::Lang::Zh) => "唯一合适的园区".to_string(),
        (n, crate::lang::Lang::Zh) => format!("全部 {n} 个合适的园区"),
        (1, crate::lang::Lang::En) => "the only park that fits".to_string(),
        (n, crate::lang::Lang::En) => format!("all {n} parks that fit"),
    };
    Some(crate::tr!(
        lang,
        "准入规则排除了{parks}——按项目现状没有园区能承接（{rules}）",
        "admission rules exclude {parks} — no park can take the project as it stands ({rules})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::gaps::{self, ChainView};

    /// A small synthetic graph (`chainkb gen`): many candidates, few distinct scores, so the
    /// cut of a top-k list falls among ties.
    fn synthetic() -> Graph {
        let dir = tempfile::tempdir().expect("tempdir");
        crate::synth::generate(dir.path(), 3000, 7).expect("generate");
        let loaded =
            crate::data::load(&[dir.path().to_path_buf()], Default::default()).expect("load");
        Graph::build(loaded.dataset)
    }

    fn fill_gaps(g: &Graph, chain: u32, place: u32) -> Vec<Gap> {
        let v = ChainView::new(g, chain);
        let (states, present) = v.states(g, place);
        gaps::fill(&v, &states, &present)
            .iter()
            .map(|f| Gap::fill(v.segs[f.pos], f.broken))
            .collect()
    }

    #[test]
    fn top_k_is_the_head_of_the_full_ranking_serial_or_parallel() {
        let g = synthetic();
        let (w, rules) = (
            Weights::defaults(),
            config::parse_rules(None).expect("rules"),
        );
        let chain = g.nodes_of(Kind::Chain)[0];
        let mut checked = 0;
        for &place in g.nodes_of(Kind::Park).iter().take(12) {
            let gap_list = fill_gaps(&g, chain, place);
            let opts = |limit, serial| TargetOptions {
                limit,
                investment: None,
                serial,
            };
            let (all, _) = targets(
                &g,
                chain,
                place,
                &gap_list,
                &w,
                &rules,
                &opts(usize::MAX, true),
            )
            .expect("targets");
            for k in [1, 2, 5, 17, 50, all.len()] {
                for serial in [true, false] {
                    let (top, _) =
                        targets(&g, chain, place, &gap_list, &w, &rules, &opts(k, serial))
                            .expect("targets");
                    assert_eq!(top, all[..k.min(all.len())].to_vec());
                }
            }
            checked += usize::from(all.windows(2).any(|p| p[0].score == p[1].score));
        }
        assert!(
            checked > 0,
            "no list had tied scores: the tie-break went untested"
        );
    }

    #[test]
    fn presence_lists_a_producer_exactly_when_it_is_located_within_the_place() {
        // `targets` decides "local" from the place's presence cells instead of the firm's
        // locations; the two must agree for every place and every producer.
        let g = synthetic();
        let w = Weights::defaults();
        let chain = g.nodes_of(Kind::Chain)[0];
        let places: Vec<u32> = g
            .nodes_of(Kind::Park)
            .iter()
            .chain(g.nodes_of(Kind::Region))
            .copied()
            .collect();
        let mut locals = 0;
        for &place in &places {
            let scorer = Scorer::new(&g, chain, place, &[], &w, &[], None);
            for &s in g.chain_segments(chain) {
                let cell: &[u32] = g.presence(place, s).map_or(&[], |p| p.producers);
                for &e in g.cols.producers(s) {
                    let listed = cell.binary_search(&e).is_ok();
                    assert_eq!(
                        listed,
                        scorer.local(e),
                        "place {place} segment {s} firm {e}"
                    );
                    locals += usize::from(listed);
                }
            }
        }
        assert!(locals > 0);
    }
}
