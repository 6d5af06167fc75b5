//! Unit tests of `journal::snapshot`.

use super::*;

fn snap(name: &str, firms: &[&str], journal_seq: u64) -> Snapshot {
    Snapshot {
        name: name.into(),
        time: "2026-12-01 09:00:00".into(),
        label: "data".into(),
        generation: 1,
        journal_seq,
        names: BTreeMap::new(),
        cells: Vec::new(),
        firms: firms.iter().map(|f| f.to_string()).collect(),
        projects: BTreeMap::new(),
        prospects: Vec::new(),
        targets: vec![TargetTop {
            place: "p".into(),
            chain: "c".into(),
            top: 2,
            firms: firms.iter().take(2).map(|f| f.to_string()).collect(),
        }],
    }
}

#[test]
fn firms_entering_and_leaving_a_target_lists_top_are_changes() {
    let g = Graph::build(crate::model::Dataset::segments_only(1));
    let a = snap("a", &["甲", "乙", "丙"], 0);
    let mut b = snap("b", &["丙", "甲"], 0);
    // 乙 left the data too.
    b.firms.remove("乙");
    let changes = diff(&a, &b, &[], &g);
    let t: Vec<(&str, &str, &str)> = changes
        .iter()
        .filter(|c| c.section == Section::Targets)
        .map(|c| (c.what.as_str(), c.old.as_str(), c.new.as_str()))
        .collect();
    assert_eq!(
        t,
        vec![
            ("p · c（前2名） · 丙", "—", "第1名"),
            ("p · c（前2名） · 乙", "第2名", "移出（企业已不在库）"),
        ]
    );
    // A list kept with another length is not compared.
    b.targets[0].top = 3;
    assert!(
        diff(&a, &b, &[], &g)
            .iter()
            .all(|c| c.section != Section::Targets)
    );
}

#[test]
fn names_that_would_leave_the_folder_are_refused() {
    for bad in ["", "../x", "a/b", ".hidden", "a\\b"] {
        assert!(check_name(bad).is_err(), "{bad}");
    }
    for ok in ["会前", "2026-12 月度会", "v1.2"] {
        assert!(check_name(ok).is_ok(), "{ok}");
    }
}
