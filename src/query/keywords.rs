//! The language's keywords in one table: each grammar rule `kw_*` with its words (English,
//! then the Chinese aliases), and the keywords that begin a statement (a query or a write), a
//! stage or an aggregate.
//! The pest grammar (`grammar/chainkb.pest`) must spell the same rules with the same words; a
//! unit test compares the two. The AST's printer (which names need quotes), the parser's
//! "expected …" messages and "did you mean", and REPL completion all read this table.

/// Every keyword rule of the grammar, in the grammar's order, with its words.
pub const TABLE: &[(&str, &[&str])] = &[
    ("kw_explain", &["explain", "解释"]),
    ("kw_find", &["find", "查找"]),
    ("kw_chains", &["chains", "产业链"]),
    ("kw_segments", &["segments", "环节"]),
    ("kw_enterprises", &["enterprises", "企业"]),
    ("kw_parks", &["parks", "园区"]),
    ("kw_projects", &["projects", "项目"]),
    ("kw_industries", &["industries", "产业"]),
    ("kw_regions", &["regions", "地区"]),
    ("kw_systems", &["systems", "产业体系"]),
    ("kw_figures", &["figures", "指标"]),
    ("kw_catalog", &["catalog", "目录"]),
    ("kw_upstream", &["upstream", "上游"]),
    ("kw_downstream", &["downstream", "下游"]),
    ("kw_depth", &["depth", "深度"]),
    ("kw_chain", &["chain", "链"]),
    ("kw_in", &["in", "在"]),
    ("kw_of", &["of"]),
    ("kw_status", &["status", "现状"]),
    ("kw_fill", &["fill", "补链"]),
    ("kw_extend", &["extend", "延链"]),
    ("kw_strengthen", &["strengthen", "强链"]),
    ("kw_build", &["build", "建链"]),
    ("kw_below", &["below", "低于"]),
    ("kw_inherited", &["inherited", "含上级"]),
    ("kw_compare", &["compare", "对比"]),
    ("kw_paths", &["paths", "路径"]),
    ("kw_from", &["from"]),
    ("kw_all", &["all", "所有"]),
    ("kw_where", &["where", "筛选"]),
    ("kw_sort", &["sort", "排序"]),
    ("kw_by", &["by"]),
    ("kw_asc", &["asc"]),
    ("kw_desc", &["desc"]),
    ("kw_limit", &["limit", "限制"]),
    ("kw_select", &["select", "选择"]),
    ("kw_as", &["as"]),
    ("kw_distinct", &["distinct", "去重"]),
    ("kw_group", &["group", "分组"]),
    ("kw_with", &["with"]),
    ("kw_count", &["count", "计数"]),
    ("kw_sum", &["sum", "求和"]),
    ("kw_min", &["min"]),
    ("kw_max", &["max"]),
    ("kw_avg", &["avg"]),
    ("kw_collect", &["collect"]),
    ("kw_expand", &["expand", "展开"]),
    ("kw_targets", &["targets", "目标企业"]),
    ("kw_and", &["and", "且"]),
    ("kw_or", &["or", "或"]),
    ("kw_not", &["not", "非"]),
    ("kw_contains", &["contains", "包含"]),
    ("kw_is", &["is"]),
    ("kw_null", &["null", "空"]),
    // The words of the write statements (the planning journal).
    ("kw_move", &["move", "推进"]),
    ("kw_add", &["add", "新增"]),
    ("kw_note", &["note", "备注"]),
    ("kw_to", &["to", "推进到", "到"]),
    ("kw_project", &["project"]),
    ("kw_firm", &["firm"]),
    ("kw_prospect", &["prospect", "客商库", "客商"]),
    ("kw_makes", &["makes", "生产"]),
    ("kw_builds", &["builds", "建设"]),
    ("kw_meeting", &["meeting", "会议"]),
    ("kw_stage", &["stage", "阶段"]),
    ("kw_on", &["on", "日期"]),
    ("kw_contact", &["contact", "联系"]),
    ("kw_responsible", &["responsible", "责任单位"]),
    ("kw_reason", &["reason", "理由"]),
    ("kw_who", &["who", "记录人"]),
    ("kw_for", &["for"]),
    ("kw_source", &["source", "来源"]),
    ("kw_partners", &["partners", "以商招商"]),
    // `| producers [outside|in PLACE]` (issue 16, Q3).
    ("kw_producers", &["producers", "生产企业"]),
    ("kw_outside", &["outside", "不在"]),
];

/// The keywords a statement begins with.
pub const SOURCES: &[&str] = &[
    "kw_explain",
    "kw_find",
    "kw_chains",
    "kw_segments",
    "kw_enterprises",
    "kw_parks",
    "kw_projects",
    "kw_industries",
    "kw_regions",
    "kw_systems",
    "kw_figures",
    "kw_catalog",
    "kw_upstream",
    "kw_downstream",
    "kw_status",
    "kw_fill",
    "kw_extend",
    "kw_strengthen",
    "kw_build",
    "kw_compare",
    "kw_paths",
    // Writes: `move project …`, `add firm …`, `note …`, and the command line's order
    // (`project move …`, `prospect add …`, `firm add …`).
    "kw_move",
    "kw_add",
    "kw_note",
    "kw_prospect",
    "kw_project",
    "kw_firm",
];

/// The keywords a write statement begins with (a subset of `SOURCES`).
pub const WRITES: &[&str] = &[
    "kw_move",
    "kw_add",
    "kw_note",
    "kw_prospect",
    "kw_project",
    "kw_firm",
    "kw_partners",
];

/// The keywords a stage begins with (after `|`).
pub const STAGES: &[&str] = &[
    "kw_where",
    "kw_sort",
    "kw_limit",
    "kw_select",
    "kw_distinct",
    "kw_group",
    "kw_expand",
    "kw_targets",
    "kw_producers",
];

/// The aggregate functions of `group … with`.
pub const AGGREGATES: &[&str] = &[
    "kw_count",
    "kw_sum",
    "kw_min",
    "kw_max",
    "kw_avg",
    "kw_collect",
];

/// Every keyword, English and Chinese, in table order.
pub fn words() -> impl Iterator<Item = &'static str> {
    TABLE.iter().flat_map(|(_, words)| words.iter().copied())
}

/// Whether `word` is a keyword (and so cannot be a bare name).
pub fn is_keyword(word: &str) -> bool {
    words().any(|w| w == word)
}

/// The grammar rule of keyword `word` (`补链` → `kw_fill`), if it is one.
pub fn rule_of(word: &str) -> Option<&'static str> {
    TABLE
        .iter()
        .find(|(_, words)| words.contains(&word))
        .map(|(rule, _)| *rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAMMAR: &str = include_str!("../../grammar/chainkb.pest");

    /// The grammar's `kw_*` rules with the words each accepts, in the grammar's order.
    fn grammar_keywords() -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for line in GRAMMAR.lines().map(str::trim_start) {
            let Some((rule, body)) = line.split_once('=') else {
                continue;
            };
            let rule = rule.trim();
            if !rule.starts_with("kw_") {
                continue;
            }
            let words = body
                .split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            out.push((rule.to_string(), words));
        }
        out
    }

    #[test]
    fn the_table_spells_the_grammars_keyword_rules_and_words() {
        let table: Vec<(String, Vec<String>)> = TABLE
            .iter()
            .map(|(r, w)| (r.to_string(), w.iter().map(|s| s.to_string()).collect()))
            .collect();
        assert_eq!(table, grammar_keywords());
    }

    #[test]
    fn the_grammars_keyword_rule_reserves_every_keyword_word() {
        // `keyword` (the `!keyword` of `ident`) spells the words out rather than calling the
        // kw_ rules (one pest rule call per keyword before every bare name cost most of a
        // statement's parse): the same words, each once.
        let start = GRAMMAR.find("keyword = _{").expect("keyword rule");
        let body = &GRAMMAR[start..];
        let body = &body[..body.find("\n}").expect("end of the keyword rule")];
        let groups: Vec<Vec<&str>> = body
            .split(" ~ (")
            .skip(1)
            .map(|g| g.split('"').skip(1).step_by(2).collect())
            .collect();
        let mut reserved: Vec<&str> = groups.concat();
        reserved.sort_unstable();
        let mut all: Vec<&str> = words().collect();
        all.sort_unstable();
        assert_eq!(reserved, all);
        // Each group is an ordered choice followed by one `!XID_CONTINUE`: a word after a
        // shorter word it starts with would never be tried ("in" before "inherited" would
        // make `inherited` a name). Every word is letters only, so that is the one way for a
        // choice to commit to a word whose boundary check then fails.
        for group in &groups {
            for (i, w) in group.iter().enumerate() {
                assert!(w.chars().all(char::is_alphabetic), "{w}");
                let earlier = group[..i].iter().find(|p| w.starts_with(**p));
                assert_eq!(earlier, None, "`{w}` comes after a word it starts with");
            }
        }
        // The guards: the first two groups hold the CJK words (unified ideographs,
        // U+4E00..U+5FFF and U+6000..U+9FFF), the last the ASCII ones (lower case).
        assert_eq!(groups.len(), 3);
        assert!(body.contains("&ASCII_ALPHA_LOWER ~ ("));
        assert!(
            groups[2]
                .iter()
                .all(|w| w.starts_with(|c: char| c.is_ascii_lowercase()))
        );
        for (group, (from, to)) in groups[..2]
            .iter()
            .zip([('\u{4E00}', '\u{5FFF}'), ('\u{6000}', '\u{9FFF}')])
        {
            let guard = format!("&'\\u{{{:X}}}'..'\\u{{{:X}}}' ~ (", from as u32, to as u32);
            assert!(body.contains(&guard), "{guard}");
            assert!(
                group
                    .iter()
                    .all(|w| w.starts_with(|c: char| (from..=to).contains(&c))),
                "{group:?}"
            );
        }
    }

    /// The words of a guard rule (`NAME = _{ "a" | "b" … }`, one line), whose `&NAME` stands
    /// before the rules it guards.
    fn guard_words(rule: &str) -> Vec<&'static str> {
        let line = GRAMMAR
            .lines()
            .find(|l| l.split_once('=').is_some_and(|(r, _)| r.trim() == rule))
            .expect("guard rule");
        line.split('"').skip(1).step_by(2).collect()
    }

    /// Every word of the keyword rules `first` starts with a word of `guard`.
    fn guard_passes(guard: &[&str], first: &[&str]) {
        for rule in first {
            let (_, words) = TABLE.iter().find(|(r, _)| r == rule).expect(rule);
            for w in *words {
                assert!(guard.iter().any(|g| w.starts_with(g)), "{rule}: {w}");
            }
        }
    }

    #[test]
    fn every_word_a_walk_option_begins_with_passes_the_grammars_trav_word_guard() {
        // `trav_opt = { &trav_word ~ (kw_in ~ … | kw_depth ~ … | kw_chain ~ …) }`.
        guard_passes(
            &guard_words("trav_word"),
            &["kw_in", "kw_depth", "kw_chain"],
        );
        assert!(GRAMMAR.contains(
            "trav_opt     = { &trav_word ~ (kw_in ~ place | kw_depth ~ int | kw_chain ~ name) }"
        ));
    }

    #[test]
    fn every_word_a_write_begins_with_passes_the_grammars_write_word_guard() {
        // `write_stmt = { &write_word ~ (…) }`: the first keywords of move_project,
        // move_prospect, add_prospect, add_entity and note_write (project_kw and entity_kw
        // spelled out). A word missing from `write_word` would make its writes unparsable.
        let start = GRAMMAR.find("write_word    = _{").expect("write_word rule");
        let body = &GRAMMAR[start..];
        let body = &body[..body.find('}').expect("end of write_word")];
        let guard: Vec<&str> = body.split('"').skip(1).step_by(2).collect();
        let first = [
            "kw_move",
            "kw_project",
            "kw_projects",
            "kw_prospect",
            "kw_add",
            "kw_firm",
            "kw_enterprises",
            "kw_note",
        ];
        guard_passes(&guard, &first);
    }

    #[test]
    fn statement_stage_and_aggregate_keywords_are_keyword_rules() {
        for rule in SOURCES.iter().chain(STAGES).chain(AGGREGATES) {
            assert!(TABLE.iter().any(|(r, _)| r == rule), "{rule}");
        }
        assert_eq!(rule_of("补链"), Some("kw_fill"));
        assert_eq!(rule_of("目标企业"), Some("kw_targets"));
        assert_eq!(rule_of("锂电池"), None);
    }
}
