//! The planning-session commands: writes to the journal (`project move|add`, `prospect
//! add|move`, `firm add`, `note`), the queries over it (`project list`, `prospect list`,
//! `history`, `journal`), and `snapshot save|list` and `diff`. Also what `import`, `export` and
//! `check --store` do with the journal. Every write — from the command line, a REPL dot-command
//! or a write statement of the query language (`LangWriter`, the `query::Writer`) — is checked
//! by `prepare` and recorded by `perform`.

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
    let (mut ds, meta) = store.load()?;
    let events = log::read(store)?;
    let applied = journal::apply(&mut ds, &events);
    if !applied.orphans.is_empty() {
        stderrln!(
            "注意：日志中有 {} 条事件未能应用（其实体已不在数据中），详见 chainkb check --store",
            applied.orphans.len()
        );
    }
    Ok(Current {
        graph: Graph::build(ds),
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

// ------------------------------------------------------------------------------------ writes

/// A write, as the command line (`project move`, `prospect add|move`, `firm add`, `project add`,
/// `note`) and the query language (`move project …`, `add prospect …`, …) both say it. Both go
/// through `prepare` (checked against the current state) and `perform` (recorded), so the two
/// cannot drift.
#[derive(Clone, Debug)]
pub enum Write {
    /// Move a project along its closed loop.
    ProjectMove { project: String, status: String },
    /// A firm (`Kind::Enterprise`) or a project met in a meeting.
    Add {
        kind: Kind,
        name: String,
        place: String,
        segments: Vec<String>,
        status: String,
        meeting: Option<String>,
    },
    /// Put a firm into a 客商库 (`adding`), or move its entry on. A move may leave out the place
    /// and chain when the firm is in one 客商库 only.
    Prospect {
        firm: String,
        place: Option<String>,
        chain: Option<String>,
        stage: Option<String>,
        c: ContactArgs,
        adding: bool,
    },
    Note {
        entity: String,
        kinds: Vec<Kind>,
        text: String,
    },
}

/// What part of a write an error is about (the language underlines it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// The project, firm, entity or new name.
    Subject,
    Place,
    Chain,
    /// The n-th segment of `add`.
    Segment(usize),
    /// The status or stage.
    Value,
    Date,
    Other,
}

/// A write the current state does not allow, or a name it does not know.
#[derive(Debug)]
pub struct WriteError {
    pub arg: Arg,
    pub message: String,
}

impl From<WriteError> for Failure {
    fn from(e: WriteError) -> Failure {
        Failure::user(e.message)
    }
}

fn werr(arg: Arg, message: String) -> WriteError {
    WriteError { arg, message }
}

/// Look `name` up among `kinds`: one node, or an error in `lang` with "did you mean".
fn resolve(g: &Graph, name: &str, kinds: &[Kind], arg: Arg, lang: Lang) -> Result<u32, WriteError> {
    let hits = g.names.lookup(&g.ds.nodes, name, kinds);
    let what: Vec<&str> = kinds.iter().map(|k| k.label_zh()).collect();
    let what = what.join("/");
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => {
            if let Some(other) = g.other_kinds(name, kinds) {
                // What the name is, in Chinese: 环节 (锂电池、…) / 园区 (id).
                let zh: Vec<String> = g
                    .names
                    .lookup(&g.ds.nodes, name, &[])
                    .iter()
                    .map(|&n| {
                        let chains: Vec<&str> = g
                            .segment_chains(n)
                            .iter()
                            .map(|&c| g.node(c).name())
                            .collect();
                        if g.node(n).kind == Kind::Segment && !chains.is_empty() {
                            format!("环节（属于 {}）", chains.join("、"))
                        } else {
                            format!("{}（{}）", g.node(n).kind.label_zh(), g.node(n).id)
                        }
                    })
                    .collect();
                let zh = zh.join("、");
                return Err(werr(
                    arg,
                    tr!(
                        lang,
                        "`{name}` 是{zh}，不是{what}",
                        "`{name}` is {other}, not a {what}"
                    ),
                ));
            }
            let sugg = g.names.suggest(&g.ds.nodes, name, kinds, 5);
            Err(werr(
                arg,
                match lang {
                    Lang::Zh => format!(
                        "没有名为 `{name}` 的{what}{}",
                        crate::query::error::did_you_mean_zh(&sugg)
                    ),
                    Lang::En => format!(
                        "no {what} named `{name}`{}",
                        crate::names::did_you_mean(&sugg)
                    ),
                },
            ))
        }
        many => {
            let ids: Vec<String> = many
                .iter()
                .map(|&i| format!("`{}`", g.node(i).id))
                .collect();
            let ids = ids.join("、");
            Err(werr(
                arg,
                tr!(
                    lang,
                    "`{name}` 指多个：{ids}；请用 id",
                    "`{name}` names several: {ids}; use the id"
                ),
            ))
        }
    }
}

fn loop_list() -> String {
    journal::loop_statuses().collect::<Vec<_>>().join("、")
}

fn date_of(d: &Option<String>, now: &str, lang: Lang) -> Result<String, WriteError> {
    match d {
        None => Ok(now.get(..10).unwrap_or("").to_string()),
        Some(d) if journal::parse_date(d.trim()).is_some() => Ok(d.trim().to_string()),
        Some(d) => Err(werr(
            Arg::Date,
            tr!(
                lang,
                "日期 `{d}` 无效：应为 YYYY-MM-DD，例如 2026-12-06",
                "date `{d}` is not valid: write YYYY-MM-DD, e.g. 2026-12-06"
            ),
        )),
    }
}

/// A chain by name; a segment of exactly one chain stands for that chain (with a note).
fn resolve_chain(
    g: &Graph,
    name: &str,
    lang: Lang,
    notes: &mut Vec<String>,
) -> Result<u32, WriteError> {
    match resolve(g, name, &[Kind::Chain], Arg::Chain, lang) {
        Ok(c) => Ok(c),
        Err(e) => {
            let seg = g.names.lookup(&g.ds.nodes, name, &[Kind::Segment]);
            match (seg.as_slice(), seg.first().map(|&s| g.segment_chains(s))) {
                ([s], Some([c])) => {
                    notes.push(tr!(
                        lang,
                        "环节 {} 属于产业链 {}：记入该链的客商库",
                        "segment {} is in chain {}: the 客商库 of that chain is meant",
                        label(g, *s),
                        label(g, *c)
                    ));
                    Ok(*c)
                }
                _ => Err(e),
            }
        }
    }
}

/// Check `w` against the current state: the change to record, and what to point out.
pub fn prepare(
    cur: &Current,
    w: &Write,
    now: &str,
    lang: Lang,
) -> Result<(Change, Vec<String>), WriteError> {
    let g = &cur.graph;
    let mut notes = Vec::new();
    let change = match w {
        Write::ProjectMove { project, status } => {
            let node = resolve(g, project, &[Kind::Project], Arg::Subject, lang)?;
            let from = cur.applied.status_of(&g.ds, node);
            let allowed = journal::allowed_moves(&from);
            let Some(to) = journal::parse_loop_status(status) else {
                let all = loop_list();
                return Err(werr(
                    Arg::Value,
                    tr!(
                        lang,
                        "`{status}` 不是闭环状态；状态有：{all}",
                        "`{status}` is not a status of the closed loop; the statuses are: {all}"
                    ),
                ));
            };
            if !allowed.contains(&to) {
                let (p, allowed) = (label(g, node), allowed.join("、"));
                return Err(werr(
                    Arg::Value,
                    match (lang, allowed.is_empty()) {
                        (Lang::Zh, true) => format!(
                            "项目 {p} 现为 {from}，闭环不允许直接改为 {to}；可改为：无（已是终点）"
                        ),
                        (Lang::Zh, false) => format!(
                            "项目 {p} 现为 {from}，闭环不允许直接改为 {to}；可改为：{allowed}"
                        ),
                        (Lang::En, true) => format!(
                            "project {p} is at {from}, the end of the closed loop: it cannot move to {to}"
                        ),
                        (Lang::En, false) => format!(
                            "project {p} is at {from}; the closed loop does not go straight to {to}; it may move to: {allowed}"
                        ),
                    },
                ));
            }
            Change::ProjectStatus {
                project: g.node(node).id.to_string(),
                from,
                to: to.to_string(),
            }
        }
        Write::Add {
            kind,
            name,
            place,
            segments,
            status,
            meeting,
        } => {
            let name = one_line(name);
            if name.is_empty() {
                return Err(werr(
                    Arg::Subject,
                    tr!(lang, "名称是空的", "the name is empty"),
                ));
            }
            let status = if status.is_empty() {
                ""
            } else {
                journal::parse_loop_status(status).ok_or_else(|| {
                    let all = loop_list();
                    werr(
                        Arg::Value,
                        tr!(
                            lang,
                            "`{status}` 不是闭环状态；状态有：{all}",
                            "`{status}` is not a status of the closed loop; the statuses are: {all}"
                        ),
                    )
                })?
            };
            let meeting = date_of(meeting, now, lang)?;
            if let Some(&e) = g.names.lookup(&g.ds.nodes, &name, &[*kind]).first() {
                let (k, l) = (kind.label_zh(), label(g, e));
                return Err(werr(
                    Arg::Subject,
                    tr!(
                        lang,
                        "已有{k} {l}：不必新增（可用备注给它加备注：chainkb note 或 备注 …）",
                        "there is already a {k} {l}: nothing to add (a note can be attached to it)"
                    ),
                ));
            }
            let place = resolve(g, place, &PLACES, Arg::Place, lang)?;
            let mut segs = Vec::new();
            for (i, s) in segments
                .iter()
                .flat_map(|s| s.split([',', '，', '、']))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .enumerate()
            {
                segs.push(
                    g.node(resolve(g, s, &[Kind::Segment], Arg::Segment(i), lang)?)
                        .id
                        .to_string(),
                );
            }
            if segs.is_empty() {
                return Err(werr(
                    Arg::Other,
                    tr!(
                        lang,
                        "请写明环节，例如 --segments 正极材料（语句中：生产 正极材料）",
                        "name the segments, e.g. --segments 正极材料 (in a statement: makes 正极材料)"
                    ),
                ));
            }
            let place = g.node(place).id.to_string();
            if *kind == Kind::Project {
                Change::AddProject {
                    id: name,
                    place,
                    segments: segs,
                    status: status.to_string(),
                    meeting,
                }
            } else {
                Change::AddFirm {
                    id: name,
                    place,
                    segments: segs,
                    meeting,
                }
            }
        }
        Write::Prospect {
            firm,
            place,
            chain,
            stage,
            c,
            adding,
        } => {
            let stage_text = stage.as_deref().unwrap_or("目标");
            let Some(stage) = journal::parse_stage(stage_text) else {
                let all = journal::PROSPECT_STAGES.join(" → ");
                return Err(werr(
                    Arg::Value,
                    tr!(
                        lang,
                        "`{stage_text}` 不是客商库阶段；阶段有：{all}",
                        "`{stage_text}` is not a stage of the 客商库; the stages are: {all}"
                    ),
                ));
            };
            let date = date_of(&c.date, now, lang)?;
            let firm_n = resolve(g, firm, &[Kind::Enterprise], Arg::Subject, lang)?;
            let place_n = match place {
                Some(p) => Some(resolve(g, p, &PLACES, Arg::Place, lang)?),
                None => None,
            };
            let chain_n = match chain {
                Some(c) => Some(resolve_chain(g, c, lang, &mut notes)?),
                None => None,
            };
            let firm_id = g.node(firm_n).id.to_string();
            // The entry meant: the one with the place and chain given, or the firm's only one.
            let (place_n, chain_n) = match (place_n, chain_n, adding) {
                (Some(p), Some(c), _) => (p, c),
                (None, _, true) | (_, None, true) => {
                    return Err(werr(
                        Arg::Other,
                        tr!(
                            lang,
                            "加入客商库要写明地点和产业链（--in PLACE --chain CHAIN；语句中：在 PLACE 链 CHAIN）",
                            "a 客商库 entry needs a place and a chain (--in PLACE --chain CHAIN; in a statement: in PLACE chain CHAIN)"
                        ),
                    ));
                }
                (p, c, false) => {
                    let theirs: Vec<&journal::Prospect> = cur
                        .applied
                        .prospects
                        .values()
                        .filter(|e| e.firm == firm_id)
                        .filter(|e| p.is_none_or(|p| *g.node(p).id == *e.place))
                        .filter(|e| c.is_none_or(|c| *g.node(c).id == *e.chain))
                        .collect();
                    let at = |e: &journal::Prospect| {
                        format!(
                            "{} · {}",
                            label_id(g, &PLACES, &e.place),
                            label_id(g, &[Kind::Chain], &e.chain)
                        )
                    };
                    match theirs.as_slice() {
                        [one] => (
                            resolve(g, &one.place, &PLACES, Arg::Place, lang)?,
                            resolve(g, &one.chain, &[Kind::Chain], Arg::Chain, lang)?,
                        ),
                        [] => {
                            let f = label(g, firm_n);
                            return Err(werr(
                                Arg::Subject,
                                tr!(
                                    lang,
                                    "{f} 不在{}客商库中：先加入（chainkb prospect add，或 新增 客商 …）",
                                    "{f} is not in the 客商库{}: add it first (chainkb prospect add, or add prospect …)",
                                    match (p, c) {
                                        (None, None) => String::new(),
                                        _ => format!(
                                            " {} {} ",
                                            p.map_or(String::new(), |p| label(g, p)),
                                            c.map_or(String::new(), |c| label(g, c))
                                        ),
                                    }
                                ),
                            ));
                        }
                        many => {
                            let f = label(g, firm_n);
                            let list: Vec<String> = many.iter().map(|e| at(e)).collect();
                            let list = list.join("、");
                            return Err(werr(
                                Arg::Subject,
                                tr!(
                                    lang,
                                    "{f} 在多处客商库中（{list}）：请写明地点和产业链",
                                    "{f} is in several 客商库 ({list}): name the place and the chain"
                                ),
                            ));
                        }
                    }
                }
            };
            let (place_id, chain_id) = (
                g.node(place_n).id.to_string(),
                g.node(chain_n).id.to_string(),
            );
            let key = (place_id.clone(), chain_id.clone(), firm_id.clone());
            let old = cur.applied.prospects.get(&key);
            let (f, p, ch) = (label(g, firm_n), label(g, place_n), label(g, chain_n));
            let from = match (old, adding) {
                (Some(o), true) => {
                    let st = &o.stage;
                    return Err(werr(
                        Arg::Subject,
                        tr!(
                            lang,
                            "{f} 已在 {p} {ch} 的客商库中（阶段 {st}）：推进阶段用 chainkb prospect move（或 推进 客商 …）",
                            "{f} is already in the 客商库 of {p} {ch} (stage {st}): move it on with chainkb prospect move (or move prospect …)"
                        ),
                    ));
                }
                (None, false) => {
                    return Err(werr(
                        Arg::Subject,
                        tr!(
                            lang,
                            "{f} 不在 {p} {ch} 的客商库中：先加入（chainkb prospect add，或 新增 客商 …）",
                            "{f} is not in the 客商库 of {p} {ch}: add it first (chainkb prospect add, or add prospect …)"
                        ),
                    ));
                }
                (Some(o), false) => {
                    let allowed = journal::allowed_stages(&o.stage);
                    if !allowed.contains(&stage) {
                        let (st, allowed) = (&o.stage, allowed.join("、"));
                        return Err(werr(
                            Arg::Value,
                            tr!(
                                lang,
                                "{f} 现为 {st}，客商库阶段只能向前：可改为 {allowed}",
                                "{f} is at {st}; a 客商库 entry only moves forward: to {allowed}"
                            ),
                        ));
                    }
                    o.stage.clone()
                }
                (None, true) => String::new(),
            };
            if *adding {
                // A 客商库 is kept for a chain's gaps: say so when the firm makes none of them here.
                let gap_made = g.chain_segments(chain_n).iter().any(|&s| {
                    g.state(place_n, s) != crate::graph::SegmentState::Present
                        && g.cols.produced(firm_n).contains(&s)
                });
                if !gap_made {
                    notes.push(tr!(
                        lang,
                        "{f} 不生产 {ch} 在 {p} 缺失或规划中的环节（仍已加入客商库）",
                        "{f} makes none of the segments of {ch} missing or planned in {p} (added to the 客商库 all the same)"
                    ));
                }
            }
            Change::Prospect {
                firm: firm_id,
                place: place_id,
                chain: chain_id,
                from,
                stage: stage.to_string(),
                date,
                contact: one_line(&c.contact),
                responsible: one_line(&c.responsible),
            }
        }
        Write::Note {
            entity,
            kinds,
            text,
        } => {
            let text = one_line(text);
            if text.is_empty() {
                return Err(werr(
                    Arg::Other,
                    tr!(
                        lang,
                        "备注是空的：请写下备注内容",
                        "the note is empty: write what it says"
                    ),
                ));
            }
            let node = resolve(g, entity, kinds, Arg::Subject, lang)?;
            let n = g.node(node);
            Change::Note {
                entity_kind: n.kind.as_str().to_string(),
                id: n.id.to_string(),
                text,
            }
        }
    };
    Ok((change, notes))
}

/// Why a write was not recorded.
#[derive(Debug)]
pub enum PerformError {
    /// The write itself (a name, a status, a move the loop does not allow).
    Write(WriteError),
    /// Opening the database or the journal.
    Failure(Failure),
}

impl From<Failure> for PerformError {
    fn from(f: Failure) -> PerformError {
        PerformError::Failure(f)
    }
}

impl From<JournalError> for PerformError {
    fn from(e: JournalError) -> PerformError {
        PerformError::Failure(e.into())
    }
}

impl From<PerformError> for Failure {
    fn from(e: PerformError) -> Failure {
        match e {
            PerformError::Write(w) => w.into(),
            PerformError::Failure(f) => f,
        }
    }
}

/// A recorded write: the events as stored, what to point out, and the store (still open for
/// writing), to read the new state from.
pub struct Done {
    pub stored: Vec<Event>,
    pub lines: Vec<String>,
    pub notes: Vec<String>,
    pub store: Store,
}

/// Check and record a write: open the database for writing (waiting for another writer, see
/// `open_for_write`), load the current state, `prepare`, append to the journal (durable before
/// this returns).
pub fn perform(
    db: &Option<PathBuf>,
    w: &Write,
    who: Option<&str>,
    reason: &str,
    statement: String,
    lang: Lang,
) -> Result<Done, PerformError> {
    let now = now()?;
    let store = open_for_write(db)?;
    let cur = load_current(&store)?;
    let (change, notes) = prepare(&cur, w, &now, lang).map_err(PerformError::Write)?;
    let stored = log::append(&store, vec![event(who, reason, statement, &now, change)])?;
    let lines = stored
        .iter()
        .map(|e| recorded_line(&cur.graph, e, lang))
        .collect();
    Ok(Done {
        stored,
        lines,
        notes,
        store,
    })
}

/// A write from the command line: recorded, and said on stdout (notes on stderr).
fn perform_cli(db: &Option<PathBuf>, w: Write, args: &WriteArgs) -> Result<(), Failure> {
    let done = perform(
        db,
        &w,
        args.as_name.as_deref(),
        &args.reason,
        statement(),
        lang(),
    )?;
    let lang = lang();
    for n in &done.notes {
        stderrln!("{}{n}", tr!(lang, "注意：", "note: "));
    }
    for l in &done.lines {
        stdoutln!("{l}");
    }
    Ok(())
}

/// The query language's writes (`move project …`, `add prospect …`, `add firm …`, `note …`)
/// recorded in the journal of `db`, through `perform` like the command line's.
pub struct LangWriter<'a> {
    db: &'a Option<PathBuf>,
}

impl<'a> LangWriter<'a> {
    pub fn new(db: &'a Option<PathBuf>) -> LangWriter<'a> {
        LangWriter { db }
    }
}

/// The write the language's `w` says.
fn from_ast(w: &ast::Write) -> Write {
    let t = |n: &ast::Name| n.text.clone();
    let opt = |n: &Option<ast::Name>| n.as_ref().map(t);
    match &w.action {
        WriteAction::MoveProject { project, to } => Write::ProjectMove {
            project: t(project),
            status: t(to),
        },
        WriteAction::AddProspect { firm, opts } | WriteAction::MoveProspect { firm, opts, .. } => {
            let (stage, adding) = match &w.action {
                WriteAction::MoveProspect { to, .. } => (Some(t(to)), false),
                _ => (opt(&opts.stage), true),
            };
            Write::Prospect {
                firm: t(firm),
                place: opt(&opts.place),
                chain: opt(&opts.chain),
                stage,
                c: ContactArgs {
                    date: opt(&opts.date),
                    contact: opt(&opts.contact).unwrap_or_default(),
                    responsible: opt(&opts.responsible).unwrap_or_default(),
                },
                adding,
            }
        }
        WriteAction::Add {
            kind,
            name,
            place,
            segments,
            status,
            meeting,
        } => Write::Add {
            kind: match kind {
                AddKind::Firm => Kind::Enterprise,
                AddKind::Project => Kind::Project,
            },
            name: t(name),
            place: t(place),
            segments: segments.iter().map(t).collect(),
            status: opt(status).unwrap_or_default(),
            meeting: opt(meeting),
        },
        WriteAction::Note { kind, entity, text } => Write::Note {
            entity: t(entity),
            kinds: kind.map_or(Kind::ALL.to_vec(), |k| vec![k]),
            text: t(text),
        },
    }
}

/// Where in the statement `arg` was written.
fn span_of_arg(w: &ast::Write, arg: Arg) -> ast::Span {
    let name = |n: &ast::Name| n.span;
    let opt = |n: &Option<ast::Name>| n.as_ref().map(|n| n.span);
    let found = match (&w.action, arg) {
        (WriteAction::MoveProject { project, .. }, Arg::Subject) => Some(name(project)),
        (WriteAction::MoveProject { to, .. }, Arg::Value) => Some(name(to)),
        (
            WriteAction::AddProspect { firm, .. } | WriteAction::MoveProspect { firm, .. },
            Arg::Subject,
        ) => Some(name(firm)),
        (WriteAction::MoveProspect { to, .. }, Arg::Value) => Some(name(to)),
        (WriteAction::AddProspect { opts, .. }, Arg::Value) => opt(&opts.stage),
        (WriteAction::AddProspect { opts, .. } | WriteAction::MoveProspect { opts, .. }, a) => {
            match a {
                Arg::Place => opt(&opts.place),
                Arg::Chain => opt(&opts.chain),
                Arg::Date => opt(&opts.date),
                _ => None,
            }
        }
        (
            WriteAction::Add {
                name: n,
                place,
                segments,
                status,
                meeting,
                ..
            },
            a,
        ) => match a {
            Arg::Subject => Some(name(n)),
            Arg::Place => Some(name(place)),
            Arg::Segment(i) => segments.get(i).map(name),
            Arg::Value => opt(status),
            Arg::Date => opt(meeting),
            _ => None,
        },
        (WriteAction::Note { entity, .. }, Arg::Subject) => Some(name(entity)),
        (WriteAction::Note { text, .. }, _) => Some(name(text)),
        _ => None,
    };
    found.unwrap_or(w.span)
}

impl crate::query::Writer for LangWriter<'_> {
    fn write(&mut self, w: &ast::Write, lang: Lang) -> Result<(Table, Graph), QueryError> {
        let clause = w.action.keyword();
        let done = perform(
            self.db,
            &from_ast(w),
            w.who.as_ref().map(|n| n.text.as_str()),
            w.reason.as_ref().map_or("", |n| n.text.as_str()),
            w.to_string(),
            lang,
        )
        .map_err(|e| match e {
            PerformError::Write(e) => {
                QueryError::semantic(clause, e.message.clone(), span_of_arg(w, e.arg))
                    .with_zh(format!("{clause}：{}", e.message))
            }
            PerformError::Failure(f) => {
                let message = f.to_string();
                let e = if crate::error::Blamed::blame(&f) == crate::error::Blame::Bug {
                    QueryError::internal(message.clone())
                } else {
                    QueryError::semantic(clause, message.clone(), ast::Span::default())
                };
                e.with_zh(message)
            }
        })?;
        let cur = load_current(&done.store).map_err(|f| QueryError::internal(f.to_string()))?;
        // Column ids (labelled 日志号, 记录时间, 记录人, 改动 in Chinese by `lang`).
        let mut table = Table::new(&["journal_seq", "recorded_at", "recorded_by", "change"]);
        for e in &done.stored {
            table.rows.push(vec![
                Value::Int(e.seq as i64),
                Value::text(&e.time),
                Value::text(&e.who),
                Value::text(describe(&cur.graph, &e.change)),
            ]);
        }
        table.notes = done.notes;
        Ok((table, cur.graph))
    }
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

pub fn run(db: &Option<PathBuf>, cmd: JournalCommand) -> Result<(), Failure> {
    match cmd {
        JournalCommand::Project { cmd } => project(db, cmd),
        JournalCommand::Prospect { cmd } => prospect(db, cmd),
        JournalCommand::Firm {
            cmd:
                FirmCmd::Add {
                    name,
                    place,
                    segments,
                    meeting,
                    w,
                },
        } => perform_cli(
            db,
            Write::Add {
                kind: Kind::Enterprise,
                name,
                place,
                segments,
                status: String::new(),
                meeting,
            },
            &w,
        ),
        JournalCommand::Note {
            entity,
            text,
            kind,
            w,
        } => {
            let kinds = kinds(&kind)?;
            perform_cli(
                db,
                Write::Note {
                    entity,
                    kinds,
                    text,
                },
                &w,
            )
        }
        JournalCommand::History { entity, kind } => {
            let kinds = kinds(&kind)?;
            let cur = open_current(db)?;
            let node = resolve_one(&cur.graph, &entity, &kinds)?;
            let n = cur.graph.node(node);
            let events = journal::history(&cur.events, n.kind, &n.id);
            stdoutln!("{} {} 的历史：", n.kind.label_zh(), label(&cur.graph, node));
            let r = cur.graph.ds.row(n.row);
            if let Some(file) = cur.graph.ds.files.get(r.file as usize) {
                stdoutln!(
                    "  来源：{}:{} — {}",
                    file,
                    r.line,
                    cur.graph.ds.source(n.row)
                );
            }
            if n.kind == Kind::Project {
                let status = cur.applied.status_of(&cur.graph.ds, node);
                stdoutln!(
                    "  当前状态：{}",
                    if status.is_empty() {
                        "（无）"
                    } else {
                        &status
                    }
                );
            }
            if events.is_empty() {
                stdoutln!("  日志中没有关于它的事件");
            }
            for e in events {
                print_event(&cur, e);
            }
            Ok(())
        }
        JournalCommand::Journal { since } => {
            let cur = open_current(db)?;
            let shown: Vec<&Event> = cur.events.iter().filter(|e| e.seq > since).collect();
            stdoutln!("日志：{} 条事件", shown.len());
            for e in shown {
                print_event(&cur, e);
            }
            Ok(())
        }
        JournalCommand::Snapshot {
            cmd:
                SnapshotCmd::Save {
                    name,
                    targets,
                    place,
                    top,
                },
        } => {
            if top == 0 {
                return Err(Failure::user("--top 至少为 1"));
            }
            let store = open_for_write(db)?;
            let cur = load_current(&store)?;
            let mut lists = Vec::new();
            if let (Some(c), Some(p)) = (&targets, &place) {
                let c = resolve(&cur.graph, c, &[Kind::Chain], Arg::Chain, lang())?;
                let p = resolve(&cur.graph, p, &PLACES, Arg::Place, lang())?;
                lists.push((c, p, top));
            }
            let snap = snapshot::take(
                &name,
                &now()?,
                &cur.meta.label,
                cur.meta.generation,
                &cur.graph,
                &cur.applied,
                &lists,
                top,
            );
            snapshot::save(&store, &snap)?;
            stdoutln!(
                "已保存快照 {name}：数据 第{}代（{}），日志至 #{}；{} 个环节状态、{} 家企业、{} 个项目、客商库 {} 条",
                snap.generation,
                snap.label,
                snap.journal_seq,
                snap.cells.len(),
                snap.firms.len(),
                snap.projects.len(),
                snap.prospects.len()
            );
            Ok(())
        }
        JournalCommand::Snapshot {
            cmd: SnapshotCmd::List,
        } => {
            let store = open_store(db, false)?;
            let snaps = snapshot::list(&store)?;
            if snaps.is_empty() {
                stdoutln!("还没有快照（chainkb snapshot save NAME 保存一个）");
            }
            for s in snaps {
                stdoutln!(
                    "{}  {}  数据 第{}代（{}）  日志至 #{}",
                    s.name,
                    s.time,
                    s.generation,
                    s.label,
                    s.journal_seq
                );
            }
            Ok(())
        }
        JournalCommand::Diff {
            name,
            name2,
            output,
        } => {
            let store = open_store(db, false)?;
            let a = snapshot::load(&store, &name)?;
            let named_b = match &name2 {
                Some(n) => Some(snapshot::load(&store, n)?),
                None => None,
            };
            let cur = load_current(&store)?;
            drop(store);
            let b = match named_b {
                Some(b) => b,
                None => {
                    // The target lists `a` kept, made again now.
                    let g = &cur.graph;
                    let node = |id: &str, kinds: &[Kind]| {
                        g.names
                            .lookup(&g.ds.nodes, id, kinds)
                            .into_iter()
                            .find(|&i| &*g.node(i).id == id)
                    };
                    let lists: Vec<(u32, u32, usize)> = a
                        .targets
                        .iter()
                        .filter_map(|t| {
                            Some((
                                node(&t.chain, &[Kind::Chain])?,
                                node(&t.place, &PLACES)?,
                                t.top,
                            ))
                        })
                        .collect();
                    snapshot::take(
                        "现在",
                        &now()?,
                        &cur.meta.label,
                        cur.meta.generation,
                        g,
                        &cur.applied,
                        &lists,
                        snapshot::DEFAULT_TOP,
                    )
                }
            };
            for t in &a.targets {
                if !b
                    .targets
                    .iter()
                    .any(|x| (&x.place, &x.chain, x.top) == (&t.place, &t.chain, t.top))
                {
                    stderrln!(
                        "注意：{} 没有 {} 在 {} 的目标名单（前{}名），这张名单的进出未比较",
                        b.name,
                        t.chain,
                        t.place,
                        t.top
                    );
                }
            }
            let changes = snapshot::diff(&a, &b, &cur.events, &cur.graph);
            match output {
                Some(path) => {
                    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
                    let (brief, all) = snapshot::brief_tables(&a, &changes);
                    let about = crate::export::About {
                        title: snapshot::brief_title(&a),
                        statement: statement(),
                        data: cur.meta.version(),
                        rows: std::iter::once((
                            "比较".to_string(),
                            snapshot::brief_compared(&a, &b),
                        ))
                        .chain(
                            snapshot::brief_points(&changes)
                                .into_iter()
                                .map(|p| ("要点".to_string(), p)),
                        )
                        .collect(),
                    };
                    let written = match ext.as_deref() {
                        // The one-page brief.
                        Some("md") => crate::export::write_atomically(
                            &path,
                            snapshot::to_brief(&a, &b, &changes).as_bytes(),
                        ),
                        // The brief as a workbook: 会前简报 (each kind's first changes), 全部变化,
                        // and the 说明 sheet with the 要点.
                        Some("xlsx") => crate::export::write_xlsx_sheets(
                            &[
                                crate::export::Sheet {
                                    name: "会前简报".into(),
                                    table: &brief,
                                },
                                crate::export::Sheet {
                                    name: "全部变化".into(),
                                    table: &all,
                                },
                            ],
                            &about,
                            &path,
                        ),
                        // Every change as one table (.csv, .json).
                        _ => crate::export::write_table(&all, &path, "全部变化", &about),
                    };
                    written.map_err(|e| {
                        Failure::user(format!(
                            "{e}（会前简报写成 .md 或 .xlsx；变化表可写成 .csv 或 .json）"
                        ))
                    })?;
                    if matches!(ext.as_deref(), Some("md" | "xlsx")) {
                        stdoutln!(
                            "已写会前简报 {}（{} 项变化）",
                            path.display(),
                            changes.len()
                        );
                    } else {
                        stdoutln!("已写变化表 {}（{} 项变化）", path.display(), changes.len());
                    }
                }
                None => stdout!("{}", snapshot::to_text(&a, &b, &changes)),
            }
            Ok(())
        }
    }
}

fn print_event(cur: &Current, e: &Event) {
    stdoutln!(
        "  #{} {} {}：{}",
        e.seq,
        e.time,
        e.who,
        describe(&cur.graph, &e.change)
    );
    if !e.reason.is_empty() {
        stdoutln!("      理由：{}", e.reason);
    }
    if let Some(o) = cur.applied.orphans.iter().find(|o| o.seq == e.seq) {
        stdoutln!("      未应用：{}", o.what);
    }
}

fn project(db: &Option<PathBuf>, cmd: ProjectCmd) -> Result<(), Failure> {
    match cmd {
        ProjectCmd::Move { project, status, w } => {
            perform_cli(db, Write::ProjectMove { project, status }, &w)
        }
        ProjectCmd::Add {
            name,
            place,
            segments,
            status,
            meeting,
            w,
        } => perform_cli(
            db,
            Write::Add {
                kind: Kind::Project,
                name,
                place,
                segments,
                status,
                meeting,
            },
            &w,
        ),
        ProjectCmd::List { place, status } => {
            let cur = open_current(db)?;
            let g = &cur.graph;
            let within = match &place {
                Some(p) => Some(resolve_one(g, p, &PLACES)?),
                None => None,
            };
            if let Some(s) = &status
                && journal::parse_loop_status(s).is_none()
            {
                return Err(Failure::user(format!(
                    "`{s}` 不是闭环状态；状态有：{}",
                    journal::loop_statuses().collect::<Vec<_>>().join("、")
                )));
            }
            let mut groups: Vec<(String, Vec<u32>)> = journal::loop_statuses()
                .map(|s| (s.to_string(), Vec::new()))
                .collect();
            groups.push((String::new(), Vec::new()));
            for &p in g.nodes_of(Kind::Project) {
                if let Some(w) = within {
                    let located = g
                        .neighbors(
                            p,
                            crate::model::EdgeKind::LocatedIn,
                            petgraph::Direction::Outgoing,
                        )
                        .iter()
                        .any(|&(to, _)| to == w || g.is_within(to, w));
                    if !located {
                        continue;
                    }
                }
                let st = cur.applied.status_of(&g.ds, p);
                if let Some(group) = groups.iter_mut().find(|(s, _)| *s == st) {
                    group.1.push(p);
                }
            }
            let wanted = status.as_deref().and_then(journal::parse_loop_status);
            let mut total = (0usize, 0.0f64);
            for (st, members) in &groups {
                if members.is_empty() || wanted.is_some_and(|w| w != st) {
                    continue;
                }
                let inv: f64 = members.iter().filter_map(|&p| investment(&g.ds, p)).sum();
                total.0 += members.len();
                total.1 += inv;
                stdoutln!(
                    "{}：{} 个，投资额合计 {} 亿元",
                    if st.is_empty() { "（无状态）" } else { st },
                    members.len(),
                    fmt_yi(inv)
                );
                for &p in members {
                    let i = investment(&g.ds, p)
                        .map_or("—".to_string(), |v| format!("{} 亿元", fmt_yi(v)));
                    stdoutln!("  {}  {i}", label(g, p));
                }
            }
            stdoutln!(
                "合计：{} 个项目，投资额 {} 亿元（未写投资额的不计）",
                total.0,
                fmt_yi(total.1)
            );
            Ok(())
        }
    }
}

fn investment(ds: &Dataset, p: u32) -> Option<f64> {
    match &ds.node(p).attrs {
        Attrs::Project(a) => a.investment_yi,
        _ => None,
    }
}

fn fmt_yi(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn prospect(db: &Option<PathBuf>, cmd: ProspectCmd) -> Result<(), Failure> {
    match cmd {
        ProspectCmd::Add {
            firm,
            place,
            chain,
            stage,
            c,
            w,
        } => perform_cli(
            db,
            Write::Prospect {
                firm,
                place: Some(place),
                chain: Some(chain),
                stage: Some(stage),
                c,
                adding: true,
            },
            &w,
        ),
        ProspectCmd::Move {
            firm,
            stage,
            place,
            chain,
            c,
            w,
        } => perform_cli(
            db,
            Write::Prospect {
                firm,
                place,
                chain,
                stage: Some(stage),
                c,
                adding: false,
            },
            &w,
        ),
        ProspectCmd::List { place, chain } => {
            let cur = open_current(db)?;
            let g = &cur.graph;
            let place = match place {
                Some(p) => Some(g.node(resolve_one(g, &p, &PLACES)?).id.to_string()),
                None => None,
            };
            let chain = match chain {
                Some(c) => Some(g.node(resolve_one(g, &c, &[Kind::Chain])?).id.to_string()),
                None => None,
            };
            let today = journal::parse_date(now()?.get(..10).unwrap_or("")).unwrap_or(0);
            let rows: Vec<_> = cur
                .applied
                .prospects
                .values()
                .filter(|p| place.as_ref().is_none_or(|x| *x == p.place))
                .filter(|p| chain.as_ref().is_none_or(|x| *x == p.chain))
                .collect();
            stdoutln!("客商库：{} 条", rows.len());
            for p in rows {
                let days = journal::parse_date(&p.date)
                    .map_or("—".to_string(), |d| format!("{} 天", today - d));
                stdoutln!(
                    "  {} · {} · {}：{}，上次联系 {}（距今 {days}），责任单位 {}{}",
                    label_id(g, &PLACES, &p.place),
                    label_id(g, &[Kind::Chain], &p.chain),
                    label_id(g, &[Kind::Enterprise], &p.firm),
                    p.stage,
                    p.date,
                    if p.responsible.is_empty() {
                        "（未定）"
                    } else {
                        &p.responsible
                    },
                    if p.contact.is_empty() {
                        String::new()
                    } else {
                        format!("，联系：{}", p.contact)
                    }
                );
            }
            Ok(())
        }
    }
}

/// Before an import: read the data folders' `journal.csv` and check that each continues the
/// database's journal, so that a conflict stops the import before anything changed.
pub fn before_import(store: &Store, paths: &[PathBuf]) -> Result<Vec<Event>, Failure> {
    let mut pending = Vec::new();
    for p in paths {
        let file = p.join(log::CSV);
        if p.is_dir() && file.is_file() {
            let events = log::from_csv(&file)?;
            let stored = log::read(store)?;
            for (a, b) in stored.iter().zip(&events) {
                if a != b {
                    return Err(Failure::user(format!(
                        "{}:{}: 事件 #{} 与数据库日志中的同号事件不同；journal.csv 必须是本库日志的延续。未导入任何内容",
                        file.display(),
                        b.seq + 1,
                        b.seq
                    )));
                }
            }
            if events.len() > pending.len() {
                pending = events;
            }
        }
    }
    Ok(pending)
}

/// After an import: bring in the new events of `journal.csv`, then report the events whose
/// entity is gone from the new data.
pub fn after_import(store: &Store, pending: &[Event], ds: &Dataset) -> Result<(), Failure> {
    if !pending.is_empty() {
        let n = log::merge(store, pending)?;
        if n > 0 {
            stdoutln!("从 journal.csv 载入了 {n} 条日志事件");
        }
    }
    let events = log::read(store)?;
    if events.is_empty() {
        return Ok(());
    }
    let mut ds = ds.clone();
    let applied = journal::apply(&mut ds, &events);
    stdoutln!(
        "日志：{} 条事件保留（导入不改变日志），{} 条未能应用",
        events.len(),
        applied.orphans.len()
    );
    print_orphans(&applied);
    Ok(())
}

fn print_orphans(applied: &Applied) {
    for o in &applied.orphans {
        stdoutln!("  日志 #{}：{}", o.seq, o.what);
    }
}

/// `check --store`: the journal's events, and those that cannot be applied to the data.
pub fn check_store(store: &Store) -> Result<(), Failure> {
    let events = log::read(store)?;
    if events.is_empty() {
        return Ok(());
    }
    let (mut ds, _) = store.load()?;
    let applied = journal::apply(&mut ds, &events);
    stdoutln!(
        "日志：{} 条事件，{} 条未能应用",
        events.len(),
        applied.orphans.len()
    );
    print_orphans(&applied);
    if applied.orphans.is_empty() {
        Ok(())
    } else {
        Err(Failure::user(format!(
            "日志中有 {} 条事件的实体已不在数据中（事件保留，未应用）",
            applied.orphans.len()
        )))
    }
}

/// `check DIR`: a data folder's `journal.csv` is read, and its events applied to the folder's
/// data; those whose entity is not in it are listed (exit 1), as an import would report them.
pub fn check_folders(paths: &[PathBuf], ds: &Dataset) -> Result<(), Failure> {
    let mut orphans = 0;
    for p in paths {
        let file = p.join(log::CSV);
        if !(p.is_dir() && file.is_file()) {
            continue;
        }
        let events = log::from_csv(&file)?;
        let applied = journal::apply(&mut ds.clone(), &events);
        stdoutln!(
            "{}：{} 条日志事件，{} 条的实体不在数据中",
            file.display(),
            events.len(),
            applied.orphans.len()
        );
        print_orphans(&applied);
        orphans += applied.orphans.len();
    }
    if orphans > 0 {
        return Err(Failure::user(format!(
            "journal.csv 中有 {orphans} 条事件的实体不在数据中（导入时会保留它们，但不应用）"
        )));
    }
    Ok(())
}

/// `export`: the journal as `journal.csv` beside graphs/ and seeds/ (none without events).
pub fn export(store: &Store, dir: &Path) -> Result<usize, Failure> {
    let events = log::read(store)?;
    if events.is_empty() {
        return Ok(0);
    }
    let path = dir.join(log::CSV);
    std::fs::write(&path, log::to_csv(&events)?)
        .map_err(|e| Failure::user(format!("无法写入 {}：{e}", path.display())))?;
    Ok(events.len())
}

/// The planning commands as REPL meta commands, with the command line's words: `.project move
/// P S`, `.prospect add …`, `.firm add …`, `.note X TEXT`, `.changes X` (an entity's history),
/// `.journal`, `.snapshot NAME` (or `.snapshot save|list`), `.diff NAME [NAME2] [-o FILE]`.
/// `None` when `cmd` is none of them; `Some(Ok(true))` after a write (the REPL reloads).
pub(super) fn repl_meta(
    db: &Option<PathBuf>,
    cmd: &str,
    args: &[&str],
) -> Option<Result<bool, String>> {
    let sub = match cmd {
        ".project" => "project",
        ".prospect" => "prospect",
        ".firm" => "firm",
        ".note" => "note",
        ".changes" => "history",
        ".journal" => "journal",
        ".snapshot" => "snapshot",
        ".diff" => "diff",
        _ => return None,
    };
    let mut words: Vec<String> = vec![sub.to_string()];
    if sub == "snapshot" && args.first().is_some_and(|a| !matches!(*a, "save" | "list")) {
        words.push("save".into());
    }
    words.extend(args.iter().map(|a| a.to_string()));
    #[derive(clap::Parser)]
    #[command(name = "chainkb")]
    struct Words {
        #[command(subcommand)]
        cmd: JournalCommand,
    }
    let parsed = match <Words as clap::Parser>::try_parse_from(
        std::iter::once("chainkb".to_string()).chain(words.iter().cloned()),
    ) {
        Ok(p) => p.cmd,
        Err(e) => return Some(Err(e.to_string().trim_end().to_string())),
    };
    let writes = matches!(
        parsed,
        JournalCommand::Project {
            cmd: ProjectCmd::Move { .. } | ProjectCmd::Add { .. }
        } | JournalCommand::Prospect {
            cmd: ProspectCmd::Add { .. } | ProspectCmd::Move { .. }
        } | JournalCommand::Firm { .. }
            | JournalCommand::Note { .. }
    );
    REPL_WORDS.with(|w| *w.borrow_mut() = Some(words));
    let result = run(db, parsed);
    REPL_WORDS.with(|w| *w.borrow_mut() = None);
    Some(result.map(|()| writes).map_err(|f| f.to_string()))
}

/// The 客商库 in a target list of `chain` in `place`: its `prospect` (客商库) column, filled by
/// the target list itself (`targets::list`), is shown only when the 客商库 has entries there;
/// with `exclude_signed`, the firms at 已签约 or 已落地 are left out, and a note says how many.
pub(super) fn mark_prospects(
    table: &mut crate::report::Table,
    g: &Graph,
    chain: u32,
    place: u32,
    exclude_signed: bool,
) {
    let Some(col) = table.columns.iter().position(|c| c == "prospect") else {
        return;
    };
    if !g.ds.has_prospects(place, chain) {
        table.columns.remove(col);
        if col < table.domains.len() {
            table.domains.remove(col);
        }
        for r in &mut table.rows {
            if col < r.len() {
                r.remove(col);
            }
        }
        return;
    }
    if exclude_signed {
        let before = table.rows.len();
        table.rows.retain(|r| {
            !matches!(
                r.get(col).map(|v| v.display()).as_deref(),
                Some("已签约" | "已落地")
            )
        });
        let left_out = before - table.rows.len();
        if left_out > 0 {
            table.notes.push(format!(
                "客商库中已签约或已落地的 {left_out} 家企业未列出（--exclude-signed）；名次仍是全名单中的名次"
            ));
        }
    }
    // The rows shown are numbered 1..n again after firms were left out.
    crate::targets::list::renumber(table);
}
