//! Plan → table: asks the plan's report unit (`crate::report`) for its rows, then applies the
//! generic stages (where / sort / limit / select / distinct / group / expand, and `targets`),
//! which compare a node cell by its name; the rows left are materialized (nodes named) last.
//!
//! Reports over every park or region run on rayon's pool, and long loops poll the cancel flag.

use super::ast::{AggFn, CmpOp, GapKind};
use super::error::QueryError;
use super::plan::{Arg, Cond, Op, Plan, SourcePlan};
use crate::graph::Graph;
use crate::report::gaps::{self, ChainView};
use crate::report::notes::chain_notes;
use crate::report::producers::TopProducers;
use crate::report::table::{NodeNames, materialize};
use crate::report::{
    ReportError, Row, Rows, Table, Value, build, compare, gap_rows, lists, paths, status, walk,
};
use std::collections::{HashMap, HashSet};

/// How a plan runs (the report layer's: the cancel flag, rayon or not, the language).
pub use crate::report::Ctx;

impl From<ReportError> for QueryError {
    fn from(e: ReportError) -> QueryError {
        match e {
            ReportError::Cancelled => QueryError::cancelled(),
            ReportError::TooLarge {
                clause,
                message,
                zh,
            } => QueryError::semantic(clause, message, super::ast::Span::default())
                .with_zh(format!("{clause}：{zh}")),
        }
    }
}

pub fn execute(g: &Graph, plan: &Plan, ctx: Ctx) -> Result<Table, QueryError> {
    execute_named(g, plan, ctx, g)
}

/// [`execute`], with the node names the stages compare by and the last step writes taken from
/// `names` (the graph's own; a test's counts the look-ups).
fn execute_named(
    g: &Graph,
    plan: &Plan,
    ctx: Ctx,
    names: &dyn NodeNames,
) -> Result<Table, QueryError> {
    if plan.explain {
        let mut t = Table::new(&["query_plan"]).in_lang(ctx.lang);
        t.rows = plan
            .lines(g, ctx.lang)
            .into_iter()
            .map(|l| vec![Value::text(l)])
            .collect();
        return Ok(t);
    }
    let mut notes = Vec::new();
    let Rows { rows, subjects } = source(g, &plan.source, ctx, &mut notes)?;
    let mut rows: Vec<Keyed> = match subjects {
        Some(subjects) => rows
            .into_iter()
            .zip(subjects)
            .map(|(row, s)| Keyed {
                row,
                subject: Some(s),
            })
            .collect(),
        None => rows.into_iter().map(Keyed::plain).collect(),
    };
    for (op, _) in &plan.ops {
        ctx.check()?;
        rows =
            match op {
                Op::Targets { .. } => target_rows(g, op, &rows, ctx, &mut notes)?
                    .into_iter()
                    .map(Keyed::plain)
                    .collect(),
                Op::Producers(p) => {
                    // The segments the rows are about (a row about no one segment names none).
                    let segments: Vec<u32> = rows.iter().filter_map(|k| k.subject).collect();
                    let firms = p.firms(g, &segments);
                    let mut out = Vec::with_capacity(firms.len());
                    // Rows in blocks, polling the cancel flag (a whole chain's producers, no limit,
                    // are tens of thousands of firms at national scale).
                    for block in firms.chunks(65536) {
                        ctx.check()?;
                        out.extend(p.rows(g, block).into_iter().zip(block).map(|(row, &e)| {
                            Keyed {
                                row,
                                subject: Some(e),
                            }
                        }));
                    }
                    out
                }
                op => apply(op, rows, names)?,
            };
    }
    let mut rows: Vec<Row> = rows.into_iter().map(|k| k.row).collect();
    // Cells that are graph nodes stay ids until here: only the rows returned are named.
    materialize(&mut rows, names);
    let mut table = Table {
        columns: plan.columns.iter().map(|c| c.name.to_string()).collect(),
        domains: plan.columns.iter().map(|c| c.domain).collect(),
        rows,
        notes,
        lang: ctx.lang,
    };
    // 序号 (`no`) numbers the rows shown, after every filter and sort: no holes.
    crate::targets::list::renumber(&mut table);
    Ok(table)
}

/// A row in the pipeline, with the node it is about when its report says (a segment, for
/// status, the gap lists and walks): the stages carry it along, so `| targets` reads ids.
struct Keyed {
    row: Row,
    subject: Option<u32>,
}

impl Keyed {
    fn plain(row: Row) -> Keyed {
        Keyed { row, subject: None }
    }
}

/// The rows of the plan's report, and its notes: one unit of `crate::report` per source.
fn source(
    g: &Graph,
    src: &SourcePlan,
    ctx: Ctx,
    notes: &mut Vec<String>,
) -> Result<Rows, ReportError> {
    match src {
        SourcePlan::Find(i) => lists::find_rows(g, i, ctx, notes),
        SourcePlan::List(i) => lists::list_rows(g, i, ctx, notes),
        SourcePlan::Walk(i) => walk::rows(g, i, ctx, notes),
        SourcePlan::Status(i) => status::rows(g, i, ctx, notes),
        SourcePlan::Gaps(i) => gap_rows::rows(g, i, ctx, notes),
        SourcePlan::Build(i) => build::rows(g, i, ctx, notes),
        SourcePlan::Compare(i) => compare::rows(g, i, ctx, notes),
        SourcePlan::Paths(i) => paths::rows(g, i, ctx, notes),
        SourcePlan::Partners(p) => Ok(Rows {
            rows: p.rows(g, ctx.parallel),
            subjects: None,
        }),
        SourcePlan::TopProducers { top, keep } => Ok(Rows {
            rows: top_producer_rows(g, top, keep.as_ref()),
            subjects: None,
        }),
        SourcePlan::StateWalk(w) => Ok(w.rows(g)),
        SourcePlan::GapCount(c) => {
            chain_notes(g, c.chain, &c.places, ctx.lang, notes);
            Ok(Rows {
                rows: c.rows(g, ctx.parallel),
                subjects: None,
            })
        }
    }
}

/// Rows of the top-producers source: a full enterprise row (provenance and notes included, as
/// `enterprises` makes it) only for each firm the merge looks at, kept when it passes the rest
/// of the condition.
fn top_producer_rows(g: &Graph, top: &TopProducers, keep: Option<&Cond>) -> Vec<Row> {
    let mut rows = Vec::with_capacity(top.k.min(1024));
    top.firms(g, |e| {
        let row = lists::enterprise_row(g, e, None);
        let kept = keep.is_none_or(|c| eval(c, &row, g));
        if kept {
            rows.push(row);
        }
        kept
    });
    rows
}

// ------------------------------------------------------------------------------------ operators

fn val<'a>(row: &'a Row, a: &'a Arg) -> &'a Value {
    match a {
        Arg::Col(i) => &row[*i],
        Arg::Val(v) => v,
    }
}

/// Whether two values are equal, a node as its name (two nodes of one name are equal, as the
/// names shown would be).
fn equal(a: &Value, b: &Value, names: &dyn NodeNames) -> bool {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q, names))
        }
        (Value::Node(x), Value::Node(y)) if x == y => true,
        _ => a.cmp_named(b, names) == std::cmp::Ordering::Equal,
    }
}

fn comparable(a: &Value, b: &Value) -> bool {
    matches!(
        (a, b),
        (
            Value::Int(_) | Value::Float(_),
            Value::Int(_) | Value::Float(_)
        ) | (
            Value::Text(_) | Value::Node(_),
            Value::Text(_) | Value::Node(_)
        )
    )
}

/// Whether a row meets a condition. Recurses once per `and` / `or` level (bounded by the
/// parser's `MAX_CONDITION_DEPTH`); a run of `not`s is a loop.
fn eval(c: &Cond, row: &Row, names: &dyn NodeNames) -> bool {
    let mut c = c;
    let mut negated = false;
    while let Cond::Not(x) = c {
        negated = !negated;
        c = x;
    }
    negated != eval_once(c, row, names)
}

fn eval_once(c: &Cond, row: &Row, names: &dyn NodeNames) -> bool {
    match c {
        Cond::Or(v) => {
            for x in v {
                if eval(x, row, names) {
                    return true;
                }
            }
            false
        }
        Cond::And(v) => {
            for x in v {
                if !eval(x, row, names) {
                    return false;
                }
            }
            true
        }
        Cond::Not(x) => !eval(x, row, names),
        Cond::Cmp(a, op, b) => {
            let (a, b) = (val(row, a), val(row, b));
            // Missing values compare as nothing (SQL-like): use `is null` to find them.
            if a.is_null() || b.is_null() {
                return false;
            }
            match op {
                CmpOp::Eq => equal(a, b, names),
                CmpOp::Ne => !equal(a, b, names),
                _ if !comparable(a, b) => false,
                CmpOp::Lt => a.cmp_named(b, names).is_lt(),
                CmpOp::Le => a.cmp_named(b, names).is_le(),
                CmpOp::Gt => a.cmp_named(b, names).is_gt(),
                CmpOp::Ge => a.cmp_named(b, names).is_ge(),
            }
        }
        Cond::In(a, list) => {
            let a = val(row, a);
            list.iter().any(|x| equal(a, val(row, x), names))
        }
        Cond::Contains(a, b) => match (val(row, a), val(row, b)) {
            (Value::List(items), b) => items.iter().any(|x| equal(x, b, names)),
            // Text (or a node's name) holding a part: `segment contains 材料`.
            (a, b) => match (a.text_named(names), b.text_named(names)) {
                (Some(s), Some(t)) => s.contains(t),
                _ => false,
            },
        },
        Cond::IsNull(a, negated) => {
            let v = val(row, a);
            let null = v.is_absent();
            null != *negated
        }
    }
}

/// A hashable key for grouping and distinct: the values in Debug form (unambiguous: text is
/// quoted), a node written as the text of its name, so rows that show the same are one group.
fn key<'v>(values: impl Iterator<Item = &'v Value>, names: &dyn NodeNames) -> String {
    fn one(v: &Value, names: &dyn NodeNames, out: &mut String) {
        use std::fmt::Write as _;
        let _ = match v {
            Value::Node(n) => write!(out, "Text({:?})", names.node_name(*n)),
            Value::List(items) => {
                out.push_str("List([");
                for (k, x) in items.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    one(x, names, out);
                }
                out.push_str("])");
                Ok(())
            }
            v => write!(out, "{v:?}"),
        };
    }
    let mut out = String::new();
    for (k, v) in values.enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        one(v, names, &mut out);
    }
    out
}

/// `| targets`: the target list for the segments the incoming rows are about (their ids, kept
/// from the report's rows through the stages; never their names, resolved again).
fn target_rows(
    g: &Graph,
    op: &Op,
    rows: &[Keyed],
    ctx: Ctx,
    notes: &mut Vec<String>,
) -> Result<Vec<Row>, QueryError> {
    use crate::targets::{Gap, list};
    let Op::Targets { chain, place, kind } = op else {
        return Err(QueryError::internal("target_rows on another operator"));
    };
    // After fill, which gaps are 断链 comes from the gap analysis of the same chain and place
    // the rows came from, not from the rows' text.
    let broken: Vec<u32> = if *kind == Some(GapKind::Fill) {
        let v = ChainView::new(g, *chain);
        let (states, present) = v.states(g, *place);
        gaps::fill(&v, &states, &present)
            .into_iter()
            .filter(|f| f.broken)
            .map(|f| v.segs[f.pos])
            .collect()
    } else {
        Vec::new()
    };
    let mut gaps: Vec<Gap> = Vec::new();
    // A row about no one segment (a group of several) names no gap.
    for s in rows.iter().filter_map(|k| k.subject) {
        let gap = match kind {
            Some(GapKind::Fill) => Gap::fill(s, broken.contains(&s)),
            Some(k) => Gap::of(s, *k),
            None => Gap::named(s),
        };
        if !gaps.iter().any(|x| x.segment == s) {
            gaps.push(gap);
        }
    }
    // The compiled-in weights and rules, no filter: a failure is a bug, not the user's.
    let listed = list::Input::with_defaults(*chain, *place, gaps)
        .and_then(|input| list::rows(g, &input, ctx, notes))
        .map_err(|e| QueryError::internal(e.to_string()))?;
    Ok(listed.rows)
}

/// One generic stage over the rows; each row keeps the node it is about (a group's row, the one
/// its members share).
fn apply(op: &Op, mut rows: Vec<Keyed>, names: &dyn NodeNames) -> Result<Vec<Keyed>, QueryError> {
    Ok(match op {
        Op::Targets { .. } => return Err(QueryError::internal("targets needs the graph")),
        Op::Producers(_) => return Err(QueryError::internal("producers needs the graph")),
        Op::Filter(c) => rows
            .into_iter()
            .filter(|k| eval(c, &k.row, names))
            .collect(),
        Op::Sort(keys) => {
            rows.sort_by(|a, b| {
                for &(i, desc, domain) in keys {
                    let (x, y) = (&a.row[i], &b.row[i]);
                    // Nulls (and empty lists, which count as null) last in both directions.
                    let o = match (x.is_absent(), y.is_absent()) {
                        (true, false) => std::cmp::Ordering::Greater,
                        (false, true) => std::cmp::Ordering::Less,
                        _ => {
                            let o = match (domain, x, y) {
                                (Some(d), Value::Text(p), Value::Text(q)) => d.cmp_ids(p, q),
                                _ => x.cmp_named(y, names),
                            };
                            if desc { o.reverse() } else { o }
                        }
                    };
                    if o.is_ne() {
                        return o;
                    }
                }
                std::cmp::Ordering::Equal
            });
            rows
        }
        Op::Limit(n) => {
            rows.truncate(*n);
            rows
        }
        // The identity over rows of its width is a `select` the source has done already (the
        // state walk's, `rules::state_walk`): the rows go on as they are.
        Op::Project(idx)
            if idx.iter().enumerate().all(|(k, &i)| k == i)
                && rows.iter().all(|k| k.row.len() == idx.len()) =>
        {
            rows
        }
        Op::Project(idx) => rows
            .into_iter()
            .map(|k| Keyed {
                row: idx.iter().map(|&i| k.row[i].clone()).collect(),
                subject: k.subject,
            })
            .collect(),
        Op::Distinct => {
            let mut seen = HashSet::new();
            rows.into_iter()
                .filter(|k| seen.insert(key(k.row.iter(), names)))
                .collect()
        }
        Op::Expand(i) => {
            let mut out = Vec::with_capacity(rows.len());
            for k in rows {
                match &k.row[*i] {
                    Value::List(items) if !items.is_empty() => {
                        for it in items {
                            let mut row = k.row.clone();
                            row[*i] = it.clone();
                            out.push(Keyed {
                                row,
                                subject: k.subject,
                            });
                        }
                    }
                    Value::List(_) => {
                        let mut k = k;
                        k.row[*i] = Value::Null;
                        out.push(k);
                    }
                    _ => out.push(k),
                }
            }
            out
        }
        Op::Group { keys, aggs } => group(&rows, keys, aggs, names),
    })
}

fn group(
    rows: &[Keyed],
    keys: &[usize],
    aggs: &[(AggFn, Option<usize>)],
    names: &dyn NodeNames,
) -> Vec<Keyed> {
    let mut order: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (ri, k) in rows.iter().enumerate() {
        let k = key(keys.iter().map(|&i| &k.row[i]), names);
        let gi = *index.entry(k).or_insert_with(|| {
            order.push(Vec::new());
            order.len() - 1
        });
        order[gi].push(ri);
    }
    // A total with no `by` over no rows is still one row (count 0), like SQL.
    if keys.is_empty() && order.is_empty() {
        order.push(Vec::new());
    }
    order
        .into_iter()
        .map(|members| {
            let mut out: Row = match members.first() {
                Some(&f) => keys.iter().map(|&i| rows[f].row[i].clone()).collect(),
                None => Vec::new(),
            };
            // The node the group is about: the one all its members are about, if they are.
            let subject = members
                .first()
                .and_then(|&f| rows[f].subject)
                .filter(|s| members.iter().all(|&m| rows[m].subject == Some(*s)));
            for &(func, col) in aggs {
                let vals = || {
                    members
                        .iter()
                        .map(|&m| &rows[m].row)
                        .filter_map(|r| col.map(|c| &r[c]))
                        .filter(|v| !v.is_absent())
                };
                out.push(match func {
                    AggFn::Count => Value::Int(match col {
                        None => members.len() as i64,
                        Some(_) => vals().count() as i64,
                    }),
                    AggFn::Sum => {
                        let all_int = vals().all(|v| matches!(v, Value::Int(_)));
                        if vals().next().is_none() {
                            Value::Null
                        } else if all_int {
                            Value::Int(
                                vals()
                                    .filter_map(|v| {
                                        if let Value::Int(i) = v {
                                            Some(*i)
                                        } else {
                                            None
                                        }
                                    })
                                    .fold(0i64, |a, b| a.saturating_add(b)),
                            )
                        } else {
                            Value::Float(vals().filter_map(Value::as_f64).sum())
                        }
                    }
                    AggFn::Avg => {
                        let v: Vec<f64> = vals().filter_map(Value::as_f64).collect();
                        if v.is_empty() {
                            Value::Null
                        } else {
                            Value::Float(v.iter().sum::<f64>() / v.len() as f64)
                        }
                    }
                    AggFn::Min => vals()
                        .min_by(|a, b| a.cmp_named(b, names))
                        .cloned()
                        .unwrap_or(Value::Null),
                    AggFn::Max => vals()
                        .max_by(|a, b| a.cmp_named(b, names))
                        .cloned()
                        .unwrap_or(Value::Null),
                    AggFn::Collect => {
                        let mut items: Vec<Value> = Vec::new();
                        for v in vals() {
                            if !items.iter().any(|x| equal(x, v, names)) {
                                items.push(v.clone());
                            }
                        }
                        Value::List(items)
                    }
                });
            }
            Keyed { row: out, subject }
        })
        .collect()
}

#[cfg(test)]
#[path = "exec_tests.rs"]
mod tests;
