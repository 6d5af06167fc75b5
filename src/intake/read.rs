//! Reading an export: CSV (any encoding `data::text` reads) or a workbook through calamine,
//! into numbered rows, empty lines and rows kept so that `intake` counts and reports them.

use super::IntakeError;
use crate::data::{self, Encoding};
use crate::names;
use std::path::Path;

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
pub fn read_rows(
    path: &Path,
    sheet: Option<&str>,
    encoding: Encoding,
) -> Result<Rows, IntakeError> {
    let shown = path.display();
    if is_sheet(path) {
        return read_workbook(path, sheet);
    }
    if sheet.is_some() {
        return Err(crate::msg!(
            "{shown}：--sheet 只用于 .xlsx 文件",
            "{shown}: --sheet applies to .xlsx files only"
        )
        .into());
    }
    let bytes = std::fs::read(path)
        .map_err(|e| crate::msg!("无法读取 {shown}：{e}", "cannot read {shown}: {e}"))?;
    // `check` refuses a CSV file with NUL bytes (binary, or UTF-16), so a NUL taken into a
    // cell made intake refuse its own candidates file as an internal error.
    if bytes.contains(&0) {
        let why = data::text::not_text(&bytes, "CSV");
        return Err(crate::msg!("{shown}：{why}", "{shown}: {why}").into());
    }
    let text = data::text::decode(&bytes, encoding)
        .map_err(|e| crate::msg!("{shown}：{e}", "{shown}: {e}"))?;
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
pub fn other_sheets_hint(path: &Path) -> String {
    use calamine::Reader;
    let Ok(wb) = calamine::open_workbook_auto(path) else {
        return String::new();
    };
    match wb.sheet_names().as_slice() {
        [first, _, ..] => {
            let all = wb.sheet_names().join(", ");
            crate::msg!(
                "；只读了第一张工作表 `{first}`：用 --sheet 名称 选另一张（工作表：{all}）",
                "; only the first sheet, `{first}`, was read: choose another with --sheet NAME (sheets: {all})"
            )
        }
        _ => String::new(),
    }
}

fn read_workbook(path: &Path, sheet: Option<&str>) -> Result<Rows, IntakeError> {
    use calamine::Reader;
    let shown = path.display();
    let mut wb = calamine::open_workbook_auto(path)
        .map_err(|e| crate::msg!("无法读取 {shown}：{e}", "cannot read {shown}: {e}"))?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(s) => {
            let lang = crate::lang::messages();
            let dym = names::did_you_mean_in(
                &names::suggest(s, names.iter().map(String::as_str), 1),
                lang,
            );
            let all = names.join(", ");
            return Err(crate::tr!(
                lang,
                "{shown}：没有名为 `{s}` 的工作表{dym}（工作表：{all}）",
                "{shown}: no sheet named `{s}`{dym} (sheets: {all})"
            )
            .into());
        }
        None => names.first().cloned().ok_or_else(|| {
            crate::msg!(
                "{shown}：工作簿里没有工作表",
                "{shown}: the workbook has no sheets"
            )
        })?,
    };
    let range = wb.worksheet_range(&name).map_err(|e| {
        crate::msg!(
            "{shown}：无法读取工作表 `{name}`：{e}",
            "{shown}: cannot read sheet `{name}`: {e}"
        )
    })?;
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
