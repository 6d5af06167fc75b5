//! `chainkb intake`: an enterprise-platform export (企查查 / 天眼查 / 启信宝; CSV or .xlsx) → a candidates file `check` accepts, every row reported.

mod columns;
mod keywords;

pub use columns::{Field, check_credit_code, clean_header, listing_of, map_tag, revenue_yi};
pub use keywords::{Hit, Keywords, Rule, Via};

use crate::data::{self, Encoding, Input, Resolver, SeedKind};
use crate::export::neutralise;
use crate::model::Kind;
use crate::names;
use columns::{Mapping, plain_decimal, split_labels};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `chainkb intake FILE -o OUT.csv`.
#[derive(clap::Args, Debug)]
pub struct IntakeArgs {
    /// The export: .csv (UTF-8, UTF-8 with BOM, or GBK) or .xlsx.
    pub file: PathBuf,
    /// The worksheet of an .xlsx file (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Text encoding of a CSV export: auto (UTF-8, with or without BOM, else GBK), utf-8, gbk.
    #[arg(long, default_value = "auto")]
    pub encoding: Encoding,
    /// Keyword rules (default: ./config/segment-keywords.toml, else the copy built into chainkb).
    #[arg(long, value_name = "FILE")]
    pub keywords: Option<PathBuf>,
    /// Chain templates that segment names are resolved against (default: ./graphs, else the
    /// bundled ones).
    #[arg(long, value_name = "DIR")]
    pub graphs: Option<PathBuf>,
    /// Provenance text put before the file and row in every `source`, e.g. "企查查导出 2026-11".
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
    /// Leave out firms already in the data beside the templates (matched by credit code or
    /// normalized name; each is reported), so the file imports together with that data.
    #[arg(long)]
    pub skip_known: bool,
    /// The candidates file to write (name it candidates-….csv so check/import read it as such).
    #[arg(short, long, value_name = "OUT.csv")]
    pub output: PathBuf,
}

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

/// `1 data row`, `2 data rows`: a count and its noun, plural unless the count is 1.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Rows of a spreadsheet or CSV: (1-based line or row number, cells), in order. Empty lines
/// and rows are kept, with no cell or only empty ones, so that `intake` counts and reports them.
pub type Rows = Vec<(u32, Vec<String>)>;

/// Whether a row has no text in any cell.
pub fn is_empty_row(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Whether `path` is read as a spreadsheet (by its extension), not as CSV.
pub fn is_sheet(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods")
}

/// Read an export: .xlsx/.xls/.ods through calamine (`sheet` or the first), anything else as CSV.
pub fn read_rows(path: &Path, sheet: Option<&str>, encoding: Encoding) -> Result<Rows, String> {
    let shown = path.display();
    if is_sheet(path) {
        return read_workbook(path, sheet);
    }
    if sheet.is_some() {
        return Err(format!("{shown}: --sheet applies to .xlsx files only"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    // `check` refuses a CSV file with NUL bytes (binary, or UTF-16), so a NUL taken into a
    // cell made intake refuse its own candidates file as an internal error.
    if bytes.contains(&0) {
        return Err(format!("{shown}: {}", data::text::not_text(&bytes, "CSV")));
    }
    let text = data::text::decode(&bytes, encoding).map_err(|e| format!("{shown}: {e}"))?;
    // Cells of an export may hold line breaks (经营范围, 简介); an unclosed quote may not.
    let records = data::text::parse_csv(&text, data::text::LineBreaks::Anywhere)
        .map_err(|e| format!("{shown}:{}:{}: {}", e.line, e.col, e.message))?;
    // The CSV reader drops blank lines (no comma at all); put them back, empty, so they are
    // counted like a line of empty cells.
    let mut rows: Rows = records
        .into_iter()
        .map(|r| (r.line, r.cells.into_iter().map(|c| c.0).collect()))
        .chain(blank_lines(&text).into_iter().map(|l| (l, Vec::new())))
        .collect();
    rows.sort_by_key(|r| r.0);
    Ok(rows)
}

/// Lines (1-based) of CSV text that hold nothing but white space, outside quoted cells. The
/// end of the text after a final line break is not a line.
fn blank_lines(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    let lines: Vec<&str> = text.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let starts_outside = !in_quotes;
        in_quotes ^= line.bytes().filter(|&b| b == b'"').count() % 2 == 1;
        let last = i + 1 == lines.len();
        if starts_outside && line.trim().is_empty() && !(last && line.is_empty()) {
            out.push(i as u32 + 1);
        }
    }
    out
}

/// "; only the first sheet, `A`, was read: choose another with --sheet (sheets: A, B)" for a
/// workbook of several sheets, else nothing.
fn other_sheets_hint(path: &Path) -> String {
    use calamine::Reader;
    let Ok(wb) = calamine::open_workbook_auto(path) else {
        return String::new();
    };
    match wb.sheet_names().as_slice() {
        [first, _, ..] => format!(
            "; only the first sheet, `{first}`, was read: choose another with --sheet NAME (sheets: {})",
            wb.sheet_names().join(", ")
        ),
        _ => String::new(),
    }
}

fn read_workbook(path: &Path, sheet: Option<&str>) -> Result<Rows, String> {
    use calamine::Reader;
    let shown = path.display();
    let mut wb =
        calamine::open_workbook_auto(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(s) => {
            return Err(format!(
                "{shown}: no sheet named `{s}`{} (sheets: {})",
                names::did_you_mean(&names::suggest(s, names.iter().map(String::as_str), 1)),
                names.join(", ")
            ));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| format!("{shown}: the workbook has no sheets"))?,
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| format!("{shown}: cannot read sheet `{name}`: {e}"))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        // Keep column positions: pad on the left when the used range does not start at A.
        let mut cells: Vec<String> = vec![String::new(); left as usize];
        cells.extend(row.iter().map(|c| c.to_string()));
        rows.push((top + i as u32 + 1, cells));
    }
    Ok(rows)
}

/// Chain templates as data inputs: from `dir`, else ./graphs, else the bundled ones; with
/// `with_seeds`, also the entity tables beside them (`DIR/../seeds`, or the bundled seeds).
pub fn data_inputs(dir: Option<&Path>, with_seeds: bool) -> Result<Vec<Input>, String> {
    let local = Path::new("graphs");
    let dir = match dir {
        Some(d) => Some(d),
        None if local.is_dir() => Some(local),
        None => None,
    };
    let wanted =
        |name: &str| name.starts_with("graphs/") || (with_seeds && name.starts_with("seeds/"));
    match dir {
        Some(d) => {
            let mut paths = vec![d.to_path_buf()];
            if with_seeds
                && let Some(seeds) = d.parent().map(|p| p.join("seeds")).filter(|s| s.is_dir())
            {
                paths.push(seeds);
            }
            let inputs: Vec<Input> = data::collect_files(&paths)?
                .iter()
                .filter(|(name, _)| wanted(name))
                .map(data::read_input)
                .collect();
            if !inputs.iter().any(|i| i.name.starts_with("graphs/")) {
                return Err(format!("no chain templates (.toml) in {}", d.display()));
            }
            Ok(inputs)
        }
        None => Ok(crate::bundle::inputs()
            .into_iter()
            .filter(|i| wanted(&i.name))
            .collect()),
    }
}

/// The chain templates and the entity tables beside them, for resolving segment names (as
/// `check` does) and for spotting firms already in the data. Problems in that data are
/// `check`'s business, not ours.
pub fn load_graphs(dir: Option<&Path>) -> Result<Resolver, String> {
    let loaded = data::load_inputs(data_inputs(dir, true)?, Encoding::Auto);
    let segments = loaded
        .dataset
        .nodes
        .iter()
        .filter(|n| n.kind == Kind::Segment)
        .count();
    if segments == 0 {
        return Err(format!(
            "no segments in the chain templates{}",
            loaded
                .diags
                .first()
                .map(|d| format!(" (first problem: {d})"))
                .unwrap_or_default()
        ));
    }
    Ok(Resolver::new(loaded.dataset))
}

/// Enterprises already in the data, by credit code and by normalized name or alias.
pub struct Known {
    /// (id, `file:line` where it is defined)
    pub firms: Vec<(String, String)>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl Known {
    pub fn new(ds: &crate::model::Dataset) -> Known {
        let mut k = Known {
            firms: Vec::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
        };
        for n in ds.nodes.iter().filter(|n| n.kind == Kind::Enterprise) {
            let i = k.firms.len();
            let at = ds.rows.get(n.row as usize).map_or(String::new(), |r| {
                let file = ds.files.get(r.file as usize).map_or("", String::as_str);
                format!("{file}:{}", r.line)
            });
            k.firms.push((n.id.to_string(), at));
            if let crate::model::Attrs::Enterprise(a) = &n.attrs
                && !a.credit_code.is_empty()
            {
                k.by_code.entry(a.credit_code.to_string()).or_insert(i);
            }
            for name in std::iter::once(&n.id)
                .chain(n.display_name.iter())
                .chain(n.aliases.iter())
            {
                k.by_name.entry(names::normalize(name)).or_insert(i);
            }
        }
        k
    }

    /// The firm a candidate already is, and how that was seen.
    pub fn find(&self, c: &Candidate) -> Option<(&(String, String), &'static str)> {
        let by_code = (!c.credit_code.is_empty())
            .then(|| self.by_code.get(&c.credit_code))
            .flatten()
            .map(|&i| (i, "same 统一社会信用代码"));
        let by_id = || {
            self.firms
                .iter()
                .position(|f| f.0 == c.id)
                .map(|i| (i, "same id"))
        };
        let by_name = || {
            std::iter::once(&c.norm)
                .chain(c.aliases.iter())
                .find_map(|n| self.by_name.get(&names::normalize(n)))
                .map(|&i| (i, "same normalized name"))
        };
        by_code
            .or_else(by_id)
            .or_else(by_name)
            .map(|(i, why)| (&self.firms[i], why))
    }
}

/// Keyword rules from `path`, else ./config/segment-keywords.toml, else the built-in copy.
pub fn load_keywords(path: Option<&Path>, resolver: &Resolver) -> Result<Keywords, String> {
    let local = Path::new("config/segment-keywords.toml");
    let (text, display) = match path {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
            p.display().to_string(),
        ),
        None if local.is_file() => (
            std::fs::read_to_string(local)
                .map_err(|e| format!("cannot read {}: {e}", local.display()))?,
            local.display().to_string(),
        ),
        None => (
            keywords::BUILTIN.to_string(),
            "(built-in) config/segment-keywords.toml".to_string(),
        ),
    };
    Keywords::parse(&text, &display, resolver).map_err(|errs| errs.join("\n"))
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
) -> Result<Outcome, String> {
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
            return Err(format!("{file}: empty file: no header row"));
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
        let hint = if hints.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", hints.join(", "))
        };
        return Err(format!(
            "{file}:{line}: no company-name column ({}); columns found: {}{hint}",
            name_headers().join(" / "),
            shown.join(", ")
        ));
    };
    let (header_line, header) = filled[h];
    let map = Mapping::new(header);
    let mut out = Outcome {
        ignored_columns: map.ignored.clone(),
        sheet: is_sheet(Path::new(file)),
        ..Outcome::default()
    };
    for (line, cells) in &filled[..h] {
        out.messages.push((
            *line,
            format!(
                "skipped before the header row (line {header_line}): {}",
                cells.join(" ").trim()
            ),
        ));
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
            if run.len() == 1 {
                format!("empty {unit}: skipped")
            } else {
                format!(
                    "{} ({first}–{last}): skipped",
                    plural(run.len(), &format!("empty {unit}"))
                )
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
                let mut msg = format!(
                    "duplicate of row {first} ({why}{}): merged into one candidate",
                    if why.contains("代码") {
                        format!(" {}", out.candidates[i].credit_code)
                    } else {
                        format!(" `{}`", out.candidates[i].norm)
                    }
                );
                for cf in conflicts {
                    msg.push_str(&format!("; {cf}"));
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
                        format!(
                            "same normalized name `{}` as row {} but a different 统一社会信用代码 ({} vs {}): kept as two candidates, check which is meant",
                            c.norm,
                            out.candidates[i].rows[0],
                            c.credit_code,
                            out.candidates[i].credit_code
                        ),
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
                let what = format!("`{}` is already in the data as `{id}` ({at}, {why})", c.id);
                if opts.skip_known {
                    out.messages
                        .push((c.rows[0], format!("{what}: not written (--skip-known)")));
                    continue;
                }
                out.messages.push((
                    c.rows[0],
                    format!(
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
                format!(
                    "`{}`: no segment matched (no 产业链环节 column, no segment name in 主营产品, no keyword rule in 主营产品/经营范围): written with empty segments and a note",
                    c.id
                ),
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
    let quoted = |c: &str| match c.trim() {
        "" => "empty".to_string(),
        c => format!("`{}`", c.chars().take(30).collect::<String>()),
    };
    let (have, want) = (cells.len(), header.len());
    let detail = if have > want {
        let extra: Vec<String> = cells[want..].iter().take(3).map(|c| quoted(c)).collect();
        let more = if have - want > 3 { ", …" } else { "" };
        format!(
            "the extra {} {}{more}; a comma in a cell splits it unless the cell is quoted, which \
             shifts every later cell: fix the cell (or re-export the file) and run intake again",
            if have - want == 1 {
                "cell is"
            } else {
                "cells are"
            },
            extra.join(", ")
        )
    } else {
        let missing: Vec<String> = header[have..].iter().map(|c| quoted(c)).collect();
        format!(
            "{} {} missing; fix the row (or re-export the file) and run intake again",
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        )
    };
    format!(
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
        msg("no company name (the name column is empty): row not written".into());
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
        msg(format!(
            "name `{name}` contains `;`, which separates list items: written as `{fixed}`"
        ));
        name = fixed;
    }
    let safe = neutralise(&name);
    if safe != name {
        msg(format!(
            "name `{name}` starts with `{}` and would run as a formula in a spreadsheet: written as `{safe}` (check this row in the export)",
            &name[..1]
        ));
        out.neutralised += 1;
        c.notes
            .push(format!("名称以 {} 开头, 已加 ' 防止被当作公式", &name[..1]));
    }
    c.id = safe;
    if let Some((_, code)) = map.first(Field::CreditCode, cells) {
        let code = code.to_uppercase();
        if code.chars().count() != 18 || !code.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            msg(format!(
                "统一社会信用代码 `{code}` is not 18 letters and digits: left out of credit_code, kept in notes"
            ));
            c.notes.push(format!("平台统一社会信用代码: {code}"));
        } else {
            if let Err(why) = check_credit_code(&code) {
                msg(format!(
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
                msg(format!(
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
                msg(format!(
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
                    msg(format!("产业链环节: {e}: left out, kept in notes"));
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
            conflicts.push(format!(
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
            conflicts.push(format!(
                "row {row} says 营业收入 {} 亿元, row {first} {} 亿元: kept row {first}'s",
                plain_decimal(b),
                plain_decimal(a)
            ));
            notes.push(format!("第{row}行营业收入: {} 亿元", plain_decimal(b)));
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

/// The candidates file: UTF-8 with BOM (Excel reads it right; `check` skips the BOM), the
/// columns of `SeedKind::Candidates` in order, every text cell neutralised.
pub fn to_csv(candidates: &[Candidate]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    let cols = SeedKind::Candidates.columns();
    let _ = w.write_record(cols);
    for c in candidates {
        let notes = c.notes.join("; ");
        let row: Vec<String> = cols
            .iter()
            .map(|col| match *col {
                "id" | "name" => c.id.clone(),
                "aliases" => c.aliases.join(";"),
                "credit_code" => c.credit_code.clone(),
                "province" => c.province.clone(),
                "city" => c.city.clone(),
                "revenue_yi" => c.revenue_yi.map(plain_decimal).unwrap_or_default(),
                "tags" => c.tags.join(";"),
                "listing" => c.listing.join(";"),
                "segments" => c.segments.join(";"),
                "source" => c.source.clone(),
                "notes" => notes.clone(),
                _ => String::new(),
            })
            .zip(cols)
            .map(|(s, col)| {
                if data::seeds_multi_line(col) {
                    neutralise(&s)
                } else {
                    neutralise(&one_line(&s))
                }
            })
            .collect();
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

/// A cell of an export with line breaks (`"云南\n省"`, `"深交所\n002812"`) on one line, for a
/// column of the candidates file that must be one line: the lines trimmed, joined by a space.
fn one_line(s: &str) -> String {
    if !s.contains(['\n', '\r']) {
        return s.to_string();
    }
    s.split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Check the written file together with the templates as `chainkb check` would, and return
/// the problems found in the written file (the templates' own are not ours to report).
pub fn verify(graphs: Option<&Path>, csv: &[u8]) -> Result<(), Vec<String>> {
    const SHOWN: &str = "(written) candidates";
    let mut inputs = data_inputs(graphs, false).map_err(|e| vec![e])?;
    inputs.push(Input {
        name: "seeds/candidates-intake.csv".into(),
        display: SHOWN.into(),
        bytes: Ok(csv.to_vec()),
        path: None,
    });
    let loaded = data::load_inputs(inputs, Encoding::Auto);
    let ours: Vec<String> = loaded
        .diags
        .iter()
        .filter(|d| d.file == SHOWN)
        .map(|d| d.to_string())
        .collect();
    if ours.is_empty() { Ok(()) } else { Err(ours) }
}

/// The command: read, map, deduplicate, write, verify; messages and the summary on stderr.
pub fn run_cli(args: IntakeArgs) -> Result<(), String> {
    let resolver = load_graphs(args.graphs.as_deref())?;
    let kw = load_keywords(args.keywords.as_deref(), &resolver)?;
    let rows = read_rows(&args.file, args.sheet.as_deref(), args.encoding)?;
    let file = args.file.display().to_string();
    let known = Known::new(resolver.dataset());
    let opts = Options {
        source: args.source.as_deref(),
        known: Some(&known),
        skip_known: args.skip_known,
    };
    let outcome = intake(&rows, &file, &opts, &resolver, &kw).map_err(|e| {
        // Without --sheet only the first sheet was read: the firms may be on another.
        match (is_sheet(&args.file), &args.sheet) {
            (true, None) => format!("{e}{}", other_sheets_hint(&args.file)),
            _ => e,
        }
    })?;
    for l in outcome.lines(&file) {
        stderrln!("{l}");
    }
    let bytes = to_csv(&outcome.candidates);
    if let Err(problems) = verify(args.graphs.as_deref(), &bytes) {
        return Err(format!(
            "internal error: the candidates file would not pass check; nothing written:\n{}",
            problems.join("\n")
        ));
    }
    std::fs::write(&args.output, &bytes)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    let out = args.output.display().to_string();
    stderrln!("{}", outcome.summary(&file, &out));
    let stem = args
        .output
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    if SeedKind::from_file_stem(&stem) != Ok(SeedKind::Candidates) {
        stderrln!(
            "note: `chainkb check`/`import` read a file as candidates only if its name starts with `candidates` (e.g. seeds/candidates-{stem}.csv)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(said(&o, 2, "contains `;`"), "{:?}", o.messages);
        assert!(said(&o, 2, "`9135` is not 18 letters and digits"));
        assert!(said(&o, 2, "营业收入 `3000` has no unit"));
        assert!(said(&o, 3, "fails the GB 32100 check digit"));
        assert!(said(&o, 4, "different 统一社会信用代码"));
        assert!(said(&o, 5, "no segment matched"));
        assert!(said(
            &o,
            6,
            "duplicate of row 5 (same normalized name `丁科技`)"
        ));
        assert!(said(
            &o,
            6,
            "row 6 says 城市 `昭通`, row 5 `曲靖`: kept row 5's"
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
        let e = read_rows(&path, None, Encoding::Auto).unwrap_err();
        assert!(
            e.ends_with("export.csv: not a text (CSV) file: it holds NUL bytes"),
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
        let e = read_rows(&path, None, Encoding::Auto).unwrap_err();
        assert!(e.contains("it is UTF-16 text: save it as UTF-8"), "{e}");
    }

    #[test]
    fn unknown_segment_in_the_column_gets_a_suggestion() {
        let o = run(&["企业名称,产业链环节", "戊有限公司,正级材料;隔膜"]);
        assert!(
            said(
                &o,
                2,
                "产业链环节: unknown 环节 `正级材料` (did you mean 正极材料"
            ),
            "{:?}",
            o.messages
        );
        assert_eq!(o.candidates[0].segments, ["隔膜"]);
    }
}
