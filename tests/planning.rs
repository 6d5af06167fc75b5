//! Planning sessions (issue 17) on the shipped data: the journal's writes, history, the 客商库,
//! snapshots and `diff`, through the `chainkb` binary. The session transcript is a golden file,
//! `tests/golden/planning.txt` (`UPDATE_GOLDENFILES=1 cargo test --test planning` rewrites it;
//! read the diff). Time and user are fixed with `CHAINKB_NOW` and `--as`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the shipped data folder (graphs/ + seeds/) that a test may edit.
fn shipped_copy(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    for sub in ["graphs", "seeds"] {
        std::fs::create_dir_all(data.join(sub)).unwrap();
        for e in std::fs::read_dir(root().join(sub)).unwrap().flatten() {
            std::fs::copy(e.path(), data.join(sub).join(e.file_name())).unwrap();
        }
    }
    data
}

/// Replace one project's status column (the 13th) in a seeds file.
fn set_status(data: &Path, file: &str, id: &str, from: &str, to: &str) {
    let path = data.join("seeds").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut hit = 0;
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{id},")) {
                let needle = format!(",{from},");
                let pos = l.find(&needle).expect("status in the row");
                hit += 1;
                format!("{},{to},{}", &l[..pos], &l[pos + needle.len()..])
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_eq!(hit, 1, "{id} in {file}");
    std::fs::write(&path, out.join("\n") + "\n").unwrap();
}

struct Session {
    db: PathBuf,
    tmp: String,
    transcript: String,
}

impl Session {
    fn new(dir: &Path) -> Session {
        Session {
            db: dir.join("db"),
            tmp: dir.display().to_string(),
            transcript: String::new(),
        }
    }

    /// Run `chainkb --db DB ARGS` at `now`; record the command, its output and exit code.
    fn run(&mut self, now: &str, args: &[&str]) -> (i32, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_chainkb"))
            .env("CHAINKB_NOW", now)
            .env("USER", "测试员")
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .output()
            .expect("run chainkb");
        let code = out.status.code().unwrap_or(-1);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .replace(&self.tmp, "TMP");
        // Per-file row counts of an import are the data's business, not this test's.
        let text: String = text
            .lines()
            .filter(|l| !l.starts_with("  TMP/data/") && !l.starts_with("  ./"))
            .map(|l| format!("{l}\n"))
            .collect();
        let shown: Vec<String> = args.iter().map(|a| a.replace(&self.tmp, "TMP")).collect();
        self.transcript
            .push_str(&format!("$ chainkb {}   [{now}]\n{text}", shown.join(" ")));
        if code != 0 {
            self.transcript.push_str(&format!("(exit {code})\n"));
        }
        self.transcript.push('\n');
        (code, text)
    }

    fn ok(&mut self, now: &str, args: &[&str]) -> String {
        let (code, text) = self.run(now, args);
        assert_eq!(code, 0, "chainkb {args:?} failed:\n{text}");
        text
    }
}

fn golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDENFILES").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDENFILES=1 writes it)", path.display()));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output (first at line {}):\nexpected: {:?}\nactual:   {:?}\n(UPDATE_GOLDENFILES=1 rewrites it)",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

const T0: &str = "2026-12-01 09:00:00";
const T1: &str = "2026-12-06 10:00:00";
const T2: &str = "2026-12-06 10:05:00";

/// The check: on a fresh database, import the shipped data, `snapshot save 会前`,
/// change a project's status in the data files and re-import, and another one through a write;
/// `diff 会前` names both projects with their old and new status and where each change came
/// from. Along the way: the loop refuses a move it does not allow, the 客商库, notes, a firm
/// met in the meeting, history, and the brief.
#[test]
fn a_planning_session_from_import_to_brief() {
    let tmp = tempfile::tempdir().unwrap();
    let data = shipped_copy(tmp.path());
    let mut s = Session::new(tmp.path());
    s.ok(T0, &["import", &data.display().to_string()]);
    // The snapshot keeps the top 5 of the 锂电池 target list of 玉溪高新区 too.
    s.ok(
        T0,
        &[
            "snapshot",
            "save",
            "会前",
            "--targets",
            "锂电池",
            "--in",
            "玉溪高新区",
            "--top",
            "5",
        ],
    );
    s.ok(T0, &["snapshot", "list"]);

    // In the data files: 卷烟厂技改 goes from 规划 to 在建, and the data is imported again.
    set_status(
        &data,
        "projects-yuxi-hitech.csv",
        "YXGX-T4-001",
        "规划",
        "在建",
    );
    s.ok(T1, &["import", &data.display().to_string()]);

    // Through writes: 城市更新改造 is 推介; the loop allows 在谈 only.
    let (code, refused) = s.run(T1, &["project", "move", "HT-T4-01", "签约", "--as", "张三"]);
    assert_eq!(code, 1);
    assert!(refused.contains("可改为：在谈"), "{refused}");
    s.ok(
        T1,
        &[
            "project",
            "move",
            "HT-T4-01",
            "在谈",
            "--as",
            "张三",
            "--reason",
            "区投促局汇报已有意向方",
        ],
    );
    s.run(T1, &["project", "move", "HT-T4-01", "完工"]);
    s.ok(
        T1,
        &[
            "prospect",
            "add",
            "恩捷股份",
            "--in",
            "玉溪高新区",
            "--chain",
            "锂电池",
            "--responsible",
            "市工信局",
            "--contact",
            "电话联系董办",
            "--date",
            "2026-11-20",
            "--as",
            "李四",
        ],
    );
    s.ok(
        T2,
        &[
            "prospect",
            "move",
            "恩捷股份",
            "已考察",
            "--in",
            "玉溪高新区",
            "--chain",
            "锂电池",
            "--date",
            "2026-12-04",
            "--contact",
            "赴上海总部考察",
            "--as",
            "李四",
        ],
    );
    s.run(
        T2,
        &[
            "prospect",
            "move",
            "恩捷股份",
            "已接洽",
            "--in",
            "玉溪高新区",
            "--chain",
            "锂电池",
        ],
    );
    s.ok(T2, &["prospect", "list", "--in", "玉溪高新区"]);
    s.ok(
        T2,
        &[
            "firm",
            "add",
            "滇中正极材料科技",
            "--in",
            "玉溪高新区",
            "--segments",
            "正极材料",
            "--meeting",
            "2026-12-06",
            "--as",
            "王五",
            "--reason",
            "会上企业代表介绍",
        ],
    );
    s.ok(
        T2,
        &[
            "note",
            "HT-T4-01",
            "意向方要求 2027 年一季度供地",
            "--as",
            "张三",
        ],
    );
    // The same kind of writes as statements of the query language.
    s.ok(
        T2,
        &[
            "query",
            "推进 项目 HT-T4-02 到 在谈 理由 会上确认意向 记录人 张三; \
             新增 企业 滇中铝塑膜 在 玉溪高新区 生产 铝塑膜 会议 2026-12-06 记录人 王五",
        ],
    );
    s.ok(T2, &["history", "HT-T4-01"]);
    s.ok(T2, &["show", "滇中正极材料科技"]);
    s.ok(
        T2,
        &["project", "list", "--in", "红塔区", "--status", "在谈"],
    );
    let diff = s.ok(T2, &["diff", "会前"]);
    // The check: both projects, old and new status, and their provenance.
    assert!(
        diff.contains(
            "红塔集团玉溪卷烟厂就地技术改造项目（YXGX-T4-001）：规划 → 在建　〔导入 第2代"
        ),
        "{diff}"
    );
    assert!(
        diff.contains("城市更新改造项目（HT-T4-01）：推介 → 在谈　〔日志 #1（张三"),
        "{diff}"
    );
    // … and the one moved by a write statement.
    assert!(
        diff.contains("推介 → 在谈　〔日志 #6（张三 2026-12-06 10:05:00：会上确认意向）〕"),
        "{diff}"
    );
    // A firm that closes a gap (铝塑膜) moves firms in and out of the target list's top 5.
    assert!(diff.contains("目标名单前列进出"), "{diff}");
    assert!(
        diff.contains("上海璞泰来新能源科技股份有限公司：第5名 → 移出前5名"),
        "{diff}"
    );
    let brief = tmp.path().join("brief.md");
    s.ok(T2, &["diff", "会前", "-o", &brief.display().to_string()]);
    let text = std::fs::read_to_string(&brief).unwrap();
    assert!(text.starts_with("# 会前简报"), "{text}");
    assert!(text.contains("推介 → 在谈"), "{text}");
    s.transcript.push_str("--- brief.md ---\n");
    s.transcript.push_str(&text.replace(&s.tmp.clone(), "TMP"));
    s.ok(T2, &["journal"]);
    golden("planning.txt", &s.transcript);
    // The brief as a workbook: 会前简报, 全部变化 and 说明 (with the 要点), through the
    // hand-out writer (frozen header, autofilter).
    let xlsx = tmp.path().join("brief.xlsx");
    let said = s.ok(T2, &["diff", "会前", "-o", &xlsx.display().to_string()]);
    assert!(said.contains("已写会前简报"), "{said}");
    {
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto(&xlsx).unwrap();
        assert_eq!(wb.sheet_names(), ["会前简报", "全部变化", "说明"]);
        let cells = |r: &calamine::Range<calamine::Data>| -> Vec<String> {
            r.rows()
                .map(|row| {
                    row.iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect()
        };
        let brief = cells(&wb.worksheet_range("会前简报").unwrap());
        assert_eq!(brief[0], "类别|对象|原|新|来源");
        assert!(
            brief[1].starts_with("项目状态变化|城市更新改造项目（HT-T4-01）|推介|在谈|日志 #1"),
            "{brief:?}"
        );
        assert!(
            brief
                .iter()
                .any(|r| r.contains("上海璞泰来新能源科技股份有限公司|第5名|移出前5名")),
            "{brief:?}"
        );
        assert_eq!(brief.len(), 15, "{brief:?}");
        let about = cells(&wb.worksheet_range("说明").unwrap());
        assert!(
            about
                .iter()
                .any(|r| r == "要点|客商库变化 1 项；目标名单前列进出 2 项"),
            "{about:?}"
        );
        assert!(
            about.iter().any(|r| r == "标题|会前简报：会前 以来的变化"),
            "{about:?}"
        );
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut sheet,
        )
        .unwrap();
        assert!(sheet.contains("<autoFilter ref=\"A1:E15\""), "{sheet}");
        assert!(sheet.contains("state=\"frozen\""), "{sheet}");
    }
    // The same changes as a table (.csv here; .xlsx and .json go through the same writer).
    let table = tmp.path().join("changes.csv");
    s.ok(T2, &["diff", "会前", "-o", &table.display().to_string()]);
    let csv = std::fs::read_to_string(&table).unwrap();
    assert!(csv.contains("类别,对象,原,新,来源"), "{csv}");
    assert!(
        csv.contains("项目状态变化,城市更新改造项目（HT-T4-01）,推介,在谈,日志 #1"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 15, "{csv}");
}

/// export → import → export is byte-identical, journal.csv included; a re-import of the
/// curated files keeps the journal; an event whose project left the data is reported by
/// `import` and `check --store`, never dropped.
#[test]
fn the_journal_survives_imports_round_trips_and_reports_orphans() {
    let tmp = tempfile::tempdir().unwrap();
    let data = shipped_copy(tmp.path());
    let mut s = Session::new(tmp.path());
    s.ok(T0, &["import", &data.display().to_string()]);
    s.ok(
        T1,
        &["project", "move", "HT-T4-02", "在谈", "--reason", "a,\"b\""],
    );
    s.ok(T1, &["note", "玉溪高新区", "第二条"]);
    let e1 = tmp.path().join("e1");
    let e2 = tmp.path().join("e2");
    s.ok(T1, &["export", &e1.display().to_string()]);
    assert!(e1.join("journal.csv").is_file());
    // Into a fresh database, then out again.
    let mut s2 = Session::new(&tmp.path().join("second"));
    std::fs::create_dir_all(tmp.path().join("second")).unwrap();
    s2.ok(T1, &["import", &e1.display().to_string()]);
    s2.ok(T1, &["export", &e2.display().to_string()]);
    let mut files = vec![PathBuf::from("journal.csv")];
    for sub in ["graphs", "seeds"] {
        for e in std::fs::read_dir(e1.join(sub)).unwrap().flatten() {
            files.push(Path::new(sub).join(e.file_name()));
        }
    }
    for f in &files {
        assert_eq!(
            std::fs::read(e1.join(f)).unwrap(),
            std::fs::read(e2.join(f)).unwrap(),
            "{} differs after export → import → export",
            f.display()
        );
    }
    // Importing the export again into the database it came from adds nothing.
    let again = s2.ok(T1, &["import", &e1.display().to_string()]);
    assert!(again.contains("日志：2 条事件保留"), "{again}");
    // A journal.csv that does not continue the database's journal stops the import.
    let csv = std::fs::read_to_string(e1.join("journal.csv")).unwrap();
    std::fs::write(e1.join("journal.csv"), csv.replace("第二条", "第三条")).unwrap();
    let (code, text) = s2.run(T1, &["import", &e1.display().to_string()]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("journal.csv:3") && text.contains("未导入任何内容"),
        "{text}"
    );

    // HT-T4-02 leaves the data files: the re-import keeps the event and says it is orphaned.
    let path = data.join("seeds/projects-hongta.csv");
    let kept: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("HT-T4-02,"))
        .map(str::to_string)
        .collect();
    std::fs::write(&path, kept.join("\n") + "\n").unwrap();
    let out = s.ok(T1, &["import", &data.display().to_string()]);
    assert!(
        out.contains("日志：2 条事件保留（导入不改变日志），1 条未能应用")
            && out.contains("日志 #1：项目 HT-T4-02 已不在数据中"),
        "{out}"
    );
    // `check` of the data folder with the exported journal.csv says the same before an import.
    std::fs::copy(e2.join("journal.csv"), data.join("journal.csv")).unwrap();
    let (code, text) = s.run(T1, &["check", &data.display().to_string()]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("2 条日志事件，1 条的实体不在数据中")
            && text.contains("日志 #1：项目 HT-T4-02 已不在数据中"),
        "{text}"
    );
    std::fs::remove_file(data.join("journal.csv")).unwrap();
    let (code, text) = s.run(T1, &["check", "--store"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("日志 #1：项目 HT-T4-02 已不在数据中"),
        "{text}"
    );
    let journal = s.ok(T1, &["journal"]);
    assert!(
        journal.contains("未应用：项目 HT-T4-02 已不在数据中"),
        "{journal}"
    );
}

/// Writes need a database that exists: they never create one, and never write the default.
#[test]
fn writes_need_an_existing_database() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Session::new(tmp.path());
    let (code, text) = s.run(T0, &["note", "锂电池", "x"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        !tmp.path().join("db").exists(),
        "a write created the database"
    );
    // Imports and reads create no journal (a bug once: every import made an empty one).
    let mini = root().join("tests/fixtures/mini").display().to_string();
    s.ok(T0, &["import", &mini]);
    s.ok(T0, &["import", &mini]);
    s.ok(T0, &["journal"]);
    s.ok(T0, &["check", "--store"]);
    assert!(!s.db.join("journal").exists() && !s.db.join("snapshots").exists());
    let out = Command::new(env!("CARGO_BIN_EXE_chainkb"))
        .env_remove("CHAINKB_DB")
        .env("XDG_DATA_HOME", tmp.path())
        .env("HOME", tmp.path())
        .args(["note", "锂电池", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("写操作需要 --db"));
}

/// Saving a snapshot under a name in use replaces it and says so, with when the replaced one
/// was taken (it once said only "已保存", so a 会前 snapshot could be lost unnoticed).
#[test]
fn saving_a_snapshot_under_a_used_name_says_it_replaced_one() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Session::new(tmp.path());
    let mini = root().join("tests/fixtures/mini").display().to_string();
    s.ok(T0, &["import", &mini]);
    let first = s.ok(T1, &["snapshot", "save", "会前"]);
    assert!(
        first.starts_with("已保存快照 会前") && !first.contains("替换"),
        "{first}"
    );
    let again = s.ok(T2, &["snapshot", "save", "会前"]);
    assert!(
        again.contains(&format!("（替换了 {T1} 保存的同名快照）")),
        "{again}"
    );
    let en = s.ok(T2, &["--lang", "en", "snapshot", "save", "会前"]);
    assert!(
        en.contains(&format!(
            "(replaced the snapshot of that name saved at {T2})"
        )),
        "{en}"
    );
}

/// The same commands as REPL meta commands (`.snapshot NAME`, `.note`, `.changes`, `.diff`): a
/// write is recorded with the words typed, and the session sees it at once (the note's project
/// moves, and a query after it shows the new status).
#[test]
fn planning_commands_in_the_repl() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Session::new(tmp.path());
    s.ok(
        T0,
        &[
            "import",
            &root().join("tests/fixtures/mini").display().to_string(),
        ],
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainkb"))
        .env("CHAINKB_NOW", T1)
        .env("USER", "测试员")
        .env("CHAINKB_NO_PAGER", "1")
        .arg("--db")
        .arg(&s.db)
        .arg("repl")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(
                ".snapshot 周一\n.note 锂电池 \"会上：补正极\" --as 赵六\n.changes 锂电池\n.snapshot 坏/名\n.journal\n\
                 推进 项目 P1 到 在谈 记录人 钱七\nprojects | where id = P1 | select id, status\n\
                 .snapshot 周二 --targets 锂电池 --in 测试园区 --top 3\n\
                 .prospect add 庚材料 --in 测试园区 --chain 锂电池 --stage 已签约\n\
                 fill 锂电池 in 测试园区 | targets | where prospect != 已签约 | select enterprise, prospect\n"
                    .as_bytes(),
            )
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("已保存快照 周一"), "{stdout}\n{stderr}");
    assert!(stdout.contains("已保存快照 周二"), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("已记录 #1（赵六，2026-12-06 10:00:00）：产业链 锂电池 备注：会上：补正极"),
        "{stdout}\n{stderr}"
    );
    assert!(stdout.contains("#1 2026-12-06 10:00:00 赵六"), "{stdout}");
    assert!(stderr.contains("快照名 `坏/名` 不可用"), "{stderr}");
    // A write statement is recorded, and the next statement sees it.
    assert!(
        stdout.contains("项目 正极材料一期项目（P1） 状态 推介 → 在谈"),
        "{stdout}\n{stderr}"
    );
    let after = stdout.split("状态 推介 → 在谈").nth(1).unwrap_or("");
    assert!(after.contains("P1") && after.contains("在谈"), "{stdout}");
    // The statement recorded is what was typed, not `chainkb repl`.
    let csv_dir = tmp.path().join("out");
    s.ok(T1, &["export", &csv_dir.display().to_string()]);
    let csv = std::fs::read_to_string(csv_dir.join("journal.csv")).unwrap();
    assert!(
        csv.contains("chainkb note 锂电池 会上：补正极 --as 赵六"),
        "{csv}"
    );
    assert!(csv.contains("move project P1 to 在谈 as 钱七"), "{csv}");
    // After a `.prospect` write, `| targets` sees the stage: the signed firm is left out, the
    // firm never entered is kept as 未入库.
    let after = stdout.split("阶段 已签约").nth(1).unwrap_or("");
    assert!(
        after.contains("己化学有限公司") && after.contains("未入库"),
        "{stdout}\n{stderr}"
    );
    assert!(!after.contains("庚材料股份有限公司"), "{stdout}");
}

/// A target list shows each firm's 客商库 stage for the place and chain, and
/// `--exclude-signed` leaves out the firms already signed, saying how many.
#[test]
fn target_lists_show_the_prospect_stage_and_can_leave_out_signed_firms() {
    let tmp = tempfile::tempdir().unwrap();
    let data = shipped_copy(tmp.path());
    let mut s = Session::new(tmp.path());
    s.ok(T0, &["import", &data.display().to_string()]);
    let list = [
        "targets",
        "锂电池",
        "--in",
        "玉溪高新区",
        "--limit",
        "3",
        "--format",
        "csv",
    ];
    let before = s.ok(T1, &list);
    assert!(!before.contains("客商库"), "{before}");
    let top = before
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(2)
        .unwrap()
        .to_string();
    s.ok(
        T1,
        &[
            "prospect",
            "add",
            &top,
            "--in",
            "玉溪高新区",
            "--chain",
            "锂电池",
            "--stage",
            "已签约",
        ],
    );
    let marked = s.ok(T1, &list);
    assert!(
        marked.lines().next().unwrap().ends_with(",客商库"),
        "{marked}"
    );
    let row = marked.lines().nth(1).unwrap();
    assert!(row.contains(&top) && row.ends_with(",已签约"), "{marked}");
    let mut without = list.to_vec();
    without.push("--exclude-signed");
    let out = s.ok(T1, &without);
    let rows: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with("note:") && !l.starts_with("注："))
        .collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(
        !out.lines().skip(1).any(|l| l.contains(&format!(",{top},"))),
        "{out}"
    );
    assert!(out.contains("已签约或已落地的 1 家企业未列出"), "{out}");
    // The query language's `| targets` shows the same stage for the same firm, and a filter
    // on it leaves the signed firm out while keeping the firms never entered (未入库).
    let mut query = |q: &str| s.ok(T1, &["query", q, "--format", "csv"]);
    let signed =
        query("fill 锂电池 in 玉溪高新区 | targets | where prospect = 已签约 | select enterprise");
    assert_eq!(signed.lines().nth(1), Some(top.as_str()), "{signed}");
    let kept = query(
        "fill 锂电池 in 玉溪高新区 | targets | where 客商库 != 已签约 | select enterprise, prospect | limit 3",
    );
    assert!(!kept.contains(&top), "{kept}");
    assert_eq!(
        kept.lines()
            .skip(1)
            .filter(|l| l.ends_with(",未入库"))
            .count(),
        3,
        "{kept}"
    );
}

/// Two processes writing to the journal at the same time: the second waits for the first, and
/// every write is recorded once and whole (sequence numbers 1..=n, each text once). A writer
/// kept out longer than it waits fails with a Chinese error and records nothing; one kept out
/// briefly waits and succeeds.
#[test]
fn concurrent_writers_wait_for_each_other_and_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Session::new(tmp.path());
    s.ok(
        T0,
        &[
            "import",
            &root().join("tests/fixtures/mini").display().to_string(),
        ],
    );
    let db = s.db.clone();
    let note = |db: &Path, text: &str, wait_ms: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_chainkb"));
        c.env("CHAINKB_NOW", T1).env("USER", "测试员");
        if let Some(ms) = wait_ms {
            c.env("CHAINKB_WRITE_WAIT_MS", ms);
        }
        c.arg("--db")
            .arg(db)
            .args(["note", "锂电池", text])
            .output()
            .expect("run chainkb")
    };
    const EACH: usize = 6;
    let writers: Vec<_> = ["甲", "乙"]
        .into_iter()
        .map(|who| {
            let db = db.clone();
            std::thread::spawn(move || {
                (0..EACH)
                    .map(|i| note(&db, &format!("{who}{i}"), None))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for w in writers {
        for out in w.join().unwrap() {
            assert!(
                out.status.success(),
                "a concurrent write failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let journal = |s: &mut Session| s.ok(T1, &["journal"]);
    let text = journal(&mut s);
    assert!(
        text.starts_with(&format!("日志：{} 条事件", 2 * EACH)),
        "{text}"
    );
    for seq in 1..=2 * EACH {
        assert!(
            text.contains(&format!("  #{seq} ")),
            "#{seq} missing:\n{text}"
        );
    }
    for who in ["甲", "乙"] {
        for i in 0..EACH {
            let needle = format!("备注：{who}{i}\n");
            assert_eq!(text.matches(&needle).count(), 1, "{needle}\n{text}");
        }
    }
    // Another process holds the database (here: this one) longer than the writer waits.
    let held = chainkb::store::Store::open(&db, true).unwrap();
    let out = note(&db, "等不到", Some("300"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("正被另一个 chainkb 进程使用") && stderr.contains("本次改动没有记录"),
        "{stderr}"
    );
    drop(held);
    assert!(!journal(&mut s).contains("等不到"));
    // Held briefly: the writer waits and succeeds.
    let held = chainkb::store::Store::open(&db, true).unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        drop(held);
    });
    let out = note(&db, "等到了", None);
    release.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = journal(&mut s);
    assert!(
        text.contains(&format!("#{} ", 2 * EACH + 1)) && text.contains("备注：等到了"),
        "{text}"
    );
}
