//! The planning-session journal: every change made between imports (a project's closed-loop
//! status, a 客商库 entry, a note, a firm or project added in a meeting) as an event, and the
//! current state = the curated data of the live generation + the journal applied on load.
//!
//! Events are stored by `log` in a sled database of their own (`DB/journal/`, beside the
//! generations, so re-imports keep it); `snapshot` keeps named versions and compares them.
//! An event whose entity is gone after a re-import is an *orphan*: it is not applied, and it is
//! reported (`Applied::orphans`), never dropped silently.

pub mod log;
pub mod snapshot;

use crate::model::{Attrs, Dataset, Edge, EdgeKind, Kind, Node, ProjectAttrs, ProjectStatus, Row};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One recorded change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// 1, 2, 3 … in the order the events were acknowledged.
    pub seq: u64,
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    pub time: String,
    pub who: String,
    /// The write as a command line would say it (what was asked).
    pub statement: String,
    pub reason: String,
    pub change: Change,
}

/// What an event changes. Entities are named by id (ids are stable across imports).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Change {
    /// A project moves along its closed loop.
    #[serde(rename = "project_status")]
    ProjectStatus {
        project: String,
        from: String,
        to: String,
    },
    /// A firm enters the 客商库 of a place and chain, or moves to a stage (or a contact is
    /// recorded at the same stage).
    #[serde(rename = "prospect")]
    Prospect {
        firm: String,
        place: String,
        chain: String,
        from: String,
        stage: String,
        date: String,
        contact: String,
        responsible: String,
    },
    /// A note attached to any entity (`kind` is `Kind::as_str`).
    #[serde(rename = "note")]
    Note {
        entity_kind: String,
        id: String,
        text: String,
    },
    /// A firm met in a meeting, with minimal fields.
    #[serde(rename = "add_firm")]
    AddFirm {
        id: String,
        place: String,
        segments: Vec<String>,
        meeting: String,
    },
    /// A project met in a meeting, with minimal fields.
    #[serde(rename = "add_project")]
    AddProject {
        id: String,
        place: String,
        segments: Vec<String>,
        status: String,
        meeting: String,
    },
}

/// The closed loop of a project (招商引资项目闭环管理, hongta-investment-plan-2021-2025.txt:401,
/// :672-674: 签约 → 履约 → 开工 → 复工, with the statuses of the project tables: 规划, 推介,
/// 在谈, 在建, 投产), and the moves it allows from each status.
pub const PROJECT_LOOP: &[(&str, &[&str])] = &[
    ("规划", &["推介"]),
    ("推介", &["在谈"]),
    ("在谈", &["签约", "推介"]),
    ("签约", &["履约"]),
    ("履约", &["开工"]),
    ("开工", &["在建", "停工"]),
    ("在建", &["投产", "停工"]),
    ("停工", &["复工"]),
    ("复工", &["在建", "投产", "停工"]),
    ("投产", &[]),
];

/// The stages of a 客商库 entry, in order (a firm moves forward only).
pub const PROSPECT_STAGES: &[&str] = &["目标", "已接洽", "已考察", "在谈", "已签约", "已落地"];

/// The stage a target list shows for a firm never entered in the 客商库 of its chain and place
/// (not a stage a firm moves to): `| targets | where prospect != 已签约` keeps it.
pub const NOT_ENTERED: &str = "未入库";

/// The statuses of the loop, in order.
pub fn loop_statuses() -> impl Iterator<Item = &'static str> {
    PROJECT_LOOP.iter().map(|(s, _)| *s)
}

/// The moves the loop allows from `from` (a project without a status may take any).
pub fn allowed_moves(from: &str) -> Vec<&'static str> {
    match PROJECT_LOOP.iter().find(|(s, _)| *s == from) {
        Some((_, next)) => next.to_vec(),
        None => loop_statuses().collect(),
    }
}

/// The loop status `s` names (a trailing 项目 allowed), if any.
pub fn parse_loop_status(s: &str) -> Option<&'static str> {
    let s = s.trim();
    let s = s.strip_suffix("项目").unwrap_or(s);
    loop_statuses().find(|st| *st == s)
}

/// The stored status a loop status is kept as in the data (履约 counts as signed, 停工 as
/// started, 复工 as under construction).
pub fn data_status(loop_status: &str) -> Option<ProjectStatus> {
    Some(match loop_status {
        "履约" => ProjectStatus::Signed,
        "停工" => ProjectStatus::Started,
        "复工" => ProjectStatus::UnderConstruction,
        s => ProjectStatus::parse(s)?,
    })
}

/// The stages a 客商库 entry at `from` may move to (the same stage records a contact).
pub fn allowed_stages(from: &str) -> Vec<&'static str> {
    match PROSPECT_STAGES.iter().position(|s| *s == from) {
        Some(i) => PROSPECT_STAGES[i..].to_vec(),
        None => PROSPECT_STAGES.to_vec(),
    }
}

pub fn parse_stage(s: &str) -> Option<&'static str> {
    PROSPECT_STAGES.iter().copied().find(|st| *st == s.trim())
}

impl Change {
    /// The entities the event is about: (kind, id); a place is `Kind::Region` or `Kind::Park`,
    /// written as `None` (either).
    pub fn entities(&self) -> Vec<(Option<Kind>, &str)> {
        match self {
            Change::ProjectStatus { project, .. } => vec![(Some(Kind::Project), project)],
            Change::Prospect {
                firm, place, chain, ..
            } => vec![
                (Some(Kind::Enterprise), firm),
                (None, place),
                (Some(Kind::Chain), chain),
            ],
            Change::Note {
                entity_kind, id, ..
            } => vec![(kind_of(entity_kind), id)],
            Change::AddFirm { id, .. } => vec![(Some(Kind::Enterprise), id)],
            Change::AddProject { id, .. } => vec![(Some(Kind::Project), id)],
        }
    }

    /// The entity the event is mainly about (the project, the firm, the noted entity).
    pub fn subject(&self) -> (Option<Kind>, &str) {
        self.entities()[0]
    }

    /// One line in Chinese: what the event changed.
    pub fn describe(&self) -> String {
        match self {
            Change::ProjectStatus { project, from, to } => {
                format!("项目 {project} 状态 {} → {to}", or_none(from))
            }
            Change::Prospect {
                firm,
                place,
                chain,
                from,
                stage,
                date,
                contact,
                responsible,
            } => {
                let mut s = if from.is_empty() {
                    format!("客商库 {place} {chain}：加入 {firm}，阶段 {stage}")
                } else if from == stage {
                    format!("客商库 {place} {chain}：{firm} 记录联系（阶段 {stage}）")
                } else {
                    format!("客商库 {place} {chain}：{firm} 阶段 {from} → {stage}")
                };
                if !date.is_empty() {
                    s.push_str(&format!("，日期 {date}"));
                }
                if !responsible.is_empty() {
                    s.push_str(&format!("，责任单位 {responsible}"));
                }
                if !contact.is_empty() {
                    s.push_str(&format!("，联系：{contact}"));
                }
                s
            }
            Change::Note {
                entity_kind,
                id,
                text,
            } => format!(
                "{} {id} 备注：{text}",
                kind_of(entity_kind).map_or("实体", |k| k.label_zh())
            ),
            Change::AddFirm {
                id,
                place,
                segments,
                meeting,
            } => format!(
                "新增企业 {id}（位于 {place}，环节 {}，来源 {}）",
                segments.join("、"),
                meeting_source(meeting)
            ),
            Change::AddProject {
                id,
                place,
                segments,
                status,
                meeting,
            } => format!(
                "新增项目 {id}（位于 {place}，环节 {}，状态 {}，来源 {}）",
                segments.join("、"),
                or_none(status),
                meeting_source(meeting)
            ),
        }
    }
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "（无）" } else { s }
}

/// The kind `Kind::as_str` names.
pub fn kind_of(s: &str) -> Option<Kind> {
    Kind::ALL.into_iter().find(|k| k.as_str() == s)
}

/// "会议 DATE": the provenance of what a meeting added.
pub fn meeting_source(date: &str) -> String {
    format!("会议 {date}")
}

/// A 客商库 entry as the journal leaves it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prospect {
    pub firm: String,
    pub place: String,
    pub chain: String,
    pub stage: String,
    /// The date of the last contact (or of the last move, when no date was given).
    pub date: String,
    pub contact: String,
    pub responsible: String,
    /// The event that last changed it.
    pub seq: u64,
}

/// An event that could not be applied, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Orphan {
    pub seq: u64,
    pub what: String,
}

/// The journal's state over a dataset.
#[derive(Debug, Default)]
pub struct Applied {
    /// Project id → (loop status, the event that set it).
    pub project_status: HashMap<String, (String, u64)>,
    /// (place, chain, firm) → entry.
    pub prospects: BTreeMap<(String, String, String), Prospect>,
    /// Events not applied: their entity is gone (or was added to the data meanwhile).
    pub orphans: Vec<Orphan>,
    /// The last event applied or reported.
    pub last_seq: u64,
}

impl Applied {
    /// The loop status of a project: the journal's, else the data's.
    pub fn status_of(&self, ds: &Dataset, node: u32) -> String {
        let n = ds.node(node);
        if let Some((s, _)) = self.project_status.get(&*n.id) {
            return s.clone();
        }
        match &n.attrs {
            Attrs::Project(p) => p.status.map_or(String::new(), |s| s.as_str().to_string()),
            _ => String::new(),
        }
    }
}

/// Id → node index, per kind.
pub struct Ids(HashMap<(Kind, String), u32>);

impl Ids {
    pub fn new(ds: &Dataset) -> Ids {
        Ids(ds
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| ((n.kind, n.id.to_string()), i as u32))
            .collect())
    }

    /// The node of `kind` (a place when `None`) with this id.
    pub fn get(&self, kind: Option<Kind>, id: &str) -> Option<u32> {
        let kinds: &[Kind] = match kind {
            Some(k) => &[k][..],
            None => &[Kind::Park, Kind::Region][..],
        };
        kinds
            .iter()
            .find_map(|k| self.0.get(&(*k, id.to_string())).copied())
            .or_else(|| {
                // A note may name a place of either kind under `region`/`park`.
                if matches!(kind, Some(Kind::Park | Kind::Region)) {
                    self.get(None, id)
                } else {
                    None
                }
            })
    }

    fn insert(&mut self, kind: Kind, id: &str, node: u32) {
        self.0.insert((kind, id.to_string()), node);
    }
}

/// Apply the journal to the curated dataset: statuses set, meeting firms and projects added with
/// their edges (provenance `journal.csv:<line>`, source "会议 DATE"). Events whose entity is
/// gone are not applied and are listed in `orphans`.
pub fn apply(ds: &mut Dataset, events: &[Event]) -> Applied {
    let mut out = Applied::default();
    let mut ids = Ids::new(ds);
    let file = ds.files.len() as u32;
    let mut file_added = false;
    for ev in events {
        out.last_seq = out.last_seq.max(ev.seq);
        let missing: Vec<String> = ev
            .change
            .entities()
            .into_iter()
            .filter(|(k, id)| {
                // What the event itself adds is not missing.
                !matches!(
                    ev.change,
                    Change::AddFirm { .. } | Change::AddProject { .. }
                ) && ids.get(*k, id).is_none()
            })
            .map(|(k, id)| format!("{} {id}", k.map_or("地点", |k| k.label_zh())))
            .collect();
        if !missing.is_empty() {
            out.orphans.push(Orphan {
                seq: ev.seq,
                what: format!("{} 已不在数据中", missing.join("、")),
            });
            continue;
        }
        match &ev.change {
            Change::ProjectStatus { project, to, .. } => {
                if let Some(n) = ids.get(Some(Kind::Project), project)
                    && let Attrs::Project(p) = &mut ds.nodes[n as usize].attrs
                {
                    p.status = data_status(to);
                }
                out.project_status
                    .insert(project.clone(), (to.clone(), ev.seq));
            }
            Change::Prospect {
                firm,
                place,
                chain,
                stage,
                date,
                contact,
                responsible,
                ..
            } => {
                let key = (place.clone(), chain.clone(), firm.clone());
                let old = out.prospects.get(&key);
                let keep = |new: &String, old: Option<&String>| {
                    if new.is_empty() {
                        old.cloned().unwrap_or_default()
                    } else {
                        new.clone()
                    }
                };
                let entry = Prospect {
                    firm: firm.clone(),
                    place: place.clone(),
                    chain: chain.clone(),
                    stage: stage.clone(),
                    date: if date.is_empty() {
                        ev.time.get(..10).unwrap_or("").to_string()
                    } else {
                        date.clone()
                    },
                    contact: keep(contact, old.map(|o| &o.contact)),
                    responsible: keep(responsible, old.map(|o| &o.responsible)),
                    seq: ev.seq,
                };
                out.prospects.insert(key, entry);
            }
            Change::Note { .. } => {}
            Change::AddFirm {
                id,
                place,
                segments,
                meeting,
            }
            | Change::AddProject {
                id,
                place,
                segments,
                meeting,
                ..
            } => {
                let kind = if matches!(ev.change, Change::AddFirm { .. }) {
                    Kind::Enterprise
                } else {
                    Kind::Project
                };
                if ids.get(Some(kind), id).is_some() {
                    out.orphans.push(Orphan {
                        seq: ev.seq,
                        what: format!(
                            "{} {id} 已在数据中，会议新增的记录不再重复添加",
                            kind.label_zh()
                        ),
                    });
                    continue;
                }
                let Some(place_node) = ids.get(None, place) else {
                    out.orphans.push(Orphan {
                        seq: ev.seq,
                        what: format!("地点 {place} 已不在数据中"),
                    });
                    continue;
                };
                let segs: Vec<Option<u32>> = segments
                    .iter()
                    .map(|s| ids.get(Some(Kind::Segment), s))
                    .collect();
                if let Some(pos) = segs.iter().position(Option::is_none) {
                    out.orphans.push(Orphan {
                        seq: ev.seq,
                        what: format!("环节 {} 已不在数据中", segments[pos]),
                    });
                    continue;
                }
                if !file_added {
                    ds.files.push("journal.csv".into());
                    file_added = true;
                }
                ds.sources
                    .push(format!("{}（日志 #{}）", meeting_source(meeting), ev.seq).into());
                ds.rows.push(Row {
                    file,
                    // journal.csv: a header line, then one event a line.
                    line: ev.seq as u32 + 1,
                    source: ds.sources.len() as u32 - 1,
                    notes: None,
                });
                let row = ds.rows.len() as u32 - 1;
                let node = ds.nodes.len() as u32;
                let (attrs, edge) = match &ev.change {
                    Change::AddProject { status, .. } => (
                        Attrs::Project(Box::new(ProjectAttrs {
                            status: data_status(status),
                            ..Default::default()
                        })),
                        EdgeKind::Builds,
                    ),
                    _ => (Attrs::Enterprise(Default::default()), EdgeKind::Produces),
                };
                ds.nodes
                    .push(Node::new(kind, id.as_str().into(), attrs, row));
                ids.insert(kind, id, node);
                ds.edges.push(Edge {
                    kind: EdgeKind::LocatedIn,
                    from: node,
                    to: place_node,
                    row,
                });
                for s in segs.into_iter().flatten() {
                    ds.edges.push(Edge {
                        kind: edge,
                        from: node,
                        to: s,
                        row,
                    });
                }
                if let Change::AddProject { status, .. } = &ev.change
                    && !status.is_empty()
                {
                    out.project_status
                        .insert(id.clone(), (status.clone(), ev.seq));
                }
            }
        }
    }
    // The stages as the data's node indices, for the target lists (`prospect` column).
    ds.prospects = out
        .prospects
        .values()
        .filter_map(|p| {
            let key = (
                ids.get(None, &p.place)?,
                ids.get(Some(Kind::Chain), &p.chain)?,
                ids.get(Some(Kind::Enterprise), &p.firm)?,
            );
            Some((key, p.stage.as_str().into()))
        })
        .collect();
    ds.prospects.sort();
    out
}

/// The events about an entity (its kind and id), oldest first.
pub fn history<'a>(events: &'a [Event], kind: Kind, id: &str) -> Vec<&'a Event> {
    events
        .iter()
        .filter(|e| {
            e.change.entities().iter().any(|(k, i)| {
                *i == id
                    && match k {
                        Some(k) => *k == kind,
                        None => kind.is_place(),
                    }
            })
        })
        .collect()
}

/// Now, UTC, as `YYYY-MM-DD HH:MM:SS`; `CHAINKB_NOW` (same form, or a date) fixes it for tests
/// and for recording a meeting afterwards.
// String: its one caller (cli/journal.rs, being split now) wraps it in `Failure::user`.
pub fn now() -> Result<String, String> {
    if let Ok(fixed) = std::env::var("CHAINKB_NOW") {
        let fixed = fixed.trim().to_string();
        let date = fixed.get(..10).unwrap_or("");
        if parse_date(date).is_none() {
            return Err(format!(
                "CHAINKB_NOW=`{fixed}` 不是时间：应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM:SS"
            ));
        }
        return Ok(if fixed.len() == 10 {
            format!("{fixed} 00:00:00")
        } else {
            fixed
        });
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    Ok(format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

/// Who makes a change: `--as NAME`, else the user of the operating system.
pub fn who(as_name: Option<&str>) -> String {
    if let Some(n) = as_name.map(str::trim).filter(|n| !n.is_empty()) {
        return n.to_string();
    }
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .or_else(os_user)
        .unwrap_or_else(|| "未知用户".into())
}

/// The login name of the process's user, from the password database.
fn os_user() -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 1024];
    let mut pwd = std::mem::MaybeUninit::<libc::passwd>::uninit();
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call, and `buf` outlives the use of `pwd`.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::getuid(),
            pwd.as_mut_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r succeeded, so `pwd` is filled and `pw_name` points into `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.assume_init().pw_name) };
    Some(name.to_string_lossy().into_owned()).filter(|s| !s.is_empty())
}

/// `YYYY-MM-DD` → days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests;
