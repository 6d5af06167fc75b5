//! Supply-network partners (以商招商, `partners in PLACE [chain C] [depth d]`): firms outside a
//! place within d undirected SUPPLIES_TO hops of its firms — with `chain`, only those making a
//! segment of the chain missing there — ranked by how many distinct local firms they reach.

use crate::graph::supply::Reached;
use crate::graph::{Graph, SegmentState, by_revenue};
use crate::lang::Lang;
use crate::model::{Attrs, EdgeKind};
use crate::report::Value;
use crate::report::schema::{Col, Ty, cols};
use crate::tr;
use petgraph::Direction;

/// Hops when `depth` is not given (QUERIES.md Q4: 1 or 2 edges).
pub const DEFAULT_DEPTH: u32 = 2;
/// Most hops `depth` may ask for (a neighbourhood at 4 hops is most of a supply network).
pub const MAX_DEPTH: u32 = 4;

/// The input of the report, resolved by the planner.
#[derive(Clone, Debug, PartialEq)]
pub struct Partners {
    /// The home place; its firms are those located in it or in a place below it.
    pub place: u32,
    /// With a chain: candidates must make one of its segments whose state in `place` is
    /// missing (缺失).
    pub chain: Option<u32>,
    pub depth: u32,
    /// With `| limit k` right after (a `select` may stand between; `rules::partners_top_k`):
    /// rows are made only for the first k firms of the ranking.
    pub k: Option<usize>,
}

impl Partners {
    /// The report's columns: the firm, where it is, its revenue, `partners` (distinct local
    /// firms within `depth` hops), `distance` (hops to the nearest) and `fills` (with `chain`:
    /// the chain's missing segments it makes; else empty).
    pub fn columns() -> Vec<Col> {
        cols(&[
            ("name", Ty::Text),
            ("location", Ty::Text),
            ("revenue_yi", Ty::Float),
            ("partners", Ty::Int),
            ("distance", Ty::Int),
            ("fills", Ty::List),
        ])
    }

    /// The plan's line for this source.
    pub fn explain(&self, g: &Graph, lang: Lang) -> String {
        let line = self.explain_search(g, lang);
        match self.k {
            Some(k) => tr!(
                lang,
                "{line}；只为前 {k} 家生成行",
                "{line}; rows only for the first {k}"
            ),
            None => line,
        }
    }

    /// [`Partners::explain`] without the limit.
    fn explain_search(&self, g: &Graph, lang: Lang) -> String {
        let place = g.node(self.place).name();
        let d = self.depth;
        match self.chain {
            // At most 2 hops with candidates: `graph::supply` meets in the middle, no search.
            Some(c) if d <= 2 => {
                let chain = g.node(c).name();
                tr!(
                    lang,
                    "以商招商：{place}（含下级）企业的供应网络邻居（SUPPLIES_TO 不分方向，{d} 跳内，中间相会：本地企业按邻居分组，每家候选企业只读自己的邻居，rayon 并行），只留外地且生产 {chain} 在 {place} 缺失环节的企业；按本地伙伴数降序、营收降序、名称排序",
                    "supply partners (以商招商) of the firms in {place} and below: SUPPLIES_TO either way within {d} hops (meeting in the middle: local firms grouped by neighbour, each candidate reads only its own neighbours, in parallel), only firms elsewhere making a segment of {chain} missing in {place}; by local partners desc, revenue desc, name"
                )
            }
            Some(c) => {
                let chain = g.node(c).name();
                tr!(
                    lang,
                    "以商招商：{place}（含下级）企业的供应网络邻居（SUPPLIES_TO 不分方向，{d} 跳内，广度优先、位图去重、rayon 并行），只留外地且生产 {chain} 在 {place} 缺失环节的企业；按本地伙伴数降序、营收降序、名称排序",
                    "supply partners (以商招商) of the firms in {place} and below: SUPPLIES_TO either way within {d} hops (breadth-first, visited bitsets, in parallel), only firms elsewhere making a segment of {chain} missing in {place}; by local partners desc, revenue desc, name"
                )
            }
            None => tr!(
                lang,
                "以商招商：{place}（含下级）企业的供应网络邻居（SUPPLIES_TO 不分方向，{d} 跳内，广度优先、位图去重、rayon 并行），只留外地企业；按本地伙伴数降序、营收降序、名称排序",
                "supply partners (以商招商) of the firms in {place} and below: SUPPLIES_TO either way within {d} hops (breadth-first, visited bitsets, in parallel), only firms elsewhere; by local partners desc, revenue desc, name"
            ),
        }
    }

    /// The chain's segments missing in the place, in the chain's order (empty without a chain).
    pub fn missing(&self, g: &Graph) -> Vec<u32> {
        self.chain.map_or_else(Vec::new, |c| {
            g.chain_segments(c)
                .iter()
                .copied()
                .filter(|&s| g.state(self.place, s) == SegmentState::Missing)
                .collect()
        })
    }

    /// The firms reached, best first (partners desc, then `sort revenue_yi desc, name`).
    pub fn reached(&self, g: &Graph, parallel: bool) -> Vec<Reached> {
        self.reached_for(g, &self.missing(g), parallel)
    }

    /// [`Partners::reached`] with the chain's missing segments already known.
    fn reached_for(&self, g: &Graph, missing: &[u32], parallel: bool) -> Vec<Reached> {
        let home = g.firms_within(self.place);
        if home.is_empty() {
            return Vec::new();
        }
        let candidates = match self.chain {
            None => None,
            Some(_) => {
                let mut c: Vec<u32> = missing
                    .iter()
                    .flat_map(|&s| g.ranked_producers(s).iter().copied())
                    .collect();
                c.sort_unstable();
                c.dedup();
                if c.is_empty() {
                    return Vec::new();
                }
                Some(c)
            }
        };
        let r = g.supply_partners(&home, candidates.as_deref(), self.depth, parallel);
        // Each firm's revenue read once, not in every comparison; names only break ties.
        let mut keyed: Vec<(Reached, f64)> = r
            .into_iter()
            .map(|r| (r, g.cols.profile(r.firm).revenue_yi))
            .collect();
        keyed.sort_unstable_by(|(a, ra), (b, rb)| {
            b.partners
                .cmp(&a.partners)
                .then_with(|| by_revenue(*ra, *rb))
                .then_with(|| g.node(a.firm).name().cmp(g.node(b.firm).name()))
                .then(a.firm.cmp(&b.firm))
        });
        keyed.into_iter().map(|(r, _)| r).collect()
    }

    /// The report's rows, in [`Partners::columns`] order, best first.
    pub fn rows(&self, g: &Graph, parallel: bool) -> Vec<Vec<Value>> {
        let missing = self.missing(g);
        self.reached_for(g, &missing, parallel)
            .into_iter()
            .take(self.k.unwrap_or(usize::MAX))
            .map(|r| {
                let e = r.firm;
                let places: Vec<&str> = g
                    .adjacent(e, EdgeKind::LocatedIn, Direction::Outgoing)
                    .iter()
                    .map(|&p| g.node(p).name())
                    .collect();
                let mut made: Vec<u32> = g
                    .adjacent(e, EdgeKind::Produces, Direction::Outgoing)
                    .iter()
                    .copied()
                    .filter(|s| missing.contains(s))
                    .collect();
                made.dedup();
                let fills = made
                    .iter()
                    .map(|&s| Value::text(g.node(s).name()))
                    .collect();
                let revenue = match &g.node(e).attrs {
                    Attrs::Enterprise(a) => Value::opt_f64(a.revenue_yi),
                    _ => Value::Null,
                };
                vec![
                    Value::text(g.node(e).name()),
                    if places.is_empty() {
                        Value::Null
                    } else {
                        Value::text(places.join("、"))
                    },
                    revenue,
                    Value::Int(i64::from(r.partners)),
                    Value::Int(i64::from(r.distance)),
                    Value::List(fills),
                ]
            })
            .collect()
    }
}
