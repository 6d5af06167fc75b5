//! `chainkb repl`: an interactive session over one open database — line editing and persistent
//! history (rustyline), multi-line statements (complete when the parser says so), completion of
//! keywords and entity names (also by pinyin initials or full pinyin), meta commands (`.help`),
//! Ctrl-C that cancels the running query but not the session, and results paged when long.

use super::{Failure, open_graph, resolve_one};
use crate::graph::Graph;
use crate::model::Kind;
use crate::query::{self, ErrorKind, Format, Table};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Set by Ctrl-C while a statement runs; polled by the executor.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// Keywords of the language, English and Chinese, read from the grammar so completion never
/// drifts from what the parser accepts.
fn keywords() -> Vec<String> {
    let grammar = include_str!("../../grammar/chainkb.pest");
    let mut out: Vec<String> = Vec::new();
    for line in grammar
        .lines()
        .filter(|l| l.trim_start().starts_with("kw_"))
    {
        let mut rest = line;
        while let Some(start) = rest.find('"') {
            let Some(len) = rest[start + 1..].find('"') else {
                break;
            };
            let word = &rest[start + 1..start + 1 + len];
            if !word.is_empty() && !out.iter().any(|w| w == word) {
                out.push(word.to_string());
            }
            rest = &rest[start + 2 + len..];
        }
    }
    out
}

/// A completion candidate with its pinyin spellings.
struct Entry {
    text: String,
    /// Lower-case full pinyin without tones, one per reading of the heteronyms (capped).
    full: Vec<String>,
    /// Initials, one per reading.
    initials: Vec<String>,
    /// Keywords first, then chains, segments, places, industries, enterprises.
    rank: u8,
}

/// Full pinyin and initials of `s` for every combination of readings (at most 8).
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
        let mut nf = Vec::new();
        let mut ni = Vec::new();
        for (f, i) in full.iter().zip(&initials) {
            for r in &readings {
                if nf.len() < 8 {
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

pub struct ReplHelper {
    entries: Vec<Entry>,
}

impl ReplHelper {
    fn new(graph: &Graph) -> ReplHelper {
        let mut entries: Vec<Entry> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // Pinyin spellings cost a few microseconds a name: fine for the seed knowledge base,
        // seconds at a million enterprises. Beyond this many names of a kind, that kind
        // completes by its text only.
        const PINYIN_LIMIT: usize = 100_000;
        let mut add = |text: &str, rank: u8, with_pinyin: bool, entries: &mut Vec<Entry>| {
            if text.is_empty() || !seen.insert(text.to_string()) {
                return;
            }
            let (full, initials) = if with_pinyin {
                pinyin_forms(text)
            } else {
                (Vec::new(), Vec::new())
            };
            entries.push(Entry {
                text: text.to_string(),
                full,
                initials,
                rank,
            });
        };
        for k in keywords() {
            add(&k, 0, true, &mut entries);
        }
        for meta in META_COMMANDS {
            add(meta.0, 0, false, &mut entries);
        }
        let kinds = [
            (Kind::Chain, 1),
            (Kind::Segment, 2),
            (Kind::Park, 3),
            (Kind::Region, 3),
            (Kind::Industry, 4),
            (Kind::Enterprise, 5),
        ];
        for (kind, rank) in kinds {
            let with_pinyin = graph.count(kind) <= PINYIN_LIMIT;
            for &n in graph.nodes_of(kind) {
                let node = graph.node(n);
                add(node.name(), rank, with_pinyin, &mut entries);
                // The id is what staff usually type (玉溪高新区 for 玉溪高新技术产业开发区).
                add(&node.id, rank, with_pinyin, &mut entries);
                for a in &node.aliases {
                    add(a, rank, with_pinyin, &mut entries);
                }
            }
        }
        ReplHelper { entries }
    }

    /// Candidates for the word `typed`: by prefix of the text, then of its pinyin initials, then
    /// of its full pinyin; keywords and short names first.
    #[cfg(test)]
    fn candidates(&self, typed: &str) -> Vec<&str> {
        self.matches(typed)
            .into_iter()
            .map(|e| e.text.as_str())
            .collect()
    }

    /// What Tab inserts for `typed`: keywords as they are, names quoted when the grammar needs
    /// it (中国（西南）玉溪国际物流港, YXGX-T4-006 is fine bare) — and when the user has opened a
    /// quote already, the name and the closing quote.
    fn replacements(&self, typed: &str, in_quotes: bool) -> Vec<Pair> {
        self.matches(typed)
            .into_iter()
            .map(|e| Pair {
                display: e.text.clone(),
                replacement: if e.rank == 0 {
                    e.text.clone()
                } else if in_quotes {
                    // The quote is open before the word: close it after the name.
                    format!("{}\"", e.text.replace('\\', "\\\\").replace('"', "\\\""))
                } else {
                    crate::query::parse::quoted_if_needed(&e.text)
                },
            })
            .collect()
    }

    fn matches(&self, typed: &str) -> Vec<&Entry> {
        if typed.is_empty() {
            return Vec::new();
        }
        let lower = typed.to_lowercase();
        let ascii = typed.is_ascii();
        let mut hits: Vec<(u8, u8, usize, &Entry)> = self
            .entries
            .iter()
            .filter_map(|e| {
                let how = if e.text.starts_with(typed) || e.text.to_lowercase().starts_with(&lower)
                {
                    0
                } else if ascii && e.initials.iter().any(|i| i.starts_with(&lower)) {
                    1
                } else if ascii && lower.len() >= 2 && e.full.iter().any(|f| f.starts_with(&lower))
                {
                    2
                } else {
                    return None;
                };
                Some((how, e.rank, e.text.chars().count(), e))
            })
            .collect();
        hits.sort_by(|a, b| (a.0, a.1, a.2, &a.3.text).cmp(&(b.0, b.1, b.2, &b.3.text)));
        hits.into_iter().map(|h| h.3).take(50).collect()
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace() || "|(),[]\"".contains(*c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let typed = &before[start..];
        let in_quotes = before[..start].matches('"').count() % 2 == 1;
        let pairs = self.replacements(typed, in_quotes);
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

/// Whether `text` is a whole statement: meta commands always are; a statement is incomplete
/// when the parser fails at the very end of the input (it wants more), and complete otherwise
/// (including when it fails earlier: the error is shown rather than waiting for more lines).
pub fn is_complete(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() || t.starts_with('.') {
        return true;
    }
    match query::parse::parse_script(t) {
        Ok(_) => true,
        Err(e) => match e.span {
            Some(span) => e.kind != ErrorKind::Syntax || span.start < t.len(),
            None => true,
        },
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Helper for ReplHelper {}

const META_COMMANDS: &[(&str, &str)] = &[
    (
        ".help",
        ".help [TOPIC]           this help, or help on a topic: query, gaps, meta",
    ),
    (
        ".schema",
        ".schema                 node and edge kinds with their counts",
    ),
    (".format", ".format table|json|csv  how results print"),
    (
        ".export",
        ".export FILE            write the last result (.xlsx, .csv, .md or .json)",
    ),
    (
        ".draw",
        ".draw CHAIN [in PLACE] FILE   draw a chain (status in PLACE) as .svg or .dot",
    ),
    (
        ".timing",
        ".timing on|off          print parse/plan/execution time after each statement",
    ),
    (".open", ".open PATH              open another database"),
    (
        ".history",
        ".history                the statements typed so far",
    ),
    (".quit", ".quit                   leave (or Ctrl-D)"),
];

const HELP_QUERY: &str = "\
Statements are pipelines: SOURCE | STAGE | STAGE …  (end with ; or just Enter when complete)
  find 恩捷股份                          look an entity up by name, alias or normalized name
  chains | segments of 锂电池 | parks …   lists with attributes
  upstream 动力电池 depth 2 in 玉溪高新区   traversal with local state
  status 锂电池 in 玉溪高新区              every segment with its state, producers, projects
  | where state = \"missing\" | sort x desc | limit 10 | select a, b | group by a with count()
Chinese keywords work too: 现状 锂电池 在 玉溪高新区 | 补链 锂电池 在 玉溪高新区 …
The full reference is docs/QUERY.md.";

const HELP_GAPS: &str = "\
  fill 锂电池 in 玉溪高新区        补链: missing segments a present one needs (断链 first)
  extend 锂电池 in 玉溪高新区      延链: missing neighbours ranked by relatedness density
  strengthen 锂电池 in 玉溪高新区  强链: single producer / no leading firm / planned only
  build in 玉溪高新区              建链: chains of the place's industry system with low coverage
  compare 锂电池 in 玉溪高新区, 楚雄高新区   which segments each has, overlaps (同质化)
  fill 锂电池 in 玉溪高新区 | targets | where origin > 0 | limit 30
                               目标企业: outside firms for the gaps, scored, with reasons
  .export targets.xlsx         the last result, for the recruiting trip";

struct Session {
    graph: Graph,
    db: Option<PathBuf>,
    format: Format,
    timing: bool,
    last: Option<(String, Table)>,
    /// Whether a statement or meta command failed: a script piped into the REPL then exits 1.
    failed: bool,
}

fn history_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("chainkb").join("history.txt"))
}

/// The words of a meta command: split on whitespace, except inside double quotes, which are
/// removed (`\"` is a quote inside one).
fn meta_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => word.extend(chars.next()),
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err("a quote is never closed: add the closing \"".into());
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The terminal's width in columns when stdout is a terminal (comfy-table asks it), else None.
fn terminal_width() -> Option<u16> {
    comfy_table::Table::new().width()
}

/// Print `text`, through a pager when it is longer than the terminal and stdout is one.
fn page(text: &str) {
    let stdout = std::io::stdout();
    let lines = text.lines().count();
    let rows = std::env::var("LINES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(40);
    if stdout.is_terminal() && lines + 2 > rows && std::env::var_os("CHAINKB_NO_PAGER").is_none() {
        let pager = std::env::var("PAGER").unwrap_or_else(|_| "less -FRSX".into());
        let mut parts = pager.split_whitespace();
        if let Some(cmd) = parts.next()
            && let Ok(mut child) = std::process::Command::new(cmd)
                .args(parts)
                .stdin(std::process::Stdio::piped())
                .spawn()
        {
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(text.as_bytes());
            }
            let _ = child.wait();
            return;
        }
    }
    stdout!("{text}");
    let _ = stdout.lock().flush();
}

impl Session {
    fn run_statements(&mut self, text: &str) {
        CANCEL.store(false, Ordering::SeqCst);
        let started = Instant::now();
        let outcomes = query::run_script(&self.graph, text, &CANCEL, true);
        for o in outcomes {
            match o.result {
                Ok(table) => {
                    let ms = started.elapsed().as_secs_f64() * 1000.0;
                    if self.format == Format::Table {
                        page(&table.to_text_in_terminal(terminal_width(), ms));
                    } else {
                        page(&table.render(self.format));
                        for note in &table.notes {
                            stderrln!("note: {note}");
                        }
                        stdoutln!("({})", table.count_line(Some(ms)));
                    }
                    if self.timing {
                        stderrln!("{}", o.timing.line());
                    }
                    self.last = Some((o.text.trim().to_string(), table));
                }
                Err(e) => {
                    stderr!("{}", e.render(&o.text));
                    self.failed = true;
                    // `.export` must not quietly write an older result after this failure.
                    self.last = None;
                    break;
                }
            }
        }
        CANCEL.store(false, Ordering::SeqCst);
    }

    /// Run a meta command; `Ok(false)` means leave the session.
    /// Its words are split on spaces; a double-quoted word may hold spaces
    /// (`.export "招商 名单.xlsx"`, `.draw 光电子 in "中国（西南）玉溪国际物流港" x.svg`).
    fn meta(&mut self, line: &str, history: &DefaultHistory) -> Result<bool, String> {
        let words = meta_words(line)?;
        let cmd = words.first().map_or("", String::as_str);
        let args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
        match cmd {
            ".quit" | ".exit" => return Ok(false),
            ".help" => match args.first().copied() {
                None => {
                    stdoutln!("{HELP_QUERY}\n\nMeta commands:");
                    for (_, h) in META_COMMANDS {
                        stdoutln!("  {h}");
                    }
                }
                Some("query") => stdoutln!("{HELP_QUERY}"),
                Some("gaps") => stdoutln!("{HELP_GAPS}"),
                Some("meta") => {
                    for (_, h) in META_COMMANDS {
                        stdoutln!("  {h}");
                    }
                }
                Some(other) => {
                    return Err(format!("no help on `{other}` (topics: query, gaps, meta)"));
                }
            },
            ".schema" => stdout!("{}", super::schema_text(&self.graph)),
            ".format" => {
                self.format = match args.first().copied() {
                    Some("table") => Format::Table,
                    Some("json") => Format::Json,
                    Some("csv") => Format::Csv,
                    _ => return Err("usage: .format table|json|csv".into()),
                };
            }
            ".timing" => {
                self.timing = match args.first().copied() {
                    Some("on") => true,
                    Some("off") => false,
                    _ => return Err("usage: .timing on|off".into()),
                };
            }
            ".export" => {
                let [file] = args.as_slice() else {
                    return Err("usage: .export FILE (.xlsx, .csv, .md or .json)".into());
                };
                let Some((query, table)) = &self.last else {
                    return Err("nothing to export yet: run a query first".into());
                };
                crate::export::write_table(table, Path::new(file), query)?;
                stdoutln!(
                    "wrote {} to {file}",
                    super::counted(table.rows.len(), "row", "rows")
                );
            }
            ".draw" => {
                let (chain, place, file) = match args.as_slice() {
                    [chain, file] => (*chain, None, *file),
                    [chain, "in" | "在", place, file] => (*chain, Some(*place), *file),
                    _ => return Err("usage: .draw CHAIN [in PLACE] FILE.svg|FILE.dot".into()),
                };
                let c = resolve_one(&self.graph, chain, &[Kind::Chain]).map_err(|f| f.message)?;
                let p = match place {
                    Some(p) => Some(
                        resolve_one(&self.graph, p, &[Kind::Park, Kind::Region])
                            .map_err(|f| f.message)?,
                    ),
                    None => None,
                };
                let ext = Path::new(file)
                    .extension()
                    .map(|e| e.to_string_lossy().to_lowercase());
                let dot = match ext.as_deref().and_then(super::draw_format) {
                    Some("dot") => true,
                    Some(_) => false,
                    None => {
                        return Err(format!(
                            "cannot draw into `{file}`: name the file .svg, or .dot (.gv) for Graphviz"
                        ));
                    }
                };
                let picture = crate::draw::layout(&self.graph, c, p);
                let text = if dot {
                    crate::draw::to_dot(&picture)
                } else {
                    crate::draw::to_svg(&picture)
                };
                std::fs::write(file, text).map_err(|e| format!("cannot write {file}: {e}"))?;
                stdoutln!("wrote {file} ({} segments)", picture.boxes.len());
            }
            ".open" => {
                let [path] = args.as_slice() else {
                    return Err("usage: .open PATH".into());
                };
                let db = Some(PathBuf::from(path));
                self.graph = open_graph(&db).map_err(|f| f.message)?;
                self.db = db;
                stdoutln!("opened {path}");
            }
            ".history" => {
                for (i, entry) in history.iter().enumerate() {
                    stdoutln!("{:>4}  {entry}", i + 1);
                }
            }
            other => {
                let names: Vec<&str> = META_COMMANDS.iter().map(|m| m.0).collect();
                return Err(format!(
                    "unknown command `{other}`{} (.help lists them)",
                    crate::names::did_you_mean(&crate::names::suggest(other, names, 1))
                ));
            }
        }
        Ok(true)
    }
}

pub fn run(db: Option<PathBuf>) -> Result<(), Failure> {
    let graph = open_graph(&db)?;
    let helper = ReplHelper::new(&graph);
    let config = rustyline::Config::builder()
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut rl: Editor<ReplHelper, DefaultHistory> = Editor::with_config(config)
        .map_err(|e| Failure::internal(format!("cannot start the line editor: {e}")))?;
    rl.set_helper(Some(helper));
    let history = history_path();
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = rl.load_history(h);
    }
    // Ctrl-C while a statement runs sets the flag; while typing, rustyline reads it as a key.
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    let mut session = Session {
        graph,
        db,
        format: Format::Table,
        timing: false,
        last: None,
        failed: false,
    };
    stdoutln!(
        "chainkb {} — {} nodes. Type .help for help, Ctrl-D to leave.",
        env!("CARGO_PKG_VERSION"),
        session.graph.ds.nodes.len()
    );
    loop {
        match rl.readline("chainkb> ") {
            Ok(line) => {
                // A byte-order mark (Notepad writes one) before piped input is no part of it.
                let text = line.strip_prefix(query::parse::BOM).unwrap_or(&line).trim();
                if text.is_empty() {
                    continue;
                }
                let _ = rl.add_history_entry(text);
                if let Some(h) = &history {
                    let _ = rl.save_history(h);
                }
                if text.starts_with('.') {
                    match session.meta(text, rl.history()) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(msg) => {
                            stderrln!("error: {msg}");
                            session.failed = true;
                        }
                    }
                } else {
                    session.run_statements(text);
                }
            }
            Err(ReadlineError::Interrupted) => {
                stdoutln!("(Ctrl-C: line discarded; Ctrl-D leaves)");
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(Failure::internal(format!("line editor: {e}"))),
        }
    }
    if let Some(h) = &history {
        let _ = rl.save_history(h);
    }
    // At a terminal an error is part of the conversation; from a pipe it is a failed script.
    if session.failed && !std::io::stdin().is_terminal() {
        return Err(Failure {
            code: 1,
            message: String::new(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_come_from_the_grammar() {
        let k = keywords();
        for w in ["fill", "补链", "upstream", "上游", "status", "现状"] {
            assert!(k.iter().any(|x| x == w), "{w} missing from {k:?}");
        }
    }

    #[test]
    fn pinyin_forms_cover_initials_and_heteronyms() {
        let (full, initials) = pinyin_forms("动力电池");
        assert!(full.contains(&"donglidianchi".to_string()), "{full:?}");
        assert!(initials.contains(&"dldc".to_string()), "{initials:?}");
        // 重 reads zhong or chong: both initials are offered for 重庆.
        let (_, initials) = pinyin_forms("重庆");
        assert!(
            initials.iter().any(|i| i == "zq") && initials.iter().any(|i| i == "cq"),
            "{initials:?}"
        );
    }

    #[test]
    fn completeness_follows_the_parser() {
        assert!(is_complete(".help"));
        assert!(is_complete("chains"));
        assert!(!is_complete("status 锂电池 in"));
        assert!(!is_complete("chains |"));
        // an error before the end is shown at once instead of waiting for more input
        assert!(is_complete("chains ) | limit 3"));
    }
}

#[cfg(test)]
mod completion_tests {
    use super::*;

    fn helper() -> ReplHelper {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
        let loaded = crate::data::load(&[dir], Default::default()).unwrap();
        assert!(loaded.is_ok());
        ReplHelper::new(&Graph::build(loaded.dataset))
    }

    #[test]
    fn meta_words_keep_quoted_spaces() {
        assert_eq!(
            meta_words(r#".export "招商 名单.xlsx""#).unwrap(),
            [".export", "招商 名单.xlsx"]
        );
        assert_eq!(
            meta_words(r#".draw 光电子 in "中国（西南）玉溪国际物流港" x.svg"#).unwrap(),
            [
                ".draw",
                "光电子",
                "in",
                "中国（西南）玉溪国际物流港",
                "x.svg"
            ]
        );
        assert_eq!(
            meta_words(r#".export "a\"b.csv""#).unwrap(),
            [".export", "a\"b.csv"]
        );
        assert!(meta_words(r#".export "x.csv"#).is_err());
    }

    #[test]
    fn draw_needs_a_picture_file_and_export_never_writes_a_stale_result() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
        let loaded = crate::data::load(&[dir], Default::default()).unwrap();
        let mut s = Session {
            graph: Graph::build(loaded.dataset),
            db: None,
            format: Format::Csv,
            timing: false,
            last: None,
            failed: false,
        };
        let history = DefaultHistory::new();
        let tmp = tempfile::tempdir().unwrap();
        let png = tmp.path().join("x.png");
        let err = s
            .meta(&format!(".draw 锂电池 {}", png.display()), &history)
            .unwrap_err();
        assert!(err.contains("name the file .svg"), "{err}");
        assert!(!png.exists());
        s.run_statements("chains");
        assert!(s.last.is_some());
        s.run_statements("stauts 锂电池");
        let csv = tmp.path().join("x.csv");
        let err = s
            .meta(&format!(".export {}", csv.display()), &history)
            .unwrap_err();
        assert!(err.contains("nothing to export"), "{err}");
        assert!(!csv.exists());
    }

    #[test]
    fn names_complete_by_prefix_initials_and_full_pinyin() {
        let h = helper();
        assert_eq!(h.candidates("zjcl"), vec!["正极材料"]);
        assert_eq!(h.candidates("zhengji"), vec!["正极材料"]);
        assert_eq!(h.candidates("正极"), vec!["正极材料"]);
        assert!(
            h.candidates("补").contains(&"补链"),
            "{:?}",
            h.candidates("补")
        );
        assert!(h.candidates("fi").contains(&"fill"));
    }

    #[test]
    fn names_that_need_quotes_are_inserted_quoted() {
        let mut h = helper();
        for (text, rank) in [("中国（西南）玉溪国际物流港", 3), ("YXGX-T4-006", 5)] {
            h.entries.push(Entry {
                text: text.into(),
                full: Vec::new(),
                initials: Vec::new(),
                rank,
            });
        }
        let insert = |typed: &str, in_quotes: bool| -> Vec<String> {
            h.replacements(typed, in_quotes)
                .into_iter()
                .map(|p| p.replacement)
                .collect()
        };
        assert_eq!(insert("中国", false), ["\"中国（西南）玉溪国际物流港\""]);
        assert_eq!(insert("中国", true), ["中国（西南）玉溪国际物流港\""]);
        assert_eq!(insert("YXGX", false), ["YXGX-T4-006"]);
        // keywords are never quoted
        assert!(insert("fi", false).contains(&"fill".to_string()));
    }
}
