//! Project routing (项目流转): the parks that fit a project's segments best, with the focus,
//! neighbours and competition that make each score, and the admission rules that exclude some;
//! the routing report (`chainkb route`) as a unit: its input, columns, explain line and rows.

use super::TargetsError;
use super::config::{Route, RuleSet};
use super::list::{NO, public_function_note};
use super::rules::{excluded_by, resolve_rules};
use super::segment_industries;
use crate::graph::{Graph, SegmentState};
use crate::lang::Lang;
use crate::model::{EdgeKind, Kind};
use crate::report::schema::{Col, Ty, cols};
use crate::report::{Ctx, Rows, Table, Value};
use crate::tr;
use petgraph::Direction;
use rayon::prelude::*;
use std::collections::HashMap;

/// One park's fit for a project (项目流转).
#[derive(Clone, Debug, PartialEq)]
pub struct RouteRow {
    pub park: u32,
    pub score: f64,
    /// What of the park's focus (主导产业) covers the segments: its own first, then what it
    /// inherits from the places above it, labelled `（所属 PLACE）`.
    pub focus: Vec<String>,
    /// Present neighbouring segments (inputs available, customers nearby).
    pub neighbours: Vec<String>,
    /// Enterprises in the park (or below it) that already produce one of the segments (同质化).
    pub competitor_firms: usize,
    /// Projects in the park (or below it), not yet producing, that build one of the segments
    /// (同质化), other than the project being routed.
    pub competitor_projects: usize,
    pub reason: String,
    pub excluded: Option<String>,
}

/// What routing needs to know about the project.
#[derive(Clone, Debug, Default)]
pub struct RouteProject<'a> {
    /// Segments the project builds.
    pub segments: Vec<u32>,
    /// The project being routed (`--project`), which is not its own competitor.
    pub project: Option<u32>,
    /// Investment in 亿元, checked against minimum-investment rules.
    pub investment: Option<f64>,
    /// Tags tag rules check: its classes such as 限制类, and its carrier's tags such as 失信.
    pub tags: Vec<&'a str>,
}

/// Rank parks for a project: admitted parks first, by score, then the parks an admission rule
/// excludes (by score too); ties by park id. Parks that score 0 are left out.
///
/// A park's score is its best focus points — its own focus (主导产业) on one of the segments, on
/// a chain of theirs or on an industry of those chains (`w.focus_segment`, `w.focus_chain`,
/// `w.focus_industry`), or such a focus inherited from a place above it at `w.inherited_focus`
/// of those points — plus `w.neighbours` × the share of the segments' neighbours present in it
/// (the `[route]` section of config/target-weights.toml, which explains each weight).
pub fn route(
    g: &Graph,
    p: &RouteProject,
    rules: &RuleSet,
    w: &Route,
) -> Result<Vec<RouteRow>, TargetsError> {
    let rules = resolve_rules(g, rules)?;
    let segments = &p.segments[..];
    // What a park could focus on that covers the segments: the segments, their chains, and the
    // industries of those chains (with their parents).
    let mut covers: HashMap<u32, (f64, String)> = HashMap::new();
    for &s in segments {
        covers.insert(s, (w.focus_segment, format!("环节 {}", g.node(s).name())));
        for &c in g.segment_chains(s) {
            covers
                .entry(c)
                .or_insert((w.focus_chain, format!("产业链 {}", g.node(c).name())));
        }
        for i in segment_industries(g, s) {
            covers
                .entry(i)
                .or_insert((w.focus_industry, format!("产业 {}", g.node(i).name())));
        }
    }
    let neighbours_of: Vec<u32> = {
        let mut v: Vec<u32> = Vec::new();
        for &s in segments {
            for (n, _) in g
                .neighbors(s, EdgeKind::Supplies, Direction::Incoming)
                .into_iter()
                .chain(g.neighbors(s, EdgeKind::Supplies, Direction::Outgoing))
            {
                if !segments.contains(&n) && !v.contains(&n) {
                    v.push(n);
                }
            }
        }
        v
    };
    let mut rows: Vec<RouteRow> = g
        .nodes_of(Kind::Park)
        .par_iter()
        .map(|&park| {
            // Focus stated on the park itself, then on the places above it (nearest first):
            // each label once, where it is stated nearest.
            let mut focus_pts = 0.0f64;
            let mut seen: Vec<&str> = Vec::new();
            let mut own: Vec<&str> = Vec::new();
            let mut inherited: Vec<(u32, Vec<&str>)> = Vec::new();
            for place in std::iter::once(park).chain(g.ancestors(park).iter().copied()) {
                let mut here: Vec<&str> = Vec::new();
                for (f, _) in g.neighbors(place, EdgeKind::FocusesOn, Direction::Outgoing) {
                    if let Some((pts, label)) = covers.get(&f) {
                        let pts = if place == park {
                            *pts
                        } else {
                            pts * w.inherited_focus
                        };
                        focus_pts = focus_pts.max(pts);
                        if !seen.contains(&label.as_str()) {
                            seen.push(label);
                            here.push(label);
                        }
                    }
                }
                if place == park {
                    own = here;
                } else if !here.is_empty() {
                    inherited.push((place, here));
                }
            }
            let mut focus: Vec<String> = own.iter().map(|l| l.to_string()).collect();
            for (place, labels) in &inherited {
                let name = g.node(*place).name();
                focus.extend(labels.iter().map(|l| format!("{l}（所属 {name}）")));
            }
            let present: Vec<String> = neighbours_of
                .iter()
                .filter(|&&n| g.state(park, n) == SegmentState::Present)
                .map(|&n| g.node(n).name().to_string())
                .collect();
            let share = if neighbours_of.is_empty() {
                0.0
            } else {
                present.len() as f64 / neighbours_of.len() as f64
            };
            // A firm or project for several of the segments counts once.
            let (mut firms, mut projects): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
            for cell in segments.iter().filter_map(|&s| g.presence(park, s)) {
                firms.extend(cell.producers);
                projects.extend(cell.projects.iter().filter(|&&x| Some(x) != p.project));
            }
            for v in [&mut firms, &mut projects] {
                v.sort_unstable();
                v.dedup();
            }
            let mut reasons = Vec::new();
            if !own.is_empty() {
                reasons.push(format!("主导产业含 {}", own.join("、")));
            }
            for (place, labels) in &inherited {
                reasons.push(format!(
                    "所属 {} 主导产业含 {}",
                    g.node(*place).name(),
                    labels.join("、")
                ));
            }
            if !present.is_empty() {
                reasons.push(format!("已有相邻环节 {}", present.join("、")));
            }
            if !firms.is_empty() {
                reasons.push(format!("已有同类企业 {} 家（同质化）", firms.len()));
            }
            if !projects.is_empty() {
                reasons.push(format!("已有同类规划项目 {} 个（同质化）", projects.len()));
            }
            let score = ((focus_pts + w.neighbours * share) * 100.0).round() / 100.0;
            RouteRow {
                park,
                score,
                focus,
                neighbours: present,
                competitor_firms: firms.len(),
                competitor_projects: projects.len(),
                reason: reasons.join("; "),
                excluded: excluded_by(g, &rules, &p.tags, segments, park, p.investment),
            }
        })
        .filter(|r| r.score > 0.0)
        .collect();
    rows.sort_by(|a, b| {
        a.excluded
            .is_some()
            .cmp(&b.excluded.is_some())
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| g.node(a.park).id.cmp(&g.node(b.park).id))
    });
    Ok(rows)
}

/// The note to show when admission rules exclude every park that fits the project: the list
/// is then no recommendation, and the note says which rules stand in the way.
pub fn all_excluded_note(rows: &[RouteRow], lang: crate::lang::Lang) -> Option<String> {
    if rows.is_empty() || rows.iter().any(|r| r.excluded.is_none()) {
        return None;
    }
    let mut rules: Vec<&str> = Vec::new();
    for r in rows.iter().filter_map(|r| r.excluded.as_deref()) {
        if !rules.contains(&r) {
            rules.push(r);
        }
    }
    let rules = rules.join("; ");
    let parks = match (rows.len(), lang) {
        (1, crate::lang::Lang::Zh) => "唯一合适的园区".to_string(),
        (n, crate::lang::Lang::Zh) => format!("全部 {n} 个合适的园区"),
        (1, crate::lang::Lang::En) => "the only park that fits".to_string(),
        (n, crate::lang::Lang::En) => format!("all {n} parks that fit"),
    };
    Some(crate::tr!(
        lang,
        "准入规则排除了{parks}——按项目现状没有园区能承接（{rules}）",
        "admission rules exclude {parks} — no park can take the project as it stands ({rules})"
    ))
}

/// One routing to make: the project (its segments, the project itself when routing one of the
/// database's, its investment and tags), how many parks to show, the `[route]` weights and the
/// admission rules.
#[derive(Clone, Debug)]
pub struct Input {
    /// Segments the project builds.
    pub segments: Vec<u32>,
    /// The project being routed (`--project`), which is not its own competitor.
    pub project: Option<u32>,
    /// Investment in 亿元, checked against minimum-investment rules.
    pub investment: Option<f64>,
    /// Tags tag rules check: its classes (限制类 …) and its carriers' tags (失信 …).
    pub tags: Vec<String>,
    /// How many parks to show, admitted ones first.
    pub limit: usize,
    pub weights: Route,
    pub rules: RuleSet,
}

/// The report's columns, declared once.
pub fn columns() -> Vec<Col> {
    use Ty::*;
    cols(&[
        (NO, Int),
        ("rank", Int),
        ("park", Text),
        ("score", Float),
        ("focus", List),
        ("neighbours", List),
        ("competitor_firms", Int),
        ("competitor_projects", Int),
        ("reason", Text),
        ("excluded_by", Text),
    ])
}

/// The `explain` line: what routing reads and how, in `lang`.
pub fn explain(g: &Graph, input: &Input, lang: Lang) -> String {
    let names: Vec<&str> = input.segments.iter().map(|&s| g.node(s).name()).collect();
    let (names, n) = (names.join("、"), input.limit);
    tr!(
        lang,
        "项目流转：为建设 {names} 的项目给每个园区打分（主导产业与相邻环节，config/target-weights.toml 的 [route]），应用准入规则，列出前 {n} 个",
        "routing: every park scored for a project building {names} (focus and neighbouring segments, [route] of config/target-weights.toml), admission rules applied, the first {n} listed"
    )
}

/// The rows, each about its park: admitted parks first, by score (equal scores with the same
/// admission share a rank), at most `limit`; the notes (every fitting park excluded, segments
/// public bodies provide) go to `notes` in `ctx.lang`.
pub fn rows(
    g: &Graph,
    input: &Input,
    ctx: Ctx,
    notes: &mut Vec<String>,
) -> Result<Rows, TargetsError> {
    let routed = route(
        g,
        &RouteProject {
            segments: input.segments.clone(),
            project: input.project,
            investment: input.investment,
            tags: input.tags.iter().map(String::as_str).collect(),
        },
        &input.rules,
        &input.weights,
    )?;
    // Admitted parks come first, so the limit counts them first. Parks with equal scores (and
    // the same admission) share a rank, as target firms and gap rows do.
    let ranks = crate::report::gaps::competition_ranks(&routed, |a, b| {
        a.score == b.score && a.excluded.is_some() == b.excluded.is_some()
    });
    let shown: Vec<(usize, &RouteRow)> = routed
        .iter()
        .zip(ranks)
        .take(input.limit)
        .map(|(r, k)| (k, r))
        .collect();
    let rows = shown
        .iter()
        .enumerate()
        .map(|(i, &(rank, r))| {
            vec![
                Value::Int(i as i64 + 1),
                Value::Int(rank as i64),
                Value::Node(r.park),
                Value::Float(r.score),
                Value::texts(r.focus.clone()),
                Value::texts(r.neighbours.clone()),
                Value::Int(r.competitor_firms as i64),
                Value::Int(r.competitor_projects as i64),
                Value::text(&r.reason),
                Value::opt_text(r.excluded.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    notes.extend(all_excluded_note(&routed, ctx.lang));
    // Routing works for any segment, but a public function's project is one public bodies run.
    for &s in &input.segments {
        if let Some(who) = g.ds.public_function(s) {
            notes.push(public_function_note(g.node(s).name(), who, ctx.lang));
        }
    }
    Ok(Rows::about(
        rows,
        shown.iter().map(|(_, r)| r.park).collect(),
    ))
}

/// The routing as a table for the command line: [`columns`], [`rows`] and the notes (labels in
/// the table's default language until the caller sets one; the notes in `lang`).
pub fn table(g: &Graph, input: &Input, lang: Lang) -> Result<Table, TargetsError> {
    super::command_line_table(g, columns(), lang, |ctx, notes| rows(g, input, ctx, notes))
}

#[cfg(test)]
mod tests {
    use crate::lang::Lang;
    use crate::model::Kind;
    use crate::targets::list::tests::{node, small};

    fn input(g: &crate::graph::Graph, limit: usize) -> super::Input {
        let w = crate::targets::config::Weights::defaults();
        super::Input {
            segments: vec![node(g, "正极材料", Kind::Segment)],
            project: None,
            investment: None,
            tags: Vec::new(),
            limit,
            weights: w.route,
            rules: crate::targets::config::parse_rules(None).expect("rules"),
        }
    }

    #[test]
    fn the_rows_fill_the_declared_columns_are_about_their_parks_and_stop_at_the_limit() {
        let g = small();
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let ctx = crate::report::Ctx {
            cancel: &cancel,
            parallel: true,
            lang: Lang::En,
        };
        let all = super::rows(&g, &input(&g, 100), ctx, &mut Vec::new()).expect("rows");
        assert!(all.rows.len() > 1, "{all:?}");
        let parks = all.subjects.clone().expect("rows about parks");
        for (row, park) in all.rows.iter().zip(&parks) {
            assert_eq!(row.len(), super::columns().len(), "{row:?}");
            // The park's node, named when the rows returned are shown.
            assert_eq!(row[2], crate::report::Value::Node(*park));
        }
        let one = super::rows(&g, &input(&g, 1), ctx, &mut Vec::new()).expect("rows");
        assert_eq!(one.rows, all.rows[..1].to_vec());
    }

    #[test]
    fn the_explain_line_names_the_segments_in_either_language() {
        let g = small();
        let i = input(&g, 3);
        let zh = super::explain(&g, &i, Lang::Zh);
        assert!(
            zh.starts_with("项目流转：为建设 正极材料 的项目") && zh.ends_with("列出前 3 个"),
            "{zh}"
        );
        let en = super::explain(&g, &i, Lang::En);
        assert!(
            en.starts_with("routing: every park scored for a project building 正极材料"),
            "{en}"
        );
    }
}
