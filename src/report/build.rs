//! `build in PLACE` (建链): the chains of a place's industry system(s) that the place covers
//! least, and which it already hosts.

use super::common::{Places, name, places_rows, prepend};
use super::notes::place_notes;
use super::schema::{Col, Ty, cols};
use super::{Ctx, ReportError, Row, Rows, Value};
use crate::graph::{Graph, SegmentState};
use crate::lang::Lang;
use crate::model::{EdgeKind, Kind, fmt_yi};
use crate::tr;
use petgraph::Direction as Dir;
use std::collections::HashSet;

/// Default coverage threshold of `build`.
pub const DEFAULT_BELOW: f64 = 0.5;

/// The places, the coverage threshold, and whether the systems of the places above count.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub places: Places,
    pub below: f64,
    /// Also the systems of the places above, labelled as inherited.
    pub inherited: bool,
}

/// The report's columns, declared once (also listed in docs/QUERY.md).
pub fn columns(input: &Input) -> Vec<Col> {
    use Ty::*;
    input.places.with_place(cols(&[
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
    ]))
}

/// The `explain` line: what the report reads and how, in `lang`.
pub fn explain(g: &Graph, input: &Input, lang: Lang) -> String {
    // A share as the query language writes it: always with a decimal point.
    let below = format!("{}", input.below);
    let below = if below.contains('.') {
        below
    } else {
        format!("{below}.0")
    };
    let p = input.places.text(g, lang);
    if input.inherited {
        tr!(
            lang,
            "建链（build）：{p} 自己的产业体系（IN_SYSTEM）及其上级的产业体系（继承）中覆盖率 < {below} 的产业链",
            "build (建链): chains of the place's own industry system(s) (IN_SYSTEM) and those of the places above it (inherited) of {p} with coverage < {below}"
        )
    } else {
        tr!(
            lang,
            "建链（build）：{p} 自己的产业体系（IN_SYSTEM）中覆盖率 < {below} 的产业链",
            "build (建链): chains of the place's own industry system(s) (IN_SYSTEM) of {p} with coverage < {below}"
        )
    }
}

/// The rows, and each place's notes (for one place, also what `build` left out and why).
pub fn rows(
    g: &Graph,
    input: &Input,
    ctx: Ctx,
    notes: &mut Vec<String>,
) -> Result<Rows, ReportError> {
    let Input {
        places,
        below,
        inherited,
    } = input;
    for &p in places.each() {
        if matches!(places, Places::One(_)) {
            build_notes(g, p, *inherited, ctx.lang, notes);
        }
        place_notes(g, p, None, ctx.lang, notes);
    }
    places_rows(places, ctx, |p, lead| {
        prepend(lead, build_rows(g, p, *below, *inherited, ctx.lang))
    })
    .map(Rows::plain)
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
        let sys = g.edge_system(e);
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
                Value::Node(c),
                Value::Node(industry),
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
