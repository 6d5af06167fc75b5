//! What reports are made of, below the language: result tables, column schema, gap analysis.

pub mod gap_count;
pub mod gaps;
pub mod partners;
pub mod producers;
pub mod schema;
pub mod table;
pub mod walk;

pub use table::{Format, Table, Value};
