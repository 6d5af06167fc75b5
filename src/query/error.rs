//! Query errors meant for people: where (line and column in characters, the span underlined
//! by display width so it sits right under Chinese text), what was expected, and a hint.

use super::ast::{Span, quote};
use super::keywords::{self, is_keyword};
use super::parse::BOM;
use crate::lang::Lang;
use crate::names::suggest;
use std::fmt::Write as _;
use unicode_width::UnicodeWidthChar;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text does not follow the grammar.
    Syntax,
    /// Well-formed, but meaningless here: an unknown name or column, a depth of −1, `sum` of text.
    Semantic,
    /// Stopped by the caller (Ctrl-C).
    Cancelled,
    /// A bug in chainkb, not in the query.
    Internal,
}

impl crate::error::Blamed for QueryError {
    fn blame(&self) -> crate::error::Blame {
        match self.kind {
            // Ctrl-C is the user's choice: the statement did not finish.
            ErrorKind::Syntax | ErrorKind::Semantic | ErrorKind::Cancelled => {
                crate::error::Blame::Input
            }
            ErrorKind::Internal => crate::error::Blame::Bug,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct QueryError {
    pub kind: ErrorKind,
    pub message: String,
    /// Where in the statement text, when known.
    pub span: Option<Span>,
    /// Extra lines: "did you mean", full-width punctuation, …
    pub hints: Vec<String>,
    /// The message and hints in Chinese, where written (else the English ones show in both).
    /// Boxed: a query error is returned through every layer of planning and execution.
    pub zh: Option<Box<Zh>>,
}

/// The Chinese wording of an error.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Zh {
    /// The message (None: the English one).
    pub message: Option<String>,
    /// The hints, one for each of the English ones (those written only in English repeated).
    pub hints: Vec<String>,
}

impl QueryError {
    pub fn syntax(message: impl Into<String>, span: Span) -> QueryError {
        QueryError {
            kind: ErrorKind::Syntax,
            message: message.into(),
            span: Some(span),
            hints: Vec::new(),
            zh: None,
        }
    }

    /// A semantic error in the clause `clause` (e.g. "upstream … depth", "group … sum").
    pub fn semantic(clause: &str, message: impl Into<String>, span: Span) -> QueryError {
        QueryError {
            kind: ErrorKind::Semantic,
            message: format!("in {clause}: {}", message.into()),
            // An empty span at 0 means "no particular place": underline nothing.
            span: if span.start == 0 && span.end == 0 {
                None
            } else {
                Some(span)
            },
            hints: Vec::new(),
            zh: None,
        }
    }

    pub fn cancelled() -> QueryError {
        QueryError {
            kind: ErrorKind::Cancelled,
            message: "cancelled".into(),
            span: None,
            hints: Vec::new(),
            zh: Some(Box::new(Zh {
                message: Some("已取消".into()),
                hints: Vec::new(),
            })),
        }
    }

    pub fn internal(message: impl Into<String>) -> QueryError {
        QueryError {
            kind: ErrorKind::Internal,
            message: format!("internal error: {}", message.into()),
            span: None,
            hints: Vec::new(),
            zh: None,
        }
    }

    /// The same error's message in Chinese (the whole line after the position).
    pub fn with_zh(mut self, message: impl Into<String>) -> QueryError {
        self.zh_mut().message = Some(message.into());
        self
    }

    /// The Chinese wording, made on first use with the hints so far (in English).
    fn zh_mut(&mut self) -> &mut Zh {
        let hints = &self.hints;
        self.zh.get_or_insert_with(|| {
            Box::new(Zh {
                message: None,
                hints: hints.clone(),
            })
        })
    }

    /// A hint in both languages.
    pub fn with_hints(mut self, en: impl Into<String>, zh: impl Into<String>) -> QueryError {
        let (en, zh) = (en.into(), zh.into());
        if !en.is_empty() {
            self.zh_mut().hints.push(zh);
            self.hints.push(en);
        }
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> QueryError {
        let h = hint.into();
        if !h.is_empty() {
            if let Some(zh) = &mut self.zh {
                zh.hints.push(h.clone());
            }
            self.hints.push(h);
        }
        self
    }

    /// The full message over the text the span refers to:
    ///
    /// ```text
    /// error: line 1, column 20: expected a stage (where, sort, …), found `wher`
    ///   |
    /// 1 | fill 锂电池 in 测试园区 | wher x = 1
    ///   |                         ^^^^
    ///   = hint: did you mean `where`?
    /// ```
    pub fn render(&self, text: &str) -> String {
        self.render_in(text, Lang::En)
    }

    /// [`QueryError::render`] in `lang`: in Chinese the frame (错误：第 1 行第 20 列：… /
    /// 提示：…) and, where written, the message and hints.
    pub fn render_in(&self, text: &str, lang: Lang) -> String {
        let mut out = String::new();
        let (message, hints) = match (lang, self.zh.as_deref()) {
            (Lang::Zh, Some(zh)) => (zh.message.as_deref().unwrap_or(&self.message), &zh.hints),
            _ => (self.message.as_str(), &self.hints),
        };
        let (error, hint) = lang.pick(("错误：", "提示："), ("error: ", "hint: "));
        let Some(span) = self.span else {
            let _ = writeln!(out, "{error}{message}");
            for h in hints {
                let _ = writeln!(out, "  = {hint}{h}");
            }
            return out;
        };
        // A leading byte-order mark is skipped by the parser: no column, and not shown.
        let bom = if text.starts_with(BOM) {
            BOM.len_utf8()
        } else {
            0
        };
        let start = clamp_to_char(text, span.start.max(bom));
        let end = clamp_to_char(text, span.end.max(start));
        let line_start = text[..start].rfind('\n').map_or(bom, |i| i + 1);
        let line_no = text[..start].matches('\n').count() + 1;
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[line_start..line_end];
        let col = text[line_start..start].chars().count() + 1;
        let _ = match lang {
            Lang::Zh => writeln!(out, "错误：第 {line_no} 行第 {col} 列：{message}"),
            Lang::En => writeln!(out, "error: line {line_no}, column {col}: {message}"),
        };
        let gutter = line_no.to_string().len();
        let pad = " ".repeat(gutter);
        let (from, to) = excerpt(line, start - line_start);
        let cut_before = if from > 0 { "... " } else { "" };
        let cut_after = if to < line.len() { " ..." } else { "" };
        let shown: String = line[from..to]
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let shown = if cut_after.is_empty() {
            format!("{cut_before}{shown}")
        } else {
            format!("{cut_before}{}{cut_after}", shown.trim_end())
        };
        let lead = width(cut_before) + width(&line[from..start - line_start]);
        let under = width(&text[start..end.min(line_start + to)]).max(1);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{line_no} | {shown}");
        let _ = writeln!(out, "{pad} | {}{}", " ".repeat(lead), "^".repeat(under));
        for h in hints {
            let _ = writeln!(out, "{pad} = {hint}{h}");
        }
        out
    }
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

/// Widest source line an error shows whole, in display columns.
const MAX_SHOWN: usize = 100;
/// Display columns shown before the error's position when a longer line is cut.
const SHOWN_BEFORE: usize = 40;

/// The byte range of `line` an error at byte `at` shows: all of it when it is at most
/// `MAX_SHOWN` columns wide, else about `SHOWN_BEFORE` columns before `at` and the rest of
/// `MAX_SHOWN` after (a 30 KB condition is not printed whole to point at one word of it).
fn excerpt(line: &str, at: usize) -> (usize, usize) {
    if width(line) <= MAX_SHOWN {
        return (0, line.len());
    }
    let mut from = at;
    let mut before = 0;
    for (i, c) in line[..at].char_indices().rev() {
        before += width(c.encode_utf8(&mut [0; 4]));
        if before > SHOWN_BEFORE {
            break;
        }
        from = i;
    }
    let mut to = from;
    let mut shown = 0;
    for (i, c) in line[from..].char_indices() {
        shown += width(c.encode_utf8(&mut [0; 4]));
        if shown > MAX_SHOWN {
            break;
        }
        to = from + i + c.len_utf8();
    }
    // Cut at spaces where there are some, not inside a word. A space may be wider than a
    // byte (U+3000, the full-width space of Chinese input methods): cut after all of it.
    let space_before = |i: usize| line[..i].ends_with(char::is_whitespace);
    if from > 0
        && !space_before(from)
        && let Some((space, c)) = line[from..at]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
    {
        from += space + c.len_utf8();
    }
    if to < line.len()
        && !line[to..].starts_with(char::is_whitespace)
        && let Some(space) = line[at..to].rfind(char::is_whitespace)
    {
        to = at + space;
    }
    (from, to)
}

fn clamp_to_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Display width in terminal columns: 2 per CJK character, 1 for ASCII, tabs as 1.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if c == '\t' { 1 } else { c.width().unwrap_or(0) })
        .sum()
}

/// Full-width punctuation people type with a Chinese input method, and what was meant.
const FULL_WIDTH: &[(char, &str)] = &[
    ('，', ","),
    ('；', ";"),
    ('（', "("),
    ('）', ")"),
    ('“', "\""),
    ('”', "\""),
    ('‘', "\""),
    ('’', "\""),
    ('：', ":"),
    ('｜', "|"),
    ('【', "["),
    ('】', "]"),
    ('！', "!"),
    ('＝', "="),
    ('＞', ">"),
    ('＜', "<"),
    ('\u{3000}', "a normal space"),
];

/// Full-width characters that, right after a name, are more likely a separator or operator typed
/// with a Chinese input method than part of the name (`测试园区，对手园区`).
const FULL_WIDTH_SEPARATORS: &[char] = &['，', '；', '｜', '＝', '＜', '＞', '！', '\u{3000}'];

/// Whether `c` may stand in a bare name (`-` only between two such characters).
fn name_char(c: char) -> bool {
    pest::unicode::XID_CONTINUE(c)
}

/// When the syntax error at `pos` is punctuation glued to the bare name before it (no space
/// between), the name as the writer probably meant it: from the start of that name to the next
/// space, `|`, `;` or `,` (brackets kept balanced, so `(x = 中国(西南))` stops before the last
/// `)`). `None` when no bare name ends at `pos`, when that "name" is a keyword, or when the
/// token at `pos` is a word, a space or a full-width separator.
fn glued_name(text: &str, pos: usize) -> Option<&str> {
    let pos = clamp_to_char(text, pos);
    let first = text[pos..].chars().next()?;
    if first.is_whitespace()
        || name_char(first)
        || FULL_WIDTH_SEPARATORS.contains(&first)
        || first == BOM
        || path_arrow(&text[pos..])
    {
        return None;
    }
    // Back over the bare name: word characters and inner `-`.
    let start = text[..pos]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| name_char(c) || c == '-')
        .last()
        .map_or(pos, |(i, _)| i);
    let start = start + text[start..pos].len() - text[start..pos].trim_start_matches('-').len();
    let word = &text[start..pos];
    let head = word.split('-').next().unwrap_or(word);
    if !word
        .chars()
        .next()
        .is_some_and(|c| c == '_' || pest::unicode::XID_START(c))
        || is_keyword(head)
    {
        return None;
    }
    // Forward to the end of what was meant as one name.
    let mut depth = 0usize;
    let mut end = text.len();
    for (i, c) in text[pos..].char_indices() {
        // A path step (`锂电池 -[SUPPLIES]->`) is query syntax, never part of a name.
        if depth == 0 && path_arrow(&text[pos + i..]) {
            end = pos + i;
            break;
        }
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' if depth == 0 => {
                end = pos + i;
                break;
            }
            ')' | '）' | ']' | '】' => depth -= 1,
            '|' | ';' | ',' | '，' | '；' | '｜' => {
                end = pos + i;
                break;
            }
            c if c.is_whitespace() => {
                end = pos + i;
                break;
            }
            _ => {}
        }
    }
    (end > pos).then(|| &text[start..end])
}

/// Whether `rest` starts with the opening of a path step, `-[` or `<-[`.
fn path_arrow(rest: &str) -> bool {
    rest.starts_with("-[") || rest.starts_with("<-[")
}

/// The bare name that starts at `pos` as the writer meant it: word characters with single `-`
/// between them (`in-park`, `YXGX-T4-006`).
fn bare_run(text: &str, pos: usize) -> &str {
    let rest = &text[pos..];
    let mut end = 0;
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_word = chars.peek().is_some_and(|&(_, n)| name_char(n));
        if name_char(c) || (c == '-' && i > 0 && next_is_word) {
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    &rest[..end]
}

/// Where a name was expected and what stands there is a name that cannot be written bare — a
/// keyword (`in`, `in-park`), or text that begins with `-` or a digit (`-YXGX`, `3M`) — the
/// hint that quotes it.
fn unquoted_name(
    text: &str,
    pos: usize,
    found: &str,
    expected: &[&str],
) -> Option<(String, String)> {
    if !expected
        .iter()
        .any(|w| w.starts_with("a name") || w.starts_with("a place"))
    {
        return None;
    }
    let first = found.chars().next()?;
    if first == '-' {
        let name = bare_run(text, pos + 1);
        return (!name.is_empty()).then(|| {
            let quoted = quote(&text[pos..pos + 1 + name.len()]);
            (
                format!("a bare name cannot begin with `-`: write it in double quotes, {quoted}"),
                format!("不加引号的名称不能以 `-` 开头：请加双引号，{quoted}"),
            )
        });
    }
    let name = bare_run(text, pos);
    if is_keyword(found) {
        // A lone keyword followed by more of the query (`status in 玉溪高新区`) is more likely
        // a missing name than a name spelled like a keyword: no hint then.
        let after = text[pos + name.len()..].trim_start();
        let ends =
            after.is_empty() || after.starts_with(['|', ';', ',', ')']) || after.starts_with("--");
        if name == found && !ends {
            return None;
        }
        let quoted = quote(name);
        return Some(if name == found {
            (
                format!("`{found}` is a keyword; as a name it needs double quotes: {quoted}"),
                format!("`{found}` 是关键字；作名称时要加双引号：{quoted}"),
            )
        } else {
            (
                format!(
                    "`{name}` begins with the keyword `{found}`: write the name in double quotes, {quoted}"
                ),
                format!("`{name}` 以关键字 `{found}` 开头：请给名称加双引号，{quoted}"),
            )
        });
    }
    if first.is_ascii_digit() {
        let quoted = quote(name);
        return Some((
            format!("a bare name cannot begin with a digit: write it in double quotes, {quoted}"),
            format!("不加引号的名称不能以数字开头：请加双引号，{quoted}"),
        ));
    }
    None
}

/// The token at `pos`: a word (letters, digits, Chinese) or one other character.
fn token_at(text: &str, pos: usize) -> &str {
    let pos = clamp_to_char(text, pos);
    let rest = &text[pos..];
    let word_end = rest
        .char_indices()
        .find(|(_, c)| !(pest::unicode::XID_CONTINUE(*c)))
        .map_or(rest.len(), |(i, _)| i);
    if word_end > 0 {
        &rest[..word_end]
    } else {
        rest.chars().next().map_or("", |c| &rest[..c.len_utf8()])
    }
}

/// A syntax error at byte `pos`: "expected …, found …", with hints for full-width punctuation
/// and for a mistyped keyword.
pub fn expected_words(text: &str, pos: usize, words: &[&str]) -> QueryError {
    let mut uniq: Vec<&str> = Vec::new();
    for w in words {
        if !uniq.contains(w) {
            uniq.push(w);
        }
    }
    let expected = match uniq.len() {
        0 => "something else".to_string(),
        1 => uniq[0].to_string(),
        n => format!("{} or {}", uniq[..n - 1].join(", "), uniq[n - 1]),
    };
    let found = token_at(text, pos);
    let found_text = if found.is_empty() {
        "the end of the query".to_string()
    } else if found.starts_with(BOM) {
        // Invisible between backquotes: say what it is.
        "U+FEFF (an invisible byte-order mark)".to_string()
    } else {
        format!("`{found}`")
    };
    let span = Span {
        start: pos,
        end: pos + found.len(),
    };
    let zh_words: Vec<String> = uniq.iter().map(|w| expected_zh(w)).collect();
    let expected_zh = match zh_words.len() {
        0 => "别的内容".to_string(),
        1 => zh_words[0].clone(),
        n => format!("{} 或 {}", zh_words[..n - 1].join("、"), zh_words[n - 1]),
    };
    let found_zh = if found.is_empty() {
        "语句却已结束".to_string()
    } else if found.starts_with(BOM) {
        "却是 U+FEFF（看不见的字节顺序标记）".to_string()
    } else {
        format!("却是 `{found}`")
    };
    let mut err = QueryError::syntax(format!("expected {expected}, found {found_text}"), span)
        .with_zh(format!("这里应为 {expected_zh}，{found_zh}"));
    if found.starts_with(BOM) {
        // Only a leading one is skipped; elsewhere it is a character like any other.
        err = err.with_hints(
            "delete the U+FEFF byte-order mark here: an editor (Notepad, for one) wrote it, and it is skipped only at the very start of a script",
            "删除这里的 U+FEFF 字节顺序标记：它是编辑器（例如记事本）写入的，只在脚本最开头才会被跳过",
        );
    } else if let Some(name) = glued_name(text, pos) {
        // `中国（西南）玉溪国际物流港`, `电子/通讯产业园`: the punctuation belongs to the name.
        err = err.with_hints(
            format!("names with punctuation need double quotes: {}", quote(name)),
            format!("带标点的名称要加双引号：{}", quote(name)),
        );
    } else if let Some((en, zh)) = unquoted_name(text, pos, found, &uniq) {
        err = err.with_hints(en, zh);
    } else if let Some(c) = found.chars().next()
        && let Some((_, ascii)) = FULL_WIDTH.iter().find(|(f, _)| *f == c)
    {
        let ascii = if ascii.len() == 1 {
            format!("`{ascii}`")
        } else {
            ascii.to_string()
        };
        err = err.with_hints(
            format!("`{c}` is full-width punctuation (Chinese input method); use {ascii} instead"),
            format!("`{c}` 是全角标点（中文输入法）；请改用 {ascii}"),
        );
    } else if found == "\"" && !text[pos + 1..].contains('"') {
        err = err.with_hints(
            "this string is never closed: add the closing `\"`",
            "这个字符串没有结束：补上右引号 `\"`",
        );
    } else if found.chars().next().is_some_and(pest::unicode::XID_START) {
        // A word where a keyword was expected: a mistyped keyword? (Names are suggested later,
        // when the query is resolved against the graph.)
        // Suggest among the keywords that were expected here: those named in backquotes and
        // those listed in "a query (find, chains, …)"-style phrases.
        let mut candidates: Vec<&str> = Vec::new();
        for w in &uniq {
            if let Some(kw) = w.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
                candidates.push(kw);
            } else if let (Some(open), Some(close)) = (w.find('('), w.rfind(')'))
                && (w.starts_with("a query")
                    || w.starts_with("a stage")
                    || w.starts_with("an aggregate"))
            {
                candidates.extend(w[open + 1..close].split(", "));
            }
        }
        candidates.retain(|c| is_keyword(c));
        let sugg = suggest(found, candidates.iter().copied(), 3);
        if !sugg.is_empty() {
            let list: Vec<String> = sugg.iter().map(|s| format!("`{s}`")).collect();
            err = err.with_hints(
                format!("did you mean {}?", list.join(" or ")),
                format!("是不是 {}？", list.join(" 或 ")),
            );
        }
    }
    err
}

/// An English keyword with its Chinese spelling, if it has one: `where`/`筛选`.
fn keyword_both(kw: &str) -> String {
    match keywords::TABLE
        .iter()
        .find(|(_, words)| words.first() == Some(&kw))
        .and_then(|(_, words)| words.get(1))
    {
        Some(zh) => format!("`{kw}`/`{zh}`"),
        None => format!("`{kw}`"),
    }
}

/// One item of "expected …" (the phrases of `parse::expected`) in Chinese.
fn expected_zh(w: &str) -> String {
    if let Some(kw) = w.strip_prefix('`').and_then(|r| r.strip_suffix('`'))
        && is_keyword(kw)
    {
        return keyword_both(kw);
    }
    for (prefix, zh) in [
        ("a query (", "查询来源"),
        ("a stage (", "步骤"),
        ("an aggregate (", "聚合"),
    ] {
        if let Some(list) = w.strip_prefix(prefix).and_then(|r| r.strip_suffix(')')) {
            let words: Vec<String> = list.split(", ").map(keyword_both).collect();
            return format!("{zh}（{}）", words.join("、"));
        }
    }
    match w {
        "end of query" => "语句结束",
        "a name" => "名称",
        "a column" => "列名",
        "a place (a name, `all parks` or `all regions`)" => {
            "地方（名称、`all parks`/`所有 园区` 或 `all regions`/`所有 地区`）"
        }
        "a status or stage" => "状态或阶段",
        "a text (one word, or in quotes)" => "文字（一个词，或加引号）",
        "a date like 2026-12-06" => "日期，如 2026-12-06",
        "a whole number" => "整数",
        "a number" => "数字",
        "a value or column" => "值或列名",
        "a condition" => "条件",
        "a comparison (=, !=, <, <=, >, >=)" => "比较符（=、!=、<、<=、>、>=）",
        "a list in brackets, like [a, b]" => "方括号里的列表，如 [a, b]",
        "`depth`, `chain` or `in`" => "`depth`/`深度`、`chain`/`链` 或 `in`/`在`",
        "a step such as -[SUPPLIES]->(Segment) or <-[PRODUCES]-(Enterprise)" => {
            "路径的一步，如 -[SUPPLIES]->(Segment) 或 <-[PRODUCES]-(Enterprise)"
        }
        "a node pattern in parentheses, like (Segment) or ()" => {
            "括号里的节点模式，如 (Segment) 或 ()"
        }
        "an edge kind such as SUPPLIES" => "边的种类，如 SUPPLIES",
        "a hop count like *2 or *1..3" => "跳数，如 *2 或 *1..3",
        other => other,
    }
    .to_string()
}

/// "did you mean" in Chinese: "，是不是 A、B？", or nothing without suggestions.
pub fn did_you_mean_zh(suggestions: &[&str]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("，是不是 {}？", suggestions.join("、"))
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
