//! A target list as a table: the request shared by `chainkb targets` and the query language,
//! the gaps it recruits for, the filters, and the columns.

use super::config::{RuleSet, Weights};
use super::{Gap, TargetOptions, TargetRow};
use crate::graph::Graph;
use crate::lang::Lang;
use crate::model::Attrs;
use crate::report::gaps::{self, ChainView, GapKind};
use crate::report::schema::{Col, Ty, cols};
use crate::report::{Table, Value};
use crate::tr;

/// One target list to make.
pub struct ListRequest<'a> {
    pub chain: u32,
    pub place: u32,
    pub gaps: Vec<Gap>,
    pub limit: usize,
    /// Only firms headquartered in these origin regions (names from the weights file).
    pub origin: Vec<String>,
    /// Only firms with at least one of these tags.
    pub tags: Vec<String>,
    pub investment: Option<f64>,
    /// List the excluded candidates (with their rule) instead of the admitted ones.
    pub excluded: bool,
    pub weights: &'a Weights,
    pub rules: &'a RuleSet,
    /// The language of the list's notes.
    pub lang: Lang,
}

/// The gap kinds a `--gaps` argument asks for, in the order their gaps are listed (fill,
/// extend, strengthen): a list of fill, extend, strengthen or all.
pub fn parse_gap_kinds(which: &str) -> Result<Vec<GapKind>, String> {
    let words = split_list(&[which]);
    let kinds: Vec<GapKind> = GapKind::ALL
        .into_iter()
        .filter(|k| words.iter().any(|w| w == "all" || w == k.keyword()))
        .collect();
    if kinds.is_empty() {
        return Err(format!(
            "gaps `{which}`: use fill, extend, strengthen or all (补链/延链/强链 map to fill/extend/strengthen)"
        ));
    }
    Ok(kinds)
}

/// The gap segments of `chain` in `place` of the given kinds, in the order of `kinds`, each
/// segment once (under the first kind that finds it).
pub fn compute_gaps(g: &Graph, chain: u32, place: u32, kinds: &[GapKind]) -> Vec<Gap> {
    let v = ChainView::new(g, chain);
    let (states, present) = v.states(g, place);
    let mut out: Vec<Gap> = Vec::new();
    let mut push = |gap: Gap| {
        if !out.iter().any(|x| x.segment == gap.segment) {
            out.push(gap);
        }
    };
    for &kind in kinds {
        match kind {
            GapKind::Fill => {
                for f in gaps::fill(&v, &states, &present) {
                    push(Gap::fill(v.segs[f.pos], f.broken));
                }
            }
            GapKind::Extend => {
                for e in gaps::extend(&v, &states, &present) {
                    push(Gap::of(v.segs[e.pos], kind));
                }
            }
            GapKind::Strengthen => {
                for w in gaps::strengthen(g, &v, place, &states, &present) {
                    push(Gap::of(v.segs[w.pos], kind));
                }
            }
        }
    }
    out
}

/// The columns of a target list, as `target_table` fills them (with `--excluded`, an
/// `excluded_by` column follows): the one declaration the query language's `| targets` and
/// `chainkb targets` share. `no` (序号) numbers the rows shown 1..n without holes; `rank` is the
/// firm's place in the whole ranking by score, whatever filter follows.
pub fn target_columns() -> Vec<Col> {
    use Ty::*;
    cols(&[
        (NO, Int),
        ("rank", Int),
        ("enterprise", Text),
        ("province", Text),
        ("city", Text),
        ("credit_code", Text),
        ("listing", Text),
        ("tags", List),
        ("revenue_yi", Float),
        ("gaps", List),
        ("score", Float),
        ("scale", Float),
        ("fit", Float),
        ("relation", Float),
        ("origin", Float),
        ("plan", Float),
        ("reason", Text),
    ])
}

/// The column that numbers the rows of a shown list 1..n (序号).
pub const NO: &str = "no";

/// Number the rows 1..n in column `no` (序号) of `table`, if it has one: after a filter, a
/// sort or a split into sheets, the numbers have no holes.
pub fn renumber(table: &mut Table) {
    if let Some(i) = table.columns.iter().position(|c| c == NO) {
        renumber_rows(&mut table.rows, i);
    }
}

/// Number column `i` of `rows` 1..n.
pub fn renumber_rows(rows: &mut [Vec<Value>], i: usize) {
    for (n, row) in rows.iter_mut().enumerate() {
        if let Some(v) = row.get_mut(i) {
            *v = Value::Int(n as i64 + 1);
        }
    }
}

/// A target list as a table: `ranked` holds each firm with its rank in the whole ranking (ties
/// share a rank), in the order shown; `no` numbers them 1..n.
pub fn target_table(g: &Graph, ranked: &[(usize, &TargetRow)], excluded: bool) -> Table {
    let mut columns: Vec<String> = target_columns().into_iter().map(|c| c.name).collect();
    if excluded {
        columns.push("excluded_by".into());
    }
    let mut t = Table {
        columns,
        ..Table::default()
    };
    for (i, &(rank, r)) in ranked.iter().enumerate() {
        let n = g.node(r.enterprise);
        let (province, city, credit_code, listing, tags, revenue) = match &n.attrs {
            Attrs::Enterprise(a) => (
                Value::opt_text(&a.province),
                Value::opt_text(&a.city),
                Value::opt_text(&a.credit_code),
                // `上交所:601012;港交所:…` in the data: shown as a list is, joined with 、.
                Value::opt_text(
                    &a.listing
                        .split(';')
                        .map(str::trim)
                        .filter(|m| !m.is_empty())
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                Value::texts(a.tags.iter()),
                Value::opt_f64(a.revenue_yi),
            ),
            _ => (
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::List(Vec::new()),
                Value::Null,
            ),
        };
        let mut row = vec![
            Value::Int(i as i64 + 1),
            Value::Int(rank as i64),
            Value::text(n.name()),
            province,
            city,
            credit_code,
            listing,
            tags,
            revenue,
            Value::texts(r.gaps.iter().map(|&s| g.node(s).name().to_string())),
            Value::Float(r.score),
            Value::Float(r.scale),
            Value::Float(r.fit),
            Value::Float(r.relation),
            Value::Float(r.origin),
            Value::Float(r.plan),
            Value::text(&r.reason),
        ];
        if excluded {
            row.push(Value::opt_text(r.excluded.as_deref().unwrap_or("")));
        }
        t.rows.push(row);
    }
    t
}

/// The gap segments, other than public functions, that no enterprise outside `place` produces:
/// a list has nobody for them, whatever the filters (worth saying, so an empty list is not read
/// as "nothing to recruit").
pub fn without_candidates(g: &Graph, place: u32, gaps: &[Gap]) -> Vec<u32> {
    gaps.iter()
        .map(|gp| gp.segment)
        .filter(|&s| g.ds.public_function(s).is_none())
        .filter(|&s| super::outside_producers(g, place, s).next().is_none())
        .collect()
}

/// The notes to show for gap segments a list has nobody for: one for the segments firms make
/// but no candidate does (more candidates would help, see `without_candidates`), and one per
/// segment that public bodies provide, which `targets` never recruits for, whatever the data.
pub fn without_candidates_notes(g: &Graph, place: u32, gaps: &[Gap], lang: Lang) -> Vec<String> {
    let firms = without_candidates(g, place, gaps);
    let mut notes = Vec::new();
    if !firms.is_empty() {
        let names: Vec<&str> = firms.iter().map(|&s| g.node(s).name()).collect();
        let (place, names, them) = (
            g.node(place).name(),
            names.join("、"),
            if names.len() == 1 { "it" } else { "them" },
        );
        notes.push(tr!(
            lang,
            "数据库里 {place} 以外没有企业生产 {names}——没有可列的目标企业（补充候选企业：`chainkb intake`）",
            "no enterprise outside {place} in the database produces {names} — nobody to list for {them} (add candidates: `chainkb intake`)"
        ));
    }
    for gap in gaps {
        if let Some(who) = g.ds.public_function(gap.segment) {
            notes.push(public_function_note(g.node(gap.segment).name(), who, lang));
        }
    }
    notes
}

/// The note for a segment that public bodies provide (targets and route say the same).
pub fn public_function_note(segment: &str, who: &str, lang: Lang) -> String {
    tr!(
        lang,
        "{segment} 属公共职能（{who}）：没有企业可招；请与他们一起规划",
        "{segment} is a public function ({who}): no firm to recruit for it; plan it with them"
    )
}

/// The items of list options (`--origin 长三角,珠三角`, `--tag 上市、中国500强`): separated by
/// `,`, `;` or the full-width `，` `；` `、` (as typed with a Chinese input method, and as data
/// cells separate lists), trimmed, empty items dropped. Each value may itself hold a list (the
/// option may also be repeated).
pub fn split_list<S: AsRef<str>>(values: &[S]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.as_ref().split([',', '，', '、', ';', '；']))
        .map(|item| item.trim_matches(|c: char| c.is_whitespace()).to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

/// Refuse a segment that is not in the chain: its producers would be ranked for a chain they
/// do not belong to (the query language refuses the same).
pub fn check_chain_segment(g: &Graph, chain: u32, segment: u32) -> Result<(), String> {
    let segs = g.chain_segments(chain);
    if segs.contains(&segment) {
        return Ok(());
    }
    let names: Vec<&str> = segs.iter().map(|&s| g.node(s).name()).collect();
    let typed = g.node(segment).name();
    Err(format!(
        "{typed} is not a segment of chain {}{} (its segments: {})",
        g.node(chain).name(),
        crate::names::did_you_mean(&crate::names::suggest(typed, names.iter().copied(), 3)),
        names.join("、")
    ))
}

/// The notes on revenue figures of the listed candidates: when none has one, their `scale` is
/// their tags' points only (revenues are never guessed); when some lack one, how many, and that
/// their revenue points are the neutral value (the median of the candidates with a figure), not
/// zero.
pub fn revenue_notes(
    g: &Graph,
    rows: &[TargetRow],
    weights: &Weights,
    neutral: f64,
    lang: Lang,
) -> Vec<String> {
    let has_revenue = |r: &&TargetRow| match &g.node(r.enterprise).attrs {
        Attrs::Enterprise(a) => a.revenue_yi.is_some(),
        _ => false,
    };
    let with = rows.iter().filter(has_revenue).count();
    if weights.scale.revenue == 0.0 || rows.is_empty() || with == rows.len() {
        return Vec::new();
    }
    if with == 0 {
        return vec![
            lang.pick(
                "所列候选企业都没有营业收入数据（revenue_yi）；规模分只来自标签",
                "no candidate listed has a 营业收入 figure (revenue_yi); scale comes from tags only",
            )
            .to_string(),
        ];
    }
    let (n, without, median) = (
        rows.len(),
        rows.len() - with,
        crate::model::fmt_yi(round2(neutral)),
    );
    vec![crate::tr!(
        lang,
        "所列 {n} 家企业中 {without} 家无营业收入数据（revenue_yi）：其规模分中的营收部分按有数据候选企业的中位数 {median} 计，不按 0 计",
        "{without} of the {n} firms listed have no 营业收入 figure (revenue_yi): the revenue part of their scale counts as the median of the candidates with one, {median}, not as 0"
    )]
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The weights a target list was scored with, in one paragraph for a hand-out's 说明 sheet.
pub fn weights_summary(w: &Weights) -> String {
    let f = crate::model::fmt_yi;
    let mut tags: Vec<(&String, &f64)> = w.scale.tags.iter().collect();
    tags.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let tags: Vec<String> = tags
        .iter()
        .map(|(t, p)| format!("{t} {}", f(**p)))
        .collect();
    format!(
        "得分 = 规模 + 契合 + 关系 + 来源地 + 规划。规模(scale)：营收每 log10(1+营收亿元) 计 {} 分，\
         无营收数据的企业按本清单有营收候选企业的中位数计（都没有时为 0）；标签分 {}。\
         契合(fit)：每个所补环节 {} 分，断链另加 {}，本链产品占比 × {}，邻接本地环节占比 × {}。\
         关系(relation)：向本地企业供货 {}，采购本地企业产品 {}，本地有关联企业 {}。\
         来源地(origin)：总部在 {} 计 {} 分。规划(plan)：本地已有规划项目 {} 分。",
        f(w.scale.revenue),
        tags.join("、"),
        f(w.fit.per_gap),
        f(w.fit.broken_link),
        f(w.fit.chain_share),
        f(w.fit.adjacency),
        f(w.relation.supplies_local),
        f(w.relation.buys_local),
        f(w.relation.group_local),
        w.origin.preferred.join("、"),
        f(w.origin.points),
        f(w.plan.planned_project),
    )
}

/// The admission rules applied, one `id：text` per rule, joined with `；`.
pub fn rules_summary(rules: &RuleSet) -> String {
    if rules.rules.is_empty() {
        return "无".into();
    }
    rules
        .rules
        .iter()
        .map(|r| format!("{}：{}", r.id, r.text))
        .collect::<Vec<_>>()
        .join("；")
}

/// Refuse a tag the data cannot hold (a filter on it would silently match nothing).
pub fn check_tags(tags: &[String]) -> Result<(), String> {
    tags.iter().try_for_each(|t| crate::model::check_tag(t))
}

/// Run a request: score, filter, keep the top `limit`, and lay the rows out as a table.
pub fn target_list(g: &Graph, req: &ListRequest) -> Result<Table, String> {
    for r in &req.origin {
        if !req.weights.origin.regions.contains_key(r) {
            let known: Vec<&str> = req
                .weights
                .origin
                .regions
                .keys()
                .map(String::as_str)
                .collect();
            return Err(format!("origin `{r}` is not one of {}", known.join(", ")));
        }
    }
    check_tags(&req.tags)?;
    // The filters apply before the top k are taken, so all admitted rows are scored.
    let opts = TargetOptions {
        limit: usize::MAX,
        investment: req.investment,
        serial: false,
    };
    let (admitted, excluded, neutral) = super::targets_with_neutral(
        g,
        req.chain,
        req.place,
        &req.gaps,
        req.weights,
        req.rules,
        &opts,
    )?;
    let keep = |r: &TargetRow| {
        let Attrs::Enterprise(at) = &g.node(r.enterprise).attrs else {
            return false;
        };
        let province = at.province.trim_end_matches(['省', '市']);
        let origin_ok = req.origin.is_empty()
            || req.origin.iter().any(|o| {
                req.weights.origin.regions.get(o).is_some_and(|ps| {
                    ps.iter().any(|p| {
                        !province.is_empty() && p.trim_end_matches(['省', '市']) == province
                    })
                })
            });
        let tag_ok =
            req.tags.is_empty() || at.tags.iter().any(|t| req.tags.iter().any(|x| x == &**t));
        origin_ok && tag_ok
    };
    // Ranks come from the whole ranking, before the filters: `--origin X` shows the same rank
    // as `| targets | where …` does; `no` numbers what is shown.
    let all = if req.excluded { excluded } else { admitted };
    let ranks = gaps::competition_ranks(&all, |a, b| a.score == b.score);
    let ranked: Vec<(usize, &TargetRow)> = ranks
        .into_iter()
        .zip(&all)
        .filter(|(_, r)| keep(r))
        .take(req.limit)
        .collect();
    let shown: Vec<TargetRow> = ranked.iter().map(|(_, r)| (*r).clone()).collect();
    let mut table = target_table(g, &ranked, req.excluded);
    table
        .notes
        .extend(revenue_notes(g, &shown, req.weights, neutral, req.lang));
    Ok(table)
}

#[cfg(test)]
mod tests {
    #[test]
    fn list_options_split_on_ascii_and_full_width_commas_and_semicolons() {
        assert_eq!(
            super::split_list(&["长三角，珠三角", " 京津冀 、成渝,", "上市；链主;龙头"]),
            ["长三角", "珠三角", "京津冀", "成渝", "上市", "链主", "龙头"]
        );
        assert!(super::split_list(&["，、 ,；"]).is_empty());
    }

    #[test]
    fn gap_kinds_are_listed_fill_extend_strengthen_whatever_the_order_asked() {
        use crate::report::gaps::GapKind::{Extend, Fill, Strengthen};
        let kinds = |w: &str| super::parse_gap_kinds(w);
        assert_eq!(kinds("strengthen,fill"), Ok(vec![Fill, Strengthen]));
        assert_eq!(kinds("all"), Ok(vec![Fill, Extend, Strengthen]));
        assert_eq!(kinds("extend"), Ok(vec![Extend]));
        let err = kinds("补链").expect_err("Chinese words are not gap kinds here");
        assert!(err.contains("use fill, extend, strengthen or all"), "{err}");
    }
}
