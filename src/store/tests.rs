//! Unit tests of the store: round trips, layouts, damage, locks and left-overs.

use super::*;
use crate::model::{Attrs, Kind, Row};

fn tiny(n: usize) -> Dataset {
    Dataset::segments_only(n)
}

#[test]
fn import_then_load_round_trips_across_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let (store, report) = Store::open(dir.path(), true).unwrap();
    assert_eq!(report, OpenReport::default());
    let ds = tiny(CHUNK * 2 + 3);
    store.import(&ds, "t").unwrap();
    let (back, meta) = store.load().unwrap();
    assert_eq!(back, ds);
    assert_eq!(meta.generation, 1);
    let ds2 = tiny(5);
    store.import(&ds2, "t2").unwrap();
    let (back, meta) = store.load().unwrap();
    assert_eq!(back, ds2);
    assert_eq!(meta.generation, 2);
    // the old generation's folder is gone
    assert!(!dir.path().join("g1").exists());
    assert!(dir.path().join("g2").is_dir());
}

/// Reading a generation opens its database again every `RELEASE_BYTES` read (16 KiB in
/// tests), so sled's cache never holds the whole encoded generation; the records come back
/// whole and in order across the reopenings, nothing is written, and a chunk missing in the
/// middle is named.
#[test]
fn reading_reopens_the_database_and_still_reads_every_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    let ds = tiny(CHUNK * 5 + 1);
    store.import(&ds, "t").unwrap();
    let live = generation_dir(dir.path(), 1);
    let before = files_of(dir.path());
    let source = Source::folder(&store, &live).unwrap();
    let back = store.load_from(&source).unwrap();
    assert_eq!(back, ds);
    assert!(
        source.opens.get() > 2,
        "opened {} times",
        source.opens.get()
    );
    drop(source);
    assert!(
        before == files_of(dir.path()),
        "a read changed the database"
    );
    {
        let db = store.open_sled(&live).unwrap();
        db.remove(chunk_key("nodes/", 3)).unwrap();
        db.flush().unwrap();
    }
    let err = store.load().unwrap_err().to_string();
    assert!(err.contains("记录 nodes/3 缺失"), "{err}");
}

/// Edges across chunk boundaries, a few carrying an industry-system payload: the payloads
/// come back on the right edges (their index is rebuilt from each chunk's offset).
#[test]
fn edges_and_their_system_payloads_round_trip_across_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    let mut ds = tiny(3);
    let n = CHUNK * 2 + 5;
    for i in 0..n {
        ds.edges.push(Edge {
            kind: if i % 1000 == 7 {
                EdgeKind::InSystem
            } else {
                EdgeKind::Supplies
            },
            from: (i % 3) as u32,
            to: ((i + 1) % 3) as u32,
            row: (i % 3) as u32,
        });
        if i % 1000 == 7 || i == CHUNK || i == n - 1 {
            ds.systems.push((
                i as u32,
                SystemEntry {
                    system: format!("体系{i}").into(),
                    class: "主导".into(),
                    target_revenue_yi: Some(i as f64),
                },
            ));
        }
    }
    store.import(&ds, "t").unwrap();
    let (back, _) = store.load().unwrap();
    assert_eq!(back, ds);
    assert_eq!(
        back.edge_system(CHUNK as u32).map(|s| &*s.system),
        Some(&*format!("体系{CHUNK}"))
    );
    assert_eq!(back.edge_system(8), None);
}

/// The graph built from the edges left in their chunks (`load_lean`, decoded as the graph
/// reads them, with and without the open index) is the graph built from the fully decoded dataset: every list, every edge
/// behind an id, every industry-system payload on its edge. A missing edge chunk is named.
#[test]
fn a_graph_from_stored_edge_chunks_equals_one_from_decoded_edges() {
    use crate::graph::Graph;
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    let mut ds = tiny(40);
    let n = CHUNK * 3 + 17;
    for i in 0..n {
        let kind = [EdgeKind::Supplies, EdgeKind::InSystem, EdgeKind::PartOf][i % 7 % 3];
        ds.edges.push(Edge {
            kind,
            from: (i * 7 % 40) as u32,
            to: (i * 13 % 39) as u32,
            row: (i % 40) as u32,
        });
        if kind == EdgeKind::InSystem && i % 5 == 0 {
            ds.systems.push((
                i as u32,
                SystemEntry {
                    system: format!("体系{i}").into(),
                    class: "".into(),
                    target_revenue_yi: None,
                },
            ));
        }
    }
    store.import(&ds, "t").unwrap();
    let (full, _) = store.load().unwrap();
    let a = Graph::build(full);
    assert_eq!(a.edge_total(), n);
    // Opened from the stored open index (edges read once), and without it (counted first).
    for with_index in [true, false] {
        let lean = store.load_lean().unwrap();
        assert!(lean.ds.edges.is_empty() && lean.ds.systems.is_empty());
        assert!(lean.edges.heap_bytes() > 0);
        assert!(lean.index.is_some());
        let index = lean.index.filter(|_| with_index);
        let b = Graph::build_from(lean.ds, lean.edges, index).unwrap();
        assert_eq!(b.opened_from_index(), with_index);
        assert_eq!(b.edge_total(), n);
        same_graph(&a, &b, &ds);
    }
    // A missing edge chunk is named when the generation is read.
    {
        let db = store.open_sled(&generation_dir(dir.path(), 1)).unwrap();
        db.remove(chunk_key("edges/", 2)).unwrap();
        db.flush().unwrap();
    }
    let err = store
        .load_lean()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("记录 edges/2 缺失"), "{err}");
}

/// Every list, every edge behind an id and every industry-system payload of `b` as in `a`.
fn same_graph(a: &crate::graph::Graph, b: &crate::graph::Graph, ds: &Dataset) {
    use crate::graph::Graph;
    use petgraph::Direction;
    let whole = |g: &Graph, id: u32| {
        let e = g.edge(id);
        (
            e.kind,
            e.from,
            e.to,
            e.row,
            g.edge_system(id).map(|s| s.system.clone()),
        )
    };
    for i in 0..ds.nodes.len() as u32 {
        for kind in EdgeKind::ALL {
            for dir in [Direction::Outgoing, Direction::Incoming] {
                assert_eq!(a.adjacent(i, kind, dir), b.adjacent(i, kind, dir));
                let (na, nb) = (a.neighbors(i, kind, dir), b.neighbors(i, kind, dir));
                assert_eq!(na.len(), nb.len());
                for (&(oa, ea), &(ob, eb)) in na.iter().zip(&nb) {
                    assert_eq!(oa, ob);
                    assert_eq!(whole(a, ea), whole(b, eb));
                }
            }
        }
    }
    let systems = |g: &Graph| -> Vec<(u32, u32, Box<str>)> {
        g.systems()
            .map(|(e, s)| (e.from, e.to, s.system.clone()))
            .collect()
    };
    assert_eq!(systems(a), systems(b));
    assert_eq!(systems(a).len(), ds.systems.len());
}

/// Rows that pack into more runs than a chunk holds, with notes on more rows than a chunk
/// holds, come back as they were, run chunks and note chunks counted by the manifest.
#[test]
fn rows_in_many_runs_and_notes_round_trip_across_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    let mut ds = tiny(3);
    ds.sources = vec!["甲".into(), "乙".into()];
    ds.files.push("seeds/relations.csv".into());
    for i in 0..(CHUNK * 4 + 9) as u32 {
        ds.rows.push(Row {
            file: 1,
            line: i + 2,
            // A new source every other line: a run each two rows.
            source: (i / 2) % 2,
            notes: (i % 3 == 0).then(|| Box::new(format!("注{i}").into())),
        });
    }
    assert!(ds.rows.run_count() > CHUNK && ds.rows.with_notes() > CHUNK);
    store.import(&ds, "t").unwrap();
    let (back, _) = store.load().unwrap();
    assert_eq!(back, ds);
    let last = ds.rows.len() as u32 - 1;
    assert_eq!(back.row(last), ds.row(last));
    assert_eq!(back.row(6).notes(), Some("注3"));
    // A chunk of notes lost is damage, named.
    store.with_live_sled(|db| db.remove(chunk_key("row_notes/", 1)).unwrap());
    let err = store.load().unwrap_err().to_string();
    assert!(err.contains("row_notes/1"), "{err}");
}

/// A stored edge chunk whose differences lead outside the node or row numbers, or whose
/// payloads name edges it does not hold, is damage, not edges.
#[test]
fn packed_edges_that_lead_nowhere_are_refused() {
    let edge = |from: i64, row: i64| PackedEdge {
        kind: EdgeKind::SuppliesTo,
        from,
        to: 1,
        row,
    };
    assert!(unpack_edges((vec![edge(3, 0), edge(-4, 1)], Vec::new())).is_err());
    assert!(unpack_edges((vec![edge(i64::from(u32::MAX), 1), edge(1, 1)], Vec::new())).is_err());
    assert!(unpack_edges((vec![edge(3, 0), edge(0, -1)], Vec::new())).is_err());
    let entry = SystemEntry {
        system: "s".into(),
        class: "".into(),
        target_revenue_yi: None,
    };
    assert!(unpack_edges((vec![edge(3, 0)], vec![(1, entry.clone())])).is_err());
    let ok = unpack_edges((vec![edge(3, 0), edge(-3, 1)], vec![(1, entry)])).unwrap();
    assert_eq!(
        ok.0.iter().map(|e| (e.from, e.row)).collect::<Vec<_>>(),
        [(3, 0), (0, 1)]
    );
}

/// A stored value is CRC ‖ length ‖ LZ4 block: it decodes back; a length past the limit, a
/// block that does not give the stated length, or a value cut short are damage, named, never
/// a panic or a huge allocation (the checksum is recomputed so that the body is what is tested).
#[test]
fn compressed_values_round_trip_and_damage_is_named() {
    let ds = tiny(300);
    let v = encode(&ds.nodes).unwrap();
    let plain = postcard::to_stdvec(&ds.nodes).unwrap();
    assert!(v.len() < plain.len(), "{} >= {}", v.len(), plain.len());
    let store_dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(store_dir.path(), true).unwrap();
    let back: Vec<Node> = store.decode("nodes/0", &v).unwrap();
    assert_eq!(back, ds.nodes);
    let with_crc = |body: &[u8]| {
        let mut out = crc32fast::hash(body).to_be_bytes().to_vec();
        out.extend_from_slice(body);
        out
    };
    let mut huge = v[4..].to_vec();
    huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut longer = v[4..].to_vec();
    longer[..4].copy_from_slice(&(plain.len() as u32 + 1).to_le_bytes());
    let cut = v[4..v.len() - 3].to_vec();
    for body in [huge, longer, cut, vec![1, 2]] {
        let err = store
            .decode::<Vec<Node>>("nodes/0", &with_crc(&body))
            .unwrap_err()
            .to_string();
        assert!(err.contains("记录 nodes/0 无法解码"), "{err}");
    }
}

/// Nodes keep schema 1's layout (the in-memory types were made smaller without changing what
/// is stored); edges and rows have schema 2's (`PackedEdge`, `StoredRun`), pinned here against
/// the shapes as declared.
#[test]
fn stored_records_keep_their_layout() {
    use serde::Deserialize;
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    enum OldAttrs {
        Region {
            level: Box<str>,
        },
        Park {
            kind: Box<str>,
            area_km2: Option<f64>,
        },
        // Variants kept for their numbers: postcard stores a variant's index.
        Industry,
        Chain,
        Segment {
            stage: crate::model::Stage,
        },
        Enterprise {
            credit_code: Box<str>,
            province: Box<str>,
            city: Box<str>,
            revenue_yi: Option<f64>,
            tags: Vec<Box<str>>,
            listing: Box<str>,
        },
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct OldNode {
        kind: Kind,
        id: Box<str>,
        display_name: Option<Box<str>>,
        aliases: Vec<Box<str>>,
        attrs: OldAttrs,
        row: u32,
    }
    // Schema 2's edge chunk as declared: (edges, payloads by index in the chunk).
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct V2Edge {
        kind: EdgeKind,
        from: i64,
        to: u32,
        row: i64,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct V2Run {
        count: u32,
        file: u32,
        line: u32,
        source: u32,
    }
    let entry = SystemEntry {
        system: "231".into(),
        class: "主导".into(),
        target_revenue_yi: Some(630.0),
    };
    let ds = Dataset {
        edges: vec![
            Edge {
                kind: EdgeKind::SuppliesTo,
                from: 7,
                to: 2,
                row: 30,
            },
            Edge {
                kind: EdgeKind::InSystem,
                from: 1,
                to: 9,
                row: 31,
            },
        ],
        systems: vec![(1, entry.clone())],
        ..Default::default()
    };
    let declared = (
        vec![
            V2Edge {
                kind: EdgeKind::SuppliesTo,
                from: 7,
                to: 2,
                row: 30,
            },
            V2Edge {
                kind: EdgeKind::InSystem,
                from: -6,
                to: 9,
                row: 1,
            },
        ],
        vec![(1u32, entry.clone())],
    );
    let bytes = postcard::to_stdvec(&declared).unwrap();
    assert_eq!(
        postcard::to_stdvec(&packed_edges(&ds, 0, &ds.edges)).unwrap(),
        bytes
    );
    let back = unpack_edges(postcard::from_bytes(&bytes).unwrap()).unwrap();
    assert_eq!(back, (ds.edges.clone(), vec![(1, entry)]));

    let rows: crate::model::Rows = (0..3)
        .map(|i| Row {
            file: 1,
            line: 2 + i,
            source: 3,
            notes: (i == 1).then(|| Box::new("表内重复".into())),
        })
        .collect();
    let declared = vec![V2Run {
        count: 3,
        file: 1,
        line: 2,
        source: 3,
    }];
    assert_eq!(
        postcard::to_stdvec(&rows.stored_runs(0..CHUNK)).unwrap(),
        postcard::to_stdvec(&declared).unwrap()
    );
    let notes: Vec<(u32, Box<str>)> = vec![(1, "表内重复".into())];
    assert_eq!(rows.stored_notes(), &notes[..]);

    let old = OldNode {
        kind: Kind::Park,
        id: "研和片区".into(),
        display_name: None,
        aliases: vec!["研和".into()],
        attrs: OldAttrs::Park {
            kind: "片区".into(),
            area_km2: Some(20.42),
        },
        row: 4,
    };
    let new = Node::new(
        Kind::Park,
        "研和片区".into(),
        Attrs::Park(Box::new(crate::model::ParkAttrs {
            kind: "片区".into(),
            area_km2: Some(20.42),
        })),
        4,
    )
    .named(None, Box::new(["研和".into()]));
    let bytes = postcard::to_stdvec(&old).unwrap();
    assert_eq!(postcard::to_stdvec(&new).unwrap(), bytes);
    assert_eq!(postcard::from_bytes::<Node>(&bytes).unwrap(), new);

    // Interned values (a region's level, a firm's province, city, listing and tags) are stored
    // as the plain strings; a display name and aliases (one box in memory) as two fields.
    let firm = |attrs| Node::new(Kind::Enterprise, "恩捷股份".into(), attrs, 5);
    let pairs = [
        (
            OldNode {
                kind: Kind::Region,
                id: "hongta".into(),
                display_name: Some("红塔区".into()),
                aliases: vec![],
                attrs: OldAttrs::Region {
                    level: "区县".into(),
                },
                row: 2,
            },
            Node::new(
                Kind::Region,
                "hongta".into(),
                Attrs::Region {
                    level: "区县".into(),
                },
                2,
            )
            .named(Some("红塔区".into()), Box::new([])),
        ),
        (
            OldNode {
                kind: Kind::Enterprise,
                id: "恩捷股份".into(),
                display_name: None,
                aliases: vec![],
                attrs: OldAttrs::Enterprise {
                    credit_code: "91530400MA6K3XQX5A".into(),
                    province: "云南省".into(),
                    city: "玉溪市".into(),
                    revenue_yi: Some(120.5),
                    tags: vec!["上市".into(), "龙头".into()],
                    listing: "深交所".into(),
                },
                row: 5,
            },
            firm(Attrs::Enterprise(crate::model::EnterpriseAttrs {
                credit_code: "91530400MA6K3XQX5A".into(),
                province: "云南省".into(),
                city: "玉溪市".into(),
                revenue_yi: Some(120.5),
                tags: crate::model::SymList::new(&["上市".into(), "龙头".into()]),
                listing: "深交所".into(),
            })),
        ),
        (
            OldNode {
                kind: Kind::Enterprise,
                id: "恩捷股份".into(),
                display_name: None,
                aliases: vec![],
                attrs: OldAttrs::Enterprise {
                    credit_code: "".into(),
                    province: "".into(),
                    city: "".into(),
                    revenue_yi: None,
                    tags: vec![],
                    listing: "".into(),
                },
                row: 5,
            },
            firm(Attrs::Enterprise(Default::default())),
        ),
    ];
    for (old, new) in pairs {
        let bytes = postcard::to_stdvec(&old).unwrap();
        assert_eq!(postcard::to_stdvec(&new).unwrap(), bytes, "{new:?}");
        assert_eq!(postcard::from_bytes::<Node>(&bytes).unwrap(), new);
    }
}

/// `public_functions` came after the first databases: one written without the key opens
/// with none, and one written with it gives them back.
#[test]
fn public_functions_round_trip_and_are_optional() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    let mut ds = tiny(3);
    ds.public_functions = vec![(1, "疾病预防控制机构".into())];
    store.import(&ds, "t").unwrap();
    let (back, _) = store.load().unwrap();
    assert_eq!(back.public_function(1), Some("疾病预防控制机构"));
    assert_eq!(back, ds);
    store.with_live_sled(|db| db.remove("public_functions").unwrap());
    let (back, _) = store.load().unwrap();
    assert!(back.public_functions.is_empty());
    assert_eq!(back.nodes, ds.nodes);
}

/// `figures` and `catalog` are keys of their own like `coverage`: no schema version.
#[test]
fn figures_and_catalog_round_trip_and_are_optional() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    let mut ds = tiny(3);
    ds.figures = vec![Figure {
        place: 0,
        system: "体系".into(),
        industry: Some(1),
        measure: "主营业务收入目标".into(),
        value: Some(630.0),
        unit: "亿元".into(),
        year: Some(2025),
        text: "力争到2025年，实现主营业务收入630亿元".into(),
        row: 0,
    }];
    ds.catalog = vec![CatalogItem {
        place: 0,
        system: "目录".into(),
        industry: 1,
        industry_no: Some(1),
        number: Some(2),
        heading: "花卉".into(),
        item: "花卉电商".into(),
        models: vec![2].into(),
        row: 1,
    }];
    store.import(&ds, "t").unwrap();
    let (back, _) = store.load().unwrap();
    assert_eq!(back, ds);
    store.with_live_sled(|db| {
        db.remove("figures").unwrap();
        db.remove("catalog").unwrap();
    });
    let (back, _) = store.load().unwrap();
    assert!(back.figures.is_empty() && back.catalog.is_empty());
    assert_eq!(back.nodes, ds.nodes);
}

/// `coverage` is a key of its own like `public_functions`: no schema version for it.
#[test]
fn coverage_round_trips_and_is_optional() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    let mut ds = tiny(3);
    ds.coverage = vec![(
        0,
        crate::model::PlaceCoverage {
            coverage: crate::model::Coverage::None,
            source: "doc.txt:1".into(),
        },
    )];
    store.import(&ds, "t").unwrap();
    let (back, _) = store.load().unwrap();
    assert_eq!(back, ds);
    store.with_live_sled(|db| db.remove("coverage").unwrap());
    let (back, _) = store.load().unwrap();
    assert!(back.coverage.is_empty());
    assert_eq!(back.nodes, ds.nodes);
}

/// `listings` is a key of its own like `coverage`: no schema version for it.
#[test]
fn listings_round_trip_and_are_optional() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    let mut ds = tiny(3);
    ds.listings = vec![Listing {
        table: "表5".into(),
        industry: 0,
        field: Some(1),
        enterprise: None,
        written: Listing::NONE.into(),
        row: 2,
    }];
    store.import(&ds, "t").unwrap();
    let (back, _) = store.load().unwrap();
    assert_eq!(back, ds);
    store.with_live_sled(|db| db.remove("listings").unwrap());
    let (back, _) = store.load().unwrap();
    assert!(back.listings.is_empty());
    assert_eq!(back.nodes, ds.nodes);
}

#[test]
fn a_flipped_byte_is_reported_as_damage() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    store.import(&tiny(10), "t").unwrap();
    store.with_live_sled(|db| {
        let mut k = b"nodes/".to_vec();
        k.extend_from_slice(&0u32.to_be_bytes());
        let mut v = db.get(&k).unwrap().unwrap().to_vec();
        let last = v.len() - 1;
        v[last] ^= 0xFF;
        db.insert(&k, v).unwrap();
        db.flush().unwrap();
    });
    let err = store.load().unwrap_err().to_string();
    assert!(err.contains("记录 nodes/0 校验不符"), "{err}");
}

#[test]
fn an_unknown_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(2), "t").unwrap();
    }
    {
        let (store, _) = Store::open(dir.path(), false).unwrap();
        store.set_current_raw("schema", "99").unwrap();
    }
    let err = Store::open(dir.path(), false).err().unwrap().to_string();
    assert!(err.contains("数据版本是 99"), "{err}");
    assert!(err.contains(&format!("读取版本 {SCHEMA_VERSION}")), "{err}");
}

/// A database an older chainkb wrote (schema 1: a record a row, edges unpacked) is never read
/// as this schema: readers are told to import it again, and an import into the same folder
/// replaces it.
#[test]
fn an_older_schema_is_refused_for_reading_and_replaced_by_an_import() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(2), "t").unwrap();
        store.set_current_raw("schema", "1").unwrap();
    }
    let err = Store::open(dir.path(), false).err().unwrap();
    let zh = err.render(crate::lang::Lang::Zh);
    assert!(zh.contains("较早") && zh.contains("chainkb import"), "{zh}");
    let en = err.render(crate::lang::Lang::En);
    assert!(
        en.contains("older chainkb") && en.contains("import"),
        "{en}"
    );
    let (store, _) = Store::open(dir.path(), true).unwrap();
    store.import(&tiny(3), "t2").unwrap();
    drop(store);
    let (store, _) = Store::open(dir.path(), false).unwrap();
    assert_eq!(store.load().unwrap().0, tiny(3));
}

#[test]
fn a_missing_database_is_not_created_by_readers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope");
    let err = Store::open(&path, false).err().unwrap().to_string();
    assert!(err.contains("处没有数据库"), "{err}");
    assert!(!path.exists());
}
/// Every file below `dir` with its bytes, to see whether anything was written.
fn files_of(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else if e.file_name() != "LOCK" {
                out.push((e.path(), std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Opening and reading a database, and checking it, change no byte of it: so a read on a
/// full disk cannot destroy it.
#[test]
fn reading_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(CHUNK + 10), "a").unwrap();
        store.import(&tiny(50), "b").unwrap();
    }
    let before = files_of(dir.path());
    for _ in 0..3 {
        let (store, report) = Store::open(dir.path(), false).unwrap();
        assert_eq!(report, OpenReport::default());
        let (ds, meta) = store.load().unwrap();
        assert_eq!(ds, tiny(50));
        assert_eq!(meta.label, "b");
        assert_eq!(store.verify().unwrap(), 50 + 50);
    }
    assert!(
        before == files_of(dir.path()),
        "a read changed the database"
    );
}

/// Replaced imports are reclaimed: after many imports the folder holds one generation.
#[test]
fn repeated_imports_do_not_grow_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    store.import(&tiny(CHUNK * 2), "first").unwrap();
    let first = store.disk_bytes();
    for i in 0..12 {
        store
            .import(&tiny(CHUNK * 2), &format!("again {i}"))
            .unwrap();
    }
    let last = store.disk_bytes();
    assert!(
        last <= first * 2,
        "{first} bytes after one import, {last} after 13"
    );
    let gens: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| parse_generation_name(&e.file_name().to_string_lossy()).is_some())
        .collect();
    assert_eq!(gens.len(), 1);
}

/// A damaged byte anywhere in the live generation's files is reported as damage or read
/// back right; the previous data is never served instead (it is gone once the new one is
/// live), and checking changes nothing.
#[test]
fn damage_in_the_last_import_is_never_a_silent_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let (new, old) = (tiny(CHUNK + 7), tiny(3));
    {
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&old, "old").unwrap();
        store.import(&new, "new").unwrap();
    }
    let db_file = dir.path().join("g2").join("db");
    let pristine = std::fs::read(&db_file).unwrap();
    let mut damaged = 0;
    for step in 1..24 {
        let at = pristine.len() * step / 24;
        let mut bytes = pristine.clone();
        bytes[at] ^= 0x5A;
        std::fs::write(&db_file, &bytes).unwrap();
        let (store, _) = Store::open(dir.path(), false).unwrap();
        let before = files_of(dir.path());
        let checked = store.verify();
        assert!(
            before == files_of(dir.path()),
            "check --store changed the database"
        );
        match store.load() {
            Ok((ds, meta)) => {
                assert_eq!(ds, new, "byte {at}: other data served");
                assert_eq!(meta.label, "new");
                assert!(checked.is_ok());
            }
            Err(StoreError::Corrupt { .. } | StoreError::Sled { .. }) => {
                damaged += 1;
                assert!(checked.is_err(), "byte {at}: load fails, check passes");
            }
            Err(e) => panic!("byte {at}: {e}"),
        }
    }
    // Most of the file is record data (the chunks are incompressible): damage is seen.
    assert!(damaged > 0);
}

#[test]
fn a_lost_or_damaged_current_is_damage() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(4), "t").unwrap();
    }
    let current = dir.path().join("CURRENT");
    let text = std::fs::read_to_string(&current).unwrap();
    std::fs::write(&current, text.replace("generation 1", "generation 7")).unwrap();
    let err = Store::open(dir.path(), false).err().unwrap().to_string();
    assert!(err.contains("CURRENT 校验不符"), "{err}");
    std::fs::remove_file(&current).unwrap();
    let err = Store::open(dir.path(), false).err().unwrap().to_string();
    assert!(err.contains("指明当前这一代的文件 CURRENT 不见了"), "{err}");
    assert!(
        dir.path().join("g1").is_dir(),
        "damage is reported, not cleaned up"
    );
}

#[test]
fn a_deleted_file_inside_a_generation_is_damage_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(CHUNK * 3), "t").unwrap();
    }
    for entry in std::fs::read_dir(dir.path().join("g1")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("snap.") || name == "db" {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let (store, _) = Store::open(dir.path(), false).unwrap();
    assert!(store.load().is_err());
    assert!(store.verify().is_err());
}

/// An import killed before its switch leaves a partial folder: the next open says so and
/// removes it; the previous data is live.
#[test]
fn a_partial_import_is_reported_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(4), "t").unwrap();
    }
    std::fs::create_dir(dir.path().join("g2.partial")).unwrap();
    std::fs::write(dir.path().join("g2.partial").join("db"), b"half").unwrap();
    // Reported until it is removed (an open killed before the removal reports it again).
    let (store, report) = Store::open(dir.path(), false).unwrap();
    assert_eq!(report.interrupted_import, Some(2));
    drop(store);
    let (store, report) = Store::open(dir.path(), false).unwrap();
    assert_eq!(report.interrupted_import, Some(2));
    store.remove_leftovers();
    assert!(!dir.path().join("g2.partial").exists());
    assert_eq!(store.load().unwrap().0, tiny(4));
    drop(store);
    let (_, report) = Store::open(dir.path(), false).unwrap();
    assert_eq!(report, OpenReport::default());
}

/// Readers share a database; an import waits for none of them and is refused.
#[test]
fn readers_share_and_an_import_excludes() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(4), "t").unwrap();
    }
    let (a, _) = Store::open(dir.path(), false).unwrap();
    let (b, _) = Store::open(dir.path(), false).unwrap();
    assert_eq!(a.load().unwrap().0, b.load().unwrap().0);
    assert!(matches!(
        Store::open(dir.path(), true),
        Err(StoreError::InUse(_))
    ));
    drop((a, b));
    let (w, _) = Store::open(dir.path(), true).unwrap();
    assert!(matches!(
        Store::open(dir.path(), false),
        Err(StoreError::InUse(_))
    ));
    drop(w);
}

/// A database of layout 1 (one sled database, a tree per generation) is read, and the next
/// import converts it to layout 2, reclaiming its files.
#[test]
fn a_layout_1_database_is_read_and_converted_by_the_next_import() {
    let dir = tempfile::tempdir().unwrap();
    let old = tiny(CHUNK + 2);
    {
        let db = sled_config(dir.path()).open().unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.insert("schema_version", &SCHEMA_VERSION.to_be_bytes())
            .unwrap();
        meta.insert("generation", &3u64.to_be_bytes()).unwrap();
        meta.insert("label", "legacy").unwrap();
        let tree = db.open_tree("g3").unwrap();
        for (k, v) in encode_dataset(&old).unwrap() {
            tree.insert(k, v).unwrap();
        }
        db.flush().unwrap();
    }
    {
        let (store, _) = Store::open(dir.path(), false).unwrap();
        let (ds, meta) = store.load().unwrap();
        assert_eq!(ds, old);
        assert_eq!((meta.generation, meta.label.as_str()), (3, "legacy"));
    }
    let (store, _) = Store::open(dir.path(), true).unwrap();
    store.import(&tiny(5), "new").unwrap();
    drop(store);
    assert!(!dir.path().join("db").exists() && !dir.path().join("conf").exists());
    let (store, _) = Store::open(dir.path(), false).unwrap();
    let (ds, meta) = store.load().unwrap();
    assert_eq!(ds, tiny(5));
    assert_eq!(meta.generation, 4);
}

#[test]
fn current_round_trips_and_refuses_other_layouts() {
    let c = Current {
        schema: 1,
        generation: 12,
        label: "data/a data/b".into(),
    };
    assert_eq!(Current::parse(&c.to_text()), Ok(c.clone()));
    let other = c.to_text().replace("chainkb-store 2", "chainkb-store 3");
    let body = &other[..other.rfind("crc ").unwrap()];
    let other = format!("{body}crc {:08x}\n", crc32fast::hash(body.as_bytes()));
    assert!(Current::parse(&other).unwrap_err().contains("布局版本是 3"));
}

/// The store's messages are Chinese by default and English on request, the same facts in both.
#[test]
fn errors_speak_the_users_language() {
    use crate::lang::Lang;
    let e = StoreError::NotFound(PathBuf::from("/x"));
    assert_eq!(
        e.render(Lang::Zh),
        "/x 处没有数据库（用 chainkb import DIR --db /x 新建）"
    );
    assert_eq!(
        e.render(Lang::En),
        "no database at /x (create one with: chainkb import DIR --db /x)"
    );
    let e = StoreError::NoSpace {
        path: PathBuf::from("db"),
        needed: 5_500_000,
        free: 2_000_000,
    };
    assert!(
        e.render(Lang::Zh).contains("约需 6 MB，现有 2 MB"),
        "{}",
        e.render(Lang::Zh)
    );
    assert!(e.render(Lang::En).contains("about 6 MB, and 2 MB are free"));
    let e = StoreError::InUse(PathBuf::from("db"));
    assert_eq!(e.render(Lang::Zh), "数据库 db 正被另一个 chainkb 进程使用");
}

/// A synthetic region opened through the stored open index equals the graph built from its
/// decoded data: the lists, and every segment's producers in rank order. So it does when a
/// journal added firms (nodes and PRODUCES / LOCATED_IN edges after the stored ones): the
/// index's counts are topped up and the segments they produce are ranked again.
#[test]
fn the_open_index_gives_the_graph_the_data_gives_also_after_added_firms() {
    use crate::graph::Graph;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data");
    crate::synth::generate(&folder, 400, 7).unwrap();
    let loaded = crate::data::load(&[folder], crate::data::Encoding::Auto).unwrap();
    assert!(loaded.is_ok(), "{:?}", loaded.diags);
    let ds = loaded.dataset;
    let (store, _) = Store::open(&dir.path().join("db"), true).unwrap();
    store.import(&ds, "t").unwrap();

    // Firms a journal adds: copies of stored firms under new ids, producing the segments of
    // the firm copied, plus one more, and located where it is.
    let add = |ds: &mut Dataset| {
        let firms: Vec<u32> = (0..ds.nodes.len() as u32)
            .filter(|&i| ds.nodes[i as usize].kind == Kind::Enterprise)
            .take(5)
            .collect();
        let segment = (0..ds.nodes.len() as u32)
            .find(|&i| ds.nodes[i as usize].kind == Kind::Segment)
            .unwrap();
        for (k, f) in firms.into_iter().enumerate() {
            let mut node = ds.nodes[f as usize].clone();
            node.id = format!("J{k}").into();
            let new = ds.nodes.len() as u32;
            ds.nodes.push(node);
            ds.edges.push(Edge {
                kind: EdgeKind::Produces,
                from: new,
                to: segment,
                row: 0,
            });
            ds.edges.push(Edge {
                kind: EdgeKind::LocatedIn,
                from: new,
                to: f,
                row: 0,
            });
        }
    };
    for journal in [false, true] {
        let mut full = ds.clone();
        let lean = store.load_lean().unwrap();
        assert!(lean.index.is_some());
        let mut lean_ds = lean.ds;
        if journal {
            add(&mut full);
            add(&mut lean_ds);
        }
        let a = Graph::build(full.clone());
        let b = Graph::build_from(lean_ds, lean.edges, lean.index).unwrap();
        assert!(b.opened_from_index() && !a.opened_from_index());
        same_graph(&a, &b, &full);
        let mut ranked_somewhere = false;
        for s in 0..full.nodes.len() as u32 {
            assert_eq!(a.ranked_producers(s), b.ranked_producers(s), "segment {s}");
            ranked_somewhere |= a.ranked_producers(s).len() > 1;
        }
        assert!(ranked_somewhere);
    }
}

mod edge_bytes {
    use super::*;
    use proptest::prelude::*;

    fn arb_chunk() -> impl Strategy<Value = PackedChunk<SystemEntry>> {
        let edge = (
            0..EdgeKind::ALL.len(),
            any::<i64>(),
            any::<u32>(),
            any::<i64>(),
            0u8..4,
        )
            .prop_map(|(k, from, to, row, small)| PackedEdge {
                kind: EdgeKind::ALL[k],
                // Mostly the small differences imports write, sometimes any number.
                from: if small > 0 { from % 300 } else { from },
                to,
                row: if small > 0 { row % 5 } else { row },
            });
        (
            prop::collection::vec(edge, 0..60),
            prop::collection::vec((0u32..80, "[a-z]{0,3}"), 0..4),
        )
            .prop_map(|(edges, systems)| {
                let systems = systems
                    .into_iter()
                    .map(|(at, s)| {
                        (
                            at,
                            SystemEntry {
                                system: s.into(),
                                class: "".into(),
                                target_revenue_yi: None,
                            },
                        )
                    })
                    .collect();
                (edges, systems)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// The direct reader gives what postcard and `unpack_edges` give, refuses what they
        /// refuse, and never panics on a chunk cut short.
        #[test]
        fn edges_from_bytes_reads_what_postcard_reads(chunk in arb_chunk(), cut in any::<prop::sample::Index>()) {
            let bytes = postcard::to_stdvec(&chunk).unwrap();
            let slow = postcard::from_bytes::<PackedChunk<SystemEntry>>(&bytes)
                .map_err(|e| e.to_string())
                .and_then(unpack_edges);
            let fast = edges_from_bytes(&bytes);
            prop_assert_eq!(slow.is_ok(), fast.is_ok(), "{:?} / {:?}", slow, fast);
            if let (Ok(a), Ok(b)) = (slow, fast) {
                prop_assert_eq!(a, b);
            }
            let short = &bytes[..cut.index(bytes.len().max(1)).min(bytes.len())];
            let slow = postcard::from_bytes::<PackedChunk<SystemEntry>>(short)
                .map_err(|e| e.to_string())
                .and_then(unpack_edges);
            if let Ok(b) = edges_from_bytes(short) {
                prop_assert_eq!(slow, Ok(b));
            }
        }
    }
}

/// `check --store` recomputes the open index from the data and names one that differs (here
/// the index of other edges among as many nodes, written over the stored one with valid
/// checksums); opening still gives the graph of the data, its counts being refused.
#[test]
fn check_store_names_an_open_index_that_is_not_the_datas() {
    use crate::graph::{Graph, OpenIndex};
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path(), true).unwrap();
    let supplies = |pairs: &[(u32, u32)]| -> Vec<Edge> {
        pairs
            .iter()
            .map(|&(from, to)| Edge {
                kind: EdgeKind::Supplies,
                from,
                to,
                row: 0,
            })
            .collect()
    };
    let mut ds = tiny(6);
    ds.edges = supplies(&[(0, 1), (0, 2), (3, 4)]);
    store.import(&ds, "t").unwrap();
    assert!(store.verify().is_ok());
    let mut other = tiny(6);
    other.edges = supplies(&[(0, 1), (5, 2), (3, 4)]);
    let records = encode_index(&OpenIndex::of(&other)).unwrap();
    store.with_live_sled(|db| {
        for (k, v) in records {
            db.insert(k, v).unwrap();
        }
        db.flush().unwrap();
    });
    let err = store.verify().unwrap_err().to_string();
    assert!(err.contains("open_index"), "{err}");
    let lean = store.load_lean().unwrap();
    let graph = Graph::build_from(lean.ds, lean.edges, lean.index).unwrap();
    assert!(!graph.opened_from_index());
    same_graph(&Graph::build(ds.clone()), &graph, &ds);
}
