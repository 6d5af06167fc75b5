//! `fill` / `extend` / `strengthen` CHAIN in PLACE (补链 / 延链 / 强链): the gap analysis of
//! `report::gaps` as ranked rows with their reasons, for one place or each park / region.

use super::common::{Places, lead_row, nodes, places_rows, project_label, stage};
use super::gaps::{self, ChainView, GapKind};
use super::notes::chain_notes;
use super::schema::{Col, Ty, cols};
use super::{Ctx, ReportError, Row, Rows, Value};
use crate::graph::{Graph, SegmentState};
use crate::lang::Lang;
use crate::model::fmt_yi;
use crate::tr;

/// One kind of gap of a chain, in one place or each.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub kind: GapKind,
    pub chain: u32,
    pub places: Places,
}

/// The report's columns, declared once (also listed in docs/QUERY.md).
pub fn columns(input: &Input) -> Vec<Col> {
    use Ty::*;
    let columns = match input.kind {
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
    input.places.with_place(columns)
}

/// The `explain` line: what the report reads and how, in `lang`.
pub fn explain(g: &Graph, input: &Input, lang: Lang) -> String {
    let (kw, zh) = (input.kind.keyword(), input.kind.label_zh());
    let (c, n, p) = (
        g.node(input.chain).name(),
        g.chain_segments(input.chain).len(),
        input.places.text(g, lang),
    );
    tr!(
        lang,
        "{zh}（{kw}）：产业链 {c}（{n} 个环节）在 {p} 的缺口：产业链可达位图 × 在地索引",
        "{kw} ({zh}) gaps of chain {c} ({n} segments) in {p}: chain reachability bitsets × presence index"
    )
}

/// The rows, each about its segment, and each place's notes.
pub fn rows(
    g: &Graph,
    input: &Input,
    ctx: Ctx,
    notes: &mut Vec<String>,
) -> Result<Rows, ReportError> {
    chain_notes(g, input.chain, input.places.each(), ctx.lang, notes);
    let view = ChainView::new(g, input.chain);
    let labels = Labels::new(g, &view, ctx.lang);
    let (rows, segments) = places_rows(&input.places, ctx, |p, lead| {
        gap_rows(g, &view, &labels, input.kind, p, lead)
    })?
    .into_iter()
    .unzip();
    Ok(Rows::about(rows, segments))
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

/// The chain's segments as values (nodes, named only for the rows returned), their names for
/// the reasons and paths written here, and their stages as shared values, made once per
/// query: rows over hundreds of places then share them instead of allocating each again.
struct Labels<'g> {
    node: Vec<Value>,
    name: Vec<&'g str>,
    stage: Vec<Value>,
    /// What a gap row's reason adds for a segment that public bodies provide.
    public: Vec<Option<String>>,
    /// The language of the reasons.
    lang: Lang,
}

impl<'g> Labels<'g> {
    fn new(g: &'g Graph, v: &ChainView, lang: Lang) -> Labels<'g> {
        Labels {
            node: v.segs.iter().map(|&s| Value::Node(s)).collect(),
            name: v.segs.iter().map(|&s| g.node(s).name()).collect(),
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
        Value::List(pos.iter().map(|&i| self.node[i].clone()).collect())
    }

    /// Names joined by `sep`, written straight into one string.
    fn join(&self, pos: &[usize], sep: &str, out: &mut String) {
        for (k, &i) in pos.iter().enumerate() {
            if k > 0 {
                out.push_str(sep);
            }
            out.push_str(self.name[i]);
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
) -> Vec<(Row, u32)> {
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
                    let row = lead_row(
                        lead,
                        [
                            // `no` (序号), numbered when the rows are final.
                            Value::Int(0),
                            Value::Int(rank as i64),
                            lab.node[f.pos].clone(),
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
                    );
                    (row, v.segs[f.pos])
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
                    let row = lead_row(
                        lead,
                        [
                            // `no` (序号), numbered when the rows are final.
                            Value::Int(0),
                            Value::Int(rank as i64),
                            lab.node[e.pos].clone(),
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
                    );
                    (row, v.segs[e.pos])
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
                    let row = lead_row(
                        lead,
                        [
                            // `no` (序号), numbered when the rows are final.
                            Value::Int(0),
                            Value::Int(rank as i64),
                            lab.node[w.pos].clone(),
                            lab.stage[w.pos].clone(),
                            Value::text(w.state.as_str()),
                            Value::texts(w.weakness.iter().copied()),
                            nodes(&w.producers),
                            Value::Int(w.leading as i64),
                            Value::texts(w.projects.iter().map(|&p| project_label(g, p))),
                            Value::Int(w.dependents.len() as i64),
                            Value::text(reason),
                            lab.list(&w.linked),
                            Value::Float(w.reach),
                        ],
                    );
                    (row, v.segs[w.pos])
                })
                .collect()
        }
    }
}
