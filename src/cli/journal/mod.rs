//! The planning-session commands: writes to the journal (`project move|add`, `prospect
//! add|move`, `firm add`, `note`), the queries over it (`project list`, `prospect list`,
//! `history`, `journal`), and `snapshot save|list` and `diff`. Also what `import`, `export` and
//! `check --store` do with the journal. Every write — from the command line, a REPL dot-command
//! or a write statement of the query language (`LangWriter`, the `query::Writer`) — is checked
//! by `prepare` and recorded by `perform`.

mod commands;
mod store;
mod write;

pub use commands::*;
pub use store::*;
pub use write::*;

use super::{Failure, open_store, resolve_one};
use crate::graph::Graph;
use crate::journal::log::{self, JournalError};
use crate::journal::snapshot::{self, SnapshotError};
use crate::journal::{self, Applied, Change, Event};
use crate::lang::Lang;
use crate::model::{Attrs, Dataset, Kind};
use crate::query::QueryError;
use crate::query::ast::{self, AddKind, WriteAction};
use crate::report::{Table, Value};
use crate::store::{Meta, Store};
use crate::tr;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug, Clone)]
pub struct WriteArgs {
    /// 谁做的改动（默认：操作系统用户）。
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: Option<String>,
    /// 改动的理由（记入日志）。
    #[arg(long, default_value = "")]
    pub reason: String,
}

#[derive(Subcommand, Debug)]
pub enum JournalCommand {
    /// 项目闭环管理：推进项目状态（move）、记下会上新项目（add）、按状态列出项目（list）。
    Project {
        #[command(subcommand)]
        cmd: ProjectCmd,
    },
    /// 客商库：把企业放进某地某链的客商库（add）、推进阶段或记录联系（move）、列出（list）。
    Prospect {
        #[command(subcommand)]
        cmd: ProspectCmd,
    },
    /// 企业：记下会上遇到的新企业（add）。
    Firm {
        #[command(subcommand)]
        cmd: FirmCmd,
    },
    /// 给任一实体加备注（记入日志）。
    Note {
        /// 实体的 id 或名称。
        entity: String,
        text: String,
        /// 只在这一类实体中找（region, park, industry, chain, segment, enterprise, project）。
        #[arg(long)]
        kind: Option<String>,
        #[command(flatten)]
        w: WriteArgs,
    },
    /// 一个实体的变更历史（日志中关于它的事件）。
    History {
        entity: String,
        #[arg(long)]
        kind: Option<String>,
    },
    /// 日志中的全部事件（或 --since N 之后的）。
    Journal {
        #[arg(long, default_value_t = 0)]
        since: u64,
    },
    /// 快照：保存当前状态（save NAME）、列出已保存的（list）。
    Snapshot {
        #[command(subcommand)]
        cmd: SnapshotCmd,
    },
    /// 比较快照 NAME 与 NAME2（默认：现在）：环节状态、企业与项目增减、项目状态、客商库，各附来源。
    Diff {
        name: String,
        name2: Option<String>,
        /// 写会前简报（.md：一页；.xlsx：简报、全部变化与说明三张表），或把全部变化写成 .csv / .json。
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProjectCmd {
    /// 沿闭环推进项目状态（规划 → 推介 → 在谈 → 签约 → 履约 → 开工 → 在建 → 投产；停工 → 复工）。
    Move {
        project: String,
        status: String,
        #[command(flatten)]
        w: WriteArgs,
    },
    /// 记下会上遇到的项目（来源记为“会议 DATE”）。
    Add {
        name: String,
        #[arg(long = "in", value_name = "PLACE")]
        place: String,
        /// 建设的环节，以 ; 或 , 分隔。
        #[arg(long, value_delimiter = ';', num_args = 1..)]
        segments: Vec<String>,
        #[arg(long, default_value = "")]
        status: String,
        /// 会议日期 YYYY-MM-DD（默认：今天）。
        #[arg(long)]
        meeting: Option<String>,
        #[command(flatten)]
        w: WriteArgs,
    },
    /// 按闭环状态列出项目，附个数与投资额合计。
    List {
        #[arg(long = "in", value_name = "PLACE")]
        place: Option<String>,
        #[arg(long)]
        status: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProspectCmd {
    /// 把企业放进某地某条产业链的客商库。
    Add {
        firm: String,
        #[arg(long = "in", value_name = "PLACE")]
        place: String,
        #[arg(long)]
        chain: String,
        #[arg(long, default_value = "目标")]
        stage: String,
        #[command(flatten)]
        c: ContactArgs,
        #[command(flatten)]
        w: WriteArgs,
    },
    /// 推进客商库中企业的阶段（目标 → 已接洽 → 已考察 → 在谈 → 已签约 → 已落地），或在同一阶段记录联系。
    Move {
        firm: String,
        stage: String,
        /// 地点（企业只在一处客商库中时可不写）。
        #[arg(long = "in", value_name = "PLACE")]
        place: Option<String>,
        /// 产业链（企业只在一处客商库中时可不写）。
        #[arg(long)]
        chain: Option<String>,
        #[command(flatten)]
        c: ContactArgs,
        #[command(flatten)]
        w: WriteArgs,
    },
    /// 列出客商库：阶段、距上次联系天数、责任单位。
    List {
        #[arg(long = "in", value_name = "PLACE")]
        place: Option<String>,
        #[arg(long)]
        chain: Option<String>,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct ContactArgs {
    /// 联系日期 YYYY-MM-DD（默认：今天）。
    #[arg(long)]
    pub date: Option<String>,
    /// 联系记录。
    #[arg(long, default_value = "")]
    pub contact: String,
    /// 责任单位（链长 / 责任单位）。
    #[arg(long, default_value = "")]
    pub responsible: String,
}

#[derive(Subcommand, Debug)]
pub enum FirmCmd {
    /// 记下会上遇到的企业（来源记为“会议 DATE”）。
    Add {
        name: String,
        #[arg(long = "in", value_name = "PLACE")]
        place: String,
        /// 生产的环节，以 ; 或 , 分隔。
        #[arg(long, value_delimiter = ';', num_args = 1..)]
        segments: Vec<String>,
        #[arg(long)]
        meeting: Option<String>,
        #[command(flatten)]
        w: WriteArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum SnapshotCmd {
    /// 保存当前状态为快照 NAME（同名则替换）。快照记下客商库所涉各地各链目标名单的前 N 名，
    /// 以及 --targets CHAIN --in PLACE 指定的名单，供 diff 比较进出。
    Save {
        name: String,
        /// 另记这条产业链的目标名单（与 --in 同用）。
        #[arg(long, value_name = "CHAIN", requires = "place")]
        targets: Option<String>,
        #[arg(long = "in", value_name = "PLACE", requires = "targets")]
        place: Option<String>,
        /// 目标名单记前几名。
        #[arg(long, default_value_t = snapshot::DEFAULT_TOP)]
        top: usize,
    },
    /// 列出已保存的快照。
    List,
}

impl From<JournalError> for Failure {
    fn from(e: JournalError) -> Failure {
        match e {
            JournalError::Store(s) => s.into(),
            JournalError::Csv { .. } => Failure::user(e.to_string()),
            other => Failure::internal(other.to_string()),
        }
    }
}

impl From<SnapshotError> for Failure {
    fn from(e: SnapshotError) -> Failure {
        match e {
            SnapshotError::Store(s) => s.into(),
            SnapshotError::Io { .. } => Failure::internal(e.to_string()),
            other => Failure::user(other.to_string()),
        }
    }
}

/// The current state: the live generation with the journal applied.
pub struct Current {
    pub graph: Graph,
    pub applied: Applied,
    pub events: Vec<Event>,
    pub meta: Meta,
}

/// Load the live generation and the journal from an open store, and apply the journal. Events
/// that could not be applied are announced on stderr (and listed by `check --store`).
pub fn load_current(store: &Store) -> Result<Current, Failure> {
    // The edges stay in their stored chunks until the graph decodes them into its lists; the
    // journal's own edges (firms and projects it adds) follow them.
    let crate::store::Lean {
        mut ds,
        edges,
        index,
        meta,
    } = store.load_lean()?;
    let events = log::read(store)?;
    let applied = journal::apply(&mut ds, &events);
    if !applied.orphans.is_empty() {
        stderrln!(
            "注意：日志中有 {} 条事件未能应用（其实体已不在数据中），详见 chainkb check --store",
            applied.orphans.len()
        );
    }
    Ok(Current {
        graph: Graph::build_from(ds, edges, index)?,
        applied,
        events,
        meta,
    })
}

/// Open the database for reading and load the current state.
pub fn open_current(db: &Option<PathBuf>) -> Result<Current, Failure> {
    let store = open_store(db, false)?;
    load_current(&store)
}

/// How long a write waits for another process to release the database: 10 s, or
/// `CHAINKB_WRITE_WAIT_MS` (milliseconds).
fn write_wait() -> std::time::Duration {
    let ms = std::env::var("CHAINKB_WRITE_WAIT_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(10_000);
    std::time::Duration::from_millis(ms)
}

/// Whether opening failed because another chainkb process holds the database.
fn in_use(f: &Failure) -> bool {
    use crate::store::StoreError::InUse;
    matches!(
        f,
        Failure::Store(InUse(_)) | Failure::Open(crate::open::OpenError::Store(InUse(_)))
    )
}

/// Open the database for a write: it must exist and hold data (the default database is rebuilt
/// from the bundled data and takes no writes). Two writers never interleave: the second waits
/// for the first's exclusive lock (`write_wait`), and gives up with a clear error after that.
fn open_for_write(db: &Option<PathBuf>) -> Result<Store, Failure> {
    if db.is_none() {
        return Err(Failure::user(
            "写操作需要 --db PATH（或 CHAINKB_DB）：默认数据库总是内置的种子数据，不记录改动",
        ));
    }
    // Another write or an import holds the database: wait for it (a write takes well under a
    // second), then say so and record nothing.
    let wait = write_wait();
    let start = std::time::Instant::now();
    let store = loop {
        // Opened for reading first: a missing database is an error here, not created.
        let attempt = open_store(db, false).and_then(|s| {
            drop(s);
            open_store(db, true)
        });
        match attempt {
            Ok(s) => break s,
            Err(f) if in_use(&f) && start.elapsed() < wait => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(f) if in_use(&f) => {
                let path = db.as_deref().unwrap_or(Path::new("")).display().to_string();
                let secs = wait.as_secs_f64();
                return Err(Failure::environment(tr!(
                    lang(),
                    "数据库 {path} 正被另一个 chainkb 进程使用（另一次写入、导入或查询），等了 {secs} 秒仍未释放：本次改动没有记录，请稍后再试",
                    "database {path} is in use by another chainkb process (a write, an import or a query), still after waiting {secs} s: nothing was recorded; try again shortly"
                )));
            }
            Err(f) => return Err(f),
        }
    };
    if store.meta()?.is_none() {
        return Err(Failure::user(format!(
            "数据库 {} 还没有数据：先 chainkb import DIR --db {}",
            store.path().display(),
            store.path().display()
        )));
    }
    Ok(store)
}

fn kinds(kind: &Option<String>) -> Result<Vec<Kind>, Failure> {
    Ok(match kind {
        Some(k) => vec![super::parse_kind(k)?],
        None => Kind::ALL.to_vec(),
    })
}

/// `名称（id）`, or the id when the name is the id.
fn label(graph: &Graph, node: u32) -> String {
    let n = graph.node(node);
    if n.name() == &*n.id {
        n.id.to_string()
    } else {
        format!("{}（{}）", n.name(), n.id)
    }
}

fn label_id(graph: &Graph, kinds: &[Kind], id: &str) -> String {
    graph
        .names
        .lookup(&graph.ds.nodes, id, kinds)
        .into_iter()
        .find(|&i| &*graph.node(i).id == id)
        .map_or_else(|| id.to_string(), |i| label(graph, i))
}

const PLACES: [Kind; 2] = [Kind::Park, Kind::Region];

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ").trim().to_string()
}

thread_local! {
    /// The words of a REPL meta command being run (the process's arguments are not).
    static REPL_WORDS: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// The command line a write was asked with, as recorded in the journal.
fn statement() -> String {
    let args: Vec<String> = REPL_WORDS
        .with(|w| w.borrow().clone())
        .unwrap_or_else(|| std::env::args().skip(1).collect());
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        // The database path is where the journal lives, not what was said.
        if a == "--db" {
            skip = true;
            continue;
        }
        if a.starts_with("--db=") {
            continue;
        }
        out.push(if a.is_empty() || a.contains([' ', '"', '\'']) {
            format!("\"{}\"", a.replace('"', "\\\""))
        } else {
            a
        });
    }
    format!("chainkb {}", one_line(&out.join(" ")))
}

fn event(who: Option<&str>, reason: &str, statement: String, now: &str, change: Change) -> Event {
    Event {
        seq: 0,
        time: now.to_string(),
        who: journal::who(who),
        statement,
        reason: one_line(reason),
        change,
    }
}

/// The line that says what an event recorded (`已记录 #N（who，time）：…`).
fn recorded_line(graph: &Graph, e: &Event, lang: Lang) -> String {
    tr!(
        lang,
        "已记录 #{}（{}，{}）：{}",
        "recorded #{} ({}, {}): {}",
        e.seq,
        e.who,
        e.time,
        describe(graph, &e.change)
    )
}

/// `Change::describe` with names beside ids.
fn describe(graph: &Graph, c: &Change) -> String {
    let mut s = c.describe();
    for (k, id) in c.entities() {
        let kinds: Vec<Kind> = k.map_or(PLACES.to_vec(), |k| vec![k]);
        let l = label_id(graph, &kinds, id);
        if l != id {
            s = s.replacen(id, &l, 1);
        }
    }
    s
}

/// The language of the command being run.
fn lang() -> Lang {
    super::NOTICE_LANG.get().copied().unwrap_or_default()
}

fn now() -> Result<String, Failure> {
    journal::now().map_err(Failure::user)
}
