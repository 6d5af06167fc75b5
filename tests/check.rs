//! `chainkb check`: one mistake does not hide others or drown them in cascades, and a file or a
//! `graphs`/`seeds` folder is checked as part of the data it belongs to.
//!
//! Fixtures: `tests/fixtures/check-*`. Each test states the exact problems reported.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin_in(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chainkb"));
    c.current_dir(dir);
    c.env_remove("CHAINKB_DB");
    c.env_remove("CHAINKB_FAULT_PAUSE_IMPORT");
    c
}

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Run in the crate's folder, as tests/cli.rs does.
fn run(args: &[&str]) -> Output {
    run_in(manifest(), args)
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin_in(dir).args(args).output().expect("spawn chainkb")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn fixture(name: &str) -> PathBuf {
    manifest().join("tests/fixtures").join(name)
}

/// Lines joined with newlines, each ended by one.
fn lines(ls: &[&str]) -> String {
    ls.iter().map(|l| format!("{l}\n")).collect()
}

/// Exit code 1 and exactly these lines on stderr.
fn assert_problems(out: &Output, expected: &[&str]) {
    assert_eq!(
        text(&out.stderr),
        lines(expected),
        "stdout: {}",
        text(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(1));
}

/// Exit code 0, exactly these lines on stderr, and the "ok" line on stdout.
fn assert_clean(out: &Output, stderr: &[&str], ok: &str) {
    assert_eq!(text(&out.stderr), lines(stderr));
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), format!("{ok}\n"));
}

const KEYS: &str = "tests/fixtures/check-template-keys";

#[test]
fn an_unknown_key_is_reported_where_it_is_and_the_rest_of_the_template_is_still_checked() {
    // Before: `invalid chain template: unknown field colour`, the cycle, orphan, duplicate id
    // and bad stage unreported, and every reference to the template's segments "unknown".
    let out = run(&["check", KEYS]);
    assert_problems(
        &out,
        &[
            "tests/fixtures/check-template-keys/graphs/battery.toml:11:1: unknown key `colour` in [[segment]]; its keys are id, name, stage, aliases, source, notes",
            "tests/fixtures/check-template-keys/graphs/battery.toml:13:1: [[segment]] without `stage` (上游, 中游 or 下游)",
            "tests/fixtures/check-template-keys/graphs/battery.toml:15:1: unknown key `stge` in [[segment]] (did you mean stage?); its keys are id, name, stage, aliases, source, notes",
            "tests/fixtures/check-template-keys/graphs/battery.toml:19:9: stage `上流` is not one of 上游, 中游, 下游",
            "tests/fixtures/check-template-keys/graphs/battery.toml:22:6: segment `孤立环节` is an orphan in chain `电池`: no SUPPLIES edge links it to another segment of the chain",
            "tests/fixtures/check-template-keys/graphs/battery.toml:26:6: duplicate Segment id `碳酸锂` (first defined at tests/fixtures/check-template-keys/graphs/battery.toml:9)",
            "tests/fixtures/check-template-keys/graphs/battery.toml:38:1: cycle in chain `电池`: 碳酸锂 → 正极材料 → 电芯 → 碳酸锂 (a chain must be a DAG: remove the edge that closes the loop)",
            // No "belongs to no chain" for its segments, no "has no source" for each of them.
            "tests/fixtures/check-template-keys/graphs/nameless.toml:3:1: [chain] without `id`",
            "tests/fixtures/check-template-keys/graphs/nameless.toml:3:1: [chain] without `source`: say which document lines or public knowledge this template comes from",
            "error: 9 problem(s) found",
        ],
    );
}

#[test]
fn values_of_the_wrong_type_and_unknown_tables_are_reported_and_the_rest_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let graphs = tmp.path().join("graphs");
    std::fs::create_dir_all(&graphs).unwrap();
    std::fs::write(
        graphs.join("t.toml"),
        r#"[chain]
id = "链"
aliases = "单个别名"
source = "test"

[[segment]]
id = 3
stage = "上游"

[[segment]]
id = "甲"
stage = "上游"
aliases = ["乙", 2]

[[segment]]
id = "丙"
stage = "下游"

[[supplies]]
from = "甲"
to = "丙"

[[suplies]]
from = "甲"
to = "丙"
"#,
    )
    .unwrap();
    let out = run_in(tmp.path(), &["check"]);
    assert_problems(
        &out,
        &[
            "./graphs/t.toml:3:11: `aliases` in [chain] must be an array of strings (`aliases = [\"…\"]`), not a string",
            "./graphs/t.toml:7:6: `id` in [[segment]] must be a string, not an integer",
            "./graphs/t.toml:13:17: `aliases` in [[segment]] must hold strings only, not an integer",
            "./graphs/t.toml:23:3: unknown key `suplies` (did you mean supplies?): a chain template holds [chain], [[segment]] and [[supplies]] tables",
            "error: 4 problem(s) found",
        ],
    );
}

const GBK: &str = "tests/fixtures/check-gbk";

#[test]
fn files_that_cannot_be_read_come_first_and_references_into_them_are_counted_not_listed() {
    // The seeds are GBK. Before: `unknown 产业 新能源` (a cascade) listed before the causes.
    let out = run(&["check", GBK, "--encoding", "utf-8"]);
    assert_problems(
        &out,
        &[
            "tests/fixtures/check-gbk/seeds/enterprises.csv:1:1: the file is not valid UTF-8 (first bad byte at offset 28); if it was saved by Excel in Chinese Windows, try --encoding gbk",
            "tests/fixtures/check-gbk/seeds/industries.csv:1:1: the file is not valid UTF-8 (first bad byte at offset 10); if it was saved by Excel in Chinese Windows, try --encoding gbk; 1 reference to a name in it was not checked",
            "tests/fixtures/check-gbk/seeds/parks.csv:1:1: the file is not valid UTF-8 (first bad byte at offset 16); if it was saved by Excel in Chinese Windows, try --encoding gbk",
            // a genuine typo is still reported: 新能原材料 is in no file
            "tests/fixtures/check-gbk/graphs/lithium.toml:6:23: unknown 产业 `新能原材料`",
            "error: 4 problem(s) found",
        ],
    );
    // Read as they are, the same files have exactly their two genuine problems.
    let out = run(&["check", GBK]);
    assert_problems(
        &out,
        &[
            "tests/fixtures/check-gbk/graphs/lithium.toml:6:23: unknown 产业 `新能原材料`",
            "tests/fixtures/check-gbk/seeds/enterprises.csv:3:10: unknown 环节 `负级材料`",
            "error: 2 problem(s) found",
        ],
    );
}

#[test]
fn a_template_that_is_not_toml_hides_only_the_references_it_may_define() {
    let tmp = tempfile::tempdir().unwrap();
    let graphs = tmp.path().join("graphs");
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir_all(&graphs).unwrap();
    std::fs::create_dir_all(&seeds).unwrap();
    std::fs::write(
        graphs.join("a.toml"),
        "[chain]\nid = \"甲链\"\nsource = \"test\"\n\n[[segment]]\nid = \"甲\"\nstage = \"上游\"\n\n[[segment]\nid = \"乙\"\nstage = \"下游\"\n",
    )
    .unwrap();
    std::fs::write(
        seeds.join("enterprises.csv"),
        "id,segments,source\n公司一,甲,test\n公司二,乙,test\n公司三,丁,test\n",
    )
    .unwrap();
    let out = run_in(tmp.path(), &["check"]);
    assert_problems(
        &out,
        &[
            "./graphs/a.toml:9:11: invalid chain template: unclosed array table, expected `]`; 2 references to names in it were not checked",
            // 丁 is not in the broken file: a genuine unknown name
            "./seeds/enterprises.csv:4:5: unknown 环节 `丁`",
            "error: 2 problem(s) found",
        ],
    );
}

const PART: &str = "tests/fixtures/check-part";
const PART_OK: &str = "ok: 5 files, 8 nodes, 11 edges, 0 problems";

#[test]
fn a_file_or_a_graphs_or_seeds_folder_resolves_against_its_data_folder() {
    // Before: every reference to another file of the folder was an error.
    for part in [
        "tests/fixtures/check-part/seeds/parks.csv",
        "tests/fixtures/check-part/seeds/enterprises.csv",
        "tests/fixtures/check-part/graphs/lithium.toml",
        "tests/fixtures/check-part/graphs",
        "tests/fixtures/check-part/seeds",
    ] {
        let out = run(&["check", part]);
        assert_clean(
            &out,
            &["references resolved against the data folder tests/fixtures/check-part"],
            PART_OK,
        );
    }
    // The folder itself is a whole: no note.
    assert_clean(&run(&["check", PART]), &[], PART_OK);
    // From inside the folder.
    let out = run_in(&fixture("check-part"), &["check", "seeds"]);
    assert_clean(
        &out,
        &["references resolved against the data folder ."],
        PART_OK,
    );
}

const PROBLEMS: &str = "tests/fixtures/check-part-problems";

#[test]
fn only_the_files_given_have_their_problems_listed_and_the_rest_is_one_line() {
    assert_problems(
        &run(&["check", PROBLEMS]),
        &[
            "tests/fixtures/check-part-problems/seeds/enterprises.csv:2:14: unknown 环节 `动力电吃` (did you mean 动力电池?)",
            "tests/fixtures/check-part-problems/seeds/parks.csv:2:14: area_km2: `十二` is not a number (a plain non-negative decimal, e.g. 110)",
            "error: 2 problem(s) found",
        ],
    );
    assert_problems(
        &run(&[
            "check",
            "tests/fixtures/check-part-problems/seeds/parks.csv",
        ]),
        &[
            "references resolved against the data folder tests/fixtures/check-part-problems",
            "tests/fixtures/check-part-problems/seeds/parks.csv:2:14: area_km2: `十二` is not a number (a plain non-negative decimal, e.g. 110)",
            "tests/fixtures/check-part-problems/seeds/enterprises.csv:2:14: unknown 环节 `动力电吃` (did you mean 动力电池?) (in the data folder tests/fixtures/check-part-problems, which was read only to resolve references)",
            "error: 2 problem(s) found",
        ],
    );
    assert_problems(
        &run(&["check", "tests/fixtures/check-part-problems/graphs"]),
        &[
            "references resolved against the data folder tests/fixtures/check-part-problems",
            "tests/fixtures/check-part-problems/seeds/enterprises.csv:2:14: unknown 环节 `动力电吃` (did you mean 动力电池?) (in the data folder tests/fixtures/check-part-problems, which was read only to resolve references; 1 more problem there, listed by `chainkb check tests/fixtures/check-part-problems`)",
            "error: 1 problem(s) found",
        ],
    );
}

#[test]
fn an_unreadable_file_read_only_for_references_is_listed_when_it_leaves_a_reference_unchecked() {
    // industries.csv leaves the template's 新能源 unchecked: listed, first. enterprises.csv and
    // parks.csv leave nothing of the template unchecked: they are the "other files" line.
    assert_problems(
        &run(&[
            "check",
            "tests/fixtures/check-gbk/graphs",
            "--encoding",
            "utf-8",
        ]),
        &[
            "references resolved against the data folder tests/fixtures/check-gbk",
            "tests/fixtures/check-gbk/seeds/industries.csv:1:1: the file is not valid UTF-8 (first bad byte at offset 10); if it was saved by Excel in Chinese Windows, try --encoding gbk; 1 reference to a name in it was not checked",
            "tests/fixtures/check-gbk/graphs/lithium.toml:6:23: unknown 产业 `新能原材料`",
            "tests/fixtures/check-gbk/seeds/enterprises.csv:1:1: the file is not valid UTF-8 (first bad byte at offset 28); if it was saved by Excel in Chinese Windows, try --encoding gbk (in the data folder tests/fixtures/check-gbk, which was read only to resolve references; 1 more problem there, listed by `chainkb check tests/fixtures/check-gbk`)",
            "error: 3 problem(s) found",
        ],
    );
}

#[test]
fn a_file_given_stands_in_for_its_namesake_in_the_data_folder() {
    // check-part/parks.csv is a draft of check-part/seeds/parks.csv with a typo.
    assert_problems(
        &run(&["check", "tests/fixtures/check-part/parks.csv"]),
        &[
            "references resolved against the data folder tests/fixtures/check-part (tests/fixtures/check-part/parks.csv replaces tests/fixtures/check-part/seeds/parks.csv)",
            "tests/fixtures/check-part/parks.csv:2:10: unknown 园区/行政区 `测试巿` (did you mean 测试省, 测试市?)",
            "error: 1 problem(s) found",
        ],
    );
}

#[test]
fn a_file_in_no_data_folder_resolves_against_the_current_data_folder_else_the_bundled_data() {
    // check-loose is not a data folder: the bundled data knows 正极材料 and 动力电池.
    assert_problems(
        &run_in(&fixture("check-loose"), &["check", "candidates-new.csv"]),
        &[
            "references resolved against the bundled seed data",
            "candidates-new.csv:3:8: unknown 环节 `动力电吃` (did you mean 动力电池?)",
            "error: 1 problem(s) found",
        ],
    );
    // From inside a data folder, that folder (as `intake` resolves against ./graphs).
    assert_problems(
        &run_in(
            &fixture("check-part"),
            &["check", "../check-loose/candidates-new.csv"],
        ),
        &[
            "references resolved against the data folder .",
            "../check-loose/candidates-new.csv:3:8: unknown 环节 `动力电吃` (did you mean 动力电池?)",
            "error: 1 problem(s) found",
        ],
    );
}

#[test]
fn several_parts_of_one_data_folder_resolve_against_it_and_a_hand_picked_set_is_one_whole() {
    assert_clean(
        &run(&[
            "check",
            "tests/fixtures/check-part/graphs/lithium.toml",
            "tests/fixtures/check-part/seeds/parks.csv",
        ]),
        &["references resolved against the data folder tests/fixtures/check-part"],
        PART_OK,
    );
    // Paths from several places (parts of two data folders, or a part with a file from
    // elsewhere, as `intake`'s tests check a candidates file against `graphs` and the industries)
    // are checked as one whole: every reference must resolve among them.
    assert_problems(
        &run(&[
            "check",
            "tests/fixtures/check-part/seeds/parks.csv",
            "tests/fixtures/check-gbk/graphs",
        ]),
        &[
            "tests/fixtures/check-gbk/graphs/lithium.toml:6:16: unknown 产业 `新能源`",
            "tests/fixtures/check-gbk/graphs/lithium.toml:6:23: unknown 产业 `新能原材料`",
            "tests/fixtures/check-part/seeds/parks.csv:2:10: unknown 园区/行政区 `测试市`",
            "error: 3 problem(s) found",
        ],
    );
    assert_problems(
        &run(&[
            "check",
            "tests/fixtures/check-part/graphs",
            "tests/fixtures/check-part/seeds/industries.csv",
            "tests/fixtures/check-loose/candidates-new.csv",
        ]),
        &[
            "tests/fixtures/check-loose/candidates-new.csv:3:8: unknown 环节 `动力电吃` (did you mean 动力电池?)",
            "error: 1 problem(s) found",
        ],
    );
}

#[test]
fn importing_part_of_a_data_folder_is_refused_with_the_folder_to_import() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let db_arg = db.display().to_string();
    let out = run(&[
        "import",
        "tests/fixtures/check-part/seeds/parks.csv",
        "--db",
        &db_arg,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: import replaces the database's data with whole data folders, and tests/fixtures/check-part/seeds/parks.csv is part of the data folder tests/fixtures/check-part: import the whole folder: chainkb import tests/fixtures/check-part --db DB\n"
    );
    assert!(!db.exists(), "nothing was created");
    // The folder itself imports.
    let out = run(&["import", "tests/fixtures/check-part", "--db", &db_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("imported 8 nodes and 11 edges from 5 files into {db_arg} (generation 1)\n")
    );
}
