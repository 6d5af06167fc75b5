//! Entity tables: `seeds/*.csv` → Region, Park, Industry, Enterprise and Project nodes, and the
//! edges their reference columns declare. The file-name prefix says the kind.

use super::text::{CsvText, LineBreaks, Record, split_list};
use super::{End, Loader, Pos, Ref};
use crate::model::{
    Attrs, CatalogItem, Coverage, EdgeKind, EnterpriseAttrs, Figure, Kind, Listing, Node,
    ParkAttrs, PlaceCoverage, ProjectAttrs, ProjectStatus, SystemEntry, check_tag,
};
use crate::names;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeedKind {
    Regions,
    Parks,
    Industries,
    Systems,
    Enterprises,
    Candidates,
    Projects,
    Relations,
    Figures,
    Catalog,
    Listings,
}

impl SeedKind {
    pub const ALL: [SeedKind; 11] = [
        SeedKind::Regions,
        SeedKind::Parks,
        SeedKind::Industries,
        SeedKind::Systems,
        SeedKind::Enterprises,
        SeedKind::Candidates,
        SeedKind::Projects,
        SeedKind::Relations,
        SeedKind::Figures,
        SeedKind::Catalog,
        SeedKind::Listings,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            SeedKind::Regions => "regions",
            SeedKind::Parks => "parks",
            SeedKind::Industries => "industries",
            SeedKind::Systems => "systems",
            SeedKind::Enterprises => "enterprises",
            SeedKind::Candidates => "candidates",
            SeedKind::Projects => "projects",
            SeedKind::Relations => "relations",
            SeedKind::Figures => "figures",
            SeedKind::Catalog => "catalog",
            SeedKind::Listings => "listings",
        }
    }

    /// `projects-yuxi` → Projects. The prefix must be followed by the end, `-` or `_`.
    pub fn from_file_stem(stem: &str) -> Result<SeedKind, String> {
        for k in SeedKind::ALL {
            if let Some(rest) = stem.strip_prefix(k.prefix())
                && (rest.is_empty() || rest.starts_with(['-', '_']))
            {
                return Ok(k);
            }
        }
        let prefixes: Vec<&str> = SeedKind::ALL.iter().map(|k| k.prefix()).collect();
        let word = stem.split(['-', '_']).next().unwrap_or(stem);
        let lang = crate::lang::messages();
        let dym = names::did_you_mean_in(&names::suggest(word, prefixes.iter().copied(), 1), lang);
        let prefixes = prefixes.join(lang.pick("、", ", "));
        Err(crate::tr!(
            lang,
            "看不出 `{stem}.csv` 装的是什么：种子文件名必须以下列之一开头：{prefixes}{dym}",
            "cannot tell what `{stem}.csv` holds: a seed file name must start with one of {prefixes}{dym}"
        ))
    }

    /// The kinds of node a file of this kind defines (none for systems and relations).
    pub fn node_kinds(self) -> &'static [Kind] {
        match self {
            SeedKind::Regions => &[Kind::Region],
            SeedKind::Parks => &[Kind::Park],
            SeedKind::Industries => &[Kind::Industry],
            SeedKind::Enterprises | SeedKind::Candidates => &[Kind::Enterprise],
            SeedKind::Projects => &[Kind::Project],
            SeedKind::Systems
            | SeedKind::Relations
            | SeedKind::Figures
            | SeedKind::Catalog
            | SeedKind::Listings => &[],
        }
    }

    /// All columns, in export order; required ones are checked on read.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            SeedKind::Regions => &[
                "id",
                "name",
                "aliases",
                "level",
                "parent",
                "focus",
                "coverage",
                "coverage_source",
                "source",
                "notes",
            ],
            SeedKind::Parks => &[
                "id",
                "name",
                "aliases",
                "kind",
                "parent",
                "area_km2",
                "focus",
                "coverage",
                "coverage_source",
                "source",
                "notes",
            ],
            SeedKind::Industries => &[
                "id", "name", "aliases", "parent", "chains", "source", "notes",
            ],
            SeedKind::Systems => &[
                "place",
                "system",
                "industry",
                "class",
                "target_revenue_yi",
                "source",
                "notes",
            ],
            SeedKind::Enterprises | SeedKind::Candidates => &[
                "id",
                "name",
                "aliases",
                "credit_code",
                "province",
                "city",
                "location",
                "revenue_yi",
                "tags",
                "listing",
                "segments",
                "industries",
                "source",
                "notes",
            ],
            SeedKind::Projects => &[
                "id",
                "name",
                "domain",
                "category",
                "carrier",
                "location",
                "investment_yi",
                "investment_text",
                "land_mu",
                "scale",
                "start_year",
                "end_year",
                "status",
                "segments",
                "source",
                "notes",
            ],
            SeedKind::Relations => &["from", "relation", "to", "source", "notes"],
            SeedKind::Figures => &[
                "place", "system", "industry", "measure", "value", "unit", "year", "text",
                "source", "notes",
            ],
            SeedKind::Catalog => &[
                "place",
                "system",
                "industry",
                "industry_no",
                "number",
                "heading",
                "item",
                "models",
                "source",
                "notes",
            ],
            SeedKind::Listings => &[
                "table",
                "industry",
                "field",
                "enterprise",
                "written",
                "source",
                "notes",
            ],
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            SeedKind::Systems => &["place", "system", "industry", "source"],
            SeedKind::Projects => &["id", "name", "source"],
            SeedKind::Relations => &["from", "relation", "to", "source"],
            SeedKind::Figures => &["place", "measure", "text", "source"],
            SeedKind::Catalog => &["place", "system", "industry", "heading", "source"],
            SeedKind::Listings => &["table", "industry", "written", "source"],
            _ => &["id", "source"],
        }
    }
}

const PLACES: &[Kind] = &[Kind::Park, Kind::Region];
const FOCUS: &[Kind] = &[Kind::Industry, Kind::Chain, Kind::Segment];

/// An id must be non-empty, trimmed, free of the list separators and of control characters
/// (a tab, a stray `\x01` from a copied cell): an id is typed and compared as written.
pub(crate) fn check_id(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        Err(crate::msg!("编号为空", "empty id"))
    } else if id.trim() != id {
        let id = id.escape_debug();
        Err(crate::msg!(
            "编号 `{id}` 首尾有空格：请删去",
            "id `{id}` has leading or trailing spaces: remove them"
        ))
    } else if let Some(c) = id.chars().find(|c| c.is_control()) {
        let (id, c) = (id.escape_debug(), c.escape_unicode());
        Err(crate::msg!(
            "编号 `{id}` 含控制字符 {c}：请删去",
            "id `{id}` contains the control character {c}: remove it"
        ))
    } else if id.contains([';', '；']) {
        Err(crate::msg!(
            "编号 `{id}` 含 `;`，而 `;` 用来分隔列表项",
            "id `{id}` contains `;`, which separates list items"
        ))
    } else {
        Ok(())
    }
}

/// One CSV row with access to its cells by column name.
struct RowView<'a> {
    file: u32,
    rec: &'a Record,
    cols: &'a HashMap<&'static str, usize>,
}

impl RowView<'_> {
    fn get(&self, col: &str) -> &str {
        self.raw(col).trim()
    }

    /// The cell as written, spaces included.
    fn raw(&self, col: &str) -> &str {
        self.cols
            .get(col)
            .and_then(|&i| self.rec.cells.get(i))
            .map_or("", |c| c.0.as_str())
    }

    fn pos(&self, col: &str) -> Pos {
        let i = self.cols.get(col).copied();
        let c = i.and_then(|i| self.rec.cells.get(i)).map_or(1, |c| c.1);
        Pos {
            file: self.file,
            line: i.map_or(self.rec.line, |i| self.rec.line_of(i)),
            col: c,
        }
    }

    fn reference(&self, col: &str, text: &str, allowed: &'static [Kind]) -> Ref {
        Ref {
            text: text.to_string(),
            pos: self.pos(col),
            allowed,
        }
    }

    fn refs(&self, col: &str, allowed: &'static [Kind]) -> Vec<Ref> {
        split_list(self.get(col))
            .into_iter()
            .map(|t| self.reference(col, t, allowed))
            .collect()
    }
}

fn number(ld: &mut Loader, r: &RowView, col: &str) -> Option<f64> {
    let cell = r.get(col);
    if cell.is_empty() {
        return None;
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
        Ok(v) if v < 0.0 => {
            ld.error(
                r.pos(col),
                crate::msg!(
                    "{col}：`{cell}` 是负数；金额和面积不会小于 0",
                    "{col}: `{cell}` is negative; amounts and areas are never below 0"
                ),
            );
            None
        }
        _ => {
            let hint = if col.ends_with("_yi") {
                crate::msg!(
                    "（以亿元计的普通小数，如 3.6；万元 ÷ 10000；原文写进 investment_text 或 notes）",
                    " (a plain decimal in 亿元, e.g. 3.6; 万元 ÷ 10000; keep the original wording in investment_text or notes)"
                )
            } else {
                crate::msg!(
                    "（非负的普通小数，如 110）",
                    " (a plain non-negative decimal, e.g. 110)"
                )
            };
            ld.error(
                r.pos(col),
                crate::msg!(
                    "{col}：`{cell}` 不是数字{hint}",
                    "{col}: `{cell}` is not a number{hint}"
                ),
            );
            None
        }
    }
}

fn year(ld: &mut Loader, r: &RowView, col: &str) -> Option<u16> {
    let cell = r.get(col);
    if cell.is_empty() {
        return None;
    }
    match cell.parse::<u16>() {
        Ok(y) if (1900..=2100).contains(&y) => Some(y),
        _ => {
            ld.error(
                r.pos(col),
                crate::msg!(
                    "{col}：`{cell}` 不是年份（如 2025）",
                    "{col}: `{cell}` is not a year (e.g. 2025)"
                ),
            );
            None
        }
    }
}

fn aliases(r: &RowView) -> Box<[Box<str>]> {
    split_list(r.get("aliases"))
        .into_iter()
        .map(Into::into)
        .collect()
}

/// The only column whose quoted cells may run over line ends: free text, which may quote a
/// passage as it was written. Every other cell is one line (an id, a name, a number, a list, a
/// citation), so a line break in it means a quote was left open.
pub const MULTI_LINE: &[&str] = &["notes"];

pub(crate) fn read(ld: &mut Loader, file: u32, kind: SeedKind, text: &CsvText) {
    // Records one at a time, after a first pass that checks the whole file.
    let mut records = match text.records(LineBreaks::In(MULTI_LINE)) {
        Ok(r) => r,
        Err(e) => {
            ld.unreadable(
                Pos {
                    file,
                    line: e.line.max(1),
                    col: e.col.max(1),
                },
                e.message,
                kind.node_kinds(),
                text.bytes().as_deref(),
            );
            return;
        }
    };
    let Some(header) = records.next() else {
        ld.unreadable(
            Pos {
                file,
                line: 1,
                col: 1,
            },
            {
                let cols = kind.columns().join(",");
                crate::msg!(
                    "空文件：应有表头行，列为 {cols}",
                    "empty file: expected a header row with columns {cols}"
                )
            },
            kind.node_kinds(),
            text.bytes().as_deref(),
        );
        return;
    };
    let known = kind.columns();
    let mut cols: HashMap<&'static str, usize> = HashMap::new();
    for (i, (name, col)) in header.cells.iter().enumerate() {
        let pos = Pos {
            file,
            line: header.line,
            col: *col,
        };
        let name = name.trim();
        match known.iter().find(|k| **k == name) {
            Some(k) => {
                if cols.insert(k, i).is_some() {
                    ld.error(
                        pos,
                        crate::msg!("`{name}` 列出现了两次", "column `{name}` appears twice"),
                    );
                }
            }
            None => {
                let lang = crate::lang::messages();
                let prefix = kind.prefix();
                let dym =
                    names::did_you_mean_in(&names::suggest(name, known.iter().copied(), 1), lang);
                ld.error(
                    pos,
                    crate::tr!(
                        lang,
                        "{prefix} 文件没有 `{name}` 这一列{dym}",
                        "unknown column `{name}` for {prefix} files{dym}"
                    ),
                )
            }
        }
    }
    let missing: Vec<&str> = kind
        .required()
        .iter()
        .copied()
        .filter(|req| !cols.contains_key(req))
        .collect();
    if !missing.is_empty() {
        // Without a required column no row can be read: the file is reported as unreadable.
        let pos = Pos {
            file,
            line: header.line,
            col: 1,
        };
        let mut said: Vec<String> = missing.iter().map(|c| format!("`{c}`")).collect();
        let msg = if said.len() == 1 {
            let c = said.remove(0);
            crate::msg!("缺少 {c} 列", "missing column {c}")
        } else {
            let lang = crate::lang::messages();
            let cs = said.join(lang.pick("、", ", "));
            crate::tr!(lang, "缺少 {cs} 列", "missing columns {cs}")
        };
        ld.unreadable(pos, msg, kind.node_kinds(), text.bytes().as_deref());
        return;
    }
    let header = &header;
    ld.rows_read.push((file, records.len()));
    for rec in records.by_ref() {
        let rec = &rec;
        let r = RowView {
            file,
            rec,
            cols: &cols,
        };
        if rec.cells.len() != header.cells.len() {
            miscounted(ld, file, kind, header, rec);
            continue;
        }
        if r.get("source").is_empty() {
            ld.error(
                r.pos("source"),
                crate::msg!(
                    "`source` 为空：每一行都要说明事实出自哪里",
                    "empty `source`: every row must say where its facts come from"
                ),
            );
        }
        let row = ld.add_row(file, rec.line, r.get("source"), r.get("notes"));
        match kind {
            SeedKind::Systems => read_system(ld, &r, row),
            SeedKind::Relations => read_relation(ld, &r, row),
            SeedKind::Figures => read_figure(ld, &r, row),
            SeedKind::Catalog => read_catalog_item(ld, &r, row),
            SeedKind::Listings => read_listing(ld, &r, row),
            _ => read_node(ld, &r, kind, row),
        }
    }
    // The second reading of the file differed from the first (it changed in between, or could
    // no longer be read): what was read may not be what was checked.
    if let Some(e) = records.trouble() {
        let pos = Pos {
            file,
            line: e.line.max(1),
            col: e.col.max(1),
        };
        ld.error(pos, e.message.clone());
    }
}

/// A row with more or fewer cells than the header: its cells cannot be told apart (a comma in
/// an unquoted cell, a cell left out), so it is reported and not read. References to any word
/// in it are counted on that problem rather than reported as unknown.
fn miscounted(ld: &mut Loader, file: u32, kind: SeedKind, header: &Record, rec: &Record) {
    let (have, want) = (rec.cells.len(), header.cells.len());
    let shown = |cells: &[(String, u32)]| {
        let mut v: Vec<String> = cells
            .iter()
            .take(3)
            .map(|(c, _)| match c.trim() {
                "" => crate::msg!("空", "empty"),
                c => format!("`{}`", c.chars().take(30).collect::<String>()),
            })
            .collect();
        if cells.len() > 3 {
            let n = cells.len();
            v.push(crate::msg!("…（共 {n} 格）", "… ({n} in all)"));
        }
        v.join(crate::lang::messages().pick("、", ", "))
    };
    let lang = crate::lang::messages();
    let (at, detail) = if have > want {
        let extra = &rec.cells[want..];
        let cells = shown(extra);
        (
            want,
            match lang {
                crate::lang::Lang::Zh => format!(
                    "多出的格是 {cells}；格里的逗号会把它分开，除非给这一格加引号（\"a,b\"）：\
                     请给那一格加引号，或删去多出的格"
                ),
                crate::lang::Lang::En => format!(
                    "the extra {} {cells}; a comma in a cell splits it unless the cell is quoted (\"a,b\"): \
                     quote that cell, or remove the extra cells",
                    if extra.len() == 1 {
                        "cell is"
                    } else {
                        "cells are"
                    },
                ),
            },
        )
    } else {
        let missing = &header.cells[have..];
        let cols = missing
            .iter()
            .map(|(c, _)| format!("`{}`", c.trim()))
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", "));
        (
            have.saturating_sub(1),
            match lang {
                crate::lang::Lang::Zh => {
                    format!("缺少 {cols}；空格子写成两个逗号之间什么也没有，并且一行不要折行")
                }
                crate::lang::Lang::En => format!(
                    "{cols} {} missing; write an empty cell as nothing between two commas, and keep a row \
                     on one line",
                    if missing.len() == 1 { "is" } else { "are" }
                ),
            },
        )
    };
    ld.error(
        Pos {
            file,
            line: rec.line_of(at),
            col: rec.cells.get(at).map_or(1, |c| c.1),
        },
        crate::tr!(
            lang,
            "这一行有 {have} 格，而表头有 {want} 列：这一行没有读入；{detail}",
            "this row has {have} cells but the header has {want} columns: it is not read; {detail}"
        ),
    );
    let words = rec
        .cells
        .iter()
        .flat_map(|(c, _)| split_list(c))
        .map(str::to_string)
        .collect();
    ld.undefined(ld.problems.len() - 1, kind.node_kinds(), words);
}

fn read_system(ld: &mut Loader, r: &RowView, row: u32) {
    let target = number(ld, r, "target_revenue_yi");
    let system = r.get("system");
    if system.is_empty() {
        ld.error(
            r.pos("system"),
            crate::msg!(
                "`system` 为空（应为产业体系的名称）",
                "empty `system` (the name of the industry system)"
            ),
        );
    }
    let industry = r.reference("industry", r.get("industry"), &[Kind::Industry]);
    let place = r.reference("place", r.get("place"), PLACES);
    ld.pend_system(
        EdgeKind::InSystem,
        End::Ref(industry),
        End::Ref(place),
        row,
        Some(SystemEntry {
            system: system.into(),
            class: r.get("class").into(),
            target_revenue_yi: target,
        }),
    );
}

/// A number under the document's numbering (（一） → 1, 1. → 1).
fn small_number(ld: &mut Loader, r: &RowView, col: &str) -> Option<u16> {
    let cell = r.get(col);
    if cell.is_empty() {
        return None;
    }
    match cell.parse::<u16>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            ld.error(
                r.pos(col),
                crate::msg!(
                    "{col}：`{cell}` 不是从 1 起的整数（按文件的编号：（一） → 1，2. → 2）",
                    "{col}: `{cell}` is not a whole number from 1 (the document's numbering: （一） → 1, 2. → 2)"
                ),
            );
            None
        }
    }
}

/// A figure stated for a place or a system (`figures*.csv`); its references are resolved with
/// the edges' (`resolve::resolve`).
fn read_figure(ld: &mut Loader, r: &RowView, row: u32) {
    let value = number(ld, r, "value");
    let year = year(ld, r, "year");
    for col in ["measure", "text"] {
        if r.get(col).is_empty() {
            ld.error(
                r.pos(col),
                crate::msg!(
                    "`{col}` 为空：指标要说明量的是什么、文件里怎么写的",
                    "empty `{col}`: a figure says what it measures and how the document writes it"
                ),
            );
        }
    }
    if value.is_some() && r.get("unit").is_empty() {
        ld.error(
            r.pos("unit"),
            crate::msg!(
                "有数值却没有单位：请写上单位（亿元、个、%）",
                "a value without a unit: write the unit (亿元, 个, %)"
            ),
        );
    }
    let place = r.reference("place", r.get("place"), PLACES);
    let industry = (!r.get("industry").is_empty())
        .then(|| r.reference("industry", r.get("industry"), &[Kind::Industry]));
    ld.pending_figures.push(super::PendingFigure {
        place,
        industry,
        figure: Figure {
            place: 0,
            system: r.get("system").into(),
            industry: None,
            measure: r.get("measure").into(),
            value,
            unit: r.get("unit").into(),
            year,
            text: r.get("text").into(),
            row,
        },
    });
}

/// One item of an industry system or catalog as written (`catalog*.csv`).
fn read_catalog_item(ld: &mut Loader, r: &RowView, row: u32) {
    let industry_no = small_number(ld, r, "industry_no");
    let number = small_number(ld, r, "number");
    for col in ["system", "heading"] {
        if r.get(col).is_empty() {
            ld.error(
                r.pos(col),
                crate::msg!(
                    "`{col}` 为空：目录行要写明所属体系和所列的标题",
                    "empty `{col}`: a catalog row names its system and the heading it is listed under"
                ),
            );
        }
    }
    let place = r.reference("place", r.get("place"), PLACES);
    let industry = r.reference("industry", r.get("industry"), &[Kind::Industry]);
    let models = r.refs("models", &[Kind::Segment, Kind::Chain]);
    ld.pending_items.push(super::PendingItem {
        place,
        industry,
        models,
        item: CatalogItem {
            place: 0,
            system: r.get("system").into(),
            industry: 0,
            industry_no,
            number,
            heading: r.get("heading").into(),
            item: r.get("item").into(),
            models: Box::default(),
            row,
        },
    });
}

fn read_relation(ld: &mut Loader, r: &RowView, row: u32) {
    let kind = match r.get("relation") {
        "SUPPLIES_TO" | "供货" => EdgeKind::SuppliesTo,
        "SUBSIDIARY_OF" | "子公司" => EdgeKind::SubsidiaryOf,
        other => {
            ld.error(r.pos("relation"), {
                let dym = names::did_you_mean_in(
                    &names::suggest(other, ["SUPPLIES_TO", "SUBSIDIARY_OF"], 1),
                    crate::lang::messages(),
                );
                crate::msg!(
                    "关系 `{other}` 不是 SUPPLIES_TO（供货）或 SUBSIDIARY_OF（子公司）{dym}",
                    "relation `{other}` is not SUPPLIES_TO or SUBSIDIARY_OF{dym}"
                )
            });
            return;
        }
    };
    let from = r.reference("from", r.get("from"), &[Kind::Enterprise]);
    let to = r.reference("to", r.get("to"), &[Kind::Enterprise]);
    ld.pend(kind, End::Ref(from), End::Ref(to), row);
}

/// A source table's cell listing an enterprise (or none, `——`) under an industry and field.
fn read_listing(ld: &mut Loader, r: &RowView, row: u32) {
    let table = r.get("table");
    if table.is_empty() {
        ld.error(
            r.pos("table"),
            crate::msg!(
                "`table` 为空：请按文件的写法写出表名（如 表5 主导产业重点企业梳理）",
                "empty `table`: name the table as the document does (e.g. 表5 主导产业重点企业梳理)"
            ),
        );
    }
    let written = r.get("written");
    let enterprise = r.get("enterprise");
    let enterprise = match (written, enterprise) {
        ("", _) => {
            ld.error(
                r.pos("written"),
                {
                    let none = Listing::NONE;
                    crate::msg!(
                        "`written` 为空：请照录表格里的这一格，表里没有列企业处写 {none}",
                        "empty `written`: give the table's cell as written, or {none} where it lists no enterprise"
                    )
                },
            );
            None
        }
        (Listing::NONE, "") => None,
        (Listing::NONE, e) => {
            ld.error(
                r.pos("enterprise"),
                {
                    let none = Listing::NONE;
                    crate::msg!(
                        "这一行的格子是 {none}，却写了企业 `{e}`：表里那里没有列企业；请让 `enterprise` 留空",
                        "enterprise `{e}` on a row whose cell is {none}: the table lists no enterprise there; leave `enterprise` empty"
                    )
                },
            );
            None
        }
        (w, "") => {
            ld.error(
                r.pos("enterprise"),
                {
                    let none = Listing::NONE;
                    crate::msg!(
                        "格子 `{w}` 的 `enterprise` 为空：请写出它指的企业（编号、名称或别名），表里没有列企业处在 `written` 写 {none}",
                        "empty `enterprise` for the cell `{w}`: name the enterprise it means (id, name or alias), or write {none} in `written` where the table lists none"
                    )
                },
            );
            None
        }
        (_, e) => Some(r.reference("enterprise", e, &[Kind::Enterprise])),
    };
    let field = match r.get("field") {
        "" => None,
        f => Some(r.reference("field", f, &[Kind::Industry])),
    };
    ld.pending_listings.push(super::PendingListing {
        table: table.into(),
        industry: r.reference("industry", r.get("industry"), &[Kind::Industry]),
        field,
        enterprise,
        written: written.into(),
        row,
    });
}

/// A place's `coverage` and `coverage_source`: a known value, and a source whenever a value
/// is given (what the data covers is a fact like any other).
fn read_coverage(ld: &mut Loader, r: &RowView, place: u32) {
    let cell = r.get("coverage");
    let source = r.get("coverage_source");
    if cell.is_empty() {
        if !source.is_empty() {
            ld.error(
                r.pos("coverage_source"),
                crate::msg!(
                    "有 coverage_source 却没有 coverage：请写明覆盖范围（none、key、named 或 all），或两者都留空",
                    "coverage_source without a coverage: state the coverage (none, key, named or all) or leave both empty"
                ),
            );
        }
        return;
    }
    let Some(coverage) = Coverage::parse(cell) else {
        let known: Vec<&str> = Coverage::ALL.iter().map(|c| c.as_str()).collect();
        ld.error(r.pos("coverage"), {
            let lang = crate::lang::messages();
            let dym = names::did_you_mean_in(&names::suggest(cell, known.iter().copied(), 1), lang);
            let known = known.join(", ");
            crate::tr!(
                lang,
                "coverage：`{cell}` 不是 {known} 之一{dym}",
                "coverage: `{cell}` is not one of {known}{dym}"
            )
        });
        return;
    };
    if source.is_empty() {
        ld.error(
            r.pos("coverage"),
            crate::msg!(
                "coverage `{cell}` 没有 coverage_source：请说明它出自哪里（文件的某一行，或哪些文件都没有列出）",
                "coverage `{cell}` has no coverage_source: say where it comes from (a document line, or what no document lists)"
            ),
        );
        return;
    }
    ld.ds.coverage.push((
        place,
        PlaceCoverage {
            coverage,
            source: source.into(),
        },
    ));
}

fn read_node(ld: &mut Loader, r: &RowView, kind: SeedKind, row: u32) {
    let id = r.get("id");
    let id_pos = r.pos("id");
    if let Err(msg) = check_id(r.raw("id")) {
        ld.error(id_pos, msg);
        return;
    }
    let (node_kind, attrs) = match kind {
        SeedKind::Regions => (
            Kind::Region,
            Attrs::Region {
                level: r.get("level").into(),
            },
        ),
        SeedKind::Parks => {
            let area_km2 = number(ld, r, "area_km2");
            (
                Kind::Park,
                Attrs::Park(Box::new(ParkAttrs {
                    kind: r.get("kind").into(),
                    area_km2,
                })),
            )
        }
        SeedKind::Industries => (Kind::Industry, Attrs::Industry),
        SeedKind::Enterprises | SeedKind::Candidates => {
            let revenue_yi = number(ld, r, "revenue_yi");
            let mut tags = Vec::new();
            for t in split_list(r.get("tags")) {
                match check_tag(t) {
                    Ok(()) => tags.push(t.into()),
                    Err(e) => ld.error(r.pos("tags"), e),
                }
            }
            let attrs = EnterpriseAttrs {
                credit_code: r.get("credit_code").into(),
                province: crate::model::intern::str(r.get("province")),
                city: crate::model::intern::str(r.get("city")),
                revenue_yi,
                tags: crate::model::intern::list(tags),
                listing: r.get("listing").into(),
            };
            let code = r.get("credit_code");
            if !code.is_empty()
                && (code.chars().count() != 18 || !code.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                ld.error(
                    r.pos("credit_code"),
                    crate::msg!(
                        "credit_code `{code}` 不是 18 位的统一社会信用代码",
                        "credit_code `{code}` is not an 18-character 统一社会信用代码"
                    ),
                );
            }
            (Kind::Enterprise, Attrs::Enterprise(Box::new(attrs)))
        }
        SeedKind::Projects => {
            let status = match r.get("status") {
                "" => None,
                s => match ProjectStatus::parse(s) {
                    Some(st) => Some(st),
                    None => {
                        let all: Vec<&str> =
                            ProjectStatus::ALL.iter().map(|s| s.as_str()).collect();
                        ld.error(r.pos("status"), {
                            let lang = crate::lang::messages();
                            let dym = names::did_you_mean_in(
                                &names::suggest(s, all.iter().copied(), 1),
                                lang,
                            );
                            let all = all.join(" ");
                            crate::tr!(
                                lang,
                                "状态 `{s}` 不是 {all} 之一{dym}",
                                "status `{s}` is not one of {all}{dym}"
                            )
                        });
                        None
                    }
                },
            };
            let attrs = ProjectAttrs {
                domain: r.get("domain").into(),
                category: r.get("category").into(),
                investment_yi: number(ld, r, "investment_yi"),
                investment_text: r.get("investment_text").into(),
                land_mu: number(ld, r, "land_mu"),
                scale: r.get("scale").into(),
                start_year: year(ld, r, "start_year"),
                end_year: year(ld, r, "end_year"),
                status,
            };
            if let (Some(a), Some(b)) = (attrs.start_year, attrs.end_year)
                && a > b
            {
                ld.error(
                    r.pos("end_year"),
                    crate::msg!(
                        "完工年份 end_year {b} 早于开工年份 start_year {a}",
                        "end_year {b} is before start_year {a}"
                    ),
                );
            }
            if r.get("name").is_empty() {
                ld.error(
                    r.pos("name"),
                    crate::msg!("项目的 `name` 为空", "empty project `name`"),
                );
            }
            (Kind::Project, Attrs::Project(Box::new(attrs)))
        }
        SeedKind::Systems
        | SeedKind::Relations
        | SeedKind::Figures
        | SeedKind::Catalog
        | SeedKind::Listings => return,
    };
    let name = r.get("name");
    let display_name = (!name.is_empty() && name != id).then(|| name.into());
    let node = Node {
        kind: node_kind,
        id: id.into(),
        display_name,
        aliases: aliases(r),
        attrs,
        row,
    };
    let Some(n) = ld.add_node(node, id_pos) else {
        return;
    };
    if matches!(kind, SeedKind::Regions | SeedKind::Parks) {
        read_coverage(ld, r, n);
    }
    let edge =
        |ld: &mut Loader, kind: EdgeKind, col: &str, allowed: &'static [Kind], outgoing: bool| {
            for target in r.refs(col, allowed) {
                let (from, to) = if outgoing {
                    (End::Node(n), End::Ref(target))
                } else {
                    (End::Ref(target), End::Node(n))
                };
                ld.pend(kind, from, to, row);
            }
        };
    match kind {
        SeedKind::Regions => {
            edge(ld, EdgeKind::PartOf, "parent", &[Kind::Region], true);
            edge(ld, EdgeKind::FocusesOn, "focus", FOCUS, true);
        }
        SeedKind::Parks => {
            edge(ld, EdgeKind::PartOf, "parent", PLACES, true);
            edge(ld, EdgeKind::FocusesOn, "focus", FOCUS, true);
        }
        SeedKind::Industries => {
            edge(ld, EdgeKind::PartOf, "parent", &[Kind::Industry], true);
            edge(ld, EdgeKind::BelongsTo, "chains", &[Kind::Chain], false);
        }
        SeedKind::Enterprises | SeedKind::Candidates => {
            edge(ld, EdgeKind::LocatedIn, "location", PLACES, true);
            edge(ld, EdgeKind::Produces, "segments", &[Kind::Segment], true);
            edge(
                ld,
                EdgeKind::BelongsTo,
                "industries",
                &[Kind::Industry],
                true,
            );
        }
        SeedKind::Projects => {
            edge(
                ld,
                EdgeKind::CarriedBy,
                "carrier",
                &[Kind::Enterprise],
                true,
            );
            edge(ld, EdgeKind::LocatedIn, "location", PLACES, true);
            edge(ld, EdgeKind::Builds, "segments", &[Kind::Segment], true);
        }
        SeedKind::Systems
        | SeedKind::Relations
        | SeedKind::Figures
        | SeedKind::Catalog
        | SeedKind::Listings => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_map_to_kinds() {
        assert_eq!(
            SeedKind::from_file_stem("projects-yuxi").unwrap(),
            SeedKind::Projects
        );
        assert_eq!(
            SeedKind::from_file_stem("candidates").unwrap(),
            SeedKind::Candidates
        );
        let err = SeedKind::from_file_stem("project-yuxi").unwrap_err();
        assert!(err.contains("，是不是 projects？"), "{err}");
        assert!(SeedKind::from_file_stem("parksx").is_err());
    }
}
