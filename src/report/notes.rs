//! Notes under a place's answer: what its enterprise data covers, firms of an overlapping zone
//! it cannot count, and technology routes that may belong to firms stating none.

use super::common::{linked, name};
use crate::graph::Graph;
use crate::lang::Lang;
use crate::model::{Coverage, EdgeKind, Kind};
use crate::tr;
use petgraph::Direction as Dir;
use std::collections::HashSet;

/// What a place's answer leaves out, said under the table: for a district, the firms of an
/// overlapping zone recorded at the zone only (no district known), which it cannot count;
/// with a chain, which of them make its segments.
pub fn place_notes(
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

/// The notes under a chain's answer in each of `places` (coverage, overlapping zones, the
/// chain's technology routes), the chain's routes found once.
pub fn chain_notes(g: &Graph, chain: u32, places: &[u32], lang: Lang, notes: &mut Vec<String>) {
    let routes = ChainRoutes::of(g, chain);
    for &p in places {
        place_notes(g, p, Some(&routes), lang, notes);
    }
}

/// A chain, and its segments that have technology routes in it with those routes: found once
/// per statement, not once per place (finding a segment's routes walks its incoming edges, which
/// include every PRODUCES edge: `fill C in all parks` spent 70 % of its time there).
pub struct ChainRoutes {
    chain: u32,
    routes: Vec<(u32, Vec<u32>)>,
}

impl ChainRoutes {
    pub fn of(g: &Graph, chain: u32) -> ChainRoutes {
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
