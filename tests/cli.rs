//! End-to-end behaviour of the `chainkb` binary: check, import/export round trip, crash safety,
//! locking, schema versions, show, stats and the embedded default database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chainkb"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("CHAINKB_DB");
    c.env_remove("CHAINKB_FAULT_PAUSE_IMPORT");
    c.env_remove("CHAINKB_LANG");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("spawn chainkb")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn import(db: &Path, data: &Path) -> Output {
    let out = bin()
        .args([
            "import",
            &data.display().to_string(),
            "--db",
            &db.display().to_string(),
        ])
        .output()
        .expect("spawn chainkb");
    assert!(out.status.success(), "import failed: {}", text(&out.stderr));
    out
}

/// Every file under a folder, as (relative path, bytes), sorted.
fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["graphs", "seeds"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in rd.flatten() {
            out.push((
                format!("{sub}/{}", e.file_name().to_string_lossy()),
                std::fs::read(e.path()).unwrap(),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn check_reports_every_planted_problem_with_its_position() {
    // expected.txt is the English form (--lang en); tests/commands/check.txt holds the Chinese.
    let out = run(&["--lang", "en", "check", "tests/fixtures/malformed"]);
    assert_eq!(out.status.code(), Some(1));
    let expected = std::fs::read_to_string(fixture("malformed/expected.txt")).unwrap();
    assert_eq!(text(&out.stderr), expected);
    // spot-check that the file holds what the fixture plants, so a broken expected file is caught
    for needle in [
        "battery.toml:35:1: cycle in chain `电池`",
        "battery.toml:39:9: unknown 环节 `正级材料` (did you mean 正极材料?)",
        "battery.toml:23:6: duplicate Segment id `碳酸锂`",
        "battery.toml:19:6: segment `孤立环节` is an orphan",
        "broken.toml:4:",
        "enterprises.csv:2:10: revenue_yi: `1,2` is not a number",
        "enterprises.csv:2:16: unknown tag `上巿` (did you mean 上市?)",
        "parks.csv:3:9: unknown 园区/行政区 `测试园` (did you mean 测试园区",
        "parks.csv:3:13: area_km2: `-3.5` is negative",
        "projects.csv:1:1: missing column `source`",
        "regions.csv:1:10: unknown column `parnet` for regions files (did you mean parent?)",
        "widgets.csv:1:1: cannot tell what `widgets.csv` holds",
    ] {
        assert!(expected.contains(needle), "missing: {needle}");
    }
}

#[test]
fn gbk_and_bom_csv_files_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir_all(&seeds).unwrap();
    let csv = "id,level,parent,source\n测试省,省,,测试\n测试市,州市,测试省,测试\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    std::fs::write(seeds.join("regions-gbk.csv"), &gbk).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice("id,level,parent,source\n测试县,区县,测试市,测试\n".as_bytes());
    std::fs::write(seeds.join("regions-bom.csv"), bom).unwrap();
    let out = run(&["check", &tmp.path().display().to_string()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 个节点"),
        "{}",
        text(&out.stdout)
    );
    // forcing UTF-8 on the GBK file is an error that suggests --encoding gbk
    let out = run(&[
        "check",
        &tmp.path().display().to_string(),
        "--encoding",
        "utf-8",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("regions-gbk.csv:1:1: 文件不是有效的 UTF-8"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("--encoding gbk"));
}

#[test]
fn export_import_export_is_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let db1 = tmp.path().join("db1");
    let db2 = tmp.path().join("db2");
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    import(&db1, &fixture("small"));
    let out = run(&[
        "export",
        &a.display().to_string(),
        "--db",
        &db1.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    import(&db2, &a);
    let out = run(&[
        "export",
        &b.display().to_string(),
        "--db",
        &db2.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let fa = files_of(&a);
    assert_eq!(fa.len(), 9);
    assert_eq!(fa, files_of(&b));
    // what was exported keeps every fact of the fixture: notes with quotes, converted amounts
    let projects = text(&fa.iter().find(|f| f.0 == "seeds/projects.csv").unwrap().1);
    assert!(projects.contains("0.0325,325万元"), "{projects}");
    let parks = text(&fa.iter().find(|f| f.0 == "seeds/parks.csv").unwrap().1);
    assert!(
        parks.contains("\"area \"\"as written\"\", says the note\""),
        "{parks}"
    );
    // exporting over existing data needs --force
    let out = run(&[
        "export",
        &a.display().to_string(),
        "--db",
        &db1.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--force"));
}

#[test]
fn a_failed_import_leaves_the_database_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    import(&db, &fixture("small"));
    let before = run(&["stats", "--db", &db.display().to_string()]);
    let out = run(&[
        "import",
        "tests/fixtures/malformed",
        "--db",
        &db.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("没有导入任何数据（数据库未改变）"));
    let after = run(&["stats", "--db", &db.display().to_string()]);
    assert_eq!(text(&before.stdout), text(&after.stdout));
}

#[test]
fn an_import_killed_part_way_leaves_the_previous_data_and_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let big = tmp.path().join("big");
    let out = run(&[
        "gen",
        "--enterprises",
        "20000",
        "--seed",
        "3",
        &big.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    import(&db, &fixture("small"));
    let before = text(&run(&["stats", "--db", &db.display().to_string()]).stdout);
    assert!(before.contains("Enterprise           3"), "{before}");

    let mut child = bin()
        .args([
            "import",
            &big.display().to_string(),
            "--db",
            &db.display().to_string(),
        ])
        .env("CHAINKB_FAULT_PAUSE_IMPORT", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn import");
    // Wait until the import says it is half-way, then kill it hard (SIGKILL).
    let stderr = child.stderr.take().unwrap();
    let mut line = String::new();
    let mut reader = std::io::BufReader::new(stderr);
    use std::io::BufRead;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).unwrap();
        assert!(n > 0, "import ended before pausing");
        if line.contains("import paused half-way") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let out = run(&["stats", "--db", &db.display().to_string()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("导入被中断"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("原有数据完好"));
    let after = text(&out.stdout);
    assert_eq!(before, after, "the previous data must be fully intact");
    // Only the first open after the crash reports it.
    let out = run(&["stats", "--db", &db.display().to_string()]);
    assert_eq!(text(&out.stderr), "");
    // And the database still takes a complete import afterwards.
    import(&db, &big);
    let out = text(&run(&["stats", "--db", &db.display().to_string()]).stdout);
    assert!(out.contains("Enterprise       20000"), "{out}");
}

#[test]
fn a_second_process_gets_a_clear_in_use_message() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    import(&db, &fixture("small"));
    // An import holds the database for itself; readers share it.
    let (_held, _) = chainkb::store::Store::open(&db, true).unwrap();
    // Chinese by default, English with --lang en.
    let out = run(&["stats", "--db", &db.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        format!("错误：数据库 {} 正被另一个 chainkb 进程使用", db.display())
    );
    let out = run(&["--lang", "en", "stats", "--db", &db.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        format!(
            "error: database {} is in use by another chainkb process",
            db.display()
        )
    );
}

#[test]
fn an_unknown_schema_version_is_refused_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    import(&db, &fixture("small"));
    {
        let (store, _) = chainkb::store::Store::open(&db, false).unwrap();
        store.set_current_raw("schema", "7").unwrap();
    }
    let out = run(&["stats", "--db", &db.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(&format!(
            "的数据版本是 7，而这个 chainkb 读取版本 {}",
            chainkb::store::SCHEMA_VERSION
        )),
        "{}",
        text(&out.stderr)
    );
}

/// A database written by an older chainkb (schema 1: before rows were packed) is refused
/// with exit 2 and told to import again, in both languages; importing into it replaces it.
#[test]
fn an_older_schema_is_refused_then_replaced_by_an_import() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    import(&db, &fixture("small"));
    {
        let (store, _) = chainkb::store::Store::open(&db, false).unwrap();
        store.set_current_raw("schema", "1").unwrap();
    }
    let d = db.display().to_string();
    let out = run(&["stats", "--db", &d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("是较早的 chainkb 写的（数据版本 1"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["--lang", "en", "stats", "--db", &d]);
    assert!(
        text(&out.stderr).contains("was written by an older chainkb (schema version 1"),
        "{}",
        text(&out.stderr)
    );
    import(&db, &fixture("small"));
    let out = run(&["stats", "--db", &d]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn commands_on_a_missing_database_do_not_create_it() {
    // What they say is in tests/commands/cli.txt; a golden cannot see that nothing was made.
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("nothing-here");
    let out = run(&["stats", "--db", &db.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!db.exists());
}

#[test]
fn the_default_database_is_built_from_the_bundle_on_first_use() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("stats")
        .env("XDG_DATA_HOME", tmp.path())
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("建好默认数据库"),
        "{}",
        text(&out.stderr)
    );
    let stats = text(&out.stdout);
    let enterprises: usize = stats
        .lines()
        .find(|l| l.trim_start().starts_with("Enterprise"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(enterprises > 0, "{stats}");
    // the second run reuses it
    let out = bin()
        .arg("stats")
        .env("XDG_DATA_HOME", tmp.path())
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(text(&out.stderr), "");
    // a database built from other bundled data (another label) is rebuilt
    let db = tmp.path().join("chainkb/default-db");
    {
        let (store, _) = chainkb::store::Store::open(&db, false).unwrap();
        store.set_current_raw("label", "bundled:00000000").unwrap();
    }
    let out = bin()
        .arg("stats")
        .env("XDG_DATA_HOME", tmp.path())
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("建好默认数据库"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains(&chainkb::bundle::label()));
}

#[test]
fn check_store_reads_every_record() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    import(&db, &fixture("small"));
    let out = run(&["check", "--store", "--db", &db.display().to_string()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("正常："),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn gen_refuses_a_folder_that_holds_data_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = run(&["export", &data.display().to_string()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = files_of(&data);
    let gen_into = |extra: &[&str]| {
        let mut args = vec!["gen", "--enterprises", "50", data.to_str().unwrap()];
        args.extend_from_slice(extra);
        run(&args)
    };
    let out = gen_into(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("里已有数据文件"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(files_of(&data), before, "the curated seeds are untouched");
    let out = gen_into(&["--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_ne!(files_of(&data), before);
}

#[test]
fn a_closed_stderr_is_not_a_crash() {
    // Enough problems to fill the pipe, so `check` is still writing when the reader goes away
    // (as in `chainkb check DIR 2>&1 | head`).
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir_all(&seeds).unwrap();
    let mut csv = String::from("id,kind,parent,area_km2,source\n");
    for i in 0..1000 {
        csv.push_str(&format!("园区{i},园区,没有这个地方{i},-1,test\n"));
    }
    std::fs::write(seeds.join("parks.csv"), csv).unwrap();
    let mut child = bin()
        .args(["check", &tmp.path().display().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "exit 1 (problems found), not a panic"
    );
}

#[test]
fn path_mistakes_change_nothing() {
    // What they say, and their exit code 1, are golden in tests/commands/cli.txt; a golden file
    // cannot see that a folder holding other files was left as it was.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    assert!(
        run(&["export", &data.display().to_string()])
            .status
            .success()
    );
    let before = files_of(&data);
    let out = run(&[
        "import",
        "tests/fixtures/small",
        "--db",
        &data.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!data.join("conf").exists() && !data.join("db").exists());
    assert_eq!(files_of(&data), before);
}

#[test]
fn a_script_piped_into_the_repl_exits_1_when_a_statement_fails() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    import(&db, &fixture("small"));
    let piped = |script: &str| {
        let mut child = bin()
            .args(["repl", "--db", db.to_str().unwrap()])
            .env("XDG_DATA_HOME", tmp.path())
            .env("HOME", tmp.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let ok = piped("chains\n");
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    // A script's output is its results only: no banner, and with .format csv nothing but the
    // CSV on stdout (the row count goes to stderr). The user's history is left alone.
    assert!(!text(&ok.stdout).contains(".help"), "{}", text(&ok.stdout));
    let csv = piped(".format csv\nchains | select name\n");
    assert_eq!(csv.status.code(), Some(0), "{}", text(&csv.stderr));
    assert_eq!(text(&csv.stdout), "名称\n包装材料\n锂电池\n");
    assert!(
        text(&csv.stderr).contains("(2 行，"),
        "{}",
        text(&csv.stderr)
    );
    // `.lang en` switches the session to English; a language it does not know is refused.
    let en = piped(
        ".lang en\n.format csv\nstatus 锂电池 in 测试高新区 | where 状态 = 缺失 | select segment, state | limit 1\n",
    );
    assert_eq!(en.status.code(), Some(0), "{}", text(&en.stderr));
    assert!(
        text(&en.stdout).starts_with("segment,state\n") && text(&en.stdout).contains(",missing\n"),
        "{}",
        text(&en.stdout)
    );
    assert!(text(&en.stderr).contains(" rows,") || text(&en.stderr).contains(" row,"));
    let bad = piped(".lang fr\n");
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("用法：.lang zh|en"),
        "{}",
        text(&bad.stderr)
    );
    assert!(!tmp.path().join("chainkb/history.txt").exists());
    // A meta command with words it does not take is refused, not half-read.
    let extra = piped(".format json please\nchains\n");
    assert_eq!(extra.status.code(), Some(1));
    assert!(
        text(&extra.stderr)
            .contains("`.format` 只接一个词，这里有 2 个：用法：.format table|json|csv"),
        "{}",
        text(&extra.stderr)
    );
    let failed = piped("chains\nstauts 锂电池\n");
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        text(&failed.stderr).contains("是不是 `status`"),
        "{}",
        text(&failed.stderr)
    );
    // A script that ends in the middle of a statement fails, saying what is missing (it was
    // dropped without a word).
    let unfinished = piped("chains\nstatus 锂电池 in\n");
    assert_eq!(unfinished.status.code(), Some(1));
    assert!(
        text(&unfinished.stderr).contains("语句却已结束"),
        "{}",
        text(&unfinished.stderr)
    );
}

/// `show CHAIN` lists the segments from resources to applications, as `status` does (the
/// bundled 锂电池 template starts with 电子元器件, a midstream part).
#[test]
fn show_lists_a_chains_segments_in_reading_order() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["show", "锂电池", "--kind", "chain"])
        .env("XDG_DATA_HOME", tmp.path())
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let segments = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("环节"))
        .unwrap_or_default();
    assert!(segments.contains("— 锂矿、锂精矿、碳酸锂"), "{segments}");
}

/// `--help` is Chinese-first on every command (issue 15), and the flags still work.
#[test]
fn help_is_chinese_first() {
    let out = bin().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for want in [
        "用法 / Usage",
        "命令 / Commands",
        "查询 / Run query",
        "--lang",
        "帮助 / Print help",
    ] {
        assert!(help.contains(want), "`{want}` not in:\n{help}");
    }
    let out = bin().args(["query", "--help"]).output().unwrap();
    let help = text(&out.stdout);
    for want in [
        "用法 / Usage: chainkb query",
        "参数 / Arguments",
        "选项 / Options",
        "输出格式",
    ] {
        assert!(help.contains(want), "`{want}` not in:\n{help}");
    }
    let out = bin().args(["stats", "-h"]).output().unwrap();
    assert!(
        !text(&out.stdout).contains("参数 / Arguments"),
        "{}",
        text(&out.stdout)
    );
    let out = bin().arg("-V").output().unwrap();
    assert!(
        text(&out.stdout).starts_with("chainkb "),
        "{}",
        text(&out.stdout)
    );
    let out = bin().args(["--lang", "fr", "stats"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("错误：--lang <zh|en> 不接受 `fr`（可用的值：zh、en）"),
        "{}",
        text(&out.stderr)
    );
}
