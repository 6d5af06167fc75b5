//! Top producers (按营收排序的环节生产企业): the first k enterprises, in the order of `sort
//! revenue_yi desc, name`, that make any of some segments and pass a condition — read from each
//! segment's revenue-ordered producer list (`Graph::top_producers`), so rows are made only for
//! the firms looked at, not for every enterprise.

use crate::graph::Graph;
use crate::lang::Lang;
use crate::model::Kind;
use crate::tr;

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
}
