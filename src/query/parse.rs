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

/// The statements of a parsed script, up to the first one whose AST cannot be built.
fn statements(pairs: pest::iterators::Pairs<'_, Rule>) -> (Vec<Parsed>, Option<QueryError>) {
    let mut out = Vec::new();
    for p in pairs.into_iter().flat_map(|p| p.into_inner()) {
        if p.as_rule() == Rule::statement {
            let s = p.as_span();
            let span = Span {
                start: s.start(),
                end: s.end(),
            };
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
        // pest stops short of the end of the stack (with 64 KiB left) rather than overflow it.
        // `precheck` keeps that from happening on any thread with a normal stack, so this is
        // reached only from a thread with very little of it.
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
const STAGE_WORDS: &str = "a stage (where, sort, limit, select, distinct, group, expand, targets)";
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

// ------------------------------------------------------------------------------------ AST building

pub(super) fn span_of(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span {
        start: s.start(),
        end: s.end(),
    }
}

fn statement(p: Pair<Rule>) -> Result<Statement, QueryError> {
    let mut explain = false;
    let mut source_ast = None;
    let mut stages = Vec::new();
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::kw_explain => explain = true,
            // A write is a statement of its own (the grammar gives it no explain, no stages).
            Rule::write_stmt => {
                source_ast = Some(Source::Write(Box::new(super::parse_write::write(c)?)))
            }
            Rule::source => source_ast = Some(source(c)?),
            Rule::stage => stages.push(stage(c)?),
            _ => {}
        }
    }
    let source = source_ast.ok_or_else(|| QueryError::internal("statement without a source"))?;
    Ok(Statement {
        explain,
        source,
        stages,
    })
}

pub(super) fn name(p: Pair<Rule>) -> Name {
    // name = { string | ident }, column = { string | word }, node_name = { string | node_word }
    let span = span_of(&p);
    let inner = p.into_inner().next();
    let text = match inner {
        Some(i) if i.as_rule() == Rule::string => {
            unescape(i.into_inner().next().map_or("", |s| s.as_str()))
        }
        Some(i) => i.as_str().to_string(),
        None => String::new(),
    };
    Name { text, span }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn int(p: &Pair<Rule>) -> Result<i64, QueryError> {
    p.as_str().parse::<i64>().map_err(|_| {
        QueryError::syntax(format!("number `{}` is too large", p.as_str()), span_of(p))
    })
}

fn number(p: Pair<Rule>) -> Result<f64, QueryError> {
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| QueryError::internal("empty number"))?;
    inner.as_str().parse::<f64>().map_err(|_| {
        QueryError::syntax(
            format!("`{}` is not a number", inner.as_str()),
            span_of(&inner),
        )
    })
}

fn place(p: Pair<Rule>) -> Place {
    let span = span_of(&p);
    match p.into_inner().next() {
        Some(i) if i.as_rule() == Rule::all_parks => Place::AllParks(span_of(&i)),
        Some(i) if i.as_rule() == Rule::all_regions => Place::AllRegions(span_of(&i)),
        Some(i) => Place::Named(name(i)),
        None => Place::AllParks(span),
    }
}

fn source(p: Pair<Rule>) -> Result<Source, QueryError> {
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| QueryError::internal("empty source"))?;
    let rule = inner.as_rule();
    let mut parts: Vec<Pair<Rule>> = inner.into_inner().collect();
    Ok(match rule {
        Rule::find_src => Source::Find(name(parts.remove(1))),
        Rule::list_src => {
            let kind_pair = parts.remove(0);
            let kw = kind_pair.into_inner().next().map(|k| k.as_rule());
            let kind = match kw {
                Some(Rule::kw_chains) => ListKind::Chains,
                Some(Rule::kw_segments) => ListKind::Segments,
                Some(Rule::kw_enterprises) => ListKind::Enterprises,
                Some(Rule::kw_parks) => ListKind::Parks,
                Some(Rule::kw_projects) => ListKind::Projects,
                Some(Rule::kw_industries) => ListKind::Industries,
                Some(Rule::kw_systems) => ListKind::Systems,
                Some(Rule::kw_figures) => ListKind::Figures,
                Some(Rule::kw_catalog) => ListKind::Catalog,
                _ => ListKind::Regions,
            };
            let within = parts
                .into_iter()
                .find(|c| c.as_rule() == Rule::name)
                .map(name);
            Source::List { kind, within }
        }
        Rule::traverse_src => {
            let dir = if parts[0].as_rule() == Rule::kw_upstream {
                Direction::Upstream
            } else {
                Direction::Downstream
            };
            let segment = name(parts.remove(1));
            let mut opts = TraverseOpts {
                depth: None,
                chain: None,
                place: None,
            };
            for o in parts.into_iter().skip(1) {
                let sp = span_of(&o);
                let mut it = o.into_inner();
                let kw = it.next().map(|k| k.as_rule());
                let Some(arg) = it.next() else { continue };
                let dup = |what: &str| QueryError::syntax(format!("`{what}` given twice"), sp);
                match kw {
                    Some(Rule::kw_depth) => {
                        if opts.depth.is_some() {
                            return Err(dup("depth"));
                        }
                        opts.depth = Some((int(&arg)?, span_of(&arg)));
                    }
                    Some(Rule::kw_chain) => {
                        if opts.chain.is_some() {
                            return Err(dup("chain"));
                        }
                        opts.chain = Some(name(arg));
                    }
                    _ => {
                        if opts.place.is_some() {
                            return Err(dup("in"));
                        }
                        opts.place = Some(place(arg));
                    }
                }
            }
            Source::Traverse { dir, segment, opts }
        }
        Rule::status_src => Source::Status {
            chain: name(parts.remove(1)),
            place: place(parts.remove(2)),
        },
        Rule::gap_src => {
            let kind = match parts[0].as_rule() {
                Rule::kw_fill => GapKind::Fill,
                Rule::kw_extend => GapKind::Extend,
                _ => GapKind::Strengthen,
            };
            Source::Gaps {
                kind,
                chain: name(parts.remove(1)),
                place: place(parts.remove(2)),
            }
        }
        Rule::build_src => {
            let inherited = parts.last().map(|p| p.as_rule()) == Some(Rule::kw_inherited);
            let below = match parts.iter().position(|p| p.as_rule() == Rule::number) {
                Some(at) => {
                    let p = parts.remove(at);
                    let span = span_of(&p);
                    Some((number(p)?, span))
                }
                None => None,
            };
            Source::Build {
                place: place(parts.remove(2)),
                below,
                inherited,
            }
        }
        Rule::compare_src => {
            let mut names = parts
                .into_iter()
                .filter(|c| c.as_rule() == Rule::name)
                .map(name);
            let chain = names
                .next()
                .ok_or_else(|| QueryError::internal("compare without a chain"))?;
            Source::Compare {
                chain,
                places: names.collect(),
            }
        }
        Rule::paths_src => {
            let from = name(parts.remove(2));
            let steps = parts
                .into_iter()
                .filter(|c| c.as_rule() == Rule::step)
                .map(step)
                .collect::<Result<Vec<_>, _>>()?;
            Source::Paths { from, steps }
        }
        Rule::partners_src => {
            let mut place = None;
            let mut chain = None;
            let mut depth = None;
            let mut after = None;
            for c in parts {
                match c.as_rule() {
                    Rule::kw_in | Rule::kw_chain | Rule::kw_depth => after = Some(c.as_rule()),
                    Rule::name if after == Some(Rule::kw_in) => place = Some(name(c)),
                    Rule::name => chain = Some(name(c)),
                    Rule::int => depth = Some((int(&c)?, span_of(&c))),
                    _ => {}
                }
            }
            Source::Partners {
                place: place.ok_or_else(|| QueryError::internal("partners without a place"))?,
                chain,
                depth,
            }
        }
        _ => return Err(QueryError::internal("unknown source rule")),
    })
}

fn step(p: Pair<Rule>) -> Result<Step, QueryError> {
    let span = span_of(&p);
    let mut it = p.into_inner();
    let arrow = it
        .next()
        .ok_or_else(|| QueryError::internal("step without arrow"))?;
    let forward = arrow.as_rule() == Rule::out_arrow;
    let mut edge = None;
    let mut hops = None;
    for a in arrow.into_inner() {
        match a.as_rule() {
            Rule::relation => {
                let word = a.as_str();
                edge = Some(
                    crate::model::EdgeKind::ALL
                        .into_iter()
                        .find(|k| k.as_str().eq_ignore_ascii_case(word))
                        .ok_or_else(|| {
                            let all: Vec<&str> = crate::model::EdgeKind::ALL
                                .iter()
                                .map(|k| k.as_str())
                                .collect();
                            let sugg =
                                crate::names::suggest(&word.to_uppercase(), all.iter().copied(), 2);
                            QueryError::syntax(
                                format!(
                                    "unknown edge kind `{word}`{} (edge kinds: {})",
                                    crate::names::did_you_mean(&sugg),
                                    all.join(", ")
                                ),
                                span_of(&a),
                            )
                        })?,
                );
            }
            Rule::hops => {
                let nums: Vec<Pair<Rule>> = a.into_inner().collect();
                let lo = int(&nums[0])?;
                let hi = match nums.get(1) {
                    Some(n) => Some(int(n)?),
                    None => None,
                };
                hops = Some((lo, hi));
            }
            _ => {}
        }
    }
    let pat = it
        .next()
        .ok_or_else(|| QueryError::internal("step without node"))?;
    let names: Vec<Name> = pat
        .into_inner()
        .filter(|c| c.as_rule() == Rule::node_name)
        .map(name)
        .collect();
    let to = match names.len() {
        0 => NodePat {
            kind: None,
            name: None,
        },
        1 => match kind_from_word(&names[0].text).filter(|_| !is_quoted_span(&names[0])) {
            Some(k) => NodePat {
                kind: Some(k),
                name: None,
            },
            None => NodePat {
                kind: None,
                name: names.into_iter().next(),
            },
        },
        _ => {
            let mut names = names.into_iter();
            let first = names
                .next()
                .ok_or_else(|| QueryError::internal("node pattern"))?;
            let kind = kind_from_word(&first.text).ok_or_else(|| {
                let all: Vec<&str> = crate::model::Kind::ALL.iter().map(|k| k.as_str()).collect();
                let sugg = crate::names::suggest(&first.text, all.iter().copied(), 1);
                QueryError::syntax(
                    format!(
                        "`{}` is not a node kind{} (kinds: {})",
                        first.text,
                        crate::names::did_you_mean(&sugg),
                        all.join(", ")
                    ),
                    first.span,
                )
            })?;
            NodePat {
                kind: Some(kind),
                name: names.next(),
            }
        }
    };
    let edge = edge.ok_or_else(|| QueryError::internal("step without edge kind"))?;
    Ok(Step {
        edge,
        forward,
        hops,
        to,
        span,
    })
}

/// Whether a name was written in quotes (its span is two bytes longer than its text would be
/// bare). Used so that `("Segment")` is a name and `(Segment)` a kind.
fn is_quoted_span(n: &Name) -> bool {
    n.span.end - n.span.start != n.text.len()
}

fn stage(p: Pair<Rule>) -> Result<Stage, QueryError> {
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| QueryError::internal("empty stage"))?;
    let rule = inner.as_rule();
    let parts: Vec<Pair<Rule>> = inner.into_inner().collect();
    Ok(match rule {
        Rule::where_st => Stage::Where(expr(
            parts
                .into_iter()
                .nth(1)
                .ok_or_else(|| QueryError::internal("where"))?,
            0,
        )?),
        Rule::sort_st => Stage::Sort(
            parts
                .into_iter()
                .filter(|c| c.as_rule() == Rule::sort_key)
                .map(|k| {
                    let mut it = k.into_inner();
                    let column = it.next().map(name).unwrap_or_else(|| Name::new(""));
                    let desc = it.next().map(|d| d.as_rule() == Rule::kw_desc);
                    SortKey { column, desc }
                })
                .collect(),
        ),
        Rule::limit_st => Stage::Limit(int(&parts[1])?, span_of(&parts[1])),
        Rule::select_st => Stage::Select(
            parts
                .into_iter()
                .filter(|c| c.as_rule() == Rule::select_item)
                .map(|it| {
                    let mut names = it
                        .into_inner()
                        .filter(|c| c.as_rule() == Rule::column)
                        .map(name);
                    let column = names.next().unwrap_or_else(|| Name::new(""));
                    SelectItem {
                        column,
                        alias: names.next(),
                    }
                })
                .collect(),
        ),
        Rule::distinct_st => Stage::Distinct,
        Rule::targets_st => Stage::Targets(span_of(&parts[0])),
        Rule::group_st => {
            let mut by = Vec::new();
            let mut aggs = Vec::new();
            for c in parts {
                match c.as_rule() {
                    Rule::column => by.push(name(c)),
                    Rule::aggs => {
                        for a in c.into_inner().filter(|a| a.as_rule() == Rule::agg) {
                            aggs.push(agg(a));
                        }
                    }
                    _ => {}
                }
            }
            Stage::Group { by, aggs }
        }
        Rule::expand_st => Stage::Expand(name(
            parts
                .into_iter()
                .nth(1)
                .ok_or_else(|| QueryError::internal("expand"))?,
        )),
        _ => return Err(QueryError::internal("unknown stage rule")),
    })
}

fn agg(p: Pair<Rule>) -> Agg {
    let span = span_of(&p);
    let mut func = AggFn::Count;
    let mut column = None;
    let mut alias = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::agg_fn => {
                func = match c.into_inner().next().map(|k| k.as_rule()) {
                    Some(Rule::kw_sum) => AggFn::Sum,
                    Some(Rule::kw_min) => AggFn::Min,
                    Some(Rule::kw_max) => AggFn::Max,
                    Some(Rule::kw_avg) => AggFn::Avg,
                    Some(Rule::kw_collect) => AggFn::Collect,
                    _ => AggFn::Count,
                }
            }
            Rule::agg_arg => column = c.into_inner().next().map(name),
            Rule::column => alias = Some(name(c)),
            _ => {}
        }
    }
    Agg {
        func,
        column,
        alias,
        span,
    }
}

/// A condition's AST (`expr`, `and_expr`, `not_expr` or `primary` in the grammar), `depth`
/// levels of `not` / `and` / `or` below the top of the condition. Bounded by
/// `MAX_CONDITION_DEPTH`: the builder recurses only per bracket (bounded by `precheck`), but a
/// run of `not`s takes no bracket, and planning, execution, printing and dropping the tree
/// recurse once per level.
///
/// Each rule has a small function of its own: in a debug build one function holding them all
/// took 5 KB of stack per call, four calls per bracket level.
fn expr(p: Pair<Rule>, depth: usize) -> Result<Expr, QueryError> {
    match p.as_rule() {
        Rule::expr => joined(p, depth, true),
        Rule::and_expr => joined(p, depth, false),
        Rule::not_expr => negated(p, depth),
        Rule::primary => {
            let c = p
                .into_inner()
                .find(|c| matches!(c.as_rule(), Rule::expr | Rule::cond))
                .ok_or_else(|| QueryError::internal("empty condition"))?;
            expr(c, depth)
        }
        Rule::cond => condition(p),
        _ => Err(QueryError::internal("unexpected expression rule")),
    }
}

/// Parts joined by `or` (`or` true) or by `and`.
fn joined(p: Pair<Rule>, depth: usize, or: bool) -> Result<Expr, QueryError> {
    let (part, joiner) = if or {
        (Rule::and_expr, Rule::kw_or)
    } else {
        (Rule::not_expr, Rule::kw_and)
    };
    let children: Vec<Pair<Rule>> = p.into_inner().collect();
    // An `or` / `and` of two or more parts is a level of its own, hit at its first `or` / `and`.
    let below = match children.iter().find(|c| c.as_rule() == joiner) {
        Some(kw) if or => deeper(depth, kw)?,
        Some(kw) => deeper(depth, kw).map_err(|e| {
            e.with_hint(
                "`| where A and B` is `| where A | where B`: split the condition into stages",
            )
        })?,
        None => depth,
    };
    // A loop, not an iterator chain: in a debug build every adapter is a stack frame of its
    // own, per bracket level.
    let mut items = Vec::new();
    for c in children {
        if c.as_rule() == part {
            items.push(expr(c, below)?);
        }
    }
    Ok(if items.len() == 1 {
        items.remove(0)
    } else if or {
        Expr::Or(items)
    } else {
        Expr::And(items)
    })
}

/// `not not … C`: the `not`s are counted in a loop, each one a level.
fn negated(p: Pair<Rule>, depth: usize) -> Result<Expr, QueryError> {
    let mut nots = 0;
    let mut below = depth;
    let mut inner = None;
    for c in p.into_inner() {
        if c.as_rule() == Rule::kw_not {
            nots += 1;
            below = deeper(below, &c).map_err(|e| {
                if nots > 1 {
                    e.with_hint("`not not C` is the same as C: drop `not`s in pairs")
                } else {
                    e
                }
            })?;
        } else {
            inner = Some(expr(c, below)?);
        }
    }
    let mut e = inner.ok_or_else(|| QueryError::internal("not without operand"))?;
    for _ in 0..nots {
        e = Expr::Not(Box::new(e));
    }
    Ok(e)
}

/// One condition that holds no other (`cond` in the grammar): a comparison, `in`, `contains`,
/// `is null`.
fn condition(p: Pair<Rule>) -> Result<Expr, QueryError> {
    match p.as_rule() {
        Rule::cond => {
            let parts: Vec<Pair<Rule>> = p.into_inner().collect();
            let a = operand(&parts[0])?;
            match parts[1].as_rule() {
                Rule::cmp_op => {
                    let op = match parts[1].as_str() {
                        "=" => CmpOp::Eq,
                        "!=" => CmpOp::Ne,
                        "<" => CmpOp::Lt,
                        "<=" => CmpOp::Le,
                        ">" => CmpOp::Gt,
                        _ => CmpOp::Ge,
                    };
                    Ok(Expr::Cmp(a, op, operand(&parts[2])?))
                }
                Rule::kw_in => {
                    let list = parts[2]
                        .clone()
                        .into_inner()
                        .filter(|o| o.as_rule() == Rule::operand)
                        .map(|o| operand(&o))
                        .collect::<Result<_, _>>()?;
                    Ok(Expr::In(a, list))
                }
                Rule::kw_contains if parts[2].as_rule() == Rule::contains_list => {
                    Err(contains_list(&parts[0], &parts[2]))
                }
                Rule::kw_contains => Ok(Expr::Contains(a, operand(&parts[2])?)),
                _ => Ok(Expr::IsNull(
                    a,
                    parts.iter().any(|c| c.as_rule() == Rule::kw_not),
                )),
            }
        }
        _ => Err(QueryError::internal("unexpected expression rule")),
    }
}

/// The level below `depth` for the `not` / `and` / `or` at `at`, or the error there when it
/// would be deeper than `MAX_CONDITION_DEPTH`.
fn deeper(depth: usize, at: &Pair<Rule>) -> Result<usize, QueryError> {
    if depth < MAX_CONDITION_DEPTH {
        return Ok(depth + 1);
    }
    Err(QueryError::syntax(
        format!(
            "condition nested too deep: more than {MAX_CONDITION_DEPTH} levels of `not`, `and` and `or` inside one another"
        ),
        span_of(at),
    ))
}

/// `COL contains [a, b]`: contains takes one value; the error shows the conditions joined with
/// `or` that test for any of them (`tags contains 上市 or tags contains 链主`).
fn contains_list(left: &Pair<Rule>, list: &Pair<Rule>) -> QueryError {
    let items: Vec<&str> = list
        .clone()
        .into_inner()
        .flat_map(|l| l.into_inner())
        .filter(|o| o.as_rule() == Rule::operand)
        .map(|o| o.as_str())
        .collect();
    let err = QueryError::syntax(
        "contains takes one value on its right, not a list in brackets",
        span_of(list),
    );
    if items.is_empty() {
        return err;
    }
    let left = left.as_str();
    let alternatives: Vec<String> = items
        .iter()
        .map(|x| format!("{left} contains {x}"))
        .collect();
    let joined = alternatives.join(" or ");
    err.with_hint(if alternatives.len() == 1 {
        format!("write `{joined}`")
    } else {
        format!("test each value and join them with `or`: `{joined}`")
    })
}

fn operand(p: &Pair<Rule>) -> Result<Operand, QueryError> {
    let inner = p
        .clone()
        .into_inner()
        .next()
        .ok_or_else(|| QueryError::internal("empty operand"))?;
    Ok(match inner.as_rule() {
        Rule::kw_null => Operand::Null,
        Rule::number => {
            let n = inner
                .into_inner()
                .next()
                .ok_or_else(|| QueryError::internal("number"))?;
            if n.as_rule() == Rule::int {
                Operand::Int(int(&n)?)
            } else {
                Operand::Float(
                    n.as_str()
                        .parse()
                        .map_err(|_| QueryError::syntax("not a number", span_of(&n)))?,
                )
            }
        }
        Rule::string => Operand::Text(unescape(
            inner.into_inner().next().map_or("", |s| s.as_str()),
        )),
        _ => Operand::Ident(Name {
            text: inner.as_str().to_string(),
            span: span_of(&inner),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_spelled_like_any_keyword_prints_quoted_and_reads_back() {
        // `targets` / 目标企业 were missing from the printer's keyword list, so a name spelled
        // like them printed bare and did not read back.
        for kw in keywords::words() {
            let st = parse(&format!("find {}", quote(kw))).expect(kw);
            let printed = st.to_string();
            assert_eq!(parse(&printed).ok(), Some(st), "{kw}: {printed}");
        }
    }

    #[test]
    fn a_mistyped_targets_stage_is_suggested_like_the_other_stages() {
        // The suggestion is drawn from the keyword table, which now holds `targets`.
        let e = parse("fill a in b | targts").expect_err("no such stage");
        assert!(
            e.hints.iter().any(|h| h.contains("did you mean `targets`")),
            "{:?}",
            e.hints
        );
    }

    #[test]
    fn keywords_are_reserved_and_names_are_not() {
        for kw in keywords::words() {
            let q = format!("find {kw}");
            assert!(parse(&q).is_err(), "`{kw}` should be reserved");
            let quoted = format!("find {}", quote(kw));
            assert!(parse(&quoted).is_ok(), "quoted `{kw}` should be a name");
        }
        assert!(parse("find 产业链图谱").is_ok());
        assert!(parse("find industrial").is_ok());
    }

    #[test]
    fn chinese_and_english_keywords_give_the_same_ast() {
        let a = parse("补链 锂电池 在 测试园区 | 排序 dependents desc | 限制 3").unwrap();
        let b = parse("fill 锂电池 in 测试园区 | sort dependents desc | limit 3").unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.to_string(),
            "fill 锂电池 in 测试园区 | sort dependents desc | limit 3"
        );
    }

    #[test]
    fn aggregates_tell_column_from_alias() {
        let s = parse("projects | group by domain with count() as n, sum(investment_yi)").unwrap();
        let Stage::Group { aggs, .. } = &s.stages[0] else {
            panic!()
        };
        assert_eq!(aggs[0].column, None);
        assert_eq!(aggs[0].alias.as_ref().map(|a| a.text.as_str()), Some("n"));
        assert_eq!(
            aggs[1].column.as_ref().map(|a| a.text.as_str()),
            Some("investment_yi")
        );
        assert_eq!(aggs[1].alias, None);
    }

    fn find_name(q: &str) -> String {
        match parse(q).expect("parses").source {
            Source::Find(n) => n.text,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bare_names_hold_a_dash_between_word_characters() {
        assert_eq!(find_name("find YXGX-T4-006"), "YXGX-T4-006");
        assert_eq!(find_name("find 电池-2"), "电池-2");
        let s = parse("projects | where id = HT-T4-01").unwrap();
        assert_eq!(s.to_string(), "projects | where id = HT-T4-01");
        // A `-` not followed by a word character keeps its meaning: comments, path arrows,
        // negative numbers.
        assert_eq!(find_name("find 锂矿--a comment"), "锂矿");
        let s = parse("paths from 锂矿-[SUPPLIES]->(Segment)").unwrap();
        let Source::Paths { from, steps } = &s.source else {
            panic!()
        };
        assert_eq!((from.text.as_str(), steps.len()), ("锂矿", 1));
        let s = parse("upstream 动力电池 depth -1").unwrap();
        let Source::Traverse { opts, .. } = &s.source else {
            panic!()
        };
        assert_eq!(opts.depth.map(|d| d.0), Some(-1));
        let s = parse("chains | where segments>-1").unwrap();
        assert_eq!(s.to_string(), "chains | where segments > -1");
        // Trailing or doubled dashes are no part of a bare name.
        assert!(parse("find YXGX-").is_err());
        assert!(parse("find a--").is_ok(), "a comment after `a`");
        assert!(parse("find -a").is_err());
        // A keyword before a `-` reads as the keyword, so such a name is quoted.
        assert!(!is_bare("in-park"));
        assert!(is_bare("input-1"));
        assert!(parse("find in-park").is_err());
        assert_eq!(find_name(&format!("find {}", quote("in-park"))), "in-park");
        for bare in ["YXGX-T4-006", "a-b-c", "电池-2", "_x-1"] {
            assert!(is_bare(bare), "{bare}");
            assert_eq!(find_name(&format!("find {}", Name::new(bare))), bare);
        }
        for quoted in ["a-", "-a", "a--b", "a -b", "a-(b)"] {
            assert!(!is_bare(quoted), "{quoted}");
            assert_eq!(find_name(&format!("find {}", Name::new(quoted))), quoted);
        }
    }

    fn node_pattern(q: &str) -> NodePat {
        let s = parse(q).expect("parses");
        let Source::Paths { steps, .. } = s.source else {
            panic!()
        };
        steps[0].to.clone()
    }

    #[test]
    fn node_kinds_in_chinese_are_kinds_even_where_they_are_keywords() {
        use crate::model::Kind;
        for (word, kind) in [
            ("环节", Kind::Segment),
            ("企业", Kind::Enterprise),
            ("园区", Kind::Park),
            ("产业", Kind::Industry),
            ("产业链", Kind::Chain),
            ("项目", Kind::Project),
            ("行政区", Kind::Region),
            ("segment", Kind::Segment),
        ] {
            let p = node_pattern(&format!("paths from 锂矿 -[SUPPLIES]->({word})"));
            assert_eq!((p.kind, p.name), (Some(kind), None), "{word}");
            let p = node_pattern(&format!("paths from 锂矿 <-[PRODUCES]-({word} 恩捷)"));
            assert_eq!(p.kind, Some(kind), "{word}");
            assert_eq!(p.name.map(|n| n.text), Some("恩捷".to_string()));
        }
        // Quoted, it is a name; and the AST prints it quoted again.
        let s = parse("paths from 锂矿 -[SUPPLIES]->(\"环节\")").unwrap();
        let Source::Paths { steps, .. } = &s.source else {
            panic!()
        };
        assert_eq!(steps[0].to.kind, None);
        assert_eq!(parse(&s.to_string()).unwrap(), s);
        assert_eq!(
            parse("paths from 锂矿 -[SUPPLIES]->(环节)")
                .unwrap()
                .to_string(),
            "paths from 锂矿 -[SUPPLIES]->(Segment)"
        );
    }

    #[test]
    fn an_unknown_escape_is_named_with_the_valid_ones() {
        let e = parse(r#"find "\x""#).unwrap_err();
        assert_eq!(e.message, r"`\x` is not a valid escape in a quoted string");
        assert_eq!(e.span.map(|s| (s.start, s.end)), Some((6, 8)));
        assert!(e.hints[0].contains(r#"`\"`"#), "{:?}", e.hints);
        // Valid escapes before the bad one are skipped; the span is the bad one.
        let text = r#"chains | where name = "a\"b\\c\q""#;
        let e = parse(text).unwrap_err();
        let span = e.span.unwrap();
        assert_eq!(&text[span.start..span.end], r"\q");
        // An unclosed string is still reported as such.
        let e = parse(r#"find "abc"#).unwrap_err();
        assert!(e.hints[0].contains("never closed"), "{:?}", e.hints);
        assert!(parse(r#"find "a\"b\\c\n\t""#).is_ok());
    }

    #[test]
    fn code_is_what_lies_outside_strings_and_comments() {
        let text = "find \"a;(b\\\"\" -- c;(\nchains; x-y";
        let code: String = code_chars(text).map(|(_, c)| c).collect();
        assert_eq!(code, "find  chains; x-y");
        assert_eq!(
            statement_start(text, text.len()),
            text.find("; x").unwrap() + 1
        );
        // brackets in strings and comments do not nest
        let deep = format!("find \"{}\" -- {}", "(".repeat(100), "[".repeat(100));
        assert!(precheck(&deep).is_ok());
    }

    #[test]
    fn a_script_parses_up_to_its_first_error() {
        let text = "chains; regions | where name != \"a;b\" -- c;d\n; parks | wher x; chains";
        let (done, err) = parse_script_until_error(text);
        assert_eq!(done.len(), 2);
        assert_eq!(
            done[1].statement.to_string(),
            "regions | where name != \"a;b\""
        );
        let at = err.expect("an error").span.expect("a span").start;
        assert_eq!(&text[at..at + 4], "wher");
        // An error in the first statement, or one that the AST builder finds, runs nothing
        // after it; a script without errors is whole.
        assert_eq!(
            parse_script_until_error("chains | limit; regions").0.len(),
            0
        );
        let (done, err) =
            parse_script_until_error("chains; regions | limit 99999999999999999999; parks");
        assert_eq!((done.len(), err.is_some()), (1, true));
        let (done, err) = parse_script_until_error("chains; regions;");
        assert_eq!((done.len(), err.is_none()), (2, true));
        // `;` and `"` inside comments and strings split nothing.
        assert_eq!(statement_start("a; b \"c;\\\"d\" -- e;\"f\n g", 1000), 2);
        assert_eq!(statement_start("a; b", 1), 0);
        assert_eq!(statement_start("a;b", 2), 2);
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped_and_spans_stay_put() {
        let bom = "\u{feff}chains | where name = 锂电池";
        assert_eq!(
            parse(bom).unwrap(),
            parse("chains | where name = 锂电池").unwrap()
        );
        assert_eq!(parse_script(bom).unwrap().len(), 1);
        // Spans point into the text as given, and the error renders without the mark.
        let text = "\u{feff}chains | wher";
        let e = parse(text).unwrap_err();
        let span = e.span.unwrap();
        assert_eq!(&text[span.start..span.end], "wher");
        assert!(
            e.render(text).starts_with("error: line 1, column 10:"),
            "{}",
            e.render(text)
        );
        assert!(e.render(text).contains("\n1 | chains | wher\n"));
        // Elsewhere it is an error that names it.
        let e = parse("chains \u{feff}| limit 1").unwrap_err();
        assert!(e.message.contains("U+FEFF"), "{}", e.message);
        assert!(
            e.hints[0].contains("U+FEFF byte-order mark"),
            "{:?}",
            e.hints
        );
    }

    #[test]
    fn contains_with_a_list_shows_the_or_meant() {
        let e = parse("enterprises | where tags contains [上市, \"链主\"]").unwrap_err();
        assert_eq!(e.kind, super::super::ErrorKind::Syntax);
        assert_eq!(
            e.hints,
            vec!["test each value and join them with `or`: `tags contains 上市 or tags contains \"链主\"`".to_string()]
        );
        // Where a value is missing, a list is not offered.
        let e = parse("enterprises | where tags contains )").unwrap_err();
        assert_eq!(e.message, "expected a value or column, found `)`");
    }

    #[test]
    fn nesting_and_length_are_bounded() {
        let deep = format!(
            "chains | where {}a = 1{}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert!(
            parse(&deep)
                .unwrap_err()
                .message
                .contains("nested too deep")
        );
        let long = format!("find {}", "长".repeat(MAX_INPUT));
        assert!(parse(&long).unwrap_err().message.contains("too long"));
    }

    /// The byte offset of the `n`th (1-based) whole word `word` in `text`.
    fn nth_word(text: &str, word: &str, n: usize) -> usize {
        text.match_indices(word)
            .filter(|&(i, _)| {
                let before = text[..i].chars().next_back();
                let after = text[i + word.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
            .nth(n - 1)
            .map(|(i, _)| i)
            .expect("word")
    }

    #[test]
    fn a_run_of_nots_is_bounded_at_the_not_that_goes_too_deep() {
        let nots = |n: usize| format!("enterprises | where {}name = \"x\"", "not ".repeat(n));
        let ok = parse(&nots(MAX_CONDITION_DEPTH)).expect("the deepest condition parses");
        assert_eq!(ok.to_string(), nots(MAX_CONDITION_DEPTH));
        // 7,500 `not`s (30 KB, under the input cap) once overflowed the stack in planning.
        for n in [MAX_CONDITION_DEPTH + 1, 7_500] {
            let text = nots(n);
            assert!(text.len() <= MAX_INPUT);
            let e = parse(&text).unwrap_err();
            assert!(
                e.message.contains("condition nested too deep"),
                "{}",
                e.message
            );
            let span = e.span.expect("a span");
            let at = nth_word(&text, "not", MAX_CONDITION_DEPTH + 1);
            assert_eq!((span.start, span.end), (at, at + 3));
            assert!(
                e.hints[0].contains("`not not C` is the same as C"),
                "{:?}",
                e.hints
            );
            // The same bound in Chinese, and in a script (the statement before it stands).
            let zh = text.replace("not ", "非 ");
            let e = parse(&zh).unwrap_err();
            assert_eq!(
                e.span.map(|s| s.start),
                Some(nth_word(&zh, "非", MAX_CONDITION_DEPTH + 1))
            );
            let (done, err) = parse_script_until_error(&format!("chains; {text}"));
            assert_eq!(done.len(), 1);
            assert!(err.expect("an error").message.contains("nested too deep"));
        }
    }

    #[test]
    fn and_or_levels_count_towards_the_bound_at_their_first_keyword() {
        let d = MAX_CONDITION_DEPTH;
        // `not`s then one `and` group: the group is a level of its own.
        let text = |nots: usize, joiner: &str| {
            format!(
                "enterprises | where {}(name = \"a\" {joiner} name = \"b\" {joiner} name = \"c\")",
                "not ".repeat(nots)
            )
        };
        assert!(parse(&text(d - 1, "and")).is_ok());
        assert!(parse(&text(d - 1, "or")).is_ok());
        for joiner in ["and", "or"] {
            let q = text(d, joiner);
            let e = parse(&q).unwrap_err();
            let at = nth_word(&q, joiner, 1);
            assert_eq!(
                e.span.map(|s| (s.start, s.end)),
                Some((at, at + joiner.len())),
                "{q}"
            );
            // Only an `and` can be split into stages.
            assert_eq!(
                e.hints.iter().any(|h| h.contains("| where A | where B")),
                joiner == "and",
                "{:?}",
                e.hints
            );
        }
        // Brackets alone add no level; `a or b and (…)` adds two per bracket: 63 brackets
        // inside the top level make 128 levels, one `not` more is too deep.
        let mut groups = String::from("name = \"z\"");
        for i in 0..d / 2 {
            groups = if i == 0 {
                format!("name = \"a\" or name = \"b\" and {groups}")
            } else {
                format!("name = \"a\" or name = \"b\" and ({groups})")
            };
        }
        let q = format!("enterprises | where {groups}");
        assert!(parse(&q).is_ok(), "{q}");
        let q = format!("enterprises | where not ({groups})");
        let Err(e) = parse(&q) else {
            panic!("a condition {} levels deep parsed", d + 1)
        };
        assert!(
            e.message.contains("condition nested too deep"),
            "{}",
            e.message
        );
        // Long flat chains are one level each, however long.
        let flat = |joiner: &str| {
            format!(
                "enterprises | where {}name = \"x\"",
                format!("name = \"x\" {joiner} ").repeat(3_000)
            )
        };
        for joiner in [" and", " or"] {
            let st = parse(&flat(joiner)).expect("a flat chain parses");
            let Stage::Where(Expr::And(v) | Expr::Or(v)) = &st.stages[0] else {
                panic!("{st:?}")
            };
            assert_eq!(v.len(), 3_001);
        }
    }

    #[test]
    fn pest_running_short_of_stack_is_an_error_at_its_position() {
        // pest stops with 64 KiB of stack left; on a small thread, deep brackets reach that.
        let text = format!(
            "enterprises | where {}name = \"x\"{}",
            "(".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        let e = pest::error::Error::new_from_pos(
            pest::error::ErrorVariant::<Rule>::CustomError {
                message: "stack limit reached".into(),
            },
            pest::Position::new(&text, 40).unwrap(),
        );
        let e = syntax_error(&text, e);
        assert_eq!(
            e.message,
            "query nested too deep to parse (the parser ran short of stack here)"
        );
        assert_eq!(e.span.map(|s| s.start), Some(40));
    }
}
