//! Chain pictures: a chain's panorama (产业链全景图) or its status in a place (现状图), as SVG or
//! Graphviz DOT, with segments laid out upstream → downstream and coloured by local state.

use crate::graph::{Graph, SegmentState};
use crate::model::Stage;
use crate::report::gaps;
use std::collections::HashMap;
use std::fmt::Write as _;

/// How a segment is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// No place given: the panorama.
    Neutral,
    Present,
    /// Present, but on a single producer or without a leading firm (强链 candidate).
    Weak,
    Planned,
    Missing,
    /// Neither present nor planned, in a place with no enterprise data: not known to be
    /// missing, drawn grey and dashed, never red.
    Unknown,
}

impl Mark {
    fn class(self) -> &'static str {
        match self {
            Mark::Neutral => "neutral",
            Mark::Present => "present",
            Mark::Weak => "weak",
            Mark::Planned => "planned",
            Mark::Missing => "missing",
            Mark::Unknown => "unknown",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Mark::Neutral => "环节",
            Mark::Present => "已有",
            Mark::Weak => "薄弱",
            Mark::Planned => "规划/在建",
            Mark::Missing => "缺失",
            Mark::Unknown => "未知（无企业数据）",
        }
    }
    /// (fill, stroke)
    fn colors(self) -> (&'static str, &'static str) {
        match self {
            Mark::Neutral => ("#e3f2fd", "#1565c0"),
            Mark::Present => ("#c8e6c9", "#2e7d32"),
            Mark::Weak => ("#ffe0b2", "#ef6c00"),
            Mark::Planned => ("#fff9c4", "#f9a825"),
            Mark::Missing => ("#ffebee", "#c62828"),
            Mark::Unknown => ("#f5f5f5", "#9e9e9e"),
        }
    }
}

/// One segment in the picture.
#[derive(Clone, Debug)]
pub struct SegmentBox {
    pub segment: u32,
    pub name: String,
    pub stage: Stage,
    pub mark: Mark,
    /// Second line: who makes it, or what is planned.
    pub detail: String,
    pub column: usize,
    pub row: usize,
}

/// A laid-out chain picture.
pub struct Picture {
    pub title: String,
    pub boxes: Vec<SegmentBox>,
    /// (from, to) as indexes into `boxes`.
    pub edges: Vec<(usize, usize)>,
}

/// Lay out `chain`, marking states in `place` when given.
pub fn layout(graph: &Graph, chain: u32, place: Option<u32>) -> Picture {
    let segs = graph.chain_segments(chain).to_vec();
    let index: HashMap<u32, usize> = segs.iter().enumerate().map(|(i, &s)| (s, i)).collect();
    let edges: Vec<(usize, usize)> = graph
        .chain_edges(chain)
        .into_iter()
        .filter_map(|(a, b)| Some((*index.get(&a)?, *index.get(&b)?)))
        .collect();
    // Column = longest path from a source (chains are DAGs, so |segs| relaxation rounds suffice).
    let mut column = vec![0usize; segs.len()];
    for _ in 0..segs.len() {
        let mut changed = false;
        for &(a, b) in &edges {
            if column[b] < column[a] + 1 {
                column[b] = column[a] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // Sources sit just left of their nearest user (铜箔 next to 电芯, not in the first column).
    for i in 0..segs.len() {
        if edges.iter().any(|e| e.1 == i) {
            continue;
        }
        if let Some(min_user) = edges.iter().filter(|e| e.0 == i).map(|e| column[e.1]).min() {
            column[i] = min_user.saturating_sub(1);
        }
    }
    // Rows: within a column, order by the mean row of predecessors (fewer crossings), then stage
    // and data order.
    let columns = column.iter().copied().max().map_or(0, |m| m + 1);
    let mut row = vec![0usize; segs.len()];
    for c in 0..columns {
        let mut members: Vec<usize> = (0..segs.len()).filter(|&i| column[i] == c).collect();
        let key = |i: usize| {
            let preds: Vec<usize> = edges
                .iter()
                .filter(|e| e.1 == i)
                .map(|e| row[e.0])
                .collect();
            if preds.is_empty() {
                i as f64
            } else {
                preds.iter().sum::<usize>() as f64 / preds.len() as f64
            }
        };
        let mut keyed: Vec<(f64, usize)> = members.iter().map(|&i| (key(i), i)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        members = keyed.into_iter().map(|k| k.1).collect();
        for (r, &i) in members.iter().enumerate() {
            row[i] = r;
        }
    }
    let boxes = segs
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let node = graph.node(s);
            let stage = graph.segment_stage(s).unwrap_or(Stage::Midstream);
            let (mark, mut detail) = match place {
                None => (Mark::Neutral, stage.as_str().to_string()),
                Some(p) => mark_of(graph, p, s),
            };
            // A segment public bodies provide: a gap there is not one to recruit a firm for.
            if graph.ds.public_function(s).is_some() {
                detail.push_str(" · 公共职能");
            }
            SegmentBox {
                segment: s,
                name: node.name().to_string(),
                stage,
                mark,
                detail,
                column: column[i],
                row: row[i],
            }
        })
        .collect();
    let chain_name = graph.node(chain).name();
    let title = match place {
        None => format!("{chain_name} 产业链全景图"),
        Some(p) => format!("{chain_name} 产业链现状图 · {}", graph.node(p).name()),
    };
    Picture {
        title,
        boxes,
        edges,
    }
}

/// State and second line of a segment in a place.
fn mark_of(graph: &Graph, place: u32, seg: u32) -> (Mark, String) {
    let Some(p) = graph.presence(place, seg) else {
        return if graph.uncovered(place) {
            (Mark::Unknown, "未知".into())
        } else {
            (Mark::Missing, "缺失".into())
        };
    };
    match graph.state(place, seg) {
        SegmentState::Present => {
            let first = graph.node(p.producers[0]).name().to_string();
            let who = if p.producers.len() == 1 {
                first
            } else {
                format!("{first} 等{}家", p.producers.len())
            };
            let (weakness, _) = gaps::weakness(graph, SegmentState::Present, p.producers);
            if !weakness.is_empty() {
                (Mark::Weak, who)
            } else {
                (Mark::Present, who)
            }
        }
        SegmentState::Planned => (Mark::Planned, format!("{}个项目", p.projects.len())),
        SegmentState::Missing => (Mark::Missing, "缺失".into()),
        SegmentState::Unknown => (Mark::Unknown, "未知".into()),
    }
}

/// Approximate rendered width of text: CJK and full-width characters count double.
fn text_width(s: &str, font_px: f64) -> f64 {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 0.6 } else { 1.0 })
        .sum::<f64>()
        * font_px
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Shorten a detail line to at most `max` display units.
fn clip(s: &str, max: f64, font_px: f64) -> String {
    if text_width(s, font_px) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if text_width(&out, font_px) + 2.0 * font_px > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

const FONT: &str = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif";

/// Render as a standalone SVG document.
pub fn to_svg(p: &Picture) -> String {
    let (name_px, detail_px) = (15.0, 12.0);
    let box_w = p
        .boxes
        .iter()
        .map(|b| text_width(&b.name, name_px))
        .fold(96.0f64, f64::max)
        + 28.0;
    let box_h = 48.0;
    let (gap_x, gap_y, margin, top) = (64.0, 22.0, 24.0, 86.0);
    let columns = p.boxes.iter().map(|b| b.column + 1).max().unwrap_or(0);
    let rows = p.boxes.iter().map(|b| b.row + 1).max().unwrap_or(0);
    let width = (margin * 2.0 + columns as f64 * (box_w + gap_x) - gap_x).max(560.0);
    let height = top + rows as f64 * (box_h + gap_y) + margin + 30.0;
    let pos = |b: &SegmentBox| {
        (
            margin + b.column as f64 * (box_w + gap_x),
            top + b.row as f64 * (box_h + gap_y),
        )
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT}">"#
    );
    let _ = writeln!(
        s,
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#607d8b"/></marker></defs>"##
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r##"<text x="{margin}" y="34" font-size="20" font-weight="bold" fill="#212121">{}</text>"##,
        esc(&p.title)
    );
    // Legend: the marks that occur, with counts.
    let mut x = margin;
    for mark in [
        Mark::Present,
        Mark::Weak,
        Mark::Planned,
        Mark::Missing,
        Mark::Unknown,
        Mark::Neutral,
    ] {
        let n = p.boxes.iter().filter(|b| b.mark == mark).count();
        if n == 0 {
            continue;
        }
        let (fill, stroke) = mark.colors();
        let label = format!("{} {n}", mark.label());
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="50" width="16" height="16" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>"#
        );
        let _ = writeln!(
            s,
            r##"<text x="{}" y="63" font-size="13" fill="#424242">{}</text>"##,
            x + 22.0,
            esc(&label)
        );
        x += 22.0 + text_width(&label, 13.0) + 24.0;
    }
    let _ = writeln!(
        s,
        r##"<g class="edges" fill="none" stroke="#90a4ae" stroke-width="1.4">"##
    );
    for &(a, b) in &p.edges {
        let (ax, ay) = pos(&p.boxes[a]);
        let (bx, by) = pos(&p.boxes[b]);
        let (x1, y1, x2, y2) = (ax + box_w, ay + box_h / 2.0, bx, by + box_h / 2.0);
        let mid = (x2 - x1) / 2.0;
        let _ = writeln!(
            s,
            r#"<path d="M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}" marker-end="url(#arrow)"/>"#,
            x1 + mid,
            x2 - mid
        );
    }
    let _ = writeln!(s, "</g>");
    for b in &p.boxes {
        let (x, y) = pos(b);
        let (fill, stroke) = b.mark.colors();
        let dash = if matches!(b.mark, Mark::Missing | Mark::Unknown) {
            r#" stroke-dasharray="5,3""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r#"<g class="segment {}" data-segment="{}">"#,
            b.mark.class(),
            esc(&b.name)
        );
        let _ = writeln!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{box_w:.1}" height="{box_h}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.8"{dash}/>"#
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="{name_px}" text-anchor="middle" fill="#212121">{}</text>"##,
            x + box_w / 2.0,
            y + 20.0,
            esc(&b.name)
        );
        let detail = clip(&b.detail, box_w - 10.0, detail_px);
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="{detail_px}" text-anchor="middle" fill="{stroke}">{}</text>"#,
            x + box_w / 2.0,
            y + 38.0,
            esc(&detail)
        );
        let _ = writeln!(s, "</g>");
    }
    let _ = writeln!(
        s,
        r##"<text x="{margin}" y="{:.0}" font-size="11" fill="#9e9e9e">左 → 右：上游 → 下游；箭头表示供给关系（投入 → 使用）。chainkb</text>"##,
        height - 12.0
    );
    s.push_str("</svg>\n");
    s
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Render as Graphviz DOT (left to right, same colours).
pub fn to_dot(p: &Picture) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph chain {{");
    let _ = writeln!(
        s,
        "  label={}; labelloc=t; rankdir=LR;",
        dot_quote(&p.title)
    );
    let _ = writeln!(
        s,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Noto Sans CJK SC\"];"
    );
    for (i, b) in p.boxes.iter().enumerate() {
        let (fill, stroke) = b.mark.colors();
        let style = if matches!(b.mark, Mark::Missing | Mark::Unknown) {
            ", style=\"rounded,filled,dashed\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  n{i} [label={}, fillcolor=\"{fill}\", color=\"{stroke}\", class=\"{}\"{style}];",
            dot_quote(&format!("{}\n{}", b.name, b.detail)),
            b.mark.class()
        );
    }
    for &(a, b) in &p.edges {
        let _ = writeln!(s, "  n{a} -> n{b};");
    }
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_double() {
        assert_eq!(text_width("ab", 10.0), 12.0);
        assert_eq!(text_width("正极", 10.0), 20.0);
        assert_eq!(clip("一二三四五六七八", 50.0, 10.0), "一二三四…");
        assert_eq!(clip("一二三", 50.0, 10.0), "一二三");
    }

    #[test]
    fn escaping() {
        assert_eq!(esc("A&B<C>\"D\""), "A&amp;B&lt;C&gt;&quot;D&quot;");
        assert_eq!(dot_quote("a\"b"), "\"a\\\"b\"");
    }
}
