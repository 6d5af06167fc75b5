//! A laid-out chain picture written out: a standalone SVG document (`to_svg`) or Graphviz DOT
//! (`to_dot`).

use super::*;

/// Render as a standalone SVG document.
pub fn to_svg(p: &Picture) -> String {
    let geo = geometry(p);
    let (width, height) = (geo.width, geo.height);
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
        r##"<text class="title" x="{MARGIN}" y="36" font-size="22" font-weight="bold" fill="#212121">{}</text>"##,
        esc(&p.title)
    );
    // Legend: the marks that occur, with counts, and only those.
    let mut x = MARGIN;
    let _ = writeln!(s, r#"<g class="legend">"#);
    for mark in Mark::ALL {
        let n = p.boxes.iter().filter(|b| b.mark == mark).count();
        if n == 0 {
            continue;
        }
        let (fill, stroke) = mark.colors();
        let label = format!("{} {n}", mark.label());
        let _ = writeln!(
            s,
            r##"<g class="legend-entry" data-mark="{}"><rect x="{x:.1}" y="56" width="18" height="18" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/><text x="{:.1}" y="70" font-size="14" fill="#424242">{}</text></g>"##,
            mark.class(),
            x + 24.0,
            esc(&label)
        );
        x += 24.0 + text_width(&label, 14.0) + 26.0;
    }
    let _ = writeln!(s, "</g>");
    // Bands, headed 上游 / 中游 / 下游.
    for (band, r) in p.bands.iter().zip(&geo.bands) {
        let _ = writeln!(
            s,
            r##"<g class="band" data-stage="{}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" fill="#fafafa" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" font-size="16" font-weight="bold" text-anchor="middle" fill="#546e7a">{}</text></g>"##,
            band.stage.as_str(),
            r.x,
            r.y,
            r.w,
            r.h,
            r.x + r.w / 2.0,
            r.y + 21.0,
            esc(band.label)
        );
    }
    let _ = writeln!(
        s,
        r##"<g class="edges" fill="none" stroke="#90a4ae" stroke-width="1.4">"##
    );
    for (&(a, b), pts) in p.edges.iter().zip(&geo.edges) {
        let d: Vec<String> = pts
            .iter()
            .enumerate()
            .map(|(i, (x, y))| format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" }))
            .collect();
        let _ = writeln!(
            s,
            r#"<path class="edge" data-from="{}" data-to="{}" d="{}" marker-end="url(#arrow)"/>"#,
            esc(&p.boxes[a].name),
            esc(&p.boxes[b].name),
            d.join(" ")
        );
    }
    let _ = writeln!(s, "</g>");
    for ((b, r), (name, note, status, who)) in p.boxes.iter().zip(&geo.boxes).zip(&geo.text) {
        let (fill, stroke) = b.mark.colors();
        let dash = if matches!(b.mark, Mark::Missing | Mark::Unknown) {
            r#" stroke-dasharray="5,3""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r#"<g class="segment {}" data-segment="{}" data-stage="{}">"#,
            b.mark.class(),
            esc(&b.name),
            b.stage.as_str()
        );
        let _ = writeln!(
            s,
            r#"<rect class="box" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.8"{dash}/>"#,
            r.x, r.y, r.w, r.h
        );
        let cx = r.x + r.w / 2.0;
        let mut y = r.y + PAD + NAME_PX;
        text_lines(
            &mut s,
            "name",
            name,
            (cx, y),
            (NAME_PX, NAME_LH),
            "#212121",
            true,
        );
        y += name.len() as f64 * NAME_LH - NAME_LH + LINE_LH;
        if !note.is_empty() {
            text_lines(
                &mut s,
                "note",
                note,
                (cx, y),
                (STATUS_PX, LINE_LH),
                "#607d8b",
                true,
            );
            y += note.len() as f64 * LINE_LH;
        }
        text_lines(
            &mut s,
            "status",
            status,
            (cx, y),
            (STATUS_PX, LINE_LH),
            stroke,
            true,
        );
        y += status.len() as f64 * LINE_LH + 3.0;
        for lines in who {
            text_lines(
                &mut s,
                "firm",
                lines,
                (cx, y),
                (WHO_PX, LINE_LH),
                "#37474f",
                true,
            );
            y += lines.len() as f64 * LINE_LH;
        }
        let _ = writeln!(s, "</g>");
    }
    let _ = writeln!(
        s,
        r##"<text class="footer" x="{MARGIN}" y="{:.0}" font-size="12" fill="#9e9e9e">{}{FOOTER_TOOL}</text>"##,
        height - 14.0,
        esc(&p.footer)
    );
    s.push_str("</svg>\n");
    s
}

pub(super) fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A multi-line DOT label: each line quoted, joined by DOT's centred line break `\n`.
pub(super) fn dot_label(lines: &[String]) -> String {
    let quoted: Vec<String> = lines
        .iter()
        .map(|l| {
            let q = dot_quote(l);
            q[1..q.len() - 1].to_string()
        })
        .collect();
    format!("\"{}\"", quoted.join("\\n"))
}

/// Render as Graphviz DOT (left to right, a cluster per stage band, same colours).
pub fn to_dot(p: &Picture) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph chain {{");
    let _ = writeln!(
        s,
        "  label={}; labelloc=t; rankdir=LR; newrank=true;",
        dot_quote(&p.title)
    );
    let _ = writeln!(
        s,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"WenQuanYi Micro Hei\"];"
    );
    for (k, band) in p.bands.iter().enumerate() {
        let _ = writeln!(
            s,
            "  subgraph cluster_{k} {{ label={}; color=\"#e0e0e0\";",
            dot_quote(band.label)
        );
        for (i, b) in p.boxes.iter().enumerate() {
            if !(band.first..band.first + band.width).contains(&b.column) {
                continue;
            }
            let (fill, stroke) = b.mark.colors();
            let style = if matches!(b.mark, Mark::Missing | Mark::Unknown) {
                ", style=\"rounded,filled,dashed\""
            } else {
                ""
            };
            let mut label = vec![b.name.clone(), b.status.clone()];
            if b.public {
                label.push("公共职能".into());
            }
            label.extend(b.who.iter().cloned());
            let _ = writeln!(
                s,
                "    n{i} [label={}, fillcolor=\"{fill}\", color=\"{stroke}\", class=\"{}\"{style}];",
                dot_label(&label),
                b.mark.class()
            );
        }
        let _ = writeln!(s, "  }}");
    }
    for &(a, b) in &p.edges {
        let _ = writeln!(s, "  n{a} -> n{b};");
    }
    s.push_str("}\n");
    s
}
