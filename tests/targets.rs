//! Target lists and project routing: properties of the lists on the seed knowledge base (whose
//! bytes are golden in tests/commands/targets.txt), and behaviour checks on the small fixture.

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

/// A fresh database holding tests/fixtures/small (tests may write beside it in the directory).
fn small_db() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db").display().to_string();
    let out = chainkb_cmd(&["import", "tests/fixtures/small", "--db", &db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (tmp, db)
}

/// A fresh database holding `fixture` plus the seed files `extra` (name, text), written in the
/// A fresh database holding tests/fixtures/small plus the seed files `extra` (name, text).
fn small_db_with(extra: &[(&str, &str)]) -> (tempfile::TempDir, String) {
    db_with("tests/fixtures/small", extra)
}

/// A candidate with many scoring tags and a revenue figure (the fixture `tagged`).
const TAGGED_CANDIDATE: (&str, &str) = (
    "candidates-tags.csv",
    include_str!("fixtures/tagged/seeds/candidates-tags.csv"),
);

/// folder `extra` of the returned directory.
fn db_with(fixture: &str, extra: &[(&str, &str)]) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("extra/seeds");
    std::fs::create_dir_all(&seeds).unwrap();
    for (name, text) in extra {
        std::fs::write(seeds.join(name), text).unwrap();
    }
    let db = tmp.path().join("db").display().to_string();
    let extra_dir = tmp.path().join("extra").display().to_string();
    let out = chainkb_cmd(&["import", fixture, &extra_dir, "--db", &db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (tmp, db)
}

/// `chainkb route … --format json` rows, with stderr.
fn route_json(db: &str, args: &[&str]) -> (Vec<serde_json::Value>, String) {
    let mut full = vec!["route"];
    full.extend(args);
    full.extend(["--format", "json", "--db", db]);
    let out = chainkb_cmd(&full);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?}: {stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    (rows, stderr)
}

/// Run chainkb on the seed database; its stdout, after the command line. The bytes are held
/// by tests/commands/targets.txt; the tests here check properties a golden file cannot state.
fn on_seed(args: &[&str]) -> String {
    let mut full: Vec<&str> = args.to_vec();
    let db = seed_db().display().to_string();
    full.extend(["--db", &db]);
    let out = chainkb_cmd(&full);
    assert!(
        out.status.success(),
        "chainkb {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "$ chainkb {}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout)
    )
}

#[test]
fn lithium_fill_gap_targets_of_yuxi_hitech_zone() {
    let out = on_seed(&[
        "targets",
        "锂电池",
        "--in",
        "玉溪高新区",
        "--limit",
        "15",
        "--format",
        "csv",
    ]);
    let rows: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(rows.len(), 15);
    // Every row says why; the local firms (恩捷, 华电达) are never candidates.
    assert!(rows.iter().all(|r| r.contains("补 ")), "{out}");
    assert!(!out.contains("恩捷") && !out.contains("华电达"), "{out}");
    assert!(out.contains("电解液") && out.contains("铜箔"), "{out}");
}

#[test]
fn optoelectronics_gap_targets_of_yuxi_hitech_zone() {
    let out = on_seed(&[
        "targets",
        "光电子",
        "--in",
        "玉溪高新区",
        "--gaps",
        "all",
        "--limit",
        "15",
        "--format",
        "csv",
    ]);
    assert!(out.lines().count() > 3, "{out}");
    assert!(
        !out.contains("蓝晶"),
        "the local sapphire firm is not a target: {out}"
    );
}

#[test]
fn an_excluded_candidate_is_listed_with_its_rule() {
    let out = on_seed(&[
        "targets",
        "锂电池",
        "--in",
        "红塔区",
        "--segment",
        "正极材料",
        "--investment",
        "0.2",
        "--excluded",
        "--limit",
        "5",
        "--format",
        "csv",
    ]);
    assert!(
        out.contains(
            "红塔-重点项目标准-新能源新材料: 新能源、新材料产业：单体项目固定资产投资 3000 万元以上"
        ),
        "{out}"
    );
}

#[test]
fn severe_overcapacity_products_are_excluded_with_their_rule() {
    let out = on_seed(&[
        "targets",
        "钢铁压延",
        "--in",
        "玉溪高新区",
        "--segment",
        "炼钢",
        "--excluded",
        "--format",
        "csv",
    ]);
    assert!(out.contains("云南-准入-严重过剩"), "{out}");
}

#[test]
fn routing_a_cathode_project() {
    let out = on_seed(&[
        "route",
        "正极材料",
        "--investment",
        "0.2",
        "--limit",
        "8",
        "--format",
        "csv",
    ]);
    let first = out.lines().nth(2).unwrap_or("");
    assert!(
        first.contains("新能源"),
        "the best park focuses on 新能源新材料: {out}"
    );
    // More than 8 parks are admitted: an excluded one takes no place among them.
    assert!(
        !out.contains("红塔-重点项目标准-新能源新材料"),
        "excluded parks come after the admitted ones: {out}"
    );
    // The whole list: 红塔区 parks are flagged for the 0.3 亿 minimum, after every admitted park.
    let db = seed_db().display().to_string();
    let all = chainkb_cmd(&[
        "route",
        "正极材料",
        "--investment",
        "0.2",
        "--limit",
        "100",
        "--format",
        "csv",
        "--db",
        &db,
    ]);
    let all = String::from_utf8_lossy(&all.stdout).to_string();
    let flagged: Vec<bool> = all
        .lines()
        .skip(1)
        .map(|r| r.ends_with("红塔-重点项目标准-新能源新材料: 新能源、新材料产业：单体项目固定资产投资 3000 万元以上"))
        .collect();
    let first_flagged = flagged.iter().position(|&f| f);
    assert!(
        first_flagged.is_some_and(|i| i > 8 && flagged[i..].iter().all(|&f| f)),
        "{all}"
    );
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
fn admission_classes_exclude_firms_and_projects_by_tag() {
    // 外地淘汰工艺正极 (tests/fixtures/small) carries 淘汰类: staff found its process in the
    // 淘汰类 of 产业结构调整指导目录. The default rules exclude it, visibly.
    let (tmp, db) = small_db();
    let list = |extra: &[&str]| {
        let mut args = vec![
            "targets",
            "锂电池",
            "--in",
            "测试高新区",
            "--segment",
            "正极材料",
            "--format",
            "csv",
            "--db",
            &db,
        ];
        args.extend(extra);
        String::from_utf8_lossy(&chainkb_cmd(&args).stdout).to_string()
    };
    let admitted = list(&[]);
    assert!(admitted.contains("外地正极材料股份有限公司"), "{admitted}");
    assert!(!admitted.contains("外地淘汰工艺正极"), "{admitted}");
    let excluded = list(&["--excluded"]);
    assert!(
        excluded.contains("外地淘汰工艺正极有限公司")
            && excluded.contains("云南-准入-淘汰类: 国家、省有关规定中淘汰类的项目一律不招"),
        "{excluded}"
    );
    assert!(!excluded.contains("外地正极材料股份有限公司"), "{excluded}");

    // Routing: a project staff classed 限制类 is excluded from every park, with the rule.
    let out = chainkb_cmd(&[
        "route",
        "正极材料",
        "--tag",
        "限制类",
        "--format",
        "csv",
        "--db",
        &db,
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(!rows.is_empty(), "{text}");
    assert!(
        rows.iter().all(|r| r.contains("云南-准入-限制类")),
        "{text}"
    );
    let out = chainkb_cmd(&["route", "正极材料", "--format", "csv", "--db", &db]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("云南-准入-限制类"));
    // With --project, the carrier's tags count: a rule on 上市 (a user's file) excludes the
    // project carried by the listed 测试电池.
    let rules = tmp.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"测试-上市\"\nkind = \"exclude_tag\"\ntag = \"上市\"\ntext = \"测试\"\nsource = \"test\"\n",
    )
    .unwrap();
    let r = rules.display().to_string();
    let out = chainkb_cmd(&[
        "route",
        "--project",
        "T-2",
        "--rules",
        &r,
        "--format",
        "csv",
        "--db",
        &db,
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.lines().count() > 1 && text.lines().skip(1).all(|r| r.contains("测试-上市")),
        "{text}"
    );
    // A misspelt class is an error, not a silent no-op.
    let out = chainkb_cmd(&["route", "正极材料", "--tag", "限制", "--db", &db]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        err.contains("unknown tag `限制` (did you mean 限制类"),
        "{err}"
    );
}

/// A firm recorded as making a segment that public bodies provide is never a target for it:
/// the gap rows say "no firm to recruit", and `targets` must not contradict them. Import and
/// check say so once; `route` notes it too.
#[test]
fn a_public_function_is_never_a_target_even_where_a_firm_makes_it() {
    let (tmp, db) = db_with(
        "tests/fixtures/mini",
        &[(
            "enterprises-public.csv",
            "id,province,city,location,revenue_yi,tags,listing,segments,source\n\
             癸疾控服务有限公司,江苏省,南京市,,50,上市,,疫苗批签发检验;菌毒种,test fixture\n\
             子接种有限公司,测试省,另一市,对手园区,5,,,预防接种;疫苗原液,test fixture\n",
        )],
    );
    let extra = tmp.path().join("extra").display().to_string();
    let out = chainkb_cmd(&["check", "tests/fixtures/mini", &extra]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "note: 菌毒种 is provided by public bodies (`public` in its template), but 1 \
             enterprise(s) are recorded as producing it (癸疾控服务有限公司)"
        ),
        "{err}"
    );
    let out = chainkb_cmd(&[
        "targets",
        "疫苗",
        "--in",
        "测试园区",
        "--gaps",
        "all",
        "--format",
        "csv",
        "--db",
        &db,
    ]);
    assert!(out.status.success());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    // 子接种 makes 疫苗原液 too (a strengthen gap: one local producer), and is listed for that
    // alone; 癸疾控 makes nothing else, and is not listed.
    assert!(!stdout.contains("癸疾控"), "{stdout}");
    let row = stdout.lines().find(|l| l.contains("子接种")).unwrap_or("");
    assert!(row.contains(",疫苗原液,"), "{stdout}");
    for public in ["菌毒种", "疫苗批签发检验"] {
        assert!(
            stderr.contains(&format!("note: {public} is a public function (")),
            "{stderr}"
        );
    }
    let out = chainkb_cmd(&["route", "预防接种", "--format", "csv", "--db", &db]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("note: 预防接种 is a public function (疾病预防控制机构)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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

#[test]
fn full_width_commas_and_enumeration_commas_separate_list_options() {
    let (_tmp, db) = small_db();
    for origin in ["长三角，珠三角", "长三角、 珠三角", "长三角,珠三角"] {
        let out = chainkb_cmd(&[
            "targets",
            "锂电池",
            "--in",
            "测试高新区",
            "--segment",
            "正极材料",
            "--origin",
            origin,
            "--tag",
            "上市，世界500强、淘汰类,",
            "--excluded",
            "--format",
            "csv",
            "--db",
            &db,
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{origin}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("外地淘汰工艺正极有限公司"),
            "{origin}: {stdout}"
        );
    }
    let (rows, _) = route_json(&db, &["正极材料", "--tag", "限制类，淘汰类"]);
    assert!(
        !rows.is_empty() && rows.iter().all(|r| !r["excluded_by"].is_null()),
        "{rows:#?}"
    );
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

#[test]
fn a_firm_without_revenue_gets_the_median_revenue_points_and_the_note_counts_them() {
    const NINE: (&str, &str) = (
        "candidates-nine.csv",
        "id,name,aliases,credit_code,province,city,location,revenue_yi,tags,listing,segments,industries,source,notes\n\
         外地九亿正极有限公司,,,91110000TEST00001X,广东省,深圳市,,9,,深交所:000001;港交所:00001,正极材料,,test fixture: revenue,\n",
    );
    let scales = |db: &str, weights: Option<&str>| -> (Vec<(String, f64)>, String) {
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
        let named = rows
            .iter()
            .map(|r| {
                (
                    r["enterprise"].as_str().unwrap().to_string(),
                    r["scale"].as_f64().unwrap(),
                )
            })
            .collect();
        (named, String::from_utf8_lossy(&out.stderr).to_string())
    };
    let scale_of = |rows: &[(String, f64)], who: &str| {
        rows.iter()
            .find(|(n, _)| n == who)
            .map(|(_, s)| *s)
            .unwrap()
    };
    let no_revenue = "外地正极材料股份有限公司";
    // 99 亿 → 2 points, 9 亿 → 1 point: the median of the two is 1.5.
    for (extra, points, with) in [
        (vec![TAGGED_CANDIDATE], 2.0, 1),
        (vec![TAGGED_CANDIDATE, NINE], 1.5, 2),
    ] {
        let (tmp, db) = small_db_with(&extra);
        let zero = tmp.path().join("zero.toml");
        std::fs::write(&zero, "[scale]\nrevenue = 0\n").unwrap();
        let (with_revenue, note) = scales(&db, None);
        let (tags_only, _) = scales(&db, Some(&zero.display().to_string()));
        let neutral = scale_of(&with_revenue, no_revenue) - scale_of(&tags_only, no_revenue);
        assert!((neutral - points).abs() < 1e-9, "{neutral} ≠ {points}");
        let n = with_revenue.len();
        assert!(
            note.contains(&format!(
                "{} of the {n} firms listed have no 营业收入 figure",
                n - with
            )) && note.contains(&format!(
                "the median of the candidates with one, {points}, not as 0"
            )),
            "{note}"
        );
    }
    // The new columns: credit code, listing (markets joined with 、), tags, revenue.
    let (_tmp, db) = small_db_with(&[NINE]);
    let out = chainkb_cmd(&[
        "targets",
        "锂电池",
        "--in",
        "测试高新区",
        "--segment",
        "正极材料",
        "--format",
        "json",
        "--db",
        &db,
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let nine = rows
        .iter()
        .find(|r| r["enterprise"] == "外地九亿正极有限公司")
        .unwrap();
    assert_eq!(nine["credit_code"], "91110000TEST00001X");
    assert_eq!(nine["listing"], "深交所:000001、港交所:00001");
    assert_eq!(nine["revenue_yi"], 9);
    let other = rows.iter().find(|r| r["enterprise"] == no_revenue).unwrap();
    assert!(other["revenue_yi"].is_null());
    assert!(
        other["reason"]
            .as_str()
            .unwrap()
            .contains("营收未知按中位数计"),
        "{other}"
    );
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

/// `--lang zh` (the default outside these tests) shows the target list with Chinese headers; the
/// ids stay in JSON.
#[test]
fn a_target_list_has_chinese_headers_by_default_and_ids_in_json() {
    let db = seed_db().display().to_string();
    let base = [
        "targets",
        "锂电池",
        "--in",
        "玉溪高新区",
        "--limit",
        "2",
        "--db",
        &db,
    ];
    let mut args = base.to_vec();
    args.extend(["--lang", "zh", "--format", "csv"]);
    let out = chainkb_cmd(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.starts_with(
            "序号,排名,企业,省份,城市,统一社会信用代码,上市情况,标签,营收（亿元）,对应缺口,得分,"
        ),
        "{csv}"
    );
    let mut args = base.to_vec();
    args.extend(["--lang", "zh", "--format", "json"]);
    let out = chainkb_cmd(&args);
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(
        json.contains(r#""enterprise": "#) && json.contains(r#""score": "#),
        "{json}"
    );
}
