//! What reports are made of, below the language: result tables, column schema, gap analysis,
//! and one unit per report (its typed input, its one column declaration, its explain line and
//! its rows, whose node cells stay ids — `Value::Node` — until the rows returned are named).
//!
//! Every report unit has the same shape: an `Input` struct (resolved node ids and options,
//! built by the query planner), `columns(..) -> Vec<Col>`, `explain(g, &input, lang) -> String`
//! and `rows(g, &input, ctx, notes) -> Result<Rows, ReportError>`. A cell that shows a graph
//! node (segment, producer, place, firm, chain …) is `Value::Node(id)` (lists of them
//! `Value::List` of nodes); text a unit writes itself (reasons, paths, project labels) is text.
//! Whoever turns rows into a `Table` calls `table::materialize` on the rows it keeps (the query
//! executor after its stages, `targets`' command-line tables).
//!
//! Adding a report: a unit file here with those four; in `query::plan`, a `SourcePlan` variant
//! holding its `Input`, its arms in `SourcePlan::columns` / `SourcePlan::explain`, and the
//! source's arm in `plan_source` (names resolved into the `Input`); in `query::exec`, its arm in
//! `source`. Nothing in this layer imports `crate::query`.

pub mod build;
pub mod common;
pub mod compare;
pub mod gap_count;
pub mod gap_rows;
pub mod gaps;
pub mod lists;
pub mod notes;
pub mod partners;
pub mod paths;
pub mod producers;
pub mod schema;
pub mod state_walk;
pub mod status;
pub mod table;
pub mod walk;
pub use table::{Format, Table, Value};

use crate::lang::Lang;
use std::sync::atomic::{AtomicBool, Ordering};

/// One row of a report: its values, in the order of the report's columns.
pub type Row = Vec<Value>;

/// A report's rows and, for a report whose every row is about one segment (status, the gap
/// lists, a walk), that segment's node id per row: a later stage (`| targets`) reads these ids,
/// never the names shown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    pub rows: Vec<Row>,
    /// `subjects[i]` is the node row `i` is about; `None` when the rows are about no one node.
    pub subjects: Option<Vec<u32>>,
}

impl Rows {
    /// Rows about no one node each.
    pub fn plain(rows: Vec<Row>) -> Rows {
        Rows {
            rows,
            subjects: None,
        }
    }

    /// Rows, row `i` about node `subjects[i]`.
    pub fn about(rows: Vec<Row>, subjects: Vec<u32>) -> Rows {
        debug_assert_eq!(rows.len(), subjects.len());
        Rows {
            rows,
            subjects: Some(subjects),
        }
    }
}

/// How a report runs: the cancel flag (set by Ctrl-C) and whether to use rayon.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub cancel: &'a AtomicBool,
    pub parallel: bool,
    /// The language of the reasons and notes written, and of the table shown.
    pub lang: Lang,
}

impl Ctx<'_> {
    /// `Err(Cancelled)` once the cancel flag is set.
    pub fn check(&self) -> Result<(), ReportError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(ReportError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Why a report stopped before its rows were complete.
#[derive(Clone, Debug, PartialEq)]
pub enum ReportError {
    /// The cancel flag was set (Ctrl-C in the REPL).
    Cancelled,
    /// The report would grow past a bound (`paths`: too many paths or edges walked); `clause`
    /// names the statement's part to narrow, `message` (English) and `zh` (中文) say what was
    /// exceeded and how to narrow it.
    TooLarge {
        clause: &'static str,
        message: String,
        zh: String,
    },
}
