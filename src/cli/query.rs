//! `chainkb query "…"` / `chainkb query -f FILE`: run statements and print their tables.

use super::Failure;
use crate::graph::Graph;
use crate::lang::Lang;
use crate::query;
use crate::report::Format;
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
    /// `timing: parse=0.012ms plan=0.003ms exec=0.210ms`.
    #[arg(long)]
    pub timing: bool,
}

/// Run the statements; a failing statement prints its error on stderr and makes the exit code
/// 1, and statements after it do not run (a script stops at its first error).
pub fn run(graph: &Graph, args: QueryArgs, lang: Lang) -> Result<(), Failure> {
    let text = match (&args.text, &args.file) {
        (Some(t), _) => t.clone(),
        (None, Some(f)) if f.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| Failure::user(format!("cannot read standard input: {e}")))?;
            s
        }
        (None, Some(f)) => std::fs::read_to_string(f)
            .map_err(|e| Failure::user(format!("cannot read {}: {e}", f.display())))?,
        (None, None) => return Err(Failure::user("give a query, or -f FILE")),
    };
    // The REPL will set this from Ctrl-C; a one-shot command is simply interrupted.
    let cancel = AtomicBool::new(false);
    let outcomes = query::run_script(graph, &text, &cancel, true, lang);
    if outcomes.is_empty() {
        return Err(Failure::user(
            "no statement to run (only spaces, `;` or comments); try `chains`",
        ));
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
                return Err(Failure {
                    code: 1,
                    message: String::new(),
                });
            }
        }
    }
    Ok(())
}
