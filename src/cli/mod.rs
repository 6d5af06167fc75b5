//! The command-line interface (clap): parses arguments, opens the database, runs one command,
//! and maps every failure to a message on stderr and an exit code (0 ok, 1 user error,
//! 2 internal or data error).

mod journal;
mod query;
mod repl;
mod show;
mod targets;

use crate::bundle;
use crate::data::{self, Encoding};
use crate::graph::Graph;
use crate::model::{EdgeKind, Kind};
use crate::store::{Store, StoreError};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "chainkb",
    version,
    about = "Industry-chain graph knowledge base: chains, segments, enterprises, parks and projects, and the gaps between them",
    long_about = None
)]
pub struct Cli {
    /// Database folder. Without it (and without CHAINKB_DB), the embedded default database in
    /// your data directory, built from the seed knowledge base bundled into chainkb.
    #[arg(long, global = true, env = "CHAINKB_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    /// Without a command, an interactive session (repl) when standard input is a terminal.
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a data folder and load it into the database, replacing what it held (atomically).
    Import {
        /// Data folders (with graphs/ and seeds/), folders of .toml/.csv files, or files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Text encoding of CSV files: auto (UTF-8, with or without BOM, else GBK), utf-8, gbk.
        #[arg(long, default_value = "auto")]
        encoding: Encoding,
    },
    /// Write the database's data as a data folder (graphs/*.toml, seeds/*.csv).
    Export {
        dir: PathBuf,
        /// Replace the .toml/.csv files of an existing data folder.
        #[arg(long)]
        force: bool,
    },
    /// Check a data folder and report every problem as file:line:column: message.
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
    /// Counts of nodes and edges in the database.
    Stats,
    /// An entity: its attributes, its edges and where every fact came from.
    Show {
        /// Id, name, alias or normalized name.
        name: String,
        /// Only consider nodes of this kind (region, park, industry, chain, segment, enterprise, project).
        #[arg(long)]
        kind: Option<String>,
    },
    /// Draw a chain as SVG or Graphviz DOT: its panorama, or with --in its status in a place
    /// (present / weak / planned / missing coloured).
    Draw {
        /// The chain (id, name or alias).
        chain: String,
        /// A park or region: colour each segment by its state there.
        #[arg(long = "in", value_name = "PLACE")]
        place: Option<String>,
        /// Output file (.svg or .dot); without it, SVG on standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// svg or dot (default: from the output file's extension, else svg).
        #[arg(long)]
        format: Option<String>,
    },
    /// Run query-language statements (docs/QUERY.md), e.g. `chainkb query "fill 锂电池 in 玉溪高新区"`.
    Query(query::QueryArgs),
    /// Turn an enterprise-platform export (企查查/天眼查/启信宝 CSV or .xlsx) into a candidates file.
    Intake(crate::intake::IntakeArgs),
    /// Interactive session: line editing, history, completion (also by pinyin), meta commands.
    Repl,
    /// Target companies (精准招商目标企业) for a chain's gaps in a place: outside firms that make
    /// the gap segments, scored with explained components and admission rules.
    Targets(targets::TargetArgs),
    /// Project routing (项目流转): which parks fit a project's segments best, with reasons.
    Route(targets::RouteArgs),
    #[command(flatten)]
    Journal(journal::JournalCommand),
    /// Write a deterministic synthetic data folder (for scale tests and benches).
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

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    pub fn user(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
    pub fn internal(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        let code = match e {
            StoreError::InUse(_)
            | StoreError::NotFound(_)
            | StoreError::NotAFolder(_)
            | StoreError::ForeignFolder(_)
            | StoreError::ReadOnly { .. }
            | StoreError::Empty(_) => 1,
            _ => 2,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

impl From<bundle::BundleError> for Failure {
    fn from(e: bundle::BundleError) -> Failure {
        match e {
            bundle::BundleError::Store(s) => s.into(),
            other => Failure::internal(other.to_string()),
        }
    }
}

/// Entry point used by the binary; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
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
            // An empty message means the error has already been printed in full.
            if !f.message.is_empty() {
                stderrln!("error: {}", f.message);
            }
            f.code
        }
    }
}

/// Open the database chosen by `--db` / `CHAINKB_DB`, or the default one. Import creates a
/// missing database; every other command needs an existing one.
fn open_store(db: &Option<PathBuf>, create: bool) -> Result<Store, Failure> {
    let (store, report) = match db {
        Some(path) => match Store::open(path, create) {
            // A data folder given where a database is wanted: say which is which.
            Err(StoreError::NotFound(_)) if data::is_data_folder(path) => {
                return Err(Failure::user(format!(
                    "{} is a data folder (graphs/, seeds/), not a database: import it into a database folder of its own with chainkb import {} --db NEW_FOLDER",
                    path.display(),
                    path.display()
                )));
            }
            other => other?,
        },
        None => {
            let (store, report, built) = bundle::open_default()?;
            if built {
                stderrln!(
                    "chainkb: built the default database at {} from the bundled seed data",
                    store.path().display()
                );
            }
            (store, report)
        }
    };
    if let Some(g) = report.interrupted_import {
        stderrln!(
            "warning: an import into {} was interrupted (generation {g}); it was discarded and the previous data is intact",
            store.path().display()
        );
    }
    // Only once it has been said (a kill before this line reports it again next time).
    store.remove_leftovers();
    Ok(store)
}

/// The current state: the live generation with the planning journal applied.
fn open_graph(db: &Option<PathBuf>) -> Result<Graph, Failure> {
    Ok(journal::open_current(db)?.graph)
}

fn print_diags(diags: &[data::Diag]) {
    for d in diags {
        stderrln!("{d}");
    }
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    let Some(command) = cli.command else {
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return repl::run(cli.db);
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
            let n = data::export(&ds, &dir)
                .map_err(|e| Failure::user(format!("cannot write to {}: {e}", dir.display())))?;
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
            let (ds, meta) = store.load()?;
            let graph = Graph::build(ds);
            stdout!(
                "{}",
                stats_text(&graph, &store, &meta.label, meta.generation)
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
            output,
            format,
        } => {
            let graph = open_graph(&cli.db)?;
            let chain = resolve_one(&graph, &chain, &[Kind::Chain])?;
            let place = match place {
                Some(p) => Some(resolve_one(&graph, &p, &[Kind::Park, Kind::Region])?),
                None => None,
            };
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
                        "--format {f} does not match the output file's extension .{ext}: drop --format, or name the file .{f}"
                    )));
                }
                (Some(f), _) => f,
                (None, Some(ext)) => ext,
                (None, None) => "svg".into(),
            };
            let picture = crate::draw::layout(&graph, chain, place);
            let text = match format.as_str() {
                "svg" => crate::draw::to_svg(&picture),
                "dot" | "gv" => crate::draw::to_dot(&picture),
                other => {
                    return Err(Failure::user(format!(
                        "cannot draw as `{other}`: use svg or dot (--format, or an output file ending in .svg or .dot)"
                    )));
                }
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, text).map_err(|e| {
                        Failure::user(format!("cannot write {}: {e}", path.display()))
                    })?;
                    stderrln!(
                        "wrote {} ({} segments)",
                        path.display(),
                        picture.boxes.len()
                    );
                }
                None => stdout!("{text}"),
            }
            Ok(())
        }
        Command::Repl => repl::run(cli.db),
        Command::Journal(cmd) => journal::run(&cli.db, cmd),
        Command::Targets(args) => {
            let cur = journal::open_current(&cli.db)?;
            let prospects: Vec<_> = cur.applied.prospects.values().cloned().collect();
            targets::run_targets(&cur.graph, &prospects, args)
        }
        Command::Route(args) => targets::run_route(&open_graph(&cli.db)?, args),
        Command::Intake(args) => crate::intake::run_cli(args).map_err(Failure::user),
        Command::Query(args) => {
            let graph = open_graph(&cli.db)?;
            query::run(&graph, args)
        }
        Command::Gen {
            enterprises,
            seed,
            dir,
            force,
        } => {
            // A data folder's curated seeds must not be replaced by synthetic ones by a slip.
            prepare_export_dir(&dir, force)?;
            crate::synth::generate(&dir, enterprises, seed)
                .map_err(|e| Failure::user(format!("cannot write {}: {e}", dir.display())))?;
            stdoutln!(
                "wrote a synthetic data folder with {enterprises} enterprises to {}",
                dir.display()
            );
            Ok(())
        }
    }
}

/// What `draw` writes for a --format or file extension: SVG, or Graphviz DOT (`.dot`, `.gv`).
fn draw_format(name: &str) -> Option<&'static str> {
    match name {
        "svg" => Some("svg"),
        "dot" | "gv" => Some("dot"),
        _ => None,
    }
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
    let loaded = data::load(paths, encoding).map_err(Failure::user);
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
                .map_err(|e| Failure::user(format!("cannot remove {}: {e}", f.display())))?;
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

fn stats_text(graph: &Graph, store: &Store, label: &str, generation: u64) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "database   {}", store.path().display());
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
