//! CSV parsing that keeps the line and character column of every cell, so problems can be
//! reported as `file:line:column`, and that tells a quote left open from a cell that may run
//! over lines; a UTF-8 file is parsed as it is read in blocks (`CsvText::File`), never held
//! whole. (Decoding bytes into text is `encoding`'s, re-exported here.)
//!
//! It stays one file of some 775 lines of code (and 375 of tests): the two readings of a file
//! (`check_csv`, then `Records`), the byte scan that finds the quotes csv's reader does not
//! report (`scan_record`) and the block reader under both (`Tee`) work on one shared view of
//! the bytes, and splitting them would only export their internals to each other.

pub use super::encoding::{Encoding, decode, decode_vec, not_text, words};
use std::io::{self, Read, Seek, SeekFrom};

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
/// `无法读取：why` / `cannot be read: why`, said after `file:line:column: ` of a file that
/// could not be read (from disk, or again).
pub(crate) fn cannot_be_read(why: &dyn std::fmt::Display) -> String {
    crate::msg!("无法读取：{why}", "cannot be read: {why}")
}

/// How to fix an open quote, said at the end of its message.
fn close_it() -> String {
    crate::msg!(
        "请闭合它，或写成两个引号（\"\"）",
        "close it or double it (\"\")"
    )
}

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
    records_of(
        &|| Ok(Box::new(text.as_bytes()) as Box<dyn Read + 'a>),
        breaks,
        READ_AHEAD,
    )
}

/// CSV text that can be read from its start more than once: decoded text in memory, or a
/// UTF-8 file on disk read in blocks as it is parsed (`utf8_file`), never held whole.
#[derive(Debug)]
pub enum CsvText {
    Text(String),
    /// Opened for each reading, so that a folder of many files holds no file open.
    File {
        path: std::path::PathBuf,
        /// The file starts with a byte-order mark, which is not part of the text.
        bom: bool,
    },
}

/// How many bytes of a file `utf8_file` reads at a time.
const BLOCK: usize = 1 << 20;

/// How many bytes csv reads ahead of what it has parsed, and how many parsed bytes are kept
/// before they are dropped (`Tee`).
const READ_AHEAD: usize = 1 << 18;

impl CsvText {
    /// The records, as `csv_records` gives them for the text.
    pub fn records(&self, breaks: LineBreaks) -> Result<Records<'_>, CsvError> {
        records_of(&|| self.reader(), breaks, READ_AHEAD)
    }

    /// The text's bytes from its start.
    fn reader(&self) -> io::Result<Box<dyn Read + '_>> {
        match self {
            CsvText::Text(t) => Ok(Box::new(t.as_bytes())),
            CsvText::File { path, bom } => {
                let mut f = std::fs::File::open(path)?;
                f.seek(SeekFrom::Start(if *bom { 3 } else { 0 }))?;
                Ok(Box::new(f))
            }
        }
    }

    /// All the bytes at once, for what needs a whole file (the words of one that cannot be
    /// read as CSV); `None` if the file can no longer be read.
    pub fn bytes(&self) -> Option<std::borrow::Cow<'_, [u8]>> {
        match self {
            CsvText::Text(t) => Some(t.as_bytes().into()),
            CsvText::File { .. } => {
                let mut all = Vec::new();
                self.reader().ok()?.read_to_end(&mut all).ok()?;
                Some(all.into())
            }
        }
    }
}

/// A data file to read as it is parsed, if it is UTF-8 text: no NUL byte, at most one
/// byte-order mark, valid UTF-8 throughout (checked block by block, a character may span two).
/// `None` when it is not, for the caller to read it whole and decode or refuse it (`decode_vec`
/// says why, as for any file); an error if it cannot be read.
pub fn utf8_file(path: &std::path::Path) -> io::Result<Option<CsvText>> {
    utf8_file_in(path, BLOCK)
}

/// `utf8_file`, reading `block` bytes at a time.
fn utf8_file_in(path: &std::path::Path, block: usize) -> io::Result<Option<CsvText>> {
    let mut file = std::fs::File::open(path)?;
    // Room for two byte-order marks and a cut character.
    let mut buf = vec![0u8; block.max(8)];
    // The bytes of a character cut at the end of the last block, moved to the start of `buf`.
    let mut carry = 0usize;
    let mut bom = None;
    loop {
        let mut len = carry;
        // Fill the block, so the first one holds both byte-order marks if there are two.
        while len < buf.len() {
            match file.read(&mut buf[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let mut block = &buf[..len];
        if bom.is_none() {
            let has = block.starts_with(b"\xEF\xBB\xBF");
            if has {
                block = &block[3..];
                if block.starts_with(b"\xEF\xBB\xBF") {
                    return Ok(None);
                }
            }
            bom = Some(has);
        }
        if block.is_empty() {
            break;
        }
        if block.contains(&0) {
            return Ok(None);
        }
        let cut = match std::str::from_utf8(block) {
            Ok(_) => 0,
            // Only the end is incomplete: the rest of the character is in the next block.
            Err(e) if e.error_len().is_none() && len == buf.len() => block.len() - e.valid_up_to(),
            Err(_) => return Ok(None),
        };
        buf.copy_within(len - cut..len, 0);
        carry = cut;
        if len < buf.len() {
            break;
        }
    }
    Ok(Some(CsvText::File {
        path: path.to_path_buf(),
        bom: bom.unwrap_or(false),
    }))
}

/// `csv_records` for text read by `open` (from its start, twice: once to check it, once for
/// the records).
fn records_of<'a>(
    open: &dyn Fn() -> io::Result<Box<dyn Read + 'a>>,
    breaks: LineBreaks,
    read_ahead: usize,
) -> Result<Records<'a>, CsvError> {
    let unread = |e: io::Error| CsvError {
        line: 1,
        col: 1,
        message: cannot_be_read(&e),
    };
    let left = check_csv(RawRecords::new(open().map_err(unread)?, read_ahead), breaks)?;
    Ok(Records {
        raw: RawRecords::new(open().map_err(unread)?, read_ahead),
        left,
        trouble: None,
    })
}

/// What the records say when the file gave other records the second time it was read.
pub fn changed_message() -> String {
    crate::msg!(
        "读取期间文件被改动（两遍读到的记录不同）：请在没有程序写入它时重新运行",
        "the file changed while it was being read (the second reading found other records than the first): run this again when nothing is writing to it"
    )
}

/// The records of checked CSV text (`csv_records`); `len()` is how many are left.
pub struct Records<'a> {
    raw: RawRecords<'a>,
    left: usize,
    trouble: Option<CsvError>,
}

impl Records<'_> {
    /// Why the records ended before the first reading said they would (or went on after it):
    /// the file could not be read again, or was changed in between.
    pub fn trouble(&self) -> Option<&CsvError> {
        self.trouble.as_ref()
    }

    fn changed(&mut self, line: u32) {
        self.trouble = Some(CsvError {
            line,
            col: 1,
            message: changed_message(),
        });
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.trouble.is_some() {
            return None;
        }
        loop {
            let (line, fields, agrees) = match self.raw.next() {
                Some(Ok(raw)) => raw,
                // The text was read once already without an error: one now means it changed
                // or can no longer be read.
                Some(Err(e)) => {
                    self.trouble = Some(e);
                    return None;
                }
                None => {
                    if self.left > 0 {
                        let line = self.raw.seen_line;
                        self.changed(line);
                    }
                    return None;
                }
            };
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
            if self.left == 0 {
                self.changed(line);
                return None;
            }
            self.left -= 1;
            return Some(Record {
                line,
                cells,
                breaks,
            });
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Records<'_> {}

/// The bytes csv has read, kept from the start of the record being looked at, so that each
/// record's text is at hand (for its columns, the quotes in it, its lines) while the text as a
/// whole never is: at most one block of csv's read-ahead beyond the record.
struct Tee<R> {
    inner: R,
    kept: Vec<u8>,
    /// The offset in the text of `kept[0]`.
    base: usize,
    eof: bool,
    /// How many bytes no longer needed are kept before they are dropped.
    slack: usize,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.eof |= n == 0 && !buf.is_empty();
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl<R: Read> Tee<R> {
    /// The bytes kept from the text's offset `at` on.
    fn from(&self, at: usize) -> &[u8] {
        self.kept.get(at.saturating_sub(self.base)..).unwrap_or(&[])
    }

    /// The offset just past the bytes kept.
    fn end(&self) -> usize {
        self.base + self.kept.len()
    }

    /// Forget the bytes before offset `at` (in large steps: each step moves what is kept).
    fn forget_before(&mut self, at: usize) {
        let dead = at.saturating_sub(self.base).min(self.kept.len());
        if dead >= self.slack && dead * 2 >= self.kept.len() {
            self.kept.drain(..dead);
            self.base += dead;
        }
    }

    /// Keep the rest of the text too (the record runs to its end).
    fn read_to_end(&mut self) -> io::Result<()> {
        let mut rest = Vec::new();
        self.inner.read_to_end(&mut rest)?;
        self.kept.extend_from_slice(&rest);
        self.eof = true;
        Ok(())
    }
}

/// The records as csv reads them, each with its line and its fields as written (`scan_record`)
/// and whether the two agree; the record's cells are in `record` until the next call.
struct RawRecords<'a> {
    reader: csv::Reader<Tee<Box<dyn Read + 'a>>>,
    record: csv::StringRecord,
    // Lines are counted from byte offsets: with CRLF line ends csv reports a record as starting
    // at the `\n` that ends the previous one (and one line too early). The record being looked
    // at starts at `seen_byte`, on line `seen_line` and character column `seen_col`.
    seen_byte: usize,
    seen_line: u32,
    seen_col: u32,
}

type Raw = (u32, Vec<FieldScan>, bool);

impl<'a> RawRecords<'a> {
    fn new(input: Box<dyn Read + 'a>, read_ahead: usize) -> RawRecords<'a> {
        RawRecords {
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .buffer_capacity(read_ahead.max(1))
                .from_reader(Tee {
                    inner: input,
                    kept: Vec::new(),
                    base: 0,
                    eof: false,
                    slack: read_ahead,
                }),
            record: csv::StringRecord::new(),
            seen_byte: 0,
            seen_line: 1,
            seen_col: 1,
        }
    }

    fn next(&mut self) -> Option<Result<Raw, CsvError>> {
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                let line = e.position().map_or(self.seen_line, |p| p.line() as u32);
                let message = match e.kind() {
                    csv::ErrorKind::Io(io) => cannot_be_read(io),
                    _ => crate::msg!("CSV 语法错误：{e}", "CSV syntax: {e}"),
                };
                return Some(Err(CsvError {
                    line,
                    col: 1,
                    message,
                }));
            }
        }
        let tee = self.reader.get_ref();
        let mut byte = self.record.position().map_or(0, |p| p.byte() as usize);
        while matches!(tee.from(byte).first(), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        let byte = byte.min(tee.end()).max(self.seen_byte);
        (self.seen_line, self.seen_col) = self.line_col(byte);
        self.seen_byte = byte;
        self.reader.get_mut().forget_before(byte);
        let mut fields = scan_record(self.reader.get_ref().from(byte), byte);
        // A quote still open where the bytes kept end: the record may run further (csv read
        // it to the end of the text if it is truly never closed).
        let open = |fields: &[FieldScan]| fields.iter().any(|f| matches!(f.quote, Some((_, None))));
        if open(&fields) && !self.reader.get_ref().eof {
            if let Err(e) = self.reader.get_mut().read_to_end() {
                return Some(Err(CsvError {
                    line: self.seen_line,
                    col: 1,
                    message: cannot_be_read(&e),
                }));
            }
            fields = scan_record(self.reader.get_ref().from(byte), byte);
        }
        // The scan follows csv's rules; should it ever disagree, columns fall back to 1 and
        // the quotes are not checked, rather than misreport.
        let agrees = fields.len() == self.record.len();
        Some(Ok((self.seen_line, fields, agrees)))
    }

    /// The 1-based line and character column of offset `at` of the text, at or after the start
    /// of the record being looked at, within the bytes kept.
    fn line_col(&self, at: usize) -> (u32, u32) {
        let tee = self.reader.get_ref();
        let from = self.seen_byte.max(tee.base);
        let upto = at.saturating_sub(from);
        let bytes = &tee.from(from)[..upto.min(tee.end().saturating_sub(from))];
        let chars = |b: &[u8]| b.iter().filter(|&&c| c & 0xC0 != 0x80).count() as u32;
        match bytes.iter().rposition(|&b| b == b'\n') {
            Some(nl) => (
                self.seen_line + bytes.iter().filter(|&&b| b == b'\n').count() as u32,
                chars(&bytes[nl + 1..]) + 1,
            ),
            None => (self.seen_line, self.seen_col + chars(bytes)),
        }
    }

    /// The bytes kept from offset `at` up to offset `to`.
    fn between(&self, at: usize, to: usize) -> &[u8] {
        let kept = self.reader.get_ref().from(at);
        &kept[..to.saturating_sub(at).min(kept.len())]
    }
}

/// A quoted cell that runs over line ends, as the first pass saw it, to be judged once the
/// header and the common width are known.
struct Span {
    /// The record's index among the records kept (0: the header), the cell's in it.
    rec: usize,
    cell: usize,
    /// Where the opening quote is, and the line of the closing one.
    line: u32,
    col: u32,
    last: u32,
    /// The lines the cell holds after its first that read as records of two cells or more:
    /// each one's number and cell count.
    rows: Vec<(u32, usize)>,
    /// Text follows the closing quote.
    junk: bool,
    /// The record's cell count.
    cells: usize,
}

/// Check CSV text as `parse_csv` does (see there) and count its records.
fn check_csv(mut raw: RawRecords, breaks: LineBreaks) -> Result<usize, CsvError> {
    // The header's cells, and how many records have each cell count.
    let mut header: Option<Vec<String>> = None;
    let mut widths: std::collections::BTreeMap<usize, usize> = Default::default();
    let mut kept = 0usize;
    let mut spanning: Vec<Span> = Vec::new();
    while let Some(next) = raw.next() {
        let (_, fields, agrees) = next?;
        let mut spans = Vec::new();
        for (i, f) in fields.iter().enumerate().filter(|_| agrees) {
            match f.quote {
                Some((open, None)) => {
                    let (line, col) = raw.line_col(open);
                    let end = raw.reader.get_ref().end();
                    let last = raw.line_col(end).0;
                    let ends_line = raw.reader.get_ref().kept.last() == Some(&b'\n');
                    let last = if ends_line { last - 1 } else { last };
                    return Err(CsvError {
                        line,
                        col,
                        message: crate::msg!(
                            "这里开始的引号没有闭合：文件其余部分（到第 {last} 行）都会读成这一格；{}",
                            "a quote opened here is never closed: the rest of the file (to line \
                             {last}) would be read as this one cell; {}",
                            close_it()
                        ),
                    });
                }
                Some((open, Some(close)))
                    if raw
                        .between(open, close)
                        .iter()
                        .any(|&b| b == b'\n' || b == b'\r') =>
                {
                    let (line, col) = raw.line_col(open);
                    let body = String::from_utf8_lossy(raw.between(open, close));
                    let rows = body
                        .split('\n')
                        .enumerate()
                        .skip(1)
                        .map(|(n, l)| (line + n as u32, cell_count(l.trim_end_matches('\r'))))
                        .filter(|&(_, n)| n >= 2)
                        .collect();
                    spans.push(Span {
                        rec: kept,
                        cell: i,
                        line,
                        col,
                        last: raw.line_col(close).0,
                        rows,
                        junk: f.junk,
                        cells: raw.record.len(),
                    });
                }
                _ => {}
            }
        }
        let record = &raw.record;
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
    for span in spanning {
        let Span {
            rec,
            cell,
            line,
            col,
            last,
            junk,
            cells,
            ..
        } = span;
        let rows: Vec<u32> = span
            .rows
            .iter()
            .filter(|(_, n)| width >= 2 && *n >= width)
            .map(|(n, _)| *n)
            .collect();
        if let (Some(first), Some(end)) = (rows.first(), rows.last()) {
            let which = if first == end {
                crate::msg!("第 {first} 行", "line {first} reads as a row")
            } else {
                let n = rows.len();
                crate::msg!(
                    "第 {first}–{end} 行（共 {n} 行）",
                    "lines {first}–{end} ({n} of them) read as rows"
                )
            };
            return Err(CsvError {
                line,
                col,
                message: crate::msg!(
                    "这里开始的引号没有在这一格结束处闭合：这一格一直延续到第 {last} 行，而{which}读起来是本文件的行（{width} 格）；{}",
                    "a quote opened here is not closed where its cell ends: the cell runs to \
                     line {last}, and {which} of this file ({width} cells); {}",
                    close_it()
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
                message: crate::msg!(
                    "这里开始的引号没有在这一格结束处闭合：这一格一直延续到第 {last} 行，那里闭合它的引号后面还有文字（它那一行有 {cells} 格，表头 {width} 格）；{}",
                    "a quote opened here is not closed where its cell ends: the cell runs to \
                     line {last}, where text follows the quote that closes it (its row has \
                     {cells} cells, the header {width}); {}",
                    close_it()
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
            Some(n) => crate::msg!("`{n}` 格", "`{n}` cell"),
            None if rec == 0 => crate::msg!("表头格", "header cell"),
            None => crate::msg!("（超出表头列数的）格", "cell (beyond the header's columns)"),
        };
        let only = match allowed {
            [] => crate::msg!("任何格都不能换行", "no cell may hold line breaks"),
            [one] => crate::msg!("只有 `{one}` 可以换行", "only `{one}` may hold line breaks"),
            more => {
                let more = more.join(", ");
                crate::msg!("只有 {more} 可以换行", "only {more} may hold line breaks")
            }
        };
        return Err(CsvError {
            line,
            col,
            message: crate::msg!(
                "这里开始的引号没有在这一格结束处闭合：这一格跨过了行尾（到第 {last} 行），而 {what}只能占一行（{only}）；{}",
                "a quote opened here is not closed where its cell ends: the cell runs over a \
                 line end (to line {last}), but a {what} is one line ({only}); {}",
                close_it()
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

/// The fields of the record whose bytes start at `bytes` (offset `start` of the text), read by
/// the rules the csv crate reads by (csv-core's defaults): a quote opens a quoted field only at
/// the start of a field and is data elsewhere; `""` in a quoted field is a quote; after the
/// closing quote the field goes on unquoted up to `,` or a line end; line ends inside quotes
/// are data. Columns count characters (UTF-8 bytes other than continuation bytes); every byte
/// that matters is ASCII, which no part of a multi-byte character is.
fn scan_record(bytes: &[u8], start: usize) -> Vec<FieldScan> {
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
    for (i, &c) in bytes.iter().enumerate() {
        if c & 0xC0 == 0x80 {
            continue;
        }
        let at = start + i;
        col += 1;
        let field = fields.len() - 1;
        match (&state, c) {
            (State::Quoted, b'"') => {
                state = State::AfterQuote;
                if let Some((_, close)) = &mut fields[field].quote {
                    *close = Some(at);
                }
            }
            (State::Quoted, b'\n') => {
                col = 1;
                breaks += 1;
            }
            (State::Quoted, _) => {}
            (State::AfterQuote, b'"') => {
                // `""`: a quote inside the cell, which goes on.
                state = State::Quoted;
                if let Some((_, close)) = &mut fields[field].quote {
                    *close = None;
                }
            }
            (_, b',') => {
                fields.push(FieldScan {
                    col,
                    breaks,
                    junk: false,
                    quote: None,
                });
                state = State::Start;
            }
            (_, b'\n' | b'\r') => break,
            (State::Start, b'"') => {
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
                .starts_with("这里开始的引号没有闭合：文件其余部分（到第 4 行）"),
            "{err:?}"
        );
        assert!(err.message.contains("到第 4 行"), "{err:?}");
        assert!(
            err.message.ends_with("请闭合它，或写成两个引号（\"\"）"),
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
            err.message
                .contains("一直延续到第 5 行，而第 3–5 行（共 3 行）读起来是本文件的行（3 格）"),
            "{err:?}"
        );
        // An export's header is not its first line: the common width counts.
        let text = "title\nid,source,notes\nA,s,\"n1\nB,s,n2\nC,s,\"x\"\nE,s,n\nF,s,n\n";
        let err = parse_csv(text, LineBreaks::Anywhere).unwrap_err();
        assert_eq!((err.line, err.col), (3, 5), "{err:?}");
        assert!(
            err.message
                .contains("而第 4–5 行（共 2 行）读起来是本文件的行"),
            "{err:?}"
        );
        let text = "id,source,notes\nA,s,\"n1\nB,s,\"x\"\n";
        let err = parse_csv(text, NOTES).unwrap_err();
        assert!(
            err.message
                .contains("一直延续到第 3 行，而第 3 行读起来是本文件的行（3 格）"),
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
                "这一格一直延续到第 3 行，那里闭合它的引号后面还有文字（它那一行有 6 格，表头 4 格）"
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
            err.message
                .contains("（到第 3 行），而 `source` 格只能占一行（只有 `notes` 可以换行）"),
            "{err:?}"
        );
        let err = parse_csv("id,\"so\nurce\"\nA,s\n", NOTES).unwrap_err();
        assert!(err.message.contains("表头格只能占一行"), "{err:?}");
        let err = parse_csv("id,notes\nA,n,\"x\ny\"\n", NOTES).unwrap_err();
        assert_eq!((err.line, err.col), (2, 5));
        assert!(err.message.contains("（超出表头列数的）格"), "{err:?}");
        // An export may break lines in any cell.
        let recs = parse_csv("名称,经营范围\n甲,\"a\nb\"\n", LineBreaks::Anywhere).unwrap();
        assert_eq!(recs[1].cells[1].0, "a\nb");
    }

    /// Records (or the error) as text: `Record` holds no `PartialEq`, its `Debug` form shows
    /// every line, cell, column and line break.
    fn shown(r: Result<Records, CsvError>) -> String {
        match r {
            Ok(recs) => format!("{:?}", recs.collect::<Vec<_>>()),
            Err(e) => format!("{e:?}"),
        }
    }

    /// A temporary file holding `bytes`.
    fn file_of(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, bytes).unwrap();
        f
    }

    /// The records of `bytes` read from a file in blocks of `block` bytes (csv reading ahead
    /// as much), as they are when read from the text in memory.
    fn streamed(bytes: &[u8], block: usize, breaks: LineBreaks) -> String {
        let f = file_of(bytes);
        let text = utf8_file_in(f.path(), block).unwrap().expect("UTF-8 text");
        shown(records_of(&|| text.reader(), breaks, block))
    }

    fn in_memory(text: &str, breaks: LineBreaks) -> String {
        shown(csv_records(text, breaks))
    }

    /// `in_memory` for the text of bytes as they are read from a file (`decode_vec`).
    fn decoded(bytes: &[u8], breaks: LineBreaks) -> String {
        in_memory(&decode(bytes, Encoding::Utf8).unwrap(), breaks)
    }

    #[test]
    fn a_quoted_cell_across_a_block_boundary_reads_as_in_memory() {
        // A note over three lines, with Chinese before and in it, where every block size from
        // 1 to 40 bytes cuts it (and its characters) somewhere.
        let text = "id,名称,notes,source\nA,甲,\"第一行\n第二行，\"\"引\"\"\r\n三\",s1\nB,乙,,s2\n";
        let want = in_memory(text, NOTES);
        assert!(
            want.contains("第一行\\n第二行，\\\"引\\\"\\r\\n三"),
            "{want}"
        );
        for block in 1..=40 {
            assert_eq!(
                streamed(text.as_bytes(), block, NOTES),
                want,
                "block {block}"
            );
        }
        // The same at the sizes used, with the note straddling the first block's end.
        let mut big = String::from("id,名称,notes,source\n");
        let mut i = 0;
        while big.len() < BLOCK - 10 {
            big.push_str(&format!("E{i},企业{i},,s\n"));
            i += 1;
        }
        big.push_str("X,末,\"跨\n块的\n附注\",s\nY,后,,s\n");
        let f = file_of(big.as_bytes());
        let text = utf8_file(f.path()).unwrap().unwrap();
        assert_eq!(shown(text.records(NOTES)), in_memory(&big, NOTES));
    }

    #[test]
    fn a_line_spanning_quote_deep_in_a_file_is_an_error_at_its_line_and_column() {
        // Many records before it, so the bytes of the first ones were dropped long before.
        let mut text = String::from("id,name,source\n");
        for i in 0..2000 {
            text.push_str(&format!("E{i},名{i},s\n"));
        }
        // Line 2002: the quote in `source` (column 7, after the 3-character name) is closed
        // on the next line.
        text.push_str("Z,名字三,\"s1\ns2\"\nW,x,s\n");
        let want = in_memory(&text, NOTES);
        assert!(
            want.contains("line: 2002, col: 7") && want.contains("`source` 格只能占一行"),
            "{want}"
        );
        for block in [3, 64, 4096] {
            assert_eq!(
                streamed(text.as_bytes(), block, NOTES),
                want,
                "block {block}"
            );
        }
        // Never closed: at the quote, naming the file's last line.
        let text = format!(
            "{}\"open\nZ,z,s\n",
            &text[..text.len() - "\"s1\ns2\"\nW,x,s\n".len()]
        );
        let want = in_memory(&text, NOTES);
        assert!(
            want.contains("line: 2002, col: 7") && want.contains("（到第 2003 行）"),
            "{want}"
        );
        for block in [3, 64, 4096] {
            assert_eq!(
                streamed(text.as_bytes(), block, NOTES),
                want,
                "block {block}"
            );
        }
    }

    #[test]
    fn a_byte_order_mark_is_skipped_at_the_start_only() {
        let text = "id,name\n甲,\u{FEFF}乙\n";
        let with_bom = [b"\xEF\xBB\xBF", text.as_bytes()].concat();
        let f = file_of(&with_bom);
        let read = utf8_file(f.path()).unwrap().unwrap();
        assert!(matches!(read, CsvText::File { bom: true, .. }));
        // The mark inside a cell is data, as in memory; columns count from after the first.
        let got = shown(read.records(NOTES));
        assert_eq!(got, in_memory(text, NOTES));
        assert!(got.contains("(\"\\u{feff}乙\", 3)"), "{got}");
        for block in 1..=8 {
            assert_eq!(streamed(&with_bom, block, NOTES), got, "block {block}");
        }
        // Two marks, NUL bytes, bytes that are not UTF-8 (even after the first block), and a
        // character cut by the file's end: read whole, for `decode_vec` to say why.
        let late_bad = [vec![b'a'; 5000], vec![0xD3, 0xF1]].concat();
        for (bytes, block) in [
            (&b"\xEF\xBB\xBF\xEF\xBB\xBFid\n"[..], BLOCK),
            (b"id\n\0\n", BLOCK),
            (&late_bad, 64),
            ("id,名".as_bytes().split_last().unwrap().1, 64),
        ] {
            let f = file_of(bytes);
            assert!(
                utf8_file_in(f.path(), block).unwrap().is_none(),
                "{bytes:?}"
            );
        }
        // A character cut by a block's end is whole again in the next block.
        let f = file_of("名称名称名称".as_bytes());
        for block in 1..=20 {
            assert!(
                utf8_file_in(f.path(), block).unwrap().is_some(),
                "block {block}"
            );
        }
    }

    #[test]
    fn a_file_changed_between_its_two_readings_is_said() {
        let mut f = file_of(b"id,source\nA,s\nB,s\n");
        let text = utf8_file(f.path()).unwrap().unwrap();
        let mut recs = text.records(NOTES).unwrap();
        assert_eq!(recs.len(), 3);
        // Written to after the check: one more record than it counted.
        std::io::Write::write_all(&mut f, b"C,s\n").unwrap();
        let lines: Vec<u32> = recs.by_ref().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 3]);
        let trouble = recs.trouble().expect("the change is said");
        assert_eq!(
            (trouble.line, trouble.message.clone()),
            (4, changed_message())
        );
        // Unchanged, nothing is said.
        let f = file_of(b"id,source\nA,s\n");
        let text = utf8_file(f.path()).unwrap().unwrap();
        let mut recs = text.records(NOTES).unwrap();
        assert_eq!(recs.by_ref().count(), 2);
        assert!(recs.trouble().is_none());
    }

    proptest::proptest! {
        /// Any text read from a file in small blocks gives what it gives in memory: the same
        /// records, lines, columns and line breaks, or the same error at the same place.
        #[test]
        fn streamed_text_reads_as_in_memory(
            text in proptest::string::string_regex("[a,\"\n\r名\u{FEFF} ]{0,60}").unwrap(),
            block in 1usize..12,
            anywhere: bool,
        ) {
            let breaks = if anywhere { LineBreaks::Anywhere } else { NOTES };
            let bytes = text.as_bytes();
            if decode(bytes, Encoding::Utf8).is_err() {
                // Two byte-order marks: read whole, for `decode_vec` to refuse.
                let f = file_of(bytes);
                proptest::prop_assert!(utf8_file_in(f.path(), block).unwrap().is_none());
            } else {
                proptest::prop_assert_eq!(
                    streamed(bytes, block, breaks),
                    decoded(bytes, breaks)
                );
            }
        }
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
