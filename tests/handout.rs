//! Hand-outs: `chainkb query … -o FILE` and `chainkb targets … -o FILE.xlsx` on the seed
//! knowledge base, the written workbooks read back (calamine for cells, zip for the sheet and
//! workbook parts that hold autofilter, panes and print set-up).

use calamine::{Data, Reader};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A database holding the repository's graphs/ and seeds/, imported once per test run.
fn seed_db() -> String {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, db) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let out = run(&["import", ".", "--db", &db.display().to_string()]);
        assert!(out.status.success(), "{}", stderr(&out));
        (dir, db)
    });
    db.display().to_string()
}

/// One chainkb process at a time: a database is held by one process (tests run in parallel).
fn run(args: &[&str]) -> std::process::Output {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    Command::new(env!("CARGO_BIN_EXE_chainkb"))
        .current_dir(root())
        .args(args)
        .env_remove("CHAINKB_DB")
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// A part of an .xlsx package, as text.
fn part(p: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
    s
}

/// The column of `sheet` headed `name`, as numbers.
fn numbers(range: &calamine::Range<Data>, name: &str) -> Vec<f64> {
    let mut rows = range.rows();
    let head = rows.next().unwrap();
    let j = head
        .iter()
        .position(|c| matches!(c, Data::String(s) if s == chainkb::lang::Lang::Zh.label(name)))
        .unwrap_or_else(|| panic!("no column {name} in {head:?}"));
    rows.map(|r| match &r[j] {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("{name}: {other:?}"),
    })
    .collect()
}

/// The 20-firm target list of issue 15: every sheet filtered, frozen, set up for A4
/// landscape one page wide with its header row on every page; named after chain, place and
/// gap; each numbered 1..n, and a per-gap sheet ranked within its gap; a 说明 sheet.
#[test]
fn a_target_workbook_is_numbered_per_sheet_and_set_up_for_print() {
    let tmp = tempfile::tempdir().unwrap();
    let xlsx = tmp.path().join("名单.xlsx");
    let db = seed_db();
    let out = run(&[
        "targets",
        "锂电池",
        "--in",
        "玉溪高新区",
        "--limit",
        "20",
        "-o",
        &xlsx.display().to_string(),
        "--db",
        &db,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut wb = calamine::open_workbook_auto(&xlsx).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "锂电池 玉溪高新技术产业开发区", "{names:?}");
    assert_eq!(names.last().map(String::as_str), Some("说明"));
    assert!(names.len() > 3, "{names:?}");
    for n in &names {
        assert!(n.chars().count() <= 31 && !n.contains(['[', ']', ':', '*', '?', '/', '\\']));
    }
    let mut ranks_differ = false;
    for (i, name) in names[..names.len() - 1].iter().enumerate() {
        let range = wb.worksheet_range(name).unwrap();
        let no = numbers(&range, "no");
        let want: Vec<f64> = (1..=no.len()).map(|n| n as f64).collect();
        assert_eq!(no, want, "{name}: 序号 1..n");
        // Ranks start at 1 on every sheet and never exceed the row count (ties share one).
        let rank = numbers(&range, "rank");
        assert_eq!(rank.first(), Some(&1.0), "{name}");
        assert!(
            rank.iter().zip(&no).all(|(r, n)| r <= n),
            "{name}: {rank:?}"
        );
        ranks_differ |= rank != no;
        // Lists as on screen.
        assert!(
            !range
                .cells()
                .any(|(_, _, v)| v.to_string().contains(';') && !v.to_string().contains("; ")),
            "{name}: a list joined with ;"
        );
        let sheet = part(&xlsx, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(sheet.contains("<autoFilter ref=\"A1:"), "{name}: {sheet}");
        assert!(
            sheet.contains("ySplit=\"1\"") && sheet.contains("state=\"frozen\""),
            "{name}"
        );
        assert!(sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{name}");
        for attr in [
            "paperSize=\"9\"",
            "orientation=\"landscape\"",
            "fitToHeight=\"0\"",
        ] {
            assert!(sheet.contains(attr), "{name}: no {attr}");
        }
    }
    assert!(
        ranks_differ,
        "ties never shown: the rank column went untested"
    );
    let book = part(&xlsx, "xl/workbook.xml");
    assert_eq!(
        book.matches("_xlnm.Print_Titles").count(),
        names.len() - 1,
        "{book}"
    );
    let about: Vec<String> = wb
        .worksheet_range("说明")
        .unwrap()
        .cells()
        .map(|(_, _, v)| v.to_string())
        .collect();
    for want in [
        "语句",
        "生成日期",
        "数据版本",
        "评分权重",
        "准入规则",
        "筛选",
    ] {
        assert!(about.iter().any(|c| c == want), "{want}: {about:?}");
    }
    assert!(
        about
            .iter()
            .any(|c| c.contains("chainkb targets 锂电池 --in 玉溪高新区 --limit 20")),
        "{about:?}"
    );
    assert!(
        about
            .iter()
            .any(|c| c.starts_with("bundled") || c.contains("代"))
    );
}

/// `query -o` writes each format its extension names, names sheets after chain and place (not
/// the statement), refuses an unknown extension before writing, and writes nothing when a
/// statement fails.
#[test]
fn query_output_follows_the_extension_and_never_leaves_half_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let db = seed_db();
    let path = |name: &str| tmp.path().join(name).display().to_string();
    let q = "fill 锂电池 in 玉溪高新区 | targets | where origin > 0";
    for (file, starts) in [
        ("t.xlsx", &b"PK"[..]),
        ("t.csv", "\u{feff}".as_bytes()),
        ("t.md", b"| "),
        ("t.json", b"[\n"),
    ] {
        let out = run(&["query", q, "-o", &path(file), "--db", &db]);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let bytes = std::fs::read(path(file)).unwrap();
        assert!(bytes.starts_with(starts), "{file}");
    }
    let mut wb = calamine::open_workbook_auto(path("t.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["招商目标 锂电池 玉溪高新技术产业开发区", "说明"]
    );
    let range = wb
        .worksheet_range("招商目标 锂电池 玉溪高新技术产业开发区")
        .unwrap();
    let no = numbers(&range, "no");
    assert_eq!(no, (1..=no.len()).map(|n| n as f64).collect::<Vec<_>>());
    let md = std::fs::read_to_string(path("t.md")).unwrap();
    assert!(md.contains("上市、龙头"), "{md}");
    // Two statements: sheets of their own in a workbook; refused for one-table formats.
    let two = "status 锂电池 in 玉溪高新区; extend 锂电池 in 玉溪高新区";
    let out = run(&["query", two, "-o", &path("two.xlsx"), "--db", &db]);
    assert!(out.status.success(), "{}", stderr(&out));
    let wb = calamine::open_workbook_auto(path("two.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "现状 锂电池 玉溪高新技术产业开发区",
            "延链 锂电池 玉溪高新技术产业开发区",
            "说明"
        ]
    );
    let out = run(&["query", two, "-o", &path("two.csv"), "--db", &db]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(".xlsx"), "{}", stderr(&out));
    assert!(!tmp.path().join("two.csv").exists());
    // An unknown extension, and a failing statement: nothing written, no temporary left.
    let out = run(&["query", q, "-o", &path("t.docx"), "--db", &db]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(".xlsx、.csv、.md 或 .json"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "query",
        "status 锂电池 in 玉溪高新区; stauts 锂电池",
        "-o",
        &path("bad.xlsx"),
        "--db",
        &db,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let mut left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    left.sort();
    assert_eq!(left, ["t.csv", "t.json", "t.md", "t.xlsx", "two.xlsx"]);
}
