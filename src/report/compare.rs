//! `compare CHAIN in PLACE, PLACE, …` (对比): a chain's segments side by side in several
//! places, where they overlap and who could supply whom.

use super::common::{name, stage};
use super::gaps::ChainView;
use super::notes::chain_notes;
use super::schema::{Col, Ty, cols};
use super::{Ctx, ReportError, Row, Rows, Value};
use crate::graph::{Graph, SegmentState};
use crate::lang::{Domain, Lang};
use crate::tr;
use rayon::prelude::*;

/// A chain in two or more places (distinct).
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub chain: u32,
    pub places: Vec<u32>,
}

/// `segment`, `stage`, one state column per place (named after it), `overlap`, `could_supply`.
pub fn columns(g: &Graph, input: &Input) -> Vec<Col> {
    use Ty::*;
    let mut columns = cols(&[("segment", Text), ("stage", Text)]);
    for &p in &input.places {
        columns.push(Col {
            name: g.node(p).name().to_string().into(),
            ty: Text,
            domain: Some(Domain::State),
        });
    }
    columns.extend(cols(&[("overlap", List), ("could_supply", List)]));
    columns
}

/// The `explain` line: what the report reads and how, in `lang`.
pub fn explain(g: &Graph, input: &Input, lang: Lang) -> String {
    let (c, n) = (g.node(input.chain).name(), input.places.len());
    tr!(
        lang,
        "对比产业链 {c} 在 {n} 个地方：每个地方查在地索引（并行）",
        "compare chain {c} in {n} places: presence index per place (parallel)"
    )
}

/// The rows, and each place's notes.
pub fn rows(
    g: &Graph,
    input: &Input,
    ctx: Ctx,
    notes: &mut Vec<String>,
) -> Result<Rows, ReportError> {
    chain_notes(g, input.chain, &input.places, ctx.lang, notes);
    compare(g, input.chain, &input.places, ctx).map(Rows::plain)
}

fn compare(g: &Graph, chain: u32, places: &[u32], ctx: Ctx) -> Result<Vec<Row>, ReportError> {
    let view = ChainView::new(g, chain);
    let states: Vec<Vec<SegmentState>> = if ctx.parallel {
        places.par_iter().map(|&p| view.states(g, p).0).collect()
    } else {
        places.iter().map(|&p| view.states(g, p).0).collect()
    };
    ctx.check()?;
    let mut rows = Vec::new();
    for &i in view.order() {
        let s = view.segs[i];
        let mut row = vec![Value::Node(s), stage(g, s)];
        for st in &states {
            row.push(Value::text(st[i].as_str()));
        }
        let present: Vec<usize> = (0..places.len())
            .filter(|&k| states[k][i] == SegmentState::Present)
            .collect();
        let overlap = if present.len() >= 2 {
            present.iter().map(|&k| Value::Node(places[k])).collect()
        } else {
            Vec::new()
        };
        row.push(Value::List(overlap));
        // A could supply B: A makes s, B lacks it but makes a direct user of s.
        let mut supply = Vec::new();
        for &a in &present {
            for (b, st) in states.iter().enumerate() {
                if b != a
                    && st[i] != SegmentState::Present
                    && view.succ[i].iter().any(|&u| st[u] == SegmentState::Present)
                {
                    supply.push(format!("{}→{}", name(g, places[a]), name(g, places[b])));
                }
            }
        }
        row.push(Value::texts(supply));
        rows.push(row);
    }
    Ok(rows)
}
