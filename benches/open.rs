//! Criterion bench: opening a database (sled → Dataset → graph + indexes) and importing one,
//! on synthetic data sets of 100k and 1M enterprises (`chainkb gen`). Data sets and databases
//! are cached under target/bench-data/ so only the first run pays for generating them.
//!
//! Sizes: CHAINKB_BENCH_SIZES=100000,1000000 (default). See benches/README.md.

use chainkb::store::Store;
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

/// Generate (once) the data folder and database for `n` enterprises.
pub fn prepare(n: usize) -> (PathBuf, PathBuf) {
    let data = bench_dir().join(format!("gen-{n}"));
    let db = bench_dir().join(format!("db-{n}"));
    if !data.join("seeds/enterprises.csv").exists() {
        chainkb::synth::generate(&data, n, 1).expect("generate synthetic data");
    }
    if !db.join("conf").exists() {
        let t = Instant::now();
        let loaded = chainkb::data::load(std::slice::from_ref(&data), Default::default())
            .expect("read data");
        assert!(
            loaded.is_ok(),
            "synthetic data has problems: {:?}",
            &loaded.diags[..1]
        );
        let (store, _) = Store::open(&db, true).expect("open db");
        store.import(&loaded.dataset, "bench").expect("import");
        eprintln!("prepared {n}: check+import {:?}", t.elapsed());
    }
    (data, db)
}

fn sizes() -> Vec<usize> {
    std::env::var("CHAINKB_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000])
}

fn open(c: &mut Criterion) {
    let mut group = c.benchmark_group("open");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for n in sizes() {
        let (_, db) = prepare(n);
        group.bench_function(format!("{n}"), |b| {
            b.iter(|| chainkb::open::open_graph(Some(&db), &mut |_| {}).expect("open"))
        });
    }
    group.finish();
}

fn import(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    // Import is measured at the smallest size only: at 1M one iteration takes many seconds;
    // the 1M figure comes from `cargo run --release --example scale`.
    let Some(&n) = sizes().iter().min() else {
        return;
    };
    let (data, _) = prepare(n);
    let loaded = chainkb::data::load(&[data], Default::default()).expect("read data");
    group.bench_function(format!("store-only/{n}"), |b| {
        b.iter(|| {
            let tmp = tempfile::tempdir().expect("tempdir");
            let (store, _) = Store::open(tmp.path(), true).expect("open");
            store.import(&loaded.dataset, "bench").expect("import");
        })
    });
    group.finish();
}

criterion_group!(benches, open, import);
criterion_main!(benches);
