//! Tests of REPL completion: names by prefix, initials and pinyin, keywords and columns in
//! their places, words after quotes and comments.

use super::*;

#[test]
fn keywords_come_from_the_keyword_table() {
    for (w, rule) in [
        ("fill", "kw_fill"),
        ("补链", "kw_fill"),
        ("upstream", "kw_upstream"),
        ("上游", "kw_upstream"),
        ("status", "kw_status"),
        ("现状", "kw_status"),
        ("在", "kw_in"),
        ("of", "kw_of"),
    ] {
        assert_eq!(rule_of(w), Some(rule), "{w}");
    }
    assert_eq!(rule_of("锂电池"), None);
    // every rule a completion table names is a keyword rule of the grammar
    let tables = AFTER.iter().chain(AFTER_COMMA);
    for rule in tables
        .flat_map(|row| std::iter::once(row.0).chain(row.2.keywords.iter().copied()))
        .chain(SOURCES.iter().chain(STAGES).chain(AGGREGATES).copied())
    {
        assert!(
            keywords::TABLE.iter().any(|(r, _)| *r == rule),
            "{rule} is no keyword rule"
        );
    }
}

#[test]
fn pinyin_forms_cover_initials_and_heteronyms() {
    let (full, initials) = pinyin_forms("动力电池");
    assert!(full.contains(&"donglidianchi".to_string()), "{full:?}");
    assert!(initials.contains(&"dldc".to_string()), "{initials:?}");
    // 重 reads zhong or chong: both initials are offered for 重庆.
    let (_, initials) = pinyin_forms("重庆");
    assert!(
        initials.iter().any(|i| i == "zq") && initials.iter().any(|i| i == "cq"),
        "{initials:?}"
    );
    // In a long name with more two-reading characters, the readings of the first ones stay
    // (the usual chongqing, changsha, xiamen were dropped for the rarer ones).
    for (name, full_prefix, initials_prefix) in [
        ("重庆长安汽车股份有限公司", "chongqing", "cqca"),
        ("重庆长安汽车股份有限公司", "zhongqing", "zq"),
        ("长沙岱勒新材料科技股份有限公司", "changsha", "cs"),
        ("厦门厦钨新能源材料股份有限公司", "xiamen", "xm"),
    ] {
        let (full, initials) = pinyin_forms(name);
        assert!(full.len() <= 8 && initials.len() == full.len());
        assert!(
            full.iter().any(|f| f.starts_with(full_prefix)),
            "{name}: {full:?}"
        );
        assert!(
            initials.iter().any(|i| i.starts_with(initials_prefix)),
            "{name}: {initials:?}"
        );
    }
}

fn pairs(texts: &[&str]) -> Vec<Pair> {
    texts
        .iter()
        .map(|t| Pair {
            display: t.to_string(),
            replacement: t.to_string(),
        })
        .collect()
}

fn replaced(p: &[Pair]) -> Vec<&str> {
    p.iter().map(|p| p.replacement.as_str()).collect()
}

#[test]
fn a_cut_list_never_narrows_the_word_and_pinyin_becomes_the_shared_chinese_prefix() {
    // 51 candidates sharing 合成企业00000: the 50 offered end with one that keeps the word.
    let many: Vec<String> = (0..=MAX_CANDIDATES)
        .map(|i| format!("合成企业00000{i:02}"))
        .collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let got = settle("合成企业000", pairs(&many));
    assert_eq!(got.len(), MAX_CANDIDATES + 1);
    assert_eq!(got[MAX_CANDIDATES].replacement, "合成企业000");
    assert!(got[MAX_CANDIDATES].display.starts_with('…'));
    // Full pinyin longer in bytes than the names' shared prefix: the prefix, alone.
    let got = settle(
        "donglidianchi",
        pairs(&["动力电池", "动力电池箔", "动力电池回收"]),
    );
    assert_eq!(replaced(&got), ["动力电池"]);
    // Initials are left to rustyline (动力电池 is longer than `dldc`), and so are lists
    // with no shared prefix, or a shared prefix that is the typed text itself.
    let list = ["动力电池", "动力电池箔"];
    assert_eq!(replaced(&settle("dldc", pairs(&list))), list);
    let list = ["锂矿", "动力电池"];
    assert_eq!(replaced(&settle("ld", pairs(&list))), list);
    let list = ["limit", "limits"];
    assert_eq!(replaced(&settle("li", pairs(&list))), list);
    // Names inserted quoted and bare alike share no replacement prefix, but their names do.
    let mixed = vec![
        Pair {
            display: "重庆机床".into(),
            replacement: "重庆机床".into(),
        },
        Pair {
            display: "重庆机床（集团）有限责任公司".into(),
            replacement: "\"重庆机床（集团）有限责任公司\"".into(),
        },
    ];
    assert_eq!(replaced(&settle("重庆机", mixed.clone())), ["重庆机床"]);
    // Once that much is typed, the list is left as it is.
    assert_eq!(replaced(&settle("重庆机床", mixed)).len(), 2);
}

fn after(before: &str) -> Option<Expect> {
    context(before).0
}

const PLACE_OR_ALL: Expect = Expect {
    names: PLACE,
    keywords: &["kw_all"],
    ..Expect::NOTHING
};

#[test]
fn a_statement_begins_with_a_source_and_a_stage_after_a_pipe() {
    let sources = Some(Expect::keywords(SOURCES));
    let stages = Some(Expect::keywords(STAGES));
    assert_eq!(after(""), sources);
    assert_eq!(after("chains; "), sources);
    assert_eq!(after("chains;\n"), sources);
    assert_eq!(after("explain "), Some(Expect::keywords(&SOURCES[1..])));
    assert_eq!(after("解释 "), Some(Expect::keywords(&SOURCES[1..])));
    assert_eq!(after("chains | "), stages);
    assert_eq!(after("chains |"), stages);
    assert_eq!(after("chains | where a = 1 | "), stages);
    assert_eq!(after("explain fill 锂电池 in 测试高新区 | "), stages);
    // a `|` inside quotes or a comment is no pipe
    assert_eq!(after("find \"a | b\" "), None);
    assert_eq!(after("chains -- a | b\n"), None);
    assert_eq!(after("chains -- fill\n| "), stages);
}

#[test]
fn a_place_follows_in_and_a_chain_follows_the_chain_queries() {
    for before in [
        "parks in ",
        "园区 在 ",
        "enterprises of ",
        "projects in ",
        "regions 在 ",
    ] {
        assert_eq!(after(before), Some(Expect::names(PLACE)), "{before}");
    }
    // a list's `in` takes a name, a query's `in` a place, which may be `all parks`
    for before in [
        "status 锂电池 in ",
        "现状 锂电池 在 ",
        "fill 锂电池 in ",
        "补链 锂电池 在 ",
        "延链 锂电池 在 ",
        "强链 锂电池 在 ",
        "build in ",
        "建链 在 ",
        "upstream 动力电池 in ",
        "上游 电芯 深度 2 链 锂电池 在 ",
        "explain status 锂电池 in ",
        "status 锂电池\nin ",
        "fill \"a | b\" in ",
    ] {
        assert_eq!(after(before), Some(PLACE_OR_ALL), "{before}");
    }
    assert_eq!(
        after("status 锂电池 in all "),
        Some(Expect::keywords(&["kw_parks", "kw_regions"]))
    );
    assert_eq!(after("build "), Some(Expect::keywords(&["kw_in"])));
    assert_eq!(after("建链 "), Some(Expect::keywords(&["kw_in"])));
    for before in [
        "status ",
        "现状 ",
        "fill ",
        "补链 ",
        "extend ",
        "延链 ",
        "strengthen ",
        "强链 ",
        "compare ",
        "对比 ",
        "segments of ",
        "环节 in ",
        "upstream 动力电池 chain ",
        "下游 碳酸锂 深度 1 链 ",
    ] {
        assert_eq!(after(before), Some(Expect::names(CHAIN)), "{before}");
    }
    // `| producers outside|in PLACE` (生产企业 不在 地方)
    assert_eq!(
        after("upstream 动力电池 in 测试园区 | producers "),
        Some(Expect::keywords(&["kw_outside", "kw_in"]))
    );
    for before in [
        "upstream 动力电池 in 测试园区 | producers outside ",
        "上游 动力电池 在 测试园区 | 生产企业 不在 ",
    ] {
        assert_eq!(after(before), Some(Expect::names(PLACE)), "{before}");
    }
    // every place of a comparison, quoted or not
    for before in [
        "compare 锂电池 in ",
        "对比 锂电池 在 测试高新区, ",
        "compare 锂电池 in \"a b\", 江川片区, ",
    ] {
        assert_eq!(after(before), Some(Expect::names(PLACE)), "{before}");
    }
}

#[test]
fn a_segment_follows_upstream_and_anything_follows_find() {
    for before in ["upstream ", "downstream ", "上游 ", "下游 "] {
        assert_eq!(after(before), Some(Expect::names(SEGMENT)), "{before}");
    }
    for before in ["find ", "查找 ", "paths from ", "路径 from "] {
        assert_eq!(after(before), Some(Expect::names(ANY_NAME)), "{before}");
    }
    assert_eq!(after("paths "), Some(Expect::keywords(&["kw_from"])));
    for before in [
        "upstream 动力电池 depth ",
        "build in 测试市 below ",
        "chains | limit ",
    ] {
        assert_eq!(after(before), Some(Expect::NOTHING), "{before}");
    }
}

#[test]
fn columns_follow_the_stages_that_name_them() {
    let columns = Some(Expect::COLUMNS);
    for before in [
        "chains | where ",
        "chains | 筛选 ",
        "chains | where a = 1 and ",
        "chains | where a = 1 或 ",
        "chains | where not ",
        "chains | where (",
        "chains | sort by ",
        "chains | sort a desc, ",
        "chains | select ",
        "chains | 选择 a, ",
        "chains | select a as b, ",
        "chains | group by ",
        "chains | group by a, ",
        "chains | group with count(",
        "chains | expand ",
    ] {
        assert_eq!(after(before), columns, "{before}");
    }
    assert_eq!(
        after("chains | sort "),
        Some(Expect {
            columns: true,
            keywords: &["kw_by"],
            ..Expect::NOTHING
        })
    );
    assert_eq!(
        after("chains | group "),
        Some(Expect::keywords(&["kw_by", "kw_with"]))
    );
    for before in [
        "chains | group by a with ",
        "chains | group by a with count() as n, ",
    ] {
        assert_eq!(
            after(before),
            Some(Expect::keywords(AGGREGATES)),
            "{before}"
        );
    }
    assert_eq!(after("chains | select a as "), Some(Expect::NOTHING));
    // the pipeline whose columns the stage sees
    assert_eq!(
        context("chains; fill 锂电池 in 测试高新区 | where gap = 断链 | select ").1,
        "fill 锂电池 in 测试高新区 | where gap = 断链 "
    );
    assert_eq!(context("chains | where ").1, "chains ");
    assert_eq!(context("chains").1, "");
}

#[test]
fn where_the_grammar_does_not_tell_anything_is_offered() {
    for before in [
        "status 锂电池 ",
        "chains ",
        "chains | where state = ",
        "chains | where state in ",
        "chains | where tags contains ",
        "chains | where x in [a, ",
        "paths from 碳酸锂 -[SUPPLIES]->(",
        "stauts 锂电池 ",
        "chains | distinct ",
    ] {
        assert_eq!(after(before), None, "{before}");
    }
}

#[test]
fn the_word_being_typed_begins_after_a_space_a_pipe_or_an_open_quote() {
    assert_eq!(word_start("chains |li"), (8, false));
    assert_eq!(word_start("parks in 测试"), ("parks in ".len(), false));
    assert_eq!(
        word_start("parks in \"中国 西"),
        ("parks in \"".len(), true)
    );
    assert_eq!(word_start("find \"a\" b"), ("find \"a\" ".len(), false));
    assert_eq!(word_start("where a=b"), ("where a=".len(), false));
}

fn helper() -> ReplHelper {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
    ReplHelper::new(Rc::new(crate::open::graph_from_folder(&[dir]).unwrap()))
}

#[test]
fn names_complete_by_prefix_initials_and_full_pinyin() {
    let h = helper();
    assert_eq!(h.candidates("zjcl"), vec!["正极材料"]);
    assert_eq!(h.candidates("zhengji"), vec!["正极材料"]);
    assert_eq!(h.candidates("正极"), vec!["正极材料"]);
    assert!(
        h.candidates("补").contains(&"补链"),
        "{:?}",
        h.candidates("补")
    );
    assert!(h.candidates("fi").contains(&"fill"));
}

#[test]
fn names_that_need_quotes_are_inserted_quoted() {
    let mut h = helper();
    for (text, rank, what) in [
        ("中国（西南）玉溪国际物流港", 3, PLACE),
        ("YXGX-T4-006", 5, ENTERPRISE),
    ] {
        h.entries.push(Entry {
            text: text.into(),
            pinyin: None,
            rank,
            what,
            rule: None,
        });
    }
    let insert = |typed: &str, in_quotes: bool| -> Vec<String> {
        h.replacements(typed, in_quotes, None)
            .into_iter()
            .map(|p| p.replacement)
            .collect()
    };
    assert_eq!(insert("中国", false), ["\"中国（西南）玉溪国际物流港\""]);
    assert_eq!(insert("中国", true), ["中国（西南）玉溪国际物流港\""]);
    assert_eq!(insert("YXGX", false), ["YXGX-T4-006"]);
    // keywords are never quoted
    assert!(insert("fi", false).contains(&"fill".to_string()));
}

/// What Tab offers at the end of `line` (displayed), after the statement's earlier lines
/// `pending`.
fn offered(h: &mut ReplHelper, pending: &str, line: &str) -> Vec<String> {
    h.pending = pending.to_string();
    h.complete_at(line)
        .1
        .into_iter()
        .map(|p| p.display)
        .collect()
}

#[test]
fn a_place_is_offered_after_in_and_a_chain_after_fill() {
    let mut h = helper();
    // Without context 测试 would offer the enterprise 测试电池有限公司 as well.
    assert!(h.candidates("测试").contains(&"测试电池有限公司"));
    for line in ["parks in 测试", "园区 在 测试", "status 锂电池 in 测试"] {
        let mut got = offered(&mut h, "", line);
        got.sort();
        assert_eq!(got, ["测试市", "测试省", "测试高新区"], "{line}");
    }
    assert_eq!(
        offered(&mut h, "", "parks in cs"),
        ["测市", "测试市", "测试省", "测试高新区"]
    );
    // `all parks` is a place where the grammar says place, not after a list's `in`
    assert_eq!(offered(&mut h, "", "fill 锂电池 in al"), ["all"]);
    assert_eq!(offered(&mut h, "", "补链 锂电池 在 所"), ["所有"]);
    assert!(offered(&mut h, "", "parks in al").is_empty());
    assert_eq!(offered(&mut h, "", "fill 锂电池 in all p"), ["parks"]);
    // chains, not the segments 锂矿, 锂资源
    for line in [
        "fill 锂",
        "补链 锂",
        "现状 锂",
        "强链 锂",
        "延链 锂",
        ".draw 锂",
    ] {
        assert_eq!(
            offered(&mut h, "", line),
            ["锂电池", "锂离子电池"],
            "{line}"
        );
    }
    // with nothing typed, every chain (there are few), shortest first
    assert_eq!(
        offered(&mut h, "", "fill "),
        ["锂电池", "包装材料", "锂离子电池"]
    );
    // segments, not the chain 锂电池
    assert_eq!(offered(&mut h, "", "upstream 锂"), ["锂矿", "锂资源"]);
    assert_eq!(
        offered(&mut h, "", "上游 动力电池 链 锂"),
        ["锂电池", "锂离子电池"]
    );
    // anything after find, but no keyword
    assert_eq!(offered(&mut h, "", "find zjcl"), ["正极材料"]);
    let got = offered(&mut h, "", "find 测试");
    assert!(got.contains(&"测试电池有限公司".to_string()), "{got:?}");
    // where the grammar does not tell, everything, as before
    let got = offered(&mut h, "", "chains | where name = 测试");
    assert!(got.contains(&"测试电池有限公司".to_string()), "{got:?}");
}

#[test]
fn stages_follow_a_pipe_and_columns_follow_where() {
    let mut h = helper();
    // Without context `li` also offers 锂电池 (li-dianchi) and more.
    assert!(h.candidates("li").len() > 1);
    assert_eq!(offered(&mut h, "", "chains | li"), ["limit"]);
    assert_eq!(offered(&mut h, "", "chains |li"), ["limit"]);
    assert_eq!(offered(&mut h, "", "chains | 选"), ["选择"]);
    // a statement begins with a source: `chain` is no source
    let got = offered(&mut h, "", "ch");
    assert!(got.contains(&"chains".to_string()) && !got.contains(&"chain".to_string()));
    // the columns of the pipeline so far, planned but not run
    assert_eq!(offered(&mut h, "", "chains | where se"), ["segments"]);
    // or by its Chinese label, once something is typed
    assert_eq!(
        offered(&mut h, "", "status 锂电池 in 测试高新区 | where 状"),
        ["状态"]
    );
    assert_eq!(
        offered(&mut h, "", "chains | select name | where "),
        ["name"]
    );
    assert_eq!(
        offered(&mut h, "", "chains | sort "),
        [
            "name",
            "aliases",
            "segments",
            "industries",
            "source",
            "notes",
            "by"
        ]
    );
    assert_eq!(
        offered(
            &mut h,
            "",
            "fill 锂电池 in 测试高新区 | where gap = 断链 | select segment, g"
        ),
        ["gap"]
    );
    assert_eq!(
        offered(&mut h, "", "chains | group by name with c"),
        ["count", "collect"]
    );
    // a pipeline that does not plan: everything, as before
    let got = offered(&mut h, "", "fill 无此链 in 测试高新区 | where st");
    assert!(got.contains(&"status".to_string()), "{got:?}");
    assert!(offered(&mut h, "", "chains | limit ").is_empty());
}

#[test]
fn a_continuation_line_completes_in_the_context_of_the_lines_before() {
    let mut h = helper();
    assert_eq!(offered(&mut h, "status 锂电池 in", "csg"), ["测试高新区"]);
    assert_eq!(offered(&mut h, "chains |", "li"), ["limit"]);
    assert_eq!(offered(&mut h, "chains\n|", "where se"), ["segments"]);
    // the replacement is placed within the current line
    h.pending = "status 锂电池 in".into();
    let (start, pairs) = h.complete_at("  测试高");
    assert_eq!(start, 2);
    assert_eq!(pairs[0].replacement, "测试高新区");
    // a line that begins with `.` continues a statement: it is no meta command
    assert!(!offered(&mut h, "chains |", ".dr").contains(&".draw".to_string()));
}

#[test]
fn a_keyword_offered_as_a_name_is_quoted() {
    let mut h = helper();
    // say a park were called 园区, which is also the keyword `parks`
    if let Some(e) = h.entries.iter_mut().find(|e| &*e.text == "园区") {
        e.what |= PLACE;
    }
    h.pending.clear();
    let insert = |h: &ReplHelper, line: &str| -> Vec<String> {
        h.complete_at(line)
            .1
            .into_iter()
            .map(|p| p.replacement)
            .collect()
    };
    assert_eq!(insert(&h, "parks in 园"), ["\"园区\""]);
    assert_eq!(insert(&h, "园"), ["园区"]);
    assert_eq!(insert(&h, "parks in \"测试高"), ["测试高新区\""]);
}

#[test]
fn meta_commands_complete_their_arguments() {
    let mut h = helper();
    assert_eq!(offered(&mut h, "", ".dr"), [".draw"]);
    assert_eq!(offered(&mut h, "", "  .ti"), [".timing"]);
    assert_eq!(offered(&mut h, "", ".draw 包"), ["包装材料"]);
    let mut got = offered(&mut h, "", ".draw 锂电池 in 测试");
    got.sort();
    assert_eq!(got, ["测试市", "测试省", "测试高新区"]);
    assert_eq!(offered(&mut h, "", ".format j"), ["json"]);
    assert_eq!(offered(&mut h, "", ".timing "), ["on", "off"]);
    assert_eq!(offered(&mut h, "", ".help g"), ["gaps"]);
    assert!(offered(&mut h, "", ".schema x").is_empty());

    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("my dir")).unwrap();
    std::fs::write(tmp.path().join("my dir").join("out.svg"), "").unwrap();
    std::fs::write(tmp.path().join("db.txt"), "").unwrap();
    let dir = tmp.path().display().to_string();
    let insert = |h: &ReplHelper, line: &str| -> Vec<String> {
        h.complete_at(line)
            .1
            .into_iter()
            .map(|p| p.replacement)
            .collect()
    };
    assert_eq!(
        insert(&h, &format!(".open {dir}/d")),
        [format!("{dir}/db.txt")]
    );
    assert_eq!(
        insert(&h, &format!(".export {dir}/d")),
        [format!("{dir}/db.txt")]
    );
    // a name with a space is quoted; a folder's quote stays open for the next Tab
    assert_eq!(
        insert(&h, &format!(".open {dir}/m")),
        [format!("\"{dir}/my dir/")]
    );
    let line = format!(".draw 锂电池 \"{dir}/my dir/o");
    let (start, pairs) = h.complete_at(&line);
    assert_eq!(start, ".draw 锂电池 \"".len());
    assert_eq!(pairs[0].replacement, format!("{dir}/my dir/out.svg\""));
    assert_eq!(
        meta_words(&format!(".draw 锂电池 \"{dir}/my dir/out.svg\"")).unwrap()[2],
        format!("{dir}/my dir/out.svg")
    );
}

/// A REPL on 2 M firms holds an entry per distinct name: keep it at 48 bytes.
#[test]
fn entries_stay_small() {
    assert_eq!(size_of::<Entry>(), 48);
}

/// Kinds with more names than the limit have no entries: their names are read from the graph
/// at Tab time. Typed as text (not pinyin), they complete exactly as entries do, with a text
/// that several kinds share merged, and a listing with nothing typed the same.
#[test]
fn large_kinds_read_from_the_graph_complete_as_entries_do() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
    let graph = Rc::new(crate::open::graph_from_folder(&[dir]).unwrap());
    let table = ReplHelper::with_limit(Rc::clone(&graph), usize::MAX);
    let read = ReplHelper::with_limit(Rc::clone(&graph), 0);
    assert!(read.large.len() >= 5 && table.large.is_empty());
    assert!(read.entries.len() < table.entries.len());
    let mut typed: Vec<String> = Vec::new();
    for i in 0..graph.ds.nodes.len() as u32 {
        let node = graph.node(i);
        for text in node.names() {
            for n in 1..=3 {
                let prefix: String = text.chars().take(n).collect();
                // Pinyin matches only ASCII typing, and only the table has pinyin.
                if !prefix.is_ascii() {
                    typed.push(prefix);
                }
            }
        }
    }
    typed.sort();
    typed.dedup();
    assert!(typed.len() > 20, "{typed:?}");
    let texts = |h: &ReplHelper, t: &str, x: Option<&Expect>| -> Vec<(String, u8)> {
        h.matches(t, x)
            .into_iter()
            .map(|c| (c.text.to_string(), c.what))
            .collect()
    };
    for expect in [
        None,
        Some(Expect::names(ANY_NAME)),
        Some(Expect::names(SEGMENT)),
    ] {
        for t in &typed {
            assert_eq!(
                texts(&table, t, expect.as_ref()),
                texts(&read, t, expect.as_ref()),
                "typed {t:?}"
            );
        }
    }
    for what in [CHAIN, PLACE, SEGMENT, ANY_NAME] {
        let x = Expect::names(what);
        assert_eq!(texts(&table, "", Some(&x)), texts(&read, "", Some(&x)));
    }
}
