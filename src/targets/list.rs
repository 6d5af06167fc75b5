//! The target-list report (招商目标企业清单), shared by `chainkb targets`, the query language's
//! `| targets` stage and the REPL: its typed input, its one column declaration, its explain
//! line and its rows; and the helpers around it (the gaps it recruits for, the filters, notes).

use super::config::{self, RuleSet, Weights};
use super::{Gap, TargetOptions, TargetRow, TargetsError};
use crate::graph::Graph;
use crate::lang::Lang;
use crate::model::Attrs;
use crate::report::gaps::{self, ChainView, GapKind};
use crate::report::schema::{Col, Ty, cols};
use crate::report::{Ctx, Rows, Table, Value};
use crate::tr;

/// One target list to make: for `gaps` of `chain` in `place`, scored with `weights`, admitted
/// by `rules`, filtered, the top `limit` shown.
#[derive(Clone, Debug)]
pub struct Input {
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
    pub weights: Weights,
    pub rules: RuleSet,
}

impl Input {
    /// The list for `gaps` with the compiled-in weights and rules, every candidate, no filter:
    /// what the query language's `| targets` makes.
    pub fn with_defaults(chain: u32, place: u32, gaps: Vec<Gap>) -> Result<Input, TargetsError> {
        Ok(Input {
            chain,
            place,
            gaps,
            limit: usize::MAX,
            origin: Vec::new(),
            tags: Vec::new(),
            investment: None,
            excluded: false,
            weights: Weights::defaults(),
            rules: config::parse_rules(None)?,
        })
    }
}

/// The gap kinds a `--gaps` argument asks for, in the order their gaps are listed (fill,
/// extend, strengthen): a list of fill, extend, strengthen or all.
pub fn parse_gap_kinds(which: &str) -> Result<Vec<GapKind>, TargetsError> {
    let words = split_list(&[which]);
    let kinds: Vec<GapKind> = GapKind::ALL
        .into_iter()
        .filter(|k| words.iter().any(|w| w == "all" || w == k.keyword()))
        .collect();
    if kinds.is_empty() {
        return Err(TargetsError::GapKinds {
            typed: which.to_string(),
        });
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

/// The columns of a target list, as `rows` fills them (with `--excluded`, an `excluded_by`
/// column follows, see [`columns`]): the one declaration the query language's `| targets` and
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
        // The firm's stage in the 客商库 of this chain and place (the planning journal's),
        // 未入库 (`journal::NOT_ENTERED`) when it was never entered there.
        ("prospect", Text),
    ])
}

/// The report's columns: [`target_columns`], and `excluded_by` when the list is of the
/// excluded candidates.
pub fn columns(excluded: bool) -> Vec<Col> {
    let mut c = target_columns();
    if excluded {
        c.push(Col::new("excluded_by", Ty::Text));
    }
    c
}

/// The `explain` line of the list, in `lang`: where candidates come from and how they are
/// scored (the segments are the rows' before `| targets`, the named or computed gaps in
/// `chainkb targets`).
pub fn explain(g: &Graph, input: &Input, lang: Lang) -> String {
    let (p, c) = (g.node(input.place).name(), g.node(input.chain).name());
    tr!(
        lang,
        "目标企业：{p} 以外生产各行 {c} 环节的企业，按 config/target-weights.toml 打分，并应用准入规则",
        "targets: companies outside {p} that make each row's segment of {c}, scored (config/target-weights.toml), admission rules applied"
    )
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

/// The rows of a target list, in the order of [`columns`]: `ranked` holds each firm with its
/// rank in the whole ranking (ties share a rank), in the order shown; `no` numbers them 1..n.
/// Each row is about its firm; `prospect` is its 客商库 stage for `chain` in `place`, or
/// 未入库.
fn table_rows(
    g: &Graph,
    ranked: &[(usize, &TargetRow)],
    (chain, place): (u32, u32),
    excluded: bool,
) -> Rows {
    let mut rows = Vec::with_capacity(ranked.len());
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
            Value::Node(r.enterprise),
            province,
            city,
            credit_code,
            listing,
            tags,
            revenue,
            Value::List(r.gaps.iter().map(|&s| Value::Node(s)).collect()),
            Value::Float(r.score),
            Value::Float(r.scale),
            Value::Float(r.fit),
            Value::Float(r.relation),
            Value::Float(r.origin),
            Value::Float(r.plan),
            Value::text(&r.reason),
            g.ds.prospect_stage(place, chain, r.enterprise)
                .map_or(Value::text(crate::journal::NOT_ENTERED), Value::text),
        ];
        if excluded {
            row.push(Value::opt_text(r.excluded.as_deref().unwrap_or("")));
        }
        rows.push(row);
    }
    Rows::about(rows, ranked.iter().map(|(_, r)| r.enterprise).collect())
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
pub fn check_chain_segment(g: &Graph, chain: u32, segment: u32) -> Result<(), TargetsError> {
    let segs = g.chain_segments(chain);
    if segs.contains(&segment) {
        return Ok(());
    }
    let names: Vec<&str> = segs.iter().map(|&s| g.node(s).name()).collect();
    let typed = g.node(segment).name();
    Err(TargetsError::NotInChain {
        segment: typed.to_string(),
        chain: g.node(chain).name().to_string(),
        // In the language of messages: in Chinese the suggestion closes the sentence.
        did_you_mean: crate::names::did_you_mean_in(
            &crate::names::suggest(typed, names.iter().copied(), 3),
            crate::lang::messages(),
        ),
        segments: names.join("、"),
    })
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
    // Named only when it scores, so a summary without it reads as before.
    let two_hops = if w.relation.partners_two_hops != 0.0 {
        format!(
            "，间接供应伙伴（与本地企业无直接供货关系、隔一家企业相连）{}",
            f(w.relation.partners_two_hops)
        )
    } else {
        String::new()
    };
    format!(
        "得分 = 规模 + 契合 + 关系 + 来源地 + 规划。规模(scale)：营收每 log10(1+营收亿元) 计 {} 分，\
         无营收数据的企业按本清单有营收候选企业的中位数计（都没有时为 0）；标签分 {}。\
         契合(fit)：每个所补环节 {} 分，断链另加 {}，本链产品占比 × {}，邻接本地环节占比 × {}。\
         关系(relation)：向本地企业供货 {}，采购本地企业产品 {}，本地有关联企业 {}{}。\
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
        two_hops,
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
pub fn check_tags(tags: &[String]) -> Result<(), TargetsError> {
    tags.iter()
        .try_for_each(|t| crate::model::check_tag(t))
        .map_err(TargetsError::Tag)
}

/// The rows of the list: score, filter, keep the top `limit`; the notes (gaps nobody is
/// listed for, then revenue figures) go to `notes` in `ctx.lang`.
pub fn rows(
    g: &Graph,
    input: &Input,
    ctx: Ctx,
    notes: &mut Vec<String>,
) -> Result<Rows, TargetsError> {
    for r in &input.origin {
        if !input.weights.origin.regions.contains_key(r) {
            let known: Vec<&str> = input
                .weights
                .origin
                .regions
                .keys()
                .map(String::as_str)
                .collect();
            return Err(TargetsError::Origin {
                origin: r.clone(),
                known: known.join(", "),
            });
        }
    }
    check_tags(&input.tags)?;
    // The filters apply before the top k are taken, so all admitted rows are scored.
    let opts = TargetOptions {
        limit: usize::MAX,
        investment: input.investment,
        serial: !ctx.parallel,
    };
    let (admitted, excluded, neutral) = super::targets_with_neutral(
        g,
        input.chain,
        input.place,
        &input.gaps,
        &input.weights,
        &input.rules,
        &opts,
    )?;
    let keep = |r: &TargetRow| {
        let Attrs::Enterprise(at) = &g.node(r.enterprise).attrs else {
            return false;
        };
        let province = at.province.trim_end_matches(['省', '市']);
        let origin_ok = input.origin.is_empty()
            || input.origin.iter().any(|o| {
                input.weights.origin.regions.get(o).is_some_and(|ps| {
                    ps.iter().any(|p| {
                        !province.is_empty() && p.trim_end_matches(['省', '市']) == province
                    })
                })
            });
        let tag_ok =
            input.tags.is_empty() || at.tags.iter().any(|t| input.tags.iter().any(|x| x == &**t));
        origin_ok && tag_ok
    };
    // Ranks come from the whole ranking, before the filters: `--origin X` shows the same rank
    // as `| targets | where …` does; `no` numbers what is shown.
    let all = if input.excluded { excluded } else { admitted };
    let ranks = gaps::competition_ranks(&all, |a, b| a.score == b.score);
    let ranked: Vec<(usize, &TargetRow)> = ranks
        .into_iter()
        .zip(&all)
        .filter(|(_, r)| keep(r))
        .take(input.limit)
        .collect();
    let shown: Vec<TargetRow> = ranked.iter().map(|(_, r)| (*r).clone()).collect();
    notes.extend(without_candidates_notes(
        g,
        input.place,
        &input.gaps,
        ctx.lang,
    ));
    notes.extend(revenue_notes(g, &shown, &input.weights, neutral, ctx.lang));
    Ok(table_rows(
        g,
        &ranked,
        (input.chain, input.place),
        input.excluded,
    ))
}

/// The list as a table for the command line: [`columns`], [`rows`] and the notes. Labels are
/// shown in the table's default language until the caller sets one (`Table::in_lang`); the
/// notes are in `lang`.
pub fn table(g: &Graph, input: &Input, lang: Lang) -> Result<Table, TargetsError> {
    super::command_line_table(g, columns(input.excluded), lang, |ctx, notes| {
        rows(g, input, ctx, notes)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    /// The 说明 sheet names the two-hop weight only when it scores, so a summary of the
    /// default weights reads as before it existed.
    #[test]
    fn weights_summary_names_two_hop_partners_only_when_they_score() {
        let mut w = super::Weights::defaults();
        assert!(!super::weights_summary(&w).contains("间接供应伙伴"));
        w.relation.partners_two_hops = 1.5;
        let s = super::weights_summary(&w);
        assert!(
            s.contains(
                "本地有关联企业 2，间接供应伙伴（与本地企业无直接供货关系、隔一家企业相连）1.5。"
            ),
            "{s}"
        );
    }

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
        let err = kinds("补链")
            .expect_err("Chinese words are not gap kinds here")
            .to_string();
        assert!(err.contains("use fill, extend, strengthen or all"), "{err}");
    }

    /// tests/fixtures/small, and the node named `name` of `kind` there.
    pub(crate) fn small() -> crate::graph::Graph {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
        crate::open::graph_from_folder(&[dir]).expect("load tests/fixtures/small")
    }

    pub(crate) fn node(g: &crate::graph::Graph, name: &str, kind: crate::model::Kind) -> u32 {
        g.names.lookup(&g.ds.nodes, name, &[kind])[0]
    }

    fn ctx(cancel: &std::sync::atomic::AtomicBool) -> crate::report::Ctx<'_> {
        crate::report::Ctx {
            cancel,
            parallel: false,
            lang: crate::lang::Lang::En,
        }
    }

    #[test]
    fn the_rows_fill_the_declared_columns_and_are_about_the_firms_they_name() {
        use crate::model::Kind;
        let g = small();
        let (chain, place) = (
            node(&g, "锂电池", Kind::Chain),
            node(&g, "测试高新区", Kind::Park),
        );
        let gaps = vec![super::Gap::named(node(&g, "正极材料", Kind::Segment))];
        let cancel = std::sync::atomic::AtomicBool::new(false);
        for excluded in [false, true] {
            let mut input = super::Input::with_defaults(chain, place, gaps.clone()).expect("input");
            input.excluded = excluded;
            let mut notes = Vec::new();
            let rows = super::rows(&g, &input, ctx(&cancel), &mut notes).expect("rows");
            assert!(!rows.rows.is_empty(), "excluded: {excluded}");
            let width = super::columns(excluded).len();
            let firms = rows.subjects.clone().expect("rows about firms");
            let at = super::columns(excluded)
                .iter()
                .position(|c| c.name == "enterprise")
                .expect("an enterprise column");
            for (row, firm) in rows.rows.iter().zip(&firms) {
                assert_eq!(row.len(), width, "{row:?}");
                // The firm's node, named when the rows returned are shown.
                assert_eq!(row[at], crate::report::Value::Node(*firm));
            }
        }
    }

    #[test]
    fn an_origin_the_weights_do_not_define_is_a_typed_error_naming_the_regions() {
        use crate::model::Kind;
        let g = small();
        let mut input = super::Input::with_defaults(
            node(&g, "锂电池", Kind::Chain),
            node(&g, "测试高新区", Kind::Park),
            Vec::new(),
        )
        .expect("input");
        input.origin = vec!["西北".into()];
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let err = super::rows(&g, &input, ctx(&cancel), &mut Vec::new()).expect_err("西北");
        assert!(
            matches!(&err, super::TargetsError::Origin { origin, known } if origin == "西北" && known.contains("长三角")),
            "{err:?}"
        );
    }
}
