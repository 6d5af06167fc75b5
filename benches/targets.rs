//! Criterion bench: the top 50 target companies for one place's fill gaps of one chain, over
//! the synthetic data set of 1M enterprises (`chainkb gen`), serial vs parallel scoring.
//! The data set and database are shared with benches/open.rs (target/bench-data/).
//!
//! Size: CHAINKB_BENCH_ENTERPRISES (default 1000000). See benches/README.md.

use chainkb::graph::Graph;
use chainkb::model::Kind;
use chainkb::report::gaps::{self, ChainView};
use chainkb::store::Store;
use chainkb::targets::config::{Weights, parse_rules};
use chainkb::targets::{Gap, TargetOptions, targets};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::PathBuf;

fn open(n: usize) -> Graph {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let data = base.join(format!("gen-{n}"));
    let db = base.join(format!("db-{n}"));
    if !data.join("seeds/enterprises.csv").exists() {
        chainkb::synth::generate(&data, n, 1).expect("generate");
    }
    if !db.join("conf").exists() {
        let loaded =
            chainkb::data::load(std::slice::from_ref(&data), Default::default()).expect("read");
        let (store, _) = Store::open(&db, true).expect("open");
        store.import(&loaded.dataset, "bench").expect("import");
    }
    chainkb::open::open_graph(Some(&db), &mut |_| {}).expect("open")
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("CHAINKB_BENCH_ENTERPRISES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let g = open(n);
    let chain = g.nodes_of(Kind::Chain)[0];
    let v = ChainView::new(&g, chain);
    // The park with the most fill gaps in this chain: the heaviest realistic list.
    let (place, fill) = g
        .nodes_of(Kind::Park)
        .iter()
        .map(|&p| {
            let (states, present) = v.states(&g, p);
            (p, gaps::fill(&v, &states, &present))
        })
        .max_by_key(|(_, f)| f.len())
        .expect("parks");
    let gap_list: Vec<Gap> = fill
        .iter()
        .map(|f| Gap::fill(v.segs[f.pos], f.broken))
        .collect();
    let weights = Weights::defaults();
    let rules = parse_rules(None).expect("rules");
    let candidates: usize = gap_list
        .iter()
        .map(|gp| {
            g.neighbors(
                gp.segment,
                chainkb::model::EdgeKind::Produces,
                petgraph::Direction::Incoming,
            )
            .len()
        })
        .sum();
    eprintln!(
        "place {} chain {}: {} fill gaps, {} candidate rows among {} enterprises",
        g.node(place).name(),
        g.node(chain).name(),
        gap_list.len(),
        candidates,
        g.count(Kind::Enterprise)
    );
    let mut group = c.benchmark_group(format!("targets-top50/{n}"));
    group.sample_size(20);
    for serial in [true, false] {
        let opts = TargetOptions {
            limit: 50,
            investment: None,
            serial,
        };
        group.bench_function(if serial { "serial" } else { "rayon" }, |b| {
            b.iter(|| {
                targets(&g, chain, place, &gap_list, &weights, &rules, &opts).expect("targets")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
