//! Unit tests of `draw::chain`: layout, geometry and the SVG / DOT output.

use super::svg::{dot_label, dot_quote};
use super::*;

fn boxed(name: &str, stage: Stage, column: usize, row: usize) -> SegmentBox {
    SegmentBox {
        segment: 0,
        name: name.into(),
        stage,
        mark: Mark::Neutral,
        status: String::new(),
        who: Vec::new(),
        note: None,
        public: false,
        column,
        row,
    }
}

#[test]
fn layers_stay_inside_their_band() {
    // 0 (上游) → 1 (中游) → 2 (下游), and 0 → 2 directly; 3 (中游) → 1.
    let stage = [
        Stage::Upstream,
        Stage::Midstream,
        Stage::Downstream,
        Stage::Midstream,
    ];
    let layer = band_layers(&stage, &[(0, 1), (1, 2), (0, 2), (3, 1)]);
    assert_eq!(layer, [0, 1, 0, 0]);
}

#[test]
fn escaping() {
    assert_eq!(dot_quote("a\"b"), "\"a\\\"b\"");
    assert_eq!(
        dot_label(&["铝箔".into(), "a\"b".into()]),
        "\"铝箔\\na\\\"b\""
    );
}

#[test]
fn routes_never_cross_a_box_they_do_not_join() {
    // A grid 4 columns × 3 rows, every box; edges that skip columns, go back, stay in a row.
    let mut boxes = Vec::new();
    for c in 0..4 {
        for r in 0..3 {
            let stage = STAGES[c.min(2)];
            boxes.push(boxed(&format!("b{c}{r}"), stage, c, r));
        }
    }
    let id = |c: usize, r: usize| c * 3 + r;
    let edges = vec![
        (id(0, 0), id(3, 0)),
        (id(0, 1), id(3, 2)),
        (id(0, 2), id(1, 0)),
        (id(3, 1), id(0, 1)),
        (id(1, 1), id(2, 1)),
        (id(2, 2), id(2, 0)),
        (id(0, 0), id(2, 2)),
    ];
    let p = Picture {
        title: "t".into(),
        boxes,
        edges,
        bands: vec![
            Band {
                stage: Stage::Upstream,
                label: "上游",
                first: 0,
                width: 1,
            },
            Band {
                stage: Stage::Midstream,
                label: "中游",
                first: 1,
                width: 1,
            },
            Band {
                stage: Stage::Downstream,
                label: "下游",
                first: 2,
                width: 2,
            },
        ],
        footer: String::new(),
    };
    let geo = geometry(&p);
    for (&(a, b), pts) in p.edges.iter().zip(&geo.edges) {
        assert_eq!(pts[0], (geo.boxes[a].x + BOX_W, pts[0].1));
        assert_eq!(pts.last().map(|p| p.0), Some(geo.boxes[b].x));
        for w in pts.windows(2) {
            assert!(
                w[0].0 == w[1].0 || w[0].1 == w[1].1,
                "not orthogonal: {w:?}"
            );
            for (k, r) in geo.boxes.iter().enumerate() {
                if k != a && k != b {
                    assert!(!r.crossed_by(w[0], w[1]), "edge {a}→{b} crosses box {k}");
                }
            }
            // Not through its own ends either, beyond touching their sides.
            assert!(!geo.boxes[a].crossed_by(w[0], w[1]));
            assert!(!geo.boxes[b].crossed_by(w[0], w[1]));
        }
    }
}

#[test]
fn a_crossing_is_found() {
    let r = Rect {
        x: 10.0,
        y: 10.0,
        w: 10.0,
        h: 10.0,
    };
    assert!(r.crossed_by((0.0, 15.0), (30.0, 15.0)));
    assert!(!r.crossed_by((0.0, 10.0), (30.0, 10.0)));
    assert!(!r.crossed_by((0.0, 15.0), (10.0, 15.0)));
}
