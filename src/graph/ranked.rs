//! Producers per segment kept in the order of `sort revenue_yi desc, name` (unknown revenue
//! last, then node order), so the top k producers of a few segments that pass a filter are found
//! by merging the lists' heads instead of making a row for every enterprise.

use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::HashMap;

pub struct RankedProducers {
    /// Segment → its producers, each once, best first.
    lists: HashMap<u32, Box<[u32]>>,
}

impl RankedProducers {
    /// Sort each segment's producers by `order` (a total order that compares `revenue` first
    /// as [`by_revenue`] does, then tells any two distinct producers apart), in parallel over
    /// the segments. Producers are sorted on their revenue read once each; `order` (which
    /// reads names) only breaks ties of equal revenue.
    pub fn build<'a>(
        segments: &[u32],
        producers: impl Fn(u32) -> &'a [u32] + Sync,
        revenue: impl Fn(u32) -> f64 + Sync,
        order: impl Fn(u32, u32) -> Ordering + Sync,
    ) -> RankedProducers {
        let lists = segments
            .par_iter()
            .filter_map(|&s| Some((s, rank(producers(s), &revenue, &order)?)))
            .collect();
        RankedProducers { lists }
    }

    /// Lists ranked before (a store's open index), by segment.
    pub fn from_lists(lists: Vec<(u32, Box<[u32]>)>) -> RankedProducers {
        RankedProducers {
            lists: lists.into_iter().collect(),
        }
    }

    /// Every segment's list, by segment ascending (what a store keeps).
    pub fn lists(&self) -> Vec<(u32, &[u32])> {
        let mut out: Vec<(u32, &[u32])> = self.lists.iter().map(|(&s, l)| (s, &l[..])).collect();
        out.sort_unstable_by_key(|&(s, _)| s);
        out
    }

    /// Rank `segments` again (producers were added to them), as [`RankedProducers::build`]
    /// ranks.
    pub fn rerank<'a>(
        &mut self,
        segments: &[u32],
        producers: impl Fn(u32) -> &'a [u32],
        revenue: impl Fn(u32) -> f64,
        order: impl Fn(u32, u32) -> Ordering,
    ) {
        for &s in segments {
            match rank(producers(s), &revenue, &order) {
                Some(l) => self.lists.insert(s, l),
                None => self.lists.remove(&s),
            };
        }
    }

    /// A segment's producers, best first (empty for a segment nobody produces).
    pub fn of(&self, segment: u32) -> &[u32] {
        self.lists.get(&segment).map_or(&[], |v| &v[..])
    }

    /// The first `k` producers, in `order`, of any of `segments` that `keep` accepts, each
    /// once: a merge of the segments' lists that stops at the k-th kept producer. `order`
    /// must be the order the lists were built with.
    pub fn top(
        &self,
        segments: &[u32],
        k: usize,
        order: impl Fn(u32, u32) -> Ordering,
        mut keep: impl FnMut(u32) -> bool,
    ) -> Vec<u32> {
        let mut segs = segments.to_vec();
        segs.sort_unstable();
        segs.dedup();
        let lists: Vec<&[u32]> = segs
            .iter()
            .map(|&s| self.of(s))
            .filter(|l| !l.is_empty())
            .collect();
        // The linear pick below costs (lists × firms taken): with many lists and a large k
        // (`segments of C | producers`, no limit), gathering every producer once and sorting
        // them costs less. Both give the same firms (`order` is total) and call `keep` on the
        // same firms in the same order.
        let total: usize = lists.iter().map(|l| l.len()).sum();
        if lists.len() > 8 && k.saturating_mul(lists.len()) > total.saturating_mul(24) {
            return top_by_sort(&lists, k, order, keep);
        }
        let mut pos = vec![0usize; lists.len()];
        let mut out = Vec::with_capacity(k.min(1024));
        let mut last = None;
        while out.len() < k {
            // Few lists (a walk's segments): a linear pick of the best head beats a heap.
            let mut best: Option<(usize, u32)> = None;
            for (j, l) in lists.iter().enumerate() {
                if let Some(&x) = l.get(pos[j])
                    && best.is_none_or(|(_, b)| order(x, b).is_lt())
                {
                    best = Some((j, x));
                }
            }
            let Some((j, x)) = best else { break };
            pos[j] += 1;
            // A firm producing two of the segments is at the same rank in both lists: the
            // second copy comes right after the first.
            if last == Some(x) {
                continue;
            }
            last = Some(x);
            if keep(x) {
                out.push(x);
            }
        }
        out
    }

    /// Heap bytes held (approximate: the lists, not the map's table).
    pub fn heap_bytes(&self) -> usize {
        self.lists.values().map(|v| v.len() * 4).sum::<usize>() + self.lists.capacity() * 24
    }
}

/// One segment's producers, each once, best first (`None` for none): sorted on their revenue
/// read once each; `order` (which reads names) only breaks ties of equal revenue.
fn rank(
    producers: &[u32],
    revenue: impl Fn(u32) -> f64,
    order: impl Fn(u32, u32) -> Ordering,
) -> Option<Box<[u32]>> {
    let mut keyed: Vec<(f64, u32)> = producers.iter().map(|&i| (revenue(i), i)).collect();
    if keyed.is_empty() {
        return None;
    }
    keyed.sort_unstable_by_key(|k| k.1);
    keyed.dedup_by_key(|k| k.1);
    keyed.sort_unstable_by(|a, b| by_revenue(a.0, b.0).then(a.1.cmp(&b.1)));
    let mut v: Vec<u32> = keyed.iter().map(|k| k.1).collect();
    let mut i = 0;
    while i < keyed.len() {
        let j = i + keyed[i..]
            .iter()
            .take_while(|k| by_revenue(k.0, keyed[i].0).is_eq())
            .count();
        if j - i > 1 {
            v[i..j].sort_unstable_by(|&a, &b| order(a, b));
        }
        i = j;
    }
    Some(v.into_boxed_slice())
}

/// `RankedProducers::top` by gathering every producer of the lists once and sorting them by
/// `order`, then keeping the first k that `keep` accepts.
fn top_by_sort(
    lists: &[&[u32]],
    k: usize,
    order: impl Fn(u32, u32) -> Ordering,
    mut keep: impl FnMut(u32) -> bool,
) -> Vec<u32> {
    let mut all: Vec<u32> = lists.iter().flat_map(|l| l.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    all.sort_unstable_by(|&a, &b| order(a, b));
    let mut out = Vec::with_capacity(k.min(1024));
    for x in all {
        if out.len() >= k {
            break;
        }
        if keep(x) {
            out.push(x);
        }
    }
    out
}

/// `sort revenue_yi desc, name` as the query language sorts: revenue descending by
/// `f64::total_cmp` with unknown (NaN) last, then name by bytes, then node order (the order a
/// stable sort of the enterprise list keeps for ties).
pub fn revenue_then_name<'a>(
    revenue: impl Fn(u32) -> f64,
    name: impl Fn(u32) -> &'a str,
) -> impl Fn(u32, u32) -> Ordering {
    move |a, b| {
        by_revenue(revenue(a), revenue(b))
            .then_with(|| name(a).cmp(name(b)))
            .then(a.cmp(&b))
    }
}

/// Revenue descending by `f64::total_cmp`, unknown (NaN) last.
pub fn by_revenue(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (true, true) => Ordering::Equal,
        (false, false) => b.total_cmp(&a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Producers 0..n with revenues (None = unknown) and names; segment s's producers.
    #[derive(Debug, Clone)]
    struct Case {
        revenue: Vec<f64>,
        names: Vec<String>,
        produces: Vec<Vec<u32>>,
        query: Vec<u32>,
        k: usize,
        excluded: Vec<bool>,
    }

    fn arb_case() -> impl Strategy<Value = Case> {
        (1usize..30, 1usize..6).prop_flat_map(|(n, segs)| {
            (
                // Few distinct revenues and names, so ties on both happen.
                prop::collection::vec(prop::option::of(0u8..4), n),
                prop::collection::vec(0u8..3, n),
                prop::collection::vec(prop::collection::vec(0..n as u32, 0..12), segs),
                prop::collection::vec(0..segs as u32 + 1, 0..5),
                0usize..12,
                prop::collection::vec(any::<bool>(), n),
            )
                .prop_map(|(rev, names, produces, query, k, excluded)| Case {
                    revenue: rev
                        .into_iter()
                        .map(|r| r.map_or(f64::NAN, |r| f64::from(r) * 0.5))
                        .collect(),
                    names: names.into_iter().map(|c| format!("企业{c}")).collect(),
                    produces,
                    query,
                    k,
                    excluded,
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// The merge equals the long way: every producer of the segments, once, filtered,
        /// sorted as `sort revenue_yi desc, name` sorts (nulls last, stable), cut at k.
        #[test]
        fn top_equals_filter_sort_limit_of_all_producers(c in arb_case()) {
            let order = revenue_then_name(|i| c.revenue[i as usize], |i| c.names[i as usize].as_str());
            let segments: Vec<u32> = (0..c.produces.len() as u32).collect();
            let ranked = RankedProducers::build(
                &segments,
                |s| &c.produces[s as usize][..],
                |i| c.revenue[i as usize],
                &order,
            );
            let got = ranked.top(&c.query, c.k, &order, |i| !c.excluded[i as usize]);

            let mut all: Vec<u32> = c
                .query
                .iter()
                .filter_map(|&s| c.produces.get(s as usize))
                .flatten()
                .copied()
                .filter(|&i| !c.excluded[i as usize])
                .collect();
            all.sort_unstable();
            all.dedup();
            // Stable sort by the query language's keys over node order.
            all.sort_by(|&a, &b| {
                let (ra, rb) = (c.revenue[a as usize], c.revenue[b as usize]);
                match (ra.is_nan(), rb.is_nan()) {
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (true, true) => Ordering::Equal,
                    (false, false) => rb.total_cmp(&ra),
                }
                .then_with(|| c.names[a as usize].cmp(&c.names[b as usize]))
            });
            all.truncate(c.k);
            // The gather-and-sort path (taken for many lists and a large k) too.
            let lists: Vec<&[u32]> = c.query.iter().map(|&s| ranked.of(s)).collect();
            let sorted = top_by_sort(&lists, c.k, &order, |i| !c.excluded[i as usize]);
            prop_assert_eq!(&sorted, &all);
            prop_assert_eq!(got, all);
        }
    }

    #[test]
    fn a_firm_making_two_of_the_segments_counts_once() {
        let revenue = [3.0, 2.0, 1.0];
        let names = ["a", "b", "c"];
        let order = revenue_then_name(|i| revenue[i as usize], |i| names[i as usize]);
        let produces = [vec![0, 1], vec![1, 2], vec![]];
        let ranked = RankedProducers::build(
            &[0, 1, 2],
            |s| &produces[s as usize][..],
            |i| revenue[i as usize],
            &order,
        );
        assert_eq!(ranked.top(&[0, 1, 2], 10, &order, |_| true), vec![0, 1, 2]);
        assert_eq!(ranked.top(&[1, 0], 2, &order, |i| i != 0), vec![1, 2]);
        assert!(ranked.of(2).is_empty());
        assert!(ranked.top(&[7], 5, &order, |_| true).is_empty());
    }
}
