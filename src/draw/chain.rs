//! A chain's panorama (产业链全景图) or its status in a place (现状图): segments in stage bands
//! 上游 / 中游 / 下游 left to right, coloured by local state with the reason a segment is weak,
//! edges routed orthogonally through the gaps between boxes; as SVG or Graphviz DOT.

use super::{FONT, FOOTER_TOOL, esc, text_lines, text_width, weakness_zh, wrap};
use crate::graph::{Graph, SegmentState};
use crate::model::Stage;
use crate::report::gaps;
use std::collections::HashMap;
use std::fmt::Write as _;

mod svg;

pub use svg::{to_dot, to_svg};

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
    /// Legend order.
    pub const ALL: [Mark; 6] = [
        Mark::Present,
        Mark::Weak,
        Mark::Planned,
        Mark::Missing,
        Mark::Unknown,
        Mark::Neutral,
    ];

    pub fn class(self) -> &'static str {
        match self {
            Mark::Neutral => "neutral",
            Mark::Present => "present",
            Mark::Weak => "weak",
            Mark::Planned => "planned",
            Mark::Missing => "missing",
            Mark::Unknown => "unknown",
        }
    }
    pub fn label(self) -> &'static str {
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
    pub fn colors(self) -> (&'static str, &'static str) {
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

/// At most this many firms (or projects) are named in a box; the rest are counted.
const NAMED: usize = 4;

/// One segment in the picture.
#[derive(Clone, Debug)]
pub struct SegmentBox {
    pub segment: u32,
    pub name: String,
    pub stage: Stage,
    pub mark: Mark,
    /// The state and why: `薄弱：单一企业、无龙头企业`, `已有 · 3家`; in a panorama, the number
    /// of firms on record.
    pub status: String,
    /// Who makes it (full names, leading firms first) or what is planned; `另有N家` last when
    /// more than `NAMED`.
    pub who: Vec<String>,
    /// A line under the name, in grey (the chains an application belongs to).
    pub note: Option<String>,
    /// Public bodies provide it (公共职能).
    pub public: bool,
    /// Global column (bands left to right, layers inside a band) and row.
    pub column: usize,
    pub row: usize,
}

/// A stage band: its stage and its columns `first..first + width`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Band {
    pub stage: Stage,
    /// The heading: 上游 / 中游 / 下游, or what an application picture calls the band.
    pub label: &'static str,
    pub first: usize,
    pub width: usize,
}

/// A laid-out chain picture.
pub struct Picture {
    pub title: String,
    pub boxes: Vec<SegmentBox>,
    /// (from, to) as indexes into `boxes`.
    pub edges: Vec<(usize, usize)>,
    /// Non-empty bands, upstream first.
    pub bands: Vec<Band>,
    /// The line under the picture: how to read it.
    pub footer: String,
}

const STAGES: [Stage; 3] = [Stage::Upstream, Stage::Midstream, Stage::Downstream];

/// Lay out `chain`, marking states in `place` when given.
pub fn layout(graph: &Graph, chain: u32, place: Option<u32>) -> Picture {
    let segs = graph.chain_segments(chain).to_vec();
    let index: HashMap<u32, usize> = segs.iter().enumerate().map(|(i, &s)| (s, i)).collect();
    let edges: Vec<(usize, usize)> = graph
        .chain_edges(chain)
        .into_iter()
        .filter_map(|(a, b)| Some((*index.get(&a)?, *index.get(&b)?)))
        .collect();
    let stage: Vec<Stage> = segs
        .iter()
        .map(|&s| graph.segment_stage(s).unwrap_or(Stage::Midstream))
        .collect();
    let layer = band_layers(&stage, &edges);
    // Bands left to right; a band is as wide as its deepest layer.
    let mut bands = Vec::new();
    let mut first = 0;
    for st in STAGES {
        let width = (0..segs.len())
            .filter(|&i| stage[i] == st)
            .map(|i| layer[i] + 1)
            .max();
        if let Some(width) = width {
            bands.push(Band {
                stage: st,
                label: st.as_str(),
                first,
                width,
            });
            first += width;
        }
    }
    let column: Vec<usize> = (0..segs.len())
        .map(|i| {
            let band = bands
                .iter()
                .find(|b| b.stage == stage[i])
                .map_or(0, |b| b.first);
            band + layer[i]
        })
        .collect();
    let row = order_rows(&column, &edges);
    let boxes = segs
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let (mark, status, who) = box_mark(graph, place, s);
            SegmentBox {
                segment: s,
                name: graph.node(s).name().to_string(),
                stage: stage[i],
                mark,
                status,
                who,
                note: None,
                public: graph.ds.public_function(s).is_some(),
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
        bands,
        footer: "左 → 右：上游 → 中游 → 下游；箭头表示供给关系（投入 → 使用）。".into(),
    }
}

/// Layer of each segment inside its stage band: the longest path from a band source over the
/// edges inside the band; a source sits just left of its nearest user in the band.
pub(super) fn band_layers(stage: &[Stage], edges: &[(usize, usize)]) -> Vec<usize> {
    let n = stage.len();
    let inside: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| stage[a] == stage[b] && a != b)
        .collect();
    let mut layer = vec![0usize; n];
    // Chains are DAGs, so n relaxation rounds suffice; a cycle in bad data stops there.
    for _ in 0..n {
        let mut changed = false;
        for &(a, b) in &inside {
            if layer[b] < layer[a] + 1 {
                layer[b] = layer[a] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for i in 0..n {
        if inside.iter().any(|e| e.1 == i) {
            continue;
        }
        if let Some(min_user) = inside.iter().filter(|e| e.0 == i).map(|e| layer[e.1]).min() {
            layer[i] = min_user.saturating_sub(1);
        }
    }
    layer
}

/// Rows inside each column (fewer crossings, the barycentre heuristic): a sweep left to right
/// orders each column by the mean row of the inputs already placed (data order for none), a
/// sweep right to left by the mean row of the users, and a last sweep left to right again; a
/// segment with no neighbour on the side swept from keeps its row.
pub(super) fn order_rows(column: &[usize], edges: &[(usize, usize)]) -> Vec<usize> {
    let n = column.len();
    let columns = column.iter().copied().max().map_or(0, |m| m + 1);
    let mut row: Vec<f64> = (0..n).map(|i| i as f64 / n.max(1) as f64).collect();
    let mut done = vec![false; n];
    let mut sweep = |order: Vec<usize>, forward: bool, row: &mut Vec<f64>| {
        done.iter_mut().for_each(|d| *d = false);
        for c in order {
            let mut keyed: Vec<(f64, usize)> = (0..n)
                .filter(|&i| column[i] == c)
                .map(|i| {
                    let near: Vec<f64> = edges
                        .iter()
                        .filter_map(|&(a, b)| match forward {
                            true if b == i && done[a] => Some(row[a]),
                            false if a == i && done[b] => Some(row[b]),
                            _ => None,
                        })
                        .collect();
                    let key = if near.is_empty() {
                        row[i]
                    } else {
                        near.iter().sum::<f64>() / near.len() as f64
                    };
                    (key, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (r, &(_, i)) in keyed.iter().enumerate() {
                row[i] = r as f64;
                done[i] = true;
            }
        }
    };
    sweep((0..columns).collect(), true, &mut row);
    sweep((0..columns).rev().collect(), false, &mut row);
    sweep((0..columns).collect(), true, &mut row);
    row.into_iter().map(|r| r as usize).collect()
}

/// Where lane `l` of `lanes` lanes lies in a channel starting at `start`, `span` wide: spread
/// evenly end to end, or in the middle when it is alone.
fn lane_at(start: f64, span: f64, lanes: usize, l: usize) -> f64 {
    let n = lanes.max(1) as f64;
    start
        + if n > 1.0 {
            span * l as f64 / (n - 1.0)
        } else {
            span / 2.0
        }
}

/// A box's state, status line and firms: in a place, `mark_of`; in the panorama (no place),
/// neutral with the number of firms in the database that make the segment.
pub(super) fn box_mark(graph: &Graph, place: Option<u32>, seg: u32) -> (Mark, String, Vec<String>) {
    match place {
        None => {
            let n = graph.producers(seg).len();
            let status = if n == 0 {
                "库内暂无企业".to_string()
            } else {
                format!("库内企业 {n} 家")
            };
            (Mark::Neutral, status, Vec::new())
        }
        Some(p) => mark_of(graph, p, seg),
    }
}

/// State, status line and the firms or projects behind a segment in a place.
pub(super) fn mark_of(graph: &Graph, place: u32, seg: u32) -> (Mark, String, Vec<String>) {
    let Some(p) = graph.presence(place, seg) else {
        return if graph.uncovered(place) {
            (Mark::Unknown, "未知（无企业数据）".into(), Vec::new())
        } else {
            (Mark::Missing, "缺失".into(), Vec::new())
        };
    };
    let named = |ids: &[u32]| -> Vec<String> {
        let mut out: Vec<String> = ids
            .iter()
            .take(NAMED)
            .map(|&e| graph.node(e).name().to_string())
            .collect();
        if ids.len() > NAMED {
            out.push(format!("另有{}家", ids.len() - NAMED));
        }
        out
    };
    match graph.state(place, seg) {
        SegmentState::Present => {
            // Leading firms first, then data order.
            let mut firms = p.producers.to_vec();
            firms.sort_by_key(|&e| !graph.is_leading(e));
            let (weakness, _) = gaps::weakness(graph, SegmentState::Present, p.producers);
            if weakness.is_empty() {
                (
                    Mark::Present,
                    format!("已有 · {}家", firms.len()),
                    named(&firms),
                )
            } else {
                let why: Vec<&str> = weakness.iter().map(|w| weakness_zh(w)).collect();
                (
                    Mark::Weak,
                    format!("薄弱：{}", why.join("、")),
                    named(&firms),
                )
            }
        }
        SegmentState::Planned => {
            let mut who = named(p.projects);
            if p.projects.len() > NAMED {
                who.pop();
                who.push(format!("另有{}个项目", p.projects.len() - NAMED));
            }
            (
                Mark::Planned,
                format!("规划/在建 · {}个项目", p.projects.len()),
                who,
            )
        }
        SegmentState::Missing => (Mark::Missing, "缺失".into(), Vec::new()),
        SegmentState::Unknown => (Mark::Unknown, "未知（无企业数据）".into(), Vec::new()),
    }
}

/// Sizes of the drawing, in pixels.
const BOX_W: f64 = 196.0;
const PAD: f64 = 8.0;
const NAME_PX: f64 = 15.0;
const NAME_LH: f64 = 19.0;
const STATUS_PX: f64 = 12.0;
const WHO_PX: f64 = 11.5;
const LINE_LH: f64 = 15.0;
const LANE: f64 = 7.0;
const MARGIN: f64 = 24.0;
const TOP: f64 = 118.0;
const BAND_HEAD: f64 = 30.0;

/// An axis-aligned rectangle: x, y, width, height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Whether the segment p–q (axis-aligned) passes through the rectangle's inside (touching
    /// its border does not count).
    pub fn crossed_by(&self, p: (f64, f64), q: (f64, f64)) -> bool {
        let e = 0.5;
        let (x0, x1) = (p.0.min(q.0), p.0.max(q.0));
        let (y0, y1) = (p.1.min(q.1), p.1.max(q.1));
        x1 > self.x + e && x0 < self.x + self.w - e && y1 > self.y + e && y0 < self.y + self.h - e
    }
}

/// The wrapped lines of a box: name, note, status, and each firm or project.
pub type BoxText = (Vec<String>, Vec<String>, Vec<String>, Vec<Vec<String>>);

/// Where every box, band and edge goes.
pub struct Geometry {
    pub width: f64,
    pub height: f64,
    pub boxes: Vec<Rect>,
    /// Lines of each box: name, status, who.
    pub text: Vec<BoxText>,
    pub bands: Vec<Rect>,
    /// Polyline of each edge, from the source box's right side to the target's left side.
    pub edges: Vec<Vec<(f64, f64)>>,
}

/// Compute the drawing: box sizes from their wrapped text, row heights and gaps, and each
/// edge's orthogonal route. An edge leaves its source to the right into the vertical channel
/// after the source's column; if the target's column starts at that channel, it goes straight
/// to the target's row, otherwise it runs along the horizontal channel next to the target's row
/// to the channel before the target's column. Channels hold no boxes, so no edge crosses one;
/// each edge has its own lane in each channel.
pub fn geometry(p: &Picture) -> Geometry {
    let inner = BOX_W - 2.0 * PAD;
    let text: Vec<_> = p
        .boxes
        .iter()
        .map(|b| {
            let name = wrap(&b.name, inner, NAME_PX);
            let note = b
                .note
                .as_ref()
                .map_or_else(Vec::new, |n| wrap(n, inner, STATUS_PX));
            let mut status = wrap(&b.status, inner, STATUS_PX);
            if b.public {
                status.push("公共职能".into());
            }
            let who: Vec<Vec<String>> = b.who.iter().map(|w| wrap(w, inner, WHO_PX)).collect();
            (name, note, status, who)
        })
        .collect();
    let heights: Vec<f64> = text
        .iter()
        .map(|(n, o, s, w)| {
            let who_lines: usize = w.iter().map(Vec::len).sum();
            PAD * 2.0
                + n.len() as f64 * NAME_LH
                + (o.len() + s.len() + who_lines) as f64 * LINE_LH
                + if who_lines > 0 { 3.0 } else { 0.0 }
        })
        .collect();
    let columns = p.boxes.iter().map(|b| b.column + 1).max().unwrap_or(0);
    let rows = p.boxes.iter().map(|b| b.row + 1).max().unwrap_or(0);
    let mut row_h = vec![0.0f64; rows];
    for (b, h) in p.boxes.iter().zip(&heights) {
        row_h[b.row] = row_h[b.row].max(*h);
    }
    // Routes in grid terms: exit channel, entry channel, row gap (when the run is needed).
    struct Plan {
        exit: usize,
        entry: usize,
        gap: Option<usize>,
    }
    let plans: Vec<Plan> = p
        .edges
        .iter()
        .map(|&(a, b)| {
            let (ba, bb) = (&p.boxes[a], &p.boxes[b]);
            let exit = ba.column + 1;
            let entry = bb.column;
            let gap = (exit != entry).then(|| if ba.row <= bb.row { bb.row } else { bb.row + 1 });
            Plan { exit, entry, gap }
        })
        .collect();
    // Lanes: each edge's index among the edges using a channel (vertical) or gap (horizontal).
    let mut v_count = vec![0usize; columns + 1];
    let mut h_count = vec![0usize; rows + 1];
    let mut lanes = Vec::with_capacity(plans.len());
    for plan in &plans {
        let exit_lane = v_count[plan.exit];
        v_count[plan.exit] += 1;
        let entry_lane = if plan.entry != plan.exit {
            let l = v_count[plan.entry];
            v_count[plan.entry] += 1;
            l
        } else {
            exit_lane
        };
        let gap_lane = plan.gap.map(|g| {
            let l = h_count[g];
            h_count[g] += 1;
            l
        });
        lanes.push((exit_lane, entry_lane, gap_lane));
    }
    let is_band_start = |c: usize| p.bands.iter().any(|b| b.first == c && c > 0);
    let chan_w: Vec<f64> = (0..=columns)
        .map(|c| {
            let base: f64 = if c == 0 || c == columns {
                MARGIN
            } else if is_band_start(c) {
                56.0
            } else {
                40.0
            };
            base.max(20.0 + v_count[c] as f64 * LANE)
        })
        .collect();
    let gap_h: Vec<f64> = (0..=rows)
        .map(|g| {
            let base: f64 = if g == 0 || g == rows { 10.0 } else { 18.0 };
            base.max(12.0 + h_count[g] as f64 * LANE)
        })
        .collect();
    // Column x (left edge) and channel x (left edge); row y (top) and gap y (top).
    let mut chan_x = vec![0.0; columns + 1];
    let mut col_x = vec![0.0; columns];
    let mut x = 0.0;
    for c in 0..=columns {
        chan_x[c] = x;
        x += chan_w[c];
        if c < columns {
            col_x[c] = x;
            x += BOX_W;
        }
    }
    let width = x.max(640.0);
    let mut gap_y = vec![0.0; rows + 1];
    let mut row_y = vec![0.0; rows];
    let mut y = TOP + BAND_HEAD;
    for g in 0..=rows {
        gap_y[g] = y;
        y += gap_h[g];
        if g < rows {
            row_y[g] = y;
            y += row_h[g];
        }
    }
    let bands_bottom = y;
    let height = y + 40.0;
    let boxes: Vec<Rect> = p
        .boxes
        .iter()
        .zip(&heights)
        .map(|(b, &h)| Rect {
            x: col_x[b.column],
            y: row_y[b.row],
            w: BOX_W,
            h,
        })
        .collect();
    let bands: Vec<Rect> = p
        .bands
        .iter()
        .map(|b| {
            let x0 = chan_x[b.first] + if b.first == 0 { 6.0 } else { 4.0 };
            let x1 = chan_x[b.first + b.width]
                + if b.first + b.width == columns {
                    18.0
                } else {
                    4.0
                };
            Rect {
                x: x0,
                y: TOP,
                w: x1 - x0 - 4.0,
                h: bands_bottom - TOP,
            }
        })
        .collect();
    let lane_x = |c: usize, l: usize| lane_at(chan_x[c] + 10.0, chan_w[c] - 20.0, v_count[c], l);
    let lane_y = |g: usize, l: usize| lane_at(gap_y[g] + 6.0, gap_h[g] - 12.0, h_count[g], l);
    let edges = p
        .edges
        .iter()
        .zip(plans.iter().zip(&lanes))
        .map(|(&(a, b), (plan, &(el, nl, gl)))| {
            let (ra, rb) = (boxes[a], boxes[b]);
            // Leave and enter a little above centre when the box is tall, at its name.
            let ya = ra.y + (ra.h / 2.0).min(PAD + NAME_LH);
            let yb = rb.y + (rb.h / 2.0).min(PAD + NAME_LH);
            let xe = lane_x(plan.exit, el);
            let mut pts = vec![(ra.x + ra.w, ya), (xe, ya)];
            if let (Some(g), Some(gl)) = (plan.gap, gl) {
                let yg = lane_y(g, gl);
                let xn = lane_x(plan.entry, nl);
                pts.push((xe, yg));
                pts.push((xn, yg));
                pts.push((xn, yb));
            } else {
                pts.push((xe, yb));
            }
            pts.push((rb.x, yb));
            pts.dedup();
            pts
        })
        .collect();
    Geometry {
        width,
        height,
        boxes,
        text,
        bands,
        edges,
    }
}

#[cfg(test)]
#[path = "chain_tests.rs"]
mod tests;
