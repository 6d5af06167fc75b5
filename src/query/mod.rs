//! The chainkb query language: text → AST → plan → table, over the in-memory `Graph`.
//!
//! # Life of a query
//!
//! 1. **Text.** A statement such as `fill 锂电池 in 玉溪高新区 | where gap = 断链 | limit 5`
//!    arrives from the CLI, a script file (statements split by `;`) or the REPL. A leading
//!    byte-order mark is skipped (blanked, so byte spans still point into the text as given).
//! 2. **Bounds.** `parse::precheck` refuses text over 64 KiB or nested deeper than 64 brackets,
//!    and pest's call limit is set, so no input can make the parser run away. The AST builder
//!    refuses a condition more than 128 levels of `not` / `and` / `or` deep (at the keyword
//!    that goes deeper), since planning, evaluation, printing and dropping recurse per level.
//! 3. **Grammar.** pest runs `grammar/chainkb.pest`. A syntax error becomes a `QueryError`
//!    with the byte span of the offending token; `error.rs` turns it into line and column in
//!    characters, an underline measured in display width (right under Chinese text), the
//!    expected items in plain words (keywords grouped by the table in `keywords.rs`: those
//!    that begin a statement, a stage, an aggregate), and hints (full-width punctuation,
//!    punctuation glued to a bare name or a name that cannot be bare — shown quoted —, an
//!    invalid escape in quotes, a stray byte-order mark, `contains [a, b]`, "did you mean" for
//!    a mistyped keyword of that table). A script
//!    is parsed as far as its first syntax error: the statements before the one holding it
//!    still run (`parse::parse_script_until_error`).
//! 4. **AST.** `parse.rs` builds `ast::Statement` from the pairs: Chinese keyword aliases
//!    (补链, 上游, 现状 …) become the same nodes as the English ones, and names stay text. The
//!    AST prints back as a query (`Display`), quoting a name spelled like any keyword of the
//!    `keywords` table (which a unit test holds equal to the grammar's `kw_*` rules);
//!    `parse(display(ast)) == ast`.
//! 5. **Plan.** `plan.rs` resolves every name against the graph's name index (id, name, alias,
//!    normalized name; "did you mean" on a miss, prefix matches first) and places through the
//!    PART_OF hierarchy, into the typed input of one report unit of `crate::report` (one
//!    `SourcePlan` variant per unit: `status`, `gap_rows`, `build`, `compare`, `walk`, `paths`,
//!    `lists`), and takes that unit's one column declaration. `stages.rs` then checks each stage
//!    against the typed columns it receives (`report::schema`: unknown column, `sum` of text, a
//!    list column compared with `=` or on the right of `contains`, depth −1 … named by clause)
//!    and fixes the operators; `targets` (only after one chain in one place) and `producers`
//!    (only after rows about segments) are planned against the source in `plan.rs`. A text value compared with a column also matches the display
//!    names of the entities it names (`location = 玉溪高新区` → 玉溪高新技术产业开发区), resolved
//!    here, once.
//! 6. **Explain.** With `explain`, execution stops here and the plan's lines are the result: the
//!    unit's explain line, each stage's, and the columns, in the user's language (`Ctx::lang`).
//! 7. **Source.** `exec.rs` asks the unit for its rows (`report::Rows`) and notes; a cell that
//!    is a graph node (a segment, producer, place, firm …) is `Value::Node`, an id. Gap reports
//!    build a `report::gaps::ChainView` (the chain's reachability as bitsets) once, then read
//!    each place's segment states from the graph's per-segment place bitsets
//!    (`graph::StateBits`) and the presence index; they never scan enterprises. Reports that
//!    list a chain's segments unranked (status, compare, `segments of`) use the chain's reading
//!    order (`report::gaps::reading_order`: inputs before users, then stage, then template
//!    order), computed once per query. Work over every park/region runs on rayon and polls the
//!    cancel flag (Ctrl-C in the REPL); a report's `ReportError` becomes a `QueryError`.
//! 8. **Operators.** where / sort / limit / select / distinct / group / expand run over the
//!    rows in pipeline order, each row keeping the node it is about (status, gap lists and walks
//!    say which segment; a group's row keeps the one its members share); `targets` makes the
//!    target list (`crate::targets::list`) for those segments' ids, taking which fill gaps are
//!    断链 from the gap analysis, never from the rows' names; `producers` merges those segments'
//!    revenue-ordered producer lists (`report::producers::OfSegments`). A node cell compares,
//!    sorts and groups as its display name (`Value::cmp_named` through
//!    `report::table::NodeNames`), so results are those of the names; then
//!    `report::table::materialize` names the nodes of the rows left, and only those
//!    (`| limit 10` over a million rows names ten rows' nodes).
//! 9. **Writes.** A write statement (`move project P to 签约`, `add prospect …`, `add firm …`,
//!    `note …`; `parse_write.rs`) is `Source::Write`: it is never planned, but handed to the
//!    caller's `Writer` (`run_script_with`), which records it in the planning journal through the
//!    same functions as the command line (`cli::journal`) and returns what changed as a table
//!    and the new current state, on which the rest of the script runs.
//! 10. **Output.** The `report::Table` (named columns, rows of null / int / float / text / list
//!     values; amounts in 亿元) prints as an aligned table, JSON rows or CSV.

pub mod ast;
pub mod error;
pub mod exec;
pub mod keywords;
pub mod parse;
mod parse_write;
pub mod plan;
mod rules;
mod stages;

#[cfg(test)]
mod prop_tests;

/// A statement's result is a report table (`crate::report`).
pub use crate::report::{Format, Table, Value};
pub use error::{ErrorKind, QueryError};
pub use exec::Ctx;

use crate::graph::Graph;
use crate::lang::Lang;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// Time spent in each phase of one statement.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timing {
    pub parse: Duration,
    pub plan: Duration,
    pub exec: Duration,
}

impl Timing {
    /// The fixed machine-readable line `--timing` prints.
    pub fn line(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "timing: parse={:.4}ms plan={:.4}ms exec={:.4}ms",
            ms(self.parse),
            ms(self.plan),
            ms(self.exec)
        )
    }
}

/// One statement's outcome, with the statement's text for error rendering.
pub struct Outcome {
    pub text: String,
    pub result: Result<Table, QueryError>,
    pub timing: Timing,
}

/// Plan and run one parsed statement.
pub fn run_statement(
    g: &Graph,
    st: &ast::Statement,
    ctx: Ctx,
) -> Result<(Table, Duration, Duration), QueryError> {
    let t0 = Instant::now();
    let p = plan::plan(g, st)?;
    let plan_time = t0.elapsed();
    let t1 = Instant::now();
    let table = exec::execute(g, &p, ctx)?;
    Ok((table, plan_time, t1.elapsed()))
}

/// Run one statement given as text.
pub fn run(g: &Graph, text: &str, cancel: &AtomicBool) -> Result<Table, QueryError> {
    let st = parse::parse(text)?;
    run_statement(
        g,
        &st,
        Ctx {
            cancel,
            parallel: true,
            lang: Lang::default(),
        },
    )
    .map(|(t, ..)| t)
}

/// Where write statements go (`move project …`, `add prospect …`, `note …`: the planning
/// journal, docs/PLANNING.md). The command line and the REPL hand one in (`cli::journal`); the
/// query layer parses writes but does not know where the journal is.
pub trait Writer {
    /// Record `write`. The table says what changed (its notes: anything to look at); the graph
    /// is the current state after the write, for the statements that follow it.
    fn write(&mut self, write: &ast::Write, lang: Lang) -> Result<(Table, Graph), QueryError>;
}

/// The error of a write where nothing can record it.
pub fn no_writer(w: &ast::Write) -> QueryError {
    QueryError::semantic(
        w.action.keyword(),
        "a write needs a database to record it: run it with `chainkb query --db PATH` or in `chainkb repl --db PATH`",
        w.span,
    )
    .with_zh(format!(
        "{}：写语句要记入数据库的日志：请用 chainkb query --db PATH 或在 chainkb repl --db PATH 中运行",
        w.action.keyword()
    ))
}

/// Run a script: statements separated by `;` (a leading byte-order mark is skipped). Each
/// statement runs and has its own outcome; `stop_on_error` stops after the first failing one.
/// A syntax error ends the script where it is: the statements before the one holding it run,
/// then it is the last outcome (errors about the input as a whole — too long, nested too deep —
/// come before anything runs).
/// Reasons, notes and the tables' labels are in `lang`. Writes are refused (no `Writer`).
pub fn run_script(
    g: &Graph,
    text: &str,
    cancel: &AtomicBool,
    stop_on_error: bool,
    lang: Lang,
) -> Vec<Outcome> {
    run_script_with(g, text, cancel, stop_on_error, lang, None).0
}

/// [`run_script`] with a `Writer` for the write statements: a write goes to it, and the
/// statements after it run on the state it returns. Also returns that state, after the last
/// write (`None` when nothing was written).
pub fn run_script_with(
    g: &Graph,
    text: &str,
    cancel: &AtomicBool,
    stop_on_error: bool,
    lang: Lang,
    mut writer: Option<&mut dyn Writer>,
) -> (Vec<Outcome>, Option<Graph>) {
    // Each statement's own parse time (they are parsed one by one).
    let (parsed, syntax_error) = parse::parse_script_timed(text);
    let mut out = Vec::new();
    let mut written: Option<Graph> = None;
    for (p, parse_each) in parsed {
        let g = written.as_ref().unwrap_or(g);
        // Spans stay relative to the whole script, so errors show the script's own line numbers.
        let res = match (&p.statement.source, writer.as_deref_mut()) {
            (ast::Source::Write(w), Some(writer)) => {
                let t1 = Instant::now();
                writer.write(w, lang).map(|(table, now)| {
                    written = Some(now);
                    (table, Duration::ZERO, t1.elapsed())
                })
            }
            _ => run_statement(
                g,
                &p.statement,
                Ctx {
                    cancel,
                    parallel: true,
                    lang,
                },
            ),
        };
        let (result, timing) = match res {
            Ok((t, plan, exec)) => (
                Ok(t),
                Timing {
                    parse: parse_each,
                    plan,
                    exec,
                },
            ),
            Err(e) => (
                Err(e),
                Timing {
                    parse: parse_each,
                    ..Timing::default()
                },
            ),
        };
        let failed = result.is_err();
        out.push(Outcome {
            text: text.to_string(),
            result,
            timing,
        });
        if failed && stop_on_error {
            return (out, written);
        }
    }
    if let Some((e, parse_each)) = syntax_error {
        out.push(Outcome {
            text: text.to_string(),
            result: Err(e),
            timing: Timing {
                parse: parse_each,
                ..Timing::default()
            },
        });
    }
    (out, written)
}
