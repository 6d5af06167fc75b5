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
    if body.starts_with(b"\xEF\xBB\xBF") {
        // Saved twice with a byte-order mark: the second would become part of the first
        // column's name.
        return Err(
            "the file starts with two byte-order marks (EF BB BF twice): save it again as UTF-8 with one, or without".into(),
        );
    }
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

/// `decode` for bytes that are no longer needed: UTF-8 becomes the text without a copy. On
/// failure, the message and the bytes.
pub fn decode_vec(mut bytes: Vec<u8>, encoding: Encoding) -> Result<String, (String, Vec<u8>)> {
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &bytes[3..] } else { &bytes[..] };
    // `decode` refuses a second byte-order mark; so does the copy-free path.
    if encoding != Encoding::Gbk
        && !body.starts_with(b"\xEF\xBB\xBF")
        && std::str::from_utf8(body).is_ok()
    {
        if bom {
            bytes.drain(..3);
        }
        return String::from_utf8(bytes).map_err(|e| {
            let bytes = e.into_bytes();
            (decode(&bytes, encoding).err().unwrap_or_default(), bytes)
        });
    }
    decode(&bytes, encoding).map_err(|m| (m, bytes))
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

/// One parsed CSV record: its 1-based line and each cell with its 1-based character column
/// (on its own line: `line_of`).
#[derive(Debug)]
pub struct Record {
    pub line: u32,
    pub cells: Vec<(String, u32)>,
    /// Per cell, the line breaks (inside quoted cells) before it in the record.
    breaks: Vec<u32>,
}

impl Record {
    /// The line cell `i` starts on: the record's line, or a later one after a quoted cell that
    /// runs over a line end.
    pub fn line_of(&self, i: usize) -> u32 {
        self.line + self.breaks.get(i).copied().unwrap_or(0)
    }
}

/// A problem that makes CSV text unreadable as a whole, at the position where it starts (the
/// opening quote of a cell that swallowed what follows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// Where a quoted cell may run over line ends. A cell that swallows lines which read as
/// records of the file, or whose quote is never closed, is an error in any column.
#[derive(Clone, Copy, Debug)]
pub enum LineBreaks<'a> {
    /// In the columns (named by the header, the first record) listed; nowhere else, not in
    /// the header itself.
    In(&'a [&'a str]),
    /// In any cell (the first record is not necessarily a header, as in platform exports).
    Anywhere,
}

/// The hint that ends every unclosed-quote message.
const CLOSE_IT: &str = "close it or double it (\"\")";

/// Parse CSV text into records (the header is the first record).
///
/// A quoted cell must be closed, must not swallow lines that read as records of the file (as
/// many cells as the widest common record: the header's, with `LineBreaks::In`), and may run
/// over line ends only where `breaks` allows. Otherwise the text is refused at the opening
/// quote: the records after an unclosed quote would silently become part of one cell.
pub fn parse_csv(text: &str, breaks: LineBreaks) -> Result<Vec<Record>, CsvError> {
    Ok(csv_records(text, breaks)?.collect())
}

/// The records of CSV text one at a time, as `parse_csv` gives them, after the whole text was
/// checked as `parse_csv` checks it: a first pass reads every record but keeps only the header's
/// cells and each record's cell count, so a large file never has all its cells in memory.
pub fn csv_records<'a>(text: &'a str, breaks: LineBreaks) -> Result<Records<'a>, CsvError> {
    let left = check_csv(text, breaks)?;
    Ok(Records {
        raw: RawRecords::new(text),
        left,
    })
}

/// The records of checked CSV text (`csv_records`); `len()` is how many are left.
pub struct Records<'a> {
    raw: RawRecords<'a>,
    left: usize,
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        // The text was read once already without an error, so none can come now.
        while let Some(Ok(raw)) = self.raw.next() {
            let (line, fields, agrees) = raw;
            let record = &self.raw.record;
            let cells = record
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let col = fields.get(i).filter(|_| agrees).map_or(1, |f| f.col);
                    (cell.to_string(), col)
                })
                .collect::<Vec<_>>();
            let breaks = match agrees {
                true => fields.iter().map(|f| f.breaks).collect(),
                false => Vec::new(),
            };
            // csv yields one empty cell for a blank line; skip those silently.
            if cells.len() == 1 && cells[0].0.trim().is_empty() {
                continue;
            }
            self.left = self.left.saturating_sub(1);
            return Some(Record {
                line,
                cells,
                breaks,
            });
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Records<'_> {}

/// The records as csv reads them, each with its line and its fields as written (`scan_record`)
/// and whether the two agree; the record's cells are in `record` until the next call.
struct RawRecords<'a> {
    text: &'a str,
    reader: csv::Reader<&'a [u8]>,
    record: csv::StringRecord,
    // Lines are counted from byte offsets: with CRLF line ends csv reports a record as starting
    // at the `\n` that ends the previous one (and one line too early).
    seen_byte: usize,
    seen_line: u32,
}

type Raw = (u32, Vec<FieldScan>, bool);

impl<'a> RawRecords<'a> {
    fn new(text: &'a str) -> RawRecords<'a> {
        RawRecords {
            text,
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes()),
            record: csv::StringRecord::new(),
            seen_byte: 0,
            seen_line: 1,
        }
    }

    fn next(&mut self) -> Option<Result<Raw, CsvError>> {
        let text = self.text;
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                return Some(Err(CsvError {
                    line: e.position().map_or(1, |p| p.line() as u32),
                    col: 1,
                    message: format!("CSV syntax: {e}"),
                }));
            }
        }
        let mut byte = self.record.position().map_or(0, |p| p.byte() as usize);
        while matches!(text.as_bytes().get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        let byte = byte.min(text.len()).max(self.seen_byte);
        self.seen_line += text.as_bytes()[self.seen_byte..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        self.seen_byte = byte;
        let fields = scan_record(text, byte);
        // The scan follows csv's rules; should it ever disagree, columns fall back to 1 and
        // the quotes are not checked, rather than misreport.
        let agrees = fields.len() == self.record.len();
        Some(Ok((self.seen_line, fields, agrees)))
    }
}

/// Check CSV text as `parse_csv` does (see there) and count its records.
fn check_csv(text: &str, breaks: LineBreaks) -> Result<usize, CsvError> {
    let mut raw = RawRecords::new(text);
    // The header's cells, and how many records have each cell count.
    let mut header: Option<Vec<String>> = None;
    let mut widths: std::collections::BTreeMap<usize, usize> = Default::default();
    let mut kept = 0usize;
    // Quoted cells that span lines, checked once the records (and so the header) are known:
    // (record index, cell index, opening quote's byte, closing quote's byte, whether text
    // follows the closing quote, the record's cell count).
    type Span = (usize, usize, usize, usize, bool, usize);
    let mut spanning: Vec<Span> = Vec::new();
    while let Some(next) = raw.next() {
        let (_, fields, agrees) = next?;
        let record = &raw.record;
        let mut spans = Vec::new();
        for (i, f) in fields.iter().enumerate().filter(|_| agrees) {
            match f.quote {
                Some((open, None)) => {
                    let (line, col) = line_col(text, open);
                    let last = line_col(text, text.len()).0;
                    let last = if text.ends_with('\n') { last - 1 } else { last };
                    return Err(CsvError {
                        line,
                        col,
                        message: format!(
                            "a quote opened here is never closed: the rest of the file (to line \
                             {last}) would be read as this one cell; {CLOSE_IT}"
                        ),
                    });
                }
                Some((open, Some(close))) if text[open..close].contains(['\n', '\r']) => {
                    spans.push((kept, i, open, close, f.junk, record.len()));
                }
                _ => {}
            }
        }
        // csv yields one empty cell for a blank line; skip those silently.
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        spanning.extend(spans);
        if header.is_none() {
            header = Some(record.iter().map(str::to_string).collect());
        }
        *widths.entry(record.len()).or_default() += 1;
        kept += 1;
    }
    if spanning.is_empty() {
        return Ok(kept);
    }
    let header = header.unwrap_or_default();
    let width = match breaks {
        LineBreaks::In(_) => header.len(),
        LineBreaks::Anywhere => common_width(&widths),
    };
    for (rec, cell, open, close, junk, cells) in spanning {
        let (line, col) = line_col(text, open);
        let last = line_col(text, close).0;
        let rows: Vec<u32> = inner_lines(text, open, close)
            .filter(|(_, l)| width >= 2 && cell_count(l) >= width)
            .map(|(n, _)| n)
            .collect();
        if let (Some(first), Some(end)) = (rows.first(), rows.last()) {
            let which = if first == end {
                format!("line {first} reads as a row")
            } else {
                format!("lines {first}–{end} ({} of them) read as rows", rows.len())
            };
            return Err(CsvError {
                line,
                col,
                message: format!(
                    "a quote opened here is not closed where its cell ends: the cell runs to \
                     line {last}, and {which} of this file ({width} cells); {CLOSE_IT}"
                ),
            });
        }
        let LineBreaks::In(allowed) = breaks else {
            continue;
        };
        // A cell that may run over lines, "closed" by a quote with text after it: the quote
        // that closed it opened a cell of a later row.
        if junk {
            return Err(CsvError {
                line,
                col,
                message: format!(
                    "a quote opened here is not closed where its cell ends: the cell runs to \
                     line {last}, where text follows the quote that closes it (its row has \
                     {cells} cells, the header {width}); {CLOSE_IT}"
                ),
            });
        }
        let name = (rec > 0)
            .then(|| header.get(cell))
            .flatten()
            .map(|c| c.trim());
        if name.is_some_and(|n| allowed.contains(&n)) {
            continue;
        }
        let what = match name {
            Some(n) => format!("`{n}` cell"),
            None if rec == 0 => "header cell".to_string(),
            None => "cell (beyond the header's columns)".to_string(),
        };
        let only = match allowed {
            [] => "no cell may hold line breaks".to_string(),
            [one] => format!("only `{one}` may hold line breaks"),
            more => format!("only {} may hold line breaks", more.join(", ")),
        };
        return Err(CsvError {
            line,
            col,
            message: format!(
                "a quote opened here is not closed where its cell ends: the cell runs over a \
                 line end (to line {last}), but a {what} is one line ({only}); {CLOSE_IT}"
            ),
        });
    }
    Ok(kept)
}

/// The number of cells most records have (the smallest of equally common ones), for text
/// whose header is not known; `widths` counts the records of each cell count.
fn common_width(widths: &std::collections::BTreeMap<usize, usize>) -> usize {
    widths
        .iter()
        .max_by_key(|(w, n)| (**n, std::cmp::Reverse(**w)))
        .map_or(0, |(w, _)| *w)
}

/// The lines a quoted cell holds after its first, with their 1-based numbers: whole lines,
/// and the start of the line the cell closes on, up to the closing quote.
fn inner_lines(text: &str, open: usize, close: usize) -> impl Iterator<Item = (u32, &str)> {
    let first = line_col(text, open).0;
    let body = text.get(open..close).unwrap_or("");
    body.split('\n')
        .enumerate()
        .skip(1)
        .map(move |(i, l)| (first + i as u32, l.trim_end_matches('\r')))
}

/// How many cells one line holds read as a CSV record on its own.
fn cell_count(line: &str) -> usize {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map_or(0, |r| r.len())
}

/// One field of a record as written: where it starts (1-based character column) and, for a
/// quoted field, the byte of its opening quote and of its closing one (`None`: never closed).
#[derive(Debug)]
struct FieldScan {
    col: u32,
    /// Line breaks (inside quotes) in the record before the field.
    breaks: u32,
    /// Text follows the closing quote (`"a"b`, read as `ab`).
    junk: bool,
    quote: Option<(usize, Option<usize>)>,
}

/// The fields of the record that starts at byte `start`, read by the rules the csv crate
/// reads by (csv-core's defaults): a quote opens a quoted field only at the start of a field
/// and is data elsewhere; `""` in a quoted field is a quote; after the closing quote the field
/// goes on unquoted up to `,` or a line end; line ends inside quotes are data.
fn scan_record(text: &str, start: usize) -> Vec<FieldScan> {
    enum State {
        Start,
        Plain,
        Quoted,
        AfterQuote,
    }
    let mut fields = vec![FieldScan {
        col: 1,
        breaks: 0,
        junk: false,
        quote: None,
    }];
    let mut col = 1u32;
    let mut breaks = 0u32;
    let mut state = State::Start;
    let rest = text.get(start..).unwrap_or("");
    for (i, c) in rest.char_indices() {
        let at = start + i;
        col += 1;
        let field = fields.len() - 1;
        match (&state, c) {
            (State::Quoted, '"') => {
                state = State::AfterQuote;
                if let Some((_, close)) = &mut fields[field].quote {
                    *close = Some(at);
                }
            }
            (State::Quoted, '\n') => {
                col = 1;
                breaks += 1;
            }
            (State::Quoted, _) => {}
            (State::AfterQuote, '"') => {
                // `""`: a quote inside the cell, which goes on.
                state = State::Quoted;
                if let Some((_, close)) = &mut fields[field].quote {
                    *close = None;
                }
            }
            (_, ',') => {
                fields.push(FieldScan {
                    col,
                    breaks,
                    junk: false,
                    quote: None,
                });
                state = State::Start;
            }
            (_, '\n' | '\r') => break,
            (State::Start, '"') => {
                fields[field].quote = Some((at, None));
                state = State::Quoted;
            }
            (State::AfterQuote, _) => {
                fields[field].junk = true;
                state = State::Plain;
            }
            _ => state = State::Plain,
        }
    }
    fields
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
    fn decode_vec_reads_as_decode_does() {
        for (bytes, enc) in [
            (&b"\xEF\xBB\xBFid,x"[..], Encoding::Auto),
            (b"id,x", Encoding::Utf8),
            (b"\xD3\xF1\xCF\xAA", Encoding::Auto),
            (b"\xD3\xF1\xCF\xAA", Encoding::Utf8),
            (b"id", Encoding::Gbk),
            (b"\xEF\xBB\xBF\xff", Encoding::Auto),
        ] {
            let got = decode_vec(bytes.to_vec(), enc);
            match decode(bytes, enc) {
                Ok(t) => assert_eq!(got, Ok(t)),
                Err(m) => assert_eq!(got, Err((m, bytes.to_vec()))),
            }
        }
    }

    #[test]
    fn records_one_at_a_time_count_what_is_left() {
        let text = "id,notes\n\na,\"x\ny\"\nb,z\n";
        let mut recs = csv_records(text, LineBreaks::In(&["notes"])).unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs.next().map(|r| r.line), Some(1));
        assert_eq!(recs.len(), 2);
        let a = recs.next().unwrap();
        assert_eq!((a.line, a.cells[1].0.as_str()), (3, "x\ny"));
        let b = recs.next().unwrap();
        assert_eq!((b.line, b.line_of(1), b.cells[1].1), (5, 5, 3));
        assert!(recs.next().is_none());
        assert_eq!(recs.len(), 0);
    }

    #[test]
    fn utf8_read_as_gbk_is_named_as_utf8() {
        let err = decode("名称,玉溪高新区\n".as_bytes(), Encoding::Gbk).unwrap_err();
        assert!(err.contains("valid UTF-8: drop --encoding gbk"), "{err}");
    }

    #[test]
    fn cells_know_their_character_columns() {
        let text = "id,name\n正极材料,\"a,b\",x\n";
        let recs = parse_csv(text, NOTES).unwrap();
        assert_eq!(recs[1].line, 2);
        let cols: Vec<u32> = recs[1].cells.iter().map(|c| c.1).collect();
        // 正极材料 is four characters: the second cell starts at column 6.
        assert_eq!(cols, vec![1, 6, 12]);
        assert_eq!(recs[1].cells[1].0, "a,b");
    }

    #[test]
    fn crlf_lines_and_columns() {
        let recs = parse_csv("a b\r\nid,name\r\n\r\n正极材料,x\r\n", NOTES).unwrap();
        let lines: Vec<u32> = recs.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 4]);
        let cols: Vec<u32> = recs[2].cells.iter().map(|c| c.1).collect();
        assert_eq!(cols, vec![1, 6]);
    }

    const NOTES: LineBreaks = LineBreaks::In(&["notes"]);

    #[test]
    fn scanned_columns_follow_csvs_quote_rules() {
        // A quote inside an unquoted cell is data (it used to toggle quoting: later columns
        // were off), `""` inside quotes is a quote, text after a closing quote stays in the
        // cell, and columns are characters.
        let text = "a,b,c,d\n5\"寸,\"x\"\"y\",\"q\"r,末\n";
        let recs = parse_csv(text, NOTES).unwrap();
        let cells: Vec<(&str, u32)> = recs[1]
            .cells
            .iter()
            .map(|(c, n)| (c.as_str(), *n))
            .collect();
        assert_eq!(
            cells,
            vec![("5\"寸", 1), ("x\"y", 5), ("qr", 12), ("末", 17)]
        );
    }

    #[test]
    fn a_quote_never_closed_is_an_error_at_the_quote() {
        // Before: the rest of the file became the last cell of line 2, and no problem was said.
        let text = "id,name,source\nA,甲,\"s1\nB,乙,s2\nC,丙,s3\n";
        let err = parse_csv(text, NOTES).unwrap_err();
        assert_eq!((err.line, err.col), (2, 5), "{err:?}");
        assert!(
            err.message
                .starts_with("a quote opened here is never closed"),
            "{err:?}"
        );
        assert!(err.message.contains("to line 4"), "{err:?}");
        assert!(
            err.message.ends_with("close it or double it (\"\")"),
            "{err:?}"
        );
        // The same in the only column that may hold line breaks, and in an export (`Anywhere`).
        let text = "id,source,notes\nA,s,\"n1\nB,s,n2\n";
        assert_eq!(parse_csv(text, NOTES).unwrap_err().line, 2);
        assert_eq!(parse_csv(text, LineBreaks::Anywhere).unwrap_err().line, 2);
        // At the very end of a file without a final line break.
        let err = parse_csv("id,source\nA,\"s", NOTES).unwrap_err();
        assert_eq!((err.line, err.col), (2, 3));
    }

    #[test]
    fn a_quoted_cell_that_swallows_records_is_an_error_even_where_line_breaks_are_allowed() {
        // The quote opened in `notes` of line 2 is closed by the quoted cell of line 5: lines
        // 3 and 4 are whole records of the file, and line 5 up to that quote starts one.
        let text = "id,source,notes\nA,s,\"n1\nB,s,n2\nC,s,n3\nD,s,\"x\"\n";
        let err = parse_csv(text, NOTES).unwrap_err();
        assert_eq!((err.line, err.col), (2, 5), "{err:?}");
        assert!(
            err.message.contains(
                "runs to line 5, and lines 3–5 (3 of them) read as rows of this file (3 cells)"
            ),
            "{err:?}"
        );
        // An export's header is not its first line: the common width counts.
        let text = "title\nid,source,notes\nA,s,\"n1\nB,s,n2\nC,s,\"x\"\nE,s,n\nF,s,n\n";
        let err = parse_csv(text, LineBreaks::Anywhere).unwrap_err();
        assert_eq!((err.line, err.col), (3, 5), "{err:?}");
        assert!(
            err.message.contains("lines 4–5 (2 of them) read as rows"),
            "{err:?}"
        );
        let text = "id,source,notes\nA,s,\"n1\nB,s,\"x\"\n";
        let err = parse_csv(text, NOTES).unwrap_err();
        assert!(
            err.message
                .contains("runs to line 3, and line 3 reads as a row of this file (3 cells)"),
            "{err:?}"
        );
    }

    #[test]
    fn a_multi_line_cell_closed_by_a_quote_with_text_after_it_is_an_error_at_its_quote() {
        // The note's quote is left open; the quote that opens the next row's source closes it,
        // and the rest of that row runs on: 甲's row has 6 cells, and 乙 is gone.
        let text = "id,name,source,notes\n甲,a,s,\"n1\n乙,b,\"s, 2\",n2\n";
        let err = parse_csv(text, NOTES).unwrap_err();
        assert_eq!((err.line, err.col), (2, 7), "{err:?}");
        assert!(
            err.message.contains(
                "the cell runs to line 3, where text follows the quote that closes it (its row has 6 cells, the header 4)"
            ),
            "{err:?}"
        );
        // On one line the same is read as csv reads it (`"q"r` is `qr`).
        assert_eq!(
            parse_csv("a,b\n\"q\"r,x\n", NOTES).unwrap()[1].cells[0].0,
            "qr"
        );
    }

    #[test]
    fn cells_after_a_multi_line_note_are_on_its_last_line() {
        let text = "id,notes,source\nA,\"一\n二\n三\",s\nB,,t\n";
        let recs = parse_csv(text, NOTES).unwrap();
        let at: Vec<(u32, u32)> = (0..3)
            .map(|i| (recs[1].line_of(i), recs[1].cells[i].1))
            .collect();
        assert_eq!(at, vec![(2, 1), (2, 3), (4, 4)]);
        assert_eq!(recs[2].line_of(0), 5);
    }

    #[test]
    fn line_breaks_are_allowed_only_in_the_columns_named() {
        // A note written over two lines is fine, with CRLF too, and later columns and lines
        // are still right.
        for eol in ["\n", "\r\n"] {
            let text = format!("id,notes,source{eol}A,\"第一行{eol}第二行，附注\",s{eol}B,,t{eol}");
            let recs = parse_csv(&text, NOTES).unwrap();
            assert_eq!(recs[1].cells[1].0, format!("第一行{eol}第二行，附注"));
            assert_eq!(recs[1].cells[2], ("s".to_string(), 9));
            assert_eq!(recs[2].line, 4);
        }
        // The same break in `source`, in the header, and past the header's columns.
        let err = parse_csv("id,source\nA,\"s1\ns2\"\n", NOTES).unwrap_err();
        assert_eq!((err.line, err.col), (2, 3));
        assert!(
            err.message.contains(
                "(to line 3), but a `source` cell is one line (only `notes` may hold line breaks)"
            ),
            "{err:?}"
        );
        let err = parse_csv("id,\"so\nurce\"\nA,s\n", NOTES).unwrap_err();
        assert!(err.message.contains("a header cell is one line"), "{err:?}");
        let err = parse_csv("id,notes\nA,n,\"x\ny\"\n", NOTES).unwrap_err();
        assert_eq!((err.line, err.col), (2, 5));
        assert!(
            err.message.contains("beyond the header's columns"),
            "{err:?}"
        );
        // An export may break lines in any cell.
        let recs = parse_csv("名称,经营范围\n甲,\"a\nb\"\n", LineBreaks::Anywhere).unwrap();
        assert_eq!(recs[1].cells[1].0, "a\nb");
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
