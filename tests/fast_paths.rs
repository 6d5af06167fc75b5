//! The planner's fast paths (issue 16) give exactly what the long way gives, on synthetic data
//! with a random supply network: the top-producers rule against the same statement split over
//! two `where` stages (a scan), the state-walk rule against `where not (state != …)` (a filter
//! after the full walk), the gap-count rule against `where not (not (distance = d))`, and
//! `partners` against a breadth-first search written here from the
//! relations file and the answers of plain statements.

use chainkb::graph::Graph;
use chainkb::model::Kind;
use chainkb::query::{self, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::AtomicBool;

/// Synthetic data (3,000 firms) plus `relations.csv` with random SUPPLIES_TO pairs.
fn synthetic() -> (tempfile::TempDir, Graph, Vec<(String, String)>) {
    let dir = tempfile::tempdir().expect("temp dir");
    chainkb::synth::generate(dir.path(), 3000, 11).expect("generate");
    let first = chainkb::open::graph_from_folder(&[dir.path().to_path_buf()]).expect("load");
    let firms: Vec<String> = first
        .nodes_of(Kind::Enterprise)
        .iter()
        .map(|&e| first.node(e).id.to_string())
        .collect();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let mut pairs = HashSet::new();
    for _ in 0..9000 {
        // Skewed: a few hubs supply many.
        let a = if next(10) == 0 {
            next(20)
        } else {
            next(firms.len())
        };
        let b = next(firms.len());
        if a != b {
            pairs.insert((firms[a].clone(), firms[b].clone()));
        }
    }
    let mut pairs: Vec<(String, String)> = pairs.into_iter().collect();
    pairs.sort();
    let mut csv = String::from("from,relation,to,source\n");
    for (a, b) in &pairs {
        csv.push_str(&format!("{a},SUPPLIES_TO,{b},test\n"));
    }
    std::fs::write(dir.path().join("seeds/relations-test.csv"), csv).expect("write relations");
    let g = chainkb::open::graph_from_folder(&[dir.path().to_path_buf()]).expect("load");
    (dir, g, pairs)
}

fn rows(g: &Graph, q: &str) -> Vec<Vec<Value>> {
    let cancel = AtomicBool::new(false);
    query::run(g, q, &cancel)
        .unwrap_or_else(|e| panic!("`{q}`: {e:?}"))
        .rows
}

fn plan_text(g: &Graph, q: &str) -> String {
    rows(g, &format!("explain {q}"))
        .iter()
        .map(|r| r[0].display())
        .collect::<Vec<_>>()
        .join("\n")
}

fn text(v: &Value) -> String {
    v.display()
}

#[test]
fn fast_paths_equal_the_long_way() {
    let (_dir, g, pairs) = synthetic();
    let seg = |c, s| chainkb::synth::segment_id(c, s);
    let park = chainkb::synth::park_id;

    // Top producers: several segment sets, places and k.
    for (segs, p, k) in [
        (vec![seg(0, 1), seg(0, 2)], park(0), 20),
        (vec![seg(3, 0)], park(5), 7),
        (vec![seg(1, 4), seg(2, 4), seg(5, 9)], park(1), 500),
        (vec![seg(2, 2)], park(2), 1),
    ] {
        let any = segs
            .iter()
            .map(|s| format!("segments contains {s}"))
            .collect::<Vec<_>>()
            .join(" or ");
        let fast = format!(
            "enterprises | where ({any}) and location != {p} | sort revenue_yi desc, name | limit {k} | select name, revenue_yi, location"
        );
        let scan = format!(
            "enterprises | where {any} | where location != {p} | sort revenue_yi desc, name | limit {k} | select name, revenue_yi, location"
        );
        assert!(plan_text(&g, &fast).contains("按营收排序"), "{fast}");
        assert!(!plan_text(&g, &scan).contains("按营收排序"), "{scan}");
        let got = rows(&g, &fast);
        assert!(!got.is_empty(), "`{fast}` finds firms");
        assert_eq!(got, rows(&g, &scan), "`{fast}`");
    }

    let mut walked = 0;
    // State walk: both directions, with and without a chain, each state and a pair of states.
    for (dir, s, chain, p) in [
        (
            "upstream",
            seg(0, 20),
            Some(chainkb::synth::chain_id(0)),
            park(0),
        ),
        ("upstream", seg(1, 25), None, park(3)),
        ("downstream", seg(2, 1), None, park(1)),
        (
            "downstream",
            seg(4, 3),
            Some(chainkb::synth::chain_id(4)),
            park(7),
        ),
    ] {
        let chain = chain.map_or(String::new(), |c| format!(" chain {c}"));
        for st in [
            "state = missing",
            "state = present",
            "state = planned or state = unknown",
            "state in [present, missing]",
        ] {
            let fast = format!("{dir} {s}{chain} depth 6 in {p} | where {st}");
            let slow = format!("{dir} {s}{chain} depth 6 in {p} | where not (not ({st}))");
            assert!(plan_text(&g, &fast).contains("逐个检验状态"), "{fast}");
            assert!(!plan_text(&g, &slow).contains("逐个检验状态"), "{slow}");
            let got = rows(&g, &fast);
            walked += got.len();
            assert_eq!(got, rows(&g, &slow), "`{fast}`");
            // With a `select` right after, only its columns are made.
            for sel in [
                "select segment",
                "select segment | sort segment",
                "select path, state, distance",
                "select weakness, producers",
                // The walk makes the selected cells itself; what follows reads them.
                "select distance as d, segment | sort d desc, segment | limit 3",
                "select state, segment, stage | where stage != 上游 | distinct",
                "select segment, segment as again",
            ] {
                let (f, s) = (format!("{fast} | {sel}"), format!("{slow} | {sel}"));
                assert_eq!(rows(&g, &f), rows(&g, &s), "`{f}`");
            }
        }
    }
    assert!(walked > 0, "the walks keep some segments");

    // Gap counts: per place, against the same filter the planner does not recognise.
    let mut counted = 0;
    for c in [0, 3, 7] {
        let chain = chainkb::synth::chain_id(c);
        // 255: `hops_down_to`'s "no present segment below" (u8::MAX) once counted as a distance.
        for (places, d) in [
            ("all parks", 1),
            ("all parks", 2),
            ("all regions", 1),
            ("all parks", 255),
        ] {
            let group = "group by place with count() as n";
            let fast = format!("fill {chain} in {places} | where distance = {d} | {group}");
            let slow =
                format!("fill {chain} in {places} | where not (not (distance = {d})) | {group}");
            assert!(plan_text(&g, &fast).contains("按地方计数"), "{fast}");
            assert!(!plan_text(&g, &slow).contains("按地方计数"), "{slow}");
            let cancel = AtomicBool::new(false);
            let (a, b) = (
                query::run(&g, &fast, &cancel).expect("runs"),
                query::run(&g, &slow, &cancel).expect("runs"),
            );
            counted += a.rows.len();
            assert_eq!(
                (&a.columns, &a.rows, &a.notes),
                (&b.columns, &b.rows, &b.notes),
                "`{fast}`"
            );
        }
    }
    assert!(counted > 0, "some places have gaps");

    // Partners: a breadth-first search from every candidate over the relations written above.
    let mut adj: HashMap<String, Vec<String>> = HashMap::new();
    for (a, b) in &pairs {
        adj.entry(a.clone()).or_default().push(b.clone());
        adj.entry(b.clone()).or_default().push(a.clone());
    }
    let names = |q: &str| -> Vec<String> { rows(&g, q).iter().map(|r| text(&r[0])).collect() };
    let mut checked = 0;
    for (p, c, depth) in [
        (park(0), 0, 2),
        (park(3), 2, 2),
        (park(1), 5, 1),
        (park(4), 1, 3),
        (park(0), 3, 2),
    ] {
        let chain = chainkb::synth::chain_id(c);
        let home: HashSet<String> = names(&format!("enterprises in {p} | select name"))
            .into_iter()
            .collect();
        let missing = names(&format!(
            "status {chain} in {p} | where state = missing | select segment"
        ));
        let mut want: Vec<(i64, i64, String)> = Vec::new();
        if !missing.is_empty() && !home.is_empty() {
            let any = missing
                .iter()
                .map(|s| format!("segments contains \"{s}\""))
                .collect::<Vec<_>>()
                .join(" or ");
            let candidates = names(&format!("enterprises | where {any} | select name"));
            for x in candidates.iter().filter(|x| !home.contains(*x)) {
                let mut dist: HashMap<&str, u32> = HashMap::from([(x.as_str(), 0)]);
                let mut q = VecDeque::from([x.as_str()]);
                while let Some(u) = q.pop_front() {
                    if dist[u] == depth {
                        continue;
                    }
                    for v in adj.get(u).into_iter().flatten() {
                        if !dist.contains_key(v.as_str()) {
                            dist.insert(v, dist[u] + 1);
                            q.push_back(v);
                        }
                    }
                }
                let near: Vec<u32> = dist
                    .iter()
                    .filter(|(k, d)| **d > 0 && home.contains(**k))
                    .map(|(_, d)| *d)
                    .collect();
                if let Some(&nearest) = near.iter().min() {
                    want.push((near.len() as i64, i64::from(nearest), x.clone()));
                }
            }
        }
        let source = format!("partners in {p} chain {chain} depth {depth}");
        let got: Vec<(i64, i64, String)> =
            rows(&g, &format!("{source} | select partners, distance, name"))
                .iter()
                .map(|r| {
                    (
                        r[0].as_f64().unwrap_or(-1.0) as i64,
                        r[1].as_f64().unwrap_or(-1.0) as i64,
                        text(&r[2]),
                    )
                })
                .collect();
        // The source's own order is the language's sort on its columns, and `limit` keeps the
        // head of it (the tie-breaks: revenue, then name).
        let order = "partners desc, revenue_yi desc, name";
        assert_eq!(
            rows(&g, &format!("{source} | select name")),
            rows(&g, &format!("{source} | sort {order} | select name")),
            "{source}: best first"
        );
        assert_eq!(
            rows(&g, &format!("{source} | limit 5 | select name")),
            rows(
                &g,
                &format!("{source} | sort {order} | limit 5 | select name")
            ),
            "{source}: top 5"
        );
        // The limit pushed into the source (rows only for the first k) against the same limit
        // after a filter every row passes, which keeps it out of the source.
        for (k, sel) in [
            (1, "select name"),
            (3, "select name, partners"),
            (50, "select *"),
        ] {
            let sel = if sel == "select *" {
                String::new()
            } else {
                format!(" | {sel}")
            };
            let pushed = format!("{source}{sel} | limit {k}");
            let long = format!("{source} | where partners >= 0{sel} | limit {k}");
            assert!(plan_text(&g, &pushed).contains("只为前"), "{pushed}");
            assert!(!plan_text(&g, &long).contains("只为前"), "{long}");
            assert_eq!(rows(&g, &pushed), rows(&g, &long), "`{pushed}`");
            let pushed = format!("{source} | limit {k}{sel}");
            assert!(plan_text(&g, &pushed).contains("只为前"), "{pushed}");
            assert_eq!(rows(&g, &pushed), rows(&g, &long), "`{pushed}`");
        }
        let mut got_sorted = got.clone();
        got_sorted.sort();
        want.sort();
        assert_eq!(
            got_sorted, want,
            "partners in {p} chain {chain} depth {depth}"
        );
        // Best first: partners never increase down the list.
        assert!(got.windows(2).all(|w| w[0].0 >= w[1].0));
        checked += got.len();
    }
    assert!(checked > 0, "some partners were found");
}

/// `| producers [outside|in P] … | limit k` (issue 16, Q3), the limit pushed into the merge of
/// the revenue-ordered producer lists, against the long way: every enterprise making one of the
/// walk's segments (`segments contains`, a scan), sorted as the statement sorts, the firms in
/// the place (`enterprises in P`, the place and the places below it) dropped or kept here.
#[test]
fn the_producers_stage_equals_the_long_way() {
    let (_dir, g, _) = synthetic();
    let seg = |c, s| chainkb::synth::segment_id(c, s);
    let park = chainkb::synth::park_id;
    let names = |q: &str| -> Vec<String> { rows(&g, q).iter().map(|r| text(&r[0])).collect() };
    let cols = "select name, revenue_yi, location, segments";
    let mut compared = 0;
    for (walk, p, k) in [
        (format!("upstream {} depth 6", seg(0, 20)), park(0), 50),
        (format!("upstream {} depth 3", seg(1, 25)), park(3), 7),
        (format!("downstream {} depth 6", seg(2, 1)), park(1), 500),
        (
            format!(
                "upstream {} chain {}",
                seg(4, 12),
                chainkb::synth::chain_id(4)
            ),
            park(2),
            1,
        ),
    ] {
        let front = format!("{walk} in {p} | where state = missing");
        let missing = names(&format!("{front} | select segment"));
        let home: HashSet<String> = names(&format!("enterprises in {p} | select name"))
            .into_iter()
            .collect();
        // The long way: a scan of every enterprise, then the place tested here.
        let all: Vec<Vec<Value>> = if missing.is_empty() {
            Vec::new()
        } else {
            let any = missing
                .iter()
                .map(|s| format!("segments contains {s}"))
                .collect::<Vec<_>>()
                .join(" or ");
            rows(
                &g,
                &format!("enterprises | where {any} | sort revenue_yi desc, name | {cols}"),
            )
        };
        for outside in [true, false] {
            let mut want: Vec<Vec<Value>> = all
                .iter()
                .filter(|r| home.contains(&text(&r[0])) != outside)
                .cloned()
                .collect();
            let (word, zh) = if outside {
                ("outside", "不在")
            } else {
                ("in", "在")
            };
            // Unlimited: every firm.
            let every = format!("{front} | producers {word} {p} | {cols}");
            assert_eq!(rows(&g, &every), want, "`{every}`");
            want.truncate(k);
            compared += want.len();
            // The limit pushed in (after a select too), and in Chinese.
            for fast in [
                format!("{front} | producers {word} {p} | limit {k} | {cols}"),
                format!("{front} | producers {word} {p} | {cols} | limit {k}"),
                format!("{front} | 生产企业 {zh} {p} | 限制 {k} | {cols}"),
            ] {
                assert!(
                    plan_text(&g, &fast).contains(&format!("取前 {k} 家（限制已下推）")),
                    "{fast}"
                );
                assert_eq!(rows(&g, &fast), want, "`{fast}`");
            }
            // Not pushed in (a sort between): the same rows.
            let slow = format!(
                "{front} | producers {word} {p} | sort revenue_yi desc, name | limit {k} | {cols}"
            );
            assert!(!plan_text(&g, &slow).contains("限制已下推"), "{slow}");
            assert_eq!(rows(&g, &slow), want, "`{slow}`");
        }
    }
    assert!(
        compared > 0,
        "some walks have producers of their missing segments"
    );

    // A whole chain's segments, no limit: many producer lists (gathered and sorted, not merged
    // head by head); the same rows as the scan.
    for (c, p) in [(0, park(0)), (3, park(4))] {
        let chain = chainkb::synth::chain_id(c);
        let segs = names(&format!("segments of {chain} | select name"));
        assert!(segs.len() > 8, "{chain} has many segments");
        let any = segs
            .iter()
            .map(|s| format!("segments contains {s}"))
            .collect::<Vec<_>>()
            .join(" or ");
        let home: HashSet<String> = names(&format!("enterprises in {p} | select name"))
            .into_iter()
            .collect();
        let want: Vec<Vec<Value>> = rows(
            &g,
            &format!("enterprises | where {any} | sort revenue_yi desc, name | {cols}"),
        )
        .into_iter()
        .filter(|r| !home.contains(&text(&r[0])))
        .collect();
        assert!(want.len() > 50, "{chain}: many producers");
        let q = format!("segments of {chain} | producers outside {p} | {cols}");
        assert_eq!(rows(&g, &q), want, "`{q}`");
    }
}
