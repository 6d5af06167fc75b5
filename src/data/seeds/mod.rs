//! Entity tables: `seeds/*.csv` → Region, Park, Industry, Enterprise and Project nodes, and the
//! edges their reference columns declare. The file-name prefix says the kind (`kind`); the
//! header and the rows' shape are checked here, the cells of each kind of row in `rows`.

mod kind;
mod rows;

pub use kind::SeedKind;
use rows::{read_catalog_item, read_figure, read_listing, read_node, read_relation, read_system};

use super::text::{CsvText, LineBreaks, Record, split_list};
use super::{Loader, Pos, Ref};
use crate::model::Kind;
use crate::names;
use std::collections::HashMap;

/// An id must be non-empty, trimmed, free of the list separators and of control characters
/// (a tab, a stray `\x01` from a copied cell): an id is typed and compared as written.
// String: callers make it a `Diag` at the cell's `file:line:col` (or an intake row's reason).
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
