//! Supply-network neighbourhoods (以商招商): which firms lie within d undirected SUPPLIES_TO hops
//! of a home set, and how many distinct home firms each reaches — for candidates within 2 hops by
//! meeting in the middle (home firms grouped by neighbour, then one pass over each candidate's
//! neighbours), otherwise one breadth-first search per start with a visited bitset per worker;
//! in parallel (rayon) over the starts.

use super::Graph;
use crate::model::{EdgeKind, Kind};
use petgraph::Direction;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};

impl Graph {
    /// A firm's neighbours in the supply network taken as undirected: whom it supplies, then
    /// who supplies it (SUPPLIES_TO lists only; repeats as stored).
    pub fn supply_neighbors(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        self.adjacent(i, EdgeKind::SuppliesTo, Direction::Outgoing)
            .iter()
            .chain(self.adjacent(i, EdgeKind::SuppliesTo, Direction::Incoming))
            .copied()
    }

    /// Enterprises located in `place` or in a place below it, sorted, each once.
    pub fn firms_within(&self, place: u32) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .places_within(place)
            .into_iter()
            .chain([place])
            .flat_map(|p| self.adjacent(p, EdgeKind::LocatedIn, Direction::Incoming))
            .copied()
            .filter(|&o| self.node(o).kind == Kind::Enterprise)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// [`partners`] over this graph's supply network.
    pub fn supply_partners(
        &self,
        home: &[u32],
        candidates: Option<&[u32]>,
        depth: u32,
        parallel: bool,
    ) -> Vec<Reached> {
        partners(
            self.ds.nodes.len(),
            |i| self.supply_neighbors(i),
            |i| {
                self.adjacent(i, EdgeKind::SuppliesTo, Direction::Outgoing)
                    .len()
                    + self
                        .adjacent(i, EdgeKind::SuppliesTo, Direction::Incoming)
                        .len()
            },
            home,
            candidates,
            depth,
            parallel,
        )
    }
}

/// A firm reached from the home set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reached {
    pub firm: u32,
    /// Distinct home firms within the depth (1 or more).
    pub partners: u32,
    /// Fewest hops to a home firm.
    pub distance: u32,
}

/// Bits over node ids.
#[derive(Clone)]
pub struct Bits(Vec<u64>);

impl Bits {
    pub fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    pub fn of(n: usize, set: &[u32]) -> Bits {
        let mut b = Bits::new(n);
        set.iter().for_each(|&i| b.set(i));
        b
    }
    #[inline]
    pub fn get(&self, i: u32) -> bool {
        self.0
            .get(i as usize / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
    #[inline]
    pub fn set(&mut self, i: u32) {
        if let Some(w) = self.0.get_mut(i as usize / 64) {
            *w |= 1 << (i % 64);
        }
    }
    #[inline]
    fn clear(&mut self, i: u32) {
        if let Some(w) = self.0.get_mut(i as usize / 64) {
            *w &= !(1 << (i % 64));
        }
    }
}

/// One worker's search state: the visited bits and the nodes set in them (to clear them in
/// time proportional to the search, not to the graph).
struct Search {
    seen: Bits,
    touched: Vec<u32>,
    frontier: Vec<u32>,
    next: Vec<u32>,
}

impl Search {
    fn new(n: usize) -> Search {
        Search {
            seen: Bits::new(n),
            touched: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
        }
    }

    /// Calls `visit(node, hops)` once for every node at 1..=depth hops from `start` (not
    /// `start` itself), nearest first.
    fn run<N, I>(&mut self, start: u32, depth: u32, neighbors: &N, mut visit: impl FnMut(u32, u32))
    where
        N: Fn(u32) -> I,
        I: Iterator<Item = u32>,
    {
        self.seen.set(start);
        self.touched.push(start);
        self.frontier.clear();
        self.frontier.push(start);
        for hop in 1..=depth {
            self.next.clear();
            // The last hop's nodes start no further hop: no need to keep them as a frontier.
            let last = hop == depth;
            for &u in &self.frontier {
                for v in neighbors(u) {
                    if !self.seen.get(v) {
                        self.seen.set(v);
                        self.touched.push(v);
                        if !last {
                            self.next.push(v);
                        }
                        visit(v, hop);
                    }
                }
            }
            if self.next.is_empty() {
                break;
            }
            std::mem::swap(&mut self.frontier, &mut self.next);
        }
        for &t in &self.touched {
            self.seen.clear(t);
        }
        self.touched.clear();
    }
}

/// Every firm not in `home` within `depth` undirected hops of a firm in `home` — only those in
/// `candidates` when given — with the number of distinct home firms within `depth` hops of it
/// and its distance to the nearest, sorted by firm. `neighbors(i)` lists i's neighbours in the
/// undirected network (both directions), `degree(i)` how many there are; `n` bounds the node
/// ids. With candidates and at most 2 hops (Q4, 以商招商), meets in the middle
/// ([`partners_near`]: no search at all). Otherwise starts a search from the side whose searches
/// read fewer adjacency entries by the estimate [`two_hop_cost`]: from each candidate (counting
/// home firms in its ball) or from each home firm (counting the firms its ball reaches). In
/// parallel over the starts when `parallel`.
pub fn partners<N, I>(
    n: usize,
    neighbors: N,
    degree: impl Fn(u32) -> usize + Sync,
    home: &[u32],
    candidates: Option<&[u32]>,
    depth: u32,
    parallel: bool,
) -> Vec<Reached>
where
    N: Fn(u32) -> I + Sync,
    I: Iterator<Item = u32>,
{
    let mut home: Vec<u32> = home.iter().copied().filter(|&h| (h as usize) < n).collect();
    home.sort_unstable();
    home.dedup();
    if home.is_empty() || depth == 0 {
        return Vec::new();
    }
    let home_rank = Ranked::of(n, &home);
    if let Some(c) = candidates.filter(|_| depth <= 2) {
        return partners_near(n, &neighbors, &home, &home_rank, c, depth, parallel);
    }
    let is_home = home_rank.bits;
    let from_candidates = candidates.is_some_and(|c| {
        two_hop_cost(c, &neighbors, &degree, parallel)
            <= two_hop_cost(&home, &neighbors, &degree, parallel)
    });
    match candidates {
        Some(c) if from_candidates => {
            let mut c: Vec<u32> = c
                .iter()
                .copied()
                .filter(|&x| (x as usize) < n && !is_home.get(x))
                .collect();
            c.sort_unstable();
            c.dedup();
            let one = |s: &mut Search, x: u32| {
                let (mut partners, mut distance) = (0u32, u32::MAX);
                s.run(x, depth, &neighbors, |v, hop| {
                    if is_home.get(v) {
                        partners += 1;
                        distance = distance.min(hop);
                    }
                });
                (partners > 0).then_some(Reached {
                    firm: x,
                    partners,
                    distance,
                })
            };
            if parallel {
                c.par_iter()
                    .map_init(|| Search::new(n), |s, &x| one(s, x))
                    .flatten()
                    .collect()
            } else {
                let mut s = Search::new(n);
                c.iter().filter_map(|&x| one(&mut s, x)).collect()
            }
        }
        _ => {
            // Counters only for the firms that can be reported: the candidates (sorted, found
            // by binary search once the bitset says a node is one), or every node.
            let slots: Option<Vec<u32>> = candidates.map(|c| {
                let mut c: Vec<u32> = c.iter().copied().filter(|&x| (x as usize) < n).collect();
                c.sort_unstable();
                c.dedup();
                c
            });
            let wanted = slots.as_ref().map(|c| Bits::of(n, c));
            let len = slots.as_ref().map_or(n, Vec::len);
            let counts: Vec<AtomicU32> = (0..len).map(|_| AtomicU32::new(0)).collect();
            let dist: Vec<AtomicU32> = (0..len).map(|_| AtomicU32::new(u32::MAX)).collect();
            let slot = |v: u32| match (&slots, &wanted) {
                (Some(c), Some(w)) if w.get(v) => c.binary_search(&v).ok(),
                (Some(_), _) => None,
                (None, _) => Some(v as usize),
            };
            let one = |s: &mut Search, r: u32| {
                s.run(r, depth, &neighbors, |v, hop| {
                    if is_home.get(v) {
                        return;
                    }
                    if let Some(k) = slot(v) {
                        counts[k].fetch_add(1, Ordering::Relaxed);
                        dist[k].fetch_min(hop, Ordering::Relaxed);
                    }
                });
            };
            if parallel {
                home.par_iter()
                    .for_each_init(|| Search::new(n), |s, &r| one(s, r));
            } else {
                let mut s = Search::new(n);
                home.iter().for_each(|&r| one(&mut s, r));
            }
            counts
                .iter()
                .zip(&dist)
                .enumerate()
                .filter_map(|(k, (c, d))| {
                    let c = c.load(Ordering::Relaxed);
                    (c > 0).then(|| Reached {
                        firm: slots.as_ref().map_or(k as u32, |s| s[k]),
                        partners: c,
                        distance: d.load(Ordering::Relaxed),
                    })
                })
                .collect()
        }
    }
}

/// Bits over node ids with a running count per word, so that a set node's rank (how many set
/// nodes come before it) is one read and one popcount: the position of a node in the sorted
/// list the bits were made from.
struct Ranked {
    bits: Bits,
    before: Vec<u32>,
}

impl Ranked {
    /// `sorted`: ascending, each once, all below `n`.
    fn of(n: usize, sorted: &[u32]) -> Ranked {
        Ranked::from(Bits::of(n, sorted))
    }

    fn from(bits: Bits) -> Ranked {
        let mut before = Vec::with_capacity(bits.0.len());
        let mut sum = 0u32;
        for w in &bits.0 {
            before.push(sum);
            sum += w.count_ones();
        }
        Ranked { bits, before }
    }

    /// How many nodes are set.
    fn len(&self) -> usize {
        match (self.before.last(), self.bits.0.last()) {
            (Some(&b), Some(w)) => b as usize + w.count_ones() as usize,
            _ => 0,
        }
    }

    /// The rank of `i` when it is set.
    #[inline]
    fn rank(&self, i: u32) -> Option<usize> {
        let k = i as usize / 64;
        let w = *self.bits.0.get(k)?;
        let b = i % 64;
        (w >> b & 1 == 1)
            .then(|| self.before[k] as usize + (w & ((1u64 << b) - 1)).count_ones() as usize)
    }
}

/// Fewest home firms a rayon task takes (a quarter of it for candidates, whose lists are
/// longer): below that a split costs more than the lists it hands over.
const MIN_SPLIT: usize = 1024;

/// [`partners`] for 1 or 2 hops with candidates, meeting in the middle instead of searching:
/// first every home firm's neighbours y are listed with it (`H(y)`, the home firms next to y,
/// grouped by y), then each candidate x counts the distinct home firms among its neighbours
/// (distance 1) and in `H(y)` of each neighbour y (distance 2), marking them in a stamp array
/// over the home firms (one per worker, never cleared: the stamp is the candidate's position).
/// It reads each home firm's and each candidate's adjacency once and never the neighbours of a
/// neighbour, so a supply hub next to a candidate costs its home neighbours, not its thousands
/// of customers. `home` is sorted and deduplicated, `home_rank` its bits.
fn partners_near<N, I>(
    n: usize,
    neighbors: &N,
    home: &[u32],
    home_rank: &Ranked,
    candidates: &[u32],
    depth: u32,
    parallel: bool,
) -> Vec<Reached>
where
    N: Fn(u32) -> I + Sync,
    I: Iterator<Item = u32>,
{
    let mut c: Vec<u32> = candidates
        .iter()
        .copied()
        .filter(|&x| (x as usize) < n && !home_rank.bits.get(x))
        .collect();
    c.sort_unstable();
    c.dedup();
    if c.is_empty() {
        return Vec::new();
    }
    // H(y) for every home firm's neighbour y: `mid` ranks the distinct y, and the home ranks
    // next to the j-th y are `homes[starts[j]..starts[j + 1]]` (ascending; a pair stated twice
    // is listed twice), grouped by a counting pass over (y, home rank) pairs, not a sort.
    let (mid, starts, homes) = if depth >= 2 {
        let pair = |(k, &h): (usize, &u32)| {
            neighbors(h)
                .filter(|&y| (y as usize) < n)
                .map(move |y| (y, k as u32))
        };
        let pairs: Vec<(u32, u32)> = if parallel {
            home.par_iter()
                .enumerate()
                .with_min_len(MIN_SPLIT)
                .flat_map_iter(pair)
                .collect()
        } else {
            home.iter().enumerate().flat_map(pair).collect()
        };
        let mut bits = Bits::new(n);
        pairs.iter().for_each(|&(y, _)| bits.set(y));
        let mid = Ranked::from(bits);
        let mut starts = vec![0u32; mid.len() + 1];
        for &(y, _) in &pairs {
            if let Some(j) = mid.rank(y) {
                starts[j + 1] += 1;
            }
        }
        for j in 0..mid.len() {
            starts[j + 1] += starts[j];
        }
        let mut fill = starts.clone();
        let mut homes = vec![0u32; pairs.len()];
        for &(y, k) in &pairs {
            if let Some(j) = mid.rank(y) {
                homes[fill[j] as usize] = k;
                fill[j] += 1;
            }
        }
        (Some(mid), starts, homes)
    } else {
        (None, Vec::new(), Vec::new())
    };
    let one = |stamp: &mut Vec<u32>, (i, &x): (usize, &u32)| {
        let s = i as u32 + 1;
        let (mut partners, mut near) = (0u32, false);
        let mut mark = |k: usize, partners: &mut u32| {
            if let Some(t) = stamp.get_mut(k).filter(|t| **t != s) {
                *t = s;
                *partners += 1;
            }
        };
        for y in neighbors(x) {
            if let Some(k) = home_rank.rank(y) {
                mark(k, &mut partners);
                near = true;
            }
            if let Some(j) = mid.as_ref().and_then(|m| m.rank(y)) {
                let (a, b) = (starts[j] as usize, starts[j + 1] as usize);
                for &k in &homes[a..b] {
                    mark(k as usize, &mut partners);
                }
            }
        }
        (partners > 0).then_some(Reached {
            firm: x,
            partners,
            distance: if near { 1 } else { 2 },
        })
    };
    if parallel {
        c.par_iter()
            .enumerate()
            .with_min_len(MIN_SPLIT / 4)
            .map_init(|| vec![0u32; home.len()], one)
            .flatten()
            .collect()
    } else {
        let mut stamp = vec![0u32; home.len()];
        c.iter()
            .enumerate()
            .filter_map(|p| one(&mut stamp, p))
            .collect()
    }
}

/// The adjacency entries two hops of searches from `starts` read: each start's neighbours'
/// degrees, summed (hubs make a side expensive, not its number of firms).
pub fn two_hop_cost<N, I>(
    starts: &[u32],
    neighbors: &N,
    degree: &(impl Fn(u32) -> usize + Sync),
    parallel: bool,
) -> usize
where
    N: Fn(u32) -> I + Sync,
    I: Iterator<Item = u32>,
{
    let one = |&s: &u32| neighbors(s).map(degree).sum::<usize>();
    if parallel {
        starts.par_iter().map(one).sum()
    } else {
        starts.iter().map(one).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{HashSet, VecDeque};

    /// The obvious way: a breadth-first search with a hash set from every home firm, then a
    /// count per reached firm.
    fn naive(
        n: usize,
        edges: &[(u32, u32)],
        home: &[u32],
        candidates: Option<&[u32]>,
        depth: u32,
    ) -> Vec<Reached> {
        let mut adj = vec![Vec::new(); n];
        for &(a, b) in edges {
            adj[a as usize].push(b);
            adj[b as usize].push(a);
        }
        let home: HashSet<u32> = home.iter().copied().collect();
        let mut out = Vec::new();
        for x in 0..n as u32 {
            if home.contains(&x) || candidates.is_some_and(|c| !c.contains(&x)) {
                continue;
            }
            let mut dist = vec![u32::MAX; n];
            dist[x as usize] = 0;
            let mut q = VecDeque::from([x]);
            while let Some(u) = q.pop_front() {
                if dist[u as usize] == depth {
                    continue;
                }
                for &v in &adj[u as usize] {
                    if dist[v as usize] == u32::MAX {
                        dist[v as usize] = dist[u as usize] + 1;
                        q.push_back(v);
                    }
                }
            }
            let near: Vec<u32> = home
                .iter()
                .map(|&h| dist[h as usize])
                .filter(|&d| d != u32::MAX && d > 0)
                .collect();
            if !near.is_empty() {
                out.push(Reached {
                    firm: x,
                    partners: near.len() as u32,
                    distance: *near.iter().min().unwrap_or(&0),
                });
            }
        }
        out
    }

    fn fast(
        n: usize,
        edges: &[(u32, u32)],
        home: &[u32],
        candidates: Option<&[u32]>,
        depth: u32,
        parallel: bool,
    ) -> Vec<Reached> {
        let mut adj = vec![Vec::new(); n];
        for &(a, b) in edges {
            adj[a as usize].push(b);
            adj[b as usize].push(a);
        }
        let mut got = partners(
            n,
            |i| adj[i as usize].iter().copied(),
            |i| adj[i as usize].len(),
            home,
            candidates,
            depth,
            parallel,
        );
        got.sort_by_key(|r| r.firm);
        got
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Both sides (few candidates: from them; many: from home) and both modes agree with a
        /// search from every firm, on graphs with repeated edges and both directions.
        #[test]
        fn partners_equal_the_obvious_count(
            n in 1usize..40,
            raw in prop::collection::vec((0u32..40, 0u32..40), 0..120),
            home in prop::collection::vec(0u32..40, 0..8),
            cands in prop::option::of(prop::collection::vec(0u32..40, 0..30)),
            depth in 1u32..4,
        ) {
            let edges: Vec<(u32, u32)> = raw
                .into_iter()
                .map(|(a, b)| (a % n as u32, b % n as u32))
                .filter(|(a, b)| a != b)
                .collect();
            let home: Vec<u32> = home.into_iter().map(|h| h % n as u32).collect();
            let cands: Option<Vec<u32>> = cands.map(|c| c.into_iter().map(|x| x % n as u32).collect());
            let want = naive(n, &edges, &home, cands.as_deref(), depth);
            for parallel in [false, true] {
                prop_assert_eq!(&fast(n, &edges, &home, cands.as_deref(), depth, parallel), &want);
            }
        }
    }

    #[test]
    fn a_rank_is_the_position_in_the_sorted_list() {
        let set = [0u32, 5, 63, 64, 65, 200, 255];
        let r = Ranked::of(256, &set);
        assert_eq!(r.len(), set.len());
        for i in 0..300u32 {
            assert_eq!(r.rank(i), set.iter().position(|&s| s == i), "node {i}");
        }
        assert_eq!(Ranked::of(0, &[]).len(), 0);
        assert_eq!(Ranked::of(0, &[]).rank(0), None);
    }

    #[test]
    fn a_hub_next_to_candidates_counts_each_home_firm_once() {
        // Hub 0 supplies home firms 1..=5 and candidates 6..=9; 6 also supplies home firm 1
        // directly (distance 1, and 1 is not counted twice); 10 is a candidate two hops from
        // nobody at home; edges repeated and in both directions.
        let mut edges: Vec<(u32, u32)> = (1..=9).map(|i| (0, i)).collect();
        edges.extend([(6, 1), (1, 6), (0, 3), (10, 11)]);
        let home = [1, 2, 3, 4, 5];
        let cands = [6, 7, 9, 10, 1];
        for parallel in [false, true] {
            let got = fast(12, &edges, &home, Some(&cands), 2, parallel);
            assert_eq!(got, naive(12, &edges, &home, Some(&cands), 2));
            assert_eq!(
                got.iter()
                    .map(|r| (r.firm, r.partners, r.distance))
                    .collect::<Vec<_>>(),
                vec![(6, 5, 1), (7, 5, 2), (9, 5, 2)]
            );
        }
    }

    #[test]
    fn a_path_through_a_home_firm_counts_and_home_firms_are_never_partners() {
        // 0 - 1 - 2 - 3, home {0, 1}: 2 is 1 hop from 1 and 2 from 0; 3 is 2 hops from 1 only.
        let edges = [(0, 1), (2, 1), (2, 3)];
        let want = vec![
            Reached {
                firm: 2,
                partners: 2,
                distance: 1,
            },
            Reached {
                firm: 3,
                partners: 1,
                distance: 2,
            },
        ];
        assert_eq!(fast(5, &edges, &[0, 1], None, 2, false), want);
        assert_eq!(fast(5, &edges, &[0, 1], Some(&[2, 3, 0]), 2, true), want);
        assert!(fast(5, &edges, &[], None, 2, true).is_empty());
    }
}
