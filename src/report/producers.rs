//! Top producers (按营收排序的环节生产企业): the first k enterprises, in the order of `sort
//! revenue_yi desc, name`, that make any of some segments and pass a condition — read from each
//! segment's revenue-ordered producer list (`Graph::top_producers`), so rows are made only for
//! the firms looked at, not for every enterprise; for the planner's rule on `enterprises | where
//! segments contains …` (`TopProducers`) and the stage `| producers [outside|in PLACE]`
//! (`OfSegments`).

use super::Row;
use super::lists::enterprise_row;
use crate::graph::Graph;
use crate::lang::Lang;
use crate::model::Kind;
use crate::tr;

/// Where the firms of `| producers` must be, or must not be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located {
    pub place: u32,
    /// `outside PLACE`: none of the firm's locations is the place or below it; else (`in
    /// PLACE`) one of them is.
    pub outside: bool,
}

/// `| producers [outside|in PLACE]` (生产企业, issue 16 Q3): the enterprises that make any of the
/// segments the rows before it are about, each once, in the order of `sort revenue_yi desc,
/// name`, with the columns of `enterprises`. The planner pushes a `limit` after it into `k` and a
/// `select` into `needed`.
#[derive(Clone, Debug, PartialEq)]
pub struct OfSegments {
    pub place: Option<Located>,
    /// The first k only (`None`: all).
    pub k: Option<usize>,
    /// Which of the columns of `enterprises` a later stage reads (`None`: all); the others are
    /// left null, since the `select` after drops them.
    pub needed: Option<Vec<bool>>,
}

impl OfSegments {
    /// Whether enterprise `e` is where the stage wants it.
    pub fn admits(&self, g: &Graph, e: u32) -> bool {
        self.place.is_none_or(|p| {
            let inside = g.locations(e).iter().any(|&l| g.is_within(l, p.place));
            inside != p.outside
        })
    }

    /// The plan's line for this stage.
    pub fn explain(&self, g: &Graph, lang: Lang) -> String {
        let place = match self.place {
            None => String::new(),
            Some(Located { place, outside }) => {
                let p = g.node(place).name();
                match outside {
                    true => tr!(
                        lang,
                        "，不在 {p} 及其下级地方",
                        ", located outside {p} and the places below it"
                    ),
                    false => tr!(
                        lang,
                        "，在 {p} 及其下级地方",
                        ", located in {p} or a place below it"
                    ),
                }
            }
        };
        let top = match self.k {
            None => String::new(),
            Some(k) => tr!(
                lang,
                "，取前 {k} 家（限制已下推）",
                ", first {k} kept (the limit pushed in)"
            ),
        };
        tr!(
            lang,
            "生产这些行所指环节的企业：合并各环节按营收排序的生产企业列表（营收降序、名称），每家一次{place}{top}；只为这些企业生成行",
            "producers of the segments these rows are about: their revenue-ordered producer lists merged in `revenue_yi desc, name` order, each firm once{place}{top}; rows made only for those"
        )
    }

    /// The firms, best first.
    pub fn firms(&self, g: &Graph, segments: &[u32]) -> Vec<u32> {
        g.top_producers(segments, self.k.unwrap_or(usize::MAX), |e| {
            self.admits(g, e)
        })
    }

    /// The firms' rows (the columns of `enterprises`).
    pub fn rows(&self, g: &Graph, firms: &[u32]) -> Vec<Row> {
        firms
            .iter()
            .map(|&e| enterprise_row(g, e, self.needed.as_deref()))
            .collect()
    }
}

/// What the planner found in `enterprises | where segments contains S… [and C] | sort
/// revenue_yi desc, name | limit k`: the segments named and k (the condition C stays with the
/// query layer, which evaluates it on each firm's row).
#[derive(Clone, Debug, PartialEq)]
pub struct TopProducers {
    /// Segment nodes whose display name is one of the texts `segments contains` compared with
    /// (what a row's `segments` list holds), sorted, each once.
    pub segments: Vec<u32>,
    /// The texts as typed (after alias expansion), for `explain`.
    pub named: Vec<String>,
    pub k: usize,
    /// Whether a further condition is tested on each firm before it counts.
    pub filtered: bool,
}

impl TopProducers {
    /// The segments named by `texts`, compared as a row's `segments` column compares them: by
    /// exact display name.
    pub fn new(g: &Graph, texts: Vec<String>, k: usize, filtered: bool) -> TopProducers {
        let mut segments: Vec<u32> = g
            .nodes_of(Kind::Segment)
            .iter()
            .copied()
            .filter(|&s| texts.iter().any(|t| g.node(s).name() == t))
            .collect();
        segments.sort_unstable();
        segments.dedup();
        TopProducers {
            segments,
            named: texts,
            k,
            filtered,
        }
    }

    /// The plan's line for this source.
    pub fn explain(&self, lang: Lang) -> String {
        let n = self.segments.len();
        let k = self.k;
        let named = self.named.join(", ");
        match (self.filtered, lang) {
            (true, _) => tr!(
                lang,
                "按营收排序的环节生产企业索引：合并 {n} 个环节（{named}）的生产企业列表（营收降序、名称），逐家检验其余条件，取前 {k} 家；只为这些企业生成行",
                "top producers from the revenue-ordered producer lists of {n} segment(s) ({named}): merged in `revenue_yi desc, name` order, each firm tested against the rest of the condition, first {k} kept; rows made only for those"
            ),
            (false, _) => tr!(
                lang,
                "按营收排序的环节生产企业索引：合并 {n} 个环节（{named}）的生产企业列表（营收降序、名称），取前 {k} 家；只为这些企业生成行",
                "top producers from the revenue-ordered producer lists of {n} segment(s) ({named}): merged in `revenue_yi desc, name` order, first {k} kept; rows made only for those"
            ),
        }
    }

    /// The firms, best first: at most k, each making one of the segments and accepted by
    /// `keep` (which the query layer uses to test the rest of the condition on a row it makes
    /// and keeps).
    pub fn firms(&self, g: &Graph, keep: impl FnMut(u32) -> bool) -> Vec<u32> {
        g.top_producers(&self.segments, self.k, keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_matched_by_display_name_and_firms_come_best_first() {
        let g = crate::open::graph_from_folder(&[
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
        ])
        .expect("fixture");
        let seg = g.nodes_of(Kind::Segment)[0];
        let name = g.node(seg).name().to_string();
        let t = TopProducers::new(&g, vec![name.clone(), "没有这个环节".into()], 3, false);
        assert_eq!(t.segments, vec![seg]);
        // The long way: every producer of the segment, sorted as the statement sorts.
        let mut all: Vec<u32> = g.ranked_producers(seg).to_vec();
        all.truncate(3);
        assert_eq!(t.firms(&g, |_| true), all);
        assert!(t.explain(Lang::Zh).contains("按营收排序"));
        assert!(t.explain(Lang::En).contains("revenue-ordered"));
    }

    #[test]
    fn the_stage_keeps_firms_in_or_outside_a_place_and_the_places_below_it() {
        let g = crate::open::graph_from_folder(&[
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
        ])
        .expect("fixture");
        let segments = g.nodes_of(Kind::Segment).to_vec();
        let place = |n: &str| {
            g.nodes_of(Kind::Park)
                .iter()
                .copied()
                .find(|&p| g.node(p).name() == n)
                .expect("park")
        };
        let (park, zone) = (place("测试园区"), place("西片区"));
        assert!(g.is_within(zone, park), "西片区 is below 测试园区");
        let stage = |place: Option<Located>, k| OfSegments {
            place,
            k,
            needed: None,
        };
        let all = stage(None, None).firms(&g, &segments);
        let inside = stage(
            Some(Located {
                place: park,
                outside: false,
            }),
            None,
        )
        .firms(&g, &segments);
        let outside = stage(
            Some(Located {
                place: park,
                outside: true,
            }),
            None,
        )
        .firms(&g, &segments);
        // The two split every producer, each in the order of the whole list.
        let located_in = |e: u32| {
            g.locations(e)
                .iter()
                .any(|&l| l == park || g.is_within(l, park))
        };
        assert_eq!(
            inside,
            all.iter()
                .copied()
                .filter(|&e| located_in(e))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            outside,
            all.iter()
                .copied()
                .filter(|&e| !located_in(e))
                .collect::<Vec<_>>()
        );
        assert!(!inside.is_empty() && !outside.is_empty());
        // A firm in 西片区 is in 测试园区, not outside it.
        assert!(inside.iter().any(|&e| g.locations(e).contains(&zone)));
        // k: the head of the same list.
        assert_eq!(stage(None, Some(2)).firms(&g, &segments), all[..2].to_vec());
        let rows = stage(None, None).rows(&g, &all[..1]);
        // The firm's cell is its node, named when the rows returned are rendered.
        assert_eq!(rows[0][0], crate::report::Value::Node(all[0]));
        let s = stage(
            Some(Located {
                place: park,
                outside: true,
            }),
            Some(50),
        );
        assert!(s.explain(&g, Lang::Zh).contains("不在 测试园区"));
        assert!(s.explain(&g, Lang::En).contains("first 50 kept"));
    }
}
