//! What reports are made of, below the language: the result `Table` and `Value`s, and gap analysis.

pub mod gaps;
pub mod table;

pub use table::{Format, Table, Value};
