//! Scale run for benches/README.md: generate N synthetic enterprises, check + import them, then
//! open the database in a fresh process and report time, resident memory and sizes.
//!
//!     cargo run --release --example scale -- 1000000
//!
//! The `open` step re-executes this binary so that its memory figures are its own.

use chainkb::graph::Graph;
use chainkb::store::Store;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn dir_size(p: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(p) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                dir_size(&path)
            } else {
                e.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--open") {
        let db = PathBuf::from(&args[2]);
        let t = Instant::now();
        let (store, _) = Store::open(&db, false).expect("open");
        let (ds, _) = store.load().expect("load");
        let t_load = t.elapsed();
        let rss_load = status_kib("VmRSS:") / 1024;
        drop(store);
        let g = Graph::build(ds);
        let t_all = t.elapsed();
        println!(
            "open: sled→dataset {:.3}s ({} MiB resident), + graph and indexes {:.3}s total; resident {} MiB (peak {} MiB); {} nodes, {} edges, {} presence cells",
            t_load.as_secs_f64(),
            rss_load,
            t_all.as_secs_f64(),
            status_kib("VmRSS:") / 1024,
            status_kib("VmHWM:") / 1024,
            g.ds.nodes.len(),
            g.ds.edges.len(),
            g.presence_cells()
        );
        return;
    }
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let data = base.join(format!("scale-gen-{n}"));
    let db = base.join(format!("scale-db-{n}"));
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&db);
    let t = Instant::now();
    chainkb::synth::generate(&data, n, 1).expect("generate");
    println!("gen: {n} enterprises in {:.3}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let loaded =
        chainkb::data::load(std::slice::from_ref(&data), Default::default()).expect("read");
    assert!(loaded.is_ok(), "{:?}", &loaded.diags[..1]);
    let t_check = t.elapsed();
    let (store, _) = Store::open(&db, true).expect("open");
    store.import(&loaded.dataset, "scale").expect("import");
    drop(store);
    println!(
        "import: read+check {:.3}s, store {:.3}s total",
        t_check.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
    let csv = dir_size(&data);
    let disk = dir_size(&db);
    println!(
        "size: data folder {} MiB, database {} MiB ({:.2}× the CSV/TOML)",
        csv >> 20,
        disk >> 20,
        disk as f64 / csv as f64
    );
    let me = std::env::current_exe().expect("current exe");
    let status = std::process::Command::new(me)
        .args(["--open", &db.display().to_string()])
        .status()
        .expect("run open step");
    assert!(status.success());
}
