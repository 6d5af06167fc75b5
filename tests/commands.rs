//! Golden command lines: every `tests/commands/*.txt` holds `chainkb` command lines and what
//! they print — standard output, standard error and the exit code — run from the repository's
//! root. `UPDATE_GOLDENFILES=1 cargo test --test commands` rewrites the expected outputs from
//! what chainkb prints now (read the diff before committing). The query language has its own
//! scripts (tests/scripts.rs); these are the other commands: targets, route, check, show, draw,
//! import, intake, and the command line's errors and exit codes.
//!
//! Format:
//!
//! ```text
//! # comment lines (kept on update)
//! @db small                              <- the database the commands below use: `small`,
//!                                           `mini` (tests/fixtures/…) or `seed` (the repository's
//!                                           graphs/ and seeds/), imported once per run; `none`
//!                                           for no --db (HOME is a fresh folder then); after
//!                                           the name, more data folders to import with it:
//!                                           `@db small tests/fixtures/routing`
//! $ chainkb targets 锂电池 --in 测试高新区   <- a command line; words split at spaces, "…" quotes
//! standard output, as is
//! ! a line of standard error
//! [exit 1]                               <- only when not 0
//! $ cat $TMP/out.csv                     <- shows a file a command wrote
//! ```
//!
//! `--db DB` is added to each command line that has no `--db` of its own. `$TMP` is a folder of
//! the script's own (fresh for each file), and `$DB` the database's folder: both are written so
//! in the expected output. A standard-output line that starts like one of the markers is
//! written with a `\` in front; output without a final newline ends with `[no newline]`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture databases, imported once per run (by a child process each, so no sled lock
/// of this process outlives it). `spec` is a fixture's name, then any further data folders
/// (paths from the repository's root) imported with it.
fn database(spec: &str) -> PathBuf {
    static DBS: OnceLock<Mutex<HashMap<String, (tempfile::TempDir, PathBuf)>>> = OnceLock::new();
    let mut dbs = DBS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some((_, db)) = dbs.get(spec) {
        return db.clone();
    }
    let mut words = spec.split_whitespace();
    let name = words.next().unwrap_or_default();
    let data = match name {
        "seed" => root().to_path_buf(),
        "small" | "mini" => root().join("tests/fixtures").join(name),
        other => panic!("@db {other}: use small, mini, seed or none"),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db");
    let out = Command::new(env!("CARGO_BIN_EXE_chainkb"))
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&data)
        .args(words.map(|w| root().join(w)))
        .env_remove("CHAINKB_DB")
        .output()
        .expect("run chainkb import");
    assert!(
        out.status.success(),
        "import {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dbs.insert(spec.to_string(), (dir, db.clone()));
    db
}

/// Words of a command line: split at spaces; `"…"` quotes (with `\"` inside).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            '\\' if quoted => word.extend(chars.next()),
            ' ' if !quoted => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

struct Case {
    /// Comment and `@db` lines before the command, kept on update.
    before: Vec<String>,
    command: String,
    expected: String,
}

const MARKERS: [&str; 5] = ["$ ", "#", "! ", "[exit ", "@db "];

fn parse(text: &str) -> (Vec<Case>, Vec<String>) {
    let mut cases: Vec<Case> = Vec::new();
    let mut before = Vec::new();
    let mut output: Option<Vec<&str>> = None;
    let finish = |cases: &mut Vec<Case>, output: Option<Vec<&str>>| {
        if let (Some(mut lines), Some(case)) = (output, cases.last_mut()) {
            // One blank line separates cases.
            if lines.last() == Some(&"") {
                lines.pop();
            }
            case.expected = lines.iter().map(|l| format!("{l}\n")).collect();
        }
    };
    for line in text.lines() {
        let is_marker = line.starts_with("$ ") || line.starts_with('#') || line.starts_with("@db ");
        if is_marker {
            finish(&mut cases, output.take());
            if let Some(command) = line.strip_prefix("$ ") {
                cases.push(Case {
                    before: std::mem::take(&mut before),
                    command: command.to_string(),
                    expected: String::new(),
                });
                output = Some(Vec::new());
            } else {
                before.push(line.to_string());
            }
        } else if let Some(lines) = output.as_mut() {
            lines.push(line);
        } else if !line.is_empty() {
            panic!("a line outside any case: {line:?}");
        } else {
            before.push(String::new());
        }
    }
    finish(&mut cases, output);
    (cases, before)
}

/// What a case prints, in the script's notation.
fn render(stdout: &str, stderr: &str, code: Option<i32>) -> String {
    let mut s = String::new();
    if !stdout.is_empty() {
        for line in stdout.split_inclusive('\n') {
            let bare = line.strip_suffix('\n').unwrap_or(line);
            if MARKERS.iter().any(|m| bare.starts_with(m)) || bare.starts_with('\\') {
                s.push('\\');
            }
            s.push_str(bare);
            s.push('\n');
        }
        if !stdout.ends_with('\n') {
            s.push_str("[no newline]\n");
        }
    }
    for line in stderr.lines() {
        s.push_str("! ");
        s.push_str(line);
        s.push('\n');
    }
    match code {
        Some(0) => {}
        Some(c) => s.push_str(&format!("[exit {c}]\n")),
        None => s.push_str("[killed by a signal]\n"),
    }
    s
}

fn run_case(case: &Case, db: &Option<PathBuf>, tmp: &Path) -> String {
    let tmp_text = tmp.display().to_string();
    let mut args: Vec<String> = words(&case.command)
        .into_iter()
        .map(|w| w.replace("$TMP", &tmp_text))
        .collect();
    if args.first().map(String::as_str) == Some("cat") {
        let path = args.get(1).expect("cat PATH");
        return match std::fs::read(path) {
            Ok(bytes) => render(&String::from_utf8_lossy(&bytes), "", Some(0)),
            Err(e) => render("", &format!("cat: {e}"), Some(1)),
        };
    }
    assert_eq!(
        args.first().map(String::as_str),
        Some("chainkb"),
        "a command line starts with chainkb or cat: {}",
        case.command
    );
    args.remove(0);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chainkb"));
    cmd.current_dir(root())
        .env_remove("CHAINKB_DB")
        // The default database, if a command opens it, is built in the script's folder.
        .env("HOME", tmp.join("home"))
        .env("XDG_DATA_HOME", tmp.join("home/data"));
    if let Some(db) = db
        && !args.iter().any(|a| a == "--db")
    {
        args.push("--db".into());
        args.push(db.display().to_string());
    }
    let out = cmd.args(&args).output().expect("run chainkb");
    let mut text = render(
        &String::from_utf8_lossy(&out.stdout),
        &String::from_utf8_lossy(&out.stderr),
        out.status.code(),
    );
    if let Some(db) = db {
        text = text.replace(&db.display().to_string(), "$DB");
    }
    text.replace(&tmp_text, "$TMP")
}

#[test]
fn golden_command_lines() {
    let update = std::env::var_os("UPDATE_GOLDENFILES").is_some_and(|v| v == "1");
    let dir = root().join("tests/commands");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/commands")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no command scripts found");
    let mut failures = Vec::new();
    let mut total = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read script");
        let (cases, trailing) = parse(&text);
        let tmp = tempfile::tempdir().expect("temp dir");
        let mut db: Option<PathBuf> = None;
        let mut rewritten = String::new();
        for case in &cases {
            for line in &case.before {
                if let Some(name) = line.strip_prefix("@db ") {
                    db = match name.trim() {
                        "none" => None,
                        name => Some(database(name)),
                    };
                }
                rewritten.push_str(line);
                rewritten.push('\n');
            }
            total += 1;
            let got = run_case(case, &db, tmp.path());
            if got != case.expected {
                failures.push(format!(
                    "{}: $ {}\n--- expected\n{}--- got\n{}",
                    path.display(),
                    case.command,
                    case.expected,
                    got
                ));
            }
            rewritten.push_str(&format!("$ {}\n{got}\n", case.command));
        }
        for line in &trailing {
            rewritten.push_str(line);
            rewritten.push('\n');
        }
        if update && rewritten != text {
            std::fs::write(&path, rewritten).expect("write script");
        }
    }
    assert!(
        update || failures.is_empty(),
        "{} of {total} golden command lines differ (UPDATE_GOLDENFILES=1 cargo test --test commands to accept):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn script_notation_reads_back_what_it_writes() {
    let got = render("a\n$ b\n\\c\nd", "warn\n", Some(1));
    assert_eq!(got, "a\n\\$ b\n\\\\c\nd\n[no newline]\n! warn\n[exit 1]\n");
    let text = format!("# c\n@db small\n$ chainkb x \"a b\"\n{got}\n$ chainkb y\n\n");
    let (cases, trailing) = parse(&text);
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].before, ["# c", "@db small"]);
    assert_eq!(cases[0].expected, got);
    assert_eq!(cases[1].expected, "");
    assert!(trailing.is_empty());
    assert_eq!(
        words("chainkb x \"a b\" \"\" c"),
        ["chainkb", "x", "a b", "", "c"]
    );
}
