//! Golden query scripts: every `tests/scripts/*.txt` holds queries and their expected output
//! (errors included), run against the hand-made fixture `tests/fixtures/mini` imported into a
//! temporary database. `UPDATE_GOLDENFILES=1 cargo test --test scripts` rewrites the expected
//! outputs from what chainkb prints now (review the diff before committing).
//!
//! Script format:
//!
//! ```text
//! # comment lines (kept on update)
//! > status 锂电池 in 测试园区          <- a query, printed as a table
//! >json fill 锂电池 in 测试园区        <- `>json ` / `>csv ` choose the output format
//! > … continued on the next line      <- further `>` lines continue the same query
//! expected output …                   <- until the next `#` or `>` line
//! # lang: en                          <- the queries below show English (default: 中文)
//! # db: fresh                         <- (anywhere) the script runs on a database of its
//!                                        own and may write (`move project …`)
//! ```
//!
//! Also here: the `chainkb query` command line (exit codes, formats, `--timing`, `-f`).

use chainkb::graph::Graph;
use chainkb::lang::Lang;
use chainkb::query::{self, Format};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> PathBuf {
    root().join("tests/fixtures/mini")
}

/// Import the fixture into a fresh database with `chainkb import` (a child process, so that no
/// sled lock of this test process outlives the import); returns the database folder, kept
/// alive by the returned TempDir.
fn fixture_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db");
    let out = Command::new(env!("CARGO_BIN_EXE_chainkb"))
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(fixture())
        .output()
        .expect("run chainkb import");
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, db)
}

fn fixture_graph() -> (tempfile::TempDir, Graph) {
    let (dir, db) = fixture_db();
    let graph = chainkb::open::open_graph(Some(&db), &mut |_| {}).expect("open db");
    (dir, graph)
}

struct Case {
    comments: Vec<String>,
    format: Format,
    /// The language of the output: 中文 unless a `# lang: en` line above says otherwise.
    lang: Lang,
    query: Vec<String>,
    expected: String,
}

fn parse_script(text: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    let mut comments = Vec::new();
    let mut in_query = false;
    let mut lang = Lang::Zh;
    for line in text.lines() {
        if let Some(word) = line.strip_prefix("# lang:") {
            lang = Lang::parse(word).unwrap_or_else(|| panic!("unknown language in `{line}`"));
        }
        if line.starts_with('#') {
            comments.push(line.to_string());
            in_query = false;
            continue;
        }
        let query_line = [
            ("> ", Format::Table),
            (">json ", Format::Json),
            (">csv ", Format::Csv),
        ]
        .into_iter()
        .find_map(|(p, f)| line.strip_prefix(p).map(|rest| (rest, f)))
        .or_else(|| (line == ">").then_some(("", Format::Table)));
        if let Some((rest, format)) = query_line {
            if in_query && let Some(c) = cases.last_mut() {
                c.query.push(rest.to_string());
            } else {
                cases.push(Case {
                    comments: std::mem::take(&mut comments),
                    format,
                    lang,
                    query: vec![rest.to_string()],
                    expected: String::new(),
                });
                in_query = true;
            }
            continue;
        }
        in_query = false;
        match cases.last_mut() {
            Some(c) if comments.is_empty() => {
                c.expected.push_str(line);
                c.expected.push('\n');
            }
            _ => comments.push(line.to_string()),
        }
    }
    for c in &mut cases {
        c.expected = c.expected.trim_end().to_string();
    }
    cases
}

fn run_case(g: &Graph, c: &Case) -> String {
    run_case_with(g, c, None).0
}

/// A case with a writer for its write statements; also the state after its last write.
fn run_case_with(
    g: &Graph,
    c: &Case,
    writer: Option<&mut dyn query::Writer>,
) -> (String, Option<Graph>) {
    let text = c.query.join("\n");
    let cancel = AtomicBool::new(false);
    let mut out = String::new();
    let (outcomes, written) = query::run_script_with(g, &text, &cancel, true, c.lang, writer);
    for o in outcomes {
        match o.result {
            Ok(t) => out.push_str(&t.render(c.format)),
            Err(e) => out.push_str(&e.render_in(&o.text, c.lang)),
        }
    }
    (out.trim_end().to_string(), written)
}

/// The line that gives a script a database of its own, written to through the planning
/// journal (`cli::journal::LangWriter`), so that it may hold write statements; the cases after
/// a write see it.
const FRESH_DB: &str = "# db: fresh";

fn run_writing(cases: &[Case]) -> Vec<String> {
    // The journal's time and user, fixed (read by `journal::now` and `journal::who`).
    // SAFETY: set before anything in this test reads them; no other test of this binary does.
    unsafe {
        std::env::set_var("CHAINKB_NOW", "2026-12-06 10:00:00");
        std::env::set_var("USER", "测试员");
    }
    let (_dir, db) = fixture_db();
    let db = Some(db);
    let mut g = chainkb::open::open_graph(db.as_deref(), &mut |_| {}).expect("open db");
    let mut writer = chainkb::cli::journal::LangWriter::new(&db);
    cases
        .iter()
        .map(|c| {
            let (out, written) = run_case_with(&g, c, Some(&mut writer));
            if let Some(now) = written {
                g = now;
            }
            out
        })
        .collect()
}

fn write_script(path: &Path, cases: &[Case], actual: &[String]) {
    let mut s = String::new();
    for (c, a) in cases.iter().zip(actual) {
        for l in &c.comments {
            s.push_str(l);
            s.push('\n');
        }
        let prefix = match c.format {
            Format::Table => "> ",
            Format::Json => ">json ",
            Format::Csv => ">csv ",
        };
        for (i, q) in c.query.iter().enumerate() {
            s.push_str(if i == 0 { prefix } else { "> " });
            s.push_str(q);
            s.push('\n');
        }
        s.push_str(a);
        s.push_str("\n\n");
    }
    std::fs::write(path, s.trim_end().to_string() + "\n").expect("write script");
}

#[test]
fn golden_scripts() {
    let (_dir, g) = fixture_graph();
    let update = std::env::var_os("UPDATE_GOLDENFILES").is_some_and(|v| v == "1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/scripts"))
        .expect("tests/scripts")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no golden scripts found");
    let mut failures = Vec::new();
    let mut total = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read script");
        let cases = parse_script(&text);
        assert!(!cases.is_empty(), "{} holds no queries", f.display());
        let actual: Vec<String> = if text.lines().any(|l| l == FRESH_DB) {
            run_writing(&cases)
        } else {
            cases.iter().map(|c| run_case(&g, c)).collect()
        };
        total += cases.len();
        if update {
            write_script(f, &cases, &actual);
            continue;
        }
        for (c, a) in cases.iter().zip(&actual) {
            if &c.expected != a {
                failures.push(format!(
                    "{}: query `{}`\n--- expected\n{}\n--- actual\n{}\n",
                    f.file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default(),
                    c.query.join(" "),
                    c.expected,
                    a
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} golden queries differ (UPDATE_GOLDENFILES=1 cargo test --test scripts to accept):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every example in docs/QUERY.md (the lines after `chainkb> `) is a golden query.
#[test]
fn every_documented_example_is_tested() {
    let doc = std::fs::read_to_string(root().join("docs/QUERY.md")).expect("docs/QUERY.md");
    let mut tested = std::collections::HashSet::new();
    for e in std::fs::read_dir(root().join("tests/scripts"))
        .expect("tests/scripts")
        .flatten()
    {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        for c in parse_script(&text) {
            tested.insert(c.query.join(" ").trim().to_string());
        }
    }
    let examples: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("chainkb> "))
        .map(str::trim)
        .collect();
    assert!(
        examples.len() >= 20,
        "docs/QUERY.md has only {} examples",
        examples.len()
    );
    let missing: Vec<&&str> = examples.iter().filter(|e| !tested.contains(**e)).collect();
    assert!(
        missing.is_empty(),
        "examples in docs/QUERY.md without a golden test: {missing:#?}"
    );
}

fn chainkb(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chainkb"))
        .env_remove("CHAINKB_LANG")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run chainkb")
}

#[test]
fn cli_formats_timing_and_exit_codes() {
    let (_dir, db) = fixture_db();

    let ok = chainkb(
        &db,
        &[
            "query",
            "fill 锂电池 in 测试园区 | select segment, gap | limit 1",
            "--format",
            "json",
        ],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("JSON output");
    assert_eq!(
        rows,
        serde_json::json!([{"segment": "电解液", "gap": "断链"}])
    );

    let csv = chainkb(
        &db,
        &[
            "query",
            "fill 锂电池 in 测试园区 | select segment, dependents",
            "--format",
            "csv",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&csv.stdout),
        "环节名称,依赖环节数\n电解液,1\n负极材料,1\n铜箔,1\n"
    );
    // English on request, by flag or by CHAINKB_LANG; known values follow the language.
    let q = "status 锂电池 in 测试园区 | where 状态 = 缺失 | select segment, state | limit 1";
    let en = chainkb(&db, &["query", q, "--format", "csv", "--lang", "en"]);
    assert_eq!(
        String::from_utf8_lossy(&en.stdout),
        "segment,state\n负极材料,missing\n"
    );
    let by_env = Command::new(env!("CARGO_BIN_EXE_chainkb"))
        .env("CHAINKB_LANG", "en_US.UTF-8")
        .arg("--db")
        .arg(&db)
        .args(["query", q, "--format", "csv"])
        .output()
        .expect("run chainkb");
    assert_eq!(by_env.stdout, en.stdout);
    let zh = chainkb(&db, &["query", q, "--format", "csv"]);
    assert_eq!(
        String::from_utf8_lossy(&zh.stdout),
        "环节名称,状态\n负极材料,缺失\n"
    );

    let timed = chainkb(&db, &["query", "chains; regions", "--timing"]);
    let err = String::from_utf8_lossy(&timed.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    for l in lines {
        let rest = l.strip_prefix("timing: parse=").expect("fixed prefix");
        let parts: Vec<&str> = rest.split(' ').collect();
        assert!(
            parts.len() == 3 && parts[1].starts_with("plan=") && parts[2].starts_with("exec="),
            "{l}"
        );
        assert!(parts.iter().all(|p| p.ends_with("ms")), "{l}");
    }

    let bad = chainkb(&db, &["query", "fill 锂电池 in 测试园区 | wher gap = 断链"]);
    assert_eq!(bad.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(
        msg.contains("第 1 行第 20 列") && msg.contains("是不是 `where`？"),
        "{msg}"
    );
    let bad = chainkb(
        &db,
        &[
            "--lang",
            "en",
            "query",
            "fill 锂电池 in 测试园区 | wher gap = 断链",
        ],
    );
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(msg.contains("error: line 1, column 20"), "{msg}");

    let empty = chainkb(&db, &["query", " ; -- nothing"]);
    assert_eq!(empty.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&empty.stderr);
    assert!(msg.contains("错误：没有可运行的语句"), "{msg}");
    let empty = chainkb(&db, &["--lang", "en", "query", " ; -- nothing"]);
    assert_eq!(empty.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&empty.stderr);
    assert!(msg.contains("error: no statement to run"), "{msg}");

    let unknown = chainkb(&db, &["query", "status 锂电 in 测试园区"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("是不是 锂电池"));
}

#[test]
fn cli_runs_a_script_file_and_stops_at_the_first_error() {
    let (dir, db) = fixture_db();
    let script = dir.path().join("q.ckq");
    std::fs::write(&script, "-- two statements, then an error\nchains | select name;\nregions | select name | limit 1;\nparks | sort nmae;\nchains\n").unwrap();
    let out = chainkb(
        &db,
        &["query", "-f", script.to_str().unwrap(), "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "名称\n锂电池\n光伏\n疫苗\n名称\n测试省\n"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("没有 `nmae` 这一列，是不是 name？"), "{err}");
}

/// A syntax error in a later statement stops the script there: the statements before it run
/// (their output is printed), the ones after it do not, and the exit code is 1.
#[test]
fn cli_runs_a_script_up_to_a_syntax_error() {
    let (dir, db) = fixture_db();
    let script = dir.path().join("q.ckq");
    std::fs::write(
        &script,
        "chains | where name != \"x;y\" | select name; -- a comment; with semicolons\nregions | select name | limit 1;\nparks | wher name = 测试园区;\nchains\n",
    )
    .unwrap();
    let out = chainkb(
        &db,
        &["query", "-f", script.to_str().unwrap(), "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "名称\n锂电池\n光伏\n疫苗\n名称\n测试省\n"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("第 3 行第 9 列") && err.contains("是不是 `where`？"),
        "{err}"
    );
}

/// Notepad on Chinese Windows saves UTF-8 with a byte-order mark: skipped at the start of a
/// script file, of standard input and of a piped REPL line; anywhere else it is named.
#[test]
fn cli_skips_a_leading_byte_order_mark() {
    use std::io::Write as _;
    use std::process::Stdio;
    let (dir, db) = fixture_db();
    let script = dir.path().join("bom.ckq");
    std::fs::write(
        &script,
        "\u{feff}chains | select name;\nregions | select name | limit 1\n",
    )
    .unwrap();
    let expected = "名称\n锂电池\n光伏\n疫苗\n名称\n测试省\n";

    let out = chainkb(
        &db,
        &["query", "-f", script.to_str().unwrap(), "--format", "csv"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);

    let piped = |args: &[&str], input: &[u8]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chainkb"))
            .env_remove("CHAINKB_LANG")
            .arg("--db")
            .arg(&db)
            .args(args)
            // The REPL keeps its history under the data folder: keep it in the temp dir.
            .env("XDG_DATA_HOME", dir.path())
            .env("HOME", dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run chainkb");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    };
    let out = piped(
        &["query", "-f", "-", "--format", "csv"],
        &std::fs::read(&script).unwrap(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);

    // A piped REPL: the mark before a meta command and before a statement.
    let out = piped(
        &["repl"],
        "\u{feff}.format csv\n\u{feff}regions | select name | limit 1\n".as_bytes(),
    );
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(stdout.contains("名称\n测试省\n"), "{stdout}");

    // Anywhere else it is an error that says what the invisible character is.
    std::fs::write(
        &script,
        "chains | select name;\nregions\u{feff} | limit 1\n",
    )
    .unwrap();
    let out = chainkb(
        &db,
        &["query", "-f", script.to_str().unwrap(), "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "名称\n锂电池\n光伏\n疫苗\n"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("第 2 行第 8 列") && err.contains("U+FEFF（看不见的字节顺序标记）"),
        "{err}"
    );
}
