//! Target lists and project routing: golden outputs on the seed knowledge base
//! (tests/golden/*.txt; `UPDATE_GOLDENFILES=1 cargo test --test targets` rewrites them), and
//! behaviour checks on the small fixture.

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

/// Run chainkb on the seed database and compare stdout with tests/golden/NAME.txt.
fn golden(name: &str, args: &[&str]) -> String {
    let mut full: Vec<&str> = args.to_vec();
    let db = seed_db().display().to_string();
    full.extend(["--db", &db]);
    let out = chainkb_cmd(&full);
    assert!(
        out.status.success(),
        "chainkb {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = format!(
        "$ chainkb {}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout)
    );
    let path = root().join("tests/golden").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDENFILES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        got,
        want,
        "golden file {} differs (UPDATE_GOLDENFILES=1 to accept)",
        path.display()
    );
    got
}

#[test]
fn lithium_fill_gap_targets_of_yuxi_hitech_zone() {
    let out = golden(
        "targets-lithium-fill",
        &[
            "targets",
            "锂电池",
            "--in",
            "玉溪高新区",
            "--limit",
            "15",
            "--format",
            "csv",
        ],
    );
    let rows: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(rows.len(), 15);
    // Every row says why; the local firms (恩捷, 华电达) are never candidates.
    assert!(rows.iter().all(|r| r.contains("补 ")), "{out}");
    assert!(!out.contains("恩捷") && !out.contains("华电达"), "{out}");
    assert!(out.contains("电解液") && out.contains("铜箔"), "{out}");
}

#[test]
fn optoelectronics_gap_targets_of_yuxi_hitech_zone() {
    let out = golden(
        "targets-optoelectronics",
        &[
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
        ],
    );
    assert!(out.lines().count() > 3, "{out}");
    assert!(
        !out.contains("蓝晶"),
        "the local sapphire firm is not a target: {out}"
    );
}

#[test]
fn an_excluded_candidate_is_listed_with_its_rule() {
    let out = golden(
        "targets-excluded-min-investment",
        &[
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
        ],
    );
    assert!(
        out.contains(
            "红塔-重点项目标准-新能源新材料: 新能源、新材料产业：单体项目固定资产投资 3000 万元以上"
        ),
        "{out}"
    );
    // With enough investment nobody is excluded.
    let db = seed_db().display().to_string();
    let ok = chainkb_cmd(&[
        "targets",
        "锂电池",
        "--in",
        "红塔区",
        "--segment",
        "正极材料",
        "--investment",
        "5",
        "--excluded",
        "--format",
        "csv",
        "--db",
        &db,
    ]);
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout).lines().count(),
        1,
        "only the header"
    );
}

#[test]
fn severe_overcapacity_products_are_excluded_with_their_rule() {
    let out = golden(
        "targets-excluded-overcapacity",
        &[
            "targets",
            "钢铁压延",
            "--in",
            "玉溪高新区",
            "--segment",
            "炼钢",
            "--excluded",
            "--format",
            "csv",
        ],
    );
    assert!(out.contains("云南-准入-严重过剩"), "{out}");
    // … and so they are not among the admitted targets.
    let db = seed_db().display().to_string();
    let ok = chainkb_cmd(&[
        "targets",
        "钢铁压延",
        "--in",
        "玉溪高新区",
        "--segment",
        "炼钢",
        "--format",
        "csv",
        "--db",
        &db,
    ]);
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout).lines().count(),
        1,
        "only the header"
    );
}

#[test]
fn routing_a_cathode_project() {
    let out = golden(
        "route-cathode",
        &[
            "route",
            "正极材料",
            "--investment",
            "0.2",
            "--limit",
            "8",
            "--format",
            "csv",
        ],
    );
    let first = out.lines().nth(2).unwrap_or("");
    assert!(
        first.contains("新能源"),
        "the best park focuses on 新能源新材料: {out}"
    );
    assert!(
        out.contains("红塔-重点项目标准-新能源新材料"),
        "a 红塔区 park is flagged for the 0.3 亿 minimum: {out}"
    );
}

#[test]
fn relations_tags_and_origin_explain_the_score_on_the_fixture() {
    let (tmp, db) = small_db();
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
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    // 外地正极 supplies the local 测试电池 (以商招商), is in 江苏 (长三角), and a project for
    // 正极材料 is planned locally.
    assert!(
        text.contains("\"enterprise\": \"外地正极材料股份有限公司\""),
        "{text}"
    );
    assert!(text.contains("已向 测试电池有限公司 供货"), "{text}");
    assert!(text.contains("长三角"), "{text}");
    assert!(text.contains("本地已有规划项目"), "{text}");
    assert!(text.contains("\"relation\": 2"), "{text}");
    // Unknown names and bad options are user errors with suggestions.
    let out = chainkb_cmd(&["targets", "锂电", "--in", "测试高新区", "--db", &db]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean 锂电池"));
    let out = chainkb_cmd(&[
        "targets",
        "锂电池",
        "--in",
        "测试高新区",
        "--origin",
        "西北",
        "--db",
        &db,
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("origin `西北` is not one of"));
    // A user's rules file: an exclude_segment rule excludes, and names must resolve.
    let rules = tmp.path().join("rules.toml");
    std::fs::write(&rules, "[[rule]]\nid = \"测试-淘汰\"\nkind = \"exclude_segment\"\nsegments = [\"正极材料\"]\ntext = \"淘汰类（测试）\"\nsource = \"test\"\n").unwrap();
    let r = rules.display().to_string();
    let out = chainkb_cmd(&[
        "targets",
        "锂电池",
        "--in",
        "测试高新区",
        "--segment",
        "正极材料",
        "--rules",
        &r,
        "--excluded",
        "--format",
        "csv",
        "--db",
        &db,
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("外地正极材料股份有限公司") && text.contains("测试-淘汰: 淘汰类（测试）"),
        "{text}"
    );
    std::fs::write(&rules, "[[rule]]\nid = \"x\"\nkind = \"exclude_segment\"\nsegments = [\"正级材料\"]\ntext = \"\"\nsource = \"\"\n").unwrap();
    let out = chainkb_cmd(&[
        "targets",
        "锂电池",
        "--in",
        "测试高新区",
        "--segment",
        "正极材料",
        "--rules",
        &r,
        "--db",
        &db,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean 正极材料"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    // A sheet for the whole list, then one per gap segment.
    use calamine::Reader;
    let wb = calamine::open_workbook_auto(&xlsx).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["锂电池 测试高新区".to_string(), "正极材料".to_string()]
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

#[test]
fn a_gap_nobody_outside_produces_is_named_not_left_as_an_empty_list() {
    let db = seed_db().display().to_string();
    let out = chainkb_cmd(&[
        "targets",
        "疫苗",
        "--in",
        "玉溪高新区",
        "--segment",
        "预防接种",
        "--segment",
        "细胞培养基",
        "--format",
        "csv",
        "--db",
        &db,
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "no enterprise outside 玉溪高新技术产业开发区 in the database produces 预防接种 —"
        ),
        "{err}"
    );
    assert!(!err.contains("细胞培养基"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("细胞培养基"));
    // The query stage says the same: under the table, or on stderr for CSV and JSON so the
    // data stays machine-readable.
    let q = "status 疫苗 in 玉溪高新区 | where state = \"missing\" | targets | limit 2";
    for (format, on_stdout) in [("table", true), ("csv", false), ("json", false)] {
        let out = chainkb_cmd(&["query", q, "--format", format, "--db", &db]);
        assert!(out.status.success());
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let note = "note: no enterprise outside 玉溪高新技术产业开发区 in the database produces 菌毒种、疫苗批签发检验、预防接种";
        assert_eq!(stdout.contains(note), on_stdout, "{format}: {stdout}");
        assert_eq!(stderr.contains(note), !on_stdout, "{format}: {stderr}");
    }
}
