//! Pictures, checked by their structure (not pixels): stage bands in order, names never cut,
//! weak segments say why, legend entries = states shown, no edge through a box; maps and
//! application pictures; PNG files written by the binary and decodable at the right size.

use chainkb::draw;
use chainkb::graph::Graph;
use chainkb::model::Kind;
use roxmltree::{Document, Node};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

fn graph() -> &'static Graph {
    static G: OnceLock<Graph> = OnceLock::new();
    G.get_or_init(|| Graph::build(chainkb::bundle::load().dataset))
}

fn find(name: &str, kinds: &[Kind]) -> u32 {
    let g = graph();
    let hits = g.names.lookup(&g.ds.nodes, name, kinds);
    assert_eq!(hits.len(), 1, "`{name}`: {hits:?}");
    hits[0]
}

const PLACES: [Kind; 2] = [Kind::Park, Kind::Region];

/// The three pictures issue 15 asks to look at, as SVG.
fn status_svgs() -> Vec<(String, String)> {
    [
        ("锂电池", "玉溪高新区"),
        ("卷烟及配套", "红塔区"),
        ("绿色硅产业链", "楚雄州"),
    ]
    .iter()
    .map(|(c, p)| {
        let pic = draw::layout(graph(), find(c, &[Kind::Chain]), Some(find(p, &PLACES)));
        (format!("{c}/{p}"), draw::to_svg(&pic))
    })
    .collect()
}

fn class_has(n: &Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|w| w == class))
}

fn f(n: &Node, attr: &str) -> f64 {
    n.attribute(attr)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{attr} of {n:?}"))
}

/// x, y, w, h of a `<rect>`.
fn rect(n: &Node) -> (f64, f64, f64, f64) {
    (f(n, "x"), f(n, "y"), f(n, "width"), f(n, "height"))
}

/// The segment groups: name → (class list, box rect, stage).
fn segments<'a>(doc: &'a Document) -> Vec<(Node<'a, 'a>, (f64, f64, f64, f64))> {
    doc.descendants()
        .filter(|n| n.has_tag_name("g") && class_has(n, "segment"))
        .map(|g| {
            let r = g
                .children()
                .find(|c| c.has_tag_name("rect"))
                .expect("segment rect");
            (g, rect(&r))
        })
        .collect()
}

#[test]
fn stage_bands_run_upstream_to_downstream_and_hold_their_segments() {
    for (what, svg) in status_svgs() {
        let doc = Document::parse(&svg).unwrap();
        let bands: Vec<(String, (f64, f64, f64, f64))> = doc
            .descendants()
            .filter(|n| n.has_tag_name("g") && class_has(n, "band"))
            .map(|g| {
                let r = g.children().find(|c| c.has_tag_name("rect")).unwrap();
                let head = g.children().find(|c| c.has_tag_name("text")).unwrap();
                assert_eq!(
                    head.text(),
                    g.attribute("data-stage"),
                    "{what}: band heading"
                );
                (g.attribute("data-stage").unwrap().to_string(), rect(&r))
            })
            .collect();
        let order = ["上游", "中游", "下游"];
        let mut by_x = bands.clone();
        by_x.sort_by(|a, b| a.1.0.total_cmp(&b.1.0));
        let idx: Vec<usize> = by_x
            .iter()
            .map(|b| order.iter().position(|o| *o == b.0).unwrap())
            .collect();
        assert!(idx.windows(2).all(|w| w[0] < w[1]), "{what}: bands {idx:?}");
        assert!(bands.len() >= 2, "{what}: {} bands", bands.len());
        for (g, (x, _, w, _)) in segments(&doc) {
            let stage = g.attribute("data-stage").unwrap();
            let band = bands.iter().find(|b| b.0 == stage).unwrap().1;
            assert!(
                x >= band.0 && x + w <= band.0 + band.2,
                "{what}: {} ({stage}) outside its band",
                g.attribute("data-segment").unwrap()
            );
        }
    }
}

#[test]
fn names_are_whole_and_weak_segments_say_why() {
    let g = graph();
    let firm_names: BTreeSet<&str> = g
        .nodes_of(Kind::Enterprise)
        .iter()
        .chain(g.nodes_of(Kind::Project))
        .map(|&e| g.node(e).name())
        .collect();
    let mut saw_enjie = false;
    for (what, svg) in status_svgs() {
        assert!(!svg.contains('…'), "{what}: something was cut");
        let doc = Document::parse(&svg).unwrap();
        for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
            let lines: String = t
                .children()
                .filter(|c| c.has_tag_name("tspan"))
                .filter_map(|c| c.text())
                .collect();
            if let Some(full) = t.attribute("data-text") {
                assert_eq!(lines, full, "{what}: wrapped lines lose text");
            }
            if class_has(&t, "firm") {
                let full = t.attribute("data-text").unwrap();
                assert!(
                    firm_names.contains(full) || full.starts_with("另有"),
                    "{what}: `{full}` is no whole firm or project name"
                );
                saw_enjie |= full == "云南恩捷新材料股份有限公司";
            }
        }
        for (seg, _) in segments(&doc) {
            let status = seg
                .descendants()
                .find(|n| class_has(n, "status"))
                .and_then(|n| n.attribute("data-text"))
                .unwrap();
            if class_has(&seg, "weak") {
                let why = status
                    .strip_prefix("薄弱：")
                    .unwrap_or_else(|| panic!("{what}: weak without a reason: {status}"));
                assert!(
                    why.split('、')
                        .all(|w| ["单一企业", "无龙头企业"].contains(&w)),
                    "{what}: {status}"
                );
            }
        }
        if what == "锂电池/玉溪高新区" {
            let sep = segments(&doc)
                .into_iter()
                .find(|(n, _)| n.attribute("data-segment") == Some("隔膜"))
                .unwrap()
                .0;
            assert!(class_has(&sep, "weak"));
            assert!(
                sep.descendants()
                    .any(|n| n.text() == Some("薄弱：单一企业"))
            );
        }
    }
    assert!(saw_enjie, "恩捷's full name is drawn");
}

/// Legend entries are exactly the states of the boxes.
fn legend_matches(what: &str, doc: &Document) {
    let legend: BTreeSet<&str> = doc
        .descendants()
        .filter(|n| class_has(n, "legend-entry"))
        .filter_map(|n| n.attribute("data-mark"))
        .collect();
    let shown: BTreeSet<&str> = segments(doc)
        .iter()
        .map(|(g, _)| {
            g.attribute("class")
                .unwrap()
                .split_whitespace()
                .nth(1)
                .unwrap()
        })
        .collect();
    assert_eq!(legend, shown, "{what}: legend");
}

/// Every edge segment misses every box but its two ends.
fn no_edge_through_a_box(what: &str, doc: &Document) {
    let boxes: HashMap<&str, (f64, f64, f64, f64)> = segments(doc)
        .into_iter()
        .map(|(g, r)| (g.attribute("data-segment").unwrap(), r))
        .collect();
    let edges: Vec<Node> = doc.descendants().filter(|n| class_has(n, "edge")).collect();
    assert!(!edges.is_empty(), "{what}: no edges");
    for e in edges {
        let (from, to) = (
            e.attribute("data-from").unwrap(),
            e.attribute("data-to").unwrap(),
        );
        let pts: Vec<(f64, f64)> = e
            .attribute("d")
            .unwrap()
            .split_whitespace()
            .map(|p| {
                let (x, y) = p[1..].split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        for w in pts.windows(2) {
            let (x0, x1) = (w[0].0.min(w[1].0), w[0].0.max(w[1].0));
            let (y0, y1) = (w[0].1.min(w[1].1), w[0].1.max(w[1].1));
            for (name, &(bx, by, bw, bh)) in &boxes {
                if *name == from || *name == to {
                    continue;
                }
                let crosses =
                    x1 > bx + 0.5 && x0 < bx + bw - 0.5 && y1 > by + 0.5 && y0 < by + bh - 0.5;
                assert!(!crosses, "{what}: edge {from} → {to} runs through {name}");
            }
        }
    }
}

#[test]
fn legends_list_the_states_shown_and_edges_miss_boxes() {
    for (what, svg) in status_svgs() {
        let doc = Document::parse(&svg).unwrap();
        legend_matches(&what, &doc);
        no_edge_through_a_box(&what, &doc);
    }
    // The panorama: one state, one legend entry.
    let pic = draw::layout(graph(), find("锂电池", &[Kind::Chain]), None);
    let svg = draw::to_svg(&pic);
    let doc = Document::parse(&svg).unwrap();
    legend_matches("锂电池 全景图", &doc);
    no_edge_through_a_box("锂电池 全景图", &doc);
}

#[test]
fn application_pictures_hold_downstream_segments_and_outside_users() {
    let g = graph();
    let chain = find("卷烟及配套", &[Kind::Chain]);
    let pic = draw::apps::layout(g, chain, Some(find("玉溪高新区", &PLACES))).unwrap();
    let svg = draw::to_svg(&pic);
    let doc = Document::parse(&svg).unwrap();
    let names: BTreeSet<&str> = segments(&doc)
        .iter()
        .map(|(n, _)| n.attribute("data-segment").unwrap())
        .collect();
    // 卷烟 is a downstream segment; 新型包装 supplies 饮料 in another chain (graphs/tobacco.toml).
    for want in ["卷烟", "新型包装", "饮料"] {
        assert!(names.contains(want), "{want} missing from {names:?}");
    }
    let heads: Vec<&str> = doc
        .descendants()
        .filter(|n| class_has(n, "band"))
        .filter_map(|n| n.children().find(|c| c.has_tag_name("text"))?.text())
        .collect();
    assert_eq!(heads, ["本链产品", "本链应用环节（下游）", "链外应用领域"]);
    legend_matches("卷烟及配套 应用领域图", &doc);
    no_edge_through_a_box("卷烟及配套 应用领域图", &doc);
}

#[test]
fn maps_count_every_placed_firm_once() {
    let g = graph();
    let chain = find("锂电池", &[Kind::Chain]);
    let place = find("玉溪高新区", &PLACES);
    let m = draw::map::layout(g, chain, Some(place), Some(&[]));
    assert_eq!(m.home, Some("云南"));
    let svg = draw::map::to_svg(&m);
    let doc = Document::parse(&svg).unwrap();
    let tiles: Vec<Node> = doc.descendants().filter(|n| class_has(n, "tile")).collect();
    assert_eq!(tiles.len(), 34);
    let total: usize = tiles
        .iter()
        .map(|t| t.attribute("data-count").unwrap().parse::<usize>().unwrap())
        .sum();
    let placed = m.series[0].firms.iter().filter(|f| f.0.is_some()).count();
    assert_eq!(total, placed);
    assert!(placed > 0 && placed <= draw::map::chain_firms(g, chain).len());
    let yunnan = tiles
        .iter()
        .find(|t| t.attribute("data-province") == Some("云南"))
        .unwrap();
    assert!(yunnan.attribute("data-count").unwrap() != "0");
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chainkb"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("CHAINKB_DB").env_remove("CHAINKB_FONT");
    c
}

/// PNG width and height from its IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

#[test]
fn draw_writes_png_files_at_twice_the_svg_size() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
    let out = bin()
        .args([
            "import",
            &data.display().to_string(),
            "--db",
            &db.display().to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for extra in [&[][..], &["--map"][..], &["--applications"][..]] {
        let svg_path = tmp.path().join("x.svg");
        let png_path = tmp.path().join("x.png");
        for path in [&svg_path, &png_path] {
            let out = bin()
                .args(["draw", "锂电池", "--db", &db.display().to_string(), "-o"])
                .arg(path)
                .args(extra)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{extra:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        let doc = Document::parse(&svg).unwrap();
        let root = doc.root_element();
        let (w, h) = (f(&root, "width"), f(&root, "height"));
        let png = std::fs::read(&png_path).unwrap();
        assert_eq!(
            png_size(&png),
            ((w * 2.0) as u32, (h * 2.0) as u32),
            "{extra:?}"
        );
        // Decodable: the image crate is not a dependency, but resvg's own decoder reads it back.
        let img = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((img.width(), img.height()), png_size(&png));
    }
    // PNG needs a file; DOT is for chain pictures only; a bad font path names the file.
    let out = bin()
        .args([
            "draw",
            "锂电池",
            "--db",
            &db.display().to_string(),
            "--format",
            "png",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o"));
    let out = bin()
        .args([
            "draw",
            "锂电池",
            "--map",
            "--db",
            &db.display().to_string(),
            "-o",
        ])
        .arg(tmp.path().join("m.dot"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("DOT"));
    let out = bin()
        .args(["draw", "锂电池", "--db", &db.display().to_string(), "-o"])
        .arg(tmp.path().join("f.png"))
        .env("CHAINKB_FONT", "/no/such.ttf")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such.ttf"));
    assert!(!tmp.path().join("f.png").exists());
    // A font file that exists is used (here the bundled subset itself, by path).
    let out = bin()
        .args(["draw", "锂电池", "--db", &db.display().to_string(), "-o"])
        .arg(tmp.path().join("g.png"))
        .args(["--font", "assets/fonts/wqy-microhei-subset.ttf"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    png_size(&std::fs::read(tmp.path().join("g.png")).unwrap());
}
