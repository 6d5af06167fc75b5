//! The data model: node and edge kinds, per-kind attributes, provenance rows, and `Dataset`.
//!
//! A `Dataset` is the unit that moves between layers: `data` reads one from a folder, `store`
//! persists it in sled, `graph` builds the in-memory view from it. Nodes and edges refer to each
//! other by position (`u32`) inside one dataset; the stable identity of a node is `(kind, id)`.

pub mod intern;
pub mod rows;

pub use intern::{Sym, SymList};
pub use rows::{Row, RowRef, Rows, StoredRun};

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a node is. The order is the order of `stats` and of export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    Region,
    Park,
    Industry,
    Chain,
    Segment,
    Enterprise,
    Project,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Region,
        Kind::Park,
        Kind::Industry,
        Kind::Chain,
        Kind::Segment,
        Kind::Enterprise,
        Kind::Project,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Region => "Region",
            Kind::Park => "Park",
            Kind::Industry => "Industry",
            Kind::Chain => "Chain",
            Kind::Segment => "Segment",
            Kind::Enterprise => "Enterprise",
            Kind::Project => "Project",
        }
    }

    /// Chinese label used in human output.
    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::Region => "行政区",
            Kind::Park => "园区",
            Kind::Industry => "产业",
            Kind::Chain => "产业链",
            Kind::Segment => "环节",
            Kind::Enterprise => "企业",
            Kind::Project => "项目",
        }
    }

    /// Places are the two kinds that form the PART_OF hierarchy.
    pub fn is_place(self) -> bool {
        matches!(self, Kind::Region | Kind::Park)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Typed edges of the brief, plus IN_SYSTEM (an industry's membership in a place's system).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EdgeKind {
    /// Segment → Segment: `from` is an input of `to`.
    Supplies,
    /// Enterprise → Segment.
    Produces,
    /// Enterprise/Project → Park/Region.
    LocatedIn,
    /// Place → Place (片区 → 园区 → 区县 …), Industry → Industry (field → industry), Segment →
    /// Segment (a technology route → the segment it is a kind of: 磷酸铁锂正极材料 → 正极材料).
    PartOf,
    /// Place → Industry/Chain/Segment (主导产业).
    FocusesOn,
    /// Project → Enterprise.
    CarriedBy,
    /// Project → Segment.
    Builds,
    /// Enterprise → Enterprise.
    SuppliesTo,
    /// Enterprise → Enterprise (from is a subsidiary of to).
    SubsidiaryOf,
    /// Segment → Chain, Chain → Industry, Enterprise → Industry.
    BelongsTo,
    /// Industry → Place, with the system's name, class and target.
    InSystem,
}

impl EdgeKind {
    pub const ALL: [EdgeKind; 11] = [
        EdgeKind::Supplies,
        EdgeKind::Produces,
        EdgeKind::LocatedIn,
        EdgeKind::PartOf,
        EdgeKind::FocusesOn,
        EdgeKind::CarriedBy,
        EdgeKind::Builds,
        EdgeKind::SuppliesTo,
        EdgeKind::SubsidiaryOf,
        EdgeKind::BelongsTo,
        EdgeKind::InSystem,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Supplies => "SUPPLIES",
            EdgeKind::Produces => "PRODUCES",
            EdgeKind::LocatedIn => "LOCATED_IN",
            EdgeKind::PartOf => "PART_OF",
            EdgeKind::FocusesOn => "FOCUSES_ON",
            EdgeKind::CarriedBy => "CARRIED_BY",
            EdgeKind::Builds => "BUILDS",
            EdgeKind::SuppliesTo => "SUPPLIES_TO",
            EdgeKind::SubsidiaryOf => "SUBSIDIARY_OF",
            EdgeKind::BelongsTo => "BELONGS_TO",
            EdgeKind::InSystem => "IN_SYSTEM",
        }
    }
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Position of a segment in its chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stage {
    Upstream,
    Midstream,
    Downstream,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Upstream => "上游",
            Stage::Midstream => "中游",
            Stage::Downstream => "下游",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        match s.trim() {
            "上游" | "upstream" => Some(Stage::Upstream),
            "中游" | "midstream" => Some(Stage::Midstream),
            "下游" | "downstream" => Some(Stage::Downstream),
            _ => None,
        }
    }
}

/// Project status, in the order a project moves through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProjectStatus {
    Planned,
    Promoted,
    Negotiating,
    Signed,
    Started,
    UnderConstruction,
    Producing,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 7] = [
        ProjectStatus::Planned,
        ProjectStatus::Promoted,
        ProjectStatus::Negotiating,
        ProjectStatus::Signed,
        ProjectStatus::Started,
        ProjectStatus::UnderConstruction,
        ProjectStatus::Producing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Planned => "规划",
            ProjectStatus::Promoted => "推介",
            ProjectStatus::Negotiating => "在谈",
            ProjectStatus::Signed => "签约",
            ProjectStatus::Started => "开工",
            ProjectStatus::UnderConstruction => "在建",
            ProjectStatus::Producing => "投产",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectStatus> {
        let s = s.trim();
        let s = s.strip_suffix("项目").unwrap_or(s);
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A project that is not producing yet only *plans* its segments.
    pub fn is_producing(self) -> bool {
        self == ProjectStatus::Producing
    }
}

/// Enterprise tags the data may use. Unknown tags are rejected by `check` with a suggestion.
pub const KNOWN_TAGS: &[&str] = &[
    "链主",
    "龙头",
    "世界500强",
    "中国500强",
    "民营500强",
    "制造业500强",
    "上市",
    "专精特新",
    "专精特新小巨人",
    "单项冠军",
    "高新技术企业",
    "瞪羚",
    "独角兽",
    "国有",
    "外资",
    "失信",
    // Admission classes (准入, yunnan-investment-guidance-and-catalog.txt:118-119): set by staff
    // once a firm's or project's product or process is found in 产业结构调整指导目录 (限制类,
    // 淘汰类), the 市场准入负面清单 (禁止准入类), or an industry ruled 严重污染 / 危化.
    "禁止准入类",
    "限制类",
    "淘汰类",
    "严重污染环境",
    "危化不符合安全准入",
];

/// Accept a known tag; refuse any other with a suggestion and the list of known tags.
// String: a seed row's `Diag` (data) or a `TargetsError::Tag` (`--tag`) — the caller decides.
pub fn check_tag(tag: &str) -> Result<(), String> {
    if KNOWN_TAGS.contains(&tag) {
        return Ok(());
    }
    let lang = crate::lang::messages();
    let dym = crate::names::did_you_mean_in(
        &crate::names::suggest(tag, KNOWN_TAGS.iter().copied(), 1),
        lang,
    );
    let known = KNOWN_TAGS.join(" ");
    Err(crate::tr!(
        lang,
        "没有 `{tag}` 这个标签（已知标签：{known}）{dym}",
        "unknown tag `{tag}`{dym} (known tags: {known})"
    ))
}

/// Tags that make an enterprise a "leading firm" for 强链 analysis.
pub const LEADING_TAGS: &[&str] = &[
    "链主",
    "龙头",
    "世界500强",
    "中国500强",
    "民营500强",
    "制造业500强",
    "上市",
];

/// A node of the graph. Its display name and aliases are read through `display_name()` and
/// `aliases()` and set with `named`: they share one box that most nodes (a million firms named
/// by their ids) do without, 8 bytes a node instead of 32. Stored (serde) as the fields
/// `kind, id, display_name, aliases, attrs, row`, as before the box.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub id: Box<str>,
    /// `None` when the node has neither a display name nor an alias (`named` keeps it so).
    other_names: Option<Box<OtherNames>>,
    pub attrs: Attrs,
    /// Index into `Dataset::rows`.
    pub row: u32,
}

#[derive(Clone, Debug, PartialEq)]
struct OtherNames {
    /// Display name when it differs from `id` (most ids are names already).
    display_name: Option<Box<str>>,
    /// A boxed slice, not a `Vec`: the list never grows once read.
    aliases: Box<[Box<str>]>,
}

impl Node {
    /// A node named by its id alone (no display name, no aliases; see `named`).
    pub fn new(kind: Kind, id: Box<str>, attrs: Attrs, row: u32) -> Node {
        Node {
            kind,
            id,
            other_names: None,
            attrs,
            row,
        }
    }

    /// The node with this display name and these aliases (replacing any it had).
    pub fn named(mut self, display_name: Option<Box<str>>, aliases: Box<[Box<str>]>) -> Node {
        self.set_names(display_name, aliases);
        self
    }

    /// Replace the display name and aliases.
    pub fn set_names(&mut self, display_name: Option<Box<str>>, aliases: Box<[Box<str>]>) {
        self.other_names = (display_name.is_some() || !aliases.is_empty()).then(|| {
            Box::new(OtherNames {
                display_name,
                aliases,
            })
        });
    }

    /// The display name, when it differs from the id.
    pub fn display_name(&self) -> Option<&str> {
        self.other_names.as_ref()?.display_name.as_deref()
    }

    pub fn aliases(&self) -> &[Box<str>] {
        self.other_names.as_ref().map_or(&[], |o| &o.aliases)
    }

    /// The name to show: the display name, or the id.
    pub fn name(&self) -> &str {
        self.display_name().unwrap_or(&self.id)
    }

    /// Every name the node answers to: its id, its display name (when it has one) and its
    /// aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&*self.id)
            .chain(self.display_name())
            .chain(self.aliases().iter().map(|a| &**a))
    }
}

/// `Node` as stored: the names in the fields they had before they shared a box.
#[derive(Serialize)]
#[serde(rename = "Node")]
struct StoredNodeRef<'a> {
    kind: Kind,
    id: &'a str,
    display_name: Option<&'a str>,
    aliases: &'a [Box<str>],
    attrs: &'a Attrs,
    row: u32,
}

#[derive(Deserialize)]
#[serde(rename = "Node")]
struct StoredNode {
    kind: Kind,
    id: Box<str>,
    display_name: Option<Box<str>>,
    aliases: Box<[Box<str>]>,
    attrs: Attrs,
    row: u32,
}

impl Serialize for Node {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        StoredNodeRef {
            kind: self.kind,
            id: &self.id,
            display_name: self.display_name(),
            aliases: self.aliases(),
            attrs: &self.attrs,
            row: self.row,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        let n = StoredNode::deserialize(d)?;
        Ok(Node::new(n.kind, n.id, n.attrs, n.row).named(n.display_name, n.aliases))
    }
}

/// Kind-specific attributes. Empty strings mean "not stated".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Attrs {
    /// `level` interned (`intern::Sym`, stored as the string), like a firm's province.
    Region {
        level: Sym,
    },
    /// Boxed (like `Project`) so that no variant is wider than `Enterprise`: every node pays
    /// for the widest (postcard encodes it exactly as the unboxed fields).
    Park(Box<ParkAttrs>),
    Industry,
    Chain,
    Segment {
        stage: Stage,
    },
    /// Not boxed: a firm's attributes (48 bytes) are most of the nodes' (`Attrs` is as wide;
    /// the other variants fit beside `credit_code`'s pointer), and a box would add a pointer and
    /// an allocation (64 bytes with malloc's header) per firm to save 32 bytes per other node.
    Enterprise(EnterpriseAttrs),
    Project(Box<ProjectAttrs>),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParkAttrs {
    pub kind: Box<str>,
    pub area_km2: Option<f64>,
}

/// An enterprise's attributes. Province, city, listing and tags are interned symbols
/// (`intern`, 4 bytes each, stored as the plain values): a million firms name a few hundred
/// distinct values. 48 bytes (`per_record_types_stay_small`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseAttrs {
    pub credit_code: Box<str>,
    pub province: Sym,
    pub city: Sym,
    pub revenue_yi: Option<f64>,
    pub tags: SymList,
    pub listing: Sym,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectAttrs {
    pub domain: Box<str>,
    pub category: Box<str>,
    pub investment_yi: Option<f64>,
    pub investment_text: Box<str>,
    pub land_mu: Option<f64>,
    pub scale: Box<str>,
    pub start_year: Option<u16>,
    pub end_year: Option<u16>,
    pub status: Option<ProjectStatus>,
}

/// What a place's enterprise data covers (the `coverage` column of regions and parks), weakest
/// first. Where it is `none`, a segment without a recorded producer is `unknown`, not
/// `missing`; `key` and `named` are partial, and answers resting on them say so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Coverage {
    /// No enterprise data for the place.
    None,
    /// Key firms only (a document's list of key enterprises, e.g. 表5).
    Key,
    /// Every firm the documents name in the place (not a register).
    Named,
    /// A complete register of the place's firms.
    All,
}

impl Coverage {
    pub const ALL: [Coverage; 4] = [
        Coverage::None,
        Coverage::Key,
        Coverage::Named,
        Coverage::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::None => "none",
            Coverage::Key => "key",
            Coverage::Named => "named",
            Coverage::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Coverage> {
        Self::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    /// What the value means, for notes under a table.
    pub fn describe(self) -> &'static str {
        match self {
            Coverage::None => "no enterprise data",
            Coverage::Key => "key firms only",
            Coverage::Named => "the firms the documents name, not a register",
            Coverage::All => "a complete register of firms",
        }
    }
}

/// A place's stated coverage with its source (stored under its own key, `coverage`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaceCoverage {
    pub coverage: Coverage,
    pub source: Box<str>,
}

/// One cell of a source table that lists enterprises per industry and field (表5 主导产业重点企业梳理
/// of the Yuxi plan): its own relation, kept apart from the industries an enterprise is said to
/// belong to elsewhere (text, 表4 carriers), each with its row for provenance. Stored under a
/// key of its own (`listings`), so no schema version: an older database reads as having none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// The table as the document names it (`表5 主导产业重点企业梳理`).
    pub table: Box<str>,
    /// The 产业类别 (index into `Dataset::nodes`, an Industry).
    pub industry: u32,
    /// The 具体领域 (an Industry below `industry`); `None` where the table gives none.
    pub field: Option<u32>,
    /// The enterprise the cell names; `None` where the cell lists none (`——`).
    pub enterprise: Option<u32>,
    /// The cell exactly as written (`恩捷股份`, `——`).
    pub written: Box<str>,
    /// Index into `Dataset::rows`: the data row that states it.
    pub row: u32,
}

impl Listing {
    /// The cell a table writes for a field that lists no enterprise.
    pub const NONE: &'static str = "——";

    /// The industry the cell sits under: the field, or the category where there is none.
    pub fn under(&self) -> u32 {
        self.field.unwrap_or(self.industry)
    }
}

/// The system an industry belongs to in a place (an IN_SYSTEM edge's payload).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemEntry {
    pub system: Box<str>,
    pub class: Box<str>,
    pub target_revenue_yi: Option<f64>,
}

/// A figure a document states for a place, or for an industry system of a place, or for one
/// industry in it: a target, a count, a year (`seeds/figures*.csv`). Stored under a key of its
/// own (`figures`): an older database reads as stating none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The place it is stated for (index into `nodes`).
    pub place: u32,
    /// The industry system it is stated for, empty when it is the place's own figure.
    pub system: Box<str>,
    /// The industry it is stated for, if one (index into `nodes`).
    pub industry: Option<u32>,
    /// What is measured, as the document names it (`主营业务收入目标`, `签约项目数`).
    pub measure: Box<str>,
    pub value: Option<f64>,
    pub unit: Box<str>,
    /// The year the figure is for (a target's year, a count's year).
    pub year: Option<u16>,
    /// The figure exactly as written (`力争到2025年，实现主营业务收入630亿元`).
    pub text: Box<str>,
    /// Index into `Dataset::rows`: file, line, source and notes.
    pub row: u32,
}

/// One entry of an industry system or catalog as the document writes it
/// (`seeds/catalog*.csv`): an industry, a numbered segment under it with its heading, and one
/// item under that heading. Stored under a key of its own (`catalog`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogItem {
    /// The place whose system it is (index into `nodes`).
    pub place: u32,
    pub system: Box<str>,
    /// The industry it is listed under (index into `nodes`).
    pub industry: u32,
    /// The industry's number in the document (（一） → 1), if numbered.
    pub industry_no: Option<u16>,
    /// The segment's number under the industry (1. → 1), if numbered.
    pub number: Option<u16>,
    /// The segment's heading as written (`茶叶`, `建筑结构领域`).
    pub heading: Box<str>,
    /// One item under the heading as written; empty when the heading lists none.
    pub item: Box<str>,
    /// The chains or segments that model it (indices into `nodes`).
    pub models: Box<[u32]>,
    /// Index into `Dataset::rows`.
    pub row: u32,
}

/// 13 bytes: there are millions (15.5 M at national scale with a supply network: 47 MB less
/// than the 16 an aligned record takes). Packed, so a field is read by value (`e.from`), never
/// borrowed (`&e.from` does not compile; write `&{ e.from }`). The few IN_SYSTEM edges keep
/// their payload in [`Dataset::systems`]; the store writes both in one chunk
/// (`store::write::PackedEdge`).
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, packed(1))]
pub struct Edge {
    pub kind: EdgeKind,
    /// Index into `Dataset::nodes`.
    pub from: u32,
    pub to: u32,
    /// Index into `Dataset::rows`: the row that declared this edge.
    pub row: u32,
}

/// Edges in data order, handed over a part at a time and as often as asked: the graph reads
/// them once or twice (to count, unless an open index holds the counts, then to fill its
/// adjacency lists) without every edge being decoded at once (`store::StoredEdges`). A part
/// comes with the IN_SYSTEM payloads of its edges, keyed by index within the part.
pub trait EdgeParts {
    type Error;
    fn for_each_part(&self, f: &mut PartSink) -> Result<(), Self::Error>;
}

/// What [`EdgeParts::for_each_part`] hands each part to: its edges, and the IN_SYSTEM
/// payloads of its edges by index within the part.
pub type PartSink<'a> = dyn FnMut(&[Edge], &[(u32, SystemEntry)]) + 'a;

/// The whole edge list as one part.
pub struct EdgeList<'a> {
    pub edges: &'a [Edge],
    pub systems: &'a [(u32, SystemEntry)],
}

impl EdgeParts for EdgeList<'_> {
    type Error = std::convert::Infallible;
    fn for_each_part(&self, f: &mut PartSink) -> Result<(), Self::Error> {
        f(self.edges, self.systems);
        Ok(())
    }
}

/// A chain template file's own header, kept so that export can write the file back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateFile {
    /// Index into `Dataset::files`.
    pub file: u32,
    /// The chain the file defines (index into `nodes`), if any.
    pub chain: Option<u32>,
}

/// A whole knowledge base: what `data` reads, `store` keeps and `graph` indexes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    /// Data files relative to the data folder (`graphs/lithium.toml`, `seeds/parks.csv`), in
    /// the order they were read.
    pub files: Vec<String>,
    /// Provenance rows, packed into runs (`model::rows`).
    pub rows: Rows,
    /// Distinct `source` texts of the rows.
    pub sources: Vec<Box<str>>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// IN_SYSTEM edges' payloads, as (edge index, entry), sorted by edge index.
    pub systems: Vec<(u32, SystemEntry)>,
    pub templates: Vec<TemplateFile>,
    /// Segments that public bodies, not firms, provide (a template's `public` key), as (segment
    /// index, who provides it), sorted by index: nobody is recruited for them.
    pub public_functions: Vec<(u32, Box<str>)>,
    /// What each place's enterprise data covers, as (place index, coverage), sorted by index;
    /// places that state none are absent.
    pub coverage: Vec<(u32, PlaceCoverage)>,
    /// Figures stated for places and systems, in import order.
    pub figures: Vec<Figure>,
    /// Industry systems and catalogs as written, item by item, in import order.
    pub catalog: Vec<CatalogItem>,
    /// Source tables' listings of enterprises per industry and field, in import order.
    pub listings: Vec<Listing>,
    /// The 客商库 stage of each firm entered there, as ((place, chain, firm) node indices,
    /// stage), sorted: set by the planning journal when it is applied (`journal::apply`), never
    /// by the data files or the store.
    pub prospects: Vec<((u32, u32, u32), Box<str>)>,
}

impl Dataset {
    /// Test support: segments `s0`…`s{n-1}`, each on its own row of one template file.
    #[cfg(test)]
    pub(crate) fn segments_only(n: usize) -> Dataset {
        let mut ds = Dataset {
            files: vec!["graphs/t.toml".into()],
            sources: vec!["test".into()],
            ..Default::default()
        };
        for i in 0..n {
            ds.rows.push(Row {
                file: 0,
                line: i as u32 + 1,
                source: 0,
                notes: None,
            });
            ds.nodes.push(Node::new(
                Kind::Segment,
                format!("s{i}").into(),
                Attrs::Segment {
                    stage: Stage::Upstream,
                },
                i as u32,
            ));
        }
        ds
    }

    /// The industry-system entry an IN_SYSTEM edge carries.
    pub fn edge_system(&self, edge: u32) -> Option<&SystemEntry> {
        self.systems
            .binary_search_by_key(&edge, |&(e, _)| e)
            .ok()
            .map(|i| &self.systems[i].1)
    }

    /// Who provides a segment that public bodies, not firms, provide (see `public_functions`).
    pub fn public_function(&self, segment: u32) -> Option<&str> {
        self.public_functions
            .binary_search_by_key(&segment, |&(s, _)| s)
            .ok()
            .map(|i| &*self.public_functions[i].1)
    }

    /// The 客商库 stage of `firm` for `chain` in `place` (see `prospects`), if it was entered.
    pub fn prospect_stage(&self, place: u32, chain: u32, firm: u32) -> Option<&str> {
        self.prospects
            .binary_search_by_key(&(place, chain, firm), |(k, _)| *k)
            .ok()
            .map(|i| &*self.prospects[i].1)
    }

    /// Whether the 客商库 of `chain` in `place` has any firm.
    pub fn has_prospects(&self, place: u32, chain: u32) -> bool {
        self.prospects
            .iter()
            .any(|((p, c, _), _)| (*p, *c) == (place, chain))
    }

    /// The coverage a place states itself (not inherited; see `Graph::coverage`).
    pub fn place_coverage(&self, place: u32) -> Option<&PlaceCoverage> {
        self.coverage
            .binary_search_by_key(&place, |&(p, _)| p)
            .ok()
            .map(|i| &self.coverage[i].1)
    }

    /// Row `i` (a row number from a node, edge or record of this dataset; an out-of-range
    /// number, which no record of a checked dataset holds, reads as an empty row of file 0).
    pub fn row(&self, i: u32) -> RowRef<'_> {
        self.rows.get(i).unwrap_or(RowRef {
            file: 0,
            line: 0,
            source: 0,
            notes: None,
        })
    }

    pub fn node(&self, i: u32) -> &Node {
        &self.nodes[i as usize]
    }

    /// The `source` column of a row.
    pub fn source(&self, row: u32) -> &str {
        self.sources
            .get(self.row(row).source as usize)
            .map_or("", |s| s)
    }

    /// `file:line — source` for a row, as printed by `show`.
    pub fn provenance(&self, row: u32) -> String {
        let r = self.row(row);
        let file = self.files.get(r.file as usize).map_or("?", String::as_str);
        format!("{file}:{} — {}", r.line, self.source(row))
    }
}

/// Format an amount in 亿元 without trailing zeros (3.6, 0.32, 20).
pub fn fmt_yi(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A million enterprises pay for these sizes several times over (resident-memory target
    /// of benches/README.md); a field that makes one wider should be a deliberate choice.
    #[test]
    fn per_record_types_stay_small() {
        // A firm is one `Node` and no allocation of its own besides its id (and any display
        // name, aliases, credit code); `Attrs` is the enterprise variant.
        assert_eq!(size_of::<Node>(), 80);
        assert_eq!(size_of::<Attrs>(), 48);
        assert_eq!(size_of::<EnterpriseAttrs>(), 48);
        assert_eq!(size_of::<Row>(), 24);
        assert_eq!(size_of::<Edge>(), 13);
    }

    #[test]
    fn display_names_and_aliases_share_one_optional_box() {
        let plain = Node::new(Kind::Enterprise, "e1".into(), Attrs::Industry, 3);
        assert_eq!(
            (plain.display_name(), plain.aliases(), plain.name()),
            (None, &[][..], "e1")
        );
        assert!(plain.other_names.is_none());
        // Naming a node with nothing leaves it as it was (equal, no box).
        assert_eq!(plain.clone().named(None, Box::new([])), plain);
        let shown = plain.clone().named(Some("甲公司".into()), Box::new([]));
        assert_eq!(
            (shown.display_name(), shown.name()),
            (Some("甲公司"), "甲公司")
        );
        let aka = plain
            .clone()
            .named(None, Box::new(["甲".into(), "甲司".into()]));
        assert_eq!((aka.display_name(), aka.name()), (None, "e1"));
        assert_eq!(aka.aliases().join(","), "甲,甲司");
        let mut cleared = aka.clone();
        cleared.set_names(None, Box::new([]));
        assert_eq!(cleared, plain);
        // Stored as the six fields it had (JSON shows their names; postcard pins the bytes in
        // `store::tests::stored_records_keep_their_layout`).
        let json = serde_json::to_string(&aka).expect("json");
        assert_eq!(
            json,
            r#"{"kind":"Enterprise","id":"e1","display_name":null,"aliases":["甲","甲司"],"attrs":"Industry","row":3}"#
        );
        assert_eq!(serde_json::from_str::<Node>(&json).expect("json"), aka);
    }

    #[test]
    fn status_parses_with_and_without_suffix() {
        assert_eq!(
            ProjectStatus::parse("推介项目"),
            Some(ProjectStatus::Promoted)
        );
        assert_eq!(ProjectStatus::parse("投产"), Some(ProjectStatus::Producing));
        assert_eq!(ProjectStatus::parse("unknown"), None);
    }

    #[test]
    fn amounts_print_without_trailing_zeros() {
        assert_eq!(fmt_yi(3.6), "3.6");
        assert_eq!(fmt_yi(20.0), "20");
        assert_eq!(fmt_yi(0.0032), "0.0032");
        assert_eq!(fmt_yi(60.54), "60.54");
    }
}
