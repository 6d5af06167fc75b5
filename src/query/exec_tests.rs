//! Unit tests of `query::exec`: reports run through plan and exec over the fixture.

use super::*;
use crate::graph::SegmentState;
use crate::lang::Lang;
use crate::model::Kind;
use crate::query::{ErrorKind, parse, plan};
use crate::report::common::{joined_names, name};
use crate::report::lists::ListKind;
use crate::report::paths::MAX_PATHS;
use std::sync::atomic::AtomicBool;

fn fixture() -> Graph {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let loaded = crate::data::load(&[dir], Default::default()).expect("fixture");
    Graph::build(loaded.dataset)
}

fn planned(g: &Graph, q: &str) -> Plan {
    plan::plan(g, &parse::parse(q).expect("parses")).expect("plans")
}

fn run(g: &Graph, q: &str) -> Table {
    let cancel = AtomicBool::new(false);
    execute(
        g,
        &planned(g, q),
        Ctx {
            cancel: &cancel,
            parallel: false,
            lang: Default::default(),
        },
    )
    .expect("runs")
}

fn column<'t>(t: &'t Table, row: usize, col: &str) -> &'t Value {
    let i = t.columns.iter().position(|c| c == col).expect("column");
    &t.rows[row][i]
}

/// The fixture with its files' texts passed through `edit(name, text)` (`graphs/…`,
/// `seeds/…`).
fn fixture_edited(edit: impl Fn(&str, String) -> String) -> Graph {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let mut inputs = Vec::new();
    for sub in ["graphs", "seeds"] {
        let mut files: Vec<_> = std::fs::read_dir(dir.join(sub))
            .expect("fixture")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            let name = format!("{sub}/{}", f.file_name().unwrap().to_string_lossy());
            let text = edit(&name, std::fs::read_to_string(&f).expect("read fixture"));
            inputs.push(crate::data::Input {
                display: name.clone(),
                name,
                bytes: Ok(text.into_bytes()),
                path: None,
            });
        }
    }
    let loaded = crate::data::load_inputs(inputs, Default::default());
    assert!(loaded.is_ok(), "{:?}", loaded.diags);
    Graph::build(loaded.dataset)
}

/// The fixture with an edge stated twice, apart (锂电池 BELONGS_TO 新能源 and 绿色能源 in the
/// chain's template, then 新能源 again in industries.csv), and an enterprise that BELONGS_TO
/// an industry.
fn fixture_with_repeated_edges() -> Graph {
    fixture_edited(|name, text| {
        match name {
        "graphs/lithium.toml" => text.replace(
            r#"industries = ["新能源"]"#,
            r#"industries = ["新能源", "绿色能源"]"#,
        ),
        "seeds/industries.csv" => "id,chains,source\n新能源,锂电池,fixture:industries\n绿色能源,光伏,fixture:industries\n生物医药,,fixture:industries\n".into(),
        // The fixture's enterprises.csv has an `industries` column: 乙电池 gets 新能源.
        "seeds/enterprises.csv" => text
            .lines()
            .map(|l| {
                let (head, source) = l.rsplit_once(',').unwrap();
                let (head, _) = head.rsplit_once(',').unwrap();
                let industry = match l {
                    _ if l.starts_with("id,") => "industries",
                    _ if l.starts_with("乙电池") => "新能源",
                    _ => "",
                };
                format!("{head},{industry},{source}\n")
            })
            .collect(),
        _ => text,
    }
    })
}

/// The fixture with the 锂电池 template's segments listed in reverse (新能源汽车 first, 锂矿
/// last); its SUPPLIES edges stay as they are.
fn fixture_with_reversed_template() -> Graph {
    fixture_edited(|name, text| {
        if name != "graphs/lithium.toml" {
            return text;
        }
        let first = text.find("[[segment]]").expect("segments");
        let edges = text.find("[[supplies]]").expect("edges");
        let mut blocks: Vec<&str> = text[first..edges]
            .split("[[segment]]")
            .filter(|b| !b.trim().is_empty())
            .collect();
        blocks.reverse();
        let mut out = text[..first].to_string();
        for b in blocks {
            out.push_str("[[segment]]");
            out.push_str(b.trim_end());
            out.push_str("\n\n");
        }
        out.push_str(&text[edges..]);
        out
    })
}

fn texts(t: &Table, col: &str) -> Vec<String> {
    (0..t.rows.len())
        .map(|r| column(t, r, col).display())
        .collect()
}

/// Status, compare and `segments of` list a chain from resources to applications, whatever
/// the template's order: inputs before users, then 上游 before 中游 before 下游, then
/// template order. A walk inside the chain keeps that order at equal distance.
#[test]
fn a_chains_segments_read_from_resources_to_applications() {
    let g = fixture_with_reversed_template();
    let chain = g.names.lookup(&g.ds.nodes, "锂电池", &[Kind::Chain])[0];
    assert_eq!(
        joined_names(&g, g.chain_segments(chain)),
        "新能源汽车、储能系统、动力电池、铜箔、隔膜、电解液、负极材料、正极材料、碳酸锂、锂矿",
        "the template is reversed"
    );
    // 锂矿 and 碳酸锂 (上游) before the 中游 sources 铜箔, 隔膜, 负极材料 that the template lists
    // earlier; 动力电池 after all its inputs; 新能源汽车 before 储能系统 as in the template.
    let reading = [
        "锂矿",
        "碳酸锂",
        "铜箔",
        "隔膜",
        "电解液",
        "负极材料",
        "正极材料",
        "动力电池",
        "新能源汽车",
        "储能系统",
    ];
    assert_eq!(
        texts(&run(&g, "status 锂电池 in 测试园区"), "segment"),
        reading
    );
    assert_eq!(texts(&run(&g, "segments of 锂电池"), "name"), reading);
    assert_eq!(
        texts(&run(&g, "compare 锂电池 in 测试园区, 对手园区"), "segment"),
        reading
    );
    let walk = run(&g, "upstream 动力电池 chain 锂电池 in 测试园区");
    assert_eq!(
        texts(&walk, "segment"),
        [
            "铜箔",
            "隔膜",
            "电解液",
            "负极材料",
            "正极材料",
            "碳酸锂",
            "锂矿"
        ],
        "by distance, then in reading order"
    );
    assert_eq!(
        texts(&walk, "distance"),
        ["1", "1", "1", "1", "1", "2", "3"]
    );
}

/// The QA case: `status 锂电池 in 玉溪高新区` on the bundled data listed 电子元器件 (中游, a
/// segment shared from another template) first, 锂矿 sixth and 锂电设备 (上游) 33rd.
#[test]
fn bundled_status_lists_the_lithium_chain_from_resources_to_applications() {
    let loaded = crate::bundle::load();
    assert!(loaded.is_ok(), "{:?}", loaded.diags.first());
    let g = Graph::build(loaded.dataset);
    let chain = g.names.lookup(&g.ds.nodes, "锂电池", &[Kind::Chain])[0];
    let t = run(&g, "status 锂电池 in 玉溪高新区");
    let rows = texts(&t, "segment");
    assert_eq!(rows.len(), g.chain_segments(chain).len());
    assert_eq!(rows[0], "锂矿");
    let at = |n: &str| rows.iter().position(|r| r == n).expect(n);
    assert!(
        at("锂电设备") < at("电子元器件"),
        "上游 before 中游: {rows:?}"
    );
    for (a, b) in g.chain_edges(chain) {
        assert!(
            at(g.node(a).name()) < at(g.node(b).name()),
            "{} supplies {} but is listed after it: {rows:?}",
            g.node(a).name(),
            g.node(b).name()
        );
    }
    assert_eq!(texts(&run(&g, "segments of 锂电池"), "name"), rows);
}

#[test]
fn list_columns_hold_each_node_once_and_only_nodes_of_their_kind() {
    let g = fixture_with_repeated_edges();
    let chains = run(&g, "chains | where name = 锂电池");
    assert_eq!(
        column(&chains, 0, "industries"),
        &Value::texts(["新能源", "绿色能源"]),
        "the edge stated twice is listed once"
    );
    let industries = run(&g, "industries | where name = 新能源");
    assert_eq!(
        column(&industries, 0, "chains"),
        &Value::texts(["锂电池"]),
        "neither twice nor with the enterprise that BELONGS_TO the industry"
    );
    let found = run(&g, "find 新能源");
    assert_eq!(
        column(&found, 0, "details"),
        &Value::text("产业链：锂电池"),
        "find's details list the chains alike"
    );
}

/// The bundled seed data states many edges twice (a chain's industries in its template and
/// in industries.csv) and links enterprises to industries: every list column of every list
/// source names each node once, and only nodes of the column's kind.
#[test]
fn bundled_list_columns_have_no_repeats_and_no_foreign_kinds() {
    let loaded = crate::bundle::load();
    assert!(loaded.is_ok(), "{:?}", loaded.diags.first());
    let g = Graph::build(loaded.dataset);
    let kinds: &[(&str, &[Kind])] = &[
        ("industries", &[Kind::Industry]),
        ("chains", &[Kind::Chain]),
        ("inputs", &[Kind::Segment]),
        ("users", &[Kind::Segment]),
        ("segments", &[Kind::Segment]),
        ("carriers", &[Kind::Enterprise]),
        ("focus", &[Kind::Industry, Kind::Chain, Kind::Segment]),
    ];
    for kind in ListKind::ALL {
        let t = run(&g, kind.keyword());
        assert!(!t.rows.is_empty(), "{}", kind.keyword());
        for (c, col) in t.columns.iter().enumerate() {
            for row in &t.rows {
                let Value::List(items) = &row[c] else {
                    continue;
                };
                let mut seen = HashSet::new();
                for v in items {
                    assert!(
                        seen.insert(v.display()),
                        "{} `{}`: {col} repeats {}",
                        kind.keyword(),
                        row[0].display(),
                        v.display()
                    );
                }
                if let Some((_, of)) = kinds.iter().find(|(n, _)| n == col) {
                    for v in items {
                        assert!(
                            !g.names.lookup(&g.ds.nodes, &v.display(), of).is_empty(),
                            "{} `{}`: {col} holds {}, which is no {of:?}",
                            kind.keyword(),
                            row[0].display(),
                            v.display()
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_set_cancel_flag_stops_work_over_many_places() {
    let g = fixture();
    let p = planned(&g, "fill 锂电池 in all parks");
    let cancel = AtomicBool::new(true);
    for parallel in [false, true] {
        let err = execute(
            &g,
            &p,
            Ctx {
                cancel: &cancel,
                parallel,
                lang: Lang::Zh,
            },
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Cancelled);
    }
}

#[test]
fn place_bitsets_agree_with_the_presence_index() {
    let g = fixture();
    let places: Vec<u32> = g
        .nodes_of(Kind::Region)
        .iter()
        .chain(g.nodes_of(Kind::Park))
        .copied()
        .collect();
    let mut seen = [0usize; 4];
    for &chain in g.nodes_of(Kind::Chain) {
        let v = ChainView::new(&g, chain);
        for &p in &places {
            let (states, present) = v.states(&g, p);
            for (i, &s) in v.segs.iter().enumerate() {
                assert_eq!(
                    states[i],
                    g.state(p, s),
                    "{} in {}",
                    name(&g, s),
                    name(&g, p)
                );
                assert_eq!(present.get(i), g.state(p, s) == SegmentState::Present);
                seen[states[i] as usize] += 1;
            }
        }
    }
    // The fixture exercises all four states (空白市 has no enterprise data: unknown).
    assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
}

#[test]
fn serial_and_parallel_runs_agree() {
    let g = fixture();
    let cancel = AtomicBool::new(false);
    for q in [
        "fill 锂电池 in all parks",
        "strengthen 锂电池 in all regions",
        "build in all parks inherited",
    ] {
        let p = planned(&g, q);
        let a = execute(
            &g,
            &p,
            Ctx {
                cancel: &cancel,
                parallel: false,
                lang: Default::default(),
            },
        )
        .unwrap();
        let b = execute(
            &g,
            &p,
            Ctx {
                cancel: &cancel,
                parallel: true,
                lang: Default::default(),
            },
        )
        .unwrap();
        assert_eq!(a, b, "{q}");
        assert!(!a.rows.is_empty(), "{q}");
    }
}

#[test]
fn path_enumeration_is_bounded() {
    let g = fixture();
    let cancel = AtomicBool::new(false);
    let p = planned(
        &g,
        "paths from 动力电池 <-[SUPPLIES*1..8]-() -[SUPPLIES*1..4]->()",
    );
    let t = execute(
        &g,
        &p,
        Ctx {
            cancel: &cancel,
            parallel: false,
            lang: Default::default(),
        },
    )
    .unwrap();
    assert!(t.rows.len() <= MAX_PATHS);
    // Every path is simple: no node twice.
    for r in &t.rows {
        let Value::Text(path) = &r[4] else { panic!() };
        let nodes: Vec<&str> = path.split(" → ").collect();
        let set: HashSet<&&str> = nodes.iter().collect();
        assert_eq!(set.len(), nodes.len(), "{path}");
    }
}

/// The stages carry the node each row is about, so `| targets` reads ids: through a filter, a
/// sort, a select, distinct and expand each row keeps its own; a group's row keeps the one its
/// members share, and none when they are about different nodes.
#[test]
fn rows_keep_the_node_they_are_about_through_the_stages() {
    let keyed = |name: &str, n: i64, subject: u32| Keyed {
        row: vec![Value::text(name), Value::Int(n), Value::texts(["a", "b"])],
        subject: Some(subject),
    };
    let rows = || vec![keyed("x", 2, 10), keyed("y", 1, 20), keyed("x", 3, 10)];
    let subjects = |k: &[Keyed]| k.iter().map(|k| k.subject).collect::<Vec<_>>();
    let sorted = apply(&Op::Sort(vec![(1, false, None)]), rows(), &NoNodes).expect("sorts");
    assert_eq!(subjects(&sorted), [Some(20), Some(10), Some(10)]);
    let filtered = apply(
        &Op::Filter(Cond::Cmp(
            Arg::Col(0),
            CmpOp::Eq,
            Arg::Val(Value::text("y")),
        )),
        rows(),
        &NoNodes,
    )
    .expect("filters");
    assert_eq!(subjects(&filtered), [Some(20)]);
    let selected = apply(&Op::Project(vec![1]), rows(), &NoNodes).expect("selects");
    assert_eq!(subjects(&selected), [Some(10), Some(20), Some(10)]);
    let expanded = apply(&Op::Expand(2), rows(), &NoNodes).expect("expands");
    assert_eq!(expanded.len(), 6);
    assert_eq!(subjects(&expanded)[..2], [Some(10), Some(10)]);
    let distinct = apply(
        &Op::Distinct,
        apply(&Op::Project(vec![0]), rows(), &NoNodes).expect("selects"),
        &NoNodes,
    )
    .expect("distinct");
    assert_eq!(subjects(&distinct), [Some(10), Some(20)]);
    let by_name = apply(
        &Op::Group {
            keys: vec![0],
            aggs: vec![(AggFn::Count, None)],
        },
        rows(),
        &NoNodes,
    )
    .expect("groups");
    assert_eq!(subjects(&by_name), [Some(10), Some(20)]);
    let all = apply(
        &Op::Group {
            keys: vec![],
            aggs: vec![(AggFn::Count, None)],
        },
        rows(),
        &NoNodes,
    )
    .expect("groups");
    assert_eq!(
        subjects(&all),
        [None],
        "a group of rows about two nodes is about none"
    );
}

// (In the graph's own tests until the query layer was kept out of the layers below it.)
/// `top_producers` answers what the statement `enterprises | where (segments contains …)
/// and location != P | sort revenue_yi desc, name | limit k` answers, on synthetic data.
#[test]
fn top_producers_equals_the_statement_it_replaces() {
    let dir = tempfile::tempdir().expect("temp dir");
    crate::synth::generate(dir.path(), 3000, 7).expect("generate");
    let loaded = crate::data::load(&[dir.path().to_path_buf()], Default::default()).expect("load");
    assert!(loaded.is_ok(), "synthetic data has problems");
    let g = crate::graph::Graph::build(loaded.dataset);
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let lookup = |name: &str, kind: Kind| g.names.lookup(&g.ds.nodes, name, &[kind])[0];
    for (segs, park, k) in [
        (vec![(0, 1), (0, 2)], 0, 20),
        (vec![(3, 0)], 5, 7),
        (vec![(1, 4), (2, 4), (1, 4)], 1, 500),
    ] {
        let names: Vec<String> = segs
            .iter()
            .map(|&(c, s)| crate::synth::segment_id(c, s))
            .collect();
        let p = lookup(&crate::synth::park_id(park), crate::model::Kind::Park);
        let cond: Vec<String> = names
            .iter()
            .map(|n| {
                format!(
                    "segments contains {}",
                    crate::query::ast::Name::new(n.clone())
                )
            })
            .collect();
        let stmt = format!(
            "enterprises | where ({}) and location != {} | sort revenue_yi desc, name | limit {k} | select name",
            cond.join(" or "),
            crate::query::ast::Name::new(g.node(p).id.to_string())
        );
        let want: Vec<String> = crate::query::run(&g, &stmt, &cancel)
            .expect("runs")
            .rows
            .iter()
            .map(|r| r[0].display())
            .collect();
        let ids: Vec<u32> = names
            .iter()
            .map(|n| lookup(n, crate::model::Kind::Segment))
            .collect();
        let got: Vec<String> = g
            .top_producers(&ids, k, |e| {
                !g.edges_of(
                    e,
                    crate::model::EdgeKind::LocatedIn,
                    petgraph::Direction::Outgoing,
                )
                .any(|l| l == p)
            })
            .iter()
            .map(|&e| g.node(e).name().to_string())
            .collect();
        assert!(!want.is_empty(), "`{stmt}` finds firms");
        assert_eq!(got, want, "`{stmt}`");
    }
}

/// Node names for the stages' tests that hold none.
struct NoNodes;

impl NodeNames for NoNodes {
    fn node_name(&self, _: u32) -> &str {
        ""
    }
}

/// Node names for the stages' tests: node `i` is `names[i]`.
struct Named(&'static [&'static str]);

impl NodeNames for Named {
    fn node_name(&self, id: u32) -> &str {
        self.0.get(id as usize).copied().unwrap_or("")
    }
}

/// A graph's names, counting the look-ups.
struct Counting<'g> {
    g: &'g Graph,
    looked_up: std::cell::Cell<usize>,
}

impl NodeNames for Counting<'_> {
    fn node_name(&self, id: u32) -> &str {
        self.looked_up.set(self.looked_up.get() + 1);
        self.g.node(id).name()
    }
}

/// A node cell reads as its display name in every stage: `where` (`=`, `!=`, `<`, `in`,
/// `contains` on the name and on a list of nodes), `sort`, `distinct`, `group by` and the
/// aggregates give, once named, exactly the rows the same stages give over the names written
/// as text — two nodes of one name included (nodes 1 and 3 below).
#[test]
fn node_cells_go_through_the_stages_as_their_names() {
    let names = Named(&["隔膜", "正极材料", "电解液", "正极材料", "负极材料"]);
    let segments = [1u32, 0, 3, 2, 4, 1];
    let as_nodes = || -> Vec<Keyed> {
        segments
            .iter()
            .enumerate()
            .map(|(k, &s)| Keyed {
                row: vec![
                    Value::Node(s),
                    Value::Int(k as i64 % 3),
                    Value::List(vec![Value::Node((s + 1) % 5), Value::Node(0)]),
                ],
                subject: Some(s),
            })
            .collect()
    };
    let as_text = || -> Vec<Keyed> {
        as_nodes()
            .into_iter()
            .map(|k| Keyed {
                row: k.row.iter().map(|v| v.named(&names)).collect(),
                subject: k.subject,
            })
            .collect()
    };
    let text = |v: &str| Arg::Val(Value::text(v));
    let ops = [
        Op::Filter(Cond::Cmp(Arg::Col(0), CmpOp::Eq, text("正极材料"))),
        Op::Filter(Cond::Cmp(Arg::Col(0), CmpOp::Ne, text("正极材料"))),
        Op::Filter(Cond::Cmp(Arg::Col(0), CmpOp::Lt, text("电解液"))),
        Op::Filter(Cond::In(Arg::Col(0), vec![text("隔膜"), text("负极材料")])),
        Op::Filter(Cond::Contains(Arg::Col(0), text("材料"))),
        Op::Filter(Cond::Contains(Arg::Col(2), text("正极材料"))),
        Op::Filter(Cond::Cmp(Arg::Col(0), CmpOp::Eq, Arg::Col(0))),
        Op::Sort(vec![(0, false, None), (1, true, None)]),
        Op::Sort(vec![(2, true, None)]),
        Op::Distinct,
        Op::Group {
            keys: vec![0],
            aggs: vec![
                (AggFn::Count, None),
                (AggFn::Collect, Some(2)),
                (AggFn::Min, Some(0)),
                (AggFn::Max, Some(0)),
            ],
        },
        Op::Expand(2),
    ];
    for op in &ops {
        let shown = |rows: Vec<Keyed>| -> Vec<(Row, Option<u32>)> {
            let mut rows: Vec<(Row, Option<u32>)> =
                rows.into_iter().map(|k| (k.row, k.subject)).collect();
            for (row, _) in &mut rows {
                materialize(std::slice::from_mut(row), &names);
            }
            rows
        };
        let got = shown(apply(op, as_nodes(), &names).expect("applies"));
        let want = shown(apply(op, as_text(), &names).expect("applies"));
        assert_eq!(got, want, "{op:?}");
    }
    // And what they give: one group for the two nodes named 正极材料.
    let grouped = apply(&ops[10], as_nodes(), &names).expect("groups");
    assert_eq!(grouped.len(), 4);
    assert_eq!(
        grouped[0].row[1],
        Value::Int(3),
        "正极材料: nodes 1, 3 and 1"
    );
    let kept = apply(&ops[0], as_nodes(), &names).expect("filters");
    assert_eq!(
        kept.iter().map(|k| k.subject).collect::<Vec<_>>(),
        [Some(1), Some(3), Some(1)]
    );
}

/// Every `Value::Node` of a row, each once.
fn nodes_in(row: &Row) -> HashSet<u32> {
    fn walk(v: &Value, out: &mut HashSet<u32>) {
        match v {
            Value::Node(n) => {
                out.insert(*n);
            }
            Value::List(items) => items.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = HashSet::new();
    row.iter().for_each(|v| walk(v, &mut out));
    out
}

/// Nodes are named last, for the rows returned only: `| limit 1` names the nodes of one row,
/// each once, and the returned table holds names, never ids.
#[test]
fn names_are_made_only_for_the_rows_returned() {
    let g = fixture();
    let cancel = AtomicBool::new(false);
    let ctx = Ctx {
        cancel: &cancel,
        parallel: false,
        lang: Default::default(),
    };
    for q in [
        "fill 锂电池 in all parks",
        "status 锂电池 in 测试园区",
        "segments",
    ] {
        let plan = planned(&g, q);
        let rows = source(&g, &plan.source, ctx, &mut Vec::new())
            .expect("rows")
            .rows;
        assert!(rows.len() > 1, "`{q}` makes more than one row");
        let all: HashSet<u32> = rows.iter().flat_map(nodes_in).collect();
        let first = nodes_in(&rows[0]);
        assert!(!first.is_empty() && all.len() > first.len(), "`{q}`");

        let count = |q: &str| {
            let names = Counting {
                g: &g,
                looked_up: std::cell::Cell::new(0),
            };
            let t = execute_named(&g, &planned(&g, q), ctx, &names).expect("runs");
            assert!(t.rows.iter().all(|r| nodes_in(r).is_empty()), "`{q}`");
            (names.looked_up.get(), t)
        };
        let (one, t) = count(&format!("{q} | limit 1"));
        assert_eq!(
            one,
            first.len(),
            "`{q} | limit 1` names its one row's nodes"
        );
        assert_eq!(t.rows.len(), 1);
        assert_eq!(count(q).0, all.len(), "`{q}` names each node once");
    }
}

/// The key of `distinct` and `group`: a node and the text of its name are one key, values of
/// other kinds or other text are not.
#[test]
fn a_node_and_its_name_make_one_key() {
    let names = Named(&["隔膜", "正极材料", "正极材料"]);
    let k = |v: &[Value]| key(v.iter(), &names);
    assert_eq!(k(&[Value::Node(1)]), k(&[Value::text("正极材料")]));
    assert_eq!(k(&[Value::Node(1)]), k(&[Value::Node(2)]));
    assert_eq!(
        k(&[Value::List(vec![Value::Node(0), Value::Node(1)])]),
        k(&[Value::texts(["隔膜", "正极材料"])])
    );
    for other in [
        vec![Value::Node(0)],
        vec![Value::text("Node(1)")],
        vec![Value::Int(1)],
        vec![Value::List(vec![Value::Node(1)])],
        vec![Value::Node(1), Value::Null],
    ] {
        assert_ne!(k(&[Value::Node(1)]), k(&other), "{other:?}");
    }
}
