//! `chainkb intake FILE -o OUT.csv`: the command-line driver over the `intake` library — its
//! arguments, and what it prints (every row's messages and the summary on stderr).

use super::Failure;
use crate::data::{Encoding, SeedKind};
use crate::intake::{
    IntakeError, Known, Options, intake, is_sheet, load_graphs, load_keywords, other_sheets_hint,
    read_rows, to_csv, verify,
};
use std::path::PathBuf;

/// `chainkb intake FILE -o OUT.csv`.
#[derive(clap::Args, Debug)]
pub struct IntakeArgs {
    /// 企业平台导出的文件：.csv（UTF-8、带 BOM 的 UTF-8 或 GBK）或 .xlsx / The export: .csv
    /// (UTF-8, UTF-8 with BOM, or GBK) or .xlsx.
    pub file: PathBuf,
    /// .xlsx 文件的工作表（默认第一张）/ The worksheet of an .xlsx file (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// CSV 的文本编码：auto（UTF-8，带或不带 BOM，否则 GBK）、utf-8、gbk / Text encoding of a
    /// CSV export: auto (UTF-8, with or without BOM, else GBK), utf-8, gbk.
    #[arg(long, default_value = "auto")]
    pub encoding: Encoding,
    /// 关键词规则（默认 ./config/segment-keywords.toml，否则用内置的）/ Keyword rules (default:
    /// ./config/segment-keywords.toml, else the copy built into chainkb).
    #[arg(long, value_name = "FILE")]
    pub keywords: Option<PathBuf>,
    /// 解析环节名用的产业链模板（默认 ./graphs，否则用内置的）/ Chain templates that segment names
    /// are resolved against (default: ./graphs, else the bundled ones).
    #[arg(long, value_name = "DIR")]
    pub graphs: Option<PathBuf>,
    /// 写在每行 `source` 的文件和行号前的出处，如 "企查查导出 2026-11" / Provenance text put
    /// before the file and row in every `source`, e.g. "企查查导出 2026-11".
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
    /// 略去模板旁数据里已有的企业（按信用代码或规范化名称匹配，逐一报告），使文件能与那些数据一起
    /// 导入 / Leave out firms already in the data beside the templates (matched by credit code or
    /// normalized name; each is reported), so the file imports together with that data.
    #[arg(long)]
    pub skip_known: bool,
    /// 要写的候选企业文件（命名为 candidates-….csv，check/import 才会这样读它）/ The candidates
    /// file to write (name it candidates-….csv so check/import read it as such).
    #[arg(short, long, value_name = "OUT.csv")]
    pub output: PathBuf,
}

/// The command: read, map, deduplicate, write, verify; messages and the summary on stderr.
pub fn run(args: IntakeArgs) -> Result<(), Failure> {
    let resolver = load_graphs(args.graphs.as_deref())?;
    let kw = load_keywords(args.keywords.as_deref(), &resolver)?;
    let rows = read_rows(&args.file, args.sheet.as_deref(), args.encoding)?;
    let file = args.file.display().to_string();
    let known = Known::new(resolver.dataset());
    let opts = Options {
        source: args.source.as_deref(),
        known: Some(&known),
        skip_known: args.skip_known,
    };
    let outcome = intake(&rows, &file, &opts, &resolver, &kw).map_err(|e| {
        // Without --sheet only the first sheet was read: the firms may be on another.
        match (is_sheet(&args.file), &args.sheet, e) {
            (true, None, IntakeError::Input(e)) => {
                IntakeError::Input(format!("{e}{}", other_sheets_hint(&args.file)))
            }
            (_, _, e) => e,
        }
    })?;
    for l in outcome.lines(&file) {
        stderrln!("{l}");
    }
    let bytes = to_csv(&outcome.candidates);
    if let Err(problems) = verify(args.graphs.as_deref(), &bytes) {
        return Err(IntakeError::Unverified(problems).into());
    }
    std::fs::write(&args.output, &bytes).map_err(|source| IntakeError::Write {
        path: args.output.clone(),
        source,
    })?;
    let out = args.output.display().to_string();
    stderrln!("{}", outcome.summary(&file, &out));
    let stem = args
        .output
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    if SeedKind::from_file_stem(&stem) != Ok(SeedKind::Candidates) {
        stderrln!(
            "{}",
            crate::msg!(
                "注意：`chainkb check`/`import` 只把名称以 `candidates` 开头的文件当作候选企业读（如 seeds/candidates-{stem}.csv）",
                "note: `chainkb check`/`import` read a file as candidates only if its name starts with `candidates` (e.g. seeds/candidates-{stem}.csv)"
            )
        );
    }
    Ok(())
}
