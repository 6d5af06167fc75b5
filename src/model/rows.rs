//! Provenance rows, packed: consecutive lines of one file citing one source are one 16-byte run, and the few anomaly notes are kept aside by row number.
//!
//! A data file gives most of its lines the same `source` (relations.csv at national scale: ten
//! million lines, one citation), so at 12 M rows this holds a handful of runs instead of 24 bytes
//! a row (benches/README.md, "Open, memory and disk at large, 2026-12-07"). Rows are only ever
//! appended; row `i` keeps its number for the life of the dataset.

use serde::{Deserialize, Serialize};

/// One provenance row to append: the data file and line, the `source` citation and optional
/// anomaly notes.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Index into `Dataset::files`.
    pub file: u32,
    /// 1-based line in that file.
    pub line: u32,
    /// Index into `Dataset::sources` (the same citation is stored once).
    pub source: u32,
    /// Free-text notes; read them with [`Row::notes`].
    pub notes: Option<Box<Box<str>>>,
}

impl Row {
    pub fn notes(&self) -> Option<&str> {
        self.notes.as_deref().map(|n| &**n)
    }
}

/// A row as read back from [`Rows`]: its numbers, and its notes borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowRef<'a> {
    pub file: u32,
    pub line: u32,
    pub source: u32,
    pub notes: Option<&'a str>,
}

impl<'a> RowRef<'a> {
    pub fn notes(&self) -> Option<&'a str> {
        self.notes
    }

    /// The row as an owned [`Row`] (to append it elsewhere).
    pub fn to_row(&self) -> Row {
        Row {
            file: self.file,
            line: self.line,
            source: self.source,
            notes: self.notes.map(|n| Box::new(n.into())),
        }
    }
}

/// A run as stored: `count` rows of `file` from `line` on, one line each, citing `source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRun {
    pub count: u32,
    pub file: u32,
    pub line: u32,
    pub source: u32,
}

/// A run in memory: rows `start..` (up to the next run's start) of `file` from `line` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    start: u32,
    file: u32,
    line: u32,
    source: u32,
}

/// Every provenance row of a dataset, packed into runs (see the module header).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    runs: Vec<Run>,
    /// (row number, notes), sorted by row number.
    notes: Vec<(u32, Box<str>)>,
    len: u32,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Append a row; it is row number `len()` before the call.
    pub fn push(&mut self, row: Row) {
        let at = self.len;
        if let Some(n) = row.notes {
            self.notes.push((at, *n));
        }
        let extends = self.runs.last().is_some_and(|r| {
            r.file == row.file
                && r.source == row.source
                && r.line.checked_add(at - r.start) == Some(row.line)
        });
        if !extends {
            self.runs.push(Run {
                start: at,
                file: row.file,
                line: row.line,
                source: row.source,
            });
        }
        self.len += 1;
    }

    /// Row `i`, if there is one.
    pub fn get(&self, i: u32) -> Option<RowRef<'_>> {
        if i >= self.len {
            return None;
        }
        let r = &self.runs[self.runs.partition_point(|r| r.start <= i) - 1];
        Some(RowRef {
            file: r.file,
            line: r.line.wrapping_add(i - r.start),
            source: r.source,
            notes: self.notes_of(i),
        })
    }

    fn notes_of(&self, i: u32) -> Option<&str> {
        self.notes
            .binary_search_by_key(&i, |(at, _)| *at)
            .ok()
            .map(|k| &*self.notes[k].1)
    }

    /// Every row in order.
    pub fn iter(&self) -> impl Iterator<Item = RowRef<'_>> + '_ {
        let mut notes = self.notes.iter().peekable();
        self.runs
            .iter()
            .enumerate()
            .flat_map(move |(k, r)| {
                let end = self.runs.get(k + 1).map_or(self.len, |n| n.start);
                (r.start..end).map(move |i| (r, i))
            })
            .map(move |(r, i)| RowRef {
                file: r.file,
                line: r.line.wrapping_add(i - r.start),
                source: r.source,
                notes: notes.next_if(|(at, _)| *at == i).map(|(_, n)| &**n),
            })
    }

    /// How many rows carry notes.
    pub fn with_notes(&self) -> usize {
        self.notes.len()
    }

    /// How many runs the rows are packed into.
    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    /// Runs `range` as stored (a chunk of them).
    pub fn stored_runs(&self, range: std::ops::Range<usize>) -> Vec<StoredRun> {
        let range = range.start.min(self.runs.len())..range.end.min(self.runs.len());
        range
            .map(|k| {
                let r = &self.runs[k];
                StoredRun {
                    count: self.runs.get(k + 1).map_or(self.len, |n| n.start) - r.start,
                    file: r.file,
                    line: r.line,
                    source: r.source,
                }
            })
            .collect()
    }

    /// The notes as stored: (row number, notes), sorted by row number.
    pub fn stored_notes(&self) -> &[(u32, Box<str>)] {
        &self.notes
    }

    /// Rows from their stored runs and notes, or what is wrong with them (runs of no rows,
    /// more than `u32::MAX` rows, notes out of order or past the last row).
    pub fn from_stored(
        runs: impl IntoIterator<Item = StoredRun>,
        notes: Vec<(u32, Box<str>)>,
    ) -> Result<Rows, String> {
        let mut out = Rows::default();
        for s in runs {
            if s.count == 0 {
                return Err(format!("a run of no rows at row {}", out.len));
            }
            let end = out
                .len
                .checked_add(s.count)
                .ok_or_else(|| "more than 4294967295 rows".to_string())?;
            let extends = out.runs.last().is_some_and(|r| {
                r.file == s.file
                    && r.source == s.source
                    && r.line.checked_add(out.len - r.start) == Some(s.line)
            });
            if !extends {
                out.runs.push(Run {
                    start: out.len,
                    file: s.file,
                    line: s.line,
                    source: s.source,
                });
            }
            out.len = end;
        }
        if let Some(w) = notes.windows(2).find(|w| w[0].0 >= w[1].0) {
            return Err(format!("notes of row {} out of order", w[1].0));
        }
        if let Some((at, _)) = notes.last()
            && *at >= out.len
        {
            return Err(format!("notes of row {at}, past the last row"));
        }
        out.notes = notes;
        Ok(out)
    }
}

impl FromIterator<Row> for Rows {
    fn from_iter<I: IntoIterator<Item = Row>>(iter: I) -> Rows {
        let mut out = Rows::default();
        for r in iter {
            out.push(r);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file: u32, line: u32, source: u32, notes: Option<&str>) -> Row {
        Row {
            file,
            line,
            source,
            notes: notes.map(|n| Box::new(n.into())),
        }
    }

    fn sample() -> Vec<Row> {
        vec![
            row(0, 2, 0, None),
            row(0, 3, 0, Some("重复")),
            row(0, 4, 0, None),
            row(0, 6, 0, None), // a skipped line: new run
            row(0, 7, 1, None), // another source: new run
            row(1, 8, 1, None), // another file: new run
            row(1, 9, 1, Some("注")),
            row(1, 9, 1, None), // the same line twice (a template's records): new run
        ]
    }

    #[test]
    fn rows_read_back_as_pushed_and_pack_into_runs() {
        let rows: Rows = sample().into_iter().collect();
        assert_eq!(rows.len(), 8);
        assert_eq!(rows.runs.len(), 5);
        for (i, want) in sample().iter().enumerate() {
            let got = rows.get(i as u32).unwrap();
            assert_eq!(got.to_row(), *want, "row {i}");
        }
        let iterated: Vec<Row> = rows.iter().map(|r| r.to_row()).collect();
        assert_eq!(iterated, sample());
        assert_eq!(rows.get(8), None);
        assert_eq!(rows.with_notes(), 2);
    }

    #[test]
    fn a_million_lines_of_one_file_and_source_are_one_run() {
        let rows: Rows = (0..1_000_000).map(|i| row(3, i + 2, 7, None)).collect();
        assert_eq!(rows.runs.len(), 1);
        assert_eq!(rows.get(999_999).map(|r| r.line), Some(1_000_001));
    }

    #[test]
    fn stored_runs_and_notes_give_the_same_rows() {
        let rows: Rows = sample().into_iter().collect();
        let back = Rows::from_stored(
            rows.stored_runs(0..usize::MAX),
            rows.stored_notes().to_vec(),
        )
        .unwrap();
        assert_eq!(back, rows);
        // Runs stored split (as chunks may split them) join again.
        let mut split = rows.stored_runs(0..usize::MAX);
        let first = split.remove(0);
        split.insert(0, StoredRun { count: 1, ..first });
        split.insert(
            1,
            StoredRun {
                count: first.count - 1,
                line: first.line + 1,
                ..first
            },
        );
        let joined = Rows::from_stored(split, rows.stored_notes().to_vec()).unwrap();
        assert_eq!(joined, rows);
    }

    #[test]
    fn damaged_stored_rows_are_refused() {
        let run = StoredRun {
            count: 2,
            file: 0,
            line: 1,
            source: 0,
        };
        let empty = StoredRun { count: 0, ..run };
        assert!(Rows::from_stored([empty], Vec::new()).is_err());
        assert!(Rows::from_stored([run], vec![(2, "x".into())]).is_err());
        assert!(Rows::from_stored([run], vec![(1, "x".into()), (0, "y".into())]).is_err());
        let huge = StoredRun {
            count: u32::MAX,
            ..run
        };
        assert!(Rows::from_stored([huge, run], Vec::new()).is_err());
        assert!(Rows::from_stored([run], vec![(1, "x".into())]).is_ok());
    }
}
