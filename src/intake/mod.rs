//! `chainkb intake`: an enterprise-platform export (企查查 / 天眼查 / 启信宝; CSV or .xlsx) → a candidates file `check` accepts, every row reported.
//! The library: `read` (exports → rows), `known` (what candidates are checked against),
//! mapping and deduplication here, `write` (the file); the command line is `cli::intake`.

mod columns;
mod error;
mod keywords;
mod known;
mod read;
mod write;

pub use columns::{Field, check_credit_code, clean_header, listing_of, map_tag, revenue_yi};
pub use error::IntakeError;
pub use keywords::{Hit, Keywords, Rule, Via};
pub use known::{Known, data_inputs, load_graphs, load_keywords};
pub use read::{Rows, is_empty_row, is_sheet, other_sheets_hint, read_rows};
pub use write::{to_csv, verify};

use crate::data::Resolver;
use crate::export::neutralise;
use crate::model::Kind;
use crate::names;
use columns::{Mapping, plain_decimal, split_labels};
use std::collections::HashMap;
use std::path::Path;

/// One candidate enterprise, possibly merged from several rows.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    /// The first row it came from, and every row merged into it.
    pub rows: Vec<u32>,
    /// The name as written (the id), neutralised if it looked like a formula.
    pub id: String,
    pub norm: String,
    pub aliases: Vec<String>,
    pub credit_code: String,
    pub province: String,
    pub city: String,
    pub revenue_yi: Option<f64>,
    pub tags: Vec<String>,
    pub listing: Vec<String>,
    pub segments: Vec<String>,
    /// `--source` text, the input file and its row(s).
    pub source: String,
    pub notes: Vec<String>,
}

/// What an intake produced: the candidates, per-row messages (`FILE:ROW: message`, in row
/// order) and counts for the summary.
#[derive(Debug, Default)]
pub struct Outcome {
    pub candidates: Vec<Candidate>,
    pub messages: Vec<(u32, String)>,
    pub data_rows: usize,
    pub merged: usize,
    pub unmapped: usize,
    pub bad_numbers: usize,
    pub neutralised: usize,
    pub skipped: usize,
    /// Rows with more or fewer cells than the header (an unquoted comma in a cell, a cell left
    /// out): their cells cannot be told apart, so they are reported and not written.
    pub miscounted: usize,
    /// Rows with no text in any cell (anywhere in the file), skipped and reported.
    pub empty: usize,
    /// The input is a spreadsheet (its rows are sheet rows, not lines).
    pub sheet: bool,
    /// Candidates already in the data, and whether they were left out.
    pub known: usize,
    pub known_skipped: bool,
    pub ignored_columns: Vec<String>,
}

impl Outcome {
    /// Messages as printed: `FILE:ROW: message`.
    pub fn lines(&self, file: &str) -> Vec<String> {
        self.messages
            .iter()
            .map(|(row, m)| format!("{file}:{row}: {m}"))
            .collect()
    }

    pub fn summary(&self, file: &str, out: &str) -> String {
        if crate::lang::messages() == crate::lang::Lang::Zh {
            return self.summary_zh(file, out);
        }
        let empty = if self.empty > 0 {
            format!(
                ", {} skipped",
                plural(
                    self.empty,
                    if self.sheet {
                        "empty row"
                    } else {
                        "empty line"
                    }
                )
            )
        } else {
            String::new()
        };
        let mut s = format!(
            "{file}: {}{empty} → {} in {out}: {} merged as {}, {} without a segment (written with empty segments and a note), {}, {} neutralised, {} without a name (not written)",
            plural(self.data_rows, "data row"),
            plural(self.candidates.len(), "candidate"),
            self.merged,
            if self.merged == 1 {
                "a duplicate"
            } else {
                "duplicates"
            },
            self.unmapped,
            plural(self.bad_numbers, "bad number"),
            plural(self.neutralised, "formula-looking name"),
            self.skipped
        );
        if self.miscounted > 0 {
            s.push_str(&format!(
                ", {} with more or fewer cells than the header (not written)",
                self.miscounted
            ));
        }
        if self.known > 0 {
            s.push_str(&format!(
                ", {} already in the data ({})",
                self.known,
                if self.known_skipped {
                    "not written: --skip-known"
                } else {
                    "written anyway, with a note"
                }
            ));
        }
        if !self.ignored_columns.is_empty() {
            s.push_str(&format!(
                "; {} not used: {}",
                if self.ignored_columns.len() == 1 {
                    "column"
                } else {
                    "columns"
                },
                self.ignored_columns.join(", ")
            ));
        }
        s
    }
}

impl Outcome {
    /// [`Outcome::summary`] in Chinese.
    fn summary_zh(&self, file: &str, out: &str) -> String {
        let empty = if self.empty > 0 {
            let unit = if self.sheet {
                "空行（表格行）"
            } else {
                "空行"
            };
            format!("，跳过 {} 个{unit}", self.empty)
        } else {
            String::new()
        };
        let mut s = format!(
            "{file}：{} 行数据{empty} → {out} 中 {} 家候选企业：{} 行作为重复项合并，{} 家未匹配到环节（环节留空并加备注写出），{} 个数字有误，{} 个名称像公式已处理，{} 行没有名称（未写出）",
            self.data_rows,
            self.candidates.len(),
            self.merged,
            self.unmapped,
            self.bad_numbers,
            self.neutralised,
            self.skipped
        );
        if self.miscounted > 0 {
            s.push_str(&format!(
                "，{} 行的格数与表头不符（未写出）",
                self.miscounted
            ));
        }
        if self.known > 0 {
            s.push_str(&format!(
                "，{} 家已在数据中（{}）",
                self.known,
                if self.known_skipped {
                    "未写出：--skip-known"
                } else {
                    "仍然写出，并加备注"
                }
            ));
        }
        if !self.ignored_columns.is_empty() {
            s.push_str(&format!(
                "；未使用的列：{}",
                self.ignored_columns.join("、")
            ));
        }
        s
    }
}

/// Why two firms are one (`same 统一社会信用代码`, `same id`, `same normalized name`) in the
/// language of messages.
fn same_in(why: &str) -> &str {
    let zh = match why {
        "same 统一社会信用代码" => "统一社会信用代码相同",
        "same id" => "编号相同",
        "same normalized name" => "规范化名称相同",
        other => other,
    };
    crate::lang::messages().pick(zh, why)
}

/// `1 data row`, `2 data rows`: a count and its noun, plural unless the count is 1.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Every header spelling chainkb knows for the name column.
fn name_headers() -> &'static [&'static str] {
    columns::HEADERS
        .iter()
        .find(|(f, _)| *f == Field::Name)
        .map_or(&[], |(_, h)| h)
}

/// How `intake` treats provenance and firms already in the data.
#[derive(Default)]
pub struct Options<'a> {
    /// Text put before `file:row N` in every `source`.
    pub source: Option<&'a str>,
    /// Firms already in the data: candidates matching one are reported.
    pub known: Option<&'a Known>,
    /// …and left out of the output.
    pub skip_known: bool,
}

/// Turn rows into candidates. `file` is the input's name as shown in messages and in `source`.
pub fn intake(
    rows: &Rows,
    file: &str,
    opts: &Options,
    resolver: &Resolver,
    kw: &Keywords,
) -> Result<Outcome, IntakeError> {
    let source = opts.source;
    let filled: Vec<&(u32, Vec<String>)> = rows
        .iter()
        .filter(|(_, cells)| !is_empty_row(cells))
        .collect();
    // The header is the first row (of the first ten with any text) with a name column: exports
    // often start with a title line or two.
    let found = filled
        .iter()
        .take(10)
        .position(|(_, cells)| Mapping::new(cells).has(Field::Name));
    let Some(h) = found else {
        // Name the row that looks most like a header.
        let Some((line, first)) = filled
            .iter()
            .copied()
            .take(10)
            .rev()
            .max_by_key(|(_, cells)| Mapping::new(cells).fields.len())
        else {
            return Err(crate::msg!(
                "{file}：空文件：没有表头行",
                "{file}: empty file: no header row"
            )
            .into());
        };
        let shown: Vec<&str> = first
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        let mut hints = Vec::new();
        for c in &shown {
            let key = clean_header(c).0;
            if let Some(s) = names::suggest(&key, name_headers().iter().copied(), 1).first() {
                hints.push(format!("`{c}` → {s}"));
            }
        }
        let lang = crate::lang::messages();
        let hint = if hints.is_empty() {
            String::new()
        } else {
            let h = hints.join(lang.pick("、", ", "));
            crate::tr!(lang, "（是不是 {h}？）", " (did you mean {h}?)")
        };
        let (heads, found) = (
            name_headers().join(" / "),
            shown.join(lang.pick("、", ", ")),
        );
        return Err(crate::tr!(
            lang,
            "{file}:{line}：没有企业名称列（{heads}）；找到的列：{found}{hint}",
            "{file}:{line}: no company-name column ({heads}); columns found: {found}{hint}"
        )
        .into());
    };
    let (header_line, header) = filled[h];
    let map = Mapping::new(header);
    let mut out = Outcome {
        ignored_columns: map.ignored.clone(),
        sheet: is_sheet(Path::new(file)),
        ..Outcome::default()
    };
    for (line, cells) in &filled[..h] {
        out.messages.push((*line, {
            let text = cells.join(" ");
            let text = text.trim();
            crate::msg!(
                "在表头行（第 {header_line} 行）之前，已跳过：{text}",
                "skipped before the header row (line {header_line}): {text}"
            )
        }));
    }
    // Empty lines (anywhere): counted, and reported once per run of consecutive ones.
    let unit = if out.sheet { "row" } else { "line" };
    let empty: Vec<u32> = rows
        .iter()
        .filter(|(_, cells)| is_empty_row(cells))
        .map(|r| r.0)
        .collect();
    out.empty = empty.len();
    for run in empty.chunk_by(|a, b| b == &(a + 1)) {
        let (first, last) = (run[0], run[run.len() - 1]);
        out.messages.push((
            first,
            match (run.len(), crate::lang::messages()) {
                (1, crate::lang::Lang::Zh) => "空行：已跳过".to_string(),
                (n, crate::lang::Lang::Zh) => format!("{n} 个空行（{first}–{last}）：已跳过"),
                (1, crate::lang::Lang::En) => format!("empty {unit}: skipped"),
                (n, crate::lang::Lang::En) => format!(
                    "{} ({first}–{last}): skipped",
                    plural(n, &format!("empty {unit}"))
                ),
            },
        ));
    }
    let base = Path::new(file)
        .file_name()
        .map_or(file.to_string(), |n| n.to_string_lossy().to_string());
    let mut by_code: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (line, cells) in &filled[h + 1..] {
        out.data_rows += 1;
        if cells.len() != header.len() {
            let msg = miscounted(cells, header, *header_line);
            out.messages.push((*line, msg));
            out.miscounted += 1;
            continue;
        }
        let Some(c) = read_row(*line, cells, &map, resolver, kw, &mut out) else {
            continue;
        };
        // Deduplicate: by credit code first, then by normalized name.
        let code_hit = (!c.credit_code.is_empty())
            .then(|| by_code.get(&c.credit_code).copied())
            .flatten();
        let name_hit = by_name.get(&c.norm).copied().filter(|&i| {
            let other = &out.candidates[i];
            // Same normalized name but two different codes: two firms, unless the names are
            // identical (then one id could not hold both).
            other.credit_code.is_empty()
                || c.credit_code.is_empty()
                || other.credit_code == c.credit_code
                || other.id == c.id
        });
        let target = code_hit
            .map(|i| (i, "same 统一社会信用代码"))
            .or(name_hit.map(|i| (i, "same normalized name")));
        match target {
            Some((i, why)) => {
                let first = out.candidates[i].rows[0];
                let conflicts = merge(&mut out.candidates[i], c, why);
                let same = if why.contains("代码") {
                    format!(" {}", out.candidates[i].credit_code)
                } else {
                    format!(" `{}`", out.candidates[i].norm)
                };
                let why = same_in(why);
                let mut msg = crate::msg!(
                    "与第 {first} 行重复（{why}{same}）：已合并为一家候选企业",
                    "duplicate of row {first} ({why}{same}): merged into one candidate"
                );
                for cf in conflicts {
                    msg.push_str(crate::lang::messages().pick("；", "; "));
                    msg.push_str(&cf);
                }
                out.messages.push((*line, msg));
                out.merged += 1;
                let code = out.candidates[i].credit_code.clone();
                if !code.is_empty() {
                    by_code.entry(code).or_insert(i);
                }
            }
            None => {
                if let Some(&i) = by_name.get(&c.norm) {
                    out.messages.push((
                        *line,
                        {
                            let (norm, row) = (&c.norm, out.candidates[i].rows[0]);
                            let (a, b) = (&c.credit_code, &out.candidates[i].credit_code);
                            crate::msg!(
                                "规范化名称 `{norm}` 与第 {row} 行相同，统一社会信用代码却不同（{a} 与 {b}）：保留为两家候选企业，请核对指的是哪一家",
                                "same normalized name `{norm}` as row {row} but a different 统一社会信用代码 ({a} vs {b}): kept as two candidates, check which is meant"
                            )
                        },
                    ));
                }
                let i = out.candidates.len();
                if !c.credit_code.is_empty() {
                    by_code.insert(c.credit_code.clone(), i);
                }
                by_name.entry(c.norm.clone()).or_insert(i);
                out.candidates.push(c);
            }
        }
    }
    if let Some(known) = opts.known {
        out.known_skipped = opts.skip_known;
        for mut c in std::mem::take(&mut out.candidates) {
            if let Some(((id, at), why)) = known.find(&c) {
                out.known += 1;
                let cid = &c.id;
                let why = same_in(why);
                let what = crate::msg!(
                    "`{cid}` 已在数据中，编号 `{id}`（{at}，{why}）",
                    "`{cid}` is already in the data as `{id}` ({at}, {why})"
                );
                if opts.skip_known {
                    out.messages.push((
                        c.rows[0],
                        crate::msg!(
                            "{what}：未写出（--skip-known）",
                            "{what}: not written (--skip-known)"
                        ),
                    ));
                    continue;
                }
                out.messages.push((
                    c.rows[0],
                    crate::msg!(
                        "{what}：仍然写出；两者都导入前请只留一个（或用 --skip-known）",
                        "{what}: written anyway; keep one of the two before importing both (or use --skip-known)"
                    ),
                ));
                c.notes.push(format!("已在数据中: {at} {id}"));
            }
            out.candidates.push(c);
        }
    }
    for c in &out.candidates {
        if c.segments.is_empty() {
            out.unmapped += 1;
            out.messages.push((
                c.rows[0],
                {
                    let id = &c.id;
                    crate::msg!(
                        "`{id}`：没有匹配到环节（没有产业链环节列，主营产品里没有环节名，主营产品/经营范围没有命中关键词规则）：环节留空并加备注写出",
                        "`{id}`: no segment matched (no 产业链环节 column, no segment name in 主营产品, no keyword rule in 主营产品/经营范围): written with empty segments and a note"
                    )
                },
            ));
        }
    }
    for c in &mut out.candidates {
        if c.segments.is_empty() {
            c.notes.push("未匹配到产业链环节(待人工归类)".into());
        }
        let rows: Vec<String> = c.rows.iter().map(u32::to_string).collect();
        let at = if rows.len() == 1 {
            format!("{base}:row {}", rows[0])
        } else {
            format!("{base}:rows {}", rows.join(", "))
        };
        let src = match source.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => format!("{s} {at}"),
            None => at,
        };
        c.source = src;
    }
    out.messages.sort_by_key(|m| m.0);
    Ok(out)
}

/// Why a row with more or fewer cells than the header is not written: the counts, and the
/// extra cells or the missing columns.
fn miscounted(cells: &[String], header: &[String], header_line: u32) -> String {
    let lang = crate::lang::messages();
    let quoted = |c: &str| match c.trim() {
        "" => lang.pick("空", "empty").to_string(),
        c => format!("`{}`", c.chars().take(30).collect::<String>()),
    };
    let (have, want) = (cells.len(), header.len());
    let detail = if have > want {
        let extra: Vec<String> = cells[want..].iter().take(3).map(|c| quoted(c)).collect();
        let more = if have - want > 3 {
            lang.pick("、…", ", …")
        } else {
            ""
        };
        match lang {
            crate::lang::Lang::Zh => format!(
                "多出的格是 {}{more}；格里的逗号会把它分开，除非这一格加了引号，而后面的格都会错位：\
                 请改正那一格（或重新导出文件）再运行 intake",
                extra.join("、")
            ),
            crate::lang::Lang::En => format!(
                "the extra {} {}{more}; a comma in a cell splits it unless the cell is quoted, which \
                 shifts every later cell: fix the cell (or re-export the file) and run intake again",
                if have - want == 1 {
                    "cell is"
                } else {
                    "cells are"
                },
                extra.join(", ")
            ),
        }
    } else {
        let missing: Vec<String> = header[have..].iter().map(|c| quoted(c)).collect();
        match lang {
            crate::lang::Lang::Zh => format!(
                "缺少 {}；请改正这一行（或重新导出文件）再运行 intake",
                missing.join("、")
            ),
            crate::lang::Lang::En => format!(
                "{} {} missing; fix the row (or re-export the file) and run intake again",
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" }
            ),
        }
    };
    crate::tr!(
        lang,
        "这一行有 {have} 格，而表头（第 {header_line} 行）有 {want} 列：未写出；{detail}",
        "this row has {have} cells but the header (line {header_line}) has {want}: not written; {detail}"
    )
}

/// One data row → a candidate (None for a row without a name, which is reported).
fn read_row(
    line: u32,
    cells: &[String],
    map: &Mapping,
    resolver: &Resolver,
    kw: &Keywords,
    out: &mut Outcome,
) -> Option<Candidate> {
    let mut msg = |m: String| out.messages.push((line, m));
    let Some((_, raw_name)) = map.first(Field::Name, cells) else {
        msg(crate::msg!(
            "没有企业名称（名称列为空）：这一行未写出",
            "no company name (the name column is empty): row not written"
        ));
        out.skipped += 1;
        return None;
    };
    let mut name: String = raw_name.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut c = Candidate {
        rows: vec![line],
        norm: names::normalize(&name),
        ..Candidate::default()
    };
    if name.contains([';', '；']) {
        let fixed = name.replace([';', '；'], ",");
        msg(crate::msg!(
            "名称 `{name}` 含 `;`，而 `;` 用来分隔列表项：写作 `{fixed}`",
            "name `{name}` contains `;`, which separates list items: written as `{fixed}`"
        ));
        name = fixed;
    }
    let safe = neutralise(&name);
    if safe != name {
        let first = &name[..1];
        msg(crate::msg!(
            "名称 `{name}` 以 `{first}` 开头，在电子表格里会被当作公式运行：写作 `{safe}`（请核对导出文件里的这一行）",
            "name `{name}` starts with `{first}` and would run as a formula in a spreadsheet: written as `{safe}` (check this row in the export)"
        ));
        out.neutralised += 1;
        c.notes
            .push(format!("名称以 {} 开头, 已加 ' 防止被当作公式", &name[..1]));
    }
    c.id = safe;
    if let Some((_, code)) = map.first(Field::CreditCode, cells) {
        let code = code.to_uppercase();
        if code.chars().count() != 18 || !code.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            msg(crate::msg!(
                "统一社会信用代码 `{code}` 不是 18 位字母和数字：不写入 credit_code，保留在备注里",
                "统一社会信用代码 `{code}` is not 18 letters and digits: left out of credit_code, kept in notes"
            ));
            c.notes.push(format!("平台统一社会信用代码: {code}"));
        } else {
            if let Err(why) = check_credit_code(&code) {
                msg(crate::msg!(
                    "统一社会信用代码 `{code}` {why}：保留，并加备注",
                    "统一社会信用代码 `{code}` {why}: kept, with a note"
                ));
                c.notes.push(format!("统一社会信用代码校验位不符({why})"));
            }
            c.credit_code = code;
        }
    }
    if let Some((_, p)) = map.first(Field::Province, cells) {
        c.province = p
            .strip_suffix(['省', '市'])
            .filter(|s| s.chars().count() >= 2)
            .unwrap_or(p)
            .into();
    }
    if let Some((_, city)) = map.first(Field::City, cells) {
        c.city = city
            .strip_suffix('市')
            .filter(|s| s.chars().count() >= 2)
            .unwrap_or(city)
            .into();
    }
    if let Some((col, cell)) = map.first(Field::Revenue, cells) {
        let unit = map.units.get(&col).map_or("", String::as_str);
        match revenue_yi(cell, unit) {
            Ok(v) => c.revenue_yi = Some(v),
            Err(why) => {
                msg(crate::msg!(
                    "营业收入 `{cell}` {why}：revenue_yi 留空，原格保留在备注里",
                    "营业收入 `{cell}` {why}: revenue_yi left empty, the cell kept in notes"
                ));
                out.bad_numbers += 1;
                c.notes.push(format!("平台营业收入: {cell}"));
            }
        }
    }
    if let Some((col, cap)) = map.first(Field::Capital, cells) {
        let unit = map.units.get(&col).map_or("", String::as_str);
        c.notes.push(if unit.is_empty() || cap.contains('元') {
            format!("注册资本 {cap}")
        } else {
            format!("注册资本 {cap}{unit}")
        });
    }
    // Tags: the legal-form column only says 上市/国有/外资; label columns say much more, and
    // labels chainkb does not know are kept in notes.
    let mut unknown = Vec::new();
    for (field, keep_unknown) in [
        (Field::CompanyType, false),
        (Field::Tags, true),
        (Field::ListingStatus, false),
    ] {
        for label in split_labels(&map.joined(field, cells)) {
            match map_tag(label) {
                Some(t) => push_unique(&mut c.tags, t),
                None if keep_unknown => unknown.push(label.to_string()),
                None => {}
            }
        }
    }
    if !unknown.is_empty() {
        c.notes
            .push(format!("平台标签(未映射): {}", unknown.join("、")));
    }
    for code in split_labels(&map.joined(Field::StockCode, cells)) {
        for code in code.split_whitespace() {
            let digits = code.split('.').next().unwrap_or(code);
            if digits.chars().all(|ch| ch.is_ascii_digit()) && digits.len() < 5 {
                msg(crate::msg!(
                    "股票代码 `{code}` 不足 5 位（电子表格可能丢了前导零）：按原样保留",
                    "股票代码 `{code}` has fewer than 5 digits (a spreadsheet may have dropped leading zeros): kept as written"
                ));
            }
            push_unique(&mut c.listing, &listing_of(code));
            push_unique(&mut c.tags, "上市");
        }
    }
    for a in split_labels(&map.joined(Field::Aliases, cells)) {
        if a != name {
            push_unique(&mut c.aliases, a);
        }
    }
    // Segments: an explicit column wins; otherwise keyword rules and the templates' segment
    // names over 主营产品, then keyword rules over 经营范围 (see `Keywords::find_products`).
    let explicit = map.joined(Field::Segments, cells);
    if !explicit.is_empty() {
        for s in split_labels(&explicit) {
            match resolver.resolve(s, &[Kind::Segment]) {
                Ok(i) => push_unique(&mut c.segments, &resolver.dataset().nodes[i as usize].id),
                Err(e) => {
                    msg(crate::msg!(
                        "产业链环节：{e}；不写入，保留在备注里",
                        "产业链环节: {e}: left out, kept in notes"
                    ));
                    c.notes.push(format!("未识别的环节: {s}"));
                }
            }
        }
    } else {
        let (mut by_keyword, mut by_name) = (Vec::new(), Vec::new());
        for (field, label) in [(Field::Products, "主营产品"), (Field::Scope, "经营范围")] {
            let text = map.joined(field, cells);
            let hits = if field == Field::Products {
                kw.find_products(&text)
            } else {
                kw.find(&text)
            };
            for hit in hits {
                if !c.segments.contains(&hit.segment) {
                    let why = format!("{}←{}({label})", hit.segment, hit.keyword);
                    match hit.via {
                        Via::Keyword => by_keyword.push(why),
                        Via::Name => by_name.push(why),
                    }
                    c.segments.push(hit.segment);
                }
            }
        }
        if !by_keyword.is_empty() {
            c.notes
                .push(format!("环节按关键词: {}", by_keyword.join(" ")));
        }
        if !by_name.is_empty() {
            c.notes
                .push(format!("环节按模板名称: {}", by_name.join(" ")));
        }
    }
    Some(c)
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// Merge `other` into `into`; returns the conflicts (both rows state a different value; the
/// first row's is kept and the other recorded in notes).
fn merge(into: &mut Candidate, other: Candidate, why: &str) -> Vec<String> {
    let row = other.rows[0];
    let first = into.rows[0];
    let mut conflicts = Vec::new();
    let mut text = |label: &str, a: &mut String, b: String, notes: &mut Vec<String>| {
        if a.is_empty() {
            *a = b;
        } else if !b.is_empty() && *a != b {
            conflicts.push(crate::msg!(
                "第 {row} 行的{label}是 `{b}`，第 {first} 行是 `{a}`：保留第 {first} 行的",
                "row {row} says {label} `{b}`, row {first} `{a}`: kept row {first}'s"
            ));
            notes.push(format!("第{row}行{label}: {b}"));
        }
    };
    let mut notes = Vec::new();
    text(
        "统一社会信用代码",
        &mut into.credit_code,
        other.credit_code,
        &mut notes,
    );
    text("省份", &mut into.province, other.province, &mut notes);
    text("城市", &mut into.city, other.city, &mut notes);
    match (into.revenue_yi, other.revenue_yi) {
        (None, b) => into.revenue_yi = b,
        (Some(a), Some(b)) if (a - b).abs() > 1e-9 => {
            let (b, a) = (plain_decimal(b), plain_decimal(a));
            conflicts.push(crate::msg!(
                "第 {row} 行的营业收入是 {b} 亿元，第 {first} 行是 {a} 亿元：保留第 {first} 行的",
                "row {row} says 营业收入 {b} 亿元, row {first} {a} 亿元: kept row {first}'s"
            ));
            notes.push(format!("第{row}行营业收入: {b} 亿元"));
        }
        _ => {}
    }
    if other.id != into.id {
        push_unique(&mut into.aliases, &other.id);
    }
    for a in other.aliases {
        if a != into.id {
            push_unique(&mut into.aliases, &a);
        }
    }
    for t in other.tags {
        push_unique(&mut into.tags, &t);
    }
    for l in other.listing {
        push_unique(&mut into.listing, &l);
    }
    for s in other.segments {
        push_unique(&mut into.segments, &s);
    }
    into.notes.push(format!("合并了第{row}行({why})"));
    for n in notes.into_iter().chain(other.notes) {
        push_unique(&mut into.notes, &n);
    }
    into.rows.push(row);
    conflicts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{self, Encoding};

    fn rows(lines: &[&str]) -> Rows {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u32 + 1, l.split(',').map(str::to_string).collect()))
            .collect()
    }

    fn run(lines: &[&str]) -> Outcome {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("graphs");
        let resolver = load_graphs(Some(&dir)).unwrap();
        let kw = load_keywords(None, &resolver).unwrap();
        intake(&rows(lines), "x.csv", &Options::default(), &resolver, &kw).unwrap()
    }

    fn said(o: &Outcome, row: u32, text: &str) -> bool {
        o.messages
            .iter()
            .any(|(r, m)| *r == row && m.contains(text))
    }

    #[test]
    fn rows_with_problems_are_reported_and_kept() {
        let o = run(&[
            "公司名称,信用代码,营业收入,环节,城市",
            "甲;乙电池有限公司,9135,3000,正极材料,昆明",
            "丙材料有限公司,91350900587527783Q,12亿,负极,玉溪",
            "丙材料股份有限公司,91440300192317458F,,隔膜,玉溪",
            "丁科技有限公司,,,,曲靖",
            "丁科技股份有限公司,,,,昭通",
        ]);
        assert!(said(&o, 2, "含 `;`"), "{:?}", o.messages);
        assert!(said(&o, 2, "`9135` 不是 18 位字母和数字"));
        assert!(said(&o, 2, "营业收入 `3000` 没有单位"));
        assert!(said(&o, 3, "通不过 GB 32100 校验"));
        assert!(said(&o, 4, "统一社会信用代码却不同"));
        assert!(said(&o, 5, "没有匹配到环节"));
        assert!(said(&o, 6, "与第 5 行重复（规范化名称相同 `丁科技`）"));
        assert!(said(
            &o,
            6,
            "第 6 行的城市是 `昭通`，第 5 行是 `曲靖`：保留第 5 行的"
        ));
        let ids: Vec<&str> = o.candidates.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "甲,乙电池有限公司",
                "丙材料有限公司",
                "丙材料股份有限公司",
                "丁科技有限公司"
            ]
        );
        assert_eq!(o.candidates[1].revenue_yi, Some(12.0));
        assert_eq!(o.candidates[1].segments, ["负极材料"], "alias → id");
        assert!(o.candidates[3].notes.iter().any(|n| n == "第6行城市: 昭通"));
        assert_eq!(o.bad_numbers, 1);
        assert_eq!(o.merged, 1);
    }

    #[test]
    fn line_breaks_of_an_export_stay_only_in_notes() {
        // Before: `深交所\n002812` was written as a two-line `listing` cell, which check (and
        // so intake's own check of what it writes) refuses: only notes may hold line breaks.
        let c = Candidate {
            id: "甲公司".into(),
            city: "玉\r\n溪".into(),
            listing: vec!["深交所\n 002812".into()],
            notes: vec!["第一行\n第二行".into()],
            ..Candidate::default()
        };
        let text = String::from_utf8(to_csv(&[c])).unwrap();
        let recs = data::text::parse_csv(
            text.trim_start_matches('\u{feff}'),
            data::text::LineBreaks::In(&["notes"]),
        )
        .unwrap();
        let cell = |name: &str| {
            let i = recs[0].cells.iter().position(|c| c.0 == name).unwrap();
            recs[1].cells[i].0.clone()
        };
        assert_eq!(cell("city"), "玉 溪");
        assert_eq!(cell("listing"), "深交所 002812");
        assert_eq!(cell("notes"), "第一行\n第二行");
    }

    #[test]
    fn an_export_with_nul_bytes_is_not_text() {
        // Found by the `intake` fuzz target: a NUL in a name cell went into the candidates
        // file, which check refuses, and intake stopped with "internal error".
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        std::fs::write(&path, "企业名称,城市\n甲\0公司,玉溪\n").unwrap();
        let e = read_rows(&path, None, Encoding::Auto)
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("export.csv：不是文本（CSV）文件：其中有 NUL 字节"),
            "{e}"
        );
        // UTF-16 (Excel's "Unicode text") is named as such, with what to do.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "企业名称\n甲公司\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        std::fs::write(&path, utf16).unwrap();
        let e = read_rows(&path, None, Encoding::Auto)
            .unwrap_err()
            .to_string();
        assert!(e.contains("它是 UTF-16 文本：请存为 UTF-8"), "{e}");
    }

    #[test]
    fn unknown_segment_in_the_column_gets_a_suggestion() {
        let o = run(&["企业名称,产业链环节", "戊有限公司,正级材料;隔膜"]);
        assert!(
            said(
                &o,
                2,
                "产业链环节：没有 `正级材料` 这个环节，是不是 正极材料？"
            ),
            "{:?}",
            o.messages
        );
        assert_eq!(o.candidates[0].segments, ["隔膜"]);
    }
}
