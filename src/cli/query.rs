//! `chainkb query "…"` / `chainkb query -f FILE`: run statements and print their tables, or
//! write them as a hand-out (`-o FILE.xlsx|.csv|.md|.json`), its sheets named after the chain
//! and place each statement is about (`handout_names`).

use super::Failure;
use crate::export::{About, ExportError, ExportFormat, Sheet};
use crate::graph::Graph;
use crate::lang::Lang;
use crate::query;
use crate::query::ast::{Direction, ListKind};
use crate::query::plan::{Op, SourcePlan};
use crate::report::common::Places;
use crate::report::{Format, Table};
use crate::tr;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

#[derive(clap::Args, Debug)]
pub struct QueryArgs {
    /// 查询语句，多条用 ; 分隔 / Statements to run, separated by `;` (e.g. "补链 锂电池 在 玉溪高新区").
    #[arg(conflicts_with = "file", required_unless_present = "file")]
    pub text: Option<String>,
    /// 从文件读语句（- 为标准输入）/ Read the statements from a file (`-` for standard input).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// 输出格式 / Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// 在 stderr 打印各阶段用时 / Print each statement's parse, plan and execution time on stderr, one line each:
    /// `timing: parse=0.0120ms plan=0.0030ms exec=0.2100ms`.
    #[arg(long)]
    pub timing: bool,
    /// 把结果写入文件（按扩展名：.xlsx 工作簿每条语句一张表另有说明表，.csv、.md、.json；多条语句需
    /// .xlsx）/ Write the result to a file instead of printing: .xlsx (a workbook: one sheet per
    /// statement and a 说明 sheet), .csv (UTF-8 with BOM, for Excel), .md or .json — the format
    /// follows the extension. Several statements need .xlsx.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// A sheet name and a title for the result of `statement`: from the chain and place it is
/// about (never the statement's text), e.g. `补链 锂电池 玉溪高新区` and `锂电池 · 玉溪高新区 补链`;
/// a `| targets` list says 招商目标. `None` when the statement does not plan.
pub fn handout_names(g: &Graph, st: &query::ast::Statement) -> Option<(String, String)> {
    let plan = query::plan::plan(g, st).ok()?;
    let name = |i: u32| g.node(i).name().to_string();
    let places = |p: &Places| match p {
        Places::One(i) => name(*i),
        Places::Each(_, what) => format!("各{what}"),
    };
    let (what, subject): (String, Vec<String>) = match &plan.source {
        SourcePlan::Find(crate::report::lists::FindInput { hits, .. }) => (
            "查找".into(),
            hits.iter().take(2).map(|&i| name(i)).collect(),
        ),
        SourcePlan::List(crate::report::lists::ListInput { kind, within }) => (
            list_label(*kind).into(),
            within.iter().map(|&i| name(i)).collect(),
        ),
        SourcePlan::Walk(crate::report::walk::Input {
            dir,
            segment,
            chain,
            place,
            ..
        }) => (
            match dir {
                Direction::Upstream => "上游".into(),
                Direction::Downstream => "下游".into(),
            },
            std::iter::once(*segment)
                .chain(*chain)
                .chain(*place)
                .map(name)
                .collect(),
        ),
        SourcePlan::Status(crate::report::status::Input { chain, place }) => {
            ("现状".into(), vec![name(*chain), name(*place)])
        }
        SourcePlan::Gaps(crate::report::gap_rows::Input {
            kind,
            chain,
            places: p,
        }) => (kind.label_zh().into(), vec![name(*chain), places(p)]),
        SourcePlan::Build(crate::report::build::Input { places: p, .. }) => {
            ("产业体系".into(), vec![places(p)])
        }
        SourcePlan::Compare(crate::report::compare::Input { chain, places }) => (
            "对比".into(),
            std::iter::once(*chain)
                .chain(places.iter().copied())
                .map(name)
                .collect(),
        ),
        SourcePlan::Paths(crate::report::paths::Input { from, .. }) => (
            "路径".into(),
            from.iter().take(2).map(|&i| name(i)).collect(),
        ),
        SourcePlan::TopProducers { .. } => ("企业".into(), Vec::new()),
        SourcePlan::GapCount(c) => ("补链".into(), vec![name(c.chain)]),
        SourcePlan::StateWalk(w) => (
            if w.upstream { "上游" } else { "下游" }.into(),
            std::iter::once(w.origin)
                .chain(w.chain)
                .chain([w.place])
                .map(name)
                .collect(),
        ),
        SourcePlan::Partners(p) => (
            "以商招商".into(),
            std::iter::once(p.place).chain(p.chain).map(name).collect(),
        ),
    };
    let targets = plan
        .ops
        .iter()
        .any(|(op, _)| matches!(op, Op::Targets { .. }));
    let what = if targets {
        "招商目标".to_string()
    } else {
        what
    };
    let sheet = format!("{what} {}", subject.join(" "));
    let title = if targets {
        format!("{} 招商目标企业清单", subject.join(" · "))
    } else {
        format!("{} {what}", subject.join(" · "))
    };
    Some((sheet.trim().to_string(), title.trim().to_string()))
}

fn list_label(kind: ListKind) -> &'static str {
    kind.label_zh()
}

/// Write the results of a script's statements to `path` as a hand-out: `script` is the text
/// that ran, `tables` the results of its statements in order. A workbook has one sheet per
/// statement and the 说明 sheet; other formats take one statement.
pub fn write_handout(
    g: &Graph,
    script: &str,
    tables: &[&Table],
    path: &std::path::Path,
    data: &str,
) -> Result<(), ExportError> {
    let format = ExportFormat::from_path(path)?;
    // The statements again, with their place in the script (outcomes hold the whole text).
    let (parsed, _) = query::parse::parse_script_until_error(script);
    let statements: Vec<String> = (0..tables.len())
        .map(|i| match parsed.get(i) {
            Some(p) => script
                .get(p.span.start..p.span.end)
                .map_or_else(|| script.trim().to_string(), |t| t.trim().to_string()),
            None => script.trim().to_string(),
        })
        .collect();
    let names: Vec<(String, String)> = (0..tables.len())
        .map(|i| {
            parsed
                .get(i)
                .and_then(|p| handout_names(g, &p.statement))
                .unwrap_or_else(|| (format!("结果{}", i + 1), "查询结果".into()))
        })
        .collect();
    let results: Vec<(&str, &Table)> = statements
        .iter()
        .map(String::as_str)
        .zip(tables.iter().copied())
        .collect();
    let about = About {
        title: names
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("；"),
        statement: statements.join(";\n"),
        data: data.to_string(),
        rows: Vec::new(),
    };
    match (format, results.as_slice()) {
        (ExportFormat::Xlsx, _) => {
            let sheets: Vec<Sheet> = results
                .iter()
                .zip(&names)
                .map(|((_, table), (sheet, _))| Sheet {
                    name: sheet.clone(),
                    table,
                })
                .collect();
            crate::export::write_xlsx_sheets(&sheets, &about, path)
        }
        (_, [(_, table)]) => crate::export::write_table(table, path, &names[0].0, &about),
        _ => Err(ExportError::OneTable {
            statements: results.len(),
            ext: path
                .extension()
                .map_or(String::new(), |e| format!(".{}", e.to_string_lossy())),
        }),
    }
}

/// Run the statements; a failing statement prints its error on stderr and makes the exit code
/// 1, and statements after it do not run (a script stops at its first error).
/// Write statements are recorded in the journal of `db` (`cli::journal::LangWriter`).
pub fn run(
    graph: &Graph,
    args: QueryArgs,
    data: &str,
    lang: Lang,
    db: &Option<PathBuf>,
) -> Result<(), Failure> {
    let text = match (&args.text, &args.file) {
        (Some(t), _) => t.clone(),
        (None, Some(f)) if f.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(|e| {
                Failure::user(tr!(
                    lang,
                    "无法读取标准输入：{e}",
                    "cannot read standard input: {e}"
                ))
            })?;
            s
        }
        (None, Some(f)) => std::fs::read_to_string(f).map_err(|e| {
            let f = f.display();
            Failure::user(tr!(lang, "无法读取 {f}：{e}", "cannot read {f}: {e}"))
        })?,
        (None, None) => {
            return Err(Failure::user(tr!(
                lang,
                "请给出查询语句，或 -f 文件",
                "give a query, or -f FILE"
            )));
        }
    };
    // An unknown extension is refused before any work.
    if let Some(path) = &args.output {
        ExportFormat::from_path(path)?;
    }
    // The REPL will set this from Ctrl-C; a one-shot command is simply interrupted.
    let cancel = AtomicBool::new(false);
    let mut writer = super::journal::LangWriter::new(db);
    let (outcomes, _) =
        query::run_script_with(graph, &text, &cancel, true, lang, Some(&mut writer));
    if outcomes.is_empty() {
        return Err(Failure::user(tr!(
            lang,
            "没有可运行的语句（只有空白、`;` 或注释）；试试 `chains`",
            "no statement to run (only spaces, `;` or comments); try `chains`"
        )));
    }
    if let Some(path) = &args.output {
        let mut results: Vec<&Table> = Vec::new();
        for o in &outcomes {
            if args.timing {
                stderrln!("{}", o.timing.line());
            }
            match &o.result {
                Ok(table) => results.push(table),
                Err(e) => {
                    // Nothing is written when a statement fails.
                    stderr!("{}", e.render_in(&o.text, lang));
                    return Err(Failure::Printed(crate::error::Blamed::blame(e)));
                }
            }
        }
        write_handout(graph, &text, &results, path, data)?;
        let rows: usize = results.iter().map(|t| t.rows.len()).sum();
        match lang {
            Lang::Zh => stderrln!("已把 {rows} 行写入 {}", path.display()),
            Lang::En => stderrln!(
                "wrote {} to {}",
                super::counted(rows, "row", "rows"),
                path.display()
            ),
        }
        for t in &results {
            for note in &t.notes {
                stderrln!("{}{note}", lang.pick("注：", "note: "));
            }
        }
        return Ok(());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (i, o) in outcomes.iter().enumerate() {
        if args.timing {
            let _ = out.flush();
            stderrln!("{}", o.timing.line());
        }
        match &o.result {
            Ok(table) => {
                if i > 0 && args.format == Format::Table {
                    let _ = writeln!(out);
                }
                let _ = out.write_all(table.render(args.format).as_bytes());
                if args.format != Format::Table {
                    let _ = out.flush();
                    for note in &table.notes {
                        stderrln!("{}{note}", table.note_prefix());
                    }
                }
            }
            Err(e) => {
                let _ = out.flush();
                stderr!("{}", e.render_in(&o.text, lang));
                return Err(Failure::Printed(crate::error::Blamed::blame(e)));
            }
        }
    }
    Ok(())
}
