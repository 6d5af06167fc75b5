//! `chainkb show NAME`: one entity with its attributes, edges and provenance.

use super::Failure;
use crate::graph::Graph;
use crate::lang::Lang;
use crate::model::{Attrs, EdgeKind, Kind, fmt_yi};
use crate::names::did_you_mean_in;
use crate::tr;
use petgraph::Direction;
use std::fmt::Write as _;

/// Edges listed per kind and direction before "… and N more".
const MAX_LISTED: usize = 30;

/// The entities named `name` (of `kinds`, when given), or why there is none: the user's input.
pub fn show(graph: &Graph, name: &str, kinds: &[Kind], lang: Lang) -> Result<String, Failure> {
    let hits = graph.names.lookup(&graph.ds.nodes, name, kinds);
    if hits.is_empty() {
        if let Some(other) = graph.other_kinds_in(name, kinds, lang) {
            let what: Vec<&str> = kinds.iter().map(|k| k.label_zh()).collect();
            let what = what.join("/");
            return Err(Failure::user(tr!(
                lang,
                "`{name}` 是{other}，不是{what}；去掉 --kind 即可显示它",
                "`{name}` is {other}, not a {what}; drop --kind to show it"
            )));
        }
        let sugg = graph.names.suggest(&graph.ds.nodes, name, kinds, 5);
        let dym = did_you_mean_in(&sugg, lang);
        return Err(Failure::user(tr!(
            lang,
            "没有名为 `{name}` 的实体{dym}",
            "no entity named `{name}`{dym}"
        )));
    }
    let mut out = String::new();
    if hits.len() > 1 {
        let n = hits.len();
        let _ = writeln!(
            out,
            "{}\n",
            tr!(
                lang,
                "`{name}` 可指 {n} 个实体：",
                "`{name}` names {n} entities:"
            )
        );
    }
    for (i, &n) in hits.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render(graph, n, &mut out, lang);
    }
    Ok(out)
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map(|v| format!("{}{unit}", fmt_yi(v)))
        .unwrap_or_else(|| "—".into())
}

/// An attribute's name as `show` prints it in `lang` (the English name is the key).
fn key(lang: Lang, en: &str) -> &str {
    if lang == Lang::En {
        return en;
    }
    match en {
        "id" => "编号",
        "aliases" => "别名",
        "level" => "级别",
        "kind" => "类型",
        "area" => "面积",
        "stage" => "阶段",
        "public" => "公共职能",
        "credit" => "信用代码",
        "province" => "省份",
        "city" => "城市",
        "revenue" => "营收",
        "tags" => "标签",
        "listing" => "上市情况",
        "domain" => "领域",
        "category" => "类别",
        "invest" => "投资额",
        "as written" => "投资额原文",
        "land" => "用地",
        "scale" => "规模",
        "years" => "年份",
        "status" => "项目状态",
        "source" => "来源",
        "notes" => "备注",
        "segments" => "环节",
        other => other,
    }
}

/// `  KEY       value`: the key padded to 10 columns of display width (a Chinese character
/// takes two).
fn line(out: &mut String, lang: Lang, k: &str, v: &str) {
    let k = key(lang, k);
    let pad = 10usize
        .saturating_sub(unicode_width::UnicodeWidthStr::width(k))
        .max(1);
    let _ = writeln!(out, "  {k}{}{v}", " ".repeat(pad));
}

fn render(graph: &Graph, n: u32, out: &mut String, lang: Lang) {
    let node = graph.node(n);
    let _ = writeln!(
        out,
        "{} {} ({})",
        node.kind.label_zh(),
        node.name(),
        node.kind
    );
    line(out, lang, "id", &node.id);
    if !node.aliases().is_empty() {
        line(out, lang, "aliases", &node.aliases().join("、"));
    }
    let mut attr = |k: &str, v: &str| {
        if !v.is_empty() {
            line(out, lang, k, v);
        }
    };
    match &node.attrs {
        Attrs::Region { level } => attr("level", level),
        Attrs::Park(p) => {
            attr("kind", &p.kind);
            if p.area_km2.is_some() {
                attr("area", &opt(p.area_km2, " km²"));
            }
        }
        Attrs::Segment { stage } => {
            attr("stage", stage.as_str());
            attr("public", graph.ds.public_function(n).unwrap_or(""));
        }
        Attrs::Enterprise(a) => {
            attr("credit", &a.credit_code);
            attr("province", &a.province);
            attr("city", &a.city);
            if a.revenue_yi.is_some() {
                attr("revenue", &opt(a.revenue_yi, " 亿元"));
            }
            attr("tags", &a.tags.join("、"));
            attr("listing", &a.listing);
        }
        Attrs::Project(p) => {
            attr("domain", &p.domain);
            attr("category", &p.category);
            if p.investment_yi.is_some() {
                attr("invest", &opt(p.investment_yi, " 亿元"));
            }
            attr("as written", &p.investment_text);
            if p.land_mu.is_some() {
                attr("land", &opt(p.land_mu, " 亩"));
            }
            attr("scale", &p.scale);
            let years = match (p.start_year, p.end_year) {
                (Some(a), Some(b)) if a == b => a.to_string(),
                (Some(a), Some(b)) => format!("{a}–{b}"),
                (Some(a), None) => format!("{a}–"),
                (None, Some(b)) => format!("–{b}"),
                (None, None) => String::new(),
            };
            attr("years", &years);
            attr("status", p.status.map_or("", |s| s.as_str()));
        }
        Attrs::Industry | Attrs::Chain => {}
    }
    line(out, lang, "source", &graph.ds.provenance(node.row));
    if let Some(notes) = graph.ds.row(node.row).notes() {
        line(out, lang, "notes", notes);
    }
    if node.kind == Kind::Chain {
        // In reading order, resources to applications, as `status` lists them.
        let view = crate::report::gaps::ChainView::new(graph, n);
        let segs = &view.segs;
        let names: Vec<&str> = view
            .order()
            .iter()
            .map(|&i| graph.node(segs[i]).name())
            .collect();
        let v = format!("{} — {}", segs.len(), names.join("、"));
        line(out, lang, "segments", &v);
    }
    // A source table's listing is a relation of its own (not an edge): where the tables list
    // an enterprise, or what they list under an industry or field, each cell with its source.
    let listings: Vec<&crate::model::Listing> = graph
        .ds
        .listings
        .iter()
        .filter(|l| l.enterprise == Some(n) || (node.kind == Kind::Industry && l.under() == n))
        .collect();
    if !listings.is_empty() {
        let n = listings.len();
        let _ = writeln!(
            out,
            "  {}",
            tr!(lang, "所在名录（{n}）", "listed in a source table ({n})")
        );
        for l in listings {
            let under = match l.field {
                Some(f) => format!("{}/{}", graph.node(l.industry).name(), graph.node(f).name()),
                None => graph.node(l.industry).name().to_string(),
            };
            let _ = writeln!(
                out,
                "      {} {under}: {}   ({})",
                l.table,
                l.written,
                graph.ds.provenance(l.row)
            );
            if let Some(notes) = graph.ds.row(l.row).notes() {
                let _ = writeln!(out, "        {}{notes}", lang.pick("备注：", "notes: "));
            }
        }
    }
    for dir in [Direction::Outgoing, Direction::Incoming] {
        for kind in EdgeKind::ALL {
            let edges = graph.neighbors(n, kind, dir);
            if edges.is_empty() {
                continue;
            }
            let arrow = if dir == Direction::Outgoing {
                "→"
            } else {
                "←"
            };
            let _ = writeln!(out, "  {arrow} {kind} ({})", edges.len());
            for &(other, ei) in edges.iter().take(MAX_LISTED) {
                let o = graph.node(other);
                let e = graph.edge(ei);
                let extra = graph
                    .edge_system(ei)
                    .map(|s| {
                        let target = s
                            .target_revenue_yi
                            .map(|t| format!(", 2025 目标 {} 亿元", fmt_yi(t)))
                            .unwrap_or_default();
                        format!(" [{} {}{target}]", s.system, s.class)
                    })
                    .unwrap_or_default();
                // An edge stated on the entity's own row shares its source: say so briefly.
                let prov = if e.row == node.row {
                    lang.pick("同一行", "same row").to_string()
                } else {
                    graph.ds.provenance(e.row)
                };
                let _ = writeln!(
                    out,
                    "      {} {}{extra}   ({prov})",
                    o.kind.label_zh(),
                    o.name(),
                );
            }
            if edges.len() > MAX_LISTED {
                let more = edges.len() - MAX_LISTED;
                let _ = writeln!(
                    out,
                    "      {}",
                    tr!(lang, "…… 另有 {more} 条", "… and {more} more")
                );
            }
        }
    }
}
