//! The lists: `find NAME` (查找), `chains` / `segments [of CHAIN]` / `enterprises [in PLACE]` /
//! … (one row per node of a kind), and the lists of records that are not nodes (`systems`,
//! `figures`, `catalog`), each row ending with its provenance.

use super::common::{
    FOCUS_KINDS, PLACE_KINDS, first_neighbor, joined_names, linked, name, neighbor_nodes, nodes,
    places_of, stage,
};
use super::gaps;
use super::schema::{Col, Ty, cols};
use super::{Ctx, ReportError, Row, Rows, Value};
use crate::graph::Graph;
use crate::lang::{Domain, Lang};
use crate::model::{Attrs, EdgeKind, Kind, fmt_yi};
use crate::tr;
use petgraph::Direction as Dir;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    Chains,
    Segments,
    Enterprises,
    Parks,
    Projects,
    Industries,
    Regions,
    /// Membership rows of industry systems (seeds/systems*.csv), not nodes.
    Systems,
    /// Figures stated for places and systems (seeds/figures*.csv).
    Figures,
    /// Industry systems and catalogs item by item (seeds/catalog*.csv).
    Catalog,
}

impl ListKind {
    pub const ALL: [ListKind; 10] = [
        ListKind::Chains,
        ListKind::Segments,
        ListKind::Enterprises,
        ListKind::Parks,
        ListKind::Projects,
        ListKind::Industries,
        ListKind::Regions,
        ListKind::Systems,
        ListKind::Figures,
        ListKind::Catalog,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            ListKind::Chains => "chains",
            ListKind::Segments => "segments",
            ListKind::Enterprises => "enterprises",
            ListKind::Parks => "parks",
            ListKind::Projects => "projects",
            ListKind::Industries => "industries",
            ListKind::Regions => "regions",
            ListKind::Systems => "systems",
            ListKind::Figures => "figures",
            ListKind::Catalog => "catalog",
        }
    }

    /// The list's name in Chinese (`企业`, `产业体系`), as its Chinese keyword says it.
    pub fn label_zh(self) -> &'static str {
        match self {
            ListKind::Chains => "产业链",
            ListKind::Segments => "环节",
            ListKind::Enterprises => "企业",
            ListKind::Parks => "园区",
            ListKind::Projects => "项目",
            ListKind::Industries => "产业",
            ListKind::Regions => "地区",
            ListKind::Systems => "产业体系",
            ListKind::Figures => "指标",
            ListKind::Catalog => "目录",
        }
    }

    /// The kind of node the list is about; `None` for lists of records that are not nodes
    /// (systems, figures, catalog).
    pub fn kind(self) -> Option<Kind> {
        Some(match self {
            ListKind::Chains => Kind::Chain,
            ListKind::Segments => Kind::Segment,
            ListKind::Enterprises => Kind::Enterprise,
            ListKind::Parks => Kind::Park,
            ListKind::Projects => Kind::Project,
            ListKind::Industries => Kind::Industry,
            ListKind::Regions => Kind::Region,
            ListKind::Systems | ListKind::Figures | ListKind::Catalog => return None,
        })
    }
}

// ------------------------------------------------------------------------------------ find

/// The nodes a name found (in the name index), and the name as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct FindInput {
    pub typed: String,
    pub hits: Vec<u32>,
}

/// The report's columns, declared once (also listed in docs/QUERY.md).
pub fn find_columns() -> Vec<Col> {
    use Ty::*;
    let mut c = cols(&[
        ("kind", Text),
        ("id", Text),
        ("name", Text),
        ("aliases", List),
        ("details", Text),
        ("source", Text),
    ]);
    for col in c.iter_mut().filter(|col| col.name == "kind") {
        col.domain = Some(Domain::Kind);
    }
    c
}

/// The `explain` line: what the report reads and how, in `lang`.
pub fn find_explain(_g: &Graph, input: &FindInput, lang: Lang) -> String {
    let (typed, n) = (&input.typed, input.hits.len());
    tr!(
        lang,
        "查找 `{typed}`：名称索引（{n} 个匹配）",
        "find `{typed}`: name index ({n} match)"
    )
}

/// One row per node found (find has no notes).
pub fn find_rows(
    g: &Graph,
    input: &FindInput,
    ctx: Ctx,
    _notes: &mut Vec<String>,
) -> Result<Rows, ReportError> {
    Ok(Rows::plain(
        input
            .hits
            .iter()
            .map(|&h| find_row(g, h, ctx.lang))
            .collect(),
    ))
}

/// The 详情 (`details`) of a found node: its main attributes as `key：value`, `；`-separated in
/// Chinese (`所在地：南片区；环节：正极材料；标签：上市`), `key=value; …` in English.
fn find_row(g: &Graph, i: u32, lang: Lang) -> Row {
    let n = g.node(i);
    let parts: Vec<(&str, &str, String)> = match &n.attrs {
        Attrs::Region { level } => vec![
            ("级别", "level", level.to_string()),
            (
                "上级",
                "parent",
                places_of(g, i, EdgeKind::PartOf).display(),
            ),
        ],
        Attrs::Park(p) => vec![
            ("类型", "kind", p.kind.to_string()),
            (
                "上级",
                "parent",
                places_of(g, i, EdgeKind::PartOf).display(),
            ),
            (
                "面积（平方公里）",
                "area_km2",
                p.area_km2.map(fmt_yi).unwrap_or_default(),
            ),
        ],
        Attrs::Industry => vec![(
            "产业链",
            "chains",
            joined_names(
                g,
                &linked(g, i, EdgeKind::BelongsTo, Dir::Incoming, &[Kind::Chain]),
            ),
        )],
        Attrs::Chain => vec![("环节数", "segments", g.chain_segments(i).len().to_string())],
        Attrs::Segment { stage } => vec![
            ("阶段", "stage", stage.as_str().to_string()),
            ("所属产业链", "chains", joined_names(g, g.segment_chains(i))),
        ],
        Attrs::Enterprise(a) => vec![
            (
                "所在地",
                "location",
                places_of(g, i, EdgeKind::LocatedIn).display(),
            ),
            (
                "环节",
                "segments",
                joined_names(
                    g,
                    &linked(g, i, EdgeKind::Produces, Dir::Outgoing, &[Kind::Segment]),
                ),
            ),
            ("标签", "tags", a.tags.join("、")),
        ],
        Attrs::Project(a) => vec![
            (
                "项目状态",
                "status",
                a.status.map_or("", |s| s.as_str()).to_string(),
            ),
            (
                "投资额（亿元）",
                "investment_yi",
                a.investment_yi.map(fmt_yi).unwrap_or_default(),
            ),
            (
                "环节",
                "segments",
                joined_names(
                    g,
                    &linked(g, i, EdgeKind::Builds, Dir::Outgoing, &[Kind::Segment]),
                ),
            ),
        ],
    };
    let details = parts
        .iter()
        .map(|(zh, en, v)| match lang {
            Lang::Zh => format!("{zh}：{v}"),
            Lang::En => format!("{en}={v}"),
        })
        .collect::<Vec<_>>()
        .join(lang.pick("；", "; "));
    vec![
        Value::text(n.kind.label_zh()),
        Value::text(&*n.id),
        Value::Node(i),
        Value::texts(n.aliases().iter().map(|a| a.to_string())),
        Value::text(details),
        Value::text(g.ds.provenance(n.row)),
    ]
}

// ------------------------------------------------------------------------------------ lists

/// A list, of everything of its kind or within a place (`segments of CHAIN`: of a chain).
#[derive(Clone, Debug, PartialEq)]
pub struct ListInput {
    pub kind: ListKind,
    pub within: Option<u32>,
}

/// Columns of each list (also listed in docs/QUERY.md).
pub fn columns(kind: ListKind) -> Vec<Col> {
    use Ty::*;
    let mut c = cols(match kind {
        ListKind::Chains => &[
            ("name", Text),
            ("aliases", List),
            ("segments", Int),
            ("industries", List),
        ],
        ListKind::Segments => &[
            ("name", Text),
            ("stage", Text),
            ("chains", List),
            ("inputs", List),
            ("users", List),
            ("public", Text),
            ("route_of", Text),
            ("routes", List),
        ],
        ListKind::Enterprises => &[
            ("name", Text),
            ("province", Text),
            ("city", Text),
            ("location", Text),
            ("revenue_yi", Float),
            ("tags", List),
            ("listing", Text),
            ("segments", List),
            ("industries", List),
            ("listed_in", List),
            ("listed_in_source", List),
        ],
        ListKind::Parks => &[
            ("name", Text),
            ("kind", Text),
            ("parent", Text),
            ("area_km2", Float),
            ("focus", List),
        ],
        ListKind::Projects => &[
            ("id", Text),
            ("name", Text),
            ("domain", Text),
            ("category", Text),
            ("location", Text),
            ("investment_yi", Float),
            ("land_mu", Float),
            ("start_year", Int),
            ("end_year", Int),
            ("status", Text),
            ("segments", List),
            ("carriers", List),
        ],
        ListKind::Industries => &[
            ("name", Text),
            ("parent", Text),
            ("chains", List),
            ("systems", List),
            ("listed", List),
            ("listed_source", List),
        ],
        ListKind::Regions => &[("name", Text), ("level", Text), ("parent", Text)],
        ListKind::Systems => &[
            ("place", Text),
            ("system", Text),
            ("industry", Text),
            ("class", Text),
            ("target_revenue_yi", Float),
        ],
        ListKind::Figures => &[
            ("place", Text),
            ("system", Text),
            ("industry", Text),
            ("measure", Text),
            ("value", Float),
            ("unit", Text),
            ("year", Int),
            ("text", Text),
        ],
        ListKind::Catalog => &[
            ("place", Text),
            ("system", Text),
            ("industry_no", Int),
            ("industry", Text),
            ("number", Int),
            ("heading", Text),
            ("item", Text),
            ("models", List),
        ],
    });
    if kind == ListKind::Projects {
        c.extend(cols(&[("investment_text", Text), ("scale", Text)]));
    }
    // Every list ends with the row's provenance: `file:line — citation`, and its anomaly notes.
    c.extend(cols(&[("source", Text), ("notes", Text)]));
    c
}

/// How many records a list of non-node records scans.
fn fact_records(g: &Graph, kind: ListKind) -> usize {
    match kind {
        ListKind::Systems => g.ds.systems.len(),
        ListKind::Figures => g.ds.figures.len(),
        ListKind::Catalog => g.ds.catalog.len(),
        _ => 0,
    }
}

/// The `explain` line: what the report reads and how, in `lang`.
pub fn list_explain(g: &Graph, input: &ListInput, lang: Lang) -> String {
    let (kind, kw, zh) = (input.kind, input.kind.keyword(), input.kind.label_zh());
    match input.within {
        None => match kind.kind() {
            Some(k) => {
                let n = g.count(k);
                tr!(
                    lang,
                    "列出{zh}：扫描 {n} 个节点",
                    "list {kw}: scan of {n} nodes"
                )
            }
            None => {
                let n = fact_records(g, kind);
                tr!(
                    lang,
                    "列出{zh}：扫描 {n} 条记录",
                    "list {kw}: scan of {n} records"
                )
            }
        },
        Some(w) if kind == ListKind::Segments => {
            let c = g.node(w).name();
            tr!(lang, "列出产业链 {c} 的环节", "list segments of chain {c}")
        }
        Some(w) if kind.kind().is_none() => {
            let (w, n) = (g.node(w).name(), fact_records(g, kind));
            tr!(
                lang,
                "列出 {w} 及其下级地方的{zh}：扫描 {n} 条记录，地方按 PART_OF",
                "list {kw} of {w} and the places below it: a scan of {n} records, places by PART_OF"
            )
        }
        Some(w) => {
            let w = g.node(w).name();
            tr!(
                lang,
                "列出 {w} 及其下级地方的{zh}：LOCATED_IN/PART_OF 边",
                "list {kw} in {w} and the places below it: LOCATED_IN/PART_OF edges"
            )
        }
    }
}

/// The rows (lists have no notes).
pub fn list_rows(
    g: &Graph,
    input: &ListInput,
    ctx: Ctx,
    _notes: &mut Vec<String>,
) -> Result<Rows, ReportError> {
    let (ids, rows) = list(g, input.kind, input.within, ctx)?;
    // A segment list's rows are about their segments (`| producers` reads them).
    Ok(match input.kind {
        ListKind::Segments => Rows::about(rows, ids),
        _ => Rows::plain(rows),
    })
}

/// The nodes listed (none for the lists of records) and their rows.
fn list(
    g: &Graph,
    kind: ListKind,
    within: Option<u32>,
    ctx: Ctx,
) -> Result<(Vec<u32>, Vec<Row>), ReportError> {
    let Some(node_kind) = kind.kind() else {
        return Ok((Vec::new(), fact_rows(g, kind, within)));
    };
    let ids: Vec<u32> = match (kind, within) {
        (_, None) => g.nodes_of(node_kind).to_vec(),
        // A chain's segments from resources to applications (its reading order).
        (ListKind::Segments, Some(c)) => gaps::chain_order(g, c),
        (ListKind::Parks | ListKind::Regions, Some(w)) => g
            .places_within(w)
            .into_iter()
            .filter(|&p| g.node(p).kind == node_kind && p != w)
            .collect(),
        (ListKind::Enterprises | ListKind::Projects, Some(w)) => {
            // Entities located in the place or any place below it: the place's incoming
            // LOCATED_IN edges, not a scan of every enterprise.
            let mut v: Vec<u32> = g
                .places_within(w)
                .into_iter()
                .flat_map(|p| g.neighbors(p, EdgeKind::LocatedIn, Dir::Incoming))
                .map(|(o, _)| o)
                .filter(|&o| g.node(o).kind == node_kind)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        // Refused by the plan (chains and industries are nowhere); the fact lists returned above.
        (
            ListKind::Chains
            | ListKind::Industries
            | ListKind::Systems
            | ListKind::Figures
            | ListKind::Catalog,
            Some(_),
        ) => g.nodes_of(node_kind).to_vec(),
    };
    let mut rows = Vec::with_capacity(ids.len());
    for (n, &i) in ids.iter().enumerate() {
        if n.is_multiple_of(65536) {
            ctx.check()?;
        }
        let mut row = list_row(g, kind, i);
        let node = g.node(i);
        if let (ListKind::Projects, Attrs::Project(a)) = (kind, &node.attrs) {
            row.push(Value::opt_text(&a.investment_text));
            row.push(Value::opt_text(&a.scale));
        }
        row.push(Value::text(g.ds.provenance(node.row)));
        row.push(Value::opt_text(g.ds.row(node.row).notes().unwrap_or("")));
        rows.push(row);
    }
    Ok((ids, rows))
}

/// Rows of a list of records that are not nodes — industry-system memberships, figures, catalog
/// items — in import order, each ending with its provenance and notes; `in PLACE` keeps those
/// of the place and the places below it.
fn fact_rows(g: &Graph, kind: ListKind, within: Option<u32>) -> Vec<Row> {
    let keep = |place: u32| within.is_none_or(|w| g.is_within(place, w));
    let provenance = |row: u32, mut r: Row| {
        r.push(Value::text(g.ds.provenance(row)));
        r.push(Value::opt_text(g.ds.row(row).notes().unwrap_or("")));
        r
    };
    let num = |n: Option<u16>| n.map_or(Value::Null, |n| Value::Int(n.into()));
    match kind {
        ListKind::Systems => g
            .systems()
            .filter(|(edge, _)| keep(edge.to))
            .map(|(edge, s)| {
                provenance(
                    edge.row,
                    vec![
                        Value::Node(edge.to),
                        Value::text(&*s.system),
                        Value::Node(edge.from),
                        Value::opt_text(&s.class),
                        Value::opt_f64(s.target_revenue_yi),
                    ],
                )
            })
            .collect(),
        ListKind::Figures => {
            g.ds.figures
                .iter()
                .filter(|f| keep(f.place))
                .map(|f| {
                    provenance(
                        f.row,
                        vec![
                            Value::Node(f.place),
                            Value::opt_text(&f.system),
                            f.industry.map_or(Value::Null, Value::Node),
                            Value::text(&*f.measure),
                            Value::opt_f64(f.value),
                            Value::opt_text(&f.unit),
                            f.year.map_or(Value::Null, |y| Value::Int(y.into())),
                            Value::text(&*f.text),
                        ],
                    )
                })
                .collect()
        }
        ListKind::Catalog => {
            g.ds.catalog
                .iter()
                .filter(|c| keep(c.place))
                .map(|c| {
                    provenance(
                        c.row,
                        vec![
                            Value::Node(c.place),
                            Value::text(&*c.system),
                            num(c.industry_no),
                            Value::Node(c.industry),
                            num(c.number),
                            Value::text(&*c.heading),
                            Value::opt_text(&c.item),
                            nodes(&c.models),
                        ],
                    )
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The cells of an enterprise's row before its provenance (`columns(ListKind::Enterprises)`
/// less `source` and `notes`).
const ENTERPRISE_CELLS: usize = 11;

/// An enterprise's whole row of `enterprises` (provenance and notes included), the cells whose
/// `need` is false left null (a `select` after the report drops them): the rows of the
/// producers reports (`report::producers`), made one firm at a time.
pub fn enterprise_row(g: &Graph, i: u32, need: Option<&[bool]>) -> Row {
    let n = g.node(i);
    let Attrs::Enterprise(a) = &n.attrs else {
        return vec![Value::Null; ENTERPRISE_CELLS + 2];
    };
    let want = |c: usize| need.is_none_or(|m| m.get(c).copied().unwrap_or(true));
    let mut row = Vec::with_capacity(ENTERPRISE_CELLS + 2);
    let mut cell = |c: usize, make: &dyn Fn() -> Value| {
        row.push(if want(c) { make() } else { Value::Null });
    };
    cell(0, &|| Value::Node(i));
    cell(1, &|| Value::opt_text(&a.province));
    cell(2, &|| Value::opt_text(&a.city));
    cell(3, &|| places_of(g, i, EdgeKind::LocatedIn));
    cell(4, &|| Value::opt_f64(a.revenue_yi));
    cell(5, &|| Value::texts(a.tags.iter().map(|t| t.to_string())));
    cell(6, &|| Value::opt_text(&a.listing));
    cell(7, &|| {
        neighbor_nodes(g, i, EdgeKind::Produces, Dir::Outgoing, &[Kind::Segment])
    });
    cell(8, &|| {
        neighbor_nodes(g, i, EdgeKind::BelongsTo, Dir::Outgoing, &[Kind::Industry])
    });
    cell(9, &|| listing_col(g, i, ListingSide::Enterprise, false));
    cell(10, &|| listing_col(g, i, ListingSide::Enterprise, true));
    cell(11, &|| Value::text(g.ds.provenance(n.row)));
    cell(12, &|| {
        Value::opt_text(g.ds.row(n.row).notes().unwrap_or(""))
    });
    row
}

/// One node's row of a list (without its provenance, which `list` adds).
pub fn list_row(g: &Graph, kind: ListKind, i: u32) -> Row {
    let n = g.node(i);
    let nm = Value::Node(i);
    match (&n.attrs, kind) {
        (_, ListKind::Chains) => vec![
            nm,
            Value::texts(n.aliases().iter().map(|a| a.to_string())),
            Value::Int(g.chain_segments(i).len() as i64),
            neighbor_nodes(g, i, EdgeKind::BelongsTo, Dir::Outgoing, &[Kind::Industry]),
        ],
        (_, ListKind::Segments) => vec![
            nm,
            stage(g, i),
            nodes(g.segment_chains(i)),
            neighbor_nodes(g, i, EdgeKind::Supplies, Dir::Incoming, &[Kind::Segment]),
            neighbor_nodes(g, i, EdgeKind::Supplies, Dir::Outgoing, &[Kind::Segment]),
            Value::opt_text(g.ds.public_function(i).unwrap_or("")),
            first_neighbor(g, i, EdgeKind::PartOf, Dir::Outgoing),
            neighbor_nodes(g, i, EdgeKind::PartOf, Dir::Incoming, &[Kind::Segment]),
        ],
        (Attrs::Enterprise(_), _) => {
            let mut row = enterprise_row(g, i, None);
            row.truncate(ENTERPRISE_CELLS);
            row
        }
        (Attrs::Park(p), _) => vec![
            nm,
            Value::opt_text(&p.kind),
            places_of(g, i, EdgeKind::PartOf),
            Value::opt_f64(p.area_km2),
            neighbor_nodes(g, i, EdgeKind::FocusesOn, Dir::Outgoing, FOCUS_KINDS),
        ],
        (Attrs::Project(a), _) => {
            let loc: Vec<String> = linked(g, i, EdgeKind::LocatedIn, Dir::Outgoing, PLACE_KINDS)
                .into_iter()
                .map(|o| name(g, o))
                .collect();
            vec![
                Value::text(&*n.id),
                nm,
                Value::opt_text(&a.domain),
                Value::opt_text(&a.category),
                if loc.is_empty() {
                    Value::Null
                } else {
                    Value::text(loc.join("、"))
                },
                Value::opt_f64(a.investment_yi),
                Value::opt_f64(a.land_mu),
                a.start_year.map_or(Value::Null, |y| Value::Int(y.into())),
                a.end_year.map_or(Value::Null, |y| Value::Int(y.into())),
                a.status.map_or(Value::Null, |s| Value::text(s.as_str())),
                neighbor_nodes(g, i, EdgeKind::Builds, Dir::Outgoing, &[Kind::Segment]),
                neighbor_nodes(
                    g,
                    i,
                    EdgeKind::CarriedBy,
                    Dir::Outgoing,
                    &[Kind::Enterprise],
                ),
            ]
        }
        (Attrs::Industry, _) => {
            let mut systems: Vec<String> = Vec::new();
            for (p, e) in g.neighbors(i, EdgeKind::InSystem, Dir::Outgoing) {
                let s = match g.edge_system(e) {
                    Some(s) if !s.class.is_empty() => {
                        format!("{}:{}:{}", name(g, p), s.system, s.class)
                    }
                    Some(s) => format!("{}:{}", name(g, p), s.system),
                    None => name(g, p),
                };
                if !systems.contains(&s) {
                    systems.push(s);
                }
            }
            vec![
                nm,
                first_neighbor(g, i, EdgeKind::PartOf, Dir::Outgoing),
                neighbor_nodes(g, i, EdgeKind::BelongsTo, Dir::Incoming, &[Kind::Chain]),
                Value::texts(systems),
                listing_col(g, i, ListingSide::Industry, false),
                listing_col(g, i, ListingSide::Industry, true),
            ]
        }
        (Attrs::Region { level }, _) => vec![
            nm,
            Value::opt_text(level),
            places_of(g, i, EdgeKind::PartOf),
        ],
        // A node whose attributes do not match its list (cannot happen with checked data).
        _ => vec![nm],
    }
}

/// Which end of a source table's listing a list row stands for.
#[derive(Clone, Copy, PartialEq)]
enum ListingSide {
    /// An enterprise: where the tables list it (`表5 先进装备制造/高端数控机床`).
    Enterprise,
    /// An industry or field: the cells listed directly under it, as written (`——` included).
    Industry,
}

/// The `listed_in` / `listed` column of a node, or with `sources` its `…_source` column: one
/// item per listing, in the table's order. Listings are few (one per table cell), so a scan.
fn listing_col(g: &Graph, node: u32, side: ListingSide, sources: bool) -> Value {
    let items = g.ds.listings.iter().filter(|l| match side {
        ListingSide::Enterprise => l.enterprise == Some(node),
        ListingSide::Industry => l.under() == node,
    });
    Value::texts(items.map(|l| {
        if sources {
            g.ds.source(l.row).to_string()
        } else if side == ListingSide::Industry {
            l.written.to_string()
        } else {
            let table = l.table.split_whitespace().next().unwrap_or(&l.table);
            match l.field {
                Some(f) => format!("{table} {}/{}", name(g, l.industry), name(g, f)),
                None => format!("{table} {}", name(g, l.industry)),
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn an_enterprise_row_is_its_row_of_the_list_and_a_mask_leaves_the_rest_null() {
        let g = crate::open::graph_from_folder(&[
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
        ])
        .expect("fixture");
        let cancel = AtomicBool::new(false);
        let ctx = Ctx {
            cancel: &cancel,
            parallel: false,
            lang: Lang::Zh,
        };
        let (ids, rows) = list(&g, ListKind::Enterprises, None, ctx).expect("list");
        assert!(!ids.is_empty());
        let width = columns(ListKind::Enterprises).len();
        for (&e, row) in ids.iter().zip(&rows) {
            assert_eq!(&enterprise_row(&g, e, None), row);
            let mut need = vec![false; width];
            need[0] = true;
            need[11] = true;
            let masked = enterprise_row(&g, e, Some(&need));
            assert_eq!(masked.len(), width);
            for (c, v) in masked.iter().enumerate() {
                if need[c] {
                    assert_eq!(v, &row[c]);
                } else {
                    assert_eq!(v, &Value::Null);
                }
            }
        }
        // A segment list's rows are about their segments.
        let listed = list_rows(
            &g,
            &ListInput {
                kind: ListKind::Segments,
                within: None,
            },
            ctx,
            &mut Vec::new(),
        )
        .expect("segments");
        assert_eq!(listed.subjects.as_deref(), Some(g.nodes_of(Kind::Segment)));
    }
}
