//! The REPL driven through a real terminal emulator (tmux, on a private socket): multi-line
//! input with its continuation prompt, completion by pinyin initials and by context (also on a
//! continuation line), Ctrl-C that drops an unfinished statement, a syntax error that does not
//! end the session, a pasted block of two statements that runs as two, `.export` to .xlsx and .csv, and history that persists across sessions.
//!
//! tmux is used rather than a bare pseudo-terminal because rustyline asks the terminal where the
//! cursor is, and only a terminal emulator answers. `.ci/run` installs tmux when it is missing.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux must be installed to test the REPL (apt-get install tmux)")
    }

    fn start(socket: &str, command: &str) -> Tmux {
        let t = Tmux {
            socket: socket.to_string(),
        };
        let out = t.cmd(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "160",
            "-y",
            "50",
            command,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    /// Type `text` literally.
    fn typed(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "t", "-l", text]);
    }

    /// Type `text` literally, then press Enter.
    fn line(&self, text: &str) {
        self.typed(text);
        self.keys(&["Enter"]);
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["capture-pane", "-t", "t", "-p", "-S", "-200"])
                .stdout,
        )
        .into_owned()
    }

    /// Wait until the screen contains `needle` `times` times.
    fn wait_for(&self, needle: &str, times: usize) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.matches(needle).count() >= times {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {needle:?} ×{times}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

#[test]
fn a_session_through_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let out = Command::new(env!("CARGO_BIN_EXE_chainkb"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "import",
            "tests/fixtures/small",
            "--db",
            &db.display().to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let launch = |home: &Path| {
        format!(
            "env -u CHAINKB_DB -u CHAINKB_LANG XDG_DATA_HOME={home} HOME={home} CHAINKB_PAGER=off {bin} repl --db {db}",
            home = home.display(),
            bin = env!("CARGO_BIN_EXE_chainkb"),
            db = db.display()
        )
    };
    let socket = format!("chainkb-test-{}", std::process::id());
    let t = Tmux::start(&format!("{socket}-1"), &launch(tmp.path()));
    t.wait_for("chainkb>", 1);
    // Chinese by default: the banner and .help; `.lang en` switches the session to English.
    t.wait_for("输入 .help 查看帮助", 1);
    t.line(".help");
    t.wait_for("元命令：", 1);
    t.line(".lang en");

    // Multi-line: the statement is incomplete after `in`, so Enter continues it, on a line
    // prompted `    ...> `.
    t.line("status 锂电池 in");
    t.wait_for("chainkb> status 锂电池 in\n    ...>", 1);
    t.line("测试高新区");
    let screen = t.wait_for("(5 rows,", 1);
    assert!(
        screen.contains("chainkb> status 锂电池 in\n    ...> 测试高新区\n"),
        "{screen}"
    );

    // On a narrow terminal the table is fitted to it (cells wrap inside their columns) instead
    // of the terminal wrapping each row.
    t.cmd(&["resize-window", "-t", "t", "-x", "80"]);
    t.line("status 锂电池 in 测试高新区");
    t.wait_for("(5 rows,", 2);
    let joined = String::from_utf8_lossy(
        &t.cmd(&["capture-pane", "-t", "t", "-p", "-J", "-S", "-40"])
            .stdout,
    )
    .into_owned();
    let table: Vec<&str> = joined
        .lines()
        .skip_while(|l| !l.contains("status 锂电池 in 测试高新区"))
        .filter(|l| l.starts_with(['┌', '│', '╞', '├', '└']))
        .collect();
    assert!(!table.is_empty(), "{joined}");
    for l in &table {
        assert!(
            unicode_width::UnicodeWidthStr::width(*l) <= 80,
            "wider than the 80-column terminal: {l}\n{joined}"
        );
    }
    t.cmd(&["resize-window", "-t", "t", "-x", "160"]);

    // Completion by pinyin initials: zjcl → 正极材料.
    t.typed("find zjcl");
    t.keys(&["Tab"]);
    t.wait_for("find 正极材料", 1);
    t.keys(&["Enter"]);
    t.wait_for("(1 row,", 1);

    // A syntax error is reported and the session goes on.
    t.line("find )");
    t.wait_for("error", 1);
    t.line(".help");
    t.wait_for("Meta commands", 1);

    // .export of the last result to .xlsx and .csv.
    t.line("chains");
    let screen = t.wait_for("(2 rows,", 1);
    assert!(
        !screen.contains("(2 rows)"),
        "the row count is said once, with the time:\n{screen}"
    );
    let csv = tmp.path().join("chains.csv");
    let xlsx = tmp.path().join("chains.xlsx");
    t.line(&format!(".export {}", csv.display()));
    t.wait_for("wrote 2 rows", 1);
    t.line(&format!(".export {}", xlsx.display()));
    t.wait_for("wrote 2 rows", 2);

    // Completion on a continuation line reads the lines before: after `|` only stage
    // keywords fit, so `li` is `limit` (without context it would offer 锂电池 too).
    t.line("chains |");
    t.wait_for("chainkb> chains |\n    ...>", 1);
    t.typed("li");
    t.keys(&["Tab"]);
    t.wait_for("    ...> limit", 1);
    t.line(" 1");
    t.wait_for("(1 row,", 2);

    // Ctrl-C on a continuation line drops the unfinished statement, not the session.
    t.line("fill 锂电池 in");
    t.wait_for("fill 锂电池 in\n    ...>", 1);
    t.keys(&["C-c"]);
    t.wait_for("statement discarded", 1);
    t.line("status 锂电池 in 江川片区 | limit 3");
    t.wait_for("(3 rows,", 1);

    // A paste arrives as one buffer (bracketed paste): each of its lines counts as typed, so
    // two pasted statements run as two (the parser saw `chains | limit 1 regions …` before).
    let paste = tmp.path().join("paste.txt");
    std::fs::write(&paste, "chains | limit 1\nregions | limit 2\n").unwrap();
    t.cmd(&["load-buffer", "-b", "p", &paste.display().to_string()]);
    t.cmd(&["paste-buffer", "-p", "-b", "p", "-t", "t"]);
    t.keys(&["Enter"]);
    t.wait_for("(1 row,", 3);
    let screen = t.wait_for("(2 rows,", 2);
    assert!(!screen.contains("found `regions`"), "{screen}");

    t.line(".history");
    let screen = t.wait_for("find 正极材料", 2);
    // a statement of two lines is one entry, its second line under its first
    assert!(
        screen.contains("  status 锂电池 in\n      测试高新区\n"),
        "{screen}"
    );
    t.keys(&["C-d"]);
    drop(t);

    let csv_bytes = std::fs::read(&csv).unwrap();
    assert!(
        csv_bytes.starts_with(b"\xEF\xBB\xBF"),
        "CSV for Excel starts with a BOM"
    );
    let csv_text = String::from_utf8_lossy(&csv_bytes);
    assert!(
        csv_text.contains("锂电池") && csv_text.contains("包装材料"),
        "{csv_text}"
    );
    assert_eq!(
        &std::fs::read(&xlsx).unwrap()[..2],
        b"PK",
        "an .xlsx is a zip file"
    );

    // History persists into the next session.
    let history = std::fs::read_to_string(tmp.path().join("chainkb/history.txt")).unwrap();
    assert!(history.contains("chains"), "{history}");
    // rustyline writes the newline inside an entry as `\n`
    assert!(
        history.contains("\nstatus 锂电池 in\\n测试高新区\n")
            && history.contains("\nchains |\\nlimit 1\n")
            && !history.contains("fill 锂电池"),
        "{history}"
    );
    let t = Tmux::start(&format!("{socket}-2"), &launch(tmp.path()));
    t.wait_for("chainkb>", 1);
    t.line(".history");
    t.wait_for("find 正极材料", 1);
}

/// A database of the small fixture in a fresh temporary folder.
fn small_db(tmp: &Path) -> std::path::PathBuf {
    let db = tmp.join("db");
    let out = Command::new(env!("CARGO_BIN_EXE_chainkb"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "import",
            "tests/fixtures/small",
            "--db",
            &db.display().to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

#[test]
fn a_long_result_pages_and_says_so_and_typed_ahead_commands_still_run() {
    let tmp = tempfile::tempdir().unwrap();
    let db = small_db(tmp.path());
    // Paging on (the default): neither CHAINKB_PAGER nor CHAINKB_NO_PAGER, on a terminal 12
    // rows high, where the 13 lines of `status 锂电池 in 测试高新区` do not fit.
    let launch = format!(
        "env -u CHAINKB_DB -u CHAINKB_LANG -u CHAINKB_PAGER -u CHAINKB_NO_PAGER XDG_DATA_HOME={home} HOME={home} {bin} repl --db {db}",
        home = tmp.path().display(),
        bin = env!("CARGO_BIN_EXE_chainkb"),
        db = db.display()
    );
    let t = Tmux::start(&format!("chainkb-pager-{}", std::process::id()), &launch);
    t.cmd(&["resize-window", "-t", "t", "-x", "100", "-y", "12"]);
    t.wait_for("chainkb>", 1);
    let notice = "分页显示；空格 下一页，回车 下一行，q 退出；.pager off 关闭分页）";
    let status = "-- 第 ";

    // The result pages, saying so first; space goes on to the end.
    t.line("status 锂电池 in 测试高新区");
    let screen = t.wait_for(status, 1);
    assert!(screen.contains(notice), "{screen}");
    assert!(
        !screen.contains("(5 行，"),
        "the first screen is not all of it:\n{screen}"
    );
    t.keys(&["Space"]);
    t.wait_for("(5 行，", 1);

    // A command typed while the result pages ends paging (the rest is printed) and runs: the
    // keys are not taken as paging keys.
    t.line("status 锂电池 in 测试高新区");
    t.wait_for(notice, 2);
    t.line("chains");
    let screen = t.wait_for("(2 行，", 1);
    assert!(screen.contains("收到键入的内容"), "{screen}");
    assert_eq!(screen.matches("(5 行，").count(), 2, "{screen}");
    assert!(screen.contains("chainkb> chains\n"), "{screen}");

    // q leaves a paged result, saying how much was left unshown.
    t.line("status 锂电池 in 测试高新区");
    t.wait_for(notice, 3);
    t.keys(&["q"]);
    t.wait_for("行未显示", 1);

    // .pager off: the whole result, without a notice; .pager on pages again.
    t.line(".pager off");
    t.wait_for("分页已关闭", 1);
    t.line("status 锂电池 in 测试高新区");
    let screen = t.wait_for("(5 行，", 3);
    assert_eq!(screen.matches(notice).count(), 3, "{screen}");
    t.line(".help meta");
    t.wait_for(".pager on|off", 1);
    t.line(".pager on");
    t.wait_for("分页已开启", 1);
    t.line("status 锂电池 in 测试高新区");
    t.wait_for(notice, 4);
    t.keys(&["q"]);
    t.wait_for("行未显示", 2);
    t.keys(&["C-d"]);
}
