//! chainkb: an industry-chain graph knowledge base (产业链图谱知识库) with its own query language.
//!
//! Layers, in the order data flows through them:
//!
//! 1. [`data`] reads a data folder (`graphs/*.toml` chain templates, `seeds/*.csv` entities)
//!    into a checked [`model::Dataset`], and writes one back (export).
//! 2. [`store`] keeps the dataset in sled (the store of record), with atomic imports.
//! 3. [`graph`] builds the in-memory graph (adjacency per edge kind) and its indexes from the stored dataset.
//! 4. [`report`] holds what reports are made of: the result table and the gap analysis.
//! 5. [`query`] parses, plans and runs the query language over the graph.
//! 6. [`cli`] is the command-line interface over all of the above, [`draw`] renders chain
//!    pictures (SVG, DOT, PNG), [`export`] writes results to .xlsx/.csv/.md/.json; [`bundle`] is the seed
//!    knowledge base compiled into the binary; [`synth`] generates synthetic data at scale;
//!    [`targets`] scores target companies for gaps and routes projects to parks.
//!
//! See ARCHITECTURE.md for the invariants.

/// `print!`/`println!`/`eprint!`/`eprintln!` that never panic. The std macros panic when the
/// stream is closed (`chainkb check … 2>&1 | head`); a reader that stopped reading is not a
/// reason to crash, so what cannot be written is dropped.
macro_rules! stdout {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = write!(std::io::stdout(), $($t)*); }};
}
macro_rules! stdoutln {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stdout(), $($t)*); }};
}
macro_rules! stderr {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = write!(std::io::stderr(), $($t)*); }};
}
macro_rules! stderrln {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stderr(), $($t)*); }};
}

pub mod bundle;
pub mod cli;
pub mod data;
pub mod draw;
pub mod error;
pub mod export;
pub mod graph;
pub mod intake;
pub mod journal;
pub mod lang;
pub mod model;
pub mod names;
pub mod open;
pub mod query;
pub mod report;
pub mod store;
pub mod synth;
pub mod targets;
