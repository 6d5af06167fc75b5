//! Property tests: random well-formed ASTs print and parse back to themselves, random bytes
//! never panic the parser, and random queries over the fixture never panic planning or
//! execution.

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
        (place(), prop::option::of(float())).prop_map(|(place, below)| Source::Build {
            place,
            below: below.map(|b| (b, Span::default()))
        }),
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
            match super::run_statement(g, &st, super::Ctx { cancel: &cancel, parallel: false }) {
                Ok(_) => {}
                Err(e) => { let _ = e.render(&text); }
            }
        });
    }
}
