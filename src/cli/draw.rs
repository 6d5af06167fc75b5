//! `chainkb draw`: which picture (全景图 / 现状图, 区域分布图, 应用领域图), in which format (SVG,
//! PNG rendered in-process, Graphviz DOT), written to a file or standard output, with what it
//! says in the user's language.

use super::Failure;
use crate::graph::Graph;
use crate::lang::Lang;
use crate::tr;
use std::path::PathBuf;

/// What `draw` writes for a --format or file extension: SVG, PNG, or Graphviz DOT (`.dot`,
/// `.gv`).
pub(super) fn draw_format(name: &str) -> Option<&'static str> {
    match name {
        "svg" => Some("svg"),
        "png" => Some("png"),
        "dot" | "gv" => Some("dot"),
        _ => None,
    }
}

/// Which picture `draw` makes.
pub(super) enum DrawKind {
    Chain,
    Map { targets: bool },
    Applications,
}

/// Where and how `draw` writes: `-o`, `--format`, `--font`.
pub(super) struct DrawOutput {
    pub(super) path: Option<PathBuf>,
    pub(super) format: Option<String>,
    pub(super) font: Option<PathBuf>,
}

/// `chainkb draw`: make the picture, in the format asked for, into the file or standard output.
pub(super) fn draw(
    graph: &Graph,
    chain: u32,
    place: Option<u32>,
    kind: DrawKind,
    out: DrawOutput,
    lang: Lang,
) -> Result<(), Failure> {
    let DrawOutput {
        path: output,
        format,
        font,
    } = out;
    let ext = output
        .as_ref()
        .and_then(|o| o.extension())
        .map(|e| e.to_string_lossy().to_lowercase());
    let format = match (format.map(|f| f.to_lowercase()), ext) {
        // DOT text in a file named .svg opens as a broken picture.
        (Some(f), Some(ext))
            if draw_format(&f)
                .zip(draw_format(&ext))
                .is_some_and(|(a, b)| a != b) =>
        {
            return Err(Failure::user(tr!(
                lang,
                "--format {f} 与输出文件的扩展名 .{ext} 不符：去掉 --format，或把文件命名为 .{f}",
                "--format {f} does not match the output file's extension .{ext}: drop --format, or name the file .{f}"
            )));
        }
        (Some(f), _) => f,
        (None, Some(ext)) => ext,
        (None, None) => "svg".into(),
    };
    let Some(format) = draw_format(&format) else {
        return Err(Failure::user(tr!(
            lang,
            "无法输出为 `{format}`：请用 svg、png 或 dot（--format，或以 .svg/.png/.dot 结尾的输出文件）",
            "cannot write `{format}`: use svg, png or dot (--format, or an output file ending in .svg/.png/.dot)"
        )));
    };
    if format == "png" && output.is_none() {
        return Err(Failure::user(tr!(
            lang,
            "PNG 需要输出文件：加上 -o 图片.png",
            "PNG needs an output file: add -o picture.png"
        )));
    }
    let (svg, dot, what) = match kind {
        DrawKind::Chain => {
            let picture = crate::draw::layout(graph, chain, place);
            let n = picture.boxes.len();
            (
                crate::draw::to_svg(&picture),
                Some(crate::draw::to_dot(&picture)),
                tr!(lang, "{n} 个环节", "{n} segments"),
            )
        }
        DrawKind::Applications => {
            let picture = crate::draw::apps::layout(graph, chain, place)?;
            let n = picture.boxes.len();
            let what = tr!(lang, "{n} 个环节", "{n} segments");
            (crate::draw::to_svg(&picture), None, what)
        }
        DrawKind::Map { targets } => {
            let firms = match (targets, place) {
                (true, Some(p)) => Some(draw_targets(graph, chain, p)?),
                _ => None,
            };
            let m = crate::draw::map::layout(graph, chain, place, firms.as_deref());
            let n: usize = m.series.iter().map(|s| s.firms.len()).sum();
            let what = tr!(lang, "{n} 家企业", "{n} enterprises");
            (crate::draw::map::to_svg(&m), None, what)
        }
    };
    let bytes = match format {
        "svg" => svg.into_bytes(),
        "png" => crate::draw::png::render(&svg, font.as_deref())?,
        _ => match dot {
            Some(dot) => dot.into_bytes(),
            None => {
                return Err(Failure::user(tr!(
                    lang,
                    "区域分布图和应用领域图没有 DOT 格式：请用 .svg 或 .png",
                    "maps and application pictures have no DOT form: use .svg or .png"
                )));
            }
        },
    };
    match output {
        Some(path) => {
            let shown = path.display();
            std::fs::write(&path, bytes).map_err(|e| {
                Failure::user(tr!(
                    lang,
                    "无法写入 {shown}：{e}",
                    "cannot write {shown}: {e}"
                ))
            })?;
            stderrln!(
                "{}",
                tr!(lang, "已写入 {shown}（{what}）", "wrote {shown} ({what})")
            );
        }
        None => stdout!("{}", String::from_utf8_lossy(&bytes)),
    }
    Ok(())
}

/// The firms of the chain's default target list in `place` (all gap kinds, top 20, default
/// weights and rules), for the map.
fn draw_targets(graph: &Graph, chain: u32, place: u32) -> Result<Vec<u32>, Failure> {
    use crate::report::gaps::GapKind;
    use crate::targets::{self, TargetOptions, config};
    let gaps = targets::list::compute_gaps(graph, chain, place, &GapKind::ALL);
    let weights = config::Weights::defaults();
    let rules = config::parse_rules(None).map_err(Failure::user)?;
    let opts = TargetOptions {
        limit: 20,
        ..Default::default()
    };
    let (rows, _) = targets::targets(graph, chain, place, &gaps, &weights, &rules, &opts)
        .map_err(Failure::user)?;
    Ok(rows.into_iter().map(|r| r.enterprise).collect())
}
