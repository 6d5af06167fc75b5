//! Planner rules: statement shapes the planner answers with a faster report than the one the
//! statement names, with the same rows in the same order (issue 16; `tests/fast_paths.rs` holds
//! each equal to the long way). Each rule looks at the planned source and its first stages and
//! either rewrites them into one source or leaves them as they are; `explain` shows the result.

use super::ast::{AggFn, CmpOp, Direction};
use super::plan::{Arg, Cond, Op, Said, SourcePlan};
use crate::graph::{Graph, SegmentState};
use crate::report::common::Places;
use crate::report::gaps::GapKind;
use crate::report::lists::{self, ListKind};
use crate::report::schema::Col;
use crate::report::{Value, gap_count, producers, state_walk};

/// Apply every rule in turn to a planned source and its stages; also says whether the
/// source's columns are no longer `columns` (only `gap_count`'s stand in for stages: the other
/// rules' sources make the columns of the one they replace).
pub fn apply(
    g: &Graph,
    source: SourcePlan,
    columns: &[Col],
    ops: &mut Vec<(Op, Said)>,
) -> (SourcePlan, bool) {
    let source = top_producers(g, source, ops);
    let source = state_walk(source, columns, ops);
    producers_top_k(g, ops);
    let source = partners_top_k(source, ops);
    let gaps = matches!(source, SourcePlan::Gaps(_));
    let source = gap_count(source, columns, ops);
    let counted = gaps && matches!(source, SourcePlan::GapCount(_));
    (source, counted)
}

/// `partners … [| select …] | limit k`: rows are made only for the first k firms of the
/// ranking (all are still found and ranked; the others never become rows). `select` keeps the
/// number and order of rows, so a limit after it is the same limit.
fn partners_top_k(mut source: SourcePlan, ops: &mut Vec<(Op, Said)>) -> SourcePlan {
    let SourcePlan::Partners(p) = &mut source else {
        return source;
    };
    let mut j = 0;
    while matches!(ops.get(j), Some((Op::Project(_), _))) {
        j += 1;
    }
    if let Some((Op::Limit(k), _)) = ops.get(j) {
        p.k = Some(*k);
        ops.remove(j);
    }
    source
}

/// `… | producers … [| select …] | limit k`: the limit goes into the merge of the
/// revenue-ordered producer lists (the first k firms kept, the others never looked at), and
/// with a `select` right after the stage or after that limit, only its columns are made.
/// (`select` keeps the number and order of rows, so a limit after it is the same limit.)
fn producers_top_k(g: &Graph, ops: &mut Vec<(Op, Said)>) {
    let mut i = 0;
    while i < ops.len() {
        if !matches!(ops[i].0, Op::Producers(_)) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while matches!(ops.get(j), Some((Op::Project(_), _))) {
            j += 1;
        }
        let k = match ops.get(j) {
            Some((Op::Limit(k), _)) => Some(*k),
            _ => None,
        };
        if k.is_some() {
            ops.remove(j);
        }
        // The limit gone, a `select` right after (`producers | limit k | select …` too).
        let needed = match ops.get(i + 1) {
            Some((Op::Project(keep), _)) => {
                let mut need = vec![false; lists::columns(ListKind::Enterprises).len()];
                for &c in keep {
                    if let Some(n) = need.get_mut(c) {
                        *n = true;
                    }
                }
                Some(need)
            }
            _ => None,
        };
        if let (Op::Producers(p), said) = &mut ops[i] {
            p.k = k;
            p.needed = needed;
            *said = super::plan::producers_said(g, p);
        }
        i += 1;
    }
}

/// `fill CHAIN in all parks|regions | where distance = d | group by place with count()`
/// becomes a `GapCount` source that counts, per place, the missing segments whose nearest
/// present user is d hops down, without making gap rows.
fn gap_count(source: SourcePlan, columns: &[Col], ops: &mut Vec<(Op, Said)>) -> SourcePlan {
    let SourcePlan::Gaps(input) = &source else {
        return source;
    };
    let (GapKind::Fill, Places::Each(places, _)) = (input.kind, &input.places) else {
        return source;
    };
    let at = |n: &str| columns.iter().position(|c| c.name == n);
    let (Some(dist), Some(place)) = (at("distance"), at("place")) else {
        return source;
    };
    let [(Op::Filter(cond), _), (Op::Group { keys, aggs }, _), ..] = &ops[..] else {
        return source;
    };
    let Cond::Cmp(Arg::Col(i), CmpOp::Eq, Arg::Val(Value::Int(d))) = cond else {
        return source;
    };
    if *i != dist || keys[..] != [place] || aggs[..] != [(AggFn::Count, None)] {
        return source;
    }
    let Ok(distance) = u32::try_from(*d) else {
        return source;
    };
    let count = gap_count::GapCount {
        chain: input.chain,
        places: places.clone(),
        distance,
    };
    ops.drain(..2);
    SourcePlan::GapCount(count)
}

/// `upstream|downstream SEGMENT … in PLACE | where state = S` (or `state in [S, …]`, or an
/// `or` of such terms) becomes a `StateWalk` source that tests each reached segment's state
/// and makes rows only for those kept; with a `select` right after, only its columns, in its
/// order (the `select` left as the identity).
fn state_walk(source: SourcePlan, columns: &[Col], ops: &mut Vec<(Op, Said)>) -> SourcePlan {
    let SourcePlan::Walk(input) = &source else {
        return source;
    };
    let Some(place) = input.place else {
        return source;
    };
    let Some(col) = columns.iter().position(|c| c.name == "state") else {
        return source;
    };
    let Some((Op::Filter(cond), _)) = ops.first() else {
        return source;
    };
    fn state_of(a: &Arg) -> Option<SegmentState> {
        let Arg::Val(Value::Text(t)) = a else {
            return None;
        };
        [
            SegmentState::Present,
            SegmentState::Planned,
            SegmentState::Missing,
            SegmentState::Unknown,
        ]
        .into_iter()
        .find(|s| s.as_str() == &**t)
    }
    fn states(c: &Cond, col: usize, out: &mut Vec<SegmentState>) -> bool {
        match c {
            Cond::Cmp(Arg::Col(i), CmpOp::Eq, v) if *i == col => {
                state_of(v).map(|s| out.push(s)).is_some()
            }
            Cond::In(Arg::Col(i), items) if *i == col => items
                .iter()
                .all(|v| state_of(v).map(|s| out.push(s)).is_some()),
            Cond::Or(v) => v.iter().all(|c| states(c, col, out)),
            _ => false,
        }
    }
    let mut kept = Vec::new();
    if !states(cond, col, &mut kept) {
        return source;
    }
    ops.remove(0);
    // A `select` right after is done by the walk, which makes only its columns, in its order;
    // the stage stays as the identity (`explain` still shows it, `exec` passes such rows on).
    // `producers` reads only the segment each row is about.
    let cells = match ops.first_mut() {
        Some((Op::Producers(_), _)) => Some(Vec::new()),
        Some((Op::Project(keep), _)) if columns.len() == 8 && keep.iter().all(|&i| i < 8) => {
            let identity = (0..keep.len()).collect();
            Some(std::mem::replace(keep, identity))
        }
        _ => None,
    };
    SourcePlan::StateWalk(state_walk::StateWalk {
        upstream: input.dir == Direction::Upstream,
        origin: input.segment,
        depth: input.depth,
        chain: input.chain,
        place,
        states: kept,
        cells,
    })
}

/// `enterprises | where C | sort revenue_yi desc, name | limit k`, where one conjunct of C is
/// `segments contains S` or an `or` of such terms, becomes a `TopProducers` source that merges
/// those segments' revenue-ordered producer lists and tests the rest of C on each firm's row
/// until k are kept. (`sort revenue_yi desc` alone is not rewritten: its ties keep the list's
/// node order, the index's break them by name.)
fn top_producers(g: &Graph, source: SourcePlan, ops: &mut Vec<(Op, Said)>) -> SourcePlan {
    let SourcePlan::List(lists::ListInput {
        kind: ListKind::Enterprises,
        within: None,
    }) = &source
    else {
        return source;
    };
    let columns = lists::columns(ListKind::Enterprises);
    let at = |n: &str| columns.iter().position(|c| c.name == n);
    let (Some(seg), Some(rev), Some(name)) = (at("segments"), at("revenue_yi"), at("name")) else {
        return source;
    };
    let [
        (Op::Filter(cond), _),
        (Op::Sort(keys), _),
        (Op::Limit(k), _),
        ..,
    ] = &ops[..]
    else {
        return source;
    };
    let [(r, true, _), (n, false, _)] = keys[..] else {
        return source;
    };
    if r != rev || n != name {
        return source;
    }
    fn conjuncts(c: &Cond, out: &mut Vec<Cond>) {
        match c {
            Cond::And(v) => v.iter().for_each(|c| conjuncts(c, out)),
            c => out.push(c.clone()),
        }
    }
    fn segment_texts(c: &Cond, seg: usize, out: &mut Vec<String>) -> bool {
        match c {
            Cond::Contains(Arg::Col(i), Arg::Val(Value::Text(t))) if *i == seg => {
                out.push(t.to_string());
                true
            }
            Cond::Or(v) => v.iter().all(|c| segment_texts(c, seg, out)),
            _ => false,
        }
    }
    let mut all = Vec::new();
    conjuncts(cond, &mut all);
    let mut texts = Vec::new();
    let Some(pos) = all.iter().position(|c| {
        texts.clear();
        segment_texts(c, seg, &mut texts)
    }) else {
        return source;
    };
    all.remove(pos);
    let keep = match all.len() {
        0 => None,
        1 => all.pop(),
        _ => Some(Cond::And(all)),
    };
    let top = producers::TopProducers::new(g, texts, *k, keep.is_some());
    ops.drain(..3);
    SourcePlan::TopProducers { top, keep }
}
