//! `chainkb intake`: an enterprise-platform export (企查查 / 天眼查 / 启信宝; CSV or .xlsx) → a candidates file `check` accepts, every row reported.
//! The library: `read` (exports → rows), `known` (what candidates are checked against), `row`
//! (one row → a candidate, merging duplicates), finding the header and deduplicating here,
//! `outcome` (counts and the summary), `write` (the file); the command line is `cli::intake`.

mod columns;
mod error;
mod keywords;
mod known;
mod outcome;
mod read;
mod row;
mod write;

pub use columns::{Field, check_credit_code, clean_header, listing_of, map_tag, revenue_yi};
pub use error::IntakeError;
pub use keywords::{Hit, Keywords, Rule, Via};
pub use known::{Known, data_inputs, load_graphs, load_keywords};
pub use outcome::{Outcome, plural};
pub use read::{Rows, is_empty_row, is_sheet, other_sheets_hint, read_rows};
pub use write::{to_csv, verify};

use crate::data::Resolver;
use crate::names;
use columns::Mapping;
use row::{merge, miscounted, read_row};
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
