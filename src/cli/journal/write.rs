//! The write path: a `Write` as the command line and the query language say it, checked by
//! `prepare` and recorded by `perform`; `LangWriter`, the query language's `query::Writer`.

use super::*;

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

pub(super) fn werr(arg: Arg, message: String) -> WriteError {
    WriteError { arg, message }
}

/// Look `name` up among `kinds`: one node, or an error in `lang` with "did you mean".
pub(super) fn resolve(
    g: &Graph,
    name: &str,
    kinds: &[Kind],
    arg: Arg,
    lang: Lang,
) -> Result<u32, WriteError> {
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

pub(super) fn loop_list() -> String {
    journal::loop_statuses().collect::<Vec<_>>().join("、")
}

pub(super) fn date_of(d: &Option<String>, now: &str, lang: Lang) -> Result<String, WriteError> {
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
pub(super) fn resolve_chain(
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
                        && g.produced(firm_n).contains(&s)
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
pub(super) fn perform_cli(db: &Option<PathBuf>, w: Write, args: &WriteArgs) -> Result<(), Failure> {
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
pub(super) fn from_ast(w: &ast::Write) -> Write {
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
pub(super) fn span_of_arg(w: &ast::Write, arg: Arg) -> ast::Span {
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
