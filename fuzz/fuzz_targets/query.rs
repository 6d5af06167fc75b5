//! Arbitrary text as a script of statements, as `chainkb query` and the REPL take it: parsed,
//! and every statement that parses printed back, planned and run against the graph of
//! `tests/fixtures/mini`, its table rendered in every format and its error rendered.
//!
//! Checks: no panic, no abort, no hang (libFuzzer's -timeout); a parsed statement prints to
//! text that parses back to the same statement (or, for one at the nesting bound, is refused
//! for its depth: printing adds brackets).
#![no_main]

use chainkb::query::{self, Ctx, Format, parse};
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::AtomicBool;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let g = chainkb_fuzz::mini_graph();
    let cancel = AtomicBool::new(false);
    let (parsed, syntax_error) = parse::parse_script_until_error(text);
    if let Some(e) = syntax_error {
        let _ = e.render(text);
    }
    for p in parsed {
        let st = &p.statement;
        let printed = st.to_string();
        match parse::parse(&printed) {
            Ok(back) => assert!(
                &back == st,
                "`{printed}` parses to another statement:\n{st:?}\n{back:?}"
            ),
            Err(e) => assert!(
                e.message.contains("too deep"),
                "`{printed}` (printed from a parsed statement) does not parse: {}",
                e.render(&printed)
            ),
        }
        let ctx = Ctx {
            cancel: &cancel,
            parallel: false,
            lang: Default::default(),
        };
        match query::run_statement(g, st, ctx) {
            Ok((table, ..)) => {
                for f in [Format::Table, Format::Json, Format::Csv] {
                    let _ = table.render(f);
                }
                let _ = table.to_text_in_terminal(Some(60), 1.0);
            }
            Err(e) => {
                let _ = e.render(text);
            }
        }
    }
});
