//! Pairs → AST for conditions: `where` expressions (`and` / `or` / `not`, bounded in depth),
//! comparisons and their operands.

use super::*;

/// A condition's AST (`expr`, `and_expr`, `not_expr` or `primary` in the grammar), `depth`
/// levels of `not` / `and` / `or` below the top of the condition. Bounded by
/// `MAX_CONDITION_DEPTH`: the builder recurses only per bracket (bounded by `precheck`), but a
/// run of `not`s takes no bracket, and planning, execution, printing and dropping the tree
/// recurse once per level.
///
/// Each rule has a small function of its own: in a debug build one function holding them all
/// took 5 KB of stack per call, four calls per bracket level.
pub(super) fn expr(p: Pair<Rule>, depth: usize) -> Result<Expr, QueryError> {
    match p.as_rule() {
        Rule::expr => joined(p, depth, true),
        Rule::and_expr => joined(p, depth, false),
        Rule::not_expr => negated(p, depth),
        Rule::primary => {
            let c = p
                .into_inner()
                .find(|c| matches!(c.as_rule(), Rule::expr | Rule::cond))
                .ok_or_else(|| QueryError::internal("empty condition"))?;
            expr(c, depth)
        }
        Rule::cond => condition(p),
        _ => Err(QueryError::internal("unexpected expression rule")),
    }
}

/// Parts joined by `or` (`or` true) or by `and`.
pub(super) fn joined(p: Pair<Rule>, depth: usize, or: bool) -> Result<Expr, QueryError> {
    let (part, joiner) = if or {
        (Rule::and_expr, Rule::kw_or)
    } else {
        (Rule::not_expr, Rule::kw_and)
    };
    // One part and no joiner (most conditions, at both levels): that part, no lists made.
    let mut it = p.clone().into_inner();
    if let (Some(only), None) = (it.next(), it.next())
        && only.as_rule() == part
    {
        return expr(only, depth);
    }
    let children: Vec<Pair<Rule>> = p.into_inner().collect();
    // An `or` / `and` of two or more parts is a level of its own, hit at its first `or` / `and`.
    let below = match children.iter().find(|c| c.as_rule() == joiner) {
        Some(kw) if or => deeper(depth, kw)?,
        Some(kw) => deeper(depth, kw).map_err(|e| {
            e.with_hint(
                "`| where A and B` is `| where A | where B`: split the condition into stages",
            )
        })?,
        None => depth,
    };
    // A loop, not an iterator chain: in a debug build every adapter is a stack frame of its
    // own, per bracket level.
    let mut items = Vec::new();
    for c in children {
        if c.as_rule() == part {
            items.push(expr(c, below)?);
        }
    }
    Ok(if items.len() == 1 {
        items.remove(0)
    } else if or {
        Expr::Or(items)
    } else {
        Expr::And(items)
    })
}

/// `not not … C`: the `not`s are counted in a loop, each one a level.
pub(super) fn negated(p: Pair<Rule>, depth: usize) -> Result<Expr, QueryError> {
    let mut nots = 0;
    let mut below = depth;
    let mut inner = None;
    for c in p.into_inner() {
        if c.as_rule() == Rule::kw_not {
            nots += 1;
            below = deeper(below, &c).map_err(|e| {
                if nots > 1 {
                    e.with_hint("`not not C` is the same as C: drop `not`s in pairs")
                } else {
                    e
                }
            })?;
        } else {
            inner = Some(expr(c, below)?);
        }
    }
    let mut e = inner.ok_or_else(|| QueryError::internal("not without operand"))?;
    for _ in 0..nots {
        e = Expr::Not(Box::new(e));
    }
    Ok(e)
}

/// One condition that holds no other (`cond` in the grammar): a comparison, `in`, `contains`,
/// `is null`.
pub(super) fn condition(p: Pair<Rule>) -> Result<Expr, QueryError> {
    match p.as_rule() {
        Rule::cond => {
            // The parts as they come: the left operand, then what follows it.
            let mut parts = p.into_inner();
            let mut next = || {
                parts
                    .next()
                    .ok_or_else(|| QueryError::internal("condition cut short"))
            };
            let left = next()?;
            let a = operand(&left)?;
            let op = next()?;
            match op.as_rule() {
                Rule::cmp_op => {
                    let op = match op.as_str() {
                        "=" => CmpOp::Eq,
                        "!=" => CmpOp::Ne,
                        "<" => CmpOp::Lt,
                        "<=" => CmpOp::Le,
                        ">" => CmpOp::Gt,
                        _ => CmpOp::Ge,
                    };
                    Ok(Expr::Cmp(a, op, operand(&next()?)?))
                }
                Rule::kw_in => {
                    let list = next()?
                        .into_inner()
                        .filter(|o| o.as_rule() == Rule::operand)
                        .map(|o| operand(&o))
                        .collect::<Result<_, _>>()?;
                    Ok(Expr::In(a, list))
                }
                Rule::kw_contains => {
                    let right = next()?;
                    if right.as_rule() == Rule::contains_list {
                        Err(contains_list(&left, &right))
                    } else {
                        Ok(Expr::Contains(a, operand(&right)?))
                    }
                }
                // `is [not] null`: the rest is `not`, if any, and `null`.
                _ => Ok(Expr::IsNull(a, parts.any(|c| c.as_rule() == Rule::kw_not))),
            }
        }
        _ => Err(QueryError::internal("unexpected expression rule")),
    }
}

/// The level below `depth` for the `not` / `and` / `or` at `at`, or the error there when it
/// would be deeper than `MAX_CONDITION_DEPTH`.
pub(super) fn deeper(depth: usize, at: &Pair<Rule>) -> Result<usize, QueryError> {
    if depth < MAX_CONDITION_DEPTH {
        return Ok(depth + 1);
    }
    Err(QueryError::syntax(
        format!(
            "condition nested too deep: more than {MAX_CONDITION_DEPTH} levels of `not`, `and` and `or` inside one another"
        ),
        span_of(at),
    ))
}

/// `COL contains [a, b]`: contains takes one value; the error shows the conditions joined with
/// `or` that test for any of them (`tags contains 上市 or tags contains 链主`).
pub(super) fn contains_list(left: &Pair<Rule>, list: &Pair<Rule>) -> QueryError {
    let items: Vec<&str> = list
        .clone()
        .into_inner()
        .flat_map(|l| l.into_inner())
        .filter(|o| o.as_rule() == Rule::operand)
        .map(|o| o.as_str())
        .collect();
    let err = QueryError::syntax(
        "contains takes one value on its right, not a list in brackets",
        span_of(list),
    );
    if items.is_empty() {
        return err;
    }
    let left = left.as_str();
    let alternatives: Vec<String> = items
        .iter()
        .map(|x| format!("{left} contains {x}"))
        .collect();
    let joined = alternatives.join(" or ");
    err.with_hint(if alternatives.len() == 1 {
        format!("write `{joined}`")
    } else {
        format!("test each value and join them with `or`: `{joined}`")
    })
}

pub(super) fn operand(p: &Pair<Rule>) -> Result<Operand, QueryError> {
    let inner = p
        .clone()
        .into_inner()
        .next()
        .ok_or_else(|| QueryError::internal("empty operand"))?;
    Ok(match inner.as_rule() {
        Rule::kw_null => Operand::Null,
        Rule::number => {
            let n = inner
                .into_inner()
                .next()
                .ok_or_else(|| QueryError::internal("number"))?;
            if n.as_rule() == Rule::int {
                Operand::Int(int(&n)?)
            } else {
                Operand::Float(
                    n.as_str()
                        .parse()
                        .map_err(|_| QueryError::syntax("not a number", span_of(&n)))?,
                )
            }
        }
        Rule::string => Operand::Text(unescape(
            inner.into_inner().next().map_or("", |s| s.as_str()),
        )),
        _ => Operand::Ident(Name {
            text: inner.as_str().to_string(),
            span: span_of(&inner),
        }),
    })
}
