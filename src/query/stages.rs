//! Planning the generic stages (where / sort / limit / select / distinct / group / expand):
//! each is checked against the typed columns it receives (`report::schema`), its names and
//! known values resolved once, and turned into the operator `exec` applies, with its explain
//! line. `| targets`, which needs the source, is planned in `plan.rs`.

use super::ast::{self, AggFn, CmpOp, Expr, Name, Operand, Span, Stage};
use super::error::QueryError;
use super::plan::{Arg, Cond, Op, Said};
use crate::graph::Graph;
use crate::lang::Lang;
use crate::names::{did_you_mean, suggest};
use crate::report::Value;
use crate::report::schema::{Col, Ty};

/// The column `typed` names: by its id (`state`) or its Chinese label (`状态`). The label is
/// looked for once in the label table (labels are unique), not once per column: every bare
/// word of a condition comes here, values (`state = missing`) included.
fn col_pos(columns: &[Col], typed: &str) -> Option<usize> {
    columns.iter().position(|c| c.name == typed).or_else(|| {
        let (id, _) = crate::lang::COLUMNS.iter().find(|(_, zh)| *zh == typed)?;
        columns
            .iter()
            .position(|c| c.name == *id && Lang::Zh.label(&c.name) == typed)
    })
}

fn col_index(columns: &[Col], n: &Name, clause: &str) -> Result<usize, QueryError> {
    col_pos(columns, &n.text).ok_or_else(|| {
        let sugg = column_suggestions(&n.text, columns);
        let all: Vec<&str> = columns.iter().map(|c| &*c.name).collect();
        let all_zh: Vec<String> = columns.iter().map(|c| shown_both(&c.name)).collect();
        QueryError::semantic(
            clause,
            format!(
                "no column `{}`{} (columns: {})",
                n.text,
                did_you_mean(&sugg),
                all.join(", ")
            ),
            n.span,
        )
        .with_zh(format!(
            "{clause}：没有 `{}` 这一列{}（各列：{}）",
            n.text,
            if sugg.is_empty() {
                String::new()
            } else {
                format!("，是不是 {}？", sugg.join("、"))
            },
            all_zh.join("、")
        ))
    })
}

/// A column as Chinese readers see it and scripts name it: `状态 state`, or the name alone when
/// it has no label.
fn shown_both(id: &str) -> String {
    match Lang::Zh.label(id) {
        zh if zh == id => id.to_string(),
        zh => format!("{zh} {id}"),
    }
}

/// Closest column names (ids and Chinese labels): `suggest`, plus swapped letters (`nmae` →
/// `name`), which plain edit distance counts as two edits and short column names cannot afford.
fn column_suggestions<'a>(typed: &str, columns: &'a [Col]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for c in columns {
        for n in [&*c.name, Lang::Zh.label(&c.name)] {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    let mut out = suggest(typed, names, 2);
    if out.is_empty() {
        out.extend(
            columns
                .iter()
                .map(|c| &*c.name)
                .filter(|c| strsim::osa_distance(typed, c) <= 1),
        );
        out.truncate(2);
    }
    out
}

/// A condition operand: a column, or a value. A bare word that is no column is text when it is
/// a value (right of `=`, in a list), and an unknown column where only a column makes sense.
fn arg(
    columns: &[Col],
    o: &Operand,
    must_be_column: bool,
    clause: &str,
) -> Result<Arg, QueryError> {
    Ok(match o {
        Operand::Null => Arg::Val(Value::Null),
        Operand::Int(i) => Arg::Val(Value::Int(*i)),
        Operand::Float(f) => Arg::Val(Value::Float(*f)),
        Operand::Text(s) => Arg::Val(Value::text(s.as_str())),
        Operand::Ident(n) => match col_pos(columns, &n.text) {
            Some(i) => Arg::Col(i),
            None if must_be_column => {
                return Err(col_index(columns, n, clause)
                    .err()
                    .unwrap_or_else(|| QueryError::internal("column")));
            }
            None => Arg::Val(Value::text(n.text.as_str())),
        },
    })
}

fn arg_ty(columns: &[Col], a: &Arg) -> Option<Ty> {
    match a {
        Arg::Col(i) => Some(columns[*i].ty),
        Arg::Val(Value::Int(_)) => Some(Ty::Int),
        Arg::Val(Value::Float(_)) => Some(Ty::Float),
        Arg::Val(Value::Text(_)) => Some(Ty::Text),
        _ => None,
    }
}

/// Plan a condition. `aka` collects, for `explain`, the values that also match other names
/// (`测试高新区 → 测试园区`).
///
/// Recurses once per `and` / `or` level (the parser bounds the depth, `MAX_CONDITION_DEPTH`);
/// a run of `not`s is a loop, and the large frame of a single condition (`leaf`) is not on the
/// recursion's stack.
fn cond(g: &Graph, columns: &[Col], e: &Expr, aka: &mut Vec<String>) -> Result<Cond, QueryError> {
    let mut nots = 0;
    let mut e = e;
    while let Expr::Not(x) = e {
        nots += 1;
        e = x;
    }
    let mut c = match e {
        Expr::Or(v) | Expr::And(v) => {
            // A loop, not an iterator chain: in a debug build every adapter is a stack frame
            // of its own, per level.
            let mut items = Vec::with_capacity(v.len());
            for x in v {
                items.push(cond(g, columns, x, aka)?);
            }
            if matches!(e, Expr::Or(_)) {
                Cond::Or(items)
            } else {
                Cond::And(items)
            }
        }
        _ => leaf(g, columns, e, aka)?,
    };
    for _ in 0..nots {
        c = Cond::Not(Box::new(c));
    }
    Ok(c)
}

/// Plan one condition that holds no other: a comparison, `in`, `contains`, `is null`.
#[inline(never)]
fn leaf(g: &Graph, columns: &[Col], e: &Expr, aka: &mut Vec<String>) -> Result<Cond, QueryError> {
    let clause = "where";
    Ok(match e {
        Expr::Or(_) | Expr::And(_) | Expr::Not(_) => cond(g, columns, e, aka)?,
        Expr::Cmp(a_op, op, b_op) => {
            let (a, b) = (
                arg(columns, a_op, true, clause)?,
                arg(columns, b_op, false, clause)?,
            );
            let b = match op {
                CmpOp::Eq | CmpOp::Ne => known_value(columns, e, &a, b, b_op, true)?,
                _ => b,
            };
            list_comparison(columns, e, (a_op, &a), *op, (b_op, &b))?;
            if let Some((ta, tb)) = number_against_text(columns, &a, &b) {
                let what = match op {
                    CmpOp::Eq | CmpOp::Ne => format!(
                        "`{e}` compares {} with {}: it is true for {} row",
                        ta.word(),
                        tb.word(),
                        if *op == CmpOp::Eq { "no" } else { "every" }
                    ),
                    _ => format!("`{e}` orders {} against {}", ta.word(), tb.word()),
                };
                let (za, zb) = (ta.word_zh(), tb.word_zh());
                let what_zh = match op {
                    CmpOp::Eq => format!("`{e}` 把{za}与{zb}比较：没有一行成立"),
                    CmpOp::Ne => format!("`{e}` 把{za}与{zb}比较：每一行都成立"),
                    _ => format!("`{e}` 把{za}与{zb}比大小"),
                };
                let err = QueryError::semantic("where", what, operand_span(e))
                    .with_zh(format!("where：{what_zh}"));
                return Err(match number_as_text_hint(b_op) {
                    Some((en, zh)) if ta.is_numeric() => err.with_hints(en, zh),
                    _ if tb.is_numeric() => err.with_hints(
                        format!(
                            "to compare text, quote the value: {a_op} {} \"{b_op}\"",
                            op.as_str()
                        ),
                        format!(
                            "要按文本比较，请给值加引号：{a_op} {} \"{b_op}\"",
                            op.as_str()
                        ),
                    ),
                    _ => err,
                });
            }
            // `location = 玉溪高新区` also holds for 玉溪高新技术产业开发区; `!=` for neither.
            match (op, also_named(g, columns, &a, &b, aka)) {
                (CmpOp::Eq | CmpOp::Ne, names) if !names.is_empty() => {
                    let mut each = vec![Cond::Cmp(a.clone(), *op, b)];
                    each.extend(
                        names
                            .into_iter()
                            .map(|n| Cond::Cmp(a.clone(), *op, Arg::Val(Value::text(n)))),
                    );
                    if *op == CmpOp::Eq {
                        Cond::Or(each)
                    } else {
                        Cond::And(each)
                    }
                }
                _ => Cond::Cmp(a, *op, b),
            }
        }
        Expr::In(a_op, list) => {
            let a = arg(columns, a_op, true, clause)?;
            if arg_ty(columns, &a) == Some(Ty::List) && !list.is_empty() {
                let alternatives: Vec<String> = list
                    .iter()
                    .map(|x| format!("{a_op} contains {x}"))
                    .collect();
                return Err(QueryError::semantic(
                    "where",
                    format!("`{e}` compares a list with single values: it is true for no row"),
                    operand_span(e),
                )
                .with_zh(format!("where：`{e}` 把列表与单个值比较：没有一行成立"))
                .with_hints(
                    format!("`{a_op}` is a list: use `{}`", alternatives.join(" or ")),
                    format!("`{a_op}` 是列表：请用 `{}`", alternatives.join(" or ")),
                ));
            }
            let items: Vec<Arg> = list
                .iter()
                .map(|x| {
                    let v = arg(columns, x, false, clause)?;
                    known_value(columns, e, &a, v, x, true)
                })
                .collect::<Result<_, _>>()?;
            for (x_op, x) in list.iter().zip(&items) {
                list_on_the_right(columns, e, a_op, &a, x_op, x)?;
                if let Some((ta, tx)) = number_against_text(columns, &a, x) {
                    let err = QueryError::semantic(
                        "where",
                        format!(
                            "`{e}`: `{x_op}` is {} and `{a_op}` holds {}: it matches no row",
                            if tx.is_numeric() { "a number" } else { "text" },
                            ta.word()
                        ),
                        operand_span(e),
                    )
                    .with_zh(format!(
                        "where：`{e}`：`{x_op}` 是{}，而 `{a_op}` 存的是{}：筛选不到任何行",
                        if tx.is_numeric() { "数字" } else { "文本" },
                        ta.word_zh()
                    ));
                    return Err(match number_as_text_hint(x_op) {
                        Some((en, zh)) if ta.is_numeric() => err.with_hints(en, zh),
                        _ => err,
                    });
                }
            }
            let mut all = items.clone();
            for x in &items {
                for n in also_named(g, columns, &a, x, aka) {
                    let n = Arg::Val(Value::text(n));
                    if !all.contains(&n) {
                        all.push(n);
                    }
                }
            }
            Cond::In(a, all)
        }
        Expr::Contains(a_op, b) => {
            let a = arg(columns, a_op, true, clause)?;
            if let Some(t) = arg_ty(columns, &a)
                && t.is_numeric()
            {
                return Err(QueryError::semantic(
                    "where",
                    format!(
                        "`{e}`: contains needs a text or list column, not {}",
                        t.word()
                    ),
                    operand_span(e),
                )
                .with_zh(format!(
                    "where：`{e}`：contains（包含）要用于文本或列表列，不能用于{}",
                    t.word_zh()
                )));
            }
            let b_arg = arg(columns, b, false, clause)?;
            // A list of known values holds whole values; text may hold part of one.
            let whole = arg_ty(columns, &a) == Some(Ty::List);
            let b_arg = known_value(columns, e, &a, b_arg, b, whole)?;
            list_on_the_right(columns, e, a_op, &a, b, &b_arg)?;
            let names = also_named(g, columns, &a, &b_arg, aka);
            if names.is_empty() {
                Cond::Contains(a, b_arg)
            } else {
                let mut any = vec![Cond::Contains(a.clone(), b_arg)];
                any.extend(
                    names
                        .into_iter()
                        .map(|n| Cond::Contains(a.clone(), Arg::Val(Value::text(n)))),
                );
                Cond::Or(any)
            }
        }
        Expr::IsNull(a, neg) => Cond::IsNull(arg(columns, a, true, clause)?, *neg),
    })
}

/// A text value compared with a column of known values (`state = 缺失`, `state = missing`,
/// `weakness contains 单一企业`): the id the rows hold, whichever language it was typed in. A
/// word the column can never hold would silently match no row: with `strict` it is an error
/// that lists the values it can hold (both languages), with the closest as "did you mean".
fn known_value(
    columns: &[Col],
    e: &Expr,
    column: &Arg,
    value: Arg,
    v_op: &Operand,
    strict: bool,
) -> Result<Arg, QueryError> {
    let (Arg::Col(i), Arg::Val(Value::Text(typed))) = (column, &value) else {
        return Ok(value);
    };
    let Some(domain) = columns[*i].domain else {
        return Ok(value);
    };
    if let Some(id) = domain.id_of(typed) {
        return Ok(Arg::Val(Value::text(id)));
    }
    if !strict {
        return Ok(value);
    }
    let span = match v_op {
        Operand::Ident(n) => n.span,
        _ => operand_span(e),
    };
    let col = &columns[*i].name;
    let (zh, en) = (domain.shown(Lang::Zh), domain.shown(Lang::En));
    let close = suggest(typed, domain.spellings(), 2);
    let mut err = QueryError::semantic(
        "where",
        format!(
            "`{e}`: `{col}` holds only {}, never `{typed}`: it would match no row",
            en.join(", ")
        ),
        span,
    )
    .with_zh(format!(
        "where：`{e}`：{}（{col}）只有 {}（英文 {}），没有 `{typed}`，筛选不到任何行",
        Lang::Zh.label(col),
        zh.join("、"),
        en.join("、")
    ));
    if !close.is_empty() {
        err = err.with_hints(
            format!("did you mean {}?", close.join(", ")),
            format!("是不是 {}？", close.join("、")),
        );
    }
    Err(err)
}

/// More entities than this under one name make it a word, not a name (see `also_named`).
const MAX_NAMES: usize = 8;

/// The display names, other than itself, of the entities a text value names, when it is
/// compared with a text or list column (`=`, `!=`, `in`, `contains`): columns hold entities by
/// their display names, and staff type ids, aliases and short names (`location = 玉溪高新区`
/// for 玉溪高新技术产业开发区, `carriers contains 恩捷`). Resolved once, here, through the name
/// index. Empty when the value names no entity (`state = missing`), only entities shown by
/// that very text, or more than `MAX_NAMES` of them.
fn also_named<'g>(
    g: &'g Graph,
    columns: &[Col],
    column: &Arg,
    value: &Arg,
    aka: &mut Vec<String>,
) -> Vec<&'g str> {
    let (Arg::Col(i), Arg::Val(Value::Text(text))) = (column, value) else {
        return Vec::new();
    };
    // A column of known values (`state`) holds no entity names.
    if columns[*i].domain.is_some() {
        return Vec::new();
    }
    if !matches!(arg_ty(columns, column), Some(Ty::Text | Ty::List)) {
        return Vec::new();
    }
    let hits = g.names.lookup(&g.ds.nodes, text, &[]);
    if hits.len() > MAX_NAMES {
        return Vec::new();
    }
    let mut names: Vec<&str> = Vec::new();
    for n in hits {
        let shown = g.node(n).name();
        if shown != &**text && !names.contains(&shown) {
            names.push(shown);
        }
    }
    if !names.is_empty() {
        let note = format!("{} → {}", ast::Name::new(text.as_ref()), names.join(", "));
        if !aka.contains(&note) {
            aka.push(note);
        }
    }
    names
}

/// A list column compared with `=`, `!=` or an ordering to something that is not a list:
/// equality of a list with a single value never holds, so the query would silently match no
/// row (or every row, with `!=`). Refused, with the `contains` that was probably meant.
fn list_comparison(
    columns: &[Col],
    e: &Expr,
    (a_op, a): (&Operand, &Arg),
    op: CmpOp,
    (b_op, b): (&Operand, &Arg),
) -> Result<(), QueryError> {
    let (ta, tb) = (arg_ty(columns, a), arg_ty(columns, b));
    let (list, other, other_ty) = match (ta, tb) {
        (Some(Ty::List), Some(Ty::List)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => return Ok(()),
        (Some(Ty::List), t) => (a_op, b_op, t),
        (t, Some(Ty::List)) => (b_op, a_op, t),
        _ => return Ok(()),
    };
    // `segments = null`: a comparison with null is false, as everywhere (use `is null`).
    let Some(other_ty) = other_ty else {
        return Ok(());
    };
    let what = other_ty.word();
    let message = match op {
        CmpOp::Eq => format!("`{e}` compares a list with {what}: it is true for no row"),
        CmpOp::Ne => format!("`{e}` compares a list with {what}: it is true for every row"),
        _ => format!("`{e}` orders a list against {what}: it is true for no row"),
    };
    let message_zh = match op {
        CmpOp::Eq => format!("`{e}` 把列表与单个值比较：没有一行成立"),
        CmpOp::Ne => format!("`{e}` 把列表与单个值比较：每一行都成立"),
        _ => format!("`{e}` 把列表与单个值比大小：没有一行成立"),
    };
    let mut err = QueryError::semantic("where", message, operand_span(e))
        .with_zh(format!("where：{message_zh}"));
    err = match op {
        CmpOp::Eq => err.with_hints(
            format!("`{list}` is a list: use `{list} contains {other}`"),
            format!("`{list}` 是列表：请用 `{list} contains {other}`（包含）"),
        ),
        CmpOp::Ne => err.with_hints(
            format!("`{list}` is a list: use `not {list} contains {other}`"),
            format!("`{list}` 是列表：请用 `not {list} contains {other}`"),
        ),
        _ => err,
    };
    Err(err)
}

/// A list column on the right of `contains` or inside `in [ … ]`: the right side is one value,
/// and a row's value never equals (nor contains, as text) a whole list, so the condition would
/// silently hold for no row. Refused, with the condition that was probably meant: the list on
/// the left of `contains`.
fn list_on_the_right(
    columns: &[Col],
    e: &Expr,
    a_op: &Operand,
    a: &Arg,
    b_op: &Operand,
    b: &Arg,
) -> Result<(), QueryError> {
    if arg_ty(columns, b) != Some(Ty::List) {
        return Ok(());
    }
    let span = match b_op {
        Operand::Ident(n) => n.span,
        _ => operand_span(e),
    };
    let takes = if matches!(e, Expr::In(..)) {
        "`in [ … ]` takes single values"
    } else {
        "contains takes one value on its right"
    };
    let takes_zh = if matches!(e, Expr::In(..)) {
        "`in [ … ]` 只接单个值"
    } else {
        "contains（包含）右边只接一个值"
    };
    let err = QueryError::semantic(
        "where",
        format!("`{e}`: `{b_op}` is a list, and {takes}: it is true for no row"),
        span,
    )
    .with_zh(format!(
        "where：`{e}`：`{b_op}` 是列表，而 {takes_zh}：没有一行成立"
    ));
    Err(if arg_ty(columns, a) == Some(Ty::List) && a == b {
        // One list column on both sides: after `expand` it would hold for every row.
        err.with_hint(format!(
            "there is no list-overlap operator, and a list compared with itself tests nothing; to keep the rows whose `{a_op}` hold a value, write the value: `{a_op} contains NAME`"
        ))
    } else if arg_ty(columns, a) == Some(Ty::List) {
        // Two lists: there is no overlap operator; one of them becomes single values first.
        err.with_hint(format!(
            "there is no list-overlap operator; `expand {b_op}` first gives one row per element, and then `expand {b_op} | where {a_op} contains {b_op}` keeps one row per shared element"
        ))
    } else {
        err.with_hint(format!("`{b_op}` is a list: use `{b_op} contains {a_op}`"))
    })
}

/// The types of `a` and `b` when one is a number and the other text: a comparison that never
/// holds (lists are checked apart, by `list_comparison`).
fn number_against_text(columns: &[Col], a: &Arg, b: &Arg) -> Option<(Ty, Ty)> {
    let (ta, tb) = (arg_ty(columns, a)?, arg_ty(columns, b)?);
    (ta != Ty::List && tb != Ty::List && ta.is_numeric() != tb.is_numeric()).then_some((ta, tb))
}

/// For a quoted number compared with a number column (`revenue_yi = "8"`): write it bare.
fn number_as_text_hint(o: &Operand) -> Option<(String, String)> {
    match o {
        Operand::Text(t) if t.trim().parse::<f64>().is_ok() => Some((
            format!("numbers are written without quotes: {}", t.trim()),
            format!("数字不加引号：{}", t.trim()),
        )),
        _ => None,
    }
}

fn operand_span(e: &Expr) -> Span {
    match e {
        Expr::Cmp(Operand::Ident(n), ..)
        | Expr::Contains(Operand::Ident(n), _)
        | Expr::In(Operand::Ident(n), _) => n.span,
        _ => Span::default(),
    }
}

/// The `explain` line of a generic stage, in `lang`: written only when asked (`Said::Stage`).
pub(super) fn said(st: &Stage, lang: Lang) -> String {
    match (st, lang) {
        (Stage::Where(e), Lang::Zh) => format!("筛选：{e}"),
        (Stage::Where(e), Lang::En) => format!("filter: {e}"),
        (Stage::Sort(_), Lang::Zh) => format!("{st}（稳定排序）"),
        (Stage::Sort(_), Lang::En) => format!("{st} (stable)"),
        (Stage::Limit(n, _), Lang::Zh) => format!("限制：前 {n} 行"),
        (Stage::Limit(n, _), Lang::En) => format!("limit: first {n} rows"),
        (Stage::Distinct, Lang::Zh) => "去重：删除重复的行".into(),
        (Stage::Distinct, Lang::En) => "distinct: drop repeated rows".into(),
        (Stage::Group { .. }, Lang::Zh) => format!("{st}（哈希分组，各组按首行出现的顺序）"),
        (Stage::Group { .. }, Lang::En) => {
            format!("{st} (hash grouping, groups in order of first row)")
        }
        (Stage::Expand(c), Lang::Zh) => format!("展开：{} 的每个元素各占一行", c.text),
        (Stage::Expand(c), Lang::En) => format!("expand: one row per element of {}", c.text),
        // `select` (and the stages planned with their source, which never get here) print
        // back as they are.
        _ => st.to_string(),
    }
}

/// Plan one generic stage against the columns it receives: its operator, its explain line
/// (`explain`: keep the stage for it; a plan without is never printed) and the columns it
/// passes on, `None` when they are the ones it received (where, sort, limit, distinct).
pub(super) fn plan_stage(
    g: &Graph,
    columns: &[Col],
    st: &Stage,
    explain: bool,
) -> Result<(Op, Said, Option<Vec<Col>>), QueryError> {
    let kw = st.keyword();
    let stage_said = || {
        if explain {
            Said::Stage(st.clone())
        } else {
            Said::Unsaid
        }
    };
    Ok(match st {
        // Planned by `plan_targets` / `plan_producers`, which need the source.
        Stage::Targets(span) | Stage::Producers { span, .. } => {
            return Err(QueryError::internal(format!(
                "{kw} planned without its source at {span:?}"
            )));
        }
        Stage::Where(e) => {
            let mut aka = Vec::new();
            let c = cond(g, columns, e, &mut aka)?;
            let said = if aka.is_empty() {
                stage_said()
            } else {
                Said::Text {
                    zh: format!(
                        "{}（同时匹配的名称：{}）",
                        said(st, Lang::Zh),
                        aka.join("；")
                    ),
                    en: format!(
                        "{} (names also matched: {})",
                        said(st, Lang::En),
                        aka.join("; ")
                    ),
                }
            };
            (Op::Filter(c), said, None)
        }
        Stage::Sort(keys) => {
            let mut out = Vec::new();
            for k in keys {
                let i = col_index(columns, &k.column, kw)?;
                out.push((i, k.desc.unwrap_or(false), columns[i].domain));
            }
            (Op::Sort(out), stage_said(), None)
        }
        Stage::Limit(n, span) => {
            if *n < 0 {
                return Err(QueryError::semantic(
                    "limit",
                    format!("the row count must be 0 or more, got {n}"),
                    *span,
                )
                .with_zh(format!("limit：行数不能小于 0，这里是 {n}")));
            }
            (Op::Limit(*n as usize), stage_said(), None)
        }
        Stage::Select(items) => {
            let mut idx = Vec::new();
            let mut out: Vec<Col> = Vec::new();
            for it in items {
                let i = col_index(columns, &it.column, kw)?;
                let name = it
                    .alias
                    .as_ref()
                    .map_or_else(|| columns[i].name.clone(), |a| a.text.clone().into());
                if out.iter().any(|c| c.name == name) {
                    return Err(QueryError::semantic(
                        "select",
                        format!("column `{name}` selected twice; rename one with `as`"),
                        it.column.span,
                    )
                    .with_zh(format!(
                        "select：`{name}` 这一列选了两次；用 `as` 给其中一个改名"
                    )));
                }
                idx.push(i);
                out.push(Col {
                    name,
                    ty: columns[i].ty,
                    domain: columns[i].domain,
                });
            }
            (Op::Project(idx), stage_said(), Some(out))
        }
        Stage::Distinct => (Op::Distinct, stage_said(), None),
        Stage::Group { by, aggs } => {
            let mut keys = Vec::new();
            let mut out: Vec<Col> = Vec::new();
            for b in by {
                let i = col_index(columns, b, kw)?;
                keys.push(i);
                out.push(columns[i].clone());
            }
            let mut planned = Vec::new();
            for a in aggs {
                let clause = format!("`group … {a}`");
                let col = a
                    .column
                    .as_ref()
                    .map(|c| col_index(columns, c, &clause))
                    .transpose()?;
                let ty = match (a.func, col) {
                    (AggFn::Count, _) => Ty::Int,
                    (AggFn::Collect, _) => Ty::List,
                    (f, None) => {
                        return Err(QueryError::semantic(
                            &clause,
                            format!(
                                "{} needs a column, like {}(investment_yi)",
                                f.as_str(),
                                f.as_str()
                            ),
                            a.span,
                        ));
                    }
                    (AggFn::Sum | AggFn::Avg, Some(i)) if !columns[i].ty.is_numeric() => {
                        return Err(QueryError::semantic(
                            &clause,
                            format!(
                                "{} needs a numeric column; `{}` holds {}",
                                a.func.as_str(),
                                columns[i].name,
                                columns[i].ty.word()
                            ),
                            a.column.as_ref().map_or(a.span, |c| c.span),
                        )
                        .with_zh(format!(
                            "{clause}：{} 要用于数字列；`{}` 存的是{}",
                            a.func.as_str(),
                            columns[i].name,
                            columns[i].ty.word_zh()
                        )));
                    }
                    (AggFn::Avg, _) => Ty::Float,
                    (_, Some(i)) => columns[i].ty,
                };
                let name = match (&a.alias, col) {
                    (Some(al), _) => al.text.clone(),
                    (None, Some(i)) => format!("{}_{}", a.func.as_str(), columns[i].name),
                    (None, None) => a.func.as_str().to_string(),
                };
                if out.iter().any(|c| c.name == name) {
                    return Err(QueryError::semantic(
                        &clause,
                        format!("column `{name}` appears twice; rename with `as`"),
                        a.span,
                    ));
                }
                // min, max and collect keep the values (and so their domain); count, sum
                // and avg make numbers.
                let domain = match (a.func, col) {
                    (AggFn::Min | AggFn::Max | AggFn::Collect, Some(i)) => columns[i].domain,
                    _ => None,
                };
                out.push(Col {
                    name: name.into(),
                    ty,
                    domain,
                });
                planned.push((a.func, col));
            }
            (
                Op::Group {
                    keys,
                    aggs: planned,
                },
                stage_said(),
                Some(out),
            )
        }
        Stage::Expand(c) => {
            let i = col_index(columns, c, kw)?;
            if columns[i].ty != Ty::List {
                return Err(QueryError::semantic(
                    "expand",
                    format!("`{}` holds {}, not lists", c.text, columns[i].ty.word()),
                    c.span,
                )
                .with_zh(format!(
                    "expand：`{}` 存的是{}，不是列表",
                    c.text,
                    columns[i].ty.word_zh()
                )));
            }
            let mut out = columns.to_vec();
            out[i].ty = Ty::Text;
            (Op::Expand(i), stage_said(), Some(out))
        }
    })
}
