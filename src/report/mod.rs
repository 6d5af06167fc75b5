//! What reports are made of, below the language: result tables, column schema, gap analysis,
//! and one unit per report (its typed input, its one column declaration, its explain line and
//! its rows).
//!
//! Every report unit has the same shape: an `Input` struct (resolved node ids and options,
//! built by the query planner), `columns(..) -> Vec<Col>`, `explain(g, &input, lang) -> String`
//! and `rows(g, &input, ctx, notes) -> Result<Vec<Row>, ReportError>`.

pub mod build;
pub mod common;
pub mod compare;
pub mod gap_rows;
pub mod gaps;
pub mod lists;
pub mod notes;
pub mod paths;
pub mod schema;
pub mod status;
pub mod table;
pub mod walk;

pub use table::{Format, Table, Value};

use crate::lang::Lang;
use std::sync::atomic::{AtomicBool, Ordering};

/// One row of a report: its values, in the order of the report's columns.
pub type Row = Vec<Value>;

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
    /// names the statement's part to narrow, `message` says what was exceeded and how.
    TooLarge {
        clause: &'static str,
        message: String,
    },
}
