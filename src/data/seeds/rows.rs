//! The rows of each kind of seed file, read into nodes, edges and the records beside them
//! (systems, relations, figures, catalog items, listings, coverage), every doubtful cell
//! reported where it is.

use super::super::text::split_list;
use super::super::{End, Loader};
use super::{RowView, SeedKind, aliases, check_id, number, year};
use crate::model::{
    Attrs, CatalogItem, Coverage, EdgeKind, EnterpriseAttrs, Figure, Kind, Listing, Node,
    ParkAttrs, PlaceCoverage, ProjectAttrs, ProjectStatus, SymList, SystemEntry, check_tag,
};
use crate::names;

const PLACES: &[Kind] = &[Kind::Park, Kind::Region];
const FOCUS: &[Kind] = &[Kind::Industry, Kind::Chain, Kind::Segment];

pub(super) fn read_system(ld: &mut Loader, r: &RowView, row: u32) {
    let target = number(ld, r, "target_revenue_yi");
    let system = r.get("system");
    if system.is_empty() {
        ld.error(
            r.pos("system"),
            crate::msg!(
                "`system` 为空（应为产业体系的名称）",
                "empty `system` (the name of the industry system)"
            ),
        );
    }
    let industry = r.reference("industry", r.get("industry"), &[Kind::Industry]);
    let place = r.reference("place", r.get("place"), PLACES);
    ld.pend_system(
        EdgeKind::InSystem,
        End::Ref(industry),
        End::Ref(place),
        row,
        Some(SystemEntry {
            system: system.into(),
            class: r.get("class").into(),
            target_revenue_yi: target,
        }),
    );
}

/// A number under the document's numbering (（一） → 1, 1. → 1).
fn small_number(ld: &mut Loader, r: &RowView, col: &str) -> Option<u16> {
    let cell = r.get(col);
    if cell.is_empty() {
        return None;
    }
    match cell.parse::<u16>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            ld.error(
                r.pos(col),
                crate::msg!(
                    "{col}：`{cell}` 不是从 1 起的整数（按文件的编号：（一） → 1，2. → 2）",
                    "{col}: `{cell}` is not a whole number from 1 (the document's numbering: （一） → 1, 2. → 2)"
                ),
            );
            None
        }
    }
}

/// A figure stated for a place or a system (`figures*.csv`); its references are resolved with
/// the edges' (`resolve::resolve`).
pub(super) fn read_figure(ld: &mut Loader, r: &RowView, row: u32) {
    let value = number(ld, r, "value");
    let year = year(ld, r, "year");
    for col in ["measure", "text"] {
        if r.get(col).is_empty() {
            ld.error(
                r.pos(col),
                crate::msg!(
                    "`{col}` 为空：指标要说明量的是什么、文件里怎么写的",
                    "empty `{col}`: a figure says what it measures and how the document writes it"
                ),
            );
        }
    }
    if value.is_some() && r.get("unit").is_empty() {
        ld.error(
            r.pos("unit"),
            crate::msg!(
                "有数值却没有单位：请写上单位（亿元、个、%）",
                "a value without a unit: write the unit (亿元, 个, %)"
            ),
        );
    }
    let place = r.reference("place", r.get("place"), PLACES);
    let industry = (!r.get("industry").is_empty())
        .then(|| r.reference("industry", r.get("industry"), &[Kind::Industry]));
    ld.pending_figures.push(super::super::PendingFigure {
        place,
        industry,
        figure: Figure {
            place: 0,
            system: r.get("system").into(),
            industry: None,
            measure: r.get("measure").into(),
            value,
            unit: r.get("unit").into(),
            year,
            text: r.get("text").into(),
            row,
        },
    });
}

/// One item of an industry system or catalog as written (`catalog*.csv`).
pub(super) fn read_catalog_item(ld: &mut Loader, r: &RowView, row: u32) {
    let industry_no = small_number(ld, r, "industry_no");
    let number = small_number(ld, r, "number");
    for col in ["system", "heading"] {
        if r.get(col).is_empty() {
            ld.error(
                r.pos(col),
                crate::msg!(
                    "`{col}` 为空：目录行要写明所属体系和所列的标题",
                    "empty `{col}`: a catalog row names its system and the heading it is listed under"
                ),
            );
        }
    }
    let place = r.reference("place", r.get("place"), PLACES);
    let industry = r.reference("industry", r.get("industry"), &[Kind::Industry]);
    let models = r.refs("models", &[Kind::Segment, Kind::Chain]);
    ld.pending_items.push(super::super::PendingItem {
        place,
        industry,
        models,
        item: CatalogItem {
            place: 0,
            system: r.get("system").into(),
            industry: 0,
            industry_no,
            number,
            heading: r.get("heading").into(),
            item: r.get("item").into(),
            models: Box::default(),
            row,
        },
    });
}

pub(super) fn read_relation(ld: &mut Loader, r: &RowView, row: u32) {
    let kind = match r.get("relation") {
        "SUPPLIES_TO" | "供货" => EdgeKind::SuppliesTo,
        "SUBSIDIARY_OF" | "子公司" => EdgeKind::SubsidiaryOf,
        other => {
            ld.error(r.pos("relation"), {
                let dym = names::did_you_mean_in(
                    &names::suggest(other, ["SUPPLIES_TO", "SUBSIDIARY_OF"], 1),
                    crate::lang::messages(),
                );
                crate::msg!(
                    "关系 `{other}` 不是 SUPPLIES_TO（供货）或 SUBSIDIARY_OF（子公司）{dym}",
                    "relation `{other}` is not SUPPLIES_TO or SUBSIDIARY_OF{dym}"
                )
            });
            return;
        }
    };
    let from = r.reference("from", r.get("from"), &[Kind::Enterprise]);
    let to = r.reference("to", r.get("to"), &[Kind::Enterprise]);
    ld.pend(kind, End::Ref(from), End::Ref(to), row);
}

/// A source table's cell listing an enterprise (or none, `——`) under an industry and field.
pub(super) fn read_listing(ld: &mut Loader, r: &RowView, row: u32) {
    let table = r.get("table");
    if table.is_empty() {
        ld.error(
            r.pos("table"),
            crate::msg!(
                "`table` 为空：请按文件的写法写出表名（如 表5 主导产业重点企业梳理）",
                "empty `table`: name the table as the document does (e.g. 表5 主导产业重点企业梳理)"
            ),
        );
    }
    let written = r.get("written");
    let enterprise = r.get("enterprise");
    let enterprise = match (written, enterprise) {
        ("", _) => {
            ld.error(
                r.pos("written"),
                {
                    let none = Listing::NONE;
                    crate::msg!(
                        "`written` 为空：请照录表格里的这一格，表里没有列企业处写 {none}",
                        "empty `written`: give the table's cell as written, or {none} where it lists no enterprise"
                    )
                },
            );
            None
        }
        (Listing::NONE, "") => None,
        (Listing::NONE, e) => {
            ld.error(
                r.pos("enterprise"),
                {
                    let none = Listing::NONE;
                    crate::msg!(
                        "这一行的格子是 {none}，却写了企业 `{e}`：表里那里没有列企业；请让 `enterprise` 留空",
                        "enterprise `{e}` on a row whose cell is {none}: the table lists no enterprise there; leave `enterprise` empty"
                    )
                },
            );
            None
        }
        (w, "") => {
            ld.error(
                r.pos("enterprise"),
                {
                    let none = Listing::NONE;
                    crate::msg!(
                        "格子 `{w}` 的 `enterprise` 为空：请写出它指的企业（编号、名称或别名），表里没有列企业处在 `written` 写 {none}",
                        "empty `enterprise` for the cell `{w}`: name the enterprise it means (id, name or alias), or write {none} in `written` where the table lists none"
                    )
                },
            );
            None
        }
        (_, e) => Some(r.reference("enterprise", e, &[Kind::Enterprise])),
    };
    let field = match r.get("field") {
        "" => None,
        f => Some(r.reference("field", f, &[Kind::Industry])),
    };
    ld.pending_listings.push(super::super::PendingListing {
        table: table.into(),
        industry: r.reference("industry", r.get("industry"), &[Kind::Industry]),
        field,
        enterprise,
        written: written.into(),
        row,
    });
}

/// A place's `coverage` and `coverage_source`: a known value, and a source whenever a value
/// is given (what the data covers is a fact like any other).
fn read_coverage(ld: &mut Loader, r: &RowView, place: u32) {
    let cell = r.get("coverage");
    let source = r.get("coverage_source");
    if cell.is_empty() {
        if !source.is_empty() {
            ld.error(
                r.pos("coverage_source"),
                crate::msg!(
                    "有 coverage_source 却没有 coverage：请写明覆盖范围（none、key、named 或 all），或两者都留空",
                    "coverage_source without a coverage: state the coverage (none, key, named or all) or leave both empty"
                ),
            );
        }
        return;
    }
    let Some(coverage) = Coverage::parse(cell) else {
        let known: Vec<&str> = Coverage::ALL.iter().map(|c| c.as_str()).collect();
        ld.error(r.pos("coverage"), {
            let lang = crate::lang::messages();
            let dym = names::did_you_mean_in(&names::suggest(cell, known.iter().copied(), 1), lang);
            let known = known.join(", ");
            crate::tr!(
                lang,
                "coverage：`{cell}` 不是 {known} 之一{dym}",
                "coverage: `{cell}` is not one of {known}{dym}"
            )
        });
        return;
    };
    if source.is_empty() {
        ld.error(
            r.pos("coverage"),
            crate::msg!(
                "coverage `{cell}` 没有 coverage_source：请说明它出自哪里（文件的某一行，或哪些文件都没有列出）",
                "coverage `{cell}` has no coverage_source: say where it comes from (a document line, or what no document lists)"
            ),
        );
        return;
    }
    ld.ds.coverage.push((
        place,
        PlaceCoverage {
            coverage,
            source: source.into(),
        },
    ));
}

pub(super) fn read_node(ld: &mut Loader, r: &RowView, kind: SeedKind, row: u32) {
    let id = r.get("id");
    let id_pos = r.pos("id");
    if let Err(msg) = check_id(r.raw("id")) {
        ld.error(id_pos, msg);
        return;
    }
    let (node_kind, attrs) = match kind {
        SeedKind::Regions => (
            Kind::Region,
            Attrs::Region {
                level: r.get("level").into(),
            },
        ),
        SeedKind::Parks => {
            let area_km2 = number(ld, r, "area_km2");
            (
                Kind::Park,
                Attrs::Park(Box::new(ParkAttrs {
                    kind: r.get("kind").into(),
                    area_km2,
                })),
            )
        }
        SeedKind::Industries => (Kind::Industry, Attrs::Industry),
        SeedKind::Enterprises | SeedKind::Candidates => {
            let revenue_yi = number(ld, r, "revenue_yi");
            let mut tags = Vec::new();
            for t in split_list(r.get("tags")) {
                match check_tag(t) {
                    Ok(()) => tags.push(t.into()),
                    Err(e) => ld.error(r.pos("tags"), e),
                }
            }
            let attrs = EnterpriseAttrs {
                credit_code: r.get("credit_code").into(),
                province: r.get("province").into(),
                city: r.get("city").into(),
                revenue_yi,
                tags: SymList::new(&tags),
                listing: r.get("listing").into(),
            };
            let code = r.get("credit_code");
            if !code.is_empty()
                && (code.chars().count() != 18 || !code.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                ld.error(
                    r.pos("credit_code"),
                    crate::msg!(
                        "credit_code `{code}` 不是 18 位的统一社会信用代码",
                        "credit_code `{code}` is not an 18-character 统一社会信用代码"
                    ),
                );
            }
            (Kind::Enterprise, Attrs::Enterprise(attrs))
        }
        SeedKind::Projects => {
            let status = match r.get("status") {
                "" => None,
                s => match ProjectStatus::parse(s) {
                    Some(st) => Some(st),
                    None => {
                        let all: Vec<&str> =
                            ProjectStatus::ALL.iter().map(|s| s.as_str()).collect();
                        ld.error(r.pos("status"), {
                            let lang = crate::lang::messages();
                            let dym = names::did_you_mean_in(
                                &names::suggest(s, all.iter().copied(), 1),
                                lang,
                            );
                            let all = all.join(" ");
                            crate::tr!(
                                lang,
                                "状态 `{s}` 不是 {all} 之一{dym}",
                                "status `{s}` is not one of {all}{dym}"
                            )
                        });
                        None
                    }
                },
            };
            let attrs = ProjectAttrs {
                domain: r.get("domain").into(),
                category: r.get("category").into(),
                investment_yi: number(ld, r, "investment_yi"),
                investment_text: r.get("investment_text").into(),
                land_mu: number(ld, r, "land_mu"),
                scale: r.get("scale").into(),
                start_year: year(ld, r, "start_year"),
                end_year: year(ld, r, "end_year"),
                status,
            };
            if let (Some(a), Some(b)) = (attrs.start_year, attrs.end_year)
                && a > b
            {
                ld.error(
                    r.pos("end_year"),
                    crate::msg!(
                        "完工年份 end_year {b} 早于开工年份 start_year {a}",
                        "end_year {b} is before start_year {a}"
                    ),
                );
            }
            if r.get("name").is_empty() {
                ld.error(
                    r.pos("name"),
                    crate::msg!("项目的 `name` 为空", "empty project `name`"),
                );
            }
            (Kind::Project, Attrs::Project(Box::new(attrs)))
        }
        SeedKind::Systems
        | SeedKind::Relations
        | SeedKind::Figures
        | SeedKind::Catalog
        | SeedKind::Listings => return,
    };
    let name = r.get("name");
    let display_name = (!name.is_empty() && name != id).then(|| name.into());
    let node = Node::new(node_kind, id.into(), attrs, row).named(display_name, aliases(r));
    let Some(n) = ld.add_node(node, id_pos) else {
        return;
    };
    if matches!(kind, SeedKind::Regions | SeedKind::Parks) {
        read_coverage(ld, r, n);
    }
    let edge =
        |ld: &mut Loader, kind: EdgeKind, col: &str, allowed: &'static [Kind], outgoing: bool| {
            for target in r.refs(col, allowed) {
                let (from, to) = if outgoing {
                    (End::Node(n), End::Ref(target))
                } else {
                    (End::Ref(target), End::Node(n))
                };
                ld.pend(kind, from, to, row);
            }
        };
    match kind {
        SeedKind::Regions => {
            edge(ld, EdgeKind::PartOf, "parent", &[Kind::Region], true);
            edge(ld, EdgeKind::FocusesOn, "focus", FOCUS, true);
        }
        SeedKind::Parks => {
            edge(ld, EdgeKind::PartOf, "parent", PLACES, true);
            edge(ld, EdgeKind::FocusesOn, "focus", FOCUS, true);
        }
        SeedKind::Industries => {
            edge(ld, EdgeKind::PartOf, "parent", &[Kind::Industry], true);
            edge(ld, EdgeKind::BelongsTo, "chains", &[Kind::Chain], false);
        }
        SeedKind::Enterprises | SeedKind::Candidates => {
            edge(ld, EdgeKind::LocatedIn, "location", PLACES, true);
            edge(ld, EdgeKind::Produces, "segments", &[Kind::Segment], true);
            edge(
                ld,
                EdgeKind::BelongsTo,
                "industries",
                &[Kind::Industry],
                true,
            );
        }
        SeedKind::Projects => {
            edge(
                ld,
                EdgeKind::CarriedBy,
                "carrier",
                &[Kind::Enterprise],
                true,
            );
            edge(ld, EdgeKind::LocatedIn, "location", PLACES, true);
            edge(ld, EdgeKind::Builds, "segments", &[Kind::Segment], true);
        }
        SeedKind::Systems
        | SeedKind::Relations
        | SeedKind::Figures
        | SeedKind::Catalog
        | SeedKind::Listings => {}
    }
}
