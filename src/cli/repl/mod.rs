//! `chainkb repl`: an interactive session over one open database — line editing and persistent
//! history (rustyline), multi-line statements (complete when the parser says so; the lines
//! after the first are prompted with `    ...> `), completion of what fits where the cursor is
//! (keywords, names of the kind the grammar expects there, columns; also by pinyin initials or
//! full pinyin), meta commands (`.help`), Ctrl-C that cancels the running query or the
//! statement being typed but not the session, and results paged when long (`pager`).

mod complete;
mod help;
mod meta;
mod pager;

use super::{Failure, open_graph};
use crate::graph::Graph;
use crate::lang::Lang;
use crate::query::{self, ErrorKind};
use crate::report::{Format, Table};
use crate::tr;
use complete::ReplHelper;
use help::META_COMMANDS;
#[cfg(test)]
use help::META_HELP_ZH;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Editor, Helper};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Set by Ctrl-C while a statement runs; polled by the executor.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// The prompt of a statement's first line.
const PROMPT: &str = "chainkb> ";
/// The prompt of the lines that continue a statement the parser finds incomplete: as wide as
/// `PROMPT`, so the lines of a statement stay aligned.
const CONTINUATION: &str = "    ...> ";

/// Whether `text` is a whole statement: meta commands always are; a statement is incomplete
/// when the parser fails at the very end of the input (it wants more), and complete otherwise
/// (including when it fails earlier: the error is shown rather than waiting for more lines).
pub fn is_complete(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() || t.starts_with('.') {
        return true;
    }
    // A string may hold a line break (as in `query -f`): an open quote wants more.
    if complete::ends_in_open_quote(t) {
        return false;
    }
    match query::parse::parse_script(t) {
        Ok(_) => true,
        Err(e) => match e.span {
            Some(span) => e.kind != ErrorKind::Syntax || span.start < t.len(),
            None => true,
        },
    }
}

/// Add one line to the statement typed so far (`pending`); the whole statement, once the
/// parser finds it complete. A byte-order mark before the first line (Notepad writes one), a
/// CR before the line end, and blank lines (outside strings) are no part of it.
fn feed(pending: &mut String, line: &str) -> Option<String> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if pending.is_empty() {
        let first = line.strip_prefix(query::parse::BOM).unwrap_or(line);
        if first.trim().is_empty() {
            return None;
        }
        pending.push_str(first);
    } else if line.trim().is_empty() && !complete::ends_in_open_quote(pending) {
        return None;
    } else {
        pending.push('\n');
        pending.push_str(line);
    }
    is_complete(pending).then(|| std::mem::take(pending))
}

/// Every line is accepted as typed: the session joins lines until `is_complete`, prompting the
/// later ones with `CONTINUATION` (rustyline cannot prompt the lines of one buffer).
impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

struct Session {
    graph: Rc<Graph>,
    db: Option<PathBuf>,
    format: Format,
    /// The language results are shown in (`--lang`, `CHAINKB_LANG`, `.lang`).
    lang: Lang,
    timing: bool,
    last: Option<(String, Table)>,
    /// Whether a statement or meta command failed: a script piped into the REPL then exits 1.
    failed: bool,
    /// Whether a result taller than the terminal is paged (`.pager`, `CHAINKB_PAGER`).
    pager: bool,
    /// What was typed while the pager waited, for the next prompt (a line ended by Enter runs
    /// as typed; the rest starts the next line).
    typed_ahead: String,
}

fn history_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("chainkb").join("history.txt"))
}

/// The words of a meta command: split on whitespace, except inside double quotes, which are
/// removed (`\"` is a quote inside one).
pub(super) fn meta_words(line: &str) -> Result<Vec<String>, Failure> {
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
        return Err(Failure::user(crate::msg!(
            "有引号没有配对：请补上结尾的 \"",
            "a quote is never closed: add the closing \""
        )));
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

impl Session {
    /// Print `text`, a screen at a time (the built-in pager) when paging is on, it is taller
    /// than the terminal, and both input and output are a terminal; whole otherwise.
    fn page(&mut self, text: &str) {
        let stdout = std::io::stdout();
        let size = crossterm::terminal::size()
            .ok()
            .filter(|&(w, h)| w > 0 && h > 0);
        if let Some((cols, rows)) = size
            && self.pager
            && stdout.is_terminal()
            && std::io::stdin().is_terminal()
        {
            let mut out = stdout.lock();
            if let Ok(typed) = pager::page(
                text,
                rows as usize,
                cols as usize,
                &mut out,
                &mut pager::terminal_key,
            ) {
                self.typed_ahead.push_str(&typed);
            }
            return;
        }
        stdout!("{text}");
        let _ = stdout.lock().flush();
    }

    fn run_statements(&mut self, text: &str) {
        CANCEL.store(false, Ordering::SeqCst);
        let started = Instant::now();
        // Writes go to the journal; the statements after a write see its state.
        let mut writer = super::journal::LangWriter::new(&self.db);
        let (outcomes, written) = query::run_script_with(
            &self.graph,
            text,
            &CANCEL,
            true,
            self.lang,
            Some(&mut writer),
        );
        if let Some(g) = written {
            self.graph = Rc::new(g);
        }
        for o in outcomes {
            match o.result {
                Ok(table) => {
                    let ms = started.elapsed().as_secs_f64() * 1000.0;
                    if self.format == Format::Table {
                        self.page(&table.to_text_in_terminal(terminal_width(), ms));
                    } else {
                        // CSV and JSON stay machine-readable on stdout (`repl < script > out`):
                        // notes and the row count go to stderr.
                        self.page(&table.render(self.format));
                        for note in &table.notes {
                            stderrln!("{}{note}", table.note_prefix());
                        }
                        stderrln!("({})", table.count_line(Some(ms)));
                    }
                    if self.timing {
                        stderrln!("{}", o.timing.line());
                    }
                    self.last = Some((query::parse::without_comments(&o.text), table));
                }
                Err(e) => {
                    stderr!("{}", e.render_in(&o.text, self.lang));
                    self.failed = true;
                    // `.export` must not quietly write an older result after this failure.
                    self.last = None;
                    break;
                }
            }
        }
        CANCEL.store(false, Ordering::SeqCst);
    }
}

pub fn run(db: Option<PathBuf>, lang: Lang) -> Result<(), Failure> {
    let graph = Rc::new(open_graph(&db)?);
    let helper = ReplHelper::new(Rc::clone(&graph));
    let config = rustyline::Config::builder()
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut rl: Editor<ReplHelper, DefaultHistory> = Editor::with_config(config).map_err(|e| {
        Failure::internal(tr!(
            lang,
            "无法启动行编辑器：{e}",
            "cannot start the line editor: {e}"
        ))
    })?;
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
        lang,
        timing: false,
        last: None,
        failed: false,
        pager: pager::enabled_by_env(),
        typed_ahead: String::new(),
    };
    // Piped input is a script: no banner, and the user's history is left alone.
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        let (version, nodes) = (env!("CARGO_PKG_VERSION"), session.graph.ds.nodes.len());
        stdoutln!(
            "{}",
            tr!(
                session.lang,
                "chainkb {version} — {nodes} 个节点。输入 .help 查看帮助，.lang en 切换英文，Ctrl-D 退出。",
                "chainkb {version} — {nodes} nodes. Type .help for help, .lang zh for Chinese, Ctrl-D to leave."
            )
        );
    }
    // The lines of a statement typed so far, while the parser finds it incomplete. Each line is
    // read on its own, so that the lines after the first get the continuation prompt; piped
    // input is joined the same way (without prompts, which rustyline prints only to a terminal).
    let mut pending = String::new();
    'session: loop {
        let prompt = if pending.is_empty() {
            PROMPT
        } else {
            CONTINUATION
        };
        if let Some(h) = rl.helper_mut() {
            h.pending.clone_from(&pending);
        }
        // What was typed while the pager waited comes first: a whole line runs as typed (shown
        // after its prompt), an unfinished one is the start of the next line to edit.
        let typed = std::mem::take(&mut session.typed_ahead);
        let read = if let Some((line, rest)) = typed.split_once('\n') {
            stdoutln!("{prompt}{line}");
            session.typed_ahead = rest.to_string();
            Ok(line.to_string())
        } else if typed.is_empty() {
            rl.readline(prompt)
        } else {
            rl.readline_with_initial(prompt, (&typed, ""))
        };
        match read {
            // A paste (or a statement recalled from history) arrives as one buffer of several
            // lines: each line is taken as if typed, so two pasted statements run as two.
            Ok(buffer) => {
                for line in buffer.split('\n') {
                    let Some(statement) = feed(&mut pending, line) else {
                        continue;
                    };
                    let text = statement.trim();
                    // The whole statement is one history entry, its lines joined by newlines,
                    // appended to the file (another open session's entries stay).
                    if interactive {
                        let _ = rl.add_history_entry(text);
                        if let Some(h) = &history {
                            let _ = rl.append_history(h);
                        }
                    }
                    if text.starts_with('.') {
                        match session.meta(text, rl.history()) {
                            Ok(true) => {}
                            Ok(false) => break 'session,
                            Err(f) => {
                                let lang = session.lang;
                                stderrln!("{}{}", super::failure::prefix(lang), f.render(lang));
                                session.failed = true;
                            }
                        }
                        // After `.open`, completion offers the names of the new database.
                        if rl
                            .helper()
                            .is_some_and(|h| !Rc::ptr_eq(&h.graph, &session.graph))
                        {
                            rl.set_helper(Some(ReplHelper::new(Rc::clone(&session.graph))));
                        }
                    } else {
                        session.run_statements(text);
                    }
                }
            }
            Err(ReadlineError::Interrupted) => {
                let lang = session.lang;
                if pending.is_empty() {
                    stdoutln!(
                        "{}",
                        lang.pick(
                            "（Ctrl-C：已放弃这一行；Ctrl-D 退出）",
                            "(Ctrl-C: line discarded; Ctrl-D leaves)"
                        )
                    );
                } else {
                    pending.clear();
                    stdoutln!(
                        "{}",
                        lang.pick(
                            "（Ctrl-C：已放弃这条语句；Ctrl-D 退出）",
                            "(Ctrl-C: statement discarded; Ctrl-D leaves)"
                        )
                    );
                }
            }
            // Ctrl-D leaves, on a continuation line too, dropping the unfinished statement. At
            // the end of piped input, an unfinished last statement is a script error: run it,
            // so the parser says what it lacks (and the REPL exits 1).
            Err(ReadlineError::Eof) => {
                if !pending.trim().is_empty() {
                    if interactive {
                        stdoutln!(
                            "{}",
                            session
                                .lang
                                .pick("（未写完的语句已放弃）", "(unfinished statement dropped)")
                        );
                    } else {
                        session.run_statements(pending.trim());
                    }
                }
                break;
            }
            Err(e) => {
                return Err(Failure::internal(tr!(
                    session.lang,
                    "行编辑器出错：{e}",
                    "line editor: {e}"
                )));
            }
        }
    }
    // At a terminal an error is part of the conversation; from a pipe it is a failed script.
    if session.failed && !std::io::stdin().is_terminal() {
        return Err(Failure::Printed(crate::error::Blame::Input));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness_follows_the_parser() {
        assert!(is_complete(".help"));
        assert!(is_complete("chains"));
        assert!(!is_complete("status 锂电池 in"));
        assert!(!is_complete("chains |"));
        // an error before the end is shown at once instead of waiting for more input
        assert!(is_complete("chains ) | limit 3"));
        // an open quote goes on, even where the parser would first fail on something else
        assert!(!is_complete("find \"锂电"));
        assert!(is_complete("find \"锂电\n池\""));
        assert!(is_complete("chains -- a \" in a comment"));
    }

    #[test]
    fn an_export_names_its_sheet_after_the_statement_on_one_line_without_comments() {
        assert_eq!(
            query::parse::without_comments(
                "status 锂电池 in -- where?\n  测试高新区 | select segment"
            ),
            "status 锂电池 in 测试高新区 | select segment"
        );
        assert_eq!(
            query::parse::without_comments("find \"a--b\" -- c\n"),
            "find \"a--b\""
        );
    }

    #[test]
    fn lines_join_into_statements() {
        let mut pending = String::new();
        let mut fed = |line: &str| feed(&mut pending, line);
        assert_eq!(fed("\u{feff}chains |\r"), None);
        // a blank line (a CRLF paste) adds nothing, inside a string it does
        assert_eq!(fed("\r"), None);
        assert_eq!(fed("limit 1"), Some("chains |\nlimit 1".into()));
        assert_eq!(fed(""), None);
        assert_eq!(fed("find \"a"), None);
        assert_eq!(fed(""), None);
        assert_eq!(fed("b\""), Some("find \"a\n\nb\"".into()));
        assert_eq!(fed(".help"), Some(".help".into()));
    }

    #[test]
    fn the_continuation_prompt_is_as_wide_as_the_prompt() {
        assert_eq!(
            unicode_width::UnicodeWidthStr::width(CONTINUATION),
            unicode_width::UnicodeWidthStr::width(PROMPT)
        );
        assert!(CONTINUATION.trim_start().starts_with("...>"));
    }

    #[test]
    fn chinese_meta_help_names_the_same_commands() {
        let en: Vec<&str> = META_COMMANDS.iter().map(|m| m.0).collect();
        let zh: Vec<&str> = META_HELP_ZH.iter().map(|m| m.0).collect();
        assert_eq!(en, zh);
        for (cmd, help) in META_HELP_ZH {
            assert!(help.starts_with(cmd), "{help}");
        }
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
        let mut s = Session {
            graph: Rc::new(crate::open::graph_from_folder(&[dir]).unwrap()),
            db: None,
            format: Format::Csv,
            lang: Lang::Zh,
            timing: false,
            last: None,
            failed: false,
            pager: false,
            typed_ahead: String::new(),
        };
        let history = DefaultHistory::new();
        let tmp = tempfile::tempdir().unwrap();
        let txt = tmp.path().join("x.txt");
        let err = s
            .meta(&format!(".draw 锂电池 {}", txt.display()), &history)
            .unwrap_err()
            .to_string();
        assert!(err.contains("文件请以 .svg 或 .png 结尾"), "{err}");
        assert!(!txt.exists());
        // A .png is drawn in-process.
        let png = tmp.path().join("x.png");
        s.meta(&format!(".draw 锂电池 {}", png.display()), &history)
            .unwrap();
        assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
        s.run_statements("chains");
        assert!(s.last.is_some());
        s.run_statements("stauts 锂电池");
        let csv = tmp.path().join("x.csv");
        let err = s
            .meta(&format!(".export {}", csv.display()), &history)
            .unwrap_err()
            .to_string();
        assert!(err.contains("还没有可导出的结果"), "{err}");
        s.meta(".lang en", &history).unwrap();
        let err = s
            .meta(&format!(".export {}", csv.display()), &history)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nothing to export"), "{err}");
        assert!(!csv.exists());
        let err = s.meta(".formt csv", &history).unwrap_err().to_string();
        assert!(
            err.contains("unknown command `.formt` (did you mean .format?)"),
            "{err}"
        );
        s.meta(".lang zh", &history).unwrap();
        let err = s.meta(".formt csv", &history).unwrap_err().to_string();
        assert!(
            err.contains("没有 `.formt` 这个命令，是不是 .format？"),
            "{err}"
        );
    }
}
