//! The `project`, `prospect`, `firm`, `note`, `history`, `journal`, `snapshot` and `diff`
//! commands (`run`), their REPL dot-command forms (`repl_meta`), and the 客商库 column of a
//! target list (`mark_prospects`).

use super::*;

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
            // Saving under a name in use replaces that snapshot (as `--help` says): say so, with
            // when the replaced one was taken, so a 会前 snapshot is not lost unnoticed.
            let replaced = snapshot::load(&store, &name).ok().map(|old| old.time);
            snapshot::save(&store, &snap)?;
            let (generation, label, seq) = (snap.generation, &snap.label, snap.journal_seq);
            let (cells, firms, projects, prospects) = (
                snap.cells.len(),
                snap.firms.len(),
                snap.projects.len(),
                snap.prospects.len(),
            );
            stdoutln!(
                "{}",
                tr!(
                    lang(),
                    "已保存快照 {name}：数据 第{generation}代（{label}），日志至 #{seq}；{cells} 个环节状态、{firms} 家企业、{projects} 个项目、客商库 {prospects} 条",
                    "saved snapshot {name}: data generation {generation} ({label}), journal up to #{seq}; {cells} segment states, {firms} firms, {projects} projects, {prospects} 客商库 entries"
                )
            );
            if let Some(time) = replaced {
                stdoutln!(
                    "{}",
                    tr!(
                        lang(),
                        "（替换了 {time} 保存的同名快照）",
                        "(replaced the snapshot of that name saved at {time})"
                    )
                );
            }
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

pub(super) fn print_event(cur: &Current, e: &Event) {
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

pub(super) fn project(db: &Option<PathBuf>, cmd: ProjectCmd) -> Result<(), Failure> {
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

pub(super) fn investment(ds: &Dataset, p: u32) -> Option<f64> {
    match &ds.node(p).attrs {
        Attrs::Project(a) => a.investment_yi,
        _ => None,
    }
}

pub(super) fn fmt_yi(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub(super) fn prospect(db: &Option<PathBuf>, cmd: ProspectCmd) -> Result<(), Failure> {
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

/// The planning commands as REPL meta commands, with the command line's words: `.project move
/// P S`, `.prospect add …`, `.firm add …`, `.note X TEXT`, `.changes X` (an entity's history),
/// `.journal`, `.snapshot NAME` (or `.snapshot save|list`), `.diff NAME [NAME2] [-o FILE]`.
/// `None` when `cmd` is none of them; `Some(Ok(true))` after a write (the REPL reloads).
pub(in crate::cli) fn repl_meta(
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
pub(in crate::cli) fn mark_prospects(
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
