//! `chainkb repl`: an interactive session over one open database — line editing and persistent
//! history (rustyline), multi-line statements (complete when the parser says so; the lines
//! after the first are prompted with `    ...> `), completion of what fits where the cursor is
//! (keywords, names of the kind the grammar expects there, columns; also by pinyin initials or
//! full pinyin), meta commands (`.help`), Ctrl-C that cancels the running query or the
//! statement being typed but not the session, and results paged when long (`pager`).

mod complete;
mod pager;

use super::{Failure, open_graph, resolve_one};
use crate::graph::Graph;
use crate::lang::Lang;
use crate::model::Kind;
use crate::query::{self, ErrorKind};
use crate::report::{Format, Table};
use crate::tr;
use complete::ReplHelper;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Editor, Helper};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Set by Ctrl-C while a statement runs; polled by the executor.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// The prompt of a statement's first line.
const PROMPT: &str = "chainkb> ";
/// The prompt of the lines that continue a statement the parser finds incomplete: as wide as
/// `PROMPT`, so the lines of a statement stay aligned.
const CONTINUATION: &str = "    ...> ";

/// Whether `text` is a whole statement: meta commands always are; a statement is incomplete
/// when the parser fails at the very end of the input (it wants more), and complete otherwise
/// (including when it fails earlier: the error is shown rather than waiting for more lines).
pub fn is_complete(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() || t.starts_with('.') {
        return true;
    }
    // A string may hold a line break (as in `query -f`): an open quote wants more.
    if complete::ends_in_open_quote(t) {
        return false;
    }
    match query::parse::parse_script(t) {
        Ok(_) => true,
        Err(e) => match e.span {
            Some(span) => e.kind != ErrorKind::Syntax || span.start < t.len(),
            None => true,
        },
    }
}

/// Add one line to the statement typed so far (`pending`); the whole statement, once the
/// parser finds it complete. A byte-order mark before the first line (Notepad writes one), a
/// CR before the line end, and blank lines (outside strings) are no part of it.
fn feed(pending: &mut String, line: &str) -> Option<String> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if pending.is_empty() {
        let first = line.strip_prefix(query::parse::BOM).unwrap_or(line);
        if first.trim().is_empty() {
            return None;
        }
        pending.push_str(first);
    } else if line.trim().is_empty() && !complete::ends_in_open_quote(pending) {
        return None;
    } else {
        pending.push('\n');
        pending.push_str(line);
    }
    is_complete(pending).then(|| std::mem::take(pending))
}

/// Every line is accepted as typed: the session joins lines until `is_complete`, prompting the
/// later ones with `CONTINUATION` (rustyline cannot prompt the lines of one buffer).
impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

pub(super) const META_COMMANDS: &[(&str, &str)] = &[
    (
        ".help",
        ".help [TOPIC]           this help, or help on a topic: query, gaps, meta",
    ),
    (
        ".schema",
        ".schema                 node and edge kinds with their counts",
    ),
    (".format", ".format table|json|csv  how results print"),
    (
        ".lang",
        ".lang zh|en             中文 or English labels, values, reasons and notes",
    ),
    (
        ".export",
        ".export FILE            write the last result (.xlsx, .csv, .md or .json)",
    ),
    (
        ".draw",
        ".draw CHAIN [in PLACE] FILE   draw a chain (status in PLACE) as .svg, .png or .dot",
    ),
    (
        ".timing",
        ".timing on|off          print parse/plan/execution time after each statement",
    ),
    (
        ".pager",
        ".pager on|off           page long results (on by default; CHAINKB_PAGER=off turns it off)",
    ),
    (".open", ".open PATH              open another database"),
    (
        ".snapshot",
        ".snapshot NAME          keep the current state as snapshot NAME (.snapshot list)",
    ),
    (
        ".diff",
        ".diff NAME [NAME2] [-o brief.md]  what changed since snapshot NAME",
    ),
    (
        ".project",
        ".project move P STATUS | add | list   the project closed loop (as chainkb project)",
    ),
    (
        ".prospect",
        ".prospect add|move|list  the 客商库 (as chainkb prospect)",
    ),
    (
        ".firm",
        ".firm add NAME --in PLACE --segments S  a firm met in a meeting",
    ),
    (
        ".note",
        ".note ENTITY TEXT       attach a note to an entity",
    ),
    (
        ".changes",
        ".changes ENTITY         an entity's recorded history",
    ),
    (".journal", ".journal                every recorded change"),
    (
        ".history",
        ".history                the statements typed so far",
    ),
    (".quit", ".quit                   leave (or Ctrl-D)"),
];

/// The meta commands' help lines in Chinese, in the order of `META_COMMANDS` (a unit test holds
/// them to the same commands).
const META_HELP_ZH: &[(&str, &str)] = &[
    (
        ".help",
        ".help [主题]            本帮助，或某一主题的帮助：query、gaps、meta",
    ),
    (".schema", ".schema                 节点与边的种类及数量"),
    (".format", ".format table|json|csv  结果的输出格式"),
    (
        ".lang",
        ".lang zh|en             中文或英文显示列名、取值、理由和注释",
    ),
    (
        ".export",
        ".export 文件            把上一个结果写入文件（.xlsx、.csv、.md 或 .json）",
    ),
    (
        ".draw",
        ".draw 产业链 [in 地方] 文件   画产业链（在某地的现状）为 .svg、.png 或 .dot",
    ),
    (
        ".timing",
        ".timing on|off          每条语句后打印解析、计划、执行用时",
    ),
    (
        ".pager",
        ".pager on|off           分页显示长结果（默认开；环境变量 CHAINKB_PAGER=off 关闭）",
    ),
    (".open", ".open 路径              打开另一个数据库"),
    (
        ".snapshot",
        ".snapshot 名称          把当前状态存为快照（.snapshot list 列出快照）",
    ),
    (
        ".diff",
        ".diff 名称 [名称2] [-o brief.md]  快照以来的变化（会前简报）",
    ),
    (
        ".project",
        ".project move 项目 状态 | add | list   项目闭环（同 chainkb project）",
    ),
    (
        ".prospect",
        ".prospect add|move|list  客商库（同 chainkb prospect）",
    ),
    (
        ".firm",
        ".firm add 名称 --in 地方 --segments 环节  会上新知的企业",
    ),
    (".note", ".note 实体 文字         给实体加备注"),
    (".changes", ".changes 实体           实体的变更记录"),
    (".journal", ".journal                全部变更记录"),
    (".history", ".history                已输入的语句"),
    (".quit", ".quit                   退出（或 Ctrl-D）"),
];

const HELP_QUERY_ZH: &str = "\
语句是管道：来源 | 步骤 | 步骤 …（以 ; 结束，或语句完整时直接回车）
  查找 恩捷股份                          按名称、别名或规范化名称查实体
  产业链 | 环节 of 锂电池 | 园区 …          带属性的列表
  上游 动力电池 深度 2 在 玉溪高新区        沿链追溯，并显示本地状态
  现状 锂电池 在 玉溪高新区                每个环节的状态、生产企业、项目
  | 筛选 状态 = 缺失 | 排序 x desc | 限制 10 | 选择 a, b | 分组 by a with 计数()
英文关键字同样可用：status 锂电池 in 玉溪高新区 | where state = missing …
列名可用中文或英文（状态 / state），取值也一样（缺失 / missing）。
未写完的语句在 `    ...>` 提示符下继续；在那里按 Ctrl-C 放弃。
Tab 补全光标处合适的内容——fill/现状 后的产业链、in/在 后的地方、上游 后的环节、| 后的步骤、
where/sort/select 后的列——也可用拼音（dldc → 动力电池）。
完整说明见 docs/QUERY.md。";

const HELP_GAPS_ZH: &str = "\
  补链 锂电池 在 玉溪高新区        补链：本地已有环节需要而缺失的环节（断链在前）
  延链 锂电池 在 玉溪高新区        延链：与本地链相邻的缺失环节，按关联密度排序
  强链 锂电池 在 玉溪高新区        强链：单一企业 / 无龙头企业 / 仅有规划
  建链 在 玉溪高新区               建链：本地产业体系中覆盖率低的产业链
  对比 锂电池 在 玉溪高新区, 楚雄高新区   各地有哪些环节、哪些重合（同质化）
  补链 锂电池 在 玉溪高新区 | 目标企业 | 筛选 origin > 0 | 限制 30
                               目标企业：为缺口招引的外地企业，带得分和理由
  .export 招商名单.xlsx          把上一个结果存成文件，带去招商";

const HELP_QUERY: &str = "\
Statements are pipelines: SOURCE | STAGE | STAGE …  (end with ; or just Enter when complete)
  find 恩捷股份                          look an entity up by name, alias or normalized name
  chains | segments of 锂电池 | parks …   lists with attributes
  upstream 动力电池 depth 2 in 玉溪高新区   traversal with local state
  status 锂电池 in 玉溪高新区              every segment with its state, producers, projects
  | where state = \"missing\" | sort x desc | limit 10 | select a, b | group by a with count()
Chinese keywords work too: 现状 锂电池 在 玉溪高新区 | 补链 锂电池 在 玉溪高新区 …
An unfinished statement goes on at the `    ...>` prompt; Ctrl-C there drops it.
Tab completes what fits where the cursor is — a chain after fill/status, a place after in, a
segment after upstream, a stage after |, a column after where/sort/select — also by pinyin
(dldc → 动力电池); where the words before do not tell, any keyword or name.
The full reference is docs/QUERY.md.";

const HELP_GAPS: &str = "\
  fill 锂电池 in 玉溪高新区        补链: missing segments a present one needs (断链 first)
  extend 锂电池 in 玉溪高新区      延链: missing neighbours ranked by relatedness density
  strengthen 锂电池 in 玉溪高新区  强链: single producer / no leading firm / planned only
  build in 玉溪高新区              建链: chains of the place's industry system with low coverage
  compare 锂电池 in 玉溪高新区, 楚雄高新区   which segments each has, overlaps (同质化)
  fill 锂电池 in 玉溪高新区 | targets | where origin > 0 | limit 30
                               目标企业: outside firms for the gaps, scored, with reasons
  .export targets.xlsx         the last result, for the recruiting trip";

struct Session {
    graph: Rc<Graph>,
    db: Option<PathBuf>,
    format: Format,
    /// The language results are shown in (`--lang`, `CHAINKB_LANG`, `.lang`).
    lang: Lang,
    timing: bool,
    last: Option<(String, Table)>,
    /// Whether a statement or meta command failed: a script piped into the REPL then exits 1.
    failed: bool,
    /// Whether a result taller than the terminal is paged (`.pager`, `CHAINKB_PAGER`).
    pager: bool,
    /// What was typed while the pager waited, for the next prompt (a line ended by Enter runs
    /// as typed; the rest starts the next line).
    typed_ahead: String,
}

fn history_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("chainkb").join("history.txt"))
}

/// The words of a meta command: split on whitespace, except inside double quotes, which are
/// removed (`\"` is a quote inside one).
pub(super) fn meta_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => word.extend(chars.next()),
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err(crate::msg!(
            "有引号没有配对：请补上结尾的 \"",
            "a quote is never closed: add the closing \""
        ));
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The terminal's width in columns when stdout is a terminal (comfy-table asks it), else None.
fn terminal_width() -> Option<u16> {
    comfy_table::Table::new().width()
}

impl Session {
    /// Print `text`, a screen at a time (the built-in pager) when paging is on, it is taller
    /// than the terminal, and both input and output are a terminal; whole otherwise.
    fn page(&mut self, text: &str) {
        let stdout = std::io::stdout();
        let size = crossterm::terminal::size()
            .ok()
            .filter(|&(w, h)| w > 0 && h > 0);
        if let Some((cols, rows)) = size
            && self.pager
            && stdout.is_terminal()
            && std::io::stdin().is_terminal()
        {
            let mut out = stdout.lock();
            if let Ok(typed) = pager::page(
                text,
                rows as usize,
                cols as usize,
                &mut out,
                &mut pager::terminal_key,
            ) {
                self.typed_ahead.push_str(&typed);
            }
            return;
        }
        stdout!("{text}");
        let _ = stdout.lock().flush();
    }

    fn run_statements(&mut self, text: &str) {
        CANCEL.store(false, Ordering::SeqCst);
        let started = Instant::now();
        let outcomes = query::run_script(&self.graph, text, &CANCEL, true, self.lang);
        for o in outcomes {
            match o.result {
                Ok(table) => {
                    let ms = started.elapsed().as_secs_f64() * 1000.0;
                    if self.format == Format::Table {
                        self.page(&table.to_text_in_terminal(terminal_width(), ms));
                    } else {
                        // CSV and JSON stay machine-readable on stdout (`repl < script > out`):
                        // notes and the row count go to stderr.
                        self.page(&table.render(self.format));
                        for note in &table.notes {
                            stderrln!("{}{note}", table.note_prefix());
                        }
                        stderrln!("({})", table.count_line(Some(ms)));
                    }
                    if self.timing {
                        stderrln!("{}", o.timing.line());
                    }
                    self.last = Some((query::parse::without_comments(&o.text), table));
                }
                Err(e) => {
                    stderr!("{}", e.render_in(&o.text, self.lang));
                    self.failed = true;
                    // `.export` must not quietly write an older result after this failure.
                    self.last = None;
                    break;
                }
            }
        }
        CANCEL.store(false, Ordering::SeqCst);
    }

    /// Run a meta command; `Ok(false)` means leave the session.
    /// Its words are split on spaces; a double-quoted word may hold spaces
    /// (`.export "招商 名单.xlsx"`, `.draw 光电子 in "中国（西南）玉溪国际物流港" x.svg`).
    fn meta(&mut self, line: &str, history: &DefaultHistory) -> Result<bool, String> {
        let words = meta_words(line)?;
        let cmd = words.first().map_or("", String::as_str);
        let args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
        match cmd {
            ".help" | ".format" | ".timing" | ".lang" | ".pager" if args.len() > 1 => {
                let usage = META_COMMANDS
                    .iter()
                    .find(|m| m.0 == cmd)
                    .and_then(|m| m.1.split("  ").next())
                    .unwrap_or(cmd);
                let n = args.len();
                return Err(tr!(
                    self.lang,
                    "`{cmd}` 只接一个词，这里有 {n} 个：用法：{usage}",
                    "`{cmd}` takes one word, not {n}: usage: {usage}"
                ));
            }
            ".schema" | ".history" | ".quit" | ".exit" if !args.is_empty() => {
                let got = args.join(" ");
                return Err(tr!(
                    self.lang,
                    "`{cmd}` 不接参数（却有 `{got}`）",
                    "`{cmd}` takes no words (got `{got}`)"
                ));
            }
            ".quit" | ".exit" => return Ok(false),
            ".help" => {
                let lang = self.lang;
                let (query, gaps, meta) = lang.pick(
                    (HELP_QUERY_ZH, HELP_GAPS_ZH, META_HELP_ZH),
                    (HELP_QUERY, HELP_GAPS, META_COMMANDS),
                );
                match args.first().copied() {
                    None => {
                        stdoutln!("{query}\n\n{}", lang.pick("元命令：", "Meta commands:"));
                        for (_, h) in meta {
                            stdoutln!("  {h}");
                        }
                    }
                    Some("query" | "查询") => stdoutln!("{query}"),
                    Some("gaps" | "缺口") => stdoutln!("{gaps}"),
                    Some("meta" | "元命令") => {
                        for (_, h) in meta {
                            stdoutln!("  {h}");
                        }
                    }
                    Some(other) => {
                        return Err(tr!(
                            lang,
                            "没有 `{other}` 的帮助（主题：query、gaps、meta）",
                            "no help on `{other}` (topics: query, gaps, meta)"
                        ));
                    }
                }
            }
            ".schema" => stdout!("{}", super::schema_text(&self.graph, self.lang)),
            ".format" => {
                self.format = match args.first().copied() {
                    Some("table") => Format::Table,
                    Some("json") => Format::Json,
                    Some("csv") => Format::Csv,
                    _ => {
                        return Err(self
                            .lang
                            .pick(
                                "用法：.format table|json|csv",
                                "usage: .format table|json|csv",
                            )
                            .into());
                    }
                };
            }
            ".lang" => match args.first().copied() {
                None => stdoutln!("{}", self.lang),
                Some(word) => {
                    self.lang = Lang::parse(word).ok_or_else(|| {
                        self.lang
                            .pick(
                                "用法：.lang zh|en（中文或英文）",
                                "usage: .lang zh|en (中文 or English)",
                            )
                            .to_string()
                    })?;
                    crate::lang::set_messages(self.lang);
                    if let Some((_, table)) = &mut self.last {
                        table.lang = self.lang;
                    }
                }
            },
            ".timing" => {
                self.timing = match args.first().copied() {
                    Some("on") => true,
                    Some("off") => false,
                    _ => {
                        return Err(self
                            .lang
                            .pick("用法：.timing on|off", "usage: .timing on|off")
                            .into());
                    }
                };
            }
            ".pager" => {
                self.pager = match args.first().copied() {
                    Some("on") => true,
                    Some("off") => false,
                    None => {
                        stdoutln!(
                            "{}",
                            match (self.pager, self.lang) {
                                (true, Lang::Zh) => "分页已开启",
                                (false, Lang::Zh) => "分页已关闭",
                                (true, Lang::En) => "paging is on",
                                (false, Lang::En) => "paging is off",
                            }
                        );
                        return Ok(true);
                    }
                    _ => {
                        return Err(self
                            .lang
                            .pick("用法：.pager on|off", "usage: .pager on|off")
                            .into());
                    }
                };
                stdoutln!(
                    "{}",
                    match (self.pager, self.lang) {
                        (true, Lang::Zh) => "分页已开启：比终端高的结果分屏显示",
                        (false, Lang::Zh) => "分页已关闭：结果一次全部打印",
                        (true, Lang::En) =>
                            "paging is on: results taller than the terminal are shown a screen at a time",
                        (false, Lang::En) => "paging is off: results are printed whole",
                    }
                );
            }
            ".export" => {
                let lang = self.lang;
                let [file] = args.as_slice() else {
                    return Err(lang
                        .pick(
                            "用法：.export 文件（.xlsx、.csv、.md 或 .json）",
                            "usage: .export FILE (.xlsx, .csv, .md or .json)",
                        )
                        .into());
                };
                let Some((query, table)) = &self.last else {
                    return Err(lang
                        .pick(
                            "还没有可导出的结果：先运行一条查询",
                            "nothing to export yet: run a query first",
                        )
                        .into());
                };
                // Sheet named after the statement's chain and place, never its text.
                super::query::write_handout(&self.graph, query, &[table], Path::new(file), "")?;
                let n = table.rows.len();
                match lang {
                    Lang::Zh => stdoutln!("已把 {n} 行写入 {file}"),
                    Lang::En => stdoutln!("wrote {} to {file}", super::counted(n, "row", "rows")),
                }
            }
            ".draw" => {
                let (chain, place, file) = match args.as_slice() {
                    [chain, file] => (*chain, None, *file),
                    [chain, "in" | "在", place, file] => (*chain, Some(*place), *file),
                    _ => {
                        return Err(self
                            .lang
                            .pick(
                                "用法：.draw 产业链 [在 地方] 文件.svg|文件.png|文件.dot",
                                "usage: .draw CHAIN [in PLACE] FILE.svg|FILE.png|FILE.dot",
                            )
                            .into());
                    }
                };
                let c = resolve_one(&self.graph, chain, &[Kind::Chain])
                    .map_err(|f| f.render(self.lang))?;
                let p = match place {
                    Some(p) => Some(
                        resolve_one(&self.graph, p, &[Kind::Park, Kind::Region])
                            .map_err(|f| f.render(self.lang))?,
                    ),
                    None => None,
                };
                let ext = Path::new(file)
                    .extension()
                    .map(|e| e.to_string_lossy().to_lowercase());
                let format = match ext.as_deref().and_then(super::draw_format) {
                    Some(f) => f,
                    None => {
                        return Err(tr!(
                            self.lang,
                            "无法画到 `{file}`：文件请以 .svg 或 .png 结尾，Graphviz 用 .dot（.gv）",
                            "cannot draw into `{file}`: name the file .svg or .png, or .dot (.gv) for Graphviz"
                        ));
                    }
                };
                let picture = crate::draw::layout(&self.graph, c, p);
                let bytes = match format {
                    "dot" => crate::draw::to_dot(&picture).into_bytes(),
                    "png" => crate::draw::png::render(
                        &crate::draw::to_svg(&picture),
                        crate::draw::png::font_from_env().as_deref(),
                    )?,
                    _ => crate::draw::to_svg(&picture).into_bytes(),
                };
                let lang = self.lang;
                std::fs::write(file, bytes)
                    .map_err(|e| tr!(lang, "无法写入 {file}：{e}", "cannot write {file}: {e}"))?;
                let n = picture.boxes.len();
                stdoutln!(
                    "{}",
                    tr!(
                        lang,
                        "已写入 {file}（{n} 个环节）",
                        "wrote {file} ({n} segments)"
                    )
                );
            }
            ".open" => {
                let [path] = args.as_slice() else {
                    return Err(self
                        .lang
                        .pick("用法：.open 数据库路径", "usage: .open PATH")
                        .into());
                };
                let db = Some(PathBuf::from(path));
                self.graph = Rc::new(open_graph(&db).map_err(|f| f.render(self.lang))?);
                self.db = db;
                stdoutln!("{}", tr!(self.lang, "已打开 {path}", "opened {path}"));
            }
            ".history" => {
                // The lines of a multi-line statement line up under its first.
                for (i, entry) in history.iter().enumerate() {
                    stdoutln!("{:>4}  {}", i + 1, entry.replace('\n', "\n      "));
                }
            }
            other if let Some(done) = super::journal::repl_meta(&self.db, other, &args) => {
                // A write changed the state: read it again.
                if done? {
                    self.graph = Rc::new(open_graph(&self.db).map_err(|f| f.render(self.lang))?);
                }
            }
            other => {
                let names: Vec<&str> = META_COMMANDS.iter().map(|m| m.0).collect();
                let close = crate::names::suggest(other, names, 1);
                return Err(match self.lang {
                    Lang::Zh => format!(
                        "没有 `{other}` 这个命令{}（.help 列出全部命令）",
                        crate::query::error::did_you_mean_zh(&close)
                    ),
                    Lang::En => format!(
                        "unknown command `{other}`{} (.help lists them)",
                        crate::names::did_you_mean(&close)
                    ),
                });
            }
        }
        Ok(true)
    }
}

pub fn run(db: Option<PathBuf>, lang: Lang) -> Result<(), Failure> {
    let graph = Rc::new(open_graph(&db)?);
    let helper = ReplHelper::new(Rc::clone(&graph));
    let config = rustyline::Config::builder()
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut rl: Editor<ReplHelper, DefaultHistory> = Editor::with_config(config).map_err(|e| {
        Failure::internal(tr!(
            lang,
            "无法启动行编辑器：{e}",
            "cannot start the line editor: {e}"
        ))
    })?;
    rl.set_helper(Some(helper));
    let history = history_path();
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = rl.load_history(h);
    }
    // Ctrl-C while a statement runs sets the flag; while typing, rustyline reads it as a key.
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    let mut session = Session {
        graph,
        db,
        format: Format::Table,
        lang,
        timing: false,
        last: None,
        failed: false,
        pager: pager::enabled_by_env(),
        typed_ahead: String::new(),
    };
    // Piped input is a script: no banner, and the user's history is left alone.
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        let (version, nodes) = (env!("CARGO_PKG_VERSION"), session.graph.ds.nodes.len());
        stdoutln!(
            "{}",
            tr!(
                session.lang,
                "chainkb {version} — {nodes} 个节点。输入 .help 查看帮助，.lang en 切换英文，Ctrl-D 退出。",
                "chainkb {version} — {nodes} nodes. Type .help for help, .lang zh for Chinese, Ctrl-D to leave."
            )
        );
    }
    // The lines of a statement typed so far, while the parser finds it incomplete. Each line is
    // read on its own, so that the lines after the first get the continuation prompt; piped
    // input is joined the same way (without prompts, which rustyline prints only to a terminal).
    let mut pending = String::new();
    'session: loop {
        let prompt = if pending.is_empty() {
            PROMPT
        } else {
            CONTINUATION
        };
        if let Some(h) = rl.helper_mut() {
            h.pending.clone_from(&pending);
        }
        // What was typed while the pager waited comes first: a whole line runs as typed (shown
        // after its prompt), an unfinished one is the start of the next line to edit.
        let typed = std::mem::take(&mut session.typed_ahead);
        let read = if let Some((line, rest)) = typed.split_once('\n') {
            stdoutln!("{prompt}{line}");
            session.typed_ahead = rest.to_string();
            Ok(line.to_string())
        } else if typed.is_empty() {
            rl.readline(prompt)
        } else {
            rl.readline_with_initial(prompt, (&typed, ""))
        };
        match read {
            // A paste (or a statement recalled from history) arrives as one buffer of several
            // lines: each line is taken as if typed, so two pasted statements run as two.
            Ok(buffer) => {
                for line in buffer.split('\n') {
                    let Some(statement) = feed(&mut pending, line) else {
                        continue;
                    };
                    let text = statement.trim();
                    // The whole statement is one history entry, its lines joined by newlines,
                    // appended to the file (another open session's entries stay).
                    if interactive {
                        let _ = rl.add_history_entry(text);
                        if let Some(h) = &history {
                            let _ = rl.append_history(h);
                        }
                    }
                    if text.starts_with('.') {
                        match session.meta(text, rl.history()) {
                            Ok(true) => {}
                            Ok(false) => break 'session,
                            Err(msg) => {
                                stderrln!("{}{msg}", session.lang.pick("错误：", "error: "));
                                session.failed = true;
                            }
                        }
                        // After `.open`, completion offers the names of the new database.
                        if rl
                            .helper()
                            .is_some_and(|h| !Rc::ptr_eq(&h.graph, &session.graph))
                        {
                            rl.set_helper(Some(ReplHelper::new(Rc::clone(&session.graph))));
                        }
                    } else {
                        session.run_statements(text);
                    }
                }
            }
            Err(ReadlineError::Interrupted) => {
                let lang = session.lang;
                if pending.is_empty() {
                    stdoutln!(
                        "{}",
                        lang.pick(
                            "（Ctrl-C：已放弃这一行；Ctrl-D 退出）",
                            "(Ctrl-C: line discarded; Ctrl-D leaves)"
                        )
                    );
                } else {
                    pending.clear();
                    stdoutln!(
                        "{}",
                        lang.pick(
                            "（Ctrl-C：已放弃这条语句；Ctrl-D 退出）",
                            "(Ctrl-C: statement discarded; Ctrl-D leaves)"
                        )
                    );
                }
            }
            // Ctrl-D leaves, on a continuation line too, dropping the unfinished statement. At
            // the end of piped input, an unfinished last statement is a script error: run it,
            // so the parser says what it lacks (and the REPL exits 1).
            Err(ReadlineError::Eof) => {
                if !pending.trim().is_empty() {
                    if interactive {
                        stdoutln!(
                            "{}",
                            session
                                .lang
                                .pick("（未写完的语句已放弃）", "(unfinished statement dropped)")
                        );
                    } else {
                        session.run_statements(pending.trim());
                    }
                }
                break;
            }
            Err(e) => {
                return Err(Failure::internal(tr!(
                    session.lang,
                    "行编辑器出错：{e}",
                    "line editor: {e}"
                )));
            }
        }
    }
    // At a terminal an error is part of the conversation; from a pipe it is a failed script.
    if session.failed && !std::io::stdin().is_terminal() {
        return Err(Failure::Printed(crate::error::Blame::Input));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness_follows_the_parser() {
        assert!(is_complete(".help"));
        assert!(is_complete("chains"));
        assert!(!is_complete("status 锂电池 in"));
        assert!(!is_complete("chains |"));
        // an error before the end is shown at once instead of waiting for more input
        assert!(is_complete("chains ) | limit 3"));
        // an open quote goes on, even where the parser would first fail on something else
        assert!(!is_complete("find \"锂电"));
        assert!(is_complete("find \"锂电\n池\""));
        assert!(is_complete("chains -- a \" in a comment"));
    }

    #[test]
    fn an_export_names_its_sheet_after_the_statement_on_one_line_without_comments() {
        assert_eq!(
            query::parse::without_comments(
                "status 锂电池 in -- where?\n  测试高新区 | select segment"
            ),
            "status 锂电池 in 测试高新区 | select segment"
        );
        assert_eq!(
            query::parse::without_comments("find \"a--b\" -- c\n"),
            "find \"a--b\""
        );
    }

    #[test]
    fn lines_join_into_statements() {
        let mut pending = String::new();
        let mut fed = |line: &str| feed(&mut pending, line);
        assert_eq!(fed("\u{feff}chains |\r"), None);
        // a blank line (a CRLF paste) adds nothing, inside a string it does
        assert_eq!(fed("\r"), None);
        assert_eq!(fed("limit 1"), Some("chains |\nlimit 1".into()));
        assert_eq!(fed(""), None);
        assert_eq!(fed("find \"a"), None);
        assert_eq!(fed(""), None);
        assert_eq!(fed("b\""), Some("find \"a\n\nb\"".into()));
        assert_eq!(fed(".help"), Some(".help".into()));
    }

    #[test]
    fn the_continuation_prompt_is_as_wide_as_the_prompt() {
        assert_eq!(
            unicode_width::UnicodeWidthStr::width(CONTINUATION),
            unicode_width::UnicodeWidthStr::width(PROMPT)
        );
        assert!(CONTINUATION.trim_start().starts_with("...>"));
    }

    #[test]
    fn chinese_meta_help_names_the_same_commands() {
        let en: Vec<&str> = META_COMMANDS.iter().map(|m| m.0).collect();
        let zh: Vec<&str> = META_HELP_ZH.iter().map(|m| m.0).collect();
        assert_eq!(en, zh);
        for (cmd, help) in META_HELP_ZH {
            assert!(help.starts_with(cmd), "{help}");
        }
    }

    #[test]
    fn meta_words_keep_quoted_spaces() {
        assert_eq!(
            meta_words(r#".export "招商 名单.xlsx""#).unwrap(),
            [".export", "招商 名单.xlsx"]
        );
        assert_eq!(
            meta_words(r#".draw 光电子 in "中国（西南）玉溪国际物流港" x.svg"#).unwrap(),
            [
                ".draw",
                "光电子",
                "in",
                "中国（西南）玉溪国际物流港",
                "x.svg"
            ]
        );
        assert_eq!(
            meta_words(r#".export "a\"b.csv""#).unwrap(),
            [".export", "a\"b.csv"]
        );
        assert!(meta_words(r#".export "x.csv"#).is_err());
    }

    #[test]
    fn draw_needs_a_picture_file_and_export_never_writes_a_stale_result() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
        let mut s = Session {
            graph: Rc::new(crate::open::graph_from_folder(&[dir]).unwrap()),
            db: None,
            format: Format::Csv,
            lang: Lang::Zh,
            timing: false,
            last: None,
            failed: false,
            pager: false,
            typed_ahead: String::new(),
        };
        let history = DefaultHistory::new();
        let tmp = tempfile::tempdir().unwrap();
        let txt = tmp.path().join("x.txt");
        let err = s
            .meta(&format!(".draw 锂电池 {}", txt.display()), &history)
            .unwrap_err();
        assert!(err.contains("文件请以 .svg 或 .png 结尾"), "{err}");
        assert!(!txt.exists());
        // A .png is drawn in-process.
        let png = tmp.path().join("x.png");
        s.meta(&format!(".draw 锂电池 {}", png.display()), &history)
            .unwrap();
        assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
        s.run_statements("chains");
        assert!(s.last.is_some());
        s.run_statements("stauts 锂电池");
        let csv = tmp.path().join("x.csv");
        let err = s
            .meta(&format!(".export {}", csv.display()), &history)
            .unwrap_err();
        assert!(err.contains("还没有可导出的结果"), "{err}");
        s.meta(".lang en", &history).unwrap();
        let err = s
            .meta(&format!(".export {}", csv.display()), &history)
            .unwrap_err();
        assert!(err.contains("nothing to export"), "{err}");
        assert!(!csv.exists());
        let err = s.meta(".formt csv", &history).unwrap_err();
        assert!(
            err.contains("unknown command `.formt` (did you mean .format?)"),
            "{err}"
        );
        s.meta(".lang zh", &history).unwrap();
        let err = s.meta(".formt csv", &history).unwrap_err();
        assert!(
            err.contains("没有 `.formt` 这个命令，是不是 .format？"),
            "{err}"
        );
    }
}
