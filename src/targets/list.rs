//! A target list as a table: the request shared by `chainkb targets` and the query language,
//! the gaps it recruits for, the filters, and the columns.

use super::config::{RuleSet, Weights};
use super::{Gap, TargetOptions, TargetRow, targets};
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
/// `chainkb targets` share.
pub fn target_columns() -> Vec<Col> {
    use Ty::*;
    cols(&[
        ("rank", Int),
        ("enterprise", Text),
        ("province", Text),
        ("city", Text),
        ("listing", Text),
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

pub fn target_table(g: &Graph, rows: &[TargetRow], excluded: bool) -> Table {
    let mut columns: Vec<String> = target_columns().into_iter().map(|c| c.name).collect();
    if excluded {
        columns.push("excluded_by".into());
    }
    let mut t = Table {
        columns,
        ..Table::default()
    };
    // Firms with equal scores share a rank (as tied gap rows do); their order is by id only.
    let ranks = gaps::competition_ranks(rows, |a, b| a.score == b.score);
    for (r, rank) in rows.iter().zip(ranks) {
        let n = g.node(r.enterprise);
        let (province, city, listing) = match &n.attrs {
            Attrs::Enterprise(a) => (
                a.province.to_string(),
                a.city.to_string(),
                a.listing.to_string(),
            ),
            _ => Default::default(),
        };
        let mut row = vec![
            Value::Int(rank as i64),
            Value::text(n.name()),
            Value::opt_text(&province),
            Value::opt_text(&city),
            Value::opt_text(&listing),
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

/// The note to show when none of the listed candidates has a revenue figure: their `scale`
/// is then their tags' points only (revenues are never guessed).
pub fn no_revenue_note(
    g: &Graph,
    rows: &[TargetRow],
    weights: &Weights,
    lang: Lang,
) -> Option<String> {
    let has_revenue = |r: &TargetRow| match &g.node(r.enterprise).attrs {
        Attrs::Enterprise(a) => a.revenue_yi.is_some(),
        _ => false,
    };
    (weights.scale.revenue != 0.0 && !rows.is_empty() && !rows.iter().any(has_revenue)).then(|| {
        lang.pick(
            "所列候选企业都没有营业收入数据（revenue_yi）；规模分只来自标签",
            "no candidate listed has a 营业收入 figure (revenue_yi); scale comes from tags only",
        )
        .to_string()
    })
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
    let (admitted, excluded) = targets(
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
    let rows: Vec<TargetRow> = if req.excluded { excluded } else { admitted }
        .into_iter()
        .filter(keep)
        .take(req.limit)
        .collect();
    let mut table = target_table(g, &rows, req.excluded);
    table
        .notes
        .extend(no_revenue_note(g, &rows, req.weights, req.lang));
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
