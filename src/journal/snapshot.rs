//! Named snapshots and "what changed since": a snapshot is what a planning session compares —
//! segment states per place, firms, projects with their closed-loop status, the 客商库 — taken
//! from the current state (live generation + journal) and kept as `DB/snapshots/NAME.json`
//! with the import label and journal position it was taken at. It does not depend on any
//! generation, so it survives later imports; the disk it takes is what is kept (one file per
//! snapshot). `diff` compares two of them (or one with now), each change with its provenance.

use super::{Applied, Event, Prospect};
use crate::graph::{Graph, SegmentState};
use crate::model::Kind;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write as _;
use std::path::PathBuf;

mod diff;

pub use diff::*;

/// The folder of the snapshots in the database folder.
pub const DIR: &str = "snapshots";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub name: String,
    pub time: String,
    /// The import label and generation of the curated data.
    pub label: String,
    pub generation: u64,
    /// The last journal event included.
    pub journal_seq: u64,
    /// Id → name of every place, segment, firm and project named below.
    pub names: BTreeMap<String, String>,
    /// (place id, segment id, 已有 / 规划): every cell that is not missing.
    pub cells: Vec<(String, String, String)>,
    /// Enterprise ids.
    pub firms: BTreeSet<String>,
    /// Project id → loop status ("" when none).
    pub projects: BTreeMap<String, String>,
    pub prospects: Vec<Prospect>,
    /// The top of target lists (fill gaps, default weights and rules) kept with the snapshot,
    /// so that `diff` can tell which firms entered or left them (none in snapshots saved before
    /// target lists were kept).
    #[serde(default)]
    pub targets: Vec<TargetTop>,
}

/// The first `top` firms of the target list of `chain` in `place`, best first (ids).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetTop {
    pub place: String,
    pub chain: String,
    pub top: usize,
    pub firms: Vec<String>,
}

/// How many firms of a target list a snapshot keeps unless told.
pub const DEFAULT_TOP: usize = 10;

/// The top `top` firms of the target list of `chain` in `place` (`chainkb targets CHAIN --in
/// PLACE`: fill gaps, default weights and admission rules). Empty when the list cannot be made.
pub fn target_top(graph: &Graph, chain: u32, place: u32, top: usize) -> TargetTop {
    use crate::targets::{TargetOptions, config, list};
    let gaps = list::compute_gaps(graph, chain, place, &[crate::report::gaps::GapKind::Fill]);
    let firms = match (config::Weights::parse(None), config::parse_rules(None)) {
        (Ok(w), Ok(r)) => crate::targets::targets(
            graph,
            chain,
            place,
            &gaps,
            &w,
            &r,
            &TargetOptions {
                limit: top,
                investment: None,
                serial: false,
            },
        )
        .map(|(admitted, _)| {
            admitted
                .iter()
                .take(top)
                .map(|r| graph.node(r.enterprise).id.to_string())
                .collect()
        })
        .unwrap_or_default(),
        _ => Vec::new(),
    };
    TargetTop {
        place: graph.node(place).id.to_string(),
        chain: graph.node(chain).id.to_string(),
        top,
        firms,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error(
        "快照名 `{0}` 不可用：请用 1–64 个字符，不含 / \\ 与开头的点（例如 会前、2026-12月会）"
    )]
    BadName(String),
    #[error("没有名为 `{name}` 的快照{hint}")]
    NotFound { name: String, hint: String },
    #[error("快照 {path}：{what}")]
    Io { path: PathBuf, what: String },
}

fn check_name(name: &str) -> Result<(), SnapshotError> {
    let n = name.chars().count();
    if n == 0
        || n > 64
        || name.starts_with('.')
        || name.contains(['/', '\\', '\0'])
        || name.chars().any(char::is_control)
    {
        return Err(SnapshotError::BadName(name.into()));
    }
    Ok(())
}

/// The snapshot of the current state, with the top of the target lists of `lists` ((chain,
/// place, how many)) and the top `top` of those of every place and chain that has a 客商库.
#[allow(clippy::too_many_arguments)]
pub fn take(
    name: &str,
    time: &str,
    label: &str,
    generation: u64,
    graph: &Graph,
    applied: &Applied,
    lists: &[(u32, u32, usize)],
    top: usize,
) -> Snapshot {
    let ds = &graph.ds;
    let mut names = BTreeMap::new();
    let mut name_of = |i: u32| {
        let n = graph.node(i);
        names.insert(n.id.to_string(), n.name().to_string());
        n.id.to_string()
    };
    let mut places: Vec<u32> = graph.nodes_of(Kind::Region).to_vec();
    places.extend_from_slice(graph.nodes_of(Kind::Park));
    let segments = graph.nodes_of(Kind::Segment);
    let mut cells = Vec::new();
    for &p in &places {
        for &s in segments {
            let state = match graph.state(p, s) {
                SegmentState::Present => "已有",
                SegmentState::Planned => "规划",
                _ => continue,
            };
            cells.push((name_of(p), name_of(s), state.to_string()));
        }
    }
    cells.sort();
    let firms = graph
        .nodes_of(Kind::Enterprise)
        .iter()
        .map(|&i| name_of(i))
        .collect();
    let projects = graph
        .nodes_of(Kind::Project)
        .iter()
        .map(|&i| (name_of(i), applied.status_of(ds, i)))
        .collect();
    for p in applied.prospects.values() {
        for (k, id) in [(Kind::Enterprise, &p.firm), (Kind::Chain, &p.chain)] {
            if let Some(&i) = graph.names.lookup(&ds.nodes, id, &[k]).first() {
                name_of(i);
            }
        }
        if let Some(&i) = graph
            .names
            .lookup(&ds.nodes, &p.place, &[Kind::Region, Kind::Park])
            .first()
        {
            name_of(i);
        }
    }
    // The target lists: those asked for, then each place and chain of the 客商库, once each.
    let mut pairs: Vec<(u32, u32, usize)> = lists.to_vec();
    for p in applied.prospects.values() {
        let one = |id: &str, kinds: &[Kind]| {
            graph
                .names
                .lookup(&ds.nodes, id, kinds)
                .into_iter()
                .find(|&i| &*graph.node(i).id == id)
        };
        if let (Some(c), Some(pl)) = (
            one(&p.chain, &[Kind::Chain]),
            one(&p.place, &[Kind::Region, Kind::Park]),
        ) && !pairs.iter().any(|&(c2, p2, _)| (c2, p2) == (c, pl))
        {
            pairs.push((c, pl, top));
        }
    }
    let targets: Vec<TargetTop> = pairs
        .iter()
        .map(|&(c, pl, n)| {
            name_of(c);
            name_of(pl);
            let t = target_top(graph, c, pl, n);
            for f in &t.firms {
                if let Some(&i) = graph
                    .names
                    .lookup(&ds.nodes, f, &[Kind::Enterprise])
                    .first()
                {
                    name_of(i);
                }
            }
            t
        })
        .collect();
    Snapshot {
        targets,
        name: name.into(),
        time: time.into(),
        label: label.into(),
        generation,
        journal_seq: applied.last_seq,
        names,
        cells,
        firms,
        projects,
        prospects: applied.prospects.values().cloned().collect(),
    }
}

/// Keep a snapshot (replacing one of the same name): written to a temporary file, fsynced,
/// renamed, and the folder fsynced. The store must be open for writing.
pub fn save(store: &Store, snap: &Snapshot) -> Result<PathBuf, SnapshotError> {
    check_name(&snap.name)?;
    let dir = store.make_side_dir(DIR)?;
    let path = dir.join(format!("{}.json", snap.name));
    let io = |what: std::io::Error| SnapshotError::Io {
        path: path.clone(),
        what: what.to_string(),
    };
    let json = serde_json::to_vec(snap).map_err(|e| SnapshotError::Io {
        path: path.clone(),
        what: e.to_string(),
    })?;
    let tmp = dir.join(format!(".{}.json.tmp", snap.name));
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(&json).map_err(io)?;
    f.sync_all().map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, &path).map_err(io)?;
    std::fs::File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(io)?;
    Ok(path)
}

/// The kept snapshots, oldest first: (name, time, label, journal position).
pub fn list(store: &Store) -> Result<Vec<Snapshot>, SnapshotError> {
    let dir = store.side_dir(DIR)?;
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if let Some(stem) = name.strip_suffix(".json") {
            out.push(load(store, stem)?);
        }
    }
    out.sort_by(|a, b| (&a.time, &a.name).cmp(&(&b.time, &b.name)));
    Ok(out)
}

pub fn load(store: &Store, name: &str) -> Result<Snapshot, SnapshotError> {
    check_name(name)?;
    let dir = store.side_dir(DIR)?;
    let path = dir.join(format!("{name}.json"));
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let known: Vec<String> = std::fs::read_dir(&dir)
                .map(|d| {
                    d.flatten()
                        .filter_map(|e| {
                            let n = e.file_name().to_string_lossy().into_owned();
                            n.strip_suffix(".json")
                                .filter(|_| !n.starts_with('.'))
                                .map(str::to_string)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let hint = if known.is_empty() {
                "（还没有快照：chainkb snapshot save NAME）".to_string()
            } else {
                format!("（已有：{}）", known.join("、"))
            };
            return Err(SnapshotError::NotFound {
                name: name.into(),
                hint,
            });
        }
        Err(e) => {
            return Err(SnapshotError::Io {
                path,
                what: e.to_string(),
            });
        }
    };
    serde_json::from_slice(&bytes).map_err(|e| SnapshotError::Io {
        path,
        what: format!("无法解读（已损坏？）：{e}"),
    })
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
