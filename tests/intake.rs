//! `chainkb intake` end to end: platform exports (GBK CSV, UTF-8-BOM CSV, .xlsx written with
//! rust_xlsxwriter and read back through calamine) → candidates files that `chainkb check`
//! accepts, with every row accounted for and no cell a spreadsheet would run. The messages are
//! asserted in English (`CHAINKB_LANG=en`): tests/commands/intake.txt holds the Chinese.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chainkb"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("CHAINKB_DB");
    c.env("CHAINKB_LANG", "en");
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/intake")
        .join(name)
}

/// Run `chainkb intake INPUT -o DIR/candidates-NAME.csv ARGS…`; (output, written file).
fn intake(input: &Path, dir: &Path, name: &str, args: &[&str]) -> (Output, PathBuf) {
    let out_path = dir.join(format!("candidates-{name}.csv"));
    let out = bin()
        .arg("intake")
        .arg(input)
        .args(["--graphs", "graphs", "--source", "企查查导出 2026-11", "-o"])
        .arg(&out_path)
        .args(args)
        .output()
        .expect("spawn chainkb");
    (out, out_path)
}

/// The written CSV as rows of cells (header first), BOM stripped.
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).expect("output written");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|c| c == name).unwrap()
}

fn row_of<'a>(rows: &'a [Vec<String>], id: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

fn assert_no_formula_cells(rows: &[Vec<String>]) {
    for r in rows {
        for c in r {
            assert!(
                !c.starts_with(['=', '+', '-', '@']),
                "a spreadsheet would run `{c}`"
            );
        }
    }
}

fn assert_passes_check(file: &Path) {
    let out = bin()
        .args([
            "check",
            "graphs",
            "seeds/industries.csv",
            "seeds/industries-yuxi-table5.csv",
        ])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check rejected {}:\n{}",
        file.display(),
        text(&out.stderr)
    );
}

#[test]
fn a_csv_export_becomes_a_checked_candidates_file_with_every_row_reported() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("export-utf8bom.csv");
    let (out, path) = intake(&input, dir.path(), "bom", &[]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    let f = input.display().to_string();
    for want in [
        format!("{f}:1: skipped before the header row (line 2)"),
        format!("{f}:9: 营业收入 `100亿以上` is not a number: revenue_yi left empty"),
        format!("{f}:17: `贵州茅台酒股份有限公司`: no segment matched"),
        format!(
            "{f}:18: duplicate of row 3 (same 统一社会信用代码 91350900587527783P): merged into one candidate"
        ),
        format!(
            "{f}:19: duplicate of row 5 (same normalized name `云南恩捷新材料`): merged into one candidate"
        ),
        format!(
            "{f}:20: name `=HYPERLINK(\"http://example.com/x\",\"点击查看\")` starts with `=` and would run as a formula"
        ),
        format!("{f}:21: name `@SUM(1+1)*cmd|' /C calc'!A0` starts with `@`"),
        format!("{f}:22: no company name (the name column is empty): row not written"),
        format!(
            "{f}: 20 data rows → 17 candidates in {}: 2 merged as duplicates, 2 without a segment",
            path.display()
        ),
    ] {
        assert!(err.contains(&want), "missing `{want}` in:\n{err}");
    }

    let rows = read_csv(&path);
    let columns: Vec<&str> = rows[0].iter().map(String::as_str).collect();
    assert_eq!(
        columns,
        chainkb::data::SeedKind::Candidates.columns(),
        "the candidates columns, in order"
    );
    let (seg, src, rev, notes) = (
        col(&rows, "segments"),
        col(&rows, "source"),
        col(&rows, "revenue_yi"),
        col(&rows, "notes"),
    );
    let catl = row_of(&rows, "宁德时代新能源科技股份有限公司");
    assert_eq!(catl[rev], "4009.17", "40091700 万元 → 亿元");
    assert_eq!(
        catl[src],
        "企查查导出 2026-11 export-utf8bom.csv:rows 3, 18"
    );
    assert!(catl[seg].starts_with("动力电池;储能系统"), "{}", catl[seg]);
    let byd = row_of(&rows, "比亚迪股份有限公司");
    assert_eq!(byd[col(&rows, "listing")], "深交所:002594;港交所:01211");
    assert_eq!(byd[col(&rows, "tags")], "上市");
    let enjie = row_of(&rows, "云南恩捷新材料股份有限公司");
    // 锂电池隔离膜 by keyword; BOPP薄膜 and 烟标 are template names (as in its curated row in
    // seeds/enterprises-yuxi-hitech.csv).
    assert_eq!(enjie[seg], "隔膜;BOPP薄膜;烟标");
    assert!(enjie[col(&rows, "aliases")].contains("Yunnan Energy New Material"));
    assert_eq!(
        row_of(&rows, "湖南裕能新能源电池材料股份有限公司")[seg],
        "正极材料"
    );
    assert_eq!(row_of(&rows, "三安光电股份有限公司")[seg], "外延片;LED芯片");
    assert_eq!(
        row_of(&rows, "隆基绿能科技股份有限公司")[seg],
        "光伏硅片;光伏组件"
    );
    assert_eq!(
        row_of(&rows, "云南沃森生物技术股份有限公司")[seg],
        "疫苗制剂"
    );
    assert_eq!(
        row_of(&rows, "科德数控股份有限公司")[seg],
        "数控机床整机;数控系统;机床主轴"
    );
    let moutai = row_of(&rows, "贵州茅台酒股份有限公司");
    assert_eq!(moutai[seg], "");
    assert!(moutai[notes].contains("未匹配到产业链环节"));
    let mulinsen = row_of(&rows, "木林森股份有限公司");
    assert_eq!(mulinsen[rev], "");
    assert!(
        mulinsen[notes].contains("100亿以上"),
        "the bad cell is kept"
    );
    assert!(rows.iter().any(|r| r[0].starts_with("'=HYPERLINK")));

    // Nothing lost: every data line (3..=22) is in some source, or reported as not written.
    let mut accounted: Vec<u32> = Vec::new();
    for r in &rows[1..] {
        let at = r[src].rsplit(":row").next().unwrap();
        for n in at.trim_start_matches('s').split(',') {
            accounted.push(n.trim().parse().unwrap());
        }
    }
    accounted.push(22);
    accounted.sort();
    assert_eq!(accounted, (3..=22).collect::<Vec<u32>>());

    assert_no_formula_cells(&rows);
    assert_passes_check(&path);
}

#[test]
fn gbk_and_utf8_bom_exports_give_the_same_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let (a, pa) = intake(&fixture("export-utf8bom.csv"), dir.path(), "bom", &[]);
    let (b, pb) = intake(&fixture("export-gbk.csv"), dir.path(), "gbk", &[]);
    assert!(a.status.success() && b.status.success());
    let same = |s: String| {
        s.replace("export-utf8bom.csv", "X")
            .replace("export-gbk.csv", "X")
            .replace("candidates-bom", "C")
            .replace("candidates-gbk", "C")
    };
    assert_eq!(
        same(text(&std::fs::read(pa).unwrap())),
        same(text(&std::fs::read(pb).unwrap()))
    );
    assert_eq!(same(text(&a.stderr)), same(text(&b.stderr)));
    // Forcing the wrong encoding is a clear error, not mojibake.
    let (c, _) = intake(
        &fixture("export-gbk.csv"),
        dir.path(),
        "x",
        &["--encoding", "utf-8"],
    );
    assert_eq!(c.status.code(), Some(1));
    assert!(text(&c.stderr).contains("--encoding gbk"));
}

/// An export line: name, code, province, city, revenue, tags, stock code, segments, products.
type Line<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<f64>,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

#[test]
fn an_xlsx_export_is_read_through_calamine_by_sheet_and_row() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("天眼查导出.xlsx");
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write_string(0, 0, "本文件由平台导出").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("企业列表").unwrap();
    ws.write_string(0, 0, "天眼查 批量导出").unwrap();
    let header = [
        "公司名称",
        "统一社会信用代码",
        "省份",
        "城市",
        "营业收入（亿元）",
        "标签",
        "证券代码",
        "产业链环节",
        "主营业务",
    ];
    for (j, h) in header.iter().enumerate() {
        ws.write_string(1, j as u16, *h).unwrap();
    }
    let rows: [Line; 5] = [
        (
            "宁德时代新能源科技股份有限公司",
            "91350900587527783P",
            "福建",
            "宁德",
            Some(4009.17),
            "上市公司",
            "300750.SZ",
            "",
            "动力电池系统;储能系统",
        ),
        (
            "宁德时代新能源科技股份有限公司（CATL）",
            "",
            "福建",
            "宁德",
            None,
            "",
            "",
            "",
            "动力电池",
        ),
        (
            "湖南裕能新能源电池材料股份有限公司",
            "",
            "湖南",
            "湘潭",
            None,
            "",
            "301358",
            "正极材料",
            "",
        ),
        (
            "通威股份有限公司",
            "",
            "四川",
            "成都",
            None,
            "",
            "600438",
            "多晶硅;光伏电池片;正级材料",
            "",
        ),
        ("+cmd|' /C calc'!A0", "", "", "", None, "", "", "", ""),
    ];
    for (i, r) in rows.iter().enumerate() {
        let y = i as u32 + 2;
        ws.write_string(y, 0, r.0).unwrap();
        for (j, v) in [
            (1, r.1),
            (2, r.2),
            (3, r.3),
            (5, r.5),
            (6, r.6),
            (7, r.7),
            (8, r.8),
        ] {
            if !v.is_empty() {
                ws.write_string(y, j, v).unwrap();
            }
        }
        if let Some(v) = r.4 {
            ws.write_number(y, 4, v).unwrap();
        }
    }
    wb.save(&xlsx).unwrap();

    // Without --sheet the first sheet (说明) is read: the error names the others.
    let (first, _) = intake(&xlsx, dir.path(), "first", &[]);
    assert_eq!(first.status.code(), Some(1));
    assert!(
        text(&first.stderr).contains(
            "only the first sheet, `说明`, was read: choose another with --sheet NAME (sheets: 说明, 企业列表)"
        ),
        "{}",
        text(&first.stderr)
    );

    let (bad, _) = intake(&xlsx, dir.path(), "x", &["--sheet", "企业表"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("no sheet named `企业表` (did you mean 企业列表?)"),
        "{}",
        text(&bad.stderr)
    );

    let (out, path) = intake(&xlsx, dir.path(), "xlsx", &["--sheet", "企业列表"]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    let f = xlsx.display().to_string();
    for want in [
        format!("{f}:4: duplicate of row 3 (same normalized name `宁德时代新能源科技`)"),
        format!("{f}:6: 产业链环节: unknown 环节 `正级材料` (did you mean 正极材料"),
        format!("{f}:7: name `+cmd|' /C calc'!A0` starts with `+`"),
        format!("{f}: 5 data rows → 4 candidates"),
    ] {
        assert!(err.contains(&want), "missing `{want}` in:\n{err}");
    }
    let rows = read_csv(&path);
    let catl = row_of(&rows, "宁德时代新能源科技股份有限公司");
    assert_eq!(catl[col(&rows, "revenue_yi")], "4009.17");
    assert_eq!(
        catl[col(&rows, "source")],
        "企查查导出 2026-11 天眼查导出.xlsx:rows 3, 4"
    );
    assert_eq!(
        row_of(&rows, "通威股份有限公司")[col(&rows, "segments")],
        "多晶硅;光伏电池片"
    );
    assert_eq!(
        row_of(&rows, "湖南裕能新能源电池材料股份有限公司")[col(&rows, "segments")],
        "正极材料"
    );
    assert_no_formula_cells(&rows);
    assert_passes_check(&path);
}

#[test]
fn with_skip_known_the_file_imports_together_with_the_repo_data() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("export-gbk.csv");
    let f = input.display().to_string();
    let (out, path) = intake(&input, dir.path(), "new", &["--skip-known"]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "{f}:6: `天齐锂业股份有限公司` is already in the data as `天齐锂业股份有限公司` (seeds/candidates.csv:"
        )),
        "{err}"
    );
    assert!(err.contains("(--skip-known)"), "{err}");
    let rows = read_csv(&path);
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert!(ids.contains(&"贵州茅台酒股份有限公司"), "{ids:?}");
    assert!(!ids.contains(&"天齐锂业股份有限公司"), "{ids:?}");
    // The whole data folder plus the new file: no duplicate ids, every reference resolves.
    let check = bin().args(["check", "."]).arg(&path).output().unwrap();
    assert!(check.status.success(), "{}", text(&check.stderr));
}

#[test]
fn a_product_that_names_a_segment_maps_to_it_the_longest_name_first() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("export-names.csv");
    let (out, path) = intake(&input, dir.path(), "names", &[]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    let rows = read_csv(&path);
    let (seg, notes) = (col(&rows, "segments"), col(&rows, "notes"));
    let check = |id: &str, segments: &str, note: &str| {
        let r = row_of(&rows, id);
        assert_eq!(r[seg], segments, "segments of {id}");
        assert!(r[notes].contains(note), "notes of {id}: {}", r[notes]);
    };
    // 隔膜 has no keyword rule (a bare 隔膜 would catch 隔膜泵): the template name maps it.
    check(
        "云南甲隔膜科技有限公司",
        "隔膜",
        "环节按模板名称: 隔膜←隔膜(主营产品)",
    );
    // …but a two-character name counts only as a whole item, and 隔膜泵/隔膜阀 are excluded.
    check("乙流体设备有限公司", "", "未匹配到产业链环节");
    // 电池PACK (6 characters) overlaps 动力电池 (4): the longer one only.
    check(
        "丙能源科技有限公司",
        "电池PACK",
        "环节按关键词: 电池PACK←电池PACK(主营产品)",
    );
    assert!(!row_of(&rows, "丙能源科技有限公司")[notes].contains("动力电池"));
    // The alias 锂电池正极材料 is reported, not the 正极材料 inside it.
    check(
        "丁新材料有限公司",
        "正极材料",
        "环节按模板名称: 正极材料←锂电池正极材料(主营产品)",
    );
    // The 新能源汽车 rule's exclusions hold for its template name too.
    check("戊汽车部件有限公司", "", "未匹配到产业链环节");
    // An ASCII alias the keywords leave out (CRO) counts as a whole word.
    check(
        "己医药科技有限公司",
        "新药研发服务",
        "环节按模板名称: 新药研发服务←CRO(主营产品)",
    );
    // Names are searched in 主营产品 only, not in 经营范围.
    check("庚贸易有限公司", "", "未匹配到产业链环节");
    // Equal lengths overlapping: the earlier wins (储能系统, not the 系统集成 of 软件开发).
    check(
        "辛储能有限公司",
        "动力电池;储能系统",
        "环节按关键词: 动力电池←储能电池(主营产品) 储能系统←储能系统(主营产品)",
    );
    let f = input.display().to_string();
    assert!(
        err.contains(&format!(
            "{f}:3: `乙流体设备有限公司`: no segment matched (no 产业链环节 column, no segment name in 主营产品, no keyword rule in 主营产品/经营范围)"
        )),
        "{err}"
    );
    assert_passes_check(&path);
}

#[test]
fn an_empty_sheet_row_is_counted_and_reported() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("export.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (y, name, product) in [
        (0, "企业名称", "主营产品"),
        (1, "甲有限公司", "隔膜"),
        (3, "乙有限公司", "锂电池隔膜"),
    ] {
        ws.write_string(y, 0, name).unwrap();
        ws.write_string(y, 1, product).unwrap();
    }
    wb.save(&xlsx).unwrap();
    let (out, _) = intake(&xlsx, dir.path(), "xlsx", &[]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    let f = xlsx.display().to_string();
    for want in [
        format!("{f}:3: empty row: skipped"),
        format!("{f}: 2 data rows, 1 empty row skipped → 2 candidates"),
    ] {
        assert!(err.contains(&want), "missing `{want}` in:\n{err}");
    }
}

#[test]
fn counts_of_one_are_singular() {
    // The command's summary of export-plurals.csv is golden in tests/commands/intake.txt. In
    // English, as the rest of this file (the only test here that reads in-process).
    chainkb::lang::set_messages(chainkb::lang::Lang::En);
    let one = chainkb::intake::Outcome {
        data_rows: 1,
        candidates: vec![Default::default()],
        merged: 1,
        unmapped: 1,
        bad_numbers: 1,
        neutralised: 1,
        skipped: 1,
        known: 1,
        ..Default::default()
    };
    assert_eq!(
        one.summary("x.csv", "c.csv"),
        "x.csv: 1 data row → 1 candidate in c.csv: 1 merged as a duplicate, 1 without a segment (written with empty segments and a note), 1 bad number, 1 formula-looking name neutralised, 1 without a name (not written), 1 already in the data (written anyway, with a note)"
    );
    assert_eq!(
        chainkb::intake::check_credit_code("9"),
        Err("has 1 character, not 18".to_string())
    );
}

#[test]
fn an_unclosed_quote_in_an_export_is_an_error_at_the_quote() {
    // Before: rows 3 and 4 became part of row 2's 主营产品, and intake wrote one candidate.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export.csv");
    std::fs::write(
        &input,
        "企业名称,省份,主营产品\n甲公司,云南省,\"正极材料\n乙公司,云南省,电解液\n丙公司,云南省,隔膜\n",
    )
    .unwrap();
    let (out, path) = intake(&input, dir.path(), "quote", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "error: {}:2:9: a quote opened here is never closed: the rest of the file (to line 4) would be read as this one cell; close it or double it (\"\")\n",
            input.display()
        )
    );
    assert!(!path.exists(), "nothing written");
}
