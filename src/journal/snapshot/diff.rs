//! What changed between two snapshots (`diff`), each change with its provenance, and the change
//! written out: as text (`to_text`) and as the one-page brief (`to_brief`, `brief_*`).

use super::*;

/// What a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    ProjectStatus,
    Projects,
    Firms,
    Prospects,
    Targets,
    Segments,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::ProjectStatus => "项目状态变化",
            Section::Projects => "项目增减",
            Section::Firms => "企业增减",
            Section::Prospects => "客商库变化",
            Section::Targets => "目标名单前列进出",
            Section::Segments => "环节状态变化（按地点）",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub section: Section,
    /// What changed: a project, a firm, "place · segment", "place · chain · firm".
    pub what: String,
    pub old: String,
    pub new: String,
    pub provenance: String,
}

/// The changes from `a` to `b`. `events` is the journal (for provenance); `graph` the current
/// state, used to tell which recorded events moved a segment's state.
pub fn diff(a: &Snapshot, b: &Snapshot, events: &[Event], graph: &Graph) -> Vec<Change> {
    let range: Vec<&Event> = events
        .iter()
        .filter(|e| e.seq > a.journal_seq && e.seq <= b.journal_seq)
        .collect();
    let import = if a.label != b.label || a.generation != b.generation {
        format!("导入 第{}代（{}）", b.generation, b.label)
    } else {
        "—".to_string()
    };
    // The last event in range that changes the entity's state (notes and 客商库 entries never
    // add or move a firm or project).
    let prov = |id: &str| -> String {
        range
            .iter()
            .rev()
            .find(|e| changes_state(&e.change) && e.change.subject().1 == id)
            .map_or_else(|| import.clone(), |e| event_provenance(e))
    };
    // A firm entering or leaving a target list of `chain`: the event that added it; else the
    // last event that changed the state of a segment it makes (a gap it fills opened or
    // closed); else the last that changed a segment of the chain (the others moved); else the
    // import.
    let node_of = |id: &str, kinds: &[Kind]| {
        graph
            .names
            .lookup(&graph.ds.nodes, id, kinds)
            .into_iter()
            .find(|&i| &*graph.node(i).id == id)
    };
    let segments_of = |c: &crate::journal::Change| -> Vec<u32> {
        use crate::journal::Change as C;
        match c {
            C::AddFirm { segments, .. } | C::AddProject { segments, .. } => segments
                .iter()
                .filter_map(|s| node_of(s, &[Kind::Segment]))
                .collect(),
            C::ProjectStatus { project, .. } => node_of(project, &[Kind::Project])
                .map(|p| {
                    graph
                        .neighbors(
                            p,
                            crate::model::EdgeKind::Builds,
                            petgraph::Direction::Outgoing,
                        )
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    };
    let target_provenance = |id: &str, chain: &str| -> String {
        let last = |pred: &dyn Fn(&Event) -> bool| {
            range
                .iter()
                .rev()
                .find(|e| changes_state(&e.change) && pred(e))
                .map(|e| event_provenance(e))
        };
        let made: Vec<u32> = node_of(id, &[Kind::Enterprise])
            .map(|f| graph.produced(f).to_vec())
            .unwrap_or_default();
        let chain_segs: Vec<u32> = node_of(chain, &[Kind::Chain])
            .map(|c| graph.chain_segments(c).to_vec())
            .unwrap_or_default();
        last(&|e| e.change.subject().1 == id)
            .or_else(|| last(&|e| segments_of(&e.change).iter().any(|s| made.contains(s))))
            .or_else(|| {
                last(&|e| {
                    segments_of(&e.change)
                        .iter()
                        .any(|s| chain_segs.contains(s))
                })
            })
            .unwrap_or_else(|| import.clone())
    };
    let name = |id: &str| -> String {
        match b.names.get(id).or_else(|| a.names.get(id)) {
            Some(n) if n != id => format!("{n}（{id}）"),
            _ => id.to_string(),
        }
    };
    let mut out = Vec::new();
    // Projects: status moves, added, removed.
    for (id, new) in &b.projects {
        match a.projects.get(id) {
            Some(old) if old != new => out.push(Change {
                section: Section::ProjectStatus,
                what: name(id),
                old: or_none(old),
                new: or_none(new),
                provenance: prov(id),
            }),
            Some(_) => {}
            None => out.push(Change {
                section: Section::Projects,
                what: name(id),
                old: "—".into(),
                new: format!("新增（{}）", or_none(new)),
                provenance: prov(id),
            }),
        }
    }
    for (id, old) in &a.projects {
        if !b.projects.contains_key(id) {
            out.push(Change {
                section: Section::Projects,
                what: name(id),
                old: or_none(old),
                new: "移除".into(),
                provenance: prov(id),
            });
        }
    }
    for id in b.firms.difference(&a.firms) {
        out.push(Change {
            section: Section::Firms,
            what: name(id),
            old: "—".into(),
            new: "新增".into(),
            provenance: prov(id),
        });
    }
    for id in a.firms.difference(&b.firms) {
        out.push(Change {
            section: Section::Firms,
            what: name(id),
            old: "在库".into(),
            new: "移除".into(),
            provenance: prov(id),
        });
    }
    // 客商库.
    let key = |p: &Prospect| (p.place.clone(), p.chain.clone(), p.firm.clone());
    let old_p: HashMap<_, &Prospect> = a.prospects.iter().map(|p| (key(p), p)).collect();
    let new_p: HashMap<_, &Prospect> = b.prospects.iter().map(|p| (key(p), p)).collect();
    let mut keys: BTreeSet<_> = old_p.keys().cloned().collect();
    keys.extend(new_p.keys().cloned());
    for k in keys {
        let (o, n) = (old_p.get(&k), new_p.get(&k));
        let (old, new) = (
            o.map_or("—".to_string(), |p| p.stage.clone()),
            n.map_or("移出".to_string(), |p| p.stage.clone()),
        );
        let contact_only =
            matches!((o, n), (Some(o), Some(n)) if o.stage == n.stage && o.seq != n.seq);
        if old == new && !contact_only {
            continue;
        }
        let provenance = n
            .and_then(|p| events.iter().find(|e| e.seq == p.seq))
            .filter(|e| e.seq > a.journal_seq)
            .map_or_else(|| import.clone(), event_provenance);
        out.push(Change {
            section: Section::Prospects,
            what: format!("{} · {} · {}", name(&k.0), name(&k.1), name(&k.2)),
            old,
            new: if contact_only {
                format!("{new}（新联系）")
            } else {
                new
            },
            provenance,
        });
    }
    // Firms entering or leaving the top of a target list kept in `a` (and in `b`).
    for ta in &a.targets {
        let Some(tb) = b
            .targets
            .iter()
            .find(|t| t.place == ta.place && t.chain == ta.chain && t.top == ta.top)
        else {
            continue;
        };
        let list = format!(
            "{} · {}（前{}名）",
            name(&ta.place),
            name(&ta.chain),
            ta.top
        );
        let rank = |t: &TargetTop, f: &String| t.firms.iter().position(|x| x == f);
        for (i, f) in tb.firms.iter().enumerate() {
            if rank(ta, f).is_none() {
                out.push(Change {
                    section: Section::Targets,
                    what: format!("{list} · {}", name(f)),
                    old: "—".into(),
                    new: format!("第{}名", i + 1),
                    provenance: target_provenance(f, &ta.chain),
                });
            }
        }
        for (i, f) in ta.firms.iter().enumerate() {
            if rank(tb, f).is_none() {
                out.push(Change {
                    section: Section::Targets,
                    what: format!("{list} · {}", name(f)),
                    old: format!("第{}名", i + 1),
                    new: if b.firms.contains(f) {
                        format!("移出前{}名", ta.top)
                    } else {
                        "移出（企业已不在库）".into()
                    },
                    provenance: target_provenance(f, &ta.chain),
                });
            }
        }
    }
    // Segment states per place.
    let cell_map = |s: &Snapshot| -> HashMap<(String, String), String> {
        s.cells
            .iter()
            .map(|(p, g, st)| ((p.clone(), g.clone()), st.clone()))
            .collect()
    };
    let (ca, cb) = (cell_map(a), cell_map(b));
    let mut cells: BTreeSet<&(String, String)> = ca.keys().collect();
    cells.extend(cb.keys());
    let touched: Vec<(&Event, String)> = range
        .iter()
        .filter(|e| changes_state(&e.change))
        .map(|e| (*e, e.change.subject().1.to_string()))
        .collect();
    for k in cells {
        let old = ca.get(k).map_or("缺失", String::as_str);
        let new = cb.get(k).map_or("缺失", String::as_str);
        if old == new {
            continue;
        }
        // A recorded event moved it when its firm or project is a member of the cell now.
        let members: Vec<String> = cell_members(graph, &k.0, &k.1);
        let provenance = touched
            .iter()
            .rev()
            .find(|(_, id)| members.contains(id))
            .map_or_else(|| import.clone(), |(e, _)| event_provenance(e));
        out.push(Change {
            section: Section::Segments,
            what: format!("{} · {}", name(&k.0), name(&k.1)),
            old: old.into(),
            new: new.into(),
            provenance,
        });
    }
    out.sort_by_key(|x| x.section);
    out
}

/// Whether an event changes a project or firm (not a note, not the 客商库).
pub(super) fn changes_state(c: &crate::journal::Change) -> bool {
    use crate::journal::Change as C;
    matches!(
        c,
        C::ProjectStatus { .. } | C::AddFirm { .. } | C::AddProject { .. }
    )
}

pub(super) fn cell_members(graph: &Graph, place: &str, segment: &str) -> Vec<String> {
    let ds = &graph.ds;
    let p = graph
        .names
        .lookup(&ds.nodes, place, &[Kind::Region, Kind::Park]);
    let s = graph.names.lookup(&ds.nodes, segment, &[Kind::Segment]);
    let (Some(&p), Some(&s)) = (p.iter().find(|&&i| &*graph.node(i).id == place), s.first()) else {
        return Vec::new();
    };
    graph
        .presence(p, s)
        .map(|c| {
            c.producers
                .iter()
                .chain(c.projects)
                .map(|&i| graph.node(i).id.to_string())
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn or_none(s: &str) -> String {
    if s.is_empty() {
        "（无）".into()
    } else {
        s.into()
    }
}

/// "日志 #N（who time：reason）".
pub fn event_provenance(e: &Event) -> String {
    if e.reason.is_empty() {
        format!("日志 #{}（{} {}）", e.seq, e.who, e.time)
    } else {
        format!("日志 #{}（{} {}：{}）", e.seq, e.who, e.time, e.reason)
    }
}

/// The changes as text: one block per section, one line per change.
pub fn to_text(a: &Snapshot, b: &Snapshot, changes: &[Change]) -> String {
    let mut s = format!("{} → {}：{} 项变化\n", header(a), header(b), changes.len());
    let mut section = None;
    for c in changes {
        if section != Some(c.section) {
            section = Some(c.section);
            let n = changes.iter().filter(|x| x.section == c.section).count();
            s.push_str(&format!("\n{}（{n}）\n", c.section.title()));
        }
        s.push_str(&format!(
            "  {}：{} → {}　〔{}〕\n",
            c.what, c.old, c.new, c.provenance
        ));
    }
    if changes.is_empty() {
        s.push_str("没有变化\n");
    }
    s
}

pub(super) fn header(s: &Snapshot) -> String {
    format!("{}（{}）", s.name, s.time)
}

/// At most this many lines per section in the brief (the rest counted).
const BRIEF_LINES: usize = 12;

/// The order of the brief's sections (what a leader reads first).
pub const BRIEF_ORDER: [Section; 6] = [
    Section::ProjectStatus,
    Section::Prospects,
    Section::Targets,
    Section::Projects,
    Section::Firms,
    Section::Segments,
];

/// The brief's title.
pub fn brief_title(a: &Snapshot) -> String {
    format!("会前简报：{} 以来的变化", a.name)
}

/// What is compared: the two snapshots and the data.
pub fn brief_compared(a: &Snapshot, b: &Snapshot) -> String {
    format!(
        "{} → {}。数据：{}（第{}代）",
        header(a),
        header(b),
        b.label,
        b.generation
    )
}

/// The brief's 要点: how many changes of each kind.
pub fn brief_points(changes: &[Change]) -> Vec<String> {
    let count = |sec: Section| changes.iter().filter(|c| c.section == sec).count();
    let moved_up = changes
        .iter()
        .filter(|c| c.section == Section::Segments && c.old == "缺失")
        .count();
    vec![
        format!(
            "项目状态变化 {} 项；项目增减 {} 项；企业增减 {} 项",
            count(Section::ProjectStatus),
            count(Section::Projects),
            count(Section::Firms)
        ),
        format!(
            "客商库变化 {} 项；目标名单前列进出 {} 项",
            count(Section::Prospects),
            count(Section::Targets)
        ),
        format!(
            "环节状态变化 {} 处（其中由缺失补上 {} 处）",
            count(Section::Segments),
            moved_up
        ),
    ]
}

/// The brief's sections in `BRIEF_ORDER`: each with its changes (all of them), only those that
/// have any.
pub fn brief_sections(changes: &[Change]) -> Vec<(Section, Vec<&Change>)> {
    BRIEF_ORDER
        .iter()
        .map(|&sec| (sec, changes.iter().filter(|c| c.section == sec).collect()))
        .filter(|(_, items): &(Section, Vec<&Change>)| !items.is_empty())
        .collect()
}

/// The line that stands for the changes of a section past the brief's `BRIEF_LINES`.
pub fn brief_more(a: &Snapshot, more: usize) -> String {
    format!("……另有 {more} 项，见 chainkb diff {}", a.name)
}

/// The one-page 会前简报 (Markdown).
pub fn to_brief(a: &Snapshot, b: &Snapshot, changes: &[Change]) -> String {
    let mut s = format!("# {}\n\n", brief_title(a));
    s.push_str(&format!("比较：{}。\n\n", brief_compared(a, b)));
    s.push_str("## 要点\n\n");
    for p in brief_points(changes) {
        s.push_str(&format!("- {p}\n"));
    }
    for (sec, items) in brief_sections(changes) {
        s.push_str(&format!("\n## {}（{}）\n\n", sec.title(), items.len()));
        for c in items.iter().take(BRIEF_LINES) {
            s.push_str(&format!(
                "- {}：{} → {}（{}）\n",
                c.what, c.old, c.new, c.provenance
            ));
        }
        if items.len() > BRIEF_LINES {
            s.push_str(&format!("- {}\n", brief_more(a, items.len() - BRIEF_LINES)));
        }
    }
    if changes.is_empty() {
        s.push_str("\n没有变化。\n");
    }
    s
}

/// The 会前简报 as tables for a workbook: the brief (each section's first `BRIEF_LINES`
/// changes, the rest counted on a line of their own) and every change. Columns: 类别, 对象,
/// 原, 新, 来源.
pub fn brief_tables(
    a: &Snapshot,
    changes: &[Change],
) -> (crate::report::Table, crate::report::Table) {
    use crate::report::{Table, Value};
    let columns = ["类别", "对象", "原", "新", "来源"];
    let row = |c: &Change| {
        vec![
            Value::text(c.section.title()),
            Value::text(&c.what),
            Value::text(&c.old),
            Value::text(&c.new),
            Value::text(&c.provenance),
        ]
    };
    let mut brief = Table::new(&columns);
    let mut all = Table::new(&columns);
    for (sec, items) in brief_sections(changes) {
        for c in items.iter().take(BRIEF_LINES) {
            brief.rows.push(row(c));
        }
        if items.len() > BRIEF_LINES {
            brief.rows.push(vec![
                Value::text(sec.title()),
                Value::text(brief_more(a, items.len() - BRIEF_LINES)),
                Value::Null,
                Value::Null,
                Value::Null,
            ]);
        }
        all.rows.extend(items.iter().map(|c| row(c)));
    }
    (brief, all)
}
