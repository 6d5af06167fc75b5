//! Unit tests of `query::parse`.

use super::*;

#[test]
fn a_name_spelled_like_any_keyword_prints_quoted_and_reads_back() {
    // `targets` / 目标企业 were missing from the printer's keyword list, so a name spelled
    // like them printed bare and did not read back.
    for kw in keywords::words() {
        let st = parse(&format!("find {}", quote(kw))).expect(kw);
        let printed = st.to_string();
        assert_eq!(parse(&printed).ok(), Some(st), "{kw}: {printed}");
    }
}

#[test]
fn a_mistyped_targets_stage_is_suggested_like_the_other_stages() {
    // The suggestion is drawn from the keyword table, which now holds `targets`.
    let e = parse("fill a in b | targts").expect_err("no such stage");
    assert!(
        e.hints.iter().any(|h| h.contains("did you mean `targets`")),
        "{:?}",
        e.hints
    );
}

#[test]
fn keywords_are_reserved_and_names_are_not() {
    for kw in keywords::words() {
        let q = format!("find {kw}");
        assert!(parse(&q).is_err(), "`{kw}` should be reserved");
        let quoted = format!("find {}", quote(kw));
        assert!(parse(&quoted).is_ok(), "quoted `{kw}` should be a name");
    }
    assert!(parse("find 产业链图谱").is_ok());
    assert!(parse("find industrial").is_ok());
}

#[test]
fn chinese_and_english_keywords_give_the_same_ast() {
    let a = parse("补链 锂电池 在 测试园区 | 排序 dependents desc | 限制 3").unwrap();
    let b = parse("fill 锂电池 in 测试园区 | sort dependents desc | limit 3").unwrap();
    assert_eq!(a, b);
    assert_eq!(
        a.to_string(),
        "fill 锂电池 in 测试园区 | sort dependents desc | limit 3"
    );
}

#[test]
fn aggregates_tell_column_from_alias() {
    let s = parse("projects | group by domain with count() as n, sum(investment_yi)").unwrap();
    let Stage::Group { aggs, .. } = &s.stages[0] else {
        panic!()
    };
    assert_eq!(aggs[0].column, None);
    assert_eq!(aggs[0].alias.as_ref().map(|a| a.text.as_str()), Some("n"));
    assert_eq!(
        aggs[1].column.as_ref().map(|a| a.text.as_str()),
        Some("investment_yi")
    );
    assert_eq!(aggs[1].alias, None);
}

fn find_name(q: &str) -> String {
    match parse(q).expect("parses").source {
        Source::Find(n) => n.text,
        other => panic!("{other:?}"),
    }
}

#[test]
fn bare_names_hold_a_dash_between_word_characters() {
    assert_eq!(find_name("find YXGX-T4-006"), "YXGX-T4-006");
    assert_eq!(find_name("find 电池-2"), "电池-2");
    let s = parse("projects | where id = HT-T4-01").unwrap();
    assert_eq!(s.to_string(), "projects | where id = HT-T4-01");
    // A `-` not followed by a word character keeps its meaning: comments, path arrows,
    // negative numbers.
    assert_eq!(find_name("find 锂矿--a comment"), "锂矿");
    let s = parse("paths from 锂矿-[SUPPLIES]->(Segment)").unwrap();
    let Source::Paths { from, steps } = &s.source else {
        panic!()
    };
    assert_eq!((from.text.as_str(), steps.len()), ("锂矿", 1));
    let s = parse("upstream 动力电池 depth -1").unwrap();
    let Source::Traverse { opts, .. } = &s.source else {
        panic!()
    };
    assert_eq!(opts.depth.map(|d| d.0), Some(-1));
    let s = parse("chains | where segments>-1").unwrap();
    assert_eq!(s.to_string(), "chains | where segments > -1");
    // Trailing or doubled dashes are no part of a bare name.
    assert!(parse("find YXGX-").is_err());
    assert!(parse("find a--").is_ok(), "a comment after `a`");
    assert!(parse("find -a").is_err());
    // A keyword before a `-` reads as the keyword, so such a name is quoted.
    assert!(!is_bare("in-park"));
    assert!(is_bare("input-1"));
    assert!(parse("find in-park").is_err());
    assert_eq!(find_name(&format!("find {}", quote("in-park"))), "in-park");
    for bare in ["YXGX-T4-006", "a-b-c", "电池-2", "_x-1"] {
        assert!(is_bare(bare), "{bare}");
        assert_eq!(find_name(&format!("find {}", Name::new(bare))), bare);
    }
    for quoted in ["a-", "-a", "a--b", "a -b", "a-(b)"] {
        assert!(!is_bare(quoted), "{quoted}");
        assert_eq!(find_name(&format!("find {}", Name::new(quoted))), quoted);
    }
}

fn node_pattern(q: &str) -> NodePat {
    let s = parse(q).expect("parses");
    let Source::Paths { steps, .. } = s.source else {
        panic!()
    };
    steps[0].to.clone()
}

#[test]
fn node_kinds_in_chinese_are_kinds_even_where_they_are_keywords() {
    use crate::model::Kind;
    for (word, kind) in [
        ("环节", Kind::Segment),
        ("企业", Kind::Enterprise),
        ("园区", Kind::Park),
        ("产业", Kind::Industry),
        ("产业链", Kind::Chain),
        ("项目", Kind::Project),
        ("行政区", Kind::Region),
        ("segment", Kind::Segment),
    ] {
        let p = node_pattern(&format!("paths from 锂矿 -[SUPPLIES]->({word})"));
        assert_eq!((p.kind, p.name), (Some(kind), None), "{word}");
        let p = node_pattern(&format!("paths from 锂矿 <-[PRODUCES]-({word} 恩捷)"));
        assert_eq!(p.kind, Some(kind), "{word}");
        assert_eq!(p.name.map(|n| n.text), Some("恩捷".to_string()));
    }
    // Quoted, it is a name; and the AST prints it quoted again.
    let s = parse("paths from 锂矿 -[SUPPLIES]->(\"环节\")").unwrap();
    let Source::Paths { steps, .. } = &s.source else {
        panic!()
    };
    assert_eq!(steps[0].to.kind, None);
    assert_eq!(parse(&s.to_string()).unwrap(), s);
    assert_eq!(
        parse("paths from 锂矿 -[SUPPLIES]->(环节)")
            .unwrap()
            .to_string(),
        "paths from 锂矿 -[SUPPLIES]->(Segment)"
    );
}

#[test]
fn an_unknown_escape_is_named_with_the_valid_ones() {
    let e = parse(r#"find "\x""#).unwrap_err();
    assert_eq!(e.message, r"`\x` is not a valid escape in a quoted string");
    assert_eq!(e.span.map(|s| (s.start, s.end)), Some((6, 8)));
    assert!(e.hints[0].contains(r#"`\"`"#), "{:?}", e.hints);
    // Valid escapes before the bad one are skipped; the span is the bad one.
    let text = r#"chains | where name = "a\"b\\c\q""#;
    let e = parse(text).unwrap_err();
    let span = e.span.unwrap();
    assert_eq!(&text[span.start..span.end], r"\q");
    // An unclosed string is still reported as such.
    let e = parse(r#"find "abc"#).unwrap_err();
    assert!(e.hints[0].contains("never closed"), "{:?}", e.hints);
    assert!(parse(r#"find "a\"b\\c\n\t""#).is_ok());
}

#[test]
fn code_is_what_lies_outside_strings_and_comments() {
    let text = "find \"a;(b\\\"\" -- c;(\nchains; x-y";
    let code: String = code_chars(text).map(|(_, c)| c).collect();
    assert_eq!(code, "find  chains; x-y");
    assert_eq!(
        statement_start(text, text.len()),
        text.find("; x").unwrap() + 1
    );
    // brackets in strings and comments do not nest
    let deep = format!("find \"{}\" -- {}", "(".repeat(100), "[".repeat(100));
    assert!(precheck(&deep).is_ok());
}

#[test]
fn a_script_parses_up_to_its_first_error() {
    let text = "chains; regions | where name != \"a;b\" -- c;d\n; parks | wher x; chains";
    let (done, err) = parse_script_until_error(text);
    assert_eq!(done.len(), 2);
    assert_eq!(
        done[1].statement.to_string(),
        "regions | where name != \"a;b\""
    );
    let at = err.expect("an error").span.expect("a span").start;
    assert_eq!(&text[at..at + 4], "wher");
    // An error in the first statement, or one that the AST builder finds, runs nothing
    // after it; a script without errors is whole.
    assert_eq!(
        parse_script_until_error("chains | limit; regions").0.len(),
        0
    );
    let (done, err) =
        parse_script_until_error("chains; regions | limit 99999999999999999999; parks");
    assert_eq!((done.len(), err.is_some()), (1, true));
    let (done, err) = parse_script_until_error("chains; regions;");
    assert_eq!((done.len(), err.is_none()), (2, true));
    // `;` and `"` inside comments and strings split nothing.
    assert_eq!(statement_start("a; b \"c;\\\"d\" -- e;\"f\n g", 1000), 2);
    assert_eq!(statement_start("a; b", 1), 0);
    assert_eq!(statement_start("a;b", 2), 2);
}

#[test]
fn a_leading_byte_order_mark_is_skipped_and_spans_stay_put() {
    let bom = "\u{feff}chains | where name = 锂电池";
    assert_eq!(
        parse(bom).unwrap(),
        parse("chains | where name = 锂电池").unwrap()
    );
    assert_eq!(parse_script(bom).unwrap().len(), 1);
    // Spans point into the text as given, and the error renders without the mark.
    let text = "\u{feff}chains | wher";
    let e = parse(text).unwrap_err();
    let span = e.span.unwrap();
    assert_eq!(&text[span.start..span.end], "wher");
    assert!(
        e.render(text).starts_with("error: line 1, column 10:"),
        "{}",
        e.render(text)
    );
    assert!(e.render(text).contains("\n1 | chains | wher\n"));
    // Elsewhere it is an error that names it.
    let e = parse("chains \u{feff}| limit 1").unwrap_err();
    assert!(e.message.contains("U+FEFF"), "{}", e.message);
    assert!(
        e.hints[0].contains("U+FEFF byte-order mark"),
        "{:?}",
        e.hints
    );
}

#[test]
fn contains_with_a_list_shows_the_or_meant() {
    let e = parse("enterprises | where tags contains [上市, \"链主\"]").unwrap_err();
    assert_eq!(e.kind, crate::query::ErrorKind::Syntax);
    assert_eq!(
        e.hints,
        vec!["test each value and join them with `or`: `tags contains 上市 or tags contains \"链主\"`".to_string()]
    );
    // Where a value is missing, a list is not offered.
    let e = parse("enterprises | where tags contains )").unwrap_err();
    assert_eq!(e.message, "expected a value or column, found `)`");
}

#[test]
fn nesting_and_length_are_bounded() {
    let deep = format!(
        "chains | where {}a = 1{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert!(
        parse(&deep)
            .unwrap_err()
            .message
            .contains("nested too deep")
    );
    let long = format!("find {}", "长".repeat(MAX_INPUT));
    assert!(parse(&long).unwrap_err().message.contains("too long"));
}

/// The byte offset of the `n`th (1-based) whole word `word` in `text`.
fn nth_word(text: &str, word: &str, n: usize) -> usize {
    text.match_indices(word)
        .filter(|&(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + word.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
        .nth(n - 1)
        .map(|(i, _)| i)
        .expect("word")
}

#[test]
fn a_run_of_nots_is_bounded_at_the_not_that_goes_too_deep() {
    let nots = |n: usize| format!("enterprises | where {}name = \"x\"", "not ".repeat(n));
    let ok = parse(&nots(MAX_CONDITION_DEPTH)).expect("the deepest condition parses");
    assert_eq!(ok.to_string(), nots(MAX_CONDITION_DEPTH));
    // 7,500 `not`s (30 KB, under the input cap) once overflowed the stack in planning.
    for n in [MAX_CONDITION_DEPTH + 1, 7_500] {
        let text = nots(n);
        assert!(text.len() <= MAX_INPUT);
        let e = parse(&text).unwrap_err();
        assert!(
            e.message.contains("condition nested too deep"),
            "{}",
            e.message
        );
        let span = e.span.expect("a span");
        let at = nth_word(&text, "not", MAX_CONDITION_DEPTH + 1);
        assert_eq!((span.start, span.end), (at, at + 3));
        assert!(
            e.hints[0].contains("`not not C` is the same as C"),
            "{:?}",
            e.hints
        );
        // The same bound in Chinese, and in a script (the statement before it stands).
        let zh = text.replace("not ", "非 ");
        let e = parse(&zh).unwrap_err();
        assert_eq!(
            e.span.map(|s| s.start),
            Some(nth_word(&zh, "非", MAX_CONDITION_DEPTH + 1))
        );
        let (done, err) = parse_script_until_error(&format!("chains; {text}"));
        assert_eq!(done.len(), 1);
        assert!(err.expect("an error").message.contains("nested too deep"));
    }
}

#[test]
fn and_or_levels_count_towards_the_bound_at_their_first_keyword() {
    let d = MAX_CONDITION_DEPTH;
    // `not`s then one `and` group: the group is a level of its own.
    let text = |nots: usize, joiner: &str| {
        format!(
            "enterprises | where {}(name = \"a\" {joiner} name = \"b\" {joiner} name = \"c\")",
            "not ".repeat(nots)
        )
    };
    assert!(parse(&text(d - 1, "and")).is_ok());
    assert!(parse(&text(d - 1, "or")).is_ok());
    for joiner in ["and", "or"] {
        let q = text(d, joiner);
        let e = parse(&q).unwrap_err();
        let at = nth_word(&q, joiner, 1);
        assert_eq!(
            e.span.map(|s| (s.start, s.end)),
            Some((at, at + joiner.len())),
            "{q}"
        );
        // Only an `and` can be split into stages.
        assert_eq!(
            e.hints.iter().any(|h| h.contains("| where A | where B")),
            joiner == "and",
            "{:?}",
            e.hints
        );
    }
    // Brackets alone add no level; `a or b and (…)` adds two per bracket: 63 brackets
    // inside the top level make 128 levels, one `not` more is too deep.
    let mut groups = String::from("name = \"z\"");
    for i in 0..d / 2 {
        groups = if i == 0 {
            format!("name = \"a\" or name = \"b\" and {groups}")
        } else {
            format!("name = \"a\" or name = \"b\" and ({groups})")
        };
    }
    let q = format!("enterprises | where {groups}");
    assert!(parse(&q).is_ok(), "{q}");
    let q = format!("enterprises | where not ({groups})");
    let Err(e) = parse(&q) else {
        panic!("a condition {} levels deep parsed", d + 1)
    };
    assert!(
        e.message.contains("condition nested too deep"),
        "{}",
        e.message
    );
    // Long flat chains are one level each, however long.
    let flat = |joiner: &str| {
        format!(
            "enterprises | where {}name = \"x\"",
            format!("name = \"x\" {joiner} ").repeat(3_000)
        )
    };
    for joiner in [" and", " or"] {
        let st = parse(&flat(joiner)).expect("a flat chain parses");
        let Stage::Where(Expr::And(v) | Expr::Or(v)) = &st.stages[0] else {
            panic!("{st:?}")
        };
        assert_eq!(v.len(), 3_001);
    }
}

#[test]
fn pest_running_short_of_stack_is_an_error_at_its_position() {
    // pest stops with 64 KiB of stack left; on a small thread, deep brackets reach that.
    let text = format!(
        "enterprises | where {}name = \"x\"{}",
        "(".repeat(MAX_NESTING),
        ")".repeat(MAX_NESTING)
    );
    let e = pest::error::Error::new_from_pos(
        pest::error::ErrorVariant::<Rule>::CustomError {
            message: "stack limit reached".into(),
        },
        pest::Position::new(&text, 40).unwrap(),
    );
    let e = syntax_error(&text, e);
    assert_eq!(
        e.message,
        "query nested too deep to parse (the parser ran short of stack here)"
    );
    assert_eq!(e.span.map(|s| s.start), Some(40));
}

#[test]
fn statements_parsed_one_by_one_equal_the_whole_script_spans_included() {
    // `--timing` reports each statement's own parse time, so a script is parsed statement by
    // statement; statements, spans (which `Span`'s `==` ignores, hence `{:?}`) and errors must
    // be those of the whole script parsed at once.
    let scripts = [
        "status a in b; fill x in \"y;z\" | where gap = 断链 -- a ; in a comment\n; upstream s depth 3 in p | select segment",
        "\u{FEFF}chains ;; regions;",
        ";;",
        "",
        "chains; fill a in | x; regions",
        "chains; upstream a depth 1 depth 2 in b; regions",
        "move project P to 签约; chains; note 企业 X \"a;b\"",
        "enterprises | where name = \"a\\\";\" ; chains",
        "fill a in b | where x = \"unclosed; chains",
        // Each statement is parsed by `chunk`, the rest of a failing script by `script`.
        "upstream S0024 depth 6 in 园区129 | where state = missing | select segment | sort segment;",
        "chains -- a - b -- c\n| limit 1 --1; status a in all parks; upstream b in 所有 地区 depth 2",
        "upstream a in b depth 2 chain c; upstream a depth 2 x; chains",
        "find 排序; find 园区一号",
    ];
    for s in scripts {
        let (whole, err) = parse_script_until_error(s);
        let (timed, timed_err) = parse_script_timed(s);
        let timed: Vec<Parsed> = timed.into_iter().map(|(p, _)| p).collect();
        assert_eq!(format!("{whole:?}"), format!("{timed:?}"), "{s}");
        assert_eq!(
            format!("{err:?}"),
            format!("{:?}", timed_err.map(|(e, _)| e)),
            "{s}"
        );
        // The spans point at the statements' own text.
        for p in &whole {
            assert!(
                !s[p.span.start..p.span.end].contains(';') || s.contains('"'),
                "{s}"
            );
        }
    }
}

#[test]
fn space_tab_and_line_ends_separate_tokens_and_nothing_else_does() {
    // WHITESPACE spells its characters as ranges (faster in pest): the same four, no more.
    let st = parse("find 锂电池").expect("plain");
    for text in [
        "find\t锂电池",
        "find\r\n锂电池",
        "find\n  锂电池 -- a comment\n",
        "find -- c\n 锂电池",
    ] {
        assert_eq!(parse(text).ok().as_ref(), Some(&st), "{text:?}");
    }
    for text in ["find\u{b}锂电池", "find\u{c}锂电池", "find\u{3000}锂电池"] {
        assert!(parse(text).is_err(), "{text:?} is no whitespace");
    }
}

/// The counted pest calls (rule, sequence, repetition, lookahead … entries; what pest's call
/// limit counts) that parsing `text` from `rule` takes: the least limit it parses under.
/// `pest::set_call_limit` is process-wide, so this must run alone (see the test below).
fn counted_calls(rule: Rule, text: &str) -> usize {
    let parses = |limit: usize| {
        pest::set_call_limit(NonZeroUsize::new(limit));
        ChainkbParser::parse(rule, text).is_ok()
    };
    let (mut lo, mut hi) = (1, CALL_LIMIT);
    assert!(parses(hi), "{text}");
    while lo < hi {
        let mid = (lo + hi) / 2;
        if parses(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT));
    lo
}

/// What Q1 of issue 16 costs pest (benches/README.md, "Q1 parse and execution"): 362 counted
/// calls as a `script` before the grammar's shortcuts of 2026-12-07, 332 as the `chunk` a
/// script's statement is parsed as now. A change to the grammar that makes it dearer fails
/// here. Ignored by default, since the call limit it moves is process-wide:
/// `cargo test --lib pest_calls -- --ignored --nocapture --test-threads=1`.
#[test]
#[ignore = "moves pest's process-wide call limit: run alone, with --test-threads=1"]
fn pest_calls_of_q1() {
    let q1 =
        "upstream S0024 depth 6 in 园区129 | where state = missing | select segment | sort segment";
    let chunk = counted_calls(Rule::chunk, q1);
    let script = counted_calls(Rule::script, q1);
    eprintln!("Q1: {chunk} counted pest calls as a chunk, {script} as a script");
    assert!(chunk <= 332, "{chunk}");
    assert!(script <= 353, "{script}");
}
