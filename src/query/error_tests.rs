//! Unit tests of `query::error`: excerpts, display widths and the plain-word expectations.

use super::*;

#[test]
fn chinese_wording_falls_back_to_english_hint_by_hint() {
    let text = "chains | where x = 1";
    let e = QueryError::semantic("where", "english message", Span { start: 15, end: 16 })
        .with_hint("first")
        .with_hints("second", "第二")
        .with_hint("third");
    let zh = e.render_in(text, Lang::Zh);
    assert!(
        zh.starts_with("错误：第 1 行第 16 列：in where: english message"),
        "{zh}"
    );
    assert!(
        zh.contains("= 提示：first\n") && zh.contains("= 提示：第二\n"),
        "{zh}"
    );
    assert!(zh.contains("= 提示：third\n"), "{zh}");
    let en = e.clone().with_zh("中文消息").render_in(text, Lang::En);
    assert!(
        en.starts_with("error: line 1, column 16: in where: english message"),
        "{en}"
    );
    assert!(en.contains("= hint: second\n"), "{en}");
    let zh = e.with_zh("中文消息").render_in(text, Lang::Zh);
    assert!(zh.starts_with("错误：第 1 行第 16 列：中文消息"), "{zh}");
    assert_eq!(
        QueryError::cancelled().render_in("", Lang::Zh),
        "错误：已取消\n"
    );
}

#[test]
fn underline_sits_under_chinese_text() {
    let text = "fill 锂电池 in 测试园区 | wher x = 1";
    let pos = text.find("wher").unwrap();
    let e = expected_words(
        text,
        pos,
        &["a stage (where, sort, limit, select, distinct, group, expand)"],
    );
    let r = e.render(text);
    let lines: Vec<&str> = r.lines().collect();
    // column in characters: "fill 锂电池 in 测试园区 | " is 20 characters
    assert!(lines[0].starts_with("error: line 1, column 20:"), "{r}");
    let caret = lines[3].find('^').unwrap();
    let code = lines[2];
    // the caret's display column equals the display width of the text before `wher`
    assert_eq!(
        width(&lines[3][..caret]),
        width(&code[..code.find("wher").unwrap()])
    );
    assert!(lines[3].ends_with("^^^^"));
    assert!(r.contains("did you mean `where`?"), "{r}");
}

#[test]
fn a_long_line_is_shown_around_the_error() {
    let text = format!(
        "enterprises | where {}锂电池 = 1 | wher",
        "not ".repeat(2_000)
    );
    let pos = text.rfind("wher").unwrap();
    let r = expected_words(&text, pos, &["a stage"]).render(&text);
    let lines: Vec<&str> = r.lines().collect();
    let column = text[..pos].chars().count() + 1;
    assert!(
        lines[0].starts_with(&format!("error: line 1, column {column}:")),
        "{r}"
    );
    // About SHOWN_BEFORE columns before the error, cut with `...`, and the caret under it.
    assert!(lines[2].starts_with("1 | ... not not "), "{r}");
    assert!(lines[2].ends_with("锂电池 = 1 | wher"), "{r}");
    assert!(width(lines[2]) <= "1 | ... ".len() + MAX_SHOWN, "{r}");
    let caret = lines[3].find('^').unwrap();
    assert_eq!(
        width(&lines[3][..caret]),
        width(&lines[2][..lines[2].rfind("wher").unwrap()])
    );
    assert!(lines[3].ends_with("^^^^"));
    // Cut on both sides when the error is in the middle; short lines are shown whole.
    let text = format!("enterprises | where {}a = 1", "not ".repeat(2_000));
    let pos = 4_000 + text.find("not").unwrap();
    let r = expected_words(&text, pos, &["x"]).render(&text);
    let shown = r.lines().nth(2).unwrap();
    assert!(
        shown.starts_with("1 | ... ") && shown.ends_with(" ..."),
        "{r}"
    );
    let text = "chains | wher";
    let r = expected_words(text, 9, &["a stage"]).render(text);
    assert!(r.contains("\n1 | chains | wher\n"), "{r}");
}

#[test]
fn a_long_line_is_cut_after_a_full_width_space() {
    // Found by the `query` fuzz target: the cut went one byte past a space of three bytes
    // (U+3000, U+2000), into the middle of it, and rendering the error panicked.
    for space in ['\u{3000}', '\u{2000}'] {
        let text = format!(
            "enterprises | where {}{space}{} = 1 | wher {}",
            "a".repeat(60),
            "b".repeat(20),
            "c".repeat(60)
        );
        let pos = text.rfind("wher").unwrap();
        let r = expected_words(&text, pos, &["a stage"]).render(&text);
        let lines: Vec<&str> = r.lines().collect();
        assert!(
            lines[2].starts_with(&format!("1 | ... {}", "b".repeat(20))),
            "{r}"
        );
        let caret = lines[3].find('^').unwrap();
        assert_eq!(
            width(&lines[3][..caret]),
            width(&lines[2][..lines[2].rfind("wher").unwrap()])
        );
    }
}

fn glued(text: &str, at: &str) -> Option<String> {
    glued_name(text, text.find(at).unwrap()).map(str::to_string)
}

#[test]
fn punctuation_glued_to_a_name_belongs_to_the_name() {
    let cases = [
        (
            "parks in 中国（西南）玉溪国际物流港",
            "（",
            Some("中国（西南）玉溪国际物流港"),
        ),
        (
            "parks in 中国(西南)玉溪国际物流港 | limit 1",
            "(",
            Some("中国(西南)玉溪国际物流港"),
        ),
        (
            "status 锂电池 in 电子/通讯产业园;",
            "/",
            Some("电子/通讯产业园"),
        ),
        (
            "projects | where (id = HT-T4-01.5)",
            ".",
            Some("HT-T4-01.5"),
        ),
        ("find YXGX-T4-", "-", Some("YXGX-T4-")),
        // Full-width separators, keywords, spaces and words before the token: no.
        ("compare 锂电池 in 甲，乙", "，", None),
        ("find（电芯）", "（", None),
        ("projects | where （status = 推介）", "（", None),
        ("limit 3(", "(", None),
        ("chains | where (name = x))", "))", None),
        // Path steps are syntax, not part of a name: no quoting across them.
        ("find 锂电池-[SUPPLIES]->", "-", None),
        ("find 锂电池<-[PRODUCES]-(企业)", "<", None),
        ("find 中国(西南)-[SUPPLIES]->()", "(", Some("中国(西南)")),
        // A byte-order mark is named, not quoted into the name.
        ("find 锂电池\u{feff}", "\u{feff}", None),
    ];
    for (text, at, want) in cases {
        assert_eq!(glued(text, at).as_deref(), want, "{text}");
    }
    let text = "parks in 中国（西南）玉溪国际物流港";
    let e = expected_words(text, text.find('（').unwrap(), &["end of query"]);
    assert_eq!(
        e.hints,
        vec![
            "names with punctuation need double quotes: \"中国（西南）玉溪国际物流港\"".to_string()
        ],
        "and not \"use ( instead\""
    );
}

#[test]
fn names_that_cannot_be_bare_are_shown_quoted() {
    // The name expected after `find `.
    let hint = |text: &str| {
        let e = expected_words(text, "find ".len(), &["a name"]);
        e.hints.first().cloned().unwrap_or_default()
    };
    assert!(hint("find in-park").ends_with("\"in-park\""));
    assert!(hint("find in").ends_with("\"in\""));
    assert!(hint("find -YXGX-1 | limit 1").ends_with("\"-YXGX-1\""));
    assert!(hint("find 3M").ends_with("\"3M\""));
    // Not where no name was expected, not a lone `-`, and not a lone keyword that more of
    // the query follows (the name is missing, rather).
    assert_eq!(hint("find -"), "");
    assert_eq!(hint("find in 测试园区"), "");
    assert!(hint("find in | limit 1").ends_with("\"in\""));
    let e = expected_words("chains in-park", 7, &["end of query"]);
    assert!(e.hints.is_empty(), "{:?}", e.hints);
}

#[test]
fn full_width_punctuation_gets_a_hint() {
    let text = "compare 锂电池 in 甲园区，乙园区";
    let pos = text.find('，').unwrap();
    let e = expected_words(text, pos, &["end of query"]);
    assert!(e.hints[0].contains("full-width"), "{:?}", e.hints);
    assert!(e.hints[0].contains("`,`"));
}
