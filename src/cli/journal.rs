//! The planning-session commands: writes to the journal (`project move|add`, `prospect
//! add|move`, `firm add`, `note`), the queries over it (`project list`, `prospect list`,
//! `history`, `journal`), and `snapshot save|list` and `diff`. Also what `import`, `export` and
//! `check --store` do with the journal.

use super::{Failure, open_store, resolve_one};
use crate::graph::Graph;
use crate::journal::log::{self, JournalError};
use crate::journal::snapshot::{self, SnapshotError};
use crate::journal::{self, Applied, Change, Event};
use crate::model::{Attrs, Dataset, Kind};
use crate::store::{Meta, Store};
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
        /// 写一页会前简报（.md）。
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
        #[arg(long = "in", value_name = "PLACE")]
        place: String,
        #[arg(long)]
        chain: String,
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
    /// 保存当前状态为快照 NAME（同名则替换）。
    Save { name: String },
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

/// Open the database for a write: it must exist and hold data (the default database is rebuilt
/// from the bundled data and takes no writes).
fn open_for_write(db: &Option<PathBuf>) -> Result<Store, Failure> {
    if db.is_none() {
        return Err(Failure::user(
            "写操作需要 --db PATH（或 CHAINKB_DB）：默认数据库总是内置的种子数据，不记录改动",
        ));
    }
    // Opened for reading first: a missing database is an error here, not created.
    drop(open_store(db, false)?);
    let store = open_store(db, true)?;
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

fn date_arg(d: &Option<String>, now: &str) -> Result<String, Failure> {
    match d {
        None => Ok(now.get(..10).unwrap_or("").to_string()),
        Some(d) if journal::parse_date(d.trim()).is_some() => Ok(d.trim().to_string()),
        Some(d) => Err(Failure::user(format!(
            "日期 `{d}` 无效：应为 YYYY-MM-DD，例如 2026-12-06"
        ))),
    }
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

fn event(w: &WriteArgs, now: &str, change: Change) -> Event {
    Event {
        seq: 0,
        time: now.to_string(),
        who: journal::who(w.as_name.as_deref()),
        statement: statement(),
        reason: one_line(&w.reason),
        change,
    }
}

/// Append and say what was recorded.
fn record(store: &Store, events: Vec<Event>, graph: &Graph) -> Result<(), Failure> {
    let stored = log::append(store, events)?;
    for e in &stored {
        stdoutln!(
            "已记录 #{}（{}，{}）：{}",
            e.seq,
            e.who,
            e.time,
            describe(graph, &e.change)
        );
    }
    Ok(())
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
        } => add_entity(
            db,
            Kind::Enterprise,
            name,
            place,
            segments,
            String::new(),
            meeting,
            w,
        ),
        JournalCommand::Note {
            entity,
            text,
            kind,
            w,
        } => {
            let text = one_line(&text);
            if text.is_empty() {
                return Err(Failure::user("备注是空的：请写下备注内容"));
            }
            let kinds = kinds(&kind)?;
            let store = open_for_write(db)?;
            let cur = load_current(&store)?;
            let node = resolve_one(&cur.graph, &entity, &kinds)?;
            let n = cur.graph.node(node);
            let change = Change::Note {
                entity_kind: n.kind.as_str().to_string(),
                id: n.id.to_string(),
                text,
            };
            record(&store, vec![event(&w, &now()?, change)], &cur.graph)
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
            cmd: SnapshotCmd::Save { name },
        } => {
            let store = open_for_write(db)?;
            let cur = load_current(&store)?;
            let snap = snapshot::take(
                &name,
                &now()?,
                &cur.meta.label,
                cur.meta.generation,
                &cur.graph,
                &cur.applied,
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
                None => snapshot::take(
                    "现在",
                    &now()?,
                    &cur.meta.label,
                    cur.meta.generation,
                    &cur.graph,
                    &cur.applied,
                ),
            };
            let changes = snapshot::diff(&a, &b, &cur.events, &cur.graph);
            match output {
                Some(path) => {
                    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
                    if ext.as_deref() != Some("md") {
                        // The changes as a table (.xlsx, .csv, .json).
                        let table = changes_table(&changes);
                        let title = format!("{} 以来的变化", a.name);
                        let about = crate::export::About {
                            title: title.clone(),
                            statement: format!("chainkb diff {}", a.name),
                            data: cur.meta.version(),
                            rows: Vec::new(),
                        };
                        crate::export::write_table(&table, &path, &title, &about).map_err(|e| {
                            Failure::user(format!(
                                "{e}（会前简报写成 .md；变化表可写成 .xlsx、.csv 或 .json）"
                            ))
                        })?;
                        stdoutln!("已写变化表 {}（{} 项变化）", path.display(), changes.len());
                        return Ok(());
                    }
                    std::fs::write(&path, snapshot::to_brief(&a, &b, &changes))
                        .map_err(|e| Failure::user(format!("无法写入 {}：{e}", path.display())))?;
                    stdoutln!(
                        "已写会前简报 {}（{} 项变化）",
                        path.display(),
                        changes.len()
                    );
                }
                None => stdout!("{}", snapshot::to_text(&a, &b, &changes)),
            }
            Ok(())
        }
    }
}

/// The changes of a diff as a table: 类别, 对象, 原, 新, 来源.
fn changes_table(changes: &[snapshot::Change]) -> crate::report::Table {
    use crate::report::{Table, Value};
    let mut t = Table::new(&["类别", "对象", "原", "新", "来源"]);
    for c in changes {
        t.rows.push(vec![
            Value::text(c.section.title()),
            Value::text(&c.what),
            Value::text(&c.old),
            Value::text(&c.new),
            Value::text(&c.provenance),
        ]);
    }
    t
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
            let store = open_for_write(db)?;
            let cur = load_current(&store)?;
            let node = resolve_one(&cur.graph, &project, &[Kind::Project])?;
            let from = cur.applied.status_of(&cur.graph.ds, node);
            let allowed = journal::allowed_moves(&from);
            let Some(to) = journal::parse_loop_status(&status) else {
                return Err(Failure::user(format!(
                    "`{status}` 不是闭环状态；状态有：{}",
                    journal::loop_statuses().collect::<Vec<_>>().join("、")
                )));
            };
            if !allowed.contains(&to) {
                let allowed = if allowed.is_empty() {
                    "无（已是终点）".to_string()
                } else {
                    allowed.join("、")
                };
                return Err(Failure::user(format!(
                    "项目 {} 现为 {from}，闭环不允许直接改为 {to}；可改为：{allowed}",
                    label(&cur.graph, node)
                )));
            }
            let change = Change::ProjectStatus {
                project: cur.graph.node(node).id.to_string(),
                from,
                to: to.to_string(),
            };
            record(&store, vec![event(&w, &now()?, change)], &cur.graph)
        }
        ProjectCmd::Add {
            name,
            place,
            segments,
            status,
            meeting,
            w,
        } => {
            if !status.is_empty() && journal::parse_loop_status(&status).is_none() {
                return Err(Failure::user(format!(
                    "`{status}` 不是闭环状态；状态有：{}",
                    journal::loop_statuses().collect::<Vec<_>>().join("、")
                )));
            }
            let status = journal::parse_loop_status(&status)
                .unwrap_or("")
                .to_string();
            add_entity(db, Kind::Project, name, place, segments, status, meeting, w)
        }
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

#[allow(clippy::too_many_arguments)]
fn add_entity(
    db: &Option<PathBuf>,
    kind: Kind,
    name: String,
    place: String,
    segments: Vec<String>,
    status: String,
    meeting: Option<String>,
    w: WriteArgs,
) -> Result<(), Failure> {
    let name = one_line(&name);
    if name.is_empty() {
        return Err(Failure::user("名称是空的"));
    }
    let now = now()?;
    let meeting = date_arg(&meeting, &now)?;
    let store = open_for_write(db)?;
    let cur = load_current(&store)?;
    let g = &cur.graph;
    let existing = g.names.lookup(&g.ds.nodes, &name, &[kind]);
    if let Some(&e) = existing.first() {
        return Err(Failure::user(format!(
            "已有{} {}：不必新增（可用 chainkb note 给它加备注）",
            kind.label_zh(),
            label(g, e)
        )));
    }
    let place = resolve_one(g, &place, &PLACES)?;
    let mut segs = Vec::new();
    for s in segments.iter().flat_map(|s| s.split([',', '，'])) {
        let s = s.trim();
        if !s.is_empty() {
            segs.push(g.node(resolve_one(g, s, &[Kind::Segment])?).id.to_string());
        }
    }
    if segs.is_empty() {
        return Err(Failure::user(format!(
            "请用 --segments 写明{}的环节（以 ; 分隔），例如 --segments 正极材料",
            if kind == Kind::Project {
                "项目建设"
            } else {
                "企业生产"
            }
        )));
    }
    let place = g.node(place).id.to_string();
    let change = if kind == Kind::Project {
        Change::AddProject {
            id: name,
            place,
            segments: segs,
            status,
            meeting,
        }
    } else {
        Change::AddFirm {
            id: name,
            place,
            segments: segs,
            meeting,
        }
    };
    record(&store, vec![event(&w, &now, change)], g)
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
        } => prospect_write(db, firm, place, chain, stage, c, w, true),
        ProspectCmd::Move {
            firm,
            stage,
            place,
            chain,
            c,
            w,
        } => prospect_write(db, firm, place, chain, stage, c, w, false),
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

#[allow(clippy::too_many_arguments)]
fn prospect_write(
    db: &Option<PathBuf>,
    firm: String,
    place: String,
    chain: String,
    stage: String,
    c: ContactArgs,
    w: WriteArgs,
    adding: bool,
) -> Result<(), Failure> {
    let Some(stage) = journal::parse_stage(&stage) else {
        return Err(Failure::user(format!(
            "`{stage}` 不是客商库阶段；阶段有：{}",
            journal::PROSPECT_STAGES.join(" → ")
        )));
    };
    let now = now()?;
    let date = date_arg(&c.date, &now)?;
    let store = open_for_write(db)?;
    let cur = load_current(&store)?;
    let g = &cur.graph;
    let firm_n = resolve_one(g, &firm, &[Kind::Enterprise])?;
    let place_n = resolve_one(g, &place, &PLACES)?;
    let chain_n = resolve_one(g, &chain, &[Kind::Chain])?;
    let (firm_id, place_id, chain_id) = (
        g.node(firm_n).id.to_string(),
        g.node(place_n).id.to_string(),
        g.node(chain_n).id.to_string(),
    );
    let key = (place_id.clone(), chain_id.clone(), firm_id.clone());
    let old = cur.applied.prospects.get(&key);
    let from = match (old, adding) {
        (Some(o), true) => {
            return Err(Failure::user(format!(
                "{} 已在 {} {} 的客商库中（阶段 {}）：推进阶段用 chainkb prospect move",
                label(g, firm_n),
                label(g, place_n),
                label(g, chain_n),
                o.stage
            )));
        }
        (None, false) => {
            return Err(Failure::user(format!(
                "{} 不在 {} {} 的客商库中：先用 chainkb prospect add 加入",
                label(g, firm_n),
                label(g, place_n),
                label(g, chain_n)
            )));
        }
        (Some(o), false) => {
            let allowed = journal::allowed_stages(&o.stage);
            if !allowed.contains(&stage) {
                return Err(Failure::user(format!(
                    "{} 现为 {}，客商库阶段只能向前：可改为 {}",
                    label(g, firm_n),
                    o.stage,
                    allowed.join("、")
                )));
            }
            o.stage.clone()
        }
        (None, true) => String::new(),
    };
    if adding {
        // A 客商库 is kept for a chain's gaps: say so when the firm makes none of them here.
        let gap_made = g.chain_segments(chain_n).iter().any(|&s| {
            g.state(place_n, s) != crate::graph::SegmentState::Present
                && g.cols.produced(firm_n).contains(&s)
        });
        if !gap_made {
            stderrln!(
                "注意：{} 不生产 {} 在 {} 缺失或规划中的环节（仍已加入客商库）",
                label(g, firm_n),
                label(g, chain_n),
                label(g, place_n)
            );
        }
    }
    let change = Change::Prospect {
        firm: firm_id,
        place: place_id,
        chain: chain_id,
        from,
        stage: stage.to_string(),
        date,
        contact: one_line(&c.contact),
        responsible: one_line(&c.responsible),
    };
    record(&store, vec![event(&w, &now, change)], g)
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
    if sub == "snapshot" && args.len() == 1 && !matches!(args[0], "save" | "list") {
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

/// The 客商库 in a target list of `chain` in `place`: a column `prospect` (客商库) with each firm's stage
/// there (only when the 客商库 has entries for them); with `exclude_signed`, the firms at 已签约
/// or 已落地 are left out, and a note says how many.
pub(super) fn mark_prospects(
    table: &mut crate::report::Table,
    g: &Graph,
    prospects: &[journal::Prospect],
    chain: u32,
    place: u32,
    exclude_signed: bool,
) {
    use crate::report::Value;
    let (chain_id, place_id) = (&*g.node(chain).id, &*g.node(place).id);
    let here: std::collections::HashMap<&str, &str> = prospects
        .iter()
        .filter(|p| p.chain == chain_id && p.place == place_id)
        .map(|p| (p.firm.as_str(), p.stage.as_str()))
        .collect();
    let Some(col) = table.columns.iter().position(|c| c == "enterprise") else {
        return;
    };
    if here.is_empty() {
        return;
    }
    let stage_of = |row: &Vec<Value>| -> Option<&str> {
        let name = row.get(col)?.display();
        g.names
            .lookup(&g.ds.nodes, &name, &[Kind::Enterprise])
            .into_iter()
            .find_map(|i| here.get(&*g.node(i).id).copied())
    };
    if exclude_signed {
        let before = table.rows.len();
        table
            .rows
            .retain(|r| !matches!(stage_of(r), Some("已签约" | "已落地")));
        let left_out = before - table.rows.len();
        if left_out > 0 {
            table.notes.push(format!(
                "客商库中已签约或已落地的 {left_out} 家企业未列出（--exclude-signed）；名次仍是全名单中的名次"
            ));
        }
    }
    let stages: Vec<Value> = table
        .rows
        .iter()
        .map(|r| stage_of(r).map_or(Value::Null, Value::text))
        .collect();
    table.columns.push("prospect".into());
    for (r, s) in table.rows.iter_mut().zip(stages) {
        r.push(s);
    }
    // The rows shown are numbered 1..n again after firms were left out.
    crate::targets::list::renumber(table);
}
