//! Unit tests of the planner: name resolution, shared aliases, `explain` lines.
use super::*;
use crate::query::parse;

/// The fixture, with the alias 同名 on every enterprise and project (13 entities) and 两家
/// on two enterprises.
fn fixture_with_shared_aliases() -> Graph {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let mut ds = crate::data::load(&[dir], Default::default())
        .expect("fixture")
        .dataset;
    let mut firms = 0;
    for n in &mut ds.nodes {
        if matches!(n.kind, Kind::Enterprise | Kind::Project) {
            let mut aliases = n.aliases().to_vec();
            aliases.push("同名".into());
            if n.kind == Kind::Enterprise && firms < 2 {
                aliases.push("两家".into());
                firms += 1;
            }
            let display_name = n.display_name().map(Box::from);
            n.set_names(display_name, aliases.into());
        }
    }
    Graph::build(ds)
}

fn filter(g: &Graph, q: &str) -> Cond {
    let p = plan(g, &parse::parse(q).expect("parses")).expect("plans");
    match &p.ops[0].0 {
        Op::Filter(c) => c.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_value_naming_a_few_entities_matches_their_names_and_one_naming_many_does_not() {
    let g = fixture_with_shared_aliases();
    let text = |s: &str| Arg::Val(Value::text(s));
    // 两家 names two enterprises: `=` holds for either, `!=` for neither.
    let Cond::Or(any) = filter(&g, "enterprises | where name = 两家") else {
        panic!("two names")
    };
    assert_eq!(any.len(), 3);
    let Cond::And(none) = filter(&g, "enterprises | where name != 两家") else {
        panic!("two names")
    };
    assert_eq!(none.len(), 3);
    let Cond::In(_, items) = filter(&g, "enterprises | where name in [两家, x]") else {
        panic!("in")
    };
    assert_eq!(items.len(), 4);
    // 同名 names 13 entities: a word, compared as the text it is.
    assert_eq!(
        filter(&g, "enterprises | where name = 同名"),
        Cond::Cmp(Arg::Col(0), CmpOp::Eq, text("同名"))
    );
    assert_eq!(
        filter(&g, "enterprises | where segments contains 同名"),
        Cond::Contains(Arg::Col(7), text("同名"))
    );
    // A value that names no entity is left alone; a number column against a name is an
    // error (it holds for every row).
    assert_eq!(
        filter(&g, "enterprises | where location = missing"),
        Cond::Cmp(Arg::Col(3), CmpOp::Eq, text("missing"))
    );
    let st = parse::parse("enterprises | where revenue_yi != 两家").expect("parses");
    let err = plan(&g, &st).expect_err("numbers against text");
    assert!(
        err.message
            .contains("compares numbers with text: it is true for every row"),
        "{err:?}"
    );
}
