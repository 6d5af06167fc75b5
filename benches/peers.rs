//! Criterion benches for the peer workload's queries (../shared/peers, QUERIES.md) on its data,
//! written as the adapter writes them (benches/peers/chainkb_adapter.py).
//!
//!     CHAINKB_PEERS_DATA=/path/to/peers/data/medium cargo bench --bench peers
//!
//! `CHAINKB_PEERS_DATA` is a folder `gen.py` wrote (CSV files and params.json). Without it, or
//! when the folder is absent (CI has no peers data), the bench says so and measures nothing.
//! The chainkb data folder is converted once by the adapter (`python3
//! benches/peers/chainkb_adapter.py --convert-only`), or taken from `CHAINKB_PEERS_FOLDER` (an
//! already converted folder, e.g. the adapter's `--cache` output); the database is imported
//! once; both are cached under target/bench-data/ (`peers-<scale>-sup`: with the supply network,
//! which Q4 needs). Figures: benches/README.md.

use chainkb::graph::Graph;
use chainkb::query::{self, Ctx, Value, parse, plan};
use chainkb::store::Store;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// The benchmark parameters of params.json (R, T, C, depth; Q4's R and C).
struct Params {
    r: u64,
    t: u64,
    c: u64,
    depth: u64,
    q4: (u64, u64),
}

fn params(data: &Path) -> Result<Params, String> {
    let path = data.join("params.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let num = |k: &str| {
        v[k].as_u64()
            .ok_or_else(|| format!("{}: no number `{k}`", path.display()))
    };
    Ok(Params {
        r: num("R")?,
        t: num("T")?,
        c: num("C")?,
        depth: num("depth")?,
        q4: (
            v["q4"]["R"]
                .as_u64()
                .ok_or_else(|| format!("{}: no number `q4.R`", path.display()))?,
            v["q4"]["C"]
                .as_u64()
                .ok_or_else(|| format!("{}: no number `q4.C`", path.display()))?,
        ),
    })
}

/// The chainkb data folder for `data`: `CHAINKB_PEERS_FOLDER`, or converted once by the adapter.
fn folder(data: &Path, scale: &str) -> Result<PathBuf, String> {
    if let Some(f) = std::env::var_os("CHAINKB_PEERS_FOLDER") {
        return Ok(PathBuf::from(f));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = root.join(format!("target/bench-data/peers-{scale}-sup"));
    if !out.join("seeds/enterprises.csv").exists() {
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(out.parent().unwrap_or(&root)).map_err(|e| e.to_string())?;
        // The adapter converts supplies.csv too when this file exists beside the folder.
        std::fs::write(out.with_extension("want-supplies"), b"").map_err(|e| e.to_string())?;
        let status = std::process::Command::new("python3")
            .arg(root.join("benches/peers/chainkb_adapter.py"))
            .arg("--convert-only")
            .arg(data)
            .arg(&out)
            .status()
            .map_err(|e| format!("python3: {e}"))?;
        if !status.success() {
            return Err(format!("the adapter's conversion failed ({status})"));
        }
    }
    Ok(out)
}

/// Import (once) and open the converted folder, as `chainkb` does.
fn open(folder: &Path, scale: &str) -> Result<Graph, String> {
    let db = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench-data/peers-{scale}-sup-db"));
    // A database holds CURRENT (the generation in use) once an import has finished.
    if !db.join("CURRENT").exists() {
        let loaded = chainkb::data::load(&[folder.to_path_buf()], Default::default())
            .map_err(|e| e.to_string())?;
        if !loaded.is_ok() {
            return Err(format!("{} has problems", folder.display()));
        }
        let (store, _) = Store::open(&db, true).map_err(|e| e.to_string())?;
        store
            .import(&loaded.dataset, "bench")
            .map_err(|e| e.to_string())?;
    }
    let t = Instant::now();
    let (store, _) = Store::open(&db, false).map_err(|e| e.to_string())?;
    let (ds, _) = store.load().map_err(|e| e.to_string())?;
    let g = Graph::build(ds);
    eprintln!(
        "peers {scale}: {} nodes, {} edges, opened in {:.2} s; adjacency lists {:.1} MiB",
        g.ds.nodes.len(),
        g.ds.edges.len(),
        t.elapsed().as_secs_f64(),
        g.adjacency_bytes() as f64 / (1 << 20) as f64
    );
    Ok(g)
}

fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.to_string(),
        other => format!("{other:?}"),
    }
}

fn benches(c: &mut Criterion) {
    let Some(data) = std::env::var_os("CHAINKB_PEERS_DATA").map(PathBuf::from) else {
        eprintln!(
            "peers bench skipped: set CHAINKB_PEERS_DATA to a folder made by ../shared/peers/gen.py \
             (e.g. data/medium; benches/README.md)"
        );
        return;
    };
    if !data.join("params.json").exists() {
        eprintln!(
            "peers bench skipped: {} has no params.json (not a gen.py data folder, or absent)",
            data.display()
        );
        return;
    }
    let scale = data
        .file_name()
        .map_or("data".into(), |s| s.to_string_lossy().into_owned());
    let setup = params(&data).and_then(|p| {
        let f = folder(&data, &scale)?;
        Ok((p, open(&f, &scale)?))
    });
    let (p, g) = match setup {
        Ok(x) => x,
        Err(e) => {
            eprintln!("peers bench skipped: {e}");
            return;
        }
    };
    let cancel = AtomicBool::new(false);

    // Q1: missing segments upstream of T within `depth`, in region R (the adapter's statement).
    let q1 = format!(
        "upstream S{:04} depth {} in 园区{:03} | where state = missing | select segment | sort segment",
        p.t, p.depth, p.r
    );
    let missing: Vec<String> = match query::run(&g, &q1, &cancel) {
        Ok(t) => t.rows.iter().map(|r| text(&r[0])).collect(),
        Err(e) => {
            eprintln!("peers bench skipped: Q1 fails: {e:?}");
            return;
        }
    };
    eprintln!("Q1 `{q1}`: {} rows", missing.len());
    let mut group = c.benchmark_group("peers");
    group.bench_function("q1 parse+plan+exec", |b| {
        b.iter(|| query::run(&g, black_box(&q1), &cancel))
    });
    // Q1's parse and plan, apart (issue 16 reports parse + plan beside the execution).
    group.bench_function("q1 parse", |b| b.iter(|| parse::parse(black_box(&q1))));
    let parsed = parse::parse(&q1).ok();
    if let Some(parsed) = &parsed {
        group.bench_function("q1 plan", |b| b.iter(|| plan::plan(&g, black_box(parsed))));
    }
    // Q1's execution alone, of a statement planned once (the peers do not parse).
    let planned = parsed.and_then(|s| plan::plan(&g, &s).ok());
    if let Some(planned) = &planned {
        group.bench_function("q1 exec", |b| {
            b.iter(|| {
                query::exec::execute(
                    &g,
                    black_box(planned),
                    Ctx {
                        cancel: &cancel,
                        parallel: true,
                        lang: Default::default(),
                    },
                )
            })
        });
    }

    // Q2: gaps of chain C with a direct present user, counted in every region.
    let q2 = format!(
        "fill C{:02} in all parks | where distance = 1 | group by place with count()",
        p.c
    );
    group.bench_function("q2 parse+plan+exec", |b| {
        b.iter(|| query::run(&g, black_box(&q2), &cancel))
    });
    if let Some(planned) = parse::parse(&q2).ok().and_then(|s| plan::plan(&g, &s).ok()) {
        group.bench_function("q2 exec", |b| {
            b.iter(|| {
                query::exec::execute(
                    &g,
                    black_box(&planned),
                    Ctx {
                        cancel: &cancel,
                        parallel: true,
                        lang: Default::default(),
                    },
                )
            })
        });
    }

    // Q3: the top-50 producers by revenue outside R of Q1's segments, one statement (the
    // adapter's): the walk, then `| producers outside R` with the limit pushed into the merge of
    // the revenue-ordered producer lists. Compared with the two statements used before the
    // stage existed (Q1's, then the top-producers statement) and with that second statement as
    // a scan; each timed only if its answer is the one statement's.
    let q3 = format!(
        "upstream S{:04} depth {} in 园区{:03} | where state = missing | producers outside 园区{:03} | limit 50 | select name",
        p.t, p.depth, p.r, p.r
    );
    let names = |q: &str| -> Vec<String> {
        query::run(&g, q, &cancel)
            .map(|t| t.rows.iter().map(|r| text(&r[0])).collect())
            .unwrap_or_default()
    };
    let answer = names(&q3);
    eprintln!("Q3 `{q3}`: {} rows", answer.len());
    group.bench_function("q3 parse+plan+exec", |b| {
        b.iter(|| query::run(&g, black_box(&q3), &cancel))
    });
    if missing.is_empty() {
        eprintln!("Q3: Q1 is empty, no two-statement form to compare");
    } else {
        let cond = missing
            .iter()
            .map(|s| format!("segments contains {s}"))
            .collect::<Vec<_>>()
            .join(" or ");
        let second = format!(
            "enterprises | where ({cond}) and location != 园区{:03} | sort revenue_yi desc, name | limit 50 | select name",
            p.r
        );
        let scan = second.replacen(") and location", ") | where location", 1);
        for (label, q) in [
            ("q3 two statements' second (top-producers rule)", &second),
            (
                "q3 two statements' second as a scan (two where stages)",
                &scan,
            ),
        ] {
            if names(q) != answer {
                eprintln!("Q3: `{label}` DIFFERS from the one statement; not measured");
                continue;
            }
            group.bench_function(label, |b| b.iter(|| query::run(&g, black_box(q), &cancel)));
        }
        if names(&second) == answer {
            group.bench_function("q3 two statements (Q1's, then the second)", |b| {
                b.iter(|| {
                    (
                        query::run(&g, black_box(&q1), &cancel),
                        query::run(&g, black_box(&second), &cancel),
                    )
                })
            });
        }
    }

    // Q4: supply partners (以商招商) of Q4's R for chain C, top 50.
    let q4 = format!(
        "partners in 园区{:03} chain C{:02} | limit 50 | select name",
        p.q4.0, p.q4.1
    );
    match query::run(&g, &q4, &cancel) {
        Ok(t) if !t.rows.is_empty() => {
            eprintln!("Q4 `{q4}`: {} rows", t.rows.len());
            group.bench_function("q4 parse+plan+exec", |b| {
                b.iter(|| query::run(&g, black_box(&q4), &cancel))
            });
            // The frontier work on one thread and on two (rayon pools of that size).
            for threads in [1, 2] {
                let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
                    continue;
                };
                group.bench_function(format!("q4 parse+plan+exec, {threads} thread(s)"), |b| {
                    b.iter(|| pool.install(|| query::run(&g, black_box(&q4), &cancel)))
                });
            }
        }
        Ok(_) => eprintln!("Q4: no rows (is the supply network loaded?); not measured"),
        Err(e) => eprintln!("Q4 fails: {e:?}"),
    }
    group.finish();
}

criterion_group! {
    name = peers;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(peers);
