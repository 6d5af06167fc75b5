//! `status CHAIN in PLACE` (现状): every segment of a chain in one place, in the chain's reading
//! order, with its state, producers, projects and weakness.

use super::common::{investment, nodes, presence_cols, project_label, stage};
use super::gaps::{self, ChainView};
use super::notes::chain_notes;
use super::schema::{Col, Ty, cols};
use super::{Ctx, ReportError, Rows, Value};
use crate::graph::Graph;
use crate::lang::Lang;
use crate::tr;
use std::collections::HashMap;

/// A chain in one place.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub chain: u32,
    pub place: u32,
}

/// The report's columns, declared once (also listed in docs/QUERY.md).
pub fn columns() -> Vec<Col> {
    use Ty::*;
    cols(&[
        ("segment", Text),
        ("stage", Text),
        ("state", Text),
        ("producers", List),
        ("projects", List),
        ("investment_yi", Float),
        ("weakness", List),
    ])
}

/// The `explain` line: what the report reads and how, in `lang`.
pub fn explain(g: &Graph, input: &Input, lang: Lang) -> String {
    let (c, n, p) = (
        g.node(input.chain).name(),
        g.chain_segments(input.chain).len(),
        g.node(input.place).name(),
    );
    tr!(
        lang,
        "产业链 {c}（{n} 个环节）在 {p} 的现状：在地索引，每个环节查一次",
        "status of chain {c} ({n} segments) in {p}: presence index, one lookup per segment"
    )
}

/// The rows, each about its segment, and the place's notes.
pub fn rows(
    g: &Graph,
    input: &Input,
    ctx: Ctx,
    notes: &mut Vec<String>,
) -> Result<Rows, ReportError> {
    let &Input { chain, place } = input;
    chain_notes(g, chain, &[place], ctx.lang, notes);
    Ok(status(g, chain, place))
}

fn status(g: &Graph, chain: u32, place: u32) -> Rows {
    let view = ChainView::new(g, chain);
    let (states, present) = view.states(g, place);
    let weak: HashMap<usize, Vec<&str>> = gaps::strengthen(g, &view, place, &states, &present)
        .into_iter()
        .map(|w| (w.pos, w.weakness))
        .collect();
    // From resources to applications: the chain's reading order, made once by the view.
    let segments: Vec<u32> = view.order().iter().map(|&i| view.segs[i]).collect();
    let rows = view
        .order()
        .iter()
        .map(|&i| {
            let s = view.segs[i];
            let (st, producers, projects) = presence_cols(g, place, s);
            vec![
                Value::Node(s),
                stage(g, s),
                Value::text(st.as_str()),
                nodes(&producers),
                Value::texts(projects.iter().map(|&x| project_label(g, x))),
                investment(g, &projects),
                Value::texts(weak.get(&i).into_iter().flatten()),
            ]
        })
        .collect();
    Rows::about(rows, segments)
}
