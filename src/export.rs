//! Writing a query result to a file for meetings and spreadsheets (hand-outs): .xlsx, .csv
//! (UTF-8 with BOM, so Excel reads Chinese correctly), .md and .json — chosen by the file's
//! extension, written to a temporary file beside the target and renamed, so a failure leaves
//! nothing half-written. Workbooks carry a 说明 sheet (statement, date, data version, weights and
//! rules), autofilter, a frozen header, wrapped long text and print set-up (A4 landscape, one page
//! wide, header row on every page). Text cells that start with `=`, `+`, `-` or `@` are never
//! evaluated as formulas: in .csv they get a leading `'`; in .xlsx they are string cells marked
//! "quote prefix", so the text stays exactly as it was and Excel keeps it text when edited.

use crate::error::{Blame, Blamed};
use crate::lang::Lang;
use crate::report::{Table, Value};
use std::path::{Path, PathBuf};
use unicode_width::UnicodeWidthStr;

/// Formats a table can be exported to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
    Markdown,
    Json,
}

impl ExportFormat {
    pub fn from_path(path: &Path) -> Result<ExportFormat, ExportError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "xlsx" => Ok(ExportFormat::Xlsx),
            "csv" => Ok(ExportFormat::Csv),
            "md" | "markdown" => Ok(ExportFormat::Markdown),
            "json" => Ok(ExportFormat::Json),
            "" => Err(ExportError::NoExtension(path.to_path_buf())),
            other => Err(ExportError::Format {
                ext: other.to_string(),
                path: path.to_path_buf(),
            }),
        }
    }
}

/// Why a hand-out could not be written, and who is to blame: a path or format the user gave
/// (`Input`), a file that cannot be written (`Environment`), or a table chainkb made that the
/// CSV or workbook writer refuses (`Bug`).
#[derive(Debug)]
pub enum ExportError {
    /// The file name has no extension to tell the format by.
    NoExtension(PathBuf),
    /// An extension that is not .xlsx, .csv, .md or .json.
    Format { ext: String, path: PathBuf },
    /// The results of several statements, for a format that holds one table.
    OneTable { statements: usize, ext: String },
    /// The path names no file (`..`, `/`).
    NotAFile(PathBuf),
    /// The file (or its temporary twin) cannot be written.
    Write { path: PathBuf, why: String },
    /// The CSV or workbook writer refused a table.
    Encode { path: PathBuf, why: String },
}

impl ExportError {
    fn encode(path: &Path, e: &dyn std::fmt::Display) -> ExportError {
        ExportError::Encode {
            path: path.to_path_buf(),
            why: e.to_string(),
        }
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            ExportError::NoExtension(p) => {
                let p = p.display();
                crate::tr!(
                    lang,
                    "无法判断 `{p}` 的格式：文件名没有扩展名；请用 .xlsx、.csv、.md 或 .json 结尾",
                    "cannot tell the format of `{p}`: the file name has no extension; end it in .xlsx, .csv, .md or .json"
                )
            }
            ExportError::Format { ext, path } => {
                let p = path.display();
                crate::tr!(
                    lang,
                    "无法写成 .{ext} 文件（`{p}`）：请用 .xlsx、.csv、.md 或 .json 结尾",
                    "cannot write a .{ext} file (`{p}`): end the name in .xlsx, .csv, .md or .json"
                )
            }
            ExportError::OneTable { statements: n, ext } => crate::tr!(
                lang,
                "{n} 条语句的结果写不进一个 {ext} 文件：请用 .xlsx（每条语句一张工作表），或一次只写一条语句",
                "the results of {n} statements do not fit in one {ext} file: use .xlsx (a sheet per statement), or write one statement at a time"
            ),
            ExportError::NotAFile(path) => {
                let p = path.display();
                let e = lang.pick("不是文件名", "not a file name");
                crate::tr!(lang, "无法写入 {p}：{e}", "cannot write {p}: {e}")
            }
            ExportError::Write { path, why: e } | ExportError::Encode { path, why: e } => {
                let p = path.display();
                crate::tr!(lang, "无法写入 {p}：{e}", "cannot write {p}: {e}")
            }
        }
    }
}

/// In the language of messages ([`crate::lang::messages`]), as the `String` errors were.
impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(crate::lang::messages()))
    }
}

impl std::error::Error for ExportError {}

impl Blamed for ExportError {
    fn blame(&self) -> Blame {
        match self {
            ExportError::NoExtension(_)
            | ExportError::Format { .. }
            | ExportError::OneTable { .. }
            | ExportError::NotAFile(_) => Blame::Input,
            ExportError::Write { .. } => Blame::Environment,
            ExportError::Encode { .. } => Blame::Bug,
        }
    }
}

/// What a hand-out says about itself, on the 说明 sheet of a workbook: its title, the statement
/// or command that made it, the data version, and further rows (weights, rules, notes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct About {
    /// What the hand-out is, e.g. `锂电池 · 玉溪高新区 招商目标企业清单`.
    pub title: String,
    /// The statement or command line that produced it.
    pub statement: String,
    /// The database's data label and generation.
    pub data: String,
    /// Further (item, text) rows: weights and rules used, scoring rules, notes.
    pub rows: Vec<(String, String)>,
}

/// One worksheet: its name (made safe for Excel by the writer) and its table.
pub struct Sheet<'a> {
    pub name: String,
    pub table: &'a Table,
}

/// The header texts of a table as a hand-out shows them (the one place headers are taken from,
/// so a language layer can translate them here).
pub fn headers(table: &Table) -> Vec<String> {
    table.headers()
}

/// Text as it should appear in a spreadsheet cell: formula-looking text gets a leading `'`.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Write `bytes` to `path` through a temporary file in the same folder, renamed into place: a
/// failure leaves any earlier file as it was and no partial file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let name = path
        .file_name()
        .ok_or_else(|| ExportError::NotAFile(path.to_path_buf()))?
        .to_string_lossy();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(ExportError::Write {
            path: path.to_path_buf(),
            why: e.to_string(),
        });
    }
    Ok(())
}

/// Write `table` to `path` in the format its extension names; a workbook has one sheet named
/// `sheet` and the 说明 sheet.
pub fn write_table(
    table: &Table,
    path: &Path,
    sheet: &str,
    about: &About,
) -> Result<(), ExportError> {
    let format = ExportFormat::from_path(path)?;
    let bytes = match format {
        ExportFormat::Json => table.to_json().into_bytes(),
        ExportFormat::Markdown => to_markdown(table).into_bytes(),
        ExportFormat::Csv => to_excel_csv(table).map_err(|e| ExportError::encode(path, &e))?,
        ExportFormat::Xlsx => workbook_bytes(
            &[Sheet {
                name: sheet.to_string(),
                table,
            }],
            about,
            path,
        )?,
    };
    write_atomically(path, &bytes)
}

/// CSV for Excel: UTF-8 with BOM, CRLF line ends, formula-looking text neutralised.
pub fn to_excel_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(headers(table).iter().map(|c| neutralise(c)))?;
    for row in &table.rows {
        w.write_record(row.iter().enumerate().map(|(j, v)| match v {
            Value::Int(_) | Value::Float(_) | Value::Null => v.cell(),
            _ => neutralise(&table.shown(j, v).cell()),
        }))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A GitHub-style Markdown table (pipes escaped; lists joined with 、 as on screen), then the
/// notes.
pub fn to_markdown(table: &Table) -> String {
    let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::new();
    out.push_str(&format!(
        "| {} |\n",
        headers(table)
            .iter()
            .map(|c| esc(c))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out.push_str(&format!("|{}\n", "---|".repeat(table.columns.len())));
    for row in &table.rows {
        out.push_str(&format!(
            "| {} |\n",
            row.iter()
                .enumerate()
                .map(|(j, v)| esc(&table.shown(j, v).display()))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    if !table.notes.is_empty() {
        out.push('\n');
        for note in &table.notes {
            out.push_str(&format!("> 注：{}\n", esc(note)));
        }
    }
    out
}

/// Write an .xlsx workbook with the given sheets and a 说明 sheet (see the module header).
pub fn write_xlsx_sheets(sheets: &[Sheet], about: &About, path: &Path) -> Result<(), ExportError> {
    let bytes = workbook_bytes(sheets, about, path)?;
    write_atomically(path, &bytes)
}

/// Forbidden in a sheet name by Excel.
const SHEET_FORBIDDEN: &str = "[]:*?/\\";
/// Longest sheet name Excel takes.
const SHEET_MAX: usize = 31;
/// The name of the sheet that says what the workbook is.
pub const ABOUT_SHEET: &str = "说明";

/// A name Excel accepts (at most 31 characters, none of `[]:*?/\`, no leading or trailing
/// `'`, not `History`), different from every name in `used` (compared case-insensitively):
/// `-2`, `-3` … is appended (inside the 31 characters) where needed.
pub fn sheet_name(wanted: &str, used: &[String]) -> String {
    let clean: String = wanted
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !SHEET_FORBIDDEN.contains(*c) && !c.is_control())
        .collect();
    let mut base = clean.trim_matches(['\'', ' ']).to_string();
    if base.is_empty() || base.eq_ignore_ascii_case("history") {
        base = format!("表{}", used.len() + 1);
    }
    let taken = |n: &str| used.iter().any(|u| u.to_lowercase() == n.to_lowercase());
    let cut = |s: &str, max: usize| -> String {
        s.chars()
            .take(max)
            .collect::<String>()
            .trim_end_matches(['\'', ' '])
            .to_string()
    };
    let mut name = cut(&base, SHEET_MAX);
    let mut n = 2;
    while taken(&name) {
        let suffix = format!("-{n}");
        name = format!("{}{suffix}", cut(&base, SHEET_MAX - suffix.chars().count()));
        n += 1;
    }
    name
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Widest a column is set (in character widths) before its text wraps; the widest text column
/// (a reason) may take `WIDE`.
const NARROW: f64 = 24.0;
const WIDE: f64 = 48.0;

fn workbook_bytes(sheets: &[Sheet], about: &About, path: &Path) -> Result<Vec<u8>, ExportError> {
    build_workbook(sheets, about).map_err(|e| ExportError::encode(path, &e))
}

fn build_workbook(sheets: &[Sheet], about: &About) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let border = |f: Format| {
        f.set_border(FormatBorder::Thin)
            .set_border_color(Color::Gray)
    };
    let head = border(
        Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color(Color::RGB(0xDD_EB_F7)),
    );
    let head_text = head.clone().set_quote_prefix();
    let cell = border(Format::new().set_align(FormatAlign::Top));
    let wrap = cell.clone().set_text_wrap();
    let cell_text = cell.clone().set_quote_prefix();
    let wrap_text = wrap.clone().set_quote_prefix();
    let looks_like_formula = |s: &str| neutralise(s).len() != s.len();
    let mut used: Vec<String> = vec![ABOUT_SHEET.to_string()];
    for sheet in sheets {
        let table = sheet.table;
        let name = sheet_name(&sheet.name, &used);
        used.push(name.clone());
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        let heads = headers(table);
        // Widths in display width (CJK counts double): the header's longest word, the widest
        // value; numbers take their printed width.
        let mut widths: Vec<f64> = heads
            .iter()
            .map(|c| UnicodeWidthStr::width(c.as_str()).min(12) as f64)
            .collect();
        for row in &table.rows {
            for (j, v) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(j) {
                    *w = w.max(UnicodeWidthStr::width(table.shown(j, v).display().as_str()) as f64);
                }
            }
        }
        let widest = widths
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(j, _)| j);
        let wraps: Vec<bool> = widths
            .iter()
            .enumerate()
            .map(|(j, &w)| w > if Some(j) == widest { WIDE } else { NARROW })
            .collect();
        for (j, c) in heads.iter().enumerate() {
            let f = if looks_like_formula(c) {
                &head_text
            } else {
                &head
            };
            ws.write_string_with_format(0, j as u16, c, f)?;
        }
        let col_width = |j: usize| {
            let cap = if Some(j) == widest { WIDE } else { NARROW };
            widths.get(j).map_or(cap, |w| w.min(cap))
        };
        for (i, row) in table.rows.iter().enumerate() {
            let r = i as u32 + 1;
            // Spreadsheet programs do not grow a row for wrapped text on opening a file: its
            // height is set here, a line per column width of the longest wrapped cell.
            let lines = row
                .iter()
                .enumerate()
                .filter(|(j, _)| wraps.get(*j).copied().unwrap_or(false))
                .map(|(j, v)| line_count(&v.display(), col_width(j)))
                .max()
                .unwrap_or(1);
            if lines > 1 {
                ws.set_row_height(r, LINE_HEIGHT * lines as f64)?;
            }
            for (j, v) in row.iter().enumerate() {
                let c = j as u16;
                let wrapped = wraps.get(j).copied().unwrap_or(false);
                match v {
                    Value::Int(n) => {
                        ws.write_number_with_format(r, c, *n as f64, &cell)?;
                    }
                    Value::Float(f) => {
                        ws.write_number_with_format(r, c, *f, &cell)?;
                    }
                    v if !v.is_absent() => {
                        // Lists joined with 、 as on screen.
                        let text = table.shown(j, v).display();
                        let f = match (looks_like_formula(&text), wrapped) {
                            (true, true) => &wrap_text,
                            (true, false) => &cell_text,
                            (false, true) => &wrap,
                            (false, false) => &cell,
                        };
                        ws.write_string_with_format(r, c, &text, f)?;
                    }
                    _ => {
                        ws.write_blank(r, c, &cell)?;
                    }
                }
            }
        }
        for j in 0..widths.len() {
            ws.set_column_width(j as u16, col_width(j) + 2.0)?;
        }
        let head_lines = heads
            .iter()
            .enumerate()
            .map(|(j, h)| line_count(h, col_width(j)))
            .max()
            .unwrap_or(1);
        if head_lines > 1 {
            ws.set_row_height(0, LINE_HEIGHT * head_lines as f64)?;
        }
        let last_col = heads.len().saturating_sub(1) as u16;
        ws.set_freeze_panes(1, 0)?;
        if !heads.is_empty() {
            ws.autofilter(0, 0, table.rows.len() as u32, last_col)?;
        }
        // Print: A4 landscape, one page wide (as many pages down as it takes), the header row
        // on every page, the title, the sheet name and page numbers in the margins.
        ws.set_paper_size(9)
            .set_landscape()
            .set_print_fit_to_pages(1, 0)
            .set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3)
            .set_header(format!(
                "&L{}&R{}",
                header_footer_text(&about.title),
                header_footer_text(&name)
            ))
            .set_footer("&C第 &P 页，共 &N 页");
        ws.set_repeat_rows(0, 0)?;
    }
    write_about(&mut wb, about, sheets, &used[1..])?;
    wb.save_to_buffer()
}

/// Width of the 说明 sheet's text column.
const ABOUT_WIDTH: f64 = 100.0;

/// Height of one line of text in a row, in points (Excel's default row of 11-point text).
const LINE_HEIGHT: f64 = 15.0;

/// How many lines `text` takes in a column `width` characters wide (a CJK character counts
/// two), each line break starting a line.
fn line_count(text: &str, width: f64) -> usize {
    let width = width.max(1.0);
    text.split('\n')
        .map(|l| ((UnicodeWidthStr::width(l) as f64) / width).ceil().max(1.0) as usize)
        .sum()
}

/// Text for a page header: `&` doubled (it starts a code there), at most 200 characters.
fn header_footer_text(s: &str) -> String {
    s.replace('&', "&&").chars().take(200).collect()
}

/// The 说明 sheet: what the workbook is, where it came from, how it was made, and each sheet's
/// notes.
fn write_about(
    wb: &mut rust_xlsxwriter::Workbook,
    about: &About,
    sheets: &[Sheet],
    names: &[String],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign};
    let bold = Format::new().set_bold().set_align(FormatAlign::Top);
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_quote_prefix();
    let mut rows: Vec<(String, String)> = vec![
        ("标题".into(), about.title.clone()),
        ("语句".into(), about.statement.clone()),
        ("生成日期".into(), today()),
        ("数据版本".into(), about.data.clone()),
    ];
    rows.extend(about.rows.iter().cloned());
    for (sheet, name) in sheets.iter().zip(names) {
        rows.push((
            "工作表".into(),
            format!("{name}：{} 行", sheet.table.rows.len()),
        ));
        for note in &sheet.table.notes {
            rows.push(("注".into(), note.clone()));
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name(ABOUT_SHEET)?;
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, ABOUT_WIDTH)?;
    for (i, (k, v)) in rows.iter().filter(|(_, v)| !v.is_empty()).enumerate() {
        let r = i as u32;
        ws.write_string_with_format(r, 0, k, &bold)?;
        ws.write_string_with_format(r, 1, v, &wrap)?;
        let lines = line_count(v, ABOUT_WIDTH - 2.0).max(line_count(k, 14.0));
        if lines > 1 {
            ws.set_row_height(r, LINE_HEIGHT * lines as f64)?;
        }
    }
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(&["企业", "得分", "备注"]);
        t.rows.push(vec![
            Value::text("=HYPERLINK(\"x\")"),
            Value::Float(3.5),
            Value::Null,
        ]);
        t.rows.push(vec![
            Value::text("宁德时代"),
            Value::Int(-2),
            Value::texts(["上市", "链主"]),
        ]);
        t
    }

    fn about() -> About {
        About {
            title: "锂电池 · 玉溪高新区 招商目标企业清单".into(),
            statement: "fill 锂电池 in 玉溪高新区 | targets".into(),
            data: "seed-1 （第 3 代）".into(),
            rows: vec![("评分权重".into(), "规模 revenue = 1".into())],
        }
    }

    /// A part of the written .xlsx package, as text.
    fn part(p: &Path, name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    }

    #[test]
    fn formula_looking_text_is_neutralised_but_numbers_are_not() {
        let csv = String::from_utf8(to_excel_csv(&sample()).unwrap()).unwrap();
        assert!(csv.starts_with('\u{feff}'), "BOM first");
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert!(csv.contains("宁德时代,-2,上市;链主"), "{csv}");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("+86"), "'+86");
        assert_eq!(neutralise("正极材料"), "正极材料");
    }

    #[test]
    fn markdown_escapes_pipes_joins_lists_as_on_screen_and_keeps_notes() {
        let mut t = Table::new(&["a", "b"]);
        t.rows
            .push(vec![Value::text("x|y"), Value::texts(["上市", "链主"])]);
        t.notes.push("3 家无营收".into());
        assert_eq!(
            to_markdown(&t),
            "| a | b |\n|---|---|\n| x\\|y | 上市、链主 |\n\n> 注：3 家无营收\n"
        );
    }

    #[test]
    fn an_unknown_or_missing_extension_is_refused_with_the_ones_that_work() {
        for p in ["x.docx", "x", "名单.xls"] {
            let err = ExportFormat::from_path(Path::new(p)).unwrap_err();
            assert!(
                err.to_string().contains(".xlsx、.csv、.md 或 .json"),
                "{p}: {err}"
            );
            assert_eq!(err.blame(), Blame::Input, "{p}");
        }
        assert!(matches!(
            ExportFormat::from_path(Path::new("名单.XLSX")),
            Ok(ExportFormat::Xlsx)
        ));
    }

    #[test]
    fn a_failed_write_leaves_no_partial_file_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should go: the rename fails.
        let p = dir.path().join("x.csv");
        std::fs::create_dir(&p).unwrap();
        let err = write_table(&sample(), &p, "s", &about()).unwrap_err();
        assert!(err.to_string().contains("x.csv"), "{err}");
        // Not the user's input: their machine (exit code 1, see `cli::failure`).
        assert_eq!(err.blame(), Blame::Environment, "{err}");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from("x.csv")], "{left:?}");
        // An existing file is replaced whole.
        let q = dir.path().join("y.md");
        std::fs::write(&q, "old").unwrap();
        write_table(&sample(), &q, "s", &about()).unwrap();
        assert!(std::fs::read_to_string(&q).unwrap().starts_with("| 企业"));
        assert!(write_table(&sample(), &dir.path().join("no/such/z.json"), "s", &about()).is_err());
    }

    #[test]
    fn export_errors_read_as_the_string_errors_did_in_either_language() {
        let p = PathBuf::from("x.json");
        let e = ExportError::OneTable {
            statements: 2,
            ext: ".json".into(),
        };
        assert_eq!(
            e.render(Lang::Zh),
            "2 条语句的结果写不进一个 .json 文件：请用 .xlsx（每条语句一张工作表），或一次只写一条语句"
        );
        assert!(
            e.render(Lang::En)
                .starts_with("the results of 2 statements")
        );
        assert_eq!(e.blame(), Blame::Input);
        let w = ExportError::NotAFile(p);
        assert_eq!(w.render(Lang::Zh), "无法写入 x.json：不是文件名");
        assert_eq!(w.render(Lang::En), "cannot write x.json: not a file name");
    }

    #[test]
    fn sheet_names_are_short_safe_and_unique() {
        let mut used = vec![ABOUT_SHEET.to_string()];
        let long = "fill 锂电池 in 玉溪高新区 | targets | where origin > 0 | sort score desc";
        for wanted in [long, long, "a/b:c*?[d]", "   ", "History", "说明", "'x'"] {
            let n = sheet_name(wanted, &used);
            assert!(n.chars().count() <= 31, "{n}");
            assert!(!n.chars().any(|c| SHEET_FORBIDDEN.contains(c)), "{n}");
            assert!(!n.starts_with('\'') && !n.ends_with('\''), "{n}");
            assert!(!n.eq_ignore_ascii_case("history"));
            assert!(
                !used.iter().any(|u| u.to_lowercase() == n.to_lowercase()),
                "{n} twice"
            );
            used.push(n);
        }
        assert_eq!(used[3], "abcd");
        assert_eq!(used[2].chars().count(), 31);
        assert!(used[2].ends_with("-2"), "{}", used[2]);
        assert_eq!(used[6], "说明-2");
    }

    #[test]
    fn dates_are_civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_783), "2024-03-01");
        assert_eq!(civil_date(20_428), "2025-12-06");
        assert_eq!(today().len(), 10);
    }

    /// In .xlsx a formula-looking text is a string cell with its text unchanged (no visible
    /// `'`), marked quote-prefix so Excel never turns it into a formula.
    #[test]
    fn xlsx_keeps_formula_looking_text_as_text_without_an_apostrophe() {
        use calamine::{Data, Reader, Xlsx, open_workbook};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.xlsx");
        write_table(&sample(), &p, "s", &about()).unwrap();
        let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
        let range = wb.worksheet_range("s").unwrap();
        assert_eq!(
            range.get_value((1, 0)),
            Some(&Data::String("=HYPERLINK(\"x\")".into()))
        );
        assert_eq!(range.get_value((2, 1)), Some(&Data::Float(-2.0)));
        assert!(part(&p, "xl/styles.xml").contains("quotePrefix=\"1\""));
    }

    /// The workbook a meeting gets: lists as on screen, a 说明 sheet, autofilter, a frozen
    /// header, long text wrapped, and A4 landscape one page wide with the header row repeated.
    #[test]
    fn a_workbook_is_filtered_frozen_wrapped_explained_and_set_up_for_print() {
        use calamine::{Data, Reader, Xlsx, open_workbook};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.xlsx");
        let mut t = sample();
        t.rows[0][2] = Value::text("很长的理由".repeat(20));
        t.notes.push("无营收的 1 家按中位数计".into());
        write_table(&t, &p, "锂电池 玉溪高新区", &about()).unwrap();
        let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
        assert_eq!(wb.sheet_names(), ["锂电池 玉溪高新区", "说明"]);
        let info = wb.worksheet_range("说明").unwrap();
        let cells: Vec<String> = info.cells().map(|(_, _, v)| v.to_string()).collect();
        for want in [
            "锂电池 · 玉溪高新区 招商目标企业清单",
            "fill 锂电池 in 玉溪高新区 | targets",
            "seed-1 （第 3 代）",
            "规模 revenue = 1",
            "无营收的 1 家按中位数计",
            "生成日期",
        ] {
            assert!(cells.iter().any(|c| c == want), "{want} not in {cells:?}");
        }
        let range = wb.worksheet_range("锂电池 玉溪高新区").unwrap();
        assert_eq!(range.get_value((0, 2)), Some(&Data::String("备注".into())));
        let sheet = part(&p, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"<autoFilter ref="A1:C3"/>"#), "{sheet}");
        assert!(sheet.contains(r#"ySplit="1""#) && sheet.contains(r#"state="frozen""#));
        assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{sheet}");
        assert!(
            sheet.contains(r#"paperSize="9""#)
                && sheet.contains(r#"fitToHeight="0""#)
                && sheet.contains(r#"orientation="landscape""#),
            "{sheet}"
        );
        assert!(!sheet.contains("fitToWidth=\"0\""), "{sheet}");
        let book = part(&p, "xl/workbook.xml");
        assert!(
            book.contains("_xlnm.Print_Titles") && book.contains("$1:$1"),
            "{book}"
        );
        let styles = part(&p, "xl/styles.xml");
        assert!(styles.contains(r#"wrapText="1""#), "{styles}");
        // The lists column: 、 as on screen.
        let strings = part(&p, "xl/sharedStrings.xml");
        assert!(strings.contains("上市、链主"), "{strings}");
    }
}
