//! Unit tests of `journal`: events, replay and the closed loop.

use super::*;

#[test]
fn dates_round_trip_and_reject_nonsense() {
    for s in ["1970-01-01", "2000-02-29", "2026-12-06", "2100-12-31"] {
        let d = parse_date(s).expect(s);
        let (y, m, dd) = civil_from_days(d);
        assert_eq!(format!("{y:04}-{m:02}-{dd:02}"), s);
    }
    assert_eq!(parse_date("1970-01-02"), Some(1));
    for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "昨天", ""] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}

#[test]
fn the_loop_allows_only_its_moves() {
    assert_eq!(allowed_moves("签约"), vec!["履约"]);
    assert_eq!(allowed_moves("开工"), vec!["在建", "停工"]);
    assert!(allowed_moves("投产").is_empty());
    // Without a status, a project may take any.
    assert_eq!(allowed_moves("").len(), PROJECT_LOOP.len());
    assert_eq!(parse_loop_status("复工项目"), Some("复工"));
    assert_eq!(data_status("履约"), Some(ProjectStatus::Signed));
    assert_eq!(allowed_stages("在谈"), vec!["在谈", "已签约", "已落地"]);
}

fn ev(seq: u64, change: Change) -> Event {
    Event {
        seq,
        time: "2026-12-01 09:00:00".into(),
        who: "t".into(),
        statement: String::new(),
        reason: String::new(),
        change,
    }
}

/// Two segments, one region `r`, one project `p` (推介) building s0.
fn small() -> Dataset {
    let mut ds = Dataset::segments_only(2);
    for (kind, id, attrs) in [
        (
            Kind::Region,
            "r",
            Attrs::Region {
                level: "区县".into(),
            },
        ),
        (
            Kind::Project,
            "p",
            Attrs::Project(Box::new(ProjectAttrs {
                status: Some(ProjectStatus::Promoted),
                ..Default::default()
            })),
        ),
    ] {
        ds.nodes.push(Node::new(kind, id.into(), attrs, 0));
    }
    ds
}

#[test]
fn status_moves_and_meeting_firms_change_the_dataset() {
    let mut ds = small();
    let n = ds.nodes.len();
    let events = vec![
        ev(
            1,
            Change::ProjectStatus {
                project: "p".into(),
                from: "推介".into(),
                to: "在谈".into(),
            },
        ),
        ev(
            2,
            Change::AddFirm {
                id: "新企业".into(),
                place: "r".into(),
                segments: vec!["s1".into()],
                meeting: "2026-12-06".into(),
            },
        ),
        ev(
            3,
            Change::AddFirm {
                id: "另一家".into(),
                place: "r".into(),
                segments: vec!["不存在".into()],
                meeting: "2026-12-06".into(),
            },
        ),
    ];
    let applied = apply(&mut ds, &events);
    let p = ds.nodes.iter().position(|n| &*n.id == "p").unwrap() as u32;
    assert!(
        matches!(&ds.node(p).attrs, Attrs::Project(a) if a.status == Some(ProjectStatus::Negotiating))
    );
    assert_eq!(applied.status_of(&ds, p), "在谈");
    // The firm is added with its place and segment, provenance journal.csv:<seq + 1>.
    assert_eq!(ds.nodes.len(), n + 1);
    let firm = ds.nodes.last().unwrap();
    assert_eq!((&*firm.id, firm.kind), ("新企业", Kind::Enterprise));
    assert_eq!(
        ds.provenance(firm.row),
        "journal.csv:3 — 会议 2026-12-06（日志 #2）"
    );
    let kinds: Vec<EdgeKind> = ds.edges.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![EdgeKind::LocatedIn, EdgeKind::Produces]);
    // A segment that is gone makes the event an orphan, named.
    assert_eq!(applied.orphans.len(), 1);
    assert!(
        applied.orphans[0].what.contains("不存在"),
        "{:?}",
        applied.orphans
    );
}

#[test]
fn the_prospect_stages_reach_the_dataset_by_node_and_the_last_move_counts() {
    let mut ds = small();
    ds.nodes
        .push(Node::new(Kind::Chain, "c".into(), Attrs::Chain, 0));
    let prospect = |firm: &str, stage: &str| Change::Prospect {
        firm: firm.into(),
        place: "r".into(),
        chain: "c".into(),
        from: String::new(),
        stage: stage.into(),
        date: String::new(),
        contact: String::new(),
        responsible: String::new(),
    };
    let events = vec![
        ev(
            1,
            Change::AddFirm {
                id: "新企业".into(),
                place: "r".into(),
                segments: vec!["s1".into()],
                meeting: "2026-12-06".into(),
            },
        ),
        ev(2, prospect("新企业", "目标")),
        ev(3, prospect("新企业", "已签约")),
        ev(4, prospect("不在数据中", "目标")),
    ];
    let applied = apply(&mut ds, &events);
    let at = |id: &str| ds.nodes.iter().position(|n| &*n.id == id).unwrap() as u32;
    let (r, c, firm) = (at("r"), at("c"), at("新企业"));
    assert_eq!(ds.prospect_stage(r, c, firm), Some("已签约"));
    assert!(ds.has_prospects(r, c));
    // The firm that is gone is an orphan, not a stage.
    assert_eq!(ds.prospects.len(), 1);
    assert_eq!(applied.orphans.len(), 1);
    assert_eq!(ds.prospect_stage(r, c, at("p")), None);
}

#[test]
fn an_event_whose_entity_is_gone_is_reported_not_applied() {
    let mut ds = Dataset::segments_only(2);
    let events = vec![
        ev(
            1,
            Change::ProjectStatus {
                project: "P-gone".into(),
                from: "推介".into(),
                to: "在谈".into(),
            },
        ),
        ev(
            2,
            Change::Note {
                entity_kind: Kind::Segment.as_str().into(),
                id: "s1".into(),
                text: "x".into(),
            },
        ),
    ];
    let applied = apply(&mut ds, &events);
    assert_eq!(applied.orphans.len(), 1);
    assert_eq!(applied.orphans[0].seq, 1);
    assert!(applied.orphans[0].what.contains("P-gone"));
    assert!(applied.project_status.is_empty());
    assert_eq!(applied.last_seq, 2);
}
