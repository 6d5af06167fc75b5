//! Property tests: random well-formed ASTs print and parse back to themselves, random bytes
//! never panic the parser, and random queries over the fixture never panic planning or
//! execution. Deep input: the deepest accepted statements run whole on an eighth of the main
//! thread's stack, and randomly nested conditions are refused exactly at the bound, at the
//! bracket or keyword that crosses it.

use super::ast::*;
use super::parse::{parse, parse_script};
use crate::model::{EdgeKind, Kind};
use proptest::prelude::*;
use std::sync::atomic::AtomicBool;

/// Names that exist in `tests/fixtures/mini`, plus awkward ones that must be quoted.
const NAMES: &[&str] = &[
    "锂电池",
    "光伏",
    "动力电池",
    "电芯",
    "锂矿",
    "电解液",
    "测试园区",
    "测试市",
    "测试省",
    "对手园区",
    "东片区",
    "乙电池",
    "新能源",
    "P1",
    "name",
    "segment",
    "state",
    "gap",
    "revenue_yi",
    "investment_yi",
    "tags",
    "status",
    "in",
    "all parks",
    "Li-ion 电池",
    "a\"b",
    "back\\slash",
    "Segment",
    "环节",
    "123",
    "",
    "x y",
    // Words of the write statements, and a date.
    "to",
    "推进到",
    "理由",
    "2026-12-06",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(NAMES).prop_map(str::to_string),
        1 => "[a-z\u{4e00}-\u{4e0f} _\"\\\\,;|()\\[\\]-]{0,8}",
    ]
}

fn name() -> impl Strategy<Value = Name> {
    text().prop_map(Name::new)
}

/// A bare word usable as an `Ident` operand (a column or bare text in a condition).
fn ident() -> impl Strategy<Value = Name> {
    prop_oneof![
        prop::sample::select(NAMES).prop_map(str::to_string),
        "[a-z_][a-z0-9_]{0,6}",
        "[\u{4e00}-\u{4e0f}]{1,4}",
    ]
    .prop_filter("bare and not a keyword", |s| is_bare(s))
    .prop_map(Name::new)
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-1_000_000i64..1_000_000).prop_map(|x| x as f64 / 64.0),
        prop::num::f64::NORMAL
    ]
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![4 => name().prop_map(Place::Named), 1 => Just(Place::AllParks(Span::default())), 1 => Just(Place::AllRegions(Span::default()))]
}

fn operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        Just(Operand::Null),
        any::<i64>().prop_map(Operand::Int),
        float().prop_map(Operand::Float),
        text().prop_map(Operand::Text),
        ident().prop_map(Operand::Ident),
    ]
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ])
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (operand(), cmp_op(), operand()).prop_map(|(a, op, b)| Expr::Cmp(a, op, b)),
        (operand(), prop::collection::vec(operand(), 0..3)).prop_map(|(a, l)| Expr::In(a, l)),
        (operand(), operand()).prop_map(|(a, b)| Expr::Contains(a, b)),
        (operand(), any::<bool>()).prop_map(|(a, n)| Expr::IsNull(a, n)),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            inner.prop_map(|e| Expr::Not(Box::new(e))),
        ]
    })
}

fn agg() -> impl Strategy<Value = Agg> {
    (
        prop::sample::select(AggFn::ALL.to_vec()),
        prop::option::of(name()),
        prop::option::of(name()),
    )
        .prop_map(|(func, column, alias)| Agg {
            func,
            column,
            alias,
            span: Span::default(),
        })
}

fn stage() -> impl Strategy<Value = Stage> {
    prop_oneof![
        expr().prop_map(Stage::Where),
        prop::collection::vec((name(), prop::option::of(any::<bool>())), 1..3).prop_map(|v| {
            Stage::Sort(
                v.into_iter()
                    .map(|(column, desc)| SortKey { column, desc })
                    .collect(),
            )
        }),
        any::<i64>().prop_map(|n| Stage::Limit(n, Span::default())),
        prop::collection::vec((name(), prop::option::of(name())), 1..3).prop_map(
            |v| Stage::Select(
                v.into_iter()
                    .map(|(column, alias)| SelectItem { column, alias })
                    .collect()
            )
        ),
        Just(Stage::Distinct),
        (
            prop::collection::vec(name(), 0..3),
            prop::collection::vec(agg(), 0..3)
        )
            .prop_filter("group needs keys or aggregates", |(b, a)| !b.is_empty()
                || !a.is_empty())
            .prop_map(|(by, aggs)| Stage::Group { by, aggs }),
        name().prop_map(Stage::Expand),
        Just(Stage::Targets(Span::default())),
        prop::option::of((any::<bool>(), name())).prop_map(|p| Stage::Producers {
            place: p.map(|(outside, place)| ProducersPlace { outside, place }),
            span: Span::default(),
        }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (
        prop::sample::select(EdgeKind::ALL.to_vec()),
        any::<bool>(),
        prop::option::of((0i64..20, prop::option::of(0i64..20))),
        prop::option::of(prop::sample::select(Kind::ALL.to_vec())),
        prop::option::of(name()),
    )
        .prop_map(|(edge, forward, hops, kind, name)| Step {
            edge,
            forward,
            hops,
            to: NodePat { kind, name },
            span: Span::default(),
        })
}

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![
        name().prop_map(Source::Find),
        (
            prop::sample::select(ListKind::ALL.to_vec()),
            prop::option::of(name())
        )
            .prop_map(|(kind, within)| Source::List { kind, within }),
        (
            any::<bool>(),
            name(),
            prop::option::of(-100i64..100),
            prop::option::of(name()),
            prop::option::of(place())
        )
            .prop_map(|(up, segment, depth, chain, place)| Source::Traverse {
                dir: if up {
                    Direction::Upstream
                } else {
                    Direction::Downstream
                },
                segment,
                opts: TraverseOpts {
                    depth: depth.map(|d| (d, Span::default())),
                    chain,
                    place
                },
            }),
        (name(), place()).prop_map(|(chain, place)| Source::Status { chain, place }),
        (
            prop::sample::select(vec![GapKind::Fill, GapKind::Extend, GapKind::Strengthen]),
            name(),
            place()
        )
            .prop_map(|(kind, chain, place)| Source::Gaps { kind, chain, place }),
        (place(), prop::option::of(float()), any::<bool>()).prop_map(
            |(place, below, inherited)| Source::Build {
                inherited,
                place,
                below: below.map(|b| (b, Span::default()))
            }
        ),
        (name(), prop::collection::vec(name(), 2..4))
            .prop_map(|(chain, places)| Source::Compare { chain, places }),
        (name(), prop::collection::vec(step(), 1..3))
            .prop_map(|(from, steps)| Source::Paths { from, steps }),
    ]
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        any::<bool>(),
        source(),
        prop::collection::vec(stage(), 0..4),
    )
        .prop_map(|(explain, source, stages)| Statement {
            explain,
            source,
            stages,
        })
}

fn date() -> impl Strategy<Value = Name> {
    prop_oneof![
        (2000u32..2100, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| Name::new(format!("{y:04}-{m:02}-{d:02}"))),
        name(),
    ]
}

fn prospect_opts() -> impl Strategy<Value = ProspectOpts> {
    (
        prop::option::of(name()),
        prop::option::of(name()),
        prop::option::of(name()),
        prop::option::of(date()),
        prop::option::of(name()),
        prop::option::of(name()),
    )
        .prop_map(
            |(chain, place, stage, date, contact, responsible)| ProspectOpts {
                chain,
                place,
                stage,
                date,
                contact,
                responsible,
            },
        )
}

/// A write statement (as a `Source::Write` statement, which takes no explain and no stages).
fn write_statement() -> impl Strategy<Value = Statement> {
    let action = prop_oneof![
        (name(), name()).prop_map(|(project, to)| WriteAction::MoveProject { project, to }),
        (name(), name(), name(), prospect_opts()).prop_map(|(firm, chain, place, mut opts)| {
            // A new 客商库 entry names its chain and place.
            opts.chain = Some(chain);
            opts.place = Some(place);
            WriteAction::AddProspect { firm, opts }
        }),
        (name(), name(), prospect_opts()).prop_map(|(firm, to, opts)| WriteAction::MoveProspect {
            firm,
            to,
            opts
        }),
        (
            any::<bool>(),
            name(),
            name(),
            prop::collection::vec(name(), 1..3),
            prop::option::of(name()),
            prop::option::of(date()),
        )
            .prop_map(|(firm, name, place, segments, status, meeting)| {
                WriteAction::Add {
                    kind: if firm {
                        AddKind::Firm
                    } else {
                        AddKind::Project
                    },
                    name,
                    place,
                    segments,
                    status,
                    meeting,
                }
            }),
        (
            prop::option::of(prop::sample::select(Kind::ALL.to_vec())),
            name(),
            name()
        )
            .prop_map(|(kind, entity, text)| WriteAction::Note { kind, entity, text }),
    ];
    (action, prop::option::of(name()), prop::option::of(name())).prop_map(
        |(action, reason, who)| Statement {
            explain: false,
            source: Source::Write(Box::new(Write {
                action,
                reason,
                who,
                span: Span::default(),
            })),
            stages: Vec::new(),
        },
    )
}

fn fixture_graph() -> crate::graph::Graph {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let loaded = crate::data::load(&[dir], Default::default()).expect("fixture");
    assert!(loaded.is_ok(), "{:?}", loaded.diags);
    crate::graph::Graph::build(loaded.dataset)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn display_round_trips(st in statement()) {
        let text = st.to_string();
        let back = parse(&text);
        prop_assert!(back.is_ok(), "`{}` does not parse: {:?}", text, back.err());
        prop_assert_eq!(back.ok(), Some(st), "text: {}", text);
    }

    #[test]
    fn writes_print_back_to_themselves(st in write_statement()) {
        let text = st.to_string();
        let back = parse(&text);
        prop_assert!(back.is_ok(), "`{}` does not parse: {:?}", text, back.err());
        prop_assert_eq!(back.ok(), Some(st), "text: {}", text);
    }

    #[test]
    fn random_bytes_never_panic_the_parser(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text);
        let _ = parse_script(&text);
    }

    #[test]
    fn query_shaped_noise_never_panics_the_parser(text in "[a-z\u{4e00}-\u{4e0f}|;,()\\[\\]\"\\\\<>=!*.\\- 0-9，；（）“”]{0,64}") {
        if let Err(e) = parse(&text) {
            let _ = e.render(&text);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Every random statement either fails with an error or runs: planning and execution
    /// never panic, whatever the names, depths, hop counts and stages.
    #[test]
    fn random_queries_never_panic_execution(st in statement()) {
        thread_local!(static GRAPH: crate::graph::Graph = fixture_graph());
        let cancel = AtomicBool::new(false);
        GRAPH.with(|g| {
            let text = st.to_string();
            match super::run_statement(g, &st, super::Ctx { cancel: &cancel, parallel: false, lang: Default::default() }) {
                Ok(_) => {}
                Err(e) => { let _ = e.render(&text); }
            }
        });
    }
}

// ------------------------------------------------------------------------------------ deep input

/// The stack the deep-input tests run on: an eighth of the 8 MiB main thread, on which the CLI
/// and the REPL run every statement. The deepest accepted inputs need about 0.75 MiB in a debug
/// build (64 brackets, each costing pest and the AST builder ≈ 10 KB), far less optimised.
const SMALL_STACK: usize = 1024 * 1024;

/// `f` on a thread with `SMALL_STACK` bytes of stack. A recursion that outgrows it aborts the
/// test process, which fails the run.
fn on_small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(SMALL_STACK)
            .spawn_scoped(s, f)
            .expect("spawn a thread")
            .join()
            .expect("the thread does not panic")
    })
}

fn shared_graph() -> &'static crate::graph::Graph {
    static GRAPH: std::sync::OnceLock<crate::graph::Graph> = std::sync::OnceLock::new();
    GRAPH.get_or_init(fixture_graph)
}

/// The whole life of a statement: parse, print, plan, run, render an error, drop. The number of
/// rows, or the error.
fn whole_life(text: &str) -> Result<usize, super::QueryError> {
    let cancel = AtomicBool::new(false);
    let outcome = (|| -> Result<usize, super::QueryError> {
        let st = parse(text)?;
        let printed = st.to_string();
        // Printing adds brackets (`a or (b and c)`), so a statement at the bracket bound may
        // print to one beyond it; whatever parses back is the same statement.
        if let Ok(back) = parse(&printed) {
            assert!(back == st, "`{printed}` parses to another statement");
        }
        let ctx = super::Ctx {
            cancel: &cancel,
            parallel: false,
            lang: Default::default(),
        };
        let (table, ..) = super::run_statement(shared_graph(), &st, ctx)?;
        Ok(table.rows.len())
    })();
    if let Err(e) = &outcome {
        let _ = e.render(text);
    }
    outcome
}

/// The number of `not` / `and` / `or` levels of a condition.
fn levels(e: &Expr) -> usize {
    match e {
        Expr::Not(x) => 1 + levels(x),
        Expr::Or(v) | Expr::And(v) => 1 + v.iter().map(levels).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn the_deepest_accepted_inputs_run_on_an_eighth_of_the_main_stack() {
    use super::parse::{MAX_CONDITION_DEPTH, MAX_INPUT, MAX_NESTING};
    let d = MAX_CONDITION_DEPTH;
    let nots = |n: usize| "not ".repeat(n);
    // `a or b and (…)`: two levels per bracket, 128 levels under 63 brackets.
    let mut groups = String::from("name = \"z\"");
    for i in 0..d / 2 {
        groups = if i == 0 {
            format!("name = \"a\" or name = \"b\" and {groups}")
        } else {
            format!("name = \"a\" or name = \"b\" and ({groups})")
        };
    }
    let accepted = [
        format!("enterprises | where {}name = \"x\"", nots(d)),
        format!("enterprises | where {groups}"),
        format!(
            "enterprises | where {}{}name = \"x\"{}",
            "(".repeat(MAX_NESTING),
            nots(d),
            ")".repeat(MAX_NESTING)
        ),
        format!(
            "enterprises | where {}name = \"x\"{}",
            "not (".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        ),
        format!(
            "enterprises | where {}name = \"x\"",
            "name = \"x\" and ".repeat(3_000)
        ),
        format!(
            "enterprises | where {}name = \"x\"",
            "name = \"x\" or ".repeat(3_000)
        ),
        format!("enterprises{}", " | limit 5".repeat(5_000)),
        format!(
            "enterprises | where {} | select name",
            vec!["name != \"x\""; 2_000].join(" | where ")
        ),
    ];
    on_small_stack(|| {
        for text in &accepted {
            assert!(text.len() <= MAX_INPUT);
            let head: String = text.chars().take(60).collect();
            let run = whole_life(text);
            assert!(run.is_ok(), "`{head}…`: {:?}", run.err().map(|e| e.message));
        }
        let st = parse(&accepted[0]).unwrap();
        let Stage::Where(e) = &st.stages[0] else {
            panic!("a where stage")
        };
        assert_eq!(levels(e), d);
    });
    let paths = format!("paths from 锂矿{}", " -[SUPPLIES]->()".repeat(3_000));
    let refused = [
        (
            format!("enterprises | where {}name = \"x\"", nots(7_500)),
            "condition nested too deep",
        ),
        (
            format!("enterprises | where {}name = \"x\"", nots(d + 1)),
            "condition nested too deep",
        ),
        (
            format!("enterprises | where not ({groups})"),
            "condition nested too deep",
        ),
        (
            format!(
                "enterprises | where {}a = 1{}",
                "(".repeat(20_000),
                ")".repeat(20_000)
            ),
            "brackets nested too deep",
        ),
        (
            format!("enterprises | where name in {}", "[".repeat(30_000)),
            "brackets nested too deep",
        ),
        (
            format!("enterprises | where name in {}", "[".repeat(MAX_NESTING)),
            "expected",
        ),
        (
            format!("chains | limit {}1", "- ".repeat(20_000)),
            "expected",
        ),
        (
            format!("enterprises | where name = {}", "-".repeat(40_000)),
            "expected",
        ),
        (paths, "at most 12 are allowed"),
        (format!("find {}", "x".repeat(MAX_INPUT)), "query too long"),
        (format!("chains {}", "| ".repeat(20_000)), "expected"),
    ];
    on_small_stack(|| {
        for (text, message) in &refused {
            let head: String = text.chars().take(40).collect();
            match whole_life(text) {
                Ok(_) => panic!("`{head}…` ran"),
                Err(e) => assert!(e.message.contains(message), "`{head}…`: {}", e.message),
            }
        }
    });
}

/// Conditions built of random layers, outside in: `not`, a bracket, or a bracket that opens an
/// `or` / `and` (`(name = "a" or …)`), then one comparison.
#[derive(Clone, Copy, Debug)]
enum Layer {
    Not,
    Bracket,
    Or,
    And,
}

fn layered(layers: &[Layer]) -> (String, Vec<usize>, usize) {
    // The text, where each level starts (the `not`, `or` or `and`), and the bracket depth.
    let mut text = String::from("enterprises | where ");
    let mut level_at = Vec::new();
    let mut brackets = 0;
    for l in layers {
        match l {
            Layer::Not => {
                level_at.push(text.len());
                text.push_str("not ");
            }
            Layer::Bracket => {
                brackets += 1;
                text.push('(');
            }
            Layer::Or | Layer::And => {
                brackets += 1;
                let word = if matches!(l, Layer::Or) { "or" } else { "and" };
                text.push_str("(name = \"a\" ");
                level_at.push(text.len());
                text.push_str(word);
                text.push(' ');
            }
        }
    }
    text.push_str("name = \"x\"");
    text.push_str(&")".repeat(brackets));
    (text, level_at, brackets)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// However `not`, brackets, `or` and `and` are nested, a condition parses exactly when it is
    /// within both bounds, the error is at the first bracket or `not` / `or` / `and` past the
    /// bound, and what parses runs — all on a small stack.
    #[test]
    fn deep_random_nesting_is_refused_at_the_bound_or_runs(
        // How many `not`s to a bracket varies, so that either bound can be the one hit.
        (not_weight, picks) in (0u8..24, prop::collection::vec(any::<u8>(), 0..400))
    ) {
        use super::parse::{MAX_CONDITION_DEPTH, MAX_NESTING};
        let layers: Vec<Layer> = picks
            .iter()
            .map(|&p| match p % (not_weight + 3) {
                0 => Layer::Bracket,
                1 => Layer::Or,
                2 => Layer::And,
                _ => Layer::Not,
            })
            .collect();
        let (text, level_at, brackets) = layered(&layers);
        let outcome = on_small_stack(|| whole_life(&text));
        if brackets > MAX_NESTING {
            let e = outcome.expect_err("too many brackets");
            prop_assert!(e.message.contains("brackets nested too deep"), "{}", e.message);
            let at = e.span.expect("a span").start;
            prop_assert_eq!(text[..=at].matches('(').count(), MAX_NESTING + 1);
        } else if level_at.len() > MAX_CONDITION_DEPTH {
            let e = outcome.expect_err("too deep");
            prop_assert!(e.message.contains("condition nested too deep"), "{}", e.message);
            prop_assert_eq!(e.span.map(|s| s.start), Some(level_at[MAX_CONDITION_DEPTH]));
        } else {
            prop_assert!(outcome.is_ok(), "{:?}", outcome.err());
            let st = parse(&text).expect("parses");
            let Stage::Where(e) = &st.stages[0] else { panic!("a where stage") };
            prop_assert_eq!(levels(e), level_at.len());
        }
    }
}
