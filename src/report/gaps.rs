//! Gap analysis of one chain in one place (the brief's semantics), at the cost of the chain:
//! a `ChainView` precomputes the chain's reachability as bitsets once per query, and each place
//! then costs one presence-index lookup per segment plus a few word operations per segment.

use crate::graph::{Graph, SegmentBits, SegmentState};
use crate::model::{EdgeKind, Stage};
use petgraph::Direction;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// The three gap analyses of a chain in a place: what the query language's `fill` / `extend` /
/// `strengthen` (补链/延链/强链) list, and why a target list recruits for a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GapKind {
    /// 补链: missing segments that local segments need (断链 first).
    Fill,
    /// 延链: missing segments next to the ends of the local chain.
    Extend,
    /// 强链: present segments held weakly.
    Strengthen,
}

impl GapKind {
    pub const ALL: [GapKind; 3] = [GapKind::Fill, GapKind::Extend, GapKind::Strengthen];

    pub fn keyword(self) -> &'static str {
        match self {
            GapKind::Fill => "fill",
            GapKind::Extend => "extend",
            GapKind::Strengthen => "strengthen",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            GapKind::Fill => "补链",
            GapKind::Extend => "延链",
            GapKind::Strengthen => "强链",
        }
    }
}

/// A set of chain positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bits(Vec<u64>);

impl Bits {
    pub fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    pub fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    pub fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    /// Size of the intersection.
    pub fn and_count(&self, other: &Bits) -> usize {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }
    pub fn iter_and<'a>(&'a self, other: &'a Bits) -> impl Iterator<Item = usize> + 'a {
        self.0
            .iter()
            .zip(&other.0)
            .enumerate()
            .flat_map(|(w, (a, b))| {
                let mut x = a & b;
                std::iter::from_fn(move || {
                    if x == 0 {
                        return None;
                    }
                    let t = x.trailing_zeros() as usize;
                    x &= x - 1;
                    Some(w * 64 + t)
                })
            })
    }
}

/// A chain's segments and SUPPLIES edges, as positions 0..n in data order.
pub struct ChainView<'g> {
    pub chain: u32,
    pub segs: Vec<u32>,
    /// Direct inputs (`pred`) and users (`succ`) inside the chain.
    pub pred: Vec<Vec<usize>>,
    pub succ: Vec<Vec<usize>>,
    /// Transitive users (`down`) and inputs (`up`), not including the segment itself.
    pub down: Vec<Bits>,
    pub up: Vec<Bits>,
    /// Positions in the chain's reading order (`reading_order`): a topological order, inputs
    /// before their users.
    topo: Vec<usize>,
    /// Each position's place bitsets, from the graph.
    bits: Vec<SegmentBits<'g>>,
}

impl<'g> ChainView<'g> {
    pub fn new(g: &'g Graph, chain: u32) -> ChainView<'g> {
        let segs = g.chain_segments(chain).to_vec();
        let n = segs.len();
        let (pred, succ) = supplies_between(g, &segs);
        let reach = |adj: &Vec<Vec<usize>>| -> Vec<Bits> {
            (0..n)
                .map(|i| {
                    let mut b = Bits::new(n);
                    let mut stack = adj[i].clone();
                    while let Some(j) = stack.pop() {
                        if !b.get(j) {
                            b.set(j);
                            stack.extend(&adj[j]);
                        }
                    }
                    b
                })
                .collect()
        };
        let down = reach(&succ);
        let up = reach(&pred);
        let stages: Vec<Stage> = segs.iter().map(|&s| segment_stage(g, s)).collect();
        let topo = reading_order(&stages, &pred, &succ);
        let bits = segs.iter().map(|&s| g.state_bits().segment(s)).collect();
        ChainView {
            chain,
            bits,
            segs,
            pred,
            succ,
            down,
            up,
            topo,
        }
    }

    pub fn len(&self) -> usize {
        self.segs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    /// Positions in the chain's reading order, from resources to applications (see
    /// `reading_order`); computed once when the view is made.
    pub fn order(&self) -> &[usize] {
        &self.topo
    }

    /// The state of every segment in `place`, and the set of present ones.
    /// Reads the graph's per-segment place bitsets: a few word operations per segment, no
    /// hash lookup per (place, segment).
    pub fn states(&self, g: &Graph, place: u32) -> (Vec<SegmentState>, Bits) {
        let mut present = Bits::new(self.len());
        let pos = g.state_bits().place_pos(place);
        let states = self
            .segs
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let st = match pos {
                    Some(pos) => self.bits[i].state(pos),
                    None => g.state(place, s),
                };
                if st == SegmentState::Present {
                    present.set(i);
                }
                st
            })
            .collect();
        (states, present)
    }

    /// For every position, the hops down to the nearest position in `goal` (`u8::MAX`: none
    /// below), by one pass over the chain in reverse topological order.
    pub fn hops_down_to(&self, goal: &Bits) -> Vec<u8> {
        let mut near = vec![u8::MAX; self.len()];
        for &x in self.topo.iter().rev() {
            near[x] = self.succ[x]
                .iter()
                .map(|&y| {
                    if goal.get(y) {
                        1
                    } else {
                        near[y].saturating_add(1)
                    }
                })
                .min()
                .unwrap_or(u8::MAX);
        }
        near
    }

    /// A shortest path (positions) from `from` down to a position in `goal`, following
    /// `near` (from `hops_down_to`).
    pub fn path_down(&self, from: usize, goal: &Bits, near: &[u8]) -> Vec<usize> {
        let mut path = vec![from];
        let mut x = from;
        while near[x] != u8::MAX {
            let Some(&next) = self.succ[x]
                .iter()
                .min_by_key(|&&y| if goal.get(y) { 0 } else { near[y] })
            else {
                break;
            };
            path.push(next);
            if goal.get(next) {
                break;
            }
            x = next;
        }
        path
    }
}

/// The SUPPLIES edges between `segs`, as each position's direct inputs (`pred`) and users
/// (`succ`).
fn supplies_between(g: &Graph, segs: &[u32]) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let pos: HashMap<u32, usize> = segs.iter().enumerate().map(|(i, &s)| (s, i)).collect();
    let mut pred = vec![Vec::new(); segs.len()];
    let mut succ = vec![Vec::new(); segs.len()];
    for (i, &s) in segs.iter().enumerate() {
        for (t, _) in g.neighbors(s, EdgeKind::Supplies, Direction::Outgoing) {
            if let Some(&j) = pos.get(&t) {
                succ[i].push(j);
                pred[j].push(i);
            }
        }
    }
    (pred, succ)
}

/// A segment's stage (中游 for a node that is no segment, which checked data never has).
fn segment_stage(g: &Graph, s: u32) -> Stage {
    g.segment_stage(s).unwrap_or(Stage::Midstream)
}

/// The order in which a chain's segments are listed when nothing ranks them (`status`,
/// `compare`, `segments of`): from resources to applications. Positions `0..n` are the chain's
/// template order; `pred`/`succ` its SUPPLIES edges between positions.
///
/// A segment comes after every segment of the chain that supplies it (a topological order);
/// among the segments whose inputs are all listed, the earlier stage (上游, 中游, 下游) comes
/// first, then the earlier template position. Deterministic, O(n log n + edges). Chains are
/// checked to be DAGs on import; should one not be, the positions left on a cycle follow, by
/// stage and template position.
pub fn reading_order(stages: &[Stage], pred: &[Vec<usize>], succ: &[Vec<usize>]) -> Vec<usize> {
    let n = stages.len();
    let mut indegree: Vec<usize> = pred.iter().map(Vec::len).collect();
    let mut ready: BinaryHeap<Reverse<(Stage, usize)>> = (0..n)
        .filter(|&i| indegree[i] == 0)
        .map(|i| Reverse((stages[i], i)))
        .collect();
    let mut out = Vec::with_capacity(n);
    while let Some(Reverse((_, x))) = ready.pop() {
        out.push(x);
        for &y in &succ[x] {
            indegree[y] -= 1;
            if indegree[y] == 0 {
                ready.push(Reverse((stages[y], y)));
            }
        }
    }
    if out.len() < n {
        let mut placed = vec![false; n];
        for &i in &out {
            placed[i] = true;
        }
        let mut rest: Vec<usize> = (0..n).filter(|&i| !placed[i]).collect();
        rest.sort_by_key(|&i| (stages[i], i));
        out.extend(rest);
    }
    out
}

/// A chain's segments in its reading order (`reading_order`), for lists that need no
/// `ChainView`.
pub fn chain_order(g: &Graph, chain: u32) -> Vec<u32> {
    let segs = g.chain_segments(chain);
    let (pred, succ) = supplies_between(g, segs);
    let stages: Vec<Stage> = segs.iter().map(|&s| segment_stage(g, s)).collect();
    reading_order(&stages, &pred, &succ)
        .into_iter()
        .map(|i| segs[i])
        .collect()
}

/// 补链: a missing segment upstream of something the place makes.
#[derive(Clone, Debug, PartialEq)]
pub struct FillGap {
    pub pos: usize,
    /// 断链: present segments both above and below it.
    pub broken: bool,
    /// Present segments downstream (they need it), in chain order.
    pub needed_by: Vec<usize>,
    /// Present segments upstream.
    pub supplied_from: Vec<usize>,
    /// Shortest path from the gap down to the nearest present segment.
    pub path: Vec<usize>,
    /// Local segments (present or planned) it would feed or be fed by, in chain order: how
    /// much of the local chain filling it serves (its users, and local producers it would give
    /// a local user).
    pub linked: Vec<usize>,
    /// `linked` weighed: a present segment 1, a planned one `PLANNED_WEIGHT`.
    pub reach: f64,
}

/// The local part of a set of chain positions: (present or planned positions in chain order,
/// their weight — 1 for present, `PLANNED_WEIGHT` for planned).
fn local_part(
    states: &[SegmentState],
    positions: impl Iterator<Item = usize>,
) -> (Vec<usize>, f64) {
    let mut out = Vec::new();
    let mut weight = 0.0;
    for j in positions {
        match states[j] {
            SegmentState::Present => weight += 1.0,
            SegmentState::Planned => weight += PLANNED_WEIGHT,
            SegmentState::Missing | SegmentState::Unknown => continue,
        }
        out.push(j);
    }
    (out, weight)
}

/// The positions in `up` or `down` of `i`, in chain order.
fn linked_positions<'a>(v: &'a ChainView<'_>, i: usize) -> impl Iterator<Item = usize> + 'a {
    (0..v.len()).filter(move |&j| v.up[i].get(j) || v.down[i].get(j))
}

pub fn fill(v: &ChainView, states: &[SegmentState], present: &Bits) -> Vec<FillGap> {
    let near = v.hops_down_to(present);
    let mut out: Vec<FillGap> = (0..v.len())
        .filter(|&i| states[i] == SegmentState::Missing && v.down[i].and_count(present) > 0)
        .map(|i| {
            let supplied_from: Vec<usize> = v.up[i].iter_and(present).collect();
            let (linked, reach) = local_part(states, linked_positions(v, i));
            FillGap {
                pos: i,
                broken: !supplied_from.is_empty(),
                needed_by: v.down[i].iter_and(present).collect(),
                supplied_from,
                path: v.path_down(i, present, &near),
                linked,
                reach,
            }
        })
        .collect();
    // 断链 first, then the gaps more present segments depend on, then the most direct needs
    // (a missing input of a local segment before an input of that input), then the gaps that
    // serve more of the local chain (`reach`: local segments up- and downstream, planned at
    // half weight), then chain order.
    out.sort_by(|a, b| {
        b.broken
            .cmp(&a.broken)
            .then(b.needed_by.len().cmp(&a.needed_by.len()))
            .then(a.path.len().cmp(&b.path.len()))
            .then(b.reach.total_cmp(&a.reach))
            .then(a.pos.cmp(&b.pos))
    });
    out
}

/// Competition ranks (1, 1, 1, 4, …) of rows already in their sorted order: a row tied with the
/// row before it on every sort key shares that row's rank, and the next row's rank counts the
/// rows above it. The tie-break that orders tied rows (chain order) is no priority, so it must
/// not show as one.
pub fn competition_ranks<T>(sorted: &[T], tied: impl Fn(&T, &T) -> bool) -> Vec<usize> {
    let mut ranks: Vec<usize> = Vec::with_capacity(sorted.len());
    for (i, x) in sorted.iter().enumerate() {
        let rank = match i.checked_sub(1) {
            Some(p) if tied(&sorted[p], x) => ranks[p],
            _ => i + 1,
        };
        ranks.push(rank);
    }
    ranks
}

/// Ranks of `fill`'s rows: tied when 断链 or not, dependents and path length all agree.
pub fn fill_ranks(gaps: &[FillGap]) -> Vec<usize> {
    competition_ranks(gaps, |a, b| {
        a.broken == b.broken
            && a.needed_by.len() == b.needed_by.len()
            && a.reach == b.reach
            && a.path.len() == b.path.len()
    })
}

/// 延链: a missing segment, not a fill gap, next to the local chain.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtendGap {
    pub pos: usize,
    /// "downstream" when a present/planned input feeds it, else "upstream".
    pub downstream: bool,
    /// Relatedness density: (present neighbours + ½ planned neighbours) / neighbours.
    pub density: f64,
    pub present_neighbours: Vec<usize>,
    /// Neighbours only planned (each counts `PLANNED_WEIGHT` in the density).
    pub planned_neighbours: Vec<usize>,
    pub neighbours: usize,
}

/// Weight of a planned neighbour in the relatedness density (a present one weighs 1): a project
/// that has not landed is half a neighbour.
pub const PLANNED_WEIGHT: f64 = 0.5;

pub fn extend(v: &ChainView, states: &[SegmentState], present: &Bits) -> Vec<ExtendGap> {
    let mut out = Vec::new();
    for i in 0..v.len() {
        if states[i] != SegmentState::Missing || v.down[i].and_count(present) > 0 {
            continue;
        }
        let mut neighbours: Vec<usize> = v.pred[i].iter().chain(&v.succ[i]).copied().collect();
        neighbours.sort_unstable();
        neighbours.dedup();
        let weight = |j: &usize| match states[*j] {
            SegmentState::Present => 1.0,
            SegmentState::Planned => PLANNED_WEIGHT,
            SegmentState::Missing | SegmentState::Unknown => 0.0,
        };
        let score: f64 = neighbours.iter().map(weight).sum();
        if score == 0.0 {
            continue;
        }
        let downstream = v.pred[i]
            .iter()
            .any(|j| matches!(states[*j], SegmentState::Present | SegmentState::Planned));
        let density = (score / neighbours.len() as f64 * 1000.0).round() / 1000.0;
        out.push(ExtendGap {
            pos: i,
            downstream,
            density,
            present_neighbours: neighbours
                .iter()
                .copied()
                .filter(|&j| states[j] == SegmentState::Present)
                .collect(),
            planned_neighbours: neighbours
                .iter()
                .copied()
                .filter(|&j| states[j] == SegmentState::Planned)
                .collect(),
            neighbours: neighbours.len(),
        });
    }
    out.sort_by(|a, b| {
        b.density
            .total_cmp(&a.density)
            .then(b.present_neighbours.len().cmp(&a.present_neighbours.len()))
            .then(a.pos.cmp(&b.pos))
    });
    out
}

/// Ranks of `extend`'s rows: tied when density and present neighbours agree.
pub fn extend_ranks(gaps: &[ExtendGap]) -> Vec<usize> {
    competition_ranks(gaps, |a, b| {
        a.density == b.density && a.present_neighbours.len() == b.present_neighbours.len()
    })
}

/// 强链: a segment the place has, but weakly.
#[derive(Clone, Debug, PartialEq)]
pub struct WeakLink {
    pub pos: usize,
    pub state: SegmentState,
    pub weakness: Vec<&'static str>,
    pub producers: Vec<u32>,
    pub leading: usize,
    pub projects: Vec<u32>,
    /// Present segments downstream that depend on it.
    pub dependents: Vec<usize>,
    /// Local segments (present or planned) it feeds or is fed by, in chain order: its place in
    /// the local chain, in both directions.
    pub linked: Vec<usize>,
    /// `linked` weighed (a present segment 1, a planned one `PLANNED_WEIGHT`), times
    /// `PLANNED_WEIGHT` again when the segment itself is only planned.
    pub reach: f64,
}

pub const SINGLE_PRODUCER: &str = "single producer";
pub const NO_LEADING_FIRM: &str = "no leading firm";
pub const PLANNED_ONLY: &str = "planned only";

/// Why a segment in a given state, made by `producers`, is held weakly (empty: it is not), and
/// how many of the producers are leading firms.
pub fn weakness(g: &Graph, state: SegmentState, producers: &[u32]) -> (Vec<&'static str>, usize) {
    let mut out = Vec::new();
    let leading = producers.iter().filter(|&&e| g.is_leading(e)).count();
    match state {
        SegmentState::Present => {
            if producers.len() == 1 {
                out.push(SINGLE_PRODUCER);
            }
            if leading == 0 {
                out.push(NO_LEADING_FIRM);
            }
        }
        SegmentState::Planned => out.push(PLANNED_ONLY),
        SegmentState::Missing | SegmentState::Unknown => {}
    }
    (out, leading)
}

pub fn strengthen(
    g: &Graph,
    v: &ChainView,
    place: u32,
    states: &[SegmentState],
    present: &Bits,
) -> Vec<WeakLink> {
    let mut out = Vec::new();
    for (i, &s) in v.segs.iter().enumerate() {
        let (producers, projects) = match g.presence(place, s) {
            Some(p) => (p.producers.to_vec(), p.projects.to_vec()),
            None => continue,
        };
        let (weakness, leading) = weakness(g, states[i], &producers);
        if weakness.is_empty() {
            continue;
        }
        let (linked, reach) = local_part(states, linked_positions(v, i));
        // A segment that is itself only planned holds its place in the chain at half weight.
        let reach = if states[i] == SegmentState::Planned {
            reach * PLANNED_WEIGHT
        } else {
            reach
        };
        out.push(WeakLink {
            pos: i,
            state: states[i],
            weakness,
            producers,
            leading,
            projects,
            dependents: v.down[i].iter_and(present).collect(),
            linked,
            reach,
        });
    }
    // A segment matters by its place in the local chain, both ways: the local segments it
    // feeds and those that feed it (present 1, planned half), so the product the local inputs
    // converge on comes before an input; then present before planned; then more present
    // dependents; then chain order.
    out.sort_by(|a, b| {
        b.reach
            .total_cmp(&a.reach)
            .then(a.state.cmp(&b.state))
            .then(b.dependents.len().cmp(&a.dependents.len()))
            .then(a.pos.cmp(&b.pos))
    });
    out
}

/// Ranks of `strengthen`'s rows: tied when reach, state and dependents agree.
pub fn strengthen_ranks(links: &[WeakLink]) -> Vec<usize> {
    competition_ranks(links, |a, b| {
        a.reach == b.reach && a.state == b.state && a.dependents.len() == b.dependents.len()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tied_rows_share_a_rank_and_the_next_counts_the_rows_above() {
        let keys = [3, 3, 3, 2, 1, 1, 0];
        assert_eq!(
            competition_ranks(&keys, |a, b| a == b),
            vec![1, 1, 1, 4, 5, 5, 7]
        );
        assert_eq!(
            competition_ranks(&[] as &[i32], |a, b| a == b),
            Vec::<usize>::new()
        );
        assert_eq!(competition_ranks(&[1, 2], |a, b| a == b), vec![1, 2]);
    }

    fn adjacency(n: usize, edges: &[(usize, usize)]) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
        let mut pred = vec![Vec::new(); n];
        let mut succ = vec![Vec::new(); n];
        for &(a, b) in edges {
            succ[a].push(b);
            pred[b].push(a);
        }
        (pred, succ)
    }

    #[test]
    fn reading_order_is_topological_then_by_stage_then_by_template() {
        use Stage::{Downstream as D, Midstream as M, Upstream as U};
        // Template: 0 下游 app, 1 中游 shared part, 2 中游 cell, 3 上游 ore, 4 上游 salt,
        // 5 上游 equipment; ore → salt → cell → app, part → cell, equipment → cell.
        let stages = [D, M, M, U, U, U];
        let (pred, succ) = adjacency(6, &[(3, 4), (4, 2), (2, 0), (1, 2), (5, 2)]);
        // The 上游 segments first (the salt as soon as the ore is listed, before the equipment
        // that comes later in the template), then the 中游 part, the cell, the application.
        assert_eq!(reading_order(&stages, &pred, &succ), vec![3, 4, 5, 1, 2, 0]);
        // Equal stages: template order among the ready ones.
        let (pred, succ) = adjacency(3, &[]);
        assert_eq!(reading_order(&[M, M, M], &pred, &succ), vec![0, 1, 2]);
        // A topological constraint beats the stage: a 下游 input before its 上游 user.
        let (pred, succ) = adjacency(2, &[(0, 1)]);
        assert_eq!(reading_order(&[D, U], &pred, &succ), vec![0, 1]);
        // A cycle (never imported) still lists every position once: the rest by stage.
        let (pred, succ) = adjacency(4, &[(1, 2), (2, 1), (3, 1)]);
        assert_eq!(reading_order(&[M, D, U, U], &pred, &succ), vec![3, 0, 2, 1]);
    }

    #[test]
    fn bits_intersect() {
        let mut a = Bits::new(130);
        let mut b = Bits::new(130);
        for i in [1, 64, 129] {
            a.set(i);
        }
        for i in [64, 100, 129] {
            b.set(i);
        }
        assert_eq!(a.and_count(&b), 2);
        assert_eq!(a.iter_and(&b).collect::<Vec<_>>(), vec![64, 129]);
    }

    #[test]
    fn paths_down_are_shortest() {
        // 0 → 1 → 2 → 3, and 0 → 3 directly; 4 → 2.
        let succ = vec![vec![1, 3], vec![2], vec![3], vec![], vec![2]];
        let mut pred = vec![Vec::new(); 5];
        for (a, ys) in succ.iter().enumerate() {
            for &y in ys {
                pred[y].push(a);
            }
        }
        let v = ChainView {
            chain: 0,
            segs: (0..5).collect(),
            pred,
            succ,
            down: Vec::new(),
            up: Vec::new(),
            topo: vec![0, 4, 1, 2, 3],
            bits: Vec::new(),
        };
        let mut goal = Bits::new(5);
        goal.set(3);
        let near = v.hops_down_to(&goal);
        assert_eq!(near, vec![1, 2, 1, u8::MAX, 2]);
        assert_eq!(v.path_down(0, &goal, &near), vec![0, 3]);
        assert_eq!(v.path_down(4, &goal, &near), vec![4, 2, 3]);
        assert_eq!(v.path_down(3, &goal, &near), vec![3]);
    }
}
