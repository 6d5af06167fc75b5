//! What the fuzz targets share: the fixture data folder `tests/fixtures/mini` (compiled in, so
//! no run depends on the working directory), the graph built from it once, and the
//! export → import round trip that checks a dataset read without problems is kept whole.

use chainkb::data::{self, Encoding, Input, Loaded};
use chainkb::graph::Graph;
use chainkb::model::Dataset;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The files of `tests/fixtures/mini`, by canonical name, in name order.
pub const MINI: &[(&str, &[u8])] = &[
    (
        "graphs/lithium.toml",
        include_bytes!("../../tests/fixtures/mini/graphs/lithium.toml"),
    ),
    (
        "graphs/pv.toml",
        include_bytes!("../../tests/fixtures/mini/graphs/pv.toml"),
    ),
    (
        "graphs/vaccine.toml",
        include_bytes!("../../tests/fixtures/mini/graphs/vaccine.toml"),
    ),
    (
        "seeds/enterprises.csv",
        include_bytes!("../../tests/fixtures/mini/seeds/enterprises.csv"),
    ),
    (
        "seeds/industries.csv",
        include_bytes!("../../tests/fixtures/mini/seeds/industries.csv"),
    ),
    (
        "seeds/parks.csv",
        include_bytes!("../../tests/fixtures/mini/seeds/parks.csv"),
    ),
    (
        "seeds/projects.csv",
        include_bytes!("../../tests/fixtures/mini/seeds/projects.csv"),
    ),
    (
        "seeds/regions.csv",
        include_bytes!("../../tests/fixtures/mini/seeds/regions.csv"),
    ),
    (
        "seeds/systems.csv",
        include_bytes!("../../tests/fixtures/mini/seeds/systems.csv"),
    ),
];

/// The fixture's files as inputs, with the file named `name` replaced by `bytes` (added when
/// the fixture has no such file), sorted by name as `data::collect_files` sorts a folder.
pub fn mini_with(name: &str, bytes: &[u8]) -> Vec<Input> {
    let mut inputs: Vec<Input> = MINI
        .iter()
        .filter(|(n, _)| *n != name)
        .map(|(n, b)| Input {
            name: n.to_string(),
            display: n.to_string(),
            bytes: Ok(b.to_vec()),
            path: None,
        })
        .collect();
    inputs.push(Input {
        name: name.to_string(),
        display: name.to_string(),
        bytes: Ok(bytes.to_vec()),
        path: None,
    });
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    inputs
}

/// The fixture read as `check` and `import` read it.
pub fn mini() -> Loaded {
    let inputs = MINI
        .iter()
        .map(|(n, b)| Input {
            name: n.to_string(),
            display: n.to_string(),
            bytes: Ok(b.to_vec()),
            path: None,
        })
        .collect();
    data::load_inputs(inputs, Encoding::Auto)
}

/// The graph of the fixture, built once per process.
pub fn mini_graph() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let loaded = mini();
        assert!(
            loaded.is_ok(),
            "the fixture has problems: {:?}",
            loaded.diags
        );
        Graph::build(loaded.dataset)
    })
}

/// Everything a user is shown about a load, so that building the messages is fuzzed too.
pub fn show(loaded: &Loaded) -> usize {
    let mut n = loaded.summary().len();
    n += loaded.rows_lines().iter().map(String::len).sum::<usize>();
    n += loaded.notes.iter().map(String::len).sum::<usize>();
    n += loaded
        .diags
        .iter()
        .map(|d| d.to_string().len())
        .sum::<usize>();
    n
}

/// A scratch folder of this process for export (on tmpfs when there is one).
fn scratch() -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    let base = if shm.is_dir() {
        shm
    } else {
        std::env::temp_dir()
    };
    base.join(format!("chainkb-fuzz-{}", std::process::id()))
}

/// The dataset without the line numbers of its rows: an exported file writes each record on
/// one line (a multi-line note keeps its line breaks), so lines may move; nothing else may.
fn without_lines(ds: &Dataset) -> Dataset {
    let mut ds = ds.clone();
    ds.rows = ds
        .rows
        .iter()
        .map(|r| chainkb::model::Row {
            line: 0,
            ..r.to_row()
        })
        .collect();
    ds
}

/// A dataset read without problems, exported as `chainkb export` writes it and read back as
/// `chainkb import` reads a folder, must come back without problems and equal (but for line
/// numbers), and export again to the same bytes. Panics (a finding) otherwise.
pub fn round_trip(ds: &Dataset) {
    let dir = scratch();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    data::export(ds, &dir).expect("export to the scratch folder");
    let files = data::collect_files(std::slice::from_ref(&dir)).expect("collect exported files");
    let first: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(n, p)| (n.clone(), std::fs::read(p).expect("read an exported file")))
        .collect();
    let back = data::load_files(&files, Encoding::Auto);
    let problems: Vec<String> = back.diags.iter().map(|d| d.to_string()).collect();
    assert!(
        problems.is_empty(),
        "a dataset read without problems exports to files with problems: {problems:#?}\nexported: {:#?}",
        first
            .iter()
            .map(|(n, b)| (n, String::from_utf8_lossy(b)))
            .collect::<Vec<_>>()
    );
    let (a, b) = (without_lines(ds), without_lines(&back.dataset));
    if a != b {
        let diff = |x: &str, y: &str| format!("first read:  {x}\nread back:   {y}");
        let detail = if a.nodes != b.nodes {
            let i = a.nodes.iter().zip(&b.nodes).position(|(x, y)| x != y);
            match i {
                Some(i) => diff(&format!("{:?}", a.nodes[i]), &format!("{:?}", b.nodes[i])),
                None => diff(
                    &format!("{} nodes", a.nodes.len()),
                    &format!("{} nodes", b.nodes.len()),
                ),
            }
        } else if a.edges != b.edges {
            diff(&format!("{:?}", a.edges), &format!("{:?}", b.edges))
        } else if a.rows != b.rows || a.sources != b.sources {
            diff(
                &format!("{:?} {:?}", a.rows, a.sources),
                &format!("{:?} {:?}", b.rows, b.sources),
            )
        } else {
            diff(&format!("{a:?}"), &format!("{b:?}"))
        };
        panic!(
            "export → import changed the dataset:\n{detail}\nexported: {:#?}",
            first
                .iter()
                .map(|(n, b)| (n, String::from_utf8_lossy(b)))
                .collect::<Vec<_>>()
        );
    }
    // Export is canonical: exporting what was read back gives the same files.
    let again = dir.join("again");
    data::export(&back.dataset, &again).expect("export again");
    for (name, bytes) in &first {
        let b = std::fs::read(again.join(name)).expect("read a re-exported file");
        assert!(
            &b == bytes,
            "export → import → export changed {name}:\n{}\n---\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&b)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
