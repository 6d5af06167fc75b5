//! The per-kind adjacency lists (`graph::Adjacency`, hand-written CSR that holds the edges) against petgraph's
//! `csr::Csr` holding the same SUPPLIES_TO edges, at the size of the peers' `large` supply
//! network: build time, bytes, and a two-hop walk from many firms. Run:
//! `cargo bench --bench adjacency` (sizes: CHAINKB_ADJ_NODES, CHAINKB_ADJ_EDGES; default
//! 2,000,000 and 10,000,000). Prints the best of three runs of each; see benches/README.md
//! ("Adjacency: per-kind CSR or petgraph's Csr").

use chainkb::graph::Adjacency;
use chainkb::model::{Edge, EdgeKind};
use petgraph::Direction;
use petgraph::csr::Csr;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Deterministic pseudo-random edges between `n` firms (xorshift), each pair once.
fn edges(n: usize, m: usize) -> Vec<Edge> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as u32
    };
    let mut pairs: Vec<(u32, u32)> = (0..m).map(|_| (next(), next())).collect();
    pairs.sort_unstable();
    pairs.dedup();
    // Back into a data order that is not sorted by source.
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_unstable_by_key(|&i| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    order
        .into_iter()
        .enumerate()
        .map(|(row, i)| Edge {
            kind: EdgeKind::SuppliesTo,
            from: pairs[i].0,
            to: pairs[i].1,
            row: row as u32,
        })
        .collect()
}

/// petgraph's CSR for one direction: edge weight = the edge's index. It keeps a row's targets
/// sorted and refuses a repeated pair, so it cannot keep data order or a pair stated twice.
fn csr(n: usize, edges: &[Edge], dir: Direction) -> Csr<(), u32, petgraph::Directed, u32> {
    let mut triples: Vec<(u32, u32, u32)> = edges
        .iter()
        .enumerate()
        .map(|(i, e)| match dir {
            Direction::Outgoing => (e.from, e.to, i as u32),
            Direction::Incoming => (e.to, e.from, i as u32),
        })
        .collect();
    // Sized to all `n` nodes: a trailing edge to node n-1 fixes the row count (weight unused).
    triples.push((n as u32 - 1, n as u32 - 1, u32::MAX));
    triples.sort_unstable();
    triples.dedup_by_key(|t| (t.0, t.1));
    Csr::from_sorted_edges(&triples).expect("sorted, no repeated pair")
}

fn csr_bytes(n: usize, m: usize) -> usize {
    // row: Vec<usize> (n + 1), column: Vec<u32> (m), edges: Vec<u32> (m).
    (n + 1) * std::mem::size_of::<usize>() + m * 4 + m * 4
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.expect("at least one run"))
}

/// Two hops out from `starts`: how many edge ends were read (the walk's work).
fn walk(starts: &[u32], next: impl Fn(u32) -> usize, each: impl Fn(u32, &mut Vec<u32>)) -> usize {
    let mut total = 0;
    let mut frontier = Vec::new();
    for &s in starts {
        frontier.clear();
        each(s, &mut frontier);
        total += frontier.len();
        for &f in &frontier {
            total += next(f);
        }
    }
    total
}

fn main() {
    let n = env("CHAINKB_ADJ_NODES", 2_000_000);
    let m = env("CHAINKB_ADJ_EDGES", 10_000_000);
    let edges = edges(n, m);
    println!(
        "{n} nodes, {} SUPPLIES_TO edges (distinct pairs)",
        edges.len()
    );

    let (t_adj, adj) = best(3, || Adjacency::build(n, &edges, EdgeKind::InSystem).0);
    println!(
        "build  per-kind CSR (both directions): {:>8.1} ms, {:>6.1} MB",
        t_adj.as_secs_f64() * 1e3,
        adj.heap_bytes() as f64 / 1e6
    );
    let (t_csr, (out, inc)) = best(3, || {
        (
            csr(n, &edges, Direction::Outgoing),
            csr(n, &edges, Direction::Incoming),
        )
    });
    println!(
        "build  petgraph Csr (both directions): {:>8.1} ms, {:>6.1} MB",
        t_csr.as_secs_f64() * 1e3,
        2.0 * csr_bytes(n, edges.len()) as f64 / 1e6
    );

    let starts: Vec<u32> = (0..20_000u32).map(|i| i * (n as u32 / 20_000)).collect();
    let k = EdgeKind::SuppliesTo;
    for (name, dir) in [("out", Direction::Outgoing), ("in", Direction::Incoming)] {
        let (t_a, r_a) = best(5, || {
            walk(
                &starts,
                |f| adj.get(f, k, dir).len(),
                |s, v| v.extend_from_slice(adj.get(s, k, dir)),
            )
        });
        let g = if dir == Direction::Outgoing {
            &out
        } else {
            &inc
        };
        let (t_c, r_c) = best(5, || {
            walk(
                &starts,
                |f| {
                    std::hint::black_box(g.edges_slice(f))
                        .len()
                        .min(g.neighbors_slice(f).len())
                },
                |s, v| v.extend_from_slice(g.neighbors_slice(s)),
            )
        });
        println!(
            "walk {name:>3}: 2 hops from {} firms: per-kind CSR {:>7.2} ms ({r_a} ends), petgraph Csr {:>7.2} ms ({r_c})",
            starts.len(),
            t_a.as_secs_f64() * 1e3,
            t_c.as_secs_f64() * 1e3,
        );
    }
}
