//! SVG → PNG in-process (usvg parses, resvg renders) with a bundled CJK font: a subset of
//! WenQuanYi Micro Hei (Apache-2.0, assets/fonts/README.md); `CHAINKB_FONT` names another.

use resvg::{tiny_skia, usvg};
use std::path::Path;
use std::sync::Arc;

/// The bundled font: WenQuanYi Micro Hei cut to GB 2312 and the characters of the shipped data
/// (tools/subset-font.sh).
const BUNDLED: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei-subset.ttf");
const BUNDLED_FAMILY: &str = "WenQuanYi Micro Hei";

/// The environment variable naming a font file (.ttf, .otf, .ttc) to draw text with instead.
pub const FONT_ENV: &str = "CHAINKB_FONT";

/// Pixels per SVG unit: pictures are drawn at twice their SVG size, sharp on slides.
pub const SCALE: f32 = 2.0;

/// The fonts to draw with: `font` (from `--font` or `CHAINKB_FONT`) first when given, then the
/// bundled subset, then the system's fonts for characters the subset lacks.
fn fonts(font: Option<&Path>) -> Result<(usvg::fontdb::Database, String), String> {
    let mut db = usvg::fontdb::Database::new();
    let mut family = BUNDLED_FAMILY.to_string();
    if let Some(path) = font {
        let before = db.len();
        let shown = path.display();
        db.load_font_file(path).map_err(|e| {
            crate::msg!(
                "无法读取字体文件 {shown}：{e}（--font 或 {FONT_ENV} 应指向 .ttf/.otf/.ttc 字体文件）",
                "cannot read the font file {shown}: {e} (--font or {FONT_ENV} should name a .ttf/.otf/.ttc font file)"
            )
        })?;
        let face = db.faces().nth(before).ok_or_else(|| {
            crate::msg!(
                "字体文件 {shown} 中没有可用的字体（--font 或 {FONT_ENV} 应指向 .ttf/.otf/.ttc 字体文件）",
                "the font file {shown} holds no usable font (--font or {FONT_ENV} should name a .ttf/.otf/.ttc font file)"
            )
        })?;
        match face.families.first() {
            Some((name, _)) => family = name.clone(),
            None => {
                return Err(crate::msg!(
                    "字体文件 {shown} 没有字体族名称",
                    "the font file {shown} has no family name"
                ));
            }
        }
    }
    db.load_font_data(BUNDLED.to_vec());
    db.load_system_fonts();
    db.set_sans_serif_family(&family);
    Ok((db, family))
}

/// Render an SVG document made by this module to PNG bytes at `SCALE`.
pub fn render(svg: &str, font: Option<&Path>) -> Result<Vec<u8>, String> {
    let (db, family) = fonts(font)?;
    // The chosen family first in the document's font list.
    let svg = svg.replacen(
        &format!(r#"font-family="{}""#, super::FONT),
        &format!(r#"font-family="'{family}',{}""#, super::FONT),
        1,
    );
    let opt = usvg::Options {
        font_family: family,
        fontdb: Arc::new(db),
        languages: vec!["zh-CN".into(), "en".into()],
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(&svg, &opt).map_err(|e| {
        crate::msg!(
            "内部错误：生成的 SVG 无法解析：{e}",
            "internal error: the SVG made cannot be parsed: {e}"
        )
    })?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(SCALE)
        .ok_or_else(|| crate::msg!("图片尺寸无效", "the picture's size is not valid"))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| {
        let (w, h) = (size.width(), size.height());
        crate::msg!(
            "图片过大（{w}×{h} 像素）",
            "the picture is too large ({w}×{h} pixels)"
        )
    })?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| crate::msg!("PNG 编码失败：{e}", "cannot encode the PNG: {e}"))
}

/// The font file named by `CHAINKB_FONT`, if set and not empty.
pub fn font_from_env() -> Option<std::path::PathBuf> {
    std::env::var_os(FONT_ENV)
        .filter(|v| !v.is_empty())
        .map(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_chinese_text_with_the_bundled_font() {
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" font-family="{}"><rect width="100%" height="100%" fill="white"/><text x="4" y="28" font-size="24">锂电池</text></svg>"#,
            super::super::FONT
        );
        let png = render(&svg, None).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // Width and height from the IHDR chunk: the SVG size times SCALE.
        let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert_eq!((w, h), (240, 80));
    }

    #[test]
    fn the_bundled_font_has_the_data_s_characters() {
        use skrifa::MetadataProvider;
        let font = skrifa::FontRef::new(BUNDLED).unwrap();
        let charmap = font.charmap();
        let missing: String =
            "锂电池恩捷隔膜卷烟楚雄绿色硅上游中游下游薄弱缺失规划在建已有（）：、·→"
                .chars()
                .filter(|&c| charmap.map(c).is_none())
                .collect();
        assert_eq!(missing, "");
        // Not everything: a character outside GB 2312 and the data is left to system fonts.
        assert!(charmap.map('𠀀').is_none());
    }

    #[test]
    fn a_bad_font_path_is_a_clear_error() {
        let err = render("<svg/>", Some(Path::new("/no/such/font.ttf"))).unwrap_err();
        assert!(
            err.contains("/no/such/font.ttf") && err.contains(FONT_ENV),
            "{err}"
        );
    }
}
