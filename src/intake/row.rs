//! One row of an export → a candidate: the name (neutralised if it reads as a formula), credit
//! code, place, revenue, tags, listing and segments (by column, keyword or template name),
//! each doubtful cell reported and kept in notes; merging a duplicate row into the first; why a
//! row with the wrong number of cells is not written.

use super::columns::{
    Field, Mapping, check_credit_code, listing_of, map_tag, plain_decimal, revenue_yi, split_labels,
};
use super::keywords::{Keywords, Via};
use super::{Candidate, Outcome};
use crate::data::Resolver;
use crate::export::neutralise;
use crate::model::Kind;
use crate::names;

/// Why a row with more or fewer cells than the header is not written: the counts, and the
/// extra cells or the missing columns.
pub(super) fn miscounted(cells: &[String], header: &[String], header_line: u32) -> String {
    let lang = crate::lang::messages();
    let quoted = |c: &str| match c.trim() {
        "" => lang.pick("空", "empty").to_string(),
        c => format!("`{}`", c.chars().take(30).collect::<String>()),
    };
    let (have, want) = (cells.len(), header.len());
    let detail = if have > want {
        let extra: Vec<String> = cells[want..].iter().take(3).map(|c| quoted(c)).collect();
        let more = if have - want > 3 {
            lang.pick("、…", ", …")
        } else {
            ""
        };
        match lang {
            crate::lang::Lang::Zh => format!(
                "多出的格是 {}{more}；格里的逗号会把它分开，除非这一格加了引号，而后面的格都会错位：\
                 请改正那一格（或重新导出文件）再运行 intake",
                extra.join("、")
            ),
            crate::lang::Lang::En => format!(
                "the extra {} {}{more}; a comma in a cell splits it unless the cell is quoted, which \
                 shifts every later cell: fix the cell (or re-export the file) and run intake again",
                if have - want == 1 {
                    "cell is"
                } else {
                    "cells are"
                },
                extra.join(", ")
            ),
        }
    } else {
        let missing: Vec<String> = header[have..].iter().map(|c| quoted(c)).collect();
        match lang {
            crate::lang::Lang::Zh => format!(
                "缺少 {}；请改正这一行（或重新导出文件）再运行 intake",
                missing.join("、")
            ),
            crate::lang::Lang::En => format!(
                "{} {} missing; fix the row (or re-export the file) and run intake again",
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" }
            ),
        }
    };
    crate::tr!(
        lang,
        "这一行有 {have} 格，而表头（第 {header_line} 行）有 {want} 列：未写出；{detail}",
        "this row has {have} cells but the header (line {header_line}) has {want}: not written; {detail}"
    )
}

/// One data row → a candidate (None for a row without a name, which is reported).
pub(super) fn read_row(
    line: u32,
    cells: &[String],
    map: &Mapping,
    resolver: &Resolver,
    kw: &Keywords,
    out: &mut Outcome,
) -> Option<Candidate> {
    let mut msg = |m: String| out.messages.push((line, m));
    let Some((_, raw_name)) = map.first(Field::Name, cells) else {
        msg(crate::msg!(
            "没有企业名称（名称列为空）：这一行未写出",
            "no company name (the name column is empty): row not written"
        ));
        out.skipped += 1;
        return None;
    };
    let mut name: String = raw_name.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut c = Candidate {
        rows: vec![line],
        norm: names::normalize(&name),
        ..Candidate::default()
    };
    if name.contains([';', '；']) {
        let fixed = name.replace([';', '；'], ",");
        msg(crate::msg!(
            "名称 `{name}` 含 `;`，而 `;` 用来分隔列表项：写作 `{fixed}`",
            "name `{name}` contains `;`, which separates list items: written as `{fixed}`"
        ));
        name = fixed;
    }
    let safe = neutralise(&name);
    if safe != name {
        let first = &name[..1];
        msg(crate::msg!(
            "名称 `{name}` 以 `{first}` 开头，在电子表格里会被当作公式运行：写作 `{safe}`（请核对导出文件里的这一行）",
            "name `{name}` starts with `{first}` and would run as a formula in a spreadsheet: written as `{safe}` (check this row in the export)"
        ));
        out.neutralised += 1;
        c.notes
            .push(format!("名称以 {} 开头, 已加 ' 防止被当作公式", &name[..1]));
    }
    c.id = safe;
    if let Some((_, code)) = map.first(Field::CreditCode, cells) {
        let code = code.to_uppercase();
        if code.chars().count() != 18 || !code.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            msg(crate::msg!(
                "统一社会信用代码 `{code}` 不是 18 位字母和数字：不写入 credit_code，保留在备注里",
                "统一社会信用代码 `{code}` is not 18 letters and digits: left out of credit_code, kept in notes"
            ));
            c.notes.push(format!("平台统一社会信用代码: {code}"));
        } else {
            if let Err(why) = check_credit_code(&code) {
                msg(crate::msg!(
                    "统一社会信用代码 `{code}` {why}：保留，并加备注",
                    "统一社会信用代码 `{code}` {why}: kept, with a note"
                ));
                c.notes.push(format!("统一社会信用代码校验位不符({why})"));
            }
            c.credit_code = code;
        }
    }
    if let Some((_, p)) = map.first(Field::Province, cells) {
        c.province = p
            .strip_suffix(['省', '市'])
            .filter(|s| s.chars().count() >= 2)
            .unwrap_or(p)
            .into();
    }
    if let Some((_, city)) = map.first(Field::City, cells) {
        c.city = city
            .strip_suffix('市')
            .filter(|s| s.chars().count() >= 2)
            .unwrap_or(city)
            .into();
    }
    if let Some((col, cell)) = map.first(Field::Revenue, cells) {
        let unit = map.units.get(&col).map_or("", String::as_str);
        match revenue_yi(cell, unit) {
            Ok(v) => c.revenue_yi = Some(v),
            Err(why) => {
                msg(crate::msg!(
                    "营业收入 `{cell}` {why}：revenue_yi 留空，原格保留在备注里",
                    "营业收入 `{cell}` {why}: revenue_yi left empty, the cell kept in notes"
                ));
                out.bad_numbers += 1;
                c.notes.push(format!("平台营业收入: {cell}"));
            }
        }
    }
    if let Some((col, cap)) = map.first(Field::Capital, cells) {
        let unit = map.units.get(&col).map_or("", String::as_str);
        c.notes.push(if unit.is_empty() || cap.contains('元') {
            format!("注册资本 {cap}")
        } else {
            format!("注册资本 {cap}{unit}")
        });
    }
    // Tags: the legal-form column only says 上市/国有/外资; label columns say much more, and
    // labels chainkb does not know are kept in notes.
    let mut unknown = Vec::new();
    for (field, keep_unknown) in [
        (Field::CompanyType, false),
        (Field::Tags, true),
        (Field::ListingStatus, false),
    ] {
        for label in split_labels(&map.joined(field, cells)) {
            match map_tag(label) {
                Some(t) => push_unique(&mut c.tags, t),
                None if keep_unknown => unknown.push(label.to_string()),
                None => {}
            }
        }
    }
    if !unknown.is_empty() {
        c.notes
            .push(format!("平台标签(未映射): {}", unknown.join("、")));
    }
    for code in split_labels(&map.joined(Field::StockCode, cells)) {
        for code in code.split_whitespace() {
            let digits = code.split('.').next().unwrap_or(code);
            if digits.chars().all(|ch| ch.is_ascii_digit()) && digits.len() < 5 {
                msg(crate::msg!(
                    "股票代码 `{code}` 不足 5 位（电子表格可能丢了前导零）：按原样保留",
                    "股票代码 `{code}` has fewer than 5 digits (a spreadsheet may have dropped leading zeros): kept as written"
                ));
            }
            push_unique(&mut c.listing, &listing_of(code));
            push_unique(&mut c.tags, "上市");
        }
    }
    for a in split_labels(&map.joined(Field::Aliases, cells)) {
        if a != name {
            push_unique(&mut c.aliases, a);
        }
    }
    // Segments: an explicit column wins; otherwise keyword rules and the templates' segment
    // names over 主营产品, then keyword rules over 经营范围 (see `Keywords::find_products`).
    let explicit = map.joined(Field::Segments, cells);
    if !explicit.is_empty() {
        for s in split_labels(&explicit) {
            match resolver.resolve(s, &[Kind::Segment]) {
                Ok(i) => push_unique(&mut c.segments, &resolver.dataset().nodes[i as usize].id),
                Err(e) => {
                    msg(crate::msg!(
                        "产业链环节：{e}；不写入，保留在备注里",
                        "产业链环节: {e}: left out, kept in notes"
                    ));
                    c.notes.push(format!("未识别的环节: {s}"));
                }
            }
        }
    } else {
        let (mut by_keyword, mut by_name) = (Vec::new(), Vec::new());
        for (field, label) in [(Field::Products, "主营产品"), (Field::Scope, "经营范围")] {
            let text = map.joined(field, cells);
            let hits = if field == Field::Products {
                kw.find_products(&text)
            } else {
                kw.find(&text)
            };
            for hit in hits {
                if !c.segments.contains(&hit.segment) {
                    let why = format!("{}←{}({label})", hit.segment, hit.keyword);
                    match hit.via {
                        Via::Keyword => by_keyword.push(why),
                        Via::Name => by_name.push(why),
                    }
                    c.segments.push(hit.segment);
                }
            }
        }
        if !by_keyword.is_empty() {
            c.notes
                .push(format!("环节按关键词: {}", by_keyword.join(" ")));
        }
        if !by_name.is_empty() {
            c.notes
                .push(format!("环节按模板名称: {}", by_name.join(" ")));
        }
    }
    Some(c)
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// Merge `other` into `into`; returns the conflicts (both rows state a different value; the
/// first row's is kept and the other recorded in notes).
pub(super) fn merge(into: &mut Candidate, other: Candidate, why: &str) -> Vec<String> {
    let row = other.rows[0];
    let first = into.rows[0];
    let mut conflicts = Vec::new();
    let mut text = |label: &str, a: &mut String, b: String, notes: &mut Vec<String>| {
        if a.is_empty() {
            *a = b;
        } else if !b.is_empty() && *a != b {
            conflicts.push(crate::msg!(
                "第 {row} 行的{label}是 `{b}`，第 {first} 行是 `{a}`：保留第 {first} 行的",
                "row {row} says {label} `{b}`, row {first} `{a}`: kept row {first}'s"
            ));
            notes.push(format!("第{row}行{label}: {b}"));
        }
    };
    let mut notes = Vec::new();
    text(
        "统一社会信用代码",
        &mut into.credit_code,
        other.credit_code,
        &mut notes,
    );
    text("省份", &mut into.province, other.province, &mut notes);
    text("城市", &mut into.city, other.city, &mut notes);
    match (into.revenue_yi, other.revenue_yi) {
        (None, b) => into.revenue_yi = b,
        (Some(a), Some(b)) if (a - b).abs() > 1e-9 => {
            let (b, a) = (plain_decimal(b), plain_decimal(a));
            conflicts.push(crate::msg!(
                "第 {row} 行的营业收入是 {b} 亿元，第 {first} 行是 {a} 亿元：保留第 {first} 行的",
                "row {row} says 营业收入 {b} 亿元, row {first} {a} 亿元: kept row {first}'s"
            ));
            notes.push(format!("第{row}行营业收入: {b} 亿元"));
        }
        _ => {}
    }
    if other.id != into.id {
        push_unique(&mut into.aliases, &other.id);
    }
    for a in other.aliases {
        if a != into.id {
            push_unique(&mut into.aliases, &a);
        }
    }
    for t in other.tags {
        push_unique(&mut into.tags, &t);
    }
    for l in other.listing {
        push_unique(&mut into.listing, &l);
    }
    for s in other.segments {
        push_unique(&mut into.segments, &s);
    }
    into.notes.push(format!("合并了第{row}行({why})"));
    for n in notes.into_iter().chain(other.notes) {
        push_unique(&mut into.notes, &n);
    }
    into.rows.push(row);
    conflicts
}
