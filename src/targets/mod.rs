//! Target-company lists (精准招商目标企业清单) and project routing (项目流转): candidates outside
//! a place that produce its gap segments, scored with transparent weights and admission rules,
//! and the parks that fit a project best. Scoring is here; admission rules are `rules`. The two
//! reports are units shaped like `crate::report`'s (an `Input`, one `columns`, an `explain`
//! line, `rows`): the target list in `list`, routing in `route`; `chainkb targets`, `chainkb
//! route`, the query language's `| targets` and the REPL build their tables through them.
//!
//! Cost: candidates are found through the gap segments' PRODUCES edges, so a list costs the
//! number of producers of those segments, never a scan of every enterprise; scoring runs on
//! rayon and the top k are selected without sorting the rest.

pub mod config;
mod error;
pub mod list;
pub mod route;
mod rules;

pub use error::TargetsError;
pub use route::{RouteProject, RouteRow, all_excluded_note, route};
use rules::{Resolved, excluded_by, resolve_rules, rule_hits};

use crate::graph::{Graph, Profile, SegmentState};
use crate::lang::Lang;
use crate::model::{Attrs, EdgeKind, Kind};
use crate::report::gaps::GapKind;
use crate::report::schema::Col;
use crate::report::{Ctx, Rows, Table};
use config::{RuleKind, RuleSet, Weights};
use petgraph::Direction;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::HashSet;

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
    /// The revenue points of a candidate without a revenue figure: the median of those of the
    /// list's candidates with one (0 when none has one), so missing data is neither punished
    /// as zero nor guessed high (`neutral_revenue_points`).
    revenue_neutral: f64,
    /// 间接供应伙伴: firms two undirected SUPPLIES_TO hops from a local firm and none from
    /// one, with their distinct local firms within two hops, sorted by firm ([`two_hop_partners`]);
    /// empty when `[relation] partners_two_hops` is 0.
    two_hop: Vec<(u32, u32)>,
}

/// Firms exactly two undirected SUPPLIES_TO hops from the firms located in `place` (or below
/// it) — so with no supply edge to any of them — each with how many distinct local firms lie
/// within two hops of it, sorted by firm: one search of the supply network per list
/// (`graph::supply`), not one per candidate.
fn two_hop_partners(g: &Graph, place: u32) -> Vec<(u32, u32)> {
    g.supply_partners(&g.firms_within(place), None, 2, true)
        .into_iter()
        .filter(|r| r.distance == 2)
        .map(|r| (r.firm, r.partners))
        .collect()
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
            revenue_neutral: 0.0,
            two_hop: if w.relation.partners_two_hops != 0.0 {
                two_hop_partners(g, place)
            } else {
                Vec::new()
            },
        }
    }

    /// The revenue points of firm `e`: from its figure, or the neutral value without one.
    fn revenue_points(&self, e: u32) -> f64 {
        match self.g.cols.profile(e).revenue_yi() {
            Some(r) => self.w.scale.revenue * (1.0 + r).log10(),
            None => self.revenue_neutral,
        }
    }

    /// Whether node `i` is located in the place (or below it).
    fn local(&self, i: u32) -> bool {
        self.g
            .locations(i)
            .iter()
            .any(|p| self.within.binary_search(p).is_ok())
    }

    /// The distinct local firms within two supply hops of `e`, when `e` is an indirect supply
    /// partner (two hops from a local firm, none from one).
    fn two_hop_of(&self, e: u32) -> Option<u32> {
        self.two_hop
            .binary_search_by_key(&e, |&(f, _)| f)
            .ok()
            .map(|i| self.two_hop[i].1)
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
        let produced = self.g.produced(e);
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
        p.scale += self.revenue_points(e);
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
            if self.two_hop_of(e).is_some() {
                p.relation += w.relation.partners_two_hops;
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
            match a.revenue_yi {
                Some(r) => reasons.push(format!("营收 {} 亿元", crate::model::fmt_yi(r))),
                None if self.revenue_neutral != 0.0 => reasons.push("营收未知按中位数计".into()),
                None => {}
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
        if let Some(n) = self.two_hop_of(e) {
            reasons.push(crate::msg!(
                "间接供应伙伴：隔一家企业连到本地 {n} 家企业",
                "indirect supply partner: {n} local firm(s) two supply hops away"
            ));
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
    g.producers(segment)
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

/// The median of `points` (the mean of the middle two for an even count), 0 for none.
fn median(mut points: Vec<f64>) -> f64 {
    if points.is_empty() {
        return 0.0;
    }
    points.sort_by(f64::total_cmp);
    let n = points.len();
    if n % 2 == 1 {
        points[n / 2]
    } else {
        (points[n / 2 - 1] + points[n / 2]) / 2.0
    }
}

/// A report unit's table for the command line: its columns, and the rows and notes `rows`
/// makes in a context of its own (never cancelled, in parallel, notes in `lang`), its nodes
/// named (`report::table::materialize`). Labels are in the table's default language until the
/// caller sets one with `Table::in_lang`.
fn command_line_table(
    g: &Graph,
    columns: Vec<Col>,
    lang: Lang,
    rows: impl FnOnce(Ctx, &mut Vec<String>) -> Result<Rows, TargetsError>,
) -> Result<Table, TargetsError> {
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let ctx = Ctx {
        cancel: &cancel,
        parallel: true,
        lang,
    };
    let mut notes = Vec::new();
    let mut rows = rows(ctx, &mut notes)?.rows;
    // The firms and parks, ids in the rows, named for the table.
    crate::report::table::materialize(&mut rows, g);
    Ok(Table {
        domains: columns.iter().map(|c| c.domain).collect(),
        columns: columns.into_iter().map(|c| c.name.into_owned()).collect(),
        rows,
        notes,
        // The hand-outs (.xlsx, .csv, .md) take their headers from the table's language: left
        // at the default, `--lang en` wrote Chinese headers into the workbook.
        lang,
    })
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
) -> Result<(Vec<TargetRow>, Vec<TargetRow>), TargetsError> {
    targets_with_neutral(g, chain, place, gaps, weights, rules, opts).map(|(a, e, _)| (a, e))
}

/// [`targets`], and the revenue points a candidate without a revenue figure got: the median of
/// the revenue points of every candidate (admitted or not) with one, 0 when none has one.
pub fn targets_with_neutral(
    g: &Graph,
    chain: u32,
    place: u32,
    gaps: &[Gap],
    weights: &Weights,
    rules: &RuleSet,
    opts: &TargetOptions,
) -> Result<(Vec<TargetRow>, Vec<TargetRow>, f64), TargetsError> {
    let rules = resolve_rules(g, rules)?;
    let mut scorer = Scorer::new(g, chain, place, gaps, weights, &rules, opts.investment);
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
    scorer.revenue_neutral = median(
        firms
            .iter()
            .filter_map(|&(e, _)| g.cols.profile(e).revenue_yi())
            .map(|r| weights.scale.revenue * (1.0 + r).log10())
            .collect(),
    );
    let scorer = scorer;
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
    Ok((admitted, excluded, scorer.revenue_neutral))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::gaps::{self, ChainView};

    /// The two-hop partners of every place, from `graph::supply`, equal a plain breadth-first
    /// search: local firms by `Scorer::local`, distances from all of them at once, and each
    /// firm's local firms within two hops counted one search per firm.
    #[test]
    fn two_hop_partners_equal_a_plain_breadth_first_search() {
        use std::collections::{HashMap, VecDeque};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = 0;
        for dirs in [
            vec![root.join("tests/fixtures/mini")],
            vec![root.join("graphs"), root.join("seeds")],
        ] {
            let loaded = crate::data::load(&dirs, Default::default()).expect("fixture");
            let g = Graph::build(loaded.dataset);
            let w = Weights::defaults();
            let chain = g.nodes_of(Kind::Chain)[0];
            let firms = g.nodes_of(Kind::Enterprise).to_vec();
            let within = |start: u32| {
                let mut dist = HashMap::from([(start, 0u32)]);
                let mut queue = VecDeque::from([start]);
                while let Some(u) = queue.pop_front() {
                    let d = dist[&u];
                    if d < 2 {
                        for v in g.supply_neighbors(u) {
                            if let std::collections::hash_map::Entry::Vacant(slot) = dist.entry(v) {
                                slot.insert(d + 1);
                                queue.push_back(v);
                            }
                        }
                    }
                }
                dist
            };
            let places: Vec<u32> = [Kind::Region, Kind::Park]
                .iter()
                .flat_map(|&k| g.nodes_of(k).iter().copied())
                .collect();
            for place in places {
                let scorer = Scorer::new(&g, chain, place, &[], &w, &[], None);
                let local: HashSet<u32> =
                    firms.iter().copied().filter(|&e| scorer.local(e)).collect();
                let mut expected = Vec::new();
                for &e in firms.iter().filter(|e| !local.contains(e)) {
                    let ball = within(e);
                    let nearest = ball
                        .iter()
                        .filter(|(f, _)| local.contains(f))
                        .map(|(_, &d)| d)
                        .min();
                    if nearest == Some(2) {
                        let n = ball.keys().filter(|f| local.contains(f)).count();
                        expected.push((e, n as u32));
                    }
                }
                expected.sort_unstable();
                found += expected.len();
                assert_eq!(two_hop_partners(&g, place), expected, "place {place}");
            }
        }
        // The fixtures hold such firms (mini: 辛硅业 is two hops from 乙 and 丙 in 测试市).
        assert!(found > 0);
    }

    /// A small synthetic graph (`chainkb gen`): many candidates, few distinct scores, so the
    /// cut of a top-k list falls among ties.
    fn synthetic() -> Graph {
        let dir = tempfile::tempdir().expect("tempdir");
        crate::synth::generate(dir.path(), 3000, 7).expect("generate");
        crate::open::graph_from_folder(&[dir.path().to_path_buf()]).expect("load")
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
    fn the_neutral_revenue_points_are_the_median_and_zero_without_figures() {
        assert_eq!(median(vec![]), 0.0);
        assert_eq!(median(vec![2.0]), 2.0);
        assert_eq!(median(vec![3.0, 1.0]), 2.0);
        assert_eq!(median(vec![5.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
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
                for &e in g.producers(s) {
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
