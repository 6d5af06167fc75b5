//! Chain templates: `graphs/*.toml` → Chain and Segment nodes, SUPPLIES and BELONGS_TO edges.
//!
//! A template is read table by table, key by key, so that one mistake (an unknown key, a value
//! of the wrong type, a missing key) is reported where it is and the rest of the file is still
//! read and checked. Only a file that is not TOML at all is unreadable.

use super::text::line_col;
use super::{End, Loader, Pos, Ref};
use crate::lang::{Lang, messages};
use crate::model::{Attrs, EdgeKind, Kind, Node, Stage, TemplateFile};
use crate::msg;
use crate::names::{did_you_mean_in, suggest};
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The keys of each table of a template.
const CHAIN_KEYS: &[&str] = &[
    "id",
    "name",
    "aliases",
    "industries",
    "shared",
    "source",
    "notes",
];
const SEGMENT_KEYS: &[&str] = &[
    "id", "name", "stage", "aliases", "public", "route_of", "source", "notes",
];
const SUPPLIES_KEYS: &[&str] = &["from", "to", "source", "notes"];

/// A string with the byte range of its value (quotes included) in the file.
type Str = Spanned<String>;

struct ChainToml {
    id: Option<Str>,
    name: Option<Str>,
    aliases: Vec<Str>,
    industries: Vec<Str>,
    shared: Vec<Str>,
    source: Option<Str>,
    notes: Option<Str>,
    header: Range<usize>,
    /// Why the table defines no chain, when `id` is missing or not a string.
    id_problem: Option<usize>,
    /// The names the table was meant to define (see `meant_names`).
    names: Vec<String>,
}

struct SegmentToml {
    id: Option<Str>,
    name: Option<Str>,
    stage: Option<Str>,
    aliases: Vec<Str>,
    /// Who provides the segment when public bodies, not firms, do (批签发, 预防接种).
    public: Option<Str>,
    /// The segment this one is a technology route of (磷酸铁锂正极材料 of 正极材料).
    route_of: Option<Str>,
    source: Option<Str>,
    notes: Option<Str>,
    header: Range<usize>,
    id_problem: Option<usize>,
    names: Vec<String>,
}

struct SuppliesToml {
    from: Option<Str>,
    to: Option<Str>,
    source: Option<Str>,
    notes: Option<Str>,
    header: Range<usize>,
}

fn pos_of(text: &str, file: u32, byte: usize) -> Pos {
    let (line, col) = line_col(text, byte);
    Pos { file, line, col }
}

/// Reads the keys of one table, reporting what is wrong with them.
struct Fields<'a, 'i> {
    ld: &'a mut Loader,
    text: &'a str,
    file: u32,
    table: &'a DeTable<'i>,
    /// `[chain]`, `[[segment]]`, `[[supplies]]`, for messages.
    what: &'static str,
    header: Range<usize>,
}

impl<'a, 'i> Fields<'a, 'i> {
    /// The fields of one table of kind `what`; keys not in `known` are reported at once.
    fn of(
        ld: &'a mut Loader,
        (text, file): (&'a str, u32),
        (what, known): (&'static str, &[&str]),
        table: &'a DeTable<'i>,
        header: Range<usize>,
    ) -> Self {
        let mut f = Fields {
            ld,
            text,
            file,
            table,
            what,
            header,
        };
        f.unknown_keys(known);
        f
    }

    /// The required `id`; when it is missing, also the index of that problem and the names the
    /// table meant, so references to them count as "not checked" instead of unknown.
    fn id(&mut self) -> (Option<Str>, Option<usize>, Vec<String>) {
        let problem = self.ld.problems.len();
        let id = self.required("id", "");
        let mut names = Vec::new();
        meant_names_in(self.table, &mut names);
        let problem = id.is_none().then_some(problem);
        (id, problem, names)
    }

    fn error(&mut self, byte: usize, msg: String) {
        let pos = pos_of(self.text, self.file, byte);
        self.ld.error(pos, msg);
    }

    /// Report keys that are not in `known`, with a suggestion and the keys there are.
    fn unknown_keys(&mut self, known: &[&str]) {
        for (k, _) in self.table.iter() {
            let key: &str = k.get_ref();
            if !known.contains(&key) {
                // A key of another table (`public` on [chain]) says where it belongs.
                let elsewhere = [
                    ("[chain]", CHAIN_KEYS),
                    ("[[segment]]", SEGMENT_KEYS),
                    ("[[supplies]]", SUPPLIES_KEYS),
                ]
                .iter()
                .find(|(_, keys)| keys.contains(&key))
                .map_or(String::new(), |(table, _)| {
                    msg!(
                        "，`{key}` 是 {table} 的键",
                        " (`{key}` is a key of {table})"
                    )
                });
                let lang = messages();
                let dym = did_you_mean_in(&suggest(key, known.iter().copied(), 1), lang);
                let (what, keys) = (self.what, known.join(", "));
                let msg = crate::tr!(
                    lang,
                    "{what} 里没有 `{key}` 这个键{elsewhere}（它的键是 {keys}）{dym}",
                    "unknown key `{key}` in {what}{dym}{elsewhere}; its keys are {keys}"
                );
                self.error(k.span().start, msg);
            }
        }
    }

    fn value(&self, key: &str) -> Option<&Spanned<DeValue<'_>>> {
        self.table
            .iter()
            .find(|(k, _)| AsRef::<str>::as_ref(k.get_ref()) == key)
            .map(|(_, v)| v)
    }

    /// A string value; a value of another type is reported and taken as absent.
    fn string(&mut self, key: &str) -> Option<Str> {
        let v = self.value(key)?;
        let span = v.span();
        match v.get_ref() {
            DeValue::String(s) => Some(Spanned::new(span, s.to_string())),
            other => {
                let (what, ty) = (self.what, a(other.type_str()));
                self.error(
                    span.start,
                    msg!(
                        "{what} 里的 `{key}` 必须是字符串，而不是{ty}",
                        "`{key}` in {what} must be a string, not {ty}"
                    ),
                );
                None
            }
        }
    }

    /// A string that must be there: its absence is reported at the table's header.
    fn required(&mut self, key: &str, hint: &str) -> Option<Str> {
        if self.value(key).is_none() {
            let what = self.what;
            let msg = msg!("{what} 缺少 `{key}`{hint}", "{what} without `{key}`{hint}");
            self.error(self.header.start, msg);
            return None;
        }
        self.string(key)
    }

    /// An array of strings; other values are reported and left out.
    fn strings(&mut self, key: &str) -> Vec<Str> {
        let Some(v) = self.value(key) else {
            return Vec::new();
        };
        let span = v.span();
        let items: Vec<(Range<usize>, Result<String, &'static str>)> = match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|item| match item.get_ref() {
                    DeValue::String(s) => (item.span(), Ok(s.to_string())),
                    other => (item.span(), Err(other.type_str())),
                })
                .collect(),
            other => {
                let (what, ty) = (self.what, a(other.type_str()));
                self.error(
                    span.start,
                    msg!(
                        "{what} 里的 `{key}` 必须是字符串数组（`{key} = [\"…\"]`），而不是{ty}",
                        "`{key}` in {what} must be an array of strings (`{key} = [\"…\"]`), not {ty}"
                    ),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (span, item) in items {
            match item {
                Ok(s) => out.push(Spanned::new(span, s)),
                Err(ty) => {
                    let (what, ty) = (self.what, a(ty));
                    self.error(
                        span.start,
                        msg!(
                            "{what} 里的 `{key}` 只能装字符串，不能装{ty}",
                            "`{key}` in {what} must hold strings only, not {ty}"
                        ),
                    )
                }
            }
        }
        out
    }
}

/// "an integer", "a table" (in Chinese: 整数, 表 …).
fn a(ty: &str) -> String {
    if messages() == Lang::Zh {
        return match ty {
            "string" => "字符串",
            "integer" => "整数",
            "float" => "小数",
            "boolean" => "布尔值",
            "datetime" => "日期时间",
            "array" => "数组",
            "table" => "表",
            other => other,
        }
        .to_string();
    }
    if ty.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {ty}")
    } else {
        format!("a {ty}")
    }
}

/// Keys whose values are not names of what a table defines.
const NOT_NAMES: &[&str] = &["source", "notes", "stage", "industries", "shared"];

/// The string values in `value` (tables and arrays included), except those of `NOT_NAMES`
/// keys: what a table that defines nothing because of a problem meant to name (`idd = "咖啡"`,
/// `form = "甲"`).
fn meant_names(value: &DeValue<'_>, out: &mut Vec<String>) {
    match value {
        DeValue::String(s) => out.push(s.to_string()),
        DeValue::Array(items) => {
            for item in items.iter() {
                meant_names(item.get_ref(), out);
            }
        }
        DeValue::Table(t) => meant_names_in(t, out),
        _ => {}
    }
}

fn meant_names_in(table: &DeTable<'_>, out: &mut Vec<String>) {
    for (k, v) in table.iter() {
        let key: &str = k.get_ref();
        if !NOT_NAMES.contains(&key) {
            meant_names(v.get_ref(), out);
        }
    }
}

/// The table an unknown top-level key was meant to be: one whose name, singular or plural,
/// is close to it (`suply` → supplies).
fn meant_table(key: &str) -> Option<&'static str> {
    const FORMS: &[(&str, &str)] = &[
        ("chain", "chain"),
        ("chains", "chain"),
        ("segment", "segment"),
        ("segments", "segment"),
        ("supplies", "supplies"),
        ("supply", "supplies"),
    ];
    let close = suggest(key, FORMS.iter().map(|f| f.0), 1);
    let form = close.first()?;
    FORMS.iter().find(|f| f.0 == *form).map(|f| f.1)
}

/// Whether a value is a table, or an array of tables, with a `from` or `to` key.
fn has_ends(value: &DeValue<'_>) -> bool {
    let ends = |t: &DeTable<'_>| {
        t.iter()
            .any(|(k, _)| matches!(AsRef::<str>::as_ref(k.get_ref()), "from" | "to"))
    };
    match value {
        DeValue::Table(t) => ends(t),
        DeValue::Array(items) => items
            .iter()
            .any(|i| matches!(i.get_ref(), DeValue::Table(t) if ends(t))),
        _ => false,
    }
}

/// The tables of one kind (`[chain]` is one table, `[[segment]]` an array of them), with their
/// spans; a value of another shape is reported.
fn tables<'a, 'i>(
    ld: &mut Loader,
    text: &str,
    file: u32,
    key: &Spanned<toml::de::DeString<'i>>,
    value: &'a Spanned<DeValue<'i>>,
    one: bool,
) -> Vec<(Range<usize>, &'a DeTable<'i>)> {
    let name: &str = key.get_ref();
    match value.get_ref() {
        DeValue::Table(t) if one => vec![(value.span(), t)],
        DeValue::Array(items) if !one => {
            let mut out = Vec::new();
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::Table(t) => out.push((item.span(), t)),
                    other => {
                        let ty = a(other.type_str());
                        ld.error(
                            pos_of(text, file, item.span().start),
                            msg!(
                                "`{name}` 只能装表（写作 [[{name}]]），不能装{ty}",
                                "`{name}` must hold tables, written [[{name}]], not {ty}"
                            ),
                        )
                    }
                }
            }
            out
        }
        other => {
            let (want, shape) = if one {
                (msg!("表", "a table"), format!("[{name}]"))
            } else {
                (msg!("表数组", "an array of tables"), format!("[[{name}]]"))
            };
            let ty = a(other.type_str());
            ld.error(
                pos_of(text, file, key.span().start),
                msg!(
                    "`{name}` 必须是{want}（写作 {shape}），而不是{ty}",
                    "`{name}` must be {want}, written {shape}, not {ty}"
                ),
            );
            Vec::new()
        }
    }
}

pub(crate) fn read(ld: &mut Loader, file: u32, text: &str) {
    let doc = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let pos = pos_of(text, file, e.span().map_or(0, |s| s.start));
            let msg = e.message().trim().to_string();
            ld.unreadable(
                pos,
                msg!("产业链模板无效：{msg}", "invalid chain template: {msg}"),
                &[Kind::Chain, Kind::Segment],
                Some(text.as_bytes()),
            );
            return;
        }
    };
    let mut chain = None;
    let mut segments = Vec::new();
    let mut supplies = Vec::new();
    // A misspelt [chain] table (`[chains]`) was reported: what lacks its source is not.
    let mut chain_misspelt = false;
    for (k, v) in doc.get_ref().iter() {
        let key: &str = k.get_ref();
        match key {
            "chain" => {
                // A [chain] of the wrong shape is reported: its segments have no chain because
                // of it, which is not reported again, nor are references to the chain it meant.
                ld.chainless.insert(file);
                let before = ld.problems.len();
                let found = tables(ld, text, file, k, v, true);
                if found.is_empty() && ld.problems.len() > before {
                    let mut names = vec![file_stem(ld, file)];
                    meant_names(v.get_ref(), &mut names);
                    ld.undefined(before, &[Kind::Chain], names);
                }
                for (header, table) in found {
                    let mut f = Fields::of(
                        ld,
                        (text, file),
                        ("[chain]", CHAIN_KEYS),
                        table,
                        header.clone(),
                    );
                    let (id, id_problem, names) = f.id();
                    chain = Some(ChainToml {
                        id_problem,
                        names,
                        id,
                        name: f.string("name"),
                        aliases: f.strings("aliases"),
                        industries: f.strings("industries"),
                        shared: f.strings("shared"),
                        source: f.required(
                            "source",
                            &msg!(
                                "：请说明这个模板出自哪些文件内容或公开知识",
                                ": say which document lines or public knowledge this template comes from"
                            ),
                        ),
                        notes: f.string("notes"),
                        header,
                    });
                }
            }
            "segment" => {
                for (header, table) in tables(ld, text, file, k, v, false) {
                    let what = ("[[segment]]", SEGMENT_KEYS);
                    let mut f = Fields::of(ld, (text, file), what, table, header.clone());
                    let (id, id_problem, names) = f.id();
                    segments.push(SegmentToml {
                        id_problem,
                        names,
                        id,
                        name: f.string("name"),
                        stage: f.required(
                            "stage",
                            &msg!("（上游、中游或下游）", " (上游, 中游 or 下游)"),
                        ),
                        aliases: f.strings("aliases"),
                        public: f.string("public"),
                        route_of: f.string("route_of"),
                        source: f.string("source"),
                        notes: f.string("notes"),
                        header,
                    });
                }
            }
            "supplies" => {
                // The segments named by an entry that is left out are not orphans because of it.
                let all_tables = matches!(v.get_ref(), DeValue::Array(items)
                    if items.iter().all(|i| matches!(i.get_ref(), DeValue::Table(_))));
                if !all_tables {
                    let mut names = Vec::new();
                    meant_names(v.get_ref(), &mut names);
                    drop_links(ld, names);
                }
                for (header, table) in tables(ld, text, file, k, v, false) {
                    let what = ("[[supplies]]", SUPPLIES_KEYS);
                    let mut f = Fields::of(ld, (text, file), what, table, header.clone());
                    let from = f.required("from", "");
                    let to = f.required("to", "");
                    if from.is_none() || to.is_none() {
                        let mut names = Vec::new();
                        meant_names_in(table, &mut names);
                        drop_links(f.ld, names);
                    }
                    supplies.push(SuppliesToml {
                        from,
                        to,
                        source: f.string("source"),
                        notes: f.string("notes"),
                        header,
                    });
                }
            }
            other => {
                let meant = meant_table(other);
                let problem = ld.problems.len();
                ld.error(
                    pos_of(text, file, k.span().start),
                    {
                        let dym = did_you_mean_in(&meant.into_iter().collect::<Vec<_>>(), messages());
                        msg!(
                            "没有 `{other}` 这个键{dym}：产业链模板由 [chain]、[[segment]] 和 [[supplies]] 表组成",
                            "unknown key `{other}`{dym}: a chain template holds [chain], [[segment]] and [[supplies]] tables"
                        )
                    },
                );
                // What the misspelt table meant is not reported again as missing.
                match meant {
                    Some("chain") => {
                        chain_misspelt = true;
                        ld.chainless.insert(file);
                        let mut names = vec![file_stem(ld, file)];
                        meant_names(v.get_ref(), &mut names);
                        ld.undefined(problem, &[Kind::Chain], names);
                    }
                    Some("segment") => {
                        let mut names = Vec::new();
                        meant_names(v.get_ref(), &mut names);
                        ld.undefined(problem, &[Kind::Segment], names);
                    }
                    _ if meant == Some("supplies") || has_ends(v.get_ref()) => {
                        let mut names = Vec::new();
                        meant_names(v.get_ref(), &mut names);
                        drop_links(ld, names);
                    }
                    _ => {}
                }
            }
        }
    }
    segments.sort_by_key(|s| s.header.start);
    supplies.sort_by_key(|s| s.header.start);
    let chain_reported = chain.is_none() && chain_misspelt;
    build(ld, file, text, chain, segments, supplies, chain_reported);
}

/// The names in a `[[supplies]]` entry that is left out (see `Loader::dropped_links`).
fn drop_links(ld: &mut Loader, names: Vec<String>) {
    for n in names {
        let n = n.trim();
        if !n.is_empty() {
            ld.dropped_links.insert(crate::names::normalize(n));
            ld.dropped_links.insert(n.to_string());
        }
    }
}

/// `coffee` for `graphs/coffee.toml`: what a template without a usable chain id may have meant.
fn file_stem(ld: &Loader, file: u32) -> String {
    let name = ld.ds.files.get(file as usize).map_or("", String::as_str);
    name.trim_start_matches("graphs/")
        .trim_end_matches(".toml")
        .to_string()
}

fn text_of(s: &Option<Str>) -> &str {
    s.as_ref().map_or("", |s| s.get_ref().as_str())
}

/// Nodes, rows and pending edges from the tables read.
fn build(
    ld: &mut Loader,
    file: u32,
    text: &str,
    chain: Option<ChainToml>,
    segments: Vec<SegmentToml>,
    supplies: Vec<SuppliesToml>,
    chain_reported: bool,
) {
    let mut chain_idx = None;
    let mut chain_source = String::new();
    // Whether the chain's source was reported missing or empty: segments and edges that would
    // take it are not reported again.
    let mut chain_source_reported = chain_reported;
    if let Some(c) = &chain {
        let pos = pos_of(
            text,
            file,
            c.id.as_ref().map_or(c.header.start, |id| id.span().start),
        );
        chain_source = text_of(&c.source).to_string();
        match &c.source {
            None => chain_source_reported = true,
            Some(s) if s.get_ref().trim().is_empty() => {
                chain_source_reported = true;
                let p = pos_of(text, file, s.span().start);
                ld.error(p, msg!(
                    "产业链的 `source` 为空：请说明这个模板出自哪些文件内容或公开知识",
                    "chain `source` is empty: say which document lines or public knowledge this template comes from"
                ));
            }
            Some(_) => {}
        }
        let row = ld.add_row(file, pos.line, &chain_source, text_of(&c.notes));
        // The problem that leaves the file without a chain, other than a duplicate id.
        let mut id_problem = c.id_problem;
        if let Some(id) = &c.id {
            let before = ld.problems.len();
            match node_from(
                ld,
                Kind::Chain,
                id,
                c.name.as_ref(),
                &c.aliases,
                Attrs::Chain,
                row,
                pos,
            ) {
                Some(node) => chain_idx = ld.add_node(node, pos),
                None => id_problem = Some(before),
            }
        }
        if chain_idx.is_none()
            && let Some(p) = id_problem
        {
            let mut names = c.names.clone();
            names.push(file_stem(ld, file));
            ld.undefined(p, &[Kind::Chain], names);
        }
        // Without a chain (its problem is reported), `chainless` stays set for the file.
        if let Some(ci) = chain_idx {
            ld.chainless.remove(&file);
            // A segment-less segment list is always a mistake: without one the chain has no
            // status, gaps or picture.
            if segments.is_empty() && c.shared.is_empty() {
                ld.error(
                    pos,
                    {
                        let id = &ld.ds.nodes[ci as usize].id;
                        msg!(
                            "产业链 `{id}` 没有环节：请加上 [[segment]] 表，或在 `shared` 里列出其他链的环节",
                            "chain `{id}` has no segments: add [[segment]] tables, or list segments of other chains in `shared`"
                        )
                    },
                );
            }
            for ind in &c.industries {
                let r = reference(text, file, ind, &[Kind::Industry]);
                ld.pend(EdgeKind::BelongsTo, End::Node(ci), End::Ref(r), row);
            }
            for seg in &c.shared {
                let r = reference(text, file, seg, &[Kind::Segment]);
                ld.pend(EdgeKind::BelongsTo, End::Ref(r), End::Node(ci), row);
            }
        }
    }
    ld.ds.templates.push(TemplateFile {
        file,
        chain: chain_idx,
    });
    for s in &segments {
        let Some(id) = &s.id else {
            if let Some(p) = s.id_problem {
                ld.undefined(p, &[Kind::Segment], s.names.clone());
            }
            continue;
        };
        let pos = pos_of(text, file, id.span().start);
        let source = match &s.source {
            Some(src) => src.get_ref().clone(),
            None => chain_source.clone(),
        };
        if source.trim().is_empty() && !(s.source.is_none() && chain_source_reported) {
            ld.error(pos, {
                let id = id.get_ref();
                msg!(
                    "环节 `{id}` 没有 `source`，文件里也没有产业链的来源",
                    "segment `{id}` has no `source` and the file has no chain source"
                )
            });
        }
        let row = ld.add_row(file, pos.line, &source, text_of(&s.notes));
        let stage = match &s.stage {
            Some(st) => match Stage::parse(st.get_ref()) {
                Some(st) => st,
                None => {
                    let p = pos_of(text, file, st.span().start);
                    ld.error(p, {
                        let st = st.get_ref();
                        msg!(
                            "阶段 `{st}` 不是上游、中游、下游之一",
                            "stage `{st}` is not one of 上游, 中游, 下游"
                        )
                    });
                    Stage::Midstream
                }
            },
            // Reported as missing; the segment is still defined, so references to it resolve.
            None => Stage::Midstream,
        };
        let before = ld.problems.len();
        let Some(node) = node_from(
            ld,
            Kind::Segment,
            id,
            s.name.as_ref(),
            &s.aliases,
            Attrs::Segment { stage },
            row,
            pos,
        ) else {
            ld.undefined(before, &[Kind::Segment], s.names.clone());
            continue;
        };
        let Some(si) = ld.add_node(node, pos) else {
            continue;
        };
        // A definition kept in the place of an earlier one replaces what that one said.
        ld.ds.public_functions.retain(|&(s, _)| s != si);
        if let Some(who) = &s.public {
            match public_text(who.get_ref()) {
                Ok(text) => ld.ds.public_functions.push((si, text.into())),
                Err(msg) => ld.error(pos_of(text, file, who.span().start), msg),
            }
        }
        if let Some(ci) = chain_idx {
            ld.pend(EdgeKind::BelongsTo, End::Node(si), End::Node(ci), row);
        }
        // A technology route is a kind of its parent segment: Segment PART_OF Segment.
        if let Some(parent) = &s.route_of {
            let r = reference(text, file, parent, &[Kind::Segment]);
            ld.pend(EdgeKind::PartOf, End::Node(si), End::Ref(r), row);
        }
    }
    for e in &supplies {
        let (Some(from), Some(to)) = (&e.from, &e.to) else {
            continue;
        };
        let pos = pos_of(text, file, from.span().start);
        let source = match &e.source {
            Some(src) => src.get_ref().clone(),
            None => chain_source.clone(),
        };
        if source.trim().is_empty() && !(e.source.is_none() && chain_source_reported) {
            ld.error(
                pos,
                msg!(
                    "SUPPLIES 边没有 `source`，文件里也没有产业链的来源",
                    "SUPPLIES edge has no `source` and the file has no chain source"
                ),
            );
        }
        let row = ld.add_row(file, pos.line, &source, text_of(&e.notes));
        let from = reference(text, file, from, &[Kind::Segment]);
        let to = reference(text, file, to, &[Kind::Segment]);
        ld.pend(EdgeKind::Supplies, End::Ref(from), End::Ref(to), row);
    }
}

/// The text of a `public` key: who provides the segment, on one line (it ends notes and
/// reasons), with something visible in it.
fn public_text(who: &str) -> Result<&str, String> {
    let who = who.trim();
    let invisible = |c: char| {
        c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
    };
    if who.chars().all(invisible) {
        Err(msg!(
            "`public` 为空：请写明谁提供这个环节（如 \"疾病预防控制机构\"），或去掉这个键",
            "`public` is empty: say who provides the segment (e.g. \"疾病预防控制机构\"), \
             or leave the key out"
        ))
    } else if who.chars().any(char::is_control) {
        Err(msg!(
            "`public` 必须是一行文字，不能有换行或控制字符",
            "`public` must be one line of text, without line breaks or control characters"
        ))
    } else {
        Ok(who)
    }
}

fn reference(text: &str, file: u32, s: &Str, allowed: &'static [Kind]) -> Ref {
    Ref {
        text: s.get_ref().clone(),
        pos: pos_of(text, file, s.span().start + 1),
        allowed,
    }
}

/// Build a node after checking its id; `None` (with a problem reported) if the id is unusable.
#[allow(clippy::too_many_arguments)]
fn node_from(
    ld: &mut Loader,
    kind: Kind,
    id: &Str,
    name: Option<&Str>,
    aliases: &[Str],
    attrs: Attrs,
    row: u32,
    pos: Pos,
) -> Option<Node> {
    let id_text = id.get_ref();
    if let Err(msg) = super::seeds::check_id(id_text) {
        ld.error(pos, msg);
        return None;
    }
    let display_name = name
        .map(|n| n.get_ref().trim())
        .filter(|n| !n.is_empty() && n != id_text)
        .map(Into::into);
    Some(Node {
        kind,
        id: id_text.as_str().into(),
        display_name,
        aliases: aliases
            .iter()
            .map(|a| a.get_ref().trim())
            .filter(|a| !a.is_empty())
            .map(Into::into)
            .collect(),
        attrs,
        row,
    })
}

#[cfg(test)]
mod tests {
    use crate::data::{Encoding, Input, load_inputs};

    fn problems(files: &[(&str, &str)]) -> Vec<String> {
        let inputs = files
            .iter()
            .map(|(name, text)| Input {
                name: name.to_string(),
                display: name.to_string(),
                bytes: Ok(text.as_bytes().to_vec()),
                path: None,
            })
            .collect();
        load_inputs(inputs, Encoding::Auto)
            .diags
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    #[test]
    fn tables_of_the_wrong_shape_and_incomplete_edges_are_single_problems() {
        let got = problems(&[(
            "graphs/t.toml",
            "[[chain]]\nid = \"链\"\nsource = \"s\"\n\n[[segment]]\nid = \"甲\"\nstage = \"上游\"\nsource = \"s\"\n\n[[supplies]]\nfrom = \"甲\"\n",
        )]);
        assert_eq!(
            got,
            [
                "graphs/t.toml:1:3: `chain` 必须是表（写作 [chain]），而不是数组",
                "graphs/t.toml:10:1: [[supplies]] 缺少 `to`",
            ]
        );
    }

    #[test]
    fn public_names_who_provides_a_segment_and_may_not_be_empty() {
        let text = "[chain]\nid = \"链\"\nsource = \"s\"\n\n[[segment]]\nid = \"甲\"\nstage = \"上游\"\n\n[[segment]]\nid = \"乙\"\nstage = \"下游\"\npublic = \"疾病预防控制机构\"\n\n[[segment]]\nid = \"丙\"\nstage = \"下游\"\npublic = \" \"\n\n[[supplies]]\nfrom = \"甲\"\nto = \"乙\"\n\n[[supplies]]\nfrom = \"甲\"\nto = \"丙\"\n";
        let inputs = vec![Input {
            name: "graphs/t.toml".into(),
            display: "graphs/t.toml".into(),
            bytes: Ok(text.as_bytes().to_vec()),
            path: None,
        }];
        let loaded = load_inputs(inputs, Encoding::Auto);
        let diags: Vec<String> = loaded.diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            diags,
            [
                "graphs/t.toml:17:10: `public` 为空：请写明谁提供这个环节（如 \"疾病预防控制机构\"），或去掉这个键"
            ]
        );
        let ds = &loaded.dataset;
        let id = |i: u32| &*ds.nodes[i as usize].id;
        let public: Vec<(&str, &str)> = ds
            .public_functions
            .iter()
            .map(|(s, who)| (id(*s), &**who))
            .collect();
        assert_eq!(public, [("乙", "疾病预防控制机构")]);
        for (value, want) in [
            ("\"\\u200b\"", "`public` 为空"),
            ("\"药品检验\\n机构\"", "`public` 必须是一行文字"),
            ("\"\\u001b[31m红\"", "`public` 必须是一行文字"),
        ] {
            let got = problems(&[(
                "graphs/t.toml",
                &format!(
                    "[chain]\nid = \"链\"\nsource = \"s\"\n\n[[segment]]\nid = \"甲\"\nstage = \"上游\"\npublic = {value}\n\n[[segment]]\nid = \"乙\"\nstage = \"下游\"\n\n[[supplies]]\nfrom = \"甲\"\nto = \"乙\"\n"
                ),
            )]);
            assert_eq!(got.len(), 1, "{value}: {got:?}");
            assert!(
                got[0].starts_with("graphs/t.toml:8:10: ") && got[0].contains(want),
                "{value}: {got:?}"
            );
        }
        // On a table that has no such key, the message says where it belongs.
        let got = problems(&[(
            "graphs/t.toml",
            "[chain]\nid = \"链\"\nsource = \"s\"\npublic = \"x\"\n\n[[segment]]\nid = \"甲\"\nstage = \"上游\"\n\n[[segment]]\nid = \"乙\"\nstage = \"下游\"\n\n[[supplies]]\nfrom = \"甲\"\nto = \"乙\"\n",
        )]);
        assert_eq!(
            got,
            [
                "graphs/t.toml:4:1: [chain] 里没有 `public` 这个键，`public` 是 [[segment]] 的键（它的键是 id, name, aliases, industries, shared, source, notes）"
            ]
        );
    }

    #[test]
    fn a_duplicate_chain_id_is_not_repeated_for_each_of_its_segments() {
        let chain = |seg: &str| {
            format!(
                "[chain]\nid = \"链\"\nsource = \"s\"\n\n[[segment]]\nid = \"{seg}1\"\nstage = \"上游\"\n\n[[segment]]\nid = \"{seg}2\"\nstage = \"下游\"\n\n[[supplies]]\nfrom = \"{seg}1\"\nto = \"{seg}2\"\n"
            )
        };
        let (a, b) = (chain("甲"), chain("乙"));
        let got = problems(&[("graphs/a.toml", &a), ("graphs/b.toml", &b)]);
        assert_eq!(
            got,
            ["graphs/b.toml:2:6: 产业链编号 `链` 重复（首次定义于 graphs/a.toml:2）"]
        );
    }
}
