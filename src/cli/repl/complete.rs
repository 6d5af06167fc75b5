//! REPL completion: what fits where the cursor is — keywords of the grammar (English and
//! Chinese), names of the kind the grammar expects there (a place after `in`, a chain after
//! `fill`), columns of the statement so far, meta-command arguments and file names — matched by
//! prefix, pinyin initials or full pinyin, and quoted where the grammar needs it.
//!
//! Over 800 lines and kept whole (tests in complete_tests.rs): the lexer, the context it finds and
//! the candidates `ReplHelper` offers for each context are one state machine, read together.

use super::{META_COMMANDS, meta_words};
use crate::graph::Graph;
use crate::model::Kind;
use crate::query;
use crate::query::keywords::{self, AGGREGATES, SOURCES, STAGES, rule_of};
use rustyline::Context;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use std::collections::HashMap;
use std::rc::Rc;

// What an entry names, as bits of `Entry::what`; an `Expect` offers the entries whose bits meet
// its `names`. (Keywords are told apart by their grammar rule instead.)
const META: u8 = 1;
const CHAIN: u8 = 1 << 1;
const SEGMENT: u8 = 1 << 2;
const PLACE: u8 = 1 << 3;
const INDUSTRY: u8 = 1 << 4;
const ENTERPRISE: u8 = 1 << 5;
const ANY_NAME: u8 = CHAIN | SEGMENT | PLACE | INDUSTRY | ENTERPRISE;

/// A completion candidate with its pinyin spellings.
/// 48 bytes and the text: a REPL on a database of 2 M firms holds one per distinct name (a
/// `String` and two `Vec`s here made it 96; `entries_stay_small`).
struct Entry {
    text: Box<str>,
    /// `None` for a text without pinyin (kinds with more than `PINYIN_LIMIT` names, meta
    /// commands).
    pinyin: Option<Box<Pinyin>>,
    /// Keywords first, then chains, segments, places, industries, enterprises (the best rank
    /// of what the text names).
    rank: u8,
    /// What the text names: bits `META`, `CHAIN` … (a text may name several kinds).
    what: u8,
    /// The grammar rule when the text is a keyword.
    rule: Option<&'static str>,
}

struct Pinyin {
    /// Lower-case full pinyin without tones, one per reading of the heteronyms (capped).
    full: Vec<String>,
    /// Initials, one per reading.
    initials: Vec<String>,
}

/// Full pinyin and initials of `s` for combinations of readings: at most 8, those that vary the
/// earliest characters first (the beginning is what is typed: 重庆长安… keeps both 重 readings,
/// chongqing and zhongqing, before a later character's second reading).
fn pinyin_forms(s: &str) -> (Vec<String>, Vec<String>) {
    use pinyin::ToPinyinMulti;
    let mut full = vec![String::new()];
    let mut initials = vec![String::new()];
    for (c, multi) in s.chars().zip(s.to_pinyin_multi()) {
        let readings: Vec<pinyin::Pinyin> = match multi {
            Some(m) => (0..m.count().min(2)).filter_map(|i| m.get_opt(i)).collect(),
            None => Vec::new(),
        };
        if readings.is_empty() {
            let lc: String = c.to_lowercase().collect();
            full.iter_mut().for_each(|f| f.push_str(&lc));
            initials.iter_mut().for_each(|f| f.push_str(&lc));
            continue;
        }
        // Every combination so far goes on with the first reading; other readings add
        // combinations while there is room.
        let mut nf = Vec::new();
        let mut ni = Vec::new();
        for (k, r) in readings.iter().enumerate() {
            for (f, i) in full.iter().zip(&initials) {
                if k == 0 || nf.len() < 8 {
                    nf.push(format!("{f}{}", r.plain()));
                    ni.push(format!("{i}{}", r.first_letter()));
                }
            }
        }
        full = nf;
        initials = ni;
    }
    (full, initials)
}

/// What may stand where the cursor is, as far as the grammar tells from the words before it.
/// Where it does not tell, completion offers every keyword and name (`context` says `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Expect {
    /// Names of entities of these kinds (`CHAIN | PLACE` …).
    names: u8,
    /// Keywords of these grammar rules.
    keywords: &'static [&'static str],
    /// The meta commands (`.help` …).
    meta: bool,
    /// The columns of the pipeline before the current stage.
    columns: bool,
    /// Fixed words (the argument of `.format`, `.timing`, `.help`).
    words: &'static [&'static str],
    /// File and folder names.
    files: bool,
}

impl Expect {
    /// Nothing fits (a number, or a new column name after `as`).
    const NOTHING: Expect = Expect {
        names: 0,
        keywords: &[],
        meta: false,
        columns: false,
        words: &[],
        files: false,
    };
    const COLUMNS: Expect = Expect {
        columns: true,
        ..Expect::NOTHING
    };
    const FILES: Expect = Expect {
        files: true,
        ..Expect::NOTHING
    };
    const fn names(names: u8) -> Expect {
        Expect {
            names,
            ..Expect::NOTHING
        }
    }
    const fn keywords(keywords: &'static [&'static str]) -> Expect {
        Expect {
            keywords,
            ..Expect::NOTHING
        }
    }
    const fn words(words: &'static [&'static str]) -> Expect {
        Expect {
            words,
            ..Expect::NOTHING
        }
    }
}

/// Sources whose `in` takes a `place`, which may be `all parks` / `all regions`.
const IN_PLACE_OR_ALL: &[&str] = &[
    "kw_upstream",
    "kw_downstream",
    "kw_status",
    "kw_fill",
    "kw_extend",
    "kw_strengthen",
    "kw_build",
];

/// The clause a row of `AFTER` holds in.
#[derive(Clone, Copy, Debug)]
enum In {
    /// The source, whichever it is.
    Source,
    /// The source, when it begins with one of these keywords (after `explain`).
    SourceOf(&'static [&'static str]),
    /// A stage (after `|`).
    Stage,
}

/// What follows a keyword (its grammar rule) in a clause: the first row that fits wins.
/// `segments of|in` takes a chain, the other lists a place; a place after `in` may be
/// `all parks` where the grammar says `place`, not where it says `name`.
const AFTER: &[(&str, In, Expect)] = &[
    (
        "kw_explain",
        In::Source,
        Expect::keywords(SOURCES.split_at(1).1),
    ),
    ("kw_find", In::Source, Expect::names(ANY_NAME)),
    ("kw_paths", In::Source, Expect::keywords(&["kw_from"])),
    ("kw_from", In::Source, Expect::names(ANY_NAME)),
    ("kw_status", In::Source, Expect::names(CHAIN)),
    ("kw_fill", In::Source, Expect::names(CHAIN)),
    ("kw_extend", In::Source, Expect::names(CHAIN)),
    ("kw_strengthen", In::Source, Expect::names(CHAIN)),
    ("kw_compare", In::Source, Expect::names(CHAIN)),
    ("kw_chain", In::Source, Expect::names(CHAIN)),
    ("kw_upstream", In::Source, Expect::names(SEGMENT)),
    ("kw_downstream", In::Source, Expect::names(SEGMENT)),
    (
        "kw_in",
        In::SourceOf(&["kw_segments"]),
        Expect::names(CHAIN),
    ),
    (
        "kw_of",
        In::SourceOf(&["kw_segments"]),
        Expect::names(CHAIN),
    ),
    (
        "kw_in",
        In::SourceOf(IN_PLACE_OR_ALL),
        Expect {
            names: PLACE,
            keywords: &["kw_all"],
            ..Expect::NOTHING
        },
    ),
    ("kw_in", In::Source, Expect::names(PLACE)),
    ("kw_of", In::Source, Expect::names(PLACE)),
    (
        "kw_all",
        In::Source,
        Expect::keywords(&["kw_parks", "kw_regions"]),
    ),
    ("kw_build", In::Source, Expect::keywords(&["kw_in"])),
    ("kw_depth", In::Source, Expect::NOTHING),
    ("kw_below", In::Source, Expect::NOTHING),
    ("kw_inherited", In::Source, Expect::NOTHING),
    ("kw_where", In::Stage, Expect::COLUMNS),
    ("kw_and", In::Stage, Expect::COLUMNS),
    ("kw_or", In::Stage, Expect::COLUMNS),
    ("kw_not", In::Stage, Expect::COLUMNS),
    (
        "kw_sort",
        In::Stage,
        Expect {
            columns: true,
            keywords: &["kw_by"],
            ..Expect::NOTHING
        },
    ),
    ("kw_by", In::Stage, Expect::COLUMNS),
    ("kw_select", In::Stage, Expect::COLUMNS),
    ("kw_expand", In::Stage, Expect::COLUMNS),
    (
        "kw_group",
        In::Stage,
        Expect::keywords(&["kw_by", "kw_with"]),
    ),
    ("kw_with", In::Stage, Expect::keywords(AGGREGATES)),
    ("kw_limit", In::Stage, Expect::NOTHING),
    (
        "kw_producers",
        In::Stage,
        Expect::keywords(&["kw_outside", "kw_in"]),
    ),
    ("kw_outside", In::Stage, Expect::names(PLACE)),
    ("kw_as", In::Stage, Expect::NOTHING),
];

/// What follows a `,` in a list that this keyword began (`compare C in A, B`,
/// `select a, b`, `group … with count(), sum(x)`).
const AFTER_COMMA: &[(&str, In, Expect)] = &[
    ("kw_in", In::SourceOf(&["kw_compare"]), Expect::names(PLACE)),
    ("kw_select", In::Stage, Expect::COLUMNS),
    ("kw_sort", In::Stage, Expect::COLUMNS),
    ("kw_by", In::Stage, Expect::COLUMNS),
    ("kw_with", In::Stage, Expect::keywords(AGGREGATES)),
];

/// A token of the text before the cursor, as far as completion needs one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok<'a> {
    /// A keyword or a bare name or number.
    Word(&'a str),
    /// A quoted string.
    Str,
    /// Any other character: `|`, `,`, `;`, `(`, `=` …
    Punct(char),
}

/// Whether `text` ends inside a string: the statement goes on on the next line.
pub(super) fn ends_in_open_quote(text: &str) -> bool {
    lex(text).1.is_some()
}

/// The tokens of `text` with their byte offsets, skipping `--` comments; and where an unclosed
/// quote opens, when the text ends inside one.
fn lex(text: &str) -> (Vec<(usize, Tok<'_>)>, Option<usize>) {
    let word_char = |c: char| c == '_' || pest::unicode::XID_CONTINUE(c);
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c == '-' && chars.peek().is_some_and(|&(_, n)| n == '-') {
            for (_, c) in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
        } else if c == '"' {
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    _ => {}
                }
            }
            if !closed {
                return (out, Some(i));
            }
            out.push((i, Tok::Str));
        } else if word_char(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, n)) = chars.peek() {
                let joined = n == '-' && text[j + 1..].chars().next().is_some_and(word_char);
                if !(word_char(n) || joined) {
                    break;
                }
                end = j + n.len_utf8();
                chars.next();
            }
            out.push((i, Tok::Word(&text[i..end])));
        } else {
            out.push((i, Tok::Punct(c)));
        }
    }
    (out, None)
}

/// Where the word at the end of `text` begins, and whether it is inside an open quote (then it
/// begins right after the quote, and may hold spaces).
fn word_start(text: &str) -> (usize, bool) {
    if let (_, Some(quote)) = lex(text) {
        return (quote + 1, true);
    }
    let start = text
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || "|(),[];=<>!\"".contains(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    (start, false)
}

/// What the grammar expects after `before` (a script up to the word being typed), and the
/// statement up to the `|` that begins the current stage (whose columns that stage sees).
/// `None` where the words before do not tell.
fn context(before: &str) -> (Option<Expect>, &str) {
    let (tokens, _) = lex(before);
    let statement = match tokens.iter().rposition(|t| t.1 == Tok::Punct(';')) {
        Some(i) => &tokens[i + 1..],
        None => &tokens[..],
    };
    let pipe = statement.iter().rposition(|t| t.1 == Tok::Punct('|'));
    let piped = match (statement.first(), pipe) {
        (Some(first), Some(p)) => &before[first.0..statement[p].0],
        _ => "",
    };
    let clause = &statement[pipe.map_or(0, |p| p + 1)..];
    let Some(&(_, last)) = clause.last() else {
        let expect = if pipe.is_some() { STAGES } else { SOURCES };
        return (Some(Expect::keywords(expect)), piped);
    };
    let rules = |toks: &[(usize, Tok)]| -> Vec<Option<&'static str>> {
        toks.iter()
            .map(|t| match t.1 {
                Tok::Word(w) => rule_of(w),
                _ => None,
            })
            .collect()
    };
    let clause_rules = rules(clause);
    let head = match clause_rules.first().copied().flatten() {
        Some("kw_explain") => clause_rules.get(1).copied().flatten(),
        other => other,
    };
    let in_stage = head.is_some_and(|h| STAGES.contains(&h));
    let holds = |clause: In| match clause {
        In::Source => !in_stage,
        In::SourceOf(sources) => !in_stage && head.is_some_and(|h| sources.contains(&h)),
        In::Stage => in_stage,
    };
    let lookup = |table: &[(&str, In, Expect)], rule: &str| {
        table
            .iter()
            .find(|(r, clause, _)| *r == rule && holds(*clause))
            .map(|row| row.2)
    };
    let expect = match last {
        Tok::Word(_) => clause_rules
            .last()
            .copied()
            .flatten()
            .and_then(|rule| lookup(AFTER, rule)),
        Tok::Punct(',') => {
            // The keyword that began the list: `compare C in A, B,` → in.
            let mut governing = None;
            for (t, rule) in clause.iter().zip(&clause_rules).rev() {
                if t.1 == Tok::Punct('[') {
                    break;
                }
                if let Some(rule) = rule
                    && AFTER_COMMA.iter().any(|row| row.0 == *rule)
                {
                    governing = Some(*rule);
                    break;
                }
            }
            governing.and_then(|rule| lookup(AFTER_COMMA, rule))
        }
        Tok::Punct('(') if in_stage => Some(Expect::COLUMNS),
        _ => None,
    };
    (expect, piped)
}

/// File and folder names that begin with `typed` (a path as typed, unquoted), inserted as a
/// meta command reads them: bare, or in double quotes when they hold a space or a quote (a
/// folder's quote is left open, so that Tab goes on into it).
fn file_candidates(typed: &str, in_quotes: bool) -> Vec<Pair> {
    let (dir, prefix) = match typed.rfind('/') {
        Some(i) => typed.split_at(i + 1),
        None => ("", typed),
    };
    let Ok(read) = std::fs::read_dir(if dir.is_empty() { "." } else { dir }) else {
        return Vec::new();
    };
    let mut out: Vec<Pair> = Vec::new();
    for entry in read.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
            continue;
        }
        let is_dir = entry.path().is_dir();
        let path = format!("{dir}{name}{}", if is_dir { "/" } else { "" });
        let quote = in_quotes || path.contains(|c: char| c.is_whitespace() || c == '"');
        let replacement = if quote {
            let escaped = query::parse::string_body(&path);
            format!(
                "{}{escaped}{}",
                if in_quotes { "" } else { "\"" },
                if is_dir { "" } else { "\"" }
            )
        } else {
            path
        };
        out.push(Pair {
            display: format!("{name}{}", if is_dir { "/" } else { "" }),
            replacement,
        });
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out
}

/// At most this many candidates are offered; with nothing typed yet, a kind with more names
/// than this offers none rather than an arbitrary few.
const MAX_CANDIDATES: usize = 50;

pub struct ReplHelper {
    entries: Vec<Entry>,
    /// Kinds with more names than `PINYIN_LIMIT`, as (kind, rank, what): they have no entries
    /// (2 M firms' entries held ≈ 230 MiB in an idle REPL); their names are read from the graph
    /// when Tab is pressed. A text that is also an entry's (a keyword, a chain …) is that
    /// entry's, with the kind's bit merged in.
    large: Vec<(Kind, u8, u8)>,
    /// Entry indexes sorted by text, to tell such a text.
    by_text: Vec<u32>,
    pub(super) graph: Rc<Graph>,
    /// The lines of the statement typed so far, when the current line continues it: the words
    /// on them are context for completion.
    pub(super) pending: String,
}

/// Pinyin spellings cost a few microseconds a name: fine for the seed knowledge base, seconds
/// at a million enterprises. Beyond this many names of a kind, that kind completes by its text
/// only.
const PINYIN_LIMIT: usize = 100_000;

/// A candidate: an entry's text, or a name of a large kind read from the graph.
struct Cand<'a> {
    text: &'a str,
    what: u8,
    rule: Option<&'static str>,
}

impl<'a> From<&'a Entry> for Cand<'a> {
    fn from(e: &'a Entry) -> Cand<'a> {
        Cand {
            text: &e.text,
            what: e.what,
            rule: e.rule,
        }
    }
}

/// Add `text` as an entry (rank, what it names, its keyword rule), or merge those into the
/// entry it has (`seen`: text → entry).
fn add_entry<'a>(
    seen: &mut HashMap<&'a str, usize>,
    entries: &mut Vec<Entry>,
    text: &'a str,
    (rank, what, rule): (u8, u8, Option<&'static str>),
    with_pinyin: bool,
) {
    if text.is_empty() {
        return;
    }
    if let Some(&i) = seen.get(text) {
        let e: &mut Entry = &mut entries[i];
        e.what |= what;
        e.rank = e.rank.min(rank);
        e.rule = e.rule.or(rule);
        return;
    }
    seen.insert(text, entries.len());
    let pinyin = with_pinyin.then(|| {
        let (full, initials) = pinyin_forms(text);
        Box::new(Pinyin { full, initials })
    });
    entries.push(Entry {
        text: text.into(),
        pinyin,
        rank,
        what,
        rule,
    });
}

impl ReplHelper {
    pub(super) fn new(graph: Rc<Graph>) -> ReplHelper {
        ReplHelper::with_limit(graph, PINYIN_LIMIT)
    }

    /// [`ReplHelper::new`], with kinds of more than `limit` names read from the graph.
    fn with_limit(graph: Rc<Graph>, limit: usize) -> ReplHelper {
        let mut entries: Vec<Entry> = Vec::new();
        // Borrowed texts (keywords, the graph's names): a copy of every name as a key cost
        // 250 MB while the table was built at 2 M firms.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut add = |text, rank, what, rule, with_pinyin, entries: &mut Vec<Entry>| {
            add_entry(&mut seen, entries, text, (rank, what, rule), with_pinyin)
        };
        for (rule, words) in keywords::TABLE {
            for w in words.iter() {
                add(w, 0, 0, Some(rule), true, &mut entries);
            }
        }
        for meta in META_COMMANDS {
            add(meta.0, 0, META, None, false, &mut entries);
        }
        let kinds = [
            (Kind::Chain, 1, CHAIN),
            (Kind::Segment, 2, SEGMENT),
            (Kind::Park, 3, PLACE),
            (Kind::Region, 3, PLACE),
            (Kind::Industry, 4, INDUSTRY),
            (Kind::Enterprise, 5, ENTERPRISE),
        ];
        let g: &Graph = &graph;
        let mut large = Vec::new();
        for (kind, rank, what) in kinds {
            if g.count(kind) > limit {
                large.push((kind, rank, what));
                continue;
            }
            // The id is what staff usually type (玉溪高新区 for 玉溪高新技术产业开发区).
            for &n in g.nodes_of(kind) {
                for text in g.node(n).names() {
                    add(text, rank, what, None, true, &mut entries);
                }
            }
        }
        // A large kind's text that is an entry's too (a keyword, a chain's name) is that entry.
        for &(kind, rank, what) in &large {
            for &n in g.nodes_of(kind) {
                for text in g.node(n).names() {
                    if let Some(&i) = seen.get(text) {
                        let e: &mut Entry = &mut entries[i];
                        e.what |= what;
                        e.rank = e.rank.min(rank);
                    }
                }
            }
        }
        drop(seen);
        let mut by_text: Vec<u32> = (0..entries.len() as u32).collect();
        by_text.sort_by(|&a, &b| entries[a as usize].text.cmp(&entries[b as usize].text));
        ReplHelper {
            entries,
            large,
            by_text,
            graph,
            pending: String::new(),
        }
    }

    /// Candidates for the word `typed` with no context: by prefix of the text, then of its
    /// pinyin initials, then of its full pinyin; keywords and short names first.
    #[cfg(test)]
    fn candidates(&self, typed: &str) -> Vec<&str> {
        self.matches(typed, None)
            .into_iter()
            .map(|e| e.text)
            .collect()
    }

    /// What Tab inserts for `typed` where `expect` fits (anything when `None`): keywords as
    /// they are, names quoted when the grammar needs it (中国（西南）玉溪国际物流港,
    /// YXGX-T4-006 is fine bare) — and when the user has opened a quote already, the name and
    /// the closing quote.
    fn replacements(&self, typed: &str, in_quotes: bool, expect: Option<&Expect>) -> Vec<Pair> {
        self.matches(typed, expect)
            .into_iter()
            .map(|e| {
                let as_word = e.what & META != 0
                    || e.rule
                        .is_some_and(|r| expect.is_none_or(|x| x.keywords.contains(&r)));
                Pair {
                    display: e.text.to_string(),
                    replacement: if as_word {
                        e.text.to_string()
                    } else if in_quotes {
                        // The quote is open before the word: close it after the name.
                        format!("{}\"", query::parse::string_body(e.text))
                    } else {
                        crate::query::parse::quoted_if_needed(e.text)
                    },
                }
            })
            .collect()
    }

    /// The entries that begin with `typed` (or whose pinyin does) and fit `expect` (all when
    /// `None`), best first. With nothing typed, every entry that fits, if there are few enough
    /// to list — and none when the context is unknown.
    fn matches(&self, typed: &str, expect: Option<&Expect>) -> Vec<Cand<'_>> {
        let fits = |e: &Entry| match expect {
            None => true,
            Some(x) => {
                e.what & x.names != 0
                    || (x.meta && e.what & META != 0)
                    || e.rule.is_some_and(|r| x.keywords.contains(&r))
            }
        };
        if typed.is_empty() {
            if expect.is_none() {
                return Vec::new();
            }
            let mut all: Vec<(u8, Cand)> = Vec::new();
            for e in self.entries.iter().filter(|e| fits(e)) {
                if all.len() == MAX_CANDIDATES {
                    return Vec::new();
                }
                all.push((e.rank, Cand::from(e)));
            }
            let entries = all.len();
            let mut texts: std::collections::HashSet<&str> = std::collections::HashSet::new();
            for (rank, c) in self.large_names(expect) {
                texts.insert(c.text);
                if entries + texts.len() > MAX_CANDIDATES {
                    return Vec::new();
                }
                all.push((rank, c));
            }
            let mut all = merge_same_texts(all);
            all.sort_by(|(ra, a), (rb, b)| {
                (ra, a.text.chars().count(), a.text).cmp(&(rb, b.text.chars().count(), b.text))
            });
            return all.into_iter().map(|(_, c)| c).collect();
        }
        let lower = typed.to_lowercase();
        let ascii = typed.is_ascii();
        let starts =
            |text: &str| text.starts_with(typed) || text.to_lowercase().starts_with(&lower);
        let mut hits: Vec<(u8, u8, usize, Cand)> = self
            .entries
            .iter()
            .filter(|e| fits(e))
            .filter_map(|e| {
                let how = if starts(&e.text) {
                    0
                } else if ascii
                    && e.pinyin
                        .as_ref()
                        .is_some_and(|p| p.initials.iter().any(|i| i.starts_with(&lower)))
                {
                    1
                } else if ascii
                    && lower.len() >= 2
                    && e.pinyin
                        .as_ref()
                        .is_some_and(|p| p.full.iter().any(|f| f.starts_with(&lower)))
                {
                    2
                } else {
                    return None;
                };
                Some((how, e.rank, e.text.chars().count(), Cand::from(e)))
            })
            .collect();
        // Names of large kinds match by their text only (they have no pinyin).
        let named = self
            .large_names(expect)
            .filter(|(_, c)| starts(c.text))
            .collect();
        for (rank, c) in merge_same_texts(named) {
            hits.push((0, rank, c.text.chars().count(), c));
        }
        hits.sort_by(|a, b| (a.0, a.1, a.2, a.3.text).cmp(&(b.0, b.1, b.2, b.3.text)));
        // One more than is offered: `settle` then knows the list was cut.
        hits.into_iter()
            .map(|h| h.3)
            .take(MAX_CANDIDATES + 1)
            .collect()
    }

    /// The names of the large kinds that fit `expect` (all when `None`), as (rank, candidate),
    /// but those that are an entry's text (the entry stands for them) and empty ones; a text
    /// several nodes share comes once per node.
    fn large_names<'a>(&'a self, expect: Option<&Expect>) -> impl Iterator<Item = (u8, Cand<'a>)> {
        let names = expect.map_or(ANY_NAME, |x| x.names);
        let is_entry = |text: &str| {
            self.by_text
                .binary_search_by(|&i| (*self.entries[i as usize].text).cmp(text))
                .is_ok()
        };
        self.large
            .iter()
            .filter(move |&&(_, _, what)| what & names != 0)
            .flat_map(move |&(kind, rank, what)| {
                self.graph.nodes_of(kind).iter().flat_map(move |&n| {
                    self.graph.node(n).names().map(move |text| {
                        let rule = None;
                        (rank, Cand { text, what, rule })
                    })
                })
            })
            .filter(move |(_, c)| !c.text.is_empty() && !is_entry(c.text))
    }

    /// The columns the pipeline `piped` produces (planned, not run), or None when it does not
    /// plan (a mistyped name: then completion offers everything).
    fn columns(&self, piped: &str) -> Option<Vec<String>> {
        let st = query::parse::parse(piped).ok()?;
        let plan = query::plan::plan(&self.graph, &st).ok()?;
        Some(
            plan.columns
                .into_iter()
                .map(|c| c.name.into_owned())
                .collect(),
        )
    }

    /// Candidates for `typed` where `expect` fits, or where anything does when `None`:
    /// columns and fixed words first, then keywords and names.
    fn offer(
        &self,
        typed: &str,
        in_quotes: bool,
        expect: Option<Expect>,
        piped: &str,
    ) -> Vec<Pair> {
        let Some(expect) = expect else {
            return self.replacements(typed, in_quotes, None);
        };
        if expect.files {
            return file_candidates(typed, in_quotes);
        }
        let mut out: Vec<Pair> = Vec::new();
        if expect.columns {
            let Some(columns) = self.columns(piped) else {
                return self.replacements(typed, in_quotes, None);
            };
            let lower = typed.to_lowercase();
            // A column by its id, or once something is typed, by its Chinese label (`状` → 状态).
            let labels = columns.iter().filter_map(|c| {
                let label = crate::lang::Lang::Zh.label(c);
                (!typed.is_empty() && label != c).then(|| label.to_string())
            });
            let all: Vec<String> = columns.iter().cloned().chain(labels).collect();
            for c in all {
                if c.to_lowercase().starts_with(&lower) && !out.iter().any(|p| p.display == c) {
                    let replacement = if in_quotes {
                        format!("{}\"", query::parse::string_body(&c))
                    } else {
                        crate::query::parse::column_text(&c)
                    };
                    out.push(Pair {
                        display: c,
                        replacement,
                    });
                }
            }
        }
        for w in expect.words.iter().filter(|w| w.starts_with(typed)) {
            out.push(Pair {
                display: w.to_string(),
                replacement: w.to_string(),
            });
        }
        out.extend(self.replacements(typed, in_quotes, Some(&expect)));
        out.truncate(MAX_CANDIDATES + 1);
        out
    }

    /// Completion in a meta command: the command itself, a chain and a place for `.draw`, a
    /// file for `.open` and `.export` (and `.draw`'s picture), the words of `.format`,
    /// `.timing` and `.help`.
    fn complete_meta(&self, before: &str) -> (usize, Vec<Pair>) {
        // The word being typed begins after the last space outside quotes, or right after an
        // open quote (then it may hold spaces), as `meta_words` reads it.
        let mut start = 0;
        let mut open_quote = None;
        let mut chars = before.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' if open_quote.is_some() => {
                    chars.next();
                }
                '"' if open_quote.is_some() => open_quote = None,
                '"' => open_quote = Some(i),
                c if c.is_whitespace() && open_quote.is_none() => start = i + c.len_utf8(),
                _ => {}
            }
        }
        let (start, in_quotes) = match open_quote {
            Some(q) => (q + 1, true),
            None => (start, false),
        };
        let typed = &before[start..];
        let head = &before[..start - usize::from(in_quotes)];
        let Ok(words) = meta_words(head) else {
            return (start, Vec::new());
        };
        let args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
        let expect = match (words.first().map(String::as_str), args.as_slice()) {
            (None, _) => Some(Expect {
                meta: true,
                ..Expect::NOTHING
            }),
            (Some(".draw"), []) => Some(Expect::names(CHAIN)),
            (Some(".draw"), [.., "in" | "在"]) => Some(Expect::names(PLACE)),
            (Some(".draw"), _) | (Some(".open" | ".export"), []) => Some(Expect::FILES),
            (Some(".format"), []) => Some(Expect::words(&["table", "json", "csv"])),
            (Some(".timing"), []) => Some(Expect::words(&["on", "off"])),
            (Some(".help"), []) => Some(Expect::words(&["query", "gaps", "meta"])),
            (Some(cmd), _) if META_COMMANDS.iter().any(|m| m.0 == cmd) => Some(Expect::NOTHING),
            _ => None,
        };
        (start, self.offer(typed, in_quotes, expect, ""))
    }
}

impl ReplHelper {
    /// Where the word before the cursor begins in the line, and what may replace it; `before`
    /// is the line up to the cursor, `self.pending` the lines of the statement before it.
    fn complete_at(&self, before: &str) -> (usize, Vec<Pair>) {
        if self.pending.is_empty() && before.trim_start().starts_with('.') {
            return self.complete_meta(before);
        }
        // On a continuation line the words of the lines before are context too.
        let text = if self.pending.is_empty() {
            before.to_string()
        } else {
            format!("{}\n{before}", self.pending)
        };
        let line_start = text.len() - before.len();
        let (start, in_quotes) = word_start(&text);
        if start < line_start {
            // A quote opened on an earlier line: no name spans lines.
            return (before.len(), Vec::new());
        }
        let typed = &text[start..];
        let (expect, piped) = context(&text[..start - usize::from(in_quotes)]);
        (
            start - line_start,
            settle(typed, self.offer(typed, in_quotes, expect, piped)),
        )
    }
}

/// One candidate per text, as the entry table keeps one entry per text: the kinds a text names
/// merged, its best rank kept.
fn merge_same_texts(mut v: Vec<(u8, Cand<'_>)>) -> Vec<(u8, Cand<'_>)> {
    v.sort_by(|a, b| a.1.text.cmp(b.1.text));
    let mut out: Vec<(u8, Cand)> = Vec::with_capacity(v.len());
    for (rank, c) in v {
        match out.last_mut() {
            Some((r, last)) if last.text == c.text => {
                *r = (*r).min(rank);
                last.what |= c.what;
            }
            _ => out.push((rank, c)),
        }
    }
    out
}

/// The longest prefix all `texts` share (whole characters).
fn shared_prefix<'a>(mut texts: impl Iterator<Item = &'a str>) -> &'a str {
    let Some(first) = texts.next() else {
        return "";
    };
    texts.fold(first, |acc, t| {
        let end = acc
            .char_indices()
            .zip(t.chars())
            .find(|((_, a), b)| a != b)
            .map_or(acc.len().min(t.len()), |((i, _), _)| i);
        &acc[..end]
    })
}

/// The candidates as rustyline should get them. rustyline inserts the longest prefix the
/// candidates' replacements share when it is longer, in bytes, than what was typed; so:
/// - a list cut at `MAX_CANDIDATES` gets a last entry that replaces the word by itself: the
///   first names' longer shared prefix must not narrow what was typed (`合成企业000` is not
///   `合成企业00000` just because the first 50 of 10 000 matches say so);
/// - where rustyline would insert nothing although the names share more than was typed — full
///   pinyin longer in bytes than that Chinese (`donglidianchi`: 动力电池 is 12 bytes), or names
///   inserted quoted and bare alike (`重庆机床`, `"重庆机床（集团）…"`) — the shared part is the
///   one candidate, when it can stand without quotes.
fn settle(typed: &str, mut pairs: Vec<Pair>) -> Vec<Pair> {
    if pairs.len() > MAX_CANDIDATES {
        pairs.truncate(MAX_CANDIDATES);
        pairs.push(Pair {
            display: "… (more: type more of it)".into(),
            replacement: typed.to_string(),
        });
        return pairs;
    }
    if pairs.len() < 2 || typed.is_empty() {
        return pairs;
    }
    let by_replacement = shared_prefix(pairs.iter().map(|p| p.replacement.as_str()));
    let by_display = shared_prefix(pairs.iter().map(|p| p.display.as_str())).to_string();
    let rustyline_inserts = by_replacement.len() > typed.len();
    let more_than_typed = !by_display.is_empty() && !typed.starts_with(by_display.as_str());
    let bare = crate::query::parse::quoted_if_needed(&by_display) == by_display;
    if !rustyline_inserts && more_than_typed && bare {
        return vec![Pair {
            display: by_display.clone(),
            replacement: by_display,
        }];
    }
    pairs
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        Ok(self.complete_at(&line[..pos]))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

#[cfg(test)]
#[path = "complete_tests.rs"]
mod tests;
