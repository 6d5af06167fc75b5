//! The command-line interface (clap): parses arguments, opens the database, runs one command,
//! and turns a failure into a message on stderr and the exit code its blame gives
//! (`failure::exit_code`: 0 ok, 1 the user's input or environment, 2 damaged data or a bug).

mod failure;
mod intake;
mod journal;
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
use clap::{Parser, Subcommand};
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
        /// Data folders (with graphs/ and seeds/), folders of .toml/.csv files, or files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Text encoding of CSV files: auto (UTF-8, with or without BOM, else GBK), utf-8, gbk.
        #[arg(long, default_value = "auto")]
        encoding: Encoding,
    },
    /// 导出 / Write the database's data as a data folder (graphs/*.toml, seeds/*.csv).
    Export {
        dir: PathBuf,
        /// Replace the .toml/.csv files of an existing data folder.
        #[arg(long)]
        force: bool,
    },
    /// 检查 / Check a data folder and report every problem as file:line:column: message.
    Check {
        /// Data folders, folders of .toml/.csv files, or files (default: the current folder).
        paths: Vec<PathBuf>,
        #[arg(long, default_value = "auto")]
        encoding: Encoding,
        /// Instead, read every record of the database and verify its checksum (sled notices
        /// damage only when damaged data is read).
        #[arg(long, conflicts_with = "paths")]
        store: bool,
    },
    /// 统计 / Counts of nodes and edges in the database.
    Stats,
    /// 查看实体 / An entity: its attributes, its edges and where every fact came from.
    Show {
        /// Id, name, alias or normalized name.
        name: String,
        /// Only consider nodes of this kind (region, park, industry, chain, segment, enterprise, project).
        #[arg(long)]
        kind: Option<String>,
    },
    /// 画图（全景图 / 现状图 / 区域分布图 / 应用领域图）/ Draw a chain (SVG, PNG or Graphviz DOT):
    /// its panorama, with --in its status in a place; --map its firms by province and city;
    /// --applications its application fields.
    Draw {
        /// The chain (id, name or alias).
        chain: String,
        /// A park or region: colour each segment by its state there (with --map: outline its
        /// province).
        #[arg(long = "in", value_name = "PLACE")]
        place: Option<String>,
        /// 区域分布图: where the chain's firms are, by province and city.
        #[arg(long, conflicts_with = "applications")]
        map: bool,
        /// With --map and --in: also the firms of the chain's target list for PLACE (top 20).
        #[arg(long, requires = "map", requires = "place")]
        targets: bool,
        /// 应用领域图: the chain's downstream segments and the other chains its products supply.
        #[arg(long)]
        applications: bool,
        /// Output file (.svg, .png, or .dot for a chain picture); without it, SVG on standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// svg, png or dot (default: from the output file's extension, else svg).
        #[arg(long)]
        format: Option<String>,
        /// A font file (.ttf/.otf/.ttc) for PNG text instead of the bundled one.
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
        #[arg(long, default_value_t = 10_000)]
        enterprises: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        dir: PathBuf,
        /// Replace the .toml/.csv files of a folder that already holds data (as for export).
        #[arg(long)]
        force: bool,
    },
}

/// Entry point used by the binary; returns the exit code.
pub fn main() -> i32 {
    let parsed = command()
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(f) => {
            if !matches!(f, Failure::Printed(_)) {
                stderrln!("error: {f}");
            }
            exit_code(f.blame())
        }
    }
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
    crate::lang::set_current(lang);
    let Some(command) = cli.command else {
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return repl::run(cli.db, lang);
        }
        return Err(Failure::user(
            "no command given: `chainkb` alone opens the REPL only in a terminal; to run queries from a pipe use `chainkb query -f -` (or `chainkb repl`); see `chainkb --help`",
        ));
    };
    match command {
        Command::Check { store: true, .. } => {
            let store = open_store(&cli.db, false)?;
            let n = store.verify()?;
            stdoutln!(
                "ok: {n} records of {} read and verified",
                store.path().display()
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
            let loaded = load_with_spinner(&paths, encoding)?;
            if loaded.is_ok() {
                stdoutln!("{}", loaded.summary());
                for line in loaded.rows_lines() {
                    stdoutln!("{line}");
                }
                journal::check_folders(&paths, &loaded.dataset)
            } else {
                print_diags(&loaded.diags);
                Err(Failure::user(format!(
                    "{} problem(s) found",
                    loaded.diags.len()
                )))
            }
        }
        Command::Import { paths, encoding } => {
            if let Some(missing) = paths.iter().find(|p| !p.exists()) {
                return Err(Failure::user(format!(
                    "{}: no such file or folder",
                    missing.display()
                )));
            }
            // An import replaces everything the database holds, so it takes whole data
            // folders; `check` may look at a part, an import of a part would be a guess.
            if let Some(context) = data::context_of(&paths) {
                let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                let fix = match &context {
                    data::Context::Folder(dir) => format!(
                        "import the whole folder: chainkb import {} --db DB",
                        dir.display()
                    ),
                    data::Context::Bundled => "put it into the seeds/ of a data folder (chainkb export DIR writes one with the bundled data) and import that folder".into(),
                };
                return Err(Failure::user(format!(
                    "import replaces the database's data with whole data folders, and {} {} part of {}: {fix}",
                    shown.join(", "),
                    if shown.len() == 1 { "is" } else { "are" },
                    context.label()
                )));
            }
            let loaded = load_with_spinner(&paths, encoding)?;
            if !loaded.is_ok() {
                print_diags(&loaded.diags);
                return Err(Failure::user(format!(
                    "{} problem(s) found; nothing was imported (the database is unchanged)",
                    loaded.diags.len()
                )));
            }
            let Some(db) = &cli.db else {
                return Err(Failure::user(
                    "import needs --db PATH (or CHAINKB_DB): the default database always holds the bundled seed data",
                ));
            };
            let store = open_store(&cli.db, true)?;
            let pending = journal::before_import(&store, &paths)?;
            let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            // A bar only when stderr is a terminal (indicatif hides itself otherwise).
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template("importing {bar:30} {pos}/{len} records")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let progress = |done: u64, total: u64| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let meta = store.import_with_progress(&loaded.dataset, &shown.join(" "), &progress)?;
            bar.finish_and_clear();
            let ds = &loaded.dataset;
            stdoutln!(
                "imported {} nodes and {} edges from {} files into {} (generation {})",
                ds.nodes.len(),
                ds.edges.len(),
                ds.files.len(),
                db.display(),
                meta.generation
            );
            for line in loaded.rows_lines() {
                stdoutln!("{line}");
            }
            journal::after_import(&store, &pending, ds)
        }
        Command::Export { dir, force } => {
            let store = open_store(&cli.db, false)?;
            let (ds, _) = store.load()?;
            prepare_export_dir(&dir, force)?;
            let n = data::export(&ds, &dir).map_err(|e| {
                Failure::environment(format!("cannot write to {}: {e}", dir.display()))
            })?;
            stdoutln!("exported {n} files to {}", dir.display());
            let events = journal::export(&store, &dir)?;
            if events > 0 {
                stdoutln!(
                    "日志 {events} 条事件写入 {}",
                    dir.join("journal.csv").display()
                );
            }
            Ok(())
        }
        Command::Stats => {
            let store = open_store(&cli.db, false)?;
            let path = store.path().to_path_buf();
            let (graph, meta) = crate::open::load_graph(store)?;
            stdout!(
                "{}",
                stats_text(&graph, &path, &meta.label, meta.generation)
            );
            Ok(())
        }
        Command::Show { name, kind } => {
            let kinds = match kind {
                None => Vec::new(),
                Some(k) => vec![parse_kind(&k)?],
            };
            let graph = open_graph(&cli.db)?;
            stdout!(
                "{}",
                show::show(&graph, &name, &kinds).map_err(Failure::user)?
            );
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
            let graph = open_graph(&cli.db)?;
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
            draw(&graph, chain, place, kind, output, format, font)
        }
        Command::Repl => repl::run(cli.db, lang),
        Command::Journal(cmd) => journal::run(&cli.db, cmd),
        Command::Targets(args) => {
            let cur = journal::open_current(&cli.db)?;
            let data = cur.meta.version();
            let prospects: Vec<_> = cur.applied.prospects.values().cloned().collect();
            targets::run_targets(&cur.graph, &prospects, args, &data, lang)
        }
        Command::Route(args) => {
            let (graph, data) = open_graph_labelled(&cli.db)?;
            targets::run_route(&graph, args, &data, lang)
        }
        Command::Intake(args) => intake::run(args),
        Command::Query(args) => {
            let (graph, data) = open_graph_labelled(&cli.db)?;
            query::run(&graph, args, &data, lang)
        }
        Command::Gen {
            enterprises,
            seed,
            dir,
            force,
        } => {
            // A data folder's curated seeds must not be replaced by synthetic ones by a slip.
            prepare_export_dir(&dir, force)?;
            crate::synth::generate(&dir, enterprises, seed).map_err(|e| {
                Failure::environment(format!("cannot write {}: {e}", dir.display()))
            })?;
            stdoutln!(
                "wrote a synthetic data folder with {enterprises} enterprises to {}",
                dir.display()
            );
            Ok(())
        }
    }
}

/// What `draw` writes for a --format or file extension: SVG, PNG, or Graphviz DOT (`.dot`,
/// `.gv`).
fn draw_format(name: &str) -> Option<&'static str> {
    match name {
        "svg" => Some("svg"),
        "png" => Some("png"),
        "dot" | "gv" => Some("dot"),
        _ => None,
    }
}

/// Which picture `draw` makes.
enum DrawKind {
    Chain,
    Map { targets: bool },
    Applications,
}

/// `chainkb draw`: make the picture, in the format asked for, into the file or standard output.
fn draw(
    graph: &Graph,
    chain: u32,
    place: Option<u32>,
    kind: DrawKind,
    output: Option<PathBuf>,
    format: Option<String>,
    font: Option<PathBuf>,
) -> Result<(), Failure> {
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
            return Err(Failure::user(format!(
                "--format {f} 与输出文件的扩展名 .{ext} 不符：去掉 --format，或把文件命名为 .{f}"
            )));
        }
        (Some(f), _) => f,
        (None, Some(ext)) => ext,
        (None, None) => "svg".into(),
    };
    let Some(format) = draw_format(&format) else {
        return Err(Failure::user(format!(
            "无法输出为 `{format}`：请用 svg、png 或 dot（--format，或以 .svg/.png/.dot 结尾的输出文件）"
        )));
    };
    if format == "png" && output.is_none() {
        return Err(Failure::user(
            "PNG 需要输出文件：加上 -o 图片.png".to_string(),
        ));
    }
    let (svg, dot, what) = match kind {
        DrawKind::Chain => {
            let picture = crate::draw::layout(graph, chain, place);
            let n = picture.boxes.len();
            (
                crate::draw::to_svg(&picture),
                Some(crate::draw::to_dot(&picture)),
                format!("{n} 个环节"),
            )
        }
        DrawKind::Applications => {
            let picture = crate::draw::apps::layout(graph, chain, place).map_err(Failure::user)?;
            let n = picture.boxes.len();
            (crate::draw::to_svg(&picture), None, format!("{n} 个环节"))
        }
        DrawKind::Map { targets } => {
            let firms = match (targets, place) {
                (true, Some(p)) => Some(draw_targets(graph, chain, p)?),
                _ => None,
            };
            let m = crate::draw::map::layout(graph, chain, place, firms.as_deref());
            let n: usize = m.series.iter().map(|s| s.firms.len()).sum();
            (crate::draw::map::to_svg(&m), None, format!("{n} 家企业"))
        }
    };
    let bytes = match format {
        "svg" => svg.into_bytes(),
        "png" => crate::draw::png::render(&svg, font.as_deref()).map_err(Failure::user)?,
        _ => match dot {
            Some(dot) => dot.into_bytes(),
            None => {
                return Err(Failure::user(
                    "区域分布图和应用领域图没有 DOT 格式：请用 .svg 或 .png".to_string(),
                ));
            }
        },
    };
    match output {
        Some(path) => {
            std::fs::write(&path, bytes)
                .map_err(|e| Failure::user(format!("无法写入 {}：{e}", path.display())))?;
            stderrln!("已写入 {}（{what}）", path.display());
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

/// "1 row", "2 rows": a count with its noun.
pub(crate) fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Resolve a name to exactly one node of the given kinds, or fail with suggestions.
pub fn resolve_one(graph: &Graph, name: &str, kinds: &[Kind]) -> Result<u32, Failure> {
    let hits = graph.names.lookup(&graph.ds.nodes, name, kinds);
    let what: Vec<&str> = kinds.iter().map(|k| k.label_zh()).collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => {
            if let Some(other) = graph.other_kinds(name, kinds) {
                return Err(Failure::user(format!(
                    "`{name}` is {other}, not a {}",
                    what.join("/")
                )));
            }
            let sugg = graph.names.suggest(&graph.ds.nodes, name, kinds, 5);
            Err(Failure::user(format!(
                "no {} named `{name}`{}",
                what.join("/"),
                crate::names::did_you_mean(&sugg)
            )))
        }
        many => {
            let ids: Vec<String> = many
                .iter()
                .map(|&i| format!("`{}`", graph.node(i).id))
                .collect();
            Err(Failure::user(format!(
                "`{name}` names several: {}; use the id",
                ids.join(", ")
            )))
        }
    }
}

/// Read and check data files, with a spinner on a terminal (a million rows take seconds).
fn load_with_spinner(paths: &[PathBuf], encoding: Encoding) -> Result<data::Loaded, Failure> {
    let spinner =
        indicatif::ProgressBar::new_spinner().with_message("reading and checking data files");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let loaded = data::load(paths, encoding).map_err(Failure::from);
    spinner.finish_and_clear();
    for note in loaded.iter().flat_map(|l| &l.notes) {
        stderrln!("{note}");
    }
    loaded
}

pub fn parse_kind(k: &str) -> Result<Kind, Failure> {
    let lower = k.to_lowercase();
    Kind::ALL
        .into_iter()
        .find(|kind| kind.as_str().to_lowercase() == lower || kind.label_zh() == k)
        .ok_or_else(|| {
            let all: Vec<String> = Kind::ALL
                .iter()
                .map(|k| k.as_str().to_lowercase())
                .collect();
            Failure::user(format!(
                "unknown kind `{k}`{} (kinds: {})",
                crate::names::did_you_mean(&crate::names::suggest(
                    &lower,
                    all.iter().map(String::as_str),
                    1
                )),
                all.join(", ")
            ))
        })
}

/// Refuse to mix an export into an existing data folder unless `force`, which first removes
/// the old .toml/.csv files so the folder holds exactly the export.
fn prepare_export_dir(dir: &std::path::Path, force: bool) -> Result<(), Failure> {
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
            return Err(Failure::user(format!(
                "{} already holds data files; write into an empty folder, or pass --force to replace them",
                d.display()
            )));
        }
        for f in files {
            std::fs::remove_file(&f)
                .map_err(|e| Failure::environment(format!("cannot remove {}: {e}", f.display())))?;
        }
    }
    Ok(())
}

/// Node and edge kinds with their counts (`stats`, and `.schema` in the REPL).
pub fn schema_text(graph: &Graph) -> String {
    use std::fmt::Write as _;
    let mut s = String::from("nodes\n");
    for k in Kind::ALL {
        let _ = writeln!(
            s,
            "  {:<12}{:>10}  {}",
            k.as_str(),
            graph.count(k),
            k.label_zh()
        );
    }
    let _ = writeln!(s, "\nedges");
    let mut counts = std::collections::HashMap::new();
    for e in &graph.ds.edges {
        *counts.entry(e.kind).or_insert(0usize) += 1;
    }
    for k in EdgeKind::ALL {
        let _ = writeln!(
            s,
            "  {:<14}{:>8}",
            k.as_str(),
            counts.get(&k).copied().unwrap_or(0)
        );
    }
    s
}

fn stats_text(graph: &Graph, db: &std::path::Path, label: &str, generation: u64) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "database   {}", db.display());
    let _ = writeln!(s, "data       {label} (generation {generation})");
    let _ = writeln!(s, "files      {}", graph.ds.files.len());
    s.push('\n');
    s.push_str(&schema_text(graph));
    let notes = graph.ds.rows.iter().filter(|r| r.notes().is_some()).count();
    let _ = writeln!(s, "\nrows with notes (anomalies)  {notes}");
    let _ = writeln!(
        s,
        "presence cells (place × segment)  {}",
        graph.presence_cells()
    );
    s
}
