//! Deep and long queries through the real binary: each ends in a clean error (exit 1) or a
//! result, never a crash. 7,500 `not`s in one condition (30 KB, under the 64 KiB input cap)
//! once overflowed the stack: `chainkb query` aborted with exit 134 and a REPL session died with
//! it. Both `chainkb query` and a piped `chainkb repl` are run; the REPL must answer the next
//! statement.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chainkb"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("CHAINKB_DB");
    c.env_remove("CHAINKB_FAULT_PAUSE_IMPORT");
    // The messages checked here are the English ones (the Chinese wording of the same errors
    // is held by the golden scripts).
    c.env("CHAINKB_LANG", "en");
    c.env("HOME", home).env("XDG_DATA_HOME", home);
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The hand-made fixture imported into a fresh database.
fn fixture_db() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = tmp.path().join("db");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let out = bin(tmp.path())
        .args([
            "import",
            fixture.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .expect("spawn chainkb");
    assert!(out.status.success(), "import: {}", text(&out.stderr));
    (tmp, db)
}

/// What a run ended with, for assertion messages: the exit code or the signal.
fn how(out: &Output) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = out.status.signal() {
            return format!("killed by signal {sig}");
        }
    }
    format!("exit {:?}", out.status.code())
}

/// Deep or long inputs with the message each must end in (`None`: it runs).
fn inputs() -> Vec<(&'static str, String, Option<&'static str>)> {
    let nots = |n: usize| format!("enterprises | where {}name = \"x\"", "not ".repeat(n));
    vec![
        ("7,500 nots", nots(7_500), Some("condition nested too deep")),
        ("129 nots", nots(129), Some("condition nested too deep")),
        ("128 nots", nots(128), None),
        (
            "30,000 brackets",
            format!(
                "enterprises | where {}a = 1{}",
                "(".repeat(30_000),
                ")".repeat(30_000)
            ),
            Some("brackets nested too deep"),
        ),
        (
            "64 brackets around 128 nots",
            format!(
                "enterprises | where {}{}name = \"x\"{}",
                "(".repeat(64),
                "not ".repeat(128),
                ")".repeat(64)
            ),
            None,
        ),
        (
            "30,000 list brackets",
            format!("enterprises | where name in {}", "[".repeat(30_000)),
            Some("brackets nested too deep"),
        ),
        (
            "20,000 minus signs",
            format!("chains | limit {}1", "- ".repeat(20_000)),
            Some("expected a whole number"),
        ),
        (
            "3,000 ands",
            format!(
                "enterprises | where {}name = \"x\"",
                "name = \"x\" and ".repeat(3_000)
            ),
            None,
        ),
        (
            "3,000 ors",
            format!(
                "enterprises | where {}name = \"x\"",
                "name = \"x\" or ".repeat(3_000)
            ),
            None,
        ),
        (
            "5,000 stages",
            format!("enterprises{}", " | limit 5".repeat(5_000)),
            None,
        ),
        (
            "3,000 path steps",
            format!("paths from 锂矿{}", " -[SUPPLIES]->()".repeat(3_000)),
            Some("at most 12 are allowed"),
        ),
        (
            "over 64 KiB",
            format!("find {}", "x".repeat(70_000)),
            Some("query too long"),
        ),
    ]
}

#[test]
fn deep_queries_end_in_an_error_or_a_result_never_a_crash() {
    let (tmp, db) = fixture_db();
    for (what, query, error) in inputs() {
        let out = bin(tmp.path())
            .args(["query", "--db", db.to_str().unwrap(), &query])
            .output()
            .expect("spawn chainkb");
        let stderr = text(&out.stderr);
        match error {
            Some(message) => {
                assert_eq!(out.status.code(), Some(1), "{what}: {} {stderr}", how(&out));
                assert!(stderr.contains(message), "{what}: {stderr}");
                assert!(
                    stderr.starts_with("error: line 1, column "),
                    "{what}: {stderr}"
                );
                // The line is shown around the error, not whole.
                assert!(stderr.len() < 1_000, "{what}: {} bytes", stderr.len());
            }
            None => assert_eq!(out.status.code(), Some(0), "{what}: {} {stderr}", how(&out)),
        }
    }
}

#[test]
fn the_7500_not_condition_is_refused_at_the_129th_not() {
    let (tmp, db) = fixture_db();
    let query = format!("enterprises | where {}name = \"x\"", "not ".repeat(7_500));
    let out = bin(tmp.path())
        .args(["query", "--db", db.to_str().unwrap(), &query])
        .output()
        .expect("spawn chainkb");
    assert_eq!(out.status.code(), Some(1), "{}", how(&out));
    // "enterprises | where " is 20 characters, and each `not ` 4: the 129th starts at 533.
    assert_eq!(
        text(&out.stderr),
        "error: line 1, column 533: condition nested too deep: more than 128 levels of `not`, `and` and `or` inside one another\n  |\n1 | ... not not not not not not not not not not not not not not not not not not not not not not not not not ...\n  |                                             ^^^\n  = hint: `not not C` is the same as C: drop `not`s in pairs\n"
    );
}

#[test]
fn a_piped_repl_survives_deep_queries_and_answers_the_next_statement() {
    let (tmp, db) = fixture_db();
    for (what, query, error) in inputs() {
        let mut child = bin(tmp.path())
            .args(["repl", "--db", db.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn chainkb repl");
        let script = format!(".format csv\n{query}\nchains | select name\n");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(script.as_bytes())
            .expect("write the script");
        let out = child.wait_with_output().expect("wait for the repl");
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        // The statement after the deep one is answered.
        assert!(
            stdout.ends_with("name\n锂电池\n光伏\n疫苗\n"),
            "{what}: {} stdout: {stdout} stderr: {stderr}",
            how(&out)
        );
        match error {
            Some(message) => {
                assert_eq!(out.status.code(), Some(1), "{what}: {} {stderr}", how(&out));
                assert!(stderr.contains(message), "{what}: {stderr}");
            }
            None => assert_eq!(out.status.code(), Some(0), "{what}: {} {stderr}", how(&out)),
        }
    }
}
