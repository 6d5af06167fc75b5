//! SVG → PNG in-process (usvg parses, resvg renders) with a bundled CJK font: a subset of
//! WenQuanYi Micro Hei (Apache-2.0, assets/fonts/README.md); `CHAINKB_FONT` names another.

use super::DrawError;
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
fn fonts(font: Option<&Path>) -> Result<(usvg::fontdb::Database, String), DrawError> {
    let mut db = usvg::fontdb::Database::new();
    let mut family = BUNDLED_FAMILY.to_string();
    if let Some(path) = font {
        let before = db.len();
        db.load_font_file(path)
            .map_err(|e| DrawError::FontUnreadable {
                path: path.to_path_buf(),
                why: e.to_string(),
            })?;
        let face = db
            .faces()
            .nth(before)
            .ok_or_else(|| DrawError::FontEmpty(path.to_path_buf()))?;
        match face.families.first() {
            Some((name, _)) => family = name.clone(),
            None => return Err(DrawError::FontNoFamily(path.to_path_buf())),
        }
    }
    db.load_font_data(BUNDLED.to_vec());
    db.load_system_fonts();
    db.set_sans_serif_family(&family);
    Ok((db, family))
}

/// Render an SVG document made by this module to PNG bytes at `SCALE`.
pub fn render(svg: &str, font: Option<&Path>) -> Result<Vec<u8>, DrawError> {
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
    let tree = usvg::Tree::from_str(&svg, &opt).map_err(|e| DrawError::Svg(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(SCALE)
        .ok_or(DrawError::Size)?;
    let mut pixmap =
        tiny_skia::Pixmap::new(size.width(), size.height()).ok_or(DrawError::TooLarge {
            width: size.width(),
            height: size.height(),
        })?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| DrawError::Png(e.to_string()))
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
    use crate::error::Blamed;

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
        assert_eq!(err.blame(), crate::error::Blame::Input);
        let err = err.to_string();
        assert!(
            err.contains("/no/such/font.ttf") && err.contains(FONT_ENV),
            "{err}"
        );
    }
}
