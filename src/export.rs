//! Writing a query result to a file for meetings and spreadsheets: .xlsx, .csv (UTF-8 with BOM,
//! so Excel reads Chinese correctly), .md and .json — chosen by the file's extension. Text cells
//! that start with `=`, `+`, `-` or `@` are never evaluated as formulas: in .csv they get a
//! leading `'`; in .xlsx they are string cells marked "quote prefix", so the text stays exactly
//! as it was and Excel keeps it text even when the cell is edited.

use crate::report::{Table, Value};
use std::path::Path;
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
    pub fn from_path(path: &Path) -> Result<ExportFormat, String> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "xlsx" => Ok(ExportFormat::Xlsx),
            "csv" => Ok(ExportFormat::Csv),
            "md" | "markdown" => Ok(ExportFormat::Markdown),
            "json" => Ok(ExportFormat::Json),
            _ => Err(format!(
                "cannot tell the format of `{}`: use a file name ending in .xlsx, .csv, .md or .json",
                path.display()
            )),
        }
    }
}

/// Text as it should appear in a spreadsheet cell: formula-looking text gets a leading `'`.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Write `table` to `path` in the format its extension names.
pub fn write_table(table: &Table, path: &Path, sheet: &str) -> Result<(), String> {
    let format = ExportFormat::from_path(path)?;
    let fail = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", path.display());
    match format {
        ExportFormat::Json => std::fs::write(path, table.to_json()).map_err(|e| fail(&e)),
        ExportFormat::Markdown => std::fs::write(path, to_markdown(table)).map_err(|e| fail(&e)),
        ExportFormat::Csv => {
            std::fs::write(path, to_excel_csv(table).map_err(|e| fail(&e))?).map_err(|e| fail(&e))
        }
        ExportFormat::Xlsx => write_xlsx_sheets(&[(sheet.to_string(), table)], path),
    }
}

/// CSV for Excel: UTF-8 with BOM, CRLF line ends, formula-looking text neutralised.
pub fn to_excel_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(table.headers().iter().map(|c| neutralise(c)))?;
    for row in &table.rows {
        w.write_record(row.iter().enumerate().map(|(j, v)| match v {
            Value::Int(_) | Value::Float(_) | Value::Null => v.cell(),
            _ => neutralise(&table.shown(j, v).cell()),
        }))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A GitHub-style Markdown table (pipes escaped).
pub fn to_markdown(table: &Table) -> String {
    let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::new();
    out.push_str(&format!(
        "| {} |\n",
        table
            .headers()
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
                .map(|(j, v)| esc(&table.shown(j, v).cell()))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    out
}

/// Write an .xlsx workbook with one sheet per (name, table): bold frozen header row, column
/// widths measured in display width (CJK counts double), formula-looking text kept as text.
/// Sheet names are cut to Excel's 31 characters without `[]:*?/\` and made unique.
pub fn write_xlsx_sheets(sheets: &[(String, &Table)], path: &Path) -> Result<(), String> {
    write_workbook(sheets, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn write_workbook(
    sheets: &[(String, &Table)],
    path: &Path,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let bold_text = Format::new().set_bold().set_quote_prefix();
    let text_only = Format::new().set_quote_prefix();
    let looks_like_formula = |s: &str| neutralise(s).len() != s.len();
    let mut used: Vec<String> = Vec::new();
    for (sheet, table) in sheets {
        // One line: runs of whitespace (line breaks of a multi-line statement) become a space.
        let mut name: String = sheet
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c) && !c.is_control())
            .take(28)
            .collect();
        if name.is_empty() {
            name = "result".into();
        }
        let base = name.clone();
        let mut n = 2;
        while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
            name = format!("{base}-{n}");
            n += 1;
        }
        used.push(name.clone());
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        let headers = table.headers();
        let mut widths: Vec<f64> = headers
            .iter()
            .map(|c| UnicodeWidthStr::width(c.as_str()) as f64)
            .collect();
        for (j, c) in headers.iter().enumerate() {
            let format = if looks_like_formula(c) {
                &bold_text
            } else {
                &bold
            };
            ws.write_string_with_format(0, j as u16, c, format)?;
        }
        for (i, row) in table.rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (j, v) in row.iter().enumerate() {
                let c = j as u16;
                match v {
                    Value::Null => {}
                    Value::Int(n) => {
                        ws.write_number(r, c, *n as f64)?;
                    }
                    Value::Float(f) => {
                        ws.write_number(r, c, *f)?;
                    }
                    v => {
                        let text = table.shown(j, v).cell();
                        if let Some(w) = widths.get_mut(j) {
                            *w = w.max(UnicodeWidthStr::width(text.as_str()) as f64);
                        }
                        if looks_like_formula(&text) {
                            ws.write_string_with_format(r, c, text, &text_only)?;
                        } else {
                            ws.write_string(r, c, text)?;
                        }
                    }
                }
            }
        }
        for (j, w) in widths.iter().enumerate() {
            ws.set_column_width(j as u16, (w + 2.0).min(80.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
    }
    wb.save(path)
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
    fn markdown_escapes_pipes() {
        let mut t = Table::new(&["a"]);
        t.rows.push(vec![Value::text("x|y")]);
        assert_eq!(to_markdown(&t), "| a |\n|---|\n| x\\|y |\n");
    }

    #[test]
    fn xlsx_is_a_zip_with_a_sheet() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.xlsx");
        write_table(&sample(), &p, "补链 锂电池").unwrap();
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(ExportFormat::from_path(Path::new("x.docx")).is_err());
    }

    /// In .xlsx a formula-looking text is a string cell with its text unchanged (no visible
    /// `'`), marked quote-prefix so Excel never turns it into a formula.
    #[test]
    fn xlsx_keeps_formula_looking_text_as_text_without_an_apostrophe() {
        use calamine::{Data, Reader, Xlsx, open_workbook};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.xlsx");
        write_table(&sample(), &p, "s").unwrap();
        let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
        let range = wb.worksheet_range("s").unwrap();
        assert_eq!(
            range.get_value((1, 0)),
            Some(&Data::String("=HYPERLINK(\"x\")".into()))
        );
        assert_eq!(range.get_value((2, 1)), Some(&Data::Float(-2.0)));
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&p).unwrap()).unwrap();
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles)
            .unwrap();
        assert!(styles.contains("quotePrefix=\"1\""), "{styles}");
    }
}
