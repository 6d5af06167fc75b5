//! The command-line interface (clap): parses arguments, opens the database, runs one command,
//! and turns a failure into a message on stderr and the exit code its blame gives
//! (`failure::exit_code`: 0 ok, 1 the user's input or environment, 2 damaged data or a bug).
//!
//! Over 800 lines and kept whole: it is `Command` and `run`'s one arm per command, which every
//! helper adding a command edits; its helpers (`open_*`, `resolve_one`) are what those arms share.

mod draw;
mod failure;
mod intake;
pub mod journal;
mod query;
mod repl;
mod show;
mod targets;

use crate::data::{self, Encoding};
use crate::error::Blamed;
use crate::graph::Graph;
use crate::lang::Lang;
use crate::model::{EdgeKind, Kind};
use crate::store::Store;
use crate::tr;
use clap::{Parser, Subcommand};
use draw::{DrawKind, DrawOutput, draw, draw_format};
pub use failure::{Failure, exit_code};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "chainkb",
    version,
    about = "产业链图谱知识库：产业链、环节、企业、园区、项目及其缺口（补链/延链/强链）\nIndustry-chain graph knowledge base: chains, segments, enterprises, parks and projects, and the gaps between them",
    long_about = None,
    help_template = "{about-with-newline}\n用法 / Usage: {usage}\n\n命令 / Commands:\n{subcommands}\n\n选项 / Options:\n{options}{after-help}",
    after_help = "默认输出中文；--lang en 或 CHAINKB_LANG=en 输出英文。Output is Chinese by default; --lang en or CHAINKB_LANG=en for English.",
    subcommand_help_heading = "命令 / Commands",
    disable_help_subcommand = true
)]
pub struct Cli {
    /// 数据库文件夹；不给时用内置默认数据库 / Database folder. Without it (and without
    /// CHAINKB_DB), the embedded default database in your data directory, built from the seed
    /// knowledge base bundled into chainkb.
    #[arg(long, global = true, env = "CHAINKB_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// 输出语言 / output language: zh (中文, the default) or en; without it, CHAINKB_LANG.
    #[arg(long, global = true, value_enum, value_name = "zh|en")]
    pub lang: Option<Lang>,

    #[command(subcommand)]
    /// 不给命令时在终端里进入交互会话 / Without a command, an interactive session (repl) when
    /// standard input is a terminal.
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 导入 / Check a data folder and load it into the database, replacing what it held (atomically).
    Import {
        /// 数据文件夹（含 graphs/ 和 seeds/）、.toml/.csv 文件的文件夹或文件 / Data folders (with
        /// graphs/ and seeds/), folders of .toml/.csv files, or files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// CSV 文件的文本编码：auto（UTF-8，带或不带 BOM，否则 GBK）、utf-8、gbk / Text encoding of
        /// CSV files: auto (UTF-8, with or without BOM, else GBK), utf-8, gbk.
        #[arg(long, default_value = "auto")]
        encoding: Encoding,
    },
    /// 导出 / Write the database's data as a data folder (graphs/*.toml, seeds/*.csv).
    Export {
        /// 要写入的文件夹 / The folder to write.
        dir: PathBuf,
        /// 替换已有数据文件夹里的 .toml/.csv 文件 / Replace the .toml/.csv files of an existing
        /// data folder.
        #[arg(long)]
        force: bool,
    },
    /// 检查 / Check a data folder and report every problem as file:line:column: message.
    Check {
        /// 数据文件夹、.toml/.csv 文件的文件夹或文件（默认当前文件夹）/ Data folders, folders of
        /// .toml/.csv files, or files (default: the current folder).
        paths: Vec<PathBuf>,
        /// CSV 文件的文本编码：auto、utf-8、gbk / Text encoding of CSV files: auto, utf-8, gbk.
        #[arg(long, default_value = "auto")]
        encoding: Encoding,
        /// 改为读出数据库的每条记录并校验（sled 只在读到损坏数据时才发现损坏）/ Instead, read every
        /// record of the database and verify its checksum (sled notices damage only when
        /// damaged data is read).
        #[arg(long, conflicts_with = "paths")]
        store: bool,
    },
    /// 统计 / Counts of nodes and edges in the database.
    Stats,
    /// 查看实体 / An entity: its attributes, its edges and where every fact came from.
    Show {
        /// 编号、名称、别名或规范化名称 / Id, name, alias or normalized name.
        name: String,
        /// 只找这一类型（行政区 region、园区 park、产业 industry、产业链 chain、环节 segment、企业
        /// enterprise、项目 project）/ Only consider nodes of this kind.
        #[arg(long)]
        kind: Option<String>,
    },
    /// 画图（全景图 / 现状图 / 区域分布图 / 应用领域图）/ Draw a chain (SVG, PNG or Graphviz DOT):
    /// its panorama, with --in its status in a place; --map its firms by province and city;
    /// --applications its application fields.
    Draw {
        /// 产业链（编号、名称或别名）/ The chain (id, name or alias).
        chain: String,
        /// 园区或行政区：按各环节在此地的状态上色（与 --map 同用时勾出其所在省份）/ A park or
        /// region: colour each segment by its state there (with --map: outline its province).
        #[arg(long = "in", value_name = "PLACE")]
        place: Option<String>,
        /// 区域分布图：本链企业按省份、城市的分布 / Where the chain's firms are, by province and city.
        #[arg(long, conflicts_with = "applications")]
        map: bool,
        /// 与 --map、--in 同用：再标出此地本链招商目标企业（前 20 家）/ With --map and --in: also
        /// the firms of the chain's target list for PLACE (top 20).
        #[arg(long, requires = "map", requires = "place")]
        targets: bool,
        /// 应用领域图：本链下游环节及其产品供给的其他产业链 / The chain's downstream segments and
        /// the other chains its products supply.
        #[arg(long)]
        applications: bool,
        /// 输出文件（.svg、.png，产业链图还可 .dot）；不给时 SVG 写到标准输出 / Output file (.svg,
        /// .png, or .dot for a chain picture); without it, SVG on standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// svg、png 或 dot（默认按输出文件扩展名，否则 svg）/ svg, png or dot (default: from the
        /// output file's extension, else svg).
        #[arg(long)]
        format: Option<String>,
        /// PNG 文字用的字体文件（.ttf/.otf/.ttc），代替内置字体 / A font file (.ttf/.otf/.ttc) for
        /// PNG text instead of the bundled one.
        #[arg(long, env = "CHAINKB_FONT", value_name = "FILE")]
        font: Option<PathBuf>,
    },
    /// 查询 / Run query-language statements (docs/QUERY.md), e.g. `chainkb query "补链 锂电池 在 玉溪高新区"`.
    Query(query::QueryArgs),
    /// 企业名单导入 / Turn an enterprise-platform export (企查查/天眼查/启信宝 CSV or .xlsx) into a candidates file.
    Intake(intake::IntakeArgs),
    /// 交互会话 / Interactive session: line editing, history, completion (also by pinyin), meta commands.
    Repl,
    /// 招商目标企业 / Target companies (精准招商) for a chain's gaps in a place: outside firms that
    /// make the gap segments, scored with explained components and admission rules.
    Targets(targets::TargetArgs),
    /// 项目流转 / Project routing: which parks fit a project's segments best, with reasons.
    Route(targets::RouteArgs),
    #[command(flatten)]
    Journal(journal::JournalCommand),
    /// 生成测试数据 / Write a deterministic synthetic data folder (for scale tests and benches).
    Gen {
        /// 企业数 / Number of enterprises.
        #[arg(long, default_value_t = 10_000)]
        enterprises: usize,
        /// 随机种子 / Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 要写入的文件夹 / The folder to write.
        dir: PathBuf,
        /// 替换已有数据的文件夹里的 .toml/.csv 文件（同 export）/ Replace the .toml/.csv files of
        /// a folder that already holds data (as for export).
        #[arg(long)]
        force: bool,
    },
}

/// Entry point used by the binary; returns the exit code.
pub fn main() -> i32 {
    // Messages made while the arguments are parsed (a bad --limit) are in the language asked
    // for too: `--lang` is looked for before clap reads the rest.
    crate::lang::set_messages(Lang::choose(lang_in_args(std::env::args().skip(1))));
    let parsed = command()
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            match usage_error_zh(&e) {
                Some(m) if crate::lang::messages() == Lang::Zh => stderrln!("错误：{m}"),
                _ => {
                    let _ = e.print();
                }
            }
            return code;
        }
    };
    let lang = Lang::choose(cli.lang);
    match run(cli) {
        Ok(()) => 0,
        Err(f) => {
            if !matches!(f, Failure::Printed(_)) {
                stderrln!("{}{}", failure::prefix(lang), f.render(lang));
            }
            exit_code(f.blame())
        }
    }
}

/// clap's usage errors in Chinese, for the kinds people meet (an unknown option or command, a
/// value refused, a missing or conflicting argument); `None` for the rest, which clap prints in
/// English (and for `--help` / `--version`, which are not errors).
fn usage_error_zh(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("、")),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        _ => None,
    };
    let suggestion = |k: ContextKind| {
        text(k)
            .map(|s| format!("，是不是 {s}？"))
            .unwrap_or_default()
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    let message = match e.kind() {
        ErrorKind::InvalidValue => {
            let valid = text(ContextKind::ValidValue)
                .map(|v| format!("（可用的值：{v}）"))
                .unwrap_or_default();
            let dym = suggestion(ContextKind::SuggestedValue);
            format!("{arg} 不接受 `{value}`{valid}{dym}")
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| format!("：{s}"))
                .unwrap_or_default();
            format!("{arg} 的值 `{value}` 无效{why}")
        }
        ErrorKind::UnknownArgument => {
            let dym = suggestion(ContextKind::SuggestedArg);
            format!("没有 `{arg}` 这个选项{dym}（见 --help）")
        }
        ErrorKind::InvalidSubcommand => {
            let cmd = text(ContextKind::InvalidSubcommand).unwrap_or_default();
            let dym = suggestion(ContextKind::SuggestedSubcommand);
            format!("没有 `{cmd}` 这个命令{dym}（见 chainkb --help）")
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}（见 --help）"),
        ErrorKind::ArgumentConflict => {
            let prior = text(ContextKind::PriorArg).unwrap_or_default();
            format!("{arg} 不能与 {prior} 同时使用")
        }
        _ => return None,
    };
    Some(message)
}

/// The language `--lang xx` or `--lang=xx` asks for among `args`, if any (the last wins, as
/// for clap).
fn lang_in_args(mut args: impl Iterator<Item = String>) -> Option<Lang> {
    let mut found = None;
    while let Some(a) = args.next() {
        if a == "--" {
            break;
        }
        let value = match a.strip_prefix("--lang") {
            Some("") => args.next(),
            Some(v) if v.starts_with('=') => Some(v[1..].to_string()),
            _ => continue,
        };
        if let Some(l) = value.as_deref().and_then(Lang::parse) {
            found = Some(l);
        }
    }
    found
}

/// The clap command with help headings and the help/version flags Chinese-first ("用法 /
/// Usage"), on every subcommand too (clap does not pass templates down).
pub fn command() -> clap::Command {
    use clap::{Arg, ArgAction, CommandFactory};
    let help = |c: clap::Command| {
        c.disable_help_flag(true).arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("帮助 / Print help"),
        )
    };
    help(Cli::command())
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("版本 / Print version"),
        )
        .mut_subcommands(|sc| {
            let template = if sc.get_positionals().next().is_some() {
                "{about-with-newline}\n用法 / Usage: {usage}\n\n参数 / Arguments:\n{positionals}\n\n选项 / Options:\n{options}{after-help}"
            } else {
                "{about-with-newline}\n用法 / Usage: {usage}\n\n选项 / Options:\n{options}{after-help}"
            };
            help(sc.help_template(template))
        })
}

/// Open the database chosen by `--db` / `CHAINKB_DB`, or the default one, saying on stderr what
/// opening found. Import creates a missing database; every other command needs an existing one.
fn open_store(db: &Option<PathBuf>, create: bool) -> Result<Store, Failure> {
    let lang = NOTICE_LANG.get().copied().unwrap_or_default();
    Ok(crate::open::open_store(db.as_deref(), create, &mut |n| {
        stderrln!("{}", n.render(lang))
    })?)
}

/// The language of the command being run, for what opening a database says on stderr (set once
/// in `run`, so the many callers of `open_store` need not pass it).
static NOTICE_LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

/// The current state: the live generation with the planning journal applied.
fn open_graph(db: &Option<PathBuf>) -> Result<Graph, Failure> {
    Ok(journal::open_current(db)?.graph)
}

/// A one-shot command's graph, never freed: the process ends right after the command, and
/// freeing a large graph's millions of allocations one by one only delays the exit.
fn kept_until_exit<T>(value: T) -> std::mem::ManuallyDrop<T> {
    std::mem::ManuallyDrop::new(value)
}

/// The current state, and the data version it was built from (`LABEL（第 N 代）`) for hand-outs.
fn open_graph_labelled(db: &Option<PathBuf>) -> Result<(Graph, String), Failure> {
    let cur = journal::open_current(db)?;
    let data = cur.meta.version();
    Ok((cur.graph, data))
}

fn print_diags(diags: &[data::Diag]) {
    for d in diags {
        stderrln!("{d}");
    }
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    let lang = Lang::choose(cli.lang);
    let _ = NOTICE_LANG.set(lang);
    crate::lang::set_messages(lang);
    let Some(command) = cli.command else {
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return repl::run(cli.db, lang);
        }
        return Err(Failure::user(tr!(
            lang,
            "没有给出命令：只有在终端里 `chainkb` 才会进入交互会话；从管道运行查询请用 `chainkb query -f -`（或 `chainkb repl`）；见 `chainkb --help`",
            "no command given: `chainkb` alone opens the REPL only in a terminal; to run queries from a pipe use `chainkb query -f -` (or `chainkb repl`); see `chainkb --help`"
        )));
    };
    match command {
        Command::Check { store: true, .. } => {
            let store = open_store(&cli.db, false)?;
            let n = store.verify()?;
            let path = store.path().display();
            stdoutln!(
                "{}",
                tr!(
                    lang,
                    "正常：{path} 的 {n} 条记录已读出并校验",
                    "ok: {n} records of {path} read and verified"
                )
            );
            journal::check_store(&store)
        }
        Command::Check {
            paths, encoding, ..
        } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let loaded = load_with_spinner(&paths, encoding, lang)?;
            if loaded.is_ok() {
                stdoutln!("{}", loaded.summary());
                for line in loaded.rows_lines() {
                    stdoutln!("{line}");
                }
                journal::check_folders(&paths, &loaded.dataset)
            } else {
                print_diags(&loaded.diags);
                let n = loaded.diags.len();
                Err(Failure::user(tr!(
                    lang,
                    "发现 {n} 个问题",
                    "{n} problem(s) found"
                )))
            }
        }
        Command::Import { paths, encoding } => {
            if let Some(missing) = paths.iter().find(|p| !p.exists()) {
                return Err(data::DataError::NoSuchPath(missing.clone()).into());
            }
            // An import replaces everything the database holds, so it takes whole data
            // folders; `check` may look at a part, an import of a part would be a guess.
            if let Some(context) = data::context_of(&paths) {
                let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                let fix = match &context {
                    data::Context::Folder(dir) => {
                        let dir = dir.display();
                        tr!(
                            lang,
                            "请导入整个文件夹：chainkb import {dir} --db DB",
                            "import the whole folder: chainkb import {dir} --db DB"
                        )
                    }
                    data::Context::Bundled => tr!(
                        lang,
                        "请把它放进一个数据文件夹的 seeds/（chainkb export DIR 会写出带内置数据的文件夹），再导入那个文件夹",
                        "put it into the seeds/ of a data folder (chainkb export DIR writes one with the bundled data) and import that folder"
                    ),
                };
                return Err(Failure::user(match lang {
                    Lang::Zh => format!(
                        "导入会用整个数据文件夹替换数据库里的数据，而 {} 只是{} 的一部分：{fix}",
                        shown.join("、"),
                        context.label()
                    ),
                    Lang::En => format!(
                        "import replaces the database's data with whole data folders, and {} {} part of {}: {fix}",
                        shown.join(", "),
                        if shown.len() == 1 { "is" } else { "are" },
                        context.label()
                    ),
                }));
            }
            let loaded = load_with_spinner(&paths, encoding, lang)?;
            if !loaded.is_ok() {
                print_diags(&loaded.diags);
                let n = loaded.diags.len();
                return Err(Failure::user(tr!(
                    lang,
                    "发现 {n} 个问题；没有导入任何数据（数据库未改变）",
                    "{n} problem(s) found; nothing was imported (the database is unchanged)"
                )));
            }
            let Some(db) = &cli.db else {
                return Err(Failure::user(tr!(
                    lang,
                    "导入需要 --db PATH（或 CHAINKB_DB）：默认数据库总是装着内置的种子数据",
                    "import needs --db PATH (or CHAINKB_DB): the default database always holds the bundled seed data"
                )));
            };
            let store = open_store(&cli.db, true)?;
            let pending = journal::before_import(&store, &paths)?;
            let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            // A bar only when stderr is a terminal (indicatif hides itself otherwise).
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template(lang.pick(
                    "正在导入 {bar:30} {pos}/{len} 条记录",
                    "importing {bar:30} {pos}/{len} records",
                ))
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let progress = |done: u64, total: u64| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let meta = store.import_with_progress(&loaded.dataset, &shown.join(" "), &progress)?;
            bar.finish_and_clear();
            let ds = &loaded.dataset;
            let (nodes, edges, files) = (ds.nodes.len(), ds.edges.len(), ds.files.len());
            let (db, generation) = (db.display(), meta.generation);
            stdoutln!(
                "{}",
                tr!(
                    lang,
                    "已从 {files} 个文件导入 {nodes} 个节点和 {edges} 条边到 {db}（第 {generation} 代）",
                    "imported {nodes} nodes and {edges} edges from {files} files into {db} (generation {generation})"
                )
            );
            for line in loaded.rows_lines() {
                stdoutln!("{line}");
            }
            journal::after_import(&store, &pending, ds)
        }
        Command::Export { dir, force } => {
            let store = open_store(&cli.db, false)?;
            let (ds, _) = store.load()?;
            prepare_export_dir(&dir, force, lang)?;
            let shown = dir.display();
            let n = data::export(&ds, &dir).map_err(|e| {
                Failure::environment(tr!(
                    lang,
                    "无法写入 {shown}：{e}",
                    "cannot write to {shown}: {e}"
                ))
            })?;
            stdoutln!(
                "{}",
                tr!(
                    lang,
                    "已导出 {n} 个文件到 {shown}",
                    "exported {n} files to {shown}"
                )
            );
            let events = journal::export(&store, &dir)?;
            if events > 0 {
                let file = dir.join("journal.csv");
                let file = file.display();
                stdoutln!(
                    "{}",
                    tr!(
                        lang,
                        "日志 {events} 条事件写入 {file}",
                        "wrote {events} journal events to {file}"
                    )
                );
            }
            Ok(())
        }
        Command::Stats => {
            let store = open_store(&cli.db, false)?;
            let path = store.path().to_path_buf();
            let (graph, meta) = crate::open::load_graph(store)?;
            let graph = kept_until_exit(graph);
            stdout!(
                "{}",
                stats_text(&graph, &path, (&meta.label, meta.generation), lang)
            );
            Ok(())
        }
        Command::Show { name, kind } => {
            let kinds = match kind {
                None => Vec::new(),
                Some(k) => vec![parse_kind(&k)?],
            };
            let graph = kept_until_exit(open_graph(&cli.db)?);
            stdout!("{}", show::show(&graph, &name, &kinds, lang)?);
            Ok(())
        }
        Command::Draw {
            chain,
            place,
            map,
            targets,
            applications,
            output,
            format,
            font,
        } => {
            let graph = kept_until_exit(open_graph(&cli.db)?);
            let chain = resolve_one(&graph, &chain, &[Kind::Chain])?;
            let place = match place {
                Some(p) => Some(resolve_one(&graph, &p, &[Kind::Park, Kind::Region])?),
                None => None,
            };
            let kind = if map {
                DrawKind::Map { targets }
            } else if applications {
                DrawKind::Applications
            } else {
                DrawKind::Chain
            };
            let out = DrawOutput {
                path: output,
                format,
                font,
            };
            draw(&graph, chain, place, kind, out, lang)
        }
        Command::Repl => repl::run(cli.db, lang),
        Command::Journal(cmd) => journal::run(&cli.db, cmd),
        Command::Targets(args) => {
            let cur = kept_until_exit(journal::open_current(&cli.db)?);
            let data = cur.meta.version();
            let prospects: Vec<_> = cur.applied.prospects.values().cloned().collect();
            targets::run_targets(&cur.graph, &prospects, args, &data, lang)
        }
        Command::Route(args) => {
            let (graph, data) = open_graph_labelled(&cli.db)?;
            let graph = kept_until_exit(graph);
            targets::run_route(&graph, args, &data, lang)
        }
        Command::Intake(args) => intake::run(args),
        Command::Query(args) => {
            let (graph, data) = open_graph_labelled(&cli.db)?;
            let graph = kept_until_exit(graph);
            query::run(&graph, args, &data, lang, &cli.db)
        }
        Command::Gen {
            enterprises,
            seed,
            dir,
            force,
        } => {
            // A data folder's curated seeds must not be replaced by synthetic ones by a slip.
            prepare_export_dir(&dir, force, lang)?;
            let shown = dir.display();
            crate::synth::generate(&dir, enterprises, seed).map_err(|e| {
                Failure::environment(tr!(
                    lang,
                    "无法写入 {shown}：{e}",
                    "cannot write {shown}: {e}"
                ))
            })?;
            stdoutln!(
                "{}",
                tr!(
                    lang,
                    "已把含 {enterprises} 家企业的合成数据文件夹写到 {shown}",
                    "wrote a synthetic data folder with {enterprises} enterprises to {shown}"
                )
            );
            Ok(())
        }
    }
}

/// "1 row", "2 rows": a count with its noun.
pub(crate) fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Resolve a name to exactly one node of the given kinds, or fail with suggestions (in the
/// language of messages).
pub fn resolve_one(graph: &Graph, name: &str, kinds: &[Kind]) -> Result<u32, Failure> {
    let lang = crate::lang::messages();
    let hits = graph.names.lookup(&graph.ds.nodes, name, kinds);
    let what: Vec<&str> = kinds.iter().map(|k| k.label_zh()).collect();
    let what = what.join("/");
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => {
            if let Some(other) = graph.other_kinds_in(name, kinds, lang) {
                return Err(Failure::user(tr!(
                    lang,
                    "`{name}` 是{other}，不是{what}",
                    "`{name}` is {other}, not a {what}"
                )));
            }
            let sugg = graph.names.suggest(&graph.ds.nodes, name, kinds, 5);
            let dym = crate::names::did_you_mean_in(&sugg, lang);
            Err(Failure::user(tr!(
                lang,
                "没有名为 `{name}` 的{what}{dym}",
                "no {what} named `{name}`{dym}"
            )))
        }
        many => {
            let ids: Vec<String> = many
                .iter()
                .map(|&i| format!("`{}`", graph.node(i).id))
                .collect();
            Err(Failure::user(match lang {
                Lang::Zh => format!("`{name}` 可指多个：{}；请用编号", ids.join("、")),
                Lang::En => format!("`{name}` names several: {}; use the id", ids.join(", ")),
            }))
        }
    }
}

/// Read and check data files, with a spinner on a terminal (a million rows take seconds).
fn load_with_spinner(
    paths: &[PathBuf],
    encoding: Encoding,
    lang: Lang,
) -> Result<data::Loaded, Failure> {
    let spinner = indicatif::ProgressBar::new_spinner()
        .with_message(lang.pick("正在读取并检查数据文件", "reading and checking data files"));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let loaded = data::load(paths, encoding).map_err(Failure::from);
    spinner.finish_and_clear();
    for note in loaded.iter().flat_map(|l| &l.notes) {
        stderrln!("{note}");
    }
    loaded
}

/// A node kind by its English or Chinese name, or fail listing the kinds.
pub fn parse_kind(k: &str) -> Result<Kind, Failure> {
    let lang = crate::lang::messages();
    let lower = k.to_lowercase();
    Kind::ALL
        .into_iter()
        .find(|kind| kind.as_str().to_lowercase() == lower || kind.label_zh() == k)
        .ok_or_else(|| {
            let all: Vec<String> = Kind::ALL
                .iter()
                .map(|k| k.as_str().to_lowercase())
                .collect();
            let dym = crate::names::did_you_mean_in(
                &crate::names::suggest(&lower, all.iter().map(String::as_str), 1),
                lang,
            );
            let zh: Vec<String> = Kind::ALL
                .iter()
                .map(|k| format!("{} {}", k.label_zh(), k.as_str().to_lowercase()))
                .collect();
            Failure::user(match lang {
                Lang::Zh => format!("没有 `{k}` 这一类型（类型：{}）{dym}", zh.join("、")),
                Lang::En => format!("unknown kind `{k}`{dym} (kinds: {})", all.join(", ")),
            })
        })
}

/// Refuse to mix an export into an existing data folder unless `force`, which first removes
/// the old .toml/.csv files so the folder holds exactly the export.
fn prepare_export_dir(dir: &std::path::Path, force: bool, lang: Lang) -> Result<(), Failure> {
    for sub in ["graphs", "seeds"] {
        let d = dir.join(sub);
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "csv"))
            .collect();
        if files.is_empty() {
            continue;
        }
        if !force {
            let d = d.display();
            return Err(Failure::user(tr!(
                lang,
                "{d} 里已有数据文件：请写到空文件夹，或加 --force 替换它们",
                "{d} already holds data files; write into an empty folder, or pass --force to replace them"
            )));
        }
        for f in files {
            std::fs::remove_file(&f).map_err(|e| {
                let f = f.display();
                Failure::environment(tr!(lang, "无法删除 {f}：{e}", "cannot remove {f}: {e}"))
            })?;
        }
    }
    Ok(())
}

/// Node and edge kinds with their counts (`stats`, and `.schema` in the REPL).
pub fn schema_text(graph: &Graph, lang: Lang) -> String {
    use std::fmt::Write as _;
    let mut s = format!("{}\n", lang.pick("节点", "nodes"));
    for k in Kind::ALL {
        let _ = writeln!(
            s,
            "  {:<12}{:>10}  {}",
            k.as_str(),
            graph.count(k),
            k.label_zh()
        );
    }
    let _ = writeln!(s, "\n{}", lang.pick("边", "edges"));
    for k in EdgeKind::ALL {
        let _ = writeln!(s, "  {:<14}{:>8}", k.as_str(), graph.edge_count(k));
    }
    s
}

fn stats_text(
    graph: &Graph,
    db: &std::path::Path,
    (label, generation): (&str, u64),
    lang: Lang,
) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let (db, files) = (db.display(), graph.ds.files.len());
    let notes = graph.ds.rows.with_notes();
    let cells = graph.presence_cells();
    let schema = schema_text(graph, lang);
    match lang {
        Lang::Zh => {
            let _ = writeln!(s, "数据库     {db}");
            let _ = writeln!(s, "数据       {label}（第 {generation} 代）");
            let _ = writeln!(s, "文件       {files}");
            s.push('\n');
            s.push_str(&schema);
            let _ = writeln!(s, "\n带备注（异常）的行  {notes}");
            let _ = writeln!(s, "现状格（地方 × 环节）  {cells}");
        }
        Lang::En => {
            let _ = writeln!(s, "database   {db}");
            let _ = writeln!(s, "data       {label} (generation {generation})");
            let _ = writeln!(s, "files      {files}");
            s.push('\n');
            s.push_str(&schema);
            let _ = writeln!(s, "\nrows with notes (anomalies)  {notes}");
            let _ = writeln!(s, "presence cells (place × segment)  {cells}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_is_found_among_the_arguments_before_clap_reads_them() {
        let args = |s: &str| {
            s.split(' ')
                .map(String::from)
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert_eq!(
            lang_in_args(args("targets 锂电池 --lang en --limit 0")),
            Some(Lang::En)
        );
        assert_eq!(lang_in_args(args("--lang=zh check")), Some(Lang::Zh));
        assert_eq!(
            lang_in_args(args("--lang en --lang zh stats")),
            Some(Lang::Zh)
        );
        assert_eq!(lang_in_args(args("check --lang")), None);
        assert_eq!(lang_in_args(args("check --lang fr")), None);
        assert_eq!(lang_in_args(args("query -- --lang en")), None);
        assert_eq!(lang_in_args(args("show --language en")), None);
    }

    #[test]
    fn failures_render_in_the_language_asked_for() {
        let f: Failure = data::DataError::NoSuchPath(PathBuf::from("x")).into();
        assert_eq!(
            format!("{}{}", failure::prefix(Lang::Zh), f.render(Lang::Zh)),
            "错误：x：没有这个文件或文件夹"
        );
        assert_eq!(
            format!("{}{}", failure::prefix(Lang::En), f.render(Lang::En)),
            "error: x: no such file or folder"
        );
    }
}
