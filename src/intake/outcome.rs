//! What an intake produced (`Outcome`: the candidates, the per-row messages, the counts) and
//! the summary line printed after it, in the language of messages.

use super::Candidate;

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

/// `1 data row`, `2 data rows`: a count and its noun, plural unless the count is 1.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
