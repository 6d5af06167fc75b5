//! `chainkb check`: one mistake does not hide others or drown them in cascades, and a file or a
//! `graphs`/`seeds` folder is checked as part of the data it belongs to.
//!
//! Fixtures: `tests/fixtures/check-*`. Each test states the exact problems reported, in
//! English (`CHAINKB_LANG=en`): these tests hold the English form of every check message,
//! tests/commands/check.txt the Chinese one (the default).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin_in(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chainkb"));
    c.current_dir(dir);
    c.env_remove("CHAINKB_DB");
    c.env_remove("CHAINKB_FAULT_PAUSE_IMPORT");
    c.env("CHAINKB_LANG", "en");
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

/// Exit code 0, exactly these lines on stderr, and on stdout the "ok" line followed by the
/// data rows read per CSV file (`  FILE: N data rows`, see `rows`).
fn assert_clean(out: &Output, stderr: &[&str], ok: &str, rows: &[String]) {
    assert_eq!(text(&out.stderr), lines(stderr));
    assert!(out.status.success());
    let mut expected = format!("{ok}\n");
    for r in rows {
        expected.push_str(&format!("{r}\n"));
    }
    assert_eq!(text(&out.stdout), expected);
}

/// The lines `check` and `import` print for the data rows read: `  DIR/FILE: N data rows` for
/// each (FILE, N).
fn rows(dir: &str, files: &[(&str, usize)]) -> Vec<String> {
    files
        .iter()
        .map(|(f, n)| {
            let path = if dir.is_empty() {
                f.to_string()
            } else {
                format!("{dir}/{f}")
            };
            format!("  {path}: {n} data row{}", if *n == 1 { "" } else { "s" })
        })
        .collect()
}

/// check-part's seed files and their data rows.
const PART_SEEDS: [(&str, usize); 4] = [
    ("seeds/enterprises.csv", 1),
    ("seeds/industries.csv", 1),
    ("seeds/parks.csv", 1),
    ("seeds/regions.csv", 2),
];

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

/// The "ok" line of a check of `checked` of check-part's files (against the other ones): how
/// many were checked and how many read (`data::Loaded::summary`).
fn part_ok(checked: usize) -> String {
    let s = if checked == 1 { "" } else { "s" };
    format!("ok: {checked} file{s} checked (5 read), 8 nodes, 11 edges, 0 problems")
}

#[test]
fn a_file_or_a_graphs_or_seeds_folder_resolves_against_its_data_folder() {
    // Before: every reference to another file of the folder was an error.
    for (part, checked, seeds) in [
        (
            "tests/fixtures/check-part/seeds/parks.csv",
            1,
            &PART_SEEDS[2..3],
        ),
        (
            "tests/fixtures/check-part/seeds/enterprises.csv",
            1,
            &PART_SEEDS[..1],
        ),
        ("tests/fixtures/check-part/graphs/lithium.toml", 1, &[]),
        ("tests/fixtures/check-part/graphs", 1, &[]),
        ("tests/fixtures/check-part/seeds", 4, &PART_SEEDS[..]),
    ] {
        let out = run(&["check", part]);
        assert_clean(
            &out,
            &["references resolved against the data folder tests/fixtures/check-part"],
            &part_ok(checked),
            &rows(PART, seeds),
        );
    }
    // The folder itself is a whole: no note.
    assert_clean(
        &run(&["check", PART]),
        &[],
        PART_OK,
        &rows(PART, &PART_SEEDS),
    );
    // From inside the folder: the note names it by its absolute path rather than `.`.
    let out = run_in(&fixture("check-part"), &["check", "seeds"]);
    assert_clean(
        &out,
        &[&format!(
            "references resolved against the data folder {}",
            absolute("check-part")
        )],
        &part_ok(4),
        &rows("", &PART_SEEDS),
    );
}

/// A fixture's absolute path, as a process working in it sees its current directory.
fn absolute(name: &str) -> String {
    std::fs::canonicalize(fixture(name))
        .unwrap()
        .display()
        .to_string()
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
            &format!(
                "references resolved against the data folder {}",
                absolute("check-part")
            ),
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
        &part_ok(2),
        &rows(PART, &PART_SEEDS[2..3]),
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
        format!(
            "imported 8 nodes and 11 edges from 5 files into {db_arg} (generation 1)\n{}",
            lines(
                &rows(PART, &PART_SEEDS)
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
            )
        )
    );
}

/// A data folder in a temporary directory: (relative path, content) of each file.
fn data_folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = tmp.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    tmp
}

#[cfg(unix)]
#[test]
fn an_entry_of_a_data_folder_that_cannot_be_read_is_a_problem_not_skipped() {
    // Before: a link to nothing and a folder named *.csv were left out unsaid ("ok"), and
    // import would have gone ahead without their rows.
    let tmp = data_folder(&[(
        "seeds/regions.csv",
        "id,parent,source\n测试省,,test\n测试市,远方,test\n".as_bytes(),
    )]);
    let seeds = tmp.path().join("seeds");
    std::os::unix::fs::symlink("/nonexistent/x.csv", seeds.join("projects-broken.csv")).unwrap();
    std::fs::create_dir(seeds.join("enterprises-dir.csv")).unwrap();
    let expected = [
        "./seeds/enterprises-dir.csv:1:1: is a folder, not a file",
        "./seeds/projects-broken.csv:1:1: cannot be read: it is a link to /nonexistent/x.csv, which does not exist",
        // the other problems follow
        "./seeds/regions.csv:3:5: unknown 行政区 `远方`",
        "error: 3 problem(s) found",
    ];
    assert_problems(&run_in(tmp.path(), &["check"]), &expected);
    // Named on its own, the link is read and says so.
    let here = std::fs::canonicalize(tmp.path())
        .unwrap()
        .display()
        .to_string();
    assert_problems(
        &run_in(tmp.path(), &["check", "seeds/projects-broken.csv"]),
        &[
            &format!("references resolved against the data folder {here}"),
            "seeds/projects-broken.csv:1:1: cannot be read: it is a link to /nonexistent/x.csv, which does not exist",
            &format!(
                "seeds/enterprises-dir.csv:1:1: is a folder, not a file (in the data folder {here}, which was read only to resolve references; 1 more problem there, listed by `chainkb check .`)"
            ),
            "error: 2 problem(s) found",
        ],
    );
    let out = run_in(tmp.path(), &["import", ".", "--db", "db"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nothing was imported"));
}

#[test]
fn paths_that_name_the_same_file_read_it_once() {
    // Before: "a second file named `seeds/parks.csv` (the first is …)".
    let dir = fixture("check-part");
    assert_clean(
        &run_in(&dir, &["check", "seeds/parks.csv", "seeds/parks.csv"]),
        &[&format!(
            "references resolved against the data folder {}",
            absolute("check-part")
        )],
        &part_ok(1),
        &rows("", &PART_SEEDS[2..3]),
    );
    assert_clean(
        &run_in(&dir, &["check", ".", "seeds/parks.csv"]),
        &[],
        PART_OK,
        &rows(".", &PART_SEEDS),
    );
    assert_clean(
        &run_in(
            &dir,
            &["check", "seeds/parks.csv", "./seeds/../seeds/parks.csv"],
        ),
        &[&format!(
            "references resolved against the data folder {}",
            absolute("check-part")
        )],
        &part_ok(1),
        &rows("", &PART_SEEDS[2..3]),
    );
}

const DUP: &str = "tests/fixtures/check-duplicate";

#[test]
fn a_candidates_file_repeating_a_curated_firm_is_the_duplicate_and_the_curated_aliases_resolve() {
    // A whole folder: the candidates row is the duplicate, though `candidates` sorts first.
    // Before: reported at seeds/enterprises.csv:2:1, and the project's carrier 测试新材料 (an
    // alias of the curated row only) was unknown.
    let tmp = data_folder(&[
        (
            "seeds/enterprises.csv",
            &std::fs::read(fixture("check-duplicate/seeds/enterprises.csv")).unwrap(),
        ),
        (
            "seeds/projects.csv",
            &std::fs::read(fixture("check-duplicate/seeds/projects.csv")).unwrap(),
        ),
        (
            "seeds/candidates-draft.csv",
            &std::fs::read(fixture("check-duplicate/candidates-draft.csv")).unwrap(),
        ),
    ]);
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./seeds/candidates-draft.csv:3:1: duplicate Enterprise id `云南测试新材料股份有限公司` (also defined at ./seeds/enterprises.csv:2, which is kept: an enterprises file takes precedence over a candidates file)",
            "error: 1 problem(s) found",
        ],
    );
    // The file given, against its data folder: the duplicate is the file's, the folder's
    // definition is kept. Before: reported at the folder's row, plus a line for the folder's
    // now unknown carrier.
    assert_problems(
        &run(&[
            "check",
            "tests/fixtures/check-duplicate/candidates-draft.csv",
        ]),
        &[
            "references resolved against the data folder tests/fixtures/check-duplicate",
            "tests/fixtures/check-duplicate/candidates-draft.csv:3:1: duplicate Enterprise id `云南测试新材料股份有限公司` (also defined at tests/fixtures/check-duplicate/seeds/enterprises.csv:2, in the data read to resolve references, which is kept)",
            "error: 1 problem(s) found",
        ],
    );
    // The folder alone is clean.
    assert_clean(
        &run(&["check", DUP]),
        &[],
        "ok: 2 files, 2 nodes, 1 edges, 0 problems",
        &rows(
            DUP,
            &[("seeds/enterprises.csv", 1), ("seeds/projects.csv", 1)],
        ),
    );
}

#[test]
fn a_file_repeating_a_firm_of_the_bundled_data_keeps_the_bundled_aliases_resolving() {
    // Before: reported at the bundled enterprises row, and the bundled projects' carrier
    // 恩捷新材料 (an alias of that row) became "unknown".
    let tmp = data_folder(&[(
        "candidates-t.csv",
        "id,aliases,segments,source\n云南恩捷新材料股份有限公司,恩捷,隔膜,test\n".as_bytes(),
    )]);
    assert_problems(
        &run_in(tmp.path(), &["check", "candidates-t.csv"]),
        &[
            "references resolved against the bundled seed data",
            "candidates-t.csv:2:1: duplicate Enterprise id `云南恩捷新材料股份有限公司` (also defined at (bundled) seeds/enterprises-yuxi-hitech.csv:3, in the data read to resolve references, which is kept)",
            "error: 1 problem(s) found",
        ],
    );
}

#[test]
fn a_misspelt_template_key_or_table_is_one_problem_without_orphans_or_unknown_chains() {
    let tmp = data_folder(&[
        (
            "graphs/t.toml",
            r#"[chain]
id = "链"
source = "test"

[[segment]]
id = "甲"
stage = "上游"

[[segment]]
id = "乙"
stage = "中游"

[[segment]]
id = "丙"
stage = "下游"

[[segment]]
idd = "丁"
stage = "下游"

[[supplies]]
frm = "甲"
to = "乙"

[[suply]]
from = "乙"
to = "丙"
"#
            .as_bytes(),
        ),
        (
            "graphs/coffee.toml",
            "[chain]\nidd = \"咖啡\"\nsource = \"test\"\n\n[[segment]]\nid = \"咖啡种植\"\nstage = \"上游\"\n".as_bytes(),
        ),
        (
            "graphs/nuts.toml",
            "[chains]\nid = \"坚果\"\nsource = \"test\"\n\n[[segment]]\nid = \"坚果种植\"\nstage = \"上游\"\n".as_bytes(),
        ),
        (
            "seeds/industries.csv",
            "id,chains,source\n农业,咖啡;坚果;蔬菜,test\n".as_bytes(),
        ),
        (
            "seeds/enterprises.csv",
            "id,segments,source\n公司,丁;咖啡种植;坚果种植,test\n".as_bytes(),
        ),
    ]);
    // Before: 甲, 乙 and 丙 were orphans (the entries linking them were dropped), 咖啡, 坚果 and
    // 丁 unknown, 坚果种植 in no chain, and `suply` had no suggestion.
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./graphs/coffee.toml:1:1: [chain] without `id`; 1 reference to a name in it was not checked",
            "./graphs/coffee.toml:2:1: unknown key `idd` in [chain] (did you mean id?); its keys are id, name, aliases, industries, shared, source, notes",
            "./graphs/nuts.toml:1:2: unknown key `chains` (did you mean chain?): a chain template holds [chain], [[segment]] and [[supplies]] tables; 1 reference to a name in it was not checked",
            "./graphs/t.toml:17:1: [[segment]] without `id`; 1 reference to a name in it was not checked",
            "./graphs/t.toml:18:1: unknown key `idd` in [[segment]] (did you mean id?); its keys are id, name, stage, aliases, public, route_of, source, notes",
            "./graphs/t.toml:21:1: [[supplies]] without `from`",
            "./graphs/t.toml:22:1: unknown key `frm` in [[supplies]] (did you mean from?); its keys are from, to, source, notes",
            "./graphs/t.toml:25:3: unknown key `suply` (did you mean supplies?): a chain template holds [chain], [[segment]] and [[supplies]] tables",
            // a genuine unknown name is still reported
            "./seeds/industries.csv:2:4: unknown 产业链 `蔬菜`",
            "error: 9 problem(s) found",
        ],
    );
}

#[test]
fn a_binary_seed_file_is_one_problem_among_the_unreadable_files() {
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "id,source\n测试园区,test\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let tmp = data_folder(&[
        ("seeds/relations-bin.csv", b"\x00\x01\x02binary"),
        ("seeds/parks.csv", &utf16),
        (
            "seeds/enterprises.csv",
            "id,location,source\n公司,测试园区,test\n公司二,测试园,test\n".as_bytes(),
        ),
    ]);
    // Before: missing columns and an unknown column `\0\u{1}\u{2}binary`; the UTF-16 file was
    // "neither valid UTF-8 nor valid GBK" and the references into it unknown.
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./seeds/parks.csv:1:1: not a text (CSV) file: it holds NUL bytes (it is UTF-16 text: save it as UTF-8, e.g. Excel's \"CSV UTF-8\"); 1 reference to a name in it was not checked",
            "./seeds/relations-bin.csv:1:1: not a text (CSV) file: it holds NUL bytes",
            "./seeds/enterprises.csv:3:5: unknown 园区/行政区 `测试园`",
            "error: 3 problem(s) found",
        ],
    );
}

#[test]
fn the_summary_of_a_part_counts_the_files_checked_and_those_read() {
    use chainkb::data::{Encoding, load};
    // In English, as the rest of this file (the only test here that reads in-process).
    chainkb::lang::set_messages(chainkb::lang::Lang::En);
    let summary = |path: &str| {
        let loaded = load(&[manifest().join(path)], Encoding::Auto).unwrap();
        loaded.summary()
    };
    assert_eq!(
        summary("tests/fixtures/check-part/seeds/parks.csv"),
        "ok: 1 file checked (5 read), 8 nodes, 11 edges, 0 problems"
    );
    assert_eq!(
        summary("tests/fixtures/check-part/seeds"),
        "ok: 4 files checked (5 read), 8 nodes, 11 edges, 0 problems"
    );
    assert_eq!(summary("tests/fixtures/check-part/graphs"), part_ok(1));
    assert_eq!(summary(PART), PART_OK);
}

#[test]
fn a_template_given_repeating_its_data_folders_chain_is_the_duplicate_without_cascades() {
    // aaa.toml sorts before the folder's lithium.toml, so it is read first. Before: the
    // duplicates were reported at the folder's lithium.toml.
    let tmp = data_folder(&[(
        "aaa.toml",
        &std::fs::read(fixture("check-part/graphs/lithium.toml")).unwrap(),
    )]);
    let given = tmp.path().join("aaa.toml").display().to_string();
    assert_problems(
        &run_in(&fixture("check-part"), &["check", &given]),
        &[
            &format!(
                "references resolved against the data folder {}",
                absolute("check-part")
            ),
            &format!(
                "{given}:4:6: duplicate Chain id `锂电池` (also defined at graphs/lithium.toml:4, in the data read to resolve references, which is kept)"
            ),
            &format!(
                "{given}:9:6: duplicate Segment id `正极材料` (also defined at graphs/lithium.toml:9, in the data read to resolve references, which is kept)"
            ),
            &format!(
                "{given}:13:6: duplicate Segment id `动力电池` (also defined at graphs/lithium.toml:13, in the data read to resolve references, which is kept)"
            ),
            "error: 3 problem(s) found",
        ],
    );
}

/// check-part's templates and places with `enterprises` (a firm per line) and a project carried
/// by the first firm, so that nothing refers to the later firms: a file that loses them is
/// otherwise consistent.
fn firms_folder(enterprises: &str) -> tempfile::TempDir {
    let part = |f: &str| std::fs::read(fixture("check-part").join(f)).unwrap();
    data_folder(&[
        ("graphs/lithium.toml", &part("graphs/lithium.toml")),
        ("seeds/regions.csv", &part("seeds/regions.csv")),
        ("seeds/parks.csv", &part("seeds/parks.csv")),
        ("seeds/industries.csv", &part("seeds/industries.csv")),
        ("seeds/enterprises.csv", enterprises.as_bytes()),
        (
            "seeds/projects.csv",
            "id,name,carrier,source\nP1,项目一,甲公司,test fixture\n".as_bytes(),
        ),
    ])
}

const FIRMS_HEADER: &str = "id,location,segments,source,notes\n";

/// The rows lines of `firms_folder` run in its folder (`.`), with `firms` enterprise rows.
fn firms_rows(firms: usize) -> Vec<String> {
    rows(
        ".",
        &[
            ("seeds/enterprises.csv", firms),
            ("seeds/industries.csv", 1),
            ("seeds/parks.csv", 1),
            ("seeds/projects.csv", 1),
            ("seeds/regions.csv", 2),
        ],
    )
}

#[test]
fn an_unclosed_quote_is_an_error_at_the_quote_and_nothing_is_imported() {
    // Before: `ok: 6 files, 9 nodes`: 乙公司 and 丙公司 became part of 甲公司's source, and
    // import stored one firm of three.
    let tmp = firms_folder(&format!(
        "{FIRMS_HEADER}甲公司,测试高新区,动力电池,\"test fixture\n乙公司,测试高新区,动力电池,test fixture,\n丙公司,测试高新区,动力电池,test fixture,\n"
    ));
    let expected = [
        "./seeds/enterprises.csv:2:16: a quote opened here is never closed: the rest of the file (to line 4) would be read as this one cell; close it or double it (\"\"); 1 reference to a name in it was not checked",
    ];
    let out = run_in(tmp.path(), &["check"]);
    assert_problems(&out, &[expected[0], "error: 1 problem(s) found"]);
    let db = tmp.path().join("db");
    let db_arg = db.display().to_string();
    let out = run_in(tmp.path(), &["import", ".", "--db", &db_arg]);
    assert_problems(
        &out,
        &[
            expected[0],
            "error: 1 problem(s) found; nothing was imported (the database is unchanged)",
        ],
    );
    assert_eq!(text(&out.stdout), "");
    assert!(!db.exists(), "nothing was created");
}

#[test]
fn a_quoted_note_over_several_lines_is_read_unless_it_swallows_rows() {
    // A note may run over lines; `import` says how many rows it read from each file.
    let good = format!(
        "{FIRMS_HEADER}甲公司,测试高新区,动力电池,test fixture,\"第一行\n第二行，见 \"\"年报\"\"\"\n乙公司,测试高新区,动力电池,test fixture,\n"
    );
    let tmp = firms_folder(&good);
    assert_clean(
        &run_in(tmp.path(), &["check"]),
        &[],
        "ok: 6 files, 10 nodes, 13 edges, 0 problems",
        &firms_rows(2),
    );
    let db = tmp.path().join("db");
    let db_arg = db.display().to_string();
    let out = run_in(tmp.path(), &["import", ".", "--db", &db_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut expected =
        format!("imported 10 nodes and 13 edges from 6 files into {db_arg} (generation 1)\n");
    for l in firms_rows(2) {
        expected.push_str(&format!("{l}\n"));
    }
    assert_eq!(text(&out.stdout), expected);
    // Before: ok with 9 nodes; the quote of line 2 is closed by the note of line 4, and line 3
    // and the start of line 4 read as rows of the file.
    let tmp = firms_folder(&format!(
        "{FIRMS_HEADER}甲公司,测试高新区,动力电池,test fixture,\"第一行\n乙公司,测试高新区,动力电池,test fixture,\n丙公司,测试高新区,动力电池,test fixture,\"见 \"\"年报\"\"\"\n"
    ));
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./seeds/enterprises.csv:2:29: a quote opened here is not closed where its cell ends: the cell runs to line 4, and lines 3–4 (2 of them) read as rows of this file (5 cells); close it or double it (\"\"); 1 reference to a name in it was not checked",
            "error: 1 problem(s) found",
        ],
    );
}

#[test]
fn a_line_break_in_a_single_line_cell_is_an_error_at_its_quote() {
    // Before: ok, with `test\nfixture` as 甲公司's source.
    let tmp = firms_folder(&format!(
        "{FIRMS_HEADER}甲公司,测试高新区,动力电池,\"test\nfixture\",\n乙公司,测试高新区,动力电池,test fixture,\"一行\n二行\"\n"
    ));
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./seeds/enterprises.csv:2:16: a quote opened here is not closed where its cell ends: the cell runs over a line end (to line 3), but a `source` cell is one line (only `notes` may hold line breaks); close it or double it (\"\"); 1 reference to a name in it was not checked",
            "error: 1 problem(s) found",
        ],
    );
}

#[test]
fn a_large_file_read_in_blocks_reports_as_a_small_one() {
    // About 1.3 MB with a byte-order mark, read in blocks and never whole: every firm's note
    // runs over two lines, so notes straddle the blocks' ends, and all rows are read.
    let mut firms = format!("\u{FEFF}{FIRMS_HEADER}甲公司,测试高新区,动力电池,test fixture,\n");
    for i in 0..20_000 {
        firms.push_str(&format!(
            "企业{i:05},测试高新区,动力电池,test fixture,\"附注，\n第二行\"\n"
        ));
    }
    assert!(firms.len() > 1 << 20);
    let tmp = firms_folder(&firms);
    assert_clean(
        &run_in(tmp.path(), &["check"]),
        &[],
        "ok: 6 files, 20009 nodes, 40011 edges, 0 problems",
        &firms_rows(20_001),
    );
    // A quote left open on line 40,003, near the end: at that quote, the BOM not counted.
    firms.push_str(
        "乙公司,测试高新区,动力电池,\"test fixture,\n丙公司,测试高新区,动力电池,test fixture,\n",
    );
    std::fs::write(tmp.path().join("seeds/enterprises.csv"), &firms).unwrap();
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./seeds/enterprises.csv:40003:16: a quote opened here is never closed: the rest of the file (to line 40004) would be read as this one cell; close it or double it (\"\"); 1 reference to a name in it was not checked",
            "error: 1 problem(s) found",
        ],
    );
}

#[test]
fn a_row_with_more_or_fewer_cells_than_its_header_is_one_problem_and_not_read() {
    // Before: the short row was read with an empty `notes`, and the unquoted comma in the
    // formula shifted the cells: `点我")` was read as the location, `测试高新区` as a segment.
    let tmp = firms_folder(&format!(
        "{FIRMS_HEADER}甲公司,测试高新区,动力电池,test fixture,\n乙公司,测试高新区,动力电池,test fixture\n=HYPERLINK(\"http://x\",\"点我\"),测试高新区,动力电池,test fixture,\n丁公司,测试高新区,动力电池,test fixture,a,b,c,d\n"
    ));
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./seeds/enterprises.csv:3:16: this row has 4 cells but the header has 5 columns: it is not read; `notes` is missing; write an empty cell as nothing between two commas, and keep a row on one line",
            "./seeds/enterprises.csv:4:53: this row has 6 cells but the header has 5 columns: it is not read; the extra cell is empty; a comma in a cell splits it unless the cell is quoted (\"a,b\"): quote that cell, or remove the extra cells",
            "./seeds/enterprises.csv:5:31: this row has 8 cells but the header has 5 columns: it is not read; the extra cells are `b`, `c`, `d`; a comma in a cell splits it unless the cell is quoted (\"a,b\"): quote that cell, or remove the extra cells",
            "error: 3 problem(s) found",
        ],
    );
    // A reference to a firm of a row not read is counted there, not reported as unknown.
    std::fs::write(
        tmp.path().join("seeds/projects.csv"),
        "id,name,carrier,source\nP1,项目一,乙公司,test fixture\n",
    )
    .unwrap();
    let out = run_in(tmp.path(), &["check"]);
    assert!(
        text(&out.stderr).starts_with("./seeds/enterprises.csv:3:16: this row has 4 cells but the header has 5 columns: it is not read; `notes` is missing; write an empty cell as nothing between two commas, and keep a row on one line; 1 reference to a name in it was not checked\n"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !text(&out.stderr).contains("unknown"),
        "{}",
        text(&out.stderr)
    );
}

/// A source table's listing: a field must lie in the industry named beside it, a `——` cell
/// names no enterprise, any other cell names one, and references resolve like any other.
#[test]
fn a_listing_row_that_contradicts_itself_is_reported_where_it_is() {
    let tmp = data_folder(&[
        (
            "seeds/industries.csv",
            "id,parent,source\n新能源,,t\n储能,新能源,t\n医药,,t\n".as_bytes(),
        ),
        (
            "seeds/enterprises.csv",
            "id,aliases,source\n甲储能有限公司,甲储能,t\n".as_bytes(),
        ),
        (
            "seeds/listings.csv",
            concat!(
                "table,industry,field,enterprise,written,source\n",
                "表5,新能源,储能,甲储能,甲储能,t:1\n",
                "表5,医药,储能,甲储能,甲储能,t:2\n",
                "表5,新能源,储能,甲储能,——,t:3\n",
                "表5,新能源,储能,,甲储能,t:4\n",
                "表5,新能源,储存,,——,t:5\n",
                "表5,新能源,,乙,乙,t:6\n",
            )
            .as_bytes(),
        ),
    ]);
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./seeds/listings.csv:3:7: field `储能` is not part of the industry `医药`: give `储能` the parent `医药` in industries*.csv, or correct the `industry` cell",
            "./seeds/listings.csv:4:11: enterprise `甲储能` on a row whose cell is ——: the table lists no enterprise there; leave `enterprise` empty",
            "./seeds/listings.csv:5:11: empty `enterprise` for the cell `甲储能`: name the enterprise it means (id, name or alias), or write —— in `written` where the table lists none",
            "./seeds/listings.csv:6:8: unknown 产业 `储存` (did you mean 储能?)",
            "./seeds/listings.csv:7:9: unknown 企业 `乙`",
            "error: 5 problem(s) found",
        ],
    );
}

/// A technology route (`route_of`) lies in a chain of its parent, and a firm or project that
/// makes the route names the parent too (the parent's status and target lists count it so).
#[test]
fn a_route_outside_its_parents_chain_or_made_without_its_parent_is_reported() {
    let tmp = data_folder(&[
        (
            "graphs/a.toml",
            concat!(
                "[chain]\nid = \"甲链\"\nsource = \"t\"\n\n",
                "[[segment]]\nid = \"电池片\"\nstage = \"中游\"\n\n",
                "[[segment]]\nid = \"PERC\"\nstage = \"中游\"\nroute_of = \"电池片\"\n\n",
                "[[segment]]\nid = \"组件\"\nstage = \"下游\"\n\n",
                "[[supplies]]\nfrom = \"电池片\"\nto = \"组件\"\n\n",
                "[[supplies]]\nfrom = \"PERC\"\nto = \"组件\"\n",
            )
            .as_bytes(),
        ),
        (
            "graphs/b.toml",
            concat!(
                "[chain]\nid = \"乙链\"\nsource = \"t\"\n\n",
                "[[segment]]\nid = \"HJT\"\nstage = \"中游\"\nroute_of = \"电池片\"\n\n",
                "[[segment]]\nid = \"电站\"\nstage = \"下游\"\n\n",
                "[[supplies]]\nfrom = \"HJT\"\nto = \"电站\"\n",
            )
            .as_bytes(),
        ),
        (
            "seeds/enterprises.csv",
            "id,segments,source\n甲有限公司,电池片;PERC,t\n乙有限公司,PERC,t\n".as_bytes(),
        ),
    ]);
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./graphs/b.toml:6:6: segment `HJT` is a route of `电池片`, which is in none of its chains: define the route in the parent's chain, or list it in that chain's `shared`",
            "./seeds/enterprises.csv:3:1: `乙有限公司` makes `PERC`, a route of `电池片`: list `电池片` in its segments too (the parent's status and target lists count it only so)",
            "error: 2 problem(s) found",
        ],
    );
}

/// Found by the malformed-input trial (docs/RELIABILITY.md): ids with a space at either end or
/// a control character, a file with two byte-order marks, and a chain without segments were
/// accepted.
#[test]
fn malformed_ids_a_double_bom_and_a_chain_without_segments_are_refused() {
    let tmp = data_folder(&[
        (
            "seeds/industries.csv",
            "id,source\n新能源 ,t\n\t医药,t\n数字\u{1}经济,t\n食品,t\n".as_bytes(),
        ),
        (
            "seeds/regions.csv",
            b"\xEF\xBB\xBF\xEF\xBB\xBFid,level,source\n\xE7\x94\xB2\xE5\xB8\x82,\xE5\xB8\x82,t\n",
        ),
        (
            "graphs/empty.toml",
            "[chain]\nid = \"空链\"\nsource = \"t\"\n".as_bytes(),
        ),
    ]);
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./seeds/regions.csv:1:1: the file starts with two byte-order marks (EF BB BF twice): save it again as UTF-8 with one, or without",
            "./graphs/empty.toml:2:6: chain `空链` has no segments: add [[segment]] tables, or list segments of other chains in `shared`",
            "./seeds/industries.csv:2:1: id `新能源 ` has leading or trailing spaces: remove them",
            "./seeds/industries.csv:3:1: id `\\t医药` has leading or trailing spaces: remove them",
            "./seeds/industries.csv:4:1: id `数字\\u{1}经济` contains the control character \\u{1}: remove it",
            "error: 5 problem(s) found",
        ],
    );
}

/// A figure or a catalog item that says too little, or names what the data does not hold, is
/// reported where it is.
#[test]
fn a_figure_or_catalog_row_that_says_too_little_is_reported_where_it_is() {
    let tmp = data_folder(&[
        (
            "seeds/regions.csv",
            "id,level,source\n甲市,市,t\n".as_bytes(),
        ),
        ("seeds/industries.csv", "id,source\n新能源,t\n".as_bytes()),
        (
            "seeds/figures.csv",
            concat!(
                "place,system,industry,measure,value,unit,year,text,source,notes\n",
                "甲市,,,产值目标,100,,2025,产值100,t:1,\n",
                "甲市,,新材料,,5,个,2025,五个,t:2,\n",
                "乙市,,,园区数,3,个,,三个园区,t:3,\n",
            )
            .as_bytes(),
        ),
        (
            "seeds/catalog.csv",
            concat!(
                "place,system,industry,industry_no,number,heading,item,models,source,notes\n",
                "甲市,甲目录,新能源,1,1,,电池,,t:4,\n",
                "甲市,甲目录,新能源,1,2,储能,储能系统,储能电站,t:5,\n",
            )
            .as_bytes(),
        ),
    ]);
    assert_problems(
        &run_in(tmp.path(), &["check"]),
        &[
            "./seeds/catalog.csv:2:16: empty `heading`: a catalog row names its system and the heading it is listed under",
            "./seeds/catalog.csv:3:24: unknown 环节/产业链 `储能电站`",
            "./seeds/figures.csv:2:15: a value without a unit: write the unit (亿元, 个, %)",
            "./seeds/figures.csv:3:5: unknown 产业 `新材料`",
            "./seeds/figures.csv:3:9: empty `measure`: a figure says what it measures and how the document writes it",
            "./seeds/figures.csv:4:1: unknown 园区/行政区 `乙市` (did you mean 甲市?)",
            "error: 6 problem(s) found",
        ],
    );
}
