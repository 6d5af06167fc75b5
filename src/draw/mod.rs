//! Pictures: a chain's 全景图 / 现状图 (`chain`), its 区域分布图 (`map`) and 应用领域图 (`apps`), as
//! SVG (and DOT for chains), rendered to PNG in-process (`png`).

pub mod apps;
pub mod chain;
mod error;
pub mod map;
pub mod png;

pub use error::DrawError;

pub use chain::{Mark, Picture, SegmentBox, layout, to_dot, to_svg};

/// Font families the SVG asks for: the bundled subset first (see assets/fonts/README.md), then
/// the CJK fonts office machines usually have.
pub const FONT: &str = "'WenQuanYi Micro Hei','Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','SimHei',sans-serif";

/// The footer every picture carries.
pub const FOOTER_TOOL: &str = "chainkb";

/// Approximate rendered width of text: CJK and full-width characters count 1 em, others 0.6.
pub fn text_width(s: &str, font_px: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * font_px
}

fn char_em(c: char) -> f64 {
    if (c as u32) < 0x1100 { 0.6 } else { 1.0 }
}

/// Break `s` into lines no wider than `max` (display units at `font_px`), never dropping a
/// character: the lines joined give `s` back. Breaks at any character (Chinese has no spaces);
/// a run of ASCII letters or digits is kept whole when it fits on a line of its own.
pub fn wrap(s: &str, max: f64, font_px: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut width = 0.0;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // The unit to place: an ASCII word, or one character.
        let mut j = i + 1;
        if chars[i].is_ascii_alphanumeric() {
            while j < chars.len() && chars[j].is_ascii_alphanumeric() {
                j += 1;
            }
        }
        let unit: String = chars[i..j].iter().collect();
        let w = text_width(&unit, font_px);
        if width + w > max && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            width = 0.0;
        }
        if w > max {
            // A word wider than a line: split it by characters.
            for c in unit.chars() {
                let cw = char_em(c) * font_px;
                if width + cw > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    width = 0.0;
                }
                line.push(c);
                width += cw;
            }
        } else {
            line.push_str(&unit);
            width += w;
        }
        i = j;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Escape text for SVG content and attributes.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `<text>` with one `<tspan>` per line, `line_h` apart, anchored at `x` (middle) or start.
pub fn text_lines(
    out: &mut String,
    class: &str,
    lines: &[String],
    (x, y): (f64, f64),
    (px, line_h): (f64, f64),
    fill: &str,
    middle: bool,
) {
    use std::fmt::Write as _;
    let anchor = if middle {
        r#" text-anchor="middle""#
    } else {
        ""
    };
    let full: String = lines.concat();
    let _ = write!(
        out,
        r#"<text class="{class}" data-text="{}" x="{x:.1}" y="{y:.1}" font-size="{px}" fill="{fill}"{anchor}>"#,
        esc(&full)
    );
    for (i, l) in lines.iter().enumerate() {
        let _ = write!(
            out,
            r#"<tspan x="{x:.1}" y="{:.1}">{}</tspan>"#,
            y + i as f64 * line_h,
            esc(l)
        );
    }
    out.push_str("</text>\n");
}

/// Chinese wording of a weakness reason from `report::gaps::weakness`.
pub fn weakness_zh(w: &str) -> &str {
    match w {
        crate::report::gaps::SINGLE_PRODUCER => "单一企业",
        crate::report::gaps::NO_LEADING_FIRM => "无龙头企业",
        crate::report::gaps::PLANNED_ONLY => "仅有规划",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_double() {
        assert_eq!(text_width("ab", 10.0), 12.0);
        assert_eq!(text_width("正极", 10.0), 20.0);
    }

    #[test]
    fn wrapping_keeps_every_character() {
        let name = "云南恩捷新材料股份有限公司";
        let lines = wrap(name, 60.0, 12.0);
        assert_eq!(lines.concat(), name);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l, 12.0) <= 60.0));
        assert_eq!(wrap("一二三", 50.0, 10.0), ["一二三"]);
        // ASCII words stay whole when they fit; a word too long for any line is split.
        assert_eq!(wrap("ab LONGi", 30.0, 10.0), ["ab ", "LONGi"]);
        assert_eq!(wrap("abcdefghij", 30.0, 10.0).concat(), "abcdefghij");
        assert_eq!(wrap("", 30.0, 10.0), [""]);
    }

    #[test]
    fn escaping() {
        assert_eq!(esc("A&B<C>\"D\""), "A&amp;B&lt;C&gt;&quot;D&quot;");
    }

    #[test]
    fn weakness_reasons_are_chinese() {
        assert_eq!(
            weakness_zh(crate::report::gaps::SINGLE_PRODUCER),
            "单一企业"
        );
        assert_eq!(
            weakness_zh(crate::report::gaps::NO_LEADING_FIRM),
            "无龙头企业"
        );
    }
}
