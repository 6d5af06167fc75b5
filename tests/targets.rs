//! Target lists and project routing: what a golden file cannot state. What a user sees of
//! `chainkb targets` and `chainkb route` is golden in tests/commands/ (targets.txt and
//! admission.txt on the seed knowledge base, targets-small.txt, admission.txt, revenue.txt,
//! route.txt and public-functions.txt on the fixtures); here are the workbooks' sheets and
//! properties over whole lists (scores that add up, two ways to the same list).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A database holding the repository's graphs/ and seeds/, imported once per test run.
fn seed_db() -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, db) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let out = chainkb_cmd(&["import", ".", "--db", &db.display().to_string()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (dir, db)
    });
    db
}

/// One chainkb process at a time: a database is held by one process (tests run in parallel).
fn chainkb_cmd(args: &[&str]) -> std::process::Output {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    Command::new(env!("CARGO_BIN_EXE_chainkb"))
        .current_dir(root())
        .args(args)
        .env_remove("CHAINKB_DB")
        // These goldens and notes are held in English (column ids, `note:`); the Chinese
        // labels of the same table code are checked by tests/scripts.rs and tests/cli.rs.
        .env("CHAINKB_LANG", "en")
        .output()
        .unwrap()
}

/// A fresh database holding the data folders `folders` (paths from the repository's root;
/// tests may write beside it in the directory).
fn db_of(folders: &[&str]) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db").display().to_string();
    let mut args = vec!["import"];
    args.extend(folders);
    args.extend(["--db", &db]);
    let out = chainkb_cmd(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (tmp, db)
}

/// A fresh database holding tests/fixtures/small.
fn small_db() -> (tempfile::TempDir, String) {
    db_of(&["tests/fixtures/small"])
}

#[test]
fn a_target_list_exports_to_a_workbook_with_a_sheet_per_gap_segment() {
    // What the list holds, and the errors of its options and rules files, are golden in
    // tests/commands/targets-small.txt; a golden file cannot open a workbook.
    let (tmp, db) = small_db();
    // Export to Excel.
    let xlsx = tmp.path().join("t.xlsx");
    let out = chainkb_cmd(&[
        "targets",
        "锂电池",
        "--in",
        "测试高新区",
        "--segment",
        "正极材料",
        "-o",
        &xlsx.display().to_string(),
        "--db",
        &db,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
    // A sheet for the whole list, then one per gap segment, then 说明.
    use calamine::Reader;
    let wb = calamine::open_workbook_auto(&xlsx).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec![
            "锂电池 测试高新区".to_string(),
            "正极材料".to_string(),
            "说明".to_string()
        ]
    );
}

#[test]
fn a_workbook_asked_for_in_english_has_english_headers() {
    // Bug: `--lang en` printed English headers on the terminal but wrote the workbook's in
    // Chinese (the list's table was left in the default language).
    use calamine::Reader;
    let (tmp, db) = small_db();
    let header_of = |lang: &str| {
        let xlsx = tmp.path().join(format!("t-{lang}.xlsx"));
        let out = chainkb_cmd(&[
            "--lang",
            lang,
            "targets",
            "锂电池",
            "--in",
            "测试高新区",
            "-o",
            &xlsx.display().to_string(),
            "--db",
            &db,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut wb = calamine::open_workbook_auto(&xlsx).unwrap();
        let range = wb.worksheet_range("锂电池 测试高新区").unwrap();
        let first: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        first
    };
    let zh = header_of("zh");
    let en = header_of("en");
    assert_eq!(zh.len(), en.len());
    assert!(zh.contains(&"企业".to_string()), "{zh:?}");
    assert!(en.contains(&"enterprise".to_string()), "{en:?}");
    assert!(!en.iter().any(|h| h == "企业"), "{en:?}");
}

#[test]
fn every_scoring_tag_is_named_in_the_reason() {
    // A candidate with every scoring tag is golden in tests/commands/targets-small.txt.
    // On the seed data (no revenue figures), a row's scale is the points of the tags its
    // reason names.
    let weights = chainkb::targets::config::Weights::defaults();
    let seed = seed_db().display().to_string();
    let out = chainkb_cmd(&[
        "targets",
        "锂电池",
        "--in",
        "玉溪高新区",
        "--gaps",
        "all",
        "--limit",
        "500",
        "--format",
        "json",
        "--db",
        &seed,
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows.len() > 30);
    let mut many = 0;
    for row in &rows {
        let named: Vec<&str> = row["reason"]
            .as_str()
            .unwrap()
            .split("; ")
            .flat_map(|item| item.split('、'))
            .filter(|t| weights.scale.tags.contains_key(*t))
            .collect();
        many += usize::from(named.len() > 3);
        let points: f64 = named.iter().map(|t| weights.scale.tags[*t]).sum();
        assert!(
            (points - row["scale"].as_f64().unwrap()).abs() < 1e-9,
            "{row}"
        );
    }
    assert!(many > 0, "no row with more than 3 scoring tags");
}

/// The workbook's per-gap sheets hold each gap's own best firms: with `--gaps all` and a small
/// `--limit`, fill gaps whose firms rank below the overall top still get their sheet.
#[test]
fn workbook_sheets_per_gap_are_not_cut_from_the_overall_top() {
    use calamine::Reader;
    let tmp = tempfile::tempdir().unwrap();
    let xlsx = tmp.path().join("all.xlsx");
    let db = seed_db().display().to_string();
    let out = chainkb_cmd(&[
        "targets",
        "锂电池",
        "--in",
        "玉溪高新区",
        "--gaps",
        "all",
        "--limit",
        "3",
        "-o",
        &xlsx.display().to_string(),
        "--db",
        &db,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut wb = calamine::open_workbook_auto(&xlsx).unwrap();
    let names = wb.sheet_names();
    // The overall sheet has the top 3; 铜箔 and 电解液 (fill gaps whose firms are not all in
    // the overall top 3) have sheets of their own with up to 3 firms each.
    let rows_of = |wb: &mut calamine::Sheets<_>, sheet: &str| {
        wb.worksheet_range(sheet).unwrap().rows().count() - 1
    };
    assert_eq!(rows_of(&mut wb, &names[0]), 3, "{names:?}");
    for gap in ["铜箔", "电解液"] {
        assert!(
            names.iter().any(|n| n == gap),
            "no sheet for {gap}: {names:?}"
        );
        let n = rows_of(&mut wb, gap);
        assert!((1..=3).contains(&n), "{gap}: {n} rows");
    }
    assert_eq!(
        rows_of(&mut wb, "电解液"),
        3,
        "电解液 has at least 3 outside producers"
    );
}

/// The revenue points of a firm without a figure are the median of the candidates' with one:
/// measured as its scale with the revenue weight less its scale without. The lists and notes
/// themselves are golden in tests/commands/targets-small.txt (the tagged candidate alone, median
/// 2) and tests/commands/revenue.txt (with tests/fixtures/nine too, median 1.5).
#[test]
fn a_firm_without_revenue_gets_the_median_revenue_points() {
    let scales = |db: &str, weights: Option<&str>| -> Vec<(String, f64)> {
        let mut args = vec![
            "targets",
            "锂电池",
            "--in",
            "测试高新区",
            "--segment",
            "正极材料",
            "--format",
            "json",
            "--db",
            db,
        ];
        if let Some(w) = weights {
            args.extend(["--weights", w]);
        }
        let out = chainkb_cmd(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        rows.iter()
            .map(|r| {
                (
                    r["enterprise"].as_str().unwrap().to_string(),
                    r["scale"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let scale_of = |rows: &[(String, f64)], who: &str| {
        rows.iter()
            .find(|(n, _)| n == who)
            .map(|(_, s)| *s)
            .unwrap()
    };
    let no_revenue = "外地正极材料股份有限公司";
    // 99 亿 → 2 points, 9 亿 → 1 point: the median of the two is 1.5.
    for (folders, points) in [
        (vec!["tests/fixtures/small", "tests/fixtures/tagged"], 2.0),
        (
            vec![
                "tests/fixtures/small",
                "tests/fixtures/tagged",
                "tests/fixtures/nine",
            ],
            1.5,
        ),
    ] {
        let (tmp, db) = db_of(&folders);
        let zero = tmp.path().join("zero.toml");
        std::fs::write(&zero, "[scale]\nrevenue = 0\n").unwrap();
        let with_revenue = scales(&db, None);
        let tags_only = scales(&db, Some(&zero.display().to_string()));
        let neutral = scale_of(&with_revenue, no_revenue) - scale_of(&tags_only, no_revenue);
        assert!((neutral - points).abs() < 1e-9, "{neutral} ≠ {points}");
    }
}

/// `targets --origin` (every preferred region) and `| targets | where origin > 0` list the same
/// firms in the same order with the same rank (from the whole ranking) and 序号 1..n.
#[test]
fn origin_option_and_where_origin_agree_on_firms_order_rank_and_number() {
    let db = seed_db().display().to_string();
    let cli = chainkb_cmd(&[
        "targets",
        "锂电池",
        "--in",
        "玉溪高新区",
        "--origin",
        "长三角,珠三角,京津冀,成渝",
        "--limit",
        "1000",
        "--format",
        "json",
        "--db",
        &db,
    ]);
    let query = chainkb_cmd(&[
        "query",
        "fill 锂电池 in 玉溪高新区 | targets | where origin > 0",
        "--format",
        "json",
        "--db",
        &db,
    ]);
    let rows = |out: &std::process::Output| -> Vec<(String, i64, i64)> {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        v.iter()
            .map(|r| {
                (
                    r["enterprise"].as_str().unwrap().to_string(),
                    r["rank"].as_i64().unwrap(),
                    r["no"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let (a, b) = (rows(&cli), rows(&query));
    assert!(a.len() > 5, "{a:?}");
    assert_eq!(a, b);
    let no: Vec<i64> = a.iter().map(|r| r.2).collect();
    assert_eq!(no, (1..=a.len() as i64).collect::<Vec<_>>());
    // The filter dropped firms: ranks have holes, 序号 has none.
    let ranks: Vec<i64> = a.iter().map(|r| r.1).collect();
    assert!(ranks.iter().zip(&no).any(|(r, n)| r != n), "{ranks:?}");
}
