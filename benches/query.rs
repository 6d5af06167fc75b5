//! Query benches on the synthetic data set (`chainkb::synth::generate` → import → open):
//! a one-place gap query, and a fill-gap scan of one chain over every park, serial vs rayon.
//!
//!     cargo bench --bench query
//!     CHAINKB_BENCH_ENTERPRISES=100000 cargo bench --bench query
//!
//! Figures and the machine they came from: benches/README.md (section "Gap queries").

use chainkb::graph::Graph;
use chainkb::query::{self, Ctx, parse, plan};
use chainkb::store::Store;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

fn enterprises() -> usize {
    std::env::var("CHAINKB_BENCH_ENTERPRISES")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000)
}

/// Generate, import into a temporary sled database, and open, as `chainkb` would.
fn open_synthetic() -> (tempfile::TempDir, Graph) {
    let n = enterprises();
    let dir = tempfile::tempdir().expect("temp dir");
    let t = Instant::now();
    chainkb::synth::generate(&dir.path().join("data"), n, 1).expect("generate");
    let loaded = chainkb::data::load(&[dir.path().join("data")], Default::default()).expect("read");
    assert!(loaded.is_ok(), "synthetic data has problems");
    let (store, _) = Store::open(&dir.path().join("db"), true).expect("open db");
    store.import(&loaded.dataset, "bench").expect("import");
    drop(loaded);
    let (g, _) = chainkb::open::load_graph(store).expect("load");
    eprintln!(
        "synthetic set: {n} enterprises, {} nodes, {} presence cells, ready in {:.1}s",
        g.ds.nodes.len(),
        g.presence_cells(),
        t.elapsed().as_secs_f64()
    );
    (dir, g)
}

fn benches(c: &mut Criterion) {
    let (_dir, g) = open_synthetic();
    let cancel = AtomicBool::new(false);
    let chain = chainkb::synth::chain_id(0);
    let park = chainkb::synth::park_id(0);

    // One place: the park with the most fill gaps in the chain (the skewed generator leaves
    // the busiest parks with none), so the bench makes real rows.
    let view = chainkb::report::gaps::ChainView::new(
        &g,
        g.names
            .lookup(&g.ds.nodes, &chain, &[chainkb::model::Kind::Chain])[0],
    );
    let parks = g.nodes_of(chainkb::model::Kind::Park).to_vec();
    let gaps_in = |p: u32| {
        let (states, present) = view.states(&g, p);
        chainkb::report::gaps::fill(&view, &states, &present).len()
    };
    let park = parks
        .iter()
        .copied()
        .max_by_key(|&p| (gaps_in(p), std::cmp::Reverse(p)))
        .map(|p| g.node(p).id.to_string())
        .unwrap_or(park);

    // The whole statement: parse + plan + execute, one place (a park with its 片区).
    // Synthetic 片区 ids contain `-`, so they are written quoted (as a user would).
    let park = chainkb::query::ast::Name::new(park).to_string();
    let one = format!("fill {chain} in {park}");
    let table = query::run(&g, &one, &cancel).expect("query runs");
    eprintln!("`{one}`: {} gap rows", table.rows.len());
    c.bench_function("gap/fill one place (parse+plan+exec)", |b| {
        b.iter(|| query::run(&g, black_box(&one), &cancel))
    });
    let status = format!("status {chain} in {park}");
    c.bench_function("gap/status one place (parse+plan+exec)", |b| {
        b.iter(|| query::run(&g, black_box(&status), &cancel))
    });
    let strengthen = format!("strengthen {chain} in {park}");
    c.bench_function("gap/strengthen one place (parse+plan+exec)", |b| {
        b.iter(|| query::run(&g, black_box(&strengthen), &cancel))
    });

    // A list over every enterprise cut to ten rows: every row is made and filtered, only ten
    // are returned (issue 14: node cells are named for the rows returned only).
    let ten = "enterprises | where revenue_yi >= 10 | limit 10";
    let mut list = c.benchmark_group("list");
    list.sample_size(10);
    list.bench_function("enterprises where revenue, limit 10", |b| {
        b.iter(|| query::run(&g, black_box(ten), &cancel))
    });
    list.finish();

    // Every park, one chain: execution only (the plan is made once), serial vs rayon.
    let all = parse::parse(&format!("fill {chain} in all parks")).expect("parses");
    let p = plan::plan(&g, &all).expect("plans");
    let rows = query::exec::execute(
        &g,
        &p,
        Ctx {
            cancel: &cancel,
            parallel: true,
            lang: Default::default(),
        },
    )
    .expect("runs")
    .rows
    .len();
    eprintln!(
        "`{all}`: {rows} gap rows over {} parks",
        g.count(chainkb::model::Kind::Park)
    );
    let mut group = c.benchmark_group("gap/fill all parks");
    group.bench_function("serial", |b| {
        b.iter(|| {
            query::exec::execute(
                &g,
                black_box(&p),
                Ctx {
                    cancel: &cancel,
                    parallel: false,
                    lang: Default::default(),
                },
            )
        })
    });
    group.bench_function("rayon", |b| {
        b.iter(|| {
            query::exec::execute(
                &g,
                black_box(&p),
                Ctx {
                    cancel: &cancel,
                    parallel: true,
                    lang: Default::default(),
                },
            )
        })
    });
    // The analysis alone (states from the presence index + fill gaps), without making rows.
    group.bench_function("analysis only, serial", |b| {
        b.iter(|| parks.iter().map(|&p| gaps_in(p)).sum::<usize>())
    });
    group.bench_function("analysis only, rayon", |b| {
        use rayon::prelude::*;
        b.iter(|| parks.par_iter().map(|&p| gaps_in(p)).sum::<usize>())
    });
    group.finish();
}

criterion_group! {
    name = query_benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(query_benches);
