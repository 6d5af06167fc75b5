//! Why a picture could not be made, and who is to blame (a font or chain the user chose, the
//! machine, or a bug in the SVG chainkb drew).

use crate::error::{Blame, Blamed};
use crate::lang::Lang;
use std::path::PathBuf;

/// Why a picture could not be made.
#[derive(Debug)]
pub enum DrawError {
    /// The font file (`--font` or `CHAINKB_FONT`) cannot be read.
    FontUnreadable { path: PathBuf, why: String },
    /// The font file holds no usable font.
    FontEmpty(PathBuf),
    /// The font file's font has no family name.
    FontNoFamily(PathBuf),
    /// The chain has no application segments and supplies no other chain.
    NoApplications { chain: String },
    /// The picture is too large for a pixel buffer.
    TooLarge { width: u32, height: u32 },
    /// The SVG chainkb made cannot be parsed.
    Svg(String),
    /// The SVG chainkb made has no valid size.
    Size,
    /// The PNG encoder failed.
    Png(String),
}

impl DrawError {
    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        use super::png::FONT_ENV;
        match self {
            DrawError::FontUnreadable { path, why: e } => {
                let shown = path.display();
                crate::tr!(
                    lang,
                    "无法读取字体文件 {shown}：{e}（--font 或 {FONT_ENV} 应指向 .ttf/.otf/.ttc 字体文件）",
                    "cannot read the font file {shown}: {e} (--font or {FONT_ENV} should name a .ttf/.otf/.ttc font file)"
                )
            }
            DrawError::FontEmpty(path) => {
                let shown = path.display();
                crate::tr!(
                    lang,
                    "字体文件 {shown} 中没有可用的字体（--font 或 {FONT_ENV} 应指向 .ttf/.otf/.ttc 字体文件）",
                    "the font file {shown} holds no usable font (--font or {FONT_ENV} should name a .ttf/.otf/.ttc font file)"
                )
            }
            DrawError::FontNoFamily(path) => {
                let shown = path.display();
                crate::tr!(
                    lang,
                    "字体文件 {shown} 没有字体族名称",
                    "the font file {shown} has no family name"
                )
            }
            DrawError::NoApplications { chain: name } => crate::tr!(
                lang,
                "产业链 {name} 没有下游（应用）环节，也没有供给其他产业链的环节，画不出应用领域图",
                "the chain {name} has no downstream (application) segments and none that supply other chains: there is no application picture to draw"
            ),
            DrawError::TooLarge {
                width: w,
                height: h,
            } => crate::tr!(
                lang,
                "图片过大（{w}×{h} 像素）",
                "the picture is too large ({w}×{h} pixels)"
            ),
            DrawError::Svg(e) => crate::tr!(
                lang,
                "内部错误：生成的 SVG 无法解析：{e}",
                "internal error: the SVG made cannot be parsed: {e}"
            ),
            DrawError::Size => lang
                .pick("图片尺寸无效", "the picture's size is not valid")
                .to_string(),
            DrawError::Png(e) => {
                crate::tr!(lang, "PNG 编码失败：{e}", "cannot encode the PNG: {e}")
            }
        }
    }
}

/// In the language of messages ([`crate::lang::messages`]).
impl std::fmt::Display for DrawError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(crate::lang::messages()))
    }
}

impl std::error::Error for DrawError {}

impl Blamed for DrawError {
    fn blame(&self) -> Blame {
        match self {
            DrawError::FontUnreadable { .. }
            | DrawError::FontEmpty(_)
            | DrawError::FontNoFamily(_)
            | DrawError::NoApplications { .. } => Blame::Input,
            // Memory for the pixels: draw a smaller picture (one place) or .svg instead.
            DrawError::TooLarge { .. } => Blame::Environment,
            DrawError::Svg(_) | DrawError::Size | DrawError::Png(_) => Blame::Bug,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_font_the_user_named_is_their_input_and_a_bad_svg_is_a_bug() {
        let font = DrawError::FontEmpty(PathBuf::from("x.ttf"));
        assert_eq!(font.blame(), Blame::Input);
        assert!(font.to_string().contains("x.ttf"), "{font}");
        assert_eq!(DrawError::Svg("x".into()).blame(), Blame::Bug);
        assert_eq!(
            DrawError::TooLarge {
                width: 1,
                height: 1
            }
            .render(Lang::En),
            "the picture is too large (1×1 pixels)"
        );
    }
}
