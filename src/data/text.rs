//! Decoding data files (UTF-8, UTF-8 with BOM, GBK) and CSV parsing that keeps the line and
//! character column of every cell, so problems can be reported as `file:line:column`.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// The text encoding of CSV input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (a BOM is skipped); if the bytes are not UTF-8, GBK.
    #[default]
    Auto,
    Utf8,
    Gbk,
}

impl FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb2312" | "gb18030" => Ok(Encoding::Gbk),
            other => Err(format!(
                "unknown encoding `{other}` (expected auto, utf-8 or gbk)"
            )),
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Gbk => "gbk",
        })
    }
}

/// Decode file bytes. Errors are messages without a position (the caller adds the file).
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let gbk = |b: &[u8]| {
        encoding_rs::GBK
            .decode_without_bom_handling_and_without_replacement(b)
            .map(|s| s.into_owned())
            .ok_or_else(|| "the file is neither valid UTF-8 nor valid GBK".to_string())
    };
    match encoding {
        Encoding::Utf8 => match std::str::from_utf8(body) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => Err(format!(
                "the file is not valid UTF-8 (first bad byte at offset {}); if it was saved by \
                 Excel in Chinese Windows, try --encoding gbk",
                e.valid_up_to() + (bytes.len() - body.len())
            )),
        },
        Encoding::Gbk => gbk(body).map_err(|e| {
            // Chinese UTF-8 is rarely valid GBK: the usual cause is a UTF-8 file.
            if std::str::from_utf8(body).is_ok() {
                "the file is not valid GBK, but it is valid UTF-8: drop --encoding gbk (or use --encoding auto)".to_string()
            } else {
                e
            }
        }),
        Encoding::Auto => match std::str::from_utf8(body) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => gbk(body),
        },
    }
}

/// Why bytes that hold NUL bytes are not a text file (`what`: CSV, TOML): binary data, or text
/// in UTF-16 (which `decode` does not read).
pub fn not_text(bytes: &[u8], what: &str) -> String {
    let hint = if utf16(bytes).is_some() {
        " (it is UTF-16 text: save it as UTF-8, e.g. Excel's \"CSV UTF-8\")"
    } else {
        ""
    };
    format!("not a text ({what}) file: it holds NUL bytes{hint}")
}

/// The text of UTF-16 bytes with a byte-order mark.
fn utf16(bytes: &[u8]) -> Option<String> {
    let encoding = match bytes {
        [0xFF, 0xFE, ..] => encoding_rs::UTF_16LE,
        [0xFE, 0xFF, ..] => encoding_rs::UTF_16BE,
        _ => return None,
    };
    let (text, _) = encoding.decode_with_bom_removal(bytes);
    Some(text.into_owned())
}

/// The words of a file that could not be read properly, to tell whether a name may be defined
/// in it: its text (UTF-16 with a byte-order mark, else UTF-8, else GBK, else UTF-8 with
/// replacement characters) split at CSV and TOML punctuation (`,` `;` `；` quotes `=`
/// brackets, line ends) and NUL, trimmed; exact and normalized (`names::normalize`).
pub fn words(bytes: &[u8]) -> (HashSet<String>, HashSet<String>) {
    let text = utf16(bytes)
        .or_else(|| decode(bytes, Encoding::Auto).ok())
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned());
    let exact: HashSet<String> = text
        .split([
            ',', ';', '；', '"', '\'', '=', '[', ']', '\n', '\r', '\t', '\0',
        ])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let normalized = exact.iter().map(|w| crate::names::normalize(w)).collect();
    (exact, normalized)
}

/// One parsed CSV record: its 1-based line and each cell with its 1-based character column.
#[derive(Debug)]
pub struct Record {
    pub line: u32,
    pub cells: Vec<(String, u32)>,
}

/// Parse CSV text into records (the header is the first record).
pub fn parse_csv(text: &str) -> Result<Vec<Record>, (u32, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    // Lines are counted from byte offsets: with CRLF line ends csv reports a record as starting
    // at the `\n` that ends the previous one (and one line too early).
    let (mut seen_byte, mut seen_line) = (0usize, 1u32);
    for result in reader.records() {
        let record = result.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as u32);
            (line, e.to_string())
        })?;
        let mut byte = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(text.as_bytes().get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        let byte = byte.min(text.len()).max(seen_byte);
        seen_line += text.as_bytes()[seen_byte..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        seen_byte = byte;
        let line = seen_line;
        let columns = field_columns(text, byte);
        let cells = record
            .iter()
            .enumerate()
            .map(|(i, cell)| (cell.to_string(), columns.get(i).copied().unwrap_or(1)))
            .collect::<Vec<_>>();
        // csv yields one empty cell for a blank line; skip those silently.
        if cells.len() == 1 && cells[0].0.trim().is_empty() {
            continue;
        }
        out.push(Record { line, cells });
    }
    Ok(out)
}

/// Character columns (1-based) where each field of the record starting at `start` begins.
fn field_columns(text: &str, start: usize) -> Vec<u32> {
    let mut cols = vec![1];
    let mut col = 1u32;
    let mut in_quotes = false;
    let rest = text.get(start..).unwrap_or("");
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        col += 1;
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                chars.next();
                col += 1;
            }
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => cols.push(col),
            '\n' if in_quotes => col = 1,
            '\n' | '\r' => break,
            _ => {}
        }
    }
    cols
}

/// Split a list cell on `;` or `；`, trimming items and dropping empty ones.
pub fn split_list(cell: &str) -> Vec<&str> {
    cell.split([';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// 1-based line and character column of a byte offset.
pub fn line_col(text: &str, byte: usize) -> (u32, u32) {
    let byte = byte.min(text.len());
    let before = text.get(..byte).unwrap_or(text);
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() as u32 + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_gbk() {
        assert_eq!(decode(b"\xEF\xBB\xBFid", Encoding::Auto).unwrap(), "id");
        let (gbk, _, _) = encoding_rs::GBK.encode("玉溪高新区");
        assert_eq!(decode(&gbk, Encoding::Auto).unwrap(), "玉溪高新区");
        assert!(
            decode(&gbk, Encoding::Utf8)
                .unwrap_err()
                .contains("--encoding gbk")
        );
    }

    #[test]
    fn utf8_read_as_gbk_is_named_as_utf8() {
        let err = decode("名称,玉溪高新区\n".as_bytes(), Encoding::Gbk).unwrap_err();
        assert!(err.contains("valid UTF-8: drop --encoding gbk"), "{err}");
    }

    #[test]
    fn cells_know_their_character_columns() {
        let text = "id,name\n正极材料,\"a,b\",x\n";
        let recs = parse_csv(text).unwrap();
        assert_eq!(recs[1].line, 2);
        let cols: Vec<u32> = recs[1].cells.iter().map(|c| c.1).collect();
        // 正极材料 is four characters: the second cell starts at column 6.
        assert_eq!(cols, vec![1, 6, 12]);
        assert_eq!(recs[1].cells[1].0, "a,b");
    }

    #[test]
    fn crlf_lines_and_columns() {
        let recs = parse_csv("a b\r\nid,name\r\n\r\n正极材料,x\r\n").unwrap();
        let lines: Vec<u32> = recs.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 4]);
        let cols: Vec<u32> = recs[2].cells.iter().map(|c| c.1).collect();
        assert_eq!(cols, vec![1, 6]);
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "a = 1\n名称 = x\n";
        assert_eq!(line_col(text, text.find('x').unwrap()), (2, 6));
    }

    #[test]
    fn lists_split_on_both_semicolons() {
        assert_eq!(split_list("a; b；;c "), vec!["a", "b", "c"]);
    }
}
