//! A chain's 区域分布图: where its firms (and a target list's firms) are, by province and city,
//! on a tile-grid map of China's provinces (one square each, roughly where the province lies;
//! no geodata).

use super::{FONT, FOOTER_TOOL, esc, text_lines, wrap};
use crate::graph::Graph;
use crate::model::{Attrs, Kind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Province tiles: short name, column, row.
pub const TILES: [(&str, usize, usize); 34] = [
    ("黑龙江", 7, 0),
    ("内蒙古", 4, 1),
    ("吉林", 7, 1),
    ("新疆", 1, 2),
    ("宁夏", 3, 2),
    ("山西", 4, 2),
    ("北京", 5, 2),
    ("天津", 6, 2),
    ("辽宁", 7, 2),
    ("青海", 1, 3),
    ("甘肃", 2, 3),
    ("陕西", 3, 3),
    ("河南", 4, 3),
    ("河北", 5, 3),
    ("山东", 6, 3),
    ("西藏", 1, 4),
    ("四川", 2, 4),
    ("重庆", 3, 4),
    ("湖北", 4, 4),
    ("安徽", 5, 4),
    ("江苏", 6, 4),
    ("上海", 7, 4),
    ("云南", 2, 5),
    ("贵州", 3, 5),
    ("湖南", 4, 5),
    ("江西", 5, 5),
    ("浙江", 6, 5),
    ("广西", 3, 6),
    ("广东", 4, 6),
    ("福建", 5, 6),
    ("台湾", 6, 6),
    ("海南", 3, 7),
    ("澳门", 4, 7),
    ("香港", 5, 7),
];

/// The tile of a province as written in the data (`云南省`, `广西壮族自治区`, `北京市`, `云南`).
pub fn province_tile(written: &str) -> Option<&'static str> {
    let w = written.trim();
    if w.is_empty() {
        return None;
    }
    TILES
        .iter()
        .map(|t| t.0)
        .find(|&short| w.starts_with(short))
}

/// A city as written, without a trailing 市 (`玉溪市` → `玉溪`).
fn city_short(written: &str) -> &str {
    let w = written.trim();
    match w.strip_suffix('市') {
        Some(s) if !s.is_empty() => s,
        _ => w,
    }
}

/// One group of firms on the map.
pub struct Series {
    pub label: String,
    pub colour: &'static str,
    /// (province tile or the province as written, city, firm name).
    pub firms: Vec<(Option<&'static str>, String, String)>,
}

/// A laid-out map picture.
pub struct MapPicture {
    pub title: String,
    pub series: Vec<Series>,
    /// The place's province, outlined.
    pub home: Option<&'static str>,
    pub note: String,
}

/// Where an enterprise is: (province tile, city as written, province as written).
fn located(graph: &Graph, e: u32) -> (Option<&'static str>, String, String) {
    match &graph.node(e).attrs {
        Attrs::Enterprise(a) => (
            province_tile(&a.province),
            city_short(&a.city).to_string(),
            a.province.to_string(),
        ),
        _ => (None, String::new(), String::new()),
    }
}

/// The chain's firms on record: every producer of one of its segments.
pub fn chain_firms(graph: &Graph, chain: u32) -> Vec<u32> {
    let mut out: Vec<u32> = graph
        .chain_segments(chain)
        .iter()
        .flat_map(|&s| graph.producers(s).iter().copied())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Lay out the map of `chain`'s firms; `place` outlines its province; `targets` adds a second
/// series (the firms of a target list).
pub fn layout(
    graph: &Graph,
    chain: u32,
    place: Option<u32>,
    targets: Option<&[u32]>,
) -> MapPicture {
    let series_of = |label: String, colour, firms: &[u32]| Series {
        label,
        colour,
        firms: firms
            .iter()
            .map(|&e| {
                let (tile, city, _) = located(graph, e);
                (tile, city, graph.node(e).name().to_string())
            })
            .collect(),
    };
    let firms = chain_firms(graph, chain);
    let mut series = vec![series_of(
        format!("产业链企业（库内 {} 家）", firms.len()),
        "#1565c0",
        &firms,
    )];
    if let Some(t) = targets {
        series.push(series_of(
            format!("招商目标企业（{} 家）", t.len()),
            "#ef6c00",
            t,
        ));
    }
    let home = place.and_then(|p| {
        std::iter::once(p)
            .chain(graph.ancestors(p).iter().copied())
            .filter(|&a| graph.node(a).kind == Kind::Region)
            .find_map(|a| province_tile(graph.node(a).name()))
    });
    let unplaced: usize = series
        .iter()
        .map(|s| s.firms.iter().filter(|f| f.0.is_none()).count())
        .sum();
    let mut note = String::from("每格一个省级行政区，位置示意，不按比例；格中数字为企业数。");
    if unplaced > 0 {
        let _ = write!(note, "另有 {unplaced} 家企业未注明省份或在境外，未上图。");
    }
    let chain_name = graph.node(chain).name();
    let title = match (place, targets.is_some()) {
        (Some(p), true) => format!(
            "{chain_name} 产业链区域分布图 · {} 招商目标",
            graph.node(p).name()
        ),
        (Some(p), false) => format!("{chain_name} 产业链区域分布图 · {}", graph.node(p).name()),
        (None, _) => format!("{chain_name} 产业链区域分布图"),
    };
    MapPicture {
        title,
        series,
        home,
        note,
    }
}

const TILE: f64 = 66.0;
const TILE_GAP: f64 = 4.0;

/// Render as SVG: the tile map on the left, per-province city lists on the right.
pub fn to_svg(m: &MapPicture) -> String {
    let (left, top) = (24.0, 110.0);
    let map_w = 8.0 * (TILE + TILE_GAP);
    let panel_x = left + map_w + 28.0;
    let panel_w = 430.0;
    // Per series: province → (count, city → count).
    type Cities = BTreeMap<String, usize>;
    let counts: Vec<BTreeMap<&str, (usize, Cities)>> = m
        .series
        .iter()
        .map(|s| {
            let mut by: BTreeMap<&str, (usize, Cities)> = BTreeMap::new();
            for (tile, city, _) in &s.firms {
                if let Some(t) = tile {
                    let entry = by.entry(t).or_default();
                    entry.0 += 1;
                    let city = if city.is_empty() {
                        "城市未注明"
                    } else {
                        city
                    };
                    *entry.1.entry(city.to_string()).or_default() += 1;
                }
            }
            by
        })
        .collect();
    let max0 = counts
        .first()
        .and_then(|c| c.values().map(|v| v.0).max())
        .unwrap_or(0)
        .max(1);
    // The panel: for each series, provinces by count, with their cities.
    let mut panel = String::new();
    let mut y = top + 4.0;
    for (s, by) in m.series.iter().zip(&counts) {
        let _ = writeln!(
            panel,
            r#"<text class="series" x="{panel_x}" y="{y:.1}" font-size="16" font-weight="bold" fill="{}">{}</text>"#,
            s.colour,
            esc(&s.label)
        );
        y += 24.0;
        let mut provs: Vec<(&&str, &(usize, Cities))> = by.iter().collect();
        provs.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
        for (prov, (n, cities)) in provs {
            let mut cl: Vec<(&String, &usize)> = cities.iter().collect();
            cl.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let list: Vec<String> = cl.iter().map(|(c, k)| format!("{c} {k}")).collect();
            let line = format!("{prov} {n} 家：{}", list.join("、"));
            let lines = wrap(&line, panel_w, 13.0);
            text_lines(
                &mut panel,
                "province",
                &lines,
                (panel_x, y),
                (13.0, 17.0),
                "#37474f",
                false,
            );
            y += lines.len() as f64 * 17.0 + 4.0;
        }
        y += 14.0;
    }
    let width = panel_x + panel_w + 24.0;
    let map_bottom = top + 8.0 * (TILE + TILE_GAP);
    let height = map_bottom.max(y) + 60.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT}">"#
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r##"<text class="title" x="{left}" y="36" font-size="22" font-weight="bold" fill="#212121">{}</text>"##,
        esc(&m.title)
    );
    // Legend: one entry per series, and the outlined home province when there is one.
    let mut lx = left;
    let _ = writeln!(s, r#"<g class="legend">"#);
    for series in &m.series {
        let _ = writeln!(
            s,
            r##"<g class="legend-entry"><rect x="{lx:.1}" y="56" width="18" height="18" rx="3" fill="{}"/><text x="{:.1}" y="70" font-size="14" fill="#424242">{}</text></g>"##,
            series.colour,
            lx + 24.0,
            esc(&series.label)
        );
        lx += 24.0 + super::text_width(&series.label, 14.0) + 26.0;
    }
    if let Some(home) = m.home {
        let label = format!("本地：{home}");
        let _ = writeln!(
            s,
            r##"<g class="legend-entry"><rect x="{lx:.1}" y="56" width="18" height="18" rx="3" fill="none" stroke="#c62828" stroke-width="3"/><text x="{:.1}" y="70" font-size="14" fill="#424242">{}</text></g>"##,
            lx + 24.0,
            esc(&label)
        );
    }
    let _ = writeln!(s, "</g>");
    for &(name, c, r) in &TILES {
        let x = left + c as f64 * (TILE + TILE_GAP);
        let y = top + r as f64 * (TILE + TILE_GAP);
        let n0 = counts.first().and_then(|b| b.get(name)).map_or(0, |v| v.0);
        // Blue by share of the largest province, white when none.
        let t = n0 as f64 / max0 as f64;
        let fill = if n0 == 0 {
            "#f5f5f5".to_string()
        } else {
            let mix = |lo: f64, hi: f64| (lo + (hi - lo) * (0.25 + 0.75 * t)).round() as u8;
            format!(
                "#{:02x}{:02x}{:02x}",
                mix(227.0, 21.0),
                mix(242.0, 101.0),
                mix(253.0, 192.0)
            )
        };
        let ink = if n0 > 0 && t > 0.45 {
            "#ffffff"
        } else {
            "#37474f"
        };
        let outline = if m.home == Some(name) {
            r##" stroke="#c62828" stroke-width="3""##
        } else {
            r##" stroke="#e0e0e0" stroke-width="1""##
        };
        let _ = writeln!(
            s,
            r#"<g class="tile" data-province="{name}" data-count="{n0}"><rect x="{x:.1}" y="{y:.1}" width="{TILE}" height="{TILE}" rx="4" fill="{fill}"{outline}/><text x="{:.1}" y="{:.1}" font-size="13" text-anchor="middle" fill="{ink}">{name}</text>"#,
            x + TILE / 2.0,
            y + 22.0
        );
        if n0 > 0 {
            let _ = write!(
                s,
                r#"<text class="count" x="{:.1}" y="{:.1}" font-size="16" font-weight="bold" text-anchor="middle" fill="{ink}">{n0}</text>"#,
                x + TILE / 2.0,
                y + 44.0
            );
        }
        if let Some(n1) = counts.get(1).and_then(|b| b.get(name)).map(|v| v.0) {
            let colour = m.series[1].colour;
            let _ = write!(
                s,
                r##"<circle cx="{:.1}" cy="{:.1}" r="11" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/><text class="target-count" x="{:.1}" y="{:.1}" font-size="12" font-weight="bold" text-anchor="middle" fill="#ffffff">{n1}</text>"##,
                x + TILE - 12.0,
                y + TILE - 12.0,
                x + TILE - 12.0,
                y + TILE - 8.0
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str(&panel);
    let _ = writeln!(
        s,
        r##"<text class="footer" x="{left}" y="{:.0}" font-size="12" fill="#9e9e9e">{}{FOOTER_TOOL}</text>"##,
        height - 14.0,
        esc(&m.note)
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provinces_as_written_find_their_tile() {
        assert_eq!(province_tile("云南省"), Some("云南"));
        assert_eq!(province_tile("云南"), Some("云南"));
        assert_eq!(province_tile("广西壮族自治区"), Some("广西"));
        assert_eq!(province_tile("内蒙古自治区"), Some("内蒙古"));
        assert_eq!(province_tile("北京市"), Some("北京"));
        assert_eq!(province_tile("香港特别行政区"), Some("香港"));
        assert_eq!(province_tile(""), None);
        assert_eq!(province_tile("美国"), None);
        assert_eq!(city_short("玉溪市"), "玉溪");
        assert_eq!(city_short("楚雄彝族自治州"), "楚雄彝族自治州");
    }

    #[test]
    fn tiles_are_distinct_squares() {
        let mut seen = std::collections::HashSet::new();
        for (name, c, r) in TILES {
            assert!(seen.insert((c, r)), "{name} shares a square");
            assert!(c < 8 && r < 8);
        }
    }
}
