//! Text → AST: runs the pest grammar (`grammar/chainkb.pest`) and turns its pairs into `ast`.
//!
//! Input is untrusted (typed in a REPL, read from files), so parsing is bounded before pest
//! sees it: a maximum length and bracket depth (pest recurses per nesting level), and pest's own
//! call limit. Syntax errors become `QueryError`s with plain-word expectations.

use super::ast::*;
use super::error::{QueryError, expected_words};
use super::keywords;
use pest::Parser;
use pest::iterators::Pair;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

mod build;
mod expr;

use build::*;
pub(super) use build::{name, span_of};
use expr::*;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/chainkb.pest"]
struct ChainkbParser;

/// Longest statement text accepted, in bytes.
pub const MAX_INPUT: usize = 64 * 1024;
/// Deepest nesting of ( and [ accepted.
pub const MAX_NESTING: usize = 64;
/// Most levels of `not`, `and` and `or` inside one another in one condition (`not not a = 1` has
/// two): the AST, its plan and their printing and evaluation recurse once per level.
pub const MAX_CONDITION_DEPTH: usize = 128;
/// pest's call limit: far above any real query, low enough to stop pathological input fast.
const CALL_LIMIT: usize = 5_000_000;

/// A statement with the byte range it occupies in the text it came from.
#[derive(Debug)]
pub struct Parsed {
    pub statement: Statement,
    pub span: Span,
}

/// The byte-order mark some editors (Notepad on Chinese Windows) write at the start of a file.
pub const BOM: char = '\u{FEFF}';

/// `text` with a leading byte-order mark blanked out: three spaces in its three bytes, so that
/// spans still point into the text as given (and errors render over it).
fn without_bom(text: &str) -> std::borrow::Cow<'_, str> {
    match text.strip_prefix(BOM) {
        Some(rest) => format!("{:width$}{rest}", "", width = BOM.len_utf8()).into(),
        None => text.into(),
    }
}

/// Parse exactly one statement (a trailing `;` is allowed; a leading byte-order mark is
/// skipped).
pub fn parse(text: &str) -> Result<Statement, QueryError> {
    let text = &*without_bom(text);
    let pairs = run(Rule::query, text)?;
    let mut out = None;
    for p in pairs.into_iter().flat_map(|p| p.into_inner()) {
        if p.as_rule() == Rule::statement {
            out = Some(statement(p)?);
        }
    }
    out.ok_or_else(|| {
        QueryError::syntax(
            "empty query: expected a query such as `status 锂电池 in 玉溪高新区`",
            Span { start: 0, end: 0 },
        )
    })
}

/// Parse statements separated by `;` (a leading byte-order mark is skipped); any error fails
/// the whole script.
pub fn parse_script(text: &str) -> Result<Vec<Parsed>, QueryError> {
    match parse_script_until_error(text) {
        (statements, None) => Ok(statements),
        (_, Some(e)) => Err(e),
    }
}

/// Parse statements separated by `;` up to the first error: the statements before the one
/// that holds the error, and the error. Spans are relative to the whole text. Errors about the
/// input as a whole (too long, nested too deep) come with no statements.
pub fn parse_script_until_error(text: &str) -> (Vec<Parsed>, Option<QueryError>) {
    let text = &*without_bom(text);
    if let Err(e) = precheck(text) {
        return (Vec::new(), Some(e));
    }
    let err = match run(Rule::script, text) {
        Ok(pairs) => match statements(pairs) {
            (out, None) => return (out, None),
            // An error while building the AST of a statement: the ones before it stand.
            (out, Some(e)) => return (out, Some(e)),
        },
        Err(e) => e,
    };
    // A syntax error: the statements before the one it is in parse on their own, since no
    // token reaches over a `;` outside quotes and comments.
    let Some(at) = err.span.map(|s| s.start) else {
        return (Vec::new(), Some(err));
    };
    let end = statement_start(text, at);
    if end == 0 {
        return (Vec::new(), Some(err));
    }
    match run(Rule::script, &text[..end]).map(statements) {
        Ok((out, None)) => (out, Some(err)),
        // Cannot happen (the prefix parsed as part of the whole text); be safe: run nothing.
        _ => (Vec::new(), Some(err)),
    }
}

/// A statement (or an error) with the time its parse took.
pub type Timed<T> = (T, Duration);

/// [`parse_script_until_error`], with the time each statement took to parse: each is parsed
/// on its own, cut at the `;` outside quotes and comments (the grammar lets no token reach over
/// one), spans still relative to the whole text. When any part fails, the whole text is parsed
/// as [`parse_script_until_error`] does, so errors are the same; the error then carries that
/// parse's time.
pub fn parse_script_timed(text: &str) -> (Vec<Timed<Parsed>>, Option<Timed<QueryError>>) {
    let t0 = Instant::now();
    let text = &*without_bom(text);
    if let Err(e) = precheck(text) {
        return (Vec::new(), Some((e, t0.elapsed())));
    }
    let mut out: Vec<(Parsed, Duration)> = Vec::new();
    let mut start = 0;
    let ends = code_chars(text)
        .filter(|&(_, c)| c == ';')
        .map(|(i, _)| i)
        .chain([text.len()]);
    for end in ends {
        let t = Instant::now();
        let base = Based::new(start);
        // `chunk`: the same as `script` on text with no `;` outside quotes and comments.
        let parsed = run(Rule::chunk, &text[start..end]).map(statements);
        match parsed {
            Ok((statements, None)) => {
                let took = t.elapsed();
                out.extend(statements.into_iter().map(|p| (p, took)));
            }
            _ => {
                drop(base);
                let t = Instant::now();
                let (all, err) = parse_script_until_error(text);
                let took = t.elapsed();
                let timed = all
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| (p, out.get(i).map_or(took, |o| o.1)))
                    .collect();
                return (timed, err.map(|e| (e, took)));
            }
        }
        start = end + 1;
    }
    (out, None)
}

/// The statements of a parsed script, up to the first one whose AST cannot be built.
fn statements(pairs: pest::iterators::Pairs<'_, Rule>) -> (Vec<Parsed>, Option<QueryError>) {
    let mut out = Vec::new();
    for p in pairs.into_iter().flat_map(|p| p.into_inner()) {
        if p.as_rule() == Rule::statement {
            let span = span_of(&p);
            match statement(p) {
                Ok(statement) => out.push(Parsed { statement, span }),
                Err(e) => return (out, Some(e)),
            }
        }
    }
    (out, None)
}

/// Where the statement holding byte `pos` starts: just after the last `;` before `pos` that is
/// outside double quotes and `--` comments (0 when there is none).
fn statement_start(text: &str, pos: usize) -> usize {
    code_chars(text)
        .take_while(|&(i, _)| i < pos)
        .filter(|&(_, c)| c == ';')
        .last()
        .map_or(0, |(i, _)| i + 1)
}

/// The characters of `text` outside `--` comments, with their byte offsets and whether they
/// belong to a double-quoted string (its quotes included).
fn chars_outside_comments(text: &str) -> impl Iterator<Item = (usize, char, bool)> + '_ {
    let mut in_string = false;
    let mut escaped = false;
    let mut in_comment = false;
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((i, c)) = chars.next() {
            if in_comment {
                in_comment = c != '\n';
            } else if in_string {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_string = false,
                    _ => {}
                }
                return Some((i, c, true));
            } else if c == '"' {
                in_string = true;
                return Some((i, c, true));
            } else if c == '-' && chars.peek().is_some_and(|&(_, n)| n == '-') {
                in_comment = true;
            } else {
                return Some((i, c, false));
            }
        }
        None
    })
}

/// The characters of `text` outside double-quoted strings and `--` comments, with their byte
/// offsets: what statement boundaries and bracket depth are counted over.
fn code_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    chars_outside_comments(text)
        .filter(|&(_, _, in_string)| !in_string)
        .map(|(i, c, _)| (i, c))
}

/// A statement without its `--` comments, on one line (runs of whitespace become one space):
/// the name an export gives its sheet.
pub fn without_comments(text: &str) -> String {
    let kept: String = chars_outside_comments(text).map(|(_, c, _)| c).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name as it must be typed in a query: bare when the grammar reads it as one name (not a
/// keyword), else in double quotes (`"中国（西南）玉溪国际物流港"`), so completion inserts text
/// that parses.
pub fn quoted_if_needed(name: &str) -> String {
    quoted_unless_whole(Rule::ident, name)
}

/// A column name as it can be typed: bare when it reads as one word (a keyword is fine where a
/// column stands: `sort status`), else quoted.
pub fn column_text(column: &str) -> String {
    quoted_unless_whole(Rule::word, column)
}

/// `text` bare when `rule` reads all of it, else as a query string.
fn quoted_unless_whole(rule: Rule, text: &str) -> String {
    let bare = ChainkbParser::parse(rule, text)
        .ok()
        .and_then(|mut p| p.next())
        .is_some_and(|p| p.as_span().end() == text.len());
    if bare {
        text.to_string()
    } else {
        format!("\"{}\"", string_body(text))
    }
}

/// The inside of a query string holding `text`: backslashes and double quotes escaped.
pub fn string_body(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn run(rule: Rule, text: &str) -> Result<pest::iterators::Pairs<'_, Rule>, QueryError> {
    precheck(text)?;
    pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT));
    ChainkbParser::parse(rule, text).map_err(|e| syntax_error(text, e))
}

/// Refuse input that could make the recursive-descent parser recurse too deep.
fn precheck(text: &str) -> Result<(), QueryError> {
    if text.len() > MAX_INPUT {
        return Err(QueryError::syntax(
            format!("query too long: {} bytes (at most {MAX_INPUT})", text.len()),
            Span {
                start: MAX_INPUT.min(text.len()),
                end: text.len(),
            },
        ));
    }
    // No bracket at all (most statements): nothing can nest.
    if !text.bytes().any(|b| b == b'(' || b == b'[') {
        return Ok(());
    }
    let mut depth = 0usize;
    for (i, c) in code_chars(text) {
        match c {
            '(' | '[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(QueryError::syntax(
                        format!("brackets nested too deep (at most {MAX_NESTING} levels)"),
                        Span {
                            start: i,
                            end: i + 1,
                        },
                    ));
                }
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn syntax_error(text: &str, e: pest::error::Error<Rule>) -> QueryError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let (positives, call_limit) = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => (positives.clone(), false),
        // pest with its `std` feature stops short of the end of the stack (with 64 KiB left)
        // rather than overflow it. chainkb builds pest without it (Cargo.toml: that check, at
        // every rule call, was a fifth of a statement's parse), since `precheck` bounds the
        // nesting so that the deepest accepted input parses on any thread with a normal stack;
        // this stays for a build where another crate turns the feature on.
        pest::error::ErrorVariant::CustomError { message } if message.contains("stack limit") => {
            return QueryError::syntax(
                "query nested too deep to parse (the parser ran short of stack here)",
                Span {
                    start: pos,
                    end: (pos + 1).min(text.len()),
                },
            );
        }
        pest::error::ErrorVariant::CustomError { message } => {
            (Vec::new(), message.contains("call limit"))
        }
    };
    if call_limit {
        return QueryError::syntax(
            "query too complex to parse (pest call limit reached)",
            Span {
                start: 0,
                end: text.len(),
            },
        );
    }
    if let Some(e) = bad_escape(text, pos) {
        return e;
    }
    let words = expected(&positives);
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    expected_words(text, pos, &refs)
}

/// The escapes a quoted string may hold (`str_inner` in the grammar).
const VALID_ESCAPES: &str = "valid escapes inside double quotes: `\\\"` (a quote), `\\\\` (a backslash), `\\n` (a new line), `\\t` (a tab)";

/// A quoted string at `pos` that the grammar refused because of an escape it does not know
/// (`"\x"`): name the escape and list the valid ones. `None` when the string at `pos` has no bad
/// escape (or there is no string there).
fn bad_escape(text: &str, pos: usize) -> Option<QueryError> {
    let start = pos + 1;
    let rest = text.get(pos..)?.strip_prefix('"')?;
    let mut it = rest.char_indices();
    while let Some((i, c)) = it.next() {
        match c {
            '"' => return None,
            '\\' => match it.next() {
                Some((_, '"' | '\\' | 'n' | 't')) => {}
                Some((j, e)) => {
                    let span = Span {
                        start: start + i,
                        end: start + j + e.len_utf8(),
                    };
                    return Some(
                        QueryError::syntax(
                            format!("`\\{e}` is not a valid escape in a quoted string"),
                            span,
                        )
                        .with_hint(VALID_ESCAPES),
                    );
                }
                // A backslash at the very end: the string is never closed.
                None => return None,
            },
            _ => {}
        }
    }
    None
}

const QUERY_WORDS: &str = "a query (find, chains, segments, enterprises, parks, projects, industries, regions, upstream, downstream, status, fill, extend, strengthen, build, compare, paths)";
const STAGE_WORDS: &str =
    "a stage (where, sort, limit, select, distinct, group, expand, targets, producers)";
const AGG_WORDS: &str = "an aggregate (count, sum, min, max, avg, collect)";

/// What pest expected, in plain words: the keywords that start a query, a stage or an
/// aggregate collapse into one phrase each; other keywords print as themselves.
fn expected(positives: &[Rule]) -> Vec<String> {
    // Keyword rules are told apart by name, through the keyword table; the other rules that
    // stand for the start of a query, a stage or an aggregate are listed here.
    let rule_name = |r: &Rule| format!("{r:?}");
    let query_start = |r: &Rule| {
        matches!(
            r,
            Rule::statement
                | Rule::source
                | Rule::list_kind
                | Rule::query
                | Rule::script
                | Rule::chunk
                | Rule::write_stmt
                | Rule::move_project
                | Rule::move_prospect
                | Rule::add_prospect
                | Rule::add_entity
                | Rule::note_write
        ) || keywords::SOURCES.contains(&rule_name(r).as_str())
    };
    let stage_start =
        |r: &Rule| *r == Rule::stage || keywords::STAGES.contains(&rule_name(r).as_str());
    let agg_start = |r: &Rule| {
        matches!(r, Rule::agg | Rule::aggs | Rule::agg_fn)
            || keywords::AGGREGATES.contains(&rule_name(r).as_str())
    };
    let mut out: Vec<String> = Vec::new();
    let mut push = |w: String| {
        if !out.contains(&w) {
            out.push(w);
        }
    };
    for r in positives {
        if query_start(r) {
            // `parks` after `all`, `project` after `move` are not the start of a statement:
            // a keyword expected where `find` is not is named as itself.
            let name = rule_name(r);
            if let Some(word) = name.strip_prefix("kw_")
                && !positives.contains(&Rule::kw_find)
            {
                let word = keywords::TABLE
                    .iter()
                    .find(|(rule, _)| *rule == name)
                    .and_then(|(_, words)| words.first().copied())
                    .unwrap_or(word);
                push(format!("`{word}`"));
            } else {
                push(QUERY_WORDS.into());
            }
        } else if stage_start(r) {
            push(STAGE_WORDS.into());
        } else if agg_start(r) {
            push(AGG_WORDS.into());
        } else if let Some(kws) = option_keywords(*r) {
            // A write's options are named by their keywords (`reason`, `as`, …).
            for kw in kws {
                let word = keywords::TABLE
                    .iter()
                    .find(|(rule, _)| rule == kw)
                    .and_then(|(_, words)| words.first())
                    .unwrap_or(kw);
                push(format!("`{word}`"));
            }
        } else if let Some(w) = rule_words(*r) {
            push(w.into());
        } else {
            let dbg = format!("{r:?}");
            if let Some(kw) = dbg.strip_prefix("kw_") {
                push(format!("`{kw}`"));
            }
        }
    }
    out
}

/// The keywords that begin the options of a write (and its words for a kind), for
/// "expected …".
fn option_keywords(r: Rule) -> Option<&'static [&'static str]> {
    const COMMON: [&str; 2] = ["kw_reason", "kw_as"];
    Some(match r {
        Rule::write_opt | Rule::reason_opt | Rule::who_opt => &COMMON,
        Rule::prospect_opt => &[
            "kw_chain",
            "kw_in",
            "kw_stage",
            "kw_on",
            "kw_contact",
            "kw_by",
            "kw_reason",
            "kw_as",
        ],
        Rule::add_opt => &["kw_status", "kw_meeting", "kw_source", "kw_reason", "kw_as"],
        Rule::project_kw => &["kw_project", "kw_projects"],
        Rule::entity_kw => &["kw_firm", "kw_enterprises", "kw_project", "kw_projects"],
        _ => return None,
    })
}

/// Grammar rules in plain words, for "expected …". `None` for keywords (named by `expected`)
/// and for rules that are never expected on their own.
fn rule_words(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "end of query",
        Rule::name | Rule::ident | Rule::string | Rule::node_name | Rule::node_word => "a name",
        Rule::column | Rule::word | Rule::agg_arg => "a column",
        Rule::place | Rule::all_parks | Rule::all_regions => {
            "a place (a name, `all parks` or `all regions`)"
        }
        Rule::value => "a status or stage",
        Rule::text => "a text (one word, or in quotes)",
        Rule::date_val | Rule::date => "a date like 2026-12-06",
        Rule::int => "a whole number",
        Rule::number | Rule::float => "a number",
        Rule::operand => "a value or column",
        Rule::expr | Rule::primary | Rule::cond | Rule::not_expr | Rule::and_expr => "a condition",
        Rule::cmp_op => "a comparison (=, !=, <, <=, >, >=)",
        Rule::list => "a list in brackets, like [a, b]",
        // Parsed only to explain that contains takes one value: never offered.
        Rule::contains_list => return None,
        Rule::trav_opt => "`depth`, `chain` or `in`",
        Rule::step | Rule::out_arrow | Rule::in_arrow => {
            "a step such as -[SUPPLIES]->(Segment) or <-[PRODUCES]-(Enterprise)"
        }
        Rule::node_pat => "a node pattern in parentheses, like (Segment) or ()",
        Rule::relation => "an edge kind such as SUPPLIES",
        Rule::hops => "a hop count like *2 or *1..3",
        Rule::sort_key | Rule::select_item => "a column",
        Rule::comma => "`,`",
        Rule::pipe => "`|`",
        Rule::semi => "`;`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        _ => return None,
    })
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
